//! The mock Cognito user pool as AWS SDKs see it (issue 10): boto3's `cognito-idp`
//! client (`tests/sdk/cognito_idp.py`) and the AWS CLI, pointed at samlsim with an
//! endpoint override, set up a pool, a hosted-UI domain, a SAML provider made from
//! samlsim's IdP metadata URL, and an app client using it; after a federated
//! sign-in through the hosted UI (the in-process scripted browser) they list the
//! `<Provider>_<NameID>` user and delete it; unknown pools and bad values come back
//! as the modeled exceptions botocore raises (`ResourceNotFoundException`,
//! `InvalidParameterException`, `UserNotFoundException`).
//!
//! Needs a Python with boto3 (`SAMLSIM_PYTHON`, as `.ci/run` sets up) and the AWS
//! CLI next to it; skipped with a note without them, unless `SAMLSIM_REQUIRE_INTEROP=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use samlsim_emulator::browser::Browser;
use samlsim_emulator::server::Served;
use serde_json::Value;

use crate::aws_sdk::{isolated, python_with_boto3};
use crate::cognito_support::*;
use crate::support::*;

const PROVIDER: &str = "SamlsimIdP";
/// Cognito allows http only for localhost callbacks (aws-facts, app clients).
const CALLBACK: &str = "http://localhost/callback";

/// Runs `tests/sdk/cognito_idp.py <command> <endpoint> <args>` and parses its JSON.
fn boto3(python: &Path, served: &Served, command: &str, args: &[&str]) -> Value {
    let output = isolated(Command::new(python).arg(repo_path("tests/sdk/cognito_idp.py")))
        .arg(command)
        .arg(cognito_api_url(served))
        .args(args)
        .output()
        .expect("running python");
    assert!(
        output.status.success(),
        "cognito_idp.py {command} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "cognito_idp.py {command} printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The `ok` response of one recorded call, failing with the whole record otherwise.
fn ok<'a>(record: &'a Value, call: &str) -> &'a Value {
    record[call]
        .get("ok")
        .unwrap_or_else(|| panic!("{call} failed: {}\nall calls: {record:#}", record[call]))
}

/// Asserts that `call` failed with botocore's modeled exception class `class`.
fn assert_raised(record: &Value, call: &str, class: &str) {
    let error = record[call].get("error").unwrap_or_else(|| {
        panic!(
            "{call} should have raised {class} but succeeded: {}",
            record[call]
        )
    });
    assert_eq!(
        error["class"], class,
        "{call}: botocore raised {} (code {}, message {:?}), expected {class}",
        error["class"], error["code"], error["message"]
    );
    assert_eq!(
        error["modeled"], true,
        "{call}: {class} is not client.exceptions.{class}: {error}"
    );
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{call}: {class} without a message: {error}"
    );
    assert_eq!(error["status"], 400, "{call}: {error}");
}

/// The value of attribute `name` in a ListUsers/AdminGetUser attribute list.
fn attribute<'a>(attributes: &'a Value, name: &str) -> Option<&'a str> {
    attributes
        .as_array()?
        .iter()
        .find(|a| a["Name"] == name)
        .and_then(|a| a["Value"].as_str())
}

/// A unique domain prefix per test, as domains are global on AWS.
fn domain_prefix(tag: &str) -> String {
    format!("cogtest-{tag}-{}", std::process::id())
}

/// Signs alice in through the hosted UI of the new pool and returns the callback URL.
fn sign_in_alice(served: &Served, pool_id: &str, client_id: &str, domain: &str) -> String {
    register_pool_with_idp(served, &format!("cognito-{domain}"), pool_id, domain);
    let mut browser = Browser::new(&**served.emulator());
    let authorize = authorize_url(domain, client_id, CALLBACK, PROVIDER, "st-123");
    let page = federated_sign_in(&mut browser, &authorize, "alice", "alice-pass");
    assert!(
        page.url.starts_with(&format!("{CALLBACK}?")),
        "expected Cognito to redirect to {CALLBACK} with a code; ended on {} {} (trail {:?}):\n{}",
        page.status(),
        page.url,
        page.trail,
        excerpt(&page.text())
    );
    assert!(
        query_param(&page.url, "code").is_some_and(|c| !c.is_empty()),
        "no code in {}",
        page.url
    );
    assert_eq!(
        query_param(&page.url, "state").as_deref(),
        Some("st-123"),
        "{}",
        page.url
    );
    page.url
}

