//! Our XML signatures against xmlsec1 (the reference C implementation, on libxml2 and
//! OpenSSL), both ways, with RSA-SHA1/SHA-1 and RSA-SHA256/SHA-256.
//!
//! Tests that run xmlsec1 return early with a note when it is not installed, unless
//! `SAMLSIM_REQUIRE_INTEROP=1` (CI), where its absence fails them; see
//! [`require_tool`]. [`committed_xmlsec1_signed_response_verifies_with_ours`] needs no
//! tool and runs everywhere.
//!
//! # How xmlsec1 is told which key to trust
//!
//! Every verification passes `--pubkey-cert-pem certs/test-only-idp-cert.pem` and
//! `--enabled-key-data key-name`, so that xmlsec1 takes no key material from the
//! message's own `KeyInfo` and checks the signature only with the key we trust:
//!
//! - Without `--enabled-key-data`, xmlsec1 1.2.37 reads `KeyInfo` first. Our
//!   `X509Data` certificate is self-signed and in no trust store, so it prints two
//!   `certificate verification failed ... self-signed certificate` lines to stderr,
//!   then falls back to the loaded key and still exits 0. Harmless noise for our
//!   signatures, but the same default also *uses* a bare `KeyValue/RSAKeyValue` from
//!   the message: a document an attacker signed with their own key and embedded
//!   public key verified "OK" against our certificate's key. An oracle that says yes
//!   to that proves nothing.
//! - `--insecure` (skip certificate checks) is worse: it makes xmlsec1 trust whatever
//!   certificate the message carries, so a document our CLI signed with the attacker
//!   key passes too.
//!
//! With `key-name` as the only enabled key data there are no warnings, and
//! [`xmlsec1_rejects_what_an_untrusted_key_signed`] checks that xmlsec1 says no to
//! both of those attacker documents.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use samlsim_crypto::SignatureAlgorithm;
use samlsim_dsig::DsigError;
use samlsim_xml::to_xml;

use crate::support::*;

const RESPONSE_NODE: &str = "urn:oasis:names:tc:SAML:2.0:protocol:Response";
const ASSERTION_NODE: &str = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion";

const ALGORITHMS: [SignatureAlgorithm; 2] =
    [SignatureAlgorithm::RsaSha1, SignatureAlgorithm::RsaSha256];

/// xmlsec1's output of signing [`INDENTED_TEMPLATE`], committed (tests/data/README.md).
const SIGNED_FIXTURE: &str = "tests/data/xmlsec1-signed-response.xml";
const INDENTED_TEMPLATE: &str = "tests/data/xmlsec1-template-response-indented.xml";

/// The xmlsec1 program, found by [`require_tool`].
pub(crate) struct Xmlsec1(PathBuf);

impl Xmlsec1 {
    pub(crate) fn find() -> Option<Self> {
        require_tool("xmlsec1").map(Xmlsec1)
    }

    /// `xmlsec1 --verify` of `file`, trusting only the IdP test certificate's key
    /// (see the module docs), with SAML's `ID` attributes declared as IDs.
    pub(crate) fn verify(&self, file: &Path, extra: &[&str]) -> Output {
        let mut args: Vec<OsString> = [
            "--verify",
            "--enabled-key-data",
            "key-name",
            "--pubkey-cert-pem",
            IDP_CERT,
            "--id-attr:ID",
            RESPONSE_NODE,
            "--id-attr:ID",
            ASSERTION_NODE,
        ]
        .iter()
        .chain(extra)
        .map(OsString::from)
        .collect();
        args.push(file.into());
        run(&self.0, args)
    }

    /// `xmlsec1 --sign` of a template with `key` (and, if given, its certificate for
    /// `X509Data`); returns the signed document.
    pub(crate) fn sign(&self, template: &Path, key: &str, cert: Option<&str>) -> String {
        let key_arg = match cert {
            Some(cert) => format!("{key},{cert}"),
            None => key.to_owned(),
        };
        let out = run(
            &self.0,
            [
                OsString::from("--sign"),
                "--privkey-pem".into(),
                key_arg.into(),
                "--id-attr:ID".into(),
                RESPONSE_NODE.into(),
                "--id-attr:ID".into(),
                ASSERTION_NODE.into(),
                template.into(),
            ],
        );
        assert_eq!(
            out.code,
            0,
            "xmlsec1 --sign {} failed\n{}",
            template.display(),
            out.describe()
        );
        out.stdout
    }

