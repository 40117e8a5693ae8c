//! The IdP alone, built from parts: how an SP-initiated request is received.

use std::sync::Arc;

use samlsim_crypto::{Certificate, Identity, SignatureAlgorithm, SigningKey};
use samlsim_saml::DateTime;
use samlsim_saml::NameId;
use samlsim_saml::authn_request::{AuthnRequest, build_authn_request};
use samlsim_saml::binding::encode_post;
use samlsim_saml::logout::{LogoutRequest, build_logout_request};
use samlsim_saml::redirect::{RedirectParam, redirect_query};
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
    let (idp, events, store, _) = idp_store_and_clock();
    (idp, events, store)
}

fn idp_store_and_clock() -> (Idp, EventLog, Arc<Store>, Arc<VirtualClock>) {
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
        clock: clock.clone(),
        ids: Arc::new(SequentialIds::default()),
        events: events.clone(),
        urls: Arc::new(UrlMap::new("http://127.0.0.1:7575")),
        identity: Identity::from_pem(IDP_KEY, IDP_CERT).unwrap(),
        fetch_metadata: None,
    })
    .unwrap();
    (idp, events, store, clock)
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

#[test]
fn a_stored_lifetime_that_no_longer_parses_is_said_not_defaulted() {
    let (idp, events, store) = idp_and_store();
    let cookie = sign_in(&idp);
    store
        .with(|c| {
            c.execute(
                "UPDATE idp_service_providers
                 SET config = json_set(config, '$.assertion_lifetime', 'ten minutes')
                 WHERE id = 'signed'",
                [],
            )
        })
        .unwrap();
    let page = post_with(&idp, &signed_request("_lifetime", ACS), Some(&cookie));
    let html = page.text_body();
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR, "{html}");
    assert_eq!(rule_of(&page), "internal-error");
    assert!(html.contains("assertion_lifetime"), "{html}");
    let event = events.list(&EventFilter::default()).unwrap().pop().unwrap();
    assert_eq!(event.outcome, Outcome::Failed);
}

fn logout_request(id: &str, issued: i64, destination: &str) -> LogoutRequest {
    LogoutRequest {
        id: id.into(),
        issue_instant: DateTime::from_unix(issued),
        destination: Some(destination.into()),
        issuer: SP.into(),
        name_id: NameId::new(
            "alice",
            "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        ),
        session_indexes: Vec::new(),
        not_on_or_after: None,
        reason: None,
    }
}

/// `GET /idp/slo?SAMLRequest=…`, signed over the query string when `signed`.
fn slo_redirect(idp: &Idp, request: &LogoutRequest, signed: bool) -> Response {
    let xml = build_logout_request(request, None).unwrap().xml;
    let key = SigningKey::from_pem(SP_KEY).unwrap();
    let query = redirect_query(
        RedirectParam::Request,
        &xml,
        None,
        signed.then_some((&key, SignatureAlgorithm::RsaSha256)),
    )
    .unwrap();
    idp.handle(&Request::new(Method::GET, &format!("/idp/slo?{query}")))
        .unwrap()
}

const SLO: &str = "http://127.0.0.1:7575/idp/slo";

#[test]
fn hostile_slo_an_unsigned_redirect_logout_request_from_an_sp_with_a_certificate_is_refused() {
    let (idp, events) = idp();
    let page = slo_redirect(&idp, &logout_request("_img", NOW, SLO), false);
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.text_body());
    assert_eq!(rule_of(&page), "unsigned-logout-request");
    let event = events.list(&EventFilter::default()).unwrap().pop().unwrap();
    assert_eq!(event.rule.as_deref(), Some("unsigned-logout-request"));
    assert_eq!(event.step.as_deref(), Some("C31"));
    // The same request signed is taken.
    let page = slo_redirect(&idp, &logout_request("_signed", NOW, SLO), true);
    assert_eq!(page.status, StatusCode::OK, "{}", page.text_body());
}

