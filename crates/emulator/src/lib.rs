//! The whole emulator, as a library: what `samlsim up` runs and what a Rust test
//! suite embeds.
//!
//! # Layout
//! - [`config`]: the TOML configuration and the embedded default world;
//! - [`data`]: the data folder (database file, signing keys made on first start);
//! - [`Emulator`]: the services wired together over one store, clock and event
//!   log, and the routing of a [`Request`] to the service that owns its path;
//! - [`fetch`]: the one outbound client, for metadata URLs (deadline, size cap);
//! - [`admin`]: the loopback-only JSON API that test suites drive;
//! - [`capture`]: what the router keeps of every exchange for the inspector;
//! - [`inspect`]: the flow inspector (`/_inspect`), loopback-only like the admin API;
//! - [`browser`]: a scripted in-process browser (cookies, redirects, auto-posts);
//! - [`rules`]: the catalogue of every rule the services enforce;
//! - [`server`]: HTTP/1.1 on a bound listener;
//! - [`switches`]: failure switches for demos, made of admin API calls;
//! - [`http_client`]: the same requests sent to an emulator running elsewhere
//!   (with the server, the only socket code).

pub mod admin;
pub mod browser;
pub mod capture;
#[cfg(test)]
mod cognito_tests;
pub mod config;
pub mod data;
pub mod fetch;
pub mod http_client;
pub mod inspect;
#[cfg(test)]
mod retention_tests;
pub mod rules;
pub mod server;
pub mod switches;

use std::sync::Arc;

use samlsim_aws::{Aws, AwsParts};
use samlsim_cognito::{Cognito, CognitoParts};
use samlsim_connect::{Connect, ConnectParts};
use samlsim_crypto::Identity;
use samlsim_idp::{Idp, IdpParts};
use samlsim_service::events::{FLOW_COOKIE, RequestEvents};
use samlsim_service::http::{Cookie, HeaderValue, Method, StatusCode, header};
use samlsim_service::{
    EventLog, ExchangeLog, Ids, Problem, RandomIds, Request, Response, Service, Store, Sweeper,
    UrlMap, VirtualClock,
};

