//! The one error type of the message layer.
//!
//! Every message names the element or parameter at fault and the rule it broke,
//! citing the OASIS SAML 2.0 document section (saml-core-2.0-os as "SAML core",
//! saml-bindings-2.0-os as "SAML bindings", saml-metadata-2.0-os as "SAML
//! metadata", saml-profiles-2.0-os as "SAML profiles"). Element names are written
//! with their conventional prefixes (`samlp:`, `saml:`, `md:`), whatever prefix
//! the document actually used.

use samlsim_crypto::CryptoError;
use samlsim_dsig::DsigError;
use samlsim_xenc::XencError;
use samlsim_xml::XmlError;

use crate::time::TimeError;

/// Why a SAML message or metadata document could not be built, read or verified.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SamlError {
    /// The input is not well-formed (or not acceptable) XML.
    #[error("not a well-formed XML document: {0}")]
    Xml(#[from] XmlError),

    /// The document element is not the expected one.
    #[error("expected {expected} as the document element, found {found} ({section})")]
    UnexpectedRoot {
        /// The element expected, e.g. `samlp:Response`.
        expected: &'static str,
        /// What was there, as `{namespace}local` or "nothing".
        found: String,
        /// The section defining the expected element.
        section: &'static str,
    },

    /// A required attribute is missing (or empty).
    #[error("{element} has no {attribute} attribute, which {section} requires")]
    MissingAttribute {
        /// The element, e.g. `saml:Assertion`.
        element: &'static str,
        /// The attribute, e.g. `IssueInstant`.
        attribute: &'static str,
        /// The section requiring it.
        section: &'static str,
    },

    /// A required child element is missing.
    #[error("{element} has no {child} child element, which {section} requires")]
    MissingElement {
        /// The parent element.
        element: &'static str,
        /// The missing child.
        child: &'static str,
        /// The section requiring it.
        section: &'static str,
    },

    /// A child element occurs more often than the schema allows.
    #[error("{element} has {count} {child} child elements; {section} allows at most one")]
    DuplicateElement {
        /// The parent element.
        element: &'static str,
        /// The repeated child.
        child: &'static str,
        /// How many there are.
        count: usize,
        /// The section limiting it.
        section: &'static str,
    },

    /// `Version` is not `2.0`.
    #[error(
        "{element} has Version=\"{version}\"; only SAML 2.0 is supported \
         ({section} requires Version=\"2.0\")"
    )]
    UnsupportedVersion {
        /// The element carrying the version.
        element: &'static str,
        /// The version found.
        version: String,
        /// The section requiring `2.0`.
        section: &'static str,
    },

    /// A time attribute is not a valid SAML time value.
    #[error("{element}/@{attribute} is not a valid SAML time value: {source}")]
    InvalidTime {
        /// The element carrying the attribute.
        element: &'static str,
        /// The attribute, e.g. `NotOnOrAfter`.
        attribute: &'static str,
        /// What is wrong with the value.
        #[source]
        source: TimeError,
    },

    /// An attribute does not hold a value of its schema type.
    #[error("{element}/@{attribute}=\"{value}\" is not a valid {expected} ({section})")]
    InvalidValue {
        /// The element carrying the attribute.
        element: &'static str,
        /// The attribute.
        attribute: &'static str,
        /// The value found.
        value: String,
        /// The expected type, e.g. `xs:boolean (true, false, 1 or 0)`.
        expected: &'static str,
        /// The section defining the type.
        section: &'static str,
    },

    /// A value given to a builder cannot become a valid message.
    #[error("cannot build {element}: {reason}")]
    InvalidInput {
        /// The element being built.
        element: &'static str,
        /// What is wrong, with the rule and section.
        reason: String,
    },

    /// Signing failed (e.g. duplicate IDs, or the key cannot sign).
    #[error("could not sign {element}: {source}")]
    Sign {
        /// The element being signed.
        element: &'static str,
        /// Why.
        #[source]
        source: DsigError,
    },

    /// A signature that is present did not verify.
    #[error("the signature of {element} was rejected: {source}")]
    Signature {
        /// The signed element.
        element: &'static str,
        /// Why.
        #[source]
        source: DsigError,
    },

    /// A Response holds no assertion, or more than one.
    #[error(
        "samlp:Response holds {count} assertions (saml:Assertion or saml:EncryptedAssertion); \
         exactly one is accepted (SAML profiles 4.1.4.2 allows several, but one keeps the \
         signed content unambiguous)"
    )]
    AssertionCount {
        /// How many there are.
        count: usize,
    },

    /// The Response's one assertion is encrypted and no decryption key was given.
    #[error(
        "the assertion is a saml:EncryptedAssertion (SAML core 2.3.4) and this service \
         provider has no private key to decrypt it with"
    )]
    EncryptedAssertion,

    /// The Response's `saml:EncryptedAssertion` did not decrypt with any key given.
    #[error("the saml:EncryptedAssertion could not be decrypted: {0}")]
    Decryption(#[source] XencError),

    /// The assertion could not be encrypted to the recipient (IdP side).
    #[error("the saml:Assertion could not be encrypted: {0}")]
    Encryption(#[source] XencError),

    /// Neither the Response nor its assertion carries a signature.
    #[error(
        "neither the samlp:Response nor its saml:Assertion is signed; SAML profiles 4.1.4.5 \
         requires every assertion delivered by HTTP-POST to be signed, directly or through \
         the enclosing Response"
    )]
    Unsigned,

    /// A required query parameter is missing (HTTP-Redirect binding).
    #[error("the query has no {parameter} parameter, which SAML bindings {section} requires")]
    MissingQueryParameter {
        /// The parameter, e.g. `SigAlg`.
        parameter: &'static str,
        /// The bindings section requiring it.
        section: &'static str,
    },

    /// A query parameter appears more than once (HTTP-Redirect binding).
    #[error(
        "the query has more than one {parameter} parameter; the signed octets would be \
         ambiguous (SAML bindings 3.4.4.1)"
    )]
    DuplicateQueryParameter {
        /// The repeated parameter.
        parameter: String,
    },

    /// A query has both `SAMLRequest` and `SAMLResponse`.
    #[error(
        "the query has both SAMLRequest and SAMLResponse; a message is one or the other \
         (SAML bindings 3.4.4.1)"
    )]
    AmbiguousQueryMessage,

    /// A `%` escape in the query is not followed by two hex digits, or the
    /// decoded octets are not UTF-8.
    #[error(
        "the {parameter} query parameter is not validly URL-encoded at offset {offset} \
         (RFC 3986 2.1; SAML bindings 3.4.4.1 URL-encodes every parameter)"
    )]
    InvalidUrlEncoding {
        /// The parameter.
        parameter: &'static str,
        /// Byte offset of the bad escape in the parameter's raw value or, when
        /// the decoded octets are not UTF-8, of the first bad octet among them.
        offset: usize,
    },

    /// `SigAlg` names an algorithm that is not supported.
    #[error(
        "SigAlg \"{uri}\" is not a supported signature algorithm (SAML bindings 3.4.4.1 \
         requires a known XML-DSig algorithm URI; supported: RSA-SHA1, RSA-SHA256, RSA-SHA512)"
    )]
    UnknownSignatureAlgorithm {
        /// The URI given.
        uri: String,
    },

    /// `Signature` is not valid base64.
    #[error("the Signature query parameter is not valid base64: {reason} (SAML bindings 3.4.4.1)")]
    InvalidSignatureEncoding {
        /// The decoder's description.
        reason: String,
    },

    /// The query signature does not verify with any trusted certificate.
    #[error(
        "the query signature does not verify with any trusted certificate: the signed \
         parameters were altered, or another key signed them (SAML bindings 3.4.4.1)"
    )]
    BadQuerySignature,

    /// No trusted certificate was given to verify against.
    #[error("no trusted certificate was given to verify against")]
    NoTrustedCertificate,

    /// Signing a query failed.
    #[error("could not sign the query: {0}")]
    Crypto(#[from] CryptoError),

    /// Metadata starts with a UTF-8 byte-order mark.
    #[error(
        "Could not parse metadata: the document starts with a UTF-8 byte-order mark; save it \
         as UTF-8 without BOM (AWS IAM refuses metadata with a BOM)"
    )]
    MetadataByteOrderMark,

    /// The metadata has no role descriptor of the kind needed.
    #[error(
        "the md:EntityDescriptor has no {descriptor} whose protocolSupportEnumeration \
         includes urn:oasis:names:tc:SAML:2.0:protocol (SAML metadata {section})"
    )]
    NoRoleDescriptor {
        /// `md:IDPSSODescriptor` or `md:SPSSODescriptor`.
        descriptor: &'static str,
        /// The section defining it.
        section: &'static str,
    },

    /// The IdP metadata publishes no signing certificate.
    #[error(
        "the md:IDPSSODescriptor has no signing certificate: no md:KeyDescriptor with \
         use=\"signing\" (or no use) holding ds:KeyInfo/ds:X509Data/ds:X509Certificate \
         (SAML metadata 2.4.1.1)"
    )]
    NoSigningCertificate,

    /// A certificate in metadata could not be read.
    #[error("md:KeyDescriptor holds an unreadable ds:X509Certificate (SAML metadata 2.4.1.1): {0}")]
    InvalidCertificate(#[source] CryptoError),
}
