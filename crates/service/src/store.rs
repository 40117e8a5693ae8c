//! The SQLite database every service keeps its state in.
//!
//! One file (`samlsim.db` in the data folder) so a restart keeps everything and
//! `--fresh` removes one thing. Each service owns its tables: it hands its schema to
//! [`Store::migrate`] under its own name and reads and writes them through
//! [`Store::with`]. One connection behind a mutex is plenty for a local emulator:
//! statements take microseconds, and it keeps transactions trivially serialised.
//!
//! Several calls that must happen together (first-start seeding across every
//! service; an admin create that checks, then writes) run in
//! [`Store::transaction`]: the calling thread owns the connection until it
//! ends, so another request's statements cannot land in the middle of it, and
//! a failure or a kill leaves nothing of it behind.

use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::ThreadId;

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
    /// Whether the database lives in this process only (see [`Store::is_in_memory`]).
    in_memory: bool,
    /// Which thread holds the connection, how many times over: [`Store::with`]
    /// inside [`Store::transaction`] on the same thread must not wait for itself.
    owner: Mutex<Owner>,
    released: Condvar,
}

#[derive(Debug, Default)]
struct Owner {
    thread: Option<ThreadId>,
    depth: usize,
    /// Threads waiting for the hold: a release wakes them only when there are
    /// any (a wake is a system call; most releases have nobody to wake).
    waiting: usize,
}

