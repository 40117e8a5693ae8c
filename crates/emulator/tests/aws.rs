//! The mock AWS end to end, in process: the sign-in SAML endpoints (C5) and STS
//! AssumeRoleWithSAML, fed by the mock IdP, and every refusal with AWS's code.

use samlsim_emulator::browser::{Browser, Form, Page};
use samlsim_emulator::{Config, Emulator, Options};
use samlsim_saml::binding::{Limits, decode_post, encode_post};
use samlsim_service::Request;
use samlsim_service::http::{Method, StatusCode};

use crate::fixture::{CONNECT_ROLE, IDP_CERT, IDP_KEY, NOW, PROVIDER, emulator};

const READ_ONLY_ROLE: &str = "arn:aws:iam::123456789012:role/ReadOnly";

/// The IdP's POST form for `user` launching `sp`, not yet submitted.
fn idp_post<'e>(
    emulator: &'e Emulator,
    sp: &str,
    user: &str,
    password: &str,
) -> (Browser<'e>, Form) {
    let mut browser = Browser::new(emulator);
    browser.scripts = false;
    let login = browser.open(&format!("/idp/launch/{sp}"));
    let page = browser.sign_in(&login, user, password);
    let form = page
        .form()
        .unwrap_or_else(|| panic!("no POST form for {user} at {sp}: {}", page.text()));
    (browser, form)
}

fn add_sp(emulator: &Emulator, json: serde_json::Value) {
    let response = emulator
        .handle(&Request::new(Method::POST, "/_admin/idp/service-providers").with_json(&json));
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{}",
        response.text_body()
    );
}

fn rule_of(page: &Page) -> String {
    page.rule()
        .unwrap_or_else(|| panic!("no rule on {}: {}", page.url, page.text()))
}

#[test]
fn c5_a_regional_sign_in_opens_a_console_session_and_follows_the_relay_state() {
    let emulator = emulator();
    let (mut browser, form) = idp_post(&emulator, "connect-us-east-1", "alice", "alice-pass");
    assert_eq!(
        form.action,
        "http://127.0.0.1:7575/aws/us-east-1.signin.aws.amazon.com/saml"
    );
    browser.scripts = true;
    let page = browser.submit(&form);
    // C14: the sign-in redirects to the Connect federation endpoint of the RelayState.
    assert!(
        page.trail.iter().any(|u| u == "/aws/us-east-1.console.aws.amazon.com/connect/federate/178c75e4-b3de-4839-a6aa-e321ab3f3770"),
        "{:?}",
        page.trail
    );
    assert!(browser.cookie("samlsim_aws_console").is_some());
    let events = emulator.events().list(&Default::default()).unwrap();
    let sign_in = events
        .iter()
        .find(|e| e.action == "sign-in")
        .expect("a sign-in event");
    assert_eq!(sign_in.step.as_deref(), Some("C5"));
    assert_eq!(sign_in.detail["role_session_name"], "alice");
    assert_eq!(
        sign_in.detail["audience"],
        "https://us-east-1.signin.aws.amazon.com/saml"
    );
}

#[test]
fn several_roles_show_the_role_chooser_and_the_choice_signs_in() {
    let emulator = emulator();
    let (mut browser, form) = idp_post(&emulator, "aws-console", "alice", "alice-pass");
    assert_eq!(
        form.action,
        "http://127.0.0.1:7575/aws/signin.aws.amazon.com/saml"
    );
    let chooser = browser.submit(&form);
    assert!(
        chooser.text().contains("Select a role:"),
        "{}",
        chooser.text()
    );
    let mut choice = chooser.form().unwrap();
    assert!(chooser.text().contains(READ_ONLY_ROLE));
    choice.set("roleIndex", READ_ONLY_ROLE);
    browser.scripts = true;
    let home = browser.submit(&choice);
    assert_eq!(home.status(), StatusCode::OK, "{}", home.text());
    assert!(
        home.text()
            .contains("arn:aws:sts::123456789012:assumed-role/ReadOnly/alice"),
        "{}",
        home.text()
    );
}

