//! Round trips for every algorithm pair, and each refusal, which would pass
//! without its check. Keys are the committed test-only fixtures (certs/README.md).

use std::cell::Cell;

use aws_lc_rs::rsa::{Pkcs1PublicEncryptingKey, PublicEncryptingKey};
use samlsim_dsig::{
    SignOptions, SignaturePosition, VerifyOptions, sign_enveloped, verify_enveloped,
};
use samlsim_xml::parse;

use super::*;

const RESPONSE: &str = include_str!("../../../tests/data/aws-saml-response.xml");
const IDP_KEY: &str = include_str!("../../../certs/test-only-idp-key.pem");
const IDP_CERT: &str = include_str!("../../../certs/test-only-idp-cert.pem");
const OTHER_KEY: &str = include_str!("../../../certs/test-only-attacker-key.pem");

fn key() -> SigningKey {
    SigningKey::from_pem(IDP_KEY).expect("fixture key")
}

fn cert() -> Certificate {
    Certificate::from_pem(IDP_CERT).expect("fixture certificate")
}

fn assertion_of(doc: &Document) -> NodeId {
    doc.descendants(doc.document_node())
        .find(|&n| doc.is_element(n, SAML_NS, "Assertion"))
        .expect("an assertion")
}

fn encrypted_assertion_of(doc: &Document) -> NodeId {
    doc.descendants(doc.document_node())
        .find(|&n| doc.is_element(n, SAML_NS, "EncryptedAssertion"))
        .expect("an encrypted assertion")
}

/// The fixture Response with its assertion signed (by the IdP key), then encrypted.
fn encrypted(options: &EncryptOptions) -> String {
    let mut doc = parse(RESPONSE).expect("parses");
    let assertion = assertion_of(&doc);
    sign_enveloped(
        &mut doc,
        assertion,
        &key(),
        Some(&cert()),
        &SignOptions {
            position: SignaturePosition::After {
                namespace: SAML_NS.into(),
                local_name: "Issuer".into(),
            },
            inclusive_prefixes: vec!["xs".into()],
            ..SignOptions::default()
        },
    )
    .expect("signs");
    encrypt_assertion(&mut doc, assertion, &cert(), options).expect("encrypts");
    to_xml(&doc, doc.document_node())
}

fn decrypt_text(xml: &str, options: &DecryptOptions) -> Result<Document<'static>, XencError> {
    decrypt_with_key(xml, &key(), options)
}

fn decrypt_with_key(
    xml: &str,
    key: &SigningKey,
    options: &DecryptOptions,
) -> Result<Document<'static>, XencError> {
    let doc = parse(xml).expect("the message parses");
    decrypt_assertion(&doc, encrypted_assertion_of(&doc), key, options)
}

fn all_options() -> Vec<EncryptOptions> {
    BlockCipher::ALL
        .into_iter()
        .flat_map(|block_cipher| {
            KeyTransport::ALL
                .into_iter()
                .map(move |key_transport| EncryptOptions {
                    block_cipher,
                    key_transport,
                })
        })
        .collect()
}

fn cipher_value(xml: &str, nth: usize) -> (usize, usize) {
    let open = "<xenc:CipherValue>";
    let start = xml.match_indices(open).nth(nth).expect("a CipherValue").0 + open.len();
    let end = start + xml[start..].find('<').expect("closes");
    (start, end)
}

/// Flips bit `mask` of byte `at` (negative: from the end) of the nth CipherValue.
fn tamper(xml: &str, nth: usize, at: isize, mask: u8) -> String {
    let (start, end) = cipher_value(xml, nth);
    let mut bytes = STANDARD.decode(&xml[start..end]).expect("base64");
    let i = if at < 0 {
        bytes.len() - at.unsigned_abs()
    } else {
        at as usize
    };
    bytes[i] ^= mask;
    format!("{}{}{}", &xml[..start], STANDARD.encode(bytes), &xml[end..])
}

