//! SAML 2.0 protocol support for samlsim.
//!
//! [`binding`] turns the `SAMLRequest` / `SAMLResponse` values carried by the
//! HTTP-POST and HTTP-Redirect bindings into XML bytes and back; [`signature`]
//! says where SAML puts an enveloped signature.

pub mod binding;
pub mod signature;
