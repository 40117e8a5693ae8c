//! The IdP's part of the configuration file (`[idp]`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `[idp]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdpConfig {
    /// Shown on the login page and portal.
    pub name: String,
    /// The IdP's SAML entity ID; default `urn:samlsim:idp`, whatever the port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// Require every SP to sign its AuthnRequests (the metadata's
    /// `WantAuthnRequestsSigned`); SPs may also require it one by one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub want_authn_requests_signed: bool,
    /// How long a sign-in lasts before the password is asked again, e.g. `8h`.
    #[serde(default = "default_session_lifetime")]
    pub session_lifetime: String,
    /// The identity store's users (seeded into the database on first start).
    #[serde(default)]
    pub users: Vec<UserConfig>,
    /// The applications (SAML service providers) the IdP signs users in to.
    #[serde(default)]
    pub service_providers: Vec<ServiceProviderConfig>,
}

fn default_session_lifetime() -> String {
    "8h".into()
}

/// `[[idp.users]]`: a directory user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    pub username: String,
    /// Stored hashed; never logged.
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    /// Further directory attributes, e.g. `department`, usable as SAML attributes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// A note shown on the demo credentials table (why this user exists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Which parts of the Response the IdP signs for an SP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SignedParts {
    Response,
    #[default]
    Assertion,
    Both,
    /// Nothing: for showing what an SP does with an unsigned response.
    None,
}

/// `[[idp.service_providers]]`: an application users can be signed in to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceProviderConfig {
    /// A short name for URLs and the admin API, e.g. `connect-us-east-1`;
    /// from the entity ID when registered from metadata without one.
    #[serde(default)]
    pub id: String,
    /// The portal's link text (C1); default the entity ID.
    #[serde(default)]
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The SP's entity ID (the AuthnRequest Issuer it sends); may come from `metadata`.
    #[serde(default)]
    pub entity_id: String,
    /// The registered AssertionConsumerService URL. Responses only ever go here,
    /// never to a URL merely named in a request. A public AWS URL is fine: the
    /// browser is sent to the emulator's stand-in for it (C13). May come from
    /// `metadata` (its default HTTP-POST AssertionConsumerService).
    #[serde(default)]
    pub acs_url: String,
    /// RelayState for IdP-initiated sign-in from the portal (C14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay_state: Option<String>,
    #[serde(default)]
    pub sign: SignedParts,
    /// `rsa-sha256` (default) or `rsa-sha1`.
    #[serde(default = "default_signature_algorithm")]
    pub signature_algorithm: String,
    /// The NameID Format URI.
    #[serde(default = "default_name_id_format")]
    pub name_id_format: String,
    /// Which user field gives the NameID: `username`, `email`, or an attribute name.
    #[serde(default = "default_username")]
    pub name_id_from: String,
    /// The Audience; default the entity ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// How long the assertion is valid (SubjectConfirmationData and Conditions NotOnOrAfter).
    #[serde(default = "default_assertion_lifetime")]
    pub assertion_lifetime: String,
    /// A broken IdP on purpose, for training: how far the IdP's clock is off when it
    /// stamps this SP's assertions, e.g. `-10m` (10 minutes behind: with a 5-minute
    /// lifetime the assertion has expired before it arrives) or `3m` (ahead: not yet
    /// valid). Every time in the Response moves; the IdP's own bookkeeping does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_offset: Option<String>,
    /// A broken flow on purpose, for training: after signing, the NameID is changed
    /// to this value, the edit an attacker between IdP and SP would make. The signed
    /// digest covers the NameID, so an SP that verifies refuses it. Not with
    /// `encrypt_assertions`: the NameID is then inside the ciphertext, out of reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tamper_name_id: Option<String>,
    /// Attributes to send.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeConfig>,
    /// The AWS attributes (C11), for SPs that are AWS sign-in endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsAttributesConfig>,
    /// Refuse AuthnRequests that are not signed with `certificate`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub want_authn_requests_signed: bool,
    /// The SP's signing certificate (PEM), to check signed AuthnRequests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// Where to send LogoutResponses; without it single logout ends at the IdP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo_url: Option<String>,
    /// Show on the portal (C1). SP-initiated-only apps may be hidden.
    #[serde(default = "default_true")]
    pub in_portal: bool,
    /// Encrypt the assertion to `encryption_certificate` (sign-then-encrypt: the
    /// assertion's signature goes inside the `saml:EncryptedAssertion`, a Response
    /// signature covers the ciphertext; SAML core 2.3.4, 6.1).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub encrypt_assertions: bool,
    /// The SP's encryption certificate: PEM, or a path to a PEM file (the
    /// `KeyDescriptor use="encryption"` of its metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_certificate: Option<String>,
    /// The content cipher: `aes256-gcm` (default), `aes128-gcm`, `aes256-cbc`, `aes128-cbc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_algorithm: Option<String>,
    /// The key transport: `rsa-oaep-mgf1p` (default) or `rsa-oaep` (xmlenc11, SHA-256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_transport: Option<String>,
    /// The SP's SAML metadata: a file, an `http://` URL or inline XML. Fields set
    /// here beside it win over what the metadata says (per-SP overrides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// Every AssertionConsumerService (from the metadata): requests may choose
    /// one by URL or by `AssertionConsumerServiceIndex`. `acs_url` is the default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assertion_consumer_services: Vec<AcsConfig>,
    /// The metadata's `WantAssertionsSigned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub want_assertions_signed: Option<bool>,
    /// The SP's encryption certificates (PEM) from its metadata.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encryption_certificates: Vec<String>,
    /// The NameID formats the SP's metadata lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub name_id_formats: Vec<String>,
}

/// One `md:AssertionConsumerService`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcsConfig {
    pub index: u16,
    pub binding: String,
    pub location: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_default: bool,
}

fn default_signature_algorithm() -> String {
    "rsa-sha256".into()
}
fn default_name_id_format() -> String {
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".into()
}
fn default_username() -> String {
    "username".into()
}
fn default_assertion_lifetime() -> String {
    "5m".into()
}
fn default_true() -> bool {
    true
}

/// One attribute in the AttributeStatement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeConfig {
    /// The attribute Name, e.g. `https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department`.
    pub name: String,
    /// A user field to take the value from (`username`, `email`, `display_name`, or an attribute name) ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// ... or fixed values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// The attributes AWS sign-in reads (IAM user guide, id_roles_providers_create_saml_assertions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsAttributesConfig {
    /// Values of `https://aws.amazon.com/SAML/Attributes/Role`: `role-arn,provider-arn` pairs.
    pub roles: Vec<String>,
    /// Which user field gives `RoleSessionName` (C23: must equal the Connect user name).
    #[serde(default = "default_username")]
    pub role_session_name_from: String,
    /// `SessionDuration` in seconds (900–43200), if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_duration: Option<u32>,
    /// Which user field gives `SourceIdentity`, if sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity_from: Option<String>,
}
