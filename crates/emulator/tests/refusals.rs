//! Refusals a flow rarely meets, each triggered and named: admin API misuse,
//! malformed API calls, assertions whose content breaks one of AWS's rules (signed
//! anew by the IdP's key, so the signature is not what fails), and pages of a
//! Connect session that does not hold them. Each leaves an event with its rule.

use samlsim_crypto::{Certificate, SigningKey};
use samlsim_emulator::Emulator;
use samlsim_emulator::browser::{Browser, Page};
use samlsim_saml::binding::{Limits, decode_post, encode_post};
use samlsim_saml::signature::{ASSERTION_NS, Signer};
use samlsim_service::http::{Method, StatusCode, header};
use samlsim_service::{EventFilter, Outcome, Request, Response};

use crate::fixture::{CONNECT_ROLE, IDP_CERT, IDP_KEY, PROVIDER, emulator};

const INSTANCE: &str = "178c75e4-b3de-4839-a6aa-e321ab3f3770";

/// The rule of the last refusal the event log holds.
fn last_rule(emulator: &Emulator) -> String {
    emulator
        .events()
        .list(&EventFilter::default())
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.outcome != Outcome::Ok)
        .and_then(|e| e.rule)
        .unwrap_or_else(|| "(no refusal event)".into())
}

/// The page's rule, which must be the rule the event log recorded.
fn page_rule(emulator: &Emulator, page: &Page) -> String {
    let rule = page
        .rule()
        .unwrap_or_else(|| panic!("no rule on {}: {}", page.url, page.text()));
    assert_eq!(last_rule(emulator), rule, "the refusal's event");
    rule
}

fn send(emulator: &Emulator, method: Method, path: &str, json: &str) -> Response {
    let mut request = Request::new(method, path);
    request.body = json.to_owned().into();
    emulator.handle(&request.with_header(header::CONTENT_TYPE, "application/json"))
}

#[test]
fn idp_admin_refusals_are_named() {
    let emulator = emulator();
    let answer = send(&emulator, Method::GET, "/_admin/idp/users/nobody", "");
    assert_eq!(
        answer.status,
        StatusCode::NOT_FOUND,
        "{}",
        answer.text_body()
    );
    assert_eq!(last_rule(&emulator), "admin-not-found");

    let answer = send(
        &emulator,
        Method::POST,
        "/_admin/idp/users",
        r#"{"username": "", "password": "x"}"#,
    );
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{}",
        answer.text_body()
    );
    assert_eq!(last_rule(&emulator), "admin-invalid-user");

    let answer = send(
        &emulator,
        Method::POST,
        "/_admin/idp/service-providers",
        r#"{"id": "half"}"#,
    );
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{}",
        answer.text_body()
    );
    assert_eq!(last_rule(&emulator), "admin-invalid-service-provider");

    let answer = send(&emulator, Method::PATCH, "/_admin/idp/users", "{}");
    assert_eq!(
        answer.status,
        StatusCode::NOT_FOUND,
        "{}",
        answer.text_body()
    );
    assert_eq!(last_rule(&emulator), "admin-no-such-endpoint");
}

#[test]
fn connect_admin_refusals_are_named() {
    let emulator = emulator();
    let answer = send(&emulator, Method::POST, "/_admin/connect/instances", "[1]");
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{}",
        answer.text_body()
    );
    assert_eq!(last_rule(&emulator), "admin-invalid-parameter");

    let answer = send(&emulator, Method::PATCH, "/_admin/connect/instances", "{}");
    assert_eq!(
        answer.status,
        StatusCode::NOT_FOUND,
        "{}",
        answer.text_body()
    );
    assert_eq!(last_rule(&emulator), "admin-no-such-endpoint");

    let mut request = Request::new(
        Method::POST,
        &format!("/_admin/connect/instances/{INSTANCE}/users/import"),
    );
    request.body = "first name,last name\nBo,Chen\n".to_owned().into();
    let answer = emulator.handle(&request.with_header(header::CONTENT_TYPE, "text/csv"));
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{}",
        answer.text_body()
    );
    assert_eq!(last_rule(&emulator), "csv-import-invalid");
}

