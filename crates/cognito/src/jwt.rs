//! JSON Web Tokens as a user pool issues them: RS256, a `kid` naming the key in
//! the pool's `jwks.json`.
//!
//! Built with serde_json and base64 over the crypto crate's RSA key rather than a
//! JWT library: signing is a few lines, and the one key type is the one the IdP
//! already signs with.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use samlsim_crypto::{Certificate, SignatureAlgorithm, SigningKey};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The pool's signing key and its certificate (GetSigningCertificate).
pub struct Keys {
    key: SigningKey,
    certificate: Certificate,
    kid: String,
}

impl Keys {
    pub fn new(key: SigningKey, certificate: Certificate) -> Keys {
        // A stable kid derived from the public key, so a restart with the same key
        // keeps cached JWKS valid, and a new key gets a new kid.
        let (n, e) = key.public_components();
        let mut digest = Sha256::new();
        digest.update(&n);
        digest.update(&e);
        let kid = URL_SAFE_NO_PAD.encode(&digest.finalize()[..16]);
        Keys {
            key,
            certificate,
            kid,
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The `jwks.json` document.
    pub fn jwks(&self) -> Value {
        let (n, e) = self.key.public_components();
        json!({ "keys": [{
            "alg": "RS256",
            "e": URL_SAFE_NO_PAD.encode(e),
            "kid": self.kid,
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(n),
            "use": "sig",
        }]})
    }

    /// A signed JWT with `claims`.
    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String, samlsim_crypto::CryptoError> {
        let header = json!({ "kid": self.kid, "alg": "RS256" });
        let mut input = URL_SAFE_NO_PAD.encode(header.to_string());
        input.push('.');
        input.push_str(&URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string()));
        let signature = self
            .key
            .sign(SignatureAlgorithm::RsaSha256, input.as_bytes())?;
        input.push('.');
        input.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(input)
    }

    /// The claims of a token this key signed; `None` for anything else (bad
    /// shape, other key, altered). Expiry is the caller's to check, by its clock.
    pub fn verify(&self, token: &str) -> Option<Map<String, Value>> {
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if header["alg"] != "RS256" || header["kid"] != self.kid.as_str() {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let signed = &token[..token.len() - parts_len(token)];
        self.certificate
            .verify(SignatureAlgorithm::RsaSha256, signed.as_bytes(), &signature)
            .ok()?;
        match serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()? {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }
}

/// The length of `.<signature>` at the end of a token.
fn parts_len(token: &str) -> usize {
    token.rfind('.').map_or(0, |i| token.len() - i)
}

/// base64url(SHA-256(input)): PKCE S256 (RFC 7636 4.2).
pub fn s256(input: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(input.as_bytes()))
}

/// `at_hash`: the left half of SHA-256 of the access token (OIDC core 3.1.3.6).
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The claims of a JWT without checking anything (the demo app shows them).
pub fn decode_unverified(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}
