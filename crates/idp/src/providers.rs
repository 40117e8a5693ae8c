//! The service providers the IdP knows: what the portal lists (C1) and where, and
//! how, responses may go.

use std::sync::Arc;

use samlsim_service::store::{from_json, to_json};
use samlsim_service::{Store, StoreError};

use crate::config::ServiceProviderConfig;

/// The service-provider table. Each row is the SP's configuration as JSON: the
/// IdP only ever needs it whole.
#[derive(Clone)]
pub struct Providers {
    store: Arc<Store>,
}

const TABLE: &str = "idp_service_providers";

const MIGRATIONS: &[&str] = &["CREATE TABLE idp_service_providers (
         id TEXT PRIMARY KEY,
         entity_id TEXT NOT NULL,
         config TEXT NOT NULL,
         position INTEGER NOT NULL
     );
     CREATE INDEX idp_service_providers_entity ON idp_service_providers (entity_id);"];

impl Providers {
    pub fn new(store: Arc<Store>) -> Result<Self, StoreError> {
        store.migrate("idp-providers", MIGRATIONS)?;
        Ok(Providers { store })
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        self.store.with(|c| {
            c.prepare_cached("SELECT COUNT(*) = 0 FROM idp_service_providers")?
                .query_row([], |r| r.get(0))
        })
    }

    /// Creates or replaces an SP.
    pub fn put(&self, sp: &ServiceProviderConfig) -> Result<(), StoreError> {
        let config = to_json(TABLE, &sp.id, sp)?;
        self.store.with(|c| {
            c.prepare_cached("INSERT INTO idp_service_providers (id, entity_id, config, position)
                 VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(position), 0) + 1 FROM idp_service_providers))
                 ON CONFLICT(id) DO UPDATE SET entity_id = excluded.entity_id, config = excluded.config")?.execute(
                rusqlite::params![sp.id, sp.entity_id, config],
            )
        })?;
        Ok(())
    }

    pub fn delete(&self, id: &str) -> Result<bool, StoreError> {
        self.store
            .with(|c| {
                c.prepare_cached("DELETE FROM idp_service_providers WHERE id = ?1")?
                    .execute([id])
            })
            .map(|n| n > 0)
    }

    pub fn get(&self, id: &str) -> Result<Option<ServiceProviderConfig>, StoreError> {
        Ok(self
            .many(
                "SELECT id, config FROM idp_service_providers WHERE id = ?1",
                id,
            )?
            .pop())
    }

    /// The SPs registered under `entity_id`; several SPs may share one (every AWS
    /// sign-in endpoint is `urn:amazon:webservices`), told apart by their ACS.
    pub fn by_entity_id(&self, entity_id: &str) -> Result<Vec<ServiceProviderConfig>, StoreError> {
        self.many(
            "SELECT id, config FROM idp_service_providers WHERE entity_id = ?1 ORDER BY position",
            entity_id,
        )
    }

    pub fn list(&self) -> Result<Vec<ServiceProviderConfig>, StoreError> {
        self.many(
            "SELECT id, config FROM idp_service_providers WHERE ?1 = ?1 ORDER BY position",
            "",
        )
    }

    fn many(&self, sql: &str, key: &str) -> Result<Vec<ServiceProviderConfig>, StoreError> {
        let rows: Vec<(String, String)> = self.store.with(|c| {
            let mut statement = c.prepare(sql)?;
            let rows = statement.query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })?;
        rows.iter()
            .map(|(id, json)| from_json(TABLE, id, json))
            .collect()
    }
}
