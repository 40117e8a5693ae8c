//! Every way a signature must be refused, each with its own error, and what a
//! successful verification hands back. The keys are the test-only fixtures in certs/.

use samlsim_crypto::{Certificate, DigestAlgorithm, SignatureAlgorithm, SigningKey};
use samlsim_dsig::{
    DsigError, SignOptions, SignaturePosition, VerifyOptions, sign_enveloped, verify_enveloped,
};
use samlsim_xml::{Document, NodeId, parse, to_xml};

const RESPONSE: &str = include_str!("../../../tests/data/aws-saml-response.xml");
const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const RESPONSE_ID: &str = "_8e8dc5f69a98cc4c1ff3427e5ce34606fd672f91e6";
const ASSERTION_ID: &str = "_d71a3a8e9fcc45c9e9d248ef7049393fc8f04e5f75";

fn idp_key() -> SigningKey {
    SigningKey::from_pem(include_str!("../../../certs/test-only-idp-key.pem")).unwrap()
}
fn idp_cert() -> Certificate {
    Certificate::from_pem(include_str!("../../../certs/test-only-idp-cert.pem")).unwrap()
}
fn attacker_key() -> SigningKey {
    SigningKey::from_pem(include_str!("../../../certs/test-only-attacker-key.pem")).unwrap()
}
fn attacker_cert() -> Certificate {
    Certificate::from_pem(include_str!("../../../certs/test-only-attacker-cert.pem")).unwrap()
}

fn options(
    signature_algorithm: SignatureAlgorithm,
    digest_algorithm: DigestAlgorithm,
) -> SignOptions {
    SignOptions {
        signature_algorithm,
        digest_algorithm,
        position: SignaturePosition::After {
            namespace: ASSERTION_NS.into(),
            local_name: "Issuer".into(),
        },
        ..SignOptions::default()
    }
}

fn by_id(doc: &Document, id: &str) -> NodeId {
    doc.descendants(doc.document_node())
        .find(|&n| doc.element(n).and_then(|e| e.attribute("ID")) == Some(id))
        .unwrap_or_else(|| panic!("no element with ID {id}"))
}

/// `xml` with the element of `id` signed by `key`, serialised.
fn signed_with(xml: &str, id: &str, key: &SigningKey, cert: &Certificate) -> String {
    let mut doc = parse(xml).unwrap();
    let element = by_id(&doc, id);
    sign_enveloped(
        &mut doc,
        element,
        key,
        Some(cert),
        &options(SignatureAlgorithm::RsaSha256, DigestAlgorithm::Sha256),
    )
    .unwrap();
    to_xml(&doc, doc.document_node())
}

fn signed(id: &str) -> String {
    signed_with(RESPONSE, id, &idp_key(), &idp_cert())
}

fn verify<'x>(xml: &'x str, id: &str) -> Result<samlsim_dsig::Verified<'x>, DsigError> {
    let doc = parse(xml).unwrap();
    verify_enveloped(
        &doc,
        by_id(&doc, id),
        &[idp_cert()],
        &VerifyOptions::default(),
    )
}

/// Replaces exactly one occurrence, so a test cannot silently mutate nothing.
fn replace_once(haystack: &str, from: &str, to: &str) -> String {
    assert_eq!(
        haystack.matches(from).count(),
        1,
        "{from:?} must occur once"
    );
    haystack.replacen(from, to, 1)
}

