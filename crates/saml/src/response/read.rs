//! Reading and verifying a `samlp:Response`: the SP side of Web Browser SSO.

use samlsim_crypto::{Certificate, DigestAlgorithm, SignatureAlgorithm, SigningKey};
use samlsim_dsig::{Verified, VerifyOptions, verify_enveloped};
use samlsim_xenc::{DecryptOptions, XencError, decrypt_assertion};
use samlsim_xml::{Document, NodeId, parse_bytes};

use crate::common::{NameId, Status, read_issuer};
use crate::error::SamlError;
use crate::signature::{ASSERTION_NS, PROTOCOL_NS};
use crate::time::DateTime;
use crate::xml_util::Node;

use super::Attribute;

const RESPONSE: &str = "samlp:Response";
const ASSERTION: &str = "saml:Assertion";
/// StatusResponseType, which defines the Response's ID, Version and IssueInstant.
const RESPONSE_SECTION: &str = "SAML core 3.2.2";
const ASSERTION_SECTION: &str = "SAML core 2.3.3";

/// The envelope of a Response: everything outside the assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseEnvelope {
    /// `ID`.
    pub id: String,
    /// `IssueInstant`.
    pub issue_instant: DateTime,
    /// `Destination`.
    pub destination: Option<String>,
    /// `InResponseTo`.
    pub in_response_to: Option<String>,
    /// `saml:Issuer` (optional on a Response, SAML core 3.2.2).
    pub issuer: Option<String>,
    /// `samlp:Status`.
    pub status: Status,
}

/// One assertion found directly inside the Response, before verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainedAssertion {
    /// A `saml:Assertion`.
    Assertion {
        /// Its `ID`, if it has one.
        id: Option<String>,
        /// Whether it has a `ds:Signature` child (not yet verified).
        signed: bool,
    },
    /// A `saml:EncryptedAssertion`.
    Encrypted,
}

/// A parsed, not yet verified Response.
/// It borrows from the XML it was parsed from ([`ReceivedResponse::into_owned`]
/// to keep it longer).
#[derive(Debug, Clone)]
pub struct ReceivedResponse<'a> {
    /// The envelope as received. Nothing vouches for it: use it to route and
    /// to report, and for decisions only the copy in
    /// [`VerifiedAssertion::signed_envelope`].
    pub envelope: ResponseEnvelope,
    /// Whether the Response has a `ds:Signature` child (not yet verified).
    pub signed: bool,
    /// The assertions that are children of the Response, in document order.
    pub assertions: Vec<ContainedAssertion>,
    document: Document<'a>,
}

/// Whether a signature was there, and whose key verified it.
// One per received Response, read once: boxing the certificate would cost an
// allocation per sign-in to save stack space nobody is short of.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum SignatureStatus {
    /// There was no signature.
    Absent,
    /// The signature verified.
    Verified {
        /// Its `SignatureMethod`.
        algorithm: SignatureAlgorithm,
        /// Its `DigestMethod`.
        digest: DigestAlgorithm,
        /// The trusted certificate whose key verified it.
        certificate: Certificate,
    },
}

impl SignatureStatus {
    /// Whether a signature was present and verified.
    pub fn is_verified(&self) -> bool {
        matches!(self, Self::Verified { .. })
    }

    fn of(verified: &Verified) -> Self {
        SignatureStatus::Verified {
            algorithm: verified.signature_algorithm,
            digest: verified.digest_algorithm,
            certificate: verified.certificate.clone(),
        }
    }
}

/// A `saml:SubjectConfirmation` with its `saml:SubjectConfirmationData`
/// (SAML core 2.4.1.1, 2.4.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectConfirmation {
    /// `Method`, e.g. bearer.
    pub method: String,
    /// `SubjectConfirmationData/@NotBefore`.
    pub not_before: Option<DateTime>,
    /// `SubjectConfirmationData/@NotOnOrAfter`.
    pub not_on_or_after: Option<DateTime>,
    /// `SubjectConfirmationData/@Recipient`.
    pub recipient: Option<String>,
    /// `SubjectConfirmationData/@InResponseTo`.
    pub in_response_to: Option<String>,
    /// `SubjectConfirmationData/@Address`.
    pub address: Option<String>,
}

