//! The IAM model: accounts, SAML identity providers (C8), roles with trust and
//! permission policies (C9, C10), and the per-region switches of C19. Stored in the
//! shared database so the admin API can change them and a restart keeps them.

use std::sync::Arc;

use rusqlite::OptionalExtension;
use samlsim_crypto::{Certificate, SigningKey};
use samlsim_saml::metadata::parse_idp_metadata;
use samlsim_service::UnixTime;
use samlsim_service::store::{from_json, to_json};
use samlsim_service::{Store, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{AccountConfig, AssertionEncryptionMode, RoleConfig, SamlProviderConfig};
use crate::policy::{Policy, PolicyError};

/// Why IAM refused a change.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IamError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// AWS's own wording for metadata it cannot read (CreateSAMLProvider).
    #[error("Could not parse metadata: {reason}")]
    Metadata { reason: String },
    #[error("MalformedPolicyDocument: {role}: {source}")]
    Policy { role: String, source: PolicyError },
    #[error("{0}")]
    Invalid(String),
    /// `LimitExceeded`: a quota such as two private keys per provider.
    #[error("{0}")]
    LimitExceeded(String),
    /// `NoSuchEntity`.
    #[error("{0}")]
    NotFound(String),
}

/// An account and its organisation-level settings.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: String,
    pub partition: String,
    pub alias: Option<String>,
    pub sts_disabled_regions: Vec<String>,
    #[serde(skip)]
    pub service_control_policies: Vec<Policy>,
    #[serde(rename = "service_control_policies")]
    pub service_control_policy_documents: Vec<String>,
}

/// An IAM SAML provider.
#[derive(Debug, Clone, Serialize)]
pub struct SamlProvider {
    pub arn: String,
    pub account: String,
    pub name: String,
    /// The IdP's entity ID from the metadata: the Issuer it must send.
    pub entity_id: String,
    #[serde(skip)]
    pub certificates: Vec<Certificate>,
    pub metadata: String,
    /// `AssertionEncryptionMode`.
    pub assertion_encryption_mode: AssertionEncryptionMode,
    /// `PrivateKeyList`: the IDs of the keys (never the keys).
    pub private_key_list: Vec<PrivateKeyInfo>,
    /// The private keys that decrypt encrypted assertions, in the order added.
    #[serde(skip)]
    pub private_keys: Arc<[SigningKey]>,
}

/// One entry of IAM's `PrivateKeyList` (`SAMLPrivateKey`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PrivateKeyInfo {
    /// `KeyId`: derived from the public key, so the same key keeps its ID.
    pub key_id: String,
    /// `Timestamp`: when the key was added (absent for keys stored before
    /// samlsim recorded it; GetSAMLProvider then shows the creation date).
    pub added_at: Option<UnixTime>,
}

/// A stored private key.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
struct StoredKey {
    key_id: String,
    pem: String,
    #[serde(default)]
    added_at: Option<UnixTime>,
}

/// IAM's limit on private keys per provider (troubleshoot_saml: "Private key limit
/// of 2 is reached.").
pub const PRIVATE_KEY_LIMIT: usize = 2;

/// An `UpdateSAMLProvider` request's encryption part.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderUpdate {
    #[serde(default)]
    pub assertion_encryption_mode: Option<AssertionEncryptionMode>,
    /// A private key (PEM) to add.
    #[serde(default)]
    pub add_private_key: Option<String>,
    /// The `KeyId` of a private key to remove.
    #[serde(default)]
    pub remove_private_key: Option<String>,
}

/// An IAM role.
#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub arn: String,
    pub account: String,
    pub name: String,
    /// `AROA…`, the unique ID that `${aws:userid}` starts with.
    pub id: String,
    pub max_session_duration: u32,
    pub trust_policy_document: String,
    pub permission_policy_documents: Vec<String>,
    #[serde(skip)]
    pub trust_policy: Policy,
    #[serde(skip)]
    pub permission_policies: Vec<Policy>,
}

/// The partition of an ARN (`aws`, `aws-us-gov`, `aws-cn`), `aws` if unreadable.
pub fn partition_of(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| p.starts_with("aws"))
        .unwrap_or("aws")
}

/// The partition a region belongs to: GovCloud regions are in `aws-us-gov` (C22).
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    }
}

/// `arn:<partition>:iam::<account>:saml-provider/<name>`.
pub fn provider_arn(partition: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:iam::{account}:saml-provider/{name}")
}

/// `arn:<partition>:iam::<account>:role/<name>`.
pub fn role_arn(partition: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:iam::{account}:role/{name}")
}

/// A stable `AROA…` role ID derived from the ARN, so scenarios can name it.
/// (Real IDs are random; only their shape matters: AROA + 17 upper-case base-32.)
pub fn role_id(arn: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = Sha256::digest(arn.as_bytes());
    let tail: String = digest
        .iter()
        .take(17)
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    format!("AROA{tail}")
}