#[test]
fn a_signed_response_verifies_and_yields_only_what_was_signed() {
    let xml = signed(RESPONSE_ID);
    let verified = verify(&xml, RESPONSE_ID).unwrap();
    assert_eq!(verified.id, RESPONSE_ID);
    assert_eq!(verified.signature_algorithm, SignatureAlgorithm::RsaSha256);
    assert_eq!(verified.certificate.der(), idp_cert().der());
    let doc = &verified.document;
    let root = verified.element();
    assert!(doc.is_element(root, "urn:oasis:names:tc:SAML:2.0:protocol", "Response"));
    assert!(
        doc.first_child_named(root, samlsim_dsig::DSIG_NS, "Signature")
            .is_none(),
        "the enveloped signature is not part of what was signed"
    );
    // It is exactly the node-set the digest covered.
    let original = parse(&xml).unwrap();
    let c14n = samlsim_xml::Canonicalization::exclusive();
    let unsigned = parse(RESPONSE).unwrap();
    let unsigned_root = unsigned.root_element().unwrap();
    assert_eq!(
        samlsim_xml::canonicalize(doc, root, None, &c14n),
        samlsim_xml::canonicalize(&unsigned, unsigned_root, None, &c14n)
    );
    // The Signature sits right after Issuer, as the SAML schema requires.
    let response = by_id(&original, RESPONSE_ID);
    let children: Vec<_> = original.child_elements(response).collect();
    assert!(original.is_element(children[0], ASSERTION_NS, "Issuer"));
    assert!(original.is_element(children[1], samlsim_dsig::DSIG_NS, "Signature"));
}

