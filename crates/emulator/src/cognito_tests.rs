//! The mock Cognito user pool end to end, in process, with the emulator's own
//! IdP: the sign-in flows, Cognito's checks on the assertion (one test per rule,
//! each failing without its check), tokens, PKCE, refresh, the case-sensitivity
//! matrix (G6–G9) and the cognito-idp API.

use std::sync::Arc;

use samlsim_cognito::CognitoRule;
use samlsim_crypto::Identity;
use samlsim_service::http::{Method, StatusCode, encode_form, header};
use samlsim_service::{Request, Rule, SequentialIds, VirtualClock};
use serde_json::{Value, json};

use crate::browser::{Browser, Page};
use crate::{Config, Emulator, Options};

const NOW: i64 = 1_795_435_200; // 2026-11-23T12:00:00Z
const IDP_KEY: &str = include_str!("../../../certs/test-only-idp-key.pem");
const IDP_CERT: &str = include_str!("../../../certs/test-only-idp-cert.pem");
const POOL: &str = "us-east-1_SamlSim01";
const HOST: &str = "samlsim-demo.auth.us-east-1.amazoncognito.com";
/// A client added by the tests whose callback the browser cannot follow, so the
/// test sees the code.
const TEST_CLIENT: &str = "testclient0000000000000001";
const CALLBACK: &str = "http://localhost:8080/cb";

fn emulator_with(change: impl FnOnce(&mut Config)) -> Emulator {
    let mut config = Config::load(None).unwrap();
    let pool = &mut config.cognito.user_pools[0];
    pool.clients.push(samlsim_cognito::config::AppClientConfig {
        id: TEST_CLIENT.into(),
        name: "test".into(),
        secret: Some("s3cret".into()),
        callback_urls: vec![CALLBACK.into()],
        logout_urls: vec!["http://localhost:8080/bye".into()],
        flows: vec!["code".into(), "implicit".into()],
        scopes: vec!["openid".into(), "email".into(), "profile".into()],
        identity_providers: vec!["ExampleCorpIdP".into()],
        id_token_validity: "1h".into(),
        access_token_validity: "1h".into(),
        refresh_token_validity: "30d".into(),
    });
    change(&mut config);
    Emulator::start(
        config,
        Options {
            data: None,
            clock: Arc::new(VirtualClock::frozen(NOW)),
            ids: Arc::new(SequentialIds::default()),
            identity: Some(Identity::from_pem(IDP_KEY, IDP_CERT).unwrap()),
            cognito_identities: None,
        },
    )
    .unwrap()
}

fn emulator() -> Emulator {
    emulator_with(|_| {})
}

fn hosted(path: &str) -> String {
    format!("/aws/{HOST}{path}")
}

fn authorize_url(client: &str, redirect: &str, extra: &[(&str, &str)]) -> String {
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", redirect),
        ("identity_provider", "ExampleCorpIdP"),
        ("scope", "openid email profile"),
        ("state", "st"),
        ("nonce", "n0"),
    ];
    for (k, v) in extra {
        query.retain(|(q, _)| q != k);
        query.push((k, v));
    }
    hosted(&format!("/oauth2/authorize?{}", encode_form(&query)))
}

/// Signs `user` in through the test client; the final page is the callback
/// the browser did not follow (its URL carries the code) or a refusal.
fn sign_in(browser: &mut Browser, user: &str, extra: &[(&str, &str)]) -> Page {
    let login = browser.open(&authorize_url(TEST_CLIENT, CALLBACK, extra));
    if login.role().as_deref() != Some("idp-login") {
        // Already signed in at the IdP: it answered at once.
        return login;
    }
    browser.sign_in(&login, user, "carlos-pass")
}

fn code_of(page: &Page) -> String {
    assert!(
        page.url.starts_with(CALLBACK),
        "ended at {} {}",
        page.url,
        page.text()
    );
    let query = page.url.split_once('?').unwrap().1;
    Request::new(Method::GET, &format!("/?{query}"))
        .query_param("code")
        .expect("a code")
}

fn token(emulator: &Emulator, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut fields = vec![("client_id", TEST_CLIENT), ("client_secret", "s3cret")];
    fields.extend_from_slice(form);
    let response =
        emulator.handle(&Request::new(Method::POST, &hosted("/oauth2/token")).with_form(&fields));
    (
        response.status,
        serde_json::from_slice(&response.body).unwrap(),
    )
}

fn exchange(emulator: &Emulator, code: &str, verifier: Option<&str>) -> (StatusCode, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CALLBACK),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    token(emulator, &form)
}

fn claims(token: &Value) -> Value {
    samlsim_cognito::jwt::decode_unverified(token.as_str().unwrap()).unwrap()
}

