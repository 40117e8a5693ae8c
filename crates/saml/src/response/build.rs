//! Building `samlp:Response` messages: the IdP side of Web Browser SSO.

use std::fmt;
use std::str::FromStr;

use samlsim_crypto::Certificate;
use samlsim_xenc::{EncryptOptions, encrypt_assertion};
use samlsim_xml::{Document, NodeId};

use crate::common::{BuiltMessage, NameId, Status, append_issuer};
use crate::error::SamlError;
use crate::signature::{ASSERTION_NS, PROTOCOL_NS, Signer};
use crate::time::DateTime;
use crate::uri::{XS_NS, XSI_NS, confirmation_method};
use crate::xml_util::{
    append_text_element, check_characters, check_id, saml, samlp, sign, with_optional,
    with_optional_time, xsi_type,
};

use super::Attribute;

/// The envelope of a Response (SAML core 3.2.2, 3.3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseSpec {
    /// `ID`, an `xs:ID` (SAML core 1.3.4).
    pub id: String,
    /// `IssueInstant`.
    pub issue_instant: DateTime,
    /// `Destination`: the URL the Response is posted to (SAML bindings 3.5.5.2
    /// requires it on a signed Response sent by HTTP-POST).
    pub destination: Option<String>,
    /// `InResponseTo`: the ID of the AuthnRequest answered; absent for
    /// IdP-initiated SSO.
    pub in_response_to: Option<String>,
    /// `saml:Issuer`: the IdP's entity ID.
    pub issuer: String,
    /// `samlp:Status`.
    pub status: Status,
}

/// An assertion carrying one bearer subject confirmation, one audience
/// restriction, one authentication statement and optional attributes: what
/// the Web Browser SSO profile (SAML profiles 4.1.4.2) asks of an IdP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionSpec {
    /// `ID`, an `xs:ID` (SAML core 1.3.4), distinct from the Response's.
    pub id: String,
    /// `IssueInstant`.
    pub issue_instant: DateTime,
    /// `saml:Issuer`: the IdP's entity ID.
    pub issuer: String,
    /// `saml:Subject/saml:NameID`.
    pub name_id: NameId,
    /// `saml:SubjectConfirmation` (method bearer) and its data.
    pub confirmation: BearerConfirmationSpec,
    /// `saml:Conditions`.
    pub conditions: ConditionsSpec,
    /// `saml:AuthnStatement`.
    pub authn: AuthnStatementSpec,
    /// `saml:AttributeStatement`; left out when empty (the schema needs at
    /// least one `saml:Attribute` in it).
    pub attributes: Vec<Attribute>,
}

/// `saml:SubjectConfirmationData` of a bearer confirmation (SAML profiles 4.1.4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerConfirmationSpec {
    /// `NotOnOrAfter`: the last moment the assertion may be delivered.
    pub not_on_or_after: DateTime,
    /// `Recipient`: the SP's assertion consumer service URL.
    pub recipient: String,
    /// `InResponseTo`: the AuthnRequest ID, for SP-initiated SSO.
    pub in_response_to: Option<String>,
}

/// `saml:Conditions` (SAML core 2.5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionsSpec {
    /// `NotBefore`.
    pub not_before: DateTime,
    /// `NotOnOrAfter`.
    pub not_on_or_after: DateTime,
    /// The `saml:Audience`s of the one `saml:AudienceRestriction`; at least one.
    pub audiences: Vec<String>,
}

/// `saml:AuthnStatement` (SAML core 2.7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnStatementSpec {
    /// `AuthnInstant`: when the user authenticated.
    pub authn_instant: DateTime,
    /// `SessionIndex`: names the session at the IdP, for single logout.
    pub session_index: String,
    /// `SessionNotOnOrAfter`: when the SP must end its session.
    pub session_not_on_or_after: Option<DateTime>,
    /// `saml:AuthnContext/saml:AuthnContextClassRef`.
    pub authn_context_class_ref: String,
}

/// Which parts of a Response an SP wants signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseSigning {
    /// Nothing signed (an SP must then refuse it, SAML profiles 4.1.4.5; useful
    /// to test that it does).
    Unsigned,
    /// Only the `samlp:Response`; its signature covers the assertion inside.
    Response,
    /// Only the `saml:Assertion`.
    Assertion,
    /// Both: the assertion first, then the Response, whose digest thus covers
    /// the assertion's signature too.
    Both,
}

impl ResponseSigning {
    /// Every choice.
    pub const ALL: [Self; 4] = [Self::Unsigned, Self::Response, Self::Assertion, Self::Both];

