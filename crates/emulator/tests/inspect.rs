//! The flow inspector in process: exchanges and SAML messages recorded at the
//! routing, one flow per browser, the failed check with the value sent beside the
//! one expected, markup from requests shown as text, and a flow saved as a scenario.

use samlsim_emulator::Emulator;
use samlsim_emulator::browser::Browser;
use samlsim_emulator::inspect::{self, FlowView};
use samlsim_service::Request;
use samlsim_service::events::FLOW_COOKIE;
use samlsim_service::http::{Method, StatusCode};

use crate::fixture::emulator;

/// Walks `sp` as `user` and returns the browser's flow as the inspector sees it.
fn walk(emulator: &Emulator, user: &str, password: &str) -> (String, FlowView) {
    let mut browser = Browser::new(emulator);
    let login = browser.open("/idp/launch/connect-us-east-1");
    browser.sign_in(&login, user, password);
    let flow = browser.cookie(FLOW_COOKIE).unwrap().to_owned();
    let view = inspect::flow(emulator, &flow).unwrap().unwrap();
    (flow, view)
}

/// Flips a demo failure switch through the admin API, as the inspector's panel does.
fn flip(emulator: &Emulator, name: &str, on: bool) {
    let response = emulator.handle(
        &Request::new(Method::POST, "/_admin/demo/switches")
            .with_json(&serde_json::json!({ "switch": name, "on": on })),
    );
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{name}: {}",
        response.text_body()
    );
}

fn get(emulator: &Emulator, path: &str) -> (StatusCode, String) {
    let response = emulator.handle(&Request::new(Method::GET, path));
    (response.status, response.text_body())
}

#[test]
fn inspect_alice_happy_path_is_six_steps_with_the_signed_assertion_decoded() {
    let emulator = emulator();
    let (flow, view) = walk(&emulator, "alice", "alice-pass");
    assert_eq!(view.outcome, "ok", "{}", inspect::text(&view));
    assert_eq!(view.user.as_deref(), Some("alice"));
    let lanes: Vec<&str> = view.rows.iter().map(|r| r.lane_name.as_str()).collect();
    for lane in ["IdP", "AWS sign-in", "Connect"] {
        assert!(lanes.contains(&lane), "{lane} missing: {lanes:?}");
    }
    let posted = view
        .rows
        .iter()
        .find(|r| r.public_url.as_deref() == Some("https://us-east-1.signin.aws.amazon.com/saml"))
        .expect("the POST to AWS sign-in, named by its real URL");
    assert_eq!(posted.method, "POST");
    let response = &posted.messages[0];
    assert_eq!(response.parameter, "SAMLResponse");
    assert_eq!(response.kind, "Response");
    assert!(
        response.signatures[0].algorithm.contains("rsa-sha256"),
        "{:?}",
        response.signatures
    );
    assert!(response.signatures[0].fingerprint.is_some());
    assert!(response.lines.iter().any(|l| l.signed));
    let names: Vec<&str> = response
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("/RoleSessionName")),
        "{names:?}"
    );
    assert!(
        response.conditions.iter().all(|c| c.ok),
        "{:?}",
        response.conditions
    );

    let (status, page) = get(&emulator, &format!("/_inspect/flow/{flow}"));
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-page=\"inspect-flow\""), "{page}");
    assert!(page.contains("every check passed"), "{page}");
    let (_, list) = get(&emulator, "/_inspect");
    assert!(list.contains(&flow), "{list}");
    let (_, json) = get(&emulator, "/_inspect/flows.json");
    assert!(json.contains(&flow), "{json}");
}

#[test]
fn inspect_a_refusal_shows_the_value_sent_beside_the_one_expected() {
    let emulator = emulator();
    let (flow, view) = walk(&emulator, "o'brien", "obrien-pass");
    assert_eq!(view.outcome, "refused");
    assert_eq!(view.rule.as_deref(), Some("role-session-name-invalid"));
    assert_eq!(view.stopped_at.as_deref(), Some("C5"));
    let failed = view
        .rows
        .iter()
        .flat_map(|r| &r.checks)
        .find(|c| !c.passed)
        .unwrap();
    assert_eq!(failed.actual.as_deref(), Some("o'brien"));
    assert_eq!(failed.expected.as_deref(), Some("[a-zA-Z_0-9+=,.@-]{2,64}"));
    assert!(failed.fix.is_some());
    let (_, page) = get(&emulator, &format!("/_inspect/flow/{flow}"));
    assert!(
        page.contains("<code class=\"actual\">o&#39;brien</code>"),
        "{page}"
    );

    let (_, view) = walk(&emulator, "JDoe", "JDoe-pass");
    assert_eq!(view.rule.as_deref(), Some("user-not-onboarded"));
    assert_eq!(view.stopped_at.as_deref(), Some("C6"));
    let failed = view
        .rows
        .iter()
        .flat_map(|r| &r.checks)
        .find(|c| !c.passed)
        .unwrap();
    assert_eq!(failed.actual.as_deref(), Some("JDoe"));
    assert!(
        failed.expected.as_deref().unwrap().contains("\"jdoe\""),
        "{failed:?}"
    );
    let text = inspect::text(&view);
    assert!(text.contains("FAIL connect federate"), "{text}");
    assert!(text.contains("actual \"JDoe\""), "{text}");
}

