//! The mock STS as AWS SDKs see it: boto3 and the AWS CLI, pointed at samlsim with
//! an endpoint override, parse its answers (issue 4). They talk to a real server on
//! 127.0.0.1 and nothing else (AWS_EC2_METADATA_DISABLED, dummy credentials).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use samlsim_crypto::Identity;
use samlsim_emulator::browser::Browser;
use samlsim_emulator::{Config, Emulator, Options};
use samlsim_service::SequentialIds;
use samlsim_service::VirtualClock;

use crate::support::*;

const ROLE: &str = "arn:aws:iam::123456789012:role/ConnectFederation";
const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP";

/// A Python with boto3 (the CI virtualenv), or None with the usual note.
pub(crate) fn python_with_boto3() -> Option<PathBuf> {
    let python = std::env::var("SAMLSIM_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import boto3"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(PathBuf::from(python));
    }
    if std::env::var("SAMLSIM_REQUIRE_INTEROP").is_ok_and(|v| v == "1") {
        panic!(
            "python3 with boto3 is required when SAMLSIM_REQUIRE_INTEROP=1 (pip install boto3 awscli)"
        );
    }
    // Straight to the process's stderr, as `require_tool` does: the harness captures
    // `eprintln!` of passing tests, and a skip nobody sees is as bad as a silent pass.
    let test = std::thread::current()
        .name()
        .unwrap_or("this test")
        .to_owned();
    let _ = writeln!(
        std::io::stderr(),
        "note: skipping {test}: no python3 with boto3 (pip install boto3 awscli; \
         SAMLSIM_PYTHON names the interpreter)"
    );
    None
}

/// The default world served on an ephemeral loopback port, with the test-only
/// IdP key; `sts_url` is where SDKs point their endpoint override.
pub(crate) struct Served(samlsim_emulator::server::Served);

impl Served {
    pub(crate) fn start() -> Served {
        let identity = Identity::from_pem(&read_fixture(IDP_KEY), &read_fixture(IDP_CERT)).unwrap();
        let options = Options {
            data: None,
            clock: Arc::new(VirtualClock::system()),
            ids: Arc::new(SequentialIds::default()),
            identity: Some(identity),
            cognito_identities: None,
        };
        Served(
            samlsim_emulator::server::Served::start(Config::load(None).unwrap(), options).unwrap(),
        )
    }

    /// The served emulator's base URL.
    pub(crate) fn url(&self) -> String {
        self.0.url()
    }

    pub(crate) fn sts_url(&self) -> String {
        format!("{}/aws/sts.amazonaws.com", self.0.url())
    }

    pub(crate) fn emulator(&self) -> &Emulator {
        self.0.emulator()
    }

    /// A fresh assertion for alice from the IdP, as the browser would post it.
    pub(crate) fn assertion(&self) -> String {
        let mut browser = Browser::new(self.emulator());
        browser.scripts = false;
        let login = browser.open("/idp/launch/connect-us-east-1");
        let page = browser.sign_in(&login, "alice", "alice-pass");
        page.form().unwrap().get("SAMLResponse").unwrap().to_owned()
    }
}

/// Environment that keeps the SDK on loopback and away from real credentials.
pub(crate) fn isolated(command: &mut Command) -> &mut Command {
    command
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
}

