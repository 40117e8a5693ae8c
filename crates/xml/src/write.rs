//! Serialisation back to text.
//!
//! The output keeps prefixes, namespace declarations and attribute order as they are
//! in the tree, and escapes exactly what canonical XML escapes, so that parsing the
//! output again yields the same tree (and so the same canonical form — which is what
//! keeps a signature made on the tree valid on the wire).

use crate::tree::{Document, NodeId, NodeKind};

/// The document (from the document node) or one subtree as XML text.
pub fn to_xml(doc: &Document, node: NodeId) -> String {
    let mut out = Vec::with_capacity(4096);
    write_node(doc, node, &mut out);
    // Every byte written comes from `str`s or ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// The document or subtree indented for people to read: elements holding only
/// elements (and whitespace) get one child per line; anything with text is written
/// as it is, since re-indenting mixed content would change it. Not for signing: the
/// whitespace added is content to canonicalisation.
pub fn to_pretty_xml(doc: &Document, node: NodeId) -> String {
    let mut out = Vec::with_capacity(4096);
    write_pretty(doc, node, 0, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

fn write_pretty(doc: &Document, id: NodeId, depth: usize, out: &mut Vec<u8>) {
    let children = doc.children(id);
    let is_blank = |&c: &NodeId| matches!(doc.kind(c), NodeKind::Text(t) if t.trim().is_empty());
    let structural = children
        .iter()
        .all(|c| is_blank(c) || !matches!(doc.kind(*c), NodeKind::Text(_)));
    match doc.kind(id) {
        NodeKind::Document => {
            for &child in children {
                write_pretty(doc, child, 0, out);
                out.push(b'\n');
            }
        }
        NodeKind::Element(_) if structural && !children.iter().all(is_blank) => {
            write_start_tag(doc, id, out);
            for &child in children.iter().filter(|c| !is_blank(c)) {
                out.push(b'\n');
                out.extend(std::iter::repeat_n(b' ', 2 * (depth + 1)));
                write_pretty(doc, child, depth + 1, out);
            }
            out.push(b'\n');
            out.extend(std::iter::repeat_n(b' ', 2 * depth));
            write_end_tag(doc, id, out);
        }
        _ => write_node(doc, id, out),
    }
}

fn write_node(doc: &Document, id: NodeId, out: &mut Vec<u8>) {
    match doc.kind(id) {
        NodeKind::Document => {
            for (i, &child) in doc.children(id).iter().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                write_node(doc, child, out);
            }
        }
        NodeKind::Element(_) => {
            let children = doc.children(id);
            if children.is_empty() {
                write_start_tag(doc, id, out);
                // `<a/>` rather than `<a></a>`.
                out.pop();
                out.extend_from_slice(b"/>");
                return;
            }
            write_start_tag(doc, id, out);
            for &child in children {
                write_node(doc, child, out);
            }
            write_end_tag(doc, id, out);
        }
        NodeKind::Text(text) => escape_text(text, out),
        NodeKind::Comment(text) => {
            out.extend_from_slice(b"<!--");
            out.extend_from_slice(text.as_bytes());
            out.extend_from_slice(b"-->");
        }
        NodeKind::ProcessingInstruction { target, data } => {
            out.extend_from_slice(b"<?");
            out.extend_from_slice(target.as_bytes());
            if !data.is_empty() {
                out.push(b' ');
                out.extend_from_slice(data.as_bytes());
            }
            out.extend_from_slice(b"?>");
        }
    }
}

fn write_start_tag(doc: &Document, id: NodeId, out: &mut Vec<u8>) {
    let Some(element) = doc.element(id) else {
        return;
    };
    out.push(b'<');
    write_name(element.prefix.as_deref(), &element.local_name, out);
    for d in &element.namespace_declarations {
        match &d.prefix {
            None => out.extend_from_slice(b" xmlns=\""),
            Some(p) => {
                out.extend_from_slice(b" xmlns:");
                out.extend_from_slice(p.as_bytes());
                out.extend_from_slice(b"=\"");
            }
        }
        escape_attribute(&d.uri, out);
        out.push(b'"');
    }
    for a in &element.attributes {
        out.push(b' ');
        write_name(a.prefix.as_deref(), &a.local_name, out);
        out.extend_from_slice(b"=\"");
        escape_attribute(&a.value, out);
        out.push(b'"');
    }
    out.push(b'>');
}

fn write_end_tag(doc: &Document, id: NodeId, out: &mut Vec<u8>) {
    if let Some(element) = doc.element(id) {
        out.extend_from_slice(b"</");
        write_name(element.prefix.as_deref(), &element.local_name, out);
        out.push(b'>');
    }
}

/// `prefix:local` or `local`.
pub(crate) fn write_name(prefix: Option<&str>, local_name: &str, out: &mut Vec<u8>) {
    if let Some(p) = prefix {
        out.extend_from_slice(p.as_bytes());
        out.push(b':');
    }
    out.extend_from_slice(local_name.as_bytes());
}

/// Text escaping of C14N §2.3: `&`, `<`, `>` and carriage return.
pub(crate) fn escape_text(text: &str, out: &mut Vec<u8>) {
    escape(text, out, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'>' => Some(b"&gt;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    });
}

/// Attribute-value escaping of C14N §2.3: `&`, `<`, `"`, tab, line feed and
/// carriage return (the last three would otherwise be normalised away on re-parsing).
pub(crate) fn escape_attribute(value: &str, out: &mut Vec<u8>) {
    escape(value, out, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'"' => Some(b"&quot;"),
        b'\t' => Some(b"&#x9;"),
        b'\n' => Some(b"&#xA;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    });
}

/// Copies `text`, replacing the ASCII bytes `replacement` names; runs without any are
/// copied in one go.
fn escape(text: &str, out: &mut Vec<u8>, replacement: impl Fn(u8) -> Option<&'static [u8]>) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(r) = replacement(b) {
            out.extend_from_slice(&bytes[start..i]);
            out.extend_from_slice(r);
            start = i + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
}
