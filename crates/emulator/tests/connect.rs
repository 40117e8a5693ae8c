//! The mock Amazon Connect end to end, in process: federation (C6, C10, C14,
//! C20–C25), 12-hour sessions (C28–C31), GetFederationToken, and bulk import (C26).

use samlsim_emulator::Emulator;
use samlsim_emulator::browser::{Browser, Page};
use samlsim_service::Request;
use samlsim_service::http::{Method, StatusCode, header};

use crate::fixture::{CONNECT_ROLE as ROLE, NOW, PROVIDER, emulator};

const INSTANCE: &str = "178c75e4-b3de-4839-a6aa-e321ab3f3770";
const CCP: &str = "/aws/example-corp.my.connect.aws/ccp-v2";

/// Portal → login → launch `sp`, following everything like a browser.
fn launch<'e>(emulator: &'e Emulator, sp: &str, user: &str, password: &str) -> (Browser<'e>, Page) {
    let mut browser = Browser::new(emulator);
    let login = browser.open(&format!("/idp/launch/{sp}"));
    let page = browser.sign_in(&login, user, password);
    (browser, page)
}

fn admin(
    emulator: &Emulator,
    method: Method,
    path: &str,
    json: serde_json::Value,
) -> (StatusCode, String) {
    let response = emulator.handle(&Request::new(method, path).with_json(&json));
    (response.status, response.text_body())
}

#[test]
fn c6_the_six_steps_end_on_the_instance_as_the_agent() {
    let emulator = emulator();
    let (mut browser, landing) = launch(&emulator, "connect-us-east-1", "alice", "alice-pass");
    assert_eq!(landing.status(), StatusCode::OK, "{}", landing.text());
    assert_eq!(
        landing.url, "/aws/example-corp.my.connect.aws/",
        "{:?}",
        landing.trail
    );
    assert!(
        landing.text().contains("Welcome, Alice Kim"),
        "{}",
        landing.text()
    );
    // The trail is the six steps: portal link, login, IdP post, AWS sign-in, federation, token hand-over.
    let trail = landing.trail.join("\n");
    for step in [
        "/aws/us-east-1.signin.aws.amazon.com/saml",
        "/aws/us-east-1.console.aws.amazon.com/connect/federate/178c75e4-b3de-4839-a6aa-e321ab3f3770",
        "/aws/example-corp.my.connect.aws/auth/sign-in?token=",
    ] {
        assert!(trail.contains(step), "{step} missing from\n{trail}");
    }
    let ccp = browser.open(CCP);
    assert_eq!(ccp.status(), StatusCode::OK);
    assert!(
        ccp.text().contains("id=\"agent-name\">Alice Kim (alice)"),
        "{}",
        ccp.text()
    );
    let steps: Vec<_> = emulator
        .events()
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .filter_map(|e| e.step)
        .collect();
    for step in ["C3", "C4", "C5", "C6"] {
        assert!(
            steps.iter().any(|s| s == step),
            "no {step} event in {steps:?}"
        );
    }
}

#[test]
fn c23_c25_a_name_differing_only_in_case_is_access_denied() {
    let emulator = emulator();
    let (_, page) = launch(&emulator, "connect-us-east-1", "JDoe", "JDoe-pass");
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert_eq!(page.rule().as_deref(), Some("user-not-onboarded"));
    let text = page.text();
    assert!(text.contains("Access Denied"));
    assert!(
        text.contains("has not been onboarded to this application"),
        "{text}"
    );
    assert!(text.contains("differs only in case"), "{text}");
}

#[test]
fn c28_opening_the_instance_directly_says_session_expired() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let page = browser.open(CCP);
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    assert!(
        page.text()
            .contains("id=\"session-expired\">Session expired")
    );
    assert_eq!(page.rule().as_deref(), Some("no-session"));
    // And the federation endpoint without a console session.
    let page = browser.open(&format!(
        "/aws/us-east-1.console.aws.amazon.com/connect/federate/{INSTANCE}"
    ));
    assert_eq!(page.rule().as_deref(), Some("no-console-session"));
}

