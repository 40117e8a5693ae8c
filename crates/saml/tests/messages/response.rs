//! `samlp:Response`: build → parse → verify round trips for every signing
//! choice, and the ways a received Response must be refused.

use samlsim_crypto::SignatureAlgorithm;
use samlsim_dsig::{DSIG_NS, DsigError};
use samlsim_saml::response::{
    ContainedAssertion, ResponseSigning, SignatureStatus, VerifiedAssertion, build_error_response,
    build_response, parse_response,
};
use samlsim_saml::signature::{ASSERTION_NS, PROTOCOL_NS};
use samlsim_saml::uri::{confirmation_method, status};
use samlsim_saml::{SamlError, Status};
use samlsim_xml::{Element, NodeKind, parse, to_xml};

use crate::support::*;

fn build(signing: ResponseSigning) -> String {
    let (key, cert) = (key(), cert());
    build_response(
        &response_spec(),
        &assertion_spec(),
        signing,
        &signer(&key, &cert),
    )
    .expect("builds")
    .xml
}

fn verify(xml: &str) -> Result<VerifiedAssertion, SamlError> {
    parse_response(xml.as_bytes())?.verify(&[cert()])
}

/// Every value of the specs comes back from the verified assertion.
fn assert_matches_spec(assertion: &VerifiedAssertion) {
    let spec = assertion_spec();
    assert_eq!(assertion.id, spec.id);
    assert_eq!(assertion.issue_instant, spec.issue_instant);
    assert_eq!(assertion.issuer, spec.issuer);
    assert_eq!(assertion.name_id.as_ref(), Some(&spec.name_id));

    let [confirmation] = assertion.subject_confirmations.as_slice() else {
        panic!("one confirmation: {:?}", assertion.subject_confirmations);
    };
    assert_eq!(confirmation.method, confirmation_method::BEARER);
    assert_eq!(
        confirmation.not_on_or_after,
        Some(spec.confirmation.not_on_or_after)
    );
    assert_eq!(confirmation.not_before, None);
    assert_eq!(
        confirmation.recipient.as_deref(),
        Some(spec.confirmation.recipient.as_str())
    );
    assert_eq!(
        confirmation.in_response_to,
        spec.confirmation.in_response_to
    );

    let conditions = assertion.conditions.as_ref().expect("conditions");
    assert_eq!(conditions.not_before, Some(spec.conditions.not_before));
    assert_eq!(
        conditions.not_on_or_after,
        Some(spec.conditions.not_on_or_after)
    );
    assert_eq!(
        conditions.audience_restrictions,
        vec![spec.conditions.audiences.clone()]
    );
    assert!(!conditions.one_time_use);

    let [authn] = assertion.authn_statements.as_slice() else {
        panic!("one AuthnStatement");
    };
    assert_eq!(authn.authn_instant, spec.authn.authn_instant);
    assert_eq!(
        authn.session_index.as_deref(),
        Some(spec.authn.session_index.as_str())
    );
    assert_eq!(
        authn.session_not_on_or_after,
        spec.authn.session_not_on_or_after
    );
    assert_eq!(
        authn.authn_context_class_ref.as_deref(),
        Some(spec.authn.authn_context_class_ref.as_str())
    );

    assert_eq!(assertion.attributes, spec.attributes);
    assert_eq!(assertion.attribute_values(ROLE).len(), 2);
    assert_eq!(assertion.attribute_values("tricky"), [TRICKY_VALUE, ""]);
}

