//! The IAM and Connect control planes as SDK users drive them (issue 14): boto3,
//! the AWS CLI and the JavaScript SDK v3 build a Connect federation from nothing
//! against a served samlsim (SAML provider from the IdP's metadata, a role
//! trusting it with `SAML:aud`, a permission policy for
//! `connect:GetFederationToken`, a Connect user), then the scripted browser signs
//! in through exactly that setup and reaches the CCP. Every operation's errors come
//! back as the exception class the SDK knows (tests/sdk/control_plane.py).

use std::path::Path;
use std::process::Command;

use samlsim_emulator::browser::{Browser, Page};
use samlsim_service::Request;
use samlsim_service::http::{Method, StatusCode};

use crate::aws_sdk::{Served, isolated, python_with_boto3};
use crate::support::*;

const ACCOUNT: &str = "123456789012";
const INSTANCE: &str = "178c75e4-b3de-4839-a6aa-e321ab3f3770";
const CCP: &str = "/aws/example-corp.my.connect.aws/ccp-v2";

/// The IdP's side of the new federation, through its admin API: a directory
/// user and an SP whose Role attribute names the role and provider the SDK made,
/// landing on the CCP.
fn add_agent(served: &Served, username: &str, role: &str, provider: &str) {
    let emulator = served.emulator();
    let post = |path: &str, body: serde_json::Value| {
        let response = emulator.handle(&Request::new(Method::POST, path).with_json(&body));
        assert!(
            response.status.is_success(),
            "{path}: {} {}",
            response.status,
            response.text_body()
        );
    };
    post(
        "/_admin/idp/users",
        serde_json::json!({
            "username": username, "password": format!("{username}-pass"),
            "display_name": username, "email": format!("{username}@example.com"),
        }),
    );
    post(
        "/_admin/idp/service-providers",
        serde_json::json!({
            "id": format!("{username}-connect"),
            "label": "Amazon Connect (set up with an SDK)",
            "entity_id": "urn:amazon:webservices",
            "acs_url": "https://us-east-1.signin.aws.amazon.com/saml",
            "relay_state": format!("https://us-east-1.console.aws.amazon.com/connect/federate/{INSTANCE}?destination=%2Fccp-v2"),
            "sign": "assertion",
            "aws": {
                "roles": [format!("arn:aws:iam::{ACCOUNT}:role/{role},arn:aws:iam::{ACCOUNT}:saml-provider/{provider}")],
                "role_session_name_from": "username",
                "session_duration": 3600,
            },
        }),
    );
}

/// The six steps for `username` through its SP: IdP, sign-in with the new
/// provider and role, Connect federation with the new permission policy and user.
fn sign_in_to_ccp(served: &Served, username: &str) -> Page {
    let mut browser = Browser::new(served.emulator());
    let login = browser.open(&format!("/idp/launch/{username}-connect"));
    browser.sign_in(&login, username, &format!("{username}-pass"))
}

fn assert_on_ccp(page: &Page) {
    assert_eq!(page.status(), StatusCode::OK, "{}", page.text());
    assert_eq!(page.url, CCP, "{:?}", page.trail);
}

