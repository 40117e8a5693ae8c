//! `https://<region>.console.aws.amazon.com/connect/federate/<instance-id>` (C6,
//! C14, C22): reached with the console session the sign-in endpoint opened, it
//! performs GetFederationToken for the caller's role session and signs the user in
//! to the instance, landing on the RelayState's `destination` (C20, C21).

use samlsim_aws::endpoints::console_region;
use samlsim_aws::policy::{Context, Decision, Request as PolicyRequest, evaluate_all};
use samlsim_aws::state::RoleSession;
use samlsim_saml::DateTime;
use samlsim_service::http::{StatusCode, decode_component};
use samlsim_service::{NewEvent, Request, Response};

use crate::model::{Instance, Page, User};
use crate::{Connect, SERVICE, pages};

/// AWS's words when no Connect user matches the RoleSessionName (troubleshoot-saml, C25).
pub(crate) const NOT_ONBOARDED: &str =
    "Your account has been authenticated, but has not been onboarded to this application.";

pub(crate) fn federate(
    connect: &Connect,
    request: &Request,
    host: &str,
    instance_id: &str,
) -> Response {
    let instance_id = instance_id.trim_end_matches('/');
    let region = console_region(host).unwrap_or_default();
    let session = match connect.aws.console_session(request) {
        Ok(Some(session)) => session,
        Ok(None) => {
            connect.record(
                request,
                NewEvent::refused(
                    SERVICE,
                    "federate",
                    "no-console-session",
                    "no AWS console session: sign in at the IdP first",
                )
                .step("C6"),
            );
            return session_expired(
                connect,
                instance_id,
                "no-console-session",
                "This browser has no AWS console session (or it has expired): the sign-in at the IdP and the AWS sign-in endpoint must come first.",
            );
        }
        Err(e) => return internal(&e),
    };
    let instance = match connect.model.instance(instance_id) {
        Ok(Some(instance)) if instance.region == region => instance,
        Ok(found) => {
            let why = match found {
                Some(other) => format!(
                    "Instance {instance_id} is in {}, but this federation URL is for {region}: the RelayState must name the instance's own region (C19).",
                    other.region
                ),
                None => format!("There is no Amazon Connect instance {instance_id} in {region}."),
            };
            connect.record(
                request,
                NewEvent::refused(SERVICE, "federate", "instance-not-found", why.clone())
                    .step("C6"),
            );
            return pages::access_denied(
                StatusCode::NOT_FOUND,
                "instance-not-found",
                "ResourceNotFoundException: the requested instance was not found.",
                &why,
                Some("Check the instance ID and region in the IdP's RelayState (C14, C15)."),
            );
        }
        Err(e) => return internal(&e),
    };

    if let Some(refusal) = federation_refusal(connect, &session, &instance) {
        connect.record(
            request,
            NewEvent::refused(SERVICE, "federate", refusal.rule, refusal.why.clone())
                .step("C6")
                .detail(serde_json::json!({ "instance": instance.id, "role_session": session.assumed_role_arn() })),
        );
        return pages::access_denied(
            StatusCode::FORBIDDEN,
            refusal.rule,
            refusal.message,
            &refusal.why,
            refusal.fix,
        );
    }
    // Checked by federation_refusal: the user exists.
    let user = match connect.model.user(&instance.id, &session.role_session_name) {
        Ok(Some(user)) => user,
        Ok(None) => return internal(&"the Connect user vanished"),
        Err(e) => return internal(&e),
    };

    let destination = match destination(request, &instance, &user) {
        Ok(destination) => destination,
        Err(refusal) => {
            connect.record(
                request,
                NewEvent::refused(SERVICE, "federate", refusal.rule, refusal.why.clone())
                    .step("C20"),
            );
            return pages::access_denied(
                StatusCode::FORBIDDEN,
                refusal.rule,
                refusal.message,
                &refusal.why,
                refusal.fix,
            );
        }
    };

    let now = connect.clock.now();
    let token = connect.ids.token(24);
    let connect_session = match connect.model.start_session(
        &connect.ids.token(32),
        &token,
        &instance.id,
        &user.username,
        &destination,
        now,
    ) {
        Ok(session) => session,
        Err(e) => return internal(&e),
    };
    connect.record(
        request,
        NewEvent::ok(SERVICE, "federate", format!("{} signed in to {}", user.username, instance.alias))
            .step("C6")
            .detail(serde_json::json!({
                "instance": instance.id, "username": user.username, "role_session": session.assumed_role_arn(),
                "destination": destination, "session_expires_at": DateTime::from_unix(connect_session.expires_at).to_string(),
            })),
    );
    // The authentication token travels to the instance's own domain (C5, C29).
    let sign_in = connect.urls.local(&format!(
        "https://{}/auth/sign-in?token={token}",
        instance.host()
    ));
    Response::redirect(StatusCode::FOUND, &sign_in)
}