#[test]
fn c18_a_regional_sign_in_needs_the_regional_audience_in_the_trust_policy() {
    let emulator = emulator();
    add_sp(
        &emulator,
        serde_json::json!({
            "id": "readonly-regional", "label": "Read-only, regional", "entity_id": "urn:amazon:webservices",
            "acs_url": "https://us-east-1.signin.aws.amazon.com/saml",
            "aws": {"roles": [format!("{READ_ONLY_ROLE},{PROVIDER}")]},
        }),
    );
    let (mut browser, form) = idp_post(&emulator, "readonly-regional", "alice", "alice-pass");
    let page = browser.submit(&form);
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert_eq!(rule_of(&page), "trust-policy");
    assert!(
        page.text()
            .contains("Not authorized to perform sts:AssumeRoleWithSAML")
    );
}

#[test]
fn c24_a_session_name_outside_the_sts_pattern_is_refused() {
    let emulator = emulator();
    let (mut browser, form) = idp_post(&emulator, "connect-us-east-1", "o'brien", "obrien-pass");
    let page = browser.submit(&form);
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert_eq!(rule_of(&page), "role-session-name-invalid");
    assert!(
        page.text()
            .contains("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
    );
}

#[test]
fn an_assertion_is_accepted_once() {
    let emulator = emulator();
    let (mut browser, form) = idp_post(&emulator, "connect-us-east-1", "alice", "alice-pass");
    let first = browser.submit(&form);
    assert!(first.trail.len() > 1, "the first post redirects");
    let replay = browser.submit(&form);
    assert_eq!(rule_of(&replay), "assertion-replayed");
}

/// The assertion is used and the console session opened in one transaction: a
/// session that cannot be stored leaves the assertion unused, so the same post
/// signs in once the store works again.
#[test]
fn hostile_store_a_failed_sign_in_does_not_use_up_the_assertion() {
    let emulator = emulator();
    let store = emulator.sweeper().store();
    store
        .with(|c| {
            c.execute_batch(
                "CREATE TRIGGER refuse_sessions BEFORE INSERT ON aws_console_sessions
                 BEGIN SELECT RAISE(ABORT, 'console sessions refused by the test'); END;",
            )
        })
        .unwrap();
    let (mut browser, form) = idp_post(&emulator, "connect-us-east-1", "alice", "alice-pass");
    let failed = browser.submit(&form);
    assert_eq!(
        failed.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        failed.text()
    );
    assert!(
        failed
            .text()
            .contains("console sessions refused by the test"),
        "{}",
        failed.text()
    );
    store
        .with(|c| c.execute_batch("DROP TRIGGER refuse_sessions"))
        .unwrap();
    let signed_in = browser.submit(&form);
    assert!(signed_in.trail.len() > 1, "{}", signed_in.text());
    assert!(signed_in.rule().is_none(), "{}", signed_in.text());
}

#[test]
fn an_expired_assertion_is_refused_by_the_virtual_clock() {
    let emulator = emulator();
    let (mut browser, form) = idp_post(&emulator, "connect-us-east-1", "alice", "alice-pass");
    // Valid 5 minutes, plus the 60 s of clock skew samlsim allows.
    emulator.clock().advance(10 * 60);
    let page = browser.submit(&form);
    assert_eq!(rule_of(&page), "assertion-expired");
    assert!(page.text().contains("ExpiredTokenException"));
}

#[test]
fn a_tampered_assertion_fails_the_signature_check() {
    let emulator = emulator();
    let (mut browser, mut form) = idp_post(&emulator, "connect-us-east-1", "alice", "alice-pass");
    let xml = String::from_utf8(
        decode_post(form.get("SAMLResponse").unwrap(), &Limits::default()).unwrap(),
    )
    .unwrap();
    let tampered = xml.replace(">alice<", ">admin<");
    assert_ne!(xml, tampered);
    form.set("SAMLResponse", &encode_post(tampered.as_bytes()));
    let page = browser.submit(&form);
    assert_eq!(rule_of(&page), "signature-invalid");
    assert!(page.text().contains("Response signature invalid"));
}

#[test]
fn a_wrong_audience_or_recipient_is_named() {
    let emulator = emulator();
    add_sp(
        &emulator,
        serde_json::json!({
            "id": "bad-audience", "label": "Bad audience", "entity_id": "urn:amazon:webservices",
            "acs_url": "https://signin.aws.amazon.com/saml", "audience": "https://example.com/sp",
            "aws": {"roles": [format!("{CONNECT_ROLE},{PROVIDER}")]},
        }),
    );
    let (mut browser, form) = idp_post(&emulator, "bad-audience", "alice", "alice-pass");
    assert_eq!(rule_of(&browser.submit(&form)), "audience-mismatch");

    // A response for the regional endpoint posted to the global one.
    let (mut browser, mut form) = idp_post(&emulator, "connect-us-east-1", "alice", "alice-pass");
    form.action = "http://127.0.0.1:7575/aws/signin.aws.amazon.com/saml".into();
    assert_eq!(rule_of(&browser.submit(&form)), "recipient-mismatch");
}

#[test]
fn a_post_without_a_saml_response_is_named() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let page = browser.post("https://signin.aws.amazon.com/saml", &[("RelayState", "x")]);
    assert_eq!(rule_of(&page), "saml-response-missing");
    let page = browser.post(
        "https://signin.aws.amazon.com/saml",
        &[("SAMLResponse", "***")],
    );
    assert_eq!(rule_of(&page), "saml-not-base64");
    let page = browser.post(
        "https://signin.aws.amazon.com/saml",
        &[("SAMLResponse", &encode_post(b"<!DOCTYPE x><x/>"))],
    );
    assert_eq!(rule_of(&page), "saml-malformed");
}