/// `saml:Conditions` (SAML core 2.5.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conditions {
    /// `NotBefore`.
    pub not_before: Option<DateTime>,
    /// `NotOnOrAfter`.
    pub not_on_or_after: Option<DateTime>,
    /// The `saml:Audience`s of each `saml:AudienceRestriction`, in order. The
    /// assertion is addressed to an SP only if it is in *every* restriction
    /// (SAML core 2.5.1.4), hence one list per restriction.
    pub audience_restrictions: Vec<Vec<String>>,
    /// Whether `saml:OneTimeUse` is present (SAML core 2.5.1.5).
    pub one_time_use: bool,
}

/// A `saml:AuthnStatement` (SAML core 2.7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnStatement {
    /// `AuthnInstant`.
    pub authn_instant: DateTime,
    /// `SessionIndex`.
    pub session_index: Option<String>,
    /// `SessionNotOnOrAfter`.
    pub session_not_on_or_after: Option<DateTime>,
    /// `saml:AuthnContext/saml:AuthnContextClassRef`, if that is how the
    /// context is given.
    pub authn_context_class_ref: Option<String>,
}

/// An assertion whose signature (or whose enclosing Response's) verified, read
/// only from the signed content.
#[derive(Debug, Clone)]
pub struct VerifiedAssertion {
    /// `ID`.
    pub id: String,
    /// `IssueInstant`.
    pub issue_instant: DateTime,
    /// `saml:Issuer`.
    pub issuer: String,
    /// `saml:Subject/saml:NameID`; `None` without a subject or when the subject
    /// is identified otherwise (`BaseID`, `EncryptedID`).
    pub name_id: Option<NameId>,
    /// Every `saml:SubjectConfirmation`, in order. An SP that requires exactly
    /// one bearer confirmation (as AWS does) can say so only if it sees them all.
    pub subject_confirmations: Vec<SubjectConfirmation>,
    /// `saml:Conditions`, if present.
    pub conditions: Option<Conditions>,
    /// Every `saml:AuthnStatement`, in order.
    pub authn_statements: Vec<AuthnStatement>,
    /// The attributes of every `saml:AttributeStatement`, in document order.
    /// The same `Name` may occur more than once; see [`Self::attribute_values`].
    pub attributes: Vec<Attribute>,
    /// The Response's signature.
    pub response_signature: SignatureStatus,
    /// The assertion's own signature.
    pub assertion_signature: SignatureStatus,
    /// The Response's envelope read from the verified Response, when the
    /// Response was signed; `None` when only the assertion was.
    pub signed_envelope: Option<ResponseEnvelope>,
    /// Whether the assertion arrived as a `saml:EncryptedAssertion` (and was read
    /// from what decrypting it gave).
    pub encrypted: bool,
}

/// The private keys a service provider decrypts `saml:EncryptedAssertion`s with:
/// one, or two while a key is rotated; each is tried in turn.
#[derive(Debug, Clone, Copy)]
pub struct Decryption<'a> {
    /// The keys, in the order to try them.
    pub keys: &'a [&'a SigningKey],
    /// Algorithms allowed and parser limits for the decrypted assertion.
    pub options: DecryptOptions,
}

impl Decryption<'_> {
    /// Decrypts the `saml:EncryptedAssertion` `encrypted` of `doc` with the first
    /// key that unwraps its content key. Any other failure (a tag mismatch, bad
    /// padding, a malformed `EncryptedData`) ends the attempt: the key matched.
    fn decrypt(
        &self,
        doc: &Document<'_>,
        encrypted: NodeId,
    ) -> Result<Document<'static>, SamlError> {
        let mut last = XencError::WrongKey;
        for key in self.keys {
            match decrypt_assertion(doc, encrypted, key, &self.options) {
                Ok(decrypted) => return Ok(decrypted),
                Err(XencError::WrongKey) => last = XencError::WrongKey,
                Err(other) => return Err(SamlError::Decryption(other)),
            }
        }
        Err(SamlError::Decryption(last))
    }
}

