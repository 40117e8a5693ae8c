//! Single Logout: `samlp:LogoutRequest` and `samlp:LogoutResponse`.

use samlsim_saml::logout::{
    LogoutRequest, LogoutResponse, build_logout_request, build_logout_response,
    parse_logout_request, parse_logout_response, verify_logout_request,
};
use samlsim_saml::{NameId, SamlError, Status};

use crate::support::*;

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
        verify_logout_request(xml.as_bytes(), std::slice::from_ref(&cert)).unwrap(),
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
