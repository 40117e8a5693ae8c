//! `GetFederationToken` as the REST API (`GET /user/federate/{InstanceId}` on
//! `connect.<region>.amazonaws.com`; botocore `connect/2017-08-08`), called with
//! the temporary credentials STS issued. The SigV4 signature is not recomputed —
//! the emulator has no secret to protect — but the access key must be one samlsim
//! issued and not expired, which is what tells it which role session is calling.

use samlsim_service::http::{HeaderValue, StatusCode, header};
use samlsim_service::{NewEvent, Request, Response};

use crate::federation::federation_refusal;
use crate::{Connect, SERVICE};

pub(crate) fn handle(connect: &Connect, request: &Request, region: &str, rest: &str) -> Response {
    let Some(instance_id) = rest
        .strip_prefix("/user/federate/")
        .filter(|id| !id.is_empty() && !id.contains('/'))
    else {
        return error(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            &format!("No operation at {} {rest}", request.method),
        );
    };
    let instance_id = samlsim_service::http::decode_component(instance_id);
    let Some(access_key) = access_key(request) else {
        return error(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        );
    };
    let now = connect.clock.now();
    let credentials = match connect.aws.state().credentials(&access_key) {
        Ok(Some(credentials)) => credentials,
        Ok(None) => {
            return error(
                StatusCode::FORBIDDEN,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            );
        }
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServiceException",
                &e.to_string(),
            );
        }
    };
    if credentials.session.expires_at <= now {
        return error(
            StatusCode::FORBIDDEN,
            "ExpiredTokenException",
            "The security token included in the request is expired",
        );
    }
    // Temporary credentials are only good with their session token.
    let token = request
        .headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok());
    if token != Some(credentials.session_token.as_str()) {
        return error(
            StatusCode::FORBIDDEN,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        );
    }
    let instance = match connect.model.instance(&instance_id) {
        Ok(Some(instance)) if instance.region == region => instance,
        Ok(_) => {
            return error(
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                &format!("Instance not found: {instance_id} in {region}"),
            );
        }
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServiceException",
                &e.to_string(),
            );
        }
    };
    let session = &credentials.session;
    if let Some(refusal) = federation_refusal(connect, session, &instance) {
        connect.record(
            request,
            NewEvent::refused(
                SERVICE,
                "get-federation-token",
                refusal.rule,
                refusal.why.clone(),
            ),
        );
        return match refusal.rule {
            "user-not-onboarded" => error(
                StatusCode::NOT_FOUND,
                "UserNotFoundException",
                "No user with the specified credentials was found in the Amazon Connect instance.",
            ),
            "internal-error" => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServiceException",
                &refusal.why,
            ),
            _ => error(StatusCode::FORBIDDEN, "AccessDeniedException", &refusal.why),
        };
    }
    let user = match connect.model.user(&instance.id, &session.role_session_name) {
        Ok(Some(user)) => user,
        _ => {
            return error(
                StatusCode::NOT_FOUND,
                "UserNotFoundException",
                "No user with the specified credentials was found in the Amazon Connect instance.",
            );
        }
    };
    let token = connect.ids.token(24);
    let started = connect.model.start_session(
        &connect.ids.token(32),
        &token,
        &instance.id,
        &user.username,
        &format!("https://{}/", instance.host()),
        now,
    );
    let connect_session = match started {
        Ok(s) => s,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServiceException",
                &e.to_string(),
            );
        }
    };
    connect.record(
        request,
        NewEvent::ok(SERVICE, "get-federation-token", format!("federation token for {} on {}", user.username, instance.alias))
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
    Response::json(StatusCode::OK, &body)
}

/// The access key in a SigV4 `Authorization` header
/// (`AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/connect/aws4_request, ...`).
fn access_key(request: &Request) -> Option<String> {
    let header = request.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let credential = header.split_once("Credential=")?.1;
    let key = credential.split('/').next()?.trim();
    (!key.is_empty()).then(|| key.to_owned())
}

/// The REST-JSON error shape botocore reads: the code in `x-amzn-ErrorType`, the
/// message in the body's `Message`.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = Response::json(status, &serde_json::json!({ "Message": message }));
    if let Ok(value) = HeaderValue::from_str(code) {
        response
            .headers
            .insert(header::HeaderName::from_static("x-amzn-errortype"), value);
    }
    response
}
