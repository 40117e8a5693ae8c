//! The SQLite database every service keeps its state in.
//!
//! One file (`samlsim.db` in the data folder) so a restart keeps everything and
//! `--fresh` removes one thing. Each service owns its tables: it hands its schema to
//! [`Store::migrate`] under its own name and reads and writes them through
//! [`Store::with`]. One connection behind a mutex is plenty for a local emulator:
//! statements take microseconds, and it keeps transactions trivially serialised.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error(
        "cannot open the database {path}: {source} (a damaged data folder? `samlsim up --fresh` starts over)"
    )]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("migrating the {component} tables to version {version} failed: {source}")]
    Migration {
        component: String,
        version: usize,
        source: rusqlite::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored value that no longer reads as what was written: a damaged data
    /// folder or a schema change without a migration. Never shown as "absent".
    #[error(
        "the stored {table} row {key:?} is damaged ({why}); `samlsim up --fresh` starts over with a new data folder"
    )]
    Corrupt {
        table: &'static str,
        key: String,
        why: String,
    },
}

/// Reads a JSON column written by [`to_json`]: a value that does not deserialise is
/// [`StoreError::Corrupt`], naming the table and the row's key.
pub fn from_json<T: serde::de::DeserializeOwned>(
    table: &'static str,
    key: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        table,
        key: key.to_owned(),
        why: e.to_string(),
    })
}

/// Writes a value for a JSON column. Serialising plain data cannot fail; a type
/// that can (a map with non-string keys) is a bug reported as a corrupt row.
pub fn to_json<T: serde::Serialize>(
    table: &'static str,
    key: &str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        table,
        key: key.to_owned(),
        why: format!("cannot be written as JSON: {e}"),
    })
}

/// The database.
#[derive(Debug)]
pub struct Store {
    connection: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let opened = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let connection = Connection::open(path).map_err(opened)?;
        // WAL keeps readers (a second `samlsim` process, sqlite3 in a shell) from
        // blocking the server. This is also the first read of the file, where a
        // file that is not a database shows: report it with its path.
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(opened)?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(opened)?;
        Self::with_connection(connection)
    }

    /// A private in-memory database, for tests and throw-away emulators.
    pub fn in_memory() -> Result<Self, StoreError> {
        let connection = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Self::with_connection(connection)
    }

    fn with_connection(connection: Connection) -> Result<Self, StoreError> {
        connection.pragma_update(None, "foreign_keys", "ON")?;
        // Every service's statements stay prepared: parsing SQL on each request
        // showed in the profile of the six-step flow.
        connection.set_prepared_statement_cache_capacity(128);
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_versions (
                 component TEXT PRIMARY KEY,
                 version INTEGER NOT NULL
             );",
        )?;
        Ok(Store {
            connection: Mutex::new(connection),
        })
    }

    /// Brings `component`'s tables up to date: runs the steps of `migrations` it
    /// has not run yet, each in a transaction. Steps are only ever appended.
    pub fn migrate(&self, component: &str, migrations: &[&str]) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let done: usize = connection
            .query_row(
                "SELECT version FROM schema_versions WHERE component = ?1",
                [component],
                |row| row.get::<_, i64>(0),
            )
            .map(|v| usize::try_from(v).unwrap_or(0))
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(0),
                other => Err(other),
            })?;
        for (index, sql) in migrations.iter().enumerate().skip(done) {
            let version = index + 1;
            let fail = |source| StoreError::Migration {
                component: component.to_owned(),
                version,
                source,
            };
            let tx = connection.transaction().map_err(fail)?;
            tx.execute_batch(sql).map_err(fail)?;
            tx.prepare_cached(
                "INSERT INTO schema_versions (component, version) VALUES (?1, ?2)
                 ON CONFLICT(component) DO UPDATE SET version = excluded.version",
            )?
            .execute(rusqlite::params![component, version as i64])
            .map_err(fail)?;
            tx.commit().map_err(fail)?;
        }
        Ok(())
    }

    /// Runs `f` with the connection.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        Ok(f(&mut self.lock())?)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (each
        // statement is atomic), so a poisoned lock is still usable.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let steps = [
            "CREATE TABLE a (x INTEGER);",
            "ALTER TABLE a ADD COLUMN y TEXT;",
        ];
        {
            let store = Store::open(&path).unwrap();
            store.migrate("test", &steps[..1]).unwrap();
            store
                .with(|c| {
                    c.prepare_cached("INSERT INTO a (x) VALUES (1)")?
                        .execute([])
                })
                .unwrap();
        }
        let store = Store::open(&path).unwrap();
        store.migrate("test", &steps).unwrap();
        store.migrate("test", &steps).unwrap();
        let (x, y): (i64, Option<String>) = store
            .with(|c| {
                c.prepare_cached("SELECT x, y FROM a")?
                    .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            })
            .unwrap();
        assert_eq!((x, y), (1, None));
    }

    #[test]
    fn hostile_store_a_damaged_database_file_is_named_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("samlsim.db");
        std::fs::write(&path, vec![0x5a; 8192]).unwrap();
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("--fresh"), "{err}");
    }

    #[test]
    fn a_corrupt_json_value_names_its_table_and_key() {
        let err = from_json::<Vec<String>>("connect_users", "alice", "{not json").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("connect_users row \"alice\" is damaged"),
            "{text}"
        );
        assert!(text.contains("--fresh"), "{text}");
        assert_eq!(from_json::<Vec<u8>>("t", "k", "[1]").unwrap(), vec![1]);
    }

    #[test]
    fn a_failing_step_names_its_component_and_version() {
        let store = Store::in_memory().unwrap();
        let err = store
            .migrate("idp", &["CREATE TABLE ok (x);", "NOT SQL"])
            .unwrap_err();
        assert!(err.to_string().contains("idp tables to version 2"), "{err}");
    }
}
