//! `samlp:AuthnRequest` (SAML core 3.4.1): what an SP sends to start Web
//! Browser SSO, built by the mock SPs and read by the IdP.
//!
//! Over HTTP-Redirect the request is signed in the query string
//! ([`crate::redirect`]); over HTTP-POST it carries its own enveloped signature
//! ([`build_authn_request`] with a signer, [`verify_authn_request`]).

use samlsim_crypto::Certificate;
use samlsim_xml::{Document, parse_bytes};

use crate::common::{BuiltMessage, append_issuer, read_issuer};
use crate::error::SamlError;
use crate::signature::{ASSERTION_NS, PROTOCOL_NS, Signer};
use crate::time::DateTime;
use crate::uri::binding;
use crate::xml_util::{
    Node, append_text_element, check_characters, check_id, saml, samlp, sign, verify_root,
    with_optional, xs_boolean,
};

const AUTHN_REQUEST: &str = "samlp:AuthnRequest";
/// RequestAbstractType, which defines ID, Version and IssueInstant.
const REQUEST_SECTION: &str = "SAML core 3.2.1";
const SECTION: &str = "SAML core 3.4.1";

/// An authentication request, as built or as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnRequest {
    /// `ID`, an `xs:ID` (SAML core 1.3.4); the Response's `InResponseTo`.
    pub id: String,
    /// `IssueInstant`.
    pub issue_instant: DateTime,
    /// `Destination`: the IdP's SSO URL.
    pub destination: Option<String>,
    /// `AssertionConsumerServiceURL`: where the Response should go.
    pub assertion_consumer_service_url: Option<String>,
    /// `AssertionConsumerServiceIndex`: the alternative to the URL, an index
    /// into the SP's metadata (SAML core 3.4.1 forbids giving both).
    pub assertion_consumer_service_index: Option<u16>,
    /// `ProtocolBinding`: how the Response should come back.
    pub protocol_binding: Option<String>,
    /// `saml:Issuer`: the SP's entity ID (required by SAML profiles 4.1.4.1).
    pub issuer: String,
    /// `samlp:NameIDPolicy`.
    pub name_id_policy: Option<NameIdPolicy>,
    /// `ForceAuthn`.
    pub force_authn: Option<bool>,
    /// `IsPassive`.
    pub is_passive: Option<bool>,
    /// `samlp:RequestedAuthnContext` (SAML core 3.3.2.2.1).
    pub requested_authn_context: Option<RequestedAuthnContext>,
}

/// `samlp:RequestedAuthnContext` (SAML core 3.3.2.2.1), by class references.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestedAuthnContext {
    /// `Comparison`: `exact` (the default), `minimum`, `maximum` or `better`.
    pub comparison: Option<String>,
    /// The `saml:AuthnContextClassRef` values, in order of preference.
    pub class_refs: Vec<String>,
    /// The `saml:AuthnContextDeclRef` values (the IdP satisfies none of these).
    pub decl_refs: Vec<String>,
}

/// `samlp:NameIDPolicy` (SAML core 3.4.1.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameIdPolicy {
    /// `Format`: the name identifier format wanted.
    pub format: Option<String>,
    /// `SPNameQualifier`.
    pub sp_name_qualifier: Option<String>,
    /// `AllowCreate`: whether the IdP may create a new identifier.
    pub allow_create: Option<bool>,
}

impl AuthnRequest {
    /// A request asking for the Response by HTTP-POST at `acs_url`, with no
    /// NameID policy, ForceAuthn or IsPassive.
    pub fn new(
        id: impl Into<String>,
        issue_instant: DateTime,
        issuer: impl Into<String>,
        acs_url: impl Into<String>,
    ) -> Self {
        AuthnRequest {
            id: id.into(),
            issue_instant,
            destination: None,
            assertion_consumer_service_url: Some(acs_url.into()),
            assertion_consumer_service_index: None,
            protocol_binding: Some(binding::HTTP_POST.into()),
            issuer: issuer.into(),
            name_id_policy: None,
            force_authn: None,
            is_passive: None,
            requested_authn_context: None,
        }
    }
}

