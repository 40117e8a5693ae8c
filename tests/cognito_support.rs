//! What the Cognito interop tests share: an emulator served on loopback, the public
//! hosts of the mock user pool, registering a new pool with samlsim's IdP, and a
//! federated sign-in through the hosted UI walked by the in-process scripted
//! [`Browser`] (the real-browser walks are in `cognito_oidc` and `cognito_browser`).

use std::io::Write as _;
use std::sync::Arc;

use samlsim_crypto::Identity;
use samlsim_emulator::browser::{Browser, Page};
use samlsim_emulator::server::Served;
use samlsim_emulator::{Config, Options};
use samlsim_service::http::{Method, StatusCode, encode_form};
use samlsim_service::{RandomIds, Request, VirtualClock};

use crate::support::*;

pub const REGION: &str = "us-east-1";
/// The Cognito API host and the pool endpoints' host (`/<pool>/.well-known/...`).
pub const COGNITO_IDP_HOST: &str = "cognito-idp.us-east-1.amazonaws.com";

/// The default world on an ephemeral loopback port, with the test-only IdP key and
/// a clock that follows the system's. Stops when dropped.
pub fn serve() -> Served {
    serve_config(Config::load(None).expect("the default world loads"))
}

pub fn serve_config(config: Config) -> Served {
    let identity = Identity::from_pem(&read_fixture(IDP_KEY), &read_fixture(IDP_CERT)).unwrap();
    let options = Options {
        data: None,
        clock: Arc::new(VirtualClock::system()),
        ids: Arc::new(RandomIds),
        identity: Some(identity),
        cognito_identities: None,
    };
    Served::start(config, options).expect("the emulator starts")
}

/// Where SDKs point `endpoint_url` for the Cognito API.
pub fn cognito_api_url(served: &Served) -> String {
    format!("{}/aws/{COGNITO_IDP_HOST}", served.url())
}

/// The public hosted-UI host of a domain prefix.
pub fn hosted_ui_host(domain_prefix: &str) -> String {
    format!("{domain_prefix}.auth.{REGION}.amazoncognito.com")
}

/// The local URL (served by samlsim) of a public `https://host/path` URL.
pub fn local_url(served: &Served, host: &str, path: &str) -> String {
    format!("{}/aws/{host}{path}", served.url())
}

/// Registers a pool with samlsim's IdP through its admin API, with the values
/// Cognito tells you to give the IdP (G4): SP entity ID `urn:amazon:cognito:sp:<pool>`
/// and ACS `https://<domain>/saml2/idpresponse`. NameID from `name_id_from`.
pub fn register_pool_with_idp(served: &Served, id: &str, pool_id: &str, domain_prefix: &str) {
    let sp = serde_json::json!({
        "id": id,
        "label": format!("Cognito pool {pool_id}"),
        "entity_id": format!("urn:amazon:cognito:sp:{pool_id}"),
        "acs_url": format!("https://{}/saml2/idpresponse", hosted_ui_host(domain_prefix)),
        "name_id_from": "email",
        "attributes": [{"name": "email", "from": "email"}],
        "in_portal": false,
    });
    let response = served.emulator().handle(
        &Request::new(Method::POST, "/_admin/idp/service-providers")
            .with_json(&sp)
            .with_peer_loopback(),
    );
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "registering the pool with the IdP: {}",
        response.text_body()
    );
}

/// The query of an `/oauth2/authorize` request for the code flow.
pub fn authorize_url(
    domain_prefix: &str,
    client_id: &str,
    redirect_uri: &str,
    provider: &str,
    state: &str,
) -> String {
    format!(
        "https://{}/oauth2/authorize?{}",
        hosted_ui_host(domain_prefix),
        encode_form(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("identity_provider", provider),
            ("scope", "openid email profile"),
            ("state", state),
        ])
    )
}

/// Opens `authorize`, signs in on the IdP's login page, and follows the auto-posted
/// SAMLResponse back to Cognito, which redirects to the app's callback (outside
/// samlsim: the scripted browser stops there). Returns the last page.
pub fn federated_sign_in(
    browser: &mut Browser<'_>,
    authorize: &str,
    username: &str,
    password: &str,
) -> Page {
    let login = browser.open(authorize);
    assert!(
        login.form().is_some_and(|f| f.get("username").is_some()),
        "expected the IdP's login form after {authorize}; got {} {} (trail {:?}):\n{}",
        login.status(),
        login.url,
        login.trail,
        excerpt(&login.text())
    );
    browser.sign_in(&login, username, password)
}

