//! The mock Amazon Cognito user pool as a SAML service provider (G1–G9).
//!
//! # Layout
//! - [`config`] — `[[cognito.user_pools]]` of the configuration file;
//! - [`rules`] — every refusal, a [`CognitoRule`];
//! - [`model`] — pools, identity providers, app clients, users, sign-in state;
//! - [`jwt`] — RS256 tokens and the pool's JWKS;
//! - `hosted`: the hosted UI on `<domain>.auth.<region>.amazoncognito.com`
//!   (`/oauth2/authorize`, `/login`, `/saml2/idpresponse`, `/oauth2/token`,
//!   `/oauth2/userInfo`, `/logout`, `/saml2/logout`) and Cognito's checks on the
//!   assertion;
//! - `oidc`: `/<pool-id>/.well-known/{openid-configuration,jwks.json}` on
//!   `cognito-idp.<region>.amazonaws.com`;
//! - `api`: the cognito-idp JSON 1.1 API (`POST /` with `X-Amz-Target`);
//! - [`admin`] — `/_admin/cognito`;
//! - `demo`: the built-in example app at `https://example-app.samlsim.test/`.
//!
//! Hosts are mapped under `/aws/<host>` like every AWS host ([`public_to_local`]).

pub mod admin;
mod api;
pub mod config;
mod demo;
mod hosted;
pub mod jwt;
pub mod model;
mod oidc;
pub mod rules;
pub mod sweep;

use std::collections::BTreeMap;
use std::sync::Arc;

use samlsim_crypto::Certificate;
use samlsim_saml::metadata::parse_idp_metadata;
use samlsim_saml::uri::binding as bindings;
use samlsim_service::clock::parse_duration;
use samlsim_service::{
    Clock, EventLog, Ids, Recorder, Refusal, Request, Response, Service, Store, StoreError, UrlMap,
};

use crate::config::{AppClientConfig, CognitoConfig, SamlProviderConfig, UserPoolConfig};
use crate::jwt::Keys;
use crate::model::{Client, Model, Pool, Provider};
pub use crate::rules::CognitoRule;

const SERVICE: &str = "cognito";
/// The hosted UI's memory of a federated sign-in, on the domain's path.
const SESSION_COOKIE: &str = "samlsim_cognito_session";
/// The built-in example app's host.
pub const DEMO_HOST: &str = "example-app.samlsim.test";

/// Why the mock Cognito could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CognitoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cognito.user_pools[{index}]: {message}")]
    Config { index: usize, message: String },
}

/// Fetches metadata from an `http://` URL (the emulator's own client).
pub type FetchMetadata = Box<dyn Fn(&str) -> Result<String, String> + Send + Sync>;

/// What the mock Cognito is built from.
pub struct CognitoParts {
    pub config: CognitoConfig,
    /// This emulator's IdP metadata, for providers with `metadata = "idp"`.
    pub idp_metadata: String,
    pub fetch_metadata: FetchMetadata,
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn Ids>,
    pub events: EventLog,
    pub urls: Arc<UrlMap>,
    /// The pools' token signing key and certificate.
    pub key: samlsim_crypto::Identity,
    /// The key pair that decrypts assertions of providers with `EncryptedResponses`;
    /// its certificate is published as `ActiveEncryptionCertificate`.
    pub encryption: samlsim_crypto::Identity,
}

/// The mock Amazon Cognito.
pub struct Cognito {
    model: Model,
    keys: Keys,
    encryption: samlsim_crypto::Identity,
    idp_metadata: String,
    fetch_metadata: FetchMetadata,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn Ids>,
    recorder: Recorder,
    urls: Arc<UrlMap>,
}

impl Cognito {
    /// Builds the mock Cognito; on a new database, creates the configured pools,
    /// providers and clients (validated first, so a bad config fails at start).
    pub fn new(parts: CognitoParts) -> Result<Cognito, CognitoError> {
        let model = Model::new(parts.store.clone())?;
        let cognito = Cognito {
            model,
            keys: Keys::new(parts.key.key, parts.key.certificate),
            encryption: parts.encryption,
            idp_metadata: parts.idp_metadata,
            fetch_metadata: parts.fetch_metadata,
            clock: parts.clock,
            ids: parts.ids,
            recorder: Recorder::new(parts.events, SERVICE),
            urls: parts.urls,
        };
        let mut built = Vec::new();
        for (index, pool) in parts.config.user_pools.iter().enumerate() {
            let config = |message: String| CognitoError::Config { index, message };
            built.push(cognito.build_pool(pool).map_err(config)?);
        }
        if cognito.model.is_empty()? {
            for (pool, providers, clients) in built {
                cognito.model.put(model::kind::POOL, &pool.id, &pool)?;
                for provider in &providers {
                    cognito.model.put_provider(provider)?;
                }
                for client in &clients {
                    cognito.model.put_client(client)?;
                }
            }
        }
        Ok(cognito)
    }

