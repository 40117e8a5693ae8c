//! SAML metadata (saml-metadata-2.0-os): an IdP's (`md:IDPSSODescriptor`) and
//! an SP's (`md:SPSSODescriptor`), generated and read.
//!
//! The IdP publishes its metadata; the mock AWS IAM and Cognito create their
//! SAML providers from it, as the real ones do. The mock SPs publish theirs
//! (AWS serves `saml-metadata.xml`), from which the IdP can register them.
//! Readers keep what those uses need and ignore the rest (organisation,
//! contacts, extensions...), as metadata consumers must (SAML metadata 2.3.2).

use samlsim_crypto::Certificate;
use samlsim_xml::{
    Attribute as XmlAttribute, Document, NodeId, XML_NAMESPACE, parse_bytes, to_pretty_xml,
};

use crate::error::SamlError;
use crate::time::DateTime;
use crate::uri::{METADATA_NS, PROTOCOL_SUPPORT};
use crate::xml_util::{
    Node, append_text_element, check_characters, ds, is_xml_space, md, with_optional,
    with_optional_time, xs_boolean,
};
use samlsim_dsig::DSIG_NS;

/// The XML declaration metadata files start with. Metadata is a file people
/// download and upload, so it is written pretty-printed and declared UTF-8.
const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const ENTITY_DESCRIPTOR: &str = "md:EntityDescriptor";

/// An endpoint (SAML metadata 2.2.2): a binding and a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `Binding`, e.g. [`crate::uri::binding::HTTP_POST`].
    pub binding: String,
    /// `Location`.
    pub location: String,
    /// `ResponseLocation`, where responses go if not to `location`.
    pub response_location: Option<String>,
}

impl Endpoint {
    /// An endpoint without a separate response location.
    pub fn new(binding: impl Into<String>, location: impl Into<String>) -> Self {
        Endpoint {
            binding: binding.into(),
            location: location.into(),
            response_location: None,
        }
    }
}

/// An indexed endpoint (SAML metadata 2.2.3), e.g. an assertion consumer service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedEndpoint {
    /// `Binding`.
    pub binding: String,
    /// `Location`.
    pub location: String,
    /// `ResponseLocation`.
    pub response_location: Option<String>,
    /// `index`, what an AuthnRequest's `AssertionConsumerServiceIndex` names.
    pub index: u16,
    /// `isDefault`.
    pub is_default: Option<bool>,
}

/// An IdP's metadata: one `md:EntityDescriptor` with an `md:IDPSSODescriptor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpMetadata {
    /// `entityID`: the IdP's entity ID, the `Issuer` of its messages.
    pub entity_id: String,
    /// `validUntil` of the EntityDescriptor.
    pub valid_until: Option<DateTime>,
    /// `cacheDuration` of the EntityDescriptor, an `xs:duration` such as `PT1H`.
    pub cache_duration: Option<String>,
    /// `WantAuthnRequestsSigned` (absent reads as `false`).
    pub want_authn_requests_signed: bool,
    /// The certificates of `md:KeyDescriptor`s with `use="signing"` or no `use`.
    /// Several while keys roll over.
    pub signing_certificates: Vec<Certificate>,
    /// `md:SingleLogoutService`s.
    pub single_logout_services: Vec<Endpoint>,
    /// `md:NameIDFormat`s.
    pub name_id_formats: Vec<String>,
    /// `md:SingleSignOnService`s; at least one.
    pub single_sign_on_services: Vec<Endpoint>,
}

