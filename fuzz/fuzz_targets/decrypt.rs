//! Fuzzes XML Encryption: parse → decrypt every `saml:EncryptedAssertion` (with and
//! without legacy RSA PKCS#1 v1.5 allowed) and every `xenc:EncryptedData` with the
//! test-only IdP key.
//!
//! Invariants (a failure is a finding, see fuzz/README.md):
//! 1. nothing panics;
//! 2. a decrypted `EncryptedAssertion` is a document whose root is a `saml:Assertion`;
//! 3. every decrypted document serialises to text that parses back.
//!
//! RSA decryption costs about a millisecond, so most inputs are rejected before it
//! (structure, algorithms, base64); the seeds (`fuzz/seed.sh`) are samlsim's and
//! xmlsec1's encrypted responses, which reach the decrypting path.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use samlsim_crypto::SigningKey;
use samlsim_xenc::{DecryptOptions, SAML_NS, XENC_NS, decrypt_assertion, decrypt_element};
use samlsim_xml::{Document, parse_bytes, to_xml};

static KEY: LazyLock<SigningKey> = LazyLock::new(|| {
    SigningKey::from_pem(include_str!("../../certs/test-only-idp-key.pem"))
        .expect("the test-only IdP key parses")
});

fn check_document(decrypted: &Document) {
    let xml = to_xml(decrypted, decrypted.document_node());
    let limits = samlsim_xml::Limits {
        max_bytes: usize::MAX,
        ..samlsim_xml::Limits::default()
    };
    if let Err(e) = samlsim_xml::parse::parse_with(&xml, &limits) {
        panic!("a decrypted document does not re-parse: {e}\n{xml}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = parse_bytes(data) else {
        return;
    };
    for node in doc.descendants(doc.document_node()) {
        if doc.is_element(node, SAML_NS, "EncryptedAssertion") {
            for allow_rsa_1_5 in [false, true] {
                let options = DecryptOptions {
                    allow_rsa_1_5,
                    ..DecryptOptions::default()
                };
                if let Ok(assertion) = decrypt_assertion(&doc, node, &KEY, &options) {
                    let root = assertion
                        .root_element()
                        .expect("a decrypted assertion has a root element");
                    assert!(
                        assertion.is_element(root, SAML_NS, "Assertion"),
                        "decrypt_assertion returned something other than a saml:Assertion"
                    );
                    check_document(&assertion);
                }
            }
        } else if doc.is_element(node, XENC_NS, "EncryptedData")
            && let Ok(element) = decrypt_element(&doc, node, &KEY, &DecryptOptions::default())
        {
            assert!(element.root_element().is_some(), "decrypted to no element");
            check_document(&element);
        }
    }
});
