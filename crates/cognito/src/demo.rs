//! The built-in example app at `https://example-app.samlsim.test/` (served at
//! `<base>/aws/example-app.samlsim.test/`): a relying party of the default user
//! pool that signs in with the authorization code flow and PKCE (S256), exchanges
//! the code at the pool's token endpoint, and shows the decoded tokens, so
//! `samlsim up` → IdP portal → "Example app (Cognito)" ends on a readable page.
//!
//! It is an app, not Cognito: it talks to the token endpoint as any app would
//! (a request to `/oauth2/token`), only without a socket.

use samlsim_service::http::{Cookie, Method, StatusCode, encode_form, header};
use samlsim_service::{Request, Response};
use serde_json::Value;

use crate::hosted::Page;
use crate::model::{Client, Pool};
use crate::{Cognito, DEMO_HOST, jwt};

const APP: &str = "Example app (Cognito)";
const PKCE_COOKIE: &str = "samlsim_demo_pkce";
/// The app's own session: the access token it got (a real app keeps it server-side).
const ACCESS_COOKIE: &str = "samlsim_demo_access";

fn page(
    page: &str,
    title: &str,
    intro: Vec<String>,
    facts: Vec<(String, String)>,
    links: Vec<(String, String)>,
    blocks: Vec<(String, String)>,
) -> Response {
    samlsim_service::render(
        StatusCode::OK,
        &Page {
            service: APP,
            page,
            title,
            intro,
            facts,
            links,
            blocks,
        },
    )
}

/// The pool and client whose callback URL is this app's.
fn registration(cognito: &Cognito) -> Option<(Pool, Client)> {
    let callback = format!("https://{DEMO_HOST}/callback");
    for pool in cognito.model.pools().ok()? {
        for client in cognito.model.clients(&pool.id).ok()? {
            if client.callback_urls.contains(&callback) {
                return Some((pool, client));
            }
        }
    }
    None
}