/// The calling thread's hold on the store; released on drop (also on panic).
struct Hold<'a> {
    store: &'a Store,
    outermost: bool,
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        let mut owner = self
            .store
            .owner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        owner.depth -= 1;
        if owner.depth == 0 {
            owner.thread = None;
            if owner.waiting > 0 {
                self.store.released.notify_all();
            }
        }
    }
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
        Self::with_connection(connection, false)
    }

    /// A private in-memory database, for tests and throw-away emulators.
    ///
    /// It lives in SQLite's `memdb` VFS (a file held in memory) rather than
    /// `:memory:`. A `:memory:` database is its page cache, so the cache holds
    /// every page; each commit after a b-tree balance that swapped page numbers
    /// (through the PENDING_BYTE page, `balance_nonroot`) walks that whole cache
    /// (`pcache1TruncateUnsafe`), and a flow got slower as the event and
    /// exchange logs grew (5.7 % of a flow after ten seconds of the bench). With
    /// `memdb` the cache is bounded as for a file, and the walk with it: 0.6 %.
    /// A name without a leading `/` keeps the database private to this
    /// connection. `memdb` caps a database at 1 GiB (SQLite's
    /// SQLITE_MEMDB_DEFAULT_MAXSIZE); retention keeps the logs far below that.
    pub fn in_memory() -> Result<Self, StoreError> {
        const PRIVATE_MEMDB: &str = "file:samlsim?vfs=memdb";
        let connection = Connection::open(PRIVATE_MEMDB).map_err(|source| StoreError::Open {
            path: PRIVATE_MEMDB.into(),
            source,
        })?;
        // This connection is the database's only one: keeping its lock spares
        // every transaction the check for other connections' changes (1 % of a
        // six-step flow's instructions, by callgrind).
        connection.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        Self::with_connection(connection, true)
    }

    /// Whether the database ends with this process: then a crash loses all of it,
    /// and writes held back a moment lose nothing more.
    pub fn is_in_memory(&self) -> bool {
        self.in_memory
    }

    fn with_connection(connection: Connection, in_memory: bool) -> Result<Self, StoreError> {
        connection.pragma_update(None, "foreign_keys", "ON")?;
        // Every service's statements stay prepared: parsing SQL on each request
        // showed in the profile of the six-step flow.
        connection.set_prepared_statement_cache_capacity(128);
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_versions (
                 component TEXT PRIMARY KEY,
                 version INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS markers (name TEXT PRIMARY KEY);",
        )?;
        Ok(Store {
            connection: Mutex::new(connection),
            in_memory,
            owner: Mutex::new(Owner::default()),
            released: Condvar::new(),
        })
    }

    /// Brings `component`'s tables up to date: runs the steps of `migrations` it
    /// has not run yet, each in a transaction. Steps are only ever appended.
    pub fn migrate(&self, component: &str, migrations: &[&str]) -> Result<(), StoreError> {
        let _hold = self.hold();
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
            // A savepoint: a migration may run inside a `Store::transaction`.
            let tx = connection.savepoint().map_err(fail)?;
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

    /// Runs `f` with the connection. Inside `f`, use `savepoint()` rather than
    /// `transaction()` for several statements: it nests in a [`Store::transaction`].
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let _hold = self.hold();
        Ok(f(&mut self.lock())?)
    }

    /// Runs `f`, and every [`Store::with`] it makes on this thread, as one
    /// transaction: committed when `f` returns `Ok`, rolled back when it returns
    /// `Err` or panics. Other threads wait until it ends. Nested calls join the
    /// outermost transaction.
    ///
    /// # Errors
    ///
    /// `f`'s error, or the store's when the transaction cannot begin or commit.
    pub fn transaction<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let hold = self.hold();
        if !hold.outermost {
            return f();
        }
        self.lock()
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(StoreError::from)?;
        struct Rollback<'a>(&'a Store, bool);
        impl Drop for Rollback<'_> {
            fn drop(&mut self) {
                if self.1
                    && let Err(error) = self.0.lock().execute_batch("ROLLBACK")
                {
                    tracing::error!(%error, "rolling back a store transaction failed");
                }
            }
        }
        let mut rollback = Rollback(self, true);
        let value = f()?;
        self.lock()
            .execute_batch("COMMIT")
            .map_err(StoreError::from)?;
        rollback.1 = false;
        Ok(value)
    }

    /// Whether `marker` was set (see [`Store::set_marker`]).
    pub fn has_marker(&self, marker: &str) -> Result<bool, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT count(*) FROM markers WHERE name = ?1")?
                .query_row([marker], |r| r.get::<_, i64>(0))
        })
        .map(|n| n > 0)
    }

    /// Records `marker` (e.g. `seeded`, written last in the seeding transaction).
    pub fn set_marker(&self, marker: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached("INSERT OR IGNORE INTO markers (name) VALUES (?1)")?
                .execute([marker])
        })?;
        Ok(())
    }

    /// Whether any component has created its tables yet.
    pub fn has_migrated_anything(&self) -> Result<bool, StoreError> {
        self.with(|c| {
            c.prepare_cached("SELECT count(*) FROM schema_versions")?
                .query_row([], |r| r.get::<_, i64>(0))
        })
        .map(|n| n > 0)
    }

    fn hold(&self) -> Hold<'_> {
        // A hold lasts microseconds (a statement or a few), so a waiter first
        // spins a moment, about as long as one, before it sleeps: with two
        // threads, going straight to sleep cost a wake-up, a system call each
        // way, for most hand-overs (two threads' flows 1,637 per second without
        // the spin, 1,842 with it, medians of six interleaved runs;
        // docs/benchmarks.md, fifth sitting).
        const SPINS: usize = 20;
        const PAUSES_PER_SPIN: usize = 32;
        let me = std::thread::current().id();
        let mut owner = self
            .owner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut spins = 0;
        while owner.thread.is_some_and(|t| t != me) {
            if spins < SPINS {
                spins += 1;
                drop(owner);
                for _ in 0..PAUSES_PER_SPIN {
                    std::hint::spin_loop();
                }
                owner = self
                    .owner
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                continue;
            }
            owner.waiting += 1;
            owner = self
                .released
                .wait(owner)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            owner.waiting -= 1;
        }
        owner.thread = Some(me);
        owner.depth += 1;
        Hold {
            store: self,
            outermost: owner.depth == 1,
        }
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
    fn hostile_store_a_failed_transaction_leaves_nothing_and_excludes_other_threads() {
        let store = std::sync::Arc::new(Store::in_memory().unwrap());
        store
            .migrate("t", &["CREATE TABLE a (x INTEGER);"])
            .unwrap();
        let count = |store: &Store| {
            store
                .with(|c| c.query_row("SELECT count(*) FROM a", [], |r| r.get::<_, i64>(0)))
                .unwrap()
        };
        let failed: Result<(), StoreError> = store.transaction(|| {
            store.with(|c| c.execute("INSERT INTO a (x) VALUES (1)", []))?;
            // Nested: joins the outer transaction, savepoints included.
            store.transaction(|| store.with(|c| c.execute("INSERT INTO a (x) VALUES (2)", [])))?;
            store.migrate("u", &["CREATE TABLE b (y INTEGER);"])?;
            Err(StoreError::Corrupt {
                table: "a",
                key: "1".into(),
                why: "test".into(),
            })
        });
        assert!(failed.is_err());
        assert_eq!(count(&store), 0);
        assert!(store.with(|c| c.execute("SELECT * FROM b", [])).is_err());

        // Another thread's statement waits for the transaction to end, so it
        // never lands inside it.
        let (started, wait) = std::sync::mpsc::channel();
        let other = store.clone();
        let writer = std::sync::Arc::new(std::sync::Barrier::new(2));
        let writer2 = writer.clone();
        let handle = std::thread::spawn(move || {
            writer2.wait();
            started.send(()).unwrap();
            other
                .with(|c| c.execute("INSERT INTO a (x) VALUES (3)", []))
                .unwrap();
        });
        let rolled_back: Result<(), StoreError> = store.transaction(|| {
            writer.wait();
            wait.recv().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(50));
            store.with(|c| c.execute("INSERT INTO a (x) VALUES (4)", []))?;
            Err(StoreError::Corrupt {
                table: "a",
                key: "4".into(),
                why: "test".into(),
            })
        });
        assert!(rolled_back.is_err());
        handle.join().unwrap();
        let rows: Vec<i64> = store
            .with(|c| {
                c.prepare("SELECT x FROM a")?
                    .query_map([], |r| r.get(0))?
                    .collect()
            })
            .unwrap();
        assert_eq!(rows, vec![3]);
    }

    #[test]
    fn in_memory_stores_are_private_and_roll_back() {
        let first = Store::in_memory().unwrap();
        let second = Store::in_memory().unwrap();
        first
            .migrate("t", &["CREATE TABLE a (x INTEGER);"])
            .unwrap();
        assert!(!second.has_migrated_anything().unwrap());
        let failed: Result<(), StoreError> = first.transaction(|| {
            first.with(|c| c.execute("INSERT INTO a (x) VALUES (1)", []))?;
            Err(StoreError::Corrupt {
                table: "a",
                key: "1".into(),
                why: "test".into(),
            })
        });
        assert!(failed.is_err());
        let rows = first
            .with(|c| c.query_row("SELECT count(*) FROM a", [], |r| r.get::<_, i64>(0)))
            .unwrap();
        assert_eq!(rows, 0);
    }

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
