//! The IdP alone, built from parts: how an SP-initiated request is received.

use std::sync::Arc;

use samlsim_crypto::{Certificate, Identity, SigningKey};
use samlsim_saml::DateTime;
use samlsim_saml::authn_request::{AuthnRequest, build_authn_request};
use samlsim_saml::binding::encode_post;
use samlsim_saml::signature::Signer;
use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{
    EventFilter, EventLog, Outcome, Request, Response, SequentialIds, Service, Store, UrlMap,
    VirtualClock,
};

use crate::config::IdpConfig;
use crate::{Idp, IdpParts};

const NOW: i64 = 1_795_435_200;
const IDP_KEY: &str = include_str!("../../../certs/test-only-idp-key.pem");
const IDP_CERT: &str = include_str!("../../../certs/test-only-idp-cert.pem");
const SP_KEY: &str = include_str!("../../../certs/test-only-attacker-key.pem");
const SP_CERT: &str = include_str!("../../../certs/test-only-attacker-cert.pem");
const SP: &str = "https://sp.example.test/metadata";
const ACS: &str = "https://sp.example.test/acs";
/// Registered under the same entity ID, without a certificate: where a decision
/// read from an unverified copy would send the response.
const OTHER_ACS: &str = "https://other.example.test/acs";

fn idp() -> (Idp, EventLog) {
    let (idp, events, _) = idp_and_store();
    (idp, events)
}

fn idp_and_store() -> (Idp, EventLog, Arc<Store>) {
    let store = Arc::new(Store::in_memory().unwrap());
    let clock = Arc::new(VirtualClock::frozen(NOW));
    let events = EventLog::new(store.clone(), clock.clone()).unwrap();
    let config: IdpConfig = serde_json::from_value(serde_json::json!({
        "name": "Test IdP",
        "users": [{ "username": "alice", "password": "alice-pass" }],
        "service_providers": [
            { "id": "signed", "label": "Signed SP", "entity_id": SP, "acs_url": ACS,
              "certificate": SP_CERT, "want_authn_requests_signed": true },
            { "id": "other", "label": "Other SP", "entity_id": SP, "acs_url": OTHER_ACS },
        ],
    }))
    .unwrap();
    let idp = Idp::new(IdpParts {
        config,
        store: store.clone(),
        clock,
        ids: Arc::new(SequentialIds::default()),
        events: events.clone(),
        urls: Arc::new(UrlMap::new("http://127.0.0.1:7575")),
        identity: Identity::from_pem(IDP_KEY, IDP_CERT).unwrap(),
    })
    .unwrap();
    (idp, events, store)
}

fn signed_request(id: &str, acs: &str) -> String {
    let key = SigningKey::from_pem(SP_KEY).unwrap();
    let certificate = Certificate::from_pem(SP_CERT).unwrap();
    let request = AuthnRequest::new(id, DateTime::from_unix(NOW), SP, acs);
    build_authn_request(&request, Some(&Signer::new(&key, &certificate)))
        .unwrap()
        .xml
}

fn post(idp: &Idp, xml: &str) -> Response {
    idp.handle(
        &Request::new(Method::POST, "/idp/sso")
            .with_form(&[("SAMLRequest", &encode_post(xml.as_bytes()))]),
    )
    .unwrap()
}

fn rule_of(page: &Response) -> String {
    let html = page.text_body();
    let start = html.find("data-rule=\"").map(|i| i + 11).unwrap_or(0);
    html[start..start + html[start..].find('"').unwrap_or(0)].to_owned()
}

#[test]
fn a_signed_post_request_is_answered_at_its_own_acs() {
    let (idp, _) = idp();
    let answer = post(&idp, &signed_request("_good", ACS));
    // Nobody is signed in: the request is parked for after the login page.
    assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.text_body());
}

#[test]
fn an_unsigned_wrapper_around_a_signed_request_is_refused() {
    let (idp, events) = idp();
    let signed = signed_request("_inner", ACS);
    let signed = signed
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .unwrap_or(&signed);
    // The wrapper asks for the other SP's ACS and carries the genuine signed
    // request where an unverified reader would skip it.
    let wrapped = format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_outer" Version="2.0" IssueInstant="{}" AssertionConsumerServiceURL="{OTHER_ACS}"><saml:Issuer>{SP}</saml:Issuer><samlp:Extensions>{signed}</samlp:Extensions></samlp:AuthnRequest>"#,
        DateTime::from_unix(NOW)
    );
    let page = post(&idp, &wrapped);
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.text_body());
    assert_eq!(rule_of(&page), "bad-request-signature");
    let event = events.list(&EventFilter::default()).unwrap().pop().unwrap();
    assert_eq!(event.rule.as_deref(), Some("bad-request-signature"));
    assert_eq!(event.outcome, Outcome::Refused);
}

#[test]
fn a_request_signed_by_one_sp_cannot_ask_for_another_sps_acs() {
    let (idp, _) = idp();
    // A valid signature by the SP with the certificate, for the ACS registered
    // (under the same entity ID) by the SP without one.
    let page = post(&idp, &signed_request("_cross", OTHER_ACS));
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.text_body());
    assert_eq!(rule_of(&page), "no-sp-certificate");
}

#[test]
fn a_service_provider_row_that_no_longer_reads_is_a_damaged_row_not_an_unknown_sp() {
    let (idp, events, store) = idp_and_store();
    store
        .with(|c| {
            c.execute(
                "UPDATE idp_service_providers SET config = '[1, 2' WHERE id = 'signed'",
                [],
            )
        })
        .unwrap();
    let page = post(&idp, &signed_request("_damaged", ACS));
    let html = page.text_body();
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR, "{html}");
    assert_eq!(rule_of(&page), "internal-error");
    assert!(html.contains("idp_service_providers"), "{html}");
    let event = events.list(&EventFilter::default()).unwrap().pop().unwrap();
    assert_eq!(event.outcome, Outcome::Failed);

    let listing = idp.admin(
        &Request::new(Method::GET, "/_admin/idp/service-providers"),
        "/service-providers",
    );
    assert_eq!(listing.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(listing.text_body().contains("idp_service_providers"));
}
