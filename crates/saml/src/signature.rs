//! Where SAML puts signatures, on top of the generic enveloped-signature code.

use std::fmt;

use samlsim_crypto::{Certificate, DigestAlgorithm, SignatureAlgorithm, SigningKey};
use samlsim_dsig::{DsigError, SignOptions, SignaturePosition, sign_enveloped};
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
        // `xs` appears only inside `xsi:type="xs:string"` values, which exclusive
        // C14N does not count as a use; listing it signs its binding too, as Okta and
        // ADFS do. A prefix not in scope is ignored, so it costs nothing elsewhere.
        inclusive_prefixes: vec!["xs".into()],
        ..SignOptions::default()
    }
}

pub use samlsim_dsig::signed_elements;

/// What signs a message: a key, the certificate published for it (put into
/// `ds:KeyInfo` so the receiver can say which key signed), and the algorithm.
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    /// The private key.
    pub key: &'a SigningKey,
    /// The certificate for `key`.
    pub certificate: &'a Certificate,
    /// The signature algorithm; its digest algorithm goes with it ([`sign_options`]).
    pub algorithm: SignatureAlgorithm,
}

impl<'a> Signer<'a> {
    /// A signer using RSA-SHA256, the default everywhere in samlsim.
    pub fn new(key: &'a SigningKey, certificate: &'a Certificate) -> Self {
        Signer {
            key,
            certificate,
            algorithm: SignatureAlgorithm::RsaSha256,
        }
    }

    /// The same signer with another algorithm (RSA-SHA1 for old SPs).
    #[must_use]
    pub fn with_algorithm(self, algorithm: SignatureAlgorithm) -> Self {
        Signer { algorithm, ..self }
    }

    /// Signs `element` of `doc` in place with [`sign_options`]; returns the
    /// `ds:Signature` element.
    ///
    /// # Errors
    ///
    /// [`DsigError`] when `element` has no ID, IDs are not unique, or the key
    /// cannot sign.
    pub fn sign(&self, doc: &mut Document, element: NodeId) -> Result<NodeId, DsigError> {
        sign_enveloped(
            doc,
            element,
            self.key,
            Some(self.certificate),
            &sign_options(self.algorithm),
        )
    }
}

impl fmt::Debug for Signer<'_> {
    // The key is left out: it has no Debug, and should never be printed anyway.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("certificate", &self.certificate.subject())
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}
