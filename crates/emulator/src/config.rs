//! The configuration file: one TOML document with a section per service, and an
//! embedded default that describes a complete demo world.

use std::path::{Path, PathBuf};

use samlsim_aws::config::AwsConfig;
use samlsim_cognito::config::CognitoConfig;
use samlsim_connect::config::ConnectConfig;
use samlsim_idp::config::IdpConfig;
use serde::{Deserialize, Serialize};

/// The embedded default world (`samlsim config print` shows it).
pub const DEFAULT_CONFIG: &str = include_str!("default-config.toml");

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    pub idp: IdpConfig,
    #[serde(default)]
    pub aws: AwsConfig,
    #[serde(default)]
    pub connect: ConnectConfig,
    #[serde(default)]
    pub cognito: CognitoConfig,
    #[serde(default)]
    pub events: EventsConfig,
    #[serde(default)]
    pub retention: RetentionConfig,
}

/// `[retention]`: how long expired state (sessions, pending requests, credentials,
/// one-time tokens, replay records) stays before the sweeper deletes it, and how
/// many issued responses are kept. See `samlsim_service::sweep`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// How long an expired row stays, so a late request still gets the precise
    /// refusal (`ExpiredToken`, "session expired"), e.g. `1d`; `0s` sweeps at once.
    #[serde(default = "default_keep_expired")]
    pub keep_expired: String,
    /// The most issued responses the IdP keeps (newest first in `/_admin`).
    #[serde(default = "default_keep_issued")]
    pub keep_issued: u64,
    /// Sweep at least once per this many requests (and once per virtual minute).
    #[serde(default = "default_sweep_every")]
    pub sweep_every: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            keep_expired: default_keep_expired(),
            keep_issued: default_keep_issued(),
            sweep_every: default_sweep_every(),
        }
    }
}

fn default_keep_expired() -> String {
    "1d".into()
}

fn default_keep_issued() -> u64 {
    10_000
}

fn default_sweep_every() -> u64 {
    1_000
}

impl RetentionConfig {
    /// The sweep policy this section describes; the message names the key.
    pub fn policy(&self) -> Result<samlsim_service::SweepPolicy, String> {
        let keep_expired = samlsim_service::clock::parse_duration(&self.keep_expired)
            .map_err(|e| format!("retention.keep_expired: {e}"))?;
        if self.sweep_every == 0 {
            return Err("retention.sweep_every: must be at least 1".into());
        }
        Ok(samlsim_service::SweepPolicy {
            every_requests: self.sweep_every,
            keep_expired,
            keep_records: self.keep_issued,
        })
    }
}

/// `[events]`: how much of the event log is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsConfig {
    /// The most events kept; the oldest go first (a flow is a few dozen events).
    #[serde(default = "default_max_events")]
    pub max_events: u64,
    /// Events older than this (virtual time) go too, e.g. `7d`; unset keeps them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
}

impl Default for EventsConfig {
    fn default() -> Self {
        EventsConfig {
            max_events: default_max_events(),
            max_age: None,
        }
    }
}

fn default_max_events() -> u64 {
    100_000
}

impl EventsConfig {
    /// The retention this section describes; the message names the key.
    pub fn retention(&self) -> Result<samlsim_service::Retention, String> {
        if self.max_events == 0 {
            return Err("events.max_events: must be at least 1 (a refusal needs its event)".into());
        }
        let max_age = match &self.max_age {
            None => None,
            Some(text) => match samlsim_service::clock::parse_duration(text) {
                Ok(seconds) if seconds > 0 => Some(seconds),
                Ok(_) => return Err(format!("events.max_age: {text:?} must be longer than 0s")),
                Err(e) => return Err(format!("events.max_age: {e}")),
            },
        };
        Ok(samlsim_service::Retention {
            max_events: self.max_events,
            max_age,
        })
    }
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The address to listen on. Loopback by default: the emulator has no business
    /// on a network.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The URL browsers reach the emulator at, when it differs from `http://<listen>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Acknowledges that a non-loopback `listen` address is meant: no warning, and
    /// the start page shows the demo passwords to every client (`up --expose`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expose: bool,
    /// Training demos (`samlsim up --demo`): the inspector opens in its presenter
    /// layout (large type, one step at a time).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    /// Largest request body accepted, in bytes.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// How long a client has to send a whole request head once the connection is
    /// ready for one; hyper's timer, so it is also how long an idle keep-alive
    /// connection is kept (a duration: `10s`, `1m`).
    #[serde(default = "default_header_read_timeout")]
    pub header_read_timeout: String,
    /// How long a client has to send a request body once its head is in.
    #[serde(default = "default_body_timeout")]
    pub body_timeout: String,
    /// How long fetching a metadata URL may take in all (IAM or Cognito providers
    /// created from a URL).
    #[serde(default = "default_metadata_fetch_timeout")]
    pub metadata_fetch_timeout: String,
    /// Connections served at once; more wait in the kernel's backlog, so a flood
    /// of idle sockets cannot take every file descriptor.
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: default_listen(),
            public_url: None,
            expose: false,
            demo: false,
            max_body_bytes: default_max_body(),
            header_read_timeout: default_header_read_timeout(),
            body_timeout: default_body_timeout(),
            max_connections: default_max_connections(),
            metadata_fetch_timeout: default_metadata_fetch_timeout(),
        }
    }
}

