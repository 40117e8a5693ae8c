//! IAM policy documents: a strict parser and an evaluator.
//!
//! The mock AWS decides three kinds of request with real IAM JSON policies, pasted
//! as they appear in the AWS documentation:
//! - role trust policies decide `sts:AssumeRoleWithSAML` (C18: `SAML:aud` must list
//!   the sign-in endpoint the assertion was posted to);
//! - role permission policies decide `connect:GetFederationToken` (C10: by resource
//!   ARN with `${aws:userid}`, or by `connect:InstanceId`);
//! - service control policies can deny a region through `aws:RequestedRegion` (C19).
//!
//! [`Policy::parse`] refuses what IAM refuses with `MalformedPolicyDocument`, saying
//! where the fault is; [`Policy::evaluate`] and [`evaluate_all`] decide a
//! [`Request`] the way IAM's evaluation logic does. Nothing here panics on any
//! input.
//!
//! The rules come from the IAM user guide, cited below by page name:
//! reference_policies_grammar, reference_policies_elements_version,
//! reference_policies_elements_resource, reference_policies_elements_principal,
//! reference_policies_elements_condition, reference_policies_elements_condition_operators,
//! reference_policies_multi-value-conditions, reference_policies_variables and
//! reference_policies_evaluation-logic. Where the guide is silent the choice made
//! here is said in a comment.
//!
//! # Example
//!
//! ```
//! use samlsim_aws::policy::{Context, Decision, Policy, Principal, Request};
//!
//! let trust = Policy::parse(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [{
//!         "Effect": "Allow",
//!         "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP"},
//!         "Action": "sts:AssumeRoleWithSAML",
//!         "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
//!     }]
//! }"#)?;
//! let context = Context::new().with("SAML:aud", "https://signin.aws.amazon.com/saml");
//! let request = Request {
//!     action: "sts:AssumeRoleWithSAML",
//!     resource: None,
//!     principal: Some(Principal::Federated("arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP")),
//!     context: &context,
//! };
//! assert_eq!(trust.evaluate(&request), Decision::Allow { statement: 0 });
//! # Ok::<(), samlsim_aws::policy::PolicyError>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/// The policy language version (reference_policies_elements_version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2008-10-17`, and what a policy without `Version` gets: policy variables such
    /// as `${aws:username}` are literal text.
    V2008_10_17,
    /// `2012-10-17`, the current language: policy variables are substituted.
    V2012_10_17,
}

/// A parsed IAM policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    version: Version,
    id: Option<String>,
    statements: Vec<Statement>,
}

/// One statement of a policy.
#[derive(Debug, Clone)]
pub struct Statement {
    sid: Option<String>,
    effect: Effect,
    /// `None` when the statement has neither `Principal` nor `NotPrincipal`, as in
    /// permission policies and SCPs: it then applies to whoever makes the request.
    principals: Option<Matcher<PrincipalPattern>>,
    actions: Matcher<Vec<Token>>,
    /// `None` when the statement has neither `Resource` nor `NotResource`, as in
    /// trust policies: it then applies to any resource.
    resources: Option<Matcher<Template>>,
    conditions: Vec<Condition>,
}

/// What a statement does when it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// The principal making a request, as a trust or resource policy names it
/// (reference_policies_elements_principal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Principal<'a> {
    /// An account (`123456789012` or `arn:aws:iam::123456789012:root`), IAM user,
    /// role or role session ARN.
    Aws(&'a str),
    /// A SAML or OIDC provider: `arn:aws:iam::123456789012:saml-provider/Name`.
    Federated(&'a str),
    /// A service principal: `connect.amazonaws.com`.
    Service(&'a str),
    /// An Amazon S3 canonical user ID.
    CanonicalUser(&'a str),
}

/// What is being asked.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The action, `service:Name` (matched case-insensitively).
    pub action: &'a str,
    /// The resource ARN, or `None` for an action without one. A statement with a
    /// `Resource` element applies to a request without a resource only through `"*"`.
    pub resource: Option<&'a str>,
    /// Who asks, for trust and resource policies. Statements without a `Principal`
    /// element ignore it.
    pub principal: Option<Principal<'a>>,
    /// The request context: condition keys and their values, also the source of
    /// policy variables.
    pub context: &'a Context,
}

/// The request context: condition keys and their values.
///
/// Keys are case-insensitive, as IAM condition keys are
/// (reference_policies_elements_condition); values keep their case. A key may hold
/// several values (multivalued keys such as `aws:TagKeys`); a key with no values
/// counts as absent.
#[derive(Debug, Clone, Default)]
pub struct Context {
    values: HashMap<String, Vec<String>>,
}

/// The outcome of evaluating a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A statement allows the request and none denies it.
    Allow {
        /// The index (in [`Policy::statements`]) of the first statement that allows.
        statement: usize,
    },
    /// A statement denies the request: nothing can allow it any more.
    ExplicitDeny {
        /// The index (in [`Policy::statements`]) of the first statement that denies.
        statement: usize,
    },
    /// No statement applies: denied by default.
    ImplicitDeny,
}

/// Why a policy document was refused: what IAM reports as `MalformedPolicyDocument`.
/// Each message names where in the document the fault is, e.g.
/// `Statement[1].Condition: unknown operator "StringEqual" (did you mean StringEquals?)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The document is not JSON.
    #[error("the policy is not valid JSON: {0}")]
    Json(String),
    /// An element has the wrong JSON type.
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        path: String,
        expected: &'static str,
        found: &'static str,
    },
    /// A required element is missing: `Statement`, `Effect`, `Action`.
    #[error("{path}: missing {element}")]
    MissingElement { path: String, element: &'static str },
    /// An element the policy language does not have.
    #[error("{path}: unknown element \"{element}\"{}", did_you_mean(.suggestion.as_deref()))]
    UnknownElement {
        path: String,
        element: String,
        suggestion: Option<String>,
    },
    /// The same key twice in one JSON object (reference_policies_grammar).
    #[error("{path}: \"{key}\" appears more than once")]
    DuplicateKey { path: String, key: String },
    /// A `Version` other than `2012-10-17` and `2008-10-17`.
    #[error(
        "Version: unsupported policy language version \"{version}\" (IAM knows \"2012-10-17\" and \"2008-10-17\")"
    )]
    UnsupportedVersion { version: String },
    /// An `Effect` other than `Allow` and `Deny` (case-sensitive).
    #[error("{path}: invalid effect \"{effect}\" (must be \"Allow\" or \"Deny\")")]
    InvalidEffect { path: String, effect: String },
    /// Both an element and its `Not` form: `Action` and `NotAction`, ...
    #[error("{path}: has both {first} and {second}; a statement takes only one of them")]
    ConflictingElements {
        path: String,
        first: String,
        second: String,
    },
    /// An empty list or object where IAM needs at least one entry.
    #[error("{path}: must not be empty")]
    Empty { path: String },
    /// An action that is neither `*` nor `service:Name`.
    #[error(
        "{path}: \"{action}\" is not an action (actions are prefixed by a service, e.g. \"sts:AssumeRoleWithSAML\", or \"*\")"
    )]
    InvalidAction { path: String, action: String },
    /// A resource that is neither `*` nor an ARN.
    #[error("{path}: \"{resource}\" is not a resource (resources are ARNs or \"*\")")]
    InvalidResource { path: String, resource: String },
    /// A principal type other than `AWS`, `Federated`, `Service`, `CanonicalUser`.
    #[error(
        "{path}: unknown principal type \"{kind}\" (expected AWS, Federated, Service or CanonicalUser)"
    )]
    UnknownPrincipalType { path: String, kind: String },
    /// A principal IAM would refuse.
    #[error("{path}: invalid principal \"{principal}\": {reason}")]
    InvalidPrincipal {
        path: String,
        principal: String,
        reason: &'static str,
    },
    /// A condition operator IAM does not know (operator names are case-sensitive).
    #[error("{path}: unknown operator \"{operator}\"{}", did_you_mean(.suggestion.as_deref()))]
    UnknownOperator {
        path: String,
        operator: String,
        suggestion: Option<String>,
    },
    /// A condition key without a service prefix.
    #[error("{path}: condition key \"{key}\" has no service prefix (such as aws: or SAML:)")]
    InvalidConditionKey { path: String, key: String },
    /// A condition value that is not a string, number or boolean.
    #[error("{path}: condition values are strings, numbers or booleans, found {found}")]
    InvalidConditionValue { path: String, found: &'static str },
    /// Two statements with the same `Sid`.
    #[error(
        "Statement[{second}].Sid: \"{sid}\" is already the Sid of Statement[{first}]; Sids must be unique"
    )]
    DuplicateSid {
        sid: String,
        first: usize,
        second: usize,
    },
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(" (did you mean {s}?)"))
}

// ---------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------

impl Policy {
    /// Parses a policy document, refusing what IAM refuses as `MalformedPolicyDocument`
    /// (reference_policies_grammar): anything but a JSON object, no `Statement`, an
    /// unknown element, a duplicated key, an unsupported `Version`, an `Effect` other
    /// than `Allow`/`Deny`, a missing `Action`, both an element and its `Not` form, an
    /// unknown condition operator, a partial wildcard in a principal, duplicate `Sid`s.
    ///
    /// `Principal` is optional (permission policies and SCPs have none) and so is
    /// `Resource` (trust policies have none): the parser does not know which kind of
    /// policy it reads. A missing `Version` means `2008-10-17`, in which policy
    /// variables are not substituted (reference_policies_variables).
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] naming the first fault and where it is.
    pub fn parse(json: &str) -> Result<Policy, PolicyError> {
        let document: Json =
            serde_json::from_str(json).map_err(|e| PolicyError::Json(e.to_string()))?;
        let members = object(&document, "policy")?;

        let mut version = None;
        let mut id = None;
        let mut statement = None;
        for (name, value) in members {
            match name.as_str() {
                "Version" => version = Some(parse_version(value)?),
                "Id" => id = Some(string(value, "Id")?.to_owned()),
                "Statement" => statement = Some(value),
                other => {
                    return Err(unknown_element(
                        "policy",
                        other,
                        &["Version", "Id", "Statement"],
                    ));
                }
            }
        }
        let version = version.unwrap_or(Version::V2008_10_17);
        let statement = statement.ok_or_else(|| PolicyError::MissingElement {
            path: "policy".into(),
            element: "Statement",
        })?;

        let variables = version == Version::V2012_10_17;
        // The grammar has `Statement` as a list, but IAM also takes a single object
        // (the user guide's own examples do).
        let statements = match statement {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, s)| Statement::parse(s, &format!("Statement[{i}]"), variables))
                .collect::<Result<Vec<_>, _>>()?,
            single => vec![Statement::parse(single, "Statement", variables)?],
        };

        let mut sids = HashMap::new();
        for (i, statement) in statements.iter().enumerate() {
            if let Some(sid) = &statement.sid
                && let Some(first) = sids.insert(sid.as_str(), i)
            {
                return Err(PolicyError::DuplicateSid {
                    sid: sid.clone(),
                    first,
                    second: i,
                });
            }
        }

        Ok(Policy {
            version,
            id,
            statements,
        })
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The policy language version (`2008-10-17` when the document has none).
    pub fn version(&self) -> Version {
        self.version
    }

    /// The `Id` element, if any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// Decides a request against this policy alone: an explicit deny wins over any
    /// allow; without either, the request is implicitly denied
    /// (reference_policies_evaluation-logic).
    pub fn evaluate(&self, request: &Request) -> Decision {
        let mut allow = None;
        for (i, statement) in self.statements.iter().enumerate() {
            if !statement.applies(request) {
                continue;
            }
            match statement.effect {
                Effect::Deny => return Decision::ExplicitDeny { statement: i },
                Effect::Allow => {
                    allow.get_or_insert(i);
                }
            }
        }
        allow.map_or(Decision::ImplicitDeny, |statement| Decision::Allow {
            statement,
        })
    }
}

