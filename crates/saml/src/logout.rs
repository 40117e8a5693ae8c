//! Single Logout messages (SAML core 3.7): `samlp:LogoutRequest` and
//! `samlp:LogoutResponse`.

use samlsim_crypto::Certificate;
use samlsim_xml::{Document, parse_bytes};

use crate::common::{BuiltMessage, NameId, Status, append_issuer, read_issuer};
use crate::error::SamlError;
use crate::signature::{ASSERTION_NS, PROTOCOL_NS, Signer};
use crate::time::DateTime;
use crate::xml_util::{
    Node, append_text_element, check_characters, check_id, samlp, sign, verify_root, with_optional,
    with_optional_time,
};

const LOGOUT_REQUEST: &str = "samlp:LogoutRequest";
const LOGOUT_RESPONSE: &str = "samlp:LogoutResponse";

/// A `samlp:LogoutRequest` (SAML core 3.7.1), as built or as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutRequest {
    /// `ID`, an `xs:ID` (SAML core 1.3.4).
    pub id: String,
    /// `IssueInstant`.
    pub issue_instant: DateTime,
    /// `Destination`: the receiver's SLO URL.
    pub destination: Option<String>,
    /// `saml:Issuer` (required by SAML profiles 4.4.4.1).
    pub issuer: String,
    /// The principal to log out.
    pub name_id: NameId,
    /// `samlp:SessionIndex`es: the sessions to end; none means all of them.
    pub session_indexes: Vec<String>,
    /// `NotOnOrAfter`: when the request expires.
    pub not_on_or_after: Option<DateTime>,
    /// `Reason`, a URI (SAML core 3.7.3).
    pub reason: Option<String>,
}

/// A `samlp:LogoutResponse` (SAML core 3.7.2), as built or as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutResponse {
    /// `ID`, an `xs:ID` (SAML core 1.3.4).
    pub id: String,
    /// `IssueInstant`.
    pub issue_instant: DateTime,
    /// `Destination`.
    pub destination: Option<String>,
    /// `InResponseTo`: the LogoutRequest's ID.
    pub in_response_to: Option<String>,
    /// `saml:Issuer` (required by SAML profiles 4.4.4.2).
    pub issuer: String,
    /// `samlp:Status`.
    pub status: Status,
}

/// Builds a `samlp:LogoutRequest`, signed (enveloped, for HTTP-POST) when
/// `signer` is given.
///
/// # Errors
///
/// [`SamlError::InvalidInput`] for an ID that is not an `xs:ID` or a value XML
/// cannot carry; [`SamlError::Sign`].
pub fn build_logout_request(
    request: &LogoutRequest,
    signer: Option<&Signer<'_>>,
) -> Result<BuiltMessage, SamlError> {
    check_id(LOGOUT_REQUEST, &request.id)?;
    let mut doc = Document::new();
    let element = samlp("LogoutRequest")
        .declare_namespace(Some("samlp"), PROTOCOL_NS)
        .declare_namespace(Some("saml"), ASSERTION_NS)
        .with_attribute("ID", request.id.as_str())
        .with_attribute("Version", "2.0")
        .with_attribute("IssueInstant", request.issue_instant.to_string());
    let element = with_optional(element, "Destination", request.destination.as_deref());
    let element = with_optional_time(element, "NotOnOrAfter", request.not_on_or_after);
    let element = with_optional(element, "Reason", request.reason.as_deref());
    let root = doc.append_element(doc.document_node(), element);
    append_issuer(&mut doc, root, &request.issuer);
    // SAML core 3.7.1: the identifier, then the session indexes.
    request.name_id.append_to(&mut doc, root);
    for index in &request.session_indexes {
        append_text_element(&mut doc, root, samlp("SessionIndex"), index);
    }
    check_characters(&doc, root, LOGOUT_REQUEST)?;
    if let Some(signer) = signer {
        sign(&mut doc, root, signer, LOGOUT_REQUEST)?;
    }
    Ok(BuiltMessage::new(doc))
}