fn api(emulator: &Emulator, operation: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::new(Method::POST, "/aws/cognito-idp.us-east-1.amazonaws.com/")
        .with_header(header::CONTENT_TYPE, "application/x-amz-json-1.1")
        .with_header(
            header::HeaderName::from_static("x-amz-target"),
            &format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .with_header(header::AUTHORIZATION, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0")
        .with_json(&body);
    let response = emulator.handle(&request);
    (
        response.status,
        serde_json::from_slice(&response.body).unwrap(),
    )
}

fn delete_user(emulator: &Emulator, username: &str) {
    let (status, body) = api(
        emulator,
        "AdminDeleteUser",
        json!({"UserPoolId": POOL, "Username": username}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The rule of the latest refusal in the event log (token-endpoint answers carry
/// only the OAuth code; the log names the rule).
fn last_rule(emulator: &Emulator) -> Option<String> {
    emulator
        .events()
        .list(&samlsim_service::EventFilter::default())
        .unwrap()
        .into_iter()
        .filter_map(|e| e.rule)
        .next_back()
}

/// Rules by name, as pages carry them (and as the rule catalogue's check finds them).
fn assert_rule(page: &Page, rule: &str) {
    assert!(CognitoRule::named(rule).is_some(), "no rule {rule}");
    assert_eq!(
        page.rule().as_deref(),
        Some(rule),
        "{} {}",
        page.url,
        page.text()
    );
}

// ---- the happy paths ------------------------------------------------------------

#[test]
fn the_example_app_signs_in_sp_initiated_with_pkce_and_shows_the_tokens() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let login = browser.open("https://example-app.samlsim.test/login");
    assert_eq!(
        login.role().as_deref(),
        Some("idp-login"),
        "{}",
        login.text()
    );
    let page = browser.sign_in(&login, "carlos", "carlos-pass");
    assert_eq!(
        page.role().as_deref(),
        Some("cognito-app-tokens"),
        "{}",
        page.text()
    );
    let text = page.text();
    assert!(text.contains("ExampleCorpIdP_Carlos@example.com"), "{text}");
    assert!(text.contains("with the PKCE verifier"), "{text}");
    assert!(
        text.contains("&quot;token_use&quot;: &quot;id&quot;") || text.contains("token_use"),
        "{text}"
    );
}

#[test]
fn the_portal_link_signs_in_idp_initiated_to_the_example_app() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/launch/cognito-example-app");
    let page = browser.sign_in(&login, "carlos", "carlos-pass");
    assert_eq!(
        page.role().as_deref(),
        Some("cognito-app-tokens"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("IdP-initiated"));
}

#[test]
fn id_and_access_tokens_carry_cognitos_claims_and_verify_with_the_jwks() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let code = code_of(&sign_in(&mut browser, "carlos", &[]));
    let (status, body) = exchange(&emulator, &code, None);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let id = claims(&body["id_token"]);
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], TEST_CLIENT);
    assert_eq!(
        id["iss"],
        format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}")
    );
    assert_eq!(id["cognito:username"], "ExampleCorpIdP_Carlos@example.com");
    assert_eq!(id["email"], "Carlos@example.com");
    assert_eq!(id["custom:department"], "Sales");
    assert_eq!(id["nonce"], "n0");
    assert_eq!(id["email_verified"], false);
    assert_eq!(id["auth_time"], NOW);
    assert_eq!(id["exp"], NOW + 3600);
    assert_eq!(id["identities"][0]["providerName"], "ExampleCorpIdP");
    assert_eq!(id["identities"][0]["providerType"], "SAML");
    assert_eq!(id["identities"][0]["userId"], "Carlos@example.com");
    assert_eq!(id["sub"].as_str().unwrap().len(), 36);
    let access = claims(&body["access_token"]);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], TEST_CLIENT);
    assert_eq!(access["scope"], "openid email profile");
    assert_eq!(access["username"], "ExampleCorpIdP_Carlos@example.com");
    assert_eq!(access["sub"], id["sub"]);
    assert_eq!(access["origin_jti"], id["origin_jti"]);
    assert!(access["jti"].is_string() && access["event_id"].is_string());
    // Signed with the key jwks.json publishes, under its kid.
    let keys = emulator.cognito().keys();
    assert!(keys.verify(body["id_token"].as_str().unwrap()).is_ok());
    let mut altered = body["id_token"].as_str().unwrap().to_owned();
    altered.insert(altered.find('.').unwrap() + 2, 'x');
    assert!(
        keys.verify(&altered).is_err(),
        "an altered token does not verify"
    );
    let jwks = emulator.handle(&Request::new(
        Method::GET,
        &format!("/aws/cognito-idp.us-east-1.amazonaws.com/{POOL}/.well-known/jwks.json"),
    ));
    let jwks: Value = serde_json::from_slice(&jwks.body).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], keys.kid());
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
    // userInfo with the access token.
    let info = emulator.handle(
        &Request::new(Method::GET, &hosted("/oauth2/userInfo")).with_header(
            header::AUTHORIZATION,
            &format!("Bearer {}", body["access_token"].as_str().unwrap()),
        ),
    );
    assert_eq!(info.status, StatusCode::OK, "{}", info.text_body());
    let info: Value = serde_json::from_slice(&info.body).unwrap();
    assert_eq!(info["username"], "ExampleCorpIdP_Carlos@example.com");
    assert_eq!(info["email"], "Carlos@example.com");
}

#[test]
fn the_access_token_expires_by_the_virtual_clock() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let code = code_of(&sign_in(&mut browser, "carlos", &[]));
    let (_, body) = exchange(&emulator, &code, None);
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());
    emulator.clock().advance(3600);
    let info = emulator.handle(
        &Request::new(Method::GET, &hosted("/oauth2/userInfo"))
            .with_header(header::AUTHORIZATION, &bearer),
    );
    assert_eq!(info.status, StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(&info.body).unwrap();
    assert_eq!(body["error"], "invalid_token");
}

#[test]
fn the_implicit_flow_puts_the_tokens_in_the_fragment() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let page = sign_in(&mut browser, "carlos", &[("response_type", "token")]);
    assert!(
        page.url.starts_with(&format!("{CALLBACK}#id_token=")),
        "{}",
        page.url
    );
    assert!(page.url.contains("access_token=") && page.url.contains("state=st"));
}

#[test]
fn pkce_s256_and_plain_work_and_a_wrong_verifier_is_refused() {
    let emulator = emulator();
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = samlsim_cognito::jwt::s256(verifier);
    assert_eq!(
        challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "RFC 7636 appendix B"
    );
    for (method, challenge) in [("S256", challenge.as_str()), ("plain", verifier)] {
        let mut browser = Browser::new(&emulator);
        let extra = [
            ("code_challenge", challenge),
            ("code_challenge_method", method),
        ];
        let code = code_of(&sign_in(&mut browser, "carlos", &extra));
        let (status, body) = exchange(&emulator, &code, Some(verifier));
        assert_eq!(status, StatusCode::OK, "{method}: {body}");
        let code = code_of(&sign_in(&mut browser, "carlos", &extra));
        let (status, body) = exchange(
            &emulator,
            &code,
            Some("wrong-verifier-wrong-verifier-wrong-verifier"),
        );
        assert_eq!(
            (status, &body["error"]),
            (StatusCode::BAD_REQUEST, &json!("invalid_grant")),
            "{method}"
        );
        assert_eq!(last_rule(&emulator).as_deref(), Some("pkce-mismatch"));
        let code = code_of(&sign_in(&mut browser, "carlos", &extra));
        let (status, _) = exchange(&emulator, &code, None);
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{method}: a missing verifier"
        );
    }
    let mut browser = Browser::new(&emulator);
    let page = browser.open(&authorize_url(
        TEST_CLIENT,
        CALLBACK,
        &[("code_challenge", "x"), ("code_challenge_method", "S512")],
    ));
    assert_rule(&page, "pkce-invalid");
}