/// Decides a request against several policies together: an explicit deny in any of
/// them wins, else an allow in any of them allows, else the request is implicitly
/// denied (reference_policies_evaluation-logic). The statement index in the result
/// is within the policy that decided.
///
/// This is the union rule of policies of one kind (the permission policies of a role,
/// or an SCP next to them for denies). AWS intersects some kinds instead (an SCP must
/// also *allow*); callers that need that evaluate the kinds separately.
pub fn evaluate_all(policies: &[&Policy], request: &Request) -> Decision {
    let mut allow = None;
    for policy in policies {
        match policy.evaluate(request) {
            deny @ Decision::ExplicitDeny { .. } => return deny,
            found @ Decision::Allow { .. } => {
                allow.get_or_insert(found);
            }
            Decision::ImplicitDeny => {}
        }
    }
    allow.unwrap_or(Decision::ImplicitDeny)
}

impl Decision {
    /// Whether the request is allowed.
    pub fn is_allow(&self) -> bool {
        matches!(self, Decision::Allow { .. })
    }
}

impl Statement {
    /// The `Sid`, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// `Allow` or `Deny`.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// Whether the statement has a `Principal` or `NotPrincipal` element (trust and
    /// resource policies must; permission policies and SCPs must not).
    pub fn has_principal(&self) -> bool {
        self.principals.is_some()
    }

    /// Whether the statement has a `Resource` or `NotResource` element.
    pub fn has_resource(&self) -> bool {
        self.resources.is_some()
    }

    /// Whether the statement covers the request: principal, action, resource and every
    /// condition must match.
    fn applies(&self, request: &Request) -> bool {
        let context = request.context;
        let principal = self
            .principals
            .as_ref()
            .is_none_or(|m| m.matches(|p| p.matches(request.principal)));
        // Action names are case-insensitive (reference_policies_elements_action).
        let action = request.action.to_lowercase();
        principal
            && self
                .actions
                .matches(|pattern| glob(pattern, &action, Wildcards::Anywhere))
            && self.resources.as_ref().is_none_or(|m| {
                m.matches(|pattern| resource_matches(pattern, request.resource, context))
            })
            && self.conditions.iter().all(|c| c.holds(context))
    }

    fn parse(json: &Json, path: &str, variables: bool) -> Result<Statement, PolicyError> {
        const ELEMENTS: &[&str] = &[
            "Sid",
            "Effect",
            "Principal",
            "NotPrincipal",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Condition",
        ];
        let members = object(json, path)?;

        let mut sid = None;
        let mut effect = None;
        let mut principals = None;
        let mut actions = None;
        let mut resources = None;
        let mut conditions = Vec::new();
        // Which of an element and its `Not` form was seen, to refuse both.
        let mut seen_principal = None;
        let mut seen_action = None;
        let mut seen_resource = None;

        for (name, value) in members {
            let here = format!("{path}.{name}");
            let except = name.starts_with("Not");
            match name.as_str() {
                "Sid" => sid = Some(string(value, &here)?.to_owned()),
                "Effect" => effect = Some(parse_effect(value, &here)?),
                "Principal" | "NotPrincipal" => {
                    claim(&mut seen_principal, name, path)?;
                    principals = Some(Matcher::new(except, parse_principal(value, &here)?));
                }
                "Action" | "NotAction" => {
                    claim(&mut seen_action, name, path)?;
                    actions = Some(Matcher::new(except, parse_actions(value, &here)?));
                }
                "Resource" | "NotResource" => {
                    claim(&mut seen_resource, name, path)?;
                    resources = Some(Matcher::new(
                        except,
                        parse_resources(value, &here, variables)?,
                    ));
                }
                "Condition" => conditions = parse_condition(value, &here, variables)?,
                other => return Err(unknown_element(path, other, ELEMENTS)),
            }
        }

        let missing = |element| PolicyError::MissingElement {
            path: path.to_owned(),
            element,
        };
        Ok(Statement {
            sid,
            effect: effect.ok_or_else(|| missing("Effect"))?,
            principals,
            actions: actions.ok_or_else(|| missing("Action"))?,
            resources,
            conditions,
        })
    }
}

/// Records that `name` (an element or its `Not` form) was seen, refusing the second.
fn claim<'j>(seen: &mut Option<&'j str>, name: &'j str, path: &str) -> Result<(), PolicyError> {
    match seen.replace(name) {
        Some(first) => Err(PolicyError::ConflictingElements {
            path: path.to_owned(),
            first: first.to_owned(),
            second: name.to_owned(),
        }),
        None => Ok(()),
    }
}

/// A list from an element or its `Not` form: `Action` lists what the statement covers,
/// `NotAction` what it covers everything but.
#[derive(Debug, Clone)]
enum Matcher<T> {
    Listed(Vec<T>),
    AllBut(Vec<T>),
}

impl<T> Matcher<T> {
    fn new(except: bool, items: Vec<T>) -> Self {
        if except {
            Matcher::AllBut(items)
        } else {
            Matcher::Listed(items)
        }
    }

    fn matches(&self, matches: impl Fn(&T) -> bool) -> bool {
        match self {
            Matcher::Listed(items) => items.iter().any(matches),
            Matcher::AllBut(items) => !items.iter().any(matches),
        }
    }
}

