// Independent cross-check for the c14n test vectors: canonicalises each case
// with Apache Santuario (the copy built into the JDK's java.xml.crypto module).
// Used by ../generate.py (verification only; it never writes expected.xml).
//
// Build and run (JDK 11+):
//   X="--add-exports java.xml.crypto/com.sun.org.apache.xml.internal.security=ALL-UNNAMED \
//      --add-exports java.xml.crypto/com.sun.org.apache.xml.internal.security.c14n=ALL-UNNAMED"
//   javac $X -d OUT SantuarioC14n.java && java $X -cp OUT SantuarioC14n < manifest.tsv
//
// Manifest: one case per line, tab separated:
//   input-path  algorithm-URI  apex-XPath-or-"/"  prefix-list(space separated, may be empty)  output-path
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import javax.xml.parsers.*;
import javax.xml.xpath.*;
import org.w3c.dom.*;
import com.sun.org.apache.xml.internal.security.Init;
import com.sun.org.apache.xml.internal.security.c14n.Canonicalizer;

public class SantuarioC14n {
    public static void main(String[] args) throws Exception {
        Init.init();
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setExpandEntityReferences(false);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        int failures = 0;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            String[] a = line.split("\t", -1);
            try {
                Document d = f.newDocumentBuilder().parse(new File(a[0]));
                Node n = d;
                if (!a[2].equals("/")) {
                    XPath xp = XPathFactory.newInstance().newXPath();
                    n = (Node) xp.evaluate(a[2], d, XPathConstants.NODE);
                    if (n == null) throw new IllegalArgumentException("apex not found: " + a[2]);
                }
                Canonicalizer c = Canonicalizer.getInstance(a[1]);
                ByteArrayOutputStream os = new ByteArrayOutputStream();
                if (!a[3].isEmpty()) c.canonicalizeSubtree(n, a[3], os);
                else c.canonicalizeSubtree(n, os);
                Files.write(Paths.get(a[4]), os.toByteArray());
            } catch (Exception e) {
                failures++;
                System.err.println("FAILED " + a[0] + ": " + e);
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
