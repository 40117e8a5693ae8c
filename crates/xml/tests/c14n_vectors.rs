//! Runs every case of tests/vectors/ (W3C examples and libxml2-generated cases; see
//! its README for provenance): parse `input.xml`, canonicalise from `apex` with the
//! case's parameters, and compare with `expected.xml` byte for byte.

use std::path::Path;

use samlsim_xml::{Canonicalization, Document, NodeId, XmlError, canonicalize, parse_bytes};

/// Whether an error is the refusal a case expects.
type IsRefusal = fn(&XmlError) -> bool;

/// Cases whose input our parser refuses on purpose, with the refusal expected.
const REFUSED_BY_POLICY: &[(&str, IsRefusal)] = &[
    // Declares ISO-8859-1 (its bytes are ASCII); samlsim accepts UTF-8 only.
    ("w3c-c14n-3.6-utf8-encoding", |e| {
        matches!(e, XmlError::UnsupportedEncoding { .. })
    }),
];

#[test]
fn every_vector_canonicalises_to_its_expected_bytes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("params.toml").exists())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "the corpus has {} cases", cases.len());

    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let params: toml::Table = std::fs::read_to_string(case.join("params.toml"))
            .unwrap()
            .parse()
            .unwrap();
        let input = std::fs::read(case.join("input.xml")).unwrap();
        let expected = std::fs::read(case.join("expected.xml")).unwrap();

        let doc = match parse_bytes(&input) {
            Ok(doc) => doc,
            Err(e) => {
                match REFUSED_BY_POLICY.iter().find(|(n, _)| *n == name) {
                    Some((_, expected_refusal)) if expected_refusal(&e) => {}
                    _ => failures.push(format!("{name}: parse error: {e}")),
                }
                continue;
            }
        };
        let method = Canonicalization {
            exclusive: params["method"].as_str() == Some("exclusive"),
            with_comments: params["with_comments"].as_bool().unwrap_or(false),
            inclusive_prefixes: params
                .get("inclusive_prefixes")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|p| p.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let apex = select(&doc, params["apex"].as_str().unwrap_or("/"));
        let actual = canonicalize(&doc, apex, None, &method);
        if actual != expected {
            failures.push(format!(
                "{name}:\n  expected {:?}\n  actual   {:?}",
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// `/` or `/a/b[2]/c`: element local names from the root, with optional 1-based
/// indexes among same-named siblings.
fn select(doc: &Document, path: &str) -> NodeId {
    let mut node = doc.document_node();
    for step in path.split('/').filter(|s| !s.is_empty()) {
        let (name, index) = match step.split_once('[') {
            Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().unwrap()),
            None => (step, 1),
        };
        node = doc
            .child_elements(node)
            .filter(|&c| doc.element(c).unwrap().local_name == name)
            .nth(index - 1)
            .unwrap_or_else(|| panic!("no {step} in {path}"));
    }
    node
}
