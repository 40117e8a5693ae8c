//! The event log: every step of every flow, what happened, and which rule decided.
//!
//! It is what a failed scenario prints, what the admin API serves to test suites,
//! and what the flow inspector will replay for demos. Services record; nobody
//! edits. A *flow* is one browser (the `samlsim_flow` cookie every service shares)
//! or one API caller, so the six steps of one sign-in read as one story.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::clock::{Clock, UnixTime};
use crate::store::{Store, StoreError};

/// The cookie that ties one browser's requests into one flow (Path=/, all services).
pub const FLOW_COOKIE: &str = "samlsim_flow";

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The step did what was asked.
    Ok,
    /// The step refused, as the emulated service would (a rule was broken).
    Refused,
    /// Bad input that no rule of the emulated service covers (malformed request).
    Invalid,
    /// samlsim itself failed (storage, a damaged data folder): not a behaviour of
    /// the emulated service, and said so.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Invalid => "invalid",
            Outcome::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            Outcome::Ok,
            Outcome::Refused,
            Outcome::Invalid,
            Outcome::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}

/// One recorded step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: i64,
    pub at: UnixTime,
    pub flow: Option<String>,
    /// `idp`, `aws`, `connect`, `cognito`, `admin`.
    pub service: String,
    /// The seed behaviour the step belongs to (`C2`, `C5`, ...), when there is one.
    pub step: Option<String>,
    /// What was attempted, e.g. `login`, `sso.response`, `assume-role-with-saml`.
    pub action: String,
    pub outcome: Outcome,
    /// The rule that decided a refusal, e.g. `password` or `acs-not-registered`.
    pub rule: Option<String>,
    pub message: String,
    /// Structured details (user, SP, IDs); never secrets.
    pub detail: serde_json::Value,
}

/// What a service records; the log adds the id and the time.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub flow: Option<String>,
    pub service: &'static str,
    pub step: Option<&'static str>,
    pub action: &'static str,
    pub outcome: Outcome,
    pub rule: Option<&'static str>,
    pub message: String,
    pub detail: serde_json::Value,
}

impl NewEvent {
    pub fn ok(service: &'static str, action: &'static str, message: impl Into<String>) -> Self {
        NewEvent {
            flow: None,
            service,
            step: None,
            action,
            outcome: Outcome::Ok,
            rule: None,
            message: message.into(),
            detail: serde_json::Value::Null,
        }
    }

    pub fn refused(
        service: &'static str,
        action: &'static str,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        NewEvent {
            outcome: Outcome::Refused,
            rule: Some(rule),
            ..NewEvent::ok(service, action, message)
        }
    }

    pub fn invalid(
        service: &'static str,
        action: &'static str,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        NewEvent {
            outcome: Outcome::Invalid,
            rule: Some(rule),
            ..NewEvent::ok(service, action, message)
        }
    }

    pub fn step(mut self, step: &'static str) -> Self {
        self.step = Some(step);
        self
    }

    pub fn flow(mut self, flow: Option<String>) -> Self {
        self.flow = flow;
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// Bounds every string inside a detail value (see [`crate::bounded`]).
fn bound_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if let std::borrow::Cow::Owned(shorter) = crate::bounded(text) {
                *text = shorter;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(bound_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(bound_strings),
        _ => {}
    }
}

/// Which events to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventFilter {
    pub flow: Option<String>,
    pub service: Option<String>,
    /// Only events with an id greater than this.
    pub after: Option<i64>,
    pub limit: Option<u32>,
}

/// How much of the log is kept. An emulator left running all day (a demo laptop,
/// a CI worker) must not grow without bound: past `max_events` the oldest events
/// are dropped, and with `max_age` so is every event older than that by the
/// virtual clock. Dropped events are counted ([`EventLog::dropped`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub max_events: u64,
    /// In seconds of virtual time.
    pub max_age: Option<i64>,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_events: 100_000,
            max_age: None,
        }
    }
}

/// Pruning runs once per this many recorded events: one indexed DELETE amortised
/// over them, so the log holds at most `max_events` plus this many.
const PRUNE_EVERY: u64 = 512;

/// The log, stored in the shared database.
#[derive(Clone)]
pub struct EventLog {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    retention: Retention,
    recorded: Arc<std::sync::atomic::AtomicU64>,
    dropped: Arc<std::sync::atomic::AtomicU64>,
}

