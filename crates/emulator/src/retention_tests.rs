//! Retention everywhere, end to end: after a Connect flow, an STS call and a
//! Cognito sign-in, moving the virtual clock past every lifetime (and the
//! `keep_expired` grace) and sending one more request leaves no short-lived row
//! behind; before that, the live rows are all still there.

use std::sync::Arc;

use samlsim_crypto::Identity;
use samlsim_service::http::Method;
use samlsim_service::{Request, SequentialIds, VirtualClock};

use crate::browser::Browser;
use crate::{Config, Emulator, Options};

const NOW: i64 = 1_795_435_200; // 2026-11-23T12:00:00Z
const IDP_KEY: &str = include_str!("../../../certs/test-only-idp-key.pem");
const IDP_CERT: &str = include_str!("../../../certs/test-only-idp-cert.pem");

/// Rows of every table holding short-lived state.
const SHORT_LIVED: &[&str] = &[
    "idp_sessions",
    "idp_answered_requests",
    "idp_pending_requests",
    "aws_used_assertions",
    "aws_console_sessions",
    "aws_credentials",
    "connect_sessions",
    "connect_sign_in_tokens",
    "cognito_objects WHERE kind IN ('pending', 'code', 'refresh', 'assertion')",
];

fn count(emulator: &Emulator, table: &str) -> i64 {
    emulator
        .sweeper()
        .store()
        .with(|c| c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)))
        .unwrap()
}

#[test]
fn every_sweep_runs_from_the_emulator_by_the_virtual_clock() {
    let mut config = Config::load(None).unwrap();
    config.retention.keep_expired = "1h".into();
    config.retention.keep_issued = 2;
    let clock = Arc::new(VirtualClock::frozen(NOW));
    let emulator = Emulator::start(
        config,
        Options {
            data: None,
            clock: clock.clone(),
            ids: Arc::new(SequentialIds::default()),
            identity: Some(Identity::from_pem(IDP_KEY, IDP_CERT).unwrap()),
            cognito_identities: None,
        },
    )
    .unwrap();
    // The six-step flow (IdP session, console session, Connect session and token,
    // replay record), then an STS call with a fresh assertion (credentials).
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/launch/connect-us-east-1");
    let ccp = browser.sign_in(&login, "alice", "alice-pass");
    assert!(ccp.status().is_success(), "{}", ccp.text());
    browser.scripts = false;
    let assertion = browser
        .open("/idp/launch/connect-us-east-1")
        .form()
        .and_then(|f| f.get("SAMLResponse").map(str::to_owned))
        .unwrap();
    let sts = emulator.handle(
        &Request::new(Method::POST, "/aws/sts.amazonaws.com/").with_form(&[
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
            ("SAMLAssertion", &assertion),
        ]),
    );
    assert!(sts.status.is_success(), "{}", sts.text_body());
    // A Cognito sign-in through the example app (pending, code or refresh,
    // assertion records), and one left waiting at the IdP's login page.
    let mut app = Browser::new(&emulator);
    let login = app.open("https://example-app.samlsim.test/login");
    app.sign_in(&login, "carlos", "carlos-pass");
    Browser::new(&emulator).open("https://example-app.samlsim.test/login");
    // The flow redeemed its Connect token; one never redeemed stays behind.
    emulator
        .sweeper()
        .store()
        .with(|c| {
            c.execute(
                "INSERT INTO connect_sign_in_tokens (token, session, destination, expires_at)
                 VALUES ('unredeemed', 's', '/', ?1)",
                [NOW + 300],
            )
        })
        .unwrap();

    let before: Vec<i64> = SHORT_LIVED.iter().map(|t| count(&emulator, t)).collect();
    for (table, n) in SHORT_LIVED.iter().zip(&before) {
        if !table.starts_with("idp_answered") && !table.starts_with("idp_pending") {
            assert!(
                *n > 0,
                "{table} holds nothing to sweep: the test proves nothing"
            );
        }
    }
    // Ten minutes on, the sweep runs (a virtual minute passed) but every
    // session is live: they all stay.
    clock.advance(600);
    emulator.handle(&Request::new(Method::GET, "/idp/portal"));
    assert!(emulator.sweeper().stats().runs >= 2);
    for table in ["idp_sessions", "aws_console_sessions", "connect_sessions"] {
        assert!(count(&emulator, table) > 0, "{table} swept while live");
    }

    // Past the longest lifetime (Cognito's 30-day refresh grant) and the grace.
    clock.advance(31 * 86_400);
    emulator.handle(&Request::new(Method::GET, "/idp/portal"));
    for table in SHORT_LIVED {
        assert_eq!(count(&emulator, table), 0, "{table} kept expired rows");
    }
    assert!(
        count(&emulator, "idp_issued") <= 2,
        "the issued window holds"
    );
    assert!(emulator.sweeper().stats().removed > 0);
    // Users, roles and instances are not short-lived.
    assert!(count(&emulator, "idp_users") > 0);
    assert!(count(&emulator, "connect_users") > 0);
}
