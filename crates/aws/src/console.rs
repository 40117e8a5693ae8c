//! The AWS console, as far as federation needs it: the home page a sign-in lands
//! on when the RelayState names nothing else, and sign-out. Paths under
//! `/connect/` belong to the mock Connect and are left to it.

use samlsim_saml::DateTime;
use samlsim_service::http::{Cookie, Method, StatusCode};
use samlsim_service::{NewEvent, Problem, Request, Response};

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
        Ok(None) => {
            return Problem::new(
                StatusCode::UNAUTHORIZED,
                "no-console-session",
                "Not signed in to the AWS console",
                "There is no console session in this browser, or it has expired.",
            )
            .with_fix("Sign in through the IdP portal; federated users start at their IdP.")
            .page("Mock AWS · console");
        }
        Err(e) => {
            return Response::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the mock AWS failed: {e}"),
            );
        }
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

/// Ends the console session of this browser.
pub(crate) fn sign_out(aws: &Aws, request: &Request) -> Response {
    if let Some(id) = request.cookie(CONSOLE_COOKIE)
        && let Ok(true) = aws.state.end_console_session(&id, aws.clock.now())
    {
        aws.record(
            request,
            NewEvent::ok(SERVICE, "console.sign-out", "signed out of the AWS console"),
        );
    }
    pages::render(StatusCode::OK, &pages::SignedOut)
        .with_cookie(&Cookie::removal(CONSOLE_COOKIE, "/aws/"))
}
