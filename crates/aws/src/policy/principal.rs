//! Principals (reference_policies_elements_principal).

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PrincipalKind {
    Aws,
    Federated,
    Service,
    CanonicalUser,
}

#[derive(Debug, Clone)]
pub(super) enum PrincipalPattern {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous requests included.
    Anyone,
    /// `{"Federated": "*"}` and the like: any principal of that kind.
    AnyOf(PrincipalKind),
    Exact(PrincipalKind, String),
}

impl Principal<'_> {
    pub(super) fn kind(&self) -> PrincipalKind {
        match self {
            Principal::Aws(_) => PrincipalKind::Aws,
            Principal::Federated(_) => PrincipalKind::Federated,
            Principal::Service(_) => PrincipalKind::Service,
            Principal::CanonicalUser(_) => PrincipalKind::CanonicalUser,
        }
    }

    pub(super) fn value(&self) -> &str {
        match self {
            Principal::Aws(v)
            | Principal::Federated(v)
            | Principal::Service(v)
            | Principal::CanonicalUser(v) => v,
        }
    }
}

impl PrincipalPattern {
    pub(super) fn matches(&self, principal: Option<Principal>) -> bool {
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

pub(super) fn parse_principal(
    json: &Json,
    path: &str,
) -> Result<Vec<PrincipalPattern>, PolicyError> {
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
pub(super) fn aws_principal_matches(pattern: &str, principal: &str) -> bool {
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

pub(super) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The account a principal of the form `123456789012` or `arn:<p>:iam::<account>:root` names.
pub(super) fn account_principal(pattern: &str) -> Option<&str> {
    if is_account_id(pattern) {
        return Some(pattern);
    }
    match pattern.splitn(6, ':').collect::<Vec<_>>()[..] {
        ["arn", _, "iam", _, account, "root"] => Some(account),
        _ => None,
    }
}

/// The account field of an ARN.
pub(super) fn arn_account(arn: &str) -> Option<&str> {
    match arn.splitn(6, ':').collect::<Vec<_>>()[..] {
        ["arn", _, _, _, account, _] => Some(account),
        _ => None,
    }
}

/// `(partition, account, role name)` of `arn:<p>:iam::<account>:role/<path/>name`.
pub(super) fn role_of(arn: &str) -> Option<(&str, &str, &str)> {
    let ["arn", partition, "iam", _, account, resource] =
        arn.splitn(6, ':').collect::<Vec<_>>()[..]
    else {
        return None;
    };
    let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
    Some((partition, account, name))
}

/// `(partition, account, role name)` of `arn:<p>:sts::<account>:assumed-role/<name>/<session>`.
pub(super) fn session_role_of(arn: &str) -> Option<(&str, &str, &str)> {
    let ["arn", partition, "sts", _, account, resource] =
        arn.splitn(6, ':').collect::<Vec<_>>()[..]
    else {
        return None;
    };
    let (name, _session) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
    Some((partition, account, name))
}
