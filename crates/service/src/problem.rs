//! Refusals as pages: what went wrong, which rule decided, and how to fix it.

use askama::Template;

use crate::http::{Request, Response, StatusCode};
use crate::lang::{Lang, Negotiated};

/// A refusal a service shows to a person (and records in the event log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    /// A short headline, e.g. "Unknown service provider".
    pub title: String,
    /// What was wrong with this request, specifically.
    pub message: String,
    /// The rule's stable name, e.g. `acs-not-registered`; tests match on it.
    pub rule: &'static str,
    pub fix: Option<String>,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        rule: &'static str,
        title: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            status,
            title: title.into(),
            message: message.into(),
            rule,
            fix: None,
        }
    }

    /// A 400 Bad Request.
    pub fn bad_request(
        rule: &'static str,
        title: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, rule, title, message)
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// The HTML page, headed with the service's name, in the language `request`
    /// asks for.
    pub fn page(&self, service: &str, request: &Request) -> Response {
        self.page_in(service, Lang::negotiate(request))
    }

    /// The HTML page in the language already negotiated (the refusal's words
    /// were chosen in it).
    pub fn page_in(&self, service: &str, negotiated: Negotiated) -> Response {
        let page = ProblemPage {
            lang: negotiated.lang,
            toggle: &negotiated.toggle,
            service,
            title: &crate::bounded(&self.title),
            message: &crate::bounded(&self.message),
            rule: self.rule,
            status: self.status.as_u16(),
            fix: self.fix.as_deref(),
        };
        negotiated.finish(match page.render() {
            Ok(html) => Response::html(self.status, html),
            // Rendering plain text cannot fail; never leave a refusal without words.
            Err(_) => Response::text(
                self.status,
                format!("{}: {} (rule {})", self.title, self.message, self.rule),
            ),
        })
    }
}

/// Renders a page with `status`; a template that fails to render still answers
/// with words.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Response::html(status, html),
        Err(e) => Response::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("page failed to render: {e}"),
        ),
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage<'a> {
    lang: Lang,
    toggle: &'a str,
    service: &'a str,
    title: &'a str,
    message: &'a str,
    rule: &'a str,
    status: u16,
    fix: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_page_names_its_rule_and_escapes_input() {
        let page = Problem::bad_request(
            "acs-not-registered",
            "Unknown ACS",
            "ACS <script> is not registered",
        )
        .with_fix("Register it")
        .page("Mock IdP", &Request::new(http::Method::GET, "/x"));
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        let html = page.text_body();
        assert!(html.contains("data-rule=\"acs-not-registered\""), "{html}");
        assert!(
            html.contains("ACS &#60;script&#62;") || html.contains("ACS &lt;script&gt;"),
            "{html}"
        );
        assert!(html.contains("Register it"));
        assert!(html.contains("<html lang=\"en\">"), "{html}");
        let korean = Request::new(http::Method::GET, "/x")
            .with_header(http::header::ACCEPT_LANGUAGE, "ko-KR,ko;q=0.9");
        let html = Problem::bad_request("x", "t", "m")
            .with_fix("f")
            .page("Demo", &korean)
            .text_body();
        assert!(html.contains("<html lang=\"ko\">"), "{html}");
        assert!(html.contains("해결 방법"), "{html}");
    }
}
