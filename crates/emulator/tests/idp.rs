//! The mock IdP end to end, in process: login (C2, C3), portal (C1), IdP- and
//! SP-initiated SSO (C4), logout (C31), and its refusals of bad input.

use samlsim_crypto::{Certificate, SignatureAlgorithm, SigningKey};
use samlsim_emulator::browser::{Browser, Page};
use samlsim_emulator::{Config, DataFolder, Emulator, Options};
use samlsim_saml::DateTime;
use samlsim_saml::authn_request::{AuthnRequest, build_authn_request};
use samlsim_saml::binding::{Limits, decode_post, encode_redirect};
use samlsim_saml::metadata::parse_idp_metadata;
use samlsim_saml::redirect::{RedirectParam, redirect_query};
use samlsim_saml::response::parse_response;
use samlsim_service::Request;
use samlsim_service::http::{Method, StatusCode, header};

use crate::fixture::{IDP_CERT, NOW, emulator, options};

const SP_KEY: &str = include_str!("../../../certs/test-only-attacker-key.pem");
const SP_CERT: &str = include_str!("../../../certs/test-only-attacker-cert.pem");

fn signed_in<'e>(emulator: &'e Emulator, user: &str, password: &str) -> (Browser<'e>, Page) {
    let mut browser = Browser::new(emulator);
    let login = browser.open("/idp/portal");
    let portal = browser.sign_in(&login, user, password);
    (browser, portal)
}

fn saml_response(page: &Page) -> samlsim_saml::response::ReceivedResponse<'static> {
    let form = page.form().expect("a POST form");
    let xml = decode_post(
        form.get("SAMLResponse").expect("SAMLResponse"),
        &Limits::default(),
    )
    .unwrap();
    parse_response(&xml).unwrap().into_owned()
}

#[test]
fn the_portal_asks_for_a_password_then_lists_the_applications() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/portal");
    assert_eq!(login.status(), StatusCode::OK);
    assert!(
        login.url.starts_with("/idp/login?continue="),
        "{}",
        login.url
    );
    assert!(login.text().contains("Sign in"));

    let portal = browser.sign_in(&login, "alice", "alice-pass");
    assert_eq!(portal.url, "/idp/portal");
    let text = portal.text();
    assert!(text.contains("Alice Kim"), "{text}");
    assert!(text.contains("Amazon Connect (contact control panel)"));
    assert!(text.contains("href=\"/idp/launch/connect-us-east-1\""));

    // C31: the session cookie makes the next visit passwordless.
    let again = browser.open("/idp/portal");
    assert_eq!(again.url, "/idp/portal");
    assert_eq!(again.trail.len(), 1);
}

#[test]
fn each_login_failure_has_its_own_message() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/login");
    for (user, password, rule, words) in [
        (
            "alice",
            "wrong",
            "wrong-password",
            "The password for &#34;alice&#34; is not correct.",
        ),
        (
            "ALICE",
            "alice-pass",
            "unknown-user",
            "There is no user &#34;ALICE&#34; in the directory.",
        ),
        (
            "carol",
            "carol-pass",
            "user-disabled",
            "The account &#34;carol&#34; is disabled.",
        ),
    ] {
        let page = browser.sign_in(&login, user, password);
        assert_eq!(page.status(), StatusCode::UNAUTHORIZED, "{user}");
        assert_eq!(page.rule().as_deref(), Some(rule), "{user}");
        assert!(page.text().contains(words), "{user}: {}", page.text());
    }
    let events = emulator.events().list(&Default::default()).unwrap();
    let refusals: Vec<_> = events.iter().filter_map(|e| e.rule.as_deref()).collect();
    assert_eq!(
        refusals,
        ["wrong-password", "unknown-user", "user-disabled"]
    );
    assert!(
        !events
            .iter()
            .any(|e| e.detail.to_string().contains("alice-pass") || e.message.contains("wrong")),
        "passwords are never logged"
    );
}

