//! The mock Cognito's part of the configuration file (`[cognito]`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `[cognito]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CognitoConfig {
    #[serde(default)]
    pub user_pools: Vec<UserPoolConfig>,
}

/// Which `iss` the pool's tokens carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IssuerSetting {
    /// `https://cognito-idp.<region>.amazonaws.com/<pool-id>`, AWS's: for code
    /// that checks `iss` against the real value and is given the keys some other way.
    #[default]
    Aws,
    /// `<base>/aws/cognito-idp.<region>.amazonaws.com/<pool-id>`: for OIDC
    /// libraries that fetch discovery from the issuer.
    Local,
}

/// `[[cognito.user_pools]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPoolConfig {
    /// `<region>_<alphanumerics>`, e.g. `us-east-1_SamlSim01`.
    pub id: String,
    #[serde(default = "default_pool_name")]
    pub name: String,
    /// Must match the ID's prefix; taken from it when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The hosted UI's domain prefix: `<domain>.auth.<region>.amazoncognito.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `UsernameConfiguration.CaseSensitive`. The API's default when omitted is
    /// case-sensitive; the console makes pools case-insensitive.
    #[serde(default = "default_true")]
    pub case_sensitive: bool,
    #[serde(default)]
    pub issuer: IssuerSetting,
    /// Standard attributes every user must have, e.g. `["email"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_attributes: Vec<String>,
    /// Custom attributes, without the `custom:` prefix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_attributes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identity_providers: Vec<SamlProviderConfig>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<AppClientConfig>,
}

fn default_pool_name() -> String {
    "samlsim".into()
}
fn default_true() -> bool {
    true
}

/// `[[cognito.user_pools.identity_providers]]`: a SAML identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlProviderConfig {
    pub name: String,
    /// `idp` (this emulator's IdP), a file path, an `http://` URL, or inline XML.
    pub metadata: String,
    /// Pool attribute → SAML attribute name (`email = "http://schemas…/emailaddress"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attribute_mapping: BTreeMap<String, String>,
    /// Accept IdP-initiated sign-in.
    #[serde(default)]
    pub idp_init: bool,
    /// Send a LogoutRequest to the IdP on /logout.
    #[serde(default)]
    pub idp_signout: bool,
    /// Sign AuthnRequests (rsa-sha256, with the pool's key).
    #[serde(default)]
    pub request_signing: bool,
    /// ProviderDetails `EncryptedResponses`: the IdP must encrypt its assertions to
    /// the pool's encryption certificate (`ActiveEncryptionCertificate`); a plain
    /// assertion is refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub encrypted_responses: bool,
    /// `idp_identifier` values (e.g. email domains) that select this provider.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<String>,
}

/// `[[cognito.user_pools.clients]]`: an app client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppClientConfig {
    pub id: String,
    #[serde(default = "default_client_name")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub callback_urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logout_urls: Vec<String>,
    /// `code` and/or `implicit`.
    #[serde(default = "default_flows")]
    pub flows: Vec<String>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Provider names (SupportedIdentityProviders).
    #[serde(default)]
    pub identity_providers: Vec<String>,
    #[serde(default = "default_hour")]
    pub id_token_validity: String,
    #[serde(default = "default_hour")]
    pub access_token_validity: String,
    #[serde(default = "default_refresh")]
    pub refresh_token_validity: String,
}

fn default_client_name() -> String {
    "app".into()
}
fn default_flows() -> Vec<String> {
    vec!["code".into()]
}
fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "email".into(), "profile".into()]
}
fn default_hour() -> String {
    "1h".into()
}
fn default_refresh() -> String {
    "30d".into()
}

/// The region of a pool ID `<region>_<alphanumerics>`, if it has that form.
pub fn pool_region(id: &str) -> Option<&str> {
    let (region, rest) = id.split_once('_')?;
    let region_ok = region.split('-').count() >= 3
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (region_ok && !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(region)
}

/// AWS: callback and sign-out URLs must be https, except http://localhost for
/// local development (aws-facts.md; CreateUserPoolClient CallbackURLs).
pub fn check_app_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") {
        return Ok(());
    }
    let local = url
        .strip_prefix("http://localhost")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/', '?']));
    if local {
        Ok(())
    } else {
        Err(format!(
            "\"{url}\" must use https (http is allowed only for http://localhost)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_ids_and_urls_follow_aws() {
        assert_eq!(pool_region("us-east-1_SamlSim01"), Some("us-east-1"));
        assert_eq!(pool_region("us-east-1-SamlSim01"), None);
        assert_eq!(pool_region("us-east-1_bad!"), None);
        assert_eq!(pool_region("east_X"), None);
        assert!(check_app_url("https://app.example.com/cb").is_ok());
        assert!(check_app_url("http://localhost:3000/cb").is_ok());
        assert!(check_app_url("http://localhost.evil.com/cb").is_err());
        assert!(check_app_url("http://app.example.com/cb").is_err());
    }
}
