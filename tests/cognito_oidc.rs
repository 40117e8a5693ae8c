//! The mock Cognito user pool as OpenID Connect libraries nobody here wrote see it
//! (issue 10):
//!
//! - **openid-client** (`tests/browser/cognito_oidc.mjs`): discovery from the pool's
//!   issuer (the pool's `local` issuer setting), the authorization code flow with
//!   PKCE S256 whose browser part — hosted UI, samlsim's IdP login page, the
//!   auto-posted SAMLResponse, the callback — Chromium walks (playwright-core), then
//!   the token exchange with openid-client's own ID-token validation (default
//!   settings), userinfo, a refresh, and a replayed code (refused).
//! - **aws-jwt-verify** (`tests/browser/jwt_verify.mjs`): `CognitoJwtVerifier`
//!   accepts the ID and access tokens of a pool with the default (AWS) issuer, and
//!   refuses them for the wrong token use, client, pool, or a changed claim. Its keys
//!   come from samlsim's JWKS through `cacheJwks` (the AWS URL is not reachable).
//!
//! Needs `node` with the packages of tests/browser/package-lock.json and, for the
//! first, Chromium; skipped with a note without them, unless `SAMLSIM_REQUIRE_INTEROP=1`.

use std::ffi::OsStr;
use std::time::Duration;

use samlsim_emulator::browser::Browser;
use samlsim_service::Request;
use samlsim_service::http::{Method, StatusCode};
use serde_json::Value;

use crate::cognito_support::*;
use crate::support::*;

/// The flow takes a few seconds; this only stops a hung browser from hanging the suite.
const NODE_TIMEOUT: Duration = Duration::from_secs(120);
/// App client IDs are 26 lowercase letters and digits on AWS.
const OIDC_CLIENT: &str = "oidcinteroptestclient00001";
const OIDC_SECRET: &str = "s3cr3t-for-the-openid-client-interop-test-only-0001";
const JWT_CLIENT: &str = "jwtverifyinteroptestclient";

#[test]
fn openid_client_discovers_and_runs_the_code_flow_with_pkce_through_chromium() {
    openid_client_code_flow("basic");
}

/// The same with the client secret in the token request's form (client_secret_post),
/// and the provider chosen by `idp_identifier` (an email domain it claims).
#[test]
fn openid_client_authenticates_with_client_secret_post() {
    openid_client_code_flow("post");
}