#[test]
fn idp_initiated_sso_posts_a_signed_aws_response_to_the_regional_endpoint() {
    let emulator = emulator();
    let (mut browser, _) = signed_in(&emulator, "alice", "alice-pass");
    browser.scripts = false;
    let page = browser.open("/idp/launch/connect-us-east-1");
    assert_eq!(page.status(), StatusCode::OK);
    let form = page.form().unwrap();
    // C13: the browser goes to the emulator's stand-in for the regional endpoint.
    assert_eq!(
        form.action,
        "http://127.0.0.1:7575/aws/us-east-1.signin.aws.amazon.com/saml"
    );
    assert_eq!(form.method, Method::POST);
    // C14: RelayState names the Connect instance.
    assert_eq!(
        form.get("RelayState"),
        Some(
            "https://us-east-1.console.aws.amazon.com/connect/federate/178c75e4-b3de-4839-a6aa-e321ab3f3770"
        )
    );

    let received = saml_response(&page);
    let metadata = parse_idp_metadata(emulator.idp().metadata_xml().unwrap().as_bytes()).unwrap();
    let assertion = received.verify(&metadata.signing_certificates).unwrap();
    assert_eq!(assertion.issuer, emulator.idp().entity_id());
    assert_eq!(assertion.name_id.as_ref().unwrap().value, "alice");
    let confirmation = &assertion.subject_confirmations[0];
    assert_eq!(
        confirmation.recipient.as_deref(),
        Some("https://us-east-1.signin.aws.amazon.com/saml")
    );
    assert_eq!(
        confirmation.not_on_or_after,
        Some(DateTime::from_unix(NOW + 300))
    );
    assert_eq!(
        assertion.conditions.as_ref().unwrap().audience_restrictions,
        vec![vec!["urn:amazon:webservices".to_owned()]]
    );
    assert_eq!(
        assertion.attribute_values("https://aws.amazon.com/SAML/Attributes/Role"),
        [
            "arn:aws:iam::123456789012:role/ConnectFederation,arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP"
        ]
    );
    assert_eq!(
        assertion.attribute_values("https://aws.amazon.com/SAML/Attributes/RoleSessionName"),
        ["alice"]
    );
    assert_eq!(
        assertion.attribute_values("https://aws.amazon.com/SAML/Attributes/SessionDuration"),
        ["43200"]
    );
    assert_eq!(
        received.envelope.destination.as_deref(),
        Some("https://us-east-1.signin.aws.amazon.com/saml")
    );
    assert_eq!(received.envelope.in_response_to, None, "IdP-initiated");
}

fn register_sp(emulator: &Emulator, want_signed: bool) {
    let body = serde_json::json!({
        "id": "test-sp", "label": "Test SP", "entity_id": "https://sp.example.test/metadata",
        "acs_url": "https://sp.example.test/acs", "sign": "response",
        "certificate": SP_CERT, "want_authn_requests_signed": want_signed, "in_portal": false,
    });
    let response = emulator
        .handle(&Request::new(Method::POST, "/_admin/idp/service-providers").with_json(&body));
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{}",
        response.text_body()
    );
}

fn authn_request(id: &str, acs: &str) -> String {
    let mut request = AuthnRequest::new(
        id,
        DateTime::from_unix(NOW),
        "https://sp.example.test/metadata",
        acs,
    );
    request.destination = Some("http://127.0.0.1:7575/idp/sso".into());
    build_authn_request(&request, None).unwrap().xml
}

fn redirect(xml: &str, signed: bool) -> String {
    let key = SigningKey::from_pem(SP_KEY).unwrap();
    let signer = signed.then_some((&key, SignatureAlgorithm::RsaSha256));
    let query = redirect_query(RedirectParam::Request, xml, Some("state-1"), signer).unwrap();
    format!("/idp/sso?{query}")
}