/// The value of query parameter `name` in `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query.split('&').find_map(|pair| {
        let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
        (n == name).then(|| samlsim_service::http::decode_component(&v.replace('+', " ")))
    })
}

/// The start of a page, for assertion messages.
pub fn excerpt(text: &str) -> String {
    let mut end = text.len().min(1500);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Sets the peer to loopback, as the served emulator does for a local caller (the
/// admin API answers only loopback peers).
pub trait LoopbackPeer {
    fn with_peer_loopback(self) -> Self;
}

impl LoopbackPeer for Request {
    fn with_peer_loopback(mut self) -> Self {
        self.peer = Some(std::net::IpAddr::from([127, 0, 0, 1]));
        self
    }
}

// ---------------------------------------------------------------------------
// The default world's pool, read from the configuration (never hard-coded here:
// the pool, client and provider names are the Cognito component's to choose).

/// The embedded default configuration as JSON, to change before serving.
pub fn default_config_json() -> serde_json::Value {
    serde_json::to_value(Config::load(None).expect("the default world loads"))
        .expect("the configuration serialises")
}

pub fn config_from_json(json: &serde_json::Value) -> Config {
    serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("the changed configuration does not load: {e}\n{json:#}"))
}

/// What a test needs to know about the default world's first user pool.
#[derive(Debug, Clone)]
pub struct PoolInfo {
    pub pool_id: String,
    pub domain: String,
    /// The pool's SAML provider for samlsim's IdP.
    pub provider: String,
    /// The IdP user field the IdP takes this pool's NameID from.
    pub name_id_from: String,
    /// The IdP's service provider for the pool: its ID (`#app-<id>` on the portal)
    /// and label.
    pub sp_id: String,
    pub sp_label: String,
}

/// The first pool of `config` (JSON), its domain and SAML provider, and how the
/// IdP's service provider for it makes the NameID.
pub fn first_pool(config: &serde_json::Value) -> PoolInfo {
    let pool = &config["cognito"]["user_pools"][0];
    let pool_id = pool["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the default world has no Cognito user pool: {config:#}"))
        .to_owned();
    let domain = pool["domain"]
        .as_str()
        .unwrap_or_else(|| panic!("pool {pool_id} has no domain: {pool:#}"))
        .to_owned();
    let provider = pool["identity_providers"][0]["name"]
        .as_str()
        .unwrap_or_else(|| panic!("pool {pool_id} has no SAML provider: {pool:#}"))
        .to_owned();
    let entity_id = format!("urn:amazon:cognito:sp:{pool_id}");
    let sp = config["idp"]["service_providers"]
        .as_array()
        .and_then(|sps| sps.iter().find(|sp| sp["entity_id"] == entity_id.as_str()))
        .unwrap_or_else(|| panic!("the IdP has no service provider {entity_id}"));
    let name_id_from = sp["name_id_from"].as_str().unwrap_or("username").to_owned();
    PoolInfo {
        pool_id,
        domain,
        provider,
        name_id_from,
        sp_id: sp["id"].as_str().unwrap_or_default().to_owned(),
        sp_label: sp["label"].as_str().unwrap_or_default().to_owned(),
    }
}

/// The value of field `field` (`username`, `email`, `display_name` or an attribute)
/// of IdP user `username` in `config`: what the IdP puts in the NameID.
pub fn idp_user_field(config: &serde_json::Value, username: &str, field: &str) -> String {
    let user = config["idp"]["users"]
        .as_array()
        .and_then(|users| users.iter().find(|u| u["username"] == username))
        .unwrap_or_else(|| panic!("no IdP user {username}"));
    let value = match field {
        "username" | "email" | "display_name" => &user[field],
        other => &user["attributes"][other],
    };
    value
        .as_str()
        .unwrap_or_else(|| panic!("IdP user {username} has no {field}"))
        .to_owned()
}

