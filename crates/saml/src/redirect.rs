//! The query string of the HTTP-Redirect binding and its signature (SAML
//! bindings 3.4.4.1).
//!
//! A redirect message is signed by signing the octets
//! `SAMLRequest=value&RelayState=value&SigAlg=value` (or `SAMLResponse=...`),
//! each value URL-encoded, `RelayState` only if present. The spec adds that the
//! verifier must use the values "as they were received", because URL encoding
//! is not canonical: `%2f` and `%2F` are the same character but different
//! octets. [`verify_redirect_signature`] therefore cuts the signed octets out of
//! the raw query string and never re-encodes anything; re-encoding is the
//! classic interoperability bug this avoids.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use samlsim_crypto::{Certificate, SignatureAlgorithm, SigningKey};

use crate::binding::encode_redirect;
use crate::error::SamlError;

const SECTION: &str = "3.4.4.1";

/// Which message a redirect carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedirectParam {
    /// `SAMLRequest` (AuthnRequest, LogoutRequest).
    Request,
    /// `SAMLResponse` (LogoutResponse; SSO Responses go by POST).
    Response,
}

impl RedirectParam {
    /// `SAMLRequest` or `SAMLResponse`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "SAMLRequest",
            Self::Response => "SAMLResponse",
        }
    }
}

impl fmt::Display for RedirectParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The query string (without `?`) that carries `xml` by HTTP-Redirect:
/// `SAMLRequest=...[&RelayState=...][&SigAlg=...&Signature=...]`.
///
/// The message is DEFLATE-compressed and base64-encoded
/// ([`encode_redirect`]); every value is URL-encoded, escaping everything but
/// RFC 3986 unreserved characters, with upper-case hex. With a `signer`, the
/// signature is computed over the URL-encoded octets as SAML bindings 3.4.4.1
/// says. The result is deterministic for the same inputs.
///
/// # Errors
///
/// [`SamlError::Crypto`] when the key cannot sign with the algorithm.
pub fn redirect_query(
    param: RedirectParam,
    xml: &str,
    relay_state: Option<&str>,
    signer: Option<(&SigningKey, SignatureAlgorithm)>,
) -> Result<String, SamlError> {
    let mut query = String::new();
    query.push_str(param.as_str());
    query.push('=');
    url_encode_into(&encode_redirect(xml.as_bytes()), &mut query);
    if let Some(relay_state) = relay_state {
        query.push_str("&RelayState=");
        url_encode_into(relay_state, &mut query);
    }
    if let Some((key, algorithm)) = signer {
        query.push_str("&SigAlg=");
        url_encode_into(algorithm.uri(), &mut query);
        // Everything so far is exactly the octet string to sign.
        let signature = key.sign(algorithm, query.as_bytes())?;
        query.push_str("&Signature=");
        url_encode_into(&STANDARD.encode(signature), &mut query);
    }
    Ok(query)
}

/// A redirect query string taken apart, values URL-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectQuery {
    /// Which parameter carried the message.
    pub param: RedirectParam,
    /// The message value, URL-decoded: base64 of DEFLATE-compressed XML, for
    /// [`crate::binding::decode_redirect`].
    pub message: String,
    /// `RelayState`, URL-decoded (`+` read as a space, as HTML forms send it).
    pub relay_state: Option<String>,
    /// `SigAlg`, URL-decoded.
    pub sig_alg: Option<String>,
    /// `Signature`, URL-decoded (still base64).
    pub signature: Option<String>,
    /// The octets `SAMLRequest=...&RelayState=...&SigAlg=...` exactly as received.
    signed_octets: String,
}

/// A redirect query whose signature verified.
#[derive(Debug, Clone)]
pub struct VerifiedRedirect {
    /// The query, taken apart.
    pub query: RedirectQuery,
    /// The `SigAlg` used.
    pub algorithm: SignatureAlgorithm,
    /// The trusted certificate whose key verified the signature.
    pub certificate: Certificate,
}