/// Parses a `samlp:LogoutRequest` without verifying any signature.
///
/// # Errors
///
/// [`SamlError::Xml`], [`SamlError::UnexpectedRoot`]; a missing `ID`,
/// `IssueInstant`, `saml:Issuer` or `saml:NameID`; `Version` other than `2.0`;
/// malformed times.
pub fn parse_logout_request(xml: &[u8]) -> Result<LogoutRequest, SamlError> {
    let doc = parse_bytes(xml)?;
    read_request(Node::root(
        &doc,
        PROTOCOL_NS,
        "LogoutRequest",
        LOGOUT_REQUEST,
        "SAML core 3.7.1",
    )?)
}

/// Verifies the enveloped signature of a POSTed `samlp:LogoutRequest` and
/// reads it from the signed content.
///
/// # Errors
///
/// As [`parse_logout_request`], plus [`SamlError::Signature`].
pub fn verify_logout_request(
    xml: &[u8],
    trusted: &[Certificate],
) -> Result<LogoutRequest, SamlError> {
    let verified = verify_root(
        xml,
        trusted,
        PROTOCOL_NS,
        "LogoutRequest",
        LOGOUT_REQUEST,
        "SAML core 3.7.1",
    )?;
    read_request(Node::at(
        &verified.document,
        verified.element(),
        LOGOUT_REQUEST,
    ))
}

/// A received `samlp:LogoutRequest`, parsed once: like
/// [`ReceivedAuthnRequest`](crate::authn_request::ReceivedAuthnRequest), good only
/// for finding the claimed sender until [`ReceivedLogoutRequest::verify`] reads
/// the signed content.
pub struct ReceivedLogoutRequest {
    /// Owned: the type is named by services without a lifetime.
    doc: Document<'static>,
}

impl ReceivedLogoutRequest {
    /// Parses the XML once.
    ///
    /// # Errors
    ///
    /// [`SamlError::Xml`], [`SamlError::UnexpectedRoot`].
    pub fn parse(xml: &[u8]) -> Result<Self, SamlError> {
        let doc = parse_bytes(xml)?;
        Self::root(&doc)?;
        Ok(ReceivedLogoutRequest {
            doc: doc.into_owned(),
        })
    }

    fn root<'d>(doc: &'d Document<'d>) -> Result<Node<'d>, SamlError> {
        Node::root(
            doc,
            PROTOCOL_NS,
            "LogoutRequest",
            LOGOUT_REQUEST,
            "SAML core 3.7.1",
        )
    }

    /// Whether any element of the message carries an enveloped signature.
    pub fn carries_signature(&self) -> bool {
        !crate::signature::signed_elements(&self.doc).is_empty()
    }

    /// The request as it claims to be, nothing verified.
    ///
    /// # Errors
    ///
    /// As [`parse_logout_request`].
    pub fn unverified(&self) -> Result<LogoutRequest, SamlError> {
        read_request(Self::root(&self.doc)?)
    }

    /// Verifies the root's enveloped signature against `trusted` and reads the
    /// request from the signed content only; with the certificate that verified it.
    ///
    /// # Errors
    ///
    /// [`SamlError::Signature`]; as [`parse_logout_request`] for the signed content.
    pub fn verify(
        &self,
        trusted: &[Certificate],
    ) -> Result<(LogoutRequest, Certificate), SamlError> {
        let root = Self::root(&self.doc)?;
        let verified = samlsim_dsig::verify_enveloped(
            &self.doc,
            root.id,
            trusted,
            &samlsim_dsig::VerifyOptions::default(),
        )
        .map_err(|source| SamlError::Signature {
            element: LOGOUT_REQUEST,
            source,
        })?;
        let request = read_request(Node::at(
            &verified.document,
            verified.element(),
            LOGOUT_REQUEST,
        ))?;
        Ok((request, verified.certificate))
    }
}