#[test]
fn every_algorithm_pair_round_trips_and_the_signature_verifies_on_the_decrypted_element() {
    for options in all_options() {
        let xml = encrypted(&options);
        assert!(
            !xml.contains("alice@example.com"),
            "{options:?}: plaintext leaked"
        );
        assert!(!xml.contains("<saml:Assertion"), "{options:?}");
        assert!(xml.contains(options.block_cipher.uri()));
        assert!(xml.contains(options.key_transport.uri()));
        let decrypted = decrypt_text(&xml, &DecryptOptions::default())
            .unwrap_or_else(|e| panic!("{options:?}: {e}"));
        let root = decrypted.root_element().expect("root");
        assert!(decrypted.is_element(root, SAML_NS, "Assertion"));
        let verified = verify_enveloped(&decrypted, root, &[cert()], &VerifyOptions::default())
            .unwrap_or_else(|e| panic!("{options:?}: the decrypted assertion's signature: {e}"));
        assert!(
            to_xml(
                &verified.document,
                verified.document.root_element().unwrap()
            )
            .contains(">alice@example.com</saml:NameID>")
        );
    }
}

#[test]
fn layout_is_what_saml_stacks_expect() {
    let xml = encrypted(&EncryptOptions {
        block_cipher: BlockCipher::Aes256Gcm,
        key_transport: KeyTransport::RsaOaep,
    });
    let doc = parse(&xml).expect("parses");
    let ea = encrypted_assertion_of(&doc);
    // Where the assertion was: after Status, a child of the Response.
    assert_eq!(doc.parent(ea), doc.root_element());
    let data = doc
        .first_child_named(ea, XENC_NS, "EncryptedData")
        .expect("EncryptedData");
    assert_eq!(
        doc.element(data).unwrap().attribute("Type"),
        Some(TYPE_ELEMENT)
    );
    let key_info = doc
        .first_child_named(data, DSIG_NS, "KeyInfo")
        .expect("KeyInfo");
    let ek = doc
        .first_child_named(key_info, XENC_NS, "EncryptedKey")
        .expect("EncryptedKey");
    let method = doc
        .first_child_named(ek, XENC_NS, "EncryptionMethod")
        .unwrap();
    let digest = doc
        .first_child_named(method, DSIG_NS, "DigestMethod")
        .unwrap();
    assert_eq!(
        doc.element(digest).unwrap().attribute("Algorithm"),
        Some(SHA256)
    );
    let mgf = doc.first_child_named(method, XENC11_NS, "MGF").unwrap();
    assert_eq!(
        doc.element(mgf).unwrap().attribute("Algorithm"),
        Some(MGF1_SHA256)
    );
    // GCM: 12-byte IV + ciphertext + 16-byte tag; RSA-2048: 256-byte wrapped key.
    let (s, e) = cipher_value(&xml, 0);
    assert_eq!(STANDARD.decode(&xml[s..e]).unwrap().len(), 256);
}

#[test]
fn wrong_key_is_one_error_whatever_failed() {
    let other = SigningKey::from_pem(OTHER_KEY).expect("fixture");
    for options in all_options() {
        let xml = encrypted(&options);
        let err =
            decrypt_with_key(&xml, &other, &DecryptOptions::default()).expect_err("wrong key");
        assert!(matches!(err, XencError::WrongKey), "{options:?}: {err}");
        // A tampered wrapped key, and a short one, read exactly the same.
        for bad in [tamper(&xml, 0, 0, 0x01), tamper(&xml, 0, -1, 0x80)] {
            let err = decrypt_text(&bad, &DecryptOptions::default()).expect_err("tampered key");
            assert!(matches!(err, XencError::WrongKey), "{options:?}: {err}");
        }
    }
}