#[test]
fn c30_the_session_ends_twelve_hours_after_sign_in_even_mid_call() {
    let emulator = emulator();
    let (mut browser, _) = launch(&emulator, "connect-us-east-1", "alice", "alice-pass");
    emulator.clock().advance(12 * 3600 - 1);
    assert_eq!(browser.open(CCP).status(), StatusCode::OK);
    emulator.clock().advance(1);
    // The CCP's poll, made during a call.
    let poll = browser.open("/aws/example-corp.my.connect.aws/api/session?in_call=1");
    assert_eq!(poll.status(), StatusCode::UNAUTHORIZED);
    let page = browser.open(CCP);
    assert!(page.text().contains("Session expired"));
    // The poll noticed the expiry first; the reload still gives the 12-hour
    // reason, not "no session ... reverse federation" (C28) (issue 12).
    assert_eq!(page.rule().as_deref(), Some("session-expired"));
    assert!(
        page.text().contains("12-hour session ended"),
        "{}",
        page.text()
    );
    let expired = emulator
        .events()
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .find(|e| e.action == "session.expired")
        .expect("an expiry event");
    assert_eq!(expired.step.as_deref(), Some("C30"));
    assert_eq!(expired.detail["in_call"], true);
}

#[test]
fn c30_c31_signing_out_of_connect_alone_leaves_the_idp_session() {
    let emulator = emulator();
    let (mut browser, landing) = launch(&emulator, "connect-us-east-1", "alice", "alice-pass");
    let sign_out = landing.form().expect("the sign-out form");
    let out = browser.submit(&sign_out);
    assert!(
        out.text()
            .contains("Your identity provider session is still active"),
        "{}",
        out.text()
    );
    assert_eq!(browser.open(CCP).status(), StatusCode::UNAUTHORIZED);
    // The next person at this browser: no password asked (C31).
    let again = browser.open("/idp/launch/connect-us-east-1");
    assert_eq!(again.url, "/aws/example-corp.my.connect.aws/");
    assert!(
        !again.trail.iter().any(|u| u.starts_with("/idp/login")),
        "{:?}",
        again.trail
    );
    // Signing out of the IdP too, a new sign-in needs the password (C30).
    browser.post("/idp/logout", &[]);
    let fresh = browser.open("/idp/launch/connect-us-east-1");
    assert!(fresh.url.starts_with("/idp/login"), "{}", fresh.url);
}

fn add_relay_sp(emulator: &Emulator, id: &str, relay: &str) {
    let (status, body) = admin(
        emulator,
        Method::POST,
        "/_admin/idp/service-providers",
        serde_json::json!({
            "id": id, "label": id, "entity_id": "urn:amazon:webservices",
            "acs_url": "https://us-east-1.signin.aws.amazon.com/saml", "relay_state": relay,
            "aws": {"roles": [format!("{ROLE},{PROVIDER}")]},
        }),
    );
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[test]
fn c20_c21_destinations_open_permitted_pages_and_approved_origins_only() {
    let emulator = emulator();
    let federate = format!("https://us-east-1.console.aws.amazon.com/connect/federate/{INSTANCE}");
    add_relay_sp(
        &emulator,
        "chat",
        &format!("{federate}?destination=%2Fccp-v2%2Fchat&new_domain=true"),
    );
    add_relay_sp(
        &emulator,
        "users",
        &format!("{federate}?destination=%2Fusers"),
    );
    add_relay_sp(
        &emulator,
        "approved",
        &format!("{federate}?destination=https%3A%2F%2Fyour-custom-website.com"),
    );
    add_relay_sp(
        &emulator,
        "unapproved",
        &format!("{federate}?destination=https%3A%2F%2Fevil.example"),
    );

    let (_, page) = launch(&emulator, "connect-agent-workspace", "alice", "alice-pass");
    assert_eq!(page.url, "/aws/example-corp.my.connect.aws/agent-app-v2");
    assert!(page.text().contains("Agent workspace"));
    let (_, page) = launch(&emulator, "chat", "alice", "alice-pass");
    assert_eq!(page.url, "/aws/example-corp.my.connect.aws/ccp-v2/chat");
    let (_, page) = launch(&emulator, "users", "alice", "alice-pass");
    assert_eq!(page.rule().as_deref(), Some("destination-not-permitted"));
    let (_, page) = launch(&emulator, "users", "admin", "admin-pass");
    assert_eq!(
        page.url, "/aws/example-corp.my.connect.aws/users",
        "C7: the admin may"
    );
    let (_, page) = launch(&emulator, "approved", "alice", "alice-pass");
    assert!(
        page.trail
            .iter()
            .any(|u| u == "https://your-custom-website.com"),
        "{:?}",
        page.trail
    );
    let (_, page) = launch(&emulator, "unapproved", "alice", "alice-pass");
    assert_eq!(page.rule().as_deref(), Some("destination-not-approved"));
}

fn set_permissions(emulator: &Emulator, policy: &str) {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":["https://signin.aws.amazon.com/saml","https://us-east-1.signin.aws.amazon.com/saml"]}}}]}"#;
    let (status, body) = admin(
        emulator,
        Method::POST,
        "/_admin/aws/accounts/123456789012/roles",
        serde_json::json!({"name": "ConnectFederation", "trust_policy": trust, "permission_policies": [policy], "max_session_duration": 43200}),
    );
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[test]
fn c10_each_permission_policy_form_decides_federation() {
    let emulator = emulator();
    let form_b = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*","Condition":{{"StringEquals":{{"connect:InstanceId":"{INSTANCE}"}}}}}}]}}"#
    );
    let form_c = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*","Condition":{{"StringEquals":{{"connect:InstanceId":["00000000-0000-0000-0000-000000000000","{INSTANCE}"]}}}}}}]}}"#
    );
    let other = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-0000-0000-000000000000/user/${aws:userid}"}]}"#;
    for (policy, allowed) in [
        (form_b.as_str(), true),
        (form_c.as_str(), true),
        (other, false),
    ] {
        set_permissions(&emulator, policy);
        let (_, page) = launch(&emulator, "connect-us-east-1", "alice", "alice-pass");
        if allowed {
            assert_eq!(page.status(), StatusCode::OK, "{policy}: {}", page.text());
        } else {
            assert_eq!(
                page.rule().as_deref(),
                Some("federation-not-allowed"),
                "{policy}"
            );
            assert!(
                page.text()
                    .contains("is not authorized to perform: connect:GetFederationToken")
            );
        }
    }
}

