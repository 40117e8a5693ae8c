//! The public types of policies and requests, and the parse error.

use super::*;

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
    pub(super) version: Version,
    pub(super) id: Option<String>,
    pub(super) statements: Vec<Statement>,
}

/// One statement of a policy.
#[derive(Debug, Clone)]
pub struct Statement {
    pub(super) sid: Option<String>,
    pub(super) effect: Effect,
    /// `None` when the statement has neither `Principal` nor `NotPrincipal`, as in
    /// permission policies and SCPs: it then applies to whoever makes the request.
    pub(super) principals: Option<Matcher<PrincipalPattern>>,
    pub(super) actions: Matcher<Vec<Token>>,
    /// `None` when the statement has neither `Resource` nor `NotResource`, as in
    /// trust policies: it then applies to any resource.
    pub(super) resources: Option<Matcher<Template>>,
    pub(super) conditions: Vec<Condition>,
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
    pub(super) values: HashMap<String, Vec<String>>,
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

pub(super) fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(" (did you mean {s}?)"))
}
