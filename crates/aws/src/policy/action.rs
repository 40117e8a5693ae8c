//! Actions and resources (reference_policies_elements_action, _resource).

use super::*;

pub(super) fn parse_actions(json: &Json, path: &str) -> Result<Vec<Vec<Token>>, PolicyError> {
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

pub(super) fn parse_resources(
    json: &Json,
    path: &str,
    variables: bool,
) -> Result<Vec<Template>, PolicyError> {
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
pub(super) fn resource_matches(
    pattern: &Template,
    resource: Option<&str>,
    context: &Context,
) -> bool {
    let Some(tokens) = pattern.resolve(context) else {
        return false;
    };
    match resource {
        Some(resource) => glob(&tokens, resource, Wildcards::WithinArnSegments),
        // An action without a resource is granted with `"Resource": "*"`.
        None => !tokens.is_empty() && tokens.iter().all(|t| *t == Token::Star),
    }
}