#[test]
fn a_code_works_once_for_its_client_and_redirect_uri() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let code = code_of(&sign_in(&mut browser, "carlos", &[]));
    let (status, body) = token(
        &emulator,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://localhost:8080/other"),
        ],
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    assert_eq!(last_rule(&emulator).as_deref(), Some("invalid-grant"));
    let code = code_of(&sign_in(&mut browser, "carlos", &[]));
    assert_eq!(exchange(&emulator, &code, None).0, StatusCode::OK);
    assert_eq!(exchange(&emulator, &code, None).1["error"], "invalid_grant");
    let (_, body) = token(&emulator, &[("grant_type", "authorization_code")]);
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(
        last_rule(&emulator).as_deref(),
        Some("token-missing-parameter")
    );
    let response = emulator.handle(
        &Request::new(Method::POST, &hosted("/oauth2/token")).with_form(&[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", CALLBACK),
            ("client_id", TEST_CLIENT),
            ("client_secret", "nope"),
        ]),
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&response.body).unwrap()["error"],
        "invalid_client"
    );
    assert_eq!(last_rule(&emulator).as_deref(), Some("invalid-client"));
    let (_, body) = token(&emulator, &[("grant_type", "password")]);
    assert_eq!(body["error"], "unsupported_grant_type");
    assert_eq!(
        last_rule(&emulator).as_deref(),
        Some("unsupported-grant-type")
    );
}

#[test]
fn a_refresh_token_stops_working_when_its_user_is_deleted_or_disabled() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let code = code_of(&sign_in(&mut browser, "carlos", &[]));
    let (_, body) = exchange(&emulator, &code, None);
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let (status, again) = token(
        &emulator,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    );
    assert_eq!(status, StatusCode::OK, "{again}");
    assert!(again.get("refresh_token").is_none());
    assert_eq!(
        claims(&again["access_token"])["origin_jti"],
        claims(&body["access_token"])["origin_jti"]
    );

    let (status, _) = api(
        &emulator,
        "AdminDisableUser",
        json!({"UserPoolId": POOL, "Username": "ExampleCorpIdP_Carlos@example.com"}),
    );
    assert_eq!(status, StatusCode::OK);
    let (_, refused) = token(
        &emulator,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    );
    assert_eq!(refused["error"], "invalid_grant");
    assert_eq!(
        last_rule(&emulator).as_deref(),
        Some("refresh-token-revoked")
    );
    api(
        &emulator,
        "AdminEnableUser",
        json!({"UserPoolId": POOL, "Username": "ExampleCorpIdP_Carlos@example.com"}),
    );

    delete_user(&emulator, "ExampleCorpIdP_Carlos@example.com");
    let (status, refused) = token(
        &emulator,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    );
    assert_eq!(
        (status, refused["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // Signing in again creates the profile anew (G9), with a new sub; the old
    // refresh token stays dead.
    let code = code_of(&sign_in(&mut browser, "carlos", &[]));
    let (_, fresh) = exchange(&emulator, &code, None);
    assert_ne!(
        claims(&fresh["id_token"])["sub"],
        claims(&body["id_token"])["sub"]
    );
    let (_, refused) = token(
        &emulator,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    );
    assert_eq!(refused["error"], "invalid_grant");
}

// ---- G6–G9: the case-sensitivity matrix -------------------------------------------

fn username_of(emulator: &Emulator, page: &Page) -> String {
    let (_, body) = exchange(emulator, &code_of(page), None);
    claims(&body["id_token"])["cognito:username"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn case_insensitive_pool_refuses_a_nameid_differing_only_in_case_until_the_profile_is_deleted() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let first = sign_in(&mut browser, "carlos", &[]);
    assert_eq!(
        username_of(&emulator, &first),
        "ExampleCorpIdP_Carlos@example.com"
    );
    // The same NameID again: the same user (attributes refreshed).
    let mut browser = Browser::new(&emulator);
    assert_eq!(
        username_of(&emulator, &sign_in(&mut browser, "carlos", &[])),
        "ExampleCorpIdP_Carlos@example.com"
    );
    // G8: carlos@example.com finds no linked identity; its username collides.
    let mut browser = Browser::new(&emulator);
    let refused = sign_in(&mut browser, "carlos.lower", &[]);
    assert_rule(&refused, "username-case-collision");
    assert!(
        refused
            .text()
            .contains("Invalid ProviderName/Username combination")
    );
    // G9: delete the profile; the next sign-in creates it anew.
    delete_user(&emulator, "exampleCorpIdP_carlos@EXAMPLE.com");
    let mut browser = Browser::new(&emulator);
    assert_eq!(
        username_of(&emulator, &sign_in(&mut browser, "carlos.lower", &[])),
        "ExampleCorpIdP_carlos@example.com"
    );
    let (_, users) = api(&emulator, "ListUsers", json!({"UserPoolId": POOL}));
    assert_eq!(users["Users"].as_array().unwrap().len(), 1, "{users}");
    assert_eq!(users["Users"][0]["UserStatus"], "EXTERNAL_PROVIDER");
}

#[test]
fn case_sensitive_pool_makes_a_second_user_for_a_nameid_differing_only_in_case() {
    let emulator = emulator_with(|c| c.cognito.user_pools[0].case_sensitive = true);
    let mut browser = Browser::new(&emulator);
    assert_eq!(
        username_of(&emulator, &sign_in(&mut browser, "carlos", &[])),
        "ExampleCorpIdP_Carlos@example.com"
    );
    let mut browser = Browser::new(&emulator);
    assert_eq!(
        username_of(&emulator, &sign_in(&mut browser, "carlos.lower", &[])),
        "ExampleCorpIdP_carlos@example.com"
    );
    let (_, users) = api(
        &emulator,
        "ListUsers",
        json!({"UserPoolId": POOL, "Filter": "username ^= \"ExampleCorpIdP_\""}),
    );
    assert_eq!(users["Users"].as_array().unwrap().len(), 2, "{users}");
    let (_, first) = api(
        &emulator,
        "ListUsers",
        json!({"UserPoolId": POOL, "Limit": 1}),
    );
    assert_eq!(first["Users"].as_array().unwrap().len(), 1);
    let token = first["PaginationToken"].as_str().unwrap();
    let (_, second) = api(
        &emulator,
        "ListUsers",
        json!({"UserPoolId": POOL, "Limit": 1, "PaginationToken": token}),
    );
    assert_eq!(second["Users"].as_array().unwrap().len(), 1);
    assert!(second.get("PaginationToken").is_none());
    assert_ne!(
        first["Users"][0]["Username"],
        second["Users"][0]["Username"]
    );
}

#[test]
fn a_changed_nameid_reaches_a_different_user() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let before = username_of(&emulator, &sign_in(&mut browser, "carlos", &[]));
    let mut browser = Browser::new(&emulator);
    let after = username_of(&emulator, &sign_in(&mut browser, "carlos.new", &[]));
    assert_ne!(before, after);
    assert_eq!(after, "ExampleCorpIdP_carlos.salazar@example.com");
}

// ---- Cognito's checks on the assertion: one test per rule ------------------------

/// Signs in with scripts off and returns the IdP's auto-post page.
fn idp_post(browser: &mut Browser, user: &str, url: &str) -> Page {
    browser.scripts = false;
    let login = browser.open(url);
    let page = if login.role().as_deref() == Some("idp-login") {
        browser.sign_in(&login, user, "carlos-pass")
    } else {
        login
    };
    assert!(
        page.form().is_some_and(|f| f.get("SAMLResponse").is_some()),
        "{}",
        page.text()
    );
    page
}

fn submit(browser: &mut Browser, page: &Page) -> Page {
    browser.scripts = true;
    let form = page.form().unwrap();
    browser.submit(&form)
}

#[test]
fn an_altered_assertion_fails_the_signature_check() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let page = idp_post(
        &mut browser,
        "carlos",
        &authorize_url(TEST_CLIENT, CALLBACK, &[]),
    );
    let mut form = page.form().unwrap();
    let xml =
        samlsim_saml::binding::decode_post(form.get("SAMLResponse").unwrap(), &Default::default())
            .unwrap();
    let altered = String::from_utf8(xml)
        .unwrap()
        .replace("Carlos@example.com", "admin@example.com");
    form.set(
        "SAMLResponse",
        &samlsim_saml::binding::encode_post(altered.as_bytes()),
    );
    assert_rule(&browser.submit(&form), "signature-invalid");
}

#[test]
fn a_replayed_assertion_is_refused() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let page = idp_post(&mut browser, "carlos", "/idp/launch/cognito-example-app");
    let first = submit(&mut browser, &page);
    assert_eq!(
        first.role().as_deref(),
        Some("cognito-app-tokens"),
        "{}",
        first.text()
    );
    assert_rule(&submit(&mut browser, &page), "assertion-replayed");
}

