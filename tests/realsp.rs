//! Issue 12, real SPs and SDKs out of the box: what needs the whole emulator
//! (admin API atomicity, the clock footer, base-URL routing, the stable IdP,
//! the CCP's expiry reason).

use samlsim_emulator::browser::Browser;
use samlsim_emulator::{Config, Emulator, Options};
use samlsim_service::http::{Method, header};
use samlsim_service::{Request, Response};

use crate::support::*;

fn emulator() -> Emulator {
    Emulator::start(Config::load(None).unwrap(), Options::default()).unwrap()
}

fn get(emulator: &Emulator, path: &str) -> String {
    let response = emulator.handle(&Request::new(Method::GET, path));
    assert!(
        response.status.is_success(),
        "{path}: {}",
        response.text_body()
    );
    response.text_body()
}

fn post_json(emulator: &Emulator, path: &str, body: serde_json::Value) -> Response {
    emulator.handle(&Request::new(Method::POST, path).with_json(&body))
}

/// A refused admin change leaves the resource's listing exactly as it was.
#[test]
fn refused_admin_changes_change_nothing() {
    let emulator = emulator();
    let bad_metadata = "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"/>";
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:saml-provider/Good"},"Action":"sts:AssumeRoleWithSAML"}]}"#;
    let cases: Vec<(&str, &str, serde_json::Value)> = vec![
        (
            "/_admin/idp/users",
            "/_admin/idp/users",
            serde_json::json!({ "username": "", "password": "x" }),
        ),
        (
            "/_admin/idp/service-providers",
            "/_admin/idp/service-providers",
            serde_json::json!({ "id": "evil", "label": "Evil", "entity_id": "urn:evil", "acs_url": "javascript:alert(1)" }),
        ),
        (
            "/_admin/idp/service-providers",
            "/_admin/idp/service-providers",
            serde_json::json!({ "id": "md", "metadata": bad_metadata }),
        ),
        // A good provider and role first, then a provider whose metadata does not read.
        (
            "/_admin/aws/accounts",
            "/_admin/aws/accounts",
            serde_json::json!({
                "id": "111122223333",
                "saml_providers": [
                    { "name": "Good", "metadata": "idp" },
                    { "name": "Bad", "metadata": bad_metadata },
                ],
                "roles": [{ "name": "R", "trust_policy": trust }],
            }),
        ),
        // A good provider, then a role whose trust policy does not parse.
        (
            "/_admin/aws/roles",
            "/_admin/aws/accounts",
            serde_json::json!({
                "id": "111122223333",
                "saml_providers": [{ "name": "Good", "metadata": "idp" }],
                "roles": [{ "name": "R", "trust_policy": "{" }],
            }),
        ),
        (
            "/_admin/aws/roles",
            "/_admin/aws/accounts/123456789012/roles",
            serde_json::json!({ "name": "Broken", "trust_policy": "{" }),
        ),
        (
            "/_admin/connect/instances",
            "/_admin/connect/instances",
            serde_json::json!({
                "id": "00000000-0000-0000-0000-000000000001", "alias": "other",
                "region": "mars-1", "account": "123456789012",
                "users": [{ "username": "bob", "security_profiles": ["Agent"] }],
            }),
        ),
        (
            "/_admin/connect/instances/178c75e4-b3de-4839-a6aa-e321ab3f3770/users",
            "/_admin/connect/instances/178c75e4-b3de-4839-a6aa-e321ab3f3770/users",
            serde_json::json!({ "username": "bob", "security_profiles": ["NoSuchProfile"] }),
        ),
        (
            "/_admin/cognito/pools/us-east-1_SamlSim01/users",
            "/_admin/cognito/pools/us-east-1_SamlSim01/users",
            serde_json::json!({ "provider": "NoSuchIdP", "name_id": "bob@example.com" }),
        ),
        (
            "/_admin/cognito/pools",
            "/_admin/cognito/pools/us-east-1_SamlSim01/clients",
            serde_json::json!({ "id": "evilclient", "callback_urls": ["http://evil.example/cb"] }),
        ),
    ];
    for (listing, path, body) in cases {
        let before = get(&emulator, listing);
        let accounts_before = get(&emulator, "/_admin/aws/accounts");
        let answer = post_json(&emulator, path, body.clone());
        assert!(
            answer.status.is_client_error(),
            "{path} {body}: {} {}",
            answer.status,
            answer.text_body()
        );
        assert_eq!(
            get(&emulator, listing),
            before,
            "{path} {body} changed {listing}"
        );
        assert_eq!(
            get(&emulator, "/_admin/aws/accounts"),
            accounts_before,
            "{path} {body} changed the accounts"
        );
    }
}

/// Pages that judge time say which time they judged by, and whether it is shifted.
#[test]
fn pages_show_the_virtual_time_and_whether_it_is_shifted_and_reset_returns_to_wall_time() {
    let emulator = Emulator::start(
        Config::load(None).unwrap(),
        Options {
            clock: std::sync::Arc::new(samlsim_service::VirtualClock::system()),
            ..Options::default()
        },
    )
    .unwrap();
    let page = get(&emulator, "/idp/login");
    assert!(page.contains("data-clock-shifted=\"false\""), "{page}");
    assert!(page.contains("(wall time)"), "{page}");
    let moved = post_json(
        &emulator,
        "/_admin/clock",
        serde_json::json!({ "advance": "12h1s" }),
    );
    assert!(moved.status.is_success(), "{}", moved.text_body());
    let page = get(&emulator, "/idp/login");
    assert!(page.contains("data-clock-shifted=\"true\""), "{page}");
    assert!(
        page.contains("+12h") && page.contains("samlsim clock reset"),
        "{page}"
    );
    let reset = post_json(
        &emulator,
        "/_admin/clock",
        serde_json::json!({ "reset": true }),
    );
    assert!(reset.status.is_success(), "{}", reset.text_body());
    assert_eq!(emulator.clock().offset(), 0);
    let page = get(&emulator, "/idp/login");
    assert!(page.contains("data-clock-shifted=\"false\""), "{page}");
}