#[test]
fn hostile_slo_a_logout_request_for_another_endpoint_is_refused() {
    let (idp, _) = idp();
    let page = slo_redirect(
        &idp,
        &logout_request("_elsewhere", NOW, "https://other-idp.example.test/slo"),
        true,
    );
    assert_eq!(
        rule_of(&page),
        "logout-wrong-destination",
        "{}",
        page.text_body()
    );
}

#[test]
fn hostile_slo_a_logout_request_from_2001_or_the_future_is_refused() {
    let (idp, _) = idp();
    let page = slo_redirect(&idp, &logout_request("_old", 978_307_200, SLO), true);
    assert_eq!(
        rule_of(&page),
        "stale-logout-request",
        "{}",
        page.text_body()
    );
    let page = slo_redirect(&idp, &logout_request("_ahead", NOW + 3600, SLO), true);
    assert_eq!(
        rule_of(&page),
        "stale-logout-request",
        "{}",
        page.text_body()
    );
    let page = idp
        .handle(
            &Request::new(Method::POST, "/idp/slo")
                .with_form(&[("SAMLRequest", &encode_post(b"<not-a-logout-request/>"))]),
        )
        .unwrap();
    assert_eq!(
        rule_of(&page),
        "malformed-logout-request",
        "{}",
        page.text_body()
    );
}

#[test]
fn hostile_slo_a_replayed_logout_request_is_refused_and_the_record_is_swept() {
    let (idp, _, store, clock) = idp_store_and_clock();
    let request = logout_request("_once", NOW, SLO);
    assert_eq!(slo_redirect(&idp, &request, true).status, StatusCode::OK);
    let page = slo_redirect(&idp, &request, true);
    assert_eq!(
        rule_of(&page),
        "replayed-logout-request",
        "{}",
        page.text_body()
    );

    let seen = || {
        store
            .with(|c| {
                c.query_row(
                    "SELECT count(*) FROM idp_answered_requests WHERE request_id = '_once'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
            })
            .unwrap()
    };
    assert_eq!(seen(), 1);
    clock.advance(3600);
    let later = logout_request("_later", NOW + 3600, SLO);
    assert_eq!(slo_redirect(&idp, &later, true).status, StatusCode::OK);
    assert_eq!(seen(), 0, "records past the IssueInstant window are swept");
}

#[test]
fn hostile_url_a_javascript_slo_url_is_refused_by_the_config_and_the_admin_api() {
    let store = Arc::new(Store::in_memory().unwrap());
    let clock = Arc::new(VirtualClock::frozen(NOW));
    let events = EventLog::new(store.clone(), clock.clone()).unwrap();
    let sp = |key: &str, url: &str| {
        let mut sp =
            serde_json::json!({ "id": "x", "label": "X", "entity_id": SP, "acs_url": ACS });
        sp[key] = url.into();
        sp
    };
    for (key, url) in [
        ("slo_url", "javascript:alert(document.domain)"),
        ("relay_state", "data:text/html,<script>alert(1)</script>"),
        ("acs_url", "//evil.example/acs"),
    ] {
        let config: IdpConfig = serde_json::from_value(serde_json::json!({
            "name": "Test IdP", "service_providers": [sp(key, url)],
        }))
        .unwrap();
        let error = Idp::new(IdpParts {
            config,
            store: store.clone(),
            clock: clock.clone(),
            ids: Arc::new(SequentialIds::default()),
            events: events.clone(),
            urls: Arc::new(UrlMap::new("http://127.0.0.1:7575")),
            identity: Identity::from_pem(IDP_KEY, IDP_CERT).unwrap(),
            fetch_metadata: None,
        })
        .err()
        .expect("refused");
        assert!(error.to_string().contains(key), "{error}");
    }
    let (idp, _) = idp();
    let answer = idp.admin(
        &Request::new(Method::POST, "/_admin/idp/service-providers")
            .with_json(&sp("slo_url", "javascript:alert(1)")),
        "/service-providers",
    );
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{}",
        answer.text_body()
    );
    assert!(answer.text_body().contains("slo_url"));
}