fn sts(emulator: &Emulator, host: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let response =
        emulator.handle(&Request::new(Method::POST, &format!("/aws/{host}/")).with_form(fields));
    (response.status, response.text_body())
}

fn assertion_for(emulator: &Emulator, sp: &str) -> String {
    let (_, form) = idp_post(emulator, sp, "alice", "alice-pass");
    form.get("SAMLResponse").unwrap().to_owned()
}

#[test]
fn sts_assume_role_with_saml_returns_every_field() {
    let emulator = emulator();
    let assertion = assertion_for(&emulator, "connect-us-east-1");
    let (status, xml) = sts(
        &emulator,
        "sts.amazonaws.com",
        &[
            ("Action", "AssumeRoleWithSAML"),
            ("Version", "2011-06-15"),
            ("RoleArn", CONNECT_ROLE),
            ("PrincipalArn", PROVIDER),
            ("SAMLAssertion", &assertion),
            ("DurationSeconds", "7200"),
        ],
    );
    assert_eq!(status, StatusCode::OK, "{xml}");
    let doc = samlsim_xml::parse(&xml).unwrap();
    let ns = "https://sts.amazonaws.com/doc/2011-06-15/";
    let text = |name: &str| {
        doc.descendants(doc.document_node())
            .find(|&n| doc.is_element(n, ns, name))
            .map(|n| doc.text_content(n))
            .unwrap_or_else(|| panic!("no {name} in {xml}"))
    };
    assert!(text("AccessKeyId").starts_with("ASIA"));
    assert_eq!(
        text("Expiration"),
        "2026-11-23T14:00:00Z",
        "now + DurationSeconds"
    );
    assert_eq!(
        text("Arn"),
        "arn:aws:sts::123456789012:assumed-role/ConnectFederation/alice"
    );
    assert!(text("AssumedRoleId").ends_with(":alice") && text("AssumedRoleId").starts_with("AROA"));
    assert_eq!(text("Subject"), "alice");
    assert_eq!(text("SubjectType"), "persistent");
    assert_eq!(
        text("Audience"),
        "https://us-east-1.signin.aws.amazon.com/saml"
    );
    assert_eq!(text("Issuer"), emulator.idp().entity_id());
    assert_eq!(
        text("NameQualifier"),
        samlsim_aws::federation::name_qualifier(
            emulator.idp().entity_id(),
            "123456789012",
            "ExampleCorpIdP"
        )
    );
    assert!(!text("RequestId").is_empty());
}