/// An SP's metadata: one `md:EntityDescriptor` with an `md:SPSSODescriptor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpMetadata {
    /// `entityID`: the SP's entity ID, the audience of assertions for it.
    pub entity_id: String,
    /// `validUntil` of the EntityDescriptor.
    pub valid_until: Option<DateTime>,
    /// `cacheDuration` of the EntityDescriptor, an `xs:duration`.
    pub cache_duration: Option<String>,
    /// `AuthnRequestsSigned`.
    pub authn_requests_signed: Option<bool>,
    /// `WantAssertionsSigned`.
    pub want_assertions_signed: Option<bool>,
    /// The certificates of `md:KeyDescriptor`s with `use="signing"` or no `use`.
    pub signing_certificates: Vec<Certificate>,
    /// The certificates of `md:KeyDescriptor`s with `use="encryption"` or no `use`.
    pub encryption_certificates: Vec<Certificate>,
    /// `md:SingleLogoutService`s.
    pub single_logout_services: Vec<Endpoint>,
    /// `md:NameIDFormat`s.
    pub name_id_formats: Vec<String>,
    /// `md:AssertionConsumerService`s; at least one.
    pub assertion_consumer_services: Vec<IndexedEndpoint>,
    /// `md:AttributeConsumingService`s: the attributes the SP asks for.
    pub attribute_consuming_services: Vec<AttributeConsumingService>,
}

/// `md:AttributeConsumingService` (SAML metadata 2.4.4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeConsumingService {
    /// `index`.
    pub index: u16,
    /// `isDefault`.
    pub is_default: Option<bool>,
    /// `md:ServiceName` (written with `xml:lang="en"`; the first one is read).
    pub service_name: String,
    /// `md:RequestedAttribute`s.
    pub requested_attributes: Vec<RequestedAttribute>,
}

/// `md:RequestedAttribute` (SAML metadata 2.4.4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedAttribute {
    /// `Name`.
    pub name: String,
    /// `NameFormat`.
    pub name_format: Option<String>,
    /// `FriendlyName`.
    pub friendly_name: Option<String>,
    /// `isRequired`.
    pub is_required: Option<bool>,
}

impl SpMetadata {
    /// The assertion consumer service to use when a request names none (SAML
    /// metadata 2.2.3): among those with `binding` (any, if `None`), the first
    /// with `isDefault="true"`, else the first without `isDefault`, else the first.
    pub fn default_assertion_consumer_service(
        &self,
        binding: Option<&str>,
    ) -> Option<&IndexedEndpoint> {
        let candidates = || {
            self.assertion_consumer_services
                .iter()
                .filter(move |acs| binding.is_none_or(|b| acs.binding == b))
        };
        candidates()
            .find(|acs| acs.is_default == Some(true))
            .or_else(|| candidates().find(|acs| acs.is_default.is_none()))
            .or_else(|| candidates().next())
    }

    /// The assertion consumer service with `index`.
    pub fn assertion_consumer_service(&self, index: u16) -> Option<&IndexedEndpoint> {
        self.assertion_consumer_services
            .iter()
            .find(|acs| acs.index == index)
    }
}

// ---------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------

/// Writes an IdP's metadata: `md:EntityDescriptor` with an
/// `md:IDPSSODescriptor` whose children are in the schema's order
/// (KeyDescriptor*, SingleLogoutService*, NameIDFormat*, SingleSignOnService+;
/// SAML metadata 2.4.1, 2.4.2, 2.4.3). The text starts with an XML declaration
/// and is UTF-8 without a byte-order mark, as AWS IAM requires.
///
/// # Errors
///
/// [`SamlError::InvalidInput`] without a signing certificate or SSO endpoint,
/// for a `cacheDuration` that is not an `xs:duration`, or a value XML cannot carry.
pub fn build_idp_metadata(metadata: &IdpMetadata) -> Result<String, SamlError> {
    const DESCRIPTOR: &str = "md:IDPSSODescriptor";
    if metadata.signing_certificates.is_empty() {
        return Err(invalid(
            DESCRIPTOR,
            "an IdP needs at least one signing certificate, or no SP can verify its \
             assertions (SAML metadata 2.4.1.1)",
        ));
    }
    if metadata.single_sign_on_services.is_empty() {
        return Err(invalid(
            DESCRIPTOR,
            "md:IDPSSODescriptor needs at least one md:SingleSignOnService \
             (SAML metadata 2.4.3)",
        ));
    }
    let (mut doc, root) = entity_descriptor(
        &metadata.entity_id,
        metadata.valid_until,
        metadata.cache_duration.as_deref(),
    )?;
    let descriptor = doc.append_element(
        root,
        md("IDPSSODescriptor")
            .with_attribute(
                "WantAuthnRequestsSigned",
                xs_boolean(metadata.want_authn_requests_signed),
            )
            .with_attribute("protocolSupportEnumeration", PROTOCOL_SUPPORT),
    );
    append_signing_keys(&mut doc, descriptor, &metadata.signing_certificates);
    append_endpoints(
        &mut doc,
        descriptor,
        "SingleLogoutService",
        &metadata.single_logout_services,
    );
    append_name_id_formats(&mut doc, descriptor, &metadata.name_id_formats);
    append_endpoints(
        &mut doc,
        descriptor,
        "SingleSignOnService",
        &metadata.single_sign_on_services,
    );
    finish(&doc, root)
}

