//! The user pools' state: pools, identity providers, app clients, users and the
//! short-lived sign-in state (pending authorize requests, codes, refresh grants,
//! used assertion IDs), in one table of JSON rows keyed by kind and key.
//!
//! One table because every lookup is by exact key or by a pool's prefix, and
//! the rows are few: a pool has tens of users in a test, not millions.

use std::collections::BTreeMap;
use std::sync::Arc;

use samlsim_service::store::{from_json, to_json};
use samlsim_service::{Store, StoreError, UnixTime};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::config::IssuerSetting;

const TABLE: &str = "cognito_objects";

const MIGRATIONS: &[&str] = &["CREATE TABLE cognito_objects (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (kind, key)
    );"];

/// Kinds of row.
pub mod kind {
    pub const POOL: &str = "pool";
    pub const PROVIDER: &str = "provider";
    pub const CLIENT: &str = "client";
    pub const USER: &str = "user";
    /// `<pool>\n<provider>\n<NameID>` → username: the federated identity link,
    /// keyed with the NameID's exact case (G6).
    pub const IDENTITY: &str = "identity";
    pub const PENDING: &str = "pending";
    pub const CODE: &str = "code";
    pub const REFRESH: &str = "refresh";
    pub const ASSERTION: &str = "assertion";
    pub const SESSION: &str = "session";
    pub const LOGOUT: &str = "logout";
}

/// A user pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    pub id: String,
    pub name: String,
    pub region: String,
    pub domain: Option<String>,
    pub case_sensitive: bool,
    pub issuer: IssuerSetting,
    pub required_attributes: Vec<String>,
    pub custom_attributes: Vec<String>,
    pub created: UnixTime,
    pub modified: UnixTime,
}

impl Pool {
    /// The SP entity ID, the Audience the IdP must address (G4).
    pub fn sp_entity_id(&self) -> String {
        format!("urn:amazon:cognito:sp:{}", self.id)
    }

    /// The hosted UI host, if the pool has a domain.
    pub fn host(&self) -> Option<String> {
        self.domain
            .as_ref()
            .map(|d| format!("{d}.auth.{}.amazoncognito.com", self.region))
    }

    /// The ACS, `https://<domain>/saml2/idpresponse` (G4).
    pub fn acs_url(&self) -> Option<String> {
        self.host()
            .map(|h| format!("https://{h}/saml2/idpresponse"))
    }

    /// The pool's API host, under which its OIDC documents live.
    pub fn idp_host(&self) -> String {
        format!("cognito-idp.{}.amazonaws.com", self.region)
    }

    pub fn arn(&self) -> String {
        format!(
            "arn:aws:cognito-idp:{}:123456789012:userpool/{}",
            self.region, self.id
        )
    }
}

/// A SAML identity provider of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub pool_id: String,
    pub name: String,
    pub entity_id: String,
    /// Signing certificates, base64 DER (several while keys roll over).
    pub certificates: Vec<String>,
    /// SingleSignOnService, HTTP-Redirect binding.
    pub sso_url: String,
    pub slo_url: Option<String>,
    pub metadata_xml: String,
    pub metadata_url: Option<String>,
    pub attribute_mapping: BTreeMap<String, String>,
    pub idp_init: bool,
    pub idp_signout: bool,
    pub request_signing: bool,
    /// ProviderDetails `EncryptedResponses`.
    #[serde(default)]
    pub encrypted_responses: bool,
    pub identifiers: Vec<String>,
    pub created: UnixTime,
    pub modified: UnixTime,
}

/// An app client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub pool_id: String,
    pub id: String,
    pub name: String,
    pub secret: Option<String>,
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
    pub flows: Vec<String>,
    pub scopes: Vec<String>,
    pub identity_providers: Vec<String>,
    /// `AllowedOAuthFlowsUserPoolClient`: whether the hosted UI's OAuth endpoints
    /// serve this client at all.
    #[serde(default = "yes")]
    pub oauth_enabled: bool,
    /// Seconds.
    pub id_token_validity: i64,
    pub access_token_validity: i64,
    pub refresh_token_validity: i64,
    pub created: UnixTime,
    pub modified: UnixTime,
}

fn yes() -> bool {
    true
}

/// A federated identity linked to a user (the `identities` claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedIdentity {
    pub provider: String,
    /// The NameID, exactly as the IdP sent it.
    pub user_id: String,
    pub issuer: String,
    pub created: UnixTime,
}

/// A user of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub pool_id: String,
    pub username: String,
    pub sub: String,
    pub enabled: bool,
    /// `EXTERNAL_PROVIDER` for federated users.
    pub status: String,
    pub attributes: BTreeMap<String, String>,
    pub identities: Vec<LinkedIdentity>,
    pub created: UnixTime,
    pub modified: UnixTime,
}

