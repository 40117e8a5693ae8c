//! STS `AssumeRoleWithSAML` over the AWS query protocol (API_AssumeRoleWithSAML;
//! botocore `sts/2011-06-15/service-2.json`): a form POST (or GET) to the endpoint
//! root with `Action` and `Version=2011-06-15`, unsigned, answered in XML in the
//! `https://sts.amazonaws.com/doc/2011-06-15/` namespace. SDKs reach it with an
//! endpoint override, e.g. `--endpoint-url http://127.0.0.1:7575/aws/sts.amazonaws.com`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlsim_saml::DateTime;
use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{NewEvent, Request, Response};
use samlsim_xml::{Document, Element, NodeId, to_xml};

use crate::federation::{Outcome, Presenter, RequestFacts, check, internal};
use crate::policy::Policy;
use crate::rules::{AwsRule, Refusal};
use crate::state::{Credentials, RoleSession};
use crate::{Aws, SERVICE};

const ACTION: &str = "sts.assume-role-with-saml";
const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
const VERSION: &str = "2011-06-15";
/// Session policies are packed into at most this many bytes (the `Policy`
/// parameter's documented maximum); PackedPolicySize is the percentage used.
const PACKED_POLICY_LIMIT: usize = 2048;

pub(crate) fn handle(aws: &Aws, request: &Request, region: &str, rest: &str) -> Response {
    let request_id = request_id(aws);
    let result = if rest != "/" && !rest.is_empty() {
        Err(Refusal::new(AwsRule::StsPath).worded(format!(
            "STS is served at the endpoint root; there is nothing at {rest}"
        )))
    } else {
        dispatch(aws, request, region, &request_id)
    };
    match result {
        Ok(xml) => Response::new(StatusCode::OK, "text/xml", xml).with_header(
            samlsim_service::http::header::HeaderName::from_static("x-amzn-requestid"),
            &request_id,
        ),
        Err(refusal) => aws.recorder.refuse(
            request,
            ACTION,
            refusal.context(serde_json::json!({ "request_id": request_id })),
            |refusal| error(&request_id, refusal),
        ),
    }
}

fn dispatch(
    aws: &Aws,
    request: &Request,
    region: &str,
    request_id: &str,
) -> Result<String, Refusal> {
    let params = match request.method {
        Method::POST => request.form(),
        Method::GET => request.query_pairs(),
        _ => Vec::new(),
    };
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match (param("Action"), param("Version")) {
        (None, _) => Err(Refusal::new(AwsRule::StsMissingAction)),
        (Some("AssumeRoleWithSAML"), Some(VERSION)) => {
            assume_role_with_saml(aws, request, region, request_id, &param)
        }
        (Some(action), Some(VERSION)) => Err(Refusal::new(AwsRule::StsUnsupportedAction).worded(
            format!("Could not find operation {action} for version {VERSION}"),
        )),
        (Some(_), version) => Err(Refusal::new(AwsRule::StsVersion).worded(format!(
            "Could not find operation for version {}: this endpoint speaks STS {VERSION}",
            version.unwrap_or("NO_VERSION_SPECIFIED")
        ))),
    }
}