#[test]
fn gcm_tag_mismatch_on_any_tampering() {
    for block_cipher in [BlockCipher::Aes128Gcm, BlockCipher::Aes256Gcm] {
        let xml = encrypted(&EncryptOptions {
            block_cipher,
            key_transport: KeyTransport::RsaOaepMgf1p,
        });
        // IV, body, tag.
        for at in [0, 40, -1] {
            let err = decrypt_text(&tamper(&xml, 1, at, 0x04), &DecryptOptions::default())
                .expect_err("tampered");
            assert!(
                matches!(err, XencError::GcmTagMismatch),
                "{block_cipher:?} {at}: {err}"
            );
        }
    }
}

#[test]
fn cbc_padding_and_plaintext_failures_read_the_same() {
    for block_cipher in [BlockCipher::Aes128Cbc, BlockCipher::Aes256Cbc] {
        let xml = encrypted(&EncryptOptions {
            block_cipher,
            key_transport: KeyTransport::RsaOaepMgf1p,
        });
        // Last byte of the second-to-last block: the padding count goes wrong.
        let bad_padding = tamper(&xml, 1, -17, 0xF0);
        // First byte of the IV: the plaintext's first byte goes from `<` to `=`.
        let bad_xml = tamper(&xml, 1, 0, 0x01);
        for (what, bad) in [("padding", bad_padding), ("plaintext", bad_xml)] {
            let err = decrypt_text(&bad, &DecryptOptions::default()).expect_err(what);
            assert!(
                matches!(err, XencError::BadCbcPadding),
                "{block_cipher:?} {what}: {err}"
            );
            assert!(err.to_string().contains("reported alike"));
        }
    }
}

#[test]
fn rsa_1_5_is_refused_unless_opted_in() {
    // Build an rsa-1_5 EncryptedKey by hand: samlsim never makes one.
    let xml = encrypted(&EncryptOptions {
        block_cipher: BlockCipher::Aes128Gcm,
        key_transport: KeyTransport::RsaOaepMgf1p,
    });
    let (s, e) = cipher_value(&xml, 0);
    let content_key = key()
        .oaep_decrypt(OaepHash::Sha1, &STANDARD.decode(&xml[s..e]).unwrap(), None)
        .expect("unwraps");
    let public = Pkcs1PublicEncryptingKey::new(
        PublicEncryptingKey::from_der(cert().spki_der()).expect("SPKI"),
    )
    .expect("RSA");
    let mut wrapped = vec![0; public.ciphertext_size()];
    let wrapped = public
        .encrypt(&content_key, &mut wrapped)
        .expect("encrypts")
        .to_vec();
    let legacy = format!("{}{}{}", &xml[..s], STANDARD.encode(&wrapped), &xml[e..])
        .replace(KeyTransport::RsaOaepMgf1p.uri(), RSA_1_5)
        .replace(&format!("<ds:DigestMethod Algorithm=\"{SHA1}\"/>"), "");

    let err = decrypt_text(&legacy, &DecryptOptions::default()).expect_err("refused");
    assert!(matches!(err, XencError::Rsa15Refused { .. }));
    assert!(err.to_string().contains("Bleichenbacher"), "{err}");

    let opted_in = DecryptOptions {
        allow_rsa_1_5: true,
        ..DecryptOptions::default()
    };
    let doc = decrypt_text(&legacy, &opted_in).expect("legacy IdP accepted when opted in");
    assert!(to_xml(&doc, doc.root_element().unwrap()).contains("alice@example.com"));

    // A bad PKCS#1 block gives no error of its own: a random key, then the tag fails.
    let broken = tamper(&legacy, 0, 0, 0x01);
    let err = decrypt_text(&broken, &opted_in).expect_err("bad block");
    assert!(matches!(err, XencError::GcmTagMismatch), "{err}");
}