pub(crate) struct Refusal {
    pub rule: &'static str,
    pub message: &'static str,
    pub why: String,
    pub fix: Option<&'static str>,
}

/// GetFederationToken's checks for a role session: the role's permission policies
/// allow `connect:GetFederationToken` on this instance (C10's three forms), and a
/// Connect user named exactly like the RoleSessionName exists (C23, C25).
pub(crate) fn federation_refusal(
    connect: &Connect,
    session: &RoleSession,
    instance: &Instance,
) -> Option<Refusal> {
    let role = match connect.aws.iam().role(&session.role_arn) {
        Ok(Some(role)) => role,
        _ => {
            return Some(Refusal {
                rule: "role-not-found",
                message: "You are not authorized to access this instance.",
                why: format!("The role {} no longer exists.", session.role_arn),
                fix: None,
            });
        }
    };
    // Connect has no resource policy: only roles of the instance's own account may
    // federate into it.
    if session.account != instance.account {
        return Some(Refusal {
            rule: "federation-not-allowed",
            message: "You are not authorized to access this instance.",
            why: format!(
                "The role session {} is in account {}, but the instance belongs to account {}.",
                session.assumed_role_arn(),
                session.account,
                instance.account
            ),
            fix: Some("Federate through a role of the instance's own account."),
        });
    }
    let user_id = session.user_id();
    let resource = format!("{}/user/{user_id}", instance.arn());
    let context = Context::new()
        .with("aws:userid", user_id.clone())
        .with("aws:username", session.role_session_name.clone())
        .with("connect:InstanceId", instance.id.clone())
        .with("aws:RequestedRegion", instance.region.clone());
    let policies: Vec<_> = role.permission_policies.iter().collect();
    let request = PolicyRequest {
        action: "connect:GetFederationToken",
        resource: Some(&resource),
        principal: None,
        context: &context,
    };
    if !matches!(evaluate_all(&policies, &request), Decision::Allow { .. }) {
        return Some(Refusal {
            rule: "federation-not-allowed",
            message: "You are not authorized to access this instance.",
            why: format!(
                "User: {} is not authorized to perform: connect:GetFederationToken on resource: {resource}",
                session.assumed_role_arn()
            ),
            fix: Some(
                "Give the role a permissions policy allowing connect:GetFederationToken on this instance (C10: the instance's user/${aws:userid} resource, or \"*\" with a connect:InstanceId condition).",
            ),
        });
    }
    match connect.model.user(&instance.id, &session.role_session_name) {
        Ok(Some(_)) => None,
        Ok(None) => {
            let near = connect
                .model
                .users(&instance.id)
                .unwrap_or_default()
                .into_iter()
                .find(|u| u.username.eq_ignore_ascii_case(&session.role_session_name));
            let why = match near {
                Some(user) => format!(
                    "No Connect user is named \"{}\"; \"{}\" differs only in case, and user names are case-sensitive (C23).",
                    session.role_session_name, user.username
                ),
                None => format!(
                    "No Connect user is named \"{}\", the RoleSessionName of this sign-in (C23, C25).",
                    session.role_session_name
                ),
            };
            Some(Refusal {
                rule: "user-not-onboarded",
                message: NOT_ONBOARDED,
                why,
                fix: Some(
                    "Create the Connect user with exactly the RoleSessionName, or send a RoleSessionName equal to the Connect user name.",
                ),
            })
        }
        Err(e) => Some(Refusal {
            rule: "internal-error",
            message: "An internal error occurred.",
            why: e.to_string(),
            fix: None,
        }),
    }
}

