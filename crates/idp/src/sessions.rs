//! What the IdP remembers between requests: sign-in sessions (the cookie that makes
//! a second sign-in passwordless, C31), SP-initiated requests waiting for a
//! sign-in, request IDs already answered (replay), and responses issued.

use std::sync::Arc;

use rusqlite::OptionalExtension;
use samlsim_service::{Store, StoreError, UnixTime};

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The cookie's secret value.
    pub id: String,
    /// The `SessionIndex` SPs see (SAML core 2.7.2); unlike `id`, not a secret.
    pub index: String,
    pub username: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

/// An SP-initiated sign-in waiting for the user to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub token: String,
    pub sp: String,
    pub request_id: String,
    pub relay_state: Option<String>,
    pub created_at: UnixTime,
    /// What the AuthnRequest asked for that must still hold after the sign-in.
    pub options: PendingOptions,
}

/// The AuthnRequest options a parked request keeps (JSON in one column).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PendingOptions {
    /// The ACS the request chose (by URL or index), if not the SP's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acs_url: Option<String>,
    /// The NameID Format the request's NameIDPolicy asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_id_format: Option<String>,
    /// ForceAuthn: the session that existed when the request came, which may
    /// not answer it (the user must sign in again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_session: Option<String>,
}

/// A Response the IdP issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub response_id: String,
    pub assertion_id: String,
    pub sp: String,
    pub username: String,
    pub session_id: Option<String>,
    pub in_response_to: Option<String>,
    pub issued_at: UnixTime,
}

#[derive(Clone)]
pub struct Sessions {
    store: Arc<Store>,
}

const MIGRATIONS: &[&str] = &[
    "CREATE TABLE idp_sessions (
         id TEXT PRIMARY KEY,
         session_index TEXT NOT NULL UNIQUE,
         username TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         expires_at INTEGER NOT NULL,
         ended_at INTEGER
     );
     CREATE TABLE idp_pending_requests (
         token TEXT PRIMARY KEY,
         sp TEXT NOT NULL,
         request_id TEXT NOT NULL,
         relay_state TEXT,
         created_at INTEGER NOT NULL
     );
     CREATE TABLE idp_answered_requests (
         sp TEXT NOT NULL,
         request_id TEXT NOT NULL,
         received_at INTEGER NOT NULL,
         PRIMARY KEY (sp, request_id)
     );
     CREATE TABLE idp_issued (
         response_id TEXT PRIMARY KEY,
         assertion_id TEXT NOT NULL,
         sp TEXT NOT NULL,
         username TEXT NOT NULL,
         session_id TEXT,
         in_response_to TEXT,
         issued_at INTEGER NOT NULL
     );",
    "ALTER TABLE idp_pending_requests ADD COLUMN options TEXT;",
];

impl Sessions {
    pub fn new(store: Arc<Store>) -> Result<Self, StoreError> {
        store.migrate("idp-sessions", MIGRATIONS)?;
        Ok(Sessions { store })
    }

    pub fn start(
        &self,
        id: &str,
        index: &str,
        username: &str,
        now: UnixTime,
        lifetime: i64,
    ) -> Result<Session, StoreError> {
        let session = Session {
            id: id.to_owned(),
            index: index.to_owned(),
            username: username.to_owned(),
            created_at: now,
            expires_at: now + lifetime,
        };
        self.store.with(|c| {
            c.prepare_cached("INSERT INTO idp_sessions (id, session_index, username, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(
                rusqlite::params![session.id, session.index, session.username, session.created_at, session.expires_at],
            )
        })?;
        Ok(session)
    }

    /// The live session `id`: not ended, not expired at `now`.
    pub fn live(&self, id: &str, now: UnixTime) -> Result<Option<Session>, StoreError> {
        self.store.with(|c| {
            c.prepare_cached(
                "SELECT id, session_index, username, created_at, expires_at FROM idp_sessions
                 WHERE id = ?1 AND ended_at IS NULL AND expires_at > ?2",
            )?
            .query_row(rusqlite::params![id, now], |r| {
                Ok(Session {
                    id: r.get(0)?,
                    index: r.get(1)?,
                    username: r.get(2)?,
                    created_at: r.get(3)?,
                    expires_at: r.get(4)?,
                })
            })
            .optional()
        })
    }

    /// Ends session `id`; false if it was not live.
    pub fn end(&self, id: &str, now: UnixTime) -> Result<bool, StoreError> {
        self.store
            .with(|c| {
                c.prepare_cached(
                    "UPDATE idp_sessions SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
                )?
                .execute(rusqlite::params![id, now])
            })
            .map(|n| n > 0)
    }

