//! Single Logout: `samlp:LogoutRequest` and `samlp:LogoutResponse`.

use samlsim_saml::logout::{
    LogoutRequest, LogoutResponse, build_logout_request, build_logout_response,
    parse_logout_request, parse_logout_response, verify_logout_request,
};
use samlsim_saml::uri::{nameid_format, status};
use samlsim_saml::{NameId, SamlError, Status};

use crate::support::*;

pub fn logout_request() -> LogoutRequest {
    LogoutRequest {
        id: "_logout-1".into(),
        issue_instant: at(600),
        destination: Some("https://idp.example.com/slo".into()),
        issuer: AWS_AUDIENCE.into(),
        name_id: NameId {
            sp_name_qualifier: Some(AWS_AUDIENCE.into()),
            ..NameId::new("alice@example.com", nameid_format::PERSISTENT)
        },
        session_indexes: vec!["_session-1".into(), "_session-2".into()],
        not_on_or_after: Some(at(900)),
        reason: Some("urn:oasis:names:tc:SAML:2.0:logout:user".into()),
    }
}

pub fn logout_response() -> LogoutResponse {
    LogoutResponse {
        id: "_logout-response-1".into(),
        issue_instant: at(601),
        destination: Some("https://sp.example.com/slo".into()),
        in_response_to: Some("_logout-1".into()),
        issuer: IDP_ENTITY_ID.into(),
        status: Status::error(
            status::RESPONDER,
            Some(status::PARTIAL_LOGOUT),
            Some("one SP did not answer"),
        ),
    }
}

#[test]
fn logout_request_round_trips() {
    let minimal = LogoutRequest {
        destination: None,
        session_indexes: Vec::new(),
        not_on_or_after: None,
        reason: None,
        name_id: NameId {
            value: "opaque".into(),
            format: None,
            name_qualifier: None,
            sp_name_qualifier: None,
        },
        ..logout_request()
    };
    for request in [logout_request(), minimal] {
        let xml = build_logout_request(&request, None).unwrap().xml;
        assert_eq!(parse_logout_request(xml.as_bytes()).unwrap(), request);
        assert_eq!(xml, build_logout_request(&request, None).unwrap().xml);
    }
}

#[test]
fn signed_logout_request_verifies() {
    let (key, cert) = (key(), cert());
    let xml = build_logout_request(&logout_request(), Some(&signer(&key, &cert)))
        .unwrap()
        .xml;
    assert_eq!(
        verify_logout_request(xml.as_bytes(), &[cert.clone()]).unwrap(),
        logout_request()
    );
    let tampered = xml.replace("_session-2", "_session-3");
    assert!(matches!(
        verify_logout_request(tampered.as_bytes(), &[cert]).unwrap_err(),
        SamlError::Signature { .. }
    ));
}

#[test]
fn logout_request_refusals() {
    let xml = build_logout_request(&logout_request(), None).unwrap().xml;
    for (from, to, expected) in [
        ("Version=\"2.0\"", "Version=\"1.0\"", "Version=\"1.0\""),
        (
            "NotOnOrAfter=\"2026-11-23T10:15:00Z\"",
            "NotOnOrAfter=\"soon\"",
            "samlp:LogoutRequest/@NotOnOrAfter",
        ),
        ("saml:NameID", "saml:BaseID", "no saml:NameID"),
    ] {
        assert!(xml.contains(from), "{from}");
        let xml = xml.replace(from, to);
        let error = parse_logout_request(xml.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{expected}: {error}");
    }
}

#[test]
fn logout_response_round_trips() {
    let (key, cert) = (key(), cert());
    let success = LogoutResponse {
        status: Status::success(),
        ..logout_response()
    };
    for response in [logout_response(), success] {
        for signer_option in [None, Some(signer(&key, &cert))] {
            let xml = build_logout_response(&response, signer_option.as_ref())
                .unwrap()
                .xml;
            assert_eq!(parse_logout_response(xml.as_bytes()).unwrap(), response);
        }
    }
    let xml = build_logout_response(&logout_response(), None).unwrap().xml;
    let error = parse_logout_response(xml.replace("2.0\"", "3.0\"").as_bytes())
        .unwrap_err()
        .to_string();
    assert!(error.contains("Version=\"3.0\""), "{error}");
}