/// Takes a redirect query string apart. `raw_query` may be the query alone,
/// with a leading `?`, or a whole URL; a `#fragment` is ignored. Parameters
/// other than the four of the binding are ignored, as the binding allows.
///
/// `SAMLRequest`, `SAMLResponse` and `Signature` are base64, in which a `+`
/// can only be a `+` (a space is never base64), so they are percent-decoded
/// without form decoding's `+`-as-space; `RelayState` gets form decoding.
///
/// # Errors
///
/// [`SamlError::MissingQueryParameter`] without a message,
/// [`SamlError::AmbiguousQueryMessage`] with both kinds,
/// [`SamlError::DuplicateQueryParameter`], [`SamlError::InvalidUrlEncoding`].
pub fn parse_redirect_query(raw_query: &str) -> Result<RedirectQuery, SamlError> {
    let query = raw_query
        .split_once('?')
        .map_or(raw_query, |(_, q)| q)
        .split('#')
        .next()
        .unwrap_or_default();
    let raw = RawParameters::split(query)?;
    let (param, message) = match (raw.request, raw.response) {
        (Some(request), None) => (RedirectParam::Request, request),
        (None, Some(response)) => (RedirectParam::Response, response),
        (Some(_), Some(_)) => return Err(SamlError::AmbiguousQueryMessage),
        (None, None) => {
            return Err(SamlError::MissingQueryParameter {
                parameter: "SAMLRequest or SAMLResponse",
                section: SECTION,
            });
        }
    };

    // A signed message carries both SigAlg and Signature (SAML bindings 3.4.4.1).
    // One without the other is neither signed nor unsigned: taking it as unsigned
    // would let a stripped signature pass where signing is optional.
    match (raw.sig_alg.is_some(), raw.signature.is_some()) {
        (true, false) => {
            return Err(SamlError::MissingQueryParameter {
                parameter: "Signature",
                section: SECTION,
            });
        }
        (false, true) => {
            return Err(SamlError::MissingQueryParameter {
                parameter: "SigAlg",
                section: SECTION,
            });
        }
        _ => {}
    }

    // SAML bindings 3.4.4.1: the message, RelayState if present, SigAlg, in
    // that order, each as `name=value` with the value as received.
    let mut signed_octets = format!("{}={message}", param.as_str());
    if let Some(relay_state) = raw.relay_state {
        signed_octets.push_str("&RelayState=");
        signed_octets.push_str(relay_state);
    }
    if let Some(sig_alg) = raw.sig_alg {
        signed_octets.push_str("&SigAlg=");
        signed_octets.push_str(sig_alg);
    }

    Ok(RedirectQuery {
        param,
        message: url_decode(message, param.as_str(), false)?,
        relay_state: raw
            .relay_state
            .map(|r| url_decode(r, "RelayState", true))
            .transpose()?,
        sig_alg: raw
            .sig_alg
            .map(|s| url_decode(s, "SigAlg", false))
            .transpose()?,
        signature: raw
            .signature
            .map(|s| url_decode(s, "Signature", false))
            .transpose()?,
        signed_octets,
    })
}