#[test]
fn every_signing_choice_round_trips_through_verification() {
    for signing in [
        ResponseSigning::Response,
        ResponseSigning::Assertion,
        ResponseSigning::Both,
    ] {
        let xml = build(signing);
        let received = parse_response(xml.as_bytes()).expect("parses");
        let spec = response_spec();
        assert_eq!(received.envelope.id, spec.id);
        assert_eq!(received.envelope.issue_instant, spec.issue_instant);
        assert_eq!(received.envelope.destination, spec.destination);
        assert_eq!(received.envelope.in_response_to, spec.in_response_to);
        assert_eq!(received.envelope.issuer.as_deref(), Some(IDP_ENTITY_ID));
        assert!(received.envelope.status.is_success());
        assert_eq!(received.signed, signing.signs_response(), "{signing}");
        assert_eq!(
            received.assertions,
            [ContainedAssertion::Assertion {
                id: Some(ASSERTION_ID.into()),
                signed: signing.signs_assertion(),
            }]
        );

        let verified = received.verify(&[cert()]).expect("verifies");
        assert_matches_spec(&verified);
        assert_eq!(
            verified.response_signature.is_verified(),
            signing.signs_response(),
            "{signing}"
        );
        assert_eq!(
            verified.assertion_signature.is_verified(),
            signing.signs_assertion(),
            "{signing}"
        );
        if let SignatureStatus::Verified {
            algorithm,
            certificate,
            ..
        } = &verified.assertion_signature
        {
            assert_eq!(*algorithm, SignatureAlgorithm::RsaSha256);
            assert_eq!(certificate, &cert());
        }
        assert_eq!(
            verified.signed_envelope.as_ref(),
            signing.signs_response().then_some(&received.envelope),
            "{signing}"
        );
    }
}

#[test]
fn both_signs_the_assertion_first_so_the_response_covers_its_signature() {
    let xml = build(ResponseSigning::Both);
    let doc = parse(&xml).unwrap();
    let root = doc.root_element().unwrap();
    let assertion = find(&doc, ASSERTION_NS, "Assertion");
    // Schema order (SAML core 3.2.2, 2.3.3): Issuer, Signature, Status, Assertion.
    let names: Vec<&str> = doc
        .child_elements(root)
        .map(|c| doc.element(c).unwrap().local_name.as_ref())
        .collect();
    assert_eq!(names, ["Issuer", "Signature", "Status", "Assertion"]);
    let names: Vec<&str> = doc
        .child_elements(assertion)
        .map(|c| doc.element(c).unwrap().local_name.as_ref())
        .collect();
    assert_eq!(
        names,
        [
            "Issuer",
            "Signature",
            "Subject",
            "Conditions",
            "AuthnStatement",
            "AttributeStatement"
        ]
    );
    // Changing the assertion's SignatureValue breaks the Response's digest:
    // proof that the Response was signed over the signed assertion.
    let value_start = xml.rfind("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let mut tampered = xml.clone();
    let replacement = if &xml[value_start..=value_start] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(value_start..=value_start, replacement);
    assert!(xml.find("<ds:SignatureValue>").unwrap() < value_start);
    let error = verify(&tampered).unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::Signature {
                element: "samlp:Response",
                source: DsigError::DigestMismatch { .. }
            }
        ),
        "{error}"
    );
}

#[test]
fn rsa_sha1_is_allowed() {
    let (key, cert) = (key(), cert());
    let xml = build_response(
        &response_spec(),
        &assertion_spec(),
        ResponseSigning::Both,
        &signer(&key, &cert).with_algorithm(SignatureAlgorithm::RsaSha1),
    )
    .unwrap()
    .xml;
    assert!(xml.contains("http://www.w3.org/2000/09/xmldsig#rsa-sha1"));
    assert!(xml.contains("http://www.w3.org/2000/09/xmldsig#sha1"));
    let verified = verify(&xml).unwrap();
    assert!(matches!(
        verified.response_signature,
        SignatureStatus::Verified {
            algorithm: SignatureAlgorithm::RsaSha1,
            ..
        }
    ));
    assert_matches_spec(&verified);
}

#[test]
fn output_is_deterministic() {
    for signing in ResponseSigning::ALL {
        assert_eq!(build(signing), build(signing), "{signing}");
    }
    // And actually differs per choice.
    let all: std::collections::HashSet<String> =
        ResponseSigning::ALL.into_iter().map(build).collect();
    assert_eq!(all.len(), 4);
}

#[test]
fn markup_in_values_is_escaped_by_construction() {
    let xml = build(ResponseSigning::Unsigned);
    assert!(xml.contains("a&lt;b&gt;&amp;c\"d'e]]&gt;f\tg\nh"), "{xml}");
    assert!(xml.contains("FriendlyName=\"Tricky &lt;value>\""), "{xml}");
    assert!(
        !xml.starts_with("<?xml"),
        "messages carry no XML declaration"
    );
}

