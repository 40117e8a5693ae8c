//! The mock Cognito user pool in a real browser (issue 10): Debian's Chromium,
//! driven by playwright-core from `tests/browser/cognito_e2e.mjs`, in one browser
//! context: the built-in example app → the pool's hosted UI → samlsim's IdP login
//! page → back to the app showing the tokens; then the NameID of the same person
//! changes only in case at the IdP (G8: the pool is case-insensitive, the sign-in
//! fails with Cognito's error), and after the old profile is deleted through the
//! admin API the next sign-in succeeds (G9); then the IdP portal's link to the app
//! signs in IdP-initiated, and the app's "Sign out" signs out of the pool and the
//! IdP (the next sign-in asks for the password).
//!
//! Screenshots go to `target/browser-artifacts/cognito-e2e/`. Needs `node` with
//! playwright-core and Chromium; skipped with a note without them, unless
//! `SAMLSIM_REQUIRE_INTEROP=1`.

use std::time::Duration;

use samlsim_service::Request;
use samlsim_service::http::{Method, StatusCode, encode_component};

use crate::cognito_support::*;
use crate::support::*;

const NODE_TIMEOUT: Duration = Duration::from_secs(150);
/// The example app's public host (the Cognito component's demo app).
const DEMO_HOST: &str = "example-app.samlsim.test";
/// What Cognito says when a NameID that changed only in case collides with the
/// existing profile of a case-insensitive pool (repost "Cognito SAML error:
/// Invalid ProviderName/Username combination", aws-amplify/amplify-js#13844).
const COLLISION: &str = "Invalid ProviderName/Username combination";

/// `value` with its first letter's case flipped: the same person, another NameID.
fn flip_first_letter(value: &str) -> String {
    let mut chars = value.chars();
    let first = chars.next().expect("a non-empty NameID");
    let flipped: String = if first.is_lowercase() {
        first.to_uppercase().collect()
    } else {
        first.to_lowercase().collect()
    };
    assert_ne!(
        flipped,
        first.to_string(),
        "the NameID {value:?} starts with no letter"
    );
    format!("{flipped}{}", chars.as_str())
}

#[test]
fn chromium_signs_in_to_the_example_app_and_meets_the_nameid_case_change() {
    let Some(node) = node_with_packages() else {
        return;
    };
    let Some(chromium) = crate::browser_e2e::chromium() else {
        return;
    };
    let _serial = browser_lock();

    // The default world with its pool made case-insensitive, as the console makes
    // pools (the G8 setting).
    let mut config = default_config_json();
    config["cognito"]["user_pools"][0]["case_sensitive"] = false.into();
    let pool = first_pool(&config);
    let field = pool.name_id_from.clone();
    assert_ne!(
        field, "username",
        "the IdP takes the pool's NameID from the username; this test changes the case of \
         another field of the same IdP user"
    );
    let old_name_id = idp_user_field(&config, "alice", &field);
    let new_name_id = flip_first_letter(&old_name_id);
    // alice as configured, with the NameID field's case changed.
    let mut changed_user = config["idp"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "alice")
        .unwrap()
        .clone();
    match field.as_str() {
        "email" | "display_name" => changed_user[&field] = new_name_id.clone().into(),
        other => changed_user["attributes"][other] = new_name_id.clone().into(),
    }
    let served = serve_config(config_from_json(&config));
    let base = served.url();
    let expected_user = format!("{}_{old_name_id}", pool.provider);
    let expected_after = format!("{}_{new_name_id}", pool.provider);

    let dir = temp_dir();
    let script_config = write_file(
        &dir,
        "e2e.json",
        serde_json::json!({
            "base": base,
            "appUrl": format!("{base}/aws/{DEMO_HOST}/"),
            "username": "alice",
            "password": "alice-pass",
            "expectedUser": expected_user,
            "changeNameId": {"url": format!("{base}/_admin/idp/users"), "body": changed_user},
            "expectedUserAfter": expected_after,
            "deleteProfile": {"url": format!(
                "{base}/_admin/cognito/pools/{}/users/{}",
                pool.pool_id,
                encode_component(&expected_user)
            )},
            "collisionText": COLLISION,
            "portalUrl": format!("{base}/idp/portal"),
            "portalApp": pool.sp_id,
            "portalLabel": pool.sp_label,
        })
        .to_string(),
    );
    let artifacts = artifacts_dir("cognito-e2e");
    let run = run_node(
        &node,
        "cognito_e2e.mjs",
        &[script_config.as_os_str(), artifacts.as_os_str()],
        Some(&chromium),
        NODE_TIMEOUT,
    );
    let report = run.report("cognito_e2e.mjs");
    let result = run.result("cognito_e2e.mjs");
    for step in [
        "signed-in",
        "case-changed",
        "after-delete",
        "portal-idp-initiated",
        "signed-out",
    ] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(&format!("ok {step} "))),
            "step {step} did not report ok\n{report}"
        );
        let shot = artifacts.join(format!("cognito-{step}.png"));
        assert!(shot.is_file(), "no screenshot {}\n{report}", shot.display());
    }
    assert_eq!(
        result["steps"]["case-changed"]["rule"], "username-case-collision",
        "the refusal names its rule\n{report}"
    );

    // What the pool holds now: only the profile of the new NameID.
    let users = served.emulator().handle(
        &Request::new(
            Method::GET,
            &format!("/_admin/cognito/pools/{}/users", pool.pool_id),
        )
        .with_peer_loopback(),
    );
    assert_eq!(users.status, StatusCode::OK, "{}", users.text_body());
    let users: serde_json::Value = serde_json::from_str(&users.text_body()).unwrap();
    let text = users.to_string();
    assert!(
        text.contains(&format!("\"{expected_after}\"")),
        "{expected_after} not in {users:#}"
    );
    assert!(
        !text.contains(&format!("\"{expected_user}\"")),
        "{expected_user} still in {users:#}"
    );
}