// ---------------------------------------------------------------------------
// Context
// ---------------------------------------------------------------------------

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to the single `value`, replacing what it held.
    pub fn with(self, key: &str, value: impl Into<String>) -> Self {
        self.with_values(key, [value.into()])
    }

    /// Sets `key` to several values (a multivalued key), replacing what it held.
    pub fn with_values(
        mut self,
        key: &str,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.values.insert(
            key.to_lowercase(),
            values.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// The values of `key` (case-insensitive), if it is present.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values.get(&key.to_lowercase()).map(Vec::as_slice)
    }

    /// The values of `key`, treating a key without values as absent: "an empty data
    /// set" counts as missing for set operators (reference_policies_multi-value-conditions),
    /// and the mock applies that everywhere.
    fn present(&self, key: &str) -> Option<&[String]> {
        self.get(key).filter(|values| !values.is_empty())
    }

    /// The value a policy variable `${key}` stands for: only a key with exactly one
    /// value can be substituted.
    fn variable(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some([value]) => Some(value),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Principals (reference_policies_elements_principal)
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PrincipalKind {
    Aws,
    Federated,
    Service,
    CanonicalUser,
}

#[derive(Debug, Clone)]
enum PrincipalPattern {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous requests included.
    Anyone,
    /// `{"Federated": "*"}` and the like: any principal of that kind.
    AnyOf(PrincipalKind),
    Exact(PrincipalKind, String),
}

impl Principal<'_> {
    fn kind(&self) -> PrincipalKind {
        match self {
            Principal::Aws(_) => PrincipalKind::Aws,
            Principal::Federated(_) => PrincipalKind::Federated,
            Principal::Service(_) => PrincipalKind::Service,
            Principal::CanonicalUser(_) => PrincipalKind::CanonicalUser,
        }
    }

    fn value(&self) -> &str {
        match self {
            Principal::Aws(v)
            | Principal::Federated(v)
            | Principal::Service(v)
            | Principal::CanonicalUser(v) => v,
        }
    }
}

impl PrincipalPattern {
    fn matches(&self, principal: Option<Principal>) -> bool {
        match (self, principal) {
            (PrincipalPattern::Anyone, _) => true,
            (_, None) => false,
            (PrincipalPattern::AnyOf(kind), Some(p)) => p.kind() == *kind,
            (PrincipalPattern::Exact(kind, value), Some(p)) => {
                p.kind() == *kind
                    && match kind {
                        PrincipalKind::Aws => aws_principal_matches(value, p.value()),
                        _ => value == p.value(),
                    }
            }
        }
    }
}

fn parse_principal(json: &Json, path: &str) -> Result<Vec<PrincipalPattern>, PolicyError> {
    let members = match json {
        Json::String(s) if s == "*" => return Ok(vec![PrincipalPattern::Anyone]),
        Json::String(s) => {
            return Err(PolicyError::InvalidPrincipal {
                path: path.to_owned(),
                principal: s.clone(),
                reason: "a principal is \"*\" or an object such as {\"Federated\": \"arn:...\"}",
            });
        }
        _ => object(json, path)?,
    };
    if members.is_empty() {
        return Err(PolicyError::Empty {
            path: path.to_owned(),
        });
    }
    let mut patterns = Vec::new();
    for (name, value) in members {
        let kind = match name.as_str() {
            "AWS" => PrincipalKind::Aws,
            "Federated" => PrincipalKind::Federated,
            "Service" => PrincipalKind::Service,
            "CanonicalUser" => PrincipalKind::CanonicalUser,
            other => {
                return Err(PolicyError::UnknownPrincipalType {
                    path: path.to_owned(),
                    kind: other.to_owned(),
                });
            }
        };
        for (value, here) in string_list(value, &format!("{path}.{name}"))? {
            patterns.push(match value {
                // The grammar makes `"*"` and `{"AWS": "*"}` the same: everyone.
                "*" if kind == PrincipalKind::Aws => PrincipalPattern::Anyone,
                "*" => PrincipalPattern::AnyOf(kind),
                // "You can use * only to specify everyone/anonymous. You cannot use it
                // to specify part of a name or ARN" (reference_policies_grammar).
                v if v.contains('*') => {
                    return Err(PolicyError::InvalidPrincipal {
                        path: here,
                        principal: v.to_owned(),
                        reason: "a wildcard cannot match part of a principal; only \"*\" alone is allowed",
                    });
                }
                v => PrincipalPattern::Exact(kind, v.to_owned()),
            });
        }
    }
    Ok(patterns)
}

/// Whether the `AWS` principal `pattern` of a policy covers `principal`.
///
/// An account (`123456789012`, or `arn:aws:iam::123456789012:root`) covers every
/// principal of that account, and a role ARN covers the sessions of that role
/// (`arn:aws:sts::123456789012:assumed-role/Name/session`)
/// (reference_policies_elements_principal).
fn aws_principal_matches(pattern: &str, principal: &str) -> bool {
    if pattern == principal {
        return true;
    }
    if let Some(account) = account_principal(pattern) {
        let of_principal = if is_account_id(principal) {
            Some(principal)
        } else {
            arn_account(principal)
        };
        return of_principal == Some(account);
    }
    match (role_of(pattern), session_role_of(principal)) {
        (Some(role), Some(session_role)) => role == session_role,
        _ => false,
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account a principal of the form `123456789012` or `arn:<p>:iam::<account>:root` names.
fn account_principal(pattern: &str) -> Option<&str> {
    if is_account_id(pattern) {
        return Some(pattern);
    }
    match pattern.splitn(6, ':').collect::<Vec<_>>()[..] {
        ["arn", _, "iam", _, account, "root"] => Some(account),
        _ => None,
    }
}

/// The account field of an ARN.
fn arn_account(arn: &str) -> Option<&str> {
    match arn.splitn(6, ':').collect::<Vec<_>>()[..] {
        ["arn", _, _, _, account, _] => Some(account),
        _ => None,
    }
}

/// `(partition, account, role name)` of `arn:<p>:iam::<account>:role/<path/>name`.
fn role_of(arn: &str) -> Option<(&str, &str, &str)> {
    let ["arn", partition, "iam", _, account, resource] =
        arn.splitn(6, ':').collect::<Vec<_>>()[..]
    else {
        return None;
    };
    let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
    Some((partition, account, name))
}

/// `(partition, account, role name)` of `arn:<p>:sts::<account>:assumed-role/<name>/<session>`.
fn session_role_of(arn: &str) -> Option<(&str, &str, &str)> {
    let ["arn", partition, "sts", _, account, resource] =
        arn.splitn(6, ':').collect::<Vec<_>>()[..]
    else {
        return None;
    };
    let (name, _session) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
    Some((partition, account, name))
}

// ---------------------------------------------------------------------------
// Actions and resources
// ---------------------------------------------------------------------------

fn parse_actions(json: &Json, path: &str) -> Result<Vec<Vec<Token>>, PolicyError> {
    string_list(json, path)?
        .into_iter()
        .map(|(action, here)| {
            // "Actions/Conditions must be prefaced by a vendor" is IAM's refusal.
            let prefixed = action
                .split_once(':')
                .is_some_and(|(service, _)| !service.is_empty());
            if action != "*" && !prefixed {
                return Err(PolicyError::InvalidAction {
                    path: here,
                    action: action.to_owned(),
                });
            }
            // Stored lower-cased: action names are case-insensitive.
            Ok(Template::parse(&action.to_lowercase(), false).literal_tokens())
        })
        .collect()
}

fn parse_resources(json: &Json, path: &str, variables: bool) -> Result<Vec<Template>, PolicyError> {
    string_list(json, path)?
        .into_iter()
        .map(|(resource, here)| {
            if resource != "*" && !resource.starts_with("arn:") {
                return Err(PolicyError::InvalidResource {
                    path: here,
                    resource: resource.to_owned(),
                });
            }
            Ok(Template::parse(resource, variables))
        })
        .collect()
}

/// Whether a `Resource` entry covers the request's resource.
///
/// `*` and `?` work within an ARN segment; a `*` that ends a segment may run on past
/// colons (reference_policies_elements_resource). Resource names are case-sensitive.
/// An entry whose policy variable has no value matches nothing
/// (reference_policies_variables: "any attempt to match it fails").
fn resource_matches(pattern: &Template, resource: Option<&str>, context: &Context) -> bool {
    let Some(tokens) = pattern.resolve(context) else {
        return false;
    };
    match resource {
        Some(resource) => glob(&tokens, resource, Wildcards::WithinArnSegments),
        // An action without a resource is granted with `"Resource": "*"`.
        None => !tokens.is_empty() && tokens.iter().all(|t| *t == Token::Star),
    }
}

// ---------------------------------------------------------------------------
// Conditions (reference_policies_elements_condition_operators)
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Condition {
    operator: Operator,
    /// As written; looked up case-insensitively.
    key: String,
    values: Vec<ConditionValue>,
}

#[derive(Debug, Clone)]
struct ConditionValue {
    /// As written, for the operators that take no variables or wildcards.
    raw: String,
    /// With wildcards and (in 2012-10-17) policy variables, for the string, ARN and
    /// Bool operators.
    template: Template,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operator {
    test: Test,
    /// `StringNotEquals`, `NotIpAddress`, ...: true when no policy value matches.
    negated: bool,
    /// The `...IfExists` suffix: true when the key is absent.
    if_exists: bool,
    set: SetOperator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOperator {
    /// No prefix: the operator as documented for single-valued keys.
    Single,
    /// `ForAnyValue:`: some request value matches (reference_policies_multi-value-conditions).
    ForAnyValue,
    /// `ForAllValues:`: every request value matches.
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Test {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Comparison),
    Date(Comparison),
    Bool,
    Binary,
    IpAddress,
    Arn,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

/// Every operator IAM knows, before prefixes and suffixes: (name, test, negated).
const OPERATORS: &[(&str, Test, bool)] = &[
    ("StringEquals", Test::StringEquals, false),
    ("StringNotEquals", Test::StringEquals, true),
    (
        "StringEqualsIgnoreCase",
        Test::StringEqualsIgnoreCase,
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Test::StringEqualsIgnoreCase,
        true,
    ),
    ("StringLike", Test::StringLike, false),
    ("StringNotLike", Test::StringLike, true),
    ("NumericEquals", Test::Numeric(Comparison::Equals), false),
    ("NumericNotEquals", Test::Numeric(Comparison::Equals), true),
    (
        "NumericLessThan",
        Test::Numeric(Comparison::LessThan),
        false,
    ),
    (
        "NumericLessThanEquals",
        Test::Numeric(Comparison::LessThanEquals),
        false,
    ),
    (
        "NumericGreaterThan",
        Test::Numeric(Comparison::GreaterThan),
        false,
    ),
    (
        "NumericGreaterThanEquals",
        Test::Numeric(Comparison::GreaterThanEquals),
        false,
    ),
    ("DateEquals", Test::Date(Comparison::Equals), false),
    ("DateNotEquals", Test::Date(Comparison::Equals), true),
    ("DateLessThan", Test::Date(Comparison::LessThan), false),
    (
        "DateLessThanEquals",
        Test::Date(Comparison::LessThanEquals),
        false,
    ),
    (
        "DateGreaterThan",
        Test::Date(Comparison::GreaterThan),
        false,
    ),
    (
        "DateGreaterThanEquals",
        Test::Date(Comparison::GreaterThanEquals),
        false,
    ),
    ("Bool", Test::Bool, false),
    ("BinaryEquals", Test::Binary, false),
    ("IpAddress", Test::IpAddress, false),
    ("NotIpAddress", Test::IpAddress, true),
    // "ArnEquals and ArnLike behave identically", and so do their negations.
    ("ArnEquals", Test::Arn, false),
    ("ArnLike", Test::Arn, false),
    ("ArnNotEquals", Test::Arn, true),
    ("ArnNotLike", Test::Arn, true),
    ("Null", Test::Null, false),
];

const SET_OPERATORS: &[&str] = &["ForAnyValue", "ForAllValues"];

impl Operator {
    /// Reads `[ForAnyValue:|ForAllValues:]<Operator>[IfExists]`. Names are
    /// case-sensitive: IAM refuses `stringEquals` ("Invalid Condition type").
    fn parse(name: &str) -> Option<Operator> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (SetOperator::ForAnyValue, rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (SetOperator::ForAllValues, rest)
        } else {
            (SetOperator::Single, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let &(_, test, negated) = OPERATORS.iter().find(|(n, ..)| *n == base)?;
        // "You can add IfExists to the end of any condition operator name except the
        // Null condition."
        if test == Test::Null && if_exists {
            return None;
        }
        Some(Operator {
            test,
            negated,
            if_exists,
            set,
        })
    }

    /// The operators whose values take policy variables: string, ARN and Bool ones
    /// (reference_policies_elements_condition_operators).
    fn takes_variables(&self) -> bool {
        matches!(
            self.test,
            Test::StringEquals
                | Test::StringEqualsIgnoreCase
                | Test::StringLike
                | Test::Arn
                | Test::Bool
        )
    }
}

/// The operator `name` was probably meant to be, for the error message.
fn suggest_operator(name: &str) -> Option<String> {
    let (set, rest) = match name.split_once(':') {
        Some((set, rest)) => (Some(closest(set, SET_OPERATORS)?), rest),
        None => (None, name),
    };
    // `IfExists` is matched case-insensitively so that `StringEqualsifexists` is
    // recognised; to_ascii_lowercase keeps byte offsets, so the slice is sound.
    let (core, if_exists) = if rest.len() > 8 && rest.to_ascii_lowercase().ends_with("ifexists") {
        (&rest[..rest.len() - 8], true)
    } else {
        (rest, false)
    };
    let names: Vec<&str> = OPERATORS.iter().map(|(n, ..)| *n).collect();
    let base = closest(core, &names)?;
    let mut suggestion = String::new();
    if let Some(set) = set {
        suggestion.push_str(set);
        suggestion.push(':');
    }
    suggestion.push_str(base);
    if if_exists && base != "Null" {
        suggestion.push_str("IfExists");
    }
    (suggestion != name).then_some(suggestion)
}

fn parse_condition(
    json: &Json,
    path: &str,
    variables: bool,
) -> Result<Vec<Condition>, PolicyError> {
    let mut conditions = Vec::new();
    for (name, block) in object(json, path)? {
        let operator = Operator::parse(name).ok_or_else(|| PolicyError::UnknownOperator {
            path: path.to_owned(),
            operator: name.clone(),
            suggestion: suggest_operator(name),
        })?;
        let here = format!("{path}.{name}");
        for (key, values) in object(block, &here)? {
            if !key
                .split_once(':')
                .is_some_and(|(service, rest)| !service.is_empty() && !rest.is_empty())
            {
                return Err(PolicyError::InvalidConditionKey {
                    path: here,
                    key: key.clone(),
                });
            }
            let values = condition_values(values, &format!("{here}.{key}"))?
                .into_iter()
                .map(|raw| ConditionValue {
                    template: Template::parse(&raw, variables && operator.takes_variables()),
                    raw,
                })
                .collect();
            conditions.push(Condition {
                operator,
                key: key.clone(),
                values,
            });
        }
    }
    Ok(conditions)
}

/// A condition's values: a string, number or boolean, or a non-empty list of them
/// (reference_policies_grammar: `condition_value`).
fn condition_values(json: &Json, path: &str) -> Result<Vec<String>, PolicyError> {
    let scalar = |json: &Json| match json {
        Json::String(s) | Json::Number(s) => Ok(s.clone()),
        Json::Bool(b) => Ok(b.to_string()),
        other => Err(PolicyError::InvalidConditionValue {
            path: path.to_owned(),
            found: other.kind(),
        }),
    };
    match json {
        Json::Array(items) if items.is_empty() => Err(PolicyError::Empty {
            path: path.to_owned(),
        }),
        Json::Array(items) => items.iter().map(scalar).collect(),
        single => Ok(vec![scalar(single)?]),
    }
}

impl Condition {
    /// Whether the condition holds in `context`.
    ///
    /// The rules (reference_policies_elements_condition_operators,
    /// reference_policies_multi-value-conditions):
    /// - several values for the key are ORed: one matching is enough; a negated
    ///   operator holds when none matches;
    /// - a key absent from the context makes an operator false, a negated one true;
    ///   `IfExists` makes it true; `ForAllValues` true and `ForAnyValue` false;
    /// - `Null` tests only whether the key is absent.
    ///
    /// With several request values and no set operator, the mock treats the operator
    /// as "some request value matches" (its negation: "no request value matches"); the
    /// user guide documents these operators for single-valued keys only.
    fn holds(&self, context: &Context) -> bool {
        let op = self.operator;
        let present = context.present(&self.key);
        if op.test == Test::Null {
            let absent = present.is_none();
            return self
                .values
                .iter()
                .any(|v| parse_bool(&v.raw) == Some(absent));
        }
        let Some(request_values) = present else {
            return match (op.if_exists, op.set) {
                (true, _) | (false, SetOperator::ForAllValues) => true,
                (false, SetOperator::ForAnyValue) => false,
                (false, SetOperator::Single) => op.negated,
            };
        };
        // One request value passes when some policy value matches it, or for a
        // negated operator when none does.
        let passes = |value: &String| {
            self.values
                .iter()
                .any(|p| op.test.matches(value, p, context))
                != op.negated
        };
        match op.set {
            SetOperator::ForAllValues => request_values.iter().all(passes),
            SetOperator::ForAnyValue => request_values.iter().any(passes),
            SetOperator::Single if op.negated => request_values.iter().all(passes),
            SetOperator::Single => request_values.iter().any(passes),
        }
    }
}

impl Test {
    /// Whether the request value `actual` matches the policy value `expected`.
    /// A policy value that cannot be read (an unresolvable variable, a number that
    /// is not one) matches nothing.
    fn matches(self, actual: &str, expected: &ConditionValue, context: &Context) -> bool {
        let resolve = || expected.template.resolve(context);
        let text = || resolve().map(|tokens| as_text(&tokens));
        match self {
            Test::StringEquals => text().is_some_and(|e| e == actual),
            Test::StringEqualsIgnoreCase => {
                text().is_some_and(|e| e.to_lowercase() == actual.to_lowercase())
            }
            Test::StringLike => resolve().is_some_and(|t| glob(&t, actual, Wildcards::Anywhere)),
            Test::Arn => resolve().is_some_and(|t| arn_like(&t, actual)),
            Test::Bool => text().is_some_and(|e| e.eq_ignore_ascii_case(actual)),
            Test::Numeric(cmp) => match (parse_number(actual), parse_number(&expected.raw)) {
                (Some(a), Some(e)) => cmp.holds(a.partial_cmp(&e)),
                _ => false,
            },
            Test::Date(cmp) => match (parse_date(actual), parse_date(&expected.raw)) {
                (Some(a), Some(e)) => cmp.holds(Some(a.cmp(&e))),
                _ => false,
            },
            // "Compares the value of the specified key byte for byte against a base-64
            // encoded representation of the binary value in the policy"; the request
            // context holds binary values base64-encoded too.
            Test::Binary => match (
                BASE64.decode(actual.trim()),
                BASE64.decode(expected.raw.trim()),
            ) {
                (Ok(a), Ok(e)) => a == e,
                _ => false,
            },
            Test::IpAddress => ip_in_range(actual, &expected.raw),
            Test::Null => false, // decided in Condition::holds
        }
    }
}

impl Comparison {
    fn holds(self, actual_vs_expected: Option<std::cmp::Ordering>) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let Some(ordering) = actual_vs_expected else {
            return false;
        };
        match self {
            Comparison::Equals => ordering == Equal,
            Comparison::LessThan => ordering == Less,
            Comparison::LessThanEquals => ordering != Greater,
            Comparison::GreaterThan => ordering == Greater,
            Comparison::GreaterThanEquals => ordering != Less,
        }
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `ArnLike`: "each of the six colon-delimited components of the ARN is checked
/// separately", so a `*` never runs past a colon, except that the last component
/// (the resource) is the rest of the ARN, colons included.
fn arn_like(pattern: &[Token], arn: &str) -> bool {
    // A lone `*` is taken to match any ARN, as it does in `Resource`; the guide does
    // not say.
    if pattern == [Token::Star] {
        return true;
    }
    let mut patterns = Vec::with_capacity(6);
    let mut rest = pattern;
    while patterns.len() < 5 {
        let Some(colon) = rest.iter().position(|t| *t == Token::Lit(':')) else {
            break;
        };
        patterns.push(&rest[..colon]);
        rest = &rest[colon + 1..];
    }
    patterns.push(rest);
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    patterns.len() == 6
        && fields.len() == 6
        && patterns
            .iter()
            .zip(fields)
            .all(|(p, f)| glob(p, f, Wildcards::Anywhere))
}

/// Whether the IP address `actual` lies in `range` (`203.0.113.0/24`,
/// `2001:DB8::/64`; a bare address is a /32 or /128).
fn ip_in_range(actual: &str, range: &str) -> bool {
    let Ok(actual) = actual.trim().parse::<IpAddr>() else {
        return false;
    };
    let range = range.trim();
    let (network, prefix) = match range.split_once('/') {
        Some((network, prefix)) => match prefix.parse::<u32>() {
            Ok(prefix) => (network, Some(prefix)),
            Err(_) => return false,
        },
        None => (range, None),
    };
    let Ok(network) = network.parse::<IpAddr>() else {
        return false;
    };
    match (actual, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let prefix = prefix.unwrap_or(32);
            let mask = u32::MAX.checked_shl(32 - prefix.min(32)).unwrap_or(0);
            prefix <= 32 && u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let prefix = prefix.unwrap_or(128);
            let mask = u128::MAX.checked_shl(128 - prefix.min(128)).unwrap_or(0);
            prefix <= 128 && u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Nanoseconds since the Unix epoch of a date condition value: epoch seconds
/// (`1700000000`, what `aws:EpochTime` holds) or a W3C ISO 8601 date
/// (`2020-01-01`, `2020-01-01T00:00:01Z`, `2020-01-01T09:00:00+09:00`;
/// reference_policies_elements_condition_operators). A time without a zone is
/// taken as UTC.
fn parse_date(s: &str) -> Option<i128> {
    const NANOS: i128 = 1_000_000_000;
    let s = s.trim();
    let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    if is_digits(whole) && (fraction.is_empty() || is_digits(fraction)) {
        // At most 19 digits fit an i64, and i64::MAX seconds in nanoseconds still
        // fits an i128: no overflow.
        let seconds: i64 = whole.parse().ok()?;
        return Some(i128::from(seconds) * NANOS + fraction_nanos(fraction));
    }

    let mut cursor = Cursor::new(s);
    let year = cursor.number(4)?;
    let (mut month, mut day) = (1, 1);
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0);
    let mut offset_minutes: i64 = 0;
    if cursor.eat(b'-') {
        month = cursor.number(2)?;
        if cursor.eat(b'-') {
            day = cursor.number(2)?;
            if cursor.eat(b'T') || cursor.eat(b't') {
                hour = cursor.number(2)?;
                cursor.expect(b':')?;
                minute = cursor.number(2)?;
                if cursor.eat(b':') {
                    second = cursor.number(2)?;
                    if cursor.eat(b'.') {
                        nanos = fraction_nanos(cursor.digits());
                    }
                }
                if cursor.eat(b'Z') || cursor.eat(b'z') {
                } else if let Some(sign) = cursor.sign() {
                    let zone_hours = cursor.number(2)?;
                    cursor.eat(b':');
                    let zone_minutes = cursor.number(2)?;
                    offset_minutes = sign * (zone_hours * 60 + zone_minutes);
                }
            }
        }
    }
    let valid = cursor.done()
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second <= 60;
    if !valid {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(i128::from(seconds) * NANOS + nanos)
}

/// Nanoseconds of a decimal fraction of a second (`"5"` is half a second).
fn fraction_nanos(digits: &str) -> i128 {
    let mut nanos = 0;
    let mut scale = 100_000_000;
    for b in digits.bytes().take(9) {
        nanos += i128::from(b - b'0') * scale;
        scale /= 10;
    }
    nanos
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A reader over an ASCII date string.
struct Cursor<'s> {
    bytes: &'s [u8],
    position: usize,
}

impl<'s> Cursor<'s> {
    fn new(s: &'s str) -> Self {
        Cursor {
            bytes: s.as_bytes(),
            position: 0,
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.bytes.get(self.position) == Some(&byte);
        self.position += usize::from(found);
        found
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    fn sign(&mut self) -> Option<i64> {
        if self.eat(b'+') {
            Some(1)
        } else if self.eat(b'-') {
            Some(-1)
        } else {
            None
        }
    }

    /// Exactly `width` digits.
    fn number(&mut self, width: usize) -> Option<i64> {
        let digits = self.bytes.get(self.position..self.position + width)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.position += width;
        Some(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    }

    /// All the digits from here.
    fn digits(&mut self) -> &'s str {
        let start = self.position;
        while self
            .bytes
            .get(self.position)
            .is_some_and(u8::is_ascii_digit)
        {
            self.position += 1;
        }
        // Only ASCII digits were consumed, so this is valid UTF-8.
        std::str::from_utf8(&self.bytes[start..self.position]).unwrap_or_default()
    }

    fn done(&self) -> bool {
        self.position == self.bytes.len()
    }
}

// ---------------------------------------------------------------------------
// Patterns: wildcards and policy variables (reference_policies_variables)
// ---------------------------------------------------------------------------

/// A pattern character once variables are substituted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Lit(char),
    /// `*`: any run of characters.
    Star,
    /// `?`: any one character.
    One,
}

/// A policy string as written: literal characters, wildcards and policy variables.
#[derive(Debug, Clone)]
struct Template(Vec<Part>);

#[derive(Debug, Clone)]
enum Part {
    Token(Token),
    /// `${key}` or `${key, 'default'}`; `key` is stored lower-cased.
    Variable {
        key: String,
        default: Option<String>,
    },
}

impl Template {
    /// Reads `raw`; with `variables` (policy version 2012-10-17) `${...}` is a
    /// policy variable, and `${*}`, `${?}`, `${$}` stand for a literal `*`, `?`, `$`.
    /// A `${` that does not form a variable is literal text.
    fn parse(raw: &str, variables: bool) -> Template {
        let mut parts = Vec::new();
        let mut rest = raw;
        while let Some(c) = rest.chars().next() {
            if variables
                && rest.starts_with("${")
                && let Some((part, after)) = parse_variable(&rest[2..])
            {
                parts.push(part);
                rest = after;
                continue;
            }
            parts.push(Part::Token(match c {
                '*' => Token::Star,
                '?' => Token::One,
                c => Token::Lit(c),
            }));
            rest = &rest[c.len_utf8()..];
        }
        Template(parts)
    }

    /// The pattern with its variables substituted from `context`; substituted text
    /// is literal (a `*` in a user name is not a wildcard). `None` when a variable
    /// has no value and no default: the pattern then matches nothing.
    fn resolve(&self, context: &Context) -> Option<Vec<Token>> {
        let mut tokens = Vec::with_capacity(self.0.len());
        for part in &self.0 {
            match part {
                Part::Token(token) => tokens.push(*token),
                Part::Variable { key, default } => {
                    let value = context.variable(key).or(default.as_deref())?;
                    tokens.extend(value.chars().map(Token::Lit));
                }
            }
        }
        Some(tokens)
    }

    /// The tokens of a template without variables.
    fn literal_tokens(&self) -> Vec<Token> {
        self.0
            .iter()
            .filter_map(|part| match part {
                Part::Token(token) => Some(*token),
                Part::Variable { .. } => None,
            })
            .collect()
    }
}

/// Reads the inside of `${...}` (after `${`): the part, and what follows the `}`.
fn parse_variable(inside: &str) -> Option<(Part, &str)> {
    let end = inside.find(['}', ','])?;
    let name = inside[..end].trim();
    if inside[end..].starts_with('}') {
        let after = &inside[end + 1..];
        let part = match name {
            "*" => Part::Token(Token::Lit('*')),
            "?" => Part::Token(Token::Lit('?')),
            "$" => Part::Token(Token::Lit('$')),
            "" => return None,
            key => Part::Variable {
                key: key.to_lowercase(),
                default: None,
            },
        };
        return Some((part, after));
    }
    // `${key, 'default'}`: the default is single-quoted, `''` standing for one quote.
    let mut rest = inside[end + 1..].trim_start().strip_prefix('\'')?;
    let mut default = String::new();
    loop {
        let quote = rest.find('\'')?;
        default.push_str(&rest[..quote]);
        rest = &rest[quote + 1..];
        match rest.strip_prefix('\'') {
            Some(after) => {
                default.push('\'');
                rest = after;
            }
            None => break,
        }
    }
    let after = rest.trim_start().strip_prefix('}')?;
    if name.is_empty() {
        return None;
    }
    Some((
        Part::Variable {
            key: name.to_lowercase(),
            default: Some(default),
        },
        after,
    ))
}

/// The tokens as plain text, wildcards as the characters they were written with
/// (`StringEquals` has no wildcards).
fn as_text(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Token::Lit(c) => *c,
            Token::Star => '*',
            Token::One => '?',
        })
        .collect()
}

/// Where the wildcards of a pattern may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wildcards {
    /// `*` and `?` match any character (actions, `StringLike`).
    Anywhere,
    /// `*` and `?` stay within a colon-separated ARN segment, except that a `*`
    /// ending a segment (or the pattern) may run on past colons
    /// (reference_policies_elements_resource).
    WithinArnSegments,
}

/// Whether `text` matches `pattern`. Runs in O(pattern × text) time whatever the
/// input, so hostile patterns cannot make evaluation slow.
fn glob(pattern: &[Token], text: &str, wildcards: Wildcards) -> bool {
    let text: Vec<char> = text.chars().collect();
    // reachable[j]: the pattern read so far matches text[..j].
    let mut reachable = vec![false; text.len() + 1];
    reachable[0] = true;
    for (i, token) in pattern.iter().enumerate() {
        match token {
            Token::Star => {
                let crosses_colons = wildcards == Wildcards::Anywhere
                    || matches!(pattern.get(i + 1), None | Some(Token::Lit(':')));
                for j in 1..=text.len() {
                    if !reachable[j] && reachable[j - 1] && (crosses_colons || text[j - 1] != ':') {
                        reachable[j] = true;
                    }
                }
            }
            Token::One | Token::Lit(_) => {
                for j in (1..=text.len()).rev() {
                    let c = text[j - 1];
                    let fits = match token {
                        Token::Lit(l) => *l == c,
                        _ => wildcards == Wildcards::Anywhere || c != ':',
                    };
                    reachable[j] = reachable[j - 1] && fits;
                }
                reachable[0] = false;
            }
        }
        if !reachable.contains(&true) {
            return false;
        }
    }
    reachable[text.len()]
}

// ---------------------------------------------------------------------------
// JSON reading
// ---------------------------------------------------------------------------

/// A JSON value that keeps object members in order and keeps duplicate keys, which
/// `serde_json::Value` silently merges and IAM refuses.
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "a list",
            Json::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, Json>()? {
            members.push(member);
        }
        Ok(Json::Object(members))
    }
}

/// The members of a JSON object, refusing other types and duplicate keys
/// ("Individual elements must not contain multiple instances of the same key",
/// reference_policies_grammar).
fn object<'j>(json: &'j Json, path: &str) -> Result<&'j [(String, Json)], PolicyError> {
    let Json::Object(members) = json else {
        return Err(wrong_type(path, "an object", json));
    };
    let mut keys = HashSet::new();
    for (key, _) in members {
        if !keys.insert(key.as_str()) {
            return Err(PolicyError::DuplicateKey {
                path: path.to_owned(),
                key: key.clone(),
            });
        }
    }
    Ok(members)
}

fn string<'j>(json: &'j Json, path: &str) -> Result<&'j str, PolicyError> {
    match json {
        Json::String(s) => Ok(s),
        other => Err(wrong_type(path, "a string", other)),
    }
}

/// A string or a non-empty list of strings ("if the element takes an array but only
/// one value is included, the brackets are optional"), each with its path.
fn string_list<'j>(json: &'j Json, path: &str) -> Result<Vec<(&'j str, String)>, PolicyError> {
    match json {
        Json::String(s) => Ok(vec![(s.as_str(), path.to_owned())]),
        Json::Array(items) if items.is_empty() => Err(PolicyError::Empty {
            path: path.to_owned(),
        }),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let here = format!("{path}[{i}]");
                Ok((string(item, &here)?, here))
            })
            .collect(),
        other => Err(wrong_type(path, "a string or a list of strings", other)),
    }
}