#[test]
fn sts_errors_use_the_query_protocol_error_body_and_aws_codes() {
    let emulator = emulator();
    let base = |assertion: &str| -> Vec<(String, String)> {
        vec![
            ("Action".into(), "AssumeRoleWithSAML".into()),
            ("Version".into(), "2011-06-15".into()),
            ("RoleArn".into(), CONNECT_ROLE.into()),
            ("PrincipalArn".into(), PROVIDER.into()),
            ("SAMLAssertion".into(), assertion.into()),
        ]
    };
    let call = |fields: Vec<(String, String)>| {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        sts(&emulator, "sts.amazonaws.com", &pairs)
    };
    let code = |xml: &str| {
        let start = xml.find("<Code>").map(|i| i + 6).unwrap_or(0);
        xml[start..xml[start..].find('<').map_or(start, |e| start + e)].to_owned()
    };

    let (status, xml) = call(base("bm90IHhtbA=="));
    assert_eq!(
        (status, code(&xml).as_str()),
        (StatusCode::BAD_REQUEST, "InvalidIdentityToken"),
        "{xml}"
    );
    assert!(
        xml.contains("<Type>Sender</Type>") && xml.contains("<RequestId>"),
        "{xml}"
    );

    let assertion = assertion_for(&emulator, "connect-us-east-1");
    let mut wrong_role = base(&assertion);
    wrong_role[2].1 = READ_ONLY_ROLE.into();
    let (status, xml) = call(wrong_role);
    assert_eq!(
        (status, code(&xml).as_str()),
        (StatusCode::FORBIDDEN, "AccessDenied"),
        "{xml}"
    );

    let mut too_long = base(&assertion);
    too_long.push(("DurationSeconds".into(), "43201".into()));
    let (_, xml) = call(too_long);
    assert_eq!(code(&xml), "ValidationError", "{xml}");

    let mut bad_policy = base(&assertion);
    bad_policy.push(("Policy".into(), "{not json".into()));
    let (_, xml) = call(bad_policy);
    assert_eq!(code(&xml), "MalformedPolicyDocument", "{xml}");

    emulator.clock().advance(11 * 60);
    let (status, xml) = call(base(&assertion));
    assert_eq!(
        (status, code(&xml).as_str()),
        (StatusCode::BAD_REQUEST, "ExpiredTokenException"),
        "{xml}"
    );

    let (_, xml) = call(vec![
        ("Action".into(), "GetCallerIdentity".into()),
        ("Version".into(), "2011-06-15".into()),
    ]);
    assert_eq!(code(&xml), "InvalidAction", "{xml}");
}

#[test]
fn c19_sts_disabled_or_denied_by_an_scp_in_a_region() {
    let emulator = emulator();
    let account = serde_json::json!({
        "id": "123456789012", "alias": "example-corp",
        "sts_disabled_regions": ["eu-west-1"],
        "service_control_policies": [r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRoleWithSAML","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"ap-southeast-2"}}}]}"#],
    });
    let response =
        emulator.handle(&Request::new(Method::POST, "/_admin/aws/accounts").with_json(&account));
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{}",
        response.text_body()
    );
    for (host, code) in [
        ("sts.eu-west-1.amazonaws.com", "RegionDisabledException"),
        ("sts.ap-southeast-2.amazonaws.com", "AccessDenied"),
    ] {
        let assertion = assertion_for(&emulator, "connect-us-east-1");
        let (status, xml) = sts(
            &emulator,
            host,
            &[
                ("Action", "AssumeRoleWithSAML"),
                ("Version", "2011-06-15"),
                ("RoleArn", CONNECT_ROLE),
                ("PrincipalArn", PROVIDER),
                ("SAMLAssertion", &assertion),
            ],
        );
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}: {xml}");
        assert!(
            xml.contains(&format!("<Code>{code}</Code>")),
            "{host}: {xml}"
        );
    }
}