    fn build_pool(
        &self,
        config: &UserPoolConfig,
    ) -> Result<(Pool, Vec<Provider>, Vec<Client>), String> {
        let region = config::pool_region(&config.id).ok_or_else(|| {
            format!(
                "id \"{}\" is not a user pool ID (<region>_<letters and digits>, e.g. us-east-1_SamlSim01)",
                config.id
            )
        })?;
        if let Some(given) = &config.region
            && given != region
        {
            return Err(format!(
                "region \"{given}\" differs from the pool ID's region \"{region}\""
            ));
        }
        if let Some(domain) = &config.domain
            && !valid_domain_prefix(domain)
        {
            return Err(format!(
                "domain \"{domain}\": lowercase letters, digits and hyphens, not starting or ending with a hyphen"
            ));
        }
        let now = self.clock.now();
        let pool = Pool {
            id: config.id.clone(),
            name: config.name.clone(),
            region: region.to_owned(),
            domain: config.domain.clone(),
            case_sensitive: config.case_sensitive,
            issuer: config.issuer,
            required_attributes: config.required_attributes.clone(),
            custom_attributes: config.custom_attributes.clone(),
            created: now,
            modified: now,
        };
        let mut providers = Vec::new();
        for provider in &config.identity_providers {
            providers.push(
                self.build_provider(&pool, provider)
                    .map_err(|e| format!("identity_providers \"{}\": {e}", provider.name))?,
            );
        }
        let mut clients = Vec::new();
        for client in &config.clients {
            let built = build_client(&pool, client, now)
                .map_err(|e| format!("clients \"{}\": {e}", client.id))?;
            for name in &built.identity_providers {
                if name != "COGNITO" && !providers.iter().any(|p| &p.name == name) {
                    return Err(format!(
                        "clients \"{}\": identity provider \"{name}\" is not a provider of the pool",
                        client.id
                    ));
                }
            }
            clients.push(built);
        }
        Ok((pool, providers, clients))
    }

    fn build_provider(&self, pool: &Pool, config: &SamlProviderConfig) -> Result<Provider, String> {
        let (xml, url) = self.resolve_metadata(&config.metadata)?;
        let mut provider =
            provider_from_metadata(&pool.id, &config.name, &xml, url, self.clock.now())?;
        check_mapping(pool, &config.attribute_mapping)?;
        provider.attribute_mapping = config.attribute_mapping.clone();
        provider.idp_init = config.idp_init;
        provider.idp_signout = config.idp_signout;
        provider.request_signing = config.request_signing;
        provider.encrypted_responses = config.encrypted_responses;
        provider.identifiers = config.identifiers.clone();
        Ok(provider)
    }

