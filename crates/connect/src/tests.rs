//! The mock Connect alone (with the mock AWS it stands on), built from parts: the
//! refusal paths that need a damaged store or a clock moved past credentials.

use std::sync::Arc;

use samlsim_aws::config::AwsConfig;
use samlsim_aws::state::{Credentials, RoleSession};
use samlsim_aws::{Aws, AwsParts, CONSOLE_COOKIE};
use samlsim_service::http::{Method, StatusCode, header};
use samlsim_service::{
    Event, EventFilter, EventLog, Outcome, Request, Response, SequentialIds, Service, Store,
    UrlMap, VirtualClock,
};

use crate::config::{ConnectConfig, InstanceConfig, UserConfig};
use crate::{Connect, ConnectParts};

const INSTANCE: &str = "178c75e4-b3de-4839-a6aa-e321ab3f3770";
const ACCOUNT: &str = "123456789012";
const ROLE: &str = "arn:aws:iam::123456789012:role/ConnectFederation";
const NOW: i64 = 1_800_000_000;

struct World {
    connect: Connect,
    aws: Arc<Aws>,
    store: Arc<Store>,
    clock: Arc<VirtualClock>,
    events: EventLog,
}

fn world() -> World {
    let store = Arc::new(Store::in_memory().unwrap());
    let clock = Arc::new(VirtualClock::frozen(NOW));
    let ids = Arc::new(SequentialIds::default());
    let events = EventLog::new(store.clone(), clock.clone()).unwrap();
    let urls = Arc::new(UrlMap::new("http://127.0.0.1:7575"));
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "connect:GetFederationToken", "Resource": "arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE}/user/${{aws:userid}}"}}]}}"#
    );
    let config: AwsConfig = serde_json::from_value(serde_json::json!({
        "accounts": [{
            "id": ACCOUNT,
            "roles": [{
                "name": "ConnectFederation",
                "trust_policy": r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP"}, "Action": "sts:AssumeRoleWithSAML"}]}"#,
                "permission_policies": [policy],
            }],
        }],
    }))
    .unwrap();
    let aws = Arc::new(
        Aws::new(AwsParts {
            config,
            idp_metadata: String::new(),
            fetch_metadata: Box::new(|url| Err(format!("no network in tests ({url})"))),
            store: store.clone(),
            clock: clock.clone(),
            ids: ids.clone(),
            events: events.clone(),
            urls: urls.clone(),
        })
        .unwrap(),
    );
    let user = |name: &str| UserConfig {
        username: name.into(),
        first_name: None,
        last_name: None,
        security_profiles: vec!["Agent".into()],
        routing_profile: crate::model::ROUTING_PROFILES[0].into(),
    };
    let connect = Connect::new(ConnectParts {
        config: ConnectConfig {
            instances: vec![InstanceConfig {
                id: INSTANCE.into(),
                alias: "example-corp".into(),
                region: "us-east-1".into(),
                account: ACCOUNT.into(),
                admin: "admin".into(),
                approved_origins: Vec::new(),
                users: vec![user("alice"), user("jdoe")],
            }],
        },
        aws: aws.clone(),
        store: store.clone(),
        clock: clock.clone(),
        ids,
        events: events.clone(),
        urls,
    })
    .unwrap();
    World {
        connect,
        aws,
        store,
        clock,
        events,
    }
}

fn role_session(name: &str, expires_at: i64) -> RoleSession {
    RoleSession {
        account: ACCOUNT.into(),
        role_arn: ROLE.into(),
        role_name: "ConnectFederation".into(),
        role_id: "AROAEXAMPLE".into(),
        role_session_name: name.into(),
        provider_arn: format!("arn:aws:iam::{ACCOUNT}:saml-provider/ExampleCorpIdP"),
        region: "us-east-1".into(),
        created_at: NOW,
        expires_at,
    }
}

impl World {
    /// A browser with a console session for `name`, as the sign-in endpoint leaves it.
    fn federate(&self, name: &str) -> Response {
        let console = format!(
            "console-{}",
            self.events.list(&EventFilter::default()).unwrap().len()
        );
        self.aws
            .state()
            .start_console_session(&console, &role_session(name, NOW + 3600))
            .unwrap();
        self.connect
            .handle(
                &Request::new(
                    Method::GET,
                    &format!("/aws/us-east-1.console.aws.amazon.com/connect/federate/{INSTANCE}"),
                )
                .with_header(header::COOKIE, &format!("{CONSOLE_COOKIE}={console}")),
            )
            .unwrap()
    }

    fn admin(&self, method: Method, path: &str) -> Response {
        self.connect.admin(
            &Request::new(method, &format!("/_admin/connect{path}")),
            path,
        )
    }

    fn get_federation_token(&self, access_key: &str, session_token: &str) -> Response {
        self.connect
            .handle(
                &Request::new(
                    Method::GET,
                    &format!("/aws/connect.us-east-1.amazonaws.com/user/federate/{INSTANCE}"),
                )
                .with_header(
                    header::AUTHORIZATION,
                    &format!("AWS4-HMAC-SHA256 Credential={access_key}/20270115/us-east-1/connect/aws4_request, SignedHeaders=host, Signature=0"),
                )
                .with_header(
                    header::HeaderName::from_static("x-amz-security-token"),
                    session_token,
                ),
            )
            .unwrap()
    }