/// C8: an IAM SAML provider created from a metadata URL, fetched once.
#[test]
fn c8_a_provider_from_a_metadata_url() {
    let other =
        samlsim_emulator::server::Served::start(Config::load(None).unwrap(), Options::default())
            .unwrap();
    let emulator = emulator();
    let account = serde_json::json!({
        "id": "210987654321",
        "saml_providers": [{"name": "OtherIdP", "metadata": format!("{}/idp/metadata", other.url())}],
    });
    let response =
        emulator.handle(&Request::new(Method::POST, "/_admin/aws/accounts").with_json(&account));
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{}",
        response.text_body()
    );
    let provider = emulator
        .aws()
        .iam()
        .provider("arn:aws:iam::210987654321:saml-provider/OtherIdP")
        .unwrap()
        .unwrap();
    assert_eq!(provider.entity_id, other.emulator().idp().entity_id());
    assert_eq!(
        provider.certificates,
        vec![other.emulator().idp().identity().certificate.clone()]
    );

    let bad = serde_json::json!({
        "id": "210987654321",
        "saml_providers": [{"name": "Gone", "metadata": format!("{}/no/such/metadata", other.url())}],
    });
    let response =
        emulator.handle(&Request::new(Method::POST, "/_admin/aws/accounts").with_json(&bad));
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(
        response.text_body().contains("Could not parse metadata"),
        "{}",
        response.text_body()
    );
}

const ATTACKER_KEY: &str = include_str!("../../../certs/test-only-attacker-key.pem");
const ATTACKER_CERT: &str = include_str!("../../../certs/test-only-attacker-cert.pem");