const MIGRATIONS: &[&str] = &[
    "CREATE TABLE events (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         at INTEGER NOT NULL,
         flow TEXT,
         service TEXT NOT NULL,
         step TEXT,
         action TEXT NOT NULL,
         outcome TEXT NOT NULL,
         rule TEXT,
         message TEXT NOT NULL,
         detail TEXT NOT NULL
     );
     CREATE INDEX events_flow ON events (flow, id);",
    // Retention by age deletes by time.
    "CREATE INDEX events_at ON events (at);",
];

impl EventLog {
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        store.migrate("events", MIGRATIONS)?;
        Ok(EventLog {
            store,
            clock,
            retention: Retention::default(),
            recorded: Arc::default(),
            dropped: Arc::default(),
        })
    }

    /// The log keeping what `retention` says.
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// How many events retention has dropped since the emulator started.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Drops what the retention no longer keeps; returns how many.
    fn prune(&self, newest: i64, now: UnixTime) -> Result<u64, StoreError> {
        let keep_from =
            newest.saturating_sub(i64::try_from(self.retention.max_events).unwrap_or(i64::MAX));
        let older_than = self.retention.max_age.map(|age| now.saturating_sub(age));
        let removed = self.store.with(|c| {
            let mut removed = c
                .prepare_cached("DELETE FROM events WHERE id <= ?1")?
                .execute([keep_from])?;
            if let Some(older_than) = older_than {
                removed += c
                    .prepare_cached("DELETE FROM events WHERE at < ?1")?
                    .execute([older_than])?;
            }
            Ok(removed)
        })?;
        let removed = removed as u64;
        self.dropped
            .fetch_add(removed, std::sync::atomic::Ordering::Relaxed);
        Ok(removed)
    }

    /// Records `event` now; returns it as stored. A failure to record is returned,
    /// not swallowed: a log that silently loses steps would mislead every test.
    pub fn record(&self, event: NewEvent) -> Result<Event, StoreError> {
        let row = self.row(event);
        let id = self.store.with(|c| row.insert(c))?;
        self.count(1, id, row.at)?;
        Ok(row.into_event(id))
    }

    /// Records `event` as part of the request this thread is answering, when
    /// [`EventLog::open_request`] opened one: it is written with the request's
    /// exchange, in the same transaction, when the request ends. Otherwise it is
    /// recorded now, as [`EventLog::record`] does.
    pub fn note(&self, event: NewEvent) -> Result<(), StoreError> {
        let row = self.row(event);
        let store = Arc::as_ptr(&self.store);
        let row = OPEN.with_borrow_mut(|open| match open {
            Some(open) if std::ptr::eq(open.store, store) => {
                open.rows.push(row);
                None
            }
            _ => Some(row),
        });
        if let Some(row) = row {
            let id = self.store.with(|c| row.insert(c))?;
            self.count(1, id, row.at)?;
        }
        Ok(())
    }

    /// Opens the request this thread is about to answer: until the returned
    /// handle is closed, [`EventLog::note`] keeps this log's events for it. One
    /// transaction per request then writes them all with the exchange, instead of
    /// one commit (and one turn of the store's lock) per event. A request that
    /// ends without closing (a panic) still writes its events, on drop.
    ///
    /// A request opened inside another on the same thread (not done today) notes
    /// into the outer one; its own handle then closes with no events.
    pub fn open_request(&self) -> RequestEvents<'_> {
        let store = Arc::as_ptr(&self.store);
        let opened = OPEN.with_borrow_mut(|open| {
            if open.is_some() {
                return false;
            }
            *open = Some(Open {
                store,
                rows: Vec::new(),
            });
            true
        });
        RequestEvents { log: self, opened }
    }

    /// The row for `event`: bounded, timed, its detail serialised. Done before
    /// the store's lock is taken, so other threads wait only for the INSERT.
    fn row(&self, mut event: NewEvent) -> Row {
        // Messages and details quote requests; one bound for every service.
        if let std::borrow::Cow::Owned(message) = crate::bounded(&event.message) {
            event.message = message;
        }
        bound_strings(&mut event.detail);
        Row {
            at: self.clock.now(),
            detail_json: event.detail.to_string(),
            event,
        }
    }

    /// Counts `added` events, the newest `newest`; prunes when a multiple of
    /// [`PRUNE_EVERY`] was crossed.
    fn count(&self, added: u64, newest: i64, now: UnixTime) -> Result<(), StoreError> {
        let before = self
            .recorded
            .fetch_add(added, std::sync::atomic::Ordering::Relaxed);
        if before / PRUNE_EVERY != (before + added) / PRUNE_EVERY {
            self.prune(newest, now)?;
        }
        Ok(())
    }

    /// Events matching `filter`, oldest first.
    pub fn list(&self, filter: &EventFilter) -> Result<Vec<Event>, StoreError> {
        self.store.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT id, at, flow, service, step, action, outcome, rule, message, detail FROM events
                 WHERE (?1 IS NULL OR flow = ?1) AND (?2 IS NULL OR service = ?2) AND id > ?3
                 ORDER BY id LIMIT ?4",
            )?;
            let rows = statement.query_map(
                rusqlite::params![
                    filter.flow,
                    filter.service,
                    filter.after.unwrap_or(0),
                    i64::from(filter.limit.unwrap_or(1000))
                ],
                read_event,
            )?;
            rows.collect()
        })
    }

    /// The newest event of `service` and `action` older than event `before`: what
    /// was last said of something at that moment (a demo switch's flips).
    pub fn newest_before(
        &self,
        service: &str,
        action: &str,
        before: i64,
    ) -> Result<Option<Event>, StoreError> {
        self.store.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT id, at, flow, service, step, action, outcome, rule, message, detail FROM events
                 WHERE service = ?1 AND action = ?2 AND id < ?3
                 ORDER BY id DESC LIMIT 1",
            )?;
            let mut rows = statement.query_map(rusqlite::params![service, action, before], read_event)?;
            rows.next().transpose()
        })
    }
}

