//! Shared fixtures: the committed test-only keys (certs/README.md) and typical
//! message specs, with fixed times and IDs so every output is reproducible.

#![allow(dead_code)]

use samlsim_crypto::{Certificate, SigningKey};
use samlsim_saml::authn_request::{AuthnRequest, NameIdPolicy};
use samlsim_saml::logout::{LogoutRequest, LogoutResponse};
use samlsim_saml::metadata::{
    AttributeConsumingService, Endpoint, IdpMetadata, IndexedEndpoint, RequestedAttribute,
    SpMetadata,
};
use samlsim_saml::response::{
    AssertionSpec, AuthnStatementSpec, BearerConfirmationSpec, ConditionsSpec, ResponseSpec,
};
use samlsim_saml::signature::{ASSERTION_NS, Signer};
use samlsim_saml::uri::{authn_context, nameid_format};
use samlsim_saml::uri::{binding, status};
use samlsim_saml::{DateTime, NameId, Status, response::Attribute};
use samlsim_xml::{Document, NodeId, parse, to_xml};

pub const IDP_KEY_PEM: &str = include_str!("../../../../certs/test-only-idp-key.pem");
pub const IDP_CERT_PEM: &str = include_str!("../../../../certs/test-only-idp-cert.pem");
pub const ATTACKER_KEY_PEM: &str = include_str!("../../../../certs/test-only-attacker-key.pem");
pub const ATTACKER_CERT_PEM: &str = include_str!("../../../../certs/test-only-attacker-cert.pem");

/// 2026-11-23T10:00:00Z
pub const T0: i64 = 1_795_428_000;
pub const IDP_ENTITY_ID: &str = "https://idp.example.com/saml/metadata";
pub const AWS_ACS: &str = "https://signin.aws.amazon.com/saml";
pub const AWS_AUDIENCE: &str = "urn:amazon:webservices";
pub const RESPONSE_ID: &str = "_r8e8dc5f69a98cc4c1ff3427e5ce34606";
pub const ASSERTION_ID: &str = "_ad71a3a8e9fcc45c9e9d248ef7049393f";
pub const REQUEST_ID: &str = "_req0a1b2c3d4e5f";
pub const ROLE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
/// Markup characters in a value: escaping must be right by construction.
pub const TRICKY_VALUE: &str = "a<b>&c\"d'e]]>f\tg\nh";

pub fn key() -> SigningKey {
    SigningKey::from_pem(IDP_KEY_PEM).expect("the IdP test key parses")
}

pub fn cert() -> Certificate {
    Certificate::from_pem(IDP_CERT_PEM).expect("the IdP test certificate parses")
}

pub fn attacker_key() -> SigningKey {
    SigningKey::from_pem(ATTACKER_KEY_PEM).expect("the attacker test key parses")
}

pub fn attacker_cert() -> Certificate {
    Certificate::from_pem(ATTACKER_CERT_PEM).expect("the attacker test certificate parses")
}

pub fn at(offset: i64) -> DateTime {
    DateTime::from_unix(T0 + offset)
}

pub fn response_spec() -> ResponseSpec {
    ResponseSpec {
        id: RESPONSE_ID.into(),
        issue_instant: at(0),
        destination: Some(AWS_ACS.into()),
        in_response_to: Some(REQUEST_ID.into()),
        issuer: IDP_ENTITY_ID.into(),
        status: Status::success(),
    }
}

pub fn assertion_spec() -> AssertionSpec {
    AssertionSpec {
        id: ASSERTION_ID.into(),
        issue_instant: at(0),
        issuer: IDP_ENTITY_ID.into(),
        name_id: NameId {
            value: "alice@example.com".into(),
            format: Some(nameid_format::PERSISTENT.into()),
            name_qualifier: Some(IDP_ENTITY_ID.into()),
            sp_name_qualifier: Some(AWS_AUDIENCE.into()),
        },
        confirmation: BearerConfirmationSpec {
            not_on_or_after: at(300),
            recipient: AWS_ACS.into(),
            in_response_to: Some(REQUEST_ID.into()),
        },
        conditions: ConditionsSpec {
            not_before: at(-300),
            not_on_or_after: at(300),
            audiences: vec![AWS_AUDIENCE.into()],
        },
        authn: AuthnStatementSpec {
            authn_instant: at(-5),
            session_index: "_session-1".into(),
            session_not_on_or_after: Some(at(43_200)),
            authn_context_class_ref: authn_context::PASSWORD_PROTECTED_TRANSPORT.into(),
        },
        attributes: vec![
            Attribute::uri(
                ROLE,
                [
                    "arn:aws:iam::123456789012:role/ConnectAgent,arn:aws:iam::123456789012:saml-provider/ExampleIdP",
                    "arn:aws:iam::123456789012:role/ReadOnly,arn:aws:iam::123456789012:saml-provider/ExampleIdP",
                ],
            ),
            Attribute::uri(
                "https://aws.amazon.com/SAML/Attributes/RoleSessionName",
                ["alice@example.com"],
            ),
            Attribute {
                name: "tricky".into(),
                name_format: None,
                friendly_name: Some("Tricky <value>".into()),
                values: vec![TRICKY_VALUE.into(), String::new()],
            },
        ],
    }
}

