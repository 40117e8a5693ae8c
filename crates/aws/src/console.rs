//! The AWS console, as far as federation needs it: the home page a sign-in lands
//! on when the RelayState names nothing else, and sign-out. Paths under
//! `/connect/` belong to the mock Connect and are left to it.

use samlsim_saml::DateTime;
use samlsim_service::http::{Cookie, Method, StatusCode};
use samlsim_service::{NewEvent, Request, Response};

use crate::federation::internal;
use crate::rules::{AwsRule, Refusal};
use crate::{Aws, CONSOLE_COOKIE, SERVICE, pages};

pub(crate) fn handle(
    aws: &Aws,
    request: &Request,
    host: &str,
    region: &str,
    rest: &str,
) -> Option<Response> {
    match (&request.method, rest) {
        (&Method::GET, "/" | "/console/home" | "/console") => {
            Some(home(aws, request, host, region))
        }
        (&Method::POST, "/logout") => Some(sign_out(aws, request)),
        _ => None,
    }
}

fn home(aws: &Aws, request: &Request, host: &str, region: &str) -> Response {
    let session = match aws.console_session(request) {
        Ok(Some(session)) => session,
        Ok(None) => return refuse(aws, request, Refusal::new(AwsRule::NoConsoleSession)),
        Err(e) => return refuse(aws, request, internal(e)),
    };
    let sign_out = format!("/aws/{host}/logout");
    pages::render(
        StatusCode::OK,
        &pages::ConsoleHome {
            region,
            assumed_role_arn: &session.assumed_role_arn(),
            account: &session.account,
            role_arn: &session.role_arn,
            session_name: &session.role_session_name,
            provider_arn: &session.provider_arn,
            expires: &DateTime::from_unix(session.expires_at).to_string(),
            sign_out: &sign_out,
        },
    )
}

fn refuse(aws: &Aws, request: &Request, refusal: Refusal) -> Response {
    aws.recorder.refuse(request, "console", refusal, |r| {
        r.page("Mock AWS · console", request)
    })
}

/// Ends the console session of this browser.
pub(crate) fn sign_out(aws: &Aws, request: &Request) -> Response {
    if let Some(id) = request.cookie(CONSOLE_COOKIE) {
        match aws.state.end_console_session(&id, aws.clock.now()) {
            Ok(true) => aws.recorder.record(
                request,
                NewEvent::ok(SERVICE, "console.sign-out", "signed out of the AWS console"),
            ),
            // Already ended or expired: signing out again is not an event.
            Ok(false) => {}
            Err(e) => return refuse(aws, request, internal(e)),
        }
    }
    pages::render(StatusCode::OK, &pages::SignedOut)
        .with_cookie(&Cookie::removal(CONSOLE_COOKIE, "/aws/"))
}