    /// Overwrites alice's stored row with JSON that no longer reads as a user.
    fn damage_alice(&self) {
        let changed = self
            .store
            .with(|c| {
                c.execute(
                    "UPDATE connect_users SET user = '{\"username\": 42' WHERE instance = ?1 AND username = 'alice'",
                    [INSTANCE],
                )
            })
            .unwrap();
        assert_eq!(changed, 1);
    }

    fn last_event(&self) -> Event {
        self.events
            .list(&EventFilter::default())
            .unwrap()
            .pop()
            .expect("an event")
    }
}

#[test]
fn a_user_row_that_no_longer_reads_is_a_damaged_row_not_a_missing_user() {
    let world = world();
    assert_eq!(world.federate("alice").status, StatusCode::FOUND);

    world.damage_alice();
    let page = world.federate("alice");
    let html = page.text_body();
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR, "{html}");
    assert!(html.contains("data-rule=\"internal-error\""), "{html}");
    assert!(html.contains("connect_users"), "{html}");
    assert!(html.contains(&format!("{INSTANCE}/alice")), "{html}");
    assert!(!html.contains("not been onboarded"), "{html}");
    let event = world.last_event();
    assert_eq!(
        (event.action.as_str(), event.outcome, event.rule.as_deref()),
        ("federate", Outcome::Failed, Some("internal-error"))
    );
    assert!(event.message.contains("connect_users"), "{}", event.message);

    // The admin listing says so too, instead of leaving alice out.
    let listing = world.admin(Method::GET, &format!("/instances/{INSTANCE}/users"));
    let body: serde_json::Value = serde_json::from_slice(&listing.body).unwrap();
    assert_eq!(listing.status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("connect_users") && message.contains(&format!("{INSTANCE}/alice")),
        "{message}"
    );
    assert_eq!(world.last_event().outcome, Outcome::Failed);

    // Another user of the instance is looked up by name and still signs in.
    assert_eq!(world.federate("jdoe").status, StatusCode::FOUND);
}

#[test]
fn get_federation_token_with_expired_credentials_is_refused_and_logged() {
    let world = world();
    world
        .aws
        .state()
        .issue_credentials(&Credentials {
            access_key_id: "ASIAEXAMPLE000000001".into(),
            secret_access_key: "secret".into(),
            session_token: "token-1".into(),
            session: role_session("alice", NOW + 3600),
        })
        .unwrap();
    let answer = world.get_federation_token("ASIAEXAMPLE000000001", "token-1");
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text_body());

    world.clock.advance(3600);
    let answer = world.get_federation_token("ASIAEXAMPLE000000001", "token-1");
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.headers.get("x-amzn-errortype").unwrap(),
        "ExpiredTokenException"
    );
    let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(
        body["Message"],
        "The security token included in the request is expired"
    );
    let event = world.last_event();
    assert_eq!(
        (
            event.service.as_str(),
            event.action.as_str(),
            event.outcome,
            event.rule.as_deref()
        ),
        (
            "connect",
            "get-federation-token",
            Outcome::Refused,
            Some("expired-token")
        )
    );
    assert_eq!(event.detail["access_key_id"], "ASIAEXAMPLE000000001");

    // A damaged user row is samlsim's fault on the API too, not UserNotFoundException.
    world.clock.set(NOW);
    world.damage_alice();
    let answer = world.get_federation_token("ASIAEXAMPLE000000001", "token-1");
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        answer.headers.get("x-amzn-errortype").unwrap(),
        "InternalServiceException"
    );
    assert_eq!(world.last_event().outcome, Outcome::Failed);
}

#[test]
fn the_api_words_a_missing_user_as_user_not_found() {
    let world = world();
    world
        .aws
        .state()
        .issue_credentials(&Credentials {
            access_key_id: "ASIAEXAMPLE000000002".into(),
            secret_access_key: "secret".into(),
            session_token: "token-2".into(),
            session: role_session("JDoe", NOW + 3600),
        })
        .unwrap();
    let answer = world.get_federation_token("ASIAEXAMPLE000000002", "token-2");
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer.headers.get("x-amzn-errortype").unwrap(),
        "UserNotFoundException"
    );
    let event = world.last_event();
    assert_eq!(event.rule.as_deref(), Some("user-not-found"));
    assert!(
        event.message.contains("differs only in case"),
        "{}",
        event.message
    );
}

