use samlsim_crypto::CryptoError;
use samlsim_xml::XmlError;

/// Why an element could not be encrypted or an `xenc:EncryptedData` was refused.
/// Each message names the section of XML Encryption 1.1 (W3C xmlenc-core1) or
/// SAML core that the rule comes from.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XencError {
    #[error("unsupported {role} algorithm {uri} (xmlenc-core1 §5; supported: {supported})")]
    UnsupportedAlgorithm {
        role: &'static str,
        uri: String,
        supported: &'static str,
    },
    #[error(
        "key transport rsa-1_5 (RSA PKCS#1 v1.5, {uri}) is refused: it is open to \
         Bleichenbacher's adaptive chosen-ciphertext attack, which recovers the content key \
         from an endpoint that reveals whether decryption failed (xmlenc-core1 §5.5.1). Have \
         the IdP use rsa-oaep-mgf1p or rsa-oaep, or opt in for a legacy IdP (allow_rsa_1_5)"
    )]
    Rsa15Refused { uri: String },
    #[error(
        "wrong key: the xenc:EncryptedKey does not decrypt with this private key (xmlenc-core1 \
         §5.5.2 RSA-OAEP): it was encrypted to another certificate, or altered"
    )]
    WrongKey,
    #[error(
        "AES-GCM authentication tag mismatch (xmlenc-core1 §5.2.4): the ciphertext or its IV \
         was altered, or the content key is not the one it was encrypted with"
    )]
    GcmTagMismatch,
    #[error(
        "AES-CBC decryption failed (xmlenc-core1 §5.2.1, padding §5.2): the padding or the \
         decrypted octets are invalid, so the ciphertext was altered or the content key is \
         wrong. Both cases are reported alike on purpose: telling them apart is the padding \
         oracle of Jager and Somorovsky's attack on XML Encryption"
    )]
    BadCbcPadding,
    #[error("malformed {element} (xmlenc-core1 {section}): {reason}")]
    Malformed {
        element: &'static str,
        section: &'static str,
        reason: String,
    },
    #[error(
        "no xenc:EncryptedKey in the EncryptedData's ds:KeyInfo nor beside it in the \
         EncryptedAssertion (xmlenc-core1 §3.5.1, SAML core §2.3.4): there is no content key \
         to decrypt"
    )]
    MissingEncryptedKey,
    #[error(
        "the content key is {found} bytes but {algorithm} needs {expected} (xmlenc-core1 §5.2)"
    )]
    KeySizeMismatch {
        algorithm: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("{field} is not valid base64 (xmlenc-core1 §3.3.1): {reason}")]
    BadBase64 { field: &'static str, reason: String },
    #[error(
        "the element to {action} is {found}, not saml:Assertion (SAML core §2.3.4: an \
         EncryptedAssertion holds exactly one encrypted Assertion)"
    )]
    NotAnAssertion { action: &'static str, found: String },
    #[error(
        "the decrypted octets are not one well-formed element within the parser's limits \
         (xmlenc-core1 §4.4.3, Type Element): {0}"
    )]
    Plaintext(String),
    #[error("the decrypted element does not parse (xmlenc-core1 §4.4.3): {0}")]
    PlaintextXml(#[source] XmlError),
    #[error("the system random generator failed; no key or IV could be made")]
    Random,
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}
