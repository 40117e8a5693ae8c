//! `GetFederationToken` as the REST API (`GET /user/federate/{InstanceId}` on
//! `connect.<region>.amazonaws.com`; botocore `connect/2017-08-08`), called with
//! the temporary credentials STS issued. The SigV4 signature is not recomputed —
//! the emulator has no secret to protect — but the access key must be one samlsim
//! issued and not expired, which is what tells it which role session is calling.

use samlsim_service::http::{StatusCode, header};
use samlsim_service::{NewEvent, Refusal, Request, Response};

use crate::federation::federation_refusal;
use crate::rules::{ConnectRefusal, ConnectRule, internal};
use crate::{Connect, SERVICE};

const ACTION: &str = "get-federation-token";

pub(crate) fn handle(connect: &Connect, request: &Request, region: &str, rest: &str) -> Response {
    if !rest.starts_with("/user/federate/") {
        return crate::control::handle(connect, request, region, rest);
    }
    match get_federation_token(connect, request, region, rest) {
        Ok(response) => response,
        Err(refusal) => connect
            .recorder
            .refuse(request, ACTION, refusal, |r| r.aws_json()),
    }
}

fn get_federation_token(
    connect: &Connect,
    request: &Request,
    region: &str,
    rest: &str,
) -> Result<Response, ConnectRefusal> {
    let Some(instance_id) = rest
        .strip_prefix("/user/federate/")
        .filter(|id| !id.is_empty() && !id.contains('/'))
    else {
        return Err(Refusal::new(ConnectRule::UnknownOperation)
            .worded(format!("No operation at {} {rest}", request.method)));
    };
    let instance_id = samlsim_service::http::decode_component(instance_id);
    let access_key =
        access_key(request).ok_or_else(|| Refusal::new(ConnectRule::MissingAuthenticationToken))?;
    let now = connect.clock.now();
    let credentials = connect
        .aws
        .state()
        .credentials(&access_key)
        .map_err(|e| internal(&e))?
        .ok_or_else(|| {
            Refusal::new(ConnectRule::UnrecognizedClient).because(format!(
                "No credentials with access key {access_key} were issued."
            ))
        })?;
    let context = serde_json::json!({ "instance": instance_id, "access_key_id": access_key });
    if credentials.session.expires_at <= now {
        return Err(Refusal::new(ConnectRule::ExpiredToken)
            .because(format!(
                "The role session {} ended at {}.",
                credentials.session.assumed_role_arn(),
                samlsim_saml::DateTime::from_unix(credentials.session.expires_at)
            ))
            .context(context));
    }
    // Temporary credentials are only good with their session token.
    let token = request
        .headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok());
    if token != Some(credentials.session_token.as_str()) {
        return Err(Refusal::new(ConnectRule::UnrecognizedClient)
            .because("The request lacks the session token of its temporary credentials.")
            .context(context));
    }
    let instance = match connect
        .model
        .instance(&instance_id)
        .map_err(|e| internal(&e))?
    {
        Some(instance) if instance.region == region => instance,
        _ => {
            return Err(Refusal::new(ConnectRule::InstanceNotFound)
                .worded(format!("Instance not found: {instance_id} in {region}"))
                .context(context));
        }
    };
    let session = &credentials.session;
    if let Some(refusal) = federation_refusal(connect, session, &instance)? {
        return Err(as_api(refusal).context(context));
    }
    let user = connect
        .model
        .user(&instance.id, &session.role_session_name)
        .map_err(|e| internal(&e))?
        .ok_or_else(|| internal(&"the Connect user vanished"))?;
    let token = connect.ids.token(24);
    let connect_session = connect
        .model
        .start_session(
            &connect.ids.token(32),
            &token,
            &instance.id,
            &user.username,
            &format!("https://{}/", instance.host()),
            now,
        )
        .map_err(|e| internal(&e))?;
    connect.record(
        request,
        NewEvent::ok(SERVICE, ACTION, format!("federation token for {} on {}", user.username, instance.alias))
            .detail(serde_json::json!({ "instance": instance.id, "username": user.username, "access_key_id": access_key })),
    );
    let body = serde_json::json!({
        "Credentials": {
            "AccessToken": connect.ids.token(48),
            "AccessTokenExpiration": connect_session.expires_at,
            "RefreshToken": connect.ids.token(48),
            "RefreshTokenExpiration": connect_session.expires_at,
        },
        "SignInUrl": format!("https://{}/auth/sign-in?token={token}", instance.host()),
        "UserArn": format!("{}/agent/{}", instance.arn(), user.id),
        "UserId": user.id,
    });
    Ok(Response::json(StatusCode::OK, &body))
}

/// The console's refusal as the API words it: C23 is UserNotFoundException, and
/// AccessDeniedException carries the values that broke the rule.
fn as_api(refusal: ConnectRefusal) -> ConnectRefusal {
    match refusal.rule {
        ConnectRule::UserNotOnboarded => Refusal {
            rule: ConnectRule::UserNotFound,
            ..refusal
        },
        _ => match refusal.detail.clone() {
            Some(detail) => refusal.worded(detail),
            None => refusal,
        },
    }
}

/// The access key in a SigV4 `Authorization` header
/// (`AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/connect/aws4_request, ...`).
fn access_key(request: &Request) -> Option<String> {
    let header = request.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let credential = header.split_once("Credential=")?.1;
    let key = credential.split('/').next()?.trim();
    (!key.is_empty()).then(|| key.to_owned())
}
