//! The URIs SAML messages and metadata are made of, named once.

pub use crate::signature::{ASSERTION_NS, PROTOCOL_NS};

/// `urn:oasis:names:tc:SAML:2.0:metadata`
pub const METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// `http://www.w3.org/2001/XMLSchema`, bound to `xs` for `xsi:type="xs:string"`.
pub const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";
/// `http://www.w3.org/2001/XMLSchema-instance`
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// `urn:oasis:names:tc:SAML:2.0:protocol`: the token of a role descriptor's
/// `protocolSupportEnumeration` that says "SAML 2.0" (SAML metadata 2.4.1).
pub const PROTOCOL_SUPPORT: &str = PROTOCOL_NS;

/// Bindings (SAML bindings 3.x), as metadata and `ProtocolBinding` name them.
pub mod binding {
    /// HTTP-Redirect (SAML bindings 3.4).
    pub const HTTP_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
    /// HTTP-POST (SAML bindings 3.5).
    pub const HTTP_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
    /// HTTP-Artifact (SAML bindings 3.6); named only so it can be recognised.
    pub const HTTP_ARTIFACT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact";
}

/// Name identifier formats (SAML core 8.3).
pub mod nameid_format {
    /// `unspecified` (SAML core 8.3.1).
    pub const UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
    /// An email address (SAML core 8.3.2).
    pub const EMAIL_ADDRESS: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
    /// Persistent, opaque identifier (SAML core 8.3.7).
    pub const PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    /// One-time, opaque identifier (SAML core 8.3.8).
    pub const TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
    /// An entity identifier, the format of every `Issuer` (SAML core 8.3.6).
    pub const ENTITY: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";
}

/// Attribute name formats (SAML core 8.2).
pub mod attrname_format {
    /// `unspecified` (SAML core 8.2.1).
    pub const UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified";
    /// The name is a URI (SAML core 8.2.2); AWS attribute names use it.
    pub const URI: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
    /// The name is a simple string (SAML core 8.2.3).
    pub const BASIC: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";
}

/// Subject confirmation methods (SAML profiles 3).
pub mod confirmation_method {
    /// Bearer (SAML profiles 3.3), the only one Web Browser SSO uses.
    pub const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
}

/// Authentication context classes (SAML authn-context 3.4).
pub mod authn_context {
    /// Password over a protected transport (SAML authn-context 3.4.6).
    pub const PASSWORD_PROTECTED_TRANSPORT: &str =
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    /// Password (SAML authn-context 3.4.5).
    pub const PASSWORD: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password";
    /// Unspecified (SAML authn-context 3.4.25).
    pub const UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";
}

/// Status codes (SAML core 3.2.2.2).
pub mod status {
    /// Top level: the request succeeded.
    pub const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
    /// Top level: the request could not be performed due to an error on the
    /// part of the requester.
    pub const REQUESTER: &str = "urn:oasis:names:tc:SAML:2.0:status:Requester";
    /// Top level: the request could not be performed due to an error on the
    /// part of the responder.
    pub const RESPONDER: &str = "urn:oasis:names:tc:SAML:2.0:status:Responder";
    /// Top level: the request's SAML version was wrong.
    pub const VERSION_MISMATCH: &str = "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch";
    /// Second level: the responder could not authenticate the principal.
    pub const AUTHN_FAILED: &str = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed";
    /// Second level: the requested name identifier policy is not supported.
    pub const INVALID_NAMEID_POLICY: &str =
        "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy";
    /// Second level: `IsPassive` was set and the user would have to interact.
    pub const NO_PASSIVE: &str = "urn:oasis:names:tc:SAML:2.0:status:NoPassive";
    /// Second level: the authentication context requirements cannot be met.
    pub const NO_AUTHN_CONTEXT: &str = "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext";
    /// Second level: the responder chose not to respond.
    pub const REQUEST_DENIED: &str = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied";
    /// Second level: the request is not supported.
    pub const REQUEST_UNSUPPORTED: &str = "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported";
    /// Second level: the principal is unknown.
    pub const UNKNOWN_PRINCIPAL: &str = "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal";
    /// Second level: a logout could not be propagated to every session participant.
    pub const PARTIAL_LOGOUT: &str = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout";
}