/// An event ready to be written (see [`EventLog::row`]).
struct Row {
    at: UnixTime,
    event: NewEvent,
    detail_json: String,
}

impl Row {
    fn insert(&self, c: &rusqlite::Connection) -> rusqlite::Result<i64> {
        let event = &self.event;
        c.prepare_cached(
            "INSERT INTO events (at, flow, service, step, action, outcome, rule, message, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(rusqlite::params![
            self.at,
            event.flow,
            event.service,
            event.step,
            event.action,
            event.outcome.as_str(),
            event.rule,
            event.message,
            self.detail_json,
        ])?;
        Ok(c.last_insert_rowid())
    }

    fn into_event(self, id: i64) -> Event {
        let event = self.event;
        Event {
            id,
            at: self.at,
            flow: event.flow,
            service: event.service.to_owned(),
            step: event.step.map(str::to_owned),
            action: event.action.to_owned(),
            outcome: event.outcome,
            rule: event.rule.map(str::to_owned),
            message: event.message,
            detail: event.detail,
        }
    }
}

/// The request this thread is answering, and the events noted for it so far.
struct Open {
    /// The store of the log that opened it: a log on another store (a second
    /// emulator in the same test thread) records as if nothing were open.
    store: *const Store,
    rows: Vec<Row>,
}

thread_local! {
    static OPEN: std::cell::RefCell<Option<Open>> = const { std::cell::RefCell::new(None) };
}

/// A request's events, held until it ends (see [`EventLog::open_request`]).
pub struct RequestEvents<'a> {
    log: &'a EventLog,
    /// Whether this handle opened the thread's request (not a nested one).
    opened: bool,
}

impl RequestEvents<'_> {
    fn take(&mut self) -> Vec<Row> {
        if !std::mem::take(&mut self.opened) {
            return Vec::new();
        }
        OPEN.with_borrow_mut(|open| open.take().map(|open| open.rows))
            .unwrap_or_default()
    }

    /// Writes the request's events and then `then` (the request's exchange), in one
    /// transaction. `then` is given the range of event ids the request recorded,
    /// `(after, upto]`: exact, as no other thread's event can land inside it.
    ///
    /// # Errors
    ///
    /// The store's; then nothing of the request's events or of `then` is kept.
    pub fn close<T>(
        mut self,
        then: impl FnOnce(&rusqlite::Connection, i64, i64) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let rows = self.take();
        self.write(rows, then)
    }

    fn write<T>(
        &self,
        rows: Vec<Row>,
        then: impl FnOnce(&rusqlite::Connection, i64, i64) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let (value, upto) = self.log.store.with(|c| {
            let tx = c.savepoint()?;
            let mut ids = Vec::with_capacity(rows.len());
            for row in &rows {
                ids.push(row.insert(&tx)?);
            }
            let (after, upto) = match (ids.first(), ids.last()) {
                // AUTOINCREMENT ids of one transaction follow each other.
                (Some(first), Some(last)) => (first - 1, *last),
                _ => {
                    let newest = tx
                        .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM events")?
                        .query_row([], |row| row.get(0))?;
                    (newest, newest)
                }
            };
            let value = then(&tx, after, upto)?;
            tx.commit()?;
            Ok((value, upto))
        })?;
        if let Some(last) = rows.last() {
            self.log.count(rows.len() as u64, upto, last.at)?;
        }
        Ok(value)
    }
}

