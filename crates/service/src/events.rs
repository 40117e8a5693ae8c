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

/// How many ended requests an in-memory log holds back before writing them in one
/// transaction. Each commit journals and rewrites the pages it touched (the events
/// table's last leaf and its two indexes, the exchanges table's), so one commit
/// per request cost a sixth of a six-step flow; held back, those pages are written
/// once for many requests. A request's rows are small (its SAML message is bounded
/// by [`crate::exchanges::MAX_MESSAGE_BYTES`]), so the queue stays under a few MB.
const HELD_IN_MEMORY: usize = 32;

/// The log, stored in the shared database.
#[derive(Clone)]
pub struct EventLog {
    pub(crate) store: Arc<Store>,
    pub(crate) clock: Arc<dyn Clock>,
    retention: Retention,
    recorded: Arc<std::sync::atomic::AtomicU64>,
    dropped: Arc<std::sync::atomic::AtomicU64>,
    held: Arc<Held>,
}

/// Ended requests whose rows wait to be written (see [`EventLog::flush`]).
struct Held {
    requests: std::sync::Mutex<Vec<Ended>>,
    /// How many are held before they are written: one (written at once) when the
    /// database outlives a crash, so that nothing answered is lost;
    /// [`HELD_IN_MEMORY`] when the database is this process's, which a crash loses
    /// whole anyway.
    limit: usize,
}

impl Held {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Ended>> {
        // Pushing to or taking a Vec cannot leave it half done.
        self.requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One ended request's rows: its events and, from the router, its exchange.
pub(crate) struct Ended {
    events: Vec<Row>,
    exchange: Option<crate::exchanges::Row>,
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
        let held = Held {
            requests: std::sync::Mutex::default(),
            limit: if store.is_in_memory() {
                HELD_IN_MEMORY
            } else {
                1
            },
        };
        Ok(EventLog {
            store,
            clock,
            retention: Retention::default(),
            recorded: Arc::default(),
            dropped: Arc::default(),
            held: Arc::new(held),
        })
    }

    /// The log keeping what `retention` says.
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// How many events retention has dropped since the emulator started (after
    /// writing what is held, whose writing may drop more).
    pub fn dropped(&self) -> Result<u64, StoreError> {
        self.flush()?;
        Ok(self.dropped.load(std::sync::atomic::Ordering::Relaxed))
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
        // What ended before is written first: ids follow the order things
        // happened in, which `newest_before` relies on.
        self.flush()?;
        let id = self.store.with(|c| row.insert(c))?;
        self.count(1, id, row.at)?;
        Ok(row.into_event(id))
    }

