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
        serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let path = e.path().to_string();
            let key = if path == "." {
                String::new()
            } else {
                format!("{path}: ")
            };
            let inner = e.into_inner();
            invalid(inner.span(), key, inner.message().to_owned())
        })
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

#[cfg(test)]
mod tests {
    use super::*;

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