#[test]
fn boto3_sets_up_a_saml_pool_lists_and_deletes_the_federated_user() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let served = serve();
    let metadata_url = format!("{}/idp/metadata", served.url());
    let domain = domain_prefix("boto3");

    // Setup, each call read back.
    let setup = boto3(
        &python,
        &served,
        "setup",
        &[&metadata_url, &domain, CALLBACK],
    );
    let pool = &ok(&setup, "create_user_pool")["UserPool"];
    let pool_id = pool["Id"].as_str().expect("a pool ID");
    assert!(
        pool_id.starts_with("us-east-1_") && pool_id.len() > "us-east-1_".len(),
        "pool ID {pool_id} is not <region>_<id>"
    );
    assert_eq!(
        ok(&setup, "describe_user_pool")["UserPool"]["Id"],
        pool_id,
        "{setup:#}"
    );
    assert_eq!(
        ok(&setup, "describe_user_pool")["UserPool"]["UsernameConfiguration"]["CaseSensitive"],
        false,
        "{setup:#}"
    );
    ok(&setup, "create_user_pool_domain");
    assert_eq!(
        ok(&setup, "describe_user_pool_after")["UserPool"]["Domain"],
        domain.as_str(),
        "DescribeUserPool names the domain"
    );
    let provider = &ok(&setup, "create_identity_provider")["IdentityProvider"];
    assert_eq!(provider["ProviderName"], PROVIDER);
    assert_eq!(provider["ProviderType"], "SAML");
    let described = &ok(&setup, "describe_identity_provider")["IdentityProvider"];
    assert_eq!(
        described["ProviderDetails"]["MetadataURL"], metadata_url,
        "{described:#}"
    );
    assert_eq!(described["AttributeMapping"]["email"], "email");
    assert!(
        ok(&setup, "list_identity_providers")["Providers"]
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["ProviderName"] == PROVIDER)),
        "{setup:#}"
    );
    let client_id = setup["client_id"].as_str().expect("a client ID");
    let client = &ok(&setup, "describe_user_pool_client")["UserPoolClient"];
    assert_eq!(client["ClientId"], client_id);
    assert_eq!(client["UserPoolId"], pool_id);
    assert_eq!(client["SupportedIdentityProviders"][0], PROVIDER);
    assert_eq!(client["CallbackURLs"][0], CALLBACK);
    assert_eq!(client["AllowedOAuthFlows"][0], "code");

    // No users before anyone signs in.
    let before = boto3(&python, &served, "users", &[pool_id]);
    assert_eq!(
        ok(&before, "list_users")["Users"].as_array().map(Vec::len),
        Some(0),
        "{before:#}"
    );

    // A federated sign-in creates <Provider>_<NameID> (NameID = alice's email).
    sign_in_alice(&served, pool_id, client_id, &domain);
    let expected = format!("{PROVIDER}_alice@example.com");
    let users = boto3(&python, &served, "users", &[pool_id]);
    let listed = ok(&users, "list_users")["Users"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{users:#}");
    let user = &listed[0];
    assert_eq!(user["Username"], expected.as_str(), "{user:#}");
    assert_eq!(user["UserStatus"], "EXTERNAL_PROVIDER", "{user:#}");
    assert_eq!(user["Enabled"], true, "{user:#}");
    assert_eq!(
        attribute(&user["Attributes"], "email"),
        Some("alice@example.com"),
        "the mapped email attribute: {user:#}"
    );
    let identities: Value = serde_json::from_str(
        attribute(&user["Attributes"], "identities")
            .unwrap_or_else(|| panic!("no identities attribute: {user:#}")),
    )
    .expect("identities is JSON");
    assert_eq!(identities[0]["providerName"], PROVIDER, "{identities}");
    assert_eq!(identities[0]["providerType"], "SAML", "{identities}");
    assert_eq!(identities[0]["userId"], "alice@example.com", "{identities}");
    assert_eq!(
        ok(&users, "list_users_filtered")["Users"][0]["Username"],
        expected.as_str(),
        "{users:#}"
    );
    assert_eq!(
        ok(&users, "list_users_prefix")["Users"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{users:#}"
    );
    assert_eq!(
        ok(&users, "list_users_no_match")["Users"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "{users:#}"
    );
    assert_eq!(
        ok(&users, "admin_get_user")["Username"],
        expected.as_str(),
        "{users:#}"
    );
    assert_eq!(
        ok(&users, "admin_get_user")["UserStatus"],
        "EXTERNAL_PROVIDER"
    );

    // AdminDeleteUser removes it; it is then unknown.
    let deleted = boto3(&python, &served, "delete", &[pool_id, &expected]);
    ok(&deleted, "admin_delete_user");
    assert_eq!(
        ok(&deleted, "list_users")["Users"].as_array().map(Vec::len),
        Some(0),
        "{deleted:#}"
    );
    assert_raised(&deleted, "admin_get_user", "UserNotFoundException");
    assert_raised(&deleted, "admin_delete_user_again", "UserNotFoundException");
}

#[test]
fn boto3_raises_cognitos_modeled_exceptions() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let served = serve();
    let metadata_url = format!("{}/idp/metadata", served.url());
    let setup = boto3(
        &python,
        &served,
        "setup",
        &[&metadata_url, &domain_prefix("errors"), CALLBACK],
    );
    let pool_id = setup["pool_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no pool: {setup:#}"));
    let errors = boto3(&python, &served, "errors", &[pool_id]);
    assert_raised(
        &errors,
        "describe_unknown_pool",
        "ResourceNotFoundException",
    );
    assert_raised(
        &errors,
        "list_users_unknown_pool",
        "ResourceNotFoundException",
    );
    assert_raised(
        &errors,
        "describe_unknown_provider",
        "ResourceNotFoundException",
    );
    assert_raised(&errors, "http_callback_url", "InvalidParameterException");
    assert_raised(
        &errors,
        "unknown_supported_provider",
        "InvalidParameterException",
    );
    assert_raised(&errors, "bad_filter", "InvalidParameterException");
}

/// The AWS CLI next to the virtualenv's Python, or on PATH.
fn aws_cli(python: &Path) -> Option<PathBuf> {
    python
        .parent()
        .map(|d| d.join("aws"))
        .filter(|p| p.exists())
        .or_else(|| require_tool("aws"))
}

/// `aws cognito-idp <args>` against the served emulator: (success, stdout, stderr).
fn cli(aws: &Path, served: &Served, args: &[&str]) -> (bool, String, String) {
    let output = isolated(&mut Command::new(aws))
        .arg("cognito-idp")
        .args(args)
        .args([
            "--endpoint-url",
            &cognito_api_url(served),
            "--region",
            REGION,
            "--output",
            "json",
        ])
        .output()
        .expect("running aws");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn cli_json(aws: &Path, served: &Served, args: &[&str]) -> Value {
    let (success, stdout, stderr) = cli(aws, served, args);
    assert!(
        success,
        "aws cognito-idp {args:?} failed:\n{stdout}{stderr}"
    );
    if stdout.trim().is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("aws cognito-idp {args:?} printed no JSON ({e}):\n{stdout}"))
}

#[test]
fn the_aws_cli_sets_up_a_pool_and_manages_the_federated_user() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let Some(aws) = aws_cli(&python) else { return };
    let served = serve();
    let metadata_url = format!("{}/idp/metadata", served.url());
    let domain = domain_prefix("cli");

    let pool = cli_json(
        &aws,
        &served,
        &[
            "create-user-pool",
            "--pool-name",
            "cli-pool",
            "--username-configuration",
            "CaseSensitive=false",
        ],
    );
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .expect("a pool ID")
        .to_owned();
    cli_json(
        &aws,
        &served,
        &[
            "create-user-pool-domain",
            "--domain",
            &domain,
            "--user-pool-id",
            &pool_id,
        ],
    );
    let provider = cli_json(
        &aws,
        &served,
        &[
            "create-identity-provider",
            "--user-pool-id",
            &pool_id,
            "--provider-name",
            PROVIDER,
            "--provider-type",
            "SAML",
            "--provider-details",
            &format!("MetadataURL={metadata_url}"),
            "--attribute-mapping",
            "email=email",
        ],
    );
    assert_eq!(provider["IdentityProvider"]["ProviderName"], PROVIDER);
    let client = cli_json(
        &aws,
        &served,
        &[
            "create-user-pool-client",
            "--user-pool-id",
            &pool_id,
            "--client-name",
            "cli-app",
            "--supported-identity-providers",
            PROVIDER,
            // As JSON: AWS CLI v1 would fetch a bare http:// argument (cli_follow_urlparam).
            "--callback-urls",
            &format!("[\"{CALLBACK}\"]"),
            "--allowed-o-auth-flows",
            "code",
            "--allowed-o-auth-scopes",
            "openid",
            "email",
            "profile",
            "--allowed-o-auth-flows-user-pool-client",
        ],
    );
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("a client ID")
        .to_owned();
    let described = cli_json(
        &aws,
        &served,
        &["describe-user-pool", "--user-pool-id", &pool_id],
    );
    assert_eq!(described["UserPool"]["Domain"], domain.as_str());

    sign_in_alice(&served, &pool_id, &client_id, &domain);
    let expected = format!("{PROVIDER}_alice@example.com");
    let users = cli_json(
        &aws,
        &served,
        &[
            "list-users",
            "--user-pool-id",
            &pool_id,
            "--filter",
            &format!("username = \"{expected}\""),
        ],
    );
    assert_eq!(
        users["Users"][0]["Username"],
        expected.as_str(),
        "{users:#}"
    );
    assert_eq!(users["Users"][0]["UserStatus"], "EXTERNAL_PROVIDER");

    cli_json(
        &aws,
        &served,
        &[
            "admin-delete-user",
            "--user-pool-id",
            &pool_id,
            "--username",
            &expected,
        ],
    );
    let users = cli_json(&aws, &served, &["list-users", "--user-pool-id", &pool_id]);
    assert_eq!(
        users["Users"].as_array().map(Vec::len),
        Some(0),
        "{users:#}"
    );

    // Refusals come back as the CLI's usual error line with Cognito's code.
    let (success, _, stderr) = cli(
        &aws,
        &served,
        &[
            "describe-user-pool",
            "--user-pool-id",
            "us-east-1_NoSuchPoo",
        ],
    );
    assert!(!success);
    assert!(
        stderr.contains("(ResourceNotFoundException)") && stderr.contains("DescribeUserPool"),
        "{stderr}"
    );
    let (success, _, stderr) = cli(
        &aws,
        &served,
        &[
            "admin-get-user",
            "--user-pool-id",
            &pool_id,
            "--username",
            &expected,
        ],
    );
    assert!(!success);
    assert!(stderr.contains("(UserNotFoundException)"), "{stderr}");
    let (success, _, stderr) = cli(
        &aws,
        &served,
        &[
            "create-user-pool-client",
            "--user-pool-id",
            &pool_id,
            "--client-name",
            "bad",
            "--callback-urls",
            r#"["http://app.example.com/callback"]"#,
            "--allowed-o-auth-flows",
            "code",
            "--allowed-o-auth-scopes",
            "openid",
            "--allowed-o-auth-flows-user-pool-client",
        ],
    );
    assert!(!success);
    assert!(stderr.contains("(InvalidParameterException)"), "{stderr}");
}

/// A new pool with samlsim's IdP as `SamlsimIdP` and an app client, by boto3.
fn boto3_pool(python: &Path, served: &Served, tag: &str) -> (String, String, String) {
    let metadata_url = format!("{}/idp/metadata", served.url());
    let domain = domain_prefix(tag);
    let setup = boto3(python, served, "setup", &[&metadata_url, &domain, CALLBACK]);
    let pool_id = setup["pool_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no pool: {setup:#}"))
        .to_owned();
    let client_id = setup["client_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no client: {setup:#}"))
        .to_owned();
    (pool_id, client_id, domain)
}

