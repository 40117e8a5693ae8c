//! Enveloped XML signatures (XML-DSig 1.0, <https://www.w3.org/TR/xmldsig-core/>) as
//! SAML uses them (SAML core §5.4).
//!
//! [`sign_enveloped`] signs one element of a [`Document`] in place. [`verify_enveloped`]
//! checks the signature of one element against certificates the *caller* trusts and
//! returns a [`Verified`] value holding a new document made of exactly the nodes
//! that were digested ([`Document::extract`]). Code after verification reads only that document, so nothing
//! that was not signed — a second element with the same ID, an assertion tucked into
//! `Extensions` or `ds:Object`, a comment splitting a `NameID` — can be mistaken for
//! signed content: signature wrapping fails by construction, not by vigilance.
//!
//! The verifier is deliberately narrower than XML-DSig, as SAML core §5.4 allows:
//! exactly one `Reference`, whose `URI` is `#` + the ID of the element being
//! verified; only the enveloped-signature and canonicalisation transforms; IDs
//! unique across the whole document; RSA with SHA-1/256/512; no HMAC; and the key
//! in `KeyInfo` is never trusted, only reported.

mod error;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlsim_crypto::{Certificate, DigestAlgorithm, SignatureAlgorithm, SigningKey};
use samlsim_xml::c14n::{EXC_C14N, canonicalize_into};
use samlsim_xml::{Canonicalization, Document, Element, NodeId, NodeKind, canonicalize};

pub use error::DsigError;

/// `http://www.w3.org/2000/09/xmldsig#`
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The enveloped-signature transform (XML-DSig §6.6.4).
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// Where [`sign_enveloped`] puts the `ds:Signature` among the element's children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignaturePosition {
    /// As the first child.
    FirstChild,
    /// Right after the first child named `{namespace}local_name`, or first if there is
    /// none. SAML's schema wants it after `saml:Issuer` (SAML core §3.2.1, §2.3.3).
    After {
        namespace: String,
        local_name: String,
    },
}

/// How to sign.
#[derive(Debug, Clone)]
pub struct SignOptions {
    pub signature_algorithm: SignatureAlgorithm,
    pub digest_algorithm: DigestAlgorithm,
    /// The unqualified attribute holding the element's ID (`ID` in SAML).
    pub id_attribute: String,
    pub position: SignaturePosition,
    /// Whether to put the certificate in `KeyInfo/X509Data/X509Certificate`.
    pub include_certificate: bool,
    /// The exc-c14n `InclusiveNamespaces PrefixList` of the reference transform:
    /// prefixes used only inside attribute values (SAML's `xsi:type="xs:string"`),
    /// which exclusive canonicalisation would otherwise leave unsigned.
    pub inclusive_prefixes: Vec<String>,
}

impl Default for SignOptions {
    /// RSA-SHA256 with SHA-256 digests over exclusive C14N, ID attribute `ID`.
    fn default() -> Self {
        SignOptions {
            signature_algorithm: SignatureAlgorithm::RsaSha256,
            digest_algorithm: DigestAlgorithm::Sha256,
            id_attribute: "ID".into(),
            position: SignaturePosition::FirstChild,
            include_certificate: true,
            inclusive_prefixes: Vec::new(),
        }
    }
}

