use samlsim_crypto::CryptoError;

/// Why a signature could not be made or was refused. Each message names the rule.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DsigError {
    #[error("{element} has no {attributes} attribute, so no Reference can name it")]
    MissingId { element: String, attributes: String },
    #[error(
        "ID \"{id}\" appears on more than one element; references must be unambiguous (duplicate IDs are how signature-wrapping attacks begin)"
    )]
    DuplicateId { id: String },
    #[error("the element with ID \"{id}\" is already signed")]
    AlreadySigned { id: String },
    #[error("{element} carries no ds:Signature")]
    NotSigned { element: String },
    #[error("{element} carries more than one ds:Signature")]
    MultipleSignatures { element: String },
    #[error("malformed ds:Signature: {reason}")]
    MalformedSignature { reason: String },
    #[error("unsupported {role} algorithm {uri}")]
    UnsupportedAlgorithm { role: &'static str, uri: String },
    #[error("ds:SignedInfo must hold exactly one ds:Reference (SAML core 5.4.2), found {count}")]
    ReferenceCount { count: usize },
    #[error(
        "the Reference URI \"{uri}\" does not name the signed element (expected \"#{id}\"): the signature covers some other element (signature wrapping?)"
    )]
    WrongReference { uri: String, id: String },
    #[error("the first transform must be the enveloped-signature transform (SAML core 5.4.4)")]
    MissingEnvelopedTransform,
    #[error(
        "transform {uri} is not allowed; SAML signatures use only enveloped-signature and canonicalisation transforms (SAML core 5.4.4)"
    )]
    UnsupportedTransform { uri: String },
    #[error("{field} is not valid base64: {reason}")]
    BadBase64 { field: &'static str, reason: String },
    #[error(
        "digest mismatch: the element with ID \"{id}\" was changed after it was signed (its DigestValue no longer matches)"
    )]
    DigestMismatch { id: String },
    #[error(
        "bad signature value: SignatureValue does not verify with the trusted certificate (SignedInfo was altered, or another key signed it)"
    )]
    BadSignatureValue,
    #[error(
        "untrusted key: signed by a certificate that is not trusted (subject {subject}, SHA-256 fingerprint {fingerprint})"
    )]
    UntrustedKey {
        subject: String,
        fingerprint: String,
    },
    #[error("no trusted certificate was given to verify against")]
    NoTrustedCertificate,
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}
