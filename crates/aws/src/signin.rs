//! The AWS sign-in SAML endpoints (C5): `https://signin.aws.amazon.com/saml` and
//! `https://<region>.signin.aws.amazon.com/saml`, HTTP-POST binding. A valid
//! assertion opens a console session for `assumed-role/<role>/<RoleSessionName>`
//! and redirects to the RelayState when it is a console URL — in particular
//! Connect's federation endpoint (C14) — or to the console home otherwise.

use samlsim_saml::DateTime;
use samlsim_service::http::{Cookie, Method, StatusCode};
use samlsim_service::{NewEvent, Request, Response};

use crate::federation::{Outcome, Presenter, RequestFacts, RoleChoice, check, internal};
use crate::rules::{AwsRule, Refusal};
use crate::state::RoleSession;
use crate::{Aws, CONSOLE_COOKIE, SERVICE, endpoints, pages};

const ACTION: &str = "sign-in";

pub(crate) fn handle(
    aws: &Aws,
    request: &Request,
    host: &str,
    region: &str,
    rest: &str,
) -> Option<Response> {
    let endpoint = format!("https://{host}/saml");
    match (&request.method, rest) {
        (&Method::POST, "/saml") => Some(sign_in(aws, request, &endpoint, region)),
        (&Method::GET, "/saml") => Some(refuse(
            aws,
            request,
            &endpoint,
            Refusal::new(AwsRule::MethodNotPost),
        )),
        (_, "/oauth") if request.param("Action").as_deref() == Some("logout") => {
            Some(crate::console::sign_out(aws, request))
        }
        _ => None,
    }
}

fn sign_in(aws: &Aws, request: &Request, endpoint: &str, region: &str) -> Response {
    let local_endpoint = aws.urls.local(endpoint);
    let Some(saml_response) = request.form_value("SAMLResponse") else {
        return refuse(
            aws,
            request,
            endpoint,
            Refusal::new(AwsRule::SamlResponseMissing)
                .because("The POST has no SAMLResponse field"),
        );
    };
    let relay_state = request.form_value("RelayState").filter(|r| !r.is_empty());
    let chosen = request.form_value("roleIndex");
    let now = aws.clock.now();
    let facts = RequestFacts {
        now,
        source_ip: request.peer,
    };
    let presenter = Presenter::SignIn {
        endpoint,
        local_endpoint: &local_endpoint,
        region,
        role: chosen.as_deref(),
    };
    let assumed = match check(&aws.iam, &saml_response, &presenter, &facts) {
        Ok(Outcome::Assumed(assumed)) => assumed,
        Ok(Outcome::ChooseRole(choices)) => {
            aws.recorder.record(
                request,
                NewEvent::ok(
                    SERVICE,
                    "sign-in.choose-role",
                    format!("{} roles offered; showing the role chooser", choices.len()),
                )
                .step("C5"),
            );
            return match role_chooser(
                aws,
                &local_endpoint,
                &saml_response,
                relay_state.as_deref(),
                &choices,
            ) {
                Ok(page) => page,
                Err(refusal) => refuse(aws, request, endpoint, refusal),
            };
        }
        Err(refusal) => return refuse(aws, request, endpoint, refusal),
    };
    let session = RoleSession::from_assumed(&assumed, now);
    let session_id = aws.ids.token(32);
    match aws.state.sign_in(&assumed, &session_id, &session, now) {
        Ok(true) => {}
        Ok(false) => {
            return refuse(
                aws,
                request,
                endpoint,
                Refusal::new(AwsRule::AssertionReplayed).because(format!(
                    "The assertion {} was already used to sign in. A bearer assertion is accepted once (SAML profiles 4.1.4.5); \
                     samlsim enforces that at the sign-in endpoint, while STS, as AWS does, lets one assertion be redeemed \
                     for several roles while it is valid.",
                    assumed.assertion_id
                )),
            );
        }
        Err(e) => return refuse(aws, request, endpoint, internal(e)),
    }
    let destination = destination(aws, relay_state.as_deref(), region);
    aws.recorder.record(
        request,
        NewEvent::ok(
            SERVICE,
            ACTION,
            format!("signed in to the console as {}", session.assumed_role_arn()),
        )
        .step("C5")
        .detail(serde_json::json!({
            "endpoint": endpoint, "region": region, "role_arn": session.role_arn,
            "role_session_name": session.role_session_name, "provider_arn": session.provider_arn,
            "assertion_id": assumed.assertion_id, "subject": assumed.subject, "audience": assumed.audience,
            "relay_state": relay_state, "redirect": destination,
            "expires_at": DateTime::from_unix(session.expires_at).to_string(),
        })),
    );
    Response::redirect(StatusCode::FOUND, &destination).with_cookie(&Cookie::session(
        CONSOLE_COOKIE,
        &session_id,
        "/aws/",
    ))
}

/// Where a successful sign-in goes: a console RelayState as given (C14, C19),
/// otherwise the console home of the endpoint's region.
fn destination(aws: &Aws, relay_state: Option<&str>, region: &str) -> String {
    let is_console = |url: &str| {
        url.strip_prefix("https://")
            .and_then(|rest| rest.split('/').next())
            .is_some_and(|host| endpoints::console_region(host).is_some())
    };
    match relay_state {
        Some(relay) if is_console(relay) => aws.urls.local(relay),
        _ if region.starts_with("us-gov-") => aws
            .urls
            .local("https://console.amazonaws-us-gov.com/console/home"),
        _ => aws.urls.local(&format!(
            "https://{region}.console.aws.amazon.com/console/home?region={region}"
        )),
    }
}

fn role_chooser(
    aws: &Aws,
    action: &str,
    saml_response: &str,
    relay_state: Option<&str>,
    choices: &[RoleChoice],
) -> Result<Response, Refusal> {
    let mut accounts: pages::AccountRoles = Vec::new();
    for (i, choice) in choices.iter().enumerate() {
        let account_id = choice.role_arn.split(':').nth(4).unwrap_or("").to_owned();
        let alias = aws
            .iam
            .account(&account_id)
            .map_err(internal)?
            .and_then(|a| a.alias)
            .map_or(account_id.clone(), |alias| {
                format!("{alias} ({account_id})")
            });
        let role_name = choice
            .role_arn
            .rsplit('/')
            .next()
            .unwrap_or(&choice.role_arn)
            .to_owned();
        let entry = (choice.role_arn.clone(), role_name, i == 0);
        match accounts.iter_mut().find(|(label, _)| *label == alias) {
            Some((_, roles)) => roles.push(entry),
            None => accounts.push((alias, vec![entry])),
        }
    }
    Ok(pages::render(
        StatusCode::OK,
        &pages::RoleChooser {
            action,
            saml_response,
            relay_state,
            accounts,
        },
    ))
}

/// Answers `refusal` with AWS's sign-in error page, recording it.
fn refuse(aws: &Aws, request: &Request, endpoint: &str, refusal: Refusal) -> Response {
    aws.recorder.refuse(
        request,
        ACTION,
        refusal.fact("endpoint", endpoint),
        |refusal| pages::sign_in_error(refusal, endpoint, request),
    )
}
