//! Instances, their users and security profiles, and Connect sessions, stored in
//! the shared database.

use std::sync::Arc;

use rusqlite::OptionalExtension;
use samlsim_service::store::{from_json, to_json};
use samlsim_service::{Store, StoreError, UnixTime};
use serde::{Deserialize, Serialize};

use crate::config::{InstanceConfig, UserConfig};

/// How long a Connect session lasts: "Amazon Connect sessions expire 12 hours after
/// a user logs in ... even if they are currently on a call" (configure-saml, C30).
pub const SESSION_LIFETIME: i64 = 12 * 3600;

/// The default security profiles (connect-security-profiles) and what they open.
pub const SECURITY_PROFILES: [&str; 4] = ["Admin", "Agent", "CallCenterManager", "QualityAnalyst"];
pub const ROUTING_PROFILES: [&str; 1] = ["Basic Routing Profile"];

/// The pages of an instance a `destination` can name (C20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The landing page.
    Home,
    /// `/ccp-v2`: the Contact Control Panel.
    Ccp,
    /// `/ccp-v2/chat`.
    CcpChat,
    /// `/agent-app-v2`: the agent workspace.
    AgentWorkspace,
    /// `/users`: user management (an admin page).
    Users,
}

impl Page {
    /// The page at an instance path (the `/connect` prefix of the old domain removed).
    pub fn from_path(path: &str) -> Option<Page> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let path = path.strip_prefix("/connect").unwrap_or(path);
        Some(match path.trim_end_matches('/') {
            "" | "/home" => Page::Home,
            "/ccp-v2" | "/ccp" => Page::Ccp,
            "/ccp-v2/chat" => Page::CcpChat,
            "/agent-app-v2" => Page::AgentWorkspace,
            "/users" => Page::Users,
            _ => return None,
        })
    }

    pub fn path(self) -> &'static str {
        match self {
            Page::Home => "/",
            Page::Ccp => "/ccp-v2",
            Page::CcpChat => "/ccp-v2/chat",
            Page::AgentWorkspace => "/agent-app-v2",
            Page::Users => "/users",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Page::Home => "Home",
            Page::Ccp => "Contact Control Panel",
            Page::CcpChat => "Contact Control Panel (chat)",
            Page::AgentWorkspace => "Agent workspace",
            Page::Users => "User management",
        }
    }

    /// Whether a user with `profiles` may open this page. The CCP and agent
    /// workspace need "Access Contact Control Panel" (BasicAgentAccess), which
    /// Admin, Agent and CallCenterManager have; user management needs
    /// "Users - View" (Admin, CallCenterManager). QualityAnalyst works with metrics.
    pub fn allowed_for(self, profiles: &[String]) -> bool {
        let has = |p: &str| profiles.iter().any(|q| q == p);
        match self {
            Page::Home => true,
            Page::Ccp | Page::CcpChat | Page::AgentWorkspace => {
                has("Admin") || has("Agent") || has("CallCenterManager")
            }
            Page::Users => has("Admin") || has("CallCenterManager"),
        }
    }
}

/// An instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub id: String,
    pub alias: String,
    pub region: String,
    pub account: String,
    pub admin: String,
    pub approved_origins: Vec<String>,
}

impl Instance {
    /// `arn:aws:connect:<region>:<account>:instance/<id>` (C15).
    /// In the region's partition: `aws-us-gov` for GovCloud (C22).
    pub fn arn(&self) -> String {
        format!(
            "arn:{}:connect:{}:{}:instance/{}",
            samlsim_aws::iam::partition_of_region(&self.region),
            self.region,
            self.account,
            self.id
        )
    }

    /// The instance's own host (the `my.connect.aws` domain).
    pub fn host(&self) -> String {
        format!("{}.my.connect.aws", self.alias)
    }
}

/// A Connect user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// A stable ID, as Connect gives every user.
    pub id: String,
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub security_profiles: Vec<String>,
    pub routing_profile: String,
}