#[test]
fn idp_initiated_needs_idp_init_and_an_assertion_under_six_minutes_old() {
    let emulator = emulator_with(|c| {
        for sp in &mut c.idp.service_providers {
            sp.assertion_lifetime = "10m".into();
        }
    });
    let mut browser = Browser::new(&emulator);
    let page = idp_post(&mut browser, "carlos", "/idp/launch/cognito-example-app");
    emulator.clock().advance(6 * 60 + 1);
    assert_rule(&submit(&mut browser, &page), "idp-init-too-old");
    let page = idp_post(&mut browser, "carlos", "/idp/launch/cognito-example-app");
    emulator.clock().advance(6 * 60);
    assert_eq!(
        submit(&mut browser, &page).role().as_deref(),
        Some("cognito-app-tokens")
    );

    let emulator =
        emulator_with(|c| c.cognito.user_pools[0].identity_providers[0].idp_init = false);
    let mut browser = Browser::new(&emulator);
    let page = idp_post(&mut browser, "carlos", "/idp/launch/cognito-example-app");
    assert_rule(&submit(&mut browser, &page), "idp-init-not-enabled");
}

#[test]
fn an_expired_assertion_is_refused() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let page = idp_post(&mut browser, "carlos", "/idp/launch/cognito-example-app");
    emulator.clock().advance(5 * 60);
    assert_rule(&submit(&mut browser, &page), "assertion-expired");
}

#[test]
fn the_sign_in_must_complete_within_five_minutes() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let login = browser.open(&authorize_url(TEST_CLIENT, CALLBACK, &[]));
    emulator.clock().advance(5 * 60 + 1);
    let page = browser.sign_in(&login, "carlos", "carlos-pass");
    assert_rule(&page, "sign-in-window-expired");
}

#[test]
fn a_response_to_another_request_fails_in_response_to() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let first = idp_post(
        &mut browser,
        "carlos",
        &authorize_url(TEST_CLIENT, CALLBACK, &[]),
    );
    // A second sign-in in the same browser (the IdP session answers at once).
    browser.scripts = false;
    let second = browser.open(&authorize_url(TEST_CLIENT, CALLBACK, &[]));
    let mut form = first.form().unwrap();
    form.set(
        "RelayState",
        second.form().unwrap().get("RelayState").unwrap(),
    );
    browser.scripts = true;
    assert_rule(&browser.submit(&form), "in-response-to-mismatch");
}

#[test]
fn audience_and_recipient_must_name_this_pool() {
    let emulator = emulator_with(|c| {
        let sp = c
            .idp
            .service_providers
            .iter_mut()
            .find(|s| s.id == "cognito-example-app")
            .unwrap();
        sp.audience = Some("urn:amazon:cognito:sp:us-east-1_Other".into());
    });
    let mut browser = Browser::new(&emulator);
    let page = idp_post(&mut browser, "carlos", "/idp/launch/cognito-example-app");
    assert_rule(&submit(&mut browser, &page), "audience-mismatch");

    let emulator = emulator_with(|c| {
        let sp = c
            .idp
            .service_providers
            .iter_mut()
            .find(|s| s.id == "cognito-example-app")
            .unwrap();
        sp.acs_url = "https://other.auth.us-east-1.amazoncognito.com/saml2/idpresponse".into();
    });
    let mut browser = Browser::new(&emulator);
    let page = idp_post(&mut browser, "carlos", "/idp/launch/cognito-example-app");
    let mut form = page.form().unwrap();
    form.action = hosted("/saml2/idpresponse");
    browser.scripts = true;
    assert_rule(&browser.submit(&form), "recipient-mismatch");
}

#[test]
fn the_issuer_must_be_the_providers_entity_id() {
    let emulator = emulator_with(|c| {
        // A provider with the IdP's certificate under another entity ID.
        let mut other = c.cognito.user_pools[0].identity_providers[0].clone();
        other.name = "OtherIdP".into();
        c.cognito.user_pools[0].identity_providers.push(other);
        let sp = c
            .idp
            .service_providers
            .iter_mut()
            .find(|s| s.id == "cognito-example-app")
            .unwrap();
        sp.relay_state = Some(
            sp.relay_state
                .clone()
                .unwrap()
                .replace("ExampleCorpIdP", "OtherIdP"),
        );
        c.cognito.user_pools[0].clients[0]
            .identity_providers
            .push("OtherIdP".into());
    });
    // Give OtherIdP another entity ID by editing its stored metadata.
    let model = emulator.cognito().model();
    let mut provider = model.provider(POOL, "OtherIdP").unwrap().unwrap();
    provider.entity_id = "https://other-idp.example.com/".into();
    model.put_provider(&provider).unwrap();
    let mut browser = Browser::new(&emulator);
    let page = idp_post(&mut browser, "carlos", "/idp/launch/cognito-example-app");
    assert_rule(&submit(&mut browser, &page), "issuer-mismatch");
}