/// Verifies the signature of a redirect query string against `trusted`
/// certificates, over the octets exactly as received (see the module docs).
///
/// # Errors
///
/// Everything [`parse_redirect_query`] reports;
/// [`SamlError::MissingQueryParameter`] without `SigAlg` or `Signature`;
/// [`SamlError::UnknownSignatureAlgorithm`];
/// [`SamlError::InvalidSignatureEncoding`] for a `Signature` that is not
/// base64; [`SamlError::NoTrustedCertificate`]; [`SamlError::BadQuerySignature`]
/// when no trusted certificate verifies it.
pub fn verify_redirect_signature(
    raw_query: &str,
    trusted: &[Certificate],
) -> Result<VerifiedRedirect, SamlError> {
    let query = parse_redirect_query(raw_query)?;
    let sig_alg = query
        .sig_alg
        .as_deref()
        .ok_or(SamlError::MissingQueryParameter {
            parameter: "SigAlg",
            section: SECTION,
        })?;
    let signature = query
        .signature
        .as_deref()
        .ok_or(SamlError::MissingQueryParameter {
            parameter: "Signature",
            section: SECTION,
        })?;
    let algorithm = SignatureAlgorithm::from_uri(sig_alg).ok_or_else(|| {
        SamlError::UnknownSignatureAlgorithm {
            uri: sig_alg.to_owned(),
        }
    })?;
    let signature =
        STANDARD
            .decode(signature)
            .map_err(|e| SamlError::InvalidSignatureEncoding {
                reason: e.to_string(),
            })?;
    if trusted.is_empty() {
        return Err(SamlError::NoTrustedCertificate);
    }
    let certificate = trusted
        .iter()
        .find(|c| {
            c.verify(algorithm, query.signed_octets.as_bytes(), &signature)
                .is_ok()
        })
        .ok_or(SamlError::BadQuerySignature)?
        .clone();
    Ok(VerifiedRedirect {
        query,
        algorithm,
        certificate,
    })
}

/// The raw (still URL-encoded) values of the binding's parameters.
#[derive(Default)]
struct RawParameters<'q> {
    request: Option<&'q str>,
    response: Option<&'q str>,
    relay_state: Option<&'q str>,
    sig_alg: Option<&'q str>,
    signature: Option<&'q str>,
}

impl<'q> RawParameters<'q> {
    fn split(query: &'q str) -> Result<Self, SamlError> {
        let mut raw = RawParameters::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match name {
                "SAMLRequest" => &mut raw.request,
                "SAMLResponse" => &mut raw.response,
                "RelayState" => &mut raw.relay_state,
                "SigAlg" => &mut raw.sig_alg,
                "Signature" => &mut raw.signature,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(SamlError::DuplicateQueryParameter {
                    parameter: name.to_owned(),
                });
            }
        }
        Ok(raw)
    }
}

/// Appends `value` URL-encoded: RFC 3986 unreserved characters as they are,
/// every other octet as `%XX` with upper-case hex (RFC 3986 2.1 recommends it).
fn url_encode_into(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}

/// Percent-decodes `value` (either hex case), turning `+` into a space only
/// when `plus_is_space`.
fn url_decode(
    value: &str,
    parameter: &'static str,
    plus_is_space: bool,
) -> Result<String, SamlError> {
    let invalid = |offset| SamlError::InvalidUrlEncoding { parameter, offset };
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let digit = |b: u8| char::from(b).to_digit(16);
                let Some(&[high, low]) = bytes.get(i + 1..i + 3) else {
                    return Err(invalid(i));
                };
                match (digit(high), digit(low)) {
                    // Both digits are below 16, so the byte fits.
                    (Some(high), Some(low)) => out.push((high * 16 + low) as u8),
                    _ => return Err(invalid(i)),
                }
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|e| invalid(e.utf8_error().valid_up_to()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoding_round_trips() {
        let value = "a+b/c=d e&f~g.h-i_j\u{e9}";
        let mut encoded = String::new();
        url_encode_into(value, &mut encoded);
        assert_eq!(encoded, "a%2Bb%2Fc%3Dd%20e%26f~g.h-i_j%C3%A9");
        assert_eq!(url_decode(&encoded, "RelayState", true).unwrap(), value);
        assert_eq!(url_decode("%2f%2B+", "Signature", false).unwrap(), "/++");
        assert_eq!(url_decode("a+b", "RelayState", true).unwrap(), "a b");
    }

    #[test]
    fn url_decoding_refuses_bad_escapes() {
        for bad in ["%", "%2", "%zz", "abc%g1", "%C3"] {
            let error = url_decode(bad, "RelayState", true).unwrap_err();
            assert!(
                matches!(error, SamlError::InvalidUrlEncoding { .. }),
                "{bad}: {error}"
            );
        }
    }
}
