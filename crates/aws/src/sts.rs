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
            refusal.fact("request_id", request_id.clone()),
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
    // Every constraint is checked before any is reported: AWS lists them all
    // ("2 validation errors detected: …; …").
    let mut violations = Violations::default();
    let role_arn = violations.required(param, "RoleArn", "roleArn", 20, 2048);
    let principal_arn = violations.required(param, "PrincipalArn", "principalArn", 20, 2048);
    let assertion = violations.required(param, "SAMLAssertion", "sAMLAssertion", 4, 100_000);
    let duration_seconds = match param("DurationSeconds") {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Err(_) => {
                violations.add("durationSeconds", Some(text), "Member must be an integer");
                None
            }
            Ok(value) if value < 900 => {
                violations.add(
                    "durationSeconds",
                    Some(text),
                    "Member must have value greater than or equal to 900",
                );
                None
            }
            Ok(value) if value > 43_200 => {
                violations.add(
                    "durationSeconds",
                    Some(text),
                    "Member must have value less than or equal to 43200",
                );
                None
            }
            // Within 900..=43200, so it always fits.
            Ok(value) => u32::try_from(value).ok(),
        },
    };
    let arns = policy_arns(param, &mut violations);
    if let Some(policy) = param("Policy") {
        violations.length("policy", policy, 1, 2048);
    }
    violations.finish()?;
    let (Some(role_arn), Some(principal_arn), Some(assertion)) =
        (role_arn, principal_arn, assertion)
    else {
        return Err(validation("1 validation error detected".into()));
    };
    // AWS's words when the two ARNs are swapped or mistyped (as users report them).
    if !(role_arn.starts_with("arn:aws") && role_arn.contains(":role/")) {
        return Err(validation("Request ARN is invalid".into()));
    }
    if !(principal_arn.starts_with("arn:aws") && principal_arn.contains(":saml-provider/")) {
        return Err(validation("Principal ARN is invalid".into()));
    }
    let packed_policy_size = session_policy_size(param, &arns)?;

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

/// Parameter constraint violations, reported together in AWS's words
/// (`1 validation error detected: Value 'x' at 'member' failed to satisfy
/// constraint: …`, several joined by `; `).
#[derive(Default)]
struct Violations(Vec<String>);

impl Violations {
    fn add(&mut self, member: &str, value: Option<&str>, constraint: &str) {
        let value = match value {
            Some(value) => format!("'{}'", samlsim_service::bounded(value)),
            None => "null".to_owned(),
        };
        self.0.push(format!(
            "Value {value} at '{member}' failed to satisfy constraint: {constraint}"
        ));
    }

    fn length(&mut self, member: &str, value: &str, min: usize, max: usize) -> bool {
        let len = value.chars().count();
        if len < min {
            self.add(
                member,
                Some(value),
                &format!("Member must have length greater than or equal to {min}"),
            );
        } else if len > max {
            // Not quoted: the value is the problem, and may be 100,000 characters.
            self.0.push(format!(
                "Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"
            ));
        } else {
            return true;
        }
        false
    }

    /// A required string parameter within its length bounds.
    fn required<'p>(
        &mut self,
        param: &dyn Fn(&str) -> Option<&'p str>,
        name: &str,
        member: &str,
        min: usize,
        max: usize,
    ) -> Option<&'p str> {
        let Some(value) = param(name) else {
            self.add(member, None, "Member must not be null");
            return None;
        };
        self.length(member, value, min, max).then_some(value)
    }

    fn finish(self) -> Result<(), Refusal> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(validation(format!(
                "1 validation error detected: {}",
                self.0[0]
            ))),
            n => Err(validation(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }
}

/// `PolicyArns.member.N.arn`, in member order: at most 10, each 20–2048
/// characters and an IAM managed policy ARN (`arn:aws:iam::aws:policy/…` or
/// `arn:aws:iam::<account>:policy/…`, PolicyDescriptorType).
fn policy_arns<'p>(
    param: &dyn Fn(&str) -> Option<&'p str>,
    violations: &mut Violations,
) -> Vec<&'p str> {
    let mut arns = Vec::new();
    // Members are numbered from 1 without gaps in what SDKs send; a gap ends
    // the list as botocore's parser would see it.
    for i in 1.. {
        let Some(arn) = param(&format!("PolicyArns.member.{i}.arn")) else {
            break;
        };
        let member = format!("policyArns.{i}.member.arn");
        if violations.length(&member, arn, 20, 2048) && !is_policy_arn(arn) {
            violations.add(
                &member,
                Some(arn),
                "Member must be an IAM policy ARN (arn:aws:iam::aws:policy/… or arn:aws:iam::<account>:policy/…)",
            );
        }
        arns.push(arn);
        if i > 10 {
            break;
        }
    }
    if arns.len() > 10 {
        violations.add(
            "policyArns",
            None,
            "Member must have length less than or equal to 10",
        );
    }
    arns
}

fn is_policy_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_prefix, partition, service, region, account, resource] = parts.as_slice() else {
        return false;
    };
    *arn_prefix == "arn"
        && (*partition == "aws" || partition.starts_with("aws-"))
        && *service == "iam"
        && region.is_empty()
        && (*account == "aws"
            || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())))
        && resource
            .strip_prefix("policy/")
            .is_some_and(|name| !name.is_empty() && !name.ends_with('/'))
}

/// `Policy` and `PolicyArns.member.N.arn`: parsed (MalformedPolicyDocument) and
/// sized (PackedPolicyTooLarge). The mock does not narrow the session by them.
fn session_policy_size<'p>(
    param: &dyn Fn(&str) -> Option<&'p str>,
    arns: &[&str],
) -> Result<Option<usize>, Refusal> {
    let policy = param("Policy");
    if let Some(policy) = policy {
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
pub(crate) fn error(request_id: &str, refusal: &Refusal) -> Response {
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
pub(crate) fn request_id(aws: &Aws) -> String {
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