impl ServerConfig {
    /// The duration `[server] key = text`, which must be longer than zero; the
    /// message names the key.
    pub fn positive_duration(&self, key: &str, text: &str) -> Result<std::time::Duration, String> {
        match samlsim_service::clock::parse_duration(text) {
            Ok(seconds) if seconds > 0 => {
                Ok(std::time::Duration::from_secs(seconds.unsigned_abs()))
            }
            Ok(_) => Err(format!("server.{key}: {text:?} must be longer than 0s")),
            Err(e) => Err(format!("server.{key}: {e}")),
        }
    }
}

fn default_metadata_fetch_timeout() -> String {
    "10s".into()
}

fn default_header_read_timeout() -> String {
    "10s".into()
}

fn default_body_timeout() -> String {
    "30s".into()
}

/// Below the 1,024 file descriptors most systems give a process by default, with
/// room for the database and the log.
fn default_max_connections() -> usize {
    768
}

fn default_listen() -> String {
    "127.0.0.1:7575".into()
}

/// 1 MiB: ten times the largest assertion STS accepts (100,000 characters).
fn default_max_body() -> usize {
    1024 * 1024
}

/// Why a configuration could not be loaded. Names the file, the line and the key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:{line}: {key}{message}")]
    Invalid {
        file: String,
        line: usize,
        /// `idp.users[2].password: ` or empty when the error is not about one key.
        key: String,
        message: String,
    },
    /// Values that read but do not make a world: every cause, once, each on its
    /// own line as `file:line: key: message`.
    #[error("{}", causes.iter().map(|c| format!("{file}:{}: {}: {}", c.line, c.key, c.message)).collect::<Vec<_>>().join("\n"))]
    Semantic { file: String, causes: Vec<Cause> },
}

/// One reason a configuration that parses is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub line: usize,
    /// The key path, e.g. `connect.instances[0].region`.
    pub key: String,
    pub message: String,
}

