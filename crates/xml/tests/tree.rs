//! What the tree borrows from the parsed text, and the two extractions of a signed
//! node-set (copying and moving) agreeing node for node.

use std::borrow::Cow;

use samlsim_xml::{Canonicalization, Document, NodeKind, canonicalize, parse, to_xml};

const SIGNED: &str = r#"<p:R xmlns:p="urn:p" xmlns:q="urn:q" ID="r1"><p:A ID="a1" q:x="1 &amp; 2">alice<!-- c -->@example.com<S><T>sig</T></S><B/>tail &lt;</p:A><Other/></p:R>"#;

fn find(doc: &Document<'_>, local_name: &str) -> samlsim_xml::NodeId {
    doc.descendants(doc.document_node())
        .find(|&n| doc.element(n).is_some_and(|e| e.local_name == local_name))
        .unwrap()
}

#[test]
fn names_values_and_plain_text_are_borrowed_and_references_owned() {
    let doc = parse(SIGNED).unwrap();
    let a = doc.element(find(&doc, "A")).unwrap();
    assert!(matches!(a.local_name, Cow::Borrowed("A")));
    assert!(matches!(a.prefix, Some(Cow::Borrowed("p"))));
    assert!(matches!(a.namespace, Some(Cow::Borrowed("urn:p"))));
    let id = a.attributes.iter().find(|x| x.local_name == "ID").unwrap();
    assert!(matches!(id.value, Cow::Borrowed("a1")));
    // A resolved reference is not in the input: that value is owned.
    let x = a.attributes.iter().find(|x| x.local_name == "x").unwrap();
    assert!(matches!(&x.value, Cow::Owned(v) if v == "1 & 2"));
    let texts: Vec<&Cow<'_, str>> = doc
        .descendants(find(&doc, "A"))
        .filter_map(|n| match doc.kind(n) {
            NodeKind::Text(t) => Some(t),
            _ => None,
        })
        .collect();
    assert!(matches!(texts[0], Cow::Borrowed("alice")));
    assert!(matches!(texts.last().unwrap(), Cow::Owned(t) if t == "tail <"));
}

#[test]
fn moving_and_copying_extractions_are_the_same_node_set() {
    let doc = parse(SIGNED).unwrap();
    let (apex, exclude) = (find(&doc, "A"), find(&doc, "S"));
    let copied = doc.extract(apex, Some(exclude), false);
    let moved = doc.clone().into_extract(apex, Some(exclude), false);
    let c14n = Canonicalization::exclusive();
    for extracted in [&copied, &moved] {
        assert_eq!(
            to_xml(extracted, extracted.document_node()),
            r#"<p:A xmlns:p="urn:p" xmlns:q="urn:q" ID="a1" q:x="1 &amp; 2">alice@example.com<B/>tail &lt;</p:A>"#
        );
        // Only the extracted nodes: document, A, the merged text, B, the last text.
        assert_eq!(extracted.node_count(), 5);
        assert_eq!(
            canonicalize(extracted, extracted.document_node(), None, &c14n),
            canonicalize(&doc, apex, Some(exclude), &c14n)
        );
    }
}

#[test]
fn an_owned_document_outlives_its_text() {
    let owned = {
        let text = String::from(SIGNED);
        parse(&text).unwrap().into_owned()
    };
    let apex = find(&owned, "A");
    let moved = owned.into_extract(apex, None, true);
    assert!(to_xml(&moved, moved.document_node()).contains("<!-- c -->"));
}
