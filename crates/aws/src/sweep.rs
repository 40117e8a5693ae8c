//! Retention of the mock AWS's short-lived state (see `samlsim_service::sweep`):
//! replay records once their assertion has expired, console sessions once expired
//! or ended, and STS credentials once expired.

use samlsim_service::{Horizon, Store, StoreError};

/// Indexes the sweep deletes by, under their own component so the tables'
/// migrations stay as they are.
const MIGRATIONS: &[&str] = &[
    "CREATE INDEX aws_console_sessions_expires ON aws_console_sessions (expires_at);
     CREATE INDEX aws_console_sessions_ended ON aws_console_sessions (ended_at);
     CREATE INDEX aws_credentials_expires ON aws_credentials (expires_at);",
];

/// Creates the indexes the sweep uses; after the tables (`State::new`).
pub fn migrate(store: &Store) -> Result<(), StoreError> {
    store.migrate("aws-sweep", MIGRATIONS)
}

/// Deletes what `horizon` no longer keeps; returns how many rows went.
pub fn sweep(store: &Store, horizon: &Horizon) -> Result<usize, StoreError> {
    let before = horizon.expired_before();
    store.with(|c| {
        // A replay of an expired assertion is refused as expired: no record needed.
        let mut removed = c
            .prepare_cached("DELETE FROM aws_used_assertions WHERE forget_after < ?1")?
            .execute([horizon.now])?;
        removed += c
            .prepare_cached(
                "DELETE FROM aws_console_sessions WHERE expires_at <= ?1 OR ended_at <= ?1",
            )?
            .execute([before])?;
        removed += c
            .prepare_cached("DELETE FROM aws_credentials WHERE expires_at <= ?1")?
            .execute([before])?;
        Ok(removed)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::state::{Credentials, RoleSession, State};

    fn count(store: &Store, table: &str) -> i64 {
        store
            .with(|c| c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)))
            .unwrap()
    }

    fn session(expires_at: i64) -> RoleSession {
        RoleSession {
            account: "123456789012".into(),
            role_arn: "arn:aws:iam::123456789012:role/R".into(),
            role_name: "R".into(),
            role_id: "AROAEXAMPLE".into(),
            role_session_name: "alice".into(),
            provider_arn: "arn:aws:iam::123456789012:saml-provider/P".into(),
            region: "us-east-1".into(),
            created_at: 0,
            expires_at,
        }
    }

    #[test]
    fn the_sweep_removes_expired_aws_state_and_keeps_live_state() {
        let store = Arc::new(Store::in_memory().unwrap());
        let state = State::new(store.clone()).unwrap();
        migrate(&store).unwrap();
        let t0 = 1_700_000_000;
        state
            .start_console_session("old", &session(t0 + 3_600))
            .unwrap();
        state
            .start_console_session("live", &session(t0 + 43_200))
            .unwrap();
        for (key, expires) in [("AKOLD", t0 + 3_600), ("AKLIVE", t0 + 43_200)] {
            state
                .issue_credentials(&Credentials {
                    access_key_id: key.into(),
                    secret_access_key: "s".into(),
                    session_token: "t".into(),
                    session: session(expires),
                })
                .unwrap();
        }
        store
            .with(|c| {
                c.execute(
                    "INSERT INTO aws_used_assertions VALUES ('a-old', 'p', ?1, ?2), ('a-live', 'p', ?1, ?3)",
                    [t0, t0 + 300, t0 + 43_200],
                )
            })
            .unwrap();
        let now = t0 + 7_200;
        let keeping = Horizon {
            now,
            keep_expired: 86_400,
            keep_records: 0,
        };
        sweep(&store, &keeping).unwrap();
        assert!(
            state.credentials("AKOLD").unwrap().is_some(),
            "kept a day after expiry"
        );
        assert_eq!(
            count(&store, "aws_used_assertions"),
            1,
            "the expired replay record goes"
        );
        sweep(
            &store,
            &Horizon {
                keep_expired: 0,
                ..keeping
            },
        )
        .unwrap();
        assert!(state.credentials("AKOLD").unwrap().is_none());
        assert!(state.credentials("AKLIVE").unwrap().is_some());
        assert!(state.console_session("live", now).unwrap().is_some());
        assert_eq!(count(&store, "aws_console_sessions"), 1);
    }
}