/// What the IAM API keeps beside a SAML provider: its creation time, UUID and
/// tags. (The encryption settings are the provider's own columns, the ones sign-in
/// and STS decrypt with, whichever way they were set; older rows may still hold
/// `assertion_encryption_mode`/`private_keys` here, which reading ignores.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderExtra {
    #[serde(default)]
    pub created_at: Option<UnixTime>,
    /// `SAMLProviderUUID`.
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub tags: Vec<(String, String)>,
}

/// What the IAM API keeps beside a role: path, description, creation time, tags
/// and the names of its inline permission policies (in the order of the
/// documents; a configured policy without a name is `Policy<N>`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleExtra {
    #[serde(default)]
    pub created_at: Option<UnixTime>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    #[serde(default)]
    pub policy_names: Vec<String>,
}

/// Where a provider's metadata can come from besides a file or the text itself.
pub struct MetadataSources<'a> {
    /// This emulator's own IdP metadata (`metadata = "idp"`).
    pub idp: &'a str,
    /// Fetches a metadata URL, once, when the provider is created.
    pub fetch: &'a (dyn Fn(&str) -> Result<String, String> + Send + Sync),
}

/// The IAM tables.
#[derive(Clone)]
pub struct Iam {
    store: Arc<Store>,
    /// Metadata already read, by its text: every sign-in needs the provider's
    /// certificates, and parsing metadata and X.509 each time is wasted work.
    parsed_metadata: Arc<std::sync::Mutex<MetadataCache>>,
    /// Private keys already read, by their stored JSON: parsing (and validating) an
    /// RSA key costs more than the decryption it serves.
    parsed_keys: Arc<std::sync::Mutex<KeyCache>>,
}

type KeyCache = std::collections::HashMap<String, Arc<[SigningKey]>>;

/// Parsed metadata by its text: the entity ID and signing certificates.
type MetadataCache = std::collections::HashMap<String, (String, Vec<Certificate>)>;

const MIGRATIONS: &[&str] = &[
    "CREATE TABLE aws_accounts (
         id TEXT PRIMARY KEY,
         alias TEXT,
         sts_disabled_regions TEXT NOT NULL DEFAULT '[]',
         service_control_policies TEXT NOT NULL DEFAULT '[]'
     );
     CREATE TABLE aws_saml_providers (
         arn TEXT PRIMARY KEY,
         account TEXT NOT NULL,
         name TEXT NOT NULL,
         metadata TEXT NOT NULL
     );
     CREATE TABLE aws_roles (
         arn TEXT PRIMARY KEY,
         account TEXT NOT NULL,
         name TEXT NOT NULL,
         max_session_duration INTEGER NOT NULL,
         trust_policy TEXT NOT NULL,
         permission_policies TEXT NOT NULL DEFAULT '[]'
     );",
    "ALTER TABLE aws_accounts ADD COLUMN partition TEXT NOT NULL DEFAULT 'aws';",
    // What the IAM API keeps beside providers and roles (ProviderExtra, RoleExtra).
    "ALTER TABLE aws_saml_providers ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
     ALTER TABLE aws_roles ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';",
    // Assertion encryption (AssertionEncryptionMode, AddPrivateKey).
    "ALTER TABLE aws_saml_providers ADD COLUMN assertion_encryption_mode TEXT NOT NULL DEFAULT 'Allowed';
     ALTER TABLE aws_saml_providers ADD COLUMN private_keys TEXT NOT NULL DEFAULT '[]';",
];

impl Iam {
    pub fn new(store: Arc<Store>) -> Result<Self, IamError> {
        store.migrate("aws-iam", MIGRATIONS)?;
        Ok(Iam {
            store,
            parsed_metadata: Arc::default(),
            parsed_keys: Arc::default(),
        })
    }

    pub fn is_empty(&self) -> Result<bool, IamError> {
        Ok(self.store.with(|c| {
            c.prepare_cached("SELECT COUNT(*) = 0 FROM aws_accounts")?
                .query_row([], |r| r.get(0))
        })?)
    }