pub fn signer<'a>(key: &'a SigningKey, cert: &'a Certificate) -> Signer<'a> {
    Signer::new(key, cert)
}

/// The first element named `{namespace}local_name` in document order.
pub fn find(doc: &Document, namespace: &str, local_name: &str) -> NodeId {
    doc.descendants(doc.document_node())
        .find(|&n| doc.is_element(n, namespace, local_name))
        .unwrap_or_else(|| panic!("no {local_name} element"))
}

/// Parses `xml`, signs its first `saml:Assertion` and serialises it again: for
/// tests that need signed content a builder would never produce.
pub fn sign_first_assertion(xml: &str) -> String {
    let (key, cert) = (key(), cert());
    let mut doc = parse(xml).expect("test XML parses");
    let assertion = find(&doc, ASSERTION_NS, "Assertion");
    signer(&key, &cert)
        .sign(&mut doc, assertion)
        .expect("signing works");
    to_xml(&doc, doc.document_node())
}

pub fn full_request() -> AuthnRequest {
    AuthnRequest {
        destination: Some("https://idp.example.com/sso".into()),
        name_id_policy: Some(NameIdPolicy {
            format: Some(nameid_format::PERSISTENT.into()),
            sp_name_qualifier: None,
            allow_create: Some(true),
        }),
        force_authn: Some(false),
        is_passive: Some(true),
        ..AuthnRequest::new(REQUEST_ID, at(0), AWS_AUDIENCE, AWS_ACS)
    }
}

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

pub fn idp_metadata() -> IdpMetadata {
    IdpMetadata {
        entity_id: IDP_ENTITY_ID.into(),
        valid_until: Some(at(365 * 86_400)),
        cache_duration: Some("PT1H".into()),
        want_authn_requests_signed: true,
        signing_certificates: vec![cert(), attacker_cert()],
        single_logout_services: vec![
            Endpoint::new(binding::HTTP_REDIRECT, "https://idp.example.com/slo"),
            Endpoint::new(binding::HTTP_POST, "https://idp.example.com/slo"),
        ],
        name_id_formats: vec![
            nameid_format::PERSISTENT.into(),
            nameid_format::TRANSIENT.into(),
            nameid_format::EMAIL_ADDRESS.into(),
        ],
        single_sign_on_services: vec![
            Endpoint::new(binding::HTTP_REDIRECT, "https://idp.example.com/sso"),
            Endpoint::new(binding::HTTP_POST, "https://idp.example.com/sso?a=1&b=2"),
        ],
    }
}

pub fn sp_metadata() -> SpMetadata {
    SpMetadata {
        entity_id: AWS_AUDIENCE.into(),
        valid_until: None,
        cache_duration: None,
        authn_requests_signed: Some(false),
        want_assertions_signed: Some(true),
        encryption_certificates: vec![],
        signing_certificates: vec![cert()],
        single_logout_services: vec![Endpoint {
            response_location: Some("https://signin.aws.amazon.com/saml/logout/response".into()),
            ..Endpoint::new(
                binding::HTTP_POST,
                "https://signin.aws.amazon.com/saml/logout",
            )
        }],
        name_id_formats: vec![
            nameid_format::TRANSIENT.into(),
            nameid_format::PERSISTENT.into(),
        ],
        assertion_consumer_services: vec![
            IndexedEndpoint {
                binding: binding::HTTP_POST.into(),
                location: AWS_ACS.into(),
                response_location: None,
                index: 1,
                is_default: Some(true),
            },
            IndexedEndpoint {
                binding: binding::HTTP_POST.into(),
                location: "https://eu-west-1.signin.aws.amazon.com/saml".into(),
                response_location: None,
                index: 2,
                is_default: None,
            },
        ],
        attribute_consuming_services: vec![AttributeConsumingService {
            index: 1,
            is_default: None,
            service_name: "AWS Management Console Single Sign-On".into(),
            requested_attributes: vec![RequestedAttribute {
                name: ROLE.into(),
                name_format: None,
                friendly_name: Some("RoleEntitlement".into()),
                is_required: Some(true),
            }],
        }],
    }
}