/// An assertion for `roles`, issued as the emulator's IdP, to the global endpoint,
/// signed by `signer`, with `tweak` applied to the unsigned document first.
fn forged_response(
    emulator: &Emulator,
    roles: &[String],
    signer: &samlsim_saml::signature::Signer<'_>,
    tweak: impl FnOnce(&mut samlsim_xml::Document),
) -> String {
    use samlsim_saml::response::{
        AssertionSpec, Attribute, AuthnStatementSpec, BearerConfirmationSpec, ConditionsSpec,
        ResponseSigning, ResponseSpec, build_response,
    };
    use samlsim_saml::{DateTime, NameId, Status};
    let issuer = emulator.idp().entity_id().to_owned();
    let built = build_response(
        &ResponseSpec {
            id: "_forged_response".into(),
            issue_instant: DateTime::from_unix(NOW),
            destination: Some("https://signin.aws.amazon.com/saml".into()),
            in_response_to: None,
            issuer: issuer.clone(),
            status: Status::success(),
        },
        &AssertionSpec {
            id: "_forged_assertion".into(),
            issue_instant: DateTime::from_unix(NOW),
            issuer,
            name_id: NameId::new(
                "alice",
                "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            ),
            confirmation: BearerConfirmationSpec {
                not_on_or_after: DateTime::from_unix(NOW + 300),
                recipient: "https://signin.aws.amazon.com/saml".into(),
                in_response_to: None,
            },
            conditions: ConditionsSpec {
                not_before: DateTime::from_unix(NOW),
                not_on_or_after: DateTime::from_unix(NOW + 300),
                audiences: vec!["urn:amazon:webservices".into()],
            },
            authn: AuthnStatementSpec {
                authn_instant: DateTime::from_unix(NOW),
                session_index: "_s".into(),
                session_not_on_or_after: None,
                authn_context_class_ref:
                    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport".into(),
            },
            attributes: vec![
                Attribute::uri(
                    "https://aws.amazon.com/SAML/Attributes/Role",
                    roles.to_vec(),
                ),
                Attribute::uri(
                    "https://aws.amazon.com/SAML/Attributes/RoleSessionName",
                    ["alice"],
                ),
            ],
        },
        ResponseSigning::Unsigned,
        signer,
    )
    .unwrap();
    let mut doc = built.document;
    tweak(&mut doc);
    let assertion = doc
        .descendants(doc.document_node())
        .find(|&n| doc.is_element(n, "urn:oasis:names:tc:SAML:2.0:assertion", "Assertion"))
        .unwrap();
    signer.sign(&mut doc, assertion).unwrap();
    encode_post(samlsim_xml::to_xml(&doc, doc.document_node()).as_bytes())
}

/// A key trusted for one provider cannot sign for another provider's role, even
/// when the assertion names both (review finding: the signer must belong to the
/// chosen pair's provider).
#[test]
fn a_signature_by_another_providers_key_does_not_count_for_this_provider() {
    use samlsim_saml::metadata::{Endpoint, IdpMetadata, build_idp_metadata};
    let emulator = emulator();
    let attacker_cert = samlsim_crypto::Certificate::from_pem(ATTACKER_CERT).unwrap();
    let metadata = build_idp_metadata(&IdpMetadata {
        entity_id: "https://attacker.example/idp".into(),
        valid_until: None,
        cache_duration: None,
        want_authn_requests_signed: false,
        signing_certificates: vec![attacker_cert.clone()],
        single_logout_services: vec![],
        name_id_formats: vec![],
        single_sign_on_services: vec![Endpoint {
            binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST".into(),
            location: "https://attacker.example/sso".into(),
            response_location: None,
        }],
    })
    .unwrap();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/AttackerIdP"},"Action":"sts:AssumeRoleWithSAML"}]}"#;
    let account = serde_json::json!({
        "id": "123456789012", "alias": "example-corp",
        "saml_providers": [{"name": "AttackerIdP", "metadata": metadata}],
        "roles": [{"name": "AttackerRole", "trust_policy": trust}],
    });
    let response =
        emulator.handle(&Request::new(Method::POST, "/_admin/aws/accounts").with_json(&account));
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{}",
        response.text_body()
    );

    let key = samlsim_crypto::SigningKey::from_pem(ATTACKER_KEY).unwrap();
    let signer = samlsim_saml::signature::Signer::new(&key, &attacker_cert);
    let victim = format!("{CONNECT_ROLE},{PROVIDER}");
    let own = "arn:aws:iam::123456789012:role/AttackerRole,arn:aws:iam::123456789012:saml-provider/AttackerIdP".to_owned();
    let forged = forged_response(&emulator, &[victim, own], &signer, |_| {});
    let mut browser = Browser::new(&emulator);
    let page = browser.post(
        "https://signin.aws.amazon.com/saml",
        &[("SAMLResponse", &forged), ("roleIndex", CONNECT_ROLE)],
    );
    assert_eq!(rule_of(&page), "signature-invalid", "{}", page.text());
}

/// SAML core 2.5.1.4: every AudienceRestriction must name AWS (review finding).
#[test]
fn every_audience_restriction_must_name_aws() {
    let emulator = emulator();
    let idp_key = samlsim_crypto::SigningKey::from_pem(IDP_KEY).unwrap();
    let idp_cert = samlsim_crypto::Certificate::from_pem(IDP_CERT).unwrap();
    let signer = samlsim_saml::signature::Signer::new(&idp_key, &idp_cert);
    let roles = [format!("{READ_ONLY_ROLE},{PROVIDER}")];
    let ok = forged_response(&emulator, &roles, &signer, |_| {});
    let mut browser = Browser::new(&emulator);
    let page = browser.post(
        "https://signin.aws.amazon.com/saml",
        &[("SAMLResponse", &ok)],
    );
    assert_eq!(
        page.role().as_deref(),
        Some("aws-console"),
        "{}",
        page.text()
    );

    let second_restriction = forged_response(&emulator, &roles, &signer, |doc| {
        let ns = "urn:oasis:names:tc:SAML:2.0:assertion";
        let conditions = doc
            .descendants(doc.document_node())
            .find(|&n| doc.is_element(n, ns, "Conditions"))
            .unwrap();
        let restriction = doc.append_element(
            conditions,
            samlsim_xml::Element::new(Some("saml"), "AudienceRestriction", Some(ns)),
        );
        let audience = doc.append_element(
            restriction,
            samlsim_xml::Element::new(Some("saml"), "Audience", Some(ns)),
        );
        doc.append_text(audience, "urn:amazon:cognito:sp:us-east-1_EXAMPLE");
    });
    let page = Browser::new(&emulator).post(
        "https://signin.aws.amazon.com/saml",
        &[("SAMLResponse", &second_restriction)],
    );
    assert_eq!(rule_of(&page), "audience-mismatch", "{}", page.text());
}