impl VerifiedAssertion {
    /// The values of every attribute named `name`, in document order.
    pub fn attribute_values(&self, name: &str) -> Vec<&str> {
        self.attributes
            .iter()
            .filter(|a| a.name == name)
            .flat_map(|a| a.values.iter().map(String::as_str))
            .collect()
    }
}

/// Parses a `samlp:Response` and reads its envelope, without verifying anything.
///
/// # Errors
///
/// [`SamlError::Xml`] for input that is not acceptable XML;
/// [`SamlError::UnexpectedRoot`] when it is not a Response; a missing or
/// malformed `ID`, `Version` (which must be `2.0`), `IssueInstant` or Status.
pub fn parse_response(xml: &[u8]) -> Result<ReceivedResponse<'_>, SamlError> {
    let document = parse_bytes(xml)?;
    let root = Node::root(
        &document,
        PROTOCOL_NS,
        "Response",
        RESPONSE,
        "SAML core 3.3.3",
    )?;
    let envelope = read_envelope(root)?;
    let signed = root.has_signature();
    let assertions = root
        .doc
        .child_elements(root.id)
        .filter_map(|child| {
            let node = Node::at(&document, child, ASSERTION);
            if document.is_element(child, ASSERTION_NS, "Assertion") {
                Some(ContainedAssertion::Assertion {
                    id: node.owned_attr("ID"),
                    signed: node.has_signature(),
                })
            } else if document.is_element(child, ASSERTION_NS, "EncryptedAssertion") {
                Some(ContainedAssertion::Encrypted)
            } else {
                None
            }
        })
        .collect();
    Ok(ReceivedResponse {
        envelope,
        signed,
        assertions,
        document,
    })
}

