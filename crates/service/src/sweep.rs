//! Retention of short-lived state, by the virtual clock.
//!
//! Sessions, pending requests, issued credentials, one-time tokens and replay
//! records all expire; an emulator left running all day (a demo laptop, a CI
//! worker, a soak) must delete them once they have, or its database and its
//! memory grow with every request ever made. One mechanism for every service: each
//! service crate has a `sweep` module with one function, `fn(&Store, &Horizon) ->
//! Result<usize, StoreError>`, that deletes its rows past the horizon; the emulator
//! registers them in one [`Sweeper`] and calls [`Sweeper::tick`] once per request.
//! The sweeper runs them all, in one transaction, at most once per
//! [`SweepPolicy::every_requests`] requests or once the virtual clock has moved a
//! minute since the last sweep, whichever comes first.
//!
//! An expired row is kept for [`Horizon::keep_expired`] after it expires, so a
//! request that arrives late still gets the precise refusal (`ExpiredToken`, "the
//! session expired") rather than "unknown"; after that it is gone.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::clock::UnixTime;
use crate::store::{Store, StoreError};

/// What a sweep is told: the time, and how long expired or old rows stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    /// Now, by the virtual clock.
    pub now: UnixTime,
    /// Seconds an expired row is kept after it expires.
    pub keep_expired: i64,
    /// Of an unbounded history (responses the IdP issued), how many of the newest
    /// rows are kept.
    pub keep_records: u64,
}

impl Horizon {
    /// Rows that expired at or before this are swept.
    pub fn expired_before(&self) -> UnixTime {
        self.now.saturating_sub(self.keep_expired)
    }
}

/// One service's sweep: deletes its rows past `horizon`, returns how many.
pub type SweepFn = fn(&Store, &Horizon) -> Result<usize, StoreError>;

/// When sweeps run, and what they keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepPolicy {
    /// Sweep at least once per this many requests.
    pub every_requests: u64,
    /// Seconds an expired row is kept after it expires.
    pub keep_expired: i64,
    /// See [`Horizon::keep_records`].
    pub keep_records: u64,
}

impl Default for SweepPolicy {
    fn default() -> Self {
        SweepPolicy {
            every_requests: 1_000,
            keep_expired: 24 * 3600,
            keep_records: 10_000,
        }
    }
}

/// Seconds of virtual time after which a sweep runs whatever the request count.
pub const SWEEP_EVERY_SECONDS: i64 = 60;

/// The registered sweeps and when they last ran.
pub struct Sweeper {
    store: Arc<Store>,
    policy: SweepPolicy,
    sweeps: Vec<(&'static str, SweepFn)>,
    requests: AtomicU64,
    /// Virtual time of the last sweep; held while a sweep runs so only one runs.
    last: Mutex<Option<UnixTime>>,
    runs: AtomicU64,
    removed: AtomicU64,
}

/// What the sweeper has done since the emulator started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SweepStats {
    pub runs: u64,
    pub removed: u64,
}

impl Sweeper {
    pub fn new(store: Arc<Store>, policy: SweepPolicy) -> Self {
        Sweeper {
            store,
            policy,
            sweeps: Vec::new(),
            requests: AtomicU64::new(0),
            last: Mutex::new(None),
            runs: AtomicU64::new(0),
            removed: AtomicU64::new(0),
        }
    }

    /// Adds `sweep`, named for the logs (`idp`, `aws`, ...).
    pub fn register(mut self, name: &'static str, sweep: SweepFn) -> Self {
        self.sweeps.push((name, sweep));
        self
    }

    /// The database swept (for tests counting rows).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn policy(&self) -> SweepPolicy {
        self.policy
    }

    pub fn stats(&self) -> SweepStats {
        SweepStats {
            runs: self.runs.load(Ordering::Relaxed),
            removed: self.removed.load(Ordering::Relaxed),
        }
    }

    /// Counts one request; sweeps when the policy says so. Returns how many rows
    /// went (0 when no sweep ran). A sweep already running on another thread is
    /// not waited for.
    pub fn tick(&self, now: UnixTime) -> Result<usize, StoreError> {
        let requests = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        let Ok(mut last) = self.last.try_lock() else {
            return Ok(0);
        };
        let due = requests >= self.policy.every_requests.max(1)
            || last.is_none_or(|at| now.saturating_sub(at) >= SWEEP_EVERY_SECONDS);
        if !due {
            return Ok(0);
        }
        self.requests.store(0, Ordering::Relaxed);
        *last = Some(now);
        self.run(now)
    }

    /// Runs every sweep now, in one transaction.
    pub fn run(&self, now: UnixTime) -> Result<usize, StoreError> {
        let horizon = Horizon {
            now,
            keep_expired: self.policy.keep_expired,
            keep_records: self.policy.keep_records,
        };
        let removed = self.store.transaction(|| {
            let mut removed = 0;
            for (name, sweep) in &self.sweeps {
                let n = sweep(&self.store, &horizon)?;
                if n > 0 {
                    tracing::debug!(service = name, removed = n, "swept expired rows");
                }
                removed += n;
            }
            Ok::<_, StoreError>(removed)
        })?;
        self.runs.fetch_add(1, Ordering::Relaxed);
        self.removed.fetch_add(removed as u64, Ordering::Relaxed);
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(store: &Store) -> i64 {
        store
            .with(|c| c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)))
            .unwrap()
    }

    fn sweep_t(store: &Store, horizon: &Horizon) -> Result<usize, StoreError> {
        store.with(|c| {
            c.prepare_cached("DELETE FROM t WHERE expires_at <= ?1")?
                .execute([horizon.expired_before()])
        })
    }

    #[test]
    fn the_sweeper_runs_per_request_count_and_per_virtual_minute() {
        let store = Arc::new(Store::in_memory().unwrap());
        store
            .migrate("t", &["CREATE TABLE t (expires_at INTEGER NOT NULL);"])
            .unwrap();
        let insert = |at: i64| {
            store
                .with(|c| c.execute("INSERT INTO t (expires_at) VALUES (?1)", [at]))
                .unwrap();
        };
        let sweeper = Sweeper::new(
            store.clone(),
            SweepPolicy {
                every_requests: 10,
                keep_expired: 100,
                keep_records: 1,
            },
        )
        .register("t", sweep_t);
        // The first request sweeps (nothing ran yet).
        assert_eq!(sweeper.tick(1_000).unwrap(), 0);
        insert(500); // expired 500 s ago: past keep_expired
        insert(950); // expired 50 s ago: kept
        insert(2_000); // live
        for _ in 0..9 {
            assert_eq!(sweeper.tick(1_000).unwrap(), 0);
        }
        assert_eq!(rows(&store), 3, "not yet due");
        assert_eq!(sweeper.tick(1_000).unwrap(), 1, "the tenth request sweeps");
        assert_eq!(rows(&store), 2);
        // A virtual minute later the next request sweeps, whatever the count.
        assert_eq!(sweeper.tick(1_060).unwrap(), 1);
        assert_eq!(rows(&store), 1, "the live row stays");
        assert_eq!(
            sweeper.stats(),
            SweepStats {
                runs: 3,
                removed: 2
            }
        );
    }
}