impl Config {
    /// The configuration in `path`, or the embedded default.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                Config::parse(&text, &path.display().to_string())
            }
            None => Config::parse(DEFAULT_CONFIG, "<embedded default config>"),
        }
    }

    /// Parses `text`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let invalid = |span: Option<std::ops::Range<usize>>, key: String, message: String| {
            ConfigError::Invalid {
                file: file.to_owned(),
                line: span.map_or(1, |s| {
                    text[..s.start.min(text.len())].matches('\n').count() + 1
                }),
                key,
                message,
            }
        };
        let deserializer = toml::Deserializer::parse(text)
            .map_err(|e| invalid(e.span(), String::new(), e.message().to_owned()))?;
        let config: Config = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let path = e.path().to_string();
            let key = if path == "." {
                String::new()
            } else {
                format!("{path}: ")
            };
            let inner = e.into_inner();
            invalid(inner.span(), key, inner.message().to_owned())
        })?;
        let causes = config.check();
        if causes.is_empty() {
            return Ok(config);
        }
        let spans = toml::de::DeTable::parse(text).ok();
        let causes = causes
            .into_iter()
            .map(|(key, message)| Cause {
                line: spans
                    .as_ref()
                    .and_then(|root| span_of(root, &key))
                    .map_or(1, |at| text[..at.min(text.len())].matches('\n').count() + 1),
                key,
                message,
            })
            .collect();
        Err(ConfigError::Semantic {
            file: file.to_owned(),
            causes,
        })
    }

    /// Every semantic cause to refuse this configuration, once each, as (key
    /// path, message): what `samlsim up` and `samlsim config check` refuse.
    pub fn check(&self) -> Vec<(String, String)> {
        let mut causes = Vec::new();
        // `section.key: message` from the checks that word their own key.
        let mut keyed = |text: String| match text.split_once(": ") {
            Some((key, message)) => causes.push((key.to_owned(), message.to_owned())),
            None => causes.push((String::new(), text)),
        };
        let server = &self.server;
        if let Some(url) = &server.public_url
            && let Err(e) = samlsim_service::check_url(url, samlsim_service::UrlUse::Absolute)
        {
            keyed(format!("server.public_url: {e}"));
        }
        if server.max_body_bytes == 0 {
            keyed("server.max_body_bytes: must be at least 1 (SAML messages need a body)".into());
        }
        if server.max_connections == 0 {
            keyed("server.max_connections: must be at least 1".into());
        }
        for (key, text) in [
            ("header_read_timeout", &server.header_read_timeout),
            ("body_timeout", &server.body_timeout),
            ("metadata_fetch_timeout", &server.metadata_fetch_timeout),
        ] {
            if let Err(e) = server.positive_duration(key, text) {
                keyed(e);
            }
        }
        if let Err(e) = self.events.retention() {
            keyed(e);
        }
        if let Err(e) = self.retention.policy() {
            keyed(e);
        }
        for (key, message) in samlsim_idp::check_config(&self.idp) {
            causes.push((format!("idp.{key}"), message));
        }
        let mut accounts = std::collections::HashSet::new();
        for (i, account) in self.aws.accounts.iter().enumerate() {
            if !accounts.insert(account.id.as_str()) {
                causes.push((
                    format!("aws.accounts[{i}].id"),
                    format!("account {} is defined twice", account.id),
                ));
            }
            for (j, region) in account.sts_disabled_regions.iter().enumerate() {
                if !samlsim_aws::endpoints::is_known_region(region) {
                    causes.push((
                        format!("aws.accounts[{i}].sts_disabled_regions[{j}]"),
                        format!("\"{region}\" is not an AWS region"),
                    ));
                }
            }
        }
        let mut instances = std::collections::HashSet::new();
        for (i, instance) in self.connect.instances.iter().enumerate() {
            let at = format!("connect.instances[{i}]");
            if !instances.insert(instance.id.as_str()) {
                causes.push((
                    format!("{at}.id"),
                    format!("instance {} is defined twice", instance.id),
                ));
            }
            if !accounts.contains(instance.account.as_str()) {
                causes.push((
                    format!("{at}.account"),
                    format!(
                        "account {} is not one of [[aws.accounts]]",
                        instance.account
                    ),
                ));
            }
            for cause in samlsim_connect::config::check_instance(instance) {
                match cause.split_once(": ") {
                    Some((key, message)) => {
                        causes.push((format!("{at}.{key}"), message.to_owned()))
                    }
                    None => causes.push((at.clone(), cause)),
                }
            }
        }
        causes
    }

    /// The configuration as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self)
            .unwrap_or_else(|e| format!("# cannot render the configuration: {e}\n"))
    }

    /// Whether `listen` is a loopback address (`127.0.0.1:7575`, `[::1]:7575`,
    /// `localhost:7575`): anything else puts the emulator on a network.
    pub fn listens_on_loopback(&self) -> bool {
        let host = match self.server.listen.rsplit_once(':') {
            Some((host, _)) => host,
            None => self.server.listen.as_str(),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.to_canonical().is_loopback())
    }

    /// The base URL browsers use.
    pub fn public_url(&self) -> String {
        self.server
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.server.listen))
            .trim_end_matches('/')
            .to_owned()
    }
}