/// Adds an app client to the first pool: code flow, the pool's first provider,
/// callback `http://localhost/callback`, and `secret` if given. Returns its ID.
pub fn add_test_client(config: &mut serde_json::Value, id: &str, secret: Option<&str>) -> String {
    let pool = &mut config["cognito"]["user_pools"][0];
    let provider = pool["identity_providers"][0]["name"].clone();
    let mut client = serde_json::json!({
        "id": id,
        "name": "interop-test",
        "callback_urls": [TEST_CALLBACK],
        "flows": ["code"],
        "scopes": ["openid", "email", "profile"],
        "identity_providers": [provider],
    });
    if let Some(secret) = secret {
        client["secret"] = secret.into();
    }
    pool["clients"]
        .as_array_mut()
        .expect("the pool has a clients list")
        .push(client);
    id.to_owned()
}

/// The callback of the test clients: an app on localhost (http allowed there).
pub const TEST_CALLBACK: &str = "http://localhost/callback";

// ---------------------------------------------------------------------------
// Node scripts in tests/browser.

/// The harness folder, relative to the package root.
pub const HARNESS_DIR: &str = "tests/browser";
/// The npm packages the Cognito scripts import (pinned in package.json).
const NODE_PACKAGES: [&str; 3] = ["playwright-core", "openid-client", "aws-jwt-verify"];

/// `node`, with the harness's npm packages installed from the committed lock file
/// (`npm ci` if one is missing), or None after the usual note (a failure under
/// `SAMLSIM_REQUIRE_INTEROP=1`).
pub fn node_with_packages() -> Option<std::path::PathBuf> {
    let node = require_tool("node")?;
    let harness = repo_path(HARNESS_DIR);
    let installed = |h: &std::path::Path| {
        NODE_PACKAGES.iter().all(|p| {
            h.join("node_modules")
                .join(p)
                .join("package.json")
                .is_file()
        })
    };
    if installed(&harness) {
        return Some(node);
    }
    let npm = require_tool("npm")?;
    let output = std::process::Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&harness)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .output()
        .expect("running npm ci");
    if output.status.success() && installed(&harness) {
        return Some(node);
    }
    crate::browser_e2e::skip_or_fail(&format!(
        "`npm ci` in {} did not install {NODE_PACKAGES:?}:\n{}{}",
        harness.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ));
    None
}

/// How a node script ended.
pub struct NodeRun {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl NodeRun {
    pub fn report(&self, script: &str) -> String {
        format!(
            "node {script}: exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// The JSON after `RESULT ` on its own line; fails with the whole report if the
    /// script failed or printed none.
    pub fn result(&self, script: &str) -> serde_json::Value {
        assert_eq!(self.code, Some(0), "{}", self.report(script));
        let line = self
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .unwrap_or_else(|| panic!("no RESULT line\n{}", self.report(script)));
        serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("RESULT is not JSON ({e})\n{}", self.report(script)))
    }
}

/// Runs `node tests/browser/<script> <args>` from the package root with a timeout,
/// `SAMLSIM_CHROMIUM` set to `chromium` if given.
pub fn run_node(
    node: &std::path::Path,
    script: &str,
    args: &[&std::ffi::OsStr],
    chromium: Option<&std::path::Path>,
    timeout: std::time::Duration,
) -> NodeRun {
    let mut command = std::process::Command::new(node);
    command
        .arg(repo_path(HARNESS_DIR).join(script))
        .args(args)
        .current_dir(repo_root());
    if let Some(chromium) = chromium {
        command.env("SAMLSIM_CHROMIUM", chromium);
    }
    let (code, stdout, stderr) = crate::browser_e2e::run_with_timeout(&mut command, timeout);
    let run = NodeRun {
        code,
        stdout,
        stderr,
    };
    // Straight to stderr, past the test harness's capture: visible in every CI log.
    let _ = writeln!(std::io::stderr(), "{}", run.report(script));
    run
}

/// `target/browser-artifacts/<sub>`, emptied.
pub fn artifacts_dir(sub: &str) -> std::path::PathBuf {
    let dir = repo_path("target/browser-artifacts").join(sub);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

/// One Chromium at a time in this test binary: on a 2-core machine two browsers
/// make each other's timeouts flaky, and `browser_e2e` empties
/// target/browser-artifacts when it starts.
pub fn browser_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