#[test]
fn unsigned_response_with_unsigned_assertion_is_refused() {
    let error = verify(&build(ResponseSigning::Unsigned)).unwrap_err();
    assert!(matches!(error, SamlError::Unsigned), "{error}");
    assert!(error.to_string().contains("SAML profiles 4.1.4.5"));
}

#[test]
fn removing_the_only_signature_is_refused() {
    for signing in [ResponseSigning::Response, ResponseSigning::Assertion] {
        let built = build(signing);
        let mut doc = parse(&built).unwrap();
        let signature = find(&doc, DSIG_NS, "Signature");
        doc.detach(signature);
        let error = verify(&to_xml(&doc, doc.document_node())).unwrap_err();
        assert!(matches!(error, SamlError::Unsigned), "{signing}: {error}");
    }
}

#[test]
fn tampering_with_signed_content_fails() {
    for (signing, element) in [
        (ResponseSigning::Response, "samlp:Response"),
        (ResponseSigning::Assertion, "saml:Assertion"),
        (ResponseSigning::Both, "samlp:Response"),
    ] {
        let xml = build(signing);
        for (from, to) in [
            (
                ">alice@example.com</saml:NameID>",
                ">admin@example.com</saml:NameID>",
            ),
            ("role/ReadOnly", "role/Admin"),
            (
                "<saml:Audience>urn:amazon:webservices</saml:Audience>",
                "<saml:Audience>urn:evil</saml:Audience>",
            ),
            (
                "NotOnOrAfter=\"2026-11-23T10:05:00Z\"",
                "NotOnOrAfter=\"2036-11-23T10:05:00Z\"",
            ),
        ] {
            assert!(xml.contains(from), "{from}");
            let error = verify(&xml.replacen(from, to, 1)).unwrap_err();
            assert!(
                matches!(
                    &error,
                    SamlError::Signature { element: e, source: DsigError::DigestMismatch { .. } }
                        if *e == element
                ),
                "{signing}, {from}: {error}"
            );
        }
    }
}

#[test]
fn the_envelope_of_an_assertion_signed_response_is_not_vouched_for() {
    let xml =
        build(ResponseSigning::Assertion).replacen(AWS_ACS, "https://evil.example.com/acs", 1);
    let received = parse_response(xml.as_bytes()).unwrap();
    assert_eq!(
        received.envelope.destination.as_deref(),
        Some("https://evil.example.com/acs")
    );
    let verified = received.verify(&[cert()]).unwrap();
    assert!(
        verified.signed_envelope.is_none(),
        "an unsigned envelope is never reported as verified"
    );
    assert_matches_spec(&verified);
}

#[test]
fn untrusted_keys_are_refused() {
    let xml = build(ResponseSigning::Both);
    let error = parse_response(xml.as_bytes())
        .unwrap()
        .verify(&[attacker_cert()])
        .unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::Signature {
                source: DsigError::UntrustedKey { .. },
                ..
            }
        ),
        "{error}"
    );

    // Signed by the attacker, verified against the IdP.
    let (key, cert) = (attacker_key(), attacker_cert());
    for signing in [ResponseSigning::Response, ResponseSigning::Assertion] {
        let forged = build_response(
            &response_spec(),
            &assertion_spec(),
            signing,
            &signer(&key, &cert),
        )
        .unwrap()
        .xml;
        let error = verify(&forged).unwrap_err();
        assert!(
            matches!(error, SamlError::Signature { .. }),
            "{signing}: {error}"
        );
    }

    let error = parse_response(xml.as_bytes())
        .unwrap()
        .verify(&[])
        .unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::Signature {
                source: DsigError::NoTrustedCertificate,
                ..
            }
        ),
        "{error}"
    );
}