/// Where the value at `key` (`connect.instances[0].region`) starts in the text,
/// or the nearest enclosing value that is there.
fn span_of(root: &toml::Spanned<toml::de::DeTable<'_>>, key: &str) -> Option<usize> {
    use toml::de::DeValue;
    let mut at = root.span().start;
    let mut table = root.get_ref();
    for segment in key.split('.') {
        let (name, indexes) = segment.split_at(segment.find('[').unwrap_or(segment.len()));
        let Some(mut value) = table
            .iter()
            .find(|(k, _)| k.get_ref() == name)
            .map(|(_, v)| v)
        else {
            return Some(at);
        };
        at = value.span().start;
        for index in indexes
            .split(['[', ']'])
            .filter_map(|s| s.parse::<usize>().ok())
        {
            match value.get_ref() {
                DeValue::Array(items) if index < items.len() => value = &items[index],
                _ => return Some(at),
            }
            at = value.span().start;
        }
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ => return Some(at),
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `up` took before and `config check` must refuse, each cause once
    /// with its file and line.
    #[test]
    fn hostile_config_semantic_errors_name_file_line_and_key_once_each() {
        let text = DEFAULT_CONFIG
            .replace(
                "listen = \"127.0.0.1:7575\"",
                "listen = \"127.0.0.1:7575\"\npublic_url = \"not a url\"\nmax_body_bytes = 0",
            )
            .replace("session_lifetime = \"8h\"", "session_lifetime = \"-8h\"")
            .replace("username = \"carol\"", "username = \"alice\"")
            .replace("id = \"aws-console\"", "id = \"connect-us-east-1\"")
            .replace(
                "region = \"us-east-1\"\naccount = \"123456789012\"",
                "region = \"mars-1\"\naccount = \"999999999999\"",
            );
        let error = Config::parse(&text, "world.toml").unwrap_err();
        let ConfigError::Semantic { causes, .. } = &error else {
            panic!("{error}");
        };
        let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
        let second = |needle: &str| {
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.contains(needle))
                .nth(1)
                .unwrap()
                .0
                + 1
        };
        let expected = [
            ("server.public_url", line_of("public_url")),
            ("server.max_body_bytes", line_of("max_body_bytes")),
            ("idp.session_lifetime", line_of("session_lifetime")),
            ("idp.users[5].username", second("username = \"alice\"")),
            (
                "idp.service_providers[2].id",
                second("id = \"connect-us-east-1\""),
            ),
            ("connect.instances[0].account", line_of("999999999999")),
            ("connect.instances[0].region", line_of("mars-1")),
        ];
        for (key, line) in expected {
            let matching: Vec<&Cause> = causes.iter().filter(|c| c.key == key).collect();
            assert_eq!(matching.len(), 1, "{key}: {error}");
            assert_eq!(matching[0].line, line, "{key}: {error}");
        }
        let shown = error.to_string();
        assert!(
            shown.contains(&format!(
                "world.toml:{}: connect.instances[0].region: \"mars-1\" is not an AWS region",
                line_of("mars-1")
            )),
            "{shown}"
        );
        assert_eq!(shown.lines().count(), causes.len(), "{shown}");
    }

    #[test]
    fn the_embedded_default_is_valid() {
        let config = Config::load(None).unwrap();
        assert!(!config.idp.users.is_empty());
        let again = Config::parse(&config.to_toml(), "printed").unwrap();
        assert_eq!(again, config, "config print round-trips");
    }

    #[test]
    fn hostile_exposure_loopback_listen_addresses_are_recognised() {
        let mut config = Config::load(None).unwrap();
        for (listen, loopback) in [
            ("127.0.0.1:7575", true),
            ("[::1]:7575", true),
            ("localhost:7575", true),
            ("0.0.0.0:7575", false),
            ("[::]:7575", false),
            ("192.168.1.2:7575", false),
        ] {
            config.server.listen = listen.into();
            assert_eq!(config.listens_on_loopback(), loopback, "{listen}");
        }
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let text = "[idp]\nname = \"x\"\n\n[[idp.users]]\nusername = \"a\"\npassword = \"p\"\n\n[[idp.users]]\nusername = \"b\"\npasword = \"typo\"\n";
        let err = Config::parse(text, "world.toml").unwrap_err().to_string();
        assert!(
            err.starts_with("world.toml:10: idp.users[1].pasword: unknown field `pasword`"),
            "{err}"
        );
        let err = Config::parse(
            "[idp]\nname = \"x\"\n[[idp.users]]\nusername = \"a\"\n",
            "w.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("idp.users[0]: missing field `password`"),
            "{err}"
        );
        let err = Config::parse("[idp\nname=1", "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bad.toml:1:"), "{err}");
    }
}
