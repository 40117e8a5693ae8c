//! The mock identity provider: steps C1–C4 of the six-step flow, and single logout.
//!
//! # Layout
//! - [`config`]: `[idp]` of the configuration file;
//! - [`directory`]: the identity store (users, password checks: C2, C3);
//! - [`providers`]: the service providers it signs users in to;
//! - [`sessions`]: sign-in sessions, pending SP-initiated requests, replay records;
//! - `sso`: AuthnRequests in, signed Responses out (C4), IdP- and SP-initiated;
//! - `slo`: single logout and the sign-out page (C31);
//! - [`admin`]: the JSON API under `/_admin/idp`;
//! - `pages`: the askama pages.
//!
//! Every route lives under `/idp`:
//!
//! | route | what |
//! |---|---|
//! | `GET /idp/metadata` | SAML metadata (EntityDescriptor with IDPSSODescriptor) |
//! | `GET /idp/portal` | the internal portal listing the user's applications (C1) |
//! | `GET, POST /idp/login` | the login page (C2, C3) |
//! | `GET /idp/launch/<sp>` | IdP-initiated SSO to an SP (C4) |
//! | `GET, POST /idp/sso` | SP-initiated SSO: AuthnRequest by HTTP-Redirect or HTTP-POST |
//! | `GET, POST /idp/slo` | SAML single logout (LogoutRequest from an SP) |
//! | `GET, POST /idp/logout` | sign out of the IdP (C31) |

pub mod admin;
pub mod config;
pub mod directory;
mod inbound;
pub mod keys;
mod pages;
pub mod providers;
mod rules;
pub mod sessions;
mod slo;
mod sso;
pub mod sweep;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use samlsim_crypto::Identity;
use samlsim_service::clock::parse_duration;
use samlsim_service::http::{Cookie, Method, StatusCode};
use samlsim_service::{
    Clock, EventLog, Ids, NewEvent, Recorder, Refusal, Request, Response, Service, Store,
    StoreError, UrlMap,
};

use crate::config::IdpConfig;
use crate::directory::{Directory, User};
use crate::providers::Providers;
use crate::rules::internal;
pub use crate::rules::{IdpRefusal, IdpRule};
use crate::sessions::{Session, Sessions};

/// The IdP's entity ID unless configured: the same whatever the port, so an SP
/// or IAM provider configured from an earlier run keeps matching.
pub const DEFAULT_ENTITY_ID: &str = "urn:samlsim:idp";

/// The name the IdP's events and pages carry.
const SERVICE: &str = "idp";
/// The IdP session cookie (HttpOnly, SameSite=Lax, Path=/idp).
const SESSION_COOKIE: &str = "samlsim_idp_session";

/// Why the IdP could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("idp.{key}: {message}")]
    Config { key: String, message: String },
}

/// What the IdP is built from.
pub struct IdpParts {
    pub config: IdpConfig,
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
    pub events: EventLog,
    pub urls: Arc<UrlMap>,
    /// The signing key and certificate (published in the metadata).
    pub identity: Identity,
    /// The emulator's outbound client, for SP metadata URLs.
    pub fetch_metadata: Option<FetchMetadata>,
}

/// Fetches a metadata URL (the emulator's one outbound client).
pub type FetchMetadata = Box<dyn Fn(&str) -> Result<String, String> + Send + Sync>;

/// The mock IdP.
pub struct Idp {
    name: String,
    entity_id: String,
    session_lifetime: i64,
    directory: Directory,
    providers: Providers,
    sessions: Sessions,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn Ids>,
    recorder: Recorder,
    urls: Arc<UrlMap>,
    identity: std::sync::RwLock<Arc<Identity>>,
    /// The next signing key, published beside the current one until promoted.
    staged: std::sync::RwLock<Option<Arc<Identity>>>,
    keys: keys::Keys,
    fetch_metadata: FetchMetadata,
    want_authn_requests_signed: bool,
}

/// Every cause the `[idp]` section is refused for, once each, as (key under
/// `idp`, message): what `Idp::new` and `samlsim config check` refuse alike.
pub fn check_config(config: &config::IdpConfig) -> Vec<(String, String)> {
    let mut causes = Vec::new();
    match parse_duration(&config.session_lifetime) {
        Ok(seconds) if seconds > 0 => {}
        Ok(_) => causes.push((
            "session_lifetime".into(),
            format!("{:?} must be longer than 0s", config.session_lifetime),
        )),
        Err(e) => causes.push(("session_lifetime".into(), e.to_string())),
    }
    let mut users = std::collections::HashSet::new();
    for (i, user) in config.users.iter().enumerate() {
        // The later row would silently replace the earlier one.
        if !users.insert(user.username.as_str()) {
            causes.push((
                format!("users[{i}].username"),
                format!("\"{}\" is named twice", user.username),
            ));
        }
    }
    let mut ids = std::collections::HashSet::new();
    for (i, sp) in config.service_providers.iter().enumerate() {
        if !ids.insert(sp.id.as_str()) {
            causes.push((
                format!("service_providers[{i}].id"),
                format!("\"{}\" is named twice", sp.id),
            ));
        }
        if let Err(message) = sso::check_provider(sp) {
            causes.push((format!("service_providers[{i}]"), message));
        }
    }
    causes
}

