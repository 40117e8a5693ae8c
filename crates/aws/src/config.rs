//! The mock AWS's part of the configuration file (`[aws]`): accounts, their IAM
//! SAML providers (C8) and roles (C9, C10), and the region switches of C19.

use serde::{Deserialize, Serialize};

/// `[aws]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
    /// The administrator access key of the world: IAM and Connect control-plane
    /// calls signed (SigV4) with it may do everything in the first account. The
    /// default is AWS's documentation example key: a fake, public value.
    #[serde(default = "default_admin_access_key_id")]
    pub admin_access_key_id: String,
    /// Its secret key (AWS's documentation example, fake and public by default).
    #[serde(default = "default_admin_secret_access_key")]
    pub admin_secret_access_key: String,
}

impl Default for AwsConfig {
    fn default() -> Self {
        AwsConfig {
            accounts: Vec::new(),
            admin_access_key_id: default_admin_access_key_id(),
            admin_secret_access_key: default_admin_secret_access_key(),
        }
    }
}

/// AWS's documentation example access key ID: not a real key.
pub const DEFAULT_ADMIN_ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
/// AWS's documentation example secret access key: not a real key.
pub const DEFAULT_ADMIN_SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn default_admin_access_key_id() -> String {
    DEFAULT_ADMIN_ACCESS_KEY_ID.into()
}

fn default_admin_secret_access_key() -> String {
    DEFAULT_ADMIN_SECRET_ACCESS_KEY.into()
}

/// `[[aws.accounts]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// The 12-digit account ID.
    pub id: String,
    /// `aws`, or `aws-us-gov` for a GovCloud account (C22): the ARNs' partition.
    #[serde(default = "default_partition")]
    pub partition: String,
    /// Shown on the role chooser, as AWS shows an account alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    #[serde(default)]
    pub saml_providers: Vec<SamlProviderConfig>,
    #[serde(default)]
    pub roles: Vec<RoleConfig>,
    /// Regions where STS is deactivated for the account (C19: RegionDisabledException).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sts_disabled_regions: Vec<String>,
    /// Service control policies of the account's organisation (IAM JSON), e.g. one
    /// denying `sts:AssumeRoleWithSAML` in a region (C19).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_control_policies: Vec<String>,
}

/// `[[aws.accounts.saml_providers]]`: an IAM SAML identity provider (C8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlProviderConfig {
    /// The provider name; its ARN is `arn:aws:iam::<account>:saml-provider/<name>`.
    pub name: String,
    /// Where the metadata comes from: `idp` (this emulator's IdP), an `http://` URL
    /// (fetched once, when the provider is created), a file path, or the XML itself.
    pub metadata: String,
    /// IAM's `AssertionEncryptionMode`: `Allowed` (the default: plain and encrypted
    /// assertions are accepted) or `Required` (a plain assertion is refused).
    #[serde(default, skip_serializing_if = "AssertionEncryptionMode::is_allowed")]
    pub assertion_encryption_mode: AssertionEncryptionMode,
    /// The private keys (PEM, or a path to a PEM file) that decrypt encrypted
    /// assertions, as `AddPrivateKey` gives them: at most two, for rotation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub private_keys: Vec<String>,
}

/// IAM's `AssertionEncryptionModeType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum AssertionEncryptionMode {
    /// Plain and encrypted assertions are both accepted.
    #[default]
    Allowed,
    /// Only encrypted assertions are accepted.
    Required,
}

impl AssertionEncryptionMode {
    pub fn is_allowed(&self) -> bool {
        *self == Self::Allowed
    }

    /// `Allowed` or `Required`, as IAM names them.
    pub fn name(self) -> &'static str {
        match self {
            Self::Allowed => "Allowed",
            Self::Required => "Required",
        }
    }
}

/// `[[aws.accounts.roles]]`: an IAM role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleConfig {
    pub name: String,
    /// The trust policy (IAM JSON), e.g. allowing `sts:AssumeRoleWithSAML` by a
    /// SAML provider with a `SAML:aud` condition (C9, C18).
    pub trust_policy: String,
    /// Permission policies (IAM JSON), e.g. one of C10's three forms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permission_policies: Vec<String>,
    /// The role's maximum session duration in seconds (3600–43200; default 3600).
    #[serde(default = "default_max_session")]
    pub max_session_duration: u32,
}

fn default_partition() -> String {
    "aws".into()
}

fn default_max_session() -> u32 {
    3600
}
