//! Where SAML puts signatures, on top of the generic enveloped-signature code.

use samlsim_crypto::{DigestAlgorithm, SignatureAlgorithm};
use samlsim_dsig::{DSIG_NS, SignOptions, SignaturePosition};
use samlsim_xml::{Document, NodeId};

/// `urn:oasis:names:tc:SAML:2.0:assertion`
pub const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// `urn:oasis:names:tc:SAML:2.0:protocol`
pub const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";

/// Options for signing a SAML element: the `ds:Signature` goes right after
/// `saml:Issuer`, as the schemas of `Assertion` (SAML core §2.3.3) and of every
/// protocol message (§3.2.1) require, and the ID attribute is `ID`.
pub fn sign_options(signature_algorithm: SignatureAlgorithm) -> SignOptions {
    SignOptions {
        signature_algorithm,
        digest_algorithm: match signature_algorithm {
            SignatureAlgorithm::RsaSha1 => DigestAlgorithm::Sha1,
            _ => DigestAlgorithm::Sha256,
        },
        position: SignaturePosition::After {
            namespace: ASSERTION_NS.into(),
            local_name: "Issuer".into(),
        },
        ..SignOptions::default()
    }
}

/// The elements of `doc` that carry an enveloped `ds:Signature`, in document order.
pub fn signed_elements(doc: &Document) -> Vec<NodeId> {
    doc.descendants(doc.document_node())
        .filter(|&n| doc.is_element(n, DSIG_NS, "Signature"))
        .filter_map(|signature| doc.parent(signature))
        .filter(|&parent| doc.element(parent).is_some())
        .collect()
}