#[test]
fn sha1_signatures_verify_unless_refused() {
    let mut doc = parse(RESPONSE).unwrap();
    let root = doc.root_element().unwrap();
    let sha1 = options(SignatureAlgorithm::RsaSha1, DigestAlgorithm::Sha1);
    sign_enveloped(&mut doc, root, &idp_key(), Some(&idp_cert()), &sha1).unwrap();
    let xml = to_xml(&doc, doc.document_node());
    assert_eq!(
        verify(&xml, RESPONSE_ID).unwrap().digest_algorithm,
        DigestAlgorithm::Sha1
    );
    let strict = VerifyOptions {
        allow_sha1: false,
        ..VerifyOptions::default()
    };
    let doc = parse(&xml).unwrap();
    let err =
        verify_enveloped(&doc, doc.root_element().unwrap(), &[idp_cert()], &strict).unwrap_err();
    assert!(
        matches!(
            err,
            DsigError::UnsupportedAlgorithm {
                role: "SignatureMethod",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_changed_text_node_breaks_the_digest() {
    let xml = replace_once(
        &signed(RESPONSE_ID),
        ">alice@example.com</saml:NameID>",
        ">mallory@example.com</saml:NameID>",
    );
    let err = verify(&xml, RESPONSE_ID).unwrap_err();
    assert!(matches!(err, DsigError::DigestMismatch { .. }), "{err}");
    assert!(err.to_string().contains("changed after it was signed"));
}

#[test]
fn a_changed_attribute_breaks_the_digest() {
    let xml = replace_once(
        &signed(RESPONSE_ID),
        "NotOnOrAfter=\"2026-11-23T10:05:00Z\" Recipient",
        "NotOnOrAfter=\"2036-11-23T10:05:00Z\" Recipient",
    );
    assert!(matches!(
        verify(&xml, RESPONSE_ID),
        Err(DsigError::DigestMismatch { .. })
    ));
}

#[test]
fn a_changed_signed_info_breaks_the_signature_value() {
    let xml = signed(RESPONSE_ID);
    let doc = parse(&xml).unwrap();
    let digest = doc
        .descendants(doc.document_node())
        .find(|&n| doc.is_element(n, samlsim_dsig::DSIG_NS, "DigestValue"))
        .map(|n| doc.text_content(n))
        .unwrap();
    let forged = samlsim_crypto::DigestAlgorithm::Sha256.digest(b"something else");
    use base64::Engine;
    let forged = base64::engine::general_purpose::STANDARD.encode(forged);
    let xml = replace_once(&xml, &digest, &forged);
    assert!(matches!(
        verify(&xml, RESPONSE_ID),
        Err(DsigError::BadSignatureValue)
    ));
}

#[test]
fn another_key_is_named_as_untrusted() {
    let xml = signed_with(RESPONSE, RESPONSE_ID, &attacker_key(), &attacker_cert());
    let err = verify(&xml, RESPONSE_ID).unwrap_err();
    match &err {
        DsigError::UntrustedKey {
            subject,
            fingerprint,
        } => {
            assert!(subject.contains("attacker"), "{subject}");
            assert_eq!(fingerprint, &attacker_cert().sha256_fingerprint());
        }
        other => panic!("expected UntrustedKey, got {other}"),
    }
    // The attacker's certificate in KeyInfo is never trusted, even though it verifies
    // its own signature; passing the right one in is the only way.
    let doc = parse(&xml).unwrap();
    assert!(
        verify_enveloped(
            &doc,
            doc.root_element().unwrap(),
            &[attacker_cert()],
            &VerifyOptions::default()
        )
        .is_ok()
    );
}

#[test]
fn another_key_without_key_info_is_a_bad_signature_value() {
    let mut doc = parse(RESPONSE).unwrap();
    let root = doc.root_element().unwrap();
    sign_enveloped(
        &mut doc,
        root,
        &attacker_key(),
        None,
        &options(SignatureAlgorithm::RsaSha256, DigestAlgorithm::Sha256),
    )
    .unwrap();
    let xml = to_xml(&doc, doc.document_node());
    assert!(matches!(
        verify(&xml, RESPONSE_ID),
        Err(DsigError::BadSignatureValue)
    ));
}

#[test]
fn a_removed_signature_is_not_signed() {
    let xml = signed(RESPONSE_ID);
    let start = xml.find("<ds:Signature").unwrap();
    let end = xml.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let stripped = format!("{}{}", &xml[..start], &xml[end..]);
    let err = verify(&stripped, RESPONSE_ID).unwrap_err();
    assert!(matches!(err, DsigError::NotSigned { .. }), "{err}");
}

/// The original signed assertion hidden in `samlp:Extensions`, an evil one with the
/// same ID where the SP looks (the classic XSW attack).
#[test]
fn wrapping_with_a_duplicate_id_is_refused() {
    let xml = signed(ASSERTION_ID);
    let start = xml.find("<saml:Assertion").unwrap();
    let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let original = &xml[start..end];
    let evil = original.replace("alice@example.com", "admin@example.com");
    let wrapped = format!(
        "{}<samlp:Extensions>{original}</samlp:Extensions>{evil}{}",
        &xml[..start],
        &xml[end..]
    );
    let doc = parse(&wrapped).unwrap();
    let evil_node = doc
        .descendants(doc.document_node())
        .filter(|&n| doc.is_element(n, ASSERTION_NS, "Assertion"))
        .last()
        .unwrap();
    let err =
        verify_enveloped(&doc, evil_node, &[idp_cert()], &VerifyOptions::default()).unwrap_err();
    assert!(
        matches!(err, DsigError::DuplicateId { ref id } if id == ASSERTION_ID),
        "{err}"
    );
}

/// The evil assertion under a fresh ID, carrying the original's signature.
#[test]
fn wrapping_with_a_copied_signature_names_the_wrong_reference() {
    let xml = signed(ASSERTION_ID);
    let start = xml.find("<saml:Assertion").unwrap();
    let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let original = &xml[start..end];
    let evil = original
        .replacen(&format!("ID=\"{ASSERTION_ID}\""), "ID=\"_evil\"", 1)
        .replace("alice@example.com", "admin@example.com");
    // The original moves into the evil signature's ds:Object, out of the SP's sight.
    let evil = evil.replacen(
        "</ds:Signature>",
        &format!("<ds:Object>{original}</ds:Object></ds:Signature>"),
        1,
    );
    let wrapped = format!("{}{evil}{}", &xml[..start], &xml[end..]);
    let err = verify(&wrapped, "_evil").unwrap_err();
    assert!(matches!(err, DsigError::WrongReference { .. }), "{err}");
    assert!(err.to_string().contains("signature wrapping"));
}

/// A signature on the Response whose Reference names the Assertion, its child.
#[test]
fn a_reference_to_another_element_is_refused() {
    let xml = signed(ASSERTION_ID);
    // Move the assertion's signature up to the Response.
    let start = xml.find("<ds:Signature").unwrap();
    let end = xml.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let signature = &xml[start..end];
    let without = format!("{}{}", &xml[..start], &xml[end..]);
    let moved = replace_once(
        &without,
        "<samlp:Status>",
        &format!("{signature}<samlp:Status>"),
    );
    let err = verify(&moved, RESPONSE_ID).unwrap_err();
    assert!(
        matches!(err, DsigError::WrongReference { ref uri, .. } if uri == &format!("#{ASSERTION_ID}")),
        "{err}"
    );
}

/// CVE-2017-11427 and kin: a comment inside NameID does not change the canonical
/// form, so the signature still verifies; what must never happen is reading only the
/// text before the comment.
#[test]
fn a_comment_in_a_name_id_never_truncates_it() {
    let xml = RESPONSE.replace(
        ">alice@example.com</saml:NameID>",
        ">alice@example.com.evil.com</saml:NameID>",
    );
    let xml = signed_with(&xml, ASSERTION_ID, &idp_key(), &idp_cert());
    let tampered = replace_once(
        &xml,
        ">alice@example.com.evil.com<",
        ">alice@example.com<!---->.evil.com<",
    );
    let verified = verify(&tampered, ASSERTION_ID).unwrap();
    let doc = &verified.document;
    let name_id = doc
        .descendants(verified.element())
        .find(|&n| doc.is_element(n, ASSERTION_NS, "NameID"))
        .unwrap();
    assert_eq!(
        doc.children(name_id).len(),
        1,
        "the verified document has no comments"
    );
    assert_eq!(doc.text_content(name_id), "alice@example.com.evil.com");
}

#[test]
fn truncated_base64_is_named() {
    let xml = signed(RESPONSE_ID);
    let start = xml.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let end = xml.find("</ds:SignatureValue>").unwrap();
    let truncated = format!("{}{}", &xml[..end - 3], &xml[end..]);
    assert!(end - 3 > start);
    let err = verify(&truncated, RESPONSE_ID).unwrap_err();
    assert!(
        matches!(
            err,
            DsigError::BadBase64 {
                field: "SignatureValue",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn hmac_and_its_truncation_are_refused() {
    let xml = signed(RESPONSE_ID);
    let hmac = replace_once(
        &xml,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
    );
    let err = verify(&hmac, RESPONSE_ID).unwrap_err();
    assert!(
        matches!(
            err,
            DsigError::UnsupportedAlgorithm {
                role: "SignatureMethod",
                ..
            }
        ),
        "{err}"
    );
    let truncated = replace_once(
        &hmac,
        "xmldsig#hmac-sha1\"/>",
        "xmldsig#hmac-sha1\"><ds:HMACOutputLength>0</ds:HMACOutputLength></ds:SignatureMethod>",
    );
    assert!(matches!(
        verify(&truncated, RESPONSE_ID),
        Err(DsigError::MalformedSignature { .. })
    ));
}

#[test]
fn only_one_reference_is_allowed() {
    let xml = signed(RESPONSE_ID);
    let start = xml.find("<ds:Reference").unwrap();
    let end = xml.find("</ds:Reference>").unwrap() + "</ds:Reference>".len();
    let doubled = format!("{}{}{}", &xml[..end], &xml[start..end], &xml[end..]);
    assert!(matches!(
        verify(&doubled, RESPONSE_ID),
        Err(DsigError::ReferenceCount { count: 2 })
    ));
}

#[test]
fn other_transforms_are_refused() {
    let xml = signed(RESPONSE_ID);
    let xpath = replace_once(
        &xml,
        "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
        "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"/>",
    );
    assert!(matches!(
        verify(&xpath, RESPONSE_ID),
        Err(DsigError::UnsupportedTransform { .. })
    ));
    let no_enveloped = replace_once(
        &xml,
        "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
        "",
    );
    assert!(matches!(
        verify(&no_enveloped, RESPONSE_ID),
        Err(DsigError::MissingEnvelopedTransform)
    ));
}

#[test]
fn an_element_without_an_id_cannot_be_signed_or_verified() {
    let mut doc = parse("<a><b/></a>").unwrap();
    let root = doc.root_element().unwrap();
    let err =
        sign_enveloped(&mut doc, root, &idp_key(), None, &SignOptions::default()).unwrap_err();
    assert!(matches!(err, DsigError::MissingId { .. }), "{err}");
    let err = verify_enveloped(&doc, root, &[idp_cert()], &VerifyOptions::default()).unwrap_err();
    assert!(matches!(err, DsigError::MissingId { .. }), "{err}");
}