/// Writes an SP's metadata: `md:EntityDescriptor` with an
/// `md:SPSSODescriptor` whose children are in the schema's order
/// (KeyDescriptor*, SingleLogoutService*, NameIDFormat*,
/// AssertionConsumerService+, AttributeConsumingService*; SAML metadata 2.4.4).
///
/// # Errors
///
/// [`SamlError::InvalidInput`] without an assertion consumer service, for an
/// attribute consuming service without requested attributes, a bad
/// `cacheDuration`, or a value XML cannot carry.
pub fn build_sp_metadata(metadata: &SpMetadata) -> Result<String, SamlError> {
    const DESCRIPTOR: &str = "md:SPSSODescriptor";
    if metadata.assertion_consumer_services.is_empty() {
        return Err(invalid(
            DESCRIPTOR,
            "md:SPSSODescriptor needs at least one md:AssertionConsumerService \
             (SAML metadata 2.4.4)",
        ));
    }
    if metadata
        .attribute_consuming_services
        .iter()
        .any(|s| s.requested_attributes.is_empty())
    {
        return Err(invalid(
            DESCRIPTOR,
            "md:AttributeConsumingService needs at least one md:RequestedAttribute \
             (SAML metadata 2.4.4.1)",
        ));
    }
    let (mut doc, root) = entity_descriptor(
        &metadata.entity_id,
        metadata.valid_until,
        metadata.cache_duration.as_deref(),
    )?;
    let element = with_optional(
        md("SPSSODescriptor"),
        "AuthnRequestsSigned",
        metadata.authn_requests_signed.map(xs_boolean),
    );
    let element = with_optional(
        element,
        "WantAssertionsSigned",
        metadata.want_assertions_signed.map(xs_boolean),
    );
    let descriptor = doc.append_element(
        root,
        element.with_attribute("protocolSupportEnumeration", PROTOCOL_SUPPORT),
    );
    append_signing_keys(&mut doc, descriptor, &metadata.signing_certificates);
    append_endpoints(
        &mut doc,
        descriptor,
        "SingleLogoutService",
        &metadata.single_logout_services,
    );
    append_name_id_formats(&mut doc, descriptor, &metadata.name_id_formats);
    for acs in &metadata.assertion_consumer_services {
        let element = md("AssertionConsumerService")
            .with_attribute("Binding", acs.binding.as_str())
            .with_attribute("Location", acs.location.as_str());
        let element = with_optional(
            element,
            "ResponseLocation",
            acs.response_location.as_deref(),
        );
        let element = element.with_attribute("index", acs.index.to_string());
        let element = with_optional(element, "isDefault", acs.is_default.map(xs_boolean));
        doc.append_element(descriptor, element);
    }
    for service in &metadata.attribute_consuming_services {
        let element =
            md("AttributeConsumingService").with_attribute("index", service.index.to_string());
        let element = with_optional(element, "isDefault", service.is_default.map(xs_boolean));
        let node = doc.append_element(descriptor, element);
        // ServiceName is a localized name: xml:lang is required (SAML metadata 2.2.4).
        let mut name = md("ServiceName");
        name.attributes.push(XmlAttribute {
            prefix: Some("xml".into()),
            local_name: "lang".into(),
            namespace: Some(XML_NAMESPACE.into()),
            value: "en".into(),
        });
        append_text_element(&mut doc, node, name, &service.service_name);
        for attribute in &service.requested_attributes {
            let element = md("RequestedAttribute");
            let element =
                with_optional(element, "FriendlyName", attribute.friendly_name.as_deref());
            let element = element.with_attribute("Name", attribute.name.as_str());
            let element = with_optional(element, "NameFormat", attribute.name_format.as_deref());
            let element =
                with_optional(element, "isRequired", attribute.is_required.map(xs_boolean));
            doc.append_element(node, element);
        }
    }
    finish(&doc, root)
}