/// Builds a `samlp:AuthnRequest`, signed (enveloped, for HTTP-POST) when
/// `signer` is given. For HTTP-Redirect, build it unsigned and sign the query.
///
/// # Errors
///
/// [`SamlError::InvalidInput`] for an ID that is not an `xs:ID`, both an ACS
/// URL and index, or a value XML cannot carry; [`SamlError::Sign`].
pub fn build_authn_request(
    request: &AuthnRequest,
    signer: Option<&Signer<'_>>,
) -> Result<BuiltMessage, SamlError> {
    check_id(AUTHN_REQUEST, &request.id)?;
    if request.assertion_consumer_service_url.is_some()
        && request.assertion_consumer_service_index.is_some()
    {
        return Err(SamlError::InvalidInput {
            element: AUTHN_REQUEST,
            reason: "AssertionConsumerServiceIndex and AssertionConsumerServiceURL are \
                     mutually exclusive (SAML core 3.4.1)"
                .into(),
        });
    }
    let mut doc = Document::new();
    let element = samlp("AuthnRequest")
        .declare_namespace(Some("samlp"), PROTOCOL_NS)
        .declare_namespace(Some("saml"), ASSERTION_NS)
        .with_attribute("ID", request.id.as_str())
        .with_attribute("Version", "2.0")
        .with_attribute("IssueInstant", request.issue_instant.to_string());
    let element = with_optional(element, "Destination", request.destination.as_deref());
    let element = with_optional(element, "ForceAuthn", request.force_authn.map(xs_boolean));
    let element = with_optional(element, "IsPassive", request.is_passive.map(xs_boolean));
    let element = with_optional(
        element,
        "ProtocolBinding",
        request.protocol_binding.as_deref(),
    );
    let element = with_optional(
        element,
        "AssertionConsumerServiceURL",
        request.assertion_consumer_service_url.as_deref(),
    );
    let index = request
        .assertion_consumer_service_index
        .map(|i| i.to_string());
    let element = with_optional(element, "AssertionConsumerServiceIndex", index.as_deref());
    let root = doc.append_element(doc.document_node(), element);
    append_issuer(&mut doc, root, &request.issuer);
    // Schema order after Issuer/Signature/Extensions: Subject, NameIDPolicy, ...
    if let Some(policy) = &request.name_id_policy {
        let element = with_optional(samlp("NameIDPolicy"), "Format", policy.format.as_deref());
        let element = with_optional(
            element,
            "SPNameQualifier",
            policy.sp_name_qualifier.as_deref(),
        );
        let element = with_optional(element, "AllowCreate", policy.allow_create.map(xs_boolean));
        doc.append_element(root, element);
    }
    if let Some(context) = &request.requested_authn_context {
        let element = with_optional(
            samlp("RequestedAuthnContext"),
            "Comparison",
            context.comparison.as_deref(),
        );
        let node = doc.append_element(root, element);
        for class in &context.class_refs {
            append_text_element(&mut doc, node, saml("AuthnContextClassRef"), class);
        }
        for decl in &context.decl_refs {
            append_text_element(&mut doc, node, saml("AuthnContextDeclRef"), decl);
        }
    }
    check_characters(&doc, root, AUTHN_REQUEST)?;
    if let Some(signer) = signer {
        sign(&mut doc, root, signer, AUTHN_REQUEST)?;
    }
    Ok(BuiltMessage::new(doc))
}

/// Parses a `samlp:AuthnRequest` without verifying any signature.
///
/// # Errors
///
/// [`SamlError::Xml`], [`SamlError::UnexpectedRoot`]; a missing `ID`,
/// `IssueInstant` or `saml:Issuer`; `Version` other than `2.0`
/// ([`SamlError::UnsupportedVersion`]); malformed times, booleans or index.
pub fn parse_authn_request(xml: &[u8]) -> Result<AuthnRequest, SamlError> {
    let doc = parse_bytes(xml)?;
    read(Node::root(
        &doc,
        PROTOCOL_NS,
        "AuthnRequest",
        AUTHN_REQUEST,
        SECTION,
    )?)
}

/// Verifies the enveloped signature of a POSTed `samlp:AuthnRequest` against
/// `trusted` (the SP's certificates) and reads it from the signed content.
///
/// # Errors
///
/// As [`parse_authn_request`], plus [`SamlError::Signature`] when the
/// request is unsigned or its signature does not verify.
pub fn verify_authn_request(
    xml: &[u8],
    trusted: &[Certificate],
) -> Result<AuthnRequest, SamlError> {
    let verified = verify_root(
        xml,
        trusted,
        PROTOCOL_NS,
        "AuthnRequest",
        AUTHN_REQUEST,
        SECTION,
    )?;
    read(Node::at(
        &verified.document,
        verified.element(),
        AUTHN_REQUEST,
    ))
}

/// A received `samlp:AuthnRequest`, parsed once. Before its signature is checked
/// it is only good for finding who claims to have sent it (and so which
/// certificates may have signed it); [`ReceivedAuthnRequest::verify`] gives the
/// request read from the signed content alone.
pub struct ReceivedAuthnRequest {
    /// Owned: the type is named by services without a lifetime.
    doc: Document<'static>,
}