#[test]
fn sp_initiated_sso_signs_in_then_answers_in_response_to_the_request() {
    let emulator = emulator();
    register_sp(&emulator, true);
    let mut browser = Browser::new(&emulator);
    browser.scripts = false;
    let login = browser.open(&redirect(
        &authn_request("_req1", "https://sp.example.test/acs"),
        true,
    ));
    assert!(login.url.starts_with("/idp/login"), "{}", login.url);
    assert!(
        login
            .text()
            .contains("to continue to <strong>Test SP</strong>"),
        "{}",
        login.text()
    );
    let page = browser.sign_in(&login, "jdoe", "jdoe-pass");
    let form = page.form().unwrap();
    assert_eq!(
        form.action, "https://sp.example.test/acs",
        "a registered ACS outside AWS is posted to as is"
    );
    assert_eq!(form.get("RelayState"), Some("state-1"));
    let received = saml_response(&page);
    assert_eq!(received.envelope.in_response_to.as_deref(), Some("_req1"));
    let assertion = received
        .verify(&[Certificate::from_pem(IDP_CERT).unwrap()])
        .unwrap();
    assert_eq!(
        assertion.subject_confirmations[0].in_response_to.as_deref(),
        Some("_req1")
    );

    // Signed in now: a second request is answered at once.
    let page = browser.open(&redirect(
        &authn_request("_req2", "https://sp.example.test/acs"),
        true,
    ));
    assert_eq!(
        saml_response(&page).envelope.in_response_to.as_deref(),
        Some("_req2")
    );
}

#[test]
fn bad_authn_requests_are_refused_with_their_rule() {
    let emulator = emulator();
    register_sp(&emulator, true);
    let (mut browser, _) = signed_in(&emulator, "alice", "alice-pass");
    browser.scripts = false;
    let good = authn_request("_ok", "https://sp.example.test/acs");
    assert_eq!(
        browser.open(&redirect(&good, true)).status(),
        StatusCode::OK
    );

    let tampered = redirect(&authn_request("_t", "https://sp.example.test/acs"), true)
        .replace("state-1", "state-2");
    let unknown = authn_request("_u", "https://sp.example.test/acs")
        .replace("https://sp.example.test/metadata", "https://nobody.test/");
    let bomb = format!(
        "/idp/sso?SAMLRequest={}",
        encode_redirect(&vec![b' '; 8 * 1024 * 1024])
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    );
    for (target, rule) in [
        (redirect(&good, true), "replayed-request"),
        (
            redirect(&authn_request("_a", "https://evil.test/acs"), true),
            "acs-not-registered",
        ),
        (
            redirect(&authn_request("_n", "https://sp.example.test/acs"), false),
            "unsigned-request",
        ),
        (tampered, "bad-request-signature"),
        (redirect(&unknown, false), "unknown-sp"),
        ("/idp/sso?SAMLRequest=%25%25%25".to_owned(), "bad-encoding"),
        (
            "/idp/sso?SAMLRequest=bm90IGRlZmxhdGU%3D".to_owned(),
            "bad-encoding",
        ),
        (bomb, "bad-encoding"),
        ("/idp/sso".to_owned(), "bad-redirect-query"),
        (
            redirect(
                "<samlp:AuthnRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'/>",
                false,
            ),
            "malformed-authn-request",
        ),
        (
            redirect("<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>", false),
            "malformed-authn-request",
        ),
    ] {
        let page = browser.open(&target);
        assert_eq!(
            page.status(),
            StatusCode::BAD_REQUEST,
            "{rule}: {}",
            page.text()
        );
        assert_eq!(page.rule().as_deref(), Some(rule), "{}", page.text());
    }
    let refused: Vec<_> = emulator
        .events()
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .filter_map(|e| e.rule)
        .collect();
    assert!(
        refused.contains(&"replayed-request".to_owned())
            && refused.contains(&"bad-encoding".to_owned()),
        "{refused:?}"
    );
}

#[test]
fn an_idp_session_expires_by_the_virtual_clock() {
    let emulator = emulator();
    let (mut browser, _) = signed_in(&emulator, "alice", "alice-pass");
    emulator.clock().advance(8 * 3600 - 1);
    assert_eq!(browser.open("/idp/portal").url, "/idp/portal");
    emulator.clock().advance(1);
    assert!(browser.open("/idp/portal").url.starts_with("/idp/login"));
}