#[test]
fn key_size_must_match_the_algorithm() {
    let xml = encrypted(&EncryptOptions {
        block_cipher: BlockCipher::Aes128Gcm,
        key_transport: KeyTransport::RsaOaep,
    });
    // A 16-byte key presented as an AES-256 key.
    let relabelled = xml.replace(BlockCipher::Aes128Gcm.uri(), BlockCipher::Aes256Gcm.uri());
    let err = decrypt_text(&relabelled, &DecryptOptions::default()).expect_err("16 bytes for 256");
    assert!(
        matches!(
            err,
            XencError::KeySizeMismatch {
                expected: 32,
                found: 16,
                ..
            }
        ),
        "{err}"
    );
    // A KeySize that contradicts the algorithm.
    let key_size = xml.replace(
        &format!("<xenc:EncryptionMethod Algorithm=\"{}\"/>", BlockCipher::Aes128Gcm.uri()),
        &format!(
            "<xenc:EncryptionMethod Algorithm=\"{}\"><xenc:KeySize>256</xenc:KeySize></xenc:EncryptionMethod>",
            BlockCipher::Aes128Gcm.uri()
        ),
    );
    assert_ne!(key_size, xml);
    let err = decrypt_text(&key_size, &DecryptOptions::default()).expect_err("KeySize");
    assert!(matches!(err, XencError::KeySizeMismatch { .. }), "{err}");
}

#[test]
fn unsupported_algorithms_are_named() {
    let xml = encrypted(&EncryptOptions::default());
    let triple_des = xml.replace(
        BlockCipher::Aes256Gcm.uri(),
        "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
    );
    let err = decrypt_text(&triple_des, &DecryptOptions::default()).expect_err("3DES");
    assert!(
        matches!(&err, XencError::UnsupportedAlgorithm { role: "block encryption", uri, .. } if uri.ends_with("tripledes-cbc")),
        "{err}"
    );
    let kw = xml.replace(
        KeyTransport::RsaOaepMgf1p.uri(),
        "http://www.w3.org/2001/04/xmlenc#kw-aes256",
    );
    let err = decrypt_text(&kw, &DecryptOptions::default()).expect_err("key wrap");
    assert!(
        matches!(
            err,
            XencError::UnsupportedAlgorithm {
                role: "key transport",
                ..
            }
        ),
        "{err}"
    );

    // xmlenc11#rsa-oaep with SHA-256 digest but the default MGF1-SHA1: a valid
    // xmlenc combination that aws-lc-rs cannot do, refused by name.
    let oaep11 = encrypted(&EncryptOptions {
        block_cipher: BlockCipher::Aes256Gcm,
        key_transport: KeyTransport::RsaOaep,
    });
    let mixed = oaep11.replace(MGF1_SHA256, MGF1_SHA1);
    let err = decrypt_text(&mixed, &DecryptOptions::default()).expect_err("mixed");
    assert!(
        matches!(
            err,
            XencError::UnsupportedAlgorithm {
                role: "OAEP digest and MGF pairing",
                ..
            }
        ),
        "{err}"
    );
    // An MGF under rsa-oaep-mgf1p contradicts the URI.
    let contradiction = oaep11.replace(
        KeyTransport::RsaOaep.uri(),
        KeyTransport::RsaOaepMgf1p.uri(),
    );
    let err = decrypt_text(&contradiction, &DecryptOptions::default()).expect_err("MGF on mgf1p");
    assert!(matches!(err, XencError::Malformed { .. }), "{err}");
}

#[test]
fn rsa_oaep_defaults_apply_when_digest_and_mgf_are_absent() {
    // rsa-oaep-mgf1p's output under the 1.1 URI without children: SHA-1 and MGF1-SHA1.
    let xml = encrypted(&EncryptOptions::default())
        .replace(
            KeyTransport::RsaOaepMgf1p.uri(),
            KeyTransport::RsaOaep.uri(),
        )
        .replace(&format!("<ds:DigestMethod Algorithm=\"{SHA1}\"/>"), "");
    decrypt_text(&xml, &DecryptOptions::default()).expect("the defaults are SHA-1/MGF1-SHA1");
}

