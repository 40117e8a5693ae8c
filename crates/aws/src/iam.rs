//! The IAM model: accounts, SAML identity providers (C8), roles with trust and
//! permission policies (C9, C10), and the per-region switches of C19. Stored in the
//! shared database so the admin API can change them and a restart keeps them.

use std::sync::Arc;

use rusqlite::OptionalExtension;
use samlsim_crypto::Certificate;
use samlsim_saml::metadata::parse_idp_metadata;
use samlsim_service::store::{from_json, to_json};
use samlsim_service::{Store, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{AccountConfig, RoleConfig, SamlProviderConfig};
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
}

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
];

impl Iam {
    pub fn new(store: Arc<Store>) -> Result<Self, IamError> {
        store.migrate("aws-iam", MIGRATIONS)?;
        Ok(Iam {
            store,
            parsed_metadata: Arc::default(),
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
            .map(|provider| self.resolve_metadata(provider, sources))
            .collect::<Result<Vec<_>, _>>()?;
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
            for (provider, metadata) in account.saml_providers.iter().zip(&metadata) {
                self.store_provider(&account.id, &provider.name, metadata)?;
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
        self.store_provider(account, &provider.name, &metadata)
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
    ) -> Result<String, IamError> {
        let arn = provider_arn(&self.partition(account)?, account, name);
        self.store.with(|c| {
            c.prepare_cached("INSERT INTO aws_saml_providers (arn, account, name, metadata) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(arn) DO UPDATE SET metadata = excluded.metadata")?.execute(
                rusqlite::params![arn, account, name, metadata],
            )
        })?;
        Ok(arn)
    }

    /// Deletes a role (IAM DeleteRole); sessions already open keep its ARN, so
    /// Connect meets a role that no longer exists. Whether there was one.
    pub fn delete_role(&self, account: &str, name: &str) -> Result<bool, IamError> {
        let arn = role_arn(&self.partition(account)?, account, name);
        let deleted = self.store.with(|c| {
            c.prepare_cached("DELETE FROM aws_roles WHERE arn = ?1")?
                .execute(rusqlite::params![arn])
        })?;
        Ok(deleted > 0)
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

    /// The partition of account `id` (`aws` for an unknown one).
    fn partition(&self, id: &str) -> Result<String, IamError> {
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
            let mut statement = c.prepare("SELECT id FROM aws_accounts ORDER BY id")?;
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
        let row: Option<(String, String, String, String)> = self.store.with(|c| {
            c.prepare_cached(
                "SELECT arn, account, name, metadata FROM aws_saml_providers WHERE arn = ?1",
            )?
            .query_row([arn], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()
        })?;
        let Some((arn, account, name, metadata)) = row else {
            return Ok(None);
        };
        let (entity_id, certificates) = self.read_metadata_cached(&metadata)?;
        Ok(Some(SamlProvider {
            arn,
            account,
            name,
            entity_id,
            certificates,
            metadata,
        }))
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
            let mut statement = c.prepare("SELECT arn FROM aws_saml_providers ORDER BY arn")?;
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
            let mut statement = c.prepare("SELECT arn FROM aws_roles ORDER BY arn")?;
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