#[test]
fn signing_out_ends_the_idp_session_and_says_so() {
    let emulator = emulator();
    let (mut browser, portal) = signed_in(&emulator, "alice", "alice-pass");
    let form = portal.form().unwrap();
    assert_eq!(form.action, "/idp/logout");
    let out = browser.submit(&form);
    assert!(
        out.text().contains("You are signed out of the IdP"),
        "{}",
        out.text()
    );
    assert!(out.text().contains("12 hours"), "the C31 warning");
    assert!(browser.open("/idp/portal").url.starts_with("/idp/login"));
}

#[test]
fn the_admin_api_changes_the_world_and_answers_loopback_only() {
    let emulator = emulator();
    let create = Request::new(Method::POST, "/_admin/idp/users")
        .with_json(&serde_json::json!({"username": "dave", "password": "dave-pass"}));
    assert_eq!(emulator.handle(&create).status, StatusCode::CREATED);
    let (_, portal) = signed_in(&emulator, "dave", "dave-pass");
    assert_eq!(portal.url, "/idp/portal");

    let disable = Request::new(Method::POST, "/_admin/idp/users/dave/disable")
        .with_json(&serde_json::json!({}));
    assert_eq!(emulator.handle(&disable).status, StatusCode::OK);
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/login");
    assert_eq!(
        browser
            .sign_in(&login, "dave", "dave-pass")
            .rule()
            .as_deref(),
        Some("user-disabled")
    );

    // A page that rebound its own host name to 127.0.0.1 is still refused.
    let rebound = Request::new(Method::GET, "/_admin/idp/users")
        .with_header(header::HOST, "evil.example:7575");
    assert_eq!(emulator.handle(&rebound).status, StatusCode::FORBIDDEN);
    let own =
        Request::new(Method::GET, "/_admin/idp/users").with_header(header::HOST, "127.0.0.1:7575");
    assert_eq!(emulator.handle(&own).status, StatusCode::OK);
    // A cross-site form post cannot move the clock.
    let form = Request::new(Method::POST, "/_admin/clock").with_form(&[("advance", "1h")]);
    assert_eq!(
        emulator.handle(&form).status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let mut remote = Request::new(Method::GET, "/_admin/idp/users");
    remote.peer = Some("192.0.2.7".parse().unwrap());
    assert_eq!(emulator.handle(&remote).status, StatusCode::FORBIDDEN);

    let clock = Request::new(Method::POST, "/_admin/clock")
        .with_json(&serde_json::json!({"advance": "12h1s"}));
    let response = emulator.handle(&clock);
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response.text_body().contains("\"unix\": 1795478401"),
        "{}",
        response.text_body()
    );
    let bad = Request::new(Method::POST, "/_admin/clock")
        .with_json(&serde_json::json!({"advance": "soon"}));
    assert_eq!(emulator.handle(&bad).status, StatusCode::BAD_REQUEST);
}

#[test]
fn state_survives_a_restart_and_fresh_starts_over() {
    let dir = tempfile::tempdir().unwrap();
    let start = |fresh| {
        let data = DataFolder::open(dir.path(), fresh).unwrap();
        Emulator::start(
            Config::load(None).unwrap(),
            Options {
                data: Some(data),
                ..options()
            },
        )
        .unwrap()
    };
    let first = start(false);
    let certificate = first.idp().identity().certificate.clone();
    let create = Request::new(Method::POST, "/_admin/idp/users")
        .with_json(&serde_json::json!({"username": "erin", "password": "erin-pass"}));
    assert_eq!(first.handle(&create).status, StatusCode::CREATED);
    drop(first);

    let second = start(false);
    assert!(second.idp().directory().get("erin").unwrap().is_some());
    assert_eq!(
        second.idp().identity().certificate,
        certificate,
        "the key is reused"
    );
    drop(second);

    let third = start(true);
    assert!(third.idp().directory().get("erin").unwrap().is_none());
    assert!(
        third.idp().directory().get("alice").unwrap().is_some(),
        "reseeded from the config"
    );
    assert_ne!(
        third.idp().identity().certificate,
        certificate,
        "a fresh key"
    );
}

