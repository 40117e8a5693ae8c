//! The HTTP-Redirect query string and its signature (SAML bindings 3.4.4.1).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use samlsim_crypto::SignatureAlgorithm;
use samlsim_saml::SamlError;
use samlsim_saml::authn_request::{build_authn_request, parse_authn_request};
use samlsim_saml::binding::{Limits, decode_redirect};
use samlsim_saml::redirect::{
    RedirectParam, parse_redirect_query, redirect_query, verify_redirect_signature,
};

use crate::support::*;

const RELAY_STATE: &str = "https://console.aws.amazon.com/connect/home?region=eu-west-1&x=a b/ü";

fn request_xml() -> String {
    build_authn_request(&full_request(), None).unwrap().xml
}

fn signed_query(algorithm: SignatureAlgorithm) -> String {
    let key = key();
    redirect_query(
        RedirectParam::Request,
        &request_xml(),
        Some(RELAY_STATE),
        Some((&key, algorithm)),
    )
    .unwrap()
}

/// Signs `octets` (already URL-encoded, in the spec's order) the way a
/// third-party SP might, and appends the Signature.
fn sign_raw(octets: &str) -> String {
    let signature = key()
        .sign(SignatureAlgorithm::RsaSha256, octets.as_bytes())
        .unwrap();
    let encoded = STANDARD
        .encode(signature)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    format!("{octets}&Signature={encoded}")
}

#[test]
fn signed_query_round_trips() {
    for algorithm in [SignatureAlgorithm::RsaSha256, SignatureAlgorithm::RsaSha1] {
        let query = signed_query(algorithm);
        assert!(query.starts_with("SAMLRequest="));
        let sig_alg_at = query.find("&SigAlg=").unwrap();
        assert!(query.find("&RelayState=").unwrap() < sig_alg_at);
        assert!(sig_alg_at < query.find("&Signature=").unwrap());

        let verified = verify_redirect_signature(&query, &[cert()]).unwrap();
        assert_eq!(verified.algorithm, algorithm);
        assert_eq!(verified.certificate, cert());
        assert_eq!(verified.query.param, RedirectParam::Request);
        assert_eq!(verified.query.relay_state.as_deref(), Some(RELAY_STATE));
        assert_eq!(verified.query.sig_alg.as_deref(), Some(algorithm.uri()));
        let xml = decode_redirect(&verified.query.message, &Limits::default()).unwrap();
        assert_eq!(parse_authn_request(&xml).unwrap(), full_request());
        assert_eq!(query, signed_query(algorithm), "deterministic");
    }
}

#[test]
fn unsigned_query_parses_but_does_not_verify() {
    let query = redirect_query(RedirectParam::Response, &request_xml(), None, None).unwrap();
    assert!(!query.contains('&'));
    let parsed = parse_redirect_query(&query).unwrap();
    assert_eq!(parsed.param, RedirectParam::Response);
    assert_eq!(parsed.relay_state, None);
    assert_eq!(
        decode_redirect(&parsed.message, &Limits::default()).unwrap(),
        request_xml().as_bytes()
    );
    let error = verify_redirect_signature(&query, &[cert()]).unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::MissingQueryParameter {
                parameter: "SigAlg",
                ..
            }
        ),
        "{error}"
    );
}

/// A query with SigAlg but no Signature (or the reverse) is not an unsigned query:
/// a consumer that took it as one would accept a stripped signature (issue 13, 14).
#[test]
fn hostile_binding_a_lone_sig_alg_or_signature_is_refused_at_parse() {
    let query = signed_query(SignatureAlgorithm::RsaSha256);
    let without = |name: &str| {
        query
            .split('&')
            .filter(|p| !p.starts_with(&format!("{name}=")))
            .collect::<Vec<_>>()
            .join("&")
    };
    for (stripped, missing) in [
        (without("Signature"), "Signature"),
        (without("SigAlg"), "SigAlg"),
    ] {
        let error = parse_redirect_query(&stripped).unwrap_err();
        assert!(
            matches!(error, SamlError::MissingQueryParameter { parameter, .. } if parameter == missing),
            "{error}"
        );
    }
}

