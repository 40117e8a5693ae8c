//! The IdP's signing keys beyond the one it starts with: a staged next key
//! (published in the metadata beside the current one, so SPs can trust it
//! before it is used) and, once promoted, the current key (kept here so a
//! restart signs with it). SAML metadata 2.4.1.1 allows several signing
//! KeyDescriptors; this is how SP-side key rollover is tested.

use std::sync::Arc;

use rusqlite::OptionalExtension;
use samlsim_crypto::Identity;
use samlsim_service::{Store, StoreError};

const MIGRATIONS: &[&str] = &["CREATE TABLE idp_keys (
         role TEXT PRIMARY KEY,
         key TEXT NOT NULL,
         certificate TEXT NOT NULL
     );"];

/// The staged key's role, and the promoted (current) one's.
pub const STAGED: &str = "staged";
pub const CURRENT: &str = "current";

#[derive(Clone)]
pub struct Keys {
    store: Arc<Store>,
}

impl Keys {
    pub fn new(store: Arc<Store>) -> Result<Self, StoreError> {
        store.migrate("idp-keys", MIGRATIONS)?;
        Ok(Keys { store })
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The key kept for `role`; a row that no longer reads is an error.
    pub fn get(&self, role: &str) -> Result<Option<Identity>, StoreError> {
        let row: Option<(String, String)> = self.store.with(|c| {
            c.prepare_cached("SELECT key, certificate FROM idp_keys WHERE role = ?1")?
                .query_row([role], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })?;
        row.map(|(key, certificate)| {
            Identity::from_pem(&key, &certificate).map_err(|e| {
                StoreError::from(rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                ))
            })
        })
        .transpose()
    }

    pub fn put(&self, role: &str, identity: &Identity) -> Result<(), StoreError> {
        self.store.with(|c| {
            c.prepare_cached(
                "INSERT INTO idp_keys (role, key, certificate) VALUES (?1, ?2, ?3)
                 ON CONFLICT(role) DO UPDATE SET key = excluded.key, certificate = excluded.certificate",
            )?
            .execute(rusqlite::params![
                role,
                identity.key.to_pkcs8_pem(),
                identity.certificate.to_pem()
            ])
        })?;
        Ok(())
    }

    pub fn delete(&self, role: &str) -> Result<(), StoreError> {
        self.store.with(|c| {
            c.prepare_cached("DELETE FROM idp_keys WHERE role = ?1")?
                .execute([role])
        })?;
        Ok(())
    }
}
