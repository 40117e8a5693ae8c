//! The scenario library (`scenarios/`) passes, and covers every C behaviour of the
//! seed list (issue 6); a flow saved from the inspector replays (issue 11).

use std::path::PathBuf;

use samlsim_scenario::coverage::{behaviour_ids, coverage};
use samlsim_scenario::suite::{SuiteOptions, collect, load, run_suite};

fn library() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    collect(&[dir]).unwrap()
}

#[test]
fn every_scenario_passes() {
    let files = library();
    assert!(!files.is_empty());
    let reports = run_suite(&files, &SuiteOptions::default(), &|_| {});
    let failures: Vec<String> = reports
        .iter()
        .filter_map(|r| {
            r.failure.as_ref().map(|f| {
                format!(
                    "{} ({}:{} {}): expected {}, got {}\n    {}",
                    r.name,
                    r.file,
                    f.line,
                    f.at,
                    f.expected,
                    f.actual,
                    f.events.join("\n    ")
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        reports.len(),
        failures.join("\n")
    );
}

#[test]
fn every_c_behaviour_is_covered() {
    let seed =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/docs/seed-behaviours.md");
    let Ok(markdown) = std::fs::read_to_string(&seed) else {
        eprintln!(
            "note: skipping coverage check: {} not found",
            seed.display()
        );
        return;
    };
    let ids = behaviour_ids(&markdown);
    assert!(
        ids.len() >= 40,
        "read {} IDs from {}",
        ids.len(),
        seed.display()
    );
    let scenarios: Vec<_> = library().iter().filter_map(|f| load(f).ok()).collect();
    let map = coverage(
        &ids,
        scenarios
            .iter()
            .map(|s| (s.name.as_str(), s.covers.as_slice())),
    );
    let uncovered: Vec<&String> = ids
        .iter()
        .filter(|id| id.starts_with('C') && map[*id].is_empty())
        .collect();
    assert!(
        uncovered.is_empty(),
        "C behaviours without a scenario: {uncovered:?}"
    );
}

/// `samlsim run --against URL`: the same scenario, driven over HTTP against a
/// running emulator instead of a fresh in-process one.
#[test]
fn a_scenario_runs_against_a_served_emulator() {
    use samlsim_emulator::server::Served;
    use samlsim_emulator::{Config, Options};

    let served = Served::start(Config::load(None).unwrap(), Options::default()).unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let files = vec![
        dir.join("c05-happy-path-regional.toml"),
        dir.join("c18-regional-audience-missing.toml"),
    ];
    let options = SuiteOptions {
        against: Some(served.url()),
        ..SuiteOptions::default()
    };
    let reports = run_suite(&files, &options, &|_| {});
    assert_eq!(reports.len(), 2);
    for report in &reports {
        assert!(report.passed(), "{}: {:?}", report.name, report.failure);
    }
    // And a wrong expectation fails over HTTP too.
    let bad = std::env::temp_dir().join(format!("samlsim-bad-{}.toml", std::process::id()));
    std::fs::write(&bad, "name = \"bad\"\ncovers = [\"C1\"]\n[[step]]\nopen = \"/idp/portal\"\nexpect = { page = \"idp-portal\" }\n").unwrap();
    let reports = run_suite(std::slice::from_ref(&bad), &options, &|_| {});
    let _ = std::fs::remove_file(&bad);
    let failure = reports[0]
        .failure
        .as_ref()
        .expect("the login page is not the portal");
    assert!(failure.actual.contains("idp-login"), "{failure:?}");
}

/// A step's `admin` call is checked as a `[[setup]]` call is: a status other than
/// the one asked for fails the scenario at that step, naming the answer.
#[test]
fn an_admin_step_that_gets_another_status_fails_there() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("admin.toml");
    std::fs::write(
        &file,
        "name = \"admin mid-scenario\"\ncovers = [\"C3\"]\n\n[[step]]\nopen = \"/idp/portal\"\n\n[[step]]\nadmin = { request = \"POST /_admin/idp/users/alice/disable\", status = 200 }\n\n[[step]]\nadmin = { request = \"POST /_admin/idp/users/nobody/disable\", status = 200 }\n",
    )
    .unwrap();
    let reports = run_suite(&[file], &SuiteOptions::default(), &|_| {});
    let failure = reports[0]
        .failure
        .as_ref()
        .expect("nobody is not in the directory");
    assert_eq!(failure.at, "step 3 (admin)", "{failure:?}");
    assert_eq!(failure.line, 10, "{failure:?}");
    assert!(
        failure
            .expected
            .contains("/_admin/idp/users/nobody/disable to answer 200"),
        "{failure:?}"
    );
    assert!(failure.actual.starts_with("404"), "{failure:?}");
}

/// A flow walked by a browser, saved from the inspector as a scenario, replays:
/// it passes in a fresh emulator, and fails once the world says it should.
mod saved_flows {
    use std::sync::Arc;

    use samlsim_emulator::browser::Browser;
    use samlsim_emulator::{Config, Emulator, Options};
    use samlsim_scenario::suite::{START, SuiteOptions, run_suite};
    use samlsim_service::events::FLOW_COOKIE;
    use samlsim_service::http::{Method, StatusCode};
    use samlsim_service::{Request, VirtualClock};

    fn emulator() -> Emulator {
        Emulator::start(
            Config::load(None).unwrap(),
            Options {
                clock: Arc::new(VirtualClock::frozen(START)),
                ..Options::default()
            },
        )
        .unwrap()
    }

    fn saved(emulator: &Emulator, browser: &Browser) -> String {
        let flow = browser.cookie(FLOW_COOKIE).unwrap();
        let response = emulator.handle(&Request::new(
            Method::GET,
            &format!("/_inspect/flow/{flow}/scenario.toml"),
        ));
        assert_eq!(response.status, StatusCode::OK);
        response.text_body()
    }

    fn run(toml: &str) -> samlsim_scenario::run::Report {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("saved.toml");
        std::fs::write(&file, toml).unwrap();
        run_suite(&[file], &SuiteOptions::default(), &|_| {})
            .pop()
            .unwrap()
    }

    #[test]
    fn a_saved_happy_path_replays_and_fails_when_the_user_is_disabled() {
        let emulator = emulator();
        let mut browser = Browser::new(&emulator);
        let login = browser.open("/idp/launch/connect-us-east-1");
        let home = browser.sign_in(&login, "alice", "alice-pass");
        assert_eq!(home.role().as_deref(), Some("connect-home"));
        let toml = saved(&emulator, &browser);
        assert!(toml.contains("page = \"connect-home\""), "{toml}");
        let report = run(&toml);
        assert!(report.passed(), "{toml}\n{:?}", report.failure);

        // The same steps in a world where alice is disabled must fail.
        let broken = toml.replacen(
            "\n[[step]]",
            "\n[[setup]]\nrequest = \"POST /_admin/idp/users/alice/disable\"\njson = '{}'\n\n[[step]]",
            1,
        );
        let report = run(&broken);
        let failure = report.failure.expect("a disabled alice cannot sign in");
        let timeline = failure
            .timeline
            .expect("the failure carries the flow's timeline");
        assert!(timeline.contains("user-disabled"), "{timeline}");
    }

    #[test]
    fn a_saved_refusal_and_a_clock_jump_replay() {
        let emulator = emulator();
        let mut browser = Browser::new(&emulator);
        let login = browser.open("/idp/launch/connect-us-east-1");
        browser.sign_in(&login, "JDoe", "JDoe-pass");
        let toml = saved(&emulator, &browser);
        assert!(toml.contains("rule = \"user-not-onboarded\""), "{toml}");
        let report = run(&toml);
        assert!(report.passed(), "{toml}\n{:?}", report.failure);

        let mut browser = Browser::new(&emulator);
        let login = browser.open("/idp/launch/connect-us-east-1");
        browser.sign_in(&login, "alice", "alice-pass");
        emulator.clock().advance(12 * 3600 + 1);
        let expired = browser.open("/aws/example-corp.my.connect.aws/ccp-v2");
        assert_eq!(expired.role().as_deref(), Some("connect-session-expired"));
        let toml = saved(&emulator, &browser);
        assert!(toml.contains("advance_clock = \"43201s\""), "{toml}");
        let report = run(&toml);
        assert!(report.passed(), "{toml}\n{:?}", report.failure);
    }

    /// The person picks the second role on AWS's role chooser: the saved flow
    /// carries that choice, fails once the chosen role no longer trusts the IdP,
    /// and does not mind the role the chooser ticks by default.
    #[test]
    fn a_saved_flow_replays_the_fields_the_person_chose() {
        const READ_ONLY: &str = "arn:aws:iam::123456789012:role/ReadOnly";
        let emulator = emulator();
        let mut browser = Browser::new(&emulator);
        let login = browser.open("/idp/launch/aws-console");
        let chooser = browser.sign_in(&login, "alice", "alice-pass");
        assert_eq!(chooser.role().as_deref(), Some("aws-role-chooser"));
        let mut form = chooser.form().expect("the role chooser's form");
        assert_ne!(form.get("roleIndex"), Some(READ_ONLY), "not the default");
        form.set("roleIndex", READ_ONLY);
        let console = browser.submit(&form);
        assert!(
            console.text().contains("assumed-role/ReadOnly/alice"),
            "{}",
            console.text()
        );
        let toml = saved(&emulator, &browser);
        assert!(
            toml.contains(&format!("submit = {{ \"roleIndex\" = \"{READ_ONLY}\" }}")),
            "{toml}"
        );
        assert!(!toml.contains("\"SAMLResponse\" ="), "{toml}");

        // The world changed before the steps: `name` trusts another provider.
        let untrusting = |name: &str| {
            let config = Config::load(None).unwrap();
            let account = &config.aws.accounts[0];
            let mut role = account
                .roles
                .iter()
                .find(|r| r.name == name)
                .unwrap()
                .clone();
            let trust = role
                .trust_policy
                .replace("saml-provider/ExampleCorpIdP", "saml-provider/OtherIdP");
            assert_ne!(trust, role.trust_policy);
            role.trust_policy = trust;
            let setup = format!(
                "\n[[setup]]\nrequest = \"POST /_admin/aws/accounts/{}/roles\"\njson = '''{}'''\n\n[[step]]",
                account.id,
                serde_json::to_string(&role).unwrap()
            );
            toml.replacen("\n[[step]]", &setup, 1)
        };
        let report = run(&toml);
        assert!(report.passed(), "{toml}\n{:?}", report.failure);
        let broken = untrusting("ReadOnly");
        assert!(!run(&broken).passed(), "{broken}");
        let unchosen = untrusting("ConnectFederation");
        let report = run(&unchosen);
        assert!(report.passed(), "{unchosen}\n{:?}", report.failure);
    }

    /// A flow walked with demo failure switches on keeps them: the saved scenario
    /// makes the switches' own admin calls as `[[setup]]`, so it fails the same way
    /// in a fresh world, after the switches are off again; without them it does not.
    #[test]
    fn a_flow_saved_with_failure_switches_on_replays_them() {
        let emulator = emulator();
        let flip = |name: &str, on: bool| {
            let response = emulator.handle(
                &Request::new(Method::POST, "/_admin/demo/switches")
                    .with_json(&serde_json::json!({ "switch": name, "on": on })),
            );
            assert_eq!(response.status, StatusCode::OK, "{}", response.text_body());
        };
        // One before the flow that is off again by then: not carried.
        flip("sts-disabled", true);
        flip("role-not-trusted", true);
        flip("wrong-audience", true);
        flip("sts-disabled", false);
        let mut browser = Browser::new(&emulator);
        let login = browser.open("/idp/launch/connect-us-east-1");
        let refused = browser.sign_in(&login, "alice", "alice-pass");
        assert_eq!(refused.role().as_deref(), Some("aws-sign-in-error"));
        flip("role-not-trusted", false);
        flip("wrong-audience", false);
        let toml = saved(&emulator, &browser);
        for carried in ["role-not-trusted", "wrong-audience"] {
            assert!(
                toml.contains(&format!("# failure switch \"{carried}\"")),
                "{toml}"
            );
        }
        assert!(!toml.contains("sts-disabled"), "{toml}");
        assert!(toml.contains("rule = \"audience-mismatch\""), "{toml}");
        let report = run(&toml);
        assert!(report.passed(), "{toml}\n{:?}", report.failure);

        // Each switch's setup matters: without any, alice gets in; without the
        // audience's alone, the trust policy refuses her instead.
        let (head, rest) = toml.split_once("\n# failure switch").unwrap();
        let steps = &rest[rest.find("\n[[step]]").unwrap()..];
        let bare = format!("{head}{steps}");
        assert!(!bare.contains("[[setup]]"), "{bare}");
        assert!(!run(&bare).passed(), "{bare}");
        let no_audience: String = toml
            .split("\n# failure switch")
            .filter(|part| !part.starts_with(" \"wrong-audience\""))
            .collect::<Vec<_>>()
            .join("\n# failure switch");
        assert!(no_audience.contains("role-not-trusted"), "{no_audience}");
        assert!(no_audience.contains("\n[[step]]"), "{no_audience}");
        let report = run(&no_audience);
        let failure = report.failure.expect("the trust policy refuses instead");
        assert!(
            failure
                .timeline
                .unwrap_or_default()
                .contains("trust-policy"),
            "{no_audience}"
        );
    }
}