/// A copy of the response's assertion with another ID, appended to the Response.
fn with_second_assertion(xml: &str) -> samlsim_xml::Document<'_> {
    let mut doc = parse(xml).unwrap();
    let root = doc.root_element().unwrap();
    let second = parse(xml).unwrap();
    let copy = second.extract(find(&second, ASSERTION_NS, "Assertion"), None, false);
    let copy_root = copy.root_element().unwrap();
    // Graft the copy's nodes into `doc`, renaming its ID.
    fn graft<'a>(
        from: &samlsim_xml::Document<'a>,
        node: samlsim_xml::NodeId,
        to: &mut samlsim_xml::Document<'a>,
        parent: samlsim_xml::NodeId,
    ) {
        let kind = match from.kind(node).clone() {
            NodeKind::Element(mut e) => {
                if e.attribute("ID").is_some() {
                    e.set_attribute("ID", format!("{}-copy", e.attribute("ID").unwrap()));
                }
                NodeKind::Element(e)
            }
            other => other,
        };
        let id = to.create(kind);
        to.append_child(parent, id);
        for &child in from.children(node) {
            graft(from, child, to, id);
        }
    }
    graft(&copy, copy_root, &mut doc, root);
    doc
}

#[test]
fn two_assertions_are_refused() {
    // Assertion-signed: two signed assertions side by side.
    let built = build(ResponseSigning::Assertion);
    let doc = with_second_assertion(&built);
    let xml = to_xml(&doc, doc.document_node());
    assert_eq!(parse_response(xml.as_bytes()).unwrap().assertions.len(), 2);
    let error = verify(&xml).unwrap_err();
    assert!(
        matches!(error, SamlError::AssertionCount { count: 2 }),
        "{error}"
    );

    // Response-signed over two assertions: the signature is fine, the count is not.
    let (key, cert) = (key(), cert());
    let built = build(ResponseSigning::Unsigned);
    let mut doc = with_second_assertion(&built);
    let root = doc.root_element().unwrap();
    signer(&key, &cert).sign(&mut doc, root).unwrap();
    let error = verify(&to_xml(&doc, doc.document_node())).unwrap_err();
    assert!(
        matches!(error, SamlError::AssertionCount { count: 2 }),
        "{error}"
    );
}

#[test]
fn a_response_without_assertion_is_refused() {
    let (key, cert) = (key(), cert());
    let built = build(ResponseSigning::Unsigned);
    let mut doc = parse(&built).unwrap();
    let assertion = find(&doc, ASSERTION_NS, "Assertion");
    doc.detach(assertion);
    let root = doc.root_element().unwrap();
    signer(&key, &cert).sign(&mut doc, root).unwrap();
    let error = verify(&to_xml(&doc, doc.document_node())).unwrap_err();
    assert!(
        matches!(error, SamlError::AssertionCount { count: 0 }),
        "{error}"
    );
}

#[test]
fn an_encrypted_assertion_is_reported_as_unsupported() {
    let built = build(ResponseSigning::Unsigned);
    let mut doc = parse(&built).unwrap();
    let assertion = find(&doc, ASSERTION_NS, "Assertion");
    doc.detach(assertion);
    let root = doc.root_element().unwrap();
    doc.append_element(
        root,
        Element::new(Some("saml"), "EncryptedAssertion", Some(ASSERTION_NS)),
    );
    let xml = to_xml(&doc, doc.document_node());
    let received = parse_response(xml.as_bytes()).unwrap();
    assert_eq!(received.assertions, [ContainedAssertion::Encrypted]);
    let error = received.verify(&[cert()]).unwrap_err();
    assert!(matches!(error, SamlError::EncryptedAssertion), "{error}");
}

#[test]
fn an_unsigned_wrapper_around_a_signed_response_is_refused() {
    // Signature wrapping: the attacker's Response (unsigned, with the attacker's
    // unsigned assertion) is the document element, and the genuine signed
    // Response hides inside its Extensions.
    let built = build(ResponseSigning::Both);
    let genuine = parse(&built).unwrap();
    let evil_xml = build(ResponseSigning::Unsigned)
        .replace(RESPONSE_ID, "_evil-response")
        .replace(ASSERTION_ID, "_evil-assertion")
        .replace(">alice@example.com<", ">admin@example.com<");
    let mut doc = parse(&evil_xml).unwrap();
    let root = doc.root_element().unwrap();
    let extensions = doc.create(NodeKind::Element(Element::new(
        Some("samlp"),
        "Extensions",
        Some(PROTOCOL_NS),
    )));
    // Extensions goes after Issuer (SAML core 3.2.2).
    doc.insert_child(root, 1, extensions);
    let copy = genuine.extract(genuine.root_element().unwrap(), None, true);
    graft_all(&copy, &mut doc, extensions);
    let xml = to_xml(&doc, doc.document_node());
    let error = verify(&xml).unwrap_err();
    assert!(matches!(error, SamlError::Unsigned), "{error}");
}

