//! Retention of the IdP's short-lived state (see `samlsim_service::sweep`):
//! sessions once expired or ended, SP-initiated requests past their age limit,
//! replay records of AuthnRequests and LogoutRequests once a replay would be
//! refused by its IssueInstant anyway, and all but the newest issued responses.

use samlsim_service::{Horizon, Store, StoreError};

use crate::inbound::{REPLAY_MEMORY, REQUEST_MAX_AGE};

/// Indexes the sweep deletes by, under their own component so the tables'
/// migrations stay as they are.
const MIGRATIONS: &[&str] = &[
    "CREATE INDEX idp_sessions_expires ON idp_sessions (expires_at);
     CREATE INDEX idp_sessions_ended ON idp_sessions (ended_at);
     CREATE INDEX idp_pending_requests_created ON idp_pending_requests (created_at);
     CREATE INDEX idp_answered_requests_received ON idp_answered_requests (received_at);",
];

/// Creates the indexes the sweep uses; after the tables (`Sessions::new`).
pub fn migrate(store: &Store) -> Result<(), StoreError> {
    store.migrate("idp-sweep", MIGRATIONS)
}

/// Deletes what `horizon` no longer keeps; returns how many rows went.
pub fn sweep(store: &Store, horizon: &Horizon) -> Result<usize, StoreError> {
    let before = horizon.expired_before();
    let keep = i64::try_from(horizon.keep_records).unwrap_or(i64::MAX);
    store.with(|c| {
        let mut removed = c
            .prepare_cached("DELETE FROM idp_sessions WHERE expires_at <= ?1 OR ended_at <= ?1")?
            .execute([before])?;
        removed += c
            .prepare_cached("DELETE FROM idp_pending_requests WHERE created_at < ?1")?
            .execute([before.saturating_sub(REQUEST_MAX_AGE)])?;
        removed += c
            .prepare_cached("DELETE FROM idp_answered_requests WHERE received_at < ?1")?
            .execute([horizon.now.saturating_sub(REPLAY_MEMORY)])?;
        removed += c
            .prepare_cached(
                "DELETE FROM idp_issued WHERE rowid <= (SELECT max(rowid) FROM idp_issued) - ?1",
            )?
            .execute([keep])?;
        Ok(removed)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::sessions::{Issued, PendingRequest, Sessions};

    fn count(store: &Store, table: &str) -> i64 {
        store
            .with(|c| c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)))
            .unwrap()
    }

    #[test]
    fn the_sweep_removes_expired_idp_state_and_keeps_live_state() {
        let store = Arc::new(Store::in_memory().unwrap());
        let sessions = Sessions::new(store.clone()).unwrap();
        migrate(&store).unwrap();
        let t0 = 1_700_000_000;
        sessions.start("old", "i-old", "alice", t0, 3_600).unwrap();
        sessions
            .start("ended", "i-ended", "alice", t0, 100_000)
            .unwrap();
        sessions.end("ended", t0 + 10).unwrap();
        sessions
            .start("live", "i-live", "bob", t0, 100_000)
            .unwrap();
        for (token, at) in [("p-old", t0), ("p-new", t0 + 7_000)] {
            sessions
                .park(&PendingRequest {
                    token: token.into(),
                    sp: "sp".into(),
                    request_id: format!("id-{token}"),
                    relay_state: None,
                    created_at: at,
                    options: Default::default(),
                })
                .unwrap();
        }
        assert!(
            sessions
                .first_sight_of_request("sp", "r-old", t0, REPLAY_MEMORY)
                .unwrap()
        );
        for i in 0..5 {
            sessions
                .record_issued(&Issued {
                    response_id: format!("r{i}"),
                    assertion_id: format!("a{i}"),
                    sp: "sp".into(),
                    username: "alice".into(),
                    session_id: None,
                    in_response_to: None,
                    issued_at: t0 + i,
                })
                .unwrap();
        }
        // Two hours on (the first session expired an hour ago), keeping nothing
        // expired and the three newest responses.
        let now = t0 + 7_200;
        assert!(
            sessions
                .first_sight_of_request("sp", "r-new", now, REPLAY_MEMORY)
                .unwrap()
        );
        let horizon = Horizon {
            now,
            keep_expired: 0,
            keep_records: 3,
        };
        sweep(&store, &horizon).unwrap();
        assert!(
            sessions.live("live", now).unwrap().is_some(),
            "a live session stays"
        );
        assert_eq!(
            count(&store, "idp_sessions"),
            1,
            "expired and ended sessions go"
        );
        assert!(sessions.peek_pending("p-old").unwrap().is_none());
        assert!(sessions.peek_pending("p-new").unwrap().is_some());
        assert_eq!(
            count(&store, "idp_answered_requests"),
            1,
            "the old replay record goes"
        );
        let issued = sessions.issued(10).unwrap();
        assert_eq!(
            issued
                .iter()
                .map(|i| i.response_id.as_str())
                .collect::<Vec<_>>(),
            ["r4", "r3", "r2"]
        );
        // Kept a day after expiry, the expired session would have stayed.
        sessions
            .start("old2", "i-old2", "carol", t0, 3_600)
            .unwrap();
        let keeping = Horizon {
            keep_expired: 86_400,
            ..horizon
        };
        sweep(&store, &keeping).unwrap();
        assert_eq!(count(&store, "idp_sessions"), 2);
    }
}