fn invalid(element: &'static str, reason: &str) -> SamlError {
    SamlError::InvalidInput {
        element,
        reason: reason.to_owned(),
    }
}

/// The `md:EntityDescriptor` (SAML metadata 2.3.2).
fn entity_descriptor(
    entity_id: &str,
    valid_until: Option<DateTime>,
    cache_duration: Option<&str>,
) -> Result<(Document<'static>, NodeId), SamlError> {
    if entity_id.is_empty() {
        return Err(invalid(
            ENTITY_DESCRIPTOR,
            "entityID must not be empty (SAML metadata 2.3.2)",
        ));
    }
    // SAML core 8.3.6 limits entity identifiers to 1024 characters.
    if entity_id.chars().count() > 1024 {
        return Err(invalid(
            ENTITY_DESCRIPTOR,
            "entityID is longer than 1024 characters (SAML core 8.3.6)",
        ));
    }
    if let Some(duration) = cache_duration
        && !is_xs_duration(duration)
    {
        return Err(SamlError::InvalidInput {
            element: ENTITY_DESCRIPTOR,
            reason: format!(
                "cacheDuration \"{duration}\" is not an xs:duration such as PT1H or P1D \
                 (SAML metadata 2.3.2)"
            ),
        });
    }
    let mut doc = Document::new();
    let element = md("EntityDescriptor")
        .declare_namespace(Some("md"), METADATA_NS)
        .declare_namespace(Some("ds"), DSIG_NS)
        .with_attribute("entityID", entity_id);
    let element = with_optional_time(element, "validUntil", valid_until);
    let element = with_optional(element, "cacheDuration", cache_duration);
    let root = doc.append_element(doc.document_node(), element);
    Ok((doc, root))
}

/// One `md:KeyDescriptor use="signing"` per certificate (SAML metadata 2.4.1.1).
fn append_signing_keys(doc: &mut Document, descriptor: NodeId, certificates: &[Certificate]) {
    for certificate in certificates {
        let key = doc.append_element(
            descriptor,
            md("KeyDescriptor").with_attribute("use", "signing"),
        );
        let info = doc.append_element(key, ds("KeyInfo"));
        let data = doc.append_element(info, ds("X509Data"));
        append_text_element(doc, data, ds("X509Certificate"), &certificate.to_base64());
    }
}

fn append_endpoints(
    doc: &mut Document,
    descriptor: NodeId,
    local_name: &str,
    endpoints: &[Endpoint],
) {
    for endpoint in endpoints {
        let element = md(local_name)
            .with_attribute("Binding", endpoint.binding.as_str())
            .with_attribute("Location", endpoint.location.as_str());
        let element = with_optional(
            element,
            "ResponseLocation",
            endpoint.response_location.as_deref(),
        );
        doc.append_element(descriptor, element);
    }
}

fn append_name_id_formats(doc: &mut Document, descriptor: NodeId, formats: &[String]) {
    for format in formats {
        append_text_element(doc, descriptor, md("NameIDFormat"), format);
    }
}

fn finish(doc: &Document, root: NodeId) -> Result<String, SamlError> {
    check_characters(doc, root, ENTITY_DESCRIPTOR)?;
    let mut xml = String::from(XML_DECLARATION);
    xml.push_str(&to_pretty_xml(doc, root));
    xml.push('\n');
    Ok(xml)
}