#[test]
fn the_idp_refuses_a_resumed_request_it_does_not_hold() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/portal");
    browser.sign_in(&login, "alice", "alice-pass");
    let page = browser.open("/idp/sso?resume=nothing-parked");
    assert_eq!(page_rule(&emulator, &page), "no-pending-request");
}

#[test]
fn the_idp_refuses_to_answer_without_the_name_id_its_sp_wants() {
    let emulator = emulator();
    let answer = send(
        &emulator,
        Method::POST,
        "/_admin/idp/service-providers",
        &serde_json::json!({
            "id": "by-employee-number", "label": "By employee number",
            "entity_id": "urn:amazon:webservices", "acs_url": "https://signin.aws.amazon.com/saml",
            "name_id_from": "employee_number",
            "aws": {"roles": [format!("{CONNECT_ROLE},{PROVIDER}")]},
        })
        .to_string(),
    );
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text_body());
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/launch/by-employee-number");
    let page = browser.sign_in(&login, "alice", "alice-pass");
    assert_eq!(page_rule(&emulator, &page), "no-name-id");
}

#[test]
fn the_idp_names_a_response_it_cannot_build() {
    let emulator = emulator();
    // A user name XML cannot carry (U+0001) becomes the NameID.
    let answer = send(
        &emulator,
        Method::POST,
        "/_admin/idp/users",
        r#"{"username": "bell\u0001", "password": "bell-pass"}"#,
    );
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text_body());
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/launch/aws-console");
    let page = browser.sign_in(&login, "bell\u{1}", "bell-pass");
    assert_eq!(page_rule(&emulator, &page), "response-not-built");
}

/// The IdP's response for alice at the regional endpoint, changed by `edit`, its
/// assertion signed anew with the IdP's key, posted by the browser.
fn sign_in_with(emulator: &Emulator, edit: impl FnOnce(&mut String)) -> Page {
    let mut browser = Browser::new(emulator);
    browser.scripts = false;
    let login = browser.open("/idp/launch/connect-us-east-1");
    let page = browser.sign_in(&login, "alice", "alice-pass");
    let mut form = page.form().expect("the IdP's POST form");
    let xml = decode_post(form.get("SAMLResponse").unwrap(), &Limits::default()).unwrap();
    let mut xml = String::from_utf8(xml).unwrap();
    let original = xml.clone();
    edit(&mut xml);
    assert_ne!(xml, original, "the edit changed nothing");
    form.set("SAMLResponse", &resigned(&xml));
    browser.submit(&form)
}

/// `xml` without its signatures, its assertion signed again.
fn resigned(xml: &str) -> String {
    let mut xml = xml.to_owned();
    while let Some(start) = xml.find("<ds:Signature") {
        let end = xml[start..].find("</ds:Signature>").unwrap() + start + "</ds:Signature>".len();
        xml.replace_range(start..end, "");
    }
    let mut doc = samlsim_xml::parse(&xml).unwrap();
    let assertion = doc
        .descendants(doc.document_node())
        .find(|&n| doc.is_element(n, ASSERTION_NS, "Assertion"))
        .unwrap();
    let key = SigningKey::from_pem(IDP_KEY).unwrap();
    let certificate = Certificate::from_pem(IDP_CERT).unwrap();
    Signer::new(&key, &certificate)
        .sign(&mut doc, assertion)
        .unwrap();
    encode_post(samlsim_xml::to_xml(&doc, doc.document_node()).as_bytes())
}

/// The span of the first element `<tag ...>` (its start tag only) after `from`.
fn start_tag(xml: &str, tag: &str, from: usize) -> (usize, usize) {
    let start = xml[from..]
        .find(&format!("<{tag}"))
        .unwrap_or_else(|| panic!("no <{tag} in {xml}"))
        + from;
    let end = xml[start..].find('>').unwrap() + start;
    (start, end)
}

