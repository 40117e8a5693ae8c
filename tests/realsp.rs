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

/// `samlsim verify` on signature-wrapping variants of Responses xmlsec1 signed:
/// each signature verifies on its own, and the SAML checks name what is wrong
/// (exit 1); `--xmldsig-only` keeps the pure signature check.
#[test]
fn verify_refuses_signature_wrapping_of_responses_signed_by_xmlsec1() {
    let Some(xmlsec1) = crate::interop_xmlsec::Xmlsec1::find() else {
        return;
    };
    let sign = |template: &str| xmlsec1.sign(&repo_path(template), IDP_KEY, Some(IDP_CERT));
    let signed_assertion = sign("tests/data/xmlsec1-template-assertion-prefixlist.xml");
    let signed_response = sign("tests/data/xmlsec1-template-response-rsa-sha256.xml");
    for (name, xml, rules) in wrapping_variants(&signed_assertion, &signed_response) {
        check_verify_refuses(name, &xml, rules);
    }
}

/// The genuine documents, then the sibling, wrapped and response-wrapping
/// variants with the SAML rules each must fail.
fn wrapping_variants(
    signed_assertion: &str,
    signed_response: &str,
) -> Vec<(&'static str, String, &'static [&'static str])> {
    let assertion_of = |xml: &str| {
        let start = xml.find("<saml:Assertion").unwrap();
        let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
        (start, end)
    };
    // A forged copy: no signature, another ID, another subject.
    let forge = |assertion: &str| {
        let mut forged = assertion.to_owned();
        if let (Some(s), Some(e)) = (forged.find("<ds:Signature"), forged.find("</ds:Signature>")) {
            forged.replace_range(s..e + "</ds:Signature>".len(), "");
        }
        let id_at = forged.find(" ID=\"").unwrap() + 5;
        let id_end = id_at + forged[id_at..].find('"').unwrap();
        forged.replace_range(id_at..id_end, "_forged");
        forged.replace("alice@example.com", "admin@example.com")
    };
    let (start, end) = assertion_of(signed_assertion);
    let genuine = &signed_assertion[start..end];
    let forged = forge(genuine);
    // Sibling: the forged assertion first, the signed one beside it.
    let sibling = format!(
        "{}{forged}{genuine}{}",
        &signed_assertion[..start],
        &signed_assertion[end..]
    );
    // Wrapped: the forged assertion where a consumer reads, the signed one inside it.
    let close = forged.rfind("</saml:Assertion>").unwrap();
    let wrapped = format!(
        "{}{}{genuine}</saml:Assertion>{}",
        &signed_assertion[..start],
        &forged[..close],
        &signed_assertion[end..]
    );
    // Response wrapping: the signed Response inside an unsigned one's Extensions.
    let (r_start, r_end) = assertion_of(signed_response);
    let inner = &signed_response[signed_response.find("<samlp:Response").unwrap()..];
    let outer = format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_outer\" Version=\"2.0\" IssueInstant=\"2026-11-23T10:00:00Z\"><saml:Issuer>https://idp.example.com/saml/metadata</saml:Issuer><samlp:Extensions>{inner}</samlp:Extensions><samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>{}</samlp:Response>",
        forge(&signed_response[r_start..r_end])
    );
    vec![
        ("assertion.xml", signed_assertion.to_owned(), &[]),
        ("response.xml", signed_response.to_owned(), &[]),
        (
            "sibling.xml",
            sibling,
            &["saml-several-assertions", "saml-assertion-unsigned"],
        ),
        (
            "wrapped.xml",
            wrapped,
            &[
                "saml-several-assertions",
                "saml-assertion-misplaced",
                "saml-assertion-unsigned",
            ],
        ),
        (
            "response-wrapping.xml",
            outer,
            &[
                "saml-several-assertions",
                "saml-assertion-misplaced",
                "saml-assertion-unsigned",
            ],
        ),
    ]
}

fn check_verify_refuses(name: &str, xml: &str, rules: &[&str]) {
    let dir = temp_dir();
    let file = write_file(&dir, name, xml).display().to_string();
    let out = samlsim(["verify", "--cert", IDP_CERT, &file]);
    if rules.is_empty() {
        assert_eq!(out.code, 0, "{name}: {}", out.describe());
        return;
    }
    assert_eq!(out.code, 1, "{name}: {}", out.describe());
    for rule in rules {
        assert!(
            out.stdout.contains(&format!("SAML rule {rule}:")),
            "{name} {rule}: {}",
            out.describe()
        );
    }
    assert!(out.stdout.contains("_forged"), "{name}: {}", out.describe());
    // Each signature verifies on its own: the pure check says so.
    let out = samlsim(["verify", "--xmldsig-only", "--cert", IDP_CERT, &file]);
    assert_eq!(out.code, 0, "{name} --xmldsig-only: {}", out.describe());
}

/// The same variants of Responses signxml signed (a Python signing library
/// nobody here wrote).
#[test]
fn verify_refuses_signature_wrapping_of_responses_signed_by_signxml() {
    let python = std::env::var("SAMLSIM_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_signxml = std::process::Command::new(&python)
        .args(["-c", "import signxml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_signxml {
        if std::env::var("SAMLSIM_REQUIRE_INTEROP").is_ok_and(|v| v == "1") {
            panic!(
                "python3 with signxml is required when SAMLSIM_REQUIRE_INTEROP=1 (pip install signxml)"
            );
        }
        eprintln!(
            "note: skipping signxml wrapping variants: no python3 with signxml (pip install signxml)"
        );
        return;
    }
    let sign = |template: &str, which: &str| {
        let out = run(
            &python,
            [
                repo_path("tests/sdk/signxml_sign.py").display().to_string(),
                repo_path(template).display().to_string(),
                which.to_owned(),
                IDP_KEY.to_owned(),
                IDP_CERT.to_owned(),
            ],
        );
        assert_eq!(out.code, 0, "signxml: {}", out.describe());
        out.stdout
    };
    let signed_assertion = sign(
        "tests/data/xmlsec1-template-assertion-prefixlist.xml",
        "assertion",
    );
    let signed_response = sign(
        "tests/data/xmlsec1-template-response-rsa-sha256.xml",
        "response",
    );
    for (name, xml, rules) in wrapping_variants(&signed_assertion, &signed_response) {
        check_verify_refuses(name, &xml, rules);
    }
}