/// An account refused half-way (its second role's trust policy does not parse)
/// leaves nothing: not the account, not its provider, not its first role.
#[test]
fn hostile_store_a_refused_account_changes_nothing() {
    let emulator = emulator();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::210987654321:saml-provider/Idp"},"Action":"sts:AssumeRoleWithSAML"}]}"#;
    let account = serde_json::json!({
        "id": "210987654321",
        "saml_providers": [{"name": "Idp", "metadata": "idp"}],
        "roles": [
            {"name": "Fine", "trust_policy": trust},
            {"name": "Broken", "trust_policy": "{not json"},
        ],
    });
    let response =
        emulator.handle(&Request::new(Method::POST, "/_admin/aws/accounts").with_json(&account));
    assert_eq!(
        response.status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text_body()
    );
    let iam = emulator.aws().iam();
    assert!(iam.account("210987654321").unwrap().is_none());
    assert!(
        iam.provider("arn:aws:iam::210987654321:saml-provider/Idp")
            .unwrap()
            .is_none()
    );
    assert!(
        !iam.roles()
            .unwrap()
            .iter()
            .any(|r| r.arn.contains("210987654321"))
    );
}

/// API_AssumeRoleWithSAML's constraints, worded as AWS words them.
#[test]
fn hostile_sts_parameters_are_validated_as_aws_documents_them() {
    let emulator = emulator();
    let assertion = assertion_for(&emulator, "connect-us-east-1");
    let call = |extra: &[(&str, &str)]| {
        let mut fields = vec![
            ("Action", "AssumeRoleWithSAML"),
            ("Version", "2011-06-15"),
            ("RoleArn", CONNECT_ROLE),
            ("PrincipalArn", PROVIDER),
            ("SAMLAssertion", assertion.as_str()),
        ];
        fields.extend_from_slice(extra);
        sts(&emulator, "sts.amazonaws.com", &fields)
    };
    let (status, xml) = call(&[("PolicyArns.member.1.arn", "garbage")]);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{xml}");
    assert!(xml.contains("<Code>ValidationError</Code>"), "{xml}");
    assert!(
        xml.contains("1 validation error detected: Value 'garbage' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20"),
        "{xml}"
    );
    let event = emulator
        .events()
        .list(&samlsim_service::EventFilter::default())
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(event.rule.as_deref(), Some("sts-validation"));
    let (status, xml) = call(&[(
        "PolicyArns.member.1.arn",
        "arn:aws:iam::123456789012:role/NotAPolicy",
    )]);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{xml}");
    assert!(xml.contains("at 'policyArns.1.member.arn'"), "{xml}");

    let eleven: Vec<String> = (1..=11)
        .map(|i| format!("PolicyArns.member.{i}.arn"))
        .collect();
    let fields: Vec<(&str, &str)> = eleven
        .iter()
        .map(|k| (k.as_str(), "arn:aws:iam::aws:policy/ReadOnlyAccess"))
        .collect();
    let (_, xml) = call(&fields);
    assert!(
        xml.contains("at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10"),
        "{xml}"
    );

    let (_, xml) = call(&[("DurationSeconds", "60"), ("Policy", &"x".repeat(2049))]);
    assert!(
        xml.contains("2 validation errors detected: Value '60' at 'durationSeconds'"),
        "{xml}"
    );
    assert!(xml.contains("at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048"), "{xml}");

    let (status, xml) = call(&[
        (
            "PolicyArns.member.1.arn",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ),
        (
            "PolicyArns.member.2.arn",
            "arn:aws:iam::123456789012:policy/team/Mine",
        ),
    ]);
    assert_eq!(status, StatusCode::OK, "{xml}");
}