/// Whether `value` has the lexical form of `xs:duration` (XML Schema 2
/// section 3.2.6.1): `-?P(nY)?(nM)?(nD)?(T(nH)?(nM)?(n(.n)?S)?)?` with at least
/// one component, and at least one after a `T`.
fn is_xs_duration(value: &str) -> bool {
    let Some(rest) = value.strip_prefix('-').unwrap_or(value).strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    // Each part is a sequence of (digits, designator) in a fixed order.
    let components = |part: &str, designators: &[char], fraction_on: Option<char>| {
        let mut allowed = designators.iter();
        let mut count = 0;
        let mut digits = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || (c == '.' && fraction_on.is_some() && !digits.contains('.')) {
                digits.push(c);
                continue;
            }
            let valid_number = !digits.is_empty()
                && !digits.starts_with('.')
                && !digits.ends_with('.')
                && (!digits.contains('.') || Some(c) == fraction_on);
            if !valid_number || !allowed.by_ref().any(|&d| d == c) {
                return None;
            }
            digits.clear();
            count += 1;
        }
        digits.is_empty().then_some(count)
    };
    let Some(date_count) = components(date, &['Y', 'M', 'D'], None) else {
        return false;
    };
    match time {
        None => date_count > 0,
        Some(time) => components(time, &['H', 'M', 'S'], Some('S')).is_some_and(|n| n > 0),
    }
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// Reads an IdP's metadata, as AWS IAM does when a SAML provider is created.
///
/// # Errors
///
/// [`SamlError::MetadataByteOrderMark`] for a UTF-8 BOM (AWS refuses it, so
/// the mock does too); [`SamlError::Xml`]; [`SamlError::UnexpectedRoot`] when
/// the document is not an `md:EntityDescriptor` (an `md:EntitiesDescriptor`
/// included); a missing `entityID`; [`SamlError::NoRoleDescriptor`] without a
/// SAML 2.0 `md:IDPSSODescriptor`; [`SamlError::NoSigningCertificate`];
/// [`SamlError::InvalidCertificate`]; an endpoint without `Binding` or
/// `Location`; a malformed `validUntil` or boolean.
pub fn parse_idp_metadata(xml: &[u8]) -> Result<IdpMetadata, SamlError> {
    let doc = parse_metadata_document(xml)?;
    let entity = Entity::read(&doc)?;
    let descriptor = entity.descriptor("IDPSSODescriptor", "md:IDPSSODescriptor", "2.4.3")?;
    let signing_certificates = signing_certificates(descriptor)?;
    if signing_certificates.is_empty() {
        return Err(SamlError::NoSigningCertificate);
    }
    let single_sign_on_services =
        endpoints(descriptor, "SingleSignOnService", "md:SingleSignOnService")?;
    if single_sign_on_services.is_empty() {
        return Err(SamlError::MissingElement {
            element: "md:IDPSSODescriptor",
            child: "md:SingleSignOnService",
            section: "SAML metadata 2.4.3",
        });
    }
    Ok(IdpMetadata {
        entity_id: entity.entity_id,
        valid_until: entity.valid_until,
        cache_duration: entity.cache_duration,
        want_authn_requests_signed: descriptor
            .boolean("WantAuthnRequestsSigned", "SAML metadata 2.4.3")?
            .unwrap_or(false),
        signing_certificates,
        single_logout_services: endpoints(
            descriptor,
            "SingleLogoutService",
            "md:SingleLogoutService",
        )?,
        name_id_formats: name_id_formats(descriptor),
        single_sign_on_services,
    })
}