impl<'a> ReceivedResponse<'a> {
    /// The whole parsed document, unverified: for showing it to people, never
    /// for deciding anything.
    pub fn document(&self) -> &Document<'a> {
        &self.document
    }

    /// The response owning all its strings, free of the XML it was parsed from.
    pub fn into_owned(self) -> ReceivedResponse<'static> {
        ReceivedResponse {
            envelope: self.envelope,
            signed: self.signed,
            assertions: self.assertions,
            document: self.document.into_owned(),
        }
    }

    /// Verifies the Response against `trusted` certificates and reads its one
    /// assertion from the signed content only.
    ///
    /// * If the Response carries a signature, it must verify; the assertion is
    ///   then taken from the verified Response's copy, and its own signature,
    ///   if it has one, must verify too.
    /// * Otherwise the assertion must carry a signature, and it must verify.
    ///
    /// Either way the Response must hold exactly one assertion as a direct
    /// child: anything else is ambiguous about which content was vouched for.
    ///
    /// # Errors
    ///
    /// [`SamlError::Signature`] for a signature that does not verify (with
    /// the reason: wrong key, altered content, a reference to another
    /// element...), [`SamlError::Unsigned`], [`SamlError::AssertionCount`],
    /// [`SamlError::EncryptedAssertion`], and the reading errors of a
    /// malformed assertion (a missing ID, a bad timestamp...).
    pub fn verify(&self, trusted: &[Certificate]) -> Result<VerifiedAssertion, SamlError> {
        self.verify_decrypting(trusted, None)
    }

    /// Whether the Response's assertion (any of them) is a `saml:EncryptedAssertion`,
    /// as received: for routing and policy ("encryption required") only.
    pub fn is_encrypted(&self) -> bool {
        self.assertions.contains(&ContainedAssertion::Encrypted)
    }

    /// Decrypts the Response's one `saml:EncryptedAssertion` **without verifying
    /// anything**: to route only (which provider's certificates will verify it),
    /// as [`Self::document`] is for a plain assertion. Decisions are made on what
    /// [`Self::verify_decrypting`] returns.
    ///
    /// # Errors
    ///
    /// [`SamlError::AssertionCount`] unless there is exactly one assertion and it is
    /// encrypted; [`SamlError::Decryption`].
    pub fn decrypt_unverified(
        &self,
        decryption: &Decryption<'_>,
    ) -> Result<Document<'static>, SamlError> {
        let root = Node::root(
            &self.document,
            PROTOCOL_NS,
            "Response",
            RESPONSE,
            "SAML core 3.3.3",
        )?;
        match single_assertion(root)? {
            Contained::Encrypted(node) => decryption.decrypt(node.doc, node.id),
            Contained::Plain(_) => Err(SamlError::AssertionCount { count: 0 }),
        }
    }

    /// [`Self::verify`], decrypting a `saml:EncryptedAssertion` with `decryption`'s
    /// keys (SAML core 2.3.4, sign-then-encrypt: the assertion's signature is inside
    /// the ciphertext). The order keeps the verified-element invariant across
    /// decryption:
    ///
    /// * a signed Response is verified first, and the `EncryptedAssertion` is
    ///   taken from the verified copy;
    /// * the decrypted assertion is a new document; its own signature, if any, is
    ///   verified on it (and required when the Response is not signed);
    /// * the assertion is read only from the verified copy (or, when only the
    ///   Response was signed, from the decryption of the ciphertext it covered).
    ///
    /// # Errors
    ///
    /// As [`Self::verify`]; [`SamlError::EncryptedAssertion`] when the assertion is
    /// encrypted and `decryption` is `None`; [`SamlError::Decryption`].
    pub fn verify_decrypting(
        &self,
        trusted: &[Certificate],
        decryption: Option<&Decryption<'_>>,
    ) -> Result<VerifiedAssertion, SamlError> {
        let options = VerifyOptions::default();
        let doc = &self.document;
        let root = Node::root(doc, PROTOCOL_NS, "Response", RESPONSE, "SAML core 3.3.3")?;

        if root.has_signature() {
            let response = verify_enveloped(doc, root.id, trusted, &options).map_err(|source| {
                SamlError::Signature {
                    element: RESPONSE,
                    source,
                }
            })?;
            let signed_root = Node::at(&response.document, response.element(), RESPONSE);
            let envelope = read_envelope(signed_root)?;
            let response_signature = SignatureStatus::of(&response);
            match single_assertion(signed_root)? {
                Contained::Plain(assertion) => {
                    signed_assertion(assertion, trusted, response_signature, envelope, false)
                }
                Contained::Encrypted(encrypted) => {
                    let decryption = decryption.ok_or(SamlError::EncryptedAssertion)?;
                    let decrypted = decryption.decrypt(encrypted.doc, encrypted.id)?;
                    let assertion = decrypted_root(&decrypted)?;
                    signed_assertion(assertion, trusted, response_signature, envelope, true)
                }
            }
        } else {
            match single_assertion(root)? {
                Contained::Plain(assertion) => assertion_only(assertion, trusted, false),
                Contained::Encrypted(encrypted) => {
                    let decryption = decryption.ok_or(SamlError::EncryptedAssertion)?;
                    let decrypted = decryption.decrypt(encrypted.doc, encrypted.id)?;
                    assertion_only(decrypted_root(&decrypted)?, trusted, true)
                }
            }
        }
    }
}

/// The assertion of a verified Response: its own signature, if any, must verify too.
fn signed_assertion(
    assertion: Node<'_>,
    trusted: &[Certificate],
    response_signature: SignatureStatus,
    envelope: ResponseEnvelope,
    encrypted: bool,
) -> Result<VerifiedAssertion, SamlError> {
    let options = VerifyOptions::default();
    let mut read = if assertion.has_signature() {
        let verified = verify_assertion(assertion, trusted, &options)?;
        let node = Node::at(&verified.document, verified.element(), ASSERTION);
        read_assertion(
            node,
            response_signature,
            SignatureStatus::of(&verified),
            Some(envelope),
        )?
    } else {
        read_assertion(
            assertion,
            response_signature,
            SignatureStatus::Absent,
            Some(envelope),
        )?
    };
    read.encrypted = encrypted;
    Ok(read)
}

/// The assertion of an unsigned Response: it must carry its own signature.
fn assertion_only(
    assertion: Node<'_>,
    trusted: &[Certificate],
    encrypted: bool,
) -> Result<VerifiedAssertion, SamlError> {
    if !assertion.has_signature() {
        return Err(SamlError::Unsigned);
    }
    let verified = verify_assertion(assertion, trusted, &VerifyOptions::default())?;
    let node = Node::at(&verified.document, verified.element(), ASSERTION);
    let mut read = read_assertion(
        node,
        SignatureStatus::Absent,
        SignatureStatus::of(&verified),
        None,
    )?;
    read.encrypted = encrypted;
    Ok(read)
}