/// Signs `element` with an enveloped signature and inserts the `ds:Signature` into it.
/// Returns the signature element.
pub fn sign_enveloped(
    doc: &mut Document,
    element: NodeId,
    key: &SigningKey,
    certificate: Option<&Certificate>,
    options: &SignOptions,
) -> Result<NodeId, DsigError> {
    let id_attributes = [options.id_attribute.as_str()];
    let id = element_id(doc, element, &id_attributes)?.to_owned();
    check_unique_ids(doc, &id_attributes)?;
    if doc
        .first_child_named(element, DSIG_NS, "Signature")
        .is_some()
    {
        return Err(DsigError::AlreadySigned { id });
    }

    // The digest over the element before the signature exists equals the digest with
    // the signature removed by the enveloped transform.
    let c14n = Canonicalization::exclusive();
    let reference_c14n = Canonicalization {
        inclusive_prefixes: options.inclusive_prefixes.clone(),
        ..Canonicalization::exclusive()
    };
    let digest =
        options
            .digest_algorithm
            .digest(&canonicalize(doc, element, None, &reference_c14n));

    let signature = doc.create(NodeKind::Element(
        ds("Signature").declare_namespace(Some("ds"), DSIG_NS),
    ));
    let signed_info = doc.append_element(signature, ds("SignedInfo"));
    doc.append_element(
        signed_info,
        ds("CanonicalizationMethod").with_attribute("Algorithm", EXC_C14N),
    );
    doc.append_element(
        signed_info,
        ds("SignatureMethod").with_attribute("Algorithm", options.signature_algorithm.uri()),
    );
    let reference = doc.append_element(
        signed_info,
        ds("Reference").with_attribute("URI", format!("#{id}")),
    );
    let transforms = doc.append_element(reference, ds("Transforms"));
    doc.append_element(
        transforms,
        ds("Transform").with_attribute("Algorithm", ENVELOPED_SIGNATURE),
    );
    let exc_transform = doc.append_element(
        transforms,
        ds("Transform").with_attribute("Algorithm", EXC_C14N),
    );
    if !options.inclusive_prefixes.is_empty() {
        doc.append_element(
            exc_transform,
            Element::new(Some("ec"), "InclusiveNamespaces", Some(EXC_C14N))
                .declare_namespace(Some("ec"), EXC_C14N)
                .with_attribute("PrefixList", options.inclusive_prefixes.join(" ")),
        );
    }
    doc.append_element(
        reference,
        ds("DigestMethod").with_attribute("Algorithm", options.digest_algorithm.uri()),
    );
    let digest_value = doc.append_element(reference, ds("DigestValue"));
    doc.append_text(digest_value, STANDARD.encode(digest));
    let signature_value = doc.append_element(signature, ds("SignatureValue"));
    if let Some(certificate) = certificate.filter(|_| options.include_certificate) {
        let key_info = doc.append_element(signature, ds("KeyInfo"));
        let x509_data = doc.append_element(key_info, ds("X509Data"));
        let x509_certificate = doc.append_element(x509_data, ds("X509Certificate"));
        doc.append_text(x509_certificate, certificate.to_base64());
    }

    let index = match &options.position {
        SignaturePosition::FirstChild => 0,
        SignaturePosition::After {
            namespace,
            local_name,
        } => doc
            .children(element)
            .iter()
            .position(|&c| doc.is_element(c, namespace, local_name))
            .map_or(0, |i| i + 1),
    };
    doc.insert_child(element, index, signature);

    // SignedInfo is canonicalised in place: its namespace context is the document's.
    let signed_bytes = canonicalize(doc, signed_info, None, &c14n);
    let value = key.sign(options.signature_algorithm, &signed_bytes)?;
    doc.append_text(signature_value, STANDARD.encode(value));
    Ok(signature)
}

fn ds(local_name: &str) -> Element<'static> {
    Element::new(Some("ds"), local_name, Some(DSIG_NS))
}

/// How to verify.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Unqualified attributes that hold IDs (`ID` in SAML). All of them must be
    /// unique across the document.
    pub id_attributes: Vec<String>,
    /// Accept RSA-SHA1 signatures and SHA-1 digests. Real IdPs still send them, and
    /// AWS accepts them.
    pub allow_sha1: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            id_attributes: vec!["ID".into()],
            allow_sha1: true,
        }
    }
}

/// What a successful verification yields: the signed element, rebuilt from the bytes
/// that were digested, and how it was signed.
#[derive(Debug, Clone)]
pub struct Verified<'a> {
    /// A document whose root element is the signed element, without its enveloped
    /// signature and without comments: the node-set the digest covered. The only
    /// thing later code may read. It borrows from the text the verified document
    /// was parsed from, as that document did.
    pub document: Document<'a>,
    /// The ID the signature's Reference named.
    pub id: String,
    pub signature_algorithm: SignatureAlgorithm,
    pub digest_algorithm: DigestAlgorithm,
    /// The trusted certificate whose key verified the signature.
    pub certificate: Certificate,
}

impl Verified<'_> {
    /// The signed element in [`Verified::document`].
    pub fn element(&self) -> NodeId {
        // `verify_enveloped` only builds documents from an element's canonical form.
        self.document
            .root_element()
            .unwrap_or(self.document.document_node())
    }
}