pub fn handle(cognito: &Cognito, request: &Request, rest: &str) -> Response {
    let Some((pool, client)) = registration(cognito) else {
        return page(
            "cognito-app",
            "Example app (not registered)",
            vec![format!(
                "No app client of any user pool has the callback URL https://{DEMO_HOST}/callback, so this app has no user pool to sign in with."
            )],
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
    };
    let Some(host) = pool.host() else {
        return page(
            "cognito-app",
            "Example app",
            vec![format!("User pool {} has no domain.", pool.id)],
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
    };
    let cookie_path = format!("/aws/{DEMO_HOST}/");
    match (&request.method, rest) {
        (&Method::GET, "/" | "") => page(
            "cognito-app",
            APP,
            vec![
                format!("A web app that signs its users in with the Cognito user pool {} (app client {}).", pool.id, client.id),
                "Sign in starts at the pool's hosted UI, which sends you to the IdP (SP-initiated, PKCE S256). The IdP portal's link signs in IdP-initiated instead.".into(),
            ],
            vec![
                ("User pool".into(), pool.id.clone()),
                ("Callback URL".into(), format!("https://{DEMO_HOST}/callback")),
            ],
            vec![("Sign in".into(), cognito.urls.local(&format!("https://{DEMO_HOST}/login")))],
            Vec::new(),
        ),
        (&Method::GET, "/login") => {
            let verifier = format!("{}{}", cognito.ids.token(24), cognito.ids.token(24));
            let state = cognito.ids.token(8);
            let provider = client.identity_providers.iter().find(|p| *p != "COGNITO").cloned().unwrap_or_default();
            let callback = format!("https://{DEMO_HOST}/callback");
            let challenge = jwt::s256(&verifier);
            let scope = client.scopes.join(" ");
            let query = encode_form(&[
                ("response_type", "code"),
                ("client_id", &client.id),
                ("redirect_uri", &callback),
                ("scope", &scope),
                ("state", &state),
                ("identity_provider", &provider),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ]);
            Response::redirect(StatusCode::FOUND, &cognito.urls.local(&format!("https://{host}/oauth2/authorize?{query}")))
                .with_cookie(&Cookie::session(PKCE_COOKIE, &format!("{state}.{verifier}"), &cookie_path))
        }
        (&Method::GET, "/callback") => callback(cognito, request, &pool, &client, &host),
        (&Method::GET, "/me") => me(cognito, request, &host),
        (&Method::GET, "/signed-out") => page("cognito-app-signed-out", "Signed out", vec!["You signed out of the example app and the user pool.".into()], Vec::new(), vec![("Sign in again".into(), cognito.urls.local(&format!("https://{DEMO_HOST}/login")))], Vec::new()),
        _ => page("cognito-app", "Not found", vec![format!("The example app has no page {rest}.")], Vec::new(), Vec::new(), Vec::new()),
    }
}

fn callback(
    cognito: &Cognito,
    request: &Request,
    pool: &Pool,
    client: &Client,
    host: &str,
) -> Response {
    if let Some(error) = request.query_param("error") {
        return page(
            "cognito-app-error",
            "Sign-in failed",
            vec![
                format!("The user pool answered error={error}."),
                request.query_param("error_description").unwrap_or_default(),
            ],
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
    }
    let code = request.query_param("code").unwrap_or_default();
    // SP-initiated sign-ins carry the state this app made; IdP-initiated ones
    // have no state and no PKCE (the IdP cannot know the verifier).
    let verifier = match (request.cookie(PKCE_COOKIE), request.query_param("state")) {
        (Some(cookie), Some(state)) => cookie
            .split_once('.')
            .filter(|(s, _)| *s == state)
            .map(|(_, v)| v.to_owned()),
        _ => None,
    };
    let callback = format!("https://{DEMO_HOST}/callback");
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", callback.as_str()),
        ("client_id", client.id.as_str()),
    ];
    if let Some(v) = &verifier {
        form.push(("code_verifier", v.as_str()));
    }
    if let Some(secret) = &client.secret {
        form.push(("client_secret", secret.as_str()));
    }
    let token_request =
        Request::new(Method::POST, &format!("/aws/{host}/oauth2/token")).with_form(&form);
    let answer = crate::hosted::handle(cognito, &token_request, host, "", "/oauth2/token");
    let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    if !answer.status.is_success() {
        return page(
            "cognito-app-error",
            "Code exchange failed",
            vec![format!(
                "The token endpoint answered {}: {body}",
                answer.status
            )],
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
    }
    let decoded = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .and_then(jwt::decode_unverified)
            .map(|claims| serde_json::to_string_pretty(&claims).unwrap_or_default())
            .unwrap_or_default()
    };
    let id_claims = body
        .get("id_token")
        .and_then(Value::as_str)
        .and_then(jwt::decode_unverified)
        .unwrap_or(Value::Null);
    let access = body
        .get("access_token")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let user_info_request = Request::new(Method::GET, &format!("/aws/{host}/oauth2/userInfo"))
        .with_header(header::AUTHORIZATION, &format!("Bearer {access}"));
    let user_info =
        crate::hosted::handle(cognito, &user_info_request, host, "", "/oauth2/userInfo");
    let mut links = Vec::new();
    let signed_out = format!("https://{DEMO_HOST}/signed-out");
    if client.logout_urls.contains(&signed_out) {
        let query = encode_form(&[
            ("client_id", client.id.as_str()),
            ("logout_uri", signed_out.as_str()),
        ]);
        links.push((
            "Sign out".to_owned(),
            cognito
                .urls
                .local(&format!("https://{host}/logout?{query}")),
        ));
    }
    let claim = |name: &str| {
        id_claims
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    links.push((
        "Who am I? (userInfo now)".to_owned(),
        cognito.urls.local(&format!("https://{DEMO_HOST}/me")),
    ));
    let response = page(
        "cognito-app-tokens",
        &format!("Signed in as {}", claim("cognito:username")),
        vec![format!(
            "The code was exchanged at the user pool's token endpoint{}; these are the tokens, decoded.",
            if verifier.is_some() {
                " with the PKCE verifier"
            } else {
                " (IdP-initiated: no PKCE)"
            }
        )],
        vec![
            ("cognito:username".into(), claim("cognito:username")),
            ("sub".into(), claim("sub")),
            ("email".into(), claim("email")),
            ("iss".into(), claim("iss")),
            ("User pool".into(), pool.id.clone()),
        ],
        links,
        vec![
            ("ID token".into(), decoded("id_token")),
            ("Access token".into(), decoded("access_token")),
            ("userInfo".into(), pretty(&user_info)),
        ],
    );
    response.with_cookie(&Cookie::session(
        ACCESS_COOKIE,
        access,
        &format!("/aws/{DEMO_HOST}/"),
    ))
}

/// `/me`: the pool's userInfo with the access token the app keeps, asked now
/// (after `advance_clock`, the token's expiry shows here).
fn me(cognito: &Cognito, request: &Request, host: &str) -> Response {
    let access = request.cookie(ACCESS_COOKIE).unwrap_or_default();
    let mut user_info_request = Request::new(Method::GET, &format!("/aws/{host}/oauth2/userInfo"))
        .with_header(header::AUTHORIZATION, &format!("Bearer {access}"));
    // The same browser flow, so the pool's refusal lands in this flow's events.
    if let Some(flow) = request.cookie(samlsim_service::events::FLOW_COOKIE) {
        user_info_request = user_info_request.with_header(
            header::COOKIE,
            &format!("{}={flow}", samlsim_service::events::FLOW_COOKIE),
        );
    }
    let answer = crate::hosted::handle(cognito, &user_info_request, host, "", "/oauth2/userInfo");
    if answer.status.is_success() {
        page(
            "cognito-app-me",
            "Who am I",
            vec!["The user pool's userInfo endpoint answered:".into()],
            Vec::new(),
            Vec::new(),
            vec![("userInfo".into(), pretty(&answer))],
        )
    } else {
        page(
            "cognito-app-error",
            "The access token was refused",
            vec![format!(
                "userInfo answered {}: {}",
                answer.status,
                answer.text_body()
            )],
            Vec::new(),
            vec![(
                "Sign in again".into(),
                cognito.urls.local(&format!("https://{DEMO_HOST}/login")),
            )],
            Vec::new(),
        )
    }
}

/// A JSON answer indented, its `identities` string (userInfo gives it as JSON
/// text) expanded, so it reads inside the page.
fn pretty(response: &Response) -> String {
    let Ok(mut value) = serde_json::from_slice::<Value>(&response.body) else {
        return response.text_body();
    };
    if let Some(text) = value.get("identities").and_then(Value::as_str)
        && let Ok(parsed) = serde_json::from_str::<Value>(text)
    {
        value["identities"] = parsed;
    }
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| response.text_body())
}