#[test]
fn hostile_echo_inspect_markup_from_requests_is_shown_as_text() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/launch/connect-us-east-1");
    browser.sign_in(&login, "alice", "alice-pass");
    // A hostile RelayState posted with the SAMLResponse the browser carried.
    let flow = browser.cookie(FLOW_COOKIE).unwrap().to_owned();
    let view = inspect::flow(&emulator, &flow).unwrap().unwrap();
    let posted = view.rows.iter().find(|r| !r.messages.is_empty()).unwrap();
    let xml = posted.messages[0]
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let encoded = samlsim_saml::binding::encode_post(xml.as_bytes());
    browser.post(
        "/aws/us-east-1.signin.aws.amazon.com/saml",
        &[
            ("SAMLResponse", &encoded),
            ("RelayState", "<script>alert(1)</script><b>x</b>"),
        ],
    );
    browser.open("/idp/launch/%3Cimg%20src=x%3E");
    let (_, json) = get(&emulator, &format!("/_inspect/flow/{flow}.json"));
    assert!(json.contains("alert"), "{json}");
    let (_, page) = get(&emulator, &format!("/_inspect/flow/{flow}"));
    assert!(!page.contains("<script>alert(1)"), "{page}");
    assert!(!page.contains("<b>x</b>"), "{page}");
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{page}"
    );
    assert!(!page.contains("<img src=x>"), "{page}");
}

#[test]
fn hostile_exposure_the_inspector_answers_this_machine_only() {
    let emulator = emulator();
    let mut request = Request::new(Method::GET, "/_inspect");
    request.peer = Some("192.0.2.7".parse().unwrap());
    assert_eq!(emulator.handle(&request).status, StatusCode::FORBIDDEN);
    let response = emulator.handle(&Request::new(Method::POST, "/_inspect"));
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// Each failure switch, on, makes alice's sign-in fail on its rule and the
/// inspector names it; off, the configured world is back and alice gets in.
#[test]
fn demo_failure_switches_break_the_flow_and_are_named_by_the_inspector() {
    let emulator = emulator();
    let flip = |name: &str, on: bool| flip(&emulator, name, on);
    for switch in samlsim_emulator::switches::SWITCHES {
        flip(switch.name, true);
        let (flow, view) = walk(&emulator, "alice", "alice-pass");
        assert_ne!(
            view.outcome,
            "ok",
            "{}: {}",
            switch.name,
            inspect::text(&view)
        );
        let rule = view.rule.clone().unwrap_or_default();
        assert!(
            switch.rules.contains(&rule.as_str()),
            "{} failed on {rule}: {}",
            switch.name,
            inspect::text(&view)
        );
        assert_eq!(
            view.switch.as_deref(),
            Some(switch.label),
            "{}",
            switch.name
        );
        let (_, page) = get(&emulator, &format!("/_inspect/flow/{flow}"));
        assert!(page.contains("id=\"caused-by-switch\""), "{}", switch.name);
        flip(switch.name, false);
        let (_, view) = walk(&emulator, "alice", "alice-pass");
        assert_eq!(
            view.outcome,
            "ok",
            "{} off: {}",
            switch.name,
            inspect::text(&view)
        );
        assert_eq!(view.switch, None);
    }
    let response = emulator.handle(
        &Request::new(Method::POST, "/_admin/demo/switches")
            .with_json(&serde_json::json!({ "switch": "<nope>", "on": true })),
    );
    assert_eq!(response.status, StatusCode::NOT_FOUND);
}

/// Switches that change the same SP each keep their change while another is
/// flipped: the admin call replaces the SP whole, and must carry both.
#[test]
fn demo_switches_on_the_same_sp_do_not_undo_each_other() {
    let emulator = emulator();
    let flip = |name: &str, on: bool| flip(&emulator, name, on);
    flip("expired-assertion", true);
    flip("wrong-audience", true);
    flip("wrong-audience", false);
    let (_, view) = walk(&emulator, "alice", "alice-pass");
    assert_eq!(
        view.rule.as_deref(),
        Some("assertion-expired"),
        "{}",
        inspect::text(&view)
    );
    assert_eq!(view.switch.as_deref(), Some("Assertion expired on arrival"));
    flip("expired-assertion", false);
    let (_, view) = walk(&emulator, "alice", "alice-pass");
    assert_eq!(view.outcome, "ok", "{}", inspect::text(&view));
}

/// With a data folder, the switches are stored beside the world they broke: after
/// a restart the inspector still names the switch, and switching it off mends it.
#[test]
fn demo_switches_survive_a_restart_with_the_world_they_changed() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let data = samlsim_emulator::data::DataFolder::open(dir.path(), false).unwrap();
        Emulator::start(
            samlsim_emulator::Config::load(None).unwrap(),
            samlsim_emulator::Options {
                data: Some(data),
                ..crate::fixture::options()
            },
        )
        .unwrap()
    };
    let flip = |emulator: &Emulator, on: bool| flip(emulator, "role-not-trusted", on);
    let first = start();
    flip(&first, true);
    drop(first);
    let second = start();
    assert!(second.switches().is_on("role-not-trusted"));
    let (_, view) = walk(&second, "alice", "alice-pass");
    assert_eq!(
        view.rule.as_deref(),
        Some("trust-policy"),
        "{}",
        inspect::text(&view)
    );
    assert!(view.switch.is_some(), "{}", inspect::text(&view));
    flip(&second, false);
    let (_, view) = walk(&second, "alice", "alice-pass");
    assert_eq!(view.outcome, "ok", "{}", inspect::text(&view));
}