fn graft_all<'a>(
    from: &samlsim_xml::Document<'a>,
    to: &mut samlsim_xml::Document<'a>,
    parent: samlsim_xml::NodeId,
) {
    fn graft<'a>(
        from: &samlsim_xml::Document<'a>,
        node: samlsim_xml::NodeId,
        to: &mut samlsim_xml::Document<'a>,
        parent: samlsim_xml::NodeId,
    ) {
        let id = to.create(from.kind(node).clone());
        to.append_child(parent, id);
        for &child in from.children(node) {
            graft(from, child, to, id);
        }
    }
    if let Some(root) = from.root_element() {
        graft(from, root, to, parent);
    }
}

#[test]
fn an_assertion_smuggled_outside_the_signed_content_is_never_read() {
    // A forged assertion inside the Response's ds:Signature (in a ds:Object) is
    // a descendant of the Response, but not signed content: naive "first
    // Assertion in the document" code would read it; we never see it.
    let xml = build(ResponseSigning::Response);
    let forged = build(ResponseSigning::Unsigned)
        .replace(ASSERTION_ID, "_forged")
        .replace(">alice@example.com<", ">admin@example.com<");
    let forged = parse(&forged).unwrap();
    let forged = forged.extract(find(&forged, ASSERTION_NS, "Assertion"), None, false);

    let mut doc = parse(&xml).unwrap();
    let signature = find(&doc, DSIG_NS, "Signature");
    let object = doc.append_element(signature, Element::new(Some("ds"), "Object", Some(DSIG_NS)));
    graft_all(&forged, &mut doc, object);
    let smuggled = to_xml(&doc, doc.document_node());
    assert!(
        smuggled.find("admin@example.com").unwrap() < smuggled.find("alice@example.com").unwrap(),
        "the forged assertion comes first in document order"
    );
    let verified = verify(&smuggled).expect("the genuine content still verifies");
    assert_matches_spec(&verified);

    // Appended as a second child of the Response instead, it breaks the digest.
    let mut doc = parse(&xml).unwrap();
    let root = doc.root_element().unwrap();
    graft_all(&forged, &mut doc, root);
    let error = verify(&to_xml(&doc, doc.document_node())).unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::Signature {
                source: DsigError::DigestMismatch { .. },
                ..
            }
        ),
        "{error}"
    );

    // Assertion-signed: the genuine assertion moved into Extensions, a forged
    // unsigned one put in its place.
    let xml = build(ResponseSigning::Assertion);
    let genuine = parse(&xml).unwrap();
    let genuine = genuine.extract(find(&genuine, ASSERTION_NS, "Assertion"), None, false);
    let mut doc = parse(&xml).unwrap();
    let root = doc.root_element().unwrap();
    let assertion = find(&doc, ASSERTION_NS, "Assertion");
    doc.detach(assertion);
    let extensions = doc.create(NodeKind::Element(Element::new(
        Some("samlp"),
        "Extensions",
        Some(PROTOCOL_NS),
    )));
    doc.insert_child(root, 1, extensions);
    graft_all(&genuine, &mut doc, extensions);
    graft_all(&forged, &mut doc, root);
    let error = verify(&to_xml(&doc, doc.document_node())).unwrap_err();
    assert!(matches!(error, SamlError::Unsigned), "{error}");
}

#[test]
fn an_assertion_signature_that_references_another_element_fails() {
    // Move the Response's signature (Reference URI="#<response ID>") into the
    // assertion: it verifies cryptographically, but not for the assertion.
    let built = build(ResponseSigning::Response);
    let mut doc = parse(&built).unwrap();
    let signature = find(&doc, DSIG_NS, "Signature");
    doc.detach(signature);
    let assertion = find(&doc, ASSERTION_NS, "Assertion");
    doc.insert_child(assertion, 1, signature);
    let error = verify(&to_xml(&doc, doc.document_node())).unwrap_err();
    assert!(
        matches!(
            &error,
            SamlError::Signature {
                element: "saml:Assertion",
                source: DsigError::WrongReference { uri, id },
            } if uri == &format!("#{RESPONSE_ID}") && id == ASSERTION_ID
        ),
        "{error}"
    );
}