impl Drop for RequestEvents<'_> {
    /// A request that did not close (it panicked) still keeps its events.
    fn drop(&mut self) {
        let rows = self.take();
        if rows.is_empty() {
            return;
        }
        if let Err(error) = self.write(rows, |_, _, _| Ok(())) {
            tracing::error!(%error, "recording the events of an unfinished request failed");
        }
    }
}

/// One `events` row, in the column order both queries select.
fn read_event(row: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let id: i64 = row.get(0)?;
    let outcome: String = row.get(6)?;
    let detail: String = row.get(9)?;
    let corrupt = |column: usize, why: String| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            format!("events row {id}: {why}").into(),
        )
    };
    let outcome = Outcome::parse(&outcome)
        .ok_or_else(|| corrupt(6, format!("unknown outcome {outcome:?}")))?;
    let detail = serde_json::from_str(&detail)
        .map_err(|e| corrupt(9, format!("detail is not JSON: {e}")))?;
    Ok(Event {
        id,
        at: row.get(1)?,
        flow: row.get(2)?,
        service: row.get(3)?,
        step: row.get(4)?,
        action: row.get(5)?,
        outcome,
        rule: row.get(7)?,
        message: row.get(8)?,
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::VirtualClock;

    #[test]
    fn newest_before_finds_the_last_word_on_something_at_a_moment() {
        let store = Arc::new(Store::in_memory().unwrap());
        let log = EventLog::new(store, Arc::new(VirtualClock::frozen(0))).unwrap();
        let flip = |n: u32| {
            log.record(NewEvent::ok("admin", "demo.switch", format!("flip {n}")))
                .unwrap()
        };
        let other = || {
            log.record(NewEvent::ok("admin", "idp.change", "not a flip"))
                .unwrap()
        };
        let first = flip(1);
        other();
        let second = flip(2);
        let last = other();
        let newest = |before: i64| {
            log.newest_before("admin", "demo.switch", before)
                .unwrap()
                .map(|e| e.message)
        };
        assert_eq!(newest(last.id + 1).as_deref(), Some("flip 2"));
        assert_eq!(newest(second.id).as_deref(), Some("flip 1"));
        assert_eq!(newest(first.id), None);
    }

    #[test]
    fn retention_drops_the_oldest_events_and_counts_them() {
        let store = Arc::new(Store::in_memory().unwrap());
        let clock = Arc::new(VirtualClock::frozen(0));
        let log = EventLog::new(store, clock.clone())
            .unwrap()
            .with_retention(Retention {
                max_events: 1_000,
                max_age: Some(3_600),
            });
        for i in 0..5_000 {
            log.record(NewEvent::ok("idp", "login", format!("event {i}")))
                .unwrap();
        }
        let kept = log
            .list(&EventFilter {
                limit: Some(100_000),
                ..EventFilter::default()
            })
            .unwrap();
        assert!(kept.len() <= 1_000 + PRUNE_EVERY as usize, "{}", kept.len());
        assert_eq!(
            kept.last().unwrap().message,
            "event 4999",
            "the newest stay"
        );
        assert!(kept[0].message != "event 0", "the oldest go");
        assert_eq!(log.dropped(), 5_000 - kept.len() as u64);
        // By age: an hour later, everything before is gone at the next prune.
        clock.advance(7_200);
        for i in 0..PRUNE_EVERY {
            log.record(NewEvent::ok("idp", "login", format!("later {i}")))
                .unwrap();
        }
        let kept = log
            .list(&EventFilter {
                limit: Some(100_000),
                ..EventFilter::default()
            })
            .unwrap();
        assert!(
            kept.iter().all(|e| e.message.starts_with("later")),
            "{}",
            kept.len()
        );
    }

    #[test]
    fn hostile_echo_events_store_bounded_messages_and_details() {
        let store = Arc::new(Store::in_memory().unwrap());
        let log = EventLog::new(store, Arc::new(VirtualClock::frozen(0))).unwrap();
        let huge = "é".repeat(500_000);
        let event = log
            .record(
                NewEvent::refused("idp", "sso", "unknown-sp", huge.clone())
                    .detail(serde_json::json!({ "issuer": huge, "list": [huge] })),
            )
            .unwrap();
        assert!(event.message.len() < 2 * crate::MAX_QUOTED_BYTES);
        assert!(
            event.message.ends_with("… (1000000 bytes)"),
            "{}",
            &event.message[event.message.len() - 40..]
        );
        assert!(event.detail.to_string().len() < 6 * crate::MAX_QUOTED_BYTES);
    }

    #[test]
    fn events_round_trip_and_filter() {
        let store = Arc::new(Store::in_memory().unwrap());
        let clock = Arc::new(VirtualClock::frozen(1_700_000_000));
        let log = EventLog::new(store, clock.clone()).unwrap();
        log.record(
            NewEvent::ok("idp", "login", "alice signed in")
                .step("C3")
                .flow(Some("f1".into())),
        )
        .unwrap();
        clock.advance(5);
        log.record(
            NewEvent::refused("aws", "sign-in", "audience", "wrong audience")
                .flow(Some("f2".into())),
        )
        .unwrap();
        let all = log.list(&EventFilter::default()).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].at, 1_700_000_005);
        assert_eq!(all[1].outcome, Outcome::Refused);
        let f1 = log
            .list(&EventFilter {
                flow: Some("f1".into()),
                ..EventFilter::default()
            })
            .unwrap();
        assert_eq!(f1.len(), 1);
        assert_eq!(f1[0].step.as_deref(), Some("C3"));
    }

    #[test]
    fn a_requests_events_are_written_with_it_and_only_then() {
        let store = Arc::new(Store::in_memory().unwrap());
        let log = EventLog::new(store, Arc::new(VirtualClock::frozen(0))).unwrap();
        let other = EventLog::new(
            Arc::new(Store::in_memory().unwrap()),
            Arc::new(VirtualClock::frozen(0)),
        )
        .unwrap();
        let count = |log: &EventLog| log.list(&EventFilter::default()).unwrap().len();
        log.note(NewEvent::ok("idp", "login", "before")).unwrap();
        assert_eq!(count(&log), 1, "no request open: written now");

        let request = log.open_request();
        log.note(NewEvent::ok("idp", "login", "first")).unwrap();
        log.note(NewEvent::ok("idp", "sso", "second")).unwrap();
        other
            .note(NewEvent::ok("idp", "login", "elsewhere"))
            .unwrap();
        assert_eq!(count(&log), 1, "held until the request ends");
        assert_eq!(count(&other), 1, "another store's log is not held");
        // A request opened inside it notes into the outer one.
        let inner = log.open_request();
        log.note(NewEvent::ok("idp", "sso", "third")).unwrap();
        assert_eq!(
            inner.close(|_, after, upto| Ok((after, upto))).unwrap(),
            (1, 1)
        );
        let range = request.close(|_, after, upto| Ok((after, upto))).unwrap();
        assert_eq!(range, (1, 4));
        let messages: Vec<String> = log
            .list(&EventFilter::default())
            .unwrap()
            .into_iter()
            .map(|e| e.message)
            .collect();
        assert_eq!(messages, ["before", "first", "second", "third"]);

        // A request that never closes (it panicked) still keeps its events.
        let unfinished = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _request = log.open_request();
            log.note(NewEvent::ok("idp", "login", "then a panic"))
                .unwrap();
            panic!("a bug in a handler");
        }));
        assert!(unfinished.is_err());
        assert_eq!(count(&log), 5);
        log.note(NewEvent::ok("idp", "login", "after")).unwrap();
        assert_eq!(count(&log), 6, "nothing is left open");
    }

    #[test]
    fn a_request_that_fails_to_write_keeps_nothing_of_it() {
        let store = Arc::new(Store::in_memory().unwrap());
        let log = EventLog::new(store, Arc::new(VirtualClock::frozen(0))).unwrap();
        let request = log.open_request();
        log.note(NewEvent::ok("idp", "login", "lost with its exchange"))
            .unwrap();
        let failed = request.close(|c, _, _| c.execute("NOT SQL", []));
        assert!(failed.is_err());
        assert!(log.list(&EventFilter::default()).unwrap().is_empty());
    }
}