impl User {
    pub fn display_name(&self) -> String {
        match (&self.first_name, &self.last_name) {
            (Some(f), Some(l)) => format!("{f} {l}"),
            (Some(n), None) | (None, Some(n)) => n.clone(),
            (None, None) => self.username.clone(),
        }
    }
}

/// A signed-in Connect session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub instance: String,
    pub username: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

#[derive(Clone)]
pub struct Model {
    store: Arc<Store>,
}

const INSTANCES: &str = "connect_instances";
const USERS: &str = "connect_users";

/// A user row's key as a corrupt-row error names it.
fn user_key(instance: &str, username: &str) -> String {
    format!("{instance}/{username}")
}

const MIGRATIONS: &[&str] = &["CREATE TABLE connect_instances (
         id TEXT PRIMARY KEY,
         config TEXT NOT NULL
     );
     CREATE TABLE connect_users (
         instance TEXT NOT NULL,
         username TEXT NOT NULL,
         user TEXT NOT NULL,
         position INTEGER NOT NULL,
         PRIMARY KEY (instance, username)
     );
     CREATE TABLE connect_sessions (
         id TEXT PRIMARY KEY,
         instance TEXT NOT NULL,
         username TEXT NOT NULL,
         created_at INTEGER NOT NULL,
         expires_at INTEGER NOT NULL,
         ended_at INTEGER
     );
     CREATE TABLE connect_sign_in_tokens (
         token TEXT PRIMARY KEY,
         session TEXT NOT NULL,
         destination TEXT NOT NULL,
         expires_at INTEGER NOT NULL
     );"];

/// What [`Model::put_users`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    All,
    /// Nothing: these users exist already.
    Exist(Vec<String>),
}

impl Model {
    pub fn new(store: Arc<Store>) -> Result<Self, StoreError> {
        store.migrate("connect", MIGRATIONS)?;
        Ok(Model { store })
    }