/// The root of a decrypted assertion document (`decrypt_assertion` checked it is
/// a `saml:Assertion`).
fn decrypted_root<'d>(decrypted: &'d Document<'d>) -> Result<Node<'d>, SamlError> {
    let root = decrypted
        .root_element()
        .ok_or(SamlError::AssertionCount { count: 0 })?;
    Ok(Node::at(decrypted, root, ASSERTION))
}

fn verify_assertion<'d>(
    assertion: Node<'d>,
    trusted: &[Certificate],
    options: &VerifyOptions,
) -> Result<Verified<'d>, SamlError> {
    verify_enveloped(assertion.doc, assertion.id, trusted, options).map_err(|source| {
        SamlError::Signature {
            element: ASSERTION,
            source,
        }
    })
}

/// The one assertion that is a direct child of `response`. Assertions nested
/// anywhere else (in `Extensions`, in a `ds:Object`...) are not the Response's
/// assertions and are never looked at.
fn single_assertion(response: Node<'_>) -> Result<Contained<'_>, SamlError> {
    let plain: Vec<Node<'_>> = response
        .children(ASSERTION_NS, "Assertion", ASSERTION)
        .collect();
    let encrypted: Vec<Node<'_>> = response
        .children(
            ASSERTION_NS,
            "EncryptedAssertion",
            "saml:EncryptedAssertion",
        )
        .collect();
    match (plain.as_slice(), encrypted.as_slice()) {
        ([only], []) => Ok(Contained::Plain(*only)),
        ([], [only]) => Ok(Contained::Encrypted(*only)),
        _ => Err(SamlError::AssertionCount {
            count: plain.len() + encrypted.len(),
        }),
    }
}

/// The one assertion of a Response, plain or encrypted.
enum Contained<'a> {
    Plain(Node<'a>),
    Encrypted(Node<'a>),
}

fn read_envelope(response: Node<'_>) -> Result<ResponseEnvelope, SamlError> {
    // Version first: in another SAML version anything else may differ.
    response.version(RESPONSE_SECTION)?;
    Ok(ResponseEnvelope {
        id: response.required_attr("ID", RESPONSE_SECTION)?.to_owned(),
        issue_instant: response.required_time("IssueInstant", RESPONSE_SECTION)?,
        destination: response.owned_attr("Destination"),
        in_response_to: response.owned_attr("InResponseTo"),
        issuer: read_issuer(response)?,
        status: Status::read(response)?,
    })
}

fn read_assertion(
    assertion: Node<'_>,
    response_signature: SignatureStatus,
    assertion_signature: SignatureStatus,
    signed_envelope: Option<ResponseEnvelope>,
) -> Result<VerifiedAssertion, SamlError> {
    assertion.version(ASSERTION_SECTION)?;
    let id = assertion.required_attr("ID", ASSERTION_SECTION)?.to_owned();
    let issue_instant = assertion.required_time("IssueInstant", ASSERTION_SECTION)?;
    let issuer = assertion
        .required_child(ASSERTION_NS, "Issuer", "saml:Issuer", ASSERTION_SECTION)?
        .text();

    let subject = assertion.child(ASSERTION_NS, "Subject", "saml:Subject", ASSERTION_SECTION)?;
    let (name_id, subject_confirmations) = match subject {
        Some(subject) => read_subject(subject)?,
        None => (None, Vec::new()),
    };
    let conditions = assertion
        .child(
            ASSERTION_NS,
            "Conditions",
            "saml:Conditions",
            ASSERTION_SECTION,
        )?
        .map(read_conditions)
        .transpose()?;
    let authn_statements = assertion
        .children(ASSERTION_NS, "AuthnStatement", "saml:AuthnStatement")
        .map(read_authn_statement)
        .collect::<Result<Vec<_>, _>>()?;
    let mut attributes = Vec::new();
    for statement in assertion.children(
        ASSERTION_NS,
        "AttributeStatement",
        "saml:AttributeStatement",
    ) {
        for attribute in statement.children(ASSERTION_NS, "Attribute", "saml:Attribute") {
            attributes.push(Attribute {
                name: attribute
                    .required_attr("Name", "SAML core 2.7.3.1")?
                    .to_owned(),
                name_format: attribute.owned_attr("NameFormat"),
                friendly_name: attribute.owned_attr("FriendlyName"),
                values: attribute
                    .children(ASSERTION_NS, "AttributeValue", "saml:AttributeValue")
                    .map(|v| v.text())
                    .collect(),
            });
        }
    }

    Ok(VerifiedAssertion {
        id,
        issue_instant,
        issuer,
        name_id,
        subject_confirmations,
        conditions,
        authn_statements,
        attributes,
        response_signature,
        assertion_signature,
        signed_envelope,
        encrypted: false,
    })
}

fn read_subject(
    subject: Node<'_>,
) -> Result<(Option<NameId>, Vec<SubjectConfirmation>), SamlError> {
    const SECTION: &str = "SAML core 2.4.1";
    let name_id = subject
        .child(ASSERTION_NS, "NameID", "saml:NameID", SECTION)?
        .map(NameId::read);
    let confirmations = subject
        .children(
            ASSERTION_NS,
            "SubjectConfirmation",
            "saml:SubjectConfirmation",
        )
        .map(|confirmation| {
            let method = confirmation
                .required_attr("Method", "SAML core 2.4.1.1")?
                .to_owned();
            let data = confirmation.child(
                ASSERTION_NS,
                "SubjectConfirmationData",
                "saml:SubjectConfirmationData",
                "SAML core 2.4.1.1",
            )?;
            Ok(match data {
                Some(data) => SubjectConfirmation {
                    method,
                    not_before: data.time("NotBefore")?,
                    not_on_or_after: data.time("NotOnOrAfter")?,
                    recipient: data.owned_attr("Recipient"),
                    in_response_to: data.owned_attr("InResponseTo"),
                    address: data.owned_attr("Address"),
                },
                None => SubjectConfirmation {
                    method,
                    not_before: None,
                    not_on_or_after: None,
                    recipient: None,
                    in_response_to: None,
                    address: None,
                },
            })
        })
        .collect::<Result<Vec<_>, SamlError>>()?;
    Ok((name_id, confirmations))
}

fn read_conditions(conditions: Node<'_>) -> Result<Conditions, SamlError> {
    let audience_restrictions = conditions
        .children(
            ASSERTION_NS,
            "AudienceRestriction",
            "saml:AudienceRestriction",
        )
        .map(|restriction| {
            let audiences: Vec<String> = restriction
                .children(ASSERTION_NS, "Audience", "saml:Audience")
                .map(|a| a.uri_text())
                .collect();
            if audiences.is_empty() {
                Err(SamlError::MissingElement {
                    element: "saml:AudienceRestriction",
                    child: "saml:Audience",
                    section: "SAML core 2.5.1.4",
                })
            } else {
                Ok(audiences)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Conditions {
        not_before: conditions.time("NotBefore")?,
        not_on_or_after: conditions.time("NotOnOrAfter")?,
        audience_restrictions,
        one_time_use: conditions
            .children(ASSERTION_NS, "OneTimeUse", "saml:OneTimeUse")
            .next()
            .is_some(),
    })
}

fn read_authn_statement(statement: Node<'_>) -> Result<AuthnStatement, SamlError> {
    const SECTION: &str = "SAML core 2.7.2";
    let context =
        statement.required_child(ASSERTION_NS, "AuthnContext", "saml:AuthnContext", SECTION)?;
    let class_ref = context
        .child(
            ASSERTION_NS,
            "AuthnContextClassRef",
            "saml:AuthnContextClassRef",
            "SAML core 2.7.2.2",
        )?
        .map(|c| c.uri_text());
    Ok(AuthnStatement {
        authn_instant: statement.required_time("AuthnInstant", SECTION)?,
        session_index: statement.owned_attr("SessionIndex"),
        session_not_on_or_after: statement.time("SessionNotOnOrAfter")?,
        authn_context_class_ref: class_ref,
    })
}
