"""Signs the saml:Assertion or the samlp:Response of a SAML Response with signxml
(enveloped, RSA-SHA256, exclusive C14N), as Python IdPs built on it do.

Usage: signxml_sign.py FILE assertion|response KEY_PEM CERT_PEM
Prints the signed document. Run by tests/realsp.rs.
"""

import sys

from lxml import etree
from signxml import XMLSigner, methods

path, which, key_file, cert_file = sys.argv[1:5]
DS = "http://www.w3.org/2000/09/xmldsig#"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
key = open(key_file, "rb").read()
cert = open(cert_file, "rb").read()

root = etree.parse(path).getroot()
for template in root.iter("{%s}Signature" % DS):
    template.getparent().remove(template)
target = root if which == "response" else root.find("{%s}Assertion" % SAML)
# Where the schema puts the signature: right after the Issuer.
issuer = target.find("{%s}Issuer" % SAML)
placeholder = etree.Element("{%s}Signature" % DS, Id="placeholder", nsmap={"ds": DS})
issuer.addnext(placeholder)
signer = XMLSigner(
    method=methods.enveloped,
    signature_algorithm="rsa-sha256",
    digest_algorithm="sha256",
    c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
)
# The whole document is handed over, the reference naming the target: signxml
# puts the signature at the placeholder, inside the target (enveloped).
signer.namespaces = {"ds": DS}
signed = signer.sign(root, key=key, cert=cert, reference_uri=target.get("ID"), id_attribute="ID")
print(etree.tostring(signed, encoding="unicode"))