/// The openid-client relying party with `client_auth` `basic` (the provider by
/// name) or `post` (the provider by identifier).
fn openid_client_code_flow(client_auth: &str) {
    let Some(node) = node_with_packages() else {
        return;
    };
    let Some(chromium) = crate::browser_e2e::chromium() else {
        return;
    };
    let _serial = browser_lock();

    // The default world with the pool's issuer set to the local URL (so discovery
    // can run from it), and a confidential client whose callback is the "app"
    // (the script answers it).
    let mut config = default_config_json();
    config["cognito"]["user_pools"][0]["issuer"] = "local".into();
    add_test_client(&mut config, OIDC_CLIENT, Some(OIDC_SECRET));
    let pool = first_pool(&config);
    let name_id = idp_user_field(&config, "alice", &pool.name_id_from);
    let served = serve_config(config_from_json(&config));
    let issuer = local_url(&served, COGNITO_IDP_HOST, &format!("/{}", pool.pool_id));

    let dir = temp_dir();
    let script_config = write_file(
        &dir,
        "oidc.json",
        serde_json::json!({
            "base": served.url(),
            "issuer": issuer,
            "clientId": OIDC_CLIENT,
            "clientSecret": OIDC_SECRET,
            "clientAuth": client_auth,
            "redirectUri": TEST_CALLBACK,
            "identityProvider": pool.provider,
            "idpIdentifier": (client_auth == "post").then(|| {
                config["cognito"]["user_pools"][0]["identity_providers"][0]["identifiers"][0]
                    .as_str()
                    .expect("the pool's provider has an identifier")
                    .to_owned()
            }),
            "username": "alice",
            "password": "alice-pass",
            "scope": "openid email profile",
        })
        .to_string(),
    );
    let artifacts = artifacts_dir(&format!("cognito-oidc-{client_auth}"));
    let run = run_node(
        &node,
        "cognito_oidc.mjs",
        &[script_config.as_os_str(), artifacts.as_os_str()],
        Some(&chromium),
        NODE_TIMEOUT,
    );
    drop(served);
    let result = run.result("cognito_oidc.mjs");
    let report = run.report("cognito_oidc.mjs");

    // Discovery: the endpoints are the pool's, on loopback.
    let metadata = &result["metadata"];
    assert_eq!(metadata["issuer"], issuer.as_str(), "{report}");
    let hosted_ui = format!(
        "{}/aws/{}",
        issuer.split("/aws/").next().unwrap(),
        hosted_ui_host(&pool.domain)
    );
    assert_eq!(
        metadata["authorization_endpoint"],
        format!("{hosted_ui}/oauth2/authorize"),
        "{report}"
    );
    assert_eq!(
        metadata["token_endpoint"],
        format!("{hosted_ui}/oauth2/token"),
        "{report}"
    );
    assert_eq!(
        metadata["userinfo_endpoint"],
        format!("{hosted_ui}/oauth2/userInfo"),
        "{report}"
    );
    assert_eq!(
        metadata["jwks_uri"],
        format!("{issuer}/.well-known/jwks.json"),
        "{report}"
    );
    // The browser went from the hosted UI to samlsim's IdP.
    assert!(
        result["loginPageUrl"]
            .as_str()
            .is_some_and(|u| u.contains("/idp/")),
        "{report}"
    );

    // The ID token openid-client validated: the pool's claims for the federated user.
    let claims = &result["claims"];
    let username = format!("{}_{name_id}", pool.provider);
    assert_eq!(claims["iss"], issuer.as_str(), "{report}");
    assert_eq!(claims["aud"], OIDC_CLIENT, "{report}");
    assert_eq!(claims["token_use"], "id", "{report}");
    assert_eq!(claims["cognito:username"], username.as_str(), "{report}");
    assert!(
        claims["sub"].as_str().is_some_and(|s| !s.is_empty()),
        "{report}"
    );
    let identities = &claims["identities"][0];
    assert_eq!(
        identities["providerName"],
        pool.provider.as_str(),
        "{report}"
    );
    assert_eq!(identities["providerType"], "SAML", "{report}");
    assert_eq!(identities["userId"], name_id.as_str(), "{report}");
    // openid-client lower-cases token_type (Cognito sends "Bearer").
    assert!(
        result["token"]["token_type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("bearer")),
        "{report}"
    );
    assert_eq!(result["token"]["has_refresh_token"], true, "{report}");

    // userinfo with the access token: the same subject.
    assert_eq!(result["userinfo"]["sub"], claims["sub"], "{report}");
    assert_eq!(
        result["userinfo"]["username"],
        username.as_str(),
        "{report}"
    );

    // A refresh gives new tokens for the same user; the code was single-use.
    assert_eq!(result["refreshed"]["has_access_token"], true, "{report}");
    assert_eq!(
        result["refreshed"]["claims"]["sub"], claims["sub"],
        "{report}"
    );
    assert_eq!(result["replay"]["accepted"], false, "{report}");
    assert_eq!(result["replay"]["error"], "invalid_grant", "{report}");
    // A code redeemed with a verifier that does not match its S256 challenge.
    assert_eq!(result["pkceMismatch"]["accepted"], false, "{report}");
    assert_eq!(result["pkceMismatch"]["error"], "invalid_grant", "{report}");

    for shot in ["oidc-idp-login.png", "oidc-callback.png"] {
        assert!(artifacts.join(shot).is_file(), "no {shot}\n{report}");
    }
}

/// POSTs `pairs` to the hosted UI's token endpoint of `domain` in process.
fn token_request(
    served: &samlsim_emulator::server::Served,
    domain: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, Value) {
    let path = format!("/aws/{}/oauth2/token", hosted_ui_host(domain));
    let response = served.emulator().handle(
        &Request::new(Method::POST, &path)
            .with_form(pairs)
            .with_peer_loopback(),
    );
    let body = response.text_body();
    let json = serde_json::from_str(&body).unwrap_or_else(|e| {
        panic!(
            "/oauth2/token answered {} with non-JSON ({e}): {body}",
            response.status
        )
    });
    (response.status, json)
}

#[test]
fn aws_jwt_verify_accepts_the_pools_tokens_with_the_aws_issuer() {
    let Some(node) = node_with_packages() else {
        return;
    };
    // The default world as it is (AWS issuer), with a public client calling back to
    // localhost, signed in by the scripted browser.
    let mut config = default_config_json();
    add_test_client(&mut config, JWT_CLIENT, None);
    let pool = first_pool(&config);
    let served = serve_config(config_from_json(&config));
    let mut browser = Browser::new(&**served.emulator());
    let authorize = authorize_url(
        &pool.domain,
        JWT_CLIENT,
        TEST_CALLBACK,
        &pool.provider,
        "s1",
    );
    let page = federated_sign_in(&mut browser, &authorize, "alice", "alice-pass");
    let code = query_param(&page.url, "code").unwrap_or_else(|| {
        panic!(
            "no code: ended on {} {} (trail {:?}):\n{}",
            page.status(),
            page.url,
            page.trail,
            excerpt(&page.text())
        )
    });
    let (status, tokens) = token_request(
        &served,
        &pool.domain,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", JWT_CLIENT),
            ("code", &code),
            ("redirect_uri", TEST_CALLBACK),
        ],
    );
    assert_eq!(status, StatusCode::OK, "{tokens}");

    let dir = temp_dir();
    let script_config = write_file(
        &dir,
        "jwt.json",
        serde_json::json!({
            "userPoolId": pool.pool_id,
            "clientId": JWT_CLIENT,
            "jwksUrl": local_url(&served, COGNITO_IDP_HOST, &format!("/{}/.well-known/jwks.json", pool.pool_id)),
            "idToken": tokens["id_token"],
            "accessToken": tokens["access_token"],
        })
        .to_string(),
    );
    let run = run_node(
        &node,
        "jwt_verify.mjs",
        &[OsStr::new(&script_config)],
        None,
        NODE_TIMEOUT,
    );
    drop(served);
    let result = run.result("jwt_verify.mjs");
    let report = run.report("jwt_verify.mjs");

    let aws_issuer = format!("https://{COGNITO_IDP_HOST}/{}", pool.pool_id);
    let id = result["id"]
        .get("ok")
        .unwrap_or_else(|| panic!("the ID token was refused: {}\n{report}", result["id"]));
    assert_eq!(id["iss"], aws_issuer.as_str(), "{report}");
    assert_eq!(id["aud"], JWT_CLIENT, "{report}");
    assert_eq!(id["token_use"], "id", "{report}");
    let access = result["access"].get("ok").unwrap_or_else(|| {
        panic!(
            "the access token was refused: {}\n{report}",
            result["access"]
        )
    });
    assert_eq!(access["iss"], aws_issuer.as_str(), "{report}");
    assert_eq!(access["client_id"], JWT_CLIENT, "{report}");
    assert_eq!(access["token_use"], "access", "{report}");
    assert_eq!(access["sub"], id["sub"], "{report}");

    // The verifier really checks: each of these must be refused, for its reason.
    for (check, error) in [
        ("id_as_access", "CognitoJwtInvalidTokenUseError"),
        ("access_as_id", "CognitoJwtInvalidTokenUseError"),
        ("other_client", "CognitoJwtInvalidClientIdError"),
        ("tampered_id", "JwtInvalidSignatureError"),
    ] {
        assert_eq!(
            result[check]["error"]["name"], error,
            "{check} should fail with {error}: {}\n{report}",
            result[check]
        );
    }
    // A verifier for another pool knows no issuer but that pool's, and says so.
    assert_eq!(
        result["other_pool"]["error"]["name"], "ParameterValidationError",
        "{report}"
    );
    assert!(
        result["other_pool"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("issuer not configured") && m.contains(&aws_issuer)),
        "{report}"
    );
}
