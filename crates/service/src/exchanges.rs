//! The exchange log: every HTTP exchange of every flow, with the SAML messages that
//! crossed it, for the flow inspector.
//!
//! Events say what a service decided; exchanges say what went over the wire (method,
//! local path and the public URL it stands for, status, the decoded SAMLRequest or
//! SAMLResponse). They are recorded once, at the emulator's routing, so no service
//! has to remember to. Each exchange names the range of event ids recorded while it
//! was handled, which is how the inspector puts a service's checks under the request
//! that triggered them. Retention is the event log's: a demo laptop left running
//! all day must not grow this table without bound either.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::clock::UnixTime;
use crate::events::{EventLog, RequestEvents, Retention};
use crate::store::{StoreError, from_json, to_json};

/// A SAML message as it crossed an exchange, decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamlMessage {
    /// `SAMLRequest` or `SAMLResponse`.
    pub parameter: String,
    /// `HTTP-POST` or `HTTP-Redirect`.
    pub binding: String,
    /// The decoded XML, or `None` when it did not decode (then `error` says why).
    pub xml: Option<String>,
    pub error: Option<String>,
    /// The RelayState that travelled with it, as sent.
    pub relay_state: Option<String>,
}

/// One request and its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub id: i64,
    pub at: UnixTime,
    pub flow: Option<String>,
    pub method: String,
    /// The local path and query, as requested (bounded).
    pub path: String,
    /// The real AWS/Cognito URL the local path stands for, when it stands for one.
    pub public_url: Option<String>,
    pub status: u16,
    /// Where a redirect sent the browser.
    pub location: Option<String>,
    /// The page role (`data-page`) of an HTML answer.
    pub page: Option<String>,
    /// The rule (`data-rule`) a refusal page names.
    pub rule: Option<String>,
    pub messages: Vec<SamlMessage>,
    /// The form fields a person filled in (a POST's, without SAML messages and
    /// passwords; see the emulator's capture), so a saved flow can replay them.
    #[serde(default)]
    pub form: Vec<(String, String)>,
    /// Event ids recorded while this exchange was handled: `(first_after, last]`.
    pub events_after: i64,
    pub events_upto: i64,
}

/// What the router records; the log adds the id and the time.
#[derive(Debug, Clone, Default)]
pub struct NewExchange {
    pub flow: Option<String>,
    pub method: String,
    pub path: String,
    pub public_url: Option<String>,
    pub status: u16,
    pub location: Option<String>,
    pub page: Option<String>,
    pub rule: Option<String>,
    pub messages: Vec<SamlMessage>,
    pub form: Vec<(String, String)>,
    pub events_after: i64,
    pub events_upto: i64,
}

/// The most of one decoded message kept: a SAML Response is a few KB; a hostile
/// 1 MB one must not become a 1 MB row per request.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

const MIGRATIONS: &[&str] = &[
    "CREATE TABLE exchanges (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         at INTEGER NOT NULL,
         flow TEXT,
         method TEXT NOT NULL,
         path TEXT NOT NULL,
         public_url TEXT,
         status INTEGER NOT NULL,
         location TEXT,
         page TEXT,
         rule TEXT,
         messages TEXT NOT NULL,
         events_after INTEGER NOT NULL,
         events_upto INTEGER NOT NULL
     );
     CREATE INDEX exchanges_flow ON exchanges (flow, id);
     CREATE INDEX exchanges_at ON exchanges (at);",
    // The typed form fields, added after the first release of the log.
    "ALTER TABLE exchanges ADD COLUMN form TEXT NOT NULL DEFAULT '[]';",
];

/// Pruning runs once per this many exchanges (as for events).
const PRUNE_EVERY: u64 = 256;

/// The log, stored in the shared database beside the event log, whose held-back
/// requests it shares (see [`EventLog::flush`]).
#[derive(Clone)]
pub struct ExchangeLog {
    events: EventLog,
    retention: Retention,
    recorded: Arc<std::sync::atomic::AtomicU64>,
}

/// An exchange ready to be written (see [`ExchangeLog::row`]).
pub(crate) struct Row {
    at: UnixTime,
    pub(crate) exchange: NewExchange,
    messages: String,
    form: String,
}

impl Row {
    pub(crate) fn insert(&self, c: &rusqlite::Connection) -> rusqlite::Result<i64> {
        let exchange = &self.exchange;
        c.prepare_cached(
            "INSERT INTO exchanges (at, flow, method, path, public_url, status, location, page, rule, messages, events_after, events_upto, form)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?
        .execute(rusqlite::params![
            self.at,
            exchange.flow,
            exchange.method,
            exchange.path,
            exchange.public_url,
            exchange.status,
            exchange.location,
            exchange.page,
            exchange.rule,
            self.messages,
            exchange.events_after,
            exchange.events_upto,
            self.form,
        ])?;
        Ok(c.last_insert_rowid())
    }
}

/// One flow as the inspector lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowSummary {
    pub flow: String,
    pub started: UnixTime,
    pub last: UnixTime,
    pub exchanges: i64,
}

