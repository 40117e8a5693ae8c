//! The mock Amazon Connect: steps C6 onwards of the six-step flow.
//!
//! # Layout
//! - [`config`]: `[connect]` of the configuration file;
//! - [`model`]: instances, users, security profiles and 12-hour sessions;
//! - `federation`: the console's federation endpoint
//!   (`/connect/federate/<instance-id>`, C6, C14, C20–C22, C25) and the sign-in
//!   token hand-over to the instance's domain (C29);
//! - `instance`: the instance's pages (CCP, agent workspace, user management), the
//!   session check behind them (C28, C30) and sign-out (C31);
//! - `api`: `GetFederationToken` as the REST API SDKs call;
//! - [`csv_import`]: bulk user import from the SAML CSV template (C26);
//! - [`admin`]: the JSON admin API under `/_admin/connect`.
//!
//! Hosts, mapped under `/aws/<host>` like every AWS host:
//! `<region>.console.aws.amazon.com/connect/federate/<id>` (and GovCloud's
//! `console.amazonaws-us-gov.com`), the instance at `<alias>.my.connect.aws` (the old
//! `<alias>.awsapps.com/connect` redirects there), and the API at
//! `connect.<region>.amazonaws.com`.

pub mod admin;
mod api;
pub mod config;
mod control;
pub mod csv_import;
mod federation;
mod instance;
pub mod model;
mod pages;
mod rules;
pub mod sweep;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use samlsim_aws::Aws;
use samlsim_aws::endpoints::{console_region, split_local_path};
use samlsim_service::{
    Clock, EventLog, Ids, NewEvent, Recorder, Refusal, Request, Response, Service, Store,
    StoreError, UrlMap,
};

use crate::config::ConnectConfig;
use crate::model::Model;
pub use crate::rules::{ConnectRefusal, ConnectRule};

const SERVICE: &str = "connect";
/// The Connect session cookie, on the instance's own host path.
const SESSION_COOKIE: &str = "samlsim_connect_session";

/// Why the mock Connect could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("connect.instances[{index}]: {message}")]
    Config { index: usize, message: String },
}

/// What the mock Connect is built from.
pub struct ConnectParts {
    pub config: ConnectConfig,
    pub aws: Arc<Aws>,
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
    pub events: EventLog,
    pub urls: Arc<UrlMap>,
}

/// The mock Amazon Connect.
pub struct Connect {
    model: Model,
    aws: Arc<Aws>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn Ids>,
    recorder: Recorder,
    urls: Arc<UrlMap>,
}

impl Connect {
    /// Builds the mock Connect; on a new database, creates the configured instances
    /// and their users (the admin named at creation gets the Admin profile, C7).
    pub fn new(parts: ConnectParts) -> Result<Connect, ConnectError> {
        let model = Model::new(parts.store.clone())?;
        for (index, instance) in parts.config.instances.iter().enumerate() {
            if let Some(message) = config::check_instance(instance).into_iter().next() {
                return Err(ConnectError::Config { index, message });
            }
        }
        if model.is_empty()? {
            for instance in &parts.config.instances {
                model.put_instance(instance)?;
                let admin = config::UserConfig {
                    username: instance.admin.clone(),
                    first_name: None,
                    last_name: None,
                    security_profiles: vec!["Admin".into()],
                    routing_profile: model::ROUTING_PROFILES[0].into(),
                };
                model.put_user(&instance.id, &admin, &parts.ids.token(16))?;
                for user in &instance.users {
                    model.put_user(&instance.id, user, &parts.ids.token(16))?;
                }
            }
        }
        Ok(Connect {
            model,
            aws: parts.aws,
            clock: parts.clock,
            ids: parts.ids,
            recorder: Recorder::new(parts.events, SERVICE),
            urls: parts.urls,
        })
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The endpoints for `samlsim up`'s table.
    pub fn endpoints(&self) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        // A table printed at start-up: a store that fails here fails again, with a
        // page that says so, on the first request.
        for instance in self.model.instances().unwrap_or_default() {
            let federate = if instance.region.starts_with("us-gov-") {
                format!(
                    "https://console.amazonaws-us-gov.com/connect/federate/{}",
                    instance.id
                )
            } else {
                format!(
                    "https://{}.console.aws.amazon.com/connect/federate/{}",
                    instance.region, instance.id
                )
            };
            rows.push((
                format!("Connect federation, {} (C14)", instance.alias),
                self.urls.local(&federate),
            ));
            rows.push((
                format!("Connect CCP, {}", instance.alias),
                self.urls
                    .local(&format!("https://{}/ccp-v2", instance.host())),
            ));
        }
        rows.push((
            "Connect API (GetFederationToken)".into(),
            self.urls.local("https://connect.us-east-1.amazonaws.com/"),
        ));
        rows
    }

