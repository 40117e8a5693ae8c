//! The parser's refusals, each with the rule it names, and the normalisations it owes
//! canonicalisation.

use samlsim_xml::{Canonicalization, XmlError, canonicalize, parse, to_xml};

fn exc(xml: &str) -> String {
    let doc = parse(xml).unwrap();
    String::from_utf8(canonicalize(
        &doc,
        doc.document_node(),
        None,
        &Canonicalization::exclusive(),
    ))
    .unwrap()
}

#[test]
fn doctype_is_refused() {
    let err = parse("<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>").unwrap_err();
    assert!(matches!(err, XmlError::DoctypeForbidden { .. }), "{err}");
    assert!(err.to_string().contains("DOCTYPE is not allowed"));
}

#[test]
fn billion_laughs_is_refused_before_any_expansion() {
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>"#;
    assert!(matches!(
        parse(bomb),
        Err(XmlError::DoctypeForbidden { .. })
    ));
}

#[test]
fn external_entity_without_doctype_is_an_undefined_entity() {
    let err = parse("<a>&xxe;</a>").unwrap_err();
    assert!(
        matches!(err, XmlError::UndefinedEntity { ref name, .. } if name == "xxe"),
        "{err}"
    );
}

#[test]
fn limits_are_enforced() {
    let deep = "<a>".repeat(100) + &"</a>".repeat(100);
    assert!(matches!(
        parse(&deep),
        Err(XmlError::TooDeep { limit: 64, .. })
    ));
    let big = format!("<a>{}</a>", "x".repeat(2 * 1024 * 1024));
    assert!(matches!(parse(&big), Err(XmlError::TooLarge { .. })));
}

#[test]
fn malformed_input_is_refused_with_a_position() {
    for (input, needle) in [
        ("<a><b></a>", "line 1"),
        ("<a>", "closed"),
        ("", "no root element"),
        ("<a/><b/>", "second root"),
        ("text<a/>", "outside the root"),
        ("<p:a/>", "prefix \"p\""),
        ("<a x='1' x='2'/>", "duplicated attribute"),
        ("<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>", "twice"),
        ("<a xmlns:p=''/>", "undeclares"),
        ("<a>&#0;</a>", "&#0;"),
        ("<a>\u{1}</a>", "U+0001"),
        ("<?xml version='1.0' encoding='ISO-8859-1'?><a/>", "UTF-8"),
        ("<a x='<'/>", "<"),
        // Found by fuzzing (fuzz/regressions): names XML does not allow, which
        // would serialise into text no parser reads back.
        ("<\" /=\"&apos;\"\"=''/>", "not a valid qualified name"),
        ("<a/ >x</a/>", "not a valid qualified name"),
        ("<a b=\"1\"c=\"2\"/>", "separated by white space"),
        ("<a>&#x+41;</a>", "&#x+41;"),
        ("<a/>&#x9;", "outside the root"),
        ("<a>]]></a>", "]]>"),
        ("<a xmlns:1p='u'/>", "namespace prefix"),
        ("<?1pi x?><a/>", "processing-instruction target"),
    ] {
        let err = parse(input).expect_err(input).to_string();
        assert!(err.contains(needle), "{input:?}: {err}");
    }
}

#[test]
fn attribute_values_and_line_ends_are_normalised() {
    let doc = parse("<a x=\"1\t2\n3&#10;4&#9;\"  >l1\r\nl2\rl3&#13;</a>").unwrap();
    let root = doc.root_element().unwrap();
    assert_eq!(
        doc.element(root).unwrap().attribute("x"),
        Some("1 2 3\n4\t")
    );
    assert_eq!(doc.text_content(root), "l1\nl2\nl3\r");
    assert_eq!(
        exc(&to_xml(&doc, doc.document_node())),
        "<a x=\"1 2 3&#xA;4&#x9;\">l1\nl2\nl3&#xD;</a>"
    );
}

#[test]
fn comments_do_not_truncate_text() {
    let doc = parse("<NameID>alice@example.com<!---->.evil.com</NameID>").unwrap();
    assert_eq!(
        doc.text_content(doc.root_element().unwrap()),
        "alice@example.com.evil.com"
    );
}

#[test]
fn serialising_and_reparsing_keeps_the_canonical_form() {
    let input = r#"<?xml version="1.0"?>
<r:Root xmlns:r="urn:r" xmlns="urn:d" b="&quot;'&lt;&gt;&amp;" a="x&#xD;y"><e><![CDATA[<&>]]></e><!-- c --><?pi data?><f xmlns=""/></r:Root>"#;
    let doc = parse(input).unwrap();
    let written = to_xml(&doc, doc.document_node());
    let again = parse(&written).unwrap();
    let m = Canonicalization {
        with_comments: true,
        ..Canonicalization::exclusive()
    };
    assert_eq!(
        canonicalize(&doc, doc.document_node(), None, &m),
        canonicalize(&again, again.document_node(), None, &m)
    );
    assert_eq!(
        exc(input),
        "<r:Root xmlns:r=\"urn:r\" a=\"x&#xD;y\" b=\"&quot;'&lt;>&amp;\"><e xmlns=\"urn:d\">&lt;&amp;&gt;</e><?pi data?><f></f></r:Root>"
    );
}

#[test]
fn characters_outside_xml_char_are_refused_wherever_they_are() {
    let long = "x".repeat(70);
    for (xml, code) in [
        (format!("<a>{long}\u{1}</a>"), 0x1),
        (format!("<a b=\"{long}\u{1F}\"/>"), 0x1F),
        (format!("<a>{long}\u{FFFE}</a>"), 0xFFFE),
        ("<a><!-- \u{FFFF} --></a>".to_owned(), 0xFFFF),
    ] {
        let err = parse(&xml).unwrap_err();
        assert!(
            matches!(err, XmlError::IllegalCharacter { code: c, .. } if c == code),
            "{xml:?}: {err}"
        );
    }
    // Tabs, line ends and other characters encoded with an EF lead byte are Chars.
    parse(&format!("<a b=\"\t\">{long}\n\r\t\u{FEFF}\u{FFFD}</a>")).unwrap();
}