impl ExchangeLog {
    /// The exchange log of `events`' database.
    pub fn new(events: &EventLog) -> Result<Self, StoreError> {
        events.store.migrate("exchanges", MIGRATIONS)?;
        Ok(ExchangeLog {
            events: events.clone(),
            retention: Retention::default(),
            recorded: Arc::default(),
        })
    }

    /// The log keeping what `retention` says (the event log's).
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// Records `exchange` (with no events of its own).
    pub fn record(&self, exchange: NewExchange) -> Result<(), StoreError> {
        self.record_with(self.events.open_request(), exchange)
    }

    /// Records `exchange` with the events its request noted (see
    /// [`EventLog::open_request`]): written together, in one transaction, its
    /// event range theirs. A failure loses both, and is returned.
    pub fn record_with(
        &self,
        events: RequestEvents<'_>,
        exchange: NewExchange,
    ) -> Result<(), StoreError> {
        let row = self.row(exchange)?;
        let at = row.at;
        events.end(Some(row))?;
        self.count(at)
    }

    /// The row for `exchange`: bounded, timed, serialised, before the store's
    /// lock is taken.
    fn row(&self, mut exchange: NewExchange) -> Result<Row, StoreError> {
        let at = self.events.clock.now();
        if let std::borrow::Cow::Owned(path) = crate::bounded(&exchange.path) {
            exchange.path = path;
        }
        if let Some(location) = &mut exchange.location
            && let std::borrow::Cow::Owned(shorter) = crate::bounded(location)
        {
            *location = shorter;
        }
        for message in &mut exchange.messages {
            if let Some(xml) = &mut message.xml
                && xml.len() > MAX_MESSAGE_BYTES
            {
                let mut end = MAX_MESSAGE_BYTES;
                while !xml.is_char_boundary(end) {
                    end -= 1;
                }
                let whole = xml.len();
                xml.truncate(end);
                message.error = Some(format!("only the first {end} of {whole} bytes are kept"));
            }
            if let Some(relay) = &mut message.relay_state
                && let std::borrow::Cow::Owned(shorter) = crate::bounded(relay)
            {
                *relay = shorter;
            }
        }
        for (name, value) in &mut exchange.form {
            for text in [name, value] {
                if let std::borrow::Cow::Owned(shorter) = crate::bounded(text) {
                    *text = shorter;
                }
            }
        }
        Ok(Row {
            at,
            messages: to_json("exchanges", &exchange.path, &exchange.messages)?,
            form: to_json("exchanges", &exchange.path, &exchange.form)?,
            exchange,
        })
    }

    /// Counts one exchange; prunes once per [`PRUNE_EVERY`].
    fn count(&self, now: UnixTime) -> Result<(), StoreError> {
        let recorded = self
            .recorded
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        if recorded.is_multiple_of(PRUNE_EVERY) {
            self.prune(now)?;
        }
        Ok(())
    }

    fn prune(&self, now: UnixTime) -> Result<(), StoreError> {
        self.events.flush()?;
        let keep = i64::try_from(self.retention.max_events).unwrap_or(i64::MAX);
        let older_than = self.retention.max_age.map(|age| now.saturating_sub(age));
        self.events.store.with(|c| {
            c.prepare_cached(
                "DELETE FROM exchanges WHERE id <= (SELECT COALESCE(MAX(id), 0) FROM exchanges) - ?1",
            )?
            .execute([keep])?;
            if let Some(older_than) = older_than {
                c.prepare_cached("DELETE FROM exchanges WHERE at < ?1")?
                    .execute([older_than])?;
            }
            Ok(())
        })
    }