fn wrong_type(path: &str, expected: &'static str, found: &Json) -> PolicyError {
    PolicyError::WrongType {
        path: path.to_owned(),
        expected,
        found: found.kind(),
    }
}

fn parse_version(json: &Json) -> Result<Version, PolicyError> {
    match string(json, "Version")? {
        "2012-10-17" => Ok(Version::V2012_10_17),
        "2008-10-17" => Ok(Version::V2008_10_17),
        other => Err(PolicyError::UnsupportedVersion {
            version: other.to_owned(),
        }),
    }
}

fn parse_effect(json: &Json, path: &str) -> Result<Effect, PolicyError> {
    match string(json, path)? {
        "Allow" => Ok(Effect::Allow),
        "Deny" => Ok(Effect::Deny),
        other => Err(PolicyError::InvalidEffect {
            path: path.to_owned(),
            effect: other.to_owned(),
        }),
    }
}

fn unknown_element(path: &str, element: &str, known: &[&str]) -> PolicyError {
    PolicyError::UnknownElement {
        path: path.to_owned(),
        element: element.to_owned(),
        suggestion: closest(element, known).map(str::to_owned),
    }
}

/// The candidate nearest to `word` (ignoring case), if it is near enough to be a
/// likely typo.
fn closest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    // Long words are not typos of short names; this also bounds the work.
    if word.len() > 64 {
        return None;
    }
    let word = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), *c))
        .filter(|(distance, c)| *distance <= (c.len() / 4).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "123456789012";
    const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP";
    const ROLE: &str = "arn:aws:iam::123456789012:role/ExampleRole";
    const GLOBAL_AUDIENCE: &str = "https://signin.aws.amazon.com/saml";
    const REGIONAL_AUDIENCE: &str = "https://us-east-1.signin.aws.amazon.com/saml";
    const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
    const OTHER_INSTANCE: &str = "99999999-8888-7777-6666-555555555555";
    const USER_ID: &str = "AROAEXAMPLE:alice";

    /// The default trust policy for a SAML role (C18), as the IAM console writes it.
    const TRUST: &str = r#"{
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP"},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
        }]
    }"#;

    /// The same, also accepting the regional sign-in endpoint (C18).
    const TRUST_REGIONAL: &str = r#"{
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP"},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": [
                "https://signin.aws.amazon.com/saml",
                "https://us-east-1.signin.aws.amazon.com/saml"
            ]}}
        }]
    }"#;

    fn parse(json: &str) -> Policy {
        Policy::parse(json).unwrap_or_else(|e| panic!("refused: {e}\n{json}"))
    }

    fn refuse(json: &str) -> PolicyError {
        match Policy::parse(json) {
            Ok(policy) => panic!("accepted: {policy:?}\n{json}"),
            Err(e) => e,
        }
    }

    fn decide(
        policy: &Policy,
        action: &str,
        resource: Option<&str>,
        context: &Context,
    ) -> Decision {
        policy.evaluate(&Request {
            action,
            resource,
            principal: None,
            context,
        })
    }

    fn saml_context(audience: &str, region: &str) -> Context {
        Context::new()
            .with("SAML:aud", audience)
            .with("SAML:sub", "alice@example.com")
            .with("aws:RequestedRegion", region)
    }

    fn assume_request<'a>(principal: Principal<'a>, context: &'a Context) -> Request<'a> {
        Request {
            action: "sts:AssumeRoleWithSAML",
            resource: Some(ROLE),
            principal: Some(principal),
            context,
        }
    }

    fn assume(policy: &Policy, audience: &str) -> Decision {
        let context = saml_context(audience, "us-east-1");
        policy.evaluate(&assume_request(Principal::Federated(PROVIDER), &context))
    }

    // --- C18: trust policies -------------------------------------------------

    #[test]
    fn default_trust_policy_allows_the_global_audience() {
        assert_eq!(
            assume(&parse(TRUST), GLOBAL_AUDIENCE),
            Decision::Allow { statement: 0 }
        );
    }

    #[test]
    fn default_trust_policy_refuses_the_regional_audience() {
        assert_eq!(
            assume(&parse(TRUST), REGIONAL_AUDIENCE),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn trust_policy_listing_both_audiences_allows_both() {
        let trust = parse(TRUST_REGIONAL);
        assert!(assume(&trust, GLOBAL_AUDIENCE).is_allow());
        assert!(assume(&trust, REGIONAL_AUDIENCE).is_allow());
        assert_eq!(
            assume(&trust, "https://eu-west-1.signin.aws.amazon.com/saml"),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn trust_policy_refuses_other_principals() {
        let trust = parse(TRUST);
        let context = saml_context(GLOBAL_AUDIENCE, "us-east-1");
        let other_provider = "arn:aws:iam::123456789012:saml-provider/OtherIdP";
        for principal in [
            Principal::Federated(other_provider),
            Principal::Federated("arn:aws:iam::210987654321:saml-provider/ExampleCorpIdP"),
            // The same ARN as another kind of principal is not the provider.
            Principal::Aws(PROVIDER),
            Principal::Service("sts.amazonaws.com"),
        ] {
            assert_eq!(
                trust.evaluate(&assume_request(principal, &context)),
                Decision::ImplicitDeny,
                "{principal:?}"
            );
        }
        let anonymous = Request {
            principal: None,
            ..assume_request(Principal::Federated(PROVIDER), &context)
        };
        assert_eq!(trust.evaluate(&anonymous), Decision::ImplicitDeny);
    }

    #[test]
    fn trust_policy_needs_the_audience_in_the_context() {
        let context = Context::new().with("SAML:sub", "alice");
        let request = assume_request(Principal::Federated(PROVIDER), &context);
        assert_eq!(parse(TRUST).evaluate(&request), Decision::ImplicitDeny);
    }

    #[test]
    fn trust_policy_refuses_another_action() {
        let context = saml_context(GLOBAL_AUDIENCE, "us-east-1");
        let request = Request {
            action: "sts:AssumeRoleWithWebIdentity",
            ..assume_request(Principal::Federated(PROVIDER), &context)
        };
        assert_eq!(parse(TRUST).evaluate(&request), Decision::ImplicitDeny);
    }

    // --- C10: connect:GetFederationToken --------------------------------------

    fn connect_user(instance: &str, user_id: &str) -> String {
        format!("arn:aws:connect:us-east-1:{ACCOUNT}:instance/{instance}/user/{user_id}")
    }

    fn federation_token(policy: &Policy, instance: &str, user_id: &str) -> Decision {
        let resource = connect_user(instance, user_id);
        let context = Context::new()
            .with("aws:userid", USER_ID)
            .with("connect:InstanceId", instance);
        decide(
            policy,
            "connect:GetFederationToken",
            Some(&resource),
            &context,
        )
    }

    #[test]
    fn connect_resource_form_allows_the_session_user_of_the_instance() {
        let policy = parse(&format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{
                "Effect": "Allow",
                "Action": "connect:GetFederationToken",
                "Resource": "arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE}/user/${{aws:userid}}"
            }}]}}"#
        ));
        assert_eq!(
            federation_token(&policy, INSTANCE, USER_ID),
            Decision::Allow { statement: 0 }
        );
        assert_eq!(
            federation_token(&policy, OTHER_INSTANCE, USER_ID),
            Decision::ImplicitDeny
        );
        // Another user's resource: `${aws:userid}` is the caller's own ID.
        assert_eq!(
            federation_token(&policy, INSTANCE, "AROAEXAMPLE:bob"),
            Decision::ImplicitDeny
        );
        // Without aws:userid in the context the resource matches nothing.
        let resource = connect_user(INSTANCE, USER_ID);
        let no_user = Context::new().with("connect:InstanceId", INSTANCE);
        assert_eq!(
            decide(
                &policy,
                "connect:GetFederationToken",
                Some(&resource),
                &no_user
            ),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn connect_condition_form_allows_the_instance() {
        let policy = parse(&format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{
                "Effect": "Allow",
                "Action": "connect:GetFederationToken",
                "Resource": "*",
                "Condition": {{"StringEquals": {{"connect:InstanceId": "{INSTANCE}"}}}}
            }}]}}"#
        ));
        assert!(federation_token(&policy, INSTANCE, USER_ID).is_allow());
        assert_eq!(
            federation_token(&policy, OTHER_INSTANCE, USER_ID),
            Decision::ImplicitDeny
        );
        let resource = connect_user(INSTANCE, USER_ID);
        let no_instance = Context::new().with("aws:userid", USER_ID);
        assert_eq!(
            decide(
                &policy,
                "connect:GetFederationToken",
                Some(&resource),
                &no_instance
            ),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn connect_condition_form_with_a_list_allows_each_instance() {
        let third = "33333333-3333-3333-3333-333333333333";
        let policy = parse(&format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{
                "Effect": "Allow",
                "Action": "connect:GetFederationToken",
                "Resource": "*",
                "Condition": {{"StringEquals": {{"connect:InstanceId": ["{INSTANCE}", "{third}"]}}}}
            }}]}}"#
        ));
        assert!(federation_token(&policy, INSTANCE, USER_ID).is_allow());
        assert!(federation_token(&policy, third, USER_ID).is_allow());
        assert_eq!(
            federation_token(&policy, OTHER_INSTANCE, USER_ID),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn connect_policy_naming_another_instance_denies() {
        let policy = parse(&format!(
            r#"{{"Version": "2012-10-17", "Statement": {{
                "Effect": "Allow",
                "Action": "connect:GetFederationToken",
                "Resource": "arn:aws:connect:us-east-1:{ACCOUNT}:instance/{OTHER_INSTANCE}/user/${{aws:userid}}"
            }}}}"#
        ));
        assert_eq!(
            federation_token(&policy, INSTANCE, USER_ID),
            Decision::ImplicitDeny
        );
    }

    // --- C19: service control policies -----------------------------------------

    const SCP_DENY_EU_WEST_1: &str = r#"{
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Sid": "DenySamlInIreland",
                "Effect": "Deny",
                "Action": "sts:AssumeRoleWithSAML",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
            }
        ]
    }"#;

    #[test]
    fn scp_deny_in_a_region_wins_over_an_allow() {
        let scp = parse(SCP_DENY_EU_WEST_1);
        let trust = parse(TRUST);
        for order in [[&scp, &trust], [&trust, &scp]] {
            let ireland = saml_context(GLOBAL_AUDIENCE, "eu-west-1");
            let request = assume_request(Principal::Federated(PROVIDER), &ireland);
            assert_eq!(
                evaluate_all(&order, &request),
                Decision::ExplicitDeny { statement: 1 }
            );

            let virginia = saml_context(GLOBAL_AUDIENCE, "us-east-1");
            let request = assume_request(Principal::Federated(PROVIDER), &virginia);
            assert_eq!(
                evaluate_all(&order, &request),
                Decision::Allow { statement: 0 }
            );
        }
    }

    #[test]
    fn evaluate_all_combines_allows_and_defaults_to_deny() {
        let context = Context::new();
        let request = Request {
            action: "s3:GetObject",
            resource: Some("arn:aws:s3:::bucket/key"),
            principal: None,
            context: &context,
        };
        let nothing =
            parse(r#"{"Statement": {"Effect": "Allow", "Action": "sts:*", "Resource": "*"}}"#);
        let s3 =
            parse(r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#);
        assert_eq!(evaluate_all(&[], &request), Decision::ImplicitDeny);
        assert_eq!(evaluate_all(&[&nothing], &request), Decision::ImplicitDeny);
        assert_eq!(
            evaluate_all(&[&nothing, &s3], &request),
            Decision::Allow { statement: 0 }
        );
    }

    #[test]
    fn a_deny_statement_wins_within_one_policy() {
        let policy = parse(
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "connect:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "connect:GetFederationToken", "Resource": "*"},
                {"Effect": "Deny", "Action": "connect:GetFederationToken", "Resource": "*",
                 "Condition": {"Bool": {"aws:SecureTransport": false}}}
            ]}"#,
        );
        let secure = Context::new().with("aws:SecureTransport", "true");
        let insecure = Context::new().with("aws:SecureTransport", "false");
        let action = "connect:GetFederationToken";
        assert_eq!(
            decide(&policy, action, None, &secure),
            Decision::Allow { statement: 0 }
        );
        assert_eq!(
            decide(&policy, action, None, &insecure),
            Decision::ExplicitDeny { statement: 2 }
        );
    }

    // --- Malformed documents -----------------------------------------------------

    #[test]
    fn unknown_operator_names_the_place_and_the_likely_operator() {
        let error = refuse(
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML", "Principal": "*"},
                {"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML", "Principal": "*",
                 "Condition": {"StringEqual": {"SAML:aud": "x"}}}
            ]}"#,
        );
        assert_eq!(
            error.to_string(),
            r#"Statement[1].Condition: unknown operator "StringEqual" (did you mean StringEquals?)"#
        );
        assert!(matches!(error, PolicyError::UnknownOperator { .. }));
    }

    #[test]
    fn operator_suggestions_keep_prefixes_and_suffixes() {
        let suggestion = |operator: &str| {
            let json = format!(
                r#"{{"Statement": {{"Effect": "Allow", "Action": "*", "Condition": {{"{operator}": {{"aws:x": "1"}}}}}}}}"#
            );
            match refuse(&json) {
                PolicyError::UnknownOperator { suggestion, .. } => suggestion,
                other => panic!("{other:?}"),
            }
        };
        // Operator names are case-sensitive in IAM.
        assert_eq!(suggestion("stringEquals").as_deref(), Some("StringEquals"));
        assert_eq!(
            suggestion("ForAnyValues:StringLike").as_deref(),
            Some("ForAnyValue:StringLike")
        );
        assert_eq!(
            suggestion("StringLikeIfexists").as_deref(),
            Some("StringLikeIfExists")
        );
        assert_eq!(suggestion("NullIfExists").as_deref(), Some("Null"));
        assert_eq!(suggestion("Frobnicate"), None);
    }

    #[test]
    fn malformed_documents_are_refused_with_their_own_error() {
        let statement = r#""Effect": "Allow", "Action": "sts:AssumeRoleWithSAML""#;
        type Check = fn(&PolicyError) -> bool;
        let cases: Vec<(String, Check)> = vec![
            ("{not json".into(), |e| matches!(e, PolicyError::Json(_))),
            ("".into(), |e| matches!(e, PolicyError::Json(_))),
            (r#"{"Statement": []} trailing"#.into(), |e| matches!(e, PolicyError::Json(_))),
            ("[]".into(), |e| matches!(e, PolicyError::WrongType { found: "a list", .. })),
            (r#"{"Version": "2012-10-17"}"#.into(), |e| {
                matches!(e, PolicyError::MissingElement { element: "Statement", .. })
            }),
            (format!(r#"{{"Version": "2012-10-18", "Statement": {{{statement}}}}}"#), |e| {
                matches!(e, PolicyError::UnsupportedVersion { version } if version == "2012-10-18")
            }),
            (format!(r#"{{"Version": 2012, "Statement": {{{statement}}}}}"#), |e| {
                matches!(e, PolicyError::WrongType { path, .. } if path == "Version")
            }),
            (r#"{"Statement": {"Effect": "allow", "Action": "*"}}"#.into(), |e| {
                matches!(e, PolicyError::InvalidEffect { effect, .. } if effect == "allow")
            }),
            (r#"{"Statement": {"Action": "*"}}"#.into(), |e| {
                matches!(e, PolicyError::MissingElement { element: "Effect", .. })
            }),
            (r#"{"Statement": {"Effect": "Allow"}}"#.into(), |e| {
                matches!(e, PolicyError::MissingElement { element: "Action", .. })
            }),
            (r#"{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "s3:*"}}"#.into(), |e| {
                matches!(e, PolicyError::ConflictingElements { first, second, .. }
                    if first == "Action" && second == "NotAction")
            }),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"}}"#.into(),
                |e| matches!(e, PolicyError::ConflictingElements { .. }),
            ),
            (
                r#"{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*", "NotPrincipal": "*"}}"#.into(),
                |e| matches!(e, PolicyError::ConflictingElements { .. }),
            ),
            (format!(r#"{{"Statement": {{{statement}, "Effect": "Deny"}}}}"#), |e| {
                matches!(e, PolicyError::DuplicateKey { key, .. } if key == "Effect")
            }),
            (format!(r#"{{"Statement": {{{statement}, "Actions": "*"}}}}"#), |e| {
                matches!(e, PolicyError::UnknownElement { suggestion: Some(s), .. } if s == "Action")
            }),
            (format!(r#"{{"Statment": {{{statement}}}}}"#), |e| {
                matches!(e, PolicyError::UnknownElement { suggestion: Some(s), .. } if s == "Statement")
            }),
            (r#"{"Statement": {"Effect": "Allow", "Action": []}}"#.into(), |e| {
                matches!(e, PolicyError::Empty { .. })
            }),
            (r#"{"Statement": {"Effect": "Allow", "Action": "AssumeRoleWithSAML"}}"#.into(), |e| {
                matches!(e, PolicyError::InvalidAction { .. })
            }),
            (r#"{"Statement": {"Effect": "Allow", "Action": ["sts:*", 7]}}"#.into(), |e| {
                matches!(e, PolicyError::WrongType { path, .. } if path == "Statement.Action[1]")
            }),
            (r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "bucket/*"}}"#.into(), |e| {
                matches!(e, PolicyError::InvalidResource { .. })
            }),
            (format!(r#"{{"Statement": {{{statement}, "Principal": {{"Saml": "x"}}}}}}"#), |e| {
                matches!(e, PolicyError::UnknownPrincipalType { kind, .. } if kind == "Saml")
            }),
            (
                format!(
                    r#"{{"Statement": {{{statement}, "Principal": {{"AWS": "arn:aws:iam::123456789012:role/*"}}}}}}"#
                ),
                |e| matches!(e, PolicyError::InvalidPrincipal { .. }),
            ),
            (format!(r#"{{"Statement": {{{statement}, "Principal": "everyone"}}}}"#), |e| {
                matches!(e, PolicyError::InvalidPrincipal { .. })
            }),
            (format!(r#"{{"Statement": {{{statement}, "Principal": {{}}}}}}"#), |e| {
                matches!(e, PolicyError::Empty { .. })
            }),
            (format!(r#"{{"Statement": {{{statement}, "Condition": []}}}}"#), |e| {
                matches!(e, PolicyError::WrongType { .. })
            }),
            (
                format!(r#"{{"Statement": {{{statement}, "Condition": {{"StringEquals": {{"aud": "x"}}}}}}}}"#),
                |e| matches!(e, PolicyError::InvalidConditionKey { .. }),
            ),
            (
                format!(r#"{{"Statement": {{{statement}, "Condition": {{"StringEquals": {{"SAML:aud": null}}}}}}}}"#),
                |e| matches!(e, PolicyError::InvalidConditionValue { found: "null", .. }),
            ),
            (
                format!(r#"{{"Statement": {{{statement}, "Condition": {{"StringEquals": {{"SAML:aud": []}}}}}}}}"#),
                |e| matches!(e, PolicyError::Empty { .. }),
            ),
            (
                format!(
                    r#"{{"Statement": {{{statement}, "Condition": {{"Bool": {{"aws:x": "true", "aws:x": "false"}}}}}}}}"#
                ),
                |e| matches!(e, PolicyError::DuplicateKey { key, .. } if key == "aws:x"),
            ),
            (
                format!(r#"{{"Statement": [{{"Sid": "A", {statement}}}, {{"Sid": "A", {statement}}}]}}"#),
                |e| matches!(e, PolicyError::DuplicateSid { first: 0, second: 1, .. }),
            ),
        ];
        for (json, expected) in &cases {
            let error = refuse(json);
            assert!(expected(&error), "{json}\n gave {error:?}");
        }
    }

    #[test]
    fn error_messages_say_where() {
        let error = refuse(
            r#"{"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "Allow", "Action": ["sts:*", "x"]}]}"#,
        );
        assert!(
            error
                .to_string()
                .starts_with(r#"Statement[1].Action[1]: "x" is not an action"#),
            "{error}"
        );
        let error = refuse(r#"{"Statement": {"Effect": "Permit", "Action": "*"}}"#);
        assert_eq!(
            error.to_string(),
            r#"Statement.Effect: invalid effect "Permit" (must be "Allow" or "Deny")"#
        );
        let error = refuse(r#"{"Statement": {"Effect": "Allow", "action": "*"}}"#);
        assert_eq!(
            error.to_string(),
            r#"Statement: unknown element "action" (did you mean Action?)"#
        );
    }

    #[test]
    fn principal_and_resource_may_be_absent() {
        // A permission policy has no Principal, a trust policy no Resource.
        let permission = parse(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
        );
        assert!(!permission.statements()[0].has_principal());
        assert!(permission.statements()[0].has_resource());
        let trust = parse(TRUST);
        assert!(trust.statements()[0].has_principal());
        assert!(!trust.statements()[0].has_resource());
        assert_eq!(trust.statements()[0].effect(), Effect::Allow);
        assert_eq!(trust.version(), Version::V2012_10_17);
        assert_eq!(
            parse(SCP_DENY_EU_WEST_1).statements()[1].sid(),
            Some("DenySamlInIreland")
        );
    }

    #[test]
    fn json_scalars_are_condition_values() {
        let policy = parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "*",
                "Condition": {"Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"s3:max-keys": 10}}}}"#,
        );
        let context = Context::new()
            .with("aws:securetransport", "true")
            .with("s3:max-keys", "9");
        assert!(decide(&policy, "s3:ListBucket", None, &context).is_allow());
    }

    // --- Version and policy variables ------------------------------------------------

    #[test]
    fn without_version_policy_variables_are_literal_text() {
        let template =
            format!("arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE}/user/${{aws:userid}}");
        let policy = parse(&format!(
            r#"{{"Statement": {{"Effect": "Allow", "Action": "connect:GetFederationToken", "Resource": "{template}"}}}}"#
        ));
        assert_eq!(policy.version(), Version::V2008_10_17);
        assert_eq!(
            federation_token(&policy, INSTANCE, USER_ID),
            Decision::ImplicitDeny
        );
        // The literal text itself is what matches.
        let context = Context::new().with("aws:userid", USER_ID);
        assert!(
            decide(
                &policy,
                "connect:GetFederationToken",
                Some(&template),
                &context
            )
            .is_allow()
        );

        let old = parse(&format!(
            r#"{{"Version": "2008-10-17", "Statement": {{"Effect": "Allow", "Action": "connect:GetFederationToken", "Resource": "{template}"}}}}"#
        ));
        assert_eq!(
            federation_token(&old, INSTANCE, USER_ID),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn policy_variables_in_condition_values() {
        let policy = parse(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket",
                "Resource": "arn:aws:s3:::bucket",
                "Condition": {"StringLike": {"s3:prefix": ["home/${saml:sub}/*"]}}}}"#,
        );
        let alice = Context::new()
            .with("saml:sub", "alice")
            .with("s3:prefix", "home/alice/docs");
        let bob = Context::new()
            .with("saml:sub", "bob")
            .with("s3:prefix", "home/alice/docs");
        let resource = Some("arn:aws:s3:::bucket");
        assert!(decide(&policy, "s3:ListBucket", resource, &alice).is_allow());
        assert_eq!(
            decide(&policy, "s3:ListBucket", resource, &bob),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn substituted_values_are_literal_not_wildcards() {
        let policy = parse(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::bucket/${aws:username}/file"}}"#,
        );
        let star = Context::new().with("aws:username", "*");
        assert_eq!(
            decide(
                &policy,
                "s3:GetObject",
                Some("arn:aws:s3:::bucket/alice/file"),
                &star
            ),
            Decision::ImplicitDeny
        );
        assert!(
            decide(
                &policy,
                "s3:GetObject",
                Some("arn:aws:s3:::bucket/*/file"),
                &star
            )
            .is_allow()
        );
    }

    #[test]
    fn escapes_and_default_values() {
        let policy = parse(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*",
                "Condition": {
                    "StringLike": {"aws:x": "a${*}b${?}c${$}d*"},
                    "StringEquals": {"aws:y": "${aws:userid, 'anonymous'}", "aws:z": "${aws:username, 'it''s'}"}
                }}}"#,
        );
        let base = Context::new()
            .with("aws:x", "a*b?c$d-more")
            .with("aws:z", "it's");
        let anonymous = base.clone().with("aws:y", "anonymous");
        assert!(decide(&policy, "s3:Get", None, &anonymous).is_allow());
        let known = base
            .clone()
            .with("aws:y", "AROA:x")
            .with("aws:userid", "AROA:x");
        assert!(decide(&policy, "s3:Get", None, &known).is_allow());
        // `${*}` is a literal star, not a wildcard.
        let wildcard = anonymous.clone().with("aws:x", "aXbYc$d");
        assert_eq!(
            decide(&policy, "s3:Get", None, &wildcard),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn unresolved_variables_match_nothing() {
        let policy = parse(
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:A", "Condition": {"StringEquals": {"aws:x": "${aws:username}"}}},
                {"Effect": "Allow", "Action": "s3:B", "Condition": {"StringNotEquals": {"aws:x": "${aws:username}"}}}
            ]}"#,
        );
        let context = Context::new().with("aws:x", "");
        assert_eq!(
            decide(&policy, "s3:A", None, &context),
            Decision::ImplicitDeny
        );
        // A value that matches nothing leaves a negated operator true.
        assert!(decide(&policy, "s3:B", None, &context).is_allow());
        // A multivalued key is not a usable variable.
        let multi = Context::new()
            .with("aws:x", "a")
            .with_values("aws:username", ["a", "b"]);
        assert_eq!(
            decide(&policy, "s3:A", None, &multi),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn malformed_variables_are_literal() {
        let text = |raw: &str| {
            Template::parse(raw, true)
                .resolve(&Context::new())
                .map(|t| as_text(&t))
        };
        assert_eq!(text("a${b").as_deref(), Some("a${b"));
        assert_eq!(text("${}").as_deref(), Some("${}"));
        assert_eq!(
            text("${x, 'unterminated}").as_deref(),
            Some("${x, 'unterminated}")
        );
        assert_eq!(text("${x, 'default'}").as_deref(), Some("default"));
        assert_eq!(text("${x}"), None);
    }

    // --- Wildcards ------------------------------------------------------------

    fn allows(policy: &Policy, action: &str, resource: &str) -> bool {
        decide(policy, action, Some(resource), &Context::new()).is_allow()
    }

    #[test]
    fn action_wildcards_ignore_case() {
        let policy =
            parse(r#"{"Statement": {"Effect": "Allow", "Action": "connect:*", "Resource": "*"}}"#);
        assert!(allows(&policy, "connect:GetFederationToken", "x"));
        assert!(allows(&policy, "CONNECT:getfederationtoken", "x"));
        assert!(!allows(&policy, "connectcampaigns:StartCampaign", "x"));
        assert!(!allows(&policy, "sts:AssumeRoleWithSAML", "x"));

        let policy = parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "STS:AssumeRoleWith????", "Resource": "*"}}"#,
        );
        assert!(allows(&policy, "sts:AssumeRoleWithSAML", "x"));
        assert!(!allows(&policy, "sts:AssumeRoleWithWebIdentity", "x"));
    }

    #[test]
    fn resource_wildcards_stay_in_their_segment() {
        let policy = parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:connect:*:*:instance/*"}}"#,
        );
        let user = connect_user(INSTANCE, USER_ID);
        assert!(allows(&policy, "connect:GetFederationToken", &user));
        assert!(allows(
            &policy,
            "connect:X",
            "arn:aws:connect:eu-west-2:210987654321:instance/abc"
        ));
        // Resources are case-sensitive.
        assert!(!allows(
            &policy,
            "connect:X",
            "arn:aws:connect:us-east-1:123456789012:Instance/abc"
        ));
        assert!(!allows(
            &policy,
            "connect:X",
            "arn:aws:sts::123456789012:instance/abc"
        ));

        // A `*` inside a segment does not run past a colon; one ending a segment does.
        let policy = parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:*3:::b"}}"#,
        );
        assert!(allows(&policy, "s3:X", "arn:aws:s3:::b"));
        assert!(!allows(&policy, "s3:X", "arn:aws:x:s3:::b"));
        let policy = parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s*:::b"}}"#,
        );
        assert!(allows(&policy, "s3:X", "arn:aws:s3:::b"));
        assert!(allows(&policy, "s3:X", "arn:aws:s3:x:::b"));
        let policy = parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:logs:*"}}"#,
        );
        assert!(allows(
            &policy,
            "logs:X",
            "arn:aws:logs:us-east-1:123456789012:log-group:g:*"
        ));

        let policy = parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b?"}}"#,
        );
        assert!(allows(&policy, "s3:X", "arn:aws:s3:::b1"));
        assert!(!allows(&policy, "s3:X", "arn:aws:s3:::b"));
        assert!(!allows(&policy, "s3:X", "arn:aws:s3:::b12"));
    }

    #[test]
    fn not_action_and_not_resource_cover_everything_else() {
        let policy = parse(
            r#"{"Statement": {"Effect": "Deny", "NotAction": ["sts:*", "connect:Get*"], "NotResource": "arn:aws:s3:::safe/*"}}"#,
        );
        let context = Context::new();
        let denied = |action, resource| {
            decide(&policy, action, Some(resource), &context) != Decision::ImplicitDeny
        };
        assert!(denied("s3:PutObject", "arn:aws:s3:::other/key"));
        assert!(!denied("s3:PutObject", "arn:aws:s3:::safe/key"));
        assert!(!denied("sts:AssumeRoleWithSAML", "arn:aws:s3:::other/key"));
        assert!(!denied(
            "connect:GetFederationToken",
            "arn:aws:s3:::other/key"
        ));
        assert!(denied("connect:ListUsers", "arn:aws:s3:::other/key"));
    }

    #[test]
    fn a_request_without_resource_needs_a_star() {
        let star = parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#);
        let arn = parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::*"}}"#,
        );
        let context = Context::new();
        assert!(decide(&star, "sts:GetCallerIdentity", None, &context).is_allow());
        assert_eq!(
            decide(&arn, "sts:GetCallerIdentity", None, &context),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn glob_edge_cases() {
        let tokens = |s: &str| Template::parse(s, false).literal_tokens();
        assert!(glob(&tokens(""), "", Wildcards::Anywhere));
        assert!(glob(&tokens("*"), "", Wildcards::Anywhere));
        assert!(!glob(&tokens("?"), "", Wildcards::Anywhere));
        assert!(glob(&tokens("a*b*c"), "aXXbYYc", Wildcards::Anywhere));
        assert!(!glob(&tokens("a*b*c"), "aXXbYY", Wildcards::Anywhere));
        assert!(glob(&tokens("é?"), "éü", Wildcards::Anywhere));
        // Many stars against a long near-miss stay fast (quadratic, not exponential).
        let pattern = tokens(&"*a".repeat(200));
        assert!(!glob(&pattern, &"a".repeat(199), Wildcards::Anywhere));
    }

    // --- Principals --------------------------------------------------------------

    #[test]
    fn aws_principals_cover_their_account_and_role_sessions() {
        let by = |principal: &str| {
            parse(&format!(
                r#"{{"Statement": {{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {{"AWS": ["{principal}"]}}}}}}"#
            ))
        };
        let asks = |policy: &Policy, who: &str| {
            let context = Context::new();
            policy
                .evaluate(&Request {
                    action: "sts:AssumeRole",
                    resource: None,
                    principal: Some(Principal::Aws(who)),
                    context: &context,
                })
                .is_allow()
        };
        let session = "arn:aws:sts::123456789012:assumed-role/ExampleRole/alice";
        assert!(asks(&by(ACCOUNT), ROLE));
        assert!(asks(&by("arn:aws:iam::123456789012:root"), session));
        assert!(!asks(&by("arn:aws:iam::210987654321:root"), session));
        assert!(asks(&by(ROLE), session));
        assert!(asks(
            &by("arn:aws:iam::123456789012:role/path/ExampleRole"),
            session
        ));
        assert!(!asks(
            &by("arn:aws:iam::123456789012:role/OtherRole"),
            session
        ));
        assert!(asks(&by("*"), session));
    }

    #[test]
    fn principal_star_and_not_principal() {
        let anyone =
            parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*"}}"#);
        let any_federated = parse(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Principal": {"Federated": "*"}}}"#,
        );
        let all_but = parse(&format!(
            r#"{{"Statement": {{"Effect": "Allow", "Action": "*", "NotPrincipal": {{"Federated": "{PROVIDER}"}}}}}}"#
        ));
        let context = Context::new();
        let ask = |policy: &Policy, principal| {
            policy
                .evaluate(&Request {
                    action: "sts:AssumeRoleWithSAML",
                    resource: None,
                    principal,
                    context: &context,
                })
                .is_allow()
        };
        assert!(ask(
            &anyone,
            Some(Principal::Service("connect.amazonaws.com"))
        ));
        assert!(ask(&anyone, None));
        assert!(ask(&any_federated, Some(Principal::Federated(PROVIDER))));
        assert!(!ask(&any_federated, Some(Principal::Aws(ROLE))));
        assert!(!ask(&all_but, Some(Principal::Federated(PROVIDER))));
        let other = "arn:aws:iam::123456789012:saml-provider/Other";
        assert!(ask(&all_but, Some(Principal::Federated(other))));
    }

    // --- Conditions ---------------------------------------------------------------

    fn condition_holds(condition: &str, context: &Context) -> bool {
        let policy = parse(&format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "*", "Condition": {condition}}}}}"#
        ));
        decide(&policy, "s3:GetObject", None, context).is_allow()
    }

    #[test]
    fn keys_are_case_insensitive_values_case_sensitive() {
        let context = Context::new().with("AWS:RequestedRegion", "us-east-1");
        assert_eq!(
            context.get("aws:requestedregion"),
            Some(&["us-east-1".to_owned()][..])
        );
        for (condition, holds) in [
            (
                r#"{"StringEquals": {"aws:requestedRegion": "us-east-1"}}"#,
                true,
            ),
            (
                r#"{"StringEquals": {"aws:RequestedRegion": "US-EAST-1"}}"#,
                false,
            ),
            (
                r#"{"StringEqualsIgnoreCase": {"aws:RequestedRegion": "US-EAST-1"}}"#,
                true,
            ),
            (
                r#"{"StringNotEqualsIgnoreCase": {"aws:RequestedRegion": "US-EAST-1"}}"#,
                false,
            ),
            // StringEquals has no wildcards.
            (
                r#"{"StringEquals": {"aws:RequestedRegion": "us-*"}}"#,
                false,
            ),
            (r#"{"StringLike": {"aws:RequestedRegion": "us-*"}}"#, true),
            (
                r#"{"StringLike": {"aws:RequestedRegion": "us-east-?"}}"#,
                true,
            ),
            (
                r#"{"StringNotLike": {"aws:RequestedRegion": "us-*"}}"#,
                false,
            ),
        ] {
            assert_eq!(condition_holds(condition, &context), holds, "{condition}");
        }
    }

    #[test]
    fn keys_are_anded_values_ored_negations_nored() {
        let context = Context::new().with("aws:a", "1").with("aws:b", "2");
        for (condition, holds) in [
            (
                r#"{"StringEquals": {"aws:a": ["0", "1"], "aws:b": "2"}}"#,
                true,
            ),
            (r#"{"StringEquals": {"aws:a": "1", "aws:b": "3"}}"#, false),
            (
                r#"{"StringEquals": {"aws:a": "1"}, "StringLike": {"aws:b": "3*"}}"#,
                false,
            ),
            (r#"{"StringNotEquals": {"aws:a": ["0", "1"]}}"#, false),
            (r#"{"StringNotEquals": {"aws:a": ["0", "5"]}}"#, true),
        ] {
            assert_eq!(condition_holds(condition, &context), holds, "{condition}");
        }
    }

    #[test]
    fn a_missing_key_fails_positive_operators_and_passes_negated_ones() {
        let empty = Context::new();
        for (condition, holds) in [
            (r#"{"StringEquals": {"aws:missing": "x"}}"#, false),
            (r#"{"ArnLike": {"aws:SourceArn": "arn:*"}}"#, false),
            (r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#, false),
            (r#"{"StringNotEquals": {"aws:missing": "x"}}"#, true),
            (r#"{"StringNotLike": {"aws:missing": "x"}}"#, true),
            (r#"{"ArnNotLike": {"aws:SourceArn": "arn:*"}}"#, true),
            (r#"{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#, true),
        ] {
            assert_eq!(condition_holds(condition, &empty), holds, "{condition}");
        }
        // A key with no values counts as missing.
        let no_values = Context::new().with_values("aws:missing", Vec::<String>::new());
        assert!(!condition_holds(
            r#"{"StringEquals": {"aws:missing": "x"}}"#,
            &no_values
        ));
    }

    #[test]
    fn if_exists_passes_missing_keys_only() {
        let missing = Context::new();
        let matching = Context::new().with("ec2:InstanceType", "t2.micro");
        let other = Context::new().with("ec2:InstanceType", "m5.large");
        let condition = r#"{"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*"]}}"#;
        assert!(condition_holds(condition, &missing));
        assert!(condition_holds(condition, &matching));
        assert!(!condition_holds(condition, &other));
        let negated = r#"{"StringNotEqualsIfExists": {"ec2:InstanceType": "t2.micro"}}"#;
        assert!(condition_holds(negated, &missing));
        assert!(!condition_holds(negated, &matching));
        assert!(condition_holds(negated, &other));
    }

    #[test]
    fn set_operators() {
        let any = r#"{"ForAnyValue:StringLike": {"aws:TagKeys": ["ID", "PostDate*"]}}"#;
        let all =
            r#"{"ForAllValues:StringLike": {"aws:TagKeys": ["PostDateTime", "Message", "Tags"]}}"#;
        let some = Context::new().with_values("aws:TagKeys", ["UserName", "PostDateTime"]);
        let listed = Context::new().with_values("aws:TagKeys", ["Message", "PostDateTime"]);
        let user_name = Context::new().with_values("aws:TagKeys", ["UserName"]);
        let none = Context::new();
        assert!(condition_holds(any, &some));
        assert!(!condition_holds(any, &user_name));
        assert!(!condition_holds(all, &some));
        assert!(condition_holds(all, &listed));
        // A missing key: ForAllValues holds, ForAnyValue does not.
        assert!(condition_holds(all, &none));
        assert!(!condition_holds(any, &none));
        // Negated set operators decide each request value against all policy values.
        let none_forbidden =
            r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["ID", "UserName"]}}"#;
        assert!(!condition_holds(none_forbidden, &some));
        assert!(condition_holds(none_forbidden, &listed));
        let one_other = r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["UserName"]}}"#;
        assert!(condition_holds(one_other, &some));
        assert!(!condition_holds(one_other, &user_name));
    }

    #[test]
    fn null_tests_presence() {
        let temporary = Context::new().with("aws:TokenIssueTime", "2024-01-01T00:00:00Z");
        let long_term = Context::new();
        let absent = r#"{"Null": {"aws:TokenIssueTime": "true"}}"#;
        let present = r#"{"Null": {"aws:TokenIssueTime": false}}"#;
        assert!(condition_holds(absent, &long_term));
        assert!(!condition_holds(absent, &temporary));
        assert!(condition_holds(present, &temporary));
        assert!(!condition_holds(present, &long_term));
    }

    #[test]
    fn bool_matches_true_and_false() {
        let https = Context::new().with("aws:SecureTransport", "true");
        let http = Context::new().with("aws:SecureTransport", "false");
        let condition = r#"{"Bool": {"aws:SecureTransport": "false"}}"#;
        assert!(!condition_holds(condition, &https));
        assert!(condition_holds(condition, &http));
        assert!(!condition_holds(condition, &Context::new()));
        let if_exists = r#"{"BoolIfExists": {"aws:SecureTransport": "false"}}"#;
        assert!(condition_holds(if_exists, &Context::new()));
        assert!(!condition_holds(if_exists, &https));
        assert!(condition_holds(
            r#"{"Bool": {"aws:SecureTransport": true}}"#,
            &https
        ));
    }

    #[test]
    fn arn_operators_compare_segment_by_segment() {
        // The user guide's own example: StringLike matches, ArnLike does not.
        let context = Context::new().with(
            "aws:SourceArn",
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        );
        let pattern = "arn:aws:someservice:*:111122223333:finance/*";
        let with =
            |operator: &str| format!(r#"{{"{operator}": {{"aws:SourceArn": "{pattern}"}}}}"#);
        assert!(condition_holds(&with("StringLike"), &context));
        assert!(!condition_holds(&with("ArnLike"), &context));
        assert!(condition_holds(&with("ArnNotLike"), &context));

        let provider = Context::new().with("aws:SourceArn", PROVIDER);
        let not_an_arn = Context::new().with("aws:SourceArn", "not-an-arn");
        let like_providers = r#"{"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:saml-provider/*"}}"#;
        assert!(condition_holds(like_providers, &provider));
        assert!(!condition_holds(like_providers, &not_an_arn));
        let equals = format!(r#"{{"ArnEquals": {{"aws:SourceArn": "{PROVIDER}"}}}}"#);
        assert!(condition_holds(&equals, &provider));
        let short = r#"{"ArnEquals": {"aws:SourceArn": "arn:aws:iam::123456789012"}}"#;
        assert!(!condition_holds(short, &provider));
        let wrong_case = r#"{"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:SAML-provider/*"}}"#;
        assert!(!condition_holds(wrong_case, &provider));
    }

    #[test]
    fn numeric_date_ip_and_binary_operators() {
        let context = Context::new()
            .with("s3:max-keys", "10")
            .with("aws:CurrentTime", "2024-06-01T12:00:00Z")
            .with("aws:EpochTime", "1717243200")
            .with("aws:SourceIp", "203.0.113.7")
            .with("aws:SourceIpV6", "2001:db8:1234:5678::1")
            .with("aws:Blob", "QmluYXJ5");
        for (condition, holds) in [
            (r#"{"NumericLessThanEquals": {"s3:max-keys": "10"}}"#, true),
            (r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#, false),
            (r#"{"NumericGreaterThan": {"s3:max-keys": 9.5}}"#, true),
            (
                r#"{"NumericNotEquals": {"s3:max-keys": ["10", "11"]}}"#,
                false,
            ),
            (r#"{"NumericEquals": {"s3:max-keys": "ten"}}"#, false),
            (
                r#"{"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}"#,
                true,
            ),
            (
                r#"{"DateLessThan": {"aws:CurrentTime": "2024-06-01"}}"#,
                false,
            ),
            (
                r#"{"DateEquals": {"aws:CurrentTime": "2024-06-01T14:00:00+02:00"}}"#,
                true,
            ),
            (
                r#"{"DateEquals": {"aws:EpochTime": "2024-06-01T12:00:00.000Z"}}"#,
                true,
            ),
            (
                r#"{"DateLessThanEquals": {"aws:EpochTime": "1717243200"}}"#,
                true,
            ),
            (
                r#"{"DateNotEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}}"#,
                false,
            ),
            (r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, true),
            (
                r#"{"IpAddress": {"aws:SourceIp": "203.0.114.0/24"}}"#,
                false,
            ),
            (r#"{"IpAddress": {"aws:SourceIp": "203.0.113.7"}}"#, true),
            (r#"{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#, true),
            (
                r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}"#,
                false,
            ),
            (
                r#"{"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}"#,
                true,
            ),
            (
                r#"{"IpAddress": {"aws:SourceIpV6": "2001:DB8:1234:5678::/64"}}"#,
                true,
            ),
            (
                r#"{"IpAddress": {"aws:SourceIpV6": "203.0.113.0/24"}}"#,
                false,
            ),
            (r#"{"BinaryEquals": {"aws:Blob": "QmluYXJ5"}}"#, true),
            (r#"{"BinaryEquals": {"aws:Blob": "QmluYXJZ"}}"#, false),
        ] {
            assert_eq!(condition_holds(condition, &context), holds, "{condition}");
        }
    }

    #[test]
    fn dates_parse() {
        let seconds = |s| parse_date(s).map(|n| n / 1_000_000_000);
        assert_eq!(seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(seconds("2000-03-01"), Some(951_868_800));
        assert_eq!(seconds("2024-06-01T12:00Z"), Some(1_717_243_200));
        assert_eq!(seconds("1717243200"), Some(1_717_243_200));
        assert_eq!(seconds("1969-12-31T23:59:59Z"), Some(-1));
        for bad in [
            "",
            "2024-13-01",
            "2024-06-01T25:00:00Z",
            "2024-06-01T12",
            "June",
            "99999999999999999999999",
            "2024-06-01T12:00:00Zjunk",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    // --- Robustness -------------------------------------------------------------------

    /// Parses `json` and, if accepted, evaluates requests against it; neither may panic.
    fn exercise(json: &str) {
        if let Ok(policy) = Policy::parse(json) {
            let context = saml_context(GLOBAL_AUDIENCE, "eu-west-1").with("aws:userid", USER_ID);
            for principal in [
                Some(Principal::Federated(PROVIDER)),
                Some(Principal::Aws(ROLE)),
                None,
            ] {
                let request = Request {
                    principal,
                    ..assume_request(Principal::Federated(PROVIDER), &context)
                };
                let _ = policy.evaluate(&request);
                let _ = evaluate_all(&[&policy, &policy], &request);
            }
        }
    }

    #[test]
    fn no_prefix_or_mutation_of_a_valid_policy_panics() {
        let policies = [TRUST, TRUST_REGIONAL, SCP_DENY_EU_WEST_1];
        for valid in policies {
            for (end, _) in valid.char_indices() {
                exercise(&valid[..end]);
            }
        }
        // Deterministic random edits (xorshift), with the characters that matter most.
        let alphabet = br#"{}[]":,*?$\ 'aAzZ09-_.${}"#;
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for valid in policies {
            for _ in 0..2_000 {
                let mut bytes = valid.as_bytes().to_vec();
                for _ in 0..(next() % 4 + 1) {
                    let at = (next() % bytes.len() as u64) as usize;
                    let byte = alphabet[(next() % alphabet.len() as u64) as usize];
                    match next() % 3 {
                        0 => bytes[at] = byte,
                        1 => bytes.insert(at, byte),
                        _ => {
                            bytes.remove(at);
                        }
                    }
                }
                exercise(&String::from_utf8_lossy(&bytes));
            }
        }
    }

    #[test]
    fn hostile_documents_do_not_panic() {
        exercise(&"[".repeat(10_000));
        exercise(&format!(r#"{{"Statement": {}"#, "{\"a\":".repeat(5_000)));
        exercise(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:${",
                "Condition": {"StringLike": {"SAML:aud": "${${${}}}"}}}}"#,
        );
        exercise(
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {
                "DateEquals": {"SAML:aud": "9999-99-99T99:99:99+99:99"},
                "IpAddress": {"SAML:aud": "1.2.3.4/4294967295"}}}}"#,
        );
        exercise(&format!(
            r#"{{"Statement": {{"Effect": "Allow", "Action": "*", "Condition": {{"{}": {{"aws:x": "1"}}}}}}}}"#,
            "X".repeat(100_000)
        ));
    }
}
