//! Our XML Encryption against xmlsec1 (1.2.37 on OpenSSL 3.0 when written), both ways.
//!
//! - xmlsec1 decrypts what samlsim encrypts, for each block cipher, with
//!   `xmlsec1 --decrypt --privkey-pem certs/test-only-idp-key.pem FILE`, and the
//!   assertion's signature (made before encrypting) still verifies with
//!   `xmlsec1 --verify` afterwards.
//! - samlsim decrypts what `xmlsec1 --encrypt` makes from a template:
//!   `xmlsec1 --encrypt --pubkey-cert-pem certs/test-only-idp-cert.pem --session-key
//!   aes-256 --xml-data DATA --node-xpath '…/EncryptedAssertion/Assertion' TEMPLATE`,
//!   where DATA is the fixture Response with its Assertion wrapped in an
//!   EncryptedAssertion (pysaml2's method). xmlsec1 pads CBC with random bytes
//!   (xmlenc padding, not PKCS#7) and writes the plaintext without the `saml`
//!   declaration, which is in scope only on the Response: both cases are exercised.
//!
//! xmlsec1 1.2.x does not know `xmlenc11#rsa-oaep` (1.3 added it), so for that key
//! transport `openssl pkeyutl` (OAEP, SHA-256, MGF1-SHA256) unwraps our content key
//! and re-wraps it under `rsa-oaep-mgf1p`, and xmlsec1 decrypts the content with it.
//!
//! Gated like the signature interop: skipped with a note without xmlsec1 (or
//! openssl), mandatory under `SAMLSIM_REQUIRE_INTEROP=1`.
//! [`committed_xmlsec1_encrypted_response_decrypts`] needs no tool.

use std::ffi::OsString;
use std::path::Path;

use samlsim_crypto::SignatureAlgorithm;
use samlsim_xenc::{
    BlockCipher, DecryptOptions, EncryptOptions, KeyTransport, SAML_NS, XencError,
    decrypt_assertion, encrypt_assertion,
};
use samlsim_xml::{Document, NodeId, parse, to_xml};

use crate::interop_xmlsec::{Xmlsec1, assert_xmlsec1_ok};
use crate::support::*;

/// xmlsec1's encryption of the fixture Response (see tests/data/README.md).
const XMLSEC1_ENCRYPTED: &str = "tests/data/xmlsec1-encrypted-response.xml";

fn find(doc: &Document, local_name: &str) -> NodeId {
    doc.descendants(doc.document_node())
        .find(|&n| doc.is_element(n, SAML_NS, local_name))
        .unwrap_or_else(|| panic!("no saml:{local_name}"))
}

/// The fixture Response with its assertion signed, then encrypted by samlsim.
fn ours(options: &EncryptOptions) -> String {
    let signed = sign(
        &read_fixture(AWS_RESPONSE),
        ASSERTION_ID,
        SignatureAlgorithm::RsaSha256,
    );
    let mut doc = parse(&signed).expect("parses");
    let assertion = find(&doc, "Assertion");
    encrypt_assertion(&mut doc, assertion, &idp_cert(), options).expect("encrypts");
    to_xml(&doc, doc.document_node())
}

fn ours_decrypt(xml: &str, options: &DecryptOptions) -> Result<Document<'static>, XencError> {
    let doc = parse(xml).expect("parses");
    decrypt_assertion(&doc, find(&doc, "EncryptedAssertion"), &idp_key(), options)
}

fn xmlsec1_decrypt(xmlsec1: &Path, file: &Path) -> Output {
    run(
        xmlsec1,
        [
            OsString::from("--decrypt"),
            "--privkey-pem".into(),
            IDP_KEY.into(),
            file.into(),
        ],
    )
}

#[test]
fn xmlsec1_decrypts_ours_and_the_signature_inside_still_verifies() {
    let Some(xmlsec1) = require_tool("xmlsec1") else {
        return;
    };
    let Some(verifier) = Xmlsec1::find() else {
        return;
    };
    let dir = temp_dir();
    for block_cipher in BlockCipher::ALL {
        let options = EncryptOptions {
            block_cipher,
            key_transport: KeyTransport::RsaOaepMgf1p,
        };
        let file = write_file(&dir, "encrypted.xml", ours(&options));
        let out = xmlsec1_decrypt(&xmlsec1, &file);
        assert!(
            out.code == 0 && out.stdout.contains(NAME_ID),
            "xmlsec1 should decrypt our {block_cipher:?}\n{}",
            out.describe()
        );
        let decrypted = write_file(&dir, "decrypted.xml", &out.stdout);
        assert_xmlsec1_ok(
            &verifier.verify(&decrypted, &[]),
            &format!("the assertion signature after {block_cipher:?} decryption"),
        );
    }
}