/// Builds a `samlp:LogoutResponse`, signed (enveloped) when `signer` is given.
///
/// # Errors
///
/// [`SamlError::InvalidInput`] for an ID that is not an `xs:ID`, an invalid
/// top-level status code or a value XML cannot carry; [`SamlError::Sign`].
pub fn build_logout_response(
    response: &LogoutResponse,
    signer: Option<&Signer<'_>>,
) -> Result<BuiltMessage, SamlError> {
    check_id(LOGOUT_RESPONSE, &response.id)?;
    let mut doc = Document::new();
    let element = samlp("LogoutResponse")
        .declare_namespace(Some("samlp"), PROTOCOL_NS)
        .declare_namespace(Some("saml"), ASSERTION_NS)
        .with_attribute("ID", response.id.as_str())
        .with_attribute("Version", "2.0")
        .with_attribute("IssueInstant", response.issue_instant.to_string());
    let element = with_optional(element, "Destination", response.destination.as_deref());
    let element = with_optional(element, "InResponseTo", response.in_response_to.as_deref());
    let root = doc.append_element(doc.document_node(), element);
    append_issuer(&mut doc, root, &response.issuer);
    response.status.append_to(&mut doc, root, LOGOUT_RESPONSE)?;
    check_characters(&doc, root, LOGOUT_RESPONSE)?;
    if let Some(signer) = signer {
        sign(&mut doc, root, signer, LOGOUT_RESPONSE)?;
    }
    Ok(BuiltMessage::new(doc))
}

/// Parses a `samlp:LogoutResponse` without verifying any signature.
///
/// # Errors
///
/// [`SamlError::Xml`], [`SamlError::UnexpectedRoot`]; a missing `ID`,
/// `IssueInstant`, `saml:Issuer` or Status; `Version` other than `2.0`.
pub fn parse_logout_response(xml: &[u8]) -> Result<LogoutResponse, SamlError> {
    const SECTION: &str = "SAML core 3.2.2";
    let doc = parse_bytes(xml)?;
    let root = Node::root(
        &doc,
        PROTOCOL_NS,
        "LogoutResponse",
        LOGOUT_RESPONSE,
        "SAML core 3.7.2",
    )?;
    root.version(SECTION)?;
    Ok(LogoutResponse {
        id: root.required_attr("ID", SECTION)?.to_owned(),
        issue_instant: root.required_time("IssueInstant", SECTION)?,
        destination: root.owned_attr("Destination"),
        in_response_to: root.owned_attr("InResponseTo"),
        issuer: read_issuer(root)?.ok_or(SamlError::MissingElement {
            element: LOGOUT_RESPONSE,
            child: "saml:Issuer",
            section: "SAML profiles 4.4.4.2",
        })?,
        status: Status::read(root)?,
    })
}

fn read_request(root: Node<'_>) -> Result<LogoutRequest, SamlError> {
    const SECTION: &str = "SAML core 3.2.1";
    root.version(SECTION)?;
    let id = root.required_attr("ID", SECTION)?.to_owned();
    let issue_instant = root.required_time("IssueInstant", SECTION)?;
    let issuer = read_issuer(root)?.ok_or(SamlError::MissingElement {
        element: LOGOUT_REQUEST,
        child: "saml:Issuer",
        section: "SAML profiles 4.4.4.1",
    })?;
    let name_id = root.required_child(ASSERTION_NS, "NameID", "saml:NameID", "SAML core 3.7.1")?;
    Ok(LogoutRequest {
        id,
        issue_instant,
        destination: root.owned_attr("Destination"),
        issuer,
        name_id: NameId::read(name_id),
        session_indexes: root
            .children(PROTOCOL_NS, "SessionIndex", "samlp:SessionIndex")
            .map(|s| s.text())
            .collect(),
        not_on_or_after: root.time("NotOnOrAfter")?,
        reason: root.owned_attr("Reason"),
    })
}
