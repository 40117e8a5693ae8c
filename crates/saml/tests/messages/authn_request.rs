//! `samlp:AuthnRequest`: round trips, the rules the parser enforces, and the
//! enveloped signature used with HTTP-POST.

use samlsim_dsig::DsigError;
use samlsim_saml::SamlError;
use samlsim_saml::authn_request::{
    AuthnRequest, build_authn_request, parse_authn_request, verify_authn_request,
};
use samlsim_saml::uri::binding;

use crate::support::*;

#[test]
fn round_trips() {
    let minimal = AuthnRequest::new(REQUEST_ID, at(0), AWS_AUDIENCE, AWS_ACS);
    let mut by_index = minimal.clone();
    by_index.assertion_consumer_service_url = None;
    by_index.assertion_consumer_service_index = Some(3);
    by_index.protocol_binding = None;
    for request in [full_request(), minimal, by_index] {
        let built = build_authn_request(&request, None).unwrap();
        assert_eq!(parse_authn_request(built.xml.as_bytes()).unwrap(), request);
    }
    let xml = build_authn_request(&full_request(), None).unwrap().xml;
    assert!(xml.contains(&format!("ProtocolBinding=\"{}\"", binding::HTTP_POST)));
    assert!(xml.contains("<samlp:NameIDPolicy Format="));
    assert!(xml.contains("AllowCreate=\"true\""));
    assert_eq!(xml, build_authn_request(&full_request(), None).unwrap().xml);
}

#[test]
fn version_other_than_2_0_is_refused() {
    let xml = build_authn_request(&full_request(), None).unwrap().xml;
    let error = parse_authn_request(
        xml.replacen("Version=\"2.0\"", "Version=\"1.1\"", 1)
            .as_bytes(),
    )
    .unwrap_err();
    assert!(
        matches!(
            &error,
            SamlError::UnsupportedVersion { element: "samlp:AuthnRequest", version, section: "SAML core 3.2.1" }
                if version == "1.1"
        ),
        "{error}"
    );
    let error =
        parse_authn_request(xml.replacen(" Version=\"2.0\"", "", 1).as_bytes()).unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::MissingAttribute {
                attribute: "Version",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn missing_or_malformed_required_parts_are_named() {
    let xml = build_authn_request(&full_request(), None).unwrap().xml;
    for (from, to, expected) in [
        (
            format!(" ID=\"{REQUEST_ID}\""),
            String::new(),
            "samlp:AuthnRequest has no ID attribute, which SAML core 3.2.1",
        ),
        (
            format!(" ID=\"{REQUEST_ID}\""),
            " ID=\"\"".to_owned(),
            "has no ID attribute",
        ),
        (
            " IssueInstant=\"2026-11-23T10:00:00Z\"".into(),
            String::new(),
            "has no IssueInstant attribute",
        ),
        (
            "IssueInstant=\"2026-11-23T10:00:00Z\"".into(),
            "IssueInstant=\"2026-11-23\"".into(),
            "samlp:AuthnRequest/@IssueInstant is not a valid SAML time value",
        ),
        (
            "IsPassive=\"true\"".into(),
            "IsPassive=\"yes\"".into(),
            "IsPassive=\"yes\" is not a valid xs:boolean",
        ),
        (
            "AllowCreate=\"true\"".into(),
            "AllowCreate=\"TRUE\"".into(),
            "AllowCreate=\"TRUE\" is not a valid xs:boolean",
        ),
        (
            format!("<saml:Issuer>{AWS_AUDIENCE}</saml:Issuer>"),
            String::new(),
            "has no saml:Issuer child element, which SAML profiles 4.1.4.1",
        ),
        (
            "samlp:AuthnRequest".into(),
            "samlp:LogoutRequest".into(),
            "expected samlp:AuthnRequest",
        ),
    ] {
        assert!(xml.contains(&from), "{from}");
        let error = parse_authn_request(xml.replace(&from, &to).as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{expected}: {error}");
    }
    let xml = build_authn_request(
        &AuthnRequest {
            assertion_consumer_service_url: None,
            ..full_request()
        },
        None,
    )
    .unwrap()
    .xml
    .replace(
        "IsPassive",
        "AssertionConsumerServiceIndex=\"70000\" IsPassive",
    );
    let error = parse_authn_request(xml.as_bytes()).unwrap_err().to_string();
    assert!(error.contains("xs:unsignedShort"), "{error}");
}

#[test]
fn builder_refuses_url_and_index_together_and_bad_ids() {
    let mut request = full_request();
    request.assertion_consumer_service_index = Some(1);
    let error = build_authn_request(&request, None).unwrap_err().to_string();
    assert!(error.contains("mutually exclusive"), "{error}");
    let mut request = full_request();
    request.id = "id:with:colons".into();
    let error = build_authn_request(&request, None).unwrap_err().to_string();
    assert!(error.contains("xs:ID"), "{error}");
}

#[test]
fn post_binding_signature_round_trips_and_detects_tampering() {
    let (key, cert) = (key(), cert());
    let signed = build_authn_request(&full_request(), Some(&signer(&key, &cert)))
        .unwrap()
        .xml;
    // The signature sits right after Issuer (SAML core 3.2.1 schema order).
    assert!(
        signed.find("</saml:Issuer><ds:Signature").is_some(),
        "{signed}"
    );
    assert_eq!(
        verify_authn_request(signed.as_bytes(), std::slice::from_ref(&cert)).unwrap(),
        full_request()
    );
    assert_eq!(
        parse_authn_request(signed.as_bytes()).unwrap(),
        full_request()
    );

    let tampered = signed.replacen(AWS_ACS, "https://evil.example.com/acs", 1);
    let error = verify_authn_request(tampered.as_bytes(), std::slice::from_ref(&cert)).unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::Signature {
                source: DsigError::DigestMismatch { .. },
                ..
            }
        ),
        "{error}"
    );

    let unsigned = build_authn_request(&full_request(), None).unwrap().xml;
    let error = verify_authn_request(unsigned.as_bytes(), &[cert]).unwrap_err();
    assert!(
        matches!(
            error,
            SamlError::Signature {
                source: DsigError::NotSigned { .. },
                ..
            }
        ),
        "{error}"
    );
}
