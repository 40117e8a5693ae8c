//! The mock IdP's messages checked by implementations nobody here wrote: its signed
//! Responses verify with xmlsec1 using the certificate its metadata publishes, and
//! Responses and metadata validate against the OASIS SAML 2.0 schemas (issue 3).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use samlsim_crypto::Identity;
use samlsim_emulator::browser::Browser;
use samlsim_emulator::{Config, Emulator, Options};
use samlsim_saml::binding::{Limits, decode_post};
use samlsim_saml::metadata::parse_idp_metadata;
use samlsim_service::{SequentialIds, VirtualClock};

use crate::interop_xmlsec::{Xmlsec1, assert_xmlsec1_ok};
use crate::support::*;

fn emulator() -> Emulator {
    let identity = Identity::from_pem(&read_fixture(IDP_KEY), &read_fixture(IDP_CERT)).unwrap();
    Emulator::start(
        Config::load(None).unwrap(),
        Options {
            data: None,
            clock: Arc::new(VirtualClock::frozen(1_795_435_200)),
            ids: Arc::new(SequentialIds::default()),
            identity: Some(identity),
            cognito_identities: None,
        },
    )
    .unwrap()
}

/// The Response XML the IdP posts for `user` launching `sp`.
fn issued_response(emulator: &Emulator, sp: &str) -> String {
    let mut browser = Browser::new(emulator);
    browser.scripts = false;
    let login = browser.open(&format!("/idp/launch/{sp}"));
    let page = browser.sign_in(&login, "alice", "alice-pass");
    let form = page.form().expect("the POST binding form");
    let xml = decode_post(form.get("SAMLResponse").unwrap(), &Limits::default()).unwrap();
    String::from_utf8(xml).unwrap()
}

#[test]
fn idp_responses_verify_with_xmlsec1_and_the_metadata_certificate() {
    let Some(xmlsec1) = Xmlsec1::find() else {
        return;
    };
    let emulator = emulator();
    // The certificate xmlsec1 trusts is the one the metadata publishes.
    let metadata = parse_idp_metadata(emulator.idp().metadata_xml().unwrap().as_bytes()).unwrap();
    assert_eq!(metadata.signing_certificates, vec![idp_cert()]);
    let dir = temp_dir();
    // aws-console signs both; connect-us-east-1 signs the assertion only.
    for (sp, xpaths) in [
        (
            "aws-console",
            &[
                "/*/*[local-name()='Signature']",
                "/*/*[local-name()='Assertion']/*[local-name()='Signature']",
            ][..],
        ),
        (
            "connect-us-east-1",
            &["/*/*[local-name()='Assertion']/*[local-name()='Signature']"][..],
        ),
    ] {
        let file = write_file(&dir, &format!("{sp}.xml"), issued_response(&emulator, sp));
        for xpath in xpaths {
            let out = xmlsec1.verify(&file, &["--node-xpath", xpath]);
            assert_xmlsec1_ok(
                &out,
                &format!("the IdP's Response for {sp}, signature at {xpath}"),
            );
        }
    }
}

