//! The mock AWS: IAM SAML providers and roles, the browser sign-in SAML endpoints
//! (C5), the console session they open, and STS `AssumeRoleWithSAML`.
//!
//! # Layout
//! - [`endpoints`]: which AWS hosts are emulated, and where they live locally;
//! - [`config`]: `[aws]` of the configuration file;
//! - [`iam`]: accounts, SAML providers, roles (stored);
//! - [`policy`]: IAM policy evaluation (trust, permission, service control policies);
//! - [`rules`]: every refusal, as [`AwsRule`] with AWS's code, status and words;
//! - [`federation`]: the checks AWS makes on a SAML assertion, shared by sign-in and STS;
//! - [`state`]: used assertions, console sessions, issued credentials;
//! - `signin`, `sts`, `console`: the HTTP faces; [`admin`]: `/_admin/aws`.
//!
//! All routes live under `/aws/<host>/...` ([`endpoints`]).

pub mod admin;
pub mod base_url;
pub mod config;
mod console;
pub mod endpoints;
pub mod federation;
pub mod iam;
mod iam_api;
mod pages;
pub mod policy;
mod policy_cache;
pub mod rules;
mod signin;
pub mod sigv4;
pub mod state;
mod sts;
pub mod sweep;

use std::sync::Arc;

use samlsim_service::{
    Clock, EventLog, Ids, Recorder, Request, Response, Service, Store, StoreError, UrlMap,
};

use crate::config::AwsConfig;
use crate::iam::{Iam, IamError};
pub use crate::rules::AwsRule;
use crate::state::{RoleSession, State};

const SERVICE: &str = "aws";
/// The console session cookie, shared by every emulated AWS host (Path=/aws/).
pub const CONSOLE_COOKIE: &str = "samlsim_aws_console";

/// Why the mock AWS could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AwsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("aws: {0}")]
    Iam(#[from] IamError),
}

/// Fetches a metadata URL: the text, or why not.
pub type FetchMetadata = Box<dyn Fn(&str) -> Result<String, String> + Send + Sync>;

/// What the mock AWS is built from.
pub struct AwsParts {
    pub config: AwsConfig,
    /// The emulator IdP's metadata, for providers configured with `metadata = "idp"`.
    pub idp_metadata: String,
    /// Fetches a metadata URL (CreateSAMLProvider from a URL). The mock AWS does
    /// no network I/O itself; the emulator lends it this.
    pub fetch_metadata: FetchMetadata,
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
    pub events: EventLog,
    pub urls: Arc<UrlMap>,
}

/// The mock AWS.
pub struct Aws {
    iam: Iam,
    state: State,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn Ids>,
    recorder: Recorder,
    urls: Arc<UrlMap>,
    idp_metadata: String,
    fetch_metadata: FetchMetadata,
    /// The administrator key pair (`[aws] admin_access_key_id`), if both are set.
    admin_key: Option<(String, String)>,
}

impl Aws {
    /// Builds the mock AWS; on a new database, creates the configured accounts.
    pub fn new(parts: AwsParts) -> Result<Aws, AwsError> {
        let iam = Iam::new(parts.store.clone())?;
        let state = State::new(parts.store.clone())?;
        if iam.is_empty()? {
            let sources = iam::MetadataSources {
                idp: &parts.idp_metadata,
                fetch: parts.fetch_metadata.as_ref(),
            };
            for account in &parts.config.accounts {
                iam.put_account(account, &sources)?;
            }
        }
        let admin_key = Some((
            parts.config.admin_access_key_id.clone(),
            parts.config.admin_secret_access_key.clone(),
        ))
        .filter(|(id, secret)| !id.is_empty() && !secret.is_empty());
        Ok(Aws {
            admin_key,
            iam,
            state,
            clock: parts.clock,
            ids: parts.ids,
            recorder: Recorder::new(parts.events, SERVICE),
            urls: parts.urls,
            idp_metadata: parts.idp_metadata,
            fetch_metadata: parts.fetch_metadata,
        })
    }

    /// Where providers' metadata may come from.
    pub fn metadata_sources(&self) -> iam::MetadataSources<'_> {
        iam::MetadataSources {
            idp: &self.idp_metadata,
            fetch: self.fetch_metadata.as_ref(),
        }
    }

    /// The administrator key pair: access key ID and secret.
    pub fn admin_key(&self) -> Option<(&str, &str)> {
        self.admin_key
            .as_ref()
            .map(|(id, secret)| (id.as_str(), secret.as_str()))
    }

    /// Verifies a control-plane request's SigV4 signature for `service` and
    /// resolves who sent it ([`sigv4`]).
    pub fn authenticate(
        &self,
        request: &Request,
        service: &str,
    ) -> Result<sigv4::Caller, sigv4::AuthError> {
        sigv4::authenticate(self, request, service, self.clock.now())
    }

    pub fn iam(&self) -> &Iam {
        &self.iam
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The live console session of this browser, if any (what Connect's federation
    /// endpoint is reached with, C6).
    pub fn console_session(&self, request: &Request) -> Result<Option<RoleSession>, StoreError> {
        match request.cookie(CONSOLE_COOKIE) {
            Some(id) => self.state.console_session(&id, self.clock.now()),
            None => Ok(None),
        }
    }

    /// The endpoints for `samlsim up`'s table.
    pub fn endpoints(&self) -> Vec<(String, String)> {
        [
            (
                "AWS sign-in, global (C5)",
                "https://signin.aws.amazon.com/saml",
            ),
            (
                "AWS sign-in, regional (C13)",
                "https://us-east-1.signin.aws.amazon.com/saml",
            ),
            ("STS (SDK --endpoint-url)", "https://sts.amazonaws.com/"),
            ("IAM (SDK --endpoint-url)", "https://iam.amazonaws.com/"),
            ("AWS console", "https://console.aws.amazon.com/console/home"),
        ]
        .into_iter()
        .map(|(what, url)| (what.to_owned(), self.urls.local(url)))
        .collect()
    }

    /// The JSON admin API under `/_admin/aws`.
    pub fn admin(&self, request: &Request, path: &str) -> Response {
        admin::handle(self, request, path)
    }
}

impl Service for Aws {
    fn handle(&self, request: &Request) -> Option<Response> {
        let (host, rest) = endpoints::split_local_path(&request.path)?;
        if let Some(region) = endpoints::sign_in_region(host) {
            return signin::handle(self, request, host, &region, rest);
        }
        if let Some(region) = endpoints::sts_region(host) {
            return Some(sts::handle(self, request, &region, rest));
        }
        if host == endpoints::IAM_HOST {
            return Some(iam_api::handle(self, request, rest));
        }
        if let Some(region) = endpoints::console_region(host) {
            return console::handle(self, request, host, &region, rest);
        }
        None
    }
}