#[test]
fn boto3_manages_saml_providers_from_a_metadata_file() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let served = serve();
    let (pool_id, _, _) = boto3_pool(&python, &served, "providers");
    let metadata_url = format!("{}/idp/metadata", served.url());
    let record = boto3(&python, &served, "providers", &[&pool_id, &metadata_url]);

    let from_file = &ok(&record, "describe_from_file")["IdentityProvider"];
    assert_eq!(from_file["ProviderType"], "SAML", "{from_file:#}");
    assert!(
        from_file["ProviderDetails"]["MetadataFile"]
            .as_str()
            .is_some_and(
                |m| m.contains("EntityDescriptor") && m.contains("entityID=\"urn:samlsim:idp\"")
            ),
        "DescribeIdentityProvider returns the uploaded MetadataFile: {from_file:#}"
    );
    assert_raised(&record, "create_duplicate", "DuplicateProviderException");
    assert_raised(&record, "create_bad_metadata", "InvalidParameterException");
    assert_eq!(
        ok(&record, "describe_updated")["IdentityProvider"]["AttributeMapping"],
        serde_json::json!({"email": "email", "name": "name"}),
        "{record:#}"
    );
    let names = |call: &str| -> Vec<String> {
        ok(&record, call)["Providers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["ProviderName"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("list_before_delete"), [PROVIDER, "SecondIdP"]);
    ok(&record, "delete");
    assert_eq!(names("list_after_delete"), [PROVIDER]);
    assert_raised(&record, "describe_deleted", "ResourceNotFoundException");
}

#[test]
fn boto3_reads_the_pools_own_signing_certificate() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let Some(openssl) = require_tool("openssl") else {
        return;
    };
    let served = serve();
    let (pool_id, _, _) = boto3_pool(&python, &served, "cert");
    let metadata_url = format!("{}/idp/metadata", served.url());
    let record = boto3(&python, &served, "providers", &[&pool_id, &metadata_url]);
    let certificate = ok(&record, "signing_certificate")["Certificate"]
        .as_str()
        .expect("GetSigningCertificate returns Certificate")
        .to_owned();
    // openssl reads it as an X.509 certificate.
    let dir = temp_dir();
    let pem = write_file(
        &dir,
        "pool.pem",
        format!("-----BEGIN CERTIFICATE-----\n{certificate}\n-----END CERTIFICATE-----\n"),
    );
    let parsed = run(
        &openssl,
        [
            "x509".as_ref(),
            "-noout".as_ref(),
            "-subject".as_ref(),
            "-in".as_ref(),
            pem.as_os_str(),
        ],
    );
    assert_eq!(parsed.code, 0, "{}", parsed.describe());
    // It is the user pool's certificate (the one it signs AuthnRequests with), not
    // the IdP's: a pool and the IdP it trusts never share a key, and a shared key
    // would hide a check made with the wrong one.
    let idp_metadata = served
        .emulator()
        .handle(&samlsim_service::Request::new(
            samlsim_service::http::Method::GET,
            "/idp/metadata",
        ))
        .text_body();
    let idp_certificate: String = text_of(&idp_metadata, "ds:X509Certificate")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert_ne!(
        certificate,
        idp_certificate,
        "GetSigningCertificate returns the IdP's own signing certificate ({})",
        parsed.stdout.trim()
    );
}

