//! A policy document and its statements: parsing the grammar and deciding a
//! request (reference_policies_grammar, reference_policies_evaluation-logic).

use super::*;

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
    pub(super) fn applies(&self, request: &Request) -> bool {
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

    pub(super) fn parse(
        json: &Json,
        path: &str,
        variables: bool,
    ) -> Result<Statement, PolicyError> {
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
pub(super) fn claim<'j>(
    seen: &mut Option<&'j str>,
    name: &'j str,
    path: &str,
) -> Result<(), PolicyError> {
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
pub(super) enum Matcher<T> {
    Listed(Vec<T>),
    AllBut(Vec<T>),
}

impl<T> Matcher<T> {
    pub(super) fn new(except: bool, items: Vec<T>) -> Self {
        if except {
            Matcher::AllBut(items)
        } else {
            Matcher::Listed(items)
        }
    }

    pub(super) fn matches(&self, matches: impl Fn(&T) -> bool) -> bool {
        match self {
            Matcher::Listed(items) => items.iter().any(matches),
            Matcher::AllBut(items) => !items.iter().any(matches),
        }
    }
}
