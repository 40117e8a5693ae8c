//! The mock AWS's pages (askama templates under `web/templates/aws/`).

use askama::Template;
pub use samlsim_service::render;
use samlsim_service::{Lang, Request, Response};

use crate::rules::{INVALID_RESPONSE, Refusal};

#[derive(Template)]
#[template(path = "aws/signin_error.html")]
pub struct SignInError<'a> {
    /// The language of samlsim's block under AWS's words (which stay English).
    pub lang: Lang,
    pub headline: &'a str,
    pub message: &'a str,
    pub code: &'a str,
    pub rule: &'a str,
    pub endpoint: &'a str,
    pub detail: Option<&'a str>,
    pub fix: Option<&'a str>,
}

/// AWS's sign-in error page for `refusal` at `endpoint`: AWS's words as AWS
/// shows them, samlsim's explanation beneath in the language `request` asks for.
pub fn sign_in_error(refusal: &Refusal, endpoint: &str, request: &Request) -> Response {
    let negotiated = Lang::negotiate(request);
    let spec = refusal.spec();
    // AWS shows one line for a response it cannot use (troubleshoot_saml), and an
    // STS error in the Java SDK's format followed by "Please try again." otherwise
    // (as users report it, e.g. aws-sdk-net#744).
    let headline = if refusal.rule.is_unusable_response() {
        format!("{INVALID_RESPONSE} To logout, click here.")
    } else {
        format!(
            "{} (Service: AWSSecurityTokenService; Status Code: {}; Error Code: {}). Please try again.",
            refusal.message(),
            spec.status,
            spec.code
        )
    };
    negotiated.finish(render(
        refusal.status(),
        &SignInError {
            lang: negotiated.lang,
            headline: &headline,
            message: refusal.message(),
            code: spec.code,
            rule: spec.name,
            endpoint,
            detail: refusal.detail.as_deref(),
            fix: Some(spec.fix(negotiated.lang)).filter(|fix| !fix.is_empty()),
        },
    ))
}

/// The role chooser's rows: per account label, its roles as (ARN, name, checked).
pub type AccountRoles = Vec<(String, Vec<(String, String, bool)>)>;

#[derive(Template)]
#[template(path = "aws/role_chooser.html")]
pub struct RoleChooser<'a> {
    pub action: &'a str,
    pub saml_response: &'a str,
    pub relay_state: Option<&'a str>,
    pub accounts: AccountRoles,
}

#[derive(Template)]
#[template(path = "aws/console_home.html")]
pub struct ConsoleHome<'a> {
    pub region: &'a str,
    pub assumed_role_arn: &'a str,
    pub account: &'a str,
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub provider_arn: &'a str,
    pub expires: &'a str,
    pub sign_out: &'a str,
}

#[derive(Template)]
#[template(path = "aws/signed_out.html")]
pub struct SignedOut;