/// Base-URL AWS requests without an SDK: routed by what they are, and refused
/// with AWS-shaped bodies that name the rule in the event log.
#[test]
fn aws_requests_at_the_base_url_are_routed_or_refused_in_aws_shape() {
    let emulator = emulator();
    let query = Request::new(Method::POST, "/")
        .with_form(&[("Action", "ListRoles"), ("Version", "2010-05-08")]);
    let answer = emulator.handle(&query);
    assert_eq!(answer.status.as_u16(), 400);
    let body = answer.text_body();
    assert!(
        body.contains("<Code>InvalidAction</Code>") && body.contains("<ErrorResponse"),
        "{body}"
    );
    let events = emulator.events().list(&Default::default()).unwrap();
    assert_eq!(
        events.last().unwrap().rule.as_deref(),
        Some("unknown-query-action")
    );

    let json = Request::new(Method::POST, "/")
        .with_header(
            header::HeaderName::from_static("x-amz-target"),
            "AmazonSQS.ListQueues",
        )
        .with_header(header::CONTENT_TYPE, "application/x-amz-json-1.0");
    let answer = emulator.handle(&json);
    assert_eq!(answer.status.as_u16(), 400);
    let body: serde_json::Value = serde_json::from_str(&answer.text_body()).unwrap();
    assert_eq!(body["__type"], "UnknownOperationException");
    let events = emulator.events().list(&Default::default()).unwrap();
    assert_eq!(
        events.last().unwrap().rule.as_deref(),
        Some("unknown-api-operation")
    );

    // STS by action name at the base URL, as at its host-as-path URL.
    let sts = Request::new(Method::POST, "/").with_form(&[
        ("Action", "AssumeRoleWithSAML"),
        ("Version", "2011-06-15"),
        (
            "RoleArn",
            "arn:aws:iam::123456789012:role/ConnectFederation",
        ),
        (
            "PrincipalArn",
            "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP",
        ),
        ("SAMLAssertion", "bm90IGFuIGFzc2VydGlvbg=="),
    ]);
    let body = emulator.handle(&sts).text_body();
    assert!(
        body.contains("<ErrorResponse") && !body.contains("<html"),
        "{body}"
    );
    // A plain browser request for nothing is still the HTML page.
    let page = emulator.handle(&Request::new(Method::GET, "/nothing"));
    assert!(page.text_body().contains("<html"));
    let _ = Browser::new(&emulator);
}

/// One `samlsim up --in-memory` on a free port: what it printed up to the key
/// line, and its metadata; stopped before returning.
fn up_in_memory_once(cache: &std::path::Path, fresh: bool) -> (String, String) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec!["up", "--in-memory", "--listen", &listen, "--cache-dir"];
    let cache_arg = cache.display().to_string();
    args.push(&cache_arg);
    if fresh {
        args.push("--fresh");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_samlsim"))
        .args(&args)
        .current_dir(repo_root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push_str(&line);
        if line.contains("IdP entity ID") {
            break;
        }
    }
    let transport =
        samlsim_emulator::http_client::HttpTransport::new(&format!("http://{listen}")).unwrap();
    let metadata = transport
        .exchange(&Request::new(Method::GET, "/idp/metadata"))
        .map(|r| r.text_body())
        .unwrap_or_default();
    child.kill().unwrap();
    child.wait().unwrap();
    (printed, metadata)
}

/// A restart of `samlsim up --in-memory`, on another port, keeps the IdP's entity
/// ID and key; `up` says when it made a key; `--fresh` makes a new one.
#[test]
fn up_in_memory_keeps_the_idp_entity_id_and_key_across_restarts() {
    let cache = temp_dir();
    let (first_out, first) = up_in_memory_once(cache.path(), false);
    assert!(
        first_out.contains("made a new IdP signing key"),
        "{first_out}"
    );
    let (second_out, second) = up_in_memory_once(cache.path(), false);
    assert!(!second_out.contains("made a new"), "{second_out}");
    let certificate = |m: &str| text_of(m, "ds:X509Certificate").to_owned();
    let entity = |m: &str| {
        let start = m.find("entityID=\"").unwrap() + 10;
        m[start..start + m[start..].find('"').unwrap()].to_owned()
    };
    assert!(first.contains("EntityDescriptor"), "{first}");
    assert_eq!(entity(&first), "urn:samlsim:idp");
    assert_eq!(entity(&first), entity(&second));
    assert_eq!(certificate(&first), certificate(&second));
    let (fresh_out, fresh) = up_in_memory_once(cache.path(), true);
    assert!(
        fresh_out.contains("made a new IdP signing key"),
        "{fresh_out}"
    );
    assert_ne!(certificate(&first), certificate(&fresh));
}