/// STS credentials for `user` (access key and session token), from an assertion
/// the IdP issued.
fn credentials(emulator: &Emulator, user: &str, password: &str) -> (String, String) {
    let mut browser = Browser::new(emulator);
    browser.scripts = false;
    let login = browser.open("/idp/launch/connect-us-east-1");
    let page = browser.sign_in(&login, user, password);
    let assertion = page.form().unwrap().get("SAMLResponse").unwrap().to_owned();
    let response = emulator.handle(
        &Request::new(Method::POST, "/aws/sts.amazonaws.com/").with_form(&[
            ("Action", "AssumeRoleWithSAML"),
            ("Version", "2011-06-15"),
            ("RoleArn", ROLE),
            ("PrincipalArn", PROVIDER),
            ("SAMLAssertion", &assertion),
        ]),
    );
    let xml = response.text_body();
    let text = |name: &str| {
        let open = format!("<{name}>");
        let start = xml.find(&open).unwrap() + open.len();
        xml[start..start + xml[start..].find('<').unwrap()].to_owned()
    };
    (text("AccessKeyId"), text("SessionToken"))
}

fn get_federation_token(
    emulator: &Emulator,
    (access_key, session_token): &(String, String),
) -> (StatusCode, Option<String>, serde_json::Value) {
    let mut request = Request::new(Method::GET, &format!("/aws/connect.us-east-1.amazonaws.com/user/federate/{INSTANCE}")).with_header(
        header::AUTHORIZATION,
        &format!("AWS4-HMAC-SHA256 Credential={access_key}/20261123/us-east-1/connect/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"),
    );
    if !session_token.is_empty() {
        request = request.with_header(
            header::HeaderName::from_static("x-amz-security-token"),
            session_token,
        );
    }
    let response = emulator.handle(&request);
    let code = response
        .headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        response.status,
        code,
        serde_json::from_slice(&response.body).unwrap(),
    )
}

#[test]
fn get_federation_token_answers_for_the_role_session_that_calls_it() {
    let emulator = emulator();
    let key = credentials(&emulator, "alice", "alice-pass");
    let (status, code, body) = get_federation_token(&emulator, &key);
    assert_eq!((status, code), (StatusCode::OK, None), "{body}");
    assert!(body["Credentials"]["AccessToken"].as_str().is_some());
    assert_eq!(
        body["Credentials"]["AccessTokenExpiration"],
        NOW + 12 * 3600
    );
    assert!(body["UserArn"].as_str().unwrap().starts_with(&format!(
        "arn:aws:connect:us-east-1:123456789012:instance/{INSTANCE}/agent/"
    )));
    // The SignInUrl signs a browser in.
    let sign_in = body["SignInUrl"].as_str().unwrap();
    let mut browser = Browser::new(&emulator);
    assert_eq!(
        browser.open(sign_in).url,
        "/aws/example-corp.my.connect.aws/"
    );

    let jdoe = credentials(&emulator, "JDoe", "JDoe-pass");
    let (status, code, _) = get_federation_token(&emulator, &jdoe);
    assert_eq!(
        (status, code.as_deref()),
        (StatusCode::NOT_FOUND, Some("UserNotFoundException"))
    );
    let (status, code, _) = get_federation_token(
        &emulator,
        &("ASIAUNKNOWNKEY00000".to_owned(), String::new()),
    );
    assert_eq!(
        (status, code.as_deref()),
        (StatusCode::FORBIDDEN, Some("UnrecognizedClientException"))
    );
    // Temporary credentials without their session token are refused.
    let (status, code, _) = get_federation_token(&emulator, &(key.0.clone(), String::new()));
    assert_eq!(
        (status, code.as_deref()),
        (StatusCode::FORBIDDEN, Some("UnrecognizedClientException"))
    );
    emulator.clock().advance(3601);
    let (status, code, _) = get_federation_token(&emulator, &key);
    assert_eq!(
        (status, code.as_deref()),
        (StatusCode::FORBIDDEN, Some("ExpiredTokenException"))
    );
}

