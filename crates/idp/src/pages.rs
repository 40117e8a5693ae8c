//! The IdP's pages (askama templates under `web/templates/idp/`).

use askama::Template;
pub use samlsim_service::render;

#[derive(Template)]
#[template(path = "idp/login.html")]
pub struct Login<'a> {
    pub idp_name: &'a str,
    pub action: &'a str,
    /// Where to go after signing in: a local `/idp/...` path.
    pub continue_to: &'a str,
    pub app: Option<&'a str>,
    pub username: &'a str,
    pub error: Option<&'a str>,
    pub rule: &'a str,
}

pub struct PortalApp {
    pub id: String,
    pub label: String,
    pub description: Option<String>,
    pub href: String,
}

#[derive(Template)]
#[template(path = "idp/portal.html")]
pub struct Portal<'a> {
    pub idp_name: &'a str,
    pub user: &'a str,
    pub username: &'a str,
    pub apps: Vec<PortalApp>,
    pub logout: &'a str,
}

/// The auto-submitting HTTP-POST binding form (SAML bindings 3.5.4).
#[derive(Template)]
#[template(path = "idp/post.html")]
pub struct PostForm<'a> {
    pub idp_name: &'a str,
    pub app: &'a str,
    /// `Response` or `LogoutResponse`, for the sentence on the page.
    pub kind: &'a str,
    /// The URL named in the message.
    pub destination: &'a str,
    /// Where the browser posts (the emulator's stand-in for `destination`).
    pub action: &'a str,
    /// `SAMLResponse`.
    pub parameter: &'a str,
    pub message: &'a str,
    pub relay_state: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "idp/logout.html")]
pub struct Logout<'a> {
    pub idp_name: &'a str,
    pub action: &'a str,
}

#[derive(Template)]
#[template(path = "idp/signed_out.html")]
pub struct SignedOut<'a> {
    pub idp_name: &'a str,
    pub was_signed_in: bool,
    pub portal: &'a str,
}
