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

/// What can be checked of one instance's configuration alone, for the
/// configuration file and the admin API alike: each cause, once.
pub fn check_instance(instance: &InstanceConfig) -> Vec<String> {
    let mut causes = Vec::new();
    if !crate::is_valid_alias(&instance.alias) {
        causes.push(format!(
            "alias: \"{}\" is not a Connect alias (1-45 letters, digits and hyphens, not starting with d-)",
            samlsim_service::bounded(&instance.alias)
        ));
    }
    if !samlsim_aws::endpoints::is_known_region(&instance.region) {
        causes.push(format!(
            "region: \"{}\" is not an AWS region",
            samlsim_service::bounded(&instance.region)
        ));
    }
    for (i, origin) in instance.approved_origins.iter().enumerate() {
        if let Err(e) = samlsim_service::check_url(origin, samlsim_service::UrlUse::Absolute) {
            causes.push(format!("approved_origins[{i}]: {e}"));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (i, user) in instance.users.iter().enumerate() {
        if let Err(message) = crate::csv_import::validate_username(&user.username) {
            causes.push(format!("users[{i}]: user \"{}\" {message}", user.username));
        }
        if let Some(unknown) = user
            .security_profiles
            .iter()
            .find(|p| !crate::model::SECURITY_PROFILES.contains(&p.as_str()))
        {
            causes.push(format!(
                "users[{i}]: user \"{}\": Security profile is not found: {unknown}",
                user.username
            ));
        }
        // The later row would silently replace the earlier (or the admin).
        if !seen.insert(user.username.as_str()) {
            causes.push(format!(
                "users[{i}]: user \"{}\" is named twice in this instance",
                user.username
            ));
        }
    }
    causes
}