/// Verifies the enveloped signature of `element` against `trusted` certificates.
/// The [`Verified`] document is a copy of the signed nodes ([`Document::extract`]);
/// [`verify_enveloped_owned`] moves them instead.
pub fn verify_enveloped<'a>(
    doc: &Document<'a>,
    element: NodeId,
    trusted: &[Certificate],
    options: &VerifyOptions,
) -> Result<Verified<'a>, DsigError> {
    let id_attributes: Vec<&str> = options.id_attributes.iter().map(String::as_str).collect();
    check_unique_ids(doc, &id_attributes)?;
    verify_with_unique_ids(doc, element, trusted, options)
}

/// [`verify_enveloped`] for a document the caller has no further use for: the
/// signed nodes are moved out of it ([`Document::into_extract`]), not copied.
pub fn verify_enveloped_owned<'a>(
    doc: Document<'a>,
    element: NodeId,
    trusted: &[Certificate],
    options: &VerifyOptions,
) -> Result<Verified<'a>, DsigError> {
    let id_attributes: Vec<&str> = options.id_attributes.iter().map(String::as_str).collect();
    check_unique_ids(&doc, &id_attributes)?;
    let checked = check_signature(&doc, element, trusted, options)?;
    let signed = doc.into_extract(element, Some(checked.signature), false);
    Ok(checked.with_document(signed))
}

/// Verifies every element of `doc` that carries an enveloped signature, checking
/// ID uniqueness once for all (per element it would make a document of many
/// signatures quadratic to check).
pub fn verify_every_signature<'a>(
    doc: &Document<'a>,
    trusted: &[Certificate],
    options: &VerifyOptions,
) -> Vec<(NodeId, Result<Verified<'a>, DsigError>)> {
    let signed = signed_elements(doc);
    let id_attributes: Vec<&str> = options.id_attributes.iter().map(String::as_str).collect();
    let unique = check_unique_ids(doc, &id_attributes);
    signed
        .into_iter()
        .map(|element| {
            let result = match &unique {
                Ok(()) => verify_with_unique_ids(doc, element, trusted, options),
                Err(DsigError::DuplicateId { id }) => {
                    Err(DsigError::DuplicateId { id: id.clone() })
                }
                Err(other) => Err(DsigError::MalformedSignature {
                    reason: other.to_string(),
                }),
            };
            (element, result)
        })
        .collect()
}

/// The elements of `doc` that carry an enveloped `ds:Signature`, in document order.
pub fn signed_elements(doc: &Document) -> Vec<NodeId> {
    doc.descendants(doc.document_node())
        .filter(|&n| doc.is_element(n, DSIG_NS, "Signature"))
        .filter_map(|signature| doc.parent(signature))
        .filter(|&parent| doc.element(parent).is_some())
        .collect()
}

/// [`verify_enveloped`] once IDs are known to be unique.
fn verify_with_unique_ids<'a>(
    doc: &Document<'a>,
    element: NodeId,
    trusted: &[Certificate],
    options: &VerifyOptions,
) -> Result<Verified<'a>, DsigError> {
    let checked = check_signature(doc, element, trusted, options)?;
    let signed = doc.extract(element, Some(checked.signature), false);
    Ok(checked.with_document(signed))
}

/// What a signature that verified says, before its node-set is extracted.
struct Checked {
    /// The `ds:Signature` element, which the node-set leaves out.
    signature: NodeId,
    id: String,
    signature_algorithm: SignatureAlgorithm,
    digest_algorithm: DigestAlgorithm,
    certificate: Certificate,
}

