//! The request context a trust policy is evaluated in: a policy valid on AWS that
//! bounds the time (`aws:CurrentTime`) or the caller's address (`aws:SourceIp`)
//! works at the sign-in endpoint and at STS, with time from the virtual clock.

use std::net::IpAddr;
use std::sync::Arc;

use samlsim_aws::config::{AccountConfig, AwsConfig, RoleConfig, SamlProviderConfig};
use samlsim_aws::{Aws, AwsParts};
use samlsim_crypto::{Certificate, SigningKey};
use samlsim_saml::binding::encode_post;
use samlsim_saml::metadata::{Endpoint, IdpMetadata, build_idp_metadata};
use samlsim_saml::response::{
    AssertionSpec, Attribute, AuthnStatementSpec, BearerConfirmationSpec, ConditionsSpec,
    ResponseSigning, ResponseSpec, build_response,
};
use samlsim_saml::signature::Signer;
use samlsim_saml::{DateTime, NameId, Status};
use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{
    EventFilter, EventLog, Outcome, Request, Response, SequentialIds, Service, Store, UrlMap,
    VirtualClock,
};

const IDP_KEY: &str = include_str!("../../../certs/test-only-idp-key.pem");
const IDP_CERT: &str = include_str!("../../../certs/test-only-idp-cert.pem");
/// 2026-01-15T09:00:00Z, the scenarios' start.
const NOW: i64 = 1_768_467_600;
const ENTITY_ID: &str = "https://idp.example.test/metadata";
const ACCOUNT: &str = "123456789012";
const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/ExampleIdP";
const ROLE: &str = "arn:aws:iam::123456789012:role/Bounded";
const SIGN_IN: &str = "https://signin.aws.amazon.com/saml";

struct World {
    aws: Aws,
    store: Arc<Store>,
    clock: Arc<VirtualClock>,
    events: EventLog,
}

/// A mock AWS with one provider (the test IdP) and one role trusting it under
/// `condition` (an IAM Condition block).
fn world(condition: &str) -> World {
    let certificate = Certificate::from_pem(IDP_CERT).unwrap();
    let metadata = build_idp_metadata(&IdpMetadata {
        entity_id: ENTITY_ID.into(),
        valid_until: None,
        cache_duration: None,
        want_authn_requests_signed: false,
        signing_certificates: vec![certificate],
        single_logout_services: vec![],
        name_id_formats: vec![],
        single_sign_on_services: vec![Endpoint {
            binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST".into(),
            location: "https://idp.example.test/sso".into(),
            response_location: None,
        }],
    })
    .unwrap();
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},"Action":"sts:AssumeRoleWithSAML","Condition":{condition}}}]}}"#
    );
    let config = AwsConfig {
        accounts: vec![AccountConfig {
            id: ACCOUNT.into(),
            partition: "aws".into(),
            alias: None,
            saml_providers: vec![SamlProviderConfig {
                name: "ExampleIdP".into(),
                metadata,
                assertion_encryption_mode: Default::default(),
                private_keys: vec![],
            }],
            roles: vec![RoleConfig {
                name: "Bounded".into(),
                trust_policy: trust,
                permission_policies: vec![],
                max_session_duration: 3600,
            }],
            sts_disabled_regions: vec![],
            service_control_policies: vec![],
        }],
        ..AwsConfig::default()
    };
    let store = Arc::new(Store::in_memory().unwrap());
    let clock = Arc::new(VirtualClock::frozen(NOW));
    let events = EventLog::new(store.clone(), clock.clone()).unwrap();
    let aws = Aws::new(AwsParts {
        config,
        idp_metadata: String::new(),
        fetch_metadata: Box::new(|url| Err(format!("no network in tests: {url}"))),
        store: store.clone(),
        clock: clock.clone(),
        ids: Arc::new(SequentialIds::default()),
        events: events.clone(),
        urls: Arc::new(
            UrlMap::new("http://127.0.0.1:7575")
                .with_rewriter(samlsim_aws::endpoints::public_to_local),
        ),
    })
    .unwrap();
    World {
        aws,
        store,
        clock,
        events,
    }
}

/// A signed response for the role, issued at `at`, valid for five minutes.
fn assertion(at: i64) -> String {
    assertion_with(at, vec![])
}