fn assume_role_with_saml<'p>(
    aws: &Aws,
    request: &Request,
    region: &str,
    request_id: &str,
    param: &dyn Fn(&str) -> Option<&'p str>,
) -> Result<String, Refusal> {
    let role_arn = required(param, "RoleArn", "roleArn", 20, 2048)?;
    let principal_arn = required(param, "PrincipalArn", "principalArn", 20, 2048)?;
    let assertion = required(param, "SAMLAssertion", "sAMLAssertion", 4, 100_000)?;
    // AWS's words when the two ARNs are swapped or mistyped (as users report them).
    if !(role_arn.starts_with("arn:aws") && role_arn.contains(":role/")) {
        return Err(validation("Request ARN is invalid".into()));
    }
    if !(principal_arn.starts_with("arn:aws") && principal_arn.contains(":saml-provider/")) {
        return Err(validation("Principal ARN is invalid".into()));
    }
    let duration_seconds = match param("DurationSeconds") {
        None => None,
        Some(text) => {
            let value: i64 = text.parse().map_err(|_| validation(format!("Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must be an integer")))?;
            if value < 900 {
                return Err(validation(format!(
                    "Value '{value}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
                )));
            }
            if value > 43_200 {
                return Err(validation(format!(
                    "Value '{value}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"
                )));
            }
            // Within 900..=43200, so it always fits.
            u32::try_from(value).ok()
        }
    };
    let packed_policy_size = session_policy_size(param)?;

    let now = aws.clock.now();
    let facts = RequestFacts {
        now,
        source_ip: request.peer,
    };
    let presenter = Presenter::Sts {
        role_arn,
        principal_arn,
        region,
        duration_seconds,
    };
    let assumed = match check(&aws.iam, assertion, &presenter, &facts)? {
        Outcome::Assumed(assumed) => assumed,
        // STS names the role, so there is never a choice to make.
        Outcome::ChooseRole(_) => {
            return Err(Refusal::new(AwsRule::RoleNotAuthorized));
        }
    };
    // No one-time-use check here: AWS lets one assertion be redeemed for several
    // roles (and accounts) while it is valid, and tools rely on it (saml2aws
    // `--cache-saml`, gimme-aws-creds looping over roles).
    let credentials = Credentials {
        access_key_id: format!("ASIA{}", base32_upper(&aws.ids.token(10), 16)),
        secret_access_key: STANDARD.encode(hex_bytes(&aws.ids.token(30))),
        session_token: STANDARD.encode(hex_bytes(&aws.ids.token(180))),
        session: RoleSession::from_assumed(&assumed, now),
    };
    aws.state
        .issue_credentials(&credentials)
        .map_err(internal)?;
    aws.recorder.record(
        request,
        NewEvent::ok(SERVICE, ACTION, format!("credentials for {}", assumed.assumed_role_arn()))
            .step("C5")
            .detail(serde_json::json!({
                "role_arn": assumed.role.arn, "principal_arn": assumed.provider.arn,
                "role_session_name": assumed.role_session_name, "access_key_id": credentials.access_key_id,
                "assertion_id": assumed.assertion_id, "expires_at": DateTime::from_unix(assumed.expires_at).to_string(),
            })),
    );

    let mut doc = Document::new();
    let root = doc.append_element(
        doc.document_node(),
        Element::new(None, "AssumeRoleWithSAMLResponse", Some(NAMESPACE))
            .declare_namespace(None, NAMESPACE),
    );
    let result = child(&mut doc, root, "AssumeRoleWithSAMLResult");
    text(&mut doc, result, "Audience", &assumed.audience);
    let user = child(&mut doc, result, "AssumedRoleUser");
    text(&mut doc, user, "AssumedRoleId", &assumed.assumed_role_id());
    text(&mut doc, user, "Arn", &assumed.assumed_role_arn());
    let creds = child(&mut doc, result, "Credentials");
    text(&mut doc, creds, "AccessKeyId", &credentials.access_key_id);
    text(
        &mut doc,
        creds,
        "SecretAccessKey",
        &credentials.secret_access_key,
    );
    text(&mut doc, creds, "SessionToken", &credentials.session_token);
    text(
        &mut doc,
        creds,
        "Expiration",
        &DateTime::from_unix(assumed.expires_at).to_string(),
    );
    text(&mut doc, result, "Issuer", &assumed.issuer);
    text(&mut doc, result, "NameQualifier", &assumed.name_qualifier);
    if let Some(size) = packed_policy_size {
        text(&mut doc, result, "PackedPolicySize", &size.to_string());
    }
    if let Some(identity) = &assumed.source_identity {
        text(&mut doc, result, "SourceIdentity", identity);
    }
    text(&mut doc, result, "Subject", &assumed.subject);
    text(&mut doc, result, "SubjectType", &assumed.subject_type);
    let metadata = child(&mut doc, root, "ResponseMetadata");
    text(&mut doc, metadata, "RequestId", request_id);
    Ok(to_xml(&doc, doc.document_node()))
}