impl Idp {
    /// Builds the IdP; on a new database, seeds users and SPs from the config.
    pub fn new(parts: IdpParts) -> Result<Idp, IdpError> {
        let config = parts.config;
        if let Some((key, message)) = check_config(&config).into_iter().next() {
            return Err(IdpError::Config { key, message });
        }
        let session_lifetime =
            parse_duration(&config.session_lifetime).map_err(|e| IdpError::Config {
                key: "session_lifetime".into(),
                message: e.to_string(),
            })?;
        let fetch_metadata: FetchMetadata = parts.fetch_metadata.unwrap_or_else(|| {
            Box::new(|url: &str| Err(format!("{url}: no client to fetch metadata URLs with")))
        });
        let directory = Directory::new(parts.store.clone())?;
        let providers = Providers::new(parts.store.clone())?;
        let sessions = Sessions::new(parts.store.clone())?;
        let keys = keys::Keys::new(parts.store.clone())?;
        // A promoted key outlives the one the data folder (or cache) holds.
        let identity = keys.get(keys::CURRENT)?.unwrap_or(parts.identity);
        let staged = keys.get(keys::STAGED)?.map(Arc::new);
        if directory.is_empty()? && providers.is_empty()? {
            for user in &config.users {
                directory.put(user)?;
            }
            for (i, sp) in config.service_providers.iter().enumerate() {
                let mut sp = sp.clone();
                if sp.id.is_empty() && sp.metadata.is_none() {
                    sp.id = providers::id_for(&sp.entity_id);
                }
                providers::resolve(&mut sp, fetch_metadata.as_ref())
                    .map(|()| {
                        if sp.id.is_empty() {
                            sp.id = providers::id_for(&sp.entity_id);
                        }
                    })
                    .and_then(|()| sso::check_provider(&sp))
                    .map_err(|message| IdpError::Config {
                        key: format!("service_providers[{i}]"),
                        message,
                    })?;
                providers.put(&sp)?;
            }
        }
        let entity_id = config
            .entity_id
            .clone()
            .unwrap_or_else(|| DEFAULT_ENTITY_ID.to_owned());
        Ok(Idp {
            name: config.name,
            entity_id,
            session_lifetime,
            directory,
            providers,
            sessions,
            clock: parts.clock,
            ids: parts.ids,
            recorder: Recorder::new(parts.events, SERVICE),
            urls: parts.urls,
            identity: std::sync::RwLock::new(Arc::new(identity)),
            staged: std::sync::RwLock::new(staged),
            keys,
            fetch_metadata,
            want_authn_requests_signed: config.want_authn_requests_signed,
        })
    }

    /// The IdP's SAML entity ID (the Issuer of everything it sends).
    pub fn entity_id(&self) -> &str {
        &self.entity_id
    }