/// Removes attribute `name` from the first `<tag>`.
fn drop_attribute(xml: &mut String, tag: &str, name: &str) {
    let (start, end) = start_tag(xml, tag, 0);
    let at = xml[start..end].find(&format!(" {name}=\"")).unwrap() + start;
    let value_end = xml[at + name.len() + 3..].find('"').unwrap() + at + name.len() + 3;
    xml.replace_range(at..=value_end, "");
}

/// Sets attribute `name` of the first `<tag>` to `value`.
fn set_attribute(xml: &mut String, tag: &str, name: &str, value: &str) {
    let (start, end) = start_tag(xml, tag, 0);
    let at = xml[start..end].find(&format!(" {name}=\"")).unwrap() + start + name.len() + 3;
    let value_end = xml[at..].find('"').unwrap() + at;
    xml.replace_range(at..value_end, value);
}

/// Replaces the text of the first `<tag>` after `after`.
fn set_text_after(xml: &mut String, after: &str, tag: &str, text: &str) {
    let from = xml.find(after).unwrap();
    let (_, end) = start_tag(xml, tag, from);
    let text_end = xml[end..].find('<').unwrap() + end;
    xml.replace_range(end + 1..text_end, text);
}

/// An edit of a response's XML.
type Edit = Box<dyn FnOnce(&mut String)>;

#[test]
fn aws_sign_in_names_each_broken_part_of_an_assertion() {
    let emulator = emulator();
    let cases: Vec<(&str, Edit)> = vec![
        (
            "saml-status-not-success",
            Box::new(|xml| {
                *xml = xml.replacen(
                    "urn:oasis:names:tc:SAML:2.0:status:Success",
                    "urn:oasis:names:tc:SAML:2.0:status:Responder",
                    1,
                );
            }),
        ),
        (
            "issuer-mismatch",
            Box::new(|xml| {
                set_text_after(
                    xml,
                    "<saml:Assertion",
                    "saml:Issuer",
                    "https://impostor.example.test/",
                );
            }),
        ),
        (
            "subject-confirmation-count",
            Box::new(|xml| {
                let start = xml.find("<saml:SubjectConfirmation ").unwrap();
                let end = xml.find("</saml:SubjectConfirmation>").unwrap()
                    + "</saml:SubjectConfirmation>".len();
                let confirmation = xml[start..end].to_owned();
                xml.insert_str(end, &confirmation);
            }),
        ),
        (
            "recipient-missing",
            Box::new(|xml| drop_attribute(xml, "saml:SubjectConfirmationData", "Recipient")),
        ),
        (
            "not-on-or-after-missing",
            Box::new(|xml| drop_attribute(xml, "saml:SubjectConfirmationData", "NotOnOrAfter")),
        ),
        (
            "assertion-not-yet-valid",
            Box::new(|xml| {
                set_attribute(xml, "saml:Conditions", "NotBefore", "2026-11-23T13:00:00Z");
            }),
        ),
        (
            "role-attribute-missing",
            Box::new(|xml| {
                *xml = xml.replacen(
                    "Name=\"https://aws.amazon.com/SAML/Attributes/Role\"",
                    "Name=\"https://aws.amazon.com/SAML/Attributes/NoRole\"",
                    1,
                );
            }),
        ),
        (
            "role-attribute-malformed",
            Box::new(|xml| {
                set_text_after(
                    xml,
                    "Name=\"https://aws.amazon.com/SAML/Attributes/Role\"",
                    "saml:AttributeValue",
                    "not-a-role-and-a-provider",
                );
            }),
        ),
        (
            "source-identity-invalid",
            Box::new(|xml| {
                let at = xml.find("</saml:AttributeStatement>").unwrap();
                xml.insert_str(
                    at,
                    "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/SourceIdentity\"><saml:AttributeValue>aws:alice</saml:AttributeValue></saml:Attribute>",
                );
            }),
        ),
    ];
    for (rule, edit) in cases {
        let page = sign_in_with(&emulator, edit);
        assert_eq!(page_rule(&emulator, &page), rule, "{}", page.text());
    }
}