/// Reads an SP's metadata, as the IdP does to register an SP.
///
/// # Errors
///
/// As [`parse_idp_metadata`], with `md:SPSSODescriptor`; an SP needs no
/// signing certificate, but needs an assertion consumer service with an
/// `index`.
pub fn parse_sp_metadata(xml: &[u8]) -> Result<SpMetadata, SamlError> {
    const SECTION: &str = "SAML metadata 2.4.4";
    let doc = parse_metadata_document(xml)?;
    let entity = Entity::read(&doc)?;
    let descriptor = entity.descriptor("SPSSODescriptor", "md:SPSSODescriptor", "2.4.4")?;
    let assertion_consumer_services = descriptor
        .children(
            METADATA_NS,
            "AssertionConsumerService",
            "md:AssertionConsumerService",
        )
        .map(|acs| {
            let endpoint = endpoint(acs)?;
            Ok(IndexedEndpoint {
                binding: endpoint.binding,
                location: endpoint.location,
                response_location: endpoint.response_location,
                index: acs.unsigned_short("index", "SAML metadata 2.2.3")?.ok_or(
                    SamlError::MissingAttribute {
                        element: "md:AssertionConsumerService",
                        attribute: "index",
                        section: "SAML metadata 2.2.3",
                    },
                )?,
                is_default: acs.boolean("isDefault", "SAML metadata 2.2.3")?,
            })
        })
        .collect::<Result<Vec<_>, SamlError>>()?;
    if assertion_consumer_services.is_empty() {
        return Err(SamlError::MissingElement {
            element: "md:SPSSODescriptor",
            child: "md:AssertionConsumerService",
            section: SECTION,
        });
    }
    let attribute_consuming_services = descriptor
        .children(
            METADATA_NS,
            "AttributeConsumingService",
            "md:AttributeConsumingService",
        )
        .map(read_attribute_consuming_service)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SpMetadata {
        entity_id: entity.entity_id,
        valid_until: entity.valid_until,
        cache_duration: entity.cache_duration,
        authn_requests_signed: descriptor.boolean("AuthnRequestsSigned", SECTION)?,
        want_assertions_signed: descriptor.boolean("WantAssertionsSigned", SECTION)?,
        signing_certificates: signing_certificates(descriptor)?,
        encryption_certificates: key_certificates(descriptor, "encryption")?,
        single_logout_services: endpoints(
            descriptor,
            "SingleLogoutService",
            "md:SingleLogoutService",
        )?,
        name_id_formats: name_id_formats(descriptor),
        assertion_consumer_services,
        attribute_consuming_services,
    })
}

/// Refuses a byte-order mark, then parses. The XML parser itself skips a BOM
/// (XML 1.0 allows one), so this must look at the raw bytes first.
fn parse_metadata_document(xml: &[u8]) -> Result<Document<'_>, SamlError> {
    if xml.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(SamlError::MetadataByteOrderMark);
    }
    Ok(parse_bytes(xml)?)
}

/// What the `md:EntityDescriptor` itself says.
struct Entity<'d> {
    root: Node<'d>,
    entity_id: String,
    valid_until: Option<DateTime>,
    cache_duration: Option<String>,
}

impl<'d> Entity<'d> {
    fn read(doc: &'d Document<'d>) -> Result<Self, SamlError> {
        const SECTION: &str = "SAML metadata 2.3.2";
        let root = Node::root(
            doc,
            METADATA_NS,
            "EntityDescriptor",
            ENTITY_DESCRIPTOR,
            SECTION,
        )?;
        Ok(Entity {
            root,
            entity_id: root.required_attr("entityID", SECTION)?.to_owned(),
            valid_until: root.time("validUntil")?,
            cache_duration: root.owned_attr("cacheDuration"),
        })
    }

    /// The first role descriptor `local_name` that supports SAML 2.0 (SAML
    /// metadata 2.4.1: `protocolSupportEnumeration` is a list of URIs).
    fn descriptor(
        &self,
        local_name: &'static str,
        name: &'static str,
        section: &'static str,
    ) -> Result<Node<'d>, SamlError> {
        self.root
            .children(METADATA_NS, local_name, name)
            .find(|d| {
                d.attr("protocolSupportEnumeration")
                    .is_some_and(|list| list.split(is_xml_space).any(|p| p == PROTOCOL_SUPPORT))
            })
            .ok_or(SamlError::NoRoleDescriptor {
                descriptor: name,
                section,
            })
    }
}

