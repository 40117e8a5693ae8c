//! One AWS endpoint: AWS API requests that arrive at the emulator's base URL (as
//! SDKs send them with `AWS_ENDPOINT_URL=http://127.0.0.1:7575`) are routed by
//! what they are, as other AWS emulators serve every service on one port:
//!
//! - query protocol (`Action=` in the query or form body): STS actions go to the
//!   mock STS (`sts.<region>.amazonaws.com`);
//! - `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`: the cognito-idp API;
//! - otherwise the SigV4 credential scope's service: `sts`, `cognito-idp`,
//!   `connect` (the Connect REST API, path kept).
//!
//! Anything else gets an AWS-shaped error body (XML for the query protocol, JSON
//! otherwise), which SDKs parse into their client errors, never an HTML page.

use samlsim_service::http::{Method, StatusCode, header};
use samlsim_service::{Request, Response};

use crate::Aws;
use crate::rules::{AwsRule, Refusal};

/// The STS actions (STS API reference); every one is routed to the mock STS,
/// which serves AssumeRoleWithSAML and answers the others with InvalidAction.
const STS_ACTIONS: &[&str] = &[
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "AssumeRoot",
    "DecodeAuthorizationMessage",
    "GetAccessKeyInfo",
    "GetCallerIdentity",
    "GetDelegatedAccessToken",
    "GetFederationToken",
    "GetSessionToken",
];

/// Where a base-URL request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Served at this local path (`/aws/<host><path>`, the query kept).
    Local(String),
    /// A query-protocol action no emulated API has.
    UnknownAction(String),
    /// A JSON or REST request for no emulated API.
    UnknownOperation(String),
}

/// The SigV4 credential scope of the request: (region, service).
fn credential_scope(request: &Request) -> Option<(String, String)> {
    let authorization = request
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?;
    let rest = authorization.strip_prefix("AWS4-HMAC-SHA256")?;
    let credential = rest
        .split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("Credential="))?;
    // <key id>/<date>/<region>/<service>/aws4_request
    let parts: Vec<&str> = credential.split('/').collect();
    match parts.as_slice() {
        [.., region, service, "aws4_request"] => {
            Some(((*region).to_owned(), (*service).to_owned()))
        }
        _ => None,
    }
}

fn is_form(request: &Request) -> bool {
    request
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.trim_start()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// The query-protocol `Action`, from the query string or a form body.
fn action(request: &Request) -> Option<String> {
    request.query_param("Action").or_else(|| {
        (request.method == Method::POST && is_form(request))
            .then(|| request.form_value("Action"))
            .flatten()
    })
}

/// How a request at the base URL is served; `None` when it is no AWS API request.
pub fn route(request: &Request) -> Option<Route> {
    let target = request
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let scope = credential_scope(request);
    let action = action(request);
    if target.is_none() && scope.is_none() && action.is_none() {
        return None;
    }
    let region = scope
        .as_ref()
        .map(|(region, _)| region.clone())
        .filter(|r| crate::endpoints::is_region(r));
    let service = scope.as_ref().map(|(_, service)| service.as_str());
    let path_and_query = if request.query.is_empty() {
        request.path.clone()
    } else {
        format!("{}?{}", request.path, request.query)
    };
    let host_path = |host: String| Route::Local(format!("/aws/{host}{path_and_query}"));
    let sts = |region: Option<String>| match region {
        Some(region) if region != "us-east-1" => format!("sts.{region}.amazonaws.com"),
        _ => "sts.amazonaws.com".to_owned(),
    };
    if let Some(action) = action {
        if STS_ACTIONS.contains(&action.as_str()) || service == Some("sts") {
            return Some(host_path(sts(region)));
        }
        return Some(Route::UnknownAction(format!(
            "Action={action}{}",
            service
                .map(|s| format!(" (SigV4 service {s})"))
                .unwrap_or_default()
        )));
    }
    let region = region.unwrap_or_else(|| "us-east-1".into());
    if let Some(target) = target {
        if target.starts_with("AWSCognitoIdentityProviderService.") {
            return Some(host_path(format!("cognito-idp.{region}.amazonaws.com")));
        }
        return Some(Route::UnknownOperation(format!("X-Amz-Target: {target}")));
    }
    match service {
        Some("sts") => Some(host_path(sts(Some(region)))),
        Some("cognito-idp") => Some(host_path(format!("cognito-idp.{region}.amazonaws.com"))),
        Some("connect") => Some(host_path(format!("connect.{region}.amazonaws.com"))),
        Some(other) => Some(Route::UnknownOperation(format!(
            "{} {} for SigV4 service {other}",
            request.method, request.path
        ))),
        None => None,
    }
}

impl Aws {
    /// The AWS-shaped error for a base-URL request no emulated API serves: the
    /// query protocol's `ErrorResponse` XML, or JSON with `__type` (and the
    /// `x-amzn-ErrorType` header) for JSON and REST clients.
    pub fn unknown_api(&self, request: &Request, route: &Route) -> Response {
        let (rule, what, xml) = match route {
            Route::UnknownAction(what) => (AwsRule::UnknownQueryAction, what, true),
            Route::UnknownOperation(what) => (AwsRule::UnknownApiOperation, what, false),
            Route::Local(path) => (AwsRule::UnknownApiOperation, path, false),
        };
        let request_id = crate::sts::request_id(self);
        let refusal = Refusal::new(rule)
            .because(format!("samlsim emulates no AWS API for {what}."))
            .context(serde_json::json!({ "request_id": request_id }));
        self.recorder
            .refuse(request, "aws.base-url", refusal, |refusal| {
                if xml {
                    return crate::sts::error(&request_id, refusal);
                }
                let code = refusal.spec().code;
                Response::json(
                    StatusCode::BAD_REQUEST,
                    &serde_json::json!({
                        "__type": code,
                        "message": refusal.detail.as_deref().unwrap_or(refusal.message()),
                    }),
                )
                .with_header(header::HeaderName::from_static("x-amzn-errortype"), code)
                .with_header(
                    header::HeaderName::from_static("x-amzn-requestid"),
                    &request_id,
                )
            })
    }
}