#[test]
fn required_attributes_must_be_mapped_and_sent() {
    let emulator = emulator_with(|c| {
        c.cognito.user_pools[0]
            .required_attributes
            .push("family_name".into())
    });
    let mut browser = Browser::new(&emulator);
    let page = sign_in(&mut browser, "carlos", &[]);
    assert_rule(&page, "required-attribute-missing");
    assert!(
        page.text()
            .contains("Invalid user attributes: family_name: The attribute is required"),
        "{}",
        page.text()
    );
}

#[test]
fn size_and_shape_of_the_saml_response_are_checked() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let big = "A".repeat(100_001);
    assert_rule(
        &browser.post(&hosted("/saml2/idpresponse"), &[("SAMLResponse", &big)]),
        "saml-response-too-large",
    );
    assert_rule(
        &browser.post(&hosted("/saml2/idpresponse"), &[("SAMLResponse", "!!!")]),
        "saml-malformed",
    );
    assert_rule(
        &browser.post(&hosted("/saml2/idpresponse"), &[]),
        "saml-malformed",
    );
}

#[test]
fn authorize_checks_client_redirect_flow_scope_and_provider() {
    let emulator = emulator_with(|c| {
        c.cognito.user_pools[0].clients[1]
            .identity_providers
            .clear()
    });
    let mut browser = Browser::new(&emulator);
    for (url, rule) in [
        (
            authorize_url("nosuchclient", CALLBACK, &[]),
            "client-not-found",
        ),
        (
            authorize_url(TEST_CLIENT, "https://evil.example.com/cb", &[]),
            "redirect-mismatch",
        ),
        (
            authorize_url(TEST_CLIENT, CALLBACK, &[("response_type", "id_token")]),
            "unauthorized-client",
        ),
        (
            authorize_url(
                TEST_CLIENT,
                CALLBACK,
                &[("scope", "openid aws.cognito.signin.user.admin")],
            ),
            "invalid-scope",
        ),
        (
            authorize_url(TEST_CLIENT, CALLBACK, &[("identity_provider", "Nope")]),
            "provider-not-found",
        ),
        // G5: the provider exists but is not assigned to the test client.
        (
            authorize_url(TEST_CLIENT, CALLBACK, &[]),
            "provider-not-enabled-for-client",
        ),
    ] {
        assert_rule(&browser.open(&url), rule);
    }
}

#[test]
fn idp_identifier_picks_the_provider_and_login_lists_the_buttons() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let page = browser.open(&authorize_url(
        TEST_CLIENT,
        CALLBACK,
        &[("identity_provider", ""), ("idp_identifier", "example.com")],
    ));
    assert_eq!(page.role().as_deref(), Some("idp-login"));
    let login = browser.open(&authorize_url(
        TEST_CLIENT,
        CALLBACK,
        &[("identity_provider", "")],
    ));
    assert_eq!(
        login.role().as_deref(),
        Some("cognito-login"),
        "{}",
        login.text()
    );
    assert!(login.text().contains("Sign in with ExampleCorpIdP"));
}

/// Signs out of the hosted UI to the test client's logout URI and checks the
/// browser ends there.
fn sign_out(browser: &mut Browser) -> Page {
    let out = browser.open(&hosted(&format!(
        "/logout?client_id={TEST_CLIENT}&logout_uri=http%3A%2F%2Flocalhost%3A8080%2Fbye"
    )));
    assert!(
        out.url.starts_with("http://localhost:8080/bye"),
        "{} {:?}",
        out.url,
        out.trail
    );
    out
}

#[test]
fn logout_checks_the_uri_and_signs_out_of_the_idp() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    code_of(&sign_in(&mut browser, "carlos", &[]));
    let refused = browser.open(&hosted(&format!(
        "/logout?client_id={TEST_CLIENT}&logout_uri=https%3A%2F%2Fevil.example.com"
    )));
    assert_rule(&refused, "logout-uri-mismatch");
    let out = sign_out(&mut browser);
    assert!(
        out.trail.iter().any(|u| u.starts_with("/idp/slo")),
        "{:?}",
        out.trail
    );
    // The IdP session ended: the next sign-in asks for the password again.
    let again = browser.open(&authorize_url(TEST_CLIENT, CALLBACK, &[]));
    assert_eq!(again.role().as_deref(), Some("idp-login"));
}

/// The hosted UI's session cookie lasts an hour: a sign-out after that no longer
/// knows the IdP session, so it signs out of the pool only (and the sweep has
/// deleted the row by then).
#[test]
fn a_sign_out_after_the_hour_no_longer_signs_out_of_the_idp() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    code_of(&sign_in(&mut browser, "carlos", &[]));
    emulator.clock().advance(60 * 60 + 1);
    let out = sign_out(&mut browser);
    assert!(
        !out.trail.iter().any(|u| u.starts_with("/idp/slo")),
        "{:?}",
        out.trail
    );
}

// ---- the cognito-idp API ---------------------------------------------------------------

