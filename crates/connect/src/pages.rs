//! The mock Connect's pages (askama templates under `web/templates/connect/`).

use askama::Template;
use samlsim_service::http::StatusCode;
pub use samlsim_service::render;
use samlsim_service::{Lang, Request, Response};

use crate::model::User;
use crate::rules::ConnectRefusal;

#[derive(Template)]
#[template(path = "connect/session_expired.html")]
pub struct SessionExpired<'a> {
    /// The language of samlsim's words under Connect's (which stay English).
    pub lang: Lang,
    pub instance: &'a str,
    pub rule: &'a str,
    /// samlsim's explanation: why this browser has no live session.
    pub why: &'a str,
    pub portal: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "connect/access_denied.html")]
pub struct AccessDenied<'a> {
    /// The language of samlsim's words under Connect's (which stay English).
    pub lang: Lang,
    pub headline: &'a str,
    pub message: &'a str,
    pub rule: &'a str,
    pub why: &'a str,
    pub fix: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "connect/home.html")]
pub struct Home<'a> {
    pub instance: &'a str,
    pub name: &'a str,
    pub username: &'a str,
    pub profiles: &'a str,
    pub expires: &'a str,
    pub pages: Vec<(&'static str, String)>,
    pub sign_out: &'a str,
}

#[derive(Template)]
#[template(path = "connect/ccp.html")]
pub struct Ccp<'a> {
    /// `connect-ccp`, `connect-ccp-chat` or `connect-agent-workspace`.
    pub page_role: &'a str,
    pub instance: &'a str,
    pub title: &'a str,
    pub channel: &'a str,
    pub name: &'a str,
    pub username: &'a str,
    pub expires: &'a str,
    pub session_api: &'a str,
    pub sign_out: &'a str,
}

#[derive(Template)]
#[template(path = "connect/users.html")]
pub struct Users<'a> {
    pub instance: &'a str,
    pub users: &'a [User],
}

/// Connect's "Access Denied" page (troubleshoot-saml's wording for the onboarding
/// case; the others say what was refused).
pub fn access_denied(
    status: StatusCode,
    rule: &str,
    message: &str,
    why: &str,
    fix: Option<&str>,
    lang: Lang,
) -> Response {
    render(
        status,
        &AccessDenied {
            lang,
            headline: "Access Denied",
            message,
            rule,
            why,
            fix,
        },
    )
}

/// A refusal as the Access Denied page: Connect's words, samlsim's account of
/// what was wrong, the fix (samlsim's words in the language `request` asks for).
pub fn access_denied_for(refusal: &ConnectRefusal, request: &Request) -> Response {
    let spec = refusal.spec();
    let negotiated = Lang::negotiate(request);
    let lang = negotiated.lang;
    negotiated.finish(access_denied(
        refusal.status(),
        spec.name,
        refusal.message(),
        refusal.detail.as_deref().unwrap_or(spec.explanation(lang)),
        Some(spec.fix(lang)),
        lang,
    ))
}

/// A refusal as Connect's Session expired page, which offers the IdP's portal.
pub fn session_expired_for(
    refusal: &ConnectRefusal,
    instance: &str,
    portal: &str,
    request: &Request,
) -> Response {
    let spec = refusal.spec();
    let negotiated = Lang::negotiate(request);
    let lang = negotiated.lang;
    negotiated.finish(render(
        refusal.status(),
        &SessionExpired {
            lang,
            instance,
            rule: spec.name,
            why: refusal.detail.as_deref().unwrap_or(spec.explanation(lang)),
            portal: Some(portal),
        },
    ))
}
