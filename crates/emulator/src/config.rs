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
    /// Largest request body accepted, in bytes.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: default_listen(),
            public_url: None,
            max_body_bytes: default_max_body(),
        }
    }
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
