//! What the mock AWS remembers: assertions already used (replay), console
//! sessions made by the sign-in endpoint, and the temporary credentials STS issued
//! (so Connect's GetFederationToken can tell which role session calls it).

use std::sync::Arc;

use rusqlite::OptionalExtension;
use samlsim_service::store::{from_json, to_json};
use samlsim_service::{Store, StoreError, UnixTime};
use serde::{Deserialize, Serialize};

use crate::federation::Assumed;

/// A role session: what a console sign-in or an STS call produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSession {
    pub account: String,
    pub role_arn: String,
    pub role_name: String,
    pub role_id: String,
    pub role_session_name: String,
    pub provider_arn: String,
    pub region: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

impl RoleSession {
    pub fn from_assumed(assumed: &Assumed, now: UnixTime) -> Self {
        RoleSession {
            account: assumed.role.account.clone(),
            role_arn: assumed.role.arn.clone(),
            role_name: assumed.role.name.clone(),
            role_id: assumed.role.id.clone(),
            role_session_name: assumed.role_session_name.clone(),
            provider_arn: assumed.provider.arn.clone(),
            region: assumed.region.clone(),
            created_at: now,
            expires_at: assumed.expires_at,
        }
    }

    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    pub fn assumed_role_arn(&self) -> String {
        format!(
            "arn:{}:sts::{}:assumed-role/{}/{}",
            crate::iam::partition_of(&self.role_arn),
            self.account,
            self.role_name,
            self.role_session_name
        )
    }

    /// `${aws:userid}` of the session: `<RoleId>:<RoleSessionName>`.
    pub fn user_id(&self) -> String {
        format!("{}:{}", self.role_id, self.role_session_name)
    }
}

/// Temporary credentials issued by STS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub session: RoleSession,
}

#[derive(Clone)]
pub struct State {
    store: Arc<Store>,
}

const MIGRATIONS: &[&str] = &[
    "CREATE TABLE aws_used_assertions (
         assertion_id TEXT NOT NULL,
         provider_arn TEXT NOT NULL,
         used_at INTEGER NOT NULL,
         forget_after INTEGER NOT NULL,
         PRIMARY KEY (provider_arn, assertion_id)
     );
     CREATE TABLE aws_console_sessions (
         id TEXT PRIMARY KEY,
         session TEXT NOT NULL,
         expires_at INTEGER NOT NULL,
         ended_at INTEGER
     );
     CREATE TABLE aws_credentials (
         access_key_id TEXT PRIMARY KEY,
         secret_access_key TEXT NOT NULL,
         session_token TEXT NOT NULL,
         session TEXT NOT NULL,
         expires_at INTEGER NOT NULL
     );",
    // Every consumed assertion first sweeps expired replay records; without
    // this index that sweep scans the whole table, so a long load run slows
    // down quadratically.
    "CREATE INDEX aws_used_assertions_forget ON aws_used_assertions (forget_after);",
];

impl State {
    pub fn new(store: Arc<Store>) -> Result<Self, StoreError> {
        store.migrate("aws-state", MIGRATIONS)?;
        Ok(State { store })
    }

    /// Records the assertion as used; false if it already was (a replay). AWS
    /// remembers an assertion until it expires; after that it is refused as
    /// expired anyway, so the row can go.
    fn consume_assertion(&self, assumed: &Assumed, now: UnixTime) -> Result<bool, StoreError> {
        self.store.with(|c| {
            c.prepare_cached("DELETE FROM aws_used_assertions WHERE forget_after < ?1")?.execute( [now])?;
            let inserted = c.prepare_cached("INSERT OR IGNORE INTO aws_used_assertions (assertion_id, provider_arn, used_at, forget_after)
                 VALUES (?1, ?2, ?3, ?4)")?.execute(
                rusqlite::params![assumed.assertion_id, assumed.provider.arn, now, assumed.assertion_expires_at],
            )?;
            Ok(inserted == 1)
        })
    }

    /// Uses `assumed`'s assertion and opens console session `id` for it, in one
    /// transaction: `false`, and nothing written, when the assertion was used
    /// before; a session that cannot be stored leaves the assertion unused.
    pub fn sign_in(
        &self,
        assumed: &Assumed,
        id: &str,
        session: &RoleSession,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        self.store.transaction(|| {
            if !self.consume_assertion(assumed, now)? {
                return Ok(false);
            }
            self.start_console_session(id, session)?;
            Ok(true)
        })
    }

    pub fn start_console_session(&self, id: &str, session: &RoleSession) -> Result<(), StoreError> {
        let json = to_json("aws_console_sessions", id, session)?;
        self.store.with(|c| {
            c.prepare_cached(
                "INSERT INTO aws_console_sessions (id, session, expires_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(rusqlite::params![id, json, session.expires_at])
        })?;
        Ok(())
    }

    /// The console session `id` if it is live at `now`.
    pub fn console_session(
        &self,
        id: &str,
        now: UnixTime,
    ) -> Result<Option<RoleSession>, StoreError> {
        let json: Option<String> = self.store.with(|c| {
            c.prepare_cached("SELECT session FROM aws_console_sessions WHERE id = ?1 AND ended_at IS NULL AND expires_at > ?2")?.query_row(
                rusqlite::params![id, now],
                |r| r.get(0),
            )
            .optional()
        })?;
        json.map(|j| from_json("aws_console_sessions", id, &j))
            .transpose()
    }

    pub fn end_console_session(&self, id: &str, now: UnixTime) -> Result<bool, StoreError> {
        self.store
            .with(|c| {
                c.prepare_cached("UPDATE aws_console_sessions SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL")?.execute(
                    rusqlite::params![id, now],
                )
            })
            .map(|n| n > 0)
    }

    pub fn issue_credentials(&self, credentials: &Credentials) -> Result<(), StoreError> {
        let json = to_json(
            "aws_credentials",
            &credentials.access_key_id,
            &credentials.session,
        )?;
        self.store.with(|c| {
            c.prepare_cached("INSERT INTO aws_credentials (access_key_id, secret_access_key, session_token, session, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(
                rusqlite::params![
                    credentials.access_key_id,
                    credentials.secret_access_key,
                    credentials.session_token,
                    json,
                    credentials.session.expires_at
                ],
            )
        })?;
        Ok(())
    }

    /// The credentials with access key `id`, expired or not (the caller decides
    /// what an expired key means: ExpiredTokenException).
    pub fn credentials(&self, access_key_id: &str) -> Result<Option<Credentials>, StoreError> {
        let row: Option<(String, String, String, String)> = self.store.with(|c| {
            c.prepare_cached("SELECT access_key_id, secret_access_key, session_token, session FROM aws_credentials WHERE access_key_id = ?1")?.query_row(
                [access_key_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
        })?;
        row.map(
            |(access_key_id, secret_access_key, session_token, session)| {
                Ok(Credentials {
                    session: from_json("aws_credentials", &access_key_id, &session)?,
                    access_key_id,
                    secret_access_key,
                    session_token,
                })
            },
        )
        .transpose()
    }
}