#[test]
fn the_api_answers_in_botocores_shapes() {
    let emulator = emulator();
    let (status, pool) = api(&emulator, "DescribeUserPool", json!({"UserPoolId": POOL}));
    assert_eq!(status, StatusCode::OK, "{pool}");
    assert_eq!(pool["UserPool"]["Id"], POOL);
    assert_eq!(
        pool["UserPool"]["UsernameConfiguration"]["CaseSensitive"],
        false
    );
    assert_eq!(pool["UserPool"]["Domain"], "samlsim-demo");
    assert!(pool["UserPool"]["CreationDate"].is_number());
    let (_, provider) = api(
        &emulator,
        "DescribeIdentityProvider",
        json!({"UserPoolId": POOL, "ProviderName": "ExampleCorpIdP"}),
    );
    assert_eq!(
        provider["IdentityProvider"]["ProviderDetails"]["IDPInit"],
        "true"
    );
    assert!(
        provider["IdentityProvider"]["ProviderDetails"]["MetadataFile"]
            .as_str()
            .unwrap()
            .contains("EntityDescriptor")
    );
    let (status, missing) = api(
        &emulator,
        "AdminGetUser",
        json!({"UserPoolId": POOL, "Username": "nobody"}),
    );
    assert_eq!(
        (status, &missing["__type"]),
        (StatusCode::BAD_REQUEST, &json!("UserNotFoundException"))
    );
    let (status, missing) = api(
        &emulator,
        "DescribeUserPool",
        json!({"UserPoolId": "us-east-1_Nope"}),
    );
    assert_eq!(
        (status, &missing["__type"]),
        (StatusCode::BAD_REQUEST, &json!("ResourceNotFoundException"))
    );
    assert_eq!(last_rule(&emulator).as_deref(), Some("resource-not-found"));
    let (status, bad) = api(&emulator, "Frobnicate", json!({}));
    assert_eq!(
        (status, &bad["__type"]),
        (StatusCode::BAD_REQUEST, &json!("UnknownOperationException"))
    );
    assert_eq!(last_rule(&emulator).as_deref(), Some("unknown-operation"));

    // Build a pool from nothing: pool, domain, provider from metadata, client.
    let (_, created) = api(
        &emulator,
        "CreateUserPool",
        json!({"PoolName": "built", "UsernameConfiguration": {"CaseSensitive": false}}),
    );
    let id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("us-east-1_"), "{id}");
    let (status, _) = api(
        &emulator,
        "CreateUserPoolDomain",
        json!({"UserPoolId": id, "Domain": "built-pool"}),
    );
    assert_eq!(status, StatusCode::OK);
    let metadata = emulator.idp().metadata_xml().unwrap();
    let (status, created_provider) = api(
        &emulator,
        "CreateIdentityProvider",
        json!({
            "UserPoolId": id, "ProviderName": "Corp", "ProviderType": "SAML",
            "ProviderDetails": {"MetadataFile": metadata, "IDPSignout": "true"},
            "AttributeMapping": {"email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"},
        }),
    );
    assert_eq!(status, StatusCode::OK, "{created_provider}");
    let (_, duplicate) = api(
        &emulator,
        "CreateIdentityProvider",
        json!({
            "UserPoolId": id, "ProviderName": "Corp", "ProviderType": "SAML", "ProviderDetails": {"MetadataFile": metadata},
        }),
    );
    assert_eq!(duplicate["__type"], "DuplicateProviderException");
    assert_eq!(last_rule(&emulator).as_deref(), Some("duplicate-provider"));
    let (_, http) = api(
        &emulator,
        "CreateUserPoolClient",
        json!({"UserPoolId": id, "ClientName": "x", "CallbackURLs": ["http://app.example.com/cb"], "AllowedOAuthFlows": ["code"]}),
    );
    assert_eq!(http["__type"], "InvalidParameterException");
    assert_eq!(last_rule(&emulator).as_deref(), Some("invalid-parameter"));
    let (status, client) = api(
        &emulator,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": id, "ClientName": "x", "GenerateSecret": true, "CallbackURLs": ["https://app.example.com/cb"],
            "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"], "SupportedIdentityProviders": ["Corp"],
        }),
    );
    assert_eq!(status, StatusCode::OK, "{client}");
    assert!(client["UserPoolClient"]["ClientSecret"].is_string());
    let (_, list) = api(
        &emulator,
        "ListIdentityProviders",
        json!({"UserPoolId": id}),
    );
    assert_eq!(list["Providers"][0]["ProviderName"], "Corp");
    let (_, certificate) = api(
        &emulator,
        "GetSigningCertificate",
        json!({"UserPoolId": id}),
    );
    assert!(certificate["Certificate"].as_str().unwrap().len() > 100);
    // The pool's own certificate, not the IdP's.
    assert!(!metadata.contains(certificate["Certificate"].as_str().unwrap()));
    // UpdateUserPoolClient resets what it is not given, the OAuth switch included.
    let client_id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
    let (_, updated) = api(
        &emulator,
        "UpdateUserPoolClient",
        json!({"UserPoolId": id, "ClientId": client_id, "ClientName": "partial"}),
    );
    assert_eq!(
        updated["UserPoolClient"]["AllowedOAuthFlowsUserPoolClient"],
        false
    );
    assert_eq!(updated["UserPoolClient"]["CallbackURLs"], json!([]));
    let (status, _) = api(
        &emulator,
        "DeleteIdentityProvider",
        json!({"UserPoolId": id, "ProviderName": "Corp"}),
    );
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn discovery_names_reachable_endpoints_for_a_local_issuer() {
    let emulator = emulator_with(|c| {
        c.cognito.user_pools[0].issuer = samlsim_cognito::config::IssuerSetting::Local
    });
    let response = emulator.handle(&Request::new(
        Method::GET,
        &format!(
            "/aws/cognito-idp.us-east-1.amazonaws.com/{POOL}/.well-known/openid-configuration"
        ),
    ));
    let doc: Value = serde_json::from_slice(&response.body).unwrap();
    let base = emulator.urls().base().to_owned();
    assert_eq!(
        doc["issuer"],
        format!("{base}/aws/cognito-idp.us-east-1.amazonaws.com/{POOL}")
    );
    assert_eq!(
        doc["token_endpoint"],
        format!("{base}/aws/{HOST}/oauth2/token")
    );
    assert_eq!(
        doc["jwks_uri"],
        format!("{}/.well-known/jwks.json", doc["issuer"].as_str().unwrap())
    );
}

#[test]
fn the_admin_api_lists_pools_and_users_and_deletes_a_user() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    code_of(&sign_in(&mut browser, "carlos", &[]));
    let users = emulator.handle(&Request::new(
        Method::GET,
        &format!("/_admin/cognito/pools/{POOL}/users"),
    ));
    assert!(
        users
            .text_body()
            .contains("ExampleCorpIdP_Carlos@example.com")
    );
    let deleted = emulator.handle(&Request::new(
        Method::DELETE,
        &format!("/_admin/cognito/pools/{POOL}/users/ExampleCorpIdP_Carlos%40example.com"),
    ));
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text_body());
    let pools = emulator.handle(&Request::new(Method::GET, "/_admin/cognito/pools"));
    assert!(
        pools
            .text_body()
            .contains("urn:amazon:cognito:sp:us-east-1_SamlSim01")
    );
}

// ---- forged responses: what the emulator's IdP never sends ------------------------

const IDP_INIT_RELAY: &str = "identity_provider=ExampleCorpIdP&client_id=1c2f34abbcebf730504f0fb493&redirect_uri=https%3A%2F%2Fexample-app.samlsim.test%2Fcallback&response_type=code&scope=openid+email";