    /// The exchanges of `flow`, oldest first.
    pub fn of_flow(&self, flow: &str) -> Result<Vec<Exchange>, StoreError> {
        self.events.flush()?;
        self.events.store.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT id, at, flow, method, path, public_url, status, location, page, rule, messages, events_after, events_upto, form
                 FROM exchanges WHERE flow = ?1 ORDER BY id LIMIT 2000",
            )?;
            let rows = statement.query_map([flow], |row| {
                Ok((
                    Exchange {
                        id: row.get(0)?,
                        at: row.get(1)?,
                        flow: row.get(2)?,
                        method: row.get(3)?,
                        path: row.get(4)?,
                        public_url: row.get(5)?,
                        status: row.get(6)?,
                        location: row.get(7)?,
                        page: row.get(8)?,
                        rule: row.get(9)?,
                        messages: Vec::new(),
                        form: Vec::new(),
                        events_after: row.get(11)?,
                        events_upto: row.get(12)?,
                    },
                    row.get::<_, String>(10)?,
                    row.get::<_, String>(13)?,
                ))
            })?;
            rows.collect::<Result<Vec<_>, _>>()
        })?
        .into_iter()
        .map(|(mut exchange, messages, form)| {
            let id = exchange.id.to_string();
            exchange.messages = from_json("exchanges", &id, &messages)?;
            exchange.form = from_json("exchanges", &id, &form)?;
            Ok(exchange)
        })
        .collect()
    }

    /// The flows with exchanges, newest first (by their latest exchange).
    pub fn flows(&self, limit: u32) -> Result<Vec<FlowSummary>, StoreError> {
        self.events.flush()?;
        self.events.store.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT flow, MIN(at), MAX(at), COUNT(*), MAX(id) AS newest FROM exchanges
                 WHERE flow IS NOT NULL GROUP BY flow ORDER BY newest DESC LIMIT ?1",
            )?;
            let rows = statement.query_map([i64::from(limit)], |row| {
                Ok(FlowSummary {
                    flow: row.get(0)?,
                    started: row.get(1)?,
                    last: row.get(2)?,
                    exchanges: row.get(3)?,
                })
            })?;
            rows.collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::VirtualClock;
    use crate::events::NewEvent;
    use crate::store::Store;

    fn exchange(flow: &str, path: &str) -> NewExchange {
        NewExchange {
            flow: Some(flow.into()),
            method: "GET".into(),
            path: path.into(),
            status: 200,
            ..NewExchange::default()
        }
    }

    #[test]
    fn exchanges_round_trip_per_flow_newest_flow_first() {
        let store = Arc::new(Store::in_memory().unwrap());
        let events = EventLog::new(store, Arc::new(VirtualClock::frozen(10))).unwrap();
        let log = ExchangeLog::new(&events).unwrap();
        log.record(exchange("a", "/idp/portal")).unwrap();
        let mut posted = exchange("b", "/aws/signin.aws.amazon.com/saml");
        posted.messages.push(SamlMessage {
            parameter: "SAMLResponse".into(),
            binding: "HTTP-POST".into(),
            xml: Some("<samlp:Response/>".into()),
            error: None,
            relay_state: Some("<b>".into()),
        });
        posted
            .form
            .push(("roleIndex".into(), "arn:aws:iam::1:role/R".into()));
        log.record(posted).unwrap();
        log.record(exchange("a", "/idp/login")).unwrap();
        let flows = log.flows(10).unwrap();
        assert_eq!(
            flows.iter().map(|f| f.flow.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let b = log.of_flow("b").unwrap();
        assert_eq!(b[0].messages[0].relay_state.as_deref(), Some("<b>"));
        assert_eq!(
            b[0].form,
            [("roleIndex".to_owned(), "arn:aws:iam::1:role/R".to_owned())]
        );
        assert_eq!(log.of_flow("a").unwrap().len(), 2);
    }

    #[test]
    fn hostile_echo_exchanges_keep_bounded_messages_and_are_pruned() {
        let store = Arc::new(Store::in_memory().unwrap());
        let events = EventLog::new(store, Arc::new(VirtualClock::frozen(10))).unwrap();
        let log = ExchangeLog::new(&events)
            .unwrap()
            .with_retention(Retention {
                max_events: 100,
                max_age: None,
            });
        let mut huge = exchange("h", "/x");
        huge.messages.push(SamlMessage {
            parameter: "SAMLResponse".into(),
            binding: "HTTP-POST".into(),
            xml: Some("é".repeat(MAX_MESSAGE_BYTES)),
            error: None,
            relay_state: None,
        });
        log.record(huge).unwrap();
        let kept = &log.of_flow("h").unwrap()[0].messages[0];
        assert!(kept.xml.as_ref().unwrap().len() <= MAX_MESSAGE_BYTES);
        assert!(kept.error.as_ref().unwrap().contains("bytes are kept"));
        for _ in 0..PRUNE_EVERY * 2 {
            log.record(exchange("p", "/y")).unwrap();
        }
        assert!(log.of_flow("p").unwrap().len() <= 100 + PRUNE_EVERY as usize);
    }

    #[test]
    fn held_requests_keep_their_own_event_ranges() {
        let store = Arc::new(Store::in_memory().unwrap());
        let events = EventLog::new(store, Arc::new(VirtualClock::frozen(10))).unwrap();
        let log = ExchangeLog::new(&events).unwrap();
        events
            .record(NewEvent::ok("admin", "start", "before any request"))
            .unwrap();
        for (path, noted) in [("/one", 2), ("/none", 0), ("/three", 3)] {
            let request = events.open_request();
            for n in 0..noted {
                events
                    .note(NewEvent::ok("idp", "login", format!("{path} {n}")))
                    .unwrap();
            }
            log.record_with(request, exchange("f", path)).unwrap();
        }
        let ranges: Vec<(String, i64, i64)> = log
            .of_flow("f")
            .unwrap()
            .into_iter()
            .map(|x| (x.path, x.events_after, x.events_upto))
            .collect();
        assert_eq!(
            ranges,
            [
                ("/one".to_owned(), 1, 3),
                ("/none".to_owned(), 3, 3),
                ("/three".to_owned(), 3, 6)
            ]
        );
    }
}