/// An unsigned AuthnRequest for the SP without a certificate, changed by `edit`.
fn unsigned_request(id: &str, edit: impl FnOnce(&mut AuthnRequest)) -> String {
    let mut request = AuthnRequest::new(id, DateTime::from_unix(NOW), SP, OTHER_ACS);
    edit(&mut request);
    build_authn_request(&request, None).unwrap().xml
}

/// The rule the page names, checked against the event the refusal left.
fn refused_with(events: &EventLog, page: &Response) -> String {
    let rule = rule_of(page);
    let event = events.list(&EventFilter::default()).unwrap().pop().unwrap();
    assert_eq!(event.rule.as_deref(), Some(rule.as_str()), "{event:?}");
    rule
}

#[test]
fn an_authn_request_for_another_destination_is_refused() {
    let (idp, events) = idp();
    let page = post(
        &idp,
        &unsigned_request("_dest", |r| {
            r.destination = Some("https://elsewhere.example.test/sso".into());
        }),
    );
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.text_body());
    assert_eq!(refused_with(&events, &page), "wrong-destination");
}

#[test]
fn an_authn_request_issued_long_ago_or_ahead_is_stale() {
    let (idp, events) = idp();
    let page = post(
        &idp,
        &unsigned_request("_old", |r| {
            r.issue_instant = DateTime::from_unix(NOW - 11 * 60);
        }),
    );
    assert_eq!(refused_with(&events, &page), "stale-request");
    let page = post(
        &idp,
        &unsigned_request("_ahead", |r| {
            r.issue_instant = DateTime::from_unix(NOW + 4 * 60);
        }),
    );
    assert_eq!(refused_with(&events, &page), "stale-request");
}

#[test]
fn an_authn_request_asking_for_an_artifact_binding_is_refused() {
    let (idp, events) = idp();
    let page = post(
        &idp,
        &unsigned_request("_artifact", |r| {
            r.protocol_binding = Some("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact".into());
        }),
    );
    assert_eq!(refused_with(&events, &page), "unsupported-binding");
}

#[test]
fn a_logout_request_that_does_not_read_is_malformed() {
    let (idp, events) = idp();
    let page = idp
        .handle(
            &Request::new(Method::POST, "/idp/slo")
                .with_form(&[("SAMLRequest", &encode_post(b"<nothing/>"))]),
        )
        .unwrap();
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.text_body());
    assert_eq!(refused_with(&events, &page), "malformed-logout-request");
}

#[test]
fn an_sp_that_encrypts_needs_a_readable_certificate_and_known_algorithms() {
    let sp = |extra: serde_json::Value| {
        let mut json = serde_json::json!({
            "id": "enc", "label": "Encrypting SP", "entity_id": "https://sp.example.test",
            "acs_url": "https://sp.example.test/acs", "encrypt_assertions": true,
        });
        json.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value::<crate::config::ServiceProviderConfig>(json).unwrap()
    };
    let check = |extra| crate::sso::check_provider(&sp(extra));
    assert!(
        check(serde_json::json!({}))
            .unwrap_err()
            .contains("no encryption_certificate")
    );
    assert!(
        check(serde_json::json!({"encryption_certificate": "/nonexistent/cert.pem"}))
            .unwrap_err()
            .contains("cannot read")
    );
    assert!(
        check(
            serde_json::json!({"encryption_certificate": SP_CERT, "encryption_algorithm": "des"})
        )
        .unwrap_err()
        .contains("encryption_algorithm")
    );
    assert!(
        check(serde_json::json!({"encryption_certificate": SP_CERT, "key_transport": "rsa-1_5"}))
            .unwrap_err()
            .contains("key_transport")
    );
    check(serde_json::json!({"encryption_certificate": SP_CERT, "encryption_algorithm": "aes128-cbc", "key_transport": "rsa-oaep"})).unwrap();
    // Off, nothing else is needed: the field is additive.
    crate::sso::check_provider(&sp(serde_json::json!({"encrypt_assertions": false}))).unwrap();
}

