//! The service providers the IdP knows: what the portal lists (C1) and where, and
//! how, responses may go.

use std::sync::Arc;

use samlsim_service::store::{from_json, to_json};
use samlsim_service::{Store, StoreError};

use crate::config::{ServiceProviderConfig, SignedParts};

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
            let mut statement = c.prepare_cached(sql)?;
            let rows = statement.query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })?;
        rows.iter()
            .map(|(id, json)| from_json(TABLE, id, json))
            .collect()
    }
}

/// Where an SP's metadata comes from: a file, an `http://` URL, or inline XML.
/// `fetch` is the emulator's one outbound client.
pub fn read_metadata_source(
    source: &str,
    fetch: &dyn Fn(&str) -> Result<String, String>,
) -> Result<String, String> {
    let source = source.trim();
    if source.starts_with('<') {
        return Ok(source.to_owned());
    }
    if source.starts_with("http://") || source.starts_with("https://") {
        return fetch(source).map_err(|e| format!("metadata URL {source}: {e}"));
    }
    std::fs::read_to_string(source).map_err(|e| format!("metadata file {source}: {e}"))
}

/// Fills what `sp` leaves open from the SP's metadata `xml` (SAML metadata 2.4.4):
/// entity ID, every ACS (the default HTTP-POST one becomes `acs_url`), the SLO
/// endpoint, `AuthnRequestsSigned`, `WantAssertionsSigned`, the signing and
/// encryption certificates and the NameID formats. What `sp` sets itself wins
/// (per-SP overrides); an entity ID that differs from the metadata's is refused.
pub fn apply_metadata(sp: &mut ServiceProviderConfig, xml: &str) -> Result<(), String> {
    use samlsim_saml::metadata::parse_sp_metadata;
    use samlsim_saml::uri::binding;

    let metadata = parse_sp_metadata(xml.as_bytes()).map_err(|e| format!("metadata: {e}"))?;
    if sp.entity_id.is_empty() {
        sp.entity_id = metadata.entity_id.clone();
    } else if sp.entity_id != metadata.entity_id {
        return Err(format!(
            "entity_id: \"{}\" is not the metadata's entityID \"{}\"",
            sp.entity_id, metadata.entity_id
        ));
    }
    if sp.label.is_empty() {
        sp.label = metadata.entity_id.clone();
    }
    if sp.assertion_consumer_services.is_empty() {
        sp.assertion_consumer_services = metadata
            .assertion_consumer_services
            .iter()
            .map(|acs| crate::config::AcsConfig {
                index: acs.index,
                binding: acs.binding.clone(),
                location: acs.location.clone(),
                is_default: acs.is_default == Some(true),
            })
            .collect();
    }
    if sp.acs_url.is_empty() {
        let acs = metadata
            .default_assertion_consumer_service(Some(binding::HTTP_POST))
            .ok_or_else(|| {
                "metadata: no AssertionConsumerService with the HTTP-POST binding, the only one this IdP answers by".to_owned()
            })?;
        sp.acs_url = acs.location.clone();
    }
    if sp.slo_url.is_none() {
        let slo = metadata
            .single_logout_services
            .iter()
            .find(|e| e.binding == binding::HTTP_REDIRECT)
            .or_else(|| metadata.single_logout_services.first());
        sp.slo_url = slo.map(|e| {
            e.response_location
                .clone()
                .unwrap_or_else(|| e.location.clone())
        });
    }
    if metadata.authn_requests_signed == Some(true) {
        sp.want_authn_requests_signed = true;
    }
    if sp.want_assertions_signed.is_none() {
        sp.want_assertions_signed = metadata.want_assertions_signed;
    }
    // Sign-what follows the metadata: SP libraries check the Response's signature
    // by default (pysaml2's want_response_signed) and the Assertion's when
    // WantAssertionsSigned says so; an SP from metadata gets both signed unless
    // `sign` is `response` (then, with WantAssertionsSigned, both) or `none`.
    if sp.sign == SignedParts::Assertion
        || (sp.want_assertions_signed == Some(true) && sp.sign == SignedParts::Response)
    {
        sp.sign = SignedParts::Both;
    }
    if sp.certificate.is_none() {
        sp.certificate = metadata.signing_certificates.first().map(|c| c.to_pem());
    }
    if sp.encryption_certificates.is_empty() {
        sp.encryption_certificates = metadata
            .encryption_certificates
            .iter()
            .map(|c| c.to_pem())
            .collect();
    }
    if sp.name_id_formats.is_empty() {
        sp.name_id_formats = metadata.name_id_formats.clone();
    }
    // The configured format stays unless the SP lists formats and it is not
    // among them: then the SP's first (not `unspecified`) is used.
    if !sp.name_id_formats.contains(&sp.name_id_format)
        && let Some(format) = sp
            .name_id_formats
            .iter()
            .find(|f| f.as_str() != samlsim_saml::uri::nameid_format::UNSPECIFIED)
            .cloned()
    {
        // An email-address NameID comes from the user's email, unless set.
        if format == samlsim_saml::uri::nameid_format::EMAIL_ADDRESS
            && sp.name_id_from == "username"
        {
            sp.name_id_from = "email".into();
        }
        sp.name_id_format = format;
    }
    // An SP from metadata without attributes of its own gets the directory's
    // basics (uid, mail, displayName by their LDAP OIDs, as IdPs send them):
    // SP libraries expect an AttributeStatement (python3-saml refuses a
    // Response without one by default).
    if sp.attributes.is_empty() && sp.aws.is_none() {
        sp.attributes = [
            ("urn:oid:0.9.2342.19200300.100.1.1", "username"),
            ("urn:oid:0.9.2342.19200300.100.1.3", "email"),
            ("urn:oid:2.16.840.1.113730.3.1.241", "display_name"),
        ]
        .into_iter()
        .map(|(name, from)| crate::config::AttributeConfig {
            name: name.into(),
            from: Some(from.into()),
            values: Vec::new(),
        })
        .collect();
    }
    // Inline XML is not kept: what it said is in the fields now.
    if sp
        .metadata
        .as_deref()
        .is_some_and(|m| m.trim_start().starts_with('<'))
    {
        sp.metadata = None;
    }
    Ok(())
}

/// Resolves `sp.metadata`, when set, into the SP's fields.
pub fn resolve(
    sp: &mut ServiceProviderConfig,
    fetch: &dyn Fn(&str) -> Result<String, String>,
) -> Result<(), String> {
    let Some(source) = sp.metadata.clone() else {
        return Ok(());
    };
    let xml = read_metadata_source(&source, fetch)?;
    apply_metadata(sp, &xml)
}

/// A short ID for an SP registered without one: its entity ID's host and path,
/// letters, digits and `-` only.
pub fn id_for(entity_id: &str) -> String {
    let rest = entity_id
        .split_once("://")
        .map_or(entity_id, |(_, rest)| rest);
    let mut id = String::new();
    for c in rest.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-');
    if id.is_empty() {
        "sp".into()
    } else {
        id.chars().take(60).collect()
    }
}