/// An authorize request waiting for the IdP's answer (the RelayState names it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub pool_id: String,
    pub provider: String,
    pub request_id: String,
    pub grant: GrantRequest,
    pub created: UnixTime,
}

/// What the app asked for at /oauth2/authorize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRequest {
    pub client_id: String,
    pub redirect_uri: String,
    /// `code` or `token`.
    pub response_type: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

/// An authorization code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub pool_id: String,
    pub username: String,
    pub auth_time: UnixTime,
    pub grant: GrantRequest,
    pub created: UnixTime,
}

/// What a refresh token stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshGrant {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub sub: String,
    pub scopes: Vec<String>,
    pub auth_time: UnixTime,
    pub origin_jti: String,
    pub expires: UnixTime,
}

/// The hosted UI's memory of a browser's federated sign-in (for /logout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOnSession {
    pub pool_id: String,
    pub username: String,
    pub provider: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
    /// When the sign-in happened; a row written before this field existed reads
    /// as 0, long expired.
    #[serde(default)]
    pub created: UnixTime,
}

/// Where to send the browser once the IdP answers a LogoutRequest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogout {
    pub logout_uri: String,
    pub state: Option<String>,
    #[serde(default)]
    pub created: UnixTime,
}

/// The rows.
#[derive(Clone)]
pub struct Model {
    store: Arc<Store>,
}

impl Model {
    pub fn new(store: Arc<Store>) -> Result<Model, StoreError> {
        store.migrate("cognito", MIGRATIONS)?;
        Ok(Model { store })
    }