#[test]
fn a_comment_cannot_truncate_the_name_id() {
    let xml = build(ResponseSigning::Unsigned).replace(
        ">alice@example.com</saml:NameID>",
        ">alice@example.com<!-- -->.evil.com</saml:NameID>",
    );
    let verified = verify(&sign_first_assertion(&xml)).unwrap();
    assert_eq!(
        verified.name_id.unwrap().value,
        "alice@example.com.evil.com"
    );
}

#[test]
fn malformed_timestamps_name_the_element_and_attribute() {
    let unsigned = build(ResponseSigning::Unsigned);
    for (from, to, element, attribute) in [
        (
            "<saml:SubjectConfirmationData NotOnOrAfter=\"2026-11-23T10:05:00Z\"",
            "<saml:SubjectConfirmationData NotOnOrAfter=\"2026-11-23T10:05:00\"",
            "saml:SubjectConfirmationData",
            "NotOnOrAfter",
        ),
        (
            "NotBefore=\"2026-11-23T09:55:00Z\"",
            "NotBefore=\"2026-11-23T09:55:00+02:00\"",
            "saml:Conditions",
            "NotBefore",
        ),
        (
            "AuthnInstant=\"2026-11-23T09:59:55Z\"",
            "AuthnInstant=\"yesterday\"",
            "saml:AuthnStatement",
            "AuthnInstant",
        ),
        (
            "SessionNotOnOrAfter=\"2026-11-23T22:00:00Z\"",
            "SessionNotOnOrAfter=\"2026-02-30T22:00:00Z\"",
            "saml:AuthnStatement",
            "SessionNotOnOrAfter",
        ),
    ] {
        assert!(unsigned.contains(from), "{from}");
        let xml = sign_first_assertion(&unsigned.replacen(from, to, 1));
        let error = verify(&xml).unwrap_err();
        assert!(
            matches!(
                &error,
                SamlError::InvalidTime { element: e, attribute: a, .. }
                    if *e == element && *a == attribute
            ),
            "{to}: {error}"
        );
        let message = error.to_string();
        assert!(
            message.contains(element) && message.contains("1.3.3"),
            "{message}"
        );
    }

    // The envelope's IssueInstant is read by parse_response itself.
    let xml = unsigned.replacen(
        "IssueInstant=\"2026-11-23T10:00:00Z\" Destination",
        "IssueInstant=\"2026-11-23T10:00:00.Z\" Destination",
        1,
    );
    let error = parse_response(xml.as_bytes()).unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::InvalidTime {
                element: "samlp:Response",
                attribute: "IssueInstant",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn envelope_errors() {
    let unsigned = build(ResponseSigning::Unsigned);
    let cases = [
        (
            unsigned.replacen("Version=\"2.0\"", "Version=\"1.1\"", 1),
            "Version=\"1.1\"",
        ),
        (
            unsigned.replacen(&format!(" ID=\"{RESPONSE_ID}\""), "", 1),
            "no ID attribute",
        ),
        (
            unsigned.replacen(
                "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>",
                "",
                1,
            ),
            "no samlp:StatusCode",
        ),
        (
            unsigned.replace("samlp:Response", "samlp:ArtifactResponse"),
            "expected samlp:Response",
        ),
        (
            unsigned.replacen("<saml:Issuer>", "<saml:Issuer><!--", 1),
            "not a well-formed",
        ),
    ];
    for (xml, expected) in cases {
        let error = parse_response(xml.as_bytes()).unwrap_err().to_string();
        assert!(error.contains(expected), "{expected}: {error}");
    }
}

#[test]
fn assertion_errors() {
    let unsigned = build(ResponseSigning::Unsigned);
    for (from, to, expected) in [
        (
            "Version=\"2.0\" IssueInstant=\"2026-11-23T10:00:00Z\"><saml:Issuer>",
            "Version=\"2.2\" IssueInstant=\"2026-11-23T10:00:00Z\"><saml:Issuer>",
            "saml:Assertion has Version=\"2.2\"",
        ),
        (
            "Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"",
            "",
            "saml:SubjectConfirmation has no Method",
        ),
        (
            "<saml:Audience>urn:amazon:webservices</saml:Audience>",
            "",
            "saml:AudienceRestriction has no saml:Audience",
        ),
        (
            "</saml:Subject>",
            "</saml:Subject><saml:Subject/>",
            "saml:Assertion has 2 saml:Subject",
        ),
    ] {
        assert!(unsigned.contains(from), "{from}");
        let xml = sign_first_assertion(&unsigned.replacen(from, to, 1));
        let error = verify(&xml).unwrap_err().to_string();
        assert!(error.contains(expected), "{expected}: {error}");
        assert!(error.contains("SAML core"), "{error}");
    }
}

#[test]
fn reads_every_confirmation_restriction_and_attribute_faithfully() {
    let xml = sign_first_assertion(include_str!("../data/response-many.xml"));
    let verified = verify(&xml).unwrap();
    assert_eq!(verified.subject_confirmations.len(), 2);
    assert_eq!(verified.subject_confirmations[1].not_before, Some(at(-60)));
    assert_eq!(
        verified.subject_confirmations[1].address.as_deref(),
        Some("192.0.2.1")
    );
    assert_eq!(
        verified.subject_confirmations[1].method,
        "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
    );
    let conditions = verified.conditions.as_ref().unwrap();
    assert_eq!(
        conditions.audience_restrictions,
        [
            vec!["urn:amazon:webservices".to_owned(), "urn:other".to_owned()],
            vec!["urn:amazon:webservices".to_owned()],
        ]
    );
    assert!(conditions.one_time_use);
    assert_eq!(verified.authn_statements.len(), 2);
    assert_eq!(verified.authn_statements[1].session_index, None);
    assert_eq!(verified.authn_statements[1].authn_context_class_ref, None);
    // Two AttributeStatements, one name twice: everything kept, in order.
    let names: Vec<&str> = verified
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["Role", "Email", "Role"]);
    assert_eq!(verified.attribute_values("Role"), ["r1", "r2", "r3"]);
    assert_eq!(verified.attribute_values("Email"), ["  padded  "]);
    assert_eq!(verified.name_id.unwrap().format, None);
}

#[test]
fn error_responses_carry_status_only() {
    let (key, cert) = (key(), cert());
    let mut spec = response_spec();
    spec.status = Status::error(
        status::RESPONDER,
        Some(status::AUTHN_FAILED),
        Some("wrong password for <alice>"),
    );
    for signer_option in [None, Some(signer(&key, &cert))] {
        let built = build_error_response(&spec, signer_option.as_ref()).unwrap();
        assert!(!built.xml.contains("Assertion"));
        let received = parse_response(built.xml.as_bytes()).unwrap();
        assert_eq!(received.envelope.status, spec.status);
        assert!(!received.envelope.status.is_success());
        assert!(received.assertions.is_empty());
        assert_eq!(received.signed, signer_option.is_some());
        let error = received.verify(std::slice::from_ref(&cert)).unwrap_err();
        assert!(
            matches!(
                error,
                SamlError::AssertionCount { count: 0 } | SamlError::Unsigned
            ),
            "{error}"
        );
    }

    let error = build_error_response(&response_spec(), None).unwrap_err();
    assert!(error.to_string().contains("other than Success"), "{error}");
}

#[test]
fn builders_refuse_what_cannot_be_valid() {
    let (key, cert) = (key(), cert());
    let signer = signer(&key, &cert);
    let build_with = |response: samlsim_saml::response::ResponseSpec,
                      assertion: samlsim_saml::response::AssertionSpec| {
        build_response(&response, &assertion, ResponseSigning::Both, &signer)
            .unwrap_err()
            .to_string()
    };

    let mut response = response_spec();
    response.id = "1-starts-with-a-digit".into();
    assert!(build_with(response, assertion_spec()).contains("SAML core 1.3.4"));

    let mut assertion = assertion_spec();
    assertion.id = "has space".into();
    assert!(build_with(response_spec(), assertion).contains("not an xs:ID"));

    let mut assertion = assertion_spec();
    assertion.conditions.audiences.clear();
    assert!(build_with(response_spec(), assertion).contains("SAML core 2.5.1.4"));

    let mut assertion = assertion_spec();
    assertion.attributes[0].values[0] = "bell\u{7}".into();
    assert!(build_with(response_spec(), assertion).contains("U+0007"));

    let mut response = response_spec();
    response.status = Status::error(status::AUTHN_FAILED, None, None);
    assert!(build_with(response, assertion_spec()).contains("SAML core 3.2.2.2"));

    let mut assertion = assertion_spec();
    assertion.id = RESPONSE_ID.into();
    let error = build_with(response_spec(), assertion);
    assert!(error.contains("more than one element"), "{error}");
}

#[test]
fn signing_choice_names() {
    for choice in ResponseSigning::ALL {
        assert_eq!(choice.name().parse::<ResponseSigning>(), Ok(choice));
    }
    assert!("all".parse::<ResponseSigning>().is_err());
}

/// Sign-then-encrypt: the SP's key pair is the "attacker" fixture, the IdP signs
/// with its own.
fn build_encrypted(signing: ResponseSigning) -> String {
    use samlsim_saml::response::build_encrypted_response;
    let (key, cert) = (key(), cert());
    build_encrypted_response(
        &response_spec(),
        &assertion_spec(),
        signing,
        &signer(&key, &cert),
        &attacker_cert(),
        &samlsim_xenc::EncryptOptions::default(),
    )
    .expect("builds")
    .xml
}

fn verify_encrypted(
    xml: &str,
    keys: &[&samlsim_crypto::SigningKey],
) -> Result<VerifiedAssertion, SamlError> {
    use samlsim_saml::response::Decryption;
    parse_response(xml.as_bytes())?.verify_decrypting(
        &[cert()],
        Some(&Decryption {
            keys,
            options: Default::default(),
        }),
    )
}

#[test]
fn encrypted_assertions_decrypt_then_verify_for_every_signing_choice() {
    for signing in [
        ResponseSigning::Assertion,
        ResponseSigning::Response,
        ResponseSigning::Both,
    ] {
        let xml = build_encrypted(signing);
        assert!(!xml.contains("alice"), "{signing}: plaintext leaked");
        let received = parse_response(xml.as_bytes()).unwrap();
        assert!(received.is_encrypted());
        assert!(matches!(
            received.verify(&[cert()]),
            Err(SamlError::EncryptedAssertion)
        ));
        // Rotation: a key that does not match is skipped.
        let assertion = verify_encrypted(&xml, &[&key(), &attacker_key()]).expect("verifies");
        assert!(assertion.encrypted);
        assert_matches_spec(&assertion);
        assert_eq!(
            assertion.assertion_signature.is_verified(),
            signing.signs_assertion()
        );
        assert_eq!(
            assertion.response_signature.is_verified(),
            signing.signs_response()
        );
    }
}

#[test]
fn encrypted_assertions_refuse_a_wrong_key_a_tampered_ciphertext_and_no_signature() {
    let xml = build_encrypted(ResponseSigning::Assertion);
    let error = verify_encrypted(&xml, &[&key()]).unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::Decryption(samlsim_xenc::XencError::WrongKey)
        ),
        "{error}"
    );
    // Flip one base64 character of the CipherValue of the EncryptedData (the last one).
    let at = xml.rfind("</xenc:CipherValue>").unwrap() - 10;
    let mut tampered = xml.clone();
    let c = if &xml[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, c);
    let error = verify_encrypted(&tampered, &[&attacker_key()]).unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::Decryption(samlsim_xenc::XencError::GcmTagMismatch)
        ),
        "{error}"
    );
    let unsigned = build_encrypted(ResponseSigning::Unsigned);
    let error = verify_encrypted(&unsigned, &[&attacker_key()]).unwrap_err();
    assert!(matches!(error, SamlError::Unsigned), "{error}");
    let received = parse_response(unsigned.as_bytes()).unwrap();
    let decrypted = received
        .decrypt_unverified(&samlsim_saml::response::Decryption {
            keys: &[&attacker_key()],
            options: Default::default(),
        })
        .unwrap();
    assert!(samlsim_xml::to_xml(&decrypted, decrypted.document_node()).contains("alice"));
}