    /// Signs the committed template `template` with the IdP test key.
    fn sign_template(&self, template: &str) -> String {
        self.sign(&repo_path(template), IDP_KEY, Some(IDP_CERT))
    }
}

fn has_line(out: &Output, line: &str) -> bool {
    out.stdout
        .lines()
        .chain(out.stderr.lines())
        .any(|l| l.trim() == line)
}

pub(crate) fn assert_xmlsec1_ok(out: &Output, what: &str) {
    assert!(
        out.code == 0 && has_line(out, "OK"),
        "xmlsec1 should verify {what}\n{}",
        out.describe()
    );
}

fn assert_xmlsec1_fail(out: &Output, what: &str) {
    assert!(
        out.code != 0 && has_line(out, "FAIL") && !has_line(out, "OK"),
        "xmlsec1 should reject {what}\n{}",
        out.describe()
    );
}

fn assert_ours_ok(xml: &str, id: &str, algorithm: SignatureAlgorithm, what: &str) {
    match verify(xml, id) {
        Ok(verified) => {
            assert_eq!(verified.id, id, "{what}: the verified ID");
            assert_eq!(
                verified.signature_algorithm, algorithm,
                "{what}: the signature algorithm"
            );
            assert_eq!(
                verified.digest_algorithm,
                algorithm.digest_algorithm(),
                "{what}: the digest algorithm"
            );
            assert_eq!(
                verified.certificate.der(),
                idp_cert().der(),
                "{what}: the certificate that verified it"
            );
        }
        Err(e) => panic!("{what}: our verifier refused it: {e}"),
    }
}