#[test]
fn malformed_structures_are_refused() {
    let xml = encrypted(&EncryptOptions::default());
    let cases: Vec<(&str, String)> = vec![
        (
            "no EncryptionMethod",
            xml.replacen(
                &format!("<xenc:EncryptionMethod Algorithm=\"{}\"/>", BlockCipher::Aes256Gcm.uri()),
                "",
                1,
            ),
        ),
        (
            "CipherReference",
            xml.replacen(
                "<xenc:CipherData><xenc:CipherValue>",
                "<xenc:CipherData><xenc:CipherReference URI=\"http://attacker.example/\"/><xenc:CipherValue>",
                1,
            ),
        ),
        ("unknown child", xml.replacen("<ds:KeyInfo", "<xenc:Bogus/><ds:KeyInfo", 1)),
        ("Type Content", xml.replace("xmlenc#Element", "xmlenc#Content")),
        ("two EncryptedData", {
            let (a, b) = xml.split_once("</saml:EncryptedAssertion>").unwrap();
            let data = &a[a.find("<xenc:EncryptedData").unwrap()..];
            format!("{a}{data}</saml:EncryptedAssertion>{b}")
        }),
    ];
    for (what, bad) in cases {
        assert_ne!(bad, xml, "{what}: the edit took");
        let err = decrypt_text(&bad, &DecryptOptions::default()).expect_err(what);
        assert!(matches!(err, XencError::Malformed { .. }), "{what}: {err}");
    }
    let bad_base64 = {
        let (s, e) = cipher_value(&xml, 1);
        format!("{}!!{}", &xml[..s], &xml[e..])
    };
    let err = decrypt_text(&bad_base64, &DecryptOptions::default()).expect_err("base64");
    assert!(matches!(err, XencError::BadBase64 { .. }), "{err}");
}

#[test]
fn a_missing_encrypted_key_is_named() {
    let xml = encrypted(&EncryptOptions::default());
    let start = xml.find("<ds:KeyInfo").unwrap();
    let end = xml.find("</ds:KeyInfo>").unwrap() + "</ds:KeyInfo>".len();
    let bare = format!("{}{}", &xml[..start], &xml[end..]);
    let err = decrypt_text(&bare, &DecryptOptions::default()).expect_err("no key");
    assert!(matches!(err, XencError::MissingEncryptedKey), "{err}");
}

#[test]
fn an_encrypted_key_beside_the_data_is_found() {
    // SAML core §2.3.4's other layout: EncryptedKey a sibling of EncryptedData.
    let xml = encrypted(&EncryptOptions::default());
    let start = xml.find("<ds:KeyInfo").unwrap();
    let end = xml.find("</ds:KeyInfo>").unwrap() + "</ds:KeyInfo>".len();
    let key_info = &xml[start..end];
    let ek = &key_info[key_info.find("<xenc:EncryptedKey").unwrap()
        ..key_info.find("</xenc:EncryptedKey>").unwrap() + "</xenc:EncryptedKey>".len()];
    let ek = ek.replacen(
        "<xenc:EncryptedKey",
        "<xenc:EncryptedKey xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"",
        1,
    );
    let moved = format!("{}{}", &xml[..start], &xml[end..]).replace(
        "</saml:EncryptedAssertion>",
        &format!("{ek}</saml:EncryptedAssertion>"),
    );
    let doc = decrypt_text(&moved, &DecryptOptions::default()).expect("sibling key");
    assert!(doc.is_element(doc.root_element().unwrap(), SAML_NS, "Assertion"));
}

#[test]
fn decryption_returns_only_the_decrypted_element() {
    // Anything else in the message, even a plaintext assertion beside the encrypted
    // one, is not in the result.
    let xml = encrypted(&EncryptOptions::default()).replace(
        "</samlp:Response>",
        "<saml:Assertion ID=\"_evil\"><saml:Issuer>evil</saml:Issuer></saml:Assertion></samlp:Response>",
    );
    let doc = decrypt_text(&xml, &DecryptOptions::default()).expect("decrypts");
    let text = to_xml(&doc, doc.document_node());
    assert!(
        !text.contains("_evil") && !text.contains("samlp:Status"),
        "{text}"
    );
    assert!(text.starts_with("<saml:Assertion"), "{text}");
}