    /// Records `event` as part of the request this thread is answering, when
    /// [`EventLog::open_request`] opened one: it is written with the request's
    /// exchange, in the same transaction, after the request ends. Otherwise it is
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
            self.flush()?;
            let id = self.store.with(|c| row.insert(c))?;
            self.count(1, id, row.at)?;
        }
        Ok(())
    }

    /// Opens the request this thread is about to answer: until the returned
    /// handle is closed, [`EventLog::note`] keeps this log's events for it. They
    /// are then written with the exchange, in one transaction shared with other
    /// ended requests in memory (see [`EventLog::flush`]), instead of one commit
    /// (and one turn of the store's lock) per event. A request that ends without
    /// closing (a panic) still keeps its events, on drop.
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

    /// Holds an ended request's rows; writes everything held when the limit is
    /// reached.
    pub(crate) fn hold_back(&self, ended: Ended) -> Result<(), StoreError> {
        let full = {
            let mut held = self.held.lock();
            held.push(ended);
            held.len() >= self.held.limit
        };
        if full {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes every ended request held back, in one transaction, oldest first.
    /// Every read of the logs and every event recorded outside a request flushes
    /// first, so a reader sees everything answered before it asked. A failure
    /// loses what was held, and is returned.
    pub fn flush(&self) -> Result<(), StoreError> {
        if self.held.lock().is_empty() {
            return Ok(());
        }
        // The store first, then the queue: a request that ends meanwhile waits
        // for the store and is written by the next flush, never half by this one.
        let written = self.store.with(|c| {
            let mut ended = std::mem::take(&mut *self.held.lock());
            write_ended(c, &mut ended)
        })?;
        if let Some((count, newest, at)) = written {
            self.count(count, newest, at)?;
        }
        Ok(())
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
        self.flush()?;
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
        self.flush()?;
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

    /// Ends the request: its events, and then `exchange` (the router's record of
    /// it), are written together, their event range `(after, upto]` exact, as no
    /// other request's event can land inside it (see [`EventLog::flush`] for when).
    ///
    /// # Errors
    ///
    /// The store's, when this ending flushed and the write failed: then nothing
    /// of what was held is kept.
    pub(crate) fn end(mut self, exchange: Option<crate::exchanges::Row>) -> Result<(), StoreError> {
        let events = self.take();
        let log = self.log;
        log.hold_back(Ended { events, exchange })
    }

    /// Ends the request without an exchange (its events alone).
    pub fn close(self) -> Result<(), StoreError> {
        self.end(None)
    }
}

impl Drop for RequestEvents<'_> {
    /// A request that did not end (it panicked) still keeps its events.
    fn drop(&mut self) {
        let events = self.take();
        if events.is_empty() {
            return;
        }
        if let Err(error) = self.log.hold_back(Ended {
            events,
            exchange: None,
        }) {
            tracing::error!(%error, "recording the events of an unfinished request failed");
        }
    }
}

/// Writes `ended` requests in one transaction: each one's events, then its
/// exchange with their range. Returns how many events were written, the newest
/// id and its time, for retention.
fn write_ended(
    c: &mut rusqlite::Connection,
    ended: &mut [Ended],
) -> rusqlite::Result<Option<(u64, i64, UnixTime)>> {
    let tx = c.savepoint()?;
    let mut newest: Option<i64> = None;
    let mut written: Option<(u64, i64, UnixTime)> = None;
    for request in ended.iter_mut() {
        let mut first = None;
        for row in &request.events {
            let id = row.insert(&tx)?;
            first.get_or_insert(id);
            newest = Some(id);
            let count = written.map_or(0, |(count, _, _)| count) + 1;
            written = Some((count, id, row.at));
        }
        let Some(exchange) = &mut request.exchange else {
            continue;
        };
        let upto = match newest {
            Some(id) => id,
            None => *newest.insert(
                tx.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM events")?
                    .query_row([], |row| row.get(0))?,
            ),
        };
        // AUTOINCREMENT ids of one transaction follow each other.
        exchange.exchange.events_after = first.map_or(upto, |id| id - 1);
        exchange.exchange.events_upto = upto;
        exchange.insert(&tx)?;
    }
    tx.commit()?;
    Ok(written)
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
        assert_eq!(log.dropped().unwrap(), 5_000 - kept.len() as u64);
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
        inner.close().unwrap();
        assert_eq!(count(&log), 1, "the outer request is still open");
        request.close().unwrap();
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

    /// Rows in the events table, read past the log (which would flush first).
    fn stored(store: &Store) -> i64 {
        store
            .with(|c| c.query_row("SELECT count(*) FROM events", [], |r| r.get(0)))
            .unwrap()
    }

    fn one_request(log: &EventLog, message: &str) {
        let request = log.open_request();
        log.note(NewEvent::ok("idp", "login", message)).unwrap();
        request.close().unwrap();
    }

    #[test]
    fn in_memory_ended_requests_wait_for_a_read_or_a_full_queue() {
        let store = Arc::new(Store::in_memory().unwrap());
        let log = EventLog::new(store.clone(), Arc::new(VirtualClock::frozen(0))).unwrap();
        one_request(&log, "held");
        assert_eq!(stored(&store), 0, "held back in memory");
        assert_eq!(log.list(&EventFilter::default()).unwrap().len(), 1);
        assert_eq!(stored(&store), 1, "a read writes what is held first");

        for n in 1..HELD_IN_MEMORY {
            one_request(&log, &format!("request {n}"));
        }
        assert_eq!(stored(&store), 1, "one short of the limit: all held");
        one_request(&log, "the last one");
        assert_eq!(
            stored(&store),
            1 + HELD_IN_MEMORY as i64,
            "a full queue is written"
        );

        // An event outside any request is written after what ended before it.
        one_request(&log, "ended first");
        let direct = log
            .record(NewEvent::ok("admin", "demo.switch", "then a flip"))
            .unwrap();
        let all = log.list(&EventFilter::default()).unwrap();
        assert_eq!(all.last().unwrap().id, direct.id);
        assert_eq!(all[all.len() - 2].message, "ended first");
    }

    #[test]
    fn with_a_data_folder_each_request_is_written_when_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("samlsim.db")).unwrap());
        let log = EventLog::new(store.clone(), Arc::new(VirtualClock::frozen(0))).unwrap();
        one_request(&log, "kept through a crash");
        assert_eq!(stored(&store), 1);
    }

    #[test]
    fn a_failed_write_keeps_nothing_of_what_was_held_and_says_so() {
        let store = Arc::new(Store::in_memory().unwrap());
        let log = EventLog::new(store.clone(), Arc::new(VirtualClock::frozen(0))).unwrap();
        store
            .with(|c| {
                c.execute_batch(
                    "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.message = 'poison'
                     BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
                )
            })
            .unwrap();
        one_request(&log, "lost with the batch");
        one_request(&log, "poison");
        let failed = log.list(&EventFilter::default()).unwrap_err();
        assert!(
            failed.to_string().contains("refused by the test"),
            "{failed}"
        );
        assert_eq!(stored(&store), 0, "not half a batch");
        assert!(log.list(&EventFilter::default()).unwrap().is_empty());
    }
}