#[test]
fn tampered_relay_state_fails() {
    let query = signed_query(SignatureAlgorithm::RsaSha256);
    let tampered = query.replacen("region%3Deu-west-1", "region%3Dus-east-1", 1);
    assert_ne!(query, tampered);
    let error = verify_redirect_signature(&tampered, &[cert()]).unwrap_err();
    assert!(matches!(error, SamlError::BadQuerySignature), "{error}");

    // Dropping the RelayState changes the signed octets too.
    let start = query.find("&RelayState=").unwrap();
    let end = query.find("&SigAlg=").unwrap();
    let dropped = format!("{}{}", &query[..start], &query[end..]);
    assert!(matches!(
        verify_redirect_signature(&dropped, &[cert()]).unwrap_err(),
        SamlError::BadQuerySignature
    ));
}

#[test]
fn the_raw_octets_are_verified_not_a_re_encoding() {
    // A sender whose URL encoder writes lower-case hex (RFC 3986 allows it)
    // signs exactly what it sends. Re-encoding would produce upper-case hex
    // and a different octet string; using the octets as received verifies.
    let upper = signed_query(SignatureAlgorithm::RsaSha256);
    let octets = &upper[..upper.find("&Signature=").unwrap()];
    let lower = lowercase_escapes(octets);
    assert!(lower.contains("%2f") || lower.contains("%2b"), "{lower}");
    assert_ne!(lower, octets);
    let query = sign_raw(&lower);
    let verified = verify_redirect_signature(&query, &[cert()]).unwrap();
    assert_eq!(verified.query.relay_state.as_deref(), Some(RELAY_STATE));
    let xml = decode_redirect(&verified.query.message, &Limits::default()).unwrap();
    assert_eq!(xml, request_xml().as_bytes());

    // And the converse: the same change made after signing is detected.
    let signature = &upper[upper.find("&Signature=").unwrap()..];
    let changed = format!("{lower}{signature}");
    assert!(matches!(
        verify_redirect_signature(&changed, &[cert()]).unwrap_err(),
        SamlError::BadQuerySignature
    ));
}

fn lowercase_escapes(query: &str) -> String {
    let mut out = String::new();
    let mut chars = query.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
        }
    }
    out
}

#[test]
fn parameter_order_and_extra_parameters_do_not_matter() {
    let query = signed_query(SignatureAlgorithm::RsaSha256);
    let mut parts: Vec<&str> = query.split('&').collect();
    parts.reverse();
    parts.insert(1, "utm_source=mail");
    let shuffled = format!("https://idp.example.com/sso?{}#fragment", parts.join("&"));
    verify_redirect_signature(&shuffled, &[cert()]).unwrap();
    verify_redirect_signature(&format!("?{query}"), &[cert()]).unwrap();
}

#[test]
fn refusals() {
    let query = signed_query(SignatureAlgorithm::RsaSha256);
    let without = |name: &str| {
        query
            .split('&')
            .filter(|p| !p.starts_with(&format!("{name}=")))
            .collect::<Vec<_>>()
            .join("&")
    };
    let cases: Vec<(String, &str)> = vec![
        (
            without("Signature"),
            "no Signature parameter, which SAML bindings 3.4.4.1",
        ),
        (
            without("SAMLRequest"),
            "no SAMLRequest or SAMLResponse parameter",
        ),
        (
            format!("{query}&SAMLResponse=abc"),
            "both SAMLRequest and SAMLResponse",
        ),
        (
            format!("{query}&RelayState=again"),
            "more than one RelayState",
        ),
        (
            query.replace("rsa-sha256", "hmac-sha256"),
            "SigAlg \"http://www.w3.org/2001/04/xmldsig-more#hmac-sha256\" is not a supported",
        ),
        (
            format!("{}&Signature=%%%", without("Signature")),
            "Signature query parameter is not validly URL-encoded",
        ),
        (
            format!("{}&Signature=not*base64", without("Signature")),
            "Signature query parameter is not valid base64",
        ),
    ];
    for (query, expected) in cases {
        let error = verify_redirect_signature(&query, &[cert()])
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{expected}: {error}");
    }

    assert!(matches!(
        verify_redirect_signature(&query, &[attacker_cert()]).unwrap_err(),
        SamlError::BadQuerySignature
    ));
    assert!(matches!(
        verify_redirect_signature(&query, &[]).unwrap_err(),
        SamlError::NoTrustedCertificate
    ));
    // Any trusted certificate may match (key rollover).
    verify_redirect_signature(&query, &[attacker_cert(), cert()]).unwrap();
}