impl Checked {
    fn with_document(self, document: Document<'_>) -> Verified<'_> {
        Verified {
            document,
            id: self.id,
            signature_algorithm: self.signature_algorithm,
            digest_algorithm: self.digest_algorithm,
            certificate: self.certificate,
        }
    }
}

/// Checks the enveloped signature of `element` (IDs known to be unique): its
/// shape, its value against `trusted`, and the digest of the referenced node-set.
fn check_signature(
    doc: &Document<'_>,
    element: NodeId,
    trusted: &[Certificate],
    options: &VerifyOptions,
) -> Result<Checked, DsigError> {
    let id_attributes: Vec<&str> = options.id_attributes.iter().map(String::as_str).collect();
    let id = element_id(doc, element, &id_attributes)?;
    if trusted.is_empty() {
        return Err(DsigError::NoTrustedCertificate);
    }

    let mut signatures = doc.children_named(element, DSIG_NS, "Signature");
    let signature = signatures.next().ok_or_else(|| DsigError::NotSigned {
        element: describe(doc, element),
    })?;
    if signatures.next().is_some() {
        return Err(DsigError::MultipleSignatures {
            element: describe(doc, element),
        });
    }
    let parts = SignatureParts::read(doc, signature)?;

    let signature_algorithm = SignatureAlgorithm::from_uri(parts.signature_method)
        .filter(|a| options.allow_sha1 || *a != SignatureAlgorithm::RsaSha1)
        .ok_or_else(|| DsigError::UnsupportedAlgorithm {
            role: "SignatureMethod",
            uri: parts.signature_method.to_owned(),
        })?;
    let digest_algorithm = DigestAlgorithm::from_uri(parts.digest_method)
        .filter(|a| options.allow_sha1 || *a != DigestAlgorithm::Sha1)
        .ok_or_else(|| DsigError::UnsupportedAlgorithm {
            role: "DigestMethod",
            uri: parts.digest_method.to_owned(),
        })?;

    if parts.reference_uri.strip_prefix('#') != Some(id) {
        return Err(DsigError::WrongReference {
            uri: parts.reference_uri.to_owned(),
            id: id.to_owned(),
        });
    }

    // SignatureValue first: it proves SignedInfo (and so the expected digest) authentic,
    // and a failure here is about keys, not content.
    let mut canonical = canonicalize(doc, parts.signed_info, None, &parts.signed_info_c14n);
    let signature_value = decode_base64(doc, parts.signature_value, "SignatureValue")?;
    let certificate = trusted
        .iter()
        .find(|c| {
            c.verify(signature_algorithm, &canonical, &signature_value)
                .is_ok()
        })
        .ok_or_else(|| untrusted_or_bad(doc, &parts, trusted))?;

    // The referenced element's canonical form reuses SignedInfo's buffer.
    canonical.clear();
    canonicalize_into(
        doc,
        element,
        Some(signature),
        &parts.reference_c14n,
        &mut canonical,
    );
    let expected = decode_base64(doc, parts.digest_value, "DigestValue")?;
    if digest_algorithm.digest(&canonical) != expected {
        return Err(DsigError::DigestMismatch { id: id.to_owned() });
    }

    Ok(Checked {
        signature,
        id: id.to_owned(),
        signature_algorithm,
        digest_algorithm,
        certificate: certificate.clone(),
    })
}

/// The pieces of a `ds:Signature`, checked for the shape SAML allows.
struct SignatureParts<'d> {
    signed_info: NodeId,
    signed_info_c14n: Canonicalization,
    signature_method: &'d str,
    reference_uri: &'d str,
    reference_c14n: Canonicalization,
    digest_method: &'d str,
    digest_value: NodeId,
    signature_value: NodeId,
    key_info_certificate: Option<NodeId>,
}