impl ReceivedAuthnRequest {
    /// Parses the XML once.
    ///
    /// # Errors
    ///
    /// [`SamlError::Xml`], [`SamlError::UnexpectedRoot`].
    pub fn parse(xml: &[u8]) -> Result<Self, SamlError> {
        let doc = parse_bytes(xml)?;
        Node::root(&doc, PROTOCOL_NS, "AuthnRequest", AUTHN_REQUEST, SECTION)?;
        Ok(ReceivedAuthnRequest {
            doc: doc.into_owned(),
        })
    }

    /// Whether any element of the message carries an enveloped signature.
    pub fn carries_signature(&self) -> bool {
        !crate::signature::signed_elements(&self.doc).is_empty()
    }

    /// The request as it claims to be, nothing verified: for finding the sender's
    /// certificates, or when there is no enveloped signature to check (unsigned, or
    /// signed over the HTTP-Redirect query string the XML was decoded from).
    ///
    /// # Errors
    ///
    /// As [`parse_authn_request`].
    pub fn unverified(&self) -> Result<AuthnRequest, SamlError> {
        read(Node::root(
            &self.doc,
            PROTOCOL_NS,
            "AuthnRequest",
            AUTHN_REQUEST,
            SECTION,
        )?)
    }

    /// Verifies the root's enveloped signature against `trusted` and reads the
    /// request from the signed content only; with the certificate that verified it.
    ///
    /// # Errors
    ///
    /// [`SamlError::Signature`] when the root is unsigned or its signature does
    /// not verify; as [`parse_authn_request`] for the signed content.
    pub fn verify(
        &self,
        trusted: &[Certificate],
    ) -> Result<(AuthnRequest, Certificate), SamlError> {
        let root = Node::root(
            &self.doc,
            PROTOCOL_NS,
            "AuthnRequest",
            AUTHN_REQUEST,
            SECTION,
        )?;
        let verified = samlsim_dsig::verify_enveloped(
            &self.doc,
            root.id,
            trusted,
            &samlsim_dsig::VerifyOptions::default(),
        )
        .map_err(|source| SamlError::Signature {
            element: AUTHN_REQUEST,
            source,
        })?;
        let request = read(Node::at(
            &verified.document,
            verified.element(),
            AUTHN_REQUEST,
        ))?;
        Ok((request, verified.certificate))
    }
}

fn read(root: Node<'_>) -> Result<AuthnRequest, SamlError> {
    // Version first: a request of another SAML version may differ in anything else
    // (SAML core 4.1.3: the responder answers VersionMismatch).
    root.version(REQUEST_SECTION)?;
    let id = root.required_attr("ID", REQUEST_SECTION)?.to_owned();
    let issue_instant = root.required_time("IssueInstant", REQUEST_SECTION)?;
    let issuer = read_issuer(root)?.ok_or(SamlError::MissingElement {
        element: AUTHN_REQUEST,
        child: "saml:Issuer",
        section: "SAML profiles 4.1.4.1",
    })?;
    let name_id_policy = root
        .child(PROTOCOL_NS, "NameIDPolicy", "samlp:NameIDPolicy", SECTION)?
        .map(|policy| {
            Ok::<_, SamlError>(NameIdPolicy {
                format: policy.owned_attr("Format"),
                sp_name_qualifier: policy.owned_attr("SPNameQualifier"),
                allow_create: policy.boolean("AllowCreate", "SAML core 3.4.1.1")?,
            })
        })
        .transpose()?;
    let requested_authn_context = root
        .child(
            PROTOCOL_NS,
            "RequestedAuthnContext",
            "samlp:RequestedAuthnContext",
            "SAML core 3.3.2.2.1",
        )?
        .map(|context| {
            let refs = |local: &'static str, name: &'static str| {
                context
                    .children(ASSERTION_NS, local, name)
                    .map(|node| node.uri_text())
                    .collect::<Vec<_>>()
            };
            Ok::<_, SamlError>(RequestedAuthnContext {
                comparison: context.owned_attr("Comparison"),
                class_refs: refs("AuthnContextClassRef", "saml:AuthnContextClassRef"),
                decl_refs: refs("AuthnContextDeclRef", "saml:AuthnContextDeclRef"),
            })
        })
        .transpose()?;
    Ok(AuthnRequest {
        id,
        issue_instant,
        destination: root.owned_attr("Destination"),
        assertion_consumer_service_url: root.owned_attr("AssertionConsumerServiceURL"),
        assertion_consumer_service_index: root
            .unsigned_short("AssertionConsumerServiceIndex", SECTION)?,
        protocol_binding: root.owned_attr("ProtocolBinding"),
        issuer,
        name_id_policy,
        force_authn: root.boolean("ForceAuthn", SECTION)?,
        is_passive: root.boolean("IsPassive", SECTION)?,
        requested_authn_context,
    })
}