#[test]
fn boto3_updates_app_clients_as_aws_does() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let served = serve();
    let (pool_id, _, _) = boto3_pool(&python, &served, "clients");
    let record = boto3(&python, &served, "clients", &[&pool_id]);
    let created = &ok(&record, "create")["UserPoolClient"];
    assert!(
        created["ClientSecret"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "GenerateSecret=True gives a secret: {created:#}"
    );
    let full = &ok(&record, "describe_full")["UserPoolClient"];
    assert_eq!(full["ClientName"], "updated", "{full:#}");
    assert_eq!(
        full["CallbackURLs"],
        serde_json::json!([
            "https://app.example.com/callback",
            "http://localhost:3000/cb"
        ])
    );
    assert_eq!(full["LogoutURLs"][0], "https://app.example.com/bye");
    assert_eq!(
        full["AllowedOAuthScopes"],
        serde_json::json!(["openid", "email"])
    );
    assert_eq!(
        full["ClientSecret"], created["ClientSecret"],
        "the secret stays"
    );
    // UpdateUserPoolClient API reference: "If you don't provide a value for an
    // attribute, Amazon Cognito sets it to its default value."
    let partial = &ok(&record, "describe_partial")["UserPoolClient"];
    assert_eq!(partial["ClientName"], "partial", "{partial:#}");
    let empty = |v: &Value| v.is_null() || v.as_array().is_some_and(Vec::is_empty);
    for list in [
        "CallbackURLs",
        "LogoutURLs",
        "SupportedIdentityProviders",
        "AllowedOAuthFlows",
        "AllowedOAuthScopes",
    ] {
        assert!(
            empty(&partial[list]),
            "{list} left out of UpdateUserPoolClient should be reset: {partial:#}"
        );
    }
    assert!(
        partial["AllowedOAuthFlowsUserPoolClient"].is_null()
            || partial["AllowedOAuthFlowsUserPoolClient"] == false,
        "AllowedOAuthFlowsUserPoolClient left out of UpdateUserPoolClient should be reset to \
         its default (false): {partial:#}"
    );
    assert_raised(&record, "update_bad_callback", "InvalidParameterException");
    assert_raised(
        &record,
        "describe_unknown_client",
        "ResourceNotFoundException",
    );
}

