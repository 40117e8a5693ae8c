//! The mock IAM's query API in process: SigV4 is verified before any action, and
//! what no SDK sends (an unsigned call, an incomplete header, an unknown action)
//! gets AWS's error. The SDK-facing behaviour is tested with boto3, the AWS CLI
//! and the JavaScript SDK in tests/sdk_control.rs.

use std::sync::Arc;

use samlsim_aws::config::{AccountConfig, AwsConfig};
use samlsim_aws::sigv4::{parse_authorization, signature};
use samlsim_aws::{Aws, AwsParts};
use samlsim_service::http::{HeaderValue, Method, StatusCode, header};
use samlsim_service::{
    EventFilter, EventLog, Request, SequentialIds, Service, Store, UrlMap, VirtualClock,
};

const NOW: i64 = 1_768_467_600;

fn aws() -> (Aws, EventLog) {
    let store = Arc::new(Store::in_memory().unwrap());
    let clock = Arc::new(VirtualClock::frozen(NOW));
    let events = EventLog::new(store.clone(), clock.clone()).unwrap();
    let config = AwsConfig {
        accounts: vec![AccountConfig {
            id: "123456789012".into(),
            partition: "aws".into(),
            alias: None,
            saml_providers: vec![],
            roles: vec![],
            sts_disabled_regions: vec![],
            service_control_policies: vec![],
        }],
        ..AwsConfig::default()
    };
    let aws = Aws::new(AwsParts {
        config,
        idp_metadata: String::new(),
        fetch_metadata: Box::new(|url| Err(format!("no network in tests: {url}"))),
        store: store.clone(),
        clock: clock.clone(),
        ids: Arc::new(SequentialIds::default()),
        events: events.clone(),
        urls: Arc::new(UrlMap::new("http://127.0.0.1:7575")),
    })
    .unwrap();
    (aws, events)
}

/// A form POST to the IAM endpoint, signed with `secret` as an SDK signs it.
fn call(form: &[(&str, &str)], secret: Option<&str>) -> Request {
    let mut request = Request::new(Method::POST, "/aws/iam.amazonaws.com/").with_form(form);
    request
        .headers
        .insert("host", HeaderValue::from_static("127.0.0.1:7575"));
    request
        .headers
        .insert("x-amz-date", HeaderValue::from_static("20260115T090000Z"));
    if let Some(secret) = secret {
        let unsigned = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260115/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0";
        let auth = parse_authorization(unsigned).unwrap();
        let computed = signature(&request, &auth, secret).unwrap();
        let header_value =
            unsigned.replace("Signature=0", &format!("Signature={}", computed.signature));
        request.headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&header_value).unwrap(),
        );
    }
    request
}

/// The status and error code of the answer, and the rule the event log names.
fn code(world: &(Aws, EventLog), request: &Request) -> (StatusCode, String, String) {
    let response = world.0.handle(request).unwrap();
    let body = response.text_body();
    let code = body
        .split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map(|(code, _)| code.to_owned())
        .unwrap_or_default();
    let rule = world
        .1
        .list(&EventFilter::default())
        .unwrap()
        .last()
        .and_then(|e| e.rule.clone())
        .unwrap_or_default();
    (response.status, code, rule)
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

#[test]
fn a_signed_call_with_the_administrator_key_is_answered() {
    let (aws, _) = aws();
    let request = call(
        &[("Action", "ListRoles"), ("Version", "2010-05-08")],
        Some(SECRET),
    );
    let response = aws.handle(&request).unwrap();
    assert_eq!(response.status, StatusCode::OK, "{}", response.text_body());
    assert!(
        response
            .text_body()
            .contains("<ListRolesResult><Roles></Roles>")
    );
}

#[test]
fn an_unsigned_call_is_missing_authentication_token() {
    let request = call(&[("Action", "ListRoles"), ("Version", "2010-05-08")], None);
    assert_eq!(
        code(&aws(), &request),
        (
            StatusCode::FORBIDDEN,
            "MissingAuthenticationToken".into(),
            "missing-authentication-token".into()
        )
    );
}

#[test]
fn a_header_without_a_signature_is_an_incomplete_signature() {
    let mut request = call(&[("Action", "ListRoles"), ("Version", "2010-05-08")], None);
    request.headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_static("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260115/us-east-1/iam/aws4_request, SignedHeaders=host"),
    );
    assert_eq!(
        code(&aws(), &request),
        (
            StatusCode::BAD_REQUEST,
            "IncompleteSignature".into(),
            "incomplete-signature".into()
        )
    );
}