#[test]
fn unknown_paths_get_a_page_that_says_where_to_look() {
    let emulator = emulator();
    let response = emulator.handle(&Request::new(Method::GET, "/nope"));
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert!(response.text_body().contains("no-such-endpoint"));
    let start = emulator.handle(&Request::new(Method::GET, "/"));
    assert!(
        start.text_body().contains("alice-pass"),
        "the start page lists demo users"
    );
}

#[test]
fn sp_initiated_sso_by_the_http_post_binding() {
    let emulator = emulator();
    register_sp(&emulator, false);
    let (mut browser, _) = signed_in(&emulator, "alice", "alice-pass");
    browser.scripts = false;
    let xml = authn_request("_post1", "https://sp.example.test/acs");
    let page = browser.post(
        "/idp/sso",
        &[
            (
                "SAMLRequest",
                &samlsim_saml::binding::encode_post(xml.as_bytes()),
            ),
            ("RelayState", "rs"),
        ],
    );
    assert_eq!(page.role().as_deref(), Some("idp-post"), "{}", page.text());
    assert_eq!(
        saml_response(&page).envelope.in_response_to.as_deref(),
        Some("_post1")
    );
    assert_eq!(page.form().unwrap().get("RelayState"), Some("rs"));
    // A POST without SAMLRequest names what is missing.
    let page = browser.post("/idp/sso", &[("RelayState", "rs")]);
    assert_eq!(page.rule().as_deref(), Some("missing-saml-request"));
}

#[test]
fn single_logout_from_an_sp_ends_the_session_and_answers_the_sp() {
    use samlsim_saml::NameId;
    use samlsim_saml::logout::{LogoutRequest, build_logout_request};

    let emulator = emulator();
    let body = serde_json::json!({
        "id": "slo-sp", "label": "SLO SP", "entity_id": "https://slo.example.test/metadata",
        "acs_url": "https://slo.example.test/acs", "slo_url": "https://slo.example.test/slo", "in_portal": false,
    });
    let response = emulator
        .handle(&Request::new(Method::POST, "/_admin/idp/service-providers").with_json(&body));
    assert_eq!(response.status, StatusCode::CREATED);
    let (mut browser, _) = signed_in(&emulator, "alice", "alice-pass");
    browser.scripts = false;
    let logout = build_logout_request(
        &LogoutRequest {
            id: "_logout1".into(),
            issue_instant: DateTime::from_unix(NOW),
            destination: Some("http://127.0.0.1:7575/idp/slo".into()),
            issuer: "https://slo.example.test/metadata".into(),
            name_id: NameId::new(
                "alice",
                "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            ),
            session_indexes: vec![],
            not_on_or_after: None,
            reason: None,
        },
        None,
    )
    .unwrap();
    let query = redirect_query(RedirectParam::Request, &logout.xml, None, None).unwrap();
    let page = browser.open(&format!("/idp/slo?{query}"));
    let form = page.form().expect("a LogoutResponse form");
    assert_eq!(form.action, "https://slo.example.test/slo");
    let xml = decode_post(form.get("SAMLResponse").unwrap(), &Limits::default()).unwrap();
    let response = samlsim_saml::logout::parse_logout_response(&xml).unwrap();
    assert_eq!(response.in_response_to.as_deref(), Some("_logout1"));
    assert!(response.status.is_success());
    // The IdP session is over.
    assert!(browser.open("/idp/portal").url.starts_with("/idp/login"));
}

/// An oversized body is refused by the server before any service reads it, with a
/// page that says so and an event in the log.
#[test]
fn an_oversized_body_is_refused_with_words_and_logged() {
    use std::io::{Read, Write};

    let served =
        samlsim_emulator::server::Served::start(Config::load(None).unwrap(), options()).unwrap();
    let body = vec![b'a'; 2 * 1024 * 1024];
    let mut stream = std::net::TcpStream::connect(served.address()).unwrap();
    let head = format!(
        "POST /idp/sso HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(&body);
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(
        response.starts_with("HTTP/1.1 413"),
        "{}",
        &response[..response.len().min(200)]
    );
    assert!(response.contains("data-rule=\"body-too-large\""));
    let events = served
        .emulator()
        .events()
        .list(&Default::default())
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.rule.as_deref() == Some("body-too-large")),
        "{events:?}"
    );
}