    /// Creates or replaces an account and everything in it.
    pub fn put_account(
        &self,
        account: &AccountConfig,
        sources: &MetadataSources<'_>,
    ) -> Result<(), IamError> {
        if account.id.len() != 12 || !account.id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IamError::Invalid(format!(
                "account ID \"{}\" is not 12 digits",
                account.id
            )));
        }
        for scp in &account.service_control_policies {
            Policy::parse(scp).map_err(|source| IamError::Policy {
                role: format!("service control policy of {}", account.id),
                source,
            })?;
        }
        // Fetched before the transaction: a slow metadata URL must not hold the
        // store (and every other request) for its whole deadline.
        let metadata = account
            .saml_providers
            .iter()
            .map(|provider| {
                Ok((
                    self.resolve_metadata(provider, sources)?,
                    resolve_keys(provider)?,
                ))
            })
            .collect::<Result<Vec<_>, IamError>>()?;
        let regions = to_json("aws_accounts", &account.id, &account.sts_disabled_regions)?;
        let scps = to_json(
            "aws_accounts",
            &account.id,
            &account.service_control_policies,
        )?;
        // The account and everything in it, or nothing: a role refused half-way
        // must not leave the account and its providers behind.
        self.store.transaction(|| {
            self.store.with(|c| {
                c.prepare_cached("INSERT INTO aws_accounts (id, alias, sts_disabled_regions, service_control_policies, partition)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(id) DO UPDATE SET alias = excluded.alias,
                       sts_disabled_regions = excluded.sts_disabled_regions,
                       service_control_policies = excluded.service_control_policies,
                       partition = excluded.partition")?.execute(
                    rusqlite::params![
                        account.id,
                        account.alias,
                        regions,
                        scps,
                        account.partition
                    ],
                )
            })?;
            for (provider, (metadata, keys)) in account.saml_providers.iter().zip(&metadata) {
                self.store_provider(
                    &account.id,
                    &provider.name,
                    metadata,
                    provider.assertion_encryption_mode,
                    keys,
                )?;
            }
            for role in &account.roles {
                self.put_role(&account.id, role)?;
            }
            Ok(())
        })
    }

    /// Creates or replaces a SAML provider from metadata (CreateSAMLProvider).
    pub fn put_provider(
        &self,
        account: &str,
        provider: &SamlProviderConfig,
        sources: &MetadataSources<'_>,
    ) -> Result<String, IamError> {
        let metadata = self.resolve_metadata(provider, sources)?;
        let keys = resolve_keys(provider)?;
        self.store_provider(
            account,
            &provider.name,
            &metadata,
            provider.assertion_encryption_mode,
            &keys,
        )
    }

    /// `UpdateSAMLProvider`: new metadata (if given) and the encryption settings,
    /// the mode and a private key added or removed (one per request, as IAM
    /// allows), with IAM's refusals. Nothing is stored unless all of it is valid.
    pub fn update_provider(
        &self,
        arn: &str,
        metadata: Option<&str>,
        update: &ProviderUpdate,
        now: UnixTime,
    ) -> Result<SamlProvider, IamError> {
        let Some(provider) = self.provider(arn)? else {
            return Err(IamError::NotFound(format!(
                "The SAML provider {arn} does not exist."
            )));
        };
        if update.add_private_key.is_some() && update.remove_private_key.is_some() {
            return Err(IamError::Invalid(
                "Unable to add and remove private keys in the same request. Set a value for only one of the two parameters.".into(),
            ));
        }
        if metadata.is_none() && *update == ProviderUpdate::default() {
            return Err(IamError::Invalid(
                "Unable to update identity provider. No updates are defined for metadata or encryption assertion.".into(),
            ));
        }
        if let Some(metadata) = metadata {
            read_metadata(metadata)?;
        }
        let mut keys = self.stored_keys(arn)?;
        if let Some(pem) = &update.add_private_key {
            let key = read_key(pem, Some(now))?;
            if !keys.iter().any(|k| k.key_id == key.key_id) {
                keys.push(key);
            }
        }
        if let Some(id) = &update.remove_private_key {
            let before = keys.len();
            keys.retain(|k| &k.key_id != id);
            if keys.len() == before {
                return Err(IamError::Invalid(
                    "Failed to remove private key because the Key ID does not match a private key."
                        .into(),
                ));
            }
        }
        let mode = update
            .assertion_encryption_mode
            .unwrap_or(provider.assertion_encryption_mode);
        self.store_provider(
            &provider.account,
            &provider.name,
            metadata.unwrap_or(&provider.metadata),
            mode,
            &keys,
        )?;
        self.provider(arn)?
            .ok_or_else(|| IamError::NotFound(format!("The SAML provider {arn} does not exist.")))
    }

    fn stored_keys(&self, arn: &str) -> Result<Vec<StoredKey>, IamError> {
        let json: Option<String> = self.store.with(|c| {
            c.prepare_cached("SELECT private_keys FROM aws_saml_providers WHERE arn = ?1")?
                .query_row([arn], |r| r.get(0))
                .optional()
        })?;
        Ok(match json {
            Some(json) => from_json("aws_saml_providers", arn, &json)?,
            None => Vec::new(),
        })
    }

    /// The metadata XML a provider names (this IdP's, inline, a URL or a file), read.
    fn resolve_metadata(
        &self,
        provider: &SamlProviderConfig,
        sources: &MetadataSources<'_>,
    ) -> Result<String, IamError> {
        let metadata = match provider.metadata.as_str() {
            "idp" => sources.idp.to_owned(),
            text if text.trim_start().starts_with('<') => text.to_owned(),
            // Anything with a scheme is a URL, checked as every configured URL is
            // (an `ftp://` or `javascript:` is refused as such, not read as a path).
            url if has_scheme(url) => {
                samlsim_service::check_url(url, samlsim_service::UrlUse::Absolute).map_err(
                    |e| IamError::Metadata {
                        reason: format!("metadata URL {e}"),
                    },
                )?;
                (sources.fetch)(url).map_err(|reason| IamError::Metadata {
                    reason: format!("fetching {url}: {reason}"),
                })?
            }
            path => std::fs::read_to_string(path).map_err(|e| IamError::Metadata {
                reason: format!("cannot read {path}: {e}"),
            })?,
        };
        read_metadata(&metadata)?;
        Ok(metadata)
    }

    fn store_provider(
        &self,
        account: &str,
        name: &str,
        metadata: &str,
        mode: AssertionEncryptionMode,
        keys: &[StoredKey],
    ) -> Result<String, IamError> {
        if keys.len() > PRIVATE_KEY_LIMIT {
            return Err(IamError::LimitExceeded(format!(
                "Private key limit of {PRIVATE_KEY_LIMIT} is reached."
            )));
        }
        if mode == AssertionEncryptionMode::Required && keys.is_empty() {
            return Err(IamError::Invalid(
                "Unable to set assertion encryption mode to Required because no private key is provided.".into(),
            ));
        }
        let arn = provider_arn(&self.partition(account)?, account, name);
        let keys = to_json("aws_saml_providers", &arn, &keys)?;
        self.store.with(|c| {
            c.prepare_cached("INSERT INTO aws_saml_providers (arn, account, name, metadata, assertion_encryption_mode, private_keys)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(arn) DO UPDATE SET metadata = excluded.metadata,
                   assertion_encryption_mode = excluded.assertion_encryption_mode,
                   private_keys = excluded.private_keys")?.execute(
                rusqlite::params![arn, account, name, metadata, mode.name(), keys],
            )
        })?;
        Ok(arn)
    }

    /// Deletes a role (IAM DeleteRole); sessions already open keep its ARN, so
    /// Connect meets a role that no longer exists. Whether there was one.
    pub fn delete_role_named(&self, account: &str, name: &str) -> Result<bool, IamError> {
        self.delete_role(&role_arn(&self.partition(account)?, account, name))
    }

    /// Creates or replaces a role; its policies must parse (MalformedPolicyDocument).
    pub fn put_role(&self, account: &str, role: &RoleConfig) -> Result<String, IamError> {
        let arn = role_arn(&self.partition(account)?, account, &role.name);
        Policy::parse(&role.trust_policy).map_err(|source| IamError::Policy {
            role: format!("trust policy of {arn}"),
            source,
        })?;
        for (i, policy) in role.permission_policies.iter().enumerate() {
            Policy::parse(policy).map_err(|source| IamError::Policy {
                role: format!("permission policy {i} of {arn}"),
                source,
            })?;
        }
        if !(3600..=43_200).contains(&role.max_session_duration) {
            return Err(IamError::Invalid(format!(
                "{arn}: MaxSessionDuration {} is outside 3600-43200 seconds",
                role.max_session_duration
            )));
        }
        let permissions = to_json("aws_roles", &arn, &role.permission_policies)?;
        self.store.with(|c| {
            c.prepare_cached("INSERT INTO aws_roles (arn, account, name, max_session_duration, trust_policy, permission_policies)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(arn) DO UPDATE SET max_session_duration = excluded.max_session_duration,
                   trust_policy = excluded.trust_policy, permission_policies = excluded.permission_policies")?.execute(
                rusqlite::params![
                    arn,
                    account,
                    role.name,
                    role.max_session_duration,
                    role.trust_policy,
                    permissions
                ],
            )
        })?;
        Ok(arn)
    }

    /// Checks IdP metadata as CreateSAMLProvider does.
    pub fn check_metadata(metadata: &str) -> Result<(), IamError> {
        read_metadata(metadata).map(|_| ())
    }

    /// Creates a SAML provider from metadata text with the API's extras and its
    /// encryption settings (CreateSAMLProvider), in one row or not at all.
    pub fn create_provider(
        &self,
        account: &str,
        name: &str,
        metadata: &str,
        extra: &ProviderExtra,
        encryption: &ProviderUpdate,
        now: UnixTime,
    ) -> Result<String, IamError> {
        read_metadata(metadata)?;
        let keys = match &encryption.add_private_key {
            Some(pem) => vec![read_key(pem, Some(now))?],
            None => Vec::new(),
        };
        let mode = encryption.assertion_encryption_mode.unwrap_or_default();
        let arn = provider_arn(&self.partition(account)?, account, name);
        let extra = to_json("aws_saml_providers", &arn, extra)?;
        self.store.transaction(|| {
            self.store_provider(account, name, metadata, mode, &keys)?;
            self.store.with(|c| {
                c.prepare_cached("UPDATE aws_saml_providers SET extra = ?2 WHERE arn = ?1")?
                    .execute(rusqlite::params![arn, extra])
            })?;
            Ok(arn.clone())
        })
    }

    /// The API's extras of provider `arn` (defaults for a configured one).
    pub fn provider_extra(&self, arn: &str) -> Result<ProviderExtra, IamError> {
        let json: Option<String> = self.store.with(|c| {
            c.prepare_cached("SELECT extra FROM aws_saml_providers WHERE arn = ?1")?
                .query_row([arn], |r| r.get(0))
                .optional()
        })?;
        Ok(match json {
            Some(json) => from_json("aws_saml_providers", arn, &json)?,
            None => ProviderExtra::default(),
        })
    }

    /// Deletes provider `arn`; false if there was none.
    pub fn delete_provider(&self, arn: &str) -> Result<bool, IamError> {
        let n = self.store.with(|c| {
            c.prepare_cached("DELETE FROM aws_saml_providers WHERE arn = ?1")?
                .execute([arn])
        })?;
        Ok(n > 0)
    }

    /// The API's extras of role `arn` (defaults for a configured one).
    pub fn role_extra(&self, arn: &str) -> Result<RoleExtra, IamError> {
        let json: Option<String> = self.store.with(|c| {
            c.prepare_cached("SELECT extra FROM aws_roles WHERE arn = ?1")?
                .query_row([arn], |r| r.get(0))
                .optional()
        })?;
        Ok(match json {
            Some(json) => from_json("aws_roles", arn, &json)?,
            None => RoleExtra::default(),
        })
    }

    pub fn set_role_extra(&self, arn: &str, extra: &RoleExtra) -> Result<(), IamError> {
        let extra = to_json("aws_roles", arn, extra)?;
        self.store.with(|c| {
            c.prepare_cached("UPDATE aws_roles SET extra = ?2 WHERE arn = ?1")?
                .execute(rusqlite::params![arn, extra])
        })?;
        Ok(())
    }

    /// Replaces a role's trust policy (UpdateAssumeRolePolicy); it must parse.
    pub fn set_trust_policy(&self, arn: &str, document: &str) -> Result<(), IamError> {
        Policy::parse(document).map_err(|source| IamError::Policy {
            role: format!("trust policy of {arn}"),
            source,
        })?;
        self.store.with(|c| {
            c.prepare_cached("UPDATE aws_roles SET trust_policy = ?2 WHERE arn = ?1")?
                .execute(rusqlite::params![arn, document])
        })?;
        Ok(())
    }

    /// Sets a role's maximum session duration (UpdateRole).
    pub fn set_max_session_duration(&self, arn: &str, seconds: u32) -> Result<(), IamError> {
        if !(3600..=43_200).contains(&seconds) {
            return Err(IamError::Invalid(format!(
                "{arn}: MaxSessionDuration {seconds} is outside 3600-43200 seconds"
            )));
        }
        self.store.with(|c| {
            c.prepare_cached("UPDATE aws_roles SET max_session_duration = ?2 WHERE arn = ?1")?
                .execute(rusqlite::params![arn, seconds])
        })?;
        Ok(())
    }

    /// A role's inline permission policies by name, in order.
    pub fn inline_policies(&self, role: &Role) -> Result<Vec<(String, String)>, IamError> {
        let extra = self.role_extra(&role.arn)?;
        Ok(role
            .permission_policy_documents
            .iter()
            .enumerate()
            .map(|(i, document)| {
                let name = extra
                    .policy_names
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("Policy{}", i + 1));
                (name, document.clone())
            })
            .collect())
    }

    /// Replaces a role's inline permission policies (PutRolePolicy,
    /// DeleteRolePolicy); each must parse.
    pub fn set_inline_policies(
        &self,
        arn: &str,
        policies: &[(String, String)],
    ) -> Result<(), IamError> {
        for (name, document) in policies {
            Policy::parse(document).map_err(|source| IamError::Policy {
                role: format!("permission policy {name} of {arn}"),
                source,
            })?;
        }
        let documents: Vec<&String> = policies.iter().map(|(_, d)| d).collect();
        let documents = to_json("aws_roles", arn, &documents)?;
        let mut extra = self.role_extra(arn)?;
        extra.policy_names = policies.iter().map(|(n, _)| n.clone()).collect();
        self.store.with(|c| {
            c.prepare_cached("UPDATE aws_roles SET permission_policies = ?2 WHERE arn = ?1")?
                .execute(rusqlite::params![arn, documents])
        })?;
        self.set_role_extra(arn, &extra)
    }

    /// Deletes role `arn`; false if there was none.
    pub fn delete_role(&self, arn: &str) -> Result<bool, IamError> {
        let n = self.store.with(|c| {
            c.prepare_cached("DELETE FROM aws_roles WHERE arn = ?1")?
                .execute([arn])
        })?;
        Ok(n > 0)
    }

    /// The partition of account `id` (`aws` for an unknown one).
    pub fn partition(&self, id: &str) -> Result<String, IamError> {
        Ok(self
            .account(id)?
            .map_or_else(|| "aws".to_owned(), |a| a.partition))
    }

    pub fn account(&self, id: &str) -> Result<Option<Account>, IamError> {
        let row: Option<(String, Option<String>, String, String, String)> = self.store.with(|c| {
            c.prepare_cached("SELECT id, alias, sts_disabled_regions, service_control_policies, partition FROM aws_accounts WHERE id = ?1")?.query_row(
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()
        })?;
        let Some((id, alias, regions, scps, partition)) = row else {
            return Ok(None);
        };
        let documents: Vec<String> = from_json("aws_accounts", &id, &scps)?;
        // Every SCP parsed when it was stored; one that no longer does is a
        // damaged row, not a policy to skip (skipping a deny would allow).
        let service_control_policies = documents
            .iter()
            .map(|d| crate::policy_cache::parse_stored(d))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt {
                table: "aws_accounts",
                key: id.clone(),
                why: format!("a service control policy no longer parses: {e}"),
            })?;
        Ok(Some(Account {
            sts_disabled_regions: from_json("aws_accounts", &id, &regions)?,
            id,
            partition,
            alias,
            service_control_policies,
            service_control_policy_documents: documents,
        }))
    }

    pub fn accounts(&self) -> Result<Vec<Account>, IamError> {
        let ids: Vec<String> = self.store.with(|c| {
            let mut statement = c.prepare_cached("SELECT id FROM aws_accounts ORDER BY id")?;
            let rows = statement.query_map([], |r| r.get(0))?;
            rows.collect()
        })?;
        // A row deleted between the two reads is skipped; a failure is not.
        let mut accounts = Vec::new();
        for id in &ids {
            accounts.extend(self.account(id)?);
        }
        Ok(accounts)
    }

    pub fn provider(&self, arn: &str) -> Result<Option<SamlProvider>, IamError> {
        type Row = (String, String, String, String, String, String);
        let row: Option<Row> = self.store.with(|c| {
            c.prepare_cached(
                "SELECT arn, account, name, metadata, assertion_encryption_mode, private_keys
                 FROM aws_saml_providers WHERE arn = ?1",
            )?
            .query_row([arn], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .optional()
        })?;
        let Some((arn, account, name, metadata, mode, keys_json)) = row else {
            return Ok(None);
        };
        let (entity_id, certificates) = self.read_metadata_cached(&metadata)?;
        let stored: Vec<StoredKey> = from_json("aws_saml_providers", &arn, &keys_json)?;
        let private_keys = self.read_keys_cached(&keys_json, &stored)?;
        Ok(Some(SamlProvider {
            arn,
            account,
            name,
            entity_id,
            certificates,
            metadata,
            assertion_encryption_mode: if mode == "Required" {
                AssertionEncryptionMode::Required
            } else {
                AssertionEncryptionMode::Allowed
            },
            private_key_list: stored
                .iter()
                .map(|k| PrivateKeyInfo {
                    key_id: k.key_id.clone(),
                    added_at: k.added_at,
                })
                .collect(),
            private_keys,
        }))
    }

    fn read_keys_cached(
        &self,
        json: &str,
        stored: &[StoredKey],
    ) -> Result<Arc<[SigningKey]>, IamError> {
        if let Ok(cache) = self.parsed_keys.lock()
            && let Some(keys) = cache.get(json)
        {
            return Ok(keys.clone());
        }
        let keys = stored
            .iter()
            .map(|k| SigningKey::from_pem(&k.pem).map_err(|_| invalid_private_key()))
            .collect::<Result<Vec<_>, _>>()?;
        let keys: Arc<[SigningKey]> = keys.into();
        if let Ok(mut cache) = self.parsed_keys.lock() {
            cache.insert(json.to_owned(), keys.clone());
        }
        Ok(keys)
    }

    fn read_metadata_cached(&self, metadata: &str) -> Result<(String, Vec<Certificate>), IamError> {
        // The cache only saves parsing: a poisoned lock means parse again.
        if let Ok(cache) = self.parsed_metadata.lock()
            && let Some(parsed) = cache.get(metadata)
        {
            return Ok(parsed.clone());
        }
        let parsed = read_metadata(metadata)?;
        if let Ok(mut cache) = self.parsed_metadata.lock() {
            cache.insert(metadata.to_owned(), parsed.clone());
        }
        Ok(parsed)
    }

    pub fn providers(&self) -> Result<Vec<SamlProvider>, IamError> {
        let arns: Vec<String> = self.store.with(|c| {
            let mut statement =
                c.prepare_cached("SELECT arn FROM aws_saml_providers ORDER BY arn")?;
            let rows = statement.query_map([], |r| r.get(0))?;
            rows.collect()
        })?;
        let mut providers = Vec::new();
        for arn in &arns {
            providers.extend(self.provider(arn)?);
        }
        Ok(providers)
    }

    pub fn role(&self, arn: &str) -> Result<Option<Role>, IamError> {
        let row: Option<(String, String, String, u32, String, String)> = self.store.with(|c| {
            c.prepare_cached(
                "SELECT arn, account, name, max_session_duration, trust_policy, permission_policies
                 FROM aws_roles WHERE arn = ?1",
            )?
            .query_row([arn], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .optional()
        })?;
        let Some((arn, account, name, max_session_duration, trust, permissions)) = row else {
            return Ok(None);
        };
        let permission_policy_documents: Vec<String> = from_json("aws_roles", &arn, &permissions)?;
        // The policies parsed when they were stored: one that no longer does is
        // a damaged row.
        let policy_error = |e: PolicyError| StoreError::Corrupt {
            table: "aws_roles",
            key: arn.clone(),
            why: format!("a policy no longer parses: {e}"),
        };
        Ok(Some(Role {
            id: role_id(&arn),
            trust_policy: crate::policy_cache::parse_stored(&trust).map_err(policy_error)?,
            permission_policies: permission_policy_documents
                .iter()
                .map(|d| crate::policy_cache::parse_stored(d))
                .collect::<Result<_, _>>()
                .map_err(policy_error)?,
            arn,
            account,
            name,
            max_session_duration,
            trust_policy_document: trust,
            permission_policy_documents,
        }))
    }

    pub fn roles(&self) -> Result<Vec<Role>, IamError> {
        let arns: Vec<String> = self.store.with(|c| {
            let mut statement = c.prepare_cached("SELECT arn FROM aws_roles ORDER BY arn")?;
            let rows = statement.query_map([], |r| r.get(0))?;
            rows.collect()
        })?;
        let mut roles = Vec::new();
        for arn in &arns {
            roles.extend(self.role(arn)?);
        }
        Ok(roles)
    }
}

/// The entity ID and signing certificates of IdP metadata, as CreateSAMLProvider
/// reads them (AWS: UTF-8 without BOM, signing key at least 1024 bits).
fn read_metadata(xml: &str) -> Result<(String, Vec<Certificate>), IamError> {
    let metadata = parse_idp_metadata(xml.as_bytes()).map_err(|e| IamError::Metadata {
        reason: e.to_string(),
    })?;
    if let Some(small) = metadata
        .signing_certificates
        .iter()
        .find(|c| c.public_key_bits() < 1024)
    {
        return Err(IamError::Metadata {
            reason: format!(
                "the signing key of {} has {} bits; at least 1024 are required",
                small.subject(),
                small.public_key_bits()
            ),
        });
    }
    Ok((metadata.entity_id, metadata.signing_certificates))
}

/// AWS's wording for a key `AddPrivateKey` cannot use (troubleshoot_saml).
fn invalid_private_key() -> IamError {
    IamError::Invalid("Invalid private key.".into())
}

/// A private key as given (PEM, or a path to a PEM file), read and given its ID.
fn read_key(given: &str, added_at: Option<UnixTime>) -> Result<StoredKey, IamError> {
    let pem = if given.contains("-----BEGIN") {
        given.to_owned()
    } else {
        std::fs::read_to_string(given).map_err(|e| {
            IamError::Invalid(format!("Invalid private key. (cannot read {given}: {e})"))
        })?
    };
    let key = SigningKey::from_pem(&pem)
        .map_err(|e| IamError::Invalid(format!("Invalid private key. ({e})")))?;
    let (modulus, _) = key.public_components();
    let digest = Sha256::digest(&modulus);
    let key_id: String = digest.iter().take(12).map(|b| format!("{b:02X}")).collect();
    Ok(StoredKey {
        key_id,
        pem,
        added_at,
    })
}

fn resolve_keys(provider: &SamlProviderConfig) -> Result<Vec<StoredKey>, IamError> {
    let mut keys: Vec<StoredKey> = Vec::new();
    for given in &provider.private_keys {
        let key = read_key(given, None)?;
        if !keys.iter().any(|k| k.key_id == key.key_id) {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// Whether `text` starts with a URL scheme (`https:`, `javascript:`, `data:`), not
/// a path (a single letter before `:` is a Windows drive).
fn has_scheme(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AccountConfig;

    const IDP_CERT: &str = include_str!("../../../certs/test-only-idp-cert.pem");
    const KEY: &str = include_str!("../../../certs/test-only-aws-encryption-key.pem");
    const KEY_2: &str = include_str!("../../../certs/test-only-aws-encryption-2-key.pem");
    const OTHER: &str = include_str!("../../../certs/test-only-attacker-key.pem");
    const ARN: &str = "arn:aws:iam::123456789012:saml-provider/P";

    fn iam_with(mode: AssertionEncryptionMode, keys: &[&str]) -> Result<Iam, IamError> {
        let metadata =
            samlsim_saml::metadata::build_idp_metadata(&samlsim_saml::metadata::IdpMetadata {
                entity_id: "https://idp.example.test/metadata".into(),
                valid_until: None,
                cache_duration: None,
                want_authn_requests_signed: false,
                signing_certificates: vec![Certificate::from_pem(IDP_CERT).unwrap()],
                single_logout_services: vec![],
                name_id_formats: vec![],
                single_sign_on_services: vec![samlsim_saml::metadata::Endpoint {
                    binding: samlsim_saml::uri::binding::HTTP_POST.into(),
                    location: "https://idp.example.test/sso".into(),
                    response_location: None,
                }],
            })
            .unwrap();
        let iam = Iam::new(Arc::new(Store::in_memory().unwrap())).unwrap();
        let fetch = |_: &str| Err("no fetching in tests".to_owned());
        iam.put_account(
            &AccountConfig {
                id: "123456789012".into(),
                partition: "aws".into(),
                alias: None,
                saml_providers: vec![SamlProviderConfig {
                    name: "P".into(),
                    metadata,
                    assertion_encryption_mode: mode,
                    private_keys: keys.iter().map(|k| (*k).to_owned()).collect(),
                }],
                roles: vec![],
                sts_disabled_regions: vec![],
                service_control_policies: vec![],
            },
            &MetadataSources {
                idp: "",
                fetch: &fetch,
            },
        )?;
        Ok(iam)
    }

    fn refusal<T>(result: Result<T, IamError>) -> String {
        match result {
            Ok(_) => panic!("IAM accepted it"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn providers_keep_their_mode_and_keys_and_iam_refuses_what_it_refuses() {
        let iam = iam_with(AssertionEncryptionMode::Required, &[KEY]).unwrap();
        let provider = iam.provider(ARN).unwrap().unwrap();
        assert_eq!(
            provider.assertion_encryption_mode,
            AssertionEncryptionMode::Required
        );
        assert_eq!(provider.private_keys.len(), 1);
        let first = provider.private_key_list[0].key_id.clone();

        // Rotation: a second key, then the limit of two.
        let update = |u: ProviderUpdate| iam.update_provider(ARN, None, &u, 1_700_000_000);
        let two = update(ProviderUpdate {
            add_private_key: Some(KEY_2.into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(two.private_keys.len(), 2);
        assert_eq!(
            refusal(update(ProviderUpdate {
                add_private_key: Some(OTHER.into()),
                ..Default::default()
            })),
            "Private key limit of 2 is reached."
        );
        assert_eq!(
            refusal(update(ProviderUpdate {
                add_private_key: Some(OTHER.into()),
                remove_private_key: Some(first.clone()),
                ..Default::default()
            })),
            "Unable to add and remove private keys in the same request. Set a value for only one of the two parameters."
        );
        assert_eq!(
            refusal(update(ProviderUpdate {
                remove_private_key: Some("NOPE".into()),
                ..Default::default()
            })),
            "Failed to remove private key because the Key ID does not match a private key."
        );
        assert_eq!(
            refusal(update(ProviderUpdate::default())),
            "Unable to update identity provider. No updates are defined for metadata or encryption assertion."
        );
        assert!(
            refusal(update(ProviderUpdate {
                add_private_key: Some(
                    "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----".into()
                ),
                ..Default::default()
            }))
            .starts_with("Invalid private key.")
        );
        let one = update(ProviderUpdate {
            remove_private_key: Some(first),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(one.private_key_list.len(), 1);
        assert_eq!(
            refusal(update(ProviderUpdate {
                remove_private_key: Some(one.private_key_list[0].key_id.clone()),
                ..Default::default()
            })),
            "Unable to set assertion encryption mode to Required because no private key is provided."
        );

        // Required needs a key from the start too.
        assert_eq!(
            refusal(iam_with(AssertionEncryptionMode::Required, &[])),
            "Unable to set assertion encryption mode to Required because no private key is provided."
        );
        assert_eq!(
            refusal(iam_with(
                AssertionEncryptionMode::Allowed,
                &[KEY, KEY_2, OTHER]
            )),
            "Private key limit of 2 is reached."
        );
    }
}