#[test]
fn a_wrong_secret_does_not_match_and_an_unknown_action_is_invalid() {
    let aws = aws();
    let wrong = call(
        &[("Action", "ListRoles"), ("Version", "2010-05-08")],
        Some("nope"),
    );
    assert_eq!(
        code(&aws, &wrong),
        (
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch".into(),
            "signature-does-not-match".into()
        )
    );
    // An IAM action the mock does not emulate.
    let other = call(
        &[("Action", "CreateUser"), ("Version", "2010-05-08")],
        Some(SECRET),
    );
    assert_eq!(
        code(&aws, &other),
        (
            StatusCode::BAD_REQUEST,
            "InvalidAction".into(),
            "iam-unsupported-action".into()
        )
    );
}

const ENCRYPTION_KEY: &str = include_str!("../../../certs/test-only-aws-encryption-key.pem");
const ENCRYPTION_KEY_2: &str = include_str!("../../../certs/test-only-aws-encryption-2-key.pem");

fn idp_metadata() -> String {
    use samlsim_saml::metadata::{Endpoint, IdpMetadata, build_idp_metadata};
    let certificate = samlsim_crypto::Certificate::from_pem(include_str!(
        "../../../certs/test-only-idp-cert.pem"
    ))
    .unwrap();
    build_idp_metadata(&IdpMetadata {
        entity_id: "https://idp.example.test/metadata".into(),
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
    .unwrap()
}

/// Issue 15 through the IAM API: `AssertionEncryptionMode` and `AddPrivateKey` given
/// to CreateSAMLProvider are the settings sign-in and STS decrypt with, and
/// `Required` without a key is refused before anything is stored.
#[test]
fn iam_encryption_settings_are_the_ones_sign_in_decrypts_with() {
    let world = aws();
    let metadata = idp_metadata();
    let create = |name: &str, extra: &[(&str, &str)]| {
        let mut form = vec![
            ("Action", "CreateSAMLProvider"),
            ("Version", "2010-05-08"),
            ("Name", name),
            ("SAMLMetadataDocument", metadata.as_str()),
        ];
        form.extend_from_slice(extra);
        call(&form, Some(SECRET))
    };
    let (status, code, _) = code(
        &world,
        &create("NoKey", &[("AssertionEncryptionMode", "Required")]),
    );
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "InvalidInput")
    );
    let arn = "arn:aws:iam::123456789012:saml-provider/";
    assert!(
        world
            .0
            .iam()
            .provider(&format!("{arn}NoKey"))
            .unwrap()
            .is_none(),
        "a refused request stores nothing"
    );

    let response = world
        .0
        .handle(&create(
            "Encrypting",
            &[
                ("AssertionEncryptionMode", "Required"),
                ("AddPrivateKey", ENCRYPTION_KEY),
            ],
        ))
        .unwrap();
    assert_eq!(response.status, StatusCode::OK, "{}", response.text_body());
    let provider = world
        .0
        .iam()
        .provider(&format!("{arn}Encrypting"))
        .unwrap()
        .unwrap();
    assert_eq!(
        provider.assertion_encryption_mode,
        samlsim_aws::config::AssertionEncryptionMode::Required
    );
    assert_eq!(provider.private_keys.len(), 1);

    // One copy of the settings: a key added outside the IAM API (the admin API,
    // the configuration) is one GetSAMLProvider lists, and one UpdateSAMLProvider
    // removes.
    let second = world
        .0
        .iam()
        .update_provider(
            &format!("{arn}Encrypting"),
            None,
            &samlsim_aws::iam::ProviderUpdate {
                add_private_key: Some(ENCRYPTION_KEY_2.into()),
                ..Default::default()
            },
            NOW,
        )
        .unwrap()
        .private_key_list[1]
        .key_id
        .clone();
    let provider_arn = format!("{arn}Encrypting");
    let get = [
        ("Action", "GetSAMLProvider"),
        ("Version", "2010-05-08"),
        ("SAMLProviderArn", provider_arn.as_str()),
    ];
    let listed = world
        .0
        .handle(&call(&get, Some(SECRET)))
        .unwrap()
        .text_body();
    assert_eq!(listed.matches("<KeyId>").count(), 2, "{listed}");
    assert!(
        listed.contains(&format!("<KeyId>{second}</KeyId>")),
        "{listed}"
    );
    assert!(
        listed.contains("<AssertionEncryptionMode>Required</AssertionEncryptionMode>"),
        "{listed}"
    );
    let remove = [
        ("Action", "UpdateSAMLProvider"),
        ("Version", "2010-05-08"),
        ("SAMLProviderArn", provider_arn.as_str()),
        ("RemovePrivateKey", second.as_str()),
    ];
    let response = world.0.handle(&call(&remove, Some(SECRET))).unwrap();
    assert_eq!(response.status, StatusCode::OK, "{}", response.text_body());
    let provider = world.0.iam().provider(&provider_arn).unwrap().unwrap();
    assert_eq!(
        provider.private_keys.len(),
        1,
        "the key sign-in decrypts with went too"
    );
    let (status, again, _) = self::code(&world, &call(&remove, Some(SECRET)));
    assert_eq!(
        (status, again.as_str()),
        (StatusCode::BAD_REQUEST, "InvalidInput")
    );
}
