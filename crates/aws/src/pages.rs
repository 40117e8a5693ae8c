//! The mock AWS's pages (askama templates under `web/templates/aws/`).

use askama::Template;
use samlsim_service::Response;
use samlsim_service::http::StatusCode;
pub use samlsim_service::render;

use crate::federation::Refusal;

#[derive(Template)]
#[template(path = "aws/signin_error.html")]
pub struct SignInError<'a> {
    pub headline: &'a str,
    pub message: &'a str,
    pub code: &'a str,
    pub rule: &'a str,
    pub endpoint: &'a str,
    pub detail: Option<&'a str>,
    pub fix: Option<&'a str>,
}

/// AWS's sign-in error page for `refusal` at `endpoint`.
pub fn sign_in_error(refusal: &Refusal, endpoint: &str) -> Response {
    // AWS shows one line for a response it cannot use (troubleshoot_saml), and an
    // STS error in the Java SDK's format followed by "Please try again." otherwise
    // (as users report it, e.g. aws-sdk-net#744).
    let headline = if refusal
        .message
        .starts_with(crate::federation::INVALID_RESPONSE)
    {
        format!(
            "{} To logout, click here.",
            crate::federation::INVALID_RESPONSE
        )
    } else {
        format!(
            "{} (Service: AWSSecurityTokenService; Status Code: {}; Error Code: {}). Please try again.",
            refusal.message, refusal.status, refusal.code
        )
    };
    let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST);
    render(
        status,
        &SignInError {
            headline: &headline,
            message: &refusal.message,
            code: refusal.code,
            rule: refusal.rule,
            endpoint,
            detail: refusal.detail.as_deref(),
            fix: fix_for(refusal.rule),
        },
    )
}

/// What a developer should change, per check.
fn fix_for(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "signature-invalid" => {
            "Load the IdP's current metadata into the IAM SAML provider (its signing certificate changed, or the response was altered)."
        }
        "issuer-mismatch" => {
            "The assertion's Issuer must be the entityID of the metadata the IAM SAML provider was created from."
        }
        "provider-not-found" => {
            "Create the IAM SAML provider the Role attribute names, or fix the provider ARN in the IdP's Role attribute."
        }
        "recipient-mismatch" => "Set the IdP's ACS URL to this sign-in endpoint (C13, C17).",
        "audience-mismatch" => "Set the IdP's audience (SP entity ID) to urn:amazon:webservices.",
        "assertion-expired" => {
            "Check the IdP's clock and assertion lifetime; the browser must post the assertion within its validity."
        }
        "role-session-name-invalid" => {
            "Map RoleSessionName from a user attribute whose values match [a-zA-Z_0-9+=,.@-]{2,64} (C24)."
        }
        "role-session-name-missing" => {
            "Add the https://aws.amazon.com/SAML/Attributes/RoleSessionName attribute (C11)."
        }
        "role-attribute-missing" | "role-attribute-malformed" => {
            "Send https://aws.amazon.com/SAML/Attributes/Role as role-arn,provider-arn pairs (C11)."
        }
        "trust-policy" => {
            "The role's trust policy must allow sts:AssumeRoleWithSAML by this provider, and its SAML:aud must list this endpoint (C18)."
        }
        "sts-region-disabled" => {
            "Activate STS in this region (IAM console, account settings) (C19)."
        }
        "scp-denied" => {
            "A service control policy denies sts:AssumeRoleWithSAML in this region (C19)."
        }
        "assertion-replayed" => "Sign in at the IdP again: each assertion can be used once.",
        _ => return None,
    })
}

#[derive(Template)]
#[template(path = "aws/role_chooser.html")]
pub struct RoleChooser<'a> {
    pub action: &'a str,
    pub saml_response: &'a str,
    pub relay_state: Option<&'a str>,
    pub accounts: Vec<(String, Vec<(String, String, bool)>)>,
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