fn sts(emulator: &Emulator, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let response =
        emulator.handle(&Request::new(Method::POST, "/aws/sts.amazonaws.com/").with_form(fields));
    (response.status, response.text_body())
}

#[test]
fn sts_names_a_session_policy_it_cannot_take() {
    let emulator = emulator();
    let base = [
        ("Action", "AssumeRoleWithSAML"),
        ("Version", "2011-06-15"),
        ("RoleArn", CONNECT_ROLE),
        ("PrincipalArn", PROVIDER),
        ("SAMLAssertion", "bm90IHJlYWQ="),
    ];
    let mut fields = base.to_vec();
    fields.push(("Policy", "{\"Statement\": 3}"));
    let (status, xml) = sts(&emulator, &fields);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{xml}");
    assert!(
        xml.contains("<Code>MalformedPolicyDocument</Code>"),
        "{xml}"
    );
    assert_eq!(last_rule(&emulator), "session-policy-malformed");

    // Within each parameter's limit, too large once packed together.
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let arn = format!("arn:aws:iam::123456789012:policy/{}", "p".repeat(1000));
    let mut fields = base.to_vec();
    fields.extend([
        ("Policy", policy),
        ("PolicyArns.member.1.arn", arn.as_str()),
        ("PolicyArns.member.2.arn", arn.as_str()),
    ]);
    let (status, xml) = sts(&emulator, &fields);
    assert_eq!(status, StatusCode::BAD_REQUEST, "{xml}");
    assert!(xml.contains("<Code>PackedPolicyTooLarge</Code>"), "{xml}");
    assert_eq!(last_rule(&emulator), "packed-policy-too-large");
}

#[test]
fn the_connect_api_names_calls_it_cannot_answer() {
    let emulator = emulator();
    let api = |path: &str, authorization: Option<&str>| {
        let mut request = Request::new(
            Method::GET,
            &format!("/aws/connect.us-east-1.amazonaws.com{path}"),
        );
        if let Some(value) = authorization {
            request = request.with_header(header::AUTHORIZATION, value);
        }
        emulator.handle(&request)
    };
    let answer = api("/users/list", None);
    assert_eq!(
        answer.status,
        StatusCode::NOT_FOUND,
        "{}",
        answer.text_body()
    );
    assert_eq!(last_rule(&emulator), "unknown-operation");

    let answer = api(&format!("/user/federate/{INSTANCE}"), None);
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "{}",
        answer.text_body()
    );
    assert_eq!(last_rule(&emulator), "missing-authentication-token");

    let answer = api(
        &format!("/user/federate/{INSTANCE}"),
        Some(
            "AWS4-HMAC-SHA256 Credential=ASIAUNKNOWNKEY00000/20261123/us-east-1/connect/aws4_request, SignedHeaders=host, Signature=0",
        ),
    );
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "{}",
        answer.text_body()
    );
    assert_eq!(last_rule(&emulator), "unrecognized-client");
}

#[test]
fn a_connect_session_names_pages_and_methods_it_does_not_have() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let login = browser.open("/idp/launch/connect-us-east-1");
    let landing = browser.sign_in(&login, "alice", "alice-pass");
    assert_eq!(landing.status(), StatusCode::OK, "{}", landing.text());
    let page = browser.open("/aws/example-corp.my.connect.aws/no-such-page");
    assert_eq!(page_rule(&emulator, &page), "page-not-found");
    let page = browser.request(Request::new(
        Method::PUT,
        "/aws/example-corp.my.connect.aws/ccp-v2",
    ));
    assert_eq!(page_rule(&emulator, &page), "method-not-allowed");
}

#[test]
fn a_request_for_no_endpoint_leaves_an_event_too() {
    let emulator = emulator();
    let mut browser = Browser::new(&emulator);
    let page = browser.open("/nowhere/at/all");
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert_eq!(page_rule(&emulator, &page), "no-such-endpoint");
}
