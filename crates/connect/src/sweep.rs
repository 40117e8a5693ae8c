//! Retention of Connect's short-lived state (see `samlsim_service::sweep`):
//! 12-hour sessions once expired or ended, and one-time sign-in tokens once
//! expired.

use samlsim_service::{Horizon, Store, StoreError};

/// Indexes the sweep deletes by, under their own component so the tables'
/// migrations stay as they are.
const MIGRATIONS: &[&str] = &[
    "CREATE INDEX connect_sessions_expires ON connect_sessions (expires_at);
     CREATE INDEX connect_sessions_ended ON connect_sessions (ended_at);
     CREATE INDEX connect_sign_in_tokens_expires ON connect_sign_in_tokens (expires_at);",
];

/// Creates the indexes the sweep uses; after the tables (`Model::new`).
pub fn migrate(store: &Store) -> Result<(), StoreError> {
    store.migrate("connect-sweep", MIGRATIONS)
}

/// Deletes what `horizon` no longer keeps; returns how many rows went.
pub fn sweep(store: &Store, horizon: &Horizon) -> Result<usize, StoreError> {
    let before = horizon.expired_before();
    store.with(|c| {
        let mut removed = c
            .prepare_cached(
                "DELETE FROM connect_sessions WHERE expires_at <= ?1 OR ended_at <= ?1",
            )?
            .execute([before])?;
        removed += c
            .prepare_cached("DELETE FROM connect_sign_in_tokens WHERE expires_at <= ?1")?
            .execute([before])?;
        Ok(removed)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{Model, SessionState};

    #[test]
    fn the_sweep_removes_expired_connect_state_and_keeps_live_state() {
        let store = Arc::new(Store::in_memory().unwrap());
        let model = Model::new(store.clone()).unwrap();
        migrate(&store).unwrap();
        let t0 = 1_700_000_000;
        store
            .with(|c| {
                c.execute_batch(&format!(
                    "INSERT INTO connect_sessions (id, instance, username, created_at, expires_at)
                     VALUES ('old', 'i', 'alice', {t0}, {old}), ('live', 'i', 'bob', {t0}, {live});
                     INSERT INTO connect_sign_in_tokens (token, session, destination, expires_at)
                     VALUES ('t-old', 'old', '/', {t_old}), ('t-live', 'live', '/', {live});",
                    old = t0 + 3_600,
                    live = t0 + 43_200,
                    t_old = t0 + 300,
                ))
            })
            .unwrap();
        let now = t0 + 7_200;
        let horizon = Horizon {
            now,
            keep_expired: 0,
            keep_records: 0,
        };
        assert!(matches!(
            model.session("old", now).unwrap(),
            SessionState::Expired(_)
        ));
        assert_eq!(sweep(&store, &horizon).unwrap(), 2);
        assert!(matches!(
            model.session("old", now).unwrap(),
            SessionState::Unknown
        ));
        assert!(matches!(
            model.session("live", now).unwrap(),
            SessionState::Live(_)
        ));
        assert!(model.redeem_token("t-live", now).unwrap().is_some());
    }
}