    /// `none`, `response`, `assertion` or `both`: the name configuration uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unsigned => "none",
            Self::Response => "response",
            Self::Assertion => "assertion",
            Self::Both => "both",
        }
    }

    /// Whether the `samlp:Response` is signed.
    pub fn signs_response(self) -> bool {
        matches!(self, Self::Response | Self::Both)
    }

    /// Whether the `saml:Assertion` is signed.
    pub fn signs_assertion(self) -> bool {
        matches!(self, Self::Assertion | Self::Both)
    }
}

impl fmt::Display for ResponseSigning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown [`ResponseSigning`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown response signing \"{0}\": expected none, response, assertion or both")]
pub struct UnknownResponseSigning(pub String);

impl FromStr for ResponseSigning {
    type Err = UnknownResponseSigning;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| UnknownResponseSigning(s.to_owned()))
    }
}

/// Builds a `samlp:Response` holding one `saml:Assertion`, signed as `signing`
/// says with `signer` (which is not used for [`ResponseSigning::Unsigned`]).
///
/// Element order follows the schemas exactly (SAML core 3.2.2, 2.3.3, 2.4.1,
/// 2.5.1, 2.7.2, 2.7.3); the signatures go right after each `saml:Issuer`.
///
/// # Errors
///
/// [`SamlError::InvalidInput`] for an ID that is not an `xs:ID`, no audience,
/// an attribute without a name, an invalid top-level status code or a value
/// XML cannot carry; [`SamlError::Sign`] when signing fails (e.g. the two IDs
/// are equal).
pub fn build_response(
    response: &ResponseSpec,
    assertion: &AssertionSpec,
    signing: ResponseSigning,
    signer: &Signer<'_>,
) -> Result<BuiltMessage, SamlError> {
    build(response, assertion, signing, signer, None)
}

/// [`build_response`] with the assertion encrypted to `recipient` (SAML core
/// 2.3.4, 6.1): sign-then-encrypt, so the assertion's signature travels inside the
/// `saml:EncryptedAssertion`, and a Response signature, if any, covers the
/// ciphertext.
///
/// # Errors
///
/// As [`build_response`]; [`SamlError::Encryption`] when encrypting fails.
pub fn build_encrypted_response(
    response: &ResponseSpec,
    assertion: &AssertionSpec,
    signing: ResponseSigning,
    signer: &Signer<'_>,
    recipient: &Certificate,
    options: &EncryptOptions,
) -> Result<BuiltMessage, SamlError> {
    build(
        response,
        assertion,
        signing,
        signer,
        Some((recipient, options)),
    )
}

fn build(
    response: &ResponseSpec,
    assertion: &AssertionSpec,
    signing: ResponseSigning,
    signer: &Signer<'_>,
    encrypt_to: Option<(&Certificate, &EncryptOptions)>,
) -> Result<BuiltMessage, SamlError> {
    let (mut doc, root) = response_document(response)?;
    let assertion_node = append_assertion(&mut doc, root, assertion)?;
    check_characters(&doc, root, "samlp:Response")?;
    // Assertion first: the Response's digest must cover the finished assertion.
    if signing.signs_assertion() {
        sign(&mut doc, assertion_node, signer, "saml:Assertion")?;
    }
    // Then encryption, so the assertion's signature is inside the ciphertext and
    // the Response's covers the EncryptedAssertion.
    if let Some((recipient, options)) = encrypt_to {
        encrypt_assertion(&mut doc, assertion_node, recipient, options)
            .map_err(SamlError::Encryption)?;
    }
    if signing.signs_response() {
        sign(&mut doc, root, signer, "samlp:Response")?;
    }
    Ok(BuiltMessage::new(doc))
}

/// Builds a `samlp:Response` that reports an error: Status only, no assertion
/// (SAML core 3.2.2), signed when `signer` is given.
///
/// # Errors
///
/// As [`build_response`]; also [`SamlError::InvalidInput`] when the status is
/// `Success`, which an error response cannot carry.
pub fn build_error_response(
    response: &ResponseSpec,
    signer: Option<&Signer<'_>>,
) -> Result<BuiltMessage, SamlError> {
    if response.status.is_success() {
        return Err(SamlError::InvalidInput {
            element: "samlp:Response",
            reason: "an error response needs a top-level status other than Success \
                     (SAML core 3.2.2.2)"
                .into(),
        });
    }
    let (mut doc, root) = response_document(response)?;
    check_characters(&doc, root, "samlp:Response")?;
    if let Some(signer) = signer {
        sign(&mut doc, root, signer, "samlp:Response")?;
    }
    Ok(BuiltMessage::new(doc))
}