    /// The signing identity, whose certificate the metadata publishes.
    pub fn identity(&self) -> Arc<Identity> {
        self.identity
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The staged next signing key, if any.
    pub fn staged_identity(&self) -> Option<Arc<Identity>> {
        self.staged
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Stages `next` as the next signing key: the metadata lists it beside the
    /// current one; responses are still signed with the current one.
    pub fn stage_key(&self, next: Identity) -> Result<Arc<Identity>, StoreError> {
        self.keys.put(keys::STAGED, &next)?;
        let next = Arc::new(next);
        *self
            .staged
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(next.clone());
        Ok(next)
    }

    /// Makes the staged key the signing key (kept across restarts); false when
    /// nothing is staged. The metadata then lists only the new key.
    pub fn promote_key(&self) -> Result<bool, StoreError> {
        let Some(next) = self.staged_identity() else {
            return Ok(false);
        };
        self.keys.store().transaction(|| {
            self.keys.put(keys::CURRENT, &next)?;
            self.keys.delete(keys::STAGED)
        })?;
        *self
            .identity
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = next;
        *self
            .staged
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        Ok(true)
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    pub fn providers(&self) -> &Providers {
        &self.providers
    }

    /// Registers (creates or replaces) an SP, filling it from its `metadata`
    /// first; what the admin API and the CLI's `idp sps add` do.
    pub fn register_provider(
        &self,
        mut sp: config::ServiceProviderConfig,
    ) -> Result<config::ServiceProviderConfig, String> {
        providers::resolve(&mut sp, self.fetch_metadata.as_ref())?;
        if sp.id.is_empty() {
            sp.id = providers::id_for(&sp.entity_id);
        }
        sso::check_provider(&sp)?;
        self.providers.put(&sp).map_err(|e| e.to_string())?;
        Ok(sp)
    }

    /// The IdP's endpoints, for `samlsim up`'s table.
    pub fn endpoints(&self) -> Vec<(String, String)> {
        [
            ("IdP portal (C1)", "/idp/portal"),
            ("IdP login (C2, C3)", "/idp/login"),
            ("IdP metadata", "/idp/metadata"),
            ("IdP SSO (HTTP-Redirect, HTTP-POST)", "/idp/sso"),
            ("IdP single logout", "/idp/slo"),
        ]
        .into_iter()
        .map(|(what, path)| (what.to_owned(), self.urls.absolute(path)))
        .collect()
    }

    /// The JSON admin API under `/_admin/idp`.
    pub fn admin(&self, request: &Request, path: &str) -> Response {
        admin::handle(self, request, path)
    }

    fn route(&self, request: &Request, path: &str) -> Result<Response, IdpRefusal> {
        match (&request.method, path) {
            (&Method::GET, "" | "/") => Ok(Response::redirect(StatusCode::FOUND, "/idp/portal")),
            (&Method::GET, "/metadata") => self.metadata(),
            (&Method::GET, "/portal") => self.portal(request),
            (&Method::GET, "/login") => Ok(self.login_page(request, None)),
            (&Method::POST, "/login") => self.login(request),
            (&Method::GET, p) if p.starts_with("/launch/") => {
                sso::launch(self, request, &p["/launch/".len()..])
            }
            (&Method::GET | &Method::POST, "/sso") => sso::single_sign_on(self, request),
            (&Method::GET | &Method::POST, "/slo") => slo::single_logout(self, request),
            (&Method::GET, "/logout") => Ok(slo::logout_page(self)),
            (&Method::POST, "/logout") => slo::logout(self, request),
            _ => Err(Refusal::new(IdpRule::NoSuchEndpoint).because(format!(
                "The IdP has no endpoint {} /idp{path}.",
                request.method
            ))),
        }
    }

    /// The IdP's SAML metadata document.
    pub fn metadata_xml(&self) -> Result<String, samlsim_saml::SamlError> {
        sso::metadata_xml(self)
    }

    fn metadata(&self) -> Result<Response, IdpRefusal> {
        let xml = self.metadata_xml().map_err(|e| internal(&e))?;
        Ok(Response::xml(StatusCode::OK, xml))
    }

    /// C1: the applications the signed-in user may open.
    fn portal(&self, request: &Request) -> Result<Response, IdpRefusal> {
        let Some((session, user)) = self.signed_in(request)? else {
            return Ok(self.to_login("/idp/portal"));
        };
        let apps = self
            .providers
            .list()
            .map_err(|e| internal(&e))?
            .into_iter()
            .filter(|sp| sp.in_portal)
            .map(|sp| pages::PortalApp {
                href: format!(
                    "/idp/launch/{}",
                    samlsim_service::http::encode_component(&sp.id)
                ),
                id: sp.id,
                label: sp.label,
                description: sp.description,
            })
            .collect();
        self.record(
            request,
            NewEvent::ok(
                SERVICE,
                "portal",
                format!("{} opened the portal", session.username),
            )
            .step("C1"),
        );
        Ok(pages::render(
            StatusCode::OK,
            &pages::Portal {
                idp_name: &self.name,
                user: user.greeting_name(),
                username: &user.username,
                apps,
                logout: "/idp/logout",
            },
        ))
    }

    fn login_page(&self, request: &Request, failure: Option<(&str, &str, IdpRule)>) -> Response {
        let continue_to = request
            .param("continue")
            .filter(|c| is_local_continuation(c))
            .unwrap_or_else(|| "/idp/portal".into());
        let app = self.app_for_continuation(&continue_to);
        let (username, error, rule, status) = match failure {
            Some((username, error, rule)) => (
                username,
                error,
                samlsim_service::Rule::name(rule),
                samlsim_service::Rule::spec(rule).status_code(),
            ),
            None => ("", "", "", StatusCode::OK),
        };
        pages::render(
            status,
            &pages::Login {
                idp_name: &self.name,
                action: "/idp/login",
                continue_to: &continue_to,
                app: app.as_deref(),
                username,
                error: failure.map(|_| error),
                rule,
            },
        )
    }

    /// C2/C3: checks the credentials against the identity store.
    fn login(&self, request: &Request) -> Result<Response, IdpRefusal> {
        let username = request.form_value("username").unwrap_or_default();
        let password = request.form_value("password").unwrap_or_default();
        let result = self
            .directory
            .authenticate(&username, &password)
            .map_err(|e| internal(&e))?;
        let user = match result {
            Ok(user) => user,
            Err(failure) => {
                let refusal = Refusal::new(failure.rule())
                    .because(failure.message(&username))
                    .context(serde_json::json!({ "username": username }));
                return Ok(self.recorder.refuse(request, "login", refusal, |r| {
                    let message = r.detail.as_deref().unwrap_or_default();
                    self.login_page(request, Some((&username, message, r.rule)))
                }));
            }
        };
        let now = self.clock.now();
        let session = self
            .sessions
            .start(
                &self.ids.token(32),
                &self.ids.saml_id(),
                &user.username,
                now,
                self.session_lifetime,
            )
            .map_err(|e| internal(&e))?;
        self.record(
            request,
            NewEvent::ok(SERVICE, "login", format!("{} signed in", user.username))
                .step("C3")
                .detail(serde_json::json!({ "username": user.username, "session_index": session.index })),
        );
        let continue_to = request
            .form_value("continue")
            .filter(|c| is_local_continuation(c))
            .unwrap_or_else(|| "/idp/portal".into());
        Ok(
            Response::redirect(StatusCode::SEE_OTHER, &continue_to).with_cookie(&Cookie::session(
                SESSION_COOKIE,
                &session.id,
                "/idp",
            )),
        )
    }

    /// A redirect to the login page that comes back to `continue_to` afterwards.
    fn to_login(&self, continue_to: &str) -> Response {
        let target = format!(
            "/idp/login?continue={}",
            samlsim_service::http::encode_component(continue_to)
        );
        Response::redirect(StatusCode::FOUND, &target)
    }

    /// The label of the app a continuation leads to, for "to continue to ...".
    fn app_for_continuation(&self, continue_to: &str) -> Option<String> {
        let sp_id = continue_to
            .strip_prefix("/idp/launch/")
            .map(|s| s.split('?').next().unwrap_or(s));
        let sp_id = match sp_id {
            Some(id) => samlsim_service::http::decode_component(id),
            None => self.sessions_pending_sp(continue_to)?,
        };
        // The label only decorates the login page; a store that fails here fails
        // again, with its own page, at the step that needs the SP.
        self.providers.get(&sp_id).ok().flatten().map(|sp| sp.label)
    }

    fn sessions_pending_sp(&self, continue_to: &str) -> Option<String> {
        let token = continue_to.strip_prefix("/idp/sso?resume=")?;
        // As above: decoration only.
        self.sessions
            .peek_pending(token)
            .ok()
            .flatten()
            .map(|p| p.sp)
    }

    /// The live session of this browser, with its user (who may since have been
    /// disabled or deleted: then there is no session).
    fn signed_in(&self, request: &Request) -> Result<Option<(Session, User)>, IdpRefusal> {
        let Some(id) = request.cookie(SESSION_COOKIE) else {
            return Ok(None);
        };
        let now = self.clock.now();
        let Some(session) = self.sessions.live(&id, now).map_err(|e| internal(&e))? else {
            return Ok(None);
        };
        match self
            .directory
            .get(&session.username)
            .map_err(|e| internal(&e))?
        {
            Some(user) if !user.disabled => Ok(Some((session, user))),
            _ => {
                self.sessions
                    .end(&session.id, now)
                    .map_err(|e| internal(&e))?;
                Ok(None)
            }
        }
    }

    fn record(&self, request: &Request, event: NewEvent) {
        self.recorder.record(request, event);
    }

    /// Records a refusal and answers with its problem page.
    fn refuse(&self, request: &Request, action: &'static str, refusal: IdpRefusal) -> Response {
        self.recorder.refuse(request, action, refusal, |r| {
            r.page(&self.page_title(), request)
        })
    }

    fn page_title(&self) -> String {
        format!("Mock IdP · {}", self.name)
    }
}

impl Service for Idp {
    fn handle(&self, request: &Request) -> Option<Response> {
        let path = request.path_after("/idp")?;
        Some(match self.route(request, path) {
            Ok(response) => response,
            Err(refusal) => self.refuse(request, "request", refusal),
        })
    }
}

/// Only paths of this IdP may follow a login: anything else would make the login
/// page an open redirector.
fn is_local_continuation(target: &str) -> bool {
    target.starts_with("/idp/") && !target.starts_with("//") && !target.contains('\\')
}