    /// The JSON admin API under `/_admin/connect`.
    pub fn admin(&self, request: &Request, path: &str) -> Response {
        admin::handle(self, request, path)
    }

    fn record(&self, request: &Request, event: NewEvent) {
        self.recorder.record(request, event);
    }

    /// Records a refusal and answers with Connect's Access Denied page.
    fn deny(&self, request: &Request, action: &'static str, refusal: ConnectRefusal) -> Response {
        self.recorder.refuse(request, action, refusal, |r| {
            pages::access_denied_for(r, request)
        })
    }

    /// Records a refusal and answers with Connect's Session expired page for
    /// `instance` (an ID or alias, as the page names it).
    fn expire(
        &self,
        request: &Request,
        action: &'static str,
        instance: &str,
        refusal: ConnectRefusal,
    ) -> Response {
        let portal = self.urls.absolute("/idp/portal");
        self.recorder.refuse(request, action, refusal, |r| {
            pages::session_expired_for(r, instance, &portal, request)
        })
    }
}

impl Connect {
    /// "If anyone tries to access a URL with the old domain, they will be
    /// redirected automatically to the new one" (update-your-connect-domain).
    /// The target is built from parts that cannot move its host: a valid alias,
    /// and a path that starts with `/` after `/connect` (else
    /// `/connect@evil.example/` would make `https://x.my.connect.aws@evil.example/`).
    fn old_domain(&self, request: &Request, alias: &str, rest: &str) -> Response {
        let path = match rest.strip_prefix("/connect") {
            Some("") => "/",
            Some(path) => path,
            None => rest,
        };
        // After the authority `//x` and `\x` are path to a URL parser, but
        // browsers read `\` as `/` and proxies collapse `//`: refused, not argued.
        let safe_path = path.starts_with('/')
            && !path.starts_with("//")
            && !path.contains('\\')
            && !path.contains('@');
        if !is_valid_alias(alias) || !safe_path {
            return self.recorder.refuse(
                request,
                "old-domain",
                Refusal::new(ConnectRule::PageNotFound).because(format!(
                    "/aws/{alias}.awsapps.com{rest} does not name an instance page: the alias must be a Connect alias and the path start with /connect/.",
                    alias = samlsim_service::bounded(alias),
                    rest = samlsim_service::bounded(rest),
                )),
                |r| r.page("Amazon Connect", request),
            );
        }
        let query = if request.query.is_empty() {
            String::new()
        } else {
            format!("?{}", request.query)
        };
        let target = self
            .urls
            .local(&format!("https://{alias}.my.connect.aws{path}{query}"));
        Response::redirect(samlsim_service::http::StatusCode::FOUND, &target)
    }
}

/// An instance alias as CreateInstance takes it: 1–45 letters, digits and
/// hyphens, starting and ending with a letter or digit, not starting with `d-`
/// (API_CreateInstance, InstanceAlias).
pub fn is_valid_alias(alias: &str) -> bool {
    (1..=45).contains(&alias.len())
        && alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && alias.as_bytes()[0].is_ascii_alphanumeric()
        && alias.as_bytes()[alias.len() - 1].is_ascii_alphanumeric()
        && !alias.starts_with("d-")
}

impl Service for Connect {
    fn handle(&self, request: &Request) -> Option<Response> {
        let (host, rest) = split_local_path(&request.path)?;
        if console_region(host).is_some() {
            let instance_id = rest.strip_prefix("/connect/federate/")?;
            return Some(federation::federate(self, request, host, instance_id));
        }
        if let Some(alias) = host.strip_suffix(".my.connect.aws") {
            return Some(instance::handle(self, request, alias, rest));
        }
        if let Some(alias) = host.strip_suffix(".awsapps.com") {
            return Some(self.old_domain(request, alias, rest));
        }
        let region = host
            .strip_prefix("connect.")?
            .strip_suffix(".amazonaws.com")?;
        Some(api::handle(self, request, region, rest))
    }
}