/// The Response element with its Issuer and Status (SAML core 3.2.2).
fn response_document(spec: &ResponseSpec) -> Result<(Document<'static>, NodeId), SamlError> {
    check_id("samlp:Response", &spec.id)?;
    let mut doc = Document::new();
    let element = samlp("Response")
        .declare_namespace(Some("samlp"), PROTOCOL_NS)
        .declare_namespace(Some("saml"), ASSERTION_NS)
        .with_attribute("ID", spec.id.as_str())
        .with_attribute("Version", "2.0")
        .with_attribute("IssueInstant", spec.issue_instant.to_string());
    let element = with_optional(element, "Destination", spec.destination.as_deref());
    let element = with_optional(element, "InResponseTo", spec.in_response_to.as_deref());
    let root = doc.append_element(doc.document_node(), element);
    append_issuer(&mut doc, root, &spec.issuer);
    spec.status.append_to(&mut doc, root, "samlp:Response")?;
    Ok((doc, root))
}

/// Appends the `saml:Assertion` (SAML core 2.3.3) to `parent`.
fn append_assertion(
    doc: &mut Document,
    parent: NodeId,
    spec: &AssertionSpec,
) -> Result<NodeId, SamlError> {
    check_id("saml:Assertion", &spec.id)?;
    if spec.conditions.audiences.is_empty() {
        return Err(SamlError::InvalidInput {
            element: "saml:Assertion",
            reason: "saml:AudienceRestriction needs at least one saml:Audience \
                     (SAML core 2.5.1.4)"
                .into(),
        });
    }
    if spec.attributes.iter().any(|a| a.name.is_empty()) {
        return Err(SamlError::InvalidInput {
            element: "saml:Assertion",
            reason: "every saml:Attribute needs a non-empty Name (SAML core 2.7.3.1)".into(),
        });
    }

    // The assertion declares every prefix it uses, so that it stands on its own
    // once cut out of the Response (as a verifier's extracted copy is). `xs` is
    // only used inside xsi:type values, which exclusive C14N does not see, so the
    // signature does not cover its binding; readers ignore xsi:type anyway.
    let assertion = doc.append_element(
        parent,
        saml("Assertion")
            .declare_namespace(Some("saml"), ASSERTION_NS)
            .declare_namespace(Some("xs"), XS_NS)
            .declare_namespace(Some("xsi"), XSI_NS)
            .with_attribute("ID", spec.id.as_str())
            .with_attribute("Version", "2.0")
            .with_attribute("IssueInstant", spec.issue_instant.to_string()),
    );
    append_issuer(doc, assertion, &spec.issuer);

    // SAML core 2.4.1: the identifier, then the confirmations.
    let subject = doc.append_element(assertion, saml("Subject"));
    spec.name_id.append_to(doc, subject);
    let confirmation = doc.append_element(
        subject,
        saml("SubjectConfirmation").with_attribute("Method", confirmation_method::BEARER),
    );
    let data = saml("SubjectConfirmationData")
        .with_attribute(
            "NotOnOrAfter",
            spec.confirmation.not_on_or_after.to_string(),
        )
        .with_attribute("Recipient", spec.confirmation.recipient.as_str());
    let data = with_optional(
        data,
        "InResponseTo",
        spec.confirmation.in_response_to.as_deref(),
    );
    doc.append_element(confirmation, data);

    // SAML core 2.5.1.
    let conditions = doc.append_element(
        assertion,
        saml("Conditions")
            .with_attribute("NotBefore", spec.conditions.not_before.to_string())
            .with_attribute("NotOnOrAfter", spec.conditions.not_on_or_after.to_string()),
    );
    let restriction = doc.append_element(conditions, saml("AudienceRestriction"));
    for audience in &spec.conditions.audiences {
        append_text_element(doc, restriction, saml("Audience"), audience);
    }

    // SAML core 2.7.2.
    let authn = saml("AuthnStatement")
        .with_attribute("AuthnInstant", spec.authn.authn_instant.to_string())
        .with_attribute("SessionIndex", spec.authn.session_index.as_str());
    let authn = with_optional_time(
        authn,
        "SessionNotOnOrAfter",
        spec.authn.session_not_on_or_after,
    );
    let authn = doc.append_element(assertion, authn);
    let context = doc.append_element(authn, saml("AuthnContext"));
    append_text_element(
        doc,
        context,
        saml("AuthnContextClassRef"),
        &spec.authn.authn_context_class_ref,
    );

    // SAML core 2.7.3.
    if !spec.attributes.is_empty() {
        let statement = doc.append_element(assertion, saml("AttributeStatement"));
        for attribute in &spec.attributes {
            let element = saml("Attribute").with_attribute("Name", attribute.name.as_str());
            let element = with_optional(element, "NameFormat", attribute.name_format.as_deref());
            let element =
                with_optional(element, "FriendlyName", attribute.friendly_name.as_deref());
            let node = doc.append_element(statement, element);
            for value in &attribute.values {
                let mut value_element = saml("AttributeValue");
                value_element.attributes.push(xsi_type("xs:string"));
                append_text_element(doc, node, value_element, value);
            }
        }
    }
    Ok(assertion)
}
