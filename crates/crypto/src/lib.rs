//! The pure crypto layer under samlsim's XML-DSig implementation: RSA keys,
//! X.509 certificates, digests and RSA PKCS#1 v1.5 signatures, named by their
//! XML-DSig algorithm URIs, and RSA-OAEP key transport for XML Encryption.
//!
//! The library does no I/O and never reads the clock: keys and certificates
//! come in as strings or bytes, and times are passed in as unix seconds.
//!
//! # Why two RSA implementations
//!
//! Signing and verifying use `aws-lc-rs`: measured on this project's machines the
//! pure-Rust `rsa` crate signs about 8x and verifies about 14x slower than
//! OpenSSL, while the target is to sign within 2x and verify within 3x of it.
//! `ring` was tried first and signs at 44 % of OpenSSL's rate, too slow for the
//! 2,000 signed responses per second samlsim aims at; aws-lc-rs matches OpenSSL
//! (figures in docs/benchmarks.md).
//! The `rsa` crate is still needed where `aws-lc-rs` cannot help: generating keys,
//! reading PKCS#1 (`RSA PRIVATE KEY`) PEM, RSA-SHA1 signing, and signing with
//! keys outside `aws-lc-rs`'s 2048–4096-bit range. Both stay reachable through
//! [`RsaBackend`] ([`SigningKey::sign_using`], [`Certificate::verify_using`])
//! so the benchmark can compare them; everyone else calls
//! [`SigningKey::sign`] and [`Certificate::verify`].

#![warn(missing_docs)]

mod algorithm;
mod certificate;
mod encryption;
mod error;
mod identity;
#[cfg(test)]
mod interop_tests;
mod key;
mod password;
mod pem;
#[cfg(test)]
mod test_support;

pub use algorithm::{DigestAlgorithm, RsaBackend, SignatureAlgorithm};
pub use certificate::Certificate;
pub use encryption::OaepHash;
pub use error::CryptoError;
pub use identity::{DEFAULT_KEY_BITS, Identity, IdentityParams, generate_identity};
pub use key::SigningKey;
pub use password::{VerifiedPasswords, hash_password, verify_password};