/// `samlsim verify` of `xml` (written to a file) trusting the IdP certificate: exit 0
/// and exactly the `ok` lines expected, in document order.
fn assert_cli_ok(xml: &str, expected: &[(&str, &str, SignatureAlgorithm)], what: &str) {
    let dir = temp_dir();
    let file = write_file(&dir, "signed.xml", xml);
    let out = samlsim([
        OsString::from("verify"),
        "--cert".into(),
        IDP_CERT.into(),
        file.into(),
    ]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let ok = out.code == 0
        && lines.len() == expected.len()
        && lines
            .iter()
            .zip(expected)
            .all(|(line, (element, id, algorithm))| {
                line.starts_with(&format!("ok    <{element} ID=\"{id}\">: "))
                    && line.contains(&format!(
                        "{} with {} digests",
                        algorithm.name(),
                        algorithm.digest_algorithm().name()
                    ))
            });
    assert!(
        ok,
        "{what}: samlsim verify should print {expected:?}\n{}",
        out.describe()
    );
}

// ---------------------------------------------------------------------------------
// 1. Our signatures verify with xmlsec1.

#[test]
fn our_response_signature_verifies_with_xmlsec1() {
    let Some(xmlsec1) = Xmlsec1::find() else {
        return;
    };
    let dir = temp_dir();
    for algorithm in ALGORITHMS {
        let signed = sign(&read_fixture(AWS_RESPONSE), RESPONSE_ID, algorithm);
        let file = write_file(&dir, &format!("response-{}.xml", algorithm.name()), signed);
        assert_xmlsec1_ok(
            &xmlsec1.verify(&file, &[]),
            &format!("the Response we signed with {}", algorithm.name()),
        );
    }
}

#[test]
fn our_assertion_signature_verifies_with_xmlsec1() {
    let Some(xmlsec1) = Xmlsec1::find() else {
        return;
    };
    let dir = temp_dir();
    for algorithm in ALGORITHMS {
        let signed = sign(&read_fixture(AWS_RESPONSE), ASSERTION_ID, algorithm);
        let file = write_file(&dir, &format!("assertion-{}.xml", algorithm.name()), signed);
        // xmlsec1 verifies the first ds:Signature it finds: here the only one, the
        // Assertion's. --store-references shows which Reference it checked.
        let out = xmlsec1.verify(&file, &["--store-references"]);
        let what = format!("the Assertion we signed with {}", algorithm.name());
        assert_xmlsec1_ok(&out, &what);
        assert!(
            out.stdout.contains(&format!("URI: \"#{ASSERTION_ID}\"")),
            "{what}: xmlsec1 should have checked the Assertion's Reference\n{}",
            out.describe()
        );
    }
}

#[test]
fn our_assertion_and_response_signatures_both_verify_with_xmlsec1() {
    let Some(xmlsec1) = Xmlsec1::find() else {
        return;
    };
    let dir = temp_dir();
    for algorithm in ALGORITHMS {
        // Assertion first: the Response's digest then covers the Assertion's signature.
        let assertion_signed = sign(&read_fixture(AWS_RESPONSE), ASSERTION_ID, algorithm);
        let both = sign(&assertion_signed, RESPONSE_ID, algorithm);
        let file = write_file(&dir, &format!("both-{}.xml", algorithm.name()), &both);
        // Without a start node xmlsec1 checks only the first ds:Signature in document
        // order, so each is selected in turn with --node-xpath.
        for (xpath, id, other) in [
            ("/*/*[local-name()='Signature']", RESPONSE_ID, ASSERTION_ID),
            (
                "/*/*[local-name()='Assertion']/*[local-name()='Signature']",
                ASSERTION_ID,
                RESPONSE_ID,
            ),
        ] {
            let out = xmlsec1.verify(&file, &["--store-references", "--node-xpath", xpath]);
            let what = format!(
                "the signature of {id} in a Response with both signed ({})",
                algorithm.name()
            );
            assert_xmlsec1_ok(&out, &what);
            assert!(
                out.stdout.contains(&format!("URI: \"#{id}\""))
                    && !out.stdout.contains(&format!("URI: \"#{other}\"")),
                "{what}: xmlsec1 checked the wrong Reference\n{}",
                out.describe()
            );
        }
        // And ours agrees on the same bytes.
        assert_ours_ok(&both, RESPONSE_ID, algorithm, "the doubly signed Response");
        assert_ours_ok(
            &both,
            ASSERTION_ID,
            algorithm,
            "the doubly signed Assertion",
        );
    }
}

#[test]
fn cli_signed_documents_verify_with_xmlsec1() {
    let Some(xmlsec1) = Xmlsec1::find() else {
        return;
    };
    let dir = temp_dir();
    for (flags, id, name) in [
        (&[][..], RESPONSE_ID, "response-sha256"),
        (&["--sha1"][..], RESPONSE_ID, "response-sha1"),
        (
            &["--id", ASSERTION_ID][..],
            ASSERTION_ID,
            "assertion-sha256",
        ),
        (
            &["--sha1", "--id", ASSERTION_ID][..],
            ASSERTION_ID,
            "assertion-sha1",
        ),
    ] {
        let mut args = vec!["sign", "--key", IDP_KEY, "--cert", IDP_CERT];
        args.extend_from_slice(flags);
        args.push(AWS_RESPONSE);
        let out = samlsim(&args);
        assert_eq!(out.code, 0, "samlsim {args:?}\n{}", out.describe());
        let expected_method = if flags.contains(&"--sha1") {
            SignatureAlgorithm::RsaSha1.uri()
        } else {
            SignatureAlgorithm::RsaSha256.uri()
        };
        assert!(
            out.stdout
                .contains(&format!("SignatureMethod Algorithm=\"{expected_method}\"")),
            "samlsim {args:?} should sign with {expected_method}\n{}",
            out.describe()
        );
        let file = write_file(&dir, &format!("{name}.xml"), &out.stdout);
        let verified = xmlsec1.verify(&file, &["--store-references"]);
        assert_xmlsec1_ok(&verified, &format!("the output of samlsim {args:?}"));
        assert!(
            verified.stdout.contains(&format!("URI: \"#{id}\"")),
            "xmlsec1 should have checked the Reference to {id}\n{}",
            verified.describe()
        );
    }
}

// ---------------------------------------------------------------------------------
// 2. xmlsec1's signatures verify with ours. The templates are committed in tests/data/
//    (made by make-xmlsec1-templates.sh); xmlsec1 fills in the values at test time.

/// Signs `template` with xmlsec1 and checks the result with our library and CLI.
/// Returns the signed document, or `None` without xmlsec1.
fn xmlsec1_signs_and_ours_verifies(
    template: &str,
    element: &str,
    id: &str,
    algorithm: SignatureAlgorithm,
) -> Option<String> {
    let xmlsec1 = Xmlsec1::find()?;
    let signed = xmlsec1.sign_template(template);
    assert!(
        !text_of(&signed, "ds:SignatureValue").trim().is_empty(),
        "xmlsec1 left the SignatureValue of {template} empty:\n{signed}"
    );
    let what = format!("xmlsec1's signature from {template}");
    assert_ours_ok(&signed, id, algorithm, &what);
    assert_cli_ok(&signed, &[(element, id, algorithm)], &what);
    Some(signed)
}

#[test]
fn xmlsec1_response_signatures_verify_with_ours() {
    for (template, algorithm) in [
        (
            "tests/data/xmlsec1-template-response-rsa-sha256.xml",
            SignatureAlgorithm::RsaSha256,
        ),
        (
            "tests/data/xmlsec1-template-response-rsa-sha1.xml",
            SignatureAlgorithm::RsaSha1,
        ),
    ] {
        if xmlsec1_signs_and_ours_verifies(template, "samlp:Response", RESPONSE_ID, algorithm)
            .is_none()
        {
            return;
        }
    }
}

#[test]
fn xmlsec1_assertion_signature_with_inclusive_namespaces_prefix_list_verifies_with_ours() {
    let template = "tests/data/xmlsec1-template-assertion-prefixlist.xml";
    let Some(signed) = xmlsec1_signs_and_ours_verifies(
        template,
        "saml:Assertion",
        ASSERTION_ID,
        SignatureAlgorithm::RsaSha256,
    ) else {
        return;
    };
    assert!(
        signed.contains("PrefixList=\"xs\""),
        "the signed document should keep its InclusiveNamespaces:\n{signed}"
    );
    // xs appears only inside xsi:type values, so exc-c14n keeps its declaration only
    // because of the PrefixList: the digested bytes must carry it.
    let verified = verify(&signed, ASSERTION_ID).expect("verified above");
    let root = to_xml(&verified.document, verified.element());
    assert!(
        root.contains("xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""),
        "the signed Assertion should be canonicalised with xmlns:xs:\n{root}"
    );
}

#[test]
fn xmlsec1_assertion_signature_with_only_the_enveloped_transform_verifies_with_ours() {
    let template = "tests/data/xmlsec1-template-assertion-enveloped-only.xml";
    let Some(signed) = xmlsec1_signs_and_ours_verifies(
        template,
        "saml:Assertion",
        ASSERTION_ID,
        SignatureAlgorithm::RsaSha256,
    ) else {
        return;
    };
    // Inclusive C14N 1.0 applied by default: the Assertion's canonical form carries
    // the samlp declaration it inherits from the Response, though nothing in it uses
    // samlp (exc-c14n would drop it).
    let verified = verify(&signed, ASSERTION_ID).expect("verified above");
    let root = to_xml(&verified.document, verified.element());
    assert!(
        root.contains("xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""),
        "the Assertion should have been digested with inclusive C14N:\n{root}"
    );
}

#[test]
fn xmlsec1_signature_with_inclusive_c14n_signed_info_verifies_with_ours() {
    let template = "tests/data/xmlsec1-template-response-inclusive-signedinfo.xml";
    let Some(signed) = xmlsec1_signs_and_ours_verifies(
        template,
        "samlp:Response",
        RESPONSE_ID,
        SignatureAlgorithm::RsaSha256,
    ) else {
        return;
    };
    assert!(
        signed.contains(
            "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"/>"
        ),
        "the signed document should keep its inclusive CanonicalizationMethod:\n{signed}"
    );
}

#[test]
fn xmlsec1_indented_signature_with_line_wrapped_base64_verifies_with_ours() {
    let Some(signed) = xmlsec1_signs_and_ours_verifies(
        INDENTED_TEMPLATE,
        "samlp:Response",
        RESPONSE_ID,
        SignatureAlgorithm::RsaSha256,
    ) else {
        return;
    };
    // What this test is about: xmlsec1 wraps base64 at 64 columns. If a future
    // xmlsec1 stops doing that, this test no longer tests line-wrapped values.
    for tag in ["ds:SignatureValue", "ds:X509Certificate"] {
        assert!(
            text_of(&signed, tag).trim().contains('\n'),
            "xmlsec1 should have line-wrapped {tag}:\n{signed}"
        );
    }
}

// ---------------------------------------------------------------------------------
// 3. A committed xmlsec1 output, for machines without xmlsec1.

#[test]
fn committed_xmlsec1_signed_response_verifies_with_ours() {
    let signed = read_fixture(SIGNED_FIXTURE);
    assert!(
        text_of(&signed, "ds:SignatureValue").trim().contains('\n'),
        "{SIGNED_FIXTURE} should be xmlsec1's output, with line-wrapped base64"
    );
    assert_ours_ok(
        &signed,
        RESPONSE_ID,
        SignatureAlgorithm::RsaSha256,
        SIGNED_FIXTURE,
    );
    assert_cli_ok(
        &signed,
        &[("samlp:Response", RESPONSE_ID, SignatureAlgorithm::RsaSha256)],
        SIGNED_FIXTURE,
    );
    match verify(&tamper_name_id(&signed), RESPONSE_ID) {
        Err(DsigError::DigestMismatch { id }) => assert_eq!(id, RESPONSE_ID),
        other => panic!("the tampered {SIGNED_FIXTURE} should fail its digest, got {other:?}"),
    }
}

#[test]
fn committed_xmlsec1_signed_response_is_what_the_readme_command_makes() {
    let Some(xmlsec1) = Xmlsec1::find() else {
        return;
    };
    // RSA PKCS#1 v1.5 is deterministic, so signing the template again must give the
    // same values; whitespace is ignored in case another xmlsec1 wraps differently.
    let strip = |s: &str| -> String { s.chars().filter(|c| !c.is_ascii_whitespace()).collect() };
    let fresh = xmlsec1.sign_template(INDENTED_TEMPLATE);
    assert_eq!(
        strip(&fresh),
        strip(&read_fixture(SIGNED_FIXTURE)),
        "{SIGNED_FIXTURE} is not what tests/data/README.md says made it"
    );
}

// ---------------------------------------------------------------------------------
// 4. Both reject the same forgeries.

#[test]
fn tampered_documents_fail_with_xmlsec1_and_with_ours() {
    let Some(xmlsec1) = Xmlsec1::find() else {
        return;
    };
    let dir = temp_dir();
    for algorithm in ALGORITHMS {
        for id in [RESPONSE_ID, ASSERTION_ID] {
            let signed = sign(&read_fixture(AWS_RESPONSE), id, algorithm);
            let what = format!("{id} signed with {}", algorithm.name());
            // Both accept it as signed, so the rejections below are the tampering's.
            let file = write_file(&dir, "signed.xml", &signed);
            assert_xmlsec1_ok(&xmlsec1.verify(&file, &[]), &what);
            assert_ours_ok(&signed, id, algorithm, &what);

            let tampered = tamper_name_id(&signed);
            let what = format!("{what}, then its NameID changed");
            let file = write_file(&dir, "tampered.xml", &tampered);
            let out = xmlsec1.verify(&file, &[]);
            assert_xmlsec1_fail(&out, &what);
            assert!(
                has_line(&out, "SignedInfo References (ok/all): 0/1"),
                "{what}: xmlsec1 should fail the Reference digest\n{}",
                out.describe()
            );
            match verify(&tampered, id) {
                Err(DsigError::DigestMismatch { id: reported }) => assert_eq!(reported, id),
                other => panic!("{what}: ours should report a digest mismatch, got {other:?}"),
            }
        }
    }
}

#[test]
fn xmlsec1_rejects_what_an_untrusted_key_signed() {
    let Some(xmlsec1) = Xmlsec1::find() else {
        return;
    };
    let dir = temp_dir();

    // The attacker's key, with the attacker's certificate in X509Data: what
    // `--insecure` would accept.
    let signed = sign_with(
        &read_fixture(AWS_RESPONSE),
        RESPONSE_ID,
        SignatureAlgorithm::RsaSha256,
        &attacker_key(),
        &attacker_cert(),
    );
    let file = write_file(&dir, "attacker-x509.xml", &signed);
    assert_xmlsec1_fail(
        &xmlsec1.verify(&file, &[]),
        "a Response signed by the attacker key with its certificate in KeyInfo",
    );
    assert!(
        matches!(
            verify(&signed, RESPONSE_ID),
            Err(DsigError::UntrustedKey { .. })
        ),
        "ours should report an untrusted key"
    );

    // The attacker's key, with its bare public key in KeyValue: what xmlsec1 accepts
    // by default, without --enabled-key-data.
    let template = read_fixture("tests/data/xmlsec1-template-response-rsa-sha256.xml");
    assert!(template.contains("<ds:X509Data></ds:X509Data>"));
    let template = template.replace("<ds:X509Data></ds:X509Data>", "<ds:KeyValue></ds:KeyValue>");
    let template = write_file(&dir, "keyvalue-template.xml", template);
    let signed = xmlsec1.sign(&template, ATTACKER_KEY, None);
    assert!(
        signed.contains("RSAKeyValue>"),
        "xmlsec1 should have embedded the attacker's public key:\n{signed}"
    );
    let file = write_file(&dir, "attacker-keyvalue.xml", &signed);
    assert_xmlsec1_fail(
        &xmlsec1.verify(&file, &[]),
        "a Response signed by the attacker key with its public key in KeyValue",
    );
    assert!(
        matches!(
            verify(&signed, RESPONSE_ID),
            Err(DsigError::BadSignatureValue)
        ),
        "ours should report a bad signature value"
    );
}