#[test]
fn training_breakages_are_checked_like_any_setting() {
    let check = |extra: serde_json::Value| {
        let mut json = serde_json::json!({
            "id": "broken", "entity_id": "https://sp.example.test",
            "acs_url": "https://sp.example.test/acs",
        });
        json.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        crate::sso::check_provider(
            &serde_json::from_value::<crate::config::ServiceProviderConfig>(json).unwrap(),
        )
    };
    check(serde_json::json!({"clock_offset": "-10m", "tamper_name_id": "admin"})).unwrap();
    assert!(
        check(serde_json::json!({"clock_offset": "ten minutes"}))
            .unwrap_err()
            .starts_with("clock_offset:")
    );
    assert!(
        check(serde_json::json!({"tamper_name_id": ""}))
            .unwrap_err()
            .starts_with("tamper_name_id:")
    );
    assert!(
        check(serde_json::json!({"tamper_name_id": "admin", "encrypt_assertions": true, "encryption_certificate": SP_CERT}))
            .unwrap_err()
            .contains("encrypt_assertions")
    );
    // The lifetime is still checked beside them.
    assert!(
        check(serde_json::json!({"clock_offset": "-10m", "assertion_lifetime": "0s"}))
            .unwrap_err()
            .starts_with("assertion_lifetime:")
    );
}

/// Signs alice in; the `Cookie` header value of her IdP session.
fn sign_in(idp: &Idp) -> String {
    let answer = idp
        .handle(
            &Request::new(Method::POST, "/idp/login")
                .with_form(&[("username", "alice"), ("password", "alice-pass")]),
        )
        .unwrap();
    let set = answer
        .headers
        .get_all(samlsim_service::http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("samlsim_idp_session="))
        .expect("a session cookie")
        .to_owned();
    set.split(';').next().unwrap().to_owned()
}

fn post_with(idp: &Idp, xml: &str, cookie: Option<&str>) -> Response {
    let mut request = Request::new(Method::POST, "/idp/sso")
        .with_form(&[("SAMLRequest", &encode_post(xml.as_bytes()))]);
    if let Some(cookie) = cookie {
        request = request.with_header(samlsim_service::http::header::COOKIE, cookie);
    }
    idp.handle(&request).unwrap()
}

/// The SAMLResponse an auto-posting form carries, as XML, and the form's action.
fn posted_response(page: &Response) -> (String, String) {
    let html = page.text_body();
    let value = |marker: &str| {
        let start = html
            .find(marker)
            .unwrap_or_else(|| panic!("{marker} in {html}"))
            + marker.len();
        html[start..start + html[start..].find('"').unwrap()].to_owned()
    };
    let message = value("name=\"SAMLResponse\" value=\"");
    let action = value("action=\"");
    let xml =
        samlsim_saml::binding::decode_post(&message, &samlsim_saml::binding::Limits::default())
            .unwrap();
    (String::from_utf8(xml).unwrap(), action)
}

/// The status codes of a Response, verified with the IdP's certificate first.
fn verified_status(xml: &str) -> String {
    let certificate = Certificate::from_pem(IDP_CERT).unwrap();
    let doc = samlsim_xml::parse_bytes(xml.as_bytes()).unwrap();
    let root = doc.root_element().unwrap();
    samlsim_dsig::verify_enveloped(&doc, root, &[certificate], &Default::default())
        .expect("the status Response is signed by the IdP");
    xml.to_owned()
}