    /// The store, for a [`Store::transaction`] around several calls.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        self.store.with(|c| {
            c.prepare_cached("SELECT COUNT(*) = 0 FROM connect_instances")?
                .query_row([], |r| r.get(0))
        })
    }

    pub fn put_instance(&self, config: &InstanceConfig) -> Result<(), StoreError> {
        let instance = Instance {
            id: config.id.clone(),
            alias: config.alias.clone(),
            region: config.region.clone(),
            account: config.account.clone(),
            admin: config.admin.clone(),
            approved_origins: config.approved_origins.clone(),
        };
        let json = to_json(INSTANCES, &instance.id, &instance)?;
        self.store.with(|c| {
            c.prepare_cached(
                "INSERT INTO connect_instances (id, config) VALUES (?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET config = excluded.config",
            )?
            .execute(rusqlite::params![instance.id, json])
        })?;
        Ok(())
    }

    pub fn instance(&self, id: &str) -> Result<Option<Instance>, StoreError> {
        let json: Option<String> = self.store.with(|c| {
            c.prepare_cached("SELECT config FROM connect_instances WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()
        })?;
        json.map(|j| from_json(INSTANCES, id, &j)).transpose()
    }

    pub fn instances(&self) -> Result<Vec<Instance>, StoreError> {
        let rows: Vec<(String, String)> = self.store.with(|c| {
            let mut statement =
                c.prepare_cached("SELECT id, config FROM connect_instances ORDER BY id")?;
            let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })?;
        rows.iter()
            .map(|(id, json)| from_json(INSTANCES, id, json))
            .collect()
    }

    /// Replaces an instance's approved origins (AssociateApprovedOrigin).
    pub fn set_approved_origins(&self, id: &str, origins: &[String]) -> Result<bool, StoreError> {
        let Some(mut instance) = self.instance(id)? else {
            return Ok(false);
        };
        instance.approved_origins = origins.to_vec();
        let json = to_json(INSTANCES, id, &instance)?;
        self.store.with(|c| {
            c.prepare_cached("UPDATE connect_instances SET config = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, json])
        })?;
        Ok(true)
    }

    /// The instance whose host is `<alias>.my.connect.aws`.
    pub fn instance_by_alias(&self, alias: &str) -> Result<Option<Instance>, StoreError> {
        Ok(self.instances()?.into_iter().find(|i| i.alias == alias))
    }

    /// Creates or replaces a user; `id` keeps an existing user's ID.
    pub fn put_user(
        &self,
        instance: &str,
        user: &UserConfig,
        id: &str,
    ) -> Result<User, StoreError> {
        // Read and write in one transaction: two concurrent creates of one user
        // must agree on its ID.
        self.store
            .transaction(|| self.put_user_now(instance, user, id))
    }

    fn put_user_now(
        &self,
        instance: &str,
        user: &UserConfig,
        id: &str,
    ) -> Result<User, StoreError> {
        let existing = self.user(instance, &user.username)?;
        let stored = User {
            id: existing.map_or_else(|| id.to_owned(), |u| u.id),
            username: user.username.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            security_profiles: user.security_profiles.clone(),
            routing_profile: user.routing_profile.clone(),
        };
        let json = to_json(USERS, &user_key(instance, &stored.username), &stored)?;
        self.store.with(|c| {
            c.prepare_cached(
                "INSERT INTO connect_users (instance, username, user, position)
                 VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(position), 0) + 1 FROM connect_users))
                 ON CONFLICT(instance, username) DO UPDATE SET user = excluded.user",
            )?
            .execute(rusqlite::params![instance, stored.username, json])
        })?;
        Ok(stored)
    }

    /// Adds several new users in one transaction: all, or none when any of them
    /// exists already (checked inside the transaction, so a concurrent import of
    /// the same user is a conflict, not a UNIQUE failure).
    pub fn put_users(
        &self,
        instance: &str,
        users: &[(UserConfig, String)],
    ) -> Result<Inserted, StoreError> {
        let rows = users
            .iter()
            .map(|(user, id)| {
                let stored = User {
                    id: id.clone(),
                    username: user.username.clone(),
                    first_name: user.first_name.clone(),
                    last_name: user.last_name.clone(),
                    security_profiles: user.security_profiles.clone(),
                    routing_profile: user.routing_profile.clone(),
                };
                let json = to_json(USERS, &user_key(instance, &stored.username), &stored)?;
                Ok((stored.username, json))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.store.with(|c| {
            let tx = c.savepoint()?;
            let mut existing = Vec::new();
            for (username, _) in &rows {
                let taken: i64 = tx
                    .prepare_cached(
                        "SELECT count(*) FROM connect_users WHERE instance = ?1 AND username = ?2",
                    )?
                    .query_row(rusqlite::params![instance, username], |r| r.get(0))?;
                if taken > 0 {
                    existing.push(username.clone());
                }
            }
            if !existing.is_empty() {
                return Ok(Inserted::Exist(existing));
            }
            for (username, json) in &rows {
                tx.prepare_cached("INSERT INTO connect_users (instance, username, user, position)
                     VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(position), 0) + 1 FROM connect_users))")?.execute(
                    rusqlite::params![instance, username, json],
                )?;
            }
            tx.commit()?;
            Ok(Inserted::All)
        })
    }

    /// The user named exactly `username` (SQLite compares TEXT byte for byte, so
    /// this is case-sensitive, as Connect user names are: C23).
    pub fn user(&self, instance: &str, username: &str) -> Result<Option<User>, StoreError> {
        let json: Option<String> = self.store.with(|c| {
            c.prepare_cached(
                "SELECT user FROM connect_users WHERE instance = ?1 AND username = ?2",
            )?
            .query_row(rusqlite::params![instance, username], |r| r.get(0))
            .optional()
        })?;
        json.map(|j| from_json(USERS, &user_key(instance, username), &j))
            .transpose()
    }

    pub fn users(&self, instance: &str) -> Result<Vec<User>, StoreError> {
        let rows: Vec<(String, String)> = self.store.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT username, user FROM connect_users WHERE instance = ?1 ORDER BY position",
            )?;
            let rows = statement.query_map([instance], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })?;
        rows.iter()
            .map(|(username, json)| from_json(USERS, &user_key(instance, username), json))
            .collect()
    }

    pub fn delete_user(&self, instance: &str, username: &str) -> Result<bool, StoreError> {
        self.store
            .with(|c| {
                c.prepare_cached("DELETE FROM connect_users WHERE instance = ?1 AND username = ?2")?
                    .execute(rusqlite::params![instance, username])
            })
            .map(|n| n > 0)
    }

    /// Starts a 12-hour session and a one-time sign-in token that hands it to the
    /// browser on the instance's own domain.
    pub fn start_session(
        &self,
        session_id: &str,
        token: &str,
        instance: &str,
        username: &str,
        destination: &str,
        now: UnixTime,
    ) -> Result<Session, StoreError> {
        let session = Session {
            id: session_id.to_owned(),
            instance: instance.to_owned(),
            username: username.to_owned(),
            created_at: now,
            expires_at: now + SESSION_LIFETIME,
        };
        // Both or neither: a session without its token could never be entered.
        self.store.with(|c| {
            let tx = c.savepoint()?;
            tx.prepare_cached("INSERT INTO connect_sessions (id, instance, username, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(
                rusqlite::params![session.id, session.instance, session.username, session.created_at, session.expires_at],
            )?;
            tx.prepare_cached("INSERT INTO connect_sign_in_tokens (token, session, destination, expires_at) VALUES (?1, ?2, ?3, ?4)")?.execute(
                rusqlite::params![token, session.id, destination, now + 300],
            )?;
            tx.commit()
        })?;
        Ok(session)
    }

    /// Redeems a sign-in token (once): the session and where to go.
    pub fn redeem_token(
        &self,
        token: &str,
        now: UnixTime,
    ) -> Result<Option<(String, String)>, StoreError> {
        self.store.with(|c| {
            let row: Option<(String, String)> = c
                .prepare_cached(
                    "SELECT session, destination FROM connect_sign_in_tokens WHERE token = ?1 AND expires_at > ?2",
                )?
                .query_row(rusqlite::params![token, now], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            c.prepare_cached("DELETE FROM connect_sign_in_tokens WHERE token = ?1")?.execute( [token])?;
            Ok(row)
        })
    }

    /// The session `id` with its state at `now`.
    pub fn session(&self, id: &str, now: UnixTime) -> Result<SessionState, StoreError> {
        let row: Option<(Session, Option<UnixTime>)> = self.store.with(|c| {
            c.prepare_cached("SELECT id, instance, username, created_at, expires_at, ended_at FROM connect_sessions WHERE id = ?1")?.query_row(
                [id],
                |r| {
                    Ok((
                        Session {
                            id: r.get(0)?,
                            instance: r.get(1)?,
                            username: r.get(2)?,
                            created_at: r.get(3)?,
                            expires_at: r.get(4)?,
                        },
                        r.get(5)?,
                    ))
                },
            )
            .optional()
        })?;
        Ok(match row {
            None => SessionState::Unknown,
            // Ended at (or after) its 12 hours: expiry ended it, whichever request
            // noticed first (the CCP's poll, a reload); the reason stays C30.
            Some((session, Some(ended))) if ended >= session.expires_at => {
                SessionState::ExpiredEarlier(session)
            }
            Some((_, Some(_))) => SessionState::Ended,
            Some((session, None)) if session.expires_at <= now => SessionState::Expired(session),
            Some((session, None)) => SessionState::Live(session),
        })
    }

    /// Ends session `id` at `at`; false if it had already ended.
    pub fn end_session(&self, id: &str, at: UnixTime) -> Result<bool, StoreError> {
        self.store
            .with(|c| {
                c.prepare_cached(
                    "UPDATE connect_sessions SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
                )?
                .execute(rusqlite::params![id, at])
            })
            .map(|n| n > 0)
    }
}

/// What a session cookie is worth at a given moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    Unknown,
    Live(Session),
    /// Past its 12 hours, not yet noticed.
    Expired(Session),
    /// Past its 12 hours, and already noticed by an earlier request.
    ExpiredEarlier(Session),
    /// Signed out.
    Ended,
}