#[test]
fn c26_bulk_import_takes_the_saml_template_whole_or_not_at_all() {
    let emulator = emulator();
    let import = |csv: &str| {
        let mut request = Request::new(
            Method::POST,
            &format!("/_admin/connect/instances/{INSTANCE}/users/import"),
        );
        request.body = csv.to_owned().into();
        let request = request.with_header(header::CONTENT_TYPE, "text/csv");
        let response = emulator.handle(&request);
        (response.status, response.text_body())
    };
    let saml = samlsim_connect::csv_import::SAML_TEMPLATE_HEADER;
    let good = format!(
        "{saml}\nBo,Chen,bchen,Basic Routing Profile,Agent,soft,,yes,0\nJane,Doe,JDoe,Basic Routing Profile,Agent,soft,,no,\n"
    );
    let (status, body) = import(&good);
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // JDoe now has a Connect user of her exact name: the C23 mismatch is gone.
    let (_, page) = launch(&emulator, "connect-us-east-1", "JDoe", "JDoe-pass");
    assert_eq!(page.status(), StatusCode::OK, "{}", page.text());

    let non_saml = format!(
        "{}\nCy,Lee,clee@example.com,Passw0rd!,clee,Basic Routing Profile,Agent,soft,,yes,0\n",
        samlsim_connect::csv_import::CONNECT_MANAGED_TEMPLATE_HEADER
    );
    let (status, body) = import(&non_saml);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("email address"), "{body}");

    let one_bad = format!(
        "{saml}\nDi,Ng,dng,Basic Routing Profile,Agent,soft,,yes,0\nEd,Ow,o'brien,Basic Routing Profile,Agent,soft,,yes,0\n"
    );
    let (status, body) = import(&one_bad);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("\"line\": 3"), "{body}");
    let users = emulator.connect().model().users(INSTANCE).unwrap();
    assert!(
        !users.iter().any(|u| u.username == "dng"),
        "nothing is imported when a row is bad"
    );
}

/// Connect has no resource policy: a role of another account cannot federate into
/// the instance, whatever its own policy says (review finding).
#[test]
fn a_role_of_another_account_cannot_federate() {
    let emulator = emulator();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:saml-provider/ExampleCorpIdP"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://us-east-1.signin.aws.amazon.com/saml"}}}]}"#;
    let permissions = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"connect:GetFederationToken","Resource":"*","Condition":{{"StringEquals":{{"connect:InstanceId":"{INSTANCE}"}}}}}}]}}"#
    );
    let (status, body) = admin(
        &emulator,
        Method::POST,
        "/_admin/aws/accounts",
        serde_json::json!({
            "id": "111111111111",
            "saml_providers": [{"name": "ExampleCorpIdP", "metadata": "idp"}],
            "roles": [{"name": "Elsewhere", "trust_policy": trust, "permission_policies": [permissions]}],
        }),
    );
    assert_eq!(status, StatusCode::CREATED, "{body}");
    add_relay_sp(
        &emulator,
        "elsewhere",
        &format!("https://us-east-1.console.aws.amazon.com/connect/federate/{INSTANCE}"),
    );
    // Point the new app at the other account's role.
    let (status, body) = admin(
        &emulator,
        Method::POST,
        "/_admin/idp/service-providers",
        serde_json::json!({
            "id": "elsewhere", "label": "elsewhere", "entity_id": "urn:amazon:webservices",
            "acs_url": "https://us-east-1.signin.aws.amazon.com/saml",
            "relay_state": format!("https://us-east-1.console.aws.amazon.com/connect/federate/{INSTANCE}"),
            "aws": {"roles": ["arn:aws:iam::111111111111:role/Elsewhere,arn:aws:iam::111111111111:saml-provider/ExampleCorpIdP"]},
        }),
    );
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, page) = launch(&emulator, "elsewhere", "alice", "alice-pass");
    assert_eq!(
        page.rule().as_deref(),
        Some("federation-not-allowed"),
        "{}",
        page.text()
    );
    assert!(
        page.text().contains("account 111111111111"),
        "{}",
        page.text()
    );
}