#[test]
fn a_passive_request_without_a_session_gets_a_no_passive_status_response() {
    let (idp, events) = idp();
    let page = post(
        &idp,
        &unsigned_request("_passive", |r| r.is_passive = Some(true)),
    );
    assert_eq!(page.status, StatusCode::OK, "{}", page.text_body());
    let (xml, action) = posted_response(&page);
    assert_eq!(action, OTHER_ACS);
    let xml = verified_status(&xml);
    assert!(
        xml.contains("urn:oasis:names:tc:SAML:2.0:status:NoPassive"),
        "{xml}"
    );
    assert!(xml.contains("InResponseTo=\"_passive\""), "{xml}");
    assert!(!xml.contains("Assertion "), "{xml}");
    let event = events.list(&EventFilter::default()).unwrap().pop().unwrap();
    assert_eq!(event.rule.as_deref(), Some("no-passive"));
    // With a session, a passive request is answered with an assertion.
    let cookie = sign_in(&idp);
    let page = post_with(
        &idp,
        &unsigned_request("_passive2", |r| r.is_passive = Some(true)),
        Some(&cookie),
    );
    let (xml, _) = posted_response(&page);
    assert!(
        xml.contains("status:Success") && xml.contains("saml:Assertion"),
        "{xml}"
    );
}

#[test]
fn force_authn_asks_for_the_password_again_even_with_a_session() {
    let (idp, _) = idp();
    let cookie = sign_in(&idp);
    let answer = post_with(
        &idp,
        &unsigned_request("_force", |r| r.force_authn = Some(true)),
        Some(&cookie),
    );
    assert_eq!(answer.status, StatusCode::FOUND);
    let login = answer
        .headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(login.starts_with("/idp/login?continue="), "{login}");
    let resume =
        samlsim_service::http::decode_component(login.trim_start_matches("/idp/login?continue="));
    // Going straight to the parked request with the old session: login again.
    let again = idp
        .handle(
            &Request::new(Method::GET, &resume)
                .with_header(samlsim_service::http::header::COOKIE, &cookie),
        )
        .unwrap();
    assert_eq!(again.status, StatusCode::FOUND, "{}", again.text_body());
    assert!(
        again
            .headers
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("/idp/login")
    );
    // After signing in again, the request is answered.
    let fresh = sign_in(&idp);
    let page = idp
        .handle(
            &Request::new(Method::GET, &resume)
                .with_header(samlsim_service::http::header::COOKIE, &fresh),
        )
        .unwrap();
    let (xml, _) = posted_response(&page);
    assert!(
        xml.contains("InResponseTo=\"_force\"") && xml.contains("status:Success"),
        "{xml}"
    );
    // IsPassive with ForceAuthn cannot be honoured: NoPassive.
    let page = post_with(
        &idp,
        &unsigned_request("_force_passive", |r| {
            r.force_authn = Some(true);
            r.is_passive = Some(true);
        }),
        Some(&fresh),
    );
    let (xml, _) = posted_response(&page);
    assert!(xml.contains("status:NoPassive"), "{xml}");
}

#[test]
fn name_id_policy_formats_are_honoured_or_answered_with_invalid_name_id_policy() {
    use samlsim_saml::authn_request::NameIdPolicy;
    let (idp, events) = idp();
    let cookie = sign_in(&idp);
    let policy = |format: &str, allow_create: Option<bool>| NameIdPolicy {
        format: Some(format.to_owned()),
        sp_name_qualifier: None,
        allow_create,
    };
    let transient = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
    let page = post_with(
        &idp,
        &unsigned_request("_transient", |r| {
            r.name_id_policy = Some(policy(transient, Some(true)))
        }),
        Some(&cookie),
    );
    let (xml, _) = posted_response(&page);
    assert!(xml.contains(&format!("Format=\"{transient}\"")), "{xml}");
    // pysaml2's default: transient with AllowCreate="false".
    let page = post_with(
        &idp,
        &unsigned_request("_nocreate", |r| {
            r.name_id_policy = Some(policy(transient, Some(false)));
        }),
        Some(&cookie),
    );
    assert!(posted_response(&page).0.contains("status:Success"));
    for (id, format, qualifier) in [
        (
            "_x509",
            "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
            None,
        ),
        ("_affiliation", transient, Some("urn:some:affiliation")),
    ] {
        let page = post_with(
            &idp,
            &unsigned_request(id, |r| {
                let mut p = policy(format, None);
                p.sp_name_qualifier = qualifier.map(str::to_owned);
                r.name_id_policy = Some(p);
            }),
            Some(&cookie),
        );
        let (xml, _) = posted_response(&page);
        let xml = verified_status(&xml);
        assert!(
            xml.contains("status:InvalidNameIDPolicy") && !xml.contains("saml:Assertion"),
            "{xml}"
        );
        let event = events.list(&EventFilter::default()).unwrap().pop().unwrap();
        assert_eq!(event.rule.as_deref(), Some("invalid-name-id-policy"));
    }
}

