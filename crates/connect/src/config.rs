//! The mock Connect's part of the configuration file (`[connect]`).

use serde::{Deserialize, Serialize};

/// `[connect]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ConnectConfig {
    #[serde(default)]
    pub instances: Vec<InstanceConfig>,
}

/// `[[connect.instances]]`: an Amazon Connect instance using SAML 2.0-based
/// authentication (C7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceConfig {
    /// The instance ID (a UUID): the part after `/instance/` in its ARN (C15).
    pub id: String,
    /// The alias: the instance's own host is `<alias>.my.connect.aws`.
    pub alias: String,
    pub region: String,
    pub account: String,
    /// The administrator named at creation: must equal a directory user name
    /// exactly; gets the Admin security profile (C7).
    pub admin: String,
    /// Origins a `destination` outside the instance may go to (C21).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approved_origins: Vec<String>,
    #[serde(default)]
    pub users: Vec<UserConfig>,
}

/// `[[connect.instances.users]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// Case-sensitive; must equal the RoleSessionName exactly (C23).
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Admin, Agent, CallCenterManager, QualityAnalyst (C27).
    pub security_profiles: Vec<String>,
    #[serde(default = "default_routing_profile")]
    pub routing_profile: String,
}

fn default_routing_profile() -> String {
    "Basic Routing Profile".into()
}