    /// Metadata from `idp`, a file, an `http://` URL or inline XML.
    fn resolve_metadata(&self, source: &str) -> Result<(String, Option<String>), String> {
        let source = source.trim();
        if source == "idp" {
            return Ok((self.idp_metadata.clone(), None));
        }
        if source.starts_with('<') {
            return Ok((source.to_owned(), None));
        }
        if source.starts_with("http://") || source.starts_with("https://") {
            let xml =
                (self.fetch_metadata)(source).map_err(|e| format!("metadata URL {source}: {e}"))?;
            return Ok((xml, Some(source.to_owned())));
        }
        std::fs::read_to_string(source)
            .map(|xml| (xml, None))
            .map_err(|e| format!("metadata file {source}: {e}"))
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The certificate IdPs encrypt assertions to (`ActiveEncryptionCertificate`).
    pub fn encryption_certificate(&self) -> &Certificate {
        &self.encryption.certificate
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The endpoints for `samlsim up`'s table and the start page.
    pub fn endpoints(&self) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        let pools = match self.model.pools() {
            Ok(pools) => pools,
            Err(e) => return vec![("Cognito (state unreadable)".into(), e.to_string())],
        };
        for pool in pools {
            if let Some(host) = pool.host() {
                rows.push((
                    format!("Cognito hosted UI, {} (G2)", pool.id),
                    self.urls.local(&format!("https://{host}/login")),
                ));
                rows.push((
                    format!("Cognito ACS, {} (G4)", pool.id),
                    self.urls
                        .local(&format!("https://{host}/saml2/idpresponse")),
                ));
            }
            rows.push((
                format!("Cognito OpenID discovery, {}", pool.id),
                self.urls.local(&format!(
                    "https://{}/{}/.well-known/openid-configuration",
                    pool.idp_host(),
                    pool.id
                )),
            ));
        }
        rows.push((
            "Cognito API (cognito-idp)".into(),
            self.urls
                .local("https://cognito-idp.us-east-1.amazonaws.com/"),
        ));
        rows.push((
            "Example app (Cognito)".into(),
            self.urls.local(&format!("https://{DEMO_HOST}/")),
        ));
        rows
    }

    /// The JSON admin API under `/_admin/cognito`.
    pub fn admin(&self, request: &Request, path: &str) -> Response {
        admin::handle(self, request, path)
    }

    /// The issuer of a pool's tokens.
    pub fn issuer(&self, pool: &Pool) -> String {
        let aws = format!("https://{}/{}", pool.idp_host(), pool.id);
        match pool.issuer {
            config::IssuerSetting::Aws => aws,
            config::IssuerSetting::Local => self.urls.local(&aws),
        }
    }

    fn refuse(
        &self,
        request: &Request,
        action: &'static str,
        refusal: Refusal<CognitoRule>,
        answer: impl FnOnce(&Refusal<CognitoRule>) -> Response,
    ) -> Response {
        self.recorder.refuse(request, action, refusal, answer)
    }

    /// G9: a deleted profile; the next sign-in creates it anew.
    fn record_deleted(&self, request: &Request, pool: &Pool, user: &model::User) {
        self.record(
            request,
            samlsim_service::NewEvent::ok(
                SERVICE,
                "delete-user",
                format!("user {} deleted from pool {}", user.username, pool.id),
            )
            .step("G9"),
        );
    }

    fn record(&self, request: &Request, event: samlsim_service::NewEvent) {
        self.recorder.record(request, event);
    }
}

/// A storage failure as a refusal (samlsim failed, not a Cognito rule).
fn internal(error: StoreError) -> Refusal<CognitoRule> {
    Refusal::new(CognitoRule::Internal).because(error.to_string())
}

fn valid_domain_prefix(domain: &str) -> bool {
    !domain.is_empty()
        && domain.len() <= 63
        && !domain.starts_with('-')
        && !domain.ends_with('-')
        && domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !domain.contains("aws")
        && !domain.contains("amazon")
        && !domain.contains("cognito")
}

/// A provider from SAML metadata: entity ID, signing certificates, SSO and SLO
/// (HTTP-Redirect, which is how Cognito sends its requests).
pub fn provider_from_metadata(
    pool_id: &str,
    name: &str,
    xml: &str,
    url: Option<String>,
    now: i64,
) -> Result<Provider, String> {
    let metadata =
        parse_idp_metadata(xml.as_bytes()).map_err(|e| format!("unreadable metadata: {e}"))?;
    if metadata.signing_certificates.is_empty() {
        return Err("the metadata has no signing certificate".into());
    }
    // "The signing certificate in your SAML provider metadata must not be expired
    // when you configure the SAML IdP" (saml-idp-things-to-know).
    if let Some(expired) = metadata
        .signing_certificates
        .iter()
        .find(|c| c.not_after() < now)
    {
        return Err(format!(
            "the signing certificate {} has expired",
            expired.subject()
        ));
    }
    let redirect = |endpoints: &[samlsim_saml::metadata::Endpoint]| {
        endpoints
            .iter()
            .find(|e| e.binding == bindings::HTTP_REDIRECT)
            .map(|e| e.location.clone())
    };
    let sso_url = redirect(&metadata.single_sign_on_services)
        .ok_or("the metadata has no SingleSignOnService with the HTTP-Redirect binding")?;
    Ok(Provider {
        pool_id: pool_id.to_owned(),
        name: name.to_owned(),
        entity_id: metadata.entity_id,
        certificates: metadata
            .signing_certificates
            .iter()
            .map(Certificate::to_base64)
            .collect(),
        sso_url,
        slo_url: redirect(&metadata.single_logout_services),
        metadata_xml: xml.to_owned(),
        metadata_url: url,
        attribute_mapping: BTreeMap::new(),
        idp_init: false,
        idp_signout: false,
        request_signing: false,
        encrypted_responses: false,
        identifiers: Vec::new(),
        created: now,
        modified: now,
    })
}

/// `username` cannot be mapped; a mapped pool attribute must be a standard one
/// or a declared custom one.
fn check_mapping(pool: &Pool, mapping: &BTreeMap<String, String>) -> Result<(), String> {
    for attribute in mapping.keys() {
        if attribute == "username" {
            return Err("attribute_mapping: username cannot be mapped".into());
        }
        if let Some(custom) = attribute.strip_prefix("custom:") {
            if !pool.custom_attributes.iter().any(|c| c == custom) {
                return Err(format!(
                    "attribute_mapping: {attribute} is not a custom attribute of the pool"
                ));
            }
        } else if !STANDARD_ATTRIBUTES.contains(&attribute.as_str()) {
            return Err(format!(
                "attribute_mapping: {attribute} is not a standard attribute (custom ones are custom:<name>)"
            ));
        }
    }
    Ok(())
}

/// The OIDC standard attributes a pool has (user-pool-settings-attributes).
pub const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

pub(crate) fn build_client(
    pool: &Pool,
    config: &AppClientConfig,
    now: i64,
) -> Result<Client, String> {
    if config.id.is_empty()
        || config.id.len() > 128
        || !config.id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err("id: letters and digits (AWS makes 26 lowercase ones)".into());
    }
    for url in config.callback_urls.iter().chain(&config.logout_urls) {
        config::check_app_url(url)?;
    }
    for flow in &config.flows {
        if flow != "code" && flow != "implicit" {
            return Err(format!("flows: \"{flow}\" is not code or implicit"));
        }
    }
    let seconds =
        |field: &str, text: &str| parse_duration(text).map_err(|e| format!("{field}: {e}"));
    Ok(Client {
        pool_id: pool.id.clone(),
        id: config.id.clone(),
        name: config.name.clone(),
        secret: config.secret.clone(),
        callback_urls: config.callback_urls.clone(),
        logout_urls: config.logout_urls.clone(),
        flows: config.flows.clone(),
        scopes: config.scopes.clone(),
        identity_providers: config.identity_providers.clone(),
        oauth_enabled: true,
        id_token_validity: seconds("id_token_validity", &config.id_token_validity)?,
        access_token_validity: seconds("access_token_validity", &config.access_token_validity)?,
        refresh_token_validity: seconds("refresh_token_validity", &config.refresh_token_validity)?,
        created: now,
        modified: now,
    })
}