/// A response the IdP could have signed (its key, its entity ID), IdP-initiated,
/// after `change`.
fn forged(
    emulator: &Emulator,
    change: impl FnOnce(
        &mut samlsim_saml::response::ResponseSpec,
        &mut samlsim_saml::response::AssertionSpec,
    ),
) -> String {
    use samlsim_saml::response::{
        AssertionSpec, AuthnStatementSpec, BearerConfirmationSpec, ConditionsSpec, ResponseSigning,
        ResponseSpec, build_response,
    };
    use samlsim_saml::{DateTime, NameId, Status};
    let identity = Identity::from_pem(IDP_KEY, IDP_CERT).unwrap();
    let now = samlsim_service::Clock::now(emulator.clock());
    let at = DateTime::from_unix(now);
    let acs = format!("https://{HOST}/saml2/idpresponse");
    let issuer = emulator.idp().entity_id().to_owned();
    let mut response = ResponseSpec {
        id: "_forged_response".into(),
        issue_instant: at,
        destination: Some(acs.clone()),
        in_response_to: None,
        issuer: issuer.clone(),
        status: Status::success(),
    };
    let mut assertion = AssertionSpec {
        id: "_forged_assertion".into(),
        issue_instant: at,
        issuer,
        name_id: NameId::new(
            "Carlos@example.com",
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        ),
        confirmation: BearerConfirmationSpec {
            not_on_or_after: DateTime::from_unix(now + 300),
            recipient: acs,
            in_response_to: None,
        },
        conditions: ConditionsSpec {
            not_before: at,
            not_on_or_after: DateTime::from_unix(now + 300),
            audiences: vec![format!("urn:amazon:cognito:sp:{POOL}")],
        },
        authn: AuthnStatementSpec {
            authn_instant: at,
            session_index: "_s1".into(),
            session_not_on_or_after: None,
            authn_context_class_ref:
                "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport".into(),
        },
        attributes: vec![samlsim_saml::response::Attribute::uri(
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            ["Carlos@example.com"],
        )],
    };
    change(&mut response, &mut assertion);
    let signer = samlsim_saml::signature::Signer::new(&identity.key, &identity.certificate);
    let built = if response.status.is_success() {
        build_response(&response, &assertion, ResponseSigning::Assertion, &signer).unwrap()
    } else {
        samlsim_saml::response::build_error_response(&response, Some(&signer)).unwrap()
    };
    samlsim_saml::binding::encode_post(built.xml.as_bytes())
}

fn post_forged(emulator: &Emulator, saml: &str, relay: &str) -> Page {
    Browser::new(emulator).post(
        &hosted("/saml2/idpresponse"),
        &[("SAMLResponse", saml), ("RelayState", relay)],
    )
}

#[test]
fn a_forged_but_well_signed_response_signs_in_and_its_variants_are_refused() {
    let emulator = emulator();
    let good = forged(&emulator, |_, _| {});
    assert_eq!(
        post_forged(&emulator, &good, IDP_INIT_RELAY)
            .role()
            .as_deref(),
        Some("cognito-app-tokens"),
        "the baseline must pass"
    );
    let no_name_id = forged(&emulator, |_, a| {
        a.id = "_forged_2".into();
        a.name_id.value = String::new();
    });
    assert_rule(
        &post_forged(&emulator, &no_name_id, IDP_INIT_RELAY),
        "name-id-missing",
    );
    let refused = forged(&emulator, |r, _| {
        r.status = samlsim_saml::Status::error(
            samlsim_saml::uri::status::RESPONDER,
            Some(samlsim_saml::uri::status::AUTHN_FAILED),
            None,
        );
    });
    assert_rule(
        &post_forged(&emulator, &refused, IDP_INIT_RELAY),
        "saml-status-not-success",
    );
    let fresh = forged(&emulator, |_, a| a.id = "_forged_3".into());
    assert_rule(
        &post_forged(
            &emulator,
            &fresh,
            &IDP_INIT_RELAY.replace("ExampleCorpIdP", "NoSuchIdP"),
        ),
        "idp-init-relay-state",
    );
    assert_rule(
        &post_forged(
            &emulator,
            &fresh,
            &IDP_INIT_RELAY.replace("1c2f34abbcebf730504f0fb493", "nosuchclient"),
        ),
        "idp-init-relay-state",
    );
    // An unsolicited response that claims to answer a request.
    let answering = forged(&emulator, |_, a| {
        a.id = "_forged_4".into();
        a.confirmation.in_response_to = Some("_never_sent".into());
    });
    assert_rule(
        &post_forged(&emulator, &answering, IDP_INIT_RELAY),
        "in-response-to-mismatch",
    );
    // A response larger than Cognito takes, however well signed.
    let big = forged(&emulator, |_, a| {
        a.id = "_forged_5".into();
        a.attributes.push(samlsim_saml::response::Attribute::uri(
            "groups",
            ["g".repeat(80_000)],
        ));
    });
    assert_rule(
        &post_forged(&emulator, &big, IDP_INIT_RELAY),
        "saml-response-too-large",
    );
}

#[test]
fn mapped_attributes_are_refreshed_at_each_sign_in() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let (_, body) = exchange(
        &emulator,
        &code_of(&sign_in(&mut browser, "carlos", &[])),
        None,
    );
    assert_eq!(claims(&body["id_token"])["custom:department"], "Sales");
    let changed = emulator.handle(&Request::new(Method::POST, "/_admin/idp/users").with_json(
        &json!({
            "username": "carlos", "password": "carlos-pass", "display_name": "Carlos Salazar",
            "email": "Carlos@example.com", "attributes": {"department": "Marketing"},
        }),
    ));
    assert!(changed.status.is_success(), "{}", changed.text_body());
    let mut browser = Browser::new(&emulator);
    let (_, body) = exchange(
        &emulator,
        &code_of(&sign_in(&mut browser, "carlos", &[])),
        None,
    );
    let id = claims(&body["id_token"]);
    assert_eq!(id["custom:department"], "Marketing");
    assert_eq!(id["cognito:username"], "ExampleCorpIdP_Carlos@example.com");
}

#[test]
fn a_data_folder_keeps_the_pools_signing_key_apart_from_the_idps() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        Emulator::start(
            Config::load(None).unwrap(),
            Options {
                data: Some(crate::DataFolder::open(dir.path(), false).unwrap()),
                clock: Arc::new(VirtualClock::frozen(NOW)),
                ids: Arc::new(SequentialIds::default()),
                identity: None,
                cognito_identities: None,
            },
        )
        .unwrap()
    };
    let first = start();
    let kid = first.cognito().keys().kid().to_owned();
    let certificate = first.cognito().keys().certificate().to_base64();
    assert_ne!(certificate, first.idp().identity().certificate.to_base64());
    drop(first);
    let again = start();
    assert_eq!(
        again.cognito().keys().kid(),
        kid,
        "the key survives a restart"
    );
    assert!(dir.path().join("cognito-signing-key.pem").exists());
}