impl<'d> SignatureParts<'d> {
    fn read(doc: &'d Document<'_>, signature: NodeId) -> Result<Self, DsigError> {
        let mut children = doc.child_elements(signature);
        let signed_info = next_dsig_child(
            doc,
            &mut children,
            "SignedInfo",
            "the first child of ds:Signature must be ds:SignedInfo",
        )?;
        let signature_value = next_dsig_child(
            doc,
            &mut children,
            "SignatureValue",
            "ds:SignedInfo must be followed by ds:SignatureValue",
        )?;
        let key_info_certificate = doc
            .first_child_named(signature, DSIG_NS, "KeyInfo")
            .and_then(|k| doc.first_child_named(k, DSIG_NS, "X509Data"))
            .and_then(|x| doc.first_child_named(x, DSIG_NS, "X509Certificate"));

        let mut info = doc.child_elements(signed_info);
        let c14n_method = next_dsig_child(
            doc,
            &mut info,
            "CanonicalizationMethod",
            "ds:SignedInfo must start with ds:CanonicalizationMethod",
        )?;
        let signed_info_c14n = canonicalization_of(doc, c14n_method, "CanonicalizationMethod")?;
        let signature_method = next_dsig_child(
            doc,
            &mut info,
            "SignatureMethod",
            "ds:CanonicalizationMethod must be followed by ds:SignatureMethod",
        )?;
        if doc.child_elements(signature_method).next().is_some() {
            // HMACOutputLength truncation (CVE-2009-0217) and any other parameter.
            return Err(malformed("ds:SignatureMethod must have no parameters"));
        }
        let signature_method = algorithm(doc, signature_method)?;
        let references: Vec<NodeId> = info.collect();
        if references.len() != 1
            || !references
                .iter()
                .all(|&r| doc.is_element(r, DSIG_NS, "Reference"))
        {
            return Err(DsigError::ReferenceCount {
                count: references
                    .iter()
                    .filter(|&&r| doc.is_element(r, DSIG_NS, "Reference"))
                    .count(),
            });
        }
        let reference = references[0];
        let reference_uri = doc
            .element(reference)
            .and_then(|e| e.attribute("URI"))
            .ok_or_else(|| malformed("ds:Reference has no URI"))?;

        let mut parts = doc.child_elements(reference).peekable();
        let transforms = parts
            .next_if(|&c| doc.is_element(c, DSIG_NS, "Transforms"))
            .map(|t| doc.child_elements(t).collect::<Vec<_>>())
            .unwrap_or_default();
        let digest_method = next_dsig_child(
            doc,
            &mut parts,
            "DigestMethod",
            "ds:Reference must hold ds:DigestMethod",
        )?;
        let digest_value = next_dsig_child(
            doc,
            &mut parts,
            "DigestValue",
            "ds:DigestMethod must be followed by ds:DigestValue",
        )?;

        Ok(SignatureParts {
            signed_info,
            signed_info_c14n,
            signature_method,
            reference_uri,
            reference_c14n: reference_canonicalization(doc, &transforms)?,
            digest_method: algorithm(doc, digest_method)?,
            digest_value,
            signature_value,
            key_info_certificate,
        })
    }
}