fn boto3(python: &PathBuf, served: &Served, assertion: &str) -> serde_json::Value {
    let dir = temp_dir();
    let file = write_file(&dir, "assertion.b64", assertion);
    let output =
        isolated(Command::new(python).arg(repo_path("tests/sdk/sts_assume_role_with_saml.py")))
            .args([&served.sts_url(), ROLE, PROVIDER])
            .arg(&file)
            .output()
            .unwrap();
    assert!(
        output.status.success(),
        "boto3 script failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn boto3_assumes_the_role_and_parses_every_field() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let served = Served::start();
    let response = boto3(&python, &served, &served.assertion());
    assert!(
        response["Credentials"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIA"),
        "{response}"
    );
    assert!(
        response["Credentials"]["Expiration"].as_str().is_some(),
        "{response}"
    );
    assert_eq!(
        response["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::123456789012:assumed-role/ConnectFederation/alice"
    );
    assert_eq!(response["Subject"], "alice");
    assert_eq!(response["SubjectType"], "persistent");
    assert_eq!(
        response["Audience"],
        "https://us-east-1.signin.aws.amazon.com/saml"
    );
    assert_eq!(response["Issuer"], served.emulator().idp().entity_id());
    assert!(
        response["NameQualifier"]
            .as_str()
            .is_some_and(|q| !q.is_empty())
    );
    assert!(
        response["ResponseMetadata"]["RequestId"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
}

#[test]
fn boto3_reports_aws_error_codes() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let served = Served::start();
    let assertion = served.assertion();
    // As on AWS, one assertion may be redeemed again while it is valid (tools
    // cache it to assume several roles), so a second use still succeeds.
    let first = boto3(&python, &served, &assertion);
    assert!(first.get("Credentials").is_some(), "{first}");
    let again = boto3(&python, &served, &assertion);
    assert!(again.get("Credentials").is_some(), "{again}");
    assert_ne!(
        again["Credentials"]["AccessKeyId"],
        first["Credentials"]["AccessKeyId"]
    );
    // Tampered: a changed NameID breaks the signature.
    let xml = String::from_utf8(
        samlsim_saml::binding::decode_post(&served.assertion(), &Default::default()).unwrap(),
    )
    .unwrap();
    let tampered = samlsim_saml::binding::encode_post(xml.replace(">alice<", ">admin<").as_bytes());
    let refused = boto3(&python, &served, &tampered);
    assert_eq!(
        refused["error"]["Code"], "InvalidIdentityToken",
        "{refused}"
    );
    assert!(
        refused["error"]["Message"]
            .as_str()
            .unwrap()
            .contains("Response signature invalid"),
        "{refused}"
    );
    // Expired: the virtual clock moves past NotOnOrAfter and the skew.
    let later = served.assertion();
    served.emulator().clock().advance(11 * 60);
    let expired = boto3(&python, &served, &later);
    assert_eq!(
        expired["error"]["Code"], "ExpiredTokenException",
        "{expired}"
    );
}

#[test]
fn the_aws_cli_assumes_the_role() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let cli = python
        .parent()
        .map(|d| d.join("aws"))
        .filter(|p| p.exists())
        .or_else(|| require_tool("aws"));
    let Some(cli) = cli else { return };
    let served = Served::start();
    let output = isolated(&mut Command::new(&cli))
        .args([
            "sts",
            "assume-role-with-saml",
            "--endpoint-url",
            &served.sts_url(),
            "--region",
            "us-east-1",
            "--output",
            "json",
            "--role-arn",
            ROLE,
            "--principal-arn",
            PROVIDER,
            "--saml-assertion",
            &served.assertion(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "aws cli failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        response["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::123456789012:assumed-role/ConnectFederation/alice"
    );
    // And a refusal comes back as the CLI's usual error line with AWS's code.
    let output = isolated(&mut Command::new(&cli))
        .args([
            "sts",
            "assume-role-with-saml",
            "--endpoint-url",
            &served.sts_url(),
            "--region",
            "us-east-1",
            "--role-arn",
            "arn:aws:iam::123456789012:role/ReadOnly",
            "--principal-arn",
            PROVIDER,
            "--saml-assertion",
            &served.assertion(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("(AccessDenied)") && stderr.contains("AssumeRoleWithSAML"),
        "{stderr}"
    );
}

/// An IdP samlsim did not write: xmlsec1 signs the fixture Response (Issuer
/// `https://idp.example.com/saml/metadata`) from a template, IAM gets a provider
/// made from matching metadata, and STS accepts the result (issue 4).
#[test]
fn a_response_signed_by_xmlsec1_for_a_provider_from_matching_metadata_is_accepted() {
    use samlsim_saml::metadata::{Endpoint, IdpMetadata, build_idp_metadata};
    use samlsim_service::Request;
    use samlsim_service::http::{Method, StatusCode};

    let Some(xmlsec1) = crate::interop_xmlsec::Xmlsec1::find() else {
        return;
    };
    let signed = xmlsec1.sign(
        &repo_path("tests/data/xmlsec1-template-response-rsa-sha256.xml"),
        IDP_KEY,
        Some(IDP_CERT),
    );

    // The fixture's times: issued 10:00:00Z, valid until 10:05:00Z.
    let identity = Identity::from_pem(&read_fixture(IDP_KEY), &read_fixture(IDP_CERT)).unwrap();
    let emulator = Emulator::start(
        Config::load(None).unwrap(),
        Options {
            data: None,
            clock: Arc::new(VirtualClock::frozen(1_795_428_060)), // 2026-11-23T10:01:00Z
            ids: Arc::new(SequentialIds::default()),
            identity: Some(identity),
            cognito_identities: None,
        },
    )
    .unwrap();
    let metadata = build_idp_metadata(&IdpMetadata {
        entity_id: "https://idp.example.com/saml/metadata".into(),
        valid_until: None,
        cache_duration: None,
        want_authn_requests_signed: false,
        signing_certificates: vec![idp_cert()],
        single_logout_services: vec![],
        name_id_formats: vec![],
        single_sign_on_services: vec![Endpoint {
            binding: samlsim_saml::uri::binding::HTTP_POST.into(),
            location: "https://idp.example.com/sso".into(),
            response_location: None,
        }],
    })
    .unwrap();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/ExampleIdP"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}"#;
    let account = serde_json::json!({
        "id": "123456789012",
        "saml_providers": [{"name": "ExampleIdP", "metadata": metadata}],
        "roles": [{"name": "ConnectFederation", "trust_policy": trust, "max_session_duration": 43200}],
    });
    let response =
        emulator.handle(&Request::new(Method::POST, "/_admin/aws/accounts").with_json(&account));
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{}",
        response.text_body()
    );

    let assertion = samlsim_saml::binding::encode_post(signed.as_bytes());
    let sts = emulator.handle(
        &Request::new(Method::POST, "/aws/sts.amazonaws.com/").with_form(&[
            ("Action", "AssumeRoleWithSAML"),
            ("Version", "2011-06-15"),
            ("RoleArn", ROLE),
            (
                "PrincipalArn",
                "arn:aws:iam::123456789012:saml-provider/ExampleIdP",
            ),
            ("SAMLAssertion", &assertion),
        ]),
    );
    let body = sts.text_body();
    assert_eq!(sts.status, StatusCode::OK, "{body}");
    assert!(
        body.contains("<Subject>alice@example.com</Subject>"),
        "{body}"
    );
    assert!(
        body.contains(
            "<Arn>arn:aws:sts::123456789012:assumed-role/ConnectFederation/alice@example.com</Arn>"
        ),
        "{body}"
    );
}

/// One AWS endpoint: boto3 and the AWS CLI reach STS (and cognito-idp) with only
/// `AWS_ENDPOINT_URL` set to the base URL; unknown actions and services come back
/// as AWS-shaped errors the SDK raises as ClientError, never HTML (issue 12).
#[test]
fn sdks_reach_every_emulated_api_at_the_base_url() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let served = Served::start();
    let dir = temp_dir();
    let file = write_file(&dir, "assertion.b64", served.assertion());
    let output = isolated(Command::new(&python).arg(repo_path("tests/sdk/base_url.py")))
        .env("AWS_ENDPOINT_URL", served.0.url())
        .args([ROLE, PROVIDER])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "boto3 at the base URL failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let out: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        out["sts"], "arn:aws:sts::123456789012:assumed-role/ConnectFederation/alice",
        "{out}"
    );
    assert!(
        out["connect"]
            .to_string()
            .contains(":instance/178c75e4-b3de-4839-a6aa-e321ab3f3770/agent/"),
        "Connect's GetFederationToken at the base URL: {out}"
    );
    assert!(
        out["pools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "us-east-1_SamlSim01"),
        "{out}"
    );
    assert_eq!(out["sts_unknown"], "InvalidAction", "{out}");
    assert_eq!(out["iam_unknown"], "InvalidAction", "{out}");
    assert_eq!(out["json_unknown"], "UnknownOperationException", "{out}");

    let cli = python
        .parent()
        .map(|d| d.join("aws"))
        .filter(|p| p.exists())
        .or_else(|| require_tool("aws"));
    let Some(cli) = cli else { return };
    let output = isolated(&mut Command::new(&cli))
        .env("AWS_ENDPOINT_URL", served.0.url())
        .args([
            "sts",
            "assume-role-with-saml",
            "--region",
            "us-east-1",
            "--output",
            "json",
            "--role-arn",
            ROLE,
            "--principal-arn",
            PROVIDER,
            "--saml-assertion",
            &served.assertion(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "aws cli at the base URL failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        response["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::123456789012:assumed-role/ConnectFederation/alice"
    );
}