#[test]
fn a_revoked_refresh_token_no_longer_works() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let (_, body) = exchange(
        &emulator,
        &code_of(&sign_in(&mut browser, "carlos", &[])),
        None,
    );
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let revoked = emulator.handle(
        &Request::new(Method::POST, &hosted("/oauth2/revoke")).with_form(&[
            ("token", refresh.as_str()),
            ("client_id", TEST_CLIENT),
            ("client_secret", "s3cret"),
        ]),
    );
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text_body());
    let (_, refused) = token(
        &emulator,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    );
    assert_eq!(refused["error"], "invalid_grant");
}

#[test]
fn signed_authn_requests_satisfy_an_idp_that_wants_them() {
    // The IdP wants signed requests, checked with the pool's certificate.
    let want_signed = |emulator: &Emulator| {
        let certificate = emulator.cognito().keys().certificate().to_pem();
        let mut sp = emulator
            .config()
            .idp
            .service_providers
            .iter()
            .find(|s| s.id == "cognito-example-app")
            .unwrap()
            .clone();
        sp.want_authn_requests_signed = true;
        sp.certificate = Some(certificate);
        let saved = emulator.handle(
            &Request::new(Method::POST, "/_admin/idp/service-providers")
                .with_json(&serde_json::to_value(&sp).unwrap()),
        );
        assert!(saved.status.is_success(), "{}", saved.text_body());
    };
    let signing = emulator_with(|c| {
        c.cognito.user_pools[0].identity_providers[0].request_signing = true;
    });
    want_signed(&signing);
    let mut browser = Browser::new(&signing);
    let login = browser.open(&authorize_url(TEST_CLIENT, CALLBACK, &[]));
    assert!(
        login.trail.iter().any(|u| u.contains("Signature=")),
        "{:?}",
        login.trail
    );
    let page = browser.sign_in(&login, "carlos", "carlos-pass");
    code_of(&page);

    let unsigned = emulator();
    want_signed(&unsigned);
    let mut browser = Browser::new(&unsigned);
    let refused = browser.open(&authorize_url(TEST_CLIENT, CALLBACK, &[]));
    assert_ne!(
        refused.role().as_deref(),
        Some("idp-login"),
        "the IdP refuses an unsigned request"
    );
}

#[test]
fn idp_initiated_clients_may_list_only_saml_providers() {
    let emulator = emulator_with(|c| {
        c.cognito.user_pools[0].clients[0]
            .identity_providers
            .push("COGNITO".into());
    });
    let mut browser = Browser::new(&emulator);
    let page = idp_post(&mut browser, "carlos", "/idp/launch/cognito-example-app");
    assert_rule(&submit(&mut browser, &page), "idp-init-relay-state");
}

// ---- encrypted responses (issue 15) ----------------------------------------------

/// Makes the IdP encrypt the example app's assertions to `certificate`.
fn idp_encrypts_to(emulator: &Emulator, certificate: &samlsim_crypto::Certificate) {
    let get = emulator.handle(&Request::new(
        Method::GET,
        "/_admin/idp/service-providers/cognito-example-app",
    ));
    assert_eq!(get.status, StatusCode::OK, "{}", get.text_body());
    let mut sp: Value = serde_json::from_slice(&get.body).unwrap();
    sp["encrypt_assertions"] = true.into();
    sp["encryption_certificate"] = certificate.to_pem().into();
    let put = emulator
        .handle(&Request::new(Method::POST, "/_admin/idp/service-providers").with_json(&sp));
    assert!(put.status.is_success(), "{}", put.text_body());
}

#[test]
fn encrypted_responses_publish_the_pools_certificate_and_decrypt_with_its_key() {
    let emulator = emulator();
    let (status, body) = api(
        &emulator,
        "UpdateIdentityProvider",
        json!({"UserPoolId": POOL, "ProviderName": "ExampleCorpIdP",
               "ProviderDetails": {"EncryptedResponses": "true"}}),
    );
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = &body["IdentityProvider"]["ProviderDetails"];
    assert_eq!(details["EncryptedResponses"], "true", "{body}");
    let published = samlsim_crypto::Certificate::from_base64(
        details["ActiveEncryptionCertificate"].as_str().unwrap(),
    )
    .unwrap();

    // A plain assertion no longer signs in.
    let mut browser = Browser::new(&emulator);
    let page = idp_post(
        &mut browser,
        "carlos",
        &authorize_url(TEST_CLIENT, CALLBACK, &[]),
    );
    assert_rule(&submit(&mut browser, &page), "encryption-required");

    // Encrypted to another certificate: the one answer for a failed encrypted assertion.
    let attacker = samlsim_crypto::Certificate::from_pem(include_str!(
        "../../../certs/test-only-attacker-cert.pem"
    ))
    .unwrap();
    idp_encrypts_to(&emulator, &attacker);
    let mut browser = Browser::new(&emulator);
    let page = idp_post(
        &mut browser,
        "carlos",
        &authorize_url(TEST_CLIENT, CALLBACK, &[]),
    );
    let xml = samlsim_saml::binding::decode_post(
        page.form().unwrap().get("SAMLResponse").unwrap(),
        &Default::default(),
    )
    .unwrap();
    assert!(
        String::from_utf8(xml)
            .unwrap()
            .contains("EncryptedAssertion")
    );
    let refused = submit(&mut browser, &page);
    assert_rule(&refused, "encrypted-response-invalid");
    let event = emulator
        .events()
        .list(&samlsim_service::EventFilter::default())
        .unwrap()
        .into_iter()
        .rfind(|e| e.rule.as_deref() == Some("encrypted-response-invalid"))
        .unwrap();
    let reason = event.detail["reason"].as_str().unwrap();
    assert!(reason.contains("wrong key"), "{reason}");
    assert!(!refused.text().contains("wrong key"), "{}", refused.text());

    // Encrypted to the published certificate: decrypted, verified, signed in.
    idp_encrypts_to(&emulator, &published);
    let mut browser = Browser::new(&emulator);
    let page = sign_in(&mut browser, "carlos", &[]);
    assert!(!code_of(&page).is_empty());
}