/// The transforms SAML core §5.4.4 allows: the enveloped-signature transform, then
/// optionally one canonicalisation. Without one, XML-DSig §4.3.3.2 converts the
/// node-set to octets with inclusive C14N 1.0. A same-document `#id` reference
/// never includes comments (XML-DSig §4.3.3.3), whatever the transform says.
fn reference_canonicalization(
    doc: &Document,
    transforms: &[NodeId],
) -> Result<Canonicalization, DsigError> {
    let (first, rest) = transforms
        .split_first()
        .ok_or(DsigError::MissingEnvelopedTransform)?;
    if !doc.is_element(*first, DSIG_NS, "Transform")
        || algorithm(doc, *first)? != ENVELOPED_SIGNATURE
    {
        return Err(DsigError::MissingEnvelopedTransform);
    }
    let mut c14n = match rest {
        [] => Canonicalization::inclusive(),
        [only] if doc.is_element(*only, DSIG_NS, "Transform") => {
            canonicalization_of(doc, *only, "Transform")?
        }
        _ => {
            let uris = rest
                .iter()
                .map(|&t| algorithm(doc, t).unwrap_or("?"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(DsigError::UnsupportedTransform { uri: uris });
        }
    };
    c14n.with_comments = false;
    Ok(c14n)
}

/// A canonicalisation method element with its `InclusiveNamespaces PrefixList`.
fn canonicalization_of(
    doc: &Document,
    node: NodeId,
    role: &'static str,
) -> Result<Canonicalization, DsigError> {
    let uri = algorithm(doc, node)?;
    let mut c14n = Canonicalization::from_uri(uri).ok_or_else(|| {
        if role == "Transform" {
            DsigError::UnsupportedTransform {
                uri: uri.to_owned(),
            }
        } else {
            DsigError::UnsupportedAlgorithm {
                role,
                uri: uri.to_owned(),
            }
        }
    })?;
    if c14n.exclusive
        && let Some(list) = doc.child_elements(node).find(|&c| {
            doc.element(c)
                .is_some_and(|e| e.local_name == "InclusiveNamespaces")
        })
    {
        let is_exc_ns = doc
            .element(list)
            .and_then(|e| e.namespace.as_deref())
            .is_some_and(|ns| ns == EXC_C14N);
        if !is_exc_ns {
            return Err(malformed(
                "InclusiveNamespaces must be in the exc-c14n namespace",
            ));
        }
        c14n.inclusive_prefixes = doc
            .element(list)
            .and_then(|e| e.attribute("PrefixList"))
            .unwrap_or("")
            .split_ascii_whitespace()
            .map(str::to_owned)
            .collect();
    }
    Ok(c14n)
}

fn algorithm<'d>(doc: &'d Document<'_>, node: NodeId) -> Result<&'d str, DsigError> {
    doc.element(node)
        .and_then(|e| e.attribute("Algorithm"))
        .ok_or_else(|| DsigError::MalformedSignature {
            reason: format!("{} has no Algorithm attribute", describe(doc, node)),
        })
}

/// The next element child, which the XML-DSig schema's fixed order requires
/// to be `ds:<name>`; `rule` says so when it is not.
fn next_dsig_child(
    doc: &Document,
    children: &mut impl Iterator<Item = NodeId>,
    name: &str,
    rule: &str,
) -> Result<NodeId, DsigError> {
    children
        .next()
        .filter(|&c| doc.is_element(c, DSIG_NS, name))
        .ok_or_else(|| malformed(rule))
}

fn malformed(reason: &str) -> DsigError {
    DsigError::MalformedSignature {
        reason: reason.to_owned(),
    }
}

/// Base64 content of a DSig element; `base64Binary` allows whitespace anywhere.
fn decode_base64(doc: &Document, node: NodeId, field: &'static str) -> Result<Vec<u8>, DsigError> {
    // Run by run between white space, not byte by byte: 3 % of a verify was this
    // filter.
    let mut text = Vec::with_capacity(512);
    for piece in doc.text_pieces(node) {
        for run in piece.split_ascii_whitespace() {
            text.extend_from_slice(run.as_bytes());
        }
    }
    STANDARD.decode(text).map_err(|e| DsigError::BadBase64 {
        field,
        reason: e.to_string(),
    })
}

/// The signature did not verify with any trusted key: say whether the signer's own
/// certificate (from KeyInfo, never trusted) is simply not one of them.
fn untrusted_or_bad(
    doc: &Document,
    parts: &SignatureParts<'_>,
    trusted: &[Certificate],
) -> DsigError {
    let embedded = parts
        .key_info_certificate
        .and_then(|node| Certificate::from_base64(&doc.text_content(node)).ok());
    match embedded {
        Some(cert) if !trusted.iter().any(|t| t.der() == cert.der()) => DsigError::UntrustedKey {
            subject: cert.subject(),
            fingerprint: cert.sha256_fingerprint(),
        },
        _ => DsigError::BadSignatureValue,
    }
}

fn element_id<'d>(
    doc: &'d Document<'_>,
    element: NodeId,
    id_attributes: &[&str],
) -> Result<&'d str, DsigError> {
    doc.element(element)
        .and_then(|e| id_attributes.iter().find_map(|a| e.attribute(a)))
        .filter(|id| !id.is_empty())
        .ok_or_else(|| DsigError::MissingId {
            element: describe(doc, element),
            attributes: id_attributes.join(" or "),
        })
}

/// IDs must be unique across the document, or a reference is ambiguous — the
/// opening every signature-wrapping attack needs.
fn check_unique_ids(doc: &Document, id_attributes: &[&str]) -> Result<(), DsigError> {
    let mut seen = std::collections::HashSet::new();
    for node in doc.descendants(doc.document_node()) {
        if let Some(e) = doc.element(node) {
            for attribute in &e.attributes {
                if attribute.namespace.is_none()
                    && id_attributes.contains(&&*attribute.local_name)
                    && !seen.insert(&*attribute.value)
                {
                    return Err(DsigError::DuplicateId {
                        id: attribute.value.clone().into_owned(),
                    });
                }
            }
        }
    }
    Ok(())
}

fn describe(doc: &Document, node: NodeId) -> String {
    doc.element(node).map_or_else(
        || "a non-element node".to_owned(),
        |e| format!("<{}>", e.qualified_name()),
    )
}