/// A required string parameter within its length bounds, in AWS's validation words.
fn required<'p>(
    param: &dyn Fn(&str) -> Option<&'p str>,
    name: &str,
    member: &str,
    min: usize,
    max: usize,
) -> Result<&'p str, Refusal> {
    let value = param(name).ok_or_else(|| {
        validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    })?;
    if value.len() < min {
        return Err(validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}"
        )));
    }
    if value.len() > max {
        return Err(validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        )));
    }
    Ok(value)
}

/// `Policy` and `PolicyArns.member.N.arn`: parsed (MalformedPolicyDocument) and
/// sized (PackedPolicyTooLarge). The mock does not narrow the session by them.
fn session_policy_size<'p>(
    param: &dyn Fn(&str) -> Option<&'p str>,
) -> Result<Option<usize>, Refusal> {
    let arns: Vec<&str> = (1..=11)
        .filter_map(|i| param(&format!("PolicyArns.member.{i}.arn")))
        .collect();
    if arns.len() > 10 {
        return Err(validation("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10".into()));
    }
    let policy = param("Policy");
    if let Some(policy) = policy {
        if policy.is_empty() || policy.len() > 2048 {
            return Err(validation(format!(
                "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048 (it has {})",
                policy.len()
            )));
        }
        Policy::parse(policy).map_err(|e| {
            Refusal::new(AwsRule::SessionPolicyMalformed)
                .worded(e.to_string())
                .because(format!("The session Policy is not a policy: {e}"))
        })?;
    }
    if policy.is_none() && arns.is_empty() {
        return Ok(None);
    }
    let packed = policy.map_or(0, |p| p.split_whitespace().collect::<String>().len())
        + arns.iter().map(|a| a.len()).sum::<usize>();
    let percent = packed * 100 / PACKED_POLICY_LIMIT;
    if percent > 100 {
        return Err(Refusal::new(AwsRule::PackedPolicyTooLarge).worded(format!(
            "Packed size of consumed session policies exceeds the limit by {}%",
            percent - 100
        )));
    }
    Ok(Some(percent.max(1)))
}

fn validation(message: String) -> Refusal {
    Refusal::new(AwsRule::StsValidation).worded(message)
}

/// The query protocol's error body (`ErrorResponse/Error/{Type,Code,Message}`, `RequestId`).
fn error(request_id: &str, refusal: &Refusal) -> Response {
    let mut doc = Document::new();
    let root = doc.append_element(
        doc.document_node(),
        Element::new(None, "ErrorResponse", Some(NAMESPACE)).declare_namespace(None, NAMESPACE),
    );
    let error = child(&mut doc, root, "Error");
    text(
        &mut doc,
        error,
        "Type",
        if refusal.status().is_server_error() {
            "Receiver"
        } else {
            "Sender"
        },
    );
    text(&mut doc, error, "Code", refusal.spec().code);
    text(&mut doc, error, "Message", refusal.message());
    text(&mut doc, root, "RequestId", request_id);
    Response::new(
        refusal.status(),
        "text/xml",
        to_xml(&doc, doc.document_node()),
    )
    .with_header(
        samlsim_service::http::header::HeaderName::from_static("x-amzn-requestid"),
        request_id,
    )
}

fn child(doc: &mut Document, parent: NodeId, name: &str) -> NodeId {
    doc.append_element(parent, Element::new(None, name, Some(NAMESPACE)))
}

fn text(doc: &mut Document, parent: NodeId, name: &str, value: &str) {
    let node = child(doc, parent, name);
    doc.append_text(node, value);
}

/// A UUID-shaped request ID, as AWS's.
fn request_id(aws: &Aws) -> String {
    let hex = aws.ids.token(16);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `len` characters of upper-case base-32 from hex digits.
fn base32_upper(hex: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    hex_bytes(hex)
        .iter()
        .cycle()
        .take(len)
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect()
}

/// The bytes of `Ids::token`'s hex digits (which are always hex, so no pair is
/// dropped).
fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        // Always hex digits (see above): `.ok()` drops nothing.
        .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect()
}