    /// Ends the live session with `SessionIndex` `index` if it belongs to `username`.
    pub fn end_by_index(
        &self,
        index: &str,
        username: &str,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        self.store
            .with(|c| {
                c.prepare_cached("UPDATE idp_sessions SET ended_at = ?3 WHERE session_index = ?1 AND username = ?2 AND ended_at IS NULL")?.execute(
                    rusqlite::params![index, username, now],
                )
            })
            .map(|n| n > 0)
    }

    /// Ends every live session of `username` (the admin disabling a user).
    pub fn end_all_of(&self, username: &str, now: UnixTime) -> Result<usize, StoreError> {
        self.store.with(|c| {
            c.prepare_cached(
                "UPDATE idp_sessions SET ended_at = ?2 WHERE username = ?1 AND ended_at IS NULL",
            )?
            .execute(rusqlite::params![username, now])
        })
    }

    pub fn park(&self, pending: &PendingRequest) -> Result<(), StoreError> {
        self.store.with(|c| {
            c.prepare_cached(
                "INSERT INTO idp_pending_requests (token, sp, request_id, relay_state, created_at, options)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(rusqlite::params![
                pending.token,
                pending.sp,
                pending.request_id,
                pending.relay_state,
                pending.created_at,
                serde_json::to_string(&pending.options)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?
            ])
        })?;
        Ok(())
    }

    /// The pending request `token`, left in place.
    pub fn peek_pending(&self, token: &str) -> Result<Option<PendingRequest>, StoreError> {
        self.store.with(|c| {
            c.prepare_cached("SELECT token, sp, request_id, relay_state, created_at, options FROM idp_pending_requests WHERE token = ?1")?.query_row(
                [token],
                pending_from_row,
            )
            .optional()
        })
    }

    /// Takes the pending request `token` (once).
    pub fn take_pending(&self, token: &str) -> Result<Option<PendingRequest>, StoreError> {
        self.store.with(|c| {
            let pending = c
                .query_row(
                    "SELECT token, sp, request_id, relay_state, created_at, options FROM idp_pending_requests WHERE token = ?1",
                    [token],
                    pending_from_row,
                )
                .optional()?;
            c.prepare_cached("DELETE FROM idp_pending_requests WHERE token = ?1")?.execute( [token])?;
            Ok(pending)
        })
    }

    /// Records that `request_id` from `sp` was received; false if it already was
    /// (a replayed AuthnRequest).
    /// Records request `request_id` from `sp` as seen; false when it was seen
    /// already. Records older than `memory` seconds are swept first: a request
    /// that old is refused by its IssueInstant, and the table must not grow
    /// with every request ever made.
    pub fn first_sight_of_request(
        &self,
        sp: &str,
        request_id: &str,
        now: UnixTime,
        memory: i64,
    ) -> Result<bool, StoreError> {
        self.store
            .with(|c| {
                c.prepare_cached("DELETE FROM idp_answered_requests WHERE received_at < ?1")?
                    .execute([now.saturating_sub(memory)])?;
                c.prepare_cached("INSERT OR IGNORE INTO idp_answered_requests (sp, request_id, received_at) VALUES (?1, ?2, ?3)")?.execute(
                    rusqlite::params![sp, request_id, now],
                )
            })
            .map(|n| n == 1)
    }

    pub fn record_issued(&self, issued: &Issued) -> Result<(), StoreError> {
        self.store.with(|c| {
            c.prepare_cached("INSERT INTO idp_issued (response_id, assertion_id, sp, username, session_id, in_response_to, issued_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(
                rusqlite::params![
                    issued.response_id,
                    issued.assertion_id,
                    issued.sp,
                    issued.username,
                    issued.session_id,
                    issued.in_response_to,
                    issued.issued_at
                ],
            )
        })?;
        Ok(())
    }

    pub fn issued(&self, limit: u32) -> Result<Vec<Issued>, StoreError> {
        self.store.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT response_id, assertion_id, sp, username, session_id, in_response_to, issued_at
                 FROM idp_issued ORDER BY issued_at DESC, rowid DESC LIMIT ?1",
            )?;
            let rows = statement.query_map([limit], |r| {
                Ok(Issued {
                    response_id: r.get(0)?,
                    assertion_id: r.get(1)?,
                    sp: r.get(2)?,
                    username: r.get(3)?,
                    session_id: r.get(4)?,
                    in_response_to: r.get(5)?,
                    issued_at: r.get(6)?,
                })
            })?;
            rows.collect()
        })
    }
}

fn pending_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PendingRequest> {
    Ok(PendingRequest {
        token: r.get(0)?,
        sp: r.get(1)?,
        request_id: r.get(2)?,
        relay_state: r.get(3)?,
        created_at: r.get(4)?,
        // Rows parked before the column existed have none.
        options: match r.get::<_, Option<String>>(5)? {
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    5,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            None => PendingOptions::default(),
        },
    })
}