#[test]
fn idp_responses_and_metadata_are_schema_valid() {
    let python = std::env::var("SAMLSIM_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_modules = Command::new(&python)
        .args(["-c", "import xmlschema, saml2"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_modules {
        if std::env::var("SAMLSIM_REQUIRE_INTEROP").is_ok_and(|v| v == "1") {
            panic!(
                "python3 with pysaml2 is required when SAMLSIM_REQUIRE_INTEROP=1 (pip install pysaml2)"
            );
        }
        eprintln!(
            "note: skipping schema validation: python3 with pysaml2 not found (pip install pysaml2)"
        );
        return;
    }
    let emulator = emulator();
    let dir = temp_dir();
    let script = repo_path("crates/saml/tests/validate_schema.py");
    let validate = |kind: &str, files: &[&Path]| {
        let output = Command::new(&python)
            .arg(&script)
            .arg(kind)
            .args(files)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{kind} schema validation failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let both = write_file(&dir, "both.xml", issued_response(&emulator, "aws-console"));
    let assertion = write_file(
        &dir,
        "assertion.xml",
        issued_response(&emulator, "connect-us-east-1"),
    );
    validate("protocol", &[&both, &assertion]);
    let metadata = write_file(&dir, "metadata.xml", emulator.idp().metadata_xml().unwrap());
    validate("metadata", &[&metadata]);
}

/// pysaml2 and python3-saml, SP libraries nobody here wrote, registered from
/// their own generated metadata (`application/samlmetadata+xml`), through
/// SP-initiated SSO with their default security settings, signed requests,
/// IsPassive, ForceAuthn and NameIDPolicy (issue 12): each accepts samlsim's
/// Responses, or reads its statuses as the status they are.
#[test]
fn pysaml2_and_python3_saml_sps_from_their_own_metadata_accept_samlsims_answers() {
    let python = std::env::var("SAMLSIM_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_modules = Command::new(&python)
        .args(["-c", "import saml2, onelogin.saml2.auth, requests"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_modules || require_tool("xmlsec1").is_none() {
        if std::env::var("SAMLSIM_REQUIRE_INTEROP").is_ok_and(|v| v == "1") {
            panic!(
                "python3 with pysaml2 and python3-saml is required when SAMLSIM_REQUIRE_INTEROP=1 (pip install pysaml2 python3-saml)"
            );
        }
        eprintln!(
            "note: skipping SP library interop: python3 with pysaml2 and python3-saml not found (pip install pysaml2 python3-saml)"
        );
        return;
    }
    let options = Options {
        data: None,
        clock: Arc::new(VirtualClock::system()),
        ids: Arc::new(SequentialIds::default()),
        identity: Some(
            Identity::from_pem(&read_fixture(IDP_KEY), &read_fixture(IDP_CERT)).unwrap(),
        ),
        cognito_identities: None,
    };
    let served =
        samlsim_emulator::server::Served::start(Config::load(None).unwrap(), options).unwrap();
    let output = Command::new(&python)
        .arg(repo_path("tests/sdk/sp_libraries.py"))
        .arg(served.url())
        .arg(repo_path("certs/test-only-attacker-key.pem"))
        .arg(repo_path("certs/test-only-attacker-cert.pem"))
        .env("NO_PROXY", "127.0.0.1,localhost")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the SP library script failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let out: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let pysaml2 = &out["pysaml2"];
    for case in ["default", "passive_with_session", "force_authn", "signed"] {
        assert_eq!(pysaml2[case]["name_id"], "alice", "pysaml2 {case}: {out:#}");
    }
    assert_eq!(
        pysaml2["passive_without_session"]["error"], "StatusNoPassive",
        "{out:#}"
    );
    assert_eq!(
        pysaml2["force_authn"]["login"], true,
        "ForceAuthn asks again: {out:#}"
    );
    assert_eq!(pysaml2["passive_with_session"]["login"], false, "{out:#}");
    assert_eq!(pysaml2["email"]["name_id"], "alice@example.com", "{out:#}");
    assert_eq!(
        pysaml2["x509_name"]["error"], "StatusInvalidNameidPolicy",
        "{out:#}"
    );
    assert_eq!(pysaml2["signed_registered"], true, "{out:#}");

    let onelogin = &out["python3_saml"];
    for case in [
        "default",
        "passive_with_session",
        "force_authn",
        "signed",
        "email",
    ] {
        assert_eq!(
            onelogin[case]["errors"],
            serde_json::json!([]),
            "python3-saml {case}: {out:#}"
        );
        assert_eq!(
            onelogin[case]["authenticated"], true,
            "python3-saml {case}: {out:#}"
        );
    }
    assert_eq!(onelogin["default"]["name_id"], "alice", "{out:#}");
    assert_eq!(onelogin["email"]["name_id"], "alice@example.com", "{out:#}");
    assert_eq!(onelogin["force_authn"]["login"], true, "{out:#}");
    assert_eq!(onelogin["signed_registered"], true, "{out:#}");
    let reason = onelogin["passive_without_session"]["reason"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.contains("was not Success, was Responder"), "{out:#}");
    let events = served
        .emulator()
        .events()
        .list(&Default::default())
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.rule.as_deref() == Some("no-passive"))
    );
    assert!(
        events
            .iter()
            .any(|e| e.rule.as_deref() == Some("invalid-name-id-policy"))
    );
}
