//! Types that several messages share: name identifiers, status, and the output
//! of every builder.

use samlsim_xml::{Document, NodeId, to_xml};

use crate::error::SamlError;
use crate::signature::{ASSERTION_NS, PROTOCOL_NS};
use crate::uri::status;
use crate::xml_util::{Node, append_text_element, saml, samlp, with_optional};

/// A built message: the tree (signed, if it was to be) and its serialisation.
///
/// `xml` has no XML declaration, so it can be embedded or base64-encoded as is;
/// the same inputs always give byte-identical `xml` (RSA PKCS#1 v1.5 signatures
/// are deterministic, and nothing here reads a clock or a random source).
#[derive(Debug, Clone)]
pub struct BuiltMessage {
    /// The message as a tree.
    pub document: Document<'static>,
    /// The message as text.
    pub xml: String,
}

impl BuiltMessage {
    pub(crate) fn new(document: Document<'static>) -> Self {
        let xml = to_xml(&document, document.document_node());
        BuiltMessage { document, xml }
    }
}

/// A `saml:NameID` (SAML core 2.2.3): the subject's identifier and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameId {
    /// The identifier itself.
    pub value: String,
    /// Its format URI (SAML core 8.3); absent means `unspecified`.
    pub format: Option<String>,
    /// The security domain of the IdP that qualifies it (`NameQualifier`).
    pub name_qualifier: Option<String>,
    /// The SP (or affiliation) that qualifies it (`SPNameQualifier`).
    pub sp_name_qualifier: Option<String>,
}

impl NameId {
    /// A name identifier with a format and no qualifiers.
    pub fn new(value: impl Into<String>, format: impl Into<String>) -> Self {
        NameId {
            value: value.into(),
            format: Some(format.into()),
            name_qualifier: None,
            sp_name_qualifier: None,
        }
    }

    pub(crate) fn append_to(&self, doc: &mut Document, parent: NodeId) {
        let element = with_optional(saml("NameID"), "Format", self.format.as_deref());
        let element = with_optional(element, "NameQualifier", self.name_qualifier.as_deref());
        let element = with_optional(
            element,
            "SPNameQualifier",
            self.sp_name_qualifier.as_deref(),
        );
        append_text_element(doc, parent, element, &self.value);
    }

    /// Reads a `saml:NameID`; the value is the element's whole text content, so a
    /// comment inside it cannot truncate it (CVE-2017-11427).
    pub(crate) fn read(node: Node<'_>) -> Self {
        NameId {
            value: node.text(),
            format: node.owned_attr("Format"),
            name_qualifier: node.owned_attr("NameQualifier"),
            sp_name_qualifier: node.owned_attr("SPNameQualifier"),
        }
    }
}

/// A `samlp:Status` (SAML core 3.2.2.1): a top-level code, optionally a
/// second-level code that refines it, and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The top-level `StatusCode/@Value` ([`status`] has the URIs).
    pub code: String,
    /// The nested (second-level) `StatusCode/@Value`, if any. Deeper levels
    /// are neither built nor read.
    pub sub_code: Option<String>,
    /// `StatusMessage`, if any.
    pub message: Option<String>,
}

impl Status {
    /// `urn:oasis:names:tc:SAML:2.0:status:Success`, nothing else.
    pub fn success() -> Self {
        Status {
            code: status::SUCCESS.into(),
            sub_code: None,
            message: None,
        }
    }

    /// An error status: a top-level code (`Requester`, `Responder` or
    /// `VersionMismatch`), an optional second-level code and message.
    pub fn error(code: &str, sub_code: Option<&str>, message: Option<&str>) -> Self {
        Status {
            code: code.into(),
            sub_code: sub_code.map(str::to_owned),
            message: message.map(str::to_owned),
        }
    }

    /// Whether the top-level code is `Success`.
    pub fn is_success(&self) -> bool {
        self.code == status::SUCCESS
    }

    pub(crate) fn append_to(
        &self,
        doc: &mut Document,
        parent: NodeId,
        element: &'static str,
    ) -> Result<(), SamlError> {
        // SAML core 3.2.2.2: the top-level code must be one of these four.
        const TOP_LEVEL: [&str; 4] = [
            status::SUCCESS,
            status::REQUESTER,
            status::RESPONDER,
            status::VERSION_MISMATCH,
        ];
        if !TOP_LEVEL.contains(&self.code.as_str()) {
            return Err(SamlError::InvalidInput {
                element,
                reason: format!(
                    "top-level status code \"{}\" is not Success, Requester, Responder or \
                     VersionMismatch (SAML core 3.2.2.2)",
                    self.code
                ),
            });
        }
        let status_element = doc.append_element(parent, samlp("Status"));
        let code = doc.append_element(
            status_element,
            samlp("StatusCode").with_attribute("Value", self.code.as_str()),
        );
        if let Some(sub_code) = &self.sub_code {
            doc.append_element(
                code,
                samlp("StatusCode").with_attribute("Value", sub_code.as_str()),
            );
        }
        if let Some(message) = &self.message {
            append_text_element(doc, status_element, samlp("StatusMessage"), message);
        }
        Ok(())
    }

    /// Reads the required `samlp:Status` child of a response.
    pub(crate) fn read(response: Node<'_>) -> Result<Self, SamlError> {
        const SECTION: &str = "SAML core 3.2.2.1";
        let status = response.required_child(PROTOCOL_NS, "Status", "samlp:Status", SECTION)?;
        let code = status.required_child(PROTOCOL_NS, "StatusCode", "samlp:StatusCode", SECTION)?;
        let sub_code = code
            .child(
                PROTOCOL_NS,
                "StatusCode",
                "samlp:StatusCode",
                "SAML core 3.2.2.2",
            )?
            .map(|c| c.required_attr("Value", "SAML core 3.2.2.2"))
            .transpose()?;
        let message = status
            .child(
                PROTOCOL_NS,
                "StatusMessage",
                "samlp:StatusMessage",
                "SAML core 3.2.2.3",
            )?
            .map(|m| m.text());
        Ok(Status {
            code: code.required_attr("Value", "SAML core 3.2.2.2")?.to_owned(),
            sub_code: sub_code.map(str::to_owned),
            message,
        })
    }
}

/// Appends `saml:Issuer` holding `issuer` (SAML core 2.2.5). Its `Format` is
/// left out: absent means `entity`, the only format SAML profiles 4.1.4.1/4.1.4.2
/// allow here.
pub(crate) fn append_issuer(doc: &mut Document, parent: NodeId, issuer: &str) {
    append_text_element(doc, parent, saml("Issuer"), issuer);
}

/// Reads the optional `saml:Issuer` child of a protocol message.
pub(crate) fn read_issuer(message: Node<'_>) -> Result<Option<String>, SamlError> {
    Ok(message
        .child(ASSERTION_NS, "Issuer", "saml:Issuer", "SAML core 3.2.1")?
        .map(|i| i.text()))
}