/// The same with `extra` attributes.
fn assertion_with(at: i64, extra: Vec<Attribute>) -> String {
    let key = SigningKey::from_pem(IDP_KEY).unwrap();
    let certificate = Certificate::from_pem(IDP_CERT).unwrap();
    let signer = Signer::new(&key, &certificate);
    let built = build_response(
        &ResponseSpec {
            id: format!("_response{at}"),
            issue_instant: DateTime::from_unix(at),
            destination: Some(SIGN_IN.into()),
            in_response_to: None,
            issuer: ENTITY_ID.into(),
            status: Status::success(),
        },
        &AssertionSpec {
            id: format!("_assertion{at}"),
            issue_instant: DateTime::from_unix(at),
            issuer: ENTITY_ID.into(),
            name_id: NameId::new(
                "alice",
                "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            ),
            confirmation: BearerConfirmationSpec {
                not_on_or_after: DateTime::from_unix(at + 300),
                recipient: SIGN_IN.into(),
                in_response_to: None,
            },
            conditions: ConditionsSpec {
                not_before: DateTime::from_unix(at),
                not_on_or_after: DateTime::from_unix(at + 300),
                audiences: vec!["urn:amazon:webservices".into()],
            },
            authn: AuthnStatementSpec {
                authn_instant: DateTime::from_unix(at),
                session_index: "_s".into(),
                session_not_on_or_after: None,
                authn_context_class_ref:
                    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport".into(),
            },
            attributes: vec![
                Attribute::uri(
                    "https://aws.amazon.com/SAML/Attributes/Role",
                    [format!("{ROLE},{PROVIDER}")],
                ),
                Attribute::uri(
                    "https://aws.amazon.com/SAML/Attributes/RoleSessionName",
                    ["alice"],
                ),
            ]
            .into_iter()
            .chain(extra)
            .collect(),
        },
        ResponseSigning::Assertion,
        &signer,
    )
    .unwrap();
    encode_post(samlsim_xml::to_xml(&built.document, built.document.document_node()).as_bytes())
}

fn sign_in(world: &World, peer: Option<IpAddr>) -> Response {
    let mut request = Request::new(Method::POST, "/aws/signin.aws.amazon.com/saml")
        .with_form(&[("SAMLResponse", &assertion(world.clock_now()))]);
    request.peer = peer;
    world
        .aws
        .handle(&request)
        .expect("the sign-in endpoint answers")
}

fn sts(world: &World, peer: Option<IpAddr>) -> Response {
    sts_with(world, peer, assertion(world.clock_now()))
}

fn sts_with(world: &World, peer: Option<IpAddr>, saml: String) -> Response {
    let mut request = Request::new(Method::POST, "/aws/sts.amazonaws.com/").with_form(&[
        ("Action", "AssumeRoleWithSAML"),
        ("Version", "2011-06-15"),
        ("RoleArn", ROLE),
        ("PrincipalArn", PROVIDER),
        ("SAMLAssertion", &saml),
    ]);
    request.peer = peer;
    world.aws.handle(&request).expect("STS answers")
}

impl World {
    fn clock_now(&self) -> i64 {
        samlsim_service::Clock::now(self.clock.as_ref())
    }

    fn last_refusal(&self) -> samlsim_service::Event {
        self.events
            .list(&EventFilter::default())
            .unwrap()
            .into_iter()
            .rev()
            .find(|e| e.outcome != Outcome::Ok)
            .expect("a refusal was recorded")
    }

    fn last_rule(&self) -> Option<String> {
        self.last_refusal().rule
    }
}

fn rule_of(response: &Response) -> Option<String> {
    let body = response.text_body();
    let start = body.find("data-rule=\"")? + "data-rule=\"".len();
    Some(body[start..].split('"').next()?.to_owned())
}

const LOOPBACK: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

#[test]
fn a_date_bounded_trust_policy_allows_before_and_refuses_after_the_virtual_clock_moves() {
    let world = world(
        r#"{"DateLessThan": {"aws:CurrentTime": "2026-01-16T00:00:00Z"}, "DateGreaterThan": {"aws:EpochTime": "1577836800"}}"#,
    );
    let response = sign_in(&world, LOOPBACK);
    assert_eq!(
        response.status,
        StatusCode::FOUND,
        "{}",
        response.text_body()
    );
    assert_eq!(sts(&world, LOOPBACK).status, StatusCode::OK);

    world.clock.advance(24 * 3600);
    let response = sign_in(&world, LOOPBACK);
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(rule_of(&response).as_deref(), Some("trust-policy"));
    let response = sts(&world, LOOPBACK);
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert!(response.text_body().contains("<Code>AccessDenied</Code>"));
    assert_eq!(world.last_rule().as_deref(), Some("trust-policy"));
}

#[test]
fn a_source_ip_condition_allows_loopback_and_refuses_another_address() {
    let world = world(r#"{"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1/128"]}}"#);
    let response = sign_in(&world, LOOPBACK);
    assert_eq!(
        response.status,
        StatusCode::FOUND,
        "{}",
        response.text_body()
    );
    assert_eq!(
        sts(&world, Some("::1".parse().unwrap())).status,
        StatusCode::OK
    );

    let elsewhere = Some("203.0.113.7".parse().unwrap());
    let response = sign_in(&world, elsewhere);
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(rule_of(&response).as_deref(), Some("trust-policy"));
    assert_eq!(sts(&world, elsewhere).status, StatusCode::FORBIDDEN);
    // No known address: the key is absent, so IpAddress fails...
    assert_eq!(sts(&world, None).status, StatusCode::FORBIDDEN);
}

#[test]
fn an_unknown_source_ip_is_absent_so_if_exists_passes() {
    let world = world(r#"{"IpAddressIfExists": {"aws:SourceIp": "127.0.0.0/8"}}"#);
    assert_eq!(sts(&world, None).status, StatusCode::OK);
    assert_eq!(
        sts(&world, Some("198.51.100.1".parse().unwrap())).status,
        StatusCode::FORBIDDEN
    );
}

#[test]
fn saml_keys_aws_documents_are_in_the_context() {
    let world = world(&format!(
        r#"{{"StringEquals": {{"SAML:doc": "{ACCOUNT}/ExampleIdP", "SAML:iss": "{ENTITY_ID}", "SAML:sub": "alice", "SAML:sub_type": "persistent", "SAML:aud": "{SIGN_IN}"}}}}"#
    ));
    let response = sts(&world, LOOPBACK);
    assert_eq!(response.status, StatusCode::OK, "{}", response.text_body());
}

/// A stored row that no longer reads is samlsim's failure, said as such (500,
/// InternalFailure, an event of outcome Failed naming table and key), never taken
/// for an absent account or an empty list.
#[test]
fn a_damaged_account_row_is_an_internal_failure_not_an_absence() {
    let world = world(r#"{"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}"#);
    world
        .store
        .with(|c| {
            c.execute(
                "UPDATE aws_accounts SET sts_disabled_regions = 'not json'",
                [],
            )
        })
        .unwrap();

    let response = sign_in(&world, LOOPBACK);
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(rule_of(&response).as_deref(), Some("internal-error"));
    let event = world.last_refusal();
    assert_eq!(event.outcome, Outcome::Failed);
    assert_eq!(event.rule.as_deref(), Some("internal-error"));
    let why = event.detail["why"].as_str().unwrap_or_default().to_owned();
    assert!(
        why.contains("aws_accounts") && why.contains(ACCOUNT),
        "{why}"
    );

    let response = sts(&world, LOOPBACK);
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    let body = response.text_body();
    assert!(body.contains("<Type>Receiver</Type>"), "{body}");
    assert!(body.contains("<Code>InternalFailure</Code>"), "{body}");
}

/// eduPerson attributes become `SAML:` keys, multivalued as sent.
#[test]
fn eduperson_attributes_are_saml_keys() {
    let world = world(r#"{"ForAnyValue:StringEquals": {"SAML:edupersonaffiliation": "staff"}}"#);
    let affiliation = |values: &[&str]| {
        assertion_with(
            NOW,
            vec![Attribute::uri(
                "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
                values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>(),
            )],
        )
    };
    let response = sts_with(&world, LOOPBACK, affiliation(&["member", "staff"]));
    assert_eq!(response.status, StatusCode::OK, "{}", response.text_body());
    let response = sts_with(&world, LOOPBACK, affiliation(&["student"]));
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(sts(&world, LOOPBACK).status, StatusCode::FORBIDDEN);
}