    pub fn get<T: DeserializeOwned>(
        &self,
        kind: &'static str,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let text: Option<String> = self.store.with(|c| {
            let mut statement =
                c.prepare_cached("SELECT json FROM cognito_objects WHERE kind = ?1 AND key = ?2")?;
            let mut rows = statement.query(rusqlite::params![kind, key])?;
            match rows.next()? {
                Some(row) => Ok(Some(row.get(0)?)),
                None => Ok(None),
            }
        })?;
        text.map(|t| from_json(TABLE, &format!("{kind}/{key}"), &t))
            .transpose()
    }

    pub fn put<T: Serialize>(
        &self,
        kind: &'static str,
        key: &str,
        value: &T,
    ) -> Result<(), StoreError> {
        let json = to_json(TABLE, &format!("{kind}/{key}"), value)?;
        self.store.with(|c| {
            c.prepare_cached(
                "INSERT INTO cognito_objects (kind, key, json) VALUES (?1, ?2, ?3)
                 ON CONFLICT(kind, key) DO UPDATE SET json = excluded.json",
            )?
            .execute(rusqlite::params![kind, key, json])
            .map(|_| ())
        })
    }

    /// Inserts only if absent; `false` when the key was taken (replay checks).
    pub fn insert_new<T: Serialize>(
        &self,
        kind: &'static str,
        key: &str,
        value: &T,
    ) -> Result<bool, StoreError> {
        let json = to_json(TABLE, &format!("{kind}/{key}"), value)?;
        self.store.with(|c| {
            c.prepare_cached(
                "INSERT INTO cognito_objects (kind, key, json) VALUES (?1, ?2, ?3)
                 ON CONFLICT(kind, key) DO NOTHING",
            )?
            .execute(rusqlite::params![kind, key, json])
            .map(|n| n == 1)
        })
    }

    pub fn delete(&self, kind: &'static str, key: &str) -> Result<bool, StoreError> {
        self.store.with(|c| {
            c.prepare_cached("DELETE FROM cognito_objects WHERE kind = ?1 AND key = ?2")?
                .execute(rusqlite::params![kind, key])
                .map(|n| n > 0)
        })
    }

    /// Removes a row and returns it (codes are single-use).
    pub fn take<T: DeserializeOwned>(
        &self,
        kind: &'static str,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let value = self.get(kind, key)?;
        if value.is_some() {
            self.delete(kind, key)?;
        }
        Ok(value)
    }

    /// Every row of `kind` whose key starts with `prefix`, in key order.
    pub fn list<T: DeserializeOwned>(
        &self,
        kind: &'static str,
        prefix: &str,
    ) -> Result<Vec<T>, StoreError> {
        let rows: Vec<(String, String)> = self.store.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT key, json FROM cognito_objects WHERE kind = ?1 AND substr(key, 1, length(?2)) = ?2 ORDER BY key",
            )?;
            let rows = statement
                .query_map(rusqlite::params![kind, prefix], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        rows.iter()
            .map(|(key, json)| from_json(TABLE, &format!("{kind}/{key}"), json))
            .collect()
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.list::<Pool>(kind::POOL, "")?.is_empty())
    }

    // ---- typed helpers ----------------------------------------------------

    pub fn pool(&self, id: &str) -> Result<Option<Pool>, StoreError> {
        self.get(kind::POOL, id)
    }

    pub fn pools(&self) -> Result<Vec<Pool>, StoreError> {
        self.list(kind::POOL, "")
    }

    pub fn pool_by_domain(&self, host: &str) -> Result<Option<Pool>, StoreError> {
        Ok(self
            .pools()?
            .into_iter()
            .find(|p| p.host().as_deref() == Some(host)))
    }

    pub fn provider(&self, pool: &str, name: &str) -> Result<Option<Provider>, StoreError> {
        self.get(kind::PROVIDER, &pool_key(pool, name))
    }

    pub fn providers(&self, pool: &str) -> Result<Vec<Provider>, StoreError> {
        self.list(kind::PROVIDER, &pool_key(pool, ""))
    }

    pub fn put_provider(&self, provider: &Provider) -> Result<(), StoreError> {
        self.put(
            kind::PROVIDER,
            &pool_key(&provider.pool_id, &provider.name),
            provider,
        )
    }

    pub fn client(&self, pool: &str, id: &str) -> Result<Option<Client>, StoreError> {
        self.get(kind::CLIENT, &pool_key(pool, id))
    }

    pub fn clients(&self, pool: &str) -> Result<Vec<Client>, StoreError> {
        self.list(kind::CLIENT, &pool_key(pool, ""))
    }

    pub fn put_client(&self, client: &Client) -> Result<(), StoreError> {
        self.put(kind::CLIENT, &pool_key(&client.pool_id, &client.id), client)
    }

    /// A client by ID in any pool (client IDs are unique across pools).
    pub fn client_anywhere(&self, id: &str) -> Result<Option<Client>, StoreError> {
        for pool in self.pools()? {
            if let Some(client) = self.client(&pool.id, id)? {
                return Ok(Some(client));
            }
        }
        Ok(None)
    }

    pub fn users(&self, pool: &str) -> Result<Vec<User>, StoreError> {
        self.list(kind::USER, &pool_key(pool, ""))
    }

    /// A user by username, as the pool compares usernames: exactly, or without
    /// case in a case-insensitive pool.
    pub fn user(&self, pool: &Pool, username: &str) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.get::<User>(kind::USER, &pool_key(&pool.id, username))? {
            return Ok(Some(user));
        }
        if pool.case_sensitive {
            return Ok(None);
        }
        let wanted = username.to_lowercase();
        Ok(self
            .users(&pool.id)?
            .into_iter()
            .find(|u| u.username.to_lowercase() == wanted))
    }

    pub fn put_user(&self, user: &User) -> Result<(), StoreError> {
        self.put(kind::USER, &pool_key(&user.pool_id, &user.username), user)
    }

    /// Deletes the user and its identity links.
    pub fn delete_user(&self, user: &User) -> Result<(), StoreError> {
        for identity in &user.identities {
            self.delete(
                kind::IDENTITY,
                &identity_key(&user.pool_id, &identity.provider, &identity.user_id),
            )?;
        }
        self.delete(kind::USER, &pool_key(&user.pool_id, &user.username))?;
        Ok(())
    }

    /// The username linked to a federated identity, compared with case (G6).
    pub fn linked_username(
        &self,
        pool: &str,
        provider: &str,
        name_id: &str,
    ) -> Result<Option<String>, StoreError> {
        self.get(kind::IDENTITY, &identity_key(pool, provider, name_id))
    }

    pub fn link(
        &self,
        pool: &str,
        provider: &str,
        name_id: &str,
        username: &str,
    ) -> Result<(), StoreError> {
        self.put(
            kind::IDENTITY,
            &identity_key(pool, provider, name_id),
            &username,
        )
    }
}

/// `<pool>/<name>`: pool IDs contain no `/`.
pub fn pool_key(pool: &str, name: &str) -> String {
    format!("{pool}/{name}")
}

fn identity_key(pool: &str, provider: &str, name_id: &str) -> String {
    format!("{pool}\n{provider}\n{name_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_row_is_an_error_not_absent() {
        let store = Arc::new(Store::in_memory().unwrap());
        let model = Model::new(store.clone()).unwrap();
        store
            .with(|c| {
                c.execute(
                    "INSERT INTO cognito_objects (kind, key, json) VALUES ('pool', 'p', '{broken')",
                    [],
                )
            })
            .unwrap();
        let err = model.pool("p").unwrap_err().to_string();
        assert!(err.contains("cognito_objects row \"pool/p\""), "{err}");
    }
}
