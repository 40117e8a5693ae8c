//! The one error type of this crate.

/// Everything that can go wrong in this crate.
///
/// Each message says what was wrong with the input and, where it is not
/// obvious, what to do about it, because these end up in front of someone
/// configuring an IdP or SP by hand.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// Text that should be PEM is malformed (missing END line, bad base64, …).
    #[error("malformed PEM: {0}")]
    Pem(String),

    /// The PEM text holds no block with the label that was needed.
    #[error("no PEM block labelled \"{expected}\" found ({})", describe_labels(.found))]
    PemBlockNotFound {
        /// The label that was looked for, e.g. `CERTIFICATE`.
        expected: &'static str,
        /// The labels of the blocks that were there, in order.
        found: Vec<String>,
    },

    /// A PEM block that should hold an RSA private key has another label.
    #[error(
        "PEM block labelled \"{label}\" is not an RSA private key \
         (expected PRIVATE KEY or RSA PRIVATE KEY)"
    )]
    NotRsaPrivateKeyPem {
        /// The label found, e.g. `EC PRIVATE KEY`.
        label: String,
    },

    /// The private key is password-protected.
    #[error(
        "private key is encrypted; write an unencrypted copy first \
         (e.g. `openssl pkey -in encrypted.pem -out key.pem`)"
    )]
    EncryptedPrivateKey,

    /// A PKCS#8 private key for an algorithm other than RSA.
    #[error("private key is not RSA (algorithm OID {oid})")]
    NotRsaPrivateKey {
        /// The dotted algorithm OID, e.g. `1.2.840.10045.2.1` for EC.
        oid: String,
    },

    /// The private key structure could not be decoded or is inconsistent.
    #[error("private key is not a valid RSA key: {0}")]
    InvalidPrivateKey(String),

    /// Text meant to be a base64-encoded certificate is not valid base64.
    #[error("certificate is not valid base64 DER: {0}")]
    CertificateBase64(String),

    /// The bytes are not a DER-encoded X.509 certificate.
    #[error("certificate is not valid X.509 DER: {0}")]
    InvalidCertificate(String),

    /// The certificate carries a key for an algorithm other than RSA.
    #[error("certificate public key is not RSA (algorithm OID {oid})")]
    NotRsaPublicKey {
        /// The dotted algorithm OID, e.g. `1.2.840.10045.2.1` for EC.
        oid: String,
    },

    /// The certificate's RSA public key could not be decoded.
    #[error("certificate public key is not a valid RSA key: {0}")]
    InvalidPublicKey(String),

    /// A private key and a certificate that were meant to be a pair are not.
    #[error("private key does not match the public key of the certificate \"{subject}\"")]
    KeyCertificateMismatch {
        /// The certificate's subject, to tell which file is the odd one out.
        subject: String,
    },

    /// The RSA modulus is shorter than anything still accepted.
    #[error("RSA key of {bits} bits is too small (at least {min})")]
    KeyTooSmall {
        /// The modulus length found.
        bits: usize,
        /// The smallest modulus length accepted.
        min: usize,
    },

    /// The signature is well-formed input but not a valid signature of the
    /// data under this key (wrong key, altered data or altered signature).
    #[error("signature value does not verify with this certificate's public key")]
    SignatureMismatch,

    /// A combination this crate cannot do, e.g. aws-lc-rs asked for RSA-SHA1 signing.
    #[error("unsupported: {0}")]
    Unsupported(String),

    /// The RSA signing primitive failed.
    #[error("RSA signing failed: {0}")]
    Signing(String),

    /// RSA decryption (key transport) failed. Deliberately one variant with no
    /// detail: telling a bad OAEP/PKCS#1 decoding apart from any other failure is
    /// the oracle of Bleichenbacher's and Manger's attacks.
    #[error("RSA decryption failed: the ciphertext was not made for this key, or was altered")]
    Decryption,

    /// RSA encryption (key transport) failed.
    #[error("RSA encryption failed: {0}")]
    Encryption(String),

    /// [`crate::IdentityParams`] that cannot produce a certificate.
    #[error("invalid identity parameters: {0}")]
    InvalidIdentityParams(String),

    /// RSA key generation failed.
    #[error("RSA key generation failed: {0}")]
    KeyGeneration(String),

    /// Building the self-signed certificate failed.
    #[error("certificate generation failed: {0}")]
    CertificateGeneration(String),
}

fn describe_labels(found: &[String]) -> String {
    if found.is_empty() {
        "the text contains no PEM blocks".to_owned()
    } else {
        let labels: Vec<String> = found.iter().map(|l| format!("\"{l}\"")).collect();
        format!("found {}", labels.join(", "))
    }
}