#[test]
fn requested_authn_context_is_compared_with_password_protected_transport() {
    use samlsim_saml::authn_request::RequestedAuthnContext;
    let (idp, events) = idp();
    let cookie = sign_in(&idp);
    let ppt = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    let password = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password";
    let mfa = "https://refeds.org/profile/mfa";
    let cases = [
        ("_exact", None, vec![ppt], true),
        ("_exact_pw", Some("exact"), vec![password], false),
        ("_min", Some("minimum"), vec![password], true),
        ("_min_mfa", Some("minimum"), vec![mfa], false),
        ("_better", Some("better"), vec![ppt], false),
        ("_max", Some("maximum"), vec![mfa], true),
    ];
    for (id, comparison, classes, ok) in cases {
        let page = post_with(
            &idp,
            &unsigned_request(id, |r| {
                r.requested_authn_context = Some(RequestedAuthnContext {
                    comparison: comparison.map(str::to_owned),
                    class_refs: classes.iter().map(|c| (*c).to_owned()).collect(),
                    decl_refs: vec![],
                });
            }),
            Some(&cookie),
        );
        let (xml, _) = posted_response(&page);
        if ok {
            assert!(xml.contains("status:Success"), "{id}: {xml}");
        } else {
            assert!(xml.contains("status:NoAuthnContext"), "{id}: {xml}");
            let event = events.list(&EventFilter::default()).unwrap().pop().unwrap();
            assert_eq!(event.rule.as_deref(), Some("no-authn-context"));
        }
    }
}

const MD_SP: &str = "https://app.example.test/saml/metadata";

