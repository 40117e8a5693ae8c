//! Retention of the user pools' short-lived state (see `samlsim_service::sweep`):
//! pending sign-ins past their window, authorization codes past their lifetime,
//! refresh grants once expired (revoked ones are deleted when revoked), and used
//! assertion IDs once a replay would be refused anyway (an IdP-initiated response
//! by its age, an SP-initiated one because its pending sign-in was taken), the
//! hosted UI's sign-on sessions once their cookie has expired, and sign-outs the
//! IdP never answered.

use samlsim_service::{Horizon, Store, StoreError};

use crate::hosted::{
    CODE_LIFETIME, IDP_INIT_MAX_AGE, LOGOUT_WINDOW, SIGN_IN_WINDOW, SIGN_ON_SESSION_LIFETIME,
};
use crate::model::kind;

/// How long a used assertion ID is remembered: well past every age check.
pub const ASSERTION_MEMORY: i64 = 3_600;

const _: () = assert!(ASSERTION_MEMORY > IDP_INIT_MAX_AGE && ASSERTION_MEMORY > SIGN_IN_WINDOW);

/// Deletes what `horizon` no longer keeps; returns how many rows went.
pub fn sweep(store: &Store, horizon: &Horizon) -> Result<usize, StoreError> {
    let before = horizon.expired_before();
    store.with(|c| {
        let mut statement = c.prepare_cached(
            "DELETE FROM cognito_objects WHERE kind = ?1 AND json_extract(json, ?2) < ?3",
        )?;
        let mut removed = 0;
        for (kind, field, older_than) in [
            (
                kind::PENDING,
                "$.created",
                before.saturating_sub(SIGN_IN_WINDOW),
            ),
            (
                kind::CODE,
                "$.created",
                before.saturating_sub(CODE_LIFETIME),
            ),
            (kind::REFRESH, "$.expires", before),
            (
                kind::SESSION,
                "$.created",
                before.saturating_sub(SIGN_ON_SESSION_LIFETIME),
            ),
            (
                kind::LOGOUT,
                "$.created",
                before.saturating_sub(LOGOUT_WINDOW),
            ),
            // The row is the time it was used, a bare number.
            (
                kind::ASSERTION,
                "$",
                horizon.now.saturating_sub(ASSERTION_MEMORY),
            ),
        ] {
            removed += statement.execute(rusqlite::params![kind, field, older_than])?;
        }
        Ok(removed)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::Model;

    fn keys(store: &Store) -> Vec<String> {
        store
            .with(|c| {
                let mut s =
                    c.prepare_cached("SELECT kind || '/' || key FROM cognito_objects ORDER BY 1")?;
                let rows = s.query_map([], |r| r.get(0))?;
                rows.collect()
            })
            .unwrap()
    }

    #[test]
    fn the_sweep_removes_expired_sign_in_state_and_keeps_live_state() {
        let store = Arc::new(Store::in_memory().unwrap());
        let _model = Model::new(store.clone()).unwrap();
        let t0: i64 = 1_700_000_000;
        let rows = [
            (kind::PENDING, "old", format!(r#"{{"created":{t0}}}"#)),
            (
                kind::PENDING,
                "new",
                format!(r#"{{"created":{}}}"#, t0 + 7_000),
            ),
            (kind::CODE, "old", format!(r#"{{"created":{t0}}}"#)),
            (
                kind::CODE,
                "new",
                format!(r#"{{"created":{}}}"#, t0 + 7_100),
            ),
            (
                kind::REFRESH,
                "old",
                format!(r#"{{"expires":{}}}"#, t0 + 3_600),
            ),
            (
                kind::REFRESH,
                "new",
                format!(r#"{{"expires":{}}}"#, t0 + 86_400),
            ),
            (kind::ASSERTION, "old", t0.to_string()),
            (kind::ASSERTION, "new", (t0 + 7_000).to_string()),
            (kind::SESSION, "old", format!(r#"{{"created":{t0}}}"#)),
            (
                kind::SESSION,
                "new",
                format!(r#"{{"created":{}}}"#, t0 + 4_000),
            ),
            (kind::LOGOUT, "old", format!(r#"{{"created":{t0}}}"#)),
            (
                kind::LOGOUT,
                "new",
                format!(r#"{{"created":{}}}"#, t0 + 7_000),
            ),
            (kind::USER, "u", r#"{"created":0}"#.to_owned()),
        ];
        store
            .with(|c| {
                for (kind, key, json) in &rows {
                    c.execute(
                        "INSERT INTO cognito_objects (kind, key, json) VALUES (?1, ?2, ?3)",
                        [kind, key, json.as_str()],
                    )?;
                }
                Ok(())
            })
            .unwrap();
        let removed = sweep(
            &store,
            &Horizon {
                now: t0 + 7_200,
                keep_expired: 0,
                keep_records: 0,
            },
        )
        .unwrap();
        assert_eq!(removed, 6);
        assert_eq!(
            keys(&store),
            [
                "assertion/new",
                "code/new",
                "logout/new",
                "pending/new",
                "refresh/new",
                "session/new",
                "user/u"
            ]
        );
    }
}
