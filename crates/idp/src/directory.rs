//! The identity store (C2/C3): users, their attributes, and password checks.

use std::collections::BTreeMap;
use std::sync::Arc;

use rusqlite::OptionalExtension;
use samlsim_crypto::{VerifiedPasswords, hash_password};
use samlsim_service::store::{from_json, to_json};
use samlsim_service::{Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::IdpRule;
use crate::config::UserConfig;

/// A directory user as the rest of the IdP sees it (no password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub disabled: bool,
    pub attributes: BTreeMap<String, String>,
}

impl User {
    /// The value of a user field by name: `username`, `email`, `display_name`, or
    /// a directory attribute.
    pub fn field(&self, name: &str) -> Option<String> {
        match name {
            "username" => Some(self.username.clone()),
            "email" => self.email.clone(),
            "display_name" => self.display_name.clone(),
            other => self.attributes.get(other).cloned(),
        }
    }

    /// The name to greet the user with.
    pub fn greeting_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.username)
    }
}

/// Why a sign-in was refused; each has its own message (issue: wrong password,
/// unknown user and disabled user must be told apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    UnknownUser,
    WrongPassword,
    Disabled,
}

impl LoginFailure {
    /// The rule that refuses the sign-in.
    pub fn rule(self) -> IdpRule {
        match self {
            LoginFailure::UnknownUser => IdpRule::UnknownUser,
            LoginFailure::WrongPassword => IdpRule::WrongPassword,
            LoginFailure::Disabled => IdpRule::UserDisabled,
        }
    }

    /// What the login page says.
    pub fn message(self, username: &str) -> String {
        match self {
            LoginFailure::UnknownUser => {
                format!(
                    "There is no user \"{username}\" in the directory. User names are case-sensitive."
                )
            }
            LoginFailure::WrongPassword => {
                format!("The password for \"{username}\" is not correct.")
            }
            LoginFailure::Disabled => format!(
                "The account \"{username}\" is disabled. Ask an administrator to enable it."
            ),
        }
    }
}

/// The users table.
#[derive(Clone)]
pub struct Directory {
    store: Arc<Store>,
    /// Passwords that verified, in memory only (see [`VerifiedPasswords`]): a
    /// repeat sign-in skips PBKDF2; the stored hash keeps its strength.
    verified: Arc<VerifiedPasswords>,
}

const MIGRATIONS: &[&str] = &["CREATE TABLE idp_users (
         username TEXT PRIMARY KEY,
         password_hash TEXT NOT NULL,
         display_name TEXT,
         email TEXT,
         disabled INTEGER NOT NULL DEFAULT 0,
         attributes TEXT NOT NULL DEFAULT '{}',
         position INTEGER NOT NULL
     );"];

impl Directory {
    pub fn new(store: Arc<Store>) -> Result<Self, StoreError> {
        store.migrate("idp-directory", MIGRATIONS)?;
        Ok(Directory {
            store,
            verified: Arc::default(),
        })
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        self.store.with(|c| {
            c.prepare_cached("SELECT COUNT(*) = 0 FROM idp_users")?
                .query_row([], |r| r.get(0))
        })
    }

    /// Creates or replaces a user (its password is hashed here).
    pub fn put(&self, user: &UserConfig) -> Result<(), StoreError> {
        let hash = hash_password(&user.password);
        let attributes = to_json(TABLE, &user.username, &user.attributes)?;
        self.store.with(|c| {
            c.prepare_cached("INSERT INTO idp_users (username, password_hash, display_name, email, disabled, attributes, position)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT COALESCE(MAX(position), 0) + 1 FROM idp_users))
                 ON CONFLICT(username) DO UPDATE SET password_hash = excluded.password_hash,
                   display_name = excluded.display_name, email = excluded.email,
                   disabled = excluded.disabled, attributes = excluded.attributes")?.execute(
                rusqlite::params![user.username, hash, user.display_name, user.email, user.disabled, attributes],
            )
        })?;
        Ok(())
    }

    /// Enables or disables a user; false if there is no such user.
    pub fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool, StoreError> {
        self.store
            .with(|c| {
                c.prepare_cached("UPDATE idp_users SET disabled = ?2 WHERE username = ?1")?
                    .execute(rusqlite::params![username, disabled])
            })
            .map(|n| n > 0)
    }

    /// Removes a user; false if there was none.
    pub fn delete(&self, username: &str) -> Result<bool, StoreError> {
        self.store
            .with(|c| {
                c.prepare_cached("DELETE FROM idp_users WHERE username = ?1")?
                    .execute([username])
            })
            .map(|n| n > 0)
    }

    /// The user named exactly `username` (case-sensitive).
    pub fn get(&self, username: &str) -> Result<Option<User>, StoreError> {
        Ok(self.get_with_hash(username)?.map(|(user, _)| user))
    }

    pub fn list(&self) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> = self.store.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT username, display_name, email, disabled, attributes FROM idp_users ORDER BY position",
            )?;
            let rows = statement.query_map([], user_row)?;
            rows.collect()
        })?;
        rows.into_iter().map(UserRow::user).collect()
    }

    /// Checks a sign-in (C2/C3).
    pub fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Result<User, LoginFailure>, StoreError> {
        let Some((user, hash)) = self.get_with_hash(username)? else {
            return Ok(Err(LoginFailure::UnknownUser));
        };
        if !self.verified.verify(&hash, password) {
            return Ok(Err(LoginFailure::WrongPassword));
        }
        if user.disabled {
            return Ok(Err(LoginFailure::Disabled));
        }
        Ok(Ok(user))
    }

    fn get_with_hash(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let row: Option<(UserRow, String)> = self.store.with(|c| {
            c.prepare_cached("SELECT username, display_name, email, disabled, attributes, password_hash FROM idp_users WHERE username = ?1")?.query_row(
                [username],
                |r| Ok((user_row(r)?, r.get(5)?)),
            )
            .optional()
        })?;
        row.map(|(user, hash)| Ok((user.user()?, hash))).transpose()
    }
}

const TABLE: &str = "idp_users";

/// A row as stored; its attributes column is still JSON.
struct UserRow {
    user: User,
    attributes: String,
}

impl UserRow {
    fn user(self) -> Result<User, StoreError> {
        let attributes = from_json(TABLE, &self.user.username, &self.attributes)?;
        Ok(User {
            attributes,
            ..self.user
        })
    }
}

fn user_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        user: User {
            username: row.get(0)?,
            display_name: row.get(1)?,
            email: row.get(2)?,
            disabled: row.get(3)?,
            attributes: BTreeMap::new(),
        },
        attributes: row.get(4)?,
    })
}
