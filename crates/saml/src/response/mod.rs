//! `samlp:Response` (SAML core 3.3.3) with its `saml:Assertion` (SAML core 2.3.3):
//! [`build_response`] / [`build_error_response`] for the IdP, and
//! [`parse_response`] then [`ReceivedResponse::verify`] for an SP.
//!
//! Reading is split in two on purpose. [`parse_response`] reads the envelope,
//! which nobody has vouched for yet: good for routing and for error reports.
//! [`ReceivedResponse::verify`] checks the signatures and reads the assertion
//! only from what the signature covered ([`samlsim_dsig::Verified::document`]).
//! Policy — expiry, audience, recipient, replay — is the SP's job: this module
//! reads faithfully and strictly, and decides nothing.

mod build;
mod read;

pub use build::{
    AssertionSpec, AuthnStatementSpec, BearerConfirmationSpec, ConditionsSpec, ResponseSigning,
    ResponseSpec, UnknownResponseSigning, build_encrypted_response, build_error_response,
    build_response,
};
pub use read::{
    AuthnStatement, Conditions, ContainedAssertion, Decryption, ReceivedResponse, ResponseEnvelope,
    SignatureStatus, SubjectConfirmation, VerifiedAssertion, parse_response,
};

/// A `saml:Attribute` (SAML core 2.7.3.1) with its values as text.
///
/// Built values are written as `xsi:type="xs:string"`; read values are each
/// `saml:AttributeValue`'s whole text content, whatever its `xsi:type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// `Name`.
    pub name: String,
    /// `NameFormat` (SAML core 8.2); absent means `unspecified`.
    pub name_format: Option<String>,
    /// `FriendlyName`.
    pub friendly_name: Option<String>,
    /// The values, in document order.
    pub values: Vec<String>,
}

impl Attribute {
    /// An attribute with a URI name (`NameFormat` `uri`, as AWS's are) and values.
    pub fn uri<I, V>(name: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<String>,
    {
        Attribute {
            name: name.into(),
            name_format: Some(crate::uri::attrname_format::URI.into()),
            friendly_name: None,
            values: values.into_iter().map(Into::into).collect(),
        }
    }
}
