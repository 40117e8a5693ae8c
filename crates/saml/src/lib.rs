//! SAML 2.0 messages for samlsim: building and reading what the mock IdP and
//! the mock AWS and Cognito service providers exchange, and their metadata.
//!
//! This is the pure message layer: no HTTP, no storage, no clock. Every time
//! and every ID comes from the caller, so the same inputs always give the same
//! bytes, signatures included.
//!
//! - [`binding`], the HTTP-POST and HTTP-Redirect encodings of a message.
//! - [`redirect`], the HTTP-Redirect query string and its signature.
//! - [`signature`], where SAML puts signatures, and the [`Signer`](signature::Signer).
//! - [`response`], `samlp:Response` with its `saml:Assertion`, built (IdP) and
//!   verified and read (SP).
//! - [`authn_request`], `samlp:AuthnRequest`.
//! - [`logout`], `samlp:LogoutRequest` and `samlp:LogoutResponse`.
//! - [`metadata`], IdP and SP metadata.
//! - [`time`], SAML's UTC `xs:dateTime`.
//! - [`uri`], the URIs of formats, bindings and status codes.
//!
//! Every error is a [`SamlError`] (or [`binding::BindingError`] for the
//! encodings), whose message names what is wrong and the section of the OASIS
//! specification it breaks.

pub mod authn_request;
pub mod binding;
mod common;
mod error;
pub mod logout;
pub mod metadata;
pub mod redirect;
pub mod response;
pub mod signature;
pub mod time;
pub mod uri;
mod xml_util;

pub use common::{BuiltMessage, NameId, Status};
pub use error::SamlError;
pub use time::{DateTime, TimeError};