#[test]
fn a_gcm_plaintext_that_is_not_an_assertion_is_named() {
    // A saml:Other encrypted and wrapped as if it were an assertion.
    let mut other =
        parse("<r><saml:Other xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"/></r>").unwrap();
    let target = other
        .child_elements(other.root_element().unwrap())
        .next()
        .unwrap();
    let data = encrypt_element_with(
        &mut other,
        target,
        &cert(),
        &EncryptOptions::default(),
        &SystemRandom::new(),
    )
    .unwrap();
    let root = other.root_element().unwrap();
    other.detach(target);
    let wrapper = other.append_element(
        root,
        Element::new(Some("saml"), "EncryptedAssertion", Some(SAML_NS))
            .declare_namespace(Some("saml"), SAML_NS),
    );
    other.append_child(wrapper, data);
    let xml = to_xml(&other, other.document_node());
    let err = decrypt_text(&xml, &DecryptOptions::default()).expect_err("not an assertion");
    assert!(matches!(err, XencError::NotAnAssertion { .. }), "{err}");
    // decrypt_element has no such expectation.
    let parsed = parse(&xml).unwrap();
    let data = parsed
        .descendants(parsed.document_node())
        .find(|&n| parsed.is_element(n, XENC_NS, "EncryptedData"))
        .unwrap();
    let element =
        decrypt_element(&parsed, data, &key(), &DecryptOptions::default()).expect("element");
    assert_eq!(
        element
            .element(element.root_element().unwrap())
            .unwrap()
            .local_name,
        "Other"
    );
}

#[test]
fn the_plaintext_is_parsed_with_the_limits_given() {
    let xml = encrypted(&EncryptOptions::default());
    let tight = DecryptOptions {
        limits: Limits {
            max_nodes: 10,
            ..Limits::default()
        },
        ..DecryptOptions::default()
    };
    let err = decrypt_text(&xml, &tight).expect_err("too many nodes");
    assert!(matches!(err, XencError::PlaintextXml(_)), "{err}");
}

/// Counts up from a seed: known keys and IVs.
struct Counter(Cell<u8>);

impl Random for Counter {
    fn fill(&self, dest: &mut [u8]) -> Result<(), XencError> {
        for b in dest {
            *b = self.0.get();
            self.0.set(self.0.get().wrapping_add(1));
        }
        Ok(())
    }
}

#[test]
fn injected_randomness_makes_the_content_ciphertext_reproducible() {
    let run = || {
        let mut doc = parse(RESPONSE).unwrap();
        let a = assertion_of(&doc);
        encrypt_assertion_with(
            &mut doc,
            a,
            &cert(),
            &EncryptOptions::default(),
            &Counter(Cell::new(0)),
        )
        .unwrap();
        let xml = to_xml(&doc, doc.document_node());
        let (s, e) = cipher_value(&xml, 1);
        xml[s..e].to_owned()
    };
    let first = run();
    assert_eq!(first, run());
    // Key bytes 0..32, then IV bytes 32..44.
    assert_eq!(
        &STANDARD.decode(&first).unwrap()[..12],
        &(32..44).collect::<Vec<u8>>()[..]
    );
}

#[test]
fn only_assertions_are_encrypted_as_assertions() {
    let mut doc = parse(RESPONSE).unwrap();
    let root = doc.root_element().unwrap();
    let err = encrypt_assertion(&mut doc, root, &cert(), &EncryptOptions::default())
        .expect_err("Response");
    assert!(matches!(err, XencError::NotAnAssertion { .. }), "{err}");
}