/// The local URL for a public Cognito URL: the hosted UI domains
/// (`*.amazoncognito.com`) and the example app. (`cognito-idp.<region>.amazonaws.com`
/// is an amazonaws.com host, which the AWS map already covers.)
pub fn public_to_local(base: &str, url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let (host, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = host.to_ascii_lowercase();
    let ours = host == DEMO_HOST
        || (host.ends_with(".amazoncognito.com")
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
    if !ours {
        return None;
    }
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    Some(format!("{base}/aws/{host}{path}"))
}

/// The host and rest of a local `/aws/<host>/<rest>` path, for Cognito's hosts.
fn split_local_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/aws/")?;
    Some(match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    })
}

impl Service for Cognito {
    fn handle(&self, request: &Request) -> Option<Response> {
        let (host, rest) = split_local_path(&request.path)?;
        if host == DEMO_HOST {
            return Some(demo::handle(self, request, rest));
        }
        if let Some(prefix_region) = host.strip_suffix(".amazoncognito.com") {
            return Some(hosted::handle(self, request, host, prefix_region, rest));
        }
        let region = host
            .strip_prefix("cognito-idp.")?
            .strip_suffix(".amazonaws.com")?;
        if rest == "/" || rest.is_empty() {
            return Some(api::handle(self, request, region));
        }
        oidc::handle(self, request, region, rest)
    }
}
