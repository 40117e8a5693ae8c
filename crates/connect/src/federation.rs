//! `https://<region>.console.aws.amazon.com/connect/federate/<instance-id>` (C6,
//! C14, C22): reached with the console session the sign-in endpoint opened, it
//! performs GetFederationToken for the caller's role session and signs the user in
//! to the instance, landing on the RelayState's `destination` (C20, C21).

use samlsim_aws::endpoints::console_region;
use samlsim_aws::policy::{Context, Decision, Request as PolicyRequest, evaluate_all};
use samlsim_aws::state::RoleSession;
use samlsim_saml::DateTime;
use samlsim_service::http::{StatusCode, decode_component};
use samlsim_service::{NewEvent, Refusal, Request, Response};

use crate::model::{Instance, Page, User};
use crate::rules::{ConnectRefusal, ConnectRule, internal};
use crate::{Connect, SERVICE};

pub(crate) fn federate(
    connect: &Connect,
    request: &Request,
    host: &str,
    instance_id: &str,
) -> Response {
    let instance_id = instance_id.trim_end_matches('/');
    match sign_in(connect, request, host, instance_id) {
        Ok(response) => response,
        Err(refusal) if refusal.rule == ConnectRule::NoConsoleSession => {
            connect.expire(request, "federate", instance_id, refusal)
        }
        Err(refusal) => connect.deny(request, "federate", refusal),
    }
}

fn sign_in(
    connect: &Connect,
    request: &Request,
    host: &str,
    instance_id: &str,
) -> Result<Response, ConnectRefusal> {
    // The router only sends console hosts here.
    let region = console_region(host).unwrap_or_default();
    let session = connect
        .aws
        .console_session(request)
        .map_err(|e| internal(&e))?
        .ok_or_else(|| {
            Refusal::new(ConnectRule::NoConsoleSession)
                .at_step("C6")
                .context(serde_json::json!({ "instance": instance_id }))
        })?;
    let instance = match connect
        .model
        .instance(instance_id)
        .map_err(|e| internal(&e))?
    {
        Some(instance) if instance.region == region => instance,
        found => {
            let why = match found {
                Some(other) => format!(
                    "Instance {instance_id} is in {}, but this federation URL is for {region}: the RelayState must name the instance's own region (C19).",
                    other.region
                ),
                None => format!("There is no Amazon Connect instance {instance_id} in {region}."),
            };
            return Err(Refusal::new(ConnectRule::InstanceNotFound).because(why));
        }
    };

    if let Some(refusal) = federation_refusal(connect, &session, &instance)? {
        // Added to what the check recorded (the name sent, the one expected).
        return Err(refusal
            .at_step("C6")
            .fact("instance", instance.id.clone())
            .fact("role_session", session.assumed_role_arn()));
    }
    // Checked by federation_refusal: the user exists.
    let user = connect
        .model
        .user(&instance.id, &session.role_session_name)
        .map_err(|e| internal(&e))?
        .ok_or_else(|| internal(&"the Connect user vanished"))?;

    let destination =
        destination(request, &instance, &user).map_err(|refusal| refusal.at_step("C20"))?;

    let now = connect.clock.now();
    let token = connect.ids.token(24);
    let connect_session = connect
        .model
        .start_session(
            &connect.ids.token(32),
            &token,
            &instance.id,
            &user.username,
            &destination,
            now,
        )
        .map_err(|e| internal(&e))?;
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
    Ok(Response::redirect(StatusCode::FOUND, &sign_in))
}

/// GetFederationToken's checks for a role session: the role's permission policies
/// allow `connect:GetFederationToken` on this instance (C10's three forms), and a
/// Connect user named exactly like the RoleSessionName exists (C23, C25). The
/// refusal is the console's (the API words C23 its own way); `Err` is samlsim's
/// own failure.
pub(crate) fn federation_refusal(
    connect: &Connect,
    session: &RoleSession,
    instance: &Instance,
) -> Result<Option<ConnectRefusal>, ConnectRefusal> {
    let Some(role) = connect
        .aws
        .iam()
        .role(&session.role_arn)
        .map_err(|e| internal(&e))?
    else {
        return Ok(Some(Refusal::new(ConnectRule::RoleNotFound).because(
            format!("The role {} no longer exists.", session.role_arn),
        )));
    };
    // Connect has no resource policy: only roles of the instance's own account may
    // federate into it.
    if session.account != instance.account {
        return Ok(Some(Refusal::new(ConnectRule::FederationNotAllowed).because(
            format!(
                "The role session {} is in account {}, but the instance belongs to account {}: federate through a role of the instance's own account.",
                session.assumed_role_arn(),
                session.account,
                instance.account
            ),
        )));
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
        return Ok(Some(Refusal::new(ConnectRule::FederationNotAllowed).because(
            format!(
                "User: {} is not authorized to perform: connect:GetFederationToken on resource: {resource}",
                session.assumed_role_arn()
            ),
        )));
    }
    let user = connect
        .model
        .user(&instance.id, &session.role_session_name)
        .map_err(|e| internal(&e))?;
    match user {
        Some(_) => Ok(None),
        None => {
            let near = connect
                .model
                .users(&instance.id)
                .map_err(|e| internal(&e))?
                .into_iter()
                .find(|u| u.username.eq_ignore_ascii_case(&session.role_session_name));
            let why = match &near {
                Some(user) => format!(
                    "No Connect user is named \"{}\"; \"{}\" differs only in case, and user names are case-sensitive (C23).",
                    session.role_session_name, user.username
                ),
                None => format!(
                    "No Connect user is named \"{}\", the RoleSessionName of this sign-in (C23, C25).",
                    session.role_session_name
                ),
            };
            // actual/expected: the inspector shows the name sent beside the
            // nearest Connect user (JDoe beside jdoe).
            let expected = near.map_or_else(
                || "the name of a user of this Connect instance".to_owned(),
                |user| format!("\"{}\" (exactly, case included)", user.username),
            );
            Ok(Some(
                Refusal::new(ConnectRule::UserNotOnboarded)
                    .because(why)
                    .context(serde_json::json!({
                        "attribute": "RoleSessionName",
                        "actual": session.role_session_name,
                        "expected": expected,
                    })),
            ))
        }
    }
}

/// Where the user lands: the URL-decoded `destination` (C20) if it is a page of the
/// instance the user's security profile allows, or an approved origin (C21).
/// Returns a public URL.
fn destination(
    request: &Request,
    instance: &Instance,
    user: &User,
) -> Result<String, ConnectRefusal> {
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
        let page = Page::from_path(&destination).ok_or_else(|| {
            Refusal::new(ConnectRule::DestinationUnknown).because(format!(
                "\"{destination}\" is not a page of this Amazon Connect instance."
            ))
        })?;
        if !page.allowed_for(&user.security_profiles) {
            return Err(Refusal::new(ConnectRule::DestinationNotPermitted).because(format!(
                    "{} ({}) may not open {} ({destination}): the security profile does not grant it (C20, C27).",
                    user.username,
                    user.security_profiles.join(", "),
                page.title()
            )));
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
    Err(Refusal::new(ConnectRule::DestinationNotApproved).because(format!(
            "\"{destination}\" is outside the instance, and its origin {} is not among the instance's approved origins ({}).",
            origin.as_deref().unwrap_or("(none)"),
            if instance.approved_origins.is_empty() {
                "none".to_owned()
            } else {
                instance.approved_origins.join(", ")
            }
    )))
}

/// `https://host[:port]` of an absolute https URL.
fn origin_of(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("https://{}", authority.to_ascii_lowercase()))
}