/// SP metadata as SP libraries write it: two ACS (artifact and POST), SLO,
/// signing and encryption keys, requests signed, assertions wanted signed.
fn sp_metadata_xml() -> String {
    let base64: String = SP_CERT
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    format!(
        r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{MD_SP}">
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{base64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{base64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://app.example.test/saml/sls"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://app.example.test/saml/artifact" index="0"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://app.example.test/saml/acs" index="1"/>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://app.example.test/saml/acs2" index="2"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

fn admin_post(idp: &Idp, path: &str, content_type: &str, body: &str) -> Response {
    let mut request = Request::new(Method::POST, &format!("/_admin/idp{path}"))
        .with_header(samlsim_service::http::header::CONTENT_TYPE, content_type);
    request.body = body.to_owned().into_bytes().into();
    idp.admin(&request, path)
}

fn signed_md_request(id: &str, edit: impl FnOnce(&mut AuthnRequest)) -> String {
    let key = SigningKey::from_pem(SP_KEY).unwrap();
    let certificate = Certificate::from_pem(SP_CERT).unwrap();
    let mut request = AuthnRequest::new(id, DateTime::from_unix(NOW), MD_SP, "");
    request.assertion_consumer_service_url = None;
    edit(&mut request);
    build_authn_request(&request, Some(&Signer::new(&key, &certificate)))
        .unwrap()
        .xml
}

#[test]
fn an_sp_registered_from_its_metadata_by_the_admin_api_takes_everything_from_it() {
    let (idp, _) = idp();
    let answer = admin_post(
        &idp,
        "/service-providers",
        "application/samlmetadata+xml",
        &sp_metadata_xml(),
    );
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text_body());
    let sp: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(sp["entity_id"], MD_SP);
    assert_eq!(sp["id"], "app-example-test-saml-metadata");
    assert_eq!(sp["acs_url"], "https://app.example.test/saml/acs");
    assert_eq!(
        sp["assertion_consumer_services"].as_array().unwrap().len(),
        3
    );
    assert_eq!(sp["slo_url"], "https://app.example.test/saml/sls");
    assert_eq!(sp["want_authn_requests_signed"], true);
    assert_eq!(sp["want_assertions_signed"], true);
    assert!(
        sp["certificate"]
            .as_str()
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    assert_eq!(sp["encryption_certificates"].as_array().unwrap().len(), 1);
    assert_eq!(
        sp["name_id_format"],
        "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
    );

    // The SP's signed requests are taken; unsigned ones refused (AuthnRequestsSigned).
    let unsigned = {
        let mut request = AuthnRequest::new("_md_unsigned", DateTime::from_unix(NOW), MD_SP, "");
        request.assertion_consumer_service_url = None;
        build_authn_request(&request, None).unwrap().xml
    };
    assert_eq!(rule_of(&post(&idp, &unsigned)), "unsigned-request");

    // AssertionConsumerServiceIndex picks an ACS of the metadata; an artifact one is refused.
    let cookie = sign_in(&idp);
    let page = post_with(
        &idp,
        &signed_md_request("_md_index", |r| {
            r.assertion_consumer_service_index = Some(2)
        }),
        Some(&cookie),
    );
    let (xml, action) = posted_response(&page);
    assert_eq!(action, "https://app.example.test/saml/acs2");
    assert!(
        xml.contains("Recipient=\"https://app.example.test/saml/acs2\""),
        "{xml}"
    );
    let page = post_with(
        &idp,
        &signed_md_request("_md_artifact", |r| {
            r.assertion_consumer_service_index = Some(0)
        }),
        Some(&cookie),
    );
    assert_eq!(rule_of(&page), "unsupported-binding");
    let page = post_with(
        &idp,
        &signed_md_request("_md_nine", |r| r.assertion_consumer_service_index = Some(9)),
        Some(&cookie),
    );
    assert_eq!(rule_of(&page), "acs-not-registered");
    // By URL, any registered POST ACS.
    let page = post_with(
        &idp,
        &signed_md_request("_md_url", |r| {
            r.assertion_consumer_service_url = Some("https://app.example.test/saml/acs2".into());
        }),
        Some(&cookie),
    );
    assert_eq!(
        posted_response(&page).1,
        "https://app.example.test/saml/acs2"
    );
}

#[test]
fn an_sp_that_wants_signed_assertions_gets_them_even_when_set_to_sign_the_response() {
    let (idp, _) = idp();
    let body = serde_json::json!({
        "id": "md", "label": "From metadata", "sign": "response",
        "metadata": sp_metadata_xml(),
    });
    let answer = admin_post(
        &idp,
        "/service-providers",
        "application/json",
        &body.to_string(),
    );
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text_body());
    let sp: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(sp["label"], "From metadata", "per-SP fields win");
    assert!(sp.get("metadata").is_none(), "inline XML is not kept: {sp}");
    let cookie = sign_in(&idp);
    let page = post_with(
        &idp,
        &signed_md_request("_md_signed", |_| {}),
        Some(&cookie),
    );
    let (xml, _) = posted_response(&page);
    // Both the Response and the Assertion carry a signature.
    assert_eq!(xml.matches("<ds:Signature xmlns").count(), 2, "{xml}");
    assert!(
        !xml.contains(">alice</saml:NameID>"),
        "a transient NameID is a new one: {xml}"
    );
}

#[test]
fn metadata_that_does_not_read_or_names_another_entity_is_refused() {
    let (idp, _) = idp();
    let answer = admin_post(
        &idp,
        "/service-providers",
        "application/samlmetadata+xml",
        "<md:EntityDescriptor/>",
    );
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{}",
        answer.text_body()
    );
    let body =
        serde_json::json!({ "id": "md", "entity_id": "urn:other", "metadata": sp_metadata_xml() });
    let answer = admin_post(
        &idp,
        "/service-providers",
        "application/json",
        &body.to_string(),
    );
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{}",
        answer.text_body()
    );
    assert!(
        answer.text_body().contains("entityID"),
        "{}",
        answer.text_body()
    );
    assert!(idp.providers().get("md").unwrap().is_none());
    // From a file in the config.
    let dir = std::env::temp_dir().join(format!("samlsim-md-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("sp.xml");
    std::fs::write(&file, sp_metadata_xml()).unwrap();
    let config: IdpConfig = serde_json::from_value(serde_json::json!({
        "name": "Test IdP", "want_authn_requests_signed": true,
        "service_providers": [{ "id": "file", "metadata": file.display().to_string() }],
    }))
    .unwrap();
    let store = Arc::new(Store::in_memory().unwrap());
    let clock = Arc::new(VirtualClock::frozen(NOW));
    let events = EventLog::new(store.clone(), clock.clone()).unwrap();
    let idp = Idp::new(IdpParts {
        config,
        store,
        clock,
        ids: Arc::new(SequentialIds::default()),
        events,
        urls: Arc::new(UrlMap::new("http://127.0.0.1:7575")),
        identity: Identity::from_pem(IDP_KEY, IDP_CERT).unwrap(),
        fetch_metadata: None,
    })
    .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let sp = idp.providers().get("file").unwrap().unwrap();
    assert_eq!(sp.entity_id, MD_SP);
    assert_eq!(sp.acs_url, "https://app.example.test/saml/acs");
    // The IdP that requires signed requests says so in its metadata.
    let metadata = idp.metadata_xml().unwrap();
    assert!(
        metadata.contains("WantAuthnRequestsSigned=\"true\""),
        "{metadata}"
    );
}

#[test]
fn a_staged_key_is_listed_in_the_metadata_and_promoting_it_signs_with_it_across_restarts() {
    let (idp, events, store, clock) = idp_store_and_clock();
    let count = |idp: &Idp| {
        idp.metadata_xml()
            .unwrap()
            .matches("<ds:X509Certificate>")
            .count()
    };
    assert_eq!(count(&idp), 1);
    // Promoting with nothing staged is refused.
    let answer = admin_post(&idp, "/keys/promote", "application/json", "{}");
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{}",
        answer.text_body()
    );
    assert_eq!(
        events
            .list(&EventFilter::default())
            .unwrap()
            .pop()
            .unwrap()
            .rule
            .as_deref(),
        Some("no-staged-key")
    );
    let next = Identity::from_pem(SP_KEY, SP_CERT).unwrap();
    let next_base64 = next.certificate.to_base64();
    idp.stage_key(next).unwrap();
    let metadata = idp.metadata_xml().unwrap();
    assert_eq!(count(&idp), 2, "{metadata}");
    assert!(metadata.contains(&next_base64));
    // Responses are still signed with the current key until promotion.
    assert_ne!(idp.identity().certificate.to_base64(), next_base64);
    let answer = admin_post(&idp, "/keys/promote", "application/json", "{}");
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text_body());
    assert_eq!(idp.identity().certificate.to_base64(), next_base64);
    assert_eq!(count(&idp), 1);
    let cookie = sign_in(&idp);
    let page = post_with(&idp, &unsigned_request("_rolled", |_| {}), Some(&cookie));
    assert!(posted_response(&page).0.contains(&next_base64));
    // A restart on the same store signs with the promoted key.
    let config: IdpConfig =
        serde_json::from_value(serde_json::json!({ "name": "Test IdP" })).unwrap();
    let again = Idp::new(IdpParts {
        config,
        store,
        clock,
        ids: Arc::new(SequentialIds::default()),
        events,
        urls: Arc::new(UrlMap::new("http://127.0.0.1:7575")),
        identity: Identity::from_pem(IDP_KEY, IDP_CERT).unwrap(),
        fetch_metadata: None,
    })
    .unwrap();
    assert_eq!(again.identity().certificate.to_base64(), next_base64);
}