#[test]
fn openssl_and_xmlsec1_decrypt_our_rsa_oaep_sha256() {
    let (Some(xmlsec1), Some(openssl)) = (require_tool("xmlsec1"), require_tool("openssl")) else {
        return;
    };
    let dir = temp_dir();
    for block_cipher in BlockCipher::ALL {
        let xml = ours(&EncryptOptions {
            block_cipher,
            key_transport: KeyTransport::RsaOaep,
        });
        // The first CipherValue is the EncryptedKey's.
        let wrapped = text_of(&xml, "xenc:CipherValue").to_owned();
        let wrapped_file = write_file(&dir, "wrapped.bin", base64_decode(&wrapped));
        let key_file = dir.path().join("content.key");
        let out = run(
            &openssl,
            [
                OsString::from("pkeyutl"),
                "-decrypt".into(),
                "-inkey".into(),
                IDP_KEY.into(),
                "-pkeyopt".into(),
                "rsa_padding_mode:oaep".into(),
                "-pkeyopt".into(),
                "rsa_oaep_md:sha256".into(),
                "-pkeyopt".into(),
                "rsa_mgf1_md:sha256".into(),
                "-in".into(),
                wrapped_file.clone().into(),
                "-out".into(),
                key_file.clone().into(),
            ],
        );
        assert_eq!(
            out.code,
            0,
            "openssl should unwrap our OAEP-SHA256 key\n{}",
            out.describe()
        );
        let content_key = std::fs::read(&key_file).expect("the unwrapped key");
        assert_eq!(
            content_key.len(),
            block_cipher.key_len(),
            "{block_cipher:?}"
        );
        // Re-wrap under SHA-1 OAEP, which xmlsec1 1.2 speaks, and let it decrypt the content.
        let rewrapped_file = dir.path().join("rewrapped.bin");
        let out = run(
            &openssl,
            [
                OsString::from("pkeyutl"),
                "-encrypt".into(),
                "-certin".into(),
                "-inkey".into(),
                IDP_CERT.into(),
                "-pkeyopt".into(),
                "rsa_padding_mode:oaep".into(),
                "-in".into(),
                key_file.into(),
                "-out".into(),
                rewrapped_file.clone().into(),
            ],
        );
        assert_eq!(out.code, 0, "openssl re-wraps\n{}", out.describe());
        let rewrapped = base64_encode(&std::fs::read(&rewrapped_file).expect("re-wrapped"));
        let mgf1p = xml
            .replacen(&wrapped, &rewrapped, 1)
            .replace(
                KeyTransport::RsaOaep.uri(),
                KeyTransport::RsaOaepMgf1p.uri(),
            )
            .replace(
                "<ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>",
                "",
            )
            .replace(
                "<xenc11:MGF xmlns:xenc11=\"http://www.w3.org/2009/xmlenc11#\" \
                 Algorithm=\"http://www.w3.org/2009/xmlenc11#mgf1sha256\"/>",
                "",
            );
        assert!(!mgf1p.contains("xenc11"), "the MGF element was removed");
        let file = write_file(&dir, "mgf1p.xml", mgf1p);
        let out = xmlsec1_decrypt(&xmlsec1, &file);
        assert!(
            out.code == 0 && out.stdout.contains(NAME_ID),
            "xmlsec1 should decrypt our {block_cipher:?} content\n{}",
            out.describe()
        );
    }
}

fn template(block_cipher: &str, key_transport: &str) -> String {
    let digest = if key_transport.ends_with("rsa-oaep-mgf1p") {
        "<ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/>"
    } else {
        ""
    };
    format!(
        "<xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\" \
         Type=\"http://www.w3.org/2001/04/xmlenc#Element\">\
         <xenc:EncryptionMethod Algorithm=\"{block_cipher}\"/>\
         <ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><xenc:EncryptedKey>\
         <xenc:EncryptionMethod Algorithm=\"{key_transport}\">{digest}</xenc:EncryptionMethod>\
         <xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>\
         <xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>"
    )
}