#[test]
fn hostile_redirect_the_old_domain_cannot_send_the_browser_to_another_host() {
    let world = world();
    let get = |path: &str| world.connect.handle(&Request::new(Method::GET, path));
    for hostile in [
        "/aws/x.awsapps.com/connect@evil.example/",
        "/aws/x.awsapps.com/connect\\evil.example/",
        "/aws/x.awsapps.com/connect//evil.example/",
        "/aws/x.awsapps.com/connect.evil.example/",
        "/aws/evil.example@x.awsapps.com/connect/",
        "/aws/x:1@evil.awsapps.com/connect/",
    ] {
        // A host the emulator does not stand in for is no one's to redirect.
        let Some(answer) = get(hostile) else {
            continue;
        };
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{hostile}");
        assert!(answer.headers.get(header::LOCATION).is_none(), "{hostile}");
        assert_eq!(world.last_event().rule.as_deref(), Some("page-not-found"));
    }
    let answer = get("/aws/x.awsapps.com/connect/ccp-v2").unwrap();
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(
        answer.headers[header::LOCATION],
        "https://x.my.connect.aws/ccp-v2"
    );
}

#[test]
fn hostile_url_an_instance_with_a_script_origin_bad_alias_or_region_is_refused() {
    let world = world();
    let answer = world.connect.admin(
        &Request::new(Method::POST, "/_admin/connect/instances").with_json(&serde_json::json!({
            "id": "00000000-0000-0000-0000-000000000001", "alias": "x@evil.example",
            "region": "mars-1", "account": ACCOUNT, "admin": "admin",
            "approved_origins": ["javascript:alert(1)"],
        })),
        "/instances",
    );
    let body = answer.text_body();
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
    for cause in ["approved_origins[0]", "alias", "region"] {
        assert!(body.contains(cause), "{cause}: {body}");
    }
    assert!(world.connect.model().instances().unwrap().len() == 1);
}

#[test]
fn hostile_store_concurrent_imports_of_one_user_give_a_4xx_and_change_nothing_else() {
    let world = Arc::new(world());
    let header = crate::csv_import::SAML_TEMPLATE_HEADER;
    for round in 0..20 {
        let csv =
            format!("{header}\nBo,Chen,racer{round},Basic Routing Profile,Agent,soft,,yes,0\n");
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let world = world.clone();
                let csv = csv.clone();
                std::thread::spawn(move || {
                    let mut request = Request::new(
                        Method::POST,
                        &format!("/_admin/connect/instances/{INSTANCE}/users/import"),
                    )
                    .with_header(header::CONTENT_TYPE, "text/csv");
                    request.body = csv.into();
                    let path = format!("/instances/{INSTANCE}/users/import");
                    world.connect.admin(&request, &path).status
                })
            })
            .collect();
        let mut statuses: Vec<u16> = threads
            .into_iter()
            .map(|t| t.join().unwrap().as_u16())
            .collect();
        statuses.sort_unstable();
        assert_eq!(statuses[0], 201, "round {round}: {statuses:?}");
        assert_eq!(statuses[1], 400, "round {round}: {statuses:?}");
        // The two imports record their events in either order; the refused one
        // names the rule.
        let events = world.events.list(&EventFilter::default()).unwrap();
        let rules: Vec<Option<&str>> = events
            .iter()
            .rev()
            .take(2)
            .map(|e| e.rule.as_deref())
            .collect();
        assert!(
            rules.contains(&Some("csv-import-invalid")),
            "round {round}: {rules:?}"
        );
    }

    // The race itself, without threads: the user appears between the check of
    // the file and the write.
    let user = UserConfig {
        username: "late".into(),
        first_name: None,
        last_name: None,
        security_profiles: vec!["Agent".into()],
        routing_profile: "Basic Routing Profile".into(),
    };
    let model = world.connect.model();
    let fresh = UserConfig {
        username: "fresh".into(),
        ..user.clone()
    };
    assert_eq!(
        model
            .put_users(INSTANCE, &[(user.clone(), "id-1".into())])
            .unwrap(),
        crate::model::Inserted::All
    );
    let before = model.users(INSTANCE).unwrap().len();
    assert_eq!(
        model
            .put_users(INSTANCE, &[(fresh, "id-2".into()), (user, "id-3".into())])
            .unwrap(),
        crate::model::Inserted::Exist(vec!["late".into()])
    );
    assert_eq!(model.users(INSTANCE).unwrap().len(), before);
}

/// A session and its sign-in token are written together: a token that cannot be
/// stored leaves no session behind that nobody could enter.
#[test]
fn hostile_store_a_session_without_its_token_is_not_kept() {
    let world = world();
    world
        .store
        .with(|c| {
            c.execute_batch(
                "CREATE TRIGGER refuse_tokens BEFORE INSERT ON connect_sign_in_tokens
                 BEGIN SELECT RAISE(ABORT, 'tokens refused by the test'); END;",
            )
        })
        .unwrap();
    let failed = world.connect.model().start_session(
        "session-1",
        "token-1",
        INSTANCE,
        "alice",
        "/ccp-v2/",
        NOW,
    );
    assert!(
        failed
            .unwrap_err()
            .to_string()
            .contains("tokens refused by the test")
    );
    let sessions: i64 = world
        .store
        .with(|c| c.query_row("SELECT count(*) FROM connect_sessions", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(sessions, 0);
}