pub use config::Config;
pub use data::DataFolder;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Data(#[from] data::DataError),
    #[error(transparent)]
    Store(#[from] samlsim_service::StoreError),
    #[error("the IdP could not start: {0}")]
    Idp(#[from] samlsim_idp::IdpError),
    #[error("the IdP metadata could not be built: {0}")]
    Metadata(#[from] samlsim_saml::SamlError),
    #[error("the mock AWS could not start: {0}")]
    Aws(#[from] samlsim_aws::AwsError),
    #[error("the mock Connect could not start: {0}")]
    Connect(#[from] samlsim_connect::ConnectError),
    #[error("the mock Cognito could not start: {0}")]
    Cognito(#[from] samlsim_cognito::CognitoError),
    #[error(
        "the database {database} was left half set up by an interrupted first start (it has tables but no `seeded` marker, or was made by a samlsim that wrote none); `samlsim up --fresh` rebuilds it from the configuration"
    )]
    HalfSeeded { database: String },
}

/// The marker written last in the first start's seeding transaction.
const SEEDED: &str = "seeded";

/// What an emulator is built on besides its configuration.
pub struct Options {
    /// Where state lives; `None` keeps everything in memory (tests, scenarios).
    pub data: Option<DataFolder>,
    pub clock: Arc<VirtualClock>,
    pub ids: Arc<dyn Ids>,
    /// The IdP's signing identity for in-memory emulators; a data folder brings
    /// its own. When neither is given one is generated.
    pub identity: Option<Identity>,
    /// The user pools' keys for in-memory emulators (a data folder brings its
    /// own); when not given, made once per process.
    pub cognito_identities: Option<data::CognitoIdentities>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            data: None,
            clock: Arc::new(VirtualClock::system()),
            ids: Arc::new(RandomIds),
            identity: None,
            cognito_identities: None,
        }
    }
}

/// The user pools' signing identity for in-memory emulators: their own key, not
/// the IdP's (a check made with the wrong key must not pass by accident), made once
/// per process so a test suite or a scenario run pays for one key, not one each.
fn in_memory_cognito_identity(
    clock: &dyn samlsim_service::Clock,
) -> Result<Identity, data::DataError> {
    static PEMS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    once_per_process(&PEMS, clock, data::generate_cognito_identity)
}

/// The same for the user pools' encryption key pair (EncryptedResponses).
fn in_memory_cognito_encryption_identity(
    clock: &dyn samlsim_service::Clock,
) -> Result<Identity, data::DataError> {
    static PEMS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    once_per_process(&PEMS, clock, data::generate_cognito_encryption_identity)
}

fn once_per_process(
    pems: &'static std::sync::OnceLock<(String, String)>,
    clock: &dyn samlsim_service::Clock,
    generate: fn(&dyn samlsim_service::Clock) -> Result<Identity, data::DataError>,
) -> Result<Identity, data::DataError> {
    let (key, certificate) = match pems.get() {
        Some(pems) => pems,
        None => {
            let identity = generate(clock)?;
            pems.get_or_init(|| (identity.key.to_pkcs8_pem(), identity.certificate.to_pem()))
        }
    };
    Identity::from_pem(key, certificate).map_err(data::DataError::Generate)
}

/// The emulated services, wired together.
pub struct Emulator {
    config: Config,
    clock: Arc<VirtualClock>,
    ids: Arc<dyn Ids>,
    events: EventLog,
    exchanges: ExchangeLog,
    urls: Arc<UrlMap>,
    idp: Idp,
    aws: Arc<Aws>,
    connect: Connect,
    cognito: Cognito,
    switches: switches::State,
    /// Retention of every service's expired state, by the virtual clock.
    sweeper: Sweeper,
    /// Kept so the data folder stays locked while the emulator lives.
    _data: Option<DataFolder>,
}

impl Emulator {
    /// Opens the state (seeding it from `config` when new) and builds every service.
    pub fn start(config: Config, options: Options) -> Result<Emulator, StartError> {
        let clock = options.clock;
        let (store, identity, cognito_identity, cognito_encryption) = match &options.data {
            Some(folder) => (
                folder.open_store()?,
                folder.signing_identity(clock.as_ref())?,
                folder.cognito_identity(clock.as_ref())?,
                folder.cognito_encryption_identity(clock.as_ref())?,
            ),
            None => {
                let identity = match options.identity {
                    Some(identity) => identity,
                    None => data::generate_identity(clock.as_ref())?,
                };
                let (cognito_identity, cognito_encryption) = match options.cognito_identities {
                    Some(given) => (given.signing, given.encryption),
                    None => (
                        in_memory_cognito_identity(clock.as_ref())?,
                        in_memory_cognito_encryption_identity(clock.as_ref())?,
                    ),
                };
                (
                    Store::in_memory()?,
                    identity,
                    cognito_identity,
                    cognito_encryption,
                )
            }
        };
        let store = Arc::new(store);
        // Every service migrates and seeds from the configuration in one
        // transaction, with the `seeded` marker written last: a kill during a
        // first start leaves an empty database, never a partial world that later
        // starts (which seed only an empty service) would not repair.
        let seeded_before = store.has_marker(SEEDED)?;
        if !seeded_before && store.has_migrated_anything()? {
            return Err(StartError::HalfSeeded {
                database: options.data.as_ref().map_or_else(
                    || ":memory:".into(),
                    |d| d.database_path().display().to_string(),
                ),
            });
        }
        let (events, exchanges, urls, idp, aws, connect, cognito) = store.transaction(|| {
            let retention = config.events.retention().map_err(StartError::Config)?;
            let events = EventLog::new(store.clone(), clock.clone())?.with_retention(retention);
            // The same retention as events: exchanges are the other half of a flow.
            let exchanges = ExchangeLog::new(&events)?.with_retention(retention);
            let urls = Arc::new(
                UrlMap::new(&config.public_url())
                    .with_rewriter(samlsim_aws::endpoints::public_to_local)
                    .with_rewriter(samlsim_cognito::public_to_local),
            );
            let fetch_limits = fetch::FetchLimits {
                deadline: config
                    .server
                    .positive_duration(
                        "metadata_fetch_timeout",
                        &config.server.metadata_fetch_timeout,
                    )
                    .map_err(StartError::Config)?,
                ..fetch::FetchLimits::default()
            };
            let idp = Idp::new(IdpParts {
                config: config.idp.clone(),
                store: store.clone(),
                clock: clock.clone(),
                ids: options.ids.clone(),
                events: events.clone(),
                urls: urls.clone(),
                identity,
                fetch_metadata: Some(Box::new(move |url: &str| {
                    fetch::fetch_text(url, fetch_limits).map_err(|e| e.to_string())
                })),
            })?;
            let aws = Arc::new(Aws::new(AwsParts {
                config: config.aws.clone(),
                idp_metadata: idp.metadata_xml()?,
                fetch_metadata: Box::new(move |url: &str| {
                    fetch::fetch_text(url, fetch_limits).map_err(|e| e.to_string())
                }),
                store: store.clone(),
                clock: clock.clone(),
                ids: options.ids.clone(),
                events: events.clone(),
                urls: urls.clone(),
            })?);
            let connect = Connect::new(ConnectParts {
                config: config.connect.clone(),
                aws: aws.clone(),
                store: store.clone(),
                clock: clock.clone(),
                ids: options.ids.clone(),
                events: events.clone(),
                urls: urls.clone(),
            })?;
            let cognito = Cognito::new(CognitoParts {
                config: config.cognito.clone(),
                idp_metadata: idp.metadata_xml()?,
                fetch_metadata: Box::new(move |url: &str| {
                    fetch::fetch_text(url, fetch_limits).map_err(|e| e.to_string())
                }),
                store: store.clone(),
                clock: clock.clone(),
                ids: options.ids.clone(),
                events: events.clone(),
                urls: urls.clone(),
                key: cognito_identity,
                encryption: cognito_encryption,
            })?;
            samlsim_idp::sweep::migrate(&store)?;
            samlsim_aws::sweep::migrate(&store)?;
            samlsim_connect::sweep::migrate(&store)?;
            store.set_marker(SEEDED)?;
            Ok::<_, StartError>((events, exchanges, urls, idp, aws, connect, cognito))
        })?;
        let switches = switches::State::load(store.clone())?;
        let sweeper = Sweeper::new(
            store.clone(),
            config.retention.policy().map_err(StartError::Config)?,
        )
        .register("idp", samlsim_idp::sweep::sweep)
        .register("aws", samlsim_aws::sweep::sweep)
        .register("connect", samlsim_connect::sweep::sweep)
        .register("cognito", samlsim_cognito::sweep::sweep);
        Ok(Emulator {
            config,
            clock,
            ids: options.ids,
            events,
            exchanges,
            urls,
            idp,
            aws,
            connect,
            cognito,
            switches,
            sweeper,
            _data: options.data,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    pub fn events(&self) -> &EventLog {
        &self.events
    }

    pub fn exchanges(&self) -> &ExchangeLog {
        &self.exchanges
    }

    /// The retention of expired state: what it swept so far, and a sweep on demand.
    pub fn sweeper(&self) -> &Sweeper {
        &self.sweeper
    }

    pub fn idp(&self) -> &Idp {
        &self.idp
    }

    pub fn aws(&self) -> &Aws {
        &self.aws
    }

    pub fn connect(&self) -> &Connect {
        &self.connect
    }

    pub fn cognito(&self) -> &Cognito {
        &self.cognito
    }

    pub fn switches(&self) -> &switches::State {
        &self.switches
    }

    pub fn urls(&self) -> &UrlMap {
        &self.urls
    }

    /// Every endpoint a person or a test may want, with its local URL.
    pub fn endpoints(&self) -> Vec<(String, String)> {
        let mut rows = vec![("Start page".to_owned(), self.urls.absolute("/"))];
        rows.extend(self.idp.endpoints());
        rows.extend(self.aws.endpoints());
        rows.extend(self.connect.endpoints());
        rows.extend(self.cognito.endpoints());
        rows.push((
            "Flow inspector (loopback only)".into(),
            self.urls.absolute("/_inspect"),
        ));
        rows.push((
            "Admin API (loopback only)".into(),
            self.urls.absolute("/_admin/"),
        ));
        rows.push((
            "AWS hosts (https://<host>/<path>)".into(),
            self.urls.absolute("/aws/<host>/<path>"),
        ));
        rows
    }

    /// Answers one request. Never panics on input; every refusal has words.
    pub fn handle(&self, request: &Request) -> Response {
        if let Err(error) = self
            .sweeper
            .tick(samlsim_service::Clock::now(self.clock.as_ref()))
        {
            // The request is still answered; the next sweep tries again.
            tracing::error!(%error, "sweeping expired state failed");
        }
        let (request, new_flow) = self.with_flow(request);
        let plumbing = capture::is_plumbing(&request.path);
        // The request's events wait for its exchange: one transaction for both.
        let events = (!plumbing).then(|| self.events.open_request());
        let response = self.with_clock_footer(self.route(&request));
        if let Some(events) = events {
            self.capture(&request, &response, events);
        }
        match new_flow {
            Some(flow) => response.with_cookie(&Cookie::session(FLOW_COOKIE, &flow, "/")),
            None => response,
        }
    }

    /// Records the exchange for the inspector, with the events its request
    /// noted. Like events, a failure to record is logged and the answer goes out:
    /// a full disk must not turn pages into errors.
    fn capture(&self, request: &Request, response: &Response, events: RequestEvents<'_>) {
        let exchange = capture::exchange(request, response, request.cookie(FLOW_COOKIE));
        if let Err(error) = self.exchanges.record_with(events, exchange) {
            tracing::error!(%error, "recording an exchange failed");
        }
    }

    fn route(&self, request: &Request) -> Response {
        if let Some(name) = request.path.strip_prefix("/static/") {
            return match samlsim_service::assets::get(name) {
                Some((content_type, bytes)) => Response::new(StatusCode::OK, content_type, bytes)
                    .with_header(header::CACHE_CONTROL, "public, max-age=3600"),
                None => self.not_found(request),
            };
        }
        if request.path_after("/_admin").is_some() {
            return admin::handle(self, request);
        }
        if request.path_after("/_inspect").is_some() {
            return inspect::handle(self, request);
        }
        // One AWS endpoint: SDK requests at the base URL, routed by what they are.
        if !request.path.starts_with("/aws/")
            && !request.path.starts_with("/idp/")
            && let Some(route) = samlsim_aws::base_url::route(request)
        {
            return match route {
                samlsim_aws::base_url::Route::Local(target) => {
                    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                    let mut local = request.clone();
                    local.path = path.to_owned();
                    local.query = query.to_owned();
                    self.route(&local)
                }
                unknown => self.aws.unknown_api(request, &unknown),
            };
        }
        if request.path == "/" && request.method == Method::GET {
            return admin::start_page(self, request);
        }
        if let Some(response) = self.idp.handle(request) {
            return response;
        }
        // Before the AWS hosts: cognito-idp.<region>.amazonaws.com is one of them.
        if let Some(response) = self.cognito.handle(request) {
            return response;
        }
        if let Some(response) = self.aws.handle(request) {
            return response;
        }
        if let Some(response) = self.connect.handle(request) {
            return response;
        }
        self.not_found(request)
    }

    /// Every page shows the virtual time it judged by, and whether it is shifted
    /// from wall time (one shared line in the footer).
    fn with_clock_footer(&self, mut response: Response) -> Response {
        let is_html = response
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        if !is_html {
            return response;
        }
        let Ok(html) = std::str::from_utf8(&response.body) else {
            return response;
        };
        let Some(at) = html.rfind("</footer>") else {
            return response;
        };
        let now = samlsim_service::Clock::now(self.clock.as_ref());
        let offset = self.clock.offset();
        let shifted = offset != 0 || self.clock.is_frozen();
        // The line speaks the page's language: a page in samlsim's own words
        // says which (`<html lang="ko">`, from localized.html); AWS's pages stay
        // English.
        let korean = html
            .split_once("<head>")
            .is_some_and(|(top, _)| top.contains("<html lang=\"ko\">"));
        let lang = if korean {
            samlsim_service::Lang::Ko
        } else {
            samlsim_service::Lang::En
        };
        let moved = samlsim_service::clock::format_duration(offset.abs());
        let sign = if offset > 0 { "+" } else { "-" };
        let how = if self.clock.is_frozen() {
            lang.pick("frozen", "멈춤").to_owned()
        } else if offset == 0 {
            lang.pick("wall time", "실제 시간").to_owned()
        } else {
            match lang {
                samlsim_service::Lang::En => {
                    format!("{sign}{moved} from wall time; samlsim clock reset")
                }
                samlsim_service::Lang::Ko => {
                    format!("실제 시간에서 {sign}{moved}; samlsim clock reset으로 되돌림")
                }
            }
        };
        let line = format!(
            " <span class=\"clock\" data-clock-shifted=\"{shifted}\">{} {} ({how}).</span>",
            lang.pick("Virtual time", "가상 시간"),
            samlsim_saml::DateTime::from_unix(now)
        );
        let mut body = String::with_capacity(html.len() + line.len());
        body.push_str(&html[..at]);
        body.push_str(&line);
        body.push_str(&html[at..]);
        response.body = body.into();
        response
    }

    fn not_found(&self, request: &Request) -> Response {
        let message = format!(
            "samlsim serves nothing at {} {}.",
            request.method,
            samlsim_service::bounded(&request.path)
        );
        // Every refusal leaves an event, this one too.
        let event = samlsim_service::NewEvent::invalid(
            "samlsim",
            "route",
            "no-such-endpoint",
            message.clone(),
        )
        .flow(request.cookie(FLOW_COOKIE));
        if let Err(error) = self.events.note(event) {
            tracing::error!(%error, "recording a request for no endpoint failed");
        }
        Problem::new(
            StatusCode::NOT_FOUND,
            "no-such-endpoint",
            "Nothing here",
            message,
        )
        .with_fix(format!(
            "The endpoints are listed at {}",
            self.urls.absolute("/")
        ))
        .page("samlsim", request)
    }

    /// Every browser gets a flow ID (one cookie for all services) so its steps read
    /// as one story in the event log. A first request gets one here, as if it had
    /// sent it, so services need no special case.
    fn with_flow(&self, request: &Request) -> (Request, Option<String>) {
        if request.cookie(FLOW_COOKIE).is_some() {
            return (request.clone(), None);
        }
        let flow = self.ids.token(8);
        let mut request = request.clone();
        if let Ok(value) = HeaderValue::from_str(&format!("{FLOW_COOKIE}={flow}")) {
            request.headers.append(header::COOKIE, value);
        }
        (request, Some(flow))
    }
}

#[cfg(test)]
mod tests {
    use samlsim_service::EventFilter;

    use super::*;

    #[test]
    fn hostile_echo_a_huge_request_value_is_quoted_bounded_in_the_page_and_the_event() {
        let emulator = Emulator::start(Config::load(None).unwrap(), Options::default()).unwrap();
        let huge = "a".repeat(600_000);
        let response = emulator.handle(&Request::new(Method::GET, &format!("/idp/launch/{huge}")));
        assert!(response.status.is_client_error(), "{}", response.status);
        let page = response.text_body();
        assert!(page.len() < 16 * 1024, "a {} byte page", page.len());
        assert!(
            page.contains("(600000 bytes)") || page.contains("bytes)"),
            "{}",
            &page[..500]
        );
        let events = emulator.events().list(&EventFilter::default()).unwrap();
        let event = events.last().unwrap();
        assert!(
            event.message.len() < 3 * samlsim_service::MAX_QUOTED_BYTES,
            "{}",
            event.message.len()
        );
    }
}

#[cfg(test)]
mod seeding_tests {
    use super::*;

    fn start_in(dir: &std::path::Path, config: Config) -> Result<Emulator, StartError> {
        Emulator::start(
            config,
            Options {
                data: Some(DataFolder::open(dir, false).unwrap()),
                ..Options::default()
            },
        )
    }

    #[test]
    fn hostile_seeding_a_first_start_that_fails_half_way_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut broken = Config::load(None).unwrap();
        // The IdP and AWS seed, then Connect refuses its part: as if killed there.
        broken.connect.instances[0].users[0].security_profiles = vec!["Nobody".into()];
        assert!(start_in(dir.path(), broken).is_err());
        {
            let store = Store::open(&dir.path().join("samlsim.db")).unwrap();
            assert!(
                !store.has_migrated_anything().unwrap(),
                "the failed first start left tables (and so a partial world) behind"
            );
        }
        let emulator = start_in(dir.path(), Config::load(None).unwrap()).unwrap();
        assert!(!emulator.connect().model().instances().unwrap().is_empty());
        assert!(!emulator.idp().directory().is_empty().unwrap());
    }

    #[test]
    fn hostile_seeding_a_half_seeded_database_is_refused_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(&dir.path().join("samlsim.db")).unwrap();
            store
                .migrate("idp-directory", &["CREATE TABLE leftover (x INTEGER);"])
                .unwrap();
        }
        let error = start_in(dir.path(), Config::load(None).unwrap())
            .err()
            .expect("refused");
        let text = error.to_string();
        assert!(
            text.contains("seeded") && text.contains("--fresh"),
            "{text}"
        );
        assert!(text.contains("samlsim.db"), "{text}");
    }
}