/// xmlsec1's encryption of the fixture Response's assertion, in an EncryptedAssertion.
fn theirs(xmlsec1: &Path, block_cipher: BlockCipher, key_transport: &str) -> String {
    let dir = temp_dir();
    let data = read_fixture(AWS_RESPONSE)
        .replace(
            "<saml:Assertion ",
            "<saml:EncryptedAssertion><saml:Assertion ",
        )
        .replace(
            "</saml:Assertion>",
            "</saml:Assertion></saml:EncryptedAssertion>",
        );
    let data = write_file(&dir, "data.xml", data);
    let tmpl = write_file(
        &dir,
        "template.xml",
        template(block_cipher.uri(), key_transport),
    );
    let out = run(
        xmlsec1,
        [
            OsString::from("--encrypt"),
            "--pubkey-cert-pem".into(),
            IDP_CERT.into(),
            "--session-key".into(),
            format!("aes-{}", block_cipher.key_len() * 8).into(),
            "--xml-data".into(),
            data.into(),
            "--node-xpath".into(),
            "/*[local-name()='Response']/*[local-name()='EncryptedAssertion']\
             /*[local-name()='Assertion']"
                .into(),
            tmpl.into(),
        ],
    );
    assert_eq!(
        out.code,
        0,
        "xmlsec1 --encrypt {block_cipher:?} {key_transport}\n{}",
        out.describe()
    );
    assert!(
        !out.stdout.contains(NAME_ID),
        "xmlsec1 encrypted the assertion"
    );
    out.stdout
}

fn assert_decrypted(doc: &Document, what: &str) {
    let text = to_xml(doc, doc.document_node());
    assert!(
        text.starts_with("<saml:Assertion") && text.contains(NAME_ID),
        "{what}: {text}"
    );
    assert!(text.contains(ASSERTION_ID), "{what}");
}

#[test]
fn ours_decrypts_what_xmlsec1_encrypts() {
    let Some(xmlsec1) = require_tool("xmlsec1") else {
        return;
    };
    for block_cipher in BlockCipher::ALL {
        let xml = theirs(&xmlsec1, block_cipher, KeyTransport::RsaOaepMgf1p.uri());
        let doc = ours_decrypt(&xml, &DecryptOptions::default())
            .unwrap_or_else(|e| panic!("xmlsec1's {block_cipher:?}: {e}"));
        assert_decrypted(&doc, &format!("{block_cipher:?}"));
    }
}

#[test]
fn xmlsec1_rsa_1_5_is_refused_unless_opted_in() {
    let Some(xmlsec1) = require_tool("xmlsec1") else {
        return;
    };
    let xml = theirs(&xmlsec1, BlockCipher::Aes128Cbc, samlsim_xenc::RSA_1_5);
    let err = ours_decrypt(&xml, &DecryptOptions::default()).expect_err("rsa-1_5 is refused");
    assert!(matches!(err, XencError::Rsa15Refused { .. }), "{err}");
    let doc = ours_decrypt(
        &xml,
        &DecryptOptions {
            allow_rsa_1_5: true,
            ..DecryptOptions::default()
        },
    )
    .expect("opted in");
    assert_decrypted(&doc, "rsa-1_5 opted in");
}

#[test]
fn committed_xmlsec1_encrypted_response_decrypts() {
    let doc = ours_decrypt(&read_fixture(XMLSEC1_ENCRYPTED), &DecryptOptions::default())
        .expect("xmlsec1's committed aes256-cbc + rsa-oaep-mgf1p response decrypts");
    assert_decrypted(&doc, "the committed fixture");
}

#[test]
fn cli_encrypt_decrypt_and_decode_round_trip() {
    let dir = temp_dir();
    for (algorithm, transport) in [("aes256-gcm", "rsa-oaep"), ("aes128-cbc", "rsa-oaep-mgf1p")] {
        let out = samlsim([
            "encrypt",
            "--cert",
            IDP_CERT,
            "--algorithm",
            algorithm,
            "--key-transport",
            transport,
            AWS_RESPONSE,
        ]);
        assert_eq!(out.code, 0, "{}", out.describe());
        assert!(out.stdout.contains("<saml:EncryptedAssertion>") && !out.stdout.contains(NAME_ID));
        let file = write_file(&dir, "encrypted.xml", &out.stdout);
        let file = file.to_str().expect("UTF-8 path");
        let out = samlsim(["decrypt", "--key", IDP_KEY, file]);
        assert_eq!(out.code, 0, "{}", out.describe());
        assert!(out.stdout.contains(NAME_ID) && !out.stdout.contains("EncryptedAssertion"));
        let out = samlsim(["decode", "--key", IDP_KEY, file]);
        assert_eq!(out.code, 0, "{}", out.describe());
        assert!(out.stdout.contains(NAME_ID), "{}", out.describe());
        let out = samlsim(["decrypt", "--key", ATTACKER_KEY, file]);
        assert_eq!(out.code, 2, "{}", out.describe());
        assert!(out.stderr.contains("wrong key"), "{}", out.describe());
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    let compact: String = text.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .expect("base64")
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