/// Where the user lands: the URL-decoded `destination` (C20) if it is a page of the
/// instance the user's security profile allows, or an approved origin (C21).
/// Returns a public URL.
fn destination(request: &Request, instance: &Instance, user: &User) -> Result<String, Refusal> {
    let Some(raw) = request.query_param("destination").filter(|d| !d.is_empty()) else {
        return Ok(format!("https://{}/", instance.host()));
    };
    // The value arrives URL-encoded (it must be, C20) and query_param decoded it.
    // A RelayState nested in an IdP URL is encoded twice (configure-saml), so a
    // value still holding an encoded slash is decoded once more.
    let destination = if raw.contains("%2F") || raw.contains("%2f") {
        decode_component(&raw)
    } else {
        raw
    };
    if destination.starts_with('/') {
        let page = Page::from_path(&destination).ok_or_else(|| Refusal {
            rule: "destination-unknown",
            message: "The destination page was not found.",
            why: format!("\"{destination}\" is not a page of this Amazon Connect instance."),
            fix: Some("Use a page such as /ccp-v2, /ccp-v2/chat or /agent-app-v2 (C20)."),
        })?;
        if !page.allowed_for(&user.security_profiles) {
            return Err(Refusal {
                rule: "destination-not-permitted",
                message: "You do not have permission to view this page.",
                why: format!(
                    "{} ({}) may not open {} ({destination}): the security profile does not grant it (C20, C27).",
                    user.username,
                    user.security_profiles.join(", "),
                    page.title()
                ),
                fix: Some(
                    "Assign a security profile that grants the page, or change the destination.",
                ),
            });
        }
        return Ok(format!("https://{}{}", instance.host(), page.path()));
    }
    // "HTTP is not supported for destination relay URLs. If you specify an HTTP URL,
    // it is automatically transformed to HTTPS." (configure-saml)
    let destination = match destination.strip_prefix("http://") {
        Some(rest) => format!("https://{rest}"),
        None => destination,
    };
    let origin = origin_of(&destination);
    let approved = origin.as_deref().is_some_and(|o| {
        instance
            .approved_origins
            .iter()
            .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(o))
    });
    if approved {
        return Ok(destination);
    }
    Err(Refusal {
        rule: "destination-not-approved",
        message: "The destination is not an approved origin for this instance.",
        why: format!(
            "\"{destination}\" is outside the instance, and its origin {} is not among the instance's approved origins ({}).",
            origin.as_deref().unwrap_or("(none)"),
            if instance.approved_origins.is_empty() {
                "none".to_owned()
            } else {
                instance.approved_origins.join(", ")
            }
        ),
        fix: Some("Add the origin to the instance's approved origins first (C21)."),
    })
}

/// `https://host[:port]` of an absolute https URL.
fn origin_of(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("https://{}", authority.to_ascii_lowercase()))
}

pub(crate) fn session_expired(
    connect: &Connect,
    instance: &str,
    rule: &str,
    why: &str,
) -> Response {
    let portal = connect.urls.absolute("/idp/portal");
    pages::render(
        StatusCode::UNAUTHORIZED,
        &pages::SessionExpired {
            instance,
            rule,
            why,
            portal: Some(&portal),
        },
    )
}

pub(crate) fn internal(error: &dyn std::fmt::Display) -> Response {
    pages::access_denied(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal-error",
        "An internal error occurred.",
        &format!("The mock Connect failed: {error}"),
        None,
    )
}