#[test]
fn boto3_builds_the_federation_from_nothing_and_an_agent_reaches_the_ccp() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let served = Served::start();
    let dir = temp_dir();
    let assertion = write_file(&dir, "assertion.b64", served.assertion());
    let output = isolated(&mut Command::new(&python))
        .arg(repo_path("tests/sdk/control_plane.py"))
        .arg(served.url())
        .arg(&assertion)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "control_plane.py failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["role_arn"],
        format!("arn:aws:iam::{ACCOUNT}:role/SdkConnectFederation")
    );
    // Every operation's error was raised as boto3's typed exception.
    let checked: Vec<&str> = report["checked"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    for operation in [
        "CreateSAMLProvider",
        "GetSAMLProvider",
        "UpdateSAMLProvider",
        "DeleteSAMLProvider",
        "CreateRole",
        "GetRole",
        "UpdateAssumeRolePolicy",
        "UpdateRole",
        "DeleteRole",
        "PutRolePolicy",
        "GetRolePolicy",
        "DeleteRolePolicy",
        "ListRolePolicies",
        "CreateUser",
        "DescribeInstance",
        "DescribeUser",
        "ListUsers",
        "SearchUsers",
        "UpdateUserSecurityProfiles",
        "DeleteUser",
        "ListSecurityProfiles",
        "ListRoutingProfiles",
        "AssociateApprovedOrigin",
        "DisassociateApprovedOrigin",
        "ListApprovedOrigins",
    ] {
        assert!(
            checked
                .iter()
                .any(|c| c.starts_with(&format!("{operation} "))),
            "no error of {operation} was checked: {checked:?}"
        );
    }
    assert!(
        report["denied"]
            .as_str()
            .unwrap()
            .contains("is not authorized to perform: connect:CreateUser"),
        "{report}"
    );
    // The refusals the script provoked are the rules the catalogue names.
    let events = served
        .emulator()
        .events()
        .list(&Default::default())
        .unwrap();
    for rule in [
        "iam-no-such-entity",
        "iam-entity-already-exists",
        "iam-invalid-input",
        "iam-validation",
        "iam-malformed-policy",
        "iam-limit-exceeded",
        "iam-delete-conflict",
        "invalid-client-token-id",
        "signature-does-not-match",
        "iam-access-denied",
        "resource-not-found",
        "duplicate-resource",
        "resource-conflict",
        "invalid-parameter",
        "invalid-request",
        "access-denied",
        "invalid-signature",
        "unrecognized-client",
    ] {
        assert!(
            events.iter().any(|e| e.rule.as_deref() == Some(rule)),
            "no {rule} event"
        );
    }

    add_agent(&served, "sdk-agent", "SdkConnectFederation", "SdkIdP");
    assert_on_ccp(&sign_in_to_ccp(&served, "sdk-agent"));
}

/// `aws` beside the CI virtualenv's python, or on PATH.
fn aws_cli(python: &Path) -> Option<std::path::PathBuf> {
    python
        .parent()
        .map(|d| d.join("aws"))
        .filter(|p| p.exists())
        .or_else(|| require_tool("aws"))
}