#[test]
fn boto3_disables_a_federated_user_and_the_hosted_ui_refuses_it() {
    let Some(python) = python_with_boto3() else {
        return;
    };
    let served = serve();
    let (pool_id, client_id, domain) = boto3_pool(&python, &served, "disable");
    sign_in_alice(&served, &pool_id, &client_id, &domain);
    let username = format!("{PROVIDER}_alice@example.com");
    let record = boto3(&python, &served, "disable", &[&pool_id, &username]);
    ok(&record, "admin_disable_user");
    assert_eq!(
        ok(&record, "admin_get_user")["Enabled"],
        false,
        "{record:#}"
    );
    // The next sign-in of that user gets no code.
    let mut browser = Browser::new(&**served.emulator());
    let authorize = authorize_url(&domain, &client_id, CALLBACK, PROVIDER, "st-2");
    let page = federated_sign_in(&mut browser, &authorize, "alice", "alice-pass");
    assert!(
        query_param(&page.url, "code").is_none(),
        "a disabled user got a code: {}",
        page.url
    );
    let text = format!("{} {}", page.url, page.text());
    assert!(
        text.contains("User is disabled") || text.contains("User+is+disabled"),
        "expected Cognito's \"User is disabled.\"; ended on {} {}:\n{}",
        page.status(),
        page.url,
        excerpt(&page.text())
    );
    assert_eq!(
        page.rule().as_deref(),
        Some("user-disabled"),
        "{}",
        page.url
    );
}