#[test]
fn demo_presenter_layout_on_request_or_under_demo_mode() {
    let emulator = emulator();
    walk(&emulator, "alice", "alice-pass");
    let (_, page) = get(&emulator, "/_inspect?present=1");
    assert!(page.contains("class=\"inspect present\""), "{page}");
    let (_, page) = get(&emulator, "/_inspect");
    assert!(!page.contains("inspect present"), "{page}");
    let mut config = samlsim_emulator::Config::load(None).unwrap();
    config.server.demo = true;
    let demo = Emulator::start(config, crate::fixture::options()).unwrap();
    let (_, page) = get(&demo, "/_inspect");
    assert!(page.contains("class=\"inspect present\""), "{page}");
    // Every failure switch is there for the trainer to flip.
    for switch in samlsim_emulator::switches::SWITCHES {
        assert!(
            page.contains(&format!("data-switch=\"{}\"", switch.name)),
            "{}: {page}",
            switch.name
        );
    }
}

/// A user name with markup travels as NameID, RoleSessionName (an attribute value)
/// and the refused value: the inspector shows every one of them as text.
#[test]
fn hostile_echo_inspect_markup_in_user_names_and_attribute_values_is_text() {
    let emulator = emulator();
    let name = "<img src=x onerror=alert(1)>";
    let created = emulator.handle(&Request::new(Method::POST, "/_admin/idp/users").with_json(
        &serde_json::json!({
            "username": name, "password": "markup-pass", "display_name": "<b>Mark</b> Up",
        }),
    ));
    assert!(created.status.is_success(), "{}", created.text_body());
    let (flow, view) = walk(&emulator, name, "markup-pass");
    assert_eq!(
        view.rule.as_deref(),
        Some("role-session-name-invalid"),
        "{}",
        inspect::text(&view)
    );
    let attribute_values: Vec<&String> = view
        .rows
        .iter()
        .flat_map(|r| &r.messages)
        .flat_map(|m| &m.attributes)
        .flat_map(|a| &a.values)
        .collect();
    assert!(
        attribute_values.iter().any(|v| v.as_str() == name),
        "{attribute_values:?}"
    );
    let (_, page) = get(&emulator, &format!("/_inspect/flow/{flow}"));
    assert!(!page.contains("<img"), "{page}");
    assert!(!page.contains("<b>Mark"), "{page}");
    assert!(
        page.contains("&#60;img src=x onerror=alert(1)&#62;"),
        "{page}"
    );
    let (_, list) = get(&emulator, "/_inspect");
    assert!(!list.contains("<img"), "{list}");
}