#[test]
fn the_aws_cli_builds_the_federation_and_an_agent_reaches_the_ccp() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let Some(cli) = aws_cli(&python) else { return };
    let served = Served::start();
    let dir = temp_dir();
    let iam = format!("{}/aws/iam.amazonaws.com", served.url());
    let connect = format!("{}/aws/connect.us-east-1.amazonaws.com", served.url());
    let aws = |endpoint: &str, args: &[&str]| -> Result<serde_json::Value, String> {
        let output = isolated(&mut Command::new(&cli))
            .args(args)
            .args([
                "--endpoint-url",
                endpoint,
                "--region",
                "us-east-1",
                "--output",
                "json",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
        Ok(if stdout.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&stdout).unwrap()
        })
    };
    let metadata = write_file(
        &dir,
        "metadata.xml",
        served.emulator().idp().metadata_xml().unwrap(),
    );
    let provider = aws(
        &iam,
        &[
            "iam",
            "create-saml-provider",
            "--name",
            "CliIdP",
            "--saml-metadata-document",
            &format!("file://{}", metadata.display()),
        ],
    )
    .unwrap();
    let provider_arn = provider["SAMLProviderArn"].as_str().unwrap().to_owned();
    let trust = write_file(
        &dir,
        "trust.json",
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://us-east-1.signin.aws.amazon.com/saml"}},
            }],
        })
        .to_string(),
    );
    let trust = format!("file://{}", trust.display());
    aws(
        &iam,
        &[
            "iam",
            "create-role",
            "--role-name",
            "CliConnectFederation",
            "--assume-role-policy-document",
            &trust,
        ],
    )
    .unwrap();
    let permission = write_file(
        &dir,
        "permission.json",
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "connect:GetFederationToken",
                "Resource": "*",
                "Condition": {"StringEquals": {"connect:InstanceId": INSTANCE}},
            }],
        })
        .to_string(),
    );
    aws(
        &iam,
        &[
            "iam",
            "put-role-policy",
            "--role-name",
            "CliConnectFederation",
            "--policy-name",
            "ConnectFederation",
            "--policy-document",
            &format!("file://{}", permission.display()),
        ],
    )
    .unwrap();
    let profiles = aws(
        &connect,
        &[
            "connect",
            "list-security-profiles",
            "--instance-id",
            INSTANCE,
        ],
    )
    .unwrap();
    let agent = profiles["SecurityProfileSummaryList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Name"] == "Agent")
        .unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let routing = aws(
        &connect,
        &[
            "connect",
            "list-routing-profiles",
            "--instance-id",
            INSTANCE,
        ],
    )
    .unwrap()["RoutingProfileSummaryList"][0]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let create_user = [
        "connect",
        "create-user",
        "--instance-id",
        INSTANCE,
        "--username",
        "cli-agent",
        "--phone-config",
        "PhoneType=SOFT_PHONE",
        "--security-profile-ids",
        &agent,
        "--routing-profile-id",
        &routing,
    ];
    aws(&connect, &create_user).unwrap();
    // Errors are the CLI's usual lines with AWS's codes.
    let again = aws(&connect, &create_user).unwrap_err();
    assert!(again.contains("(DuplicateResourceException)"), "{again}");
    let missing = aws(&iam, &["iam", "get-role", "--role-name", "Nobody"]).unwrap_err();
    assert!(missing.contains("(NoSuchEntity)"), "{missing}");
    let exists = aws(
        &iam,
        &[
            "iam",
            "create-role",
            "--role-name",
            "CliConnectFederation",
            "--assume-role-policy-document",
            &trust,
        ],
    )
    .unwrap_err();
    assert!(exists.contains("(EntityAlreadyExists)"), "{exists}");

    add_agent(&served, "cli-agent", "CliConnectFederation", "CliIdP");
    assert_on_ccp(&sign_in_to_ccp(&served, "cli-agent"));
}

/// `node` with the JavaScript SDK installed in tests/sdk-js (`npm ci` there, as
/// .ci/run does), or None with the usual note.
fn node_with_sdk() -> Option<std::path::PathBuf> {
    let node = require_tool("node")?;
    if repo_path("tests/sdk-js/node_modules/@aws-sdk/client-connect").is_dir() {
        return Some(node);
    }
    if std::env::var(REQUIRE_INTEROP).is_ok_and(|v| v == "1") {
        panic!(
            "the JavaScript SDK is required when {REQUIRE_INTEROP}=1: run `npm ci` in tests/sdk-js"
        );
    }
    eprintln!("note: skipping the JavaScript SDK test: run `npm ci` in tests/sdk-js");
    None
}

#[test]
fn the_javascript_sdk_assumes_the_role_with_a_samlsim_assertion_and_lists_the_connect_users() {
    let Some(node) = node_with_sdk() else { return };
    let served = Served::start();
    let dir = temp_dir();
    let assertion = write_file(&dir, "assertion.b64", served.assertion());
    let output = isolated(&mut Command::new(&node))
        .arg(repo_path("tests/sdk-js/assume_and_list.mjs"))
        .arg(served.url())
        .arg(&assertion)
        .arg(format!("arn:aws:iam::{ACCOUNT}:role/ConnectFederation"))
        .arg(format!(
            "arn:aws:iam::{ACCOUNT}:saml-provider/ExampleCorpIdP"
        ))
        .arg(INSTANCE)
        .current_dir(repo_path("tests/sdk-js"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "assume_and_list.mjs failed:\n{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["assumed_role_arn"],
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/ConnectFederation/alice")
    );
    assert_eq!(
        report["users"],
        serde_json::json!(["admin", "alice", "jdoe"]),
        "{report}"
    );
    assert_eq!(
        report["errors"],
        serde_json::json!([
            "NoSuchEntityException",
            "ResourceNotFoundException",
            "AccessDeniedException"
        ])
    );
}