/// The certificates of the signing key descriptors: `use="signing"`, or no
/// `use` at all, which means the key serves both purposes (SAML metadata 2.4.1.1).
fn signing_certificates(descriptor: Node<'_>) -> Result<Vec<Certificate>, SamlError> {
    key_certificates(descriptor, "signing")
}

/// The certificates of the key descriptors for `purpose` (`use` equal to it, or none).
fn key_certificates(descriptor: Node<'_>, purpose: &str) -> Result<Vec<Certificate>, SamlError> {
    let mut certificates = Vec::new();
    for key in descriptor.children(METADATA_NS, "KeyDescriptor", "md:KeyDescriptor") {
        if key.attr("use").is_some_and(|u| u != purpose) {
            continue;
        }
        for info in key.children(DSIG_NS, "KeyInfo", "ds:KeyInfo") {
            for data in info.children(DSIG_NS, "X509Data", "ds:X509Data") {
                for certificate in data.children(DSIG_NS, "X509Certificate", "ds:X509Certificate") {
                    certificates.push(
                        Certificate::from_base64(&certificate.text())
                            .map_err(SamlError::InvalidCertificate)?,
                    );
                }
            }
        }
    }
    Ok(certificates)
}

fn endpoint(node: Node<'_>) -> Result<Endpoint, SamlError> {
    const SECTION: &str = "SAML metadata 2.2.2";
    Ok(Endpoint {
        binding: node.required_attr("Binding", SECTION)?.to_owned(),
        location: node.required_attr("Location", SECTION)?.to_owned(),
        response_location: node.owned_attr("ResponseLocation"),
    })
}

fn endpoints(
    descriptor: Node<'_>,
    local_name: &'static str,
    name: &'static str,
) -> Result<Vec<Endpoint>, SamlError> {
    descriptor
        .children(METADATA_NS, local_name, name)
        .map(endpoint)
        .collect()
}

fn name_id_formats(descriptor: Node<'_>) -> Vec<String> {
    descriptor
        .children(METADATA_NS, "NameIDFormat", "md:NameIDFormat")
        .map(|f| f.uri_text())
        .collect()
}

fn read_attribute_consuming_service(
    service: Node<'_>,
) -> Result<AttributeConsumingService, SamlError> {
    const SECTION: &str = "SAML metadata 2.4.4.1";
    let service_name = service
        .children(METADATA_NS, "ServiceName", "md:ServiceName")
        .next()
        .ok_or(SamlError::MissingElement {
            element: "md:AttributeConsumingService",
            child: "md:ServiceName",
            section: SECTION,
        })?
        .text();
    Ok(AttributeConsumingService {
        index: service
            .unsigned_short("index", SECTION)?
            .ok_or(SamlError::MissingAttribute {
                element: "md:AttributeConsumingService",
                attribute: "index",
                section: SECTION,
            })?,
        is_default: service.boolean("isDefault", SECTION)?,
        service_name,
        requested_attributes: service
            .children(METADATA_NS, "RequestedAttribute", "md:RequestedAttribute")
            .map(|attribute| {
                Ok(RequestedAttribute {
                    name: attribute
                        .required_attr("Name", "SAML metadata 2.4.4.2")?
                        .to_owned(),
                    name_format: attribute.owned_attr("NameFormat"),
                    friendly_name: attribute.owned_attr("FriendlyName"),
                    is_required: attribute.boolean("isRequired", "SAML metadata 2.4.4.2")?,
                })
            })
            .collect::<Result<Vec<_>, SamlError>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::is_xs_duration;

    #[test]
    fn xs_duration_lexical_form() {
        for good in [
            "PT1H",
            "P1D",
            "P1Y2M3DT4H5M6.5S",
            "-P1D",
            "PT0S",
            "P0Y",
            "PT36H",
        ] {
            assert!(is_xs_duration(good), "{good}");
        }
        for bad in [
            "", "P", "PT", "1H", "PT1", "P1H", "PT1D", "P1DT", "PT1.H", "PT.5S", "P1.5D", "PT1M1H",
            "P1D ", "PT1HH",
        ] {
            assert!(!is_xs_duration(bad), "{bad}");
        }
    }
}
