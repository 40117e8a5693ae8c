//! Running one scenario against a [`Transport`]: an emulator in this process, or
//! one running elsewhere. Setup goes through the admin API, steps through a
//! scripted [`Browser`], expectations are checked after each step.

use std::time::{Duration, Instant};

use samlsim_emulator::browser::{Browser, Page, Transport};
use samlsim_saml::binding::{Limits, decode_post, encode_post};
use samlsim_service::http::{Method, StatusCode, header};
use samlsim_service::{Event, Request};

use crate::format::{Action, AdminCall, Expect, Scenario};

/// How a scenario ended.
#[derive(Debug, Clone)]
pub struct Report {
    pub name: String,
    pub file: String,
    pub covers: Vec<String>,
    pub duration: Duration,
    pub failure: Option<Failure>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// Where and why a scenario failed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// `setup 2` or `step 4`.
    pub at: String,
    /// The line in the scenario file.
    pub line: usize,
    pub expected: String,
    pub actual: String,
    /// The event log of the scenario's browser, one line each.
    pub events: Vec<String>,
    /// The flow as the inspector's terminal timeline prints it (`samlsim flows`):
    /// every exchange, message and check, so a CI log shows where it broke.
    pub timeline: Option<String>,
}

/// What the last step produced, for expectations to look at.
enum Outcome {
    Nothing,
    Page(Page),
    Api {
        status: StatusCode,
        code: Option<String>,
        body: String,
    },
}

struct Runner<'t> {
    transport: &'t dyn Transport,
    browser: Browser<'t>,
    outcome: Outcome,
    /// A form edited by `tamper`, waiting for `submit`.
    pending_form: Option<samlsim_emulator::browser::Form>,
    /// Access key and session token of the last successful STS call.
    access_key: Option<String>,
    session_token: Option<String>,
}

/// Runs `scenario` (read from `file`) against `transport`.
pub fn run(scenario: &Scenario, file: &str, transport: &dyn Transport) -> Report {
    let started = Instant::now();
    let mut runner = Runner {
        transport,
        browser: Browser::new(transport),
        outcome: Outcome::Nothing,
        pending_form: None,
        access_key: None,
        session_token: None,
    };
    let failure = runner.run_all(scenario);
    Report {
        name: scenario.name.clone(),
        file: file.to_owned(),
        covers: scenario.covers.clone(),
        duration: started.elapsed(),
        failure,
    }
}

impl Runner<'_> {
    fn run_all(&mut self, scenario: &Scenario) -> Option<Failure> {
        for (i, setup) in scenario.setup.iter().enumerate() {
            let line = scenario.line_of(setup.span().start);
            if let Err((expected, actual)) = self.admin(setup.get_ref()) {
                return Some(self.failure(format!("setup {}", i + 1), line, expected, actual));
            }
        }
        for (i, step) in scenario.steps.iter().enumerate() {
            let line = scenario.line_of(step.span().start);
            let step = step.get_ref();
            let at = || format!("step {} ({})", i + 1, step.action.name());
            let events_before = self.last_event_id();
            if let Err((expected, actual)) = self.act(&step.action) {
                return Some(self.failure(at(), line, expected, actual));
            }
            if answers(&step.action)
                && let Err((expected, actual)) = self.check_refusal_recorded(events_before)
            {
                return Some(self.failure(at(), line, expected, actual));
            }
            if let Some(expect) = &step.expect
                && let Err((expected, actual)) = self.check(expect, events_before)
            {
                return Some(self.failure(at(), line, expected, actual));
            }
        }
        None
    }

    fn failure(&self, at: String, line: usize, expected: String, actual: String) -> Failure {
        Failure {
            at,
            line,
            expected,
            actual,
            timeline: self.timeline(),
            events: self
                .flow_events(0)
                .iter()
                .map(|e| {
                    format!(
                        "[{}] {} {} {:?}{}: {}",
                        e.step.as_deref().unwrap_or("--"),
                        e.service,
                        e.action,
                        e.outcome,
                        e.rule
                            .as_deref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default(),
                        e.message
                    )
                })
                .collect(),
        }
    }

    /// An admin API call, for `[[setup]]` and for a step's `admin` alike.
    fn admin(&self, call: &AdminCall) -> Result<(), (String, String)> {
        let (method, path) = call
            .request
            .split_once(' ')
            .unwrap_or(("GET", &call.request));
        let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
        let mut request = Request::new(method, path);
        if let Some(json) = &call.json {
            request.body = json.clone().into();
            request = request.with_header(header::CONTENT_TYPE, "application/json");
        } else if let Some(csv) = &call.csv {
            request.body = csv.clone().into();
            request = request.with_header(header::CONTENT_TYPE, "text/csv");
        } else {
            // The admin API wants every change labelled, even one without a body.
            request = request.with_header(header::CONTENT_TYPE, "application/json");
        }
        let response = self.transport.send(request);
        let ok = match call.status {
            Some(status) => response.status.as_u16() == status,
            None => response.status.is_success(),
        };
        if ok {
            Ok(())
        } else {
            Err((
                format!(
                    "{} to answer {}",
                    call.request,
                    call.status.map_or("2xx".into(), |s| s.to_string())
                ),
                format!("{}: {}", response.status, response.text_body()),
            ))
        }
    }

    fn current_page(&self) -> Result<&Page, (String, String)> {
        match &self.outcome {
            Outcome::Page(page) => Ok(page),
            _ => Err(("a page from an earlier step".into(), "no page yet".into())),
        }
    }

    /// The one place a step's action happens.
    fn act(&mut self, action: &Action) -> Result<(), (String, String)> {
        match action {
            Action::Open(url) => {
                self.pending_form = None;
                self.outcome = Outcome::Page(self.browser.open(url));
            }
            Action::SignIn(sign_in) => {
                let page = self.current_page()?.clone();
                if page.role().as_deref() != Some("idp-login") {
                    return Err(("the IdP login page".into(), describe_page(&page)));
                }
                self.outcome = Outcome::Page(self.browser.sign_in(
                    &page,
                    &sign_in.user,
                    &sign_in.password,
                ));
            }
            Action::Submit(fields) => {
                let mut form = match self.pending_form.take() {
                    Some(form) => form,
                    None => {
                        let page = self.current_page()?;
                        page.form()
                            .ok_or_else(|| ("a form on the page".to_owned(), describe_page(page)))?
                    }
                };
                for (name, value) in fields {
                    form.set(name, value);
                }
                self.outcome = Outcome::Page(self.browser.submit(&form));
            }
            Action::Post(post) => {
                let fields: Vec<(&str, &str)> = post
                    .form
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let page = self.browser.post(&post.url, &fields);
                self.outcome = api_or_page(page);
            }
            Action::Repost(url) => {
                let mut form = self.browser.last_posted_form.clone().ok_or_else(|| {
                    (
                        "a form posted by an earlier step".to_owned(),
                        "none".to_owned(),
                    )
                })?;
                if !url.is_empty() {
                    form.action = url.clone();
                }
                self.outcome = Outcome::Page(self.browser.submit(&form));
            }
            Action::AdvanceClock(amount) => {
                let request = Request::new(Method::POST, "/_admin/clock")
                    .with_json(&serde_json::json!({ "advance": amount }));
                let response = self.transport.send(request);
                if !response.status.is_success() {
                    return Err((
                        format!("the clock to advance {amount}"),
                        response.text_body(),
                    ));
                }
            }
            Action::Tamper(tamper) => {
                let mut form = match self.pending_form.take() {
                    Some(form) => form,
                    None => {
                        let page = self.current_page()?;
                        page.form().ok_or_else(|| {
                            (
                                "a SAML POST form on the page".to_owned(),
                                describe_page(page),
                            )
                        })?
                    }
                };
                let encoded = form
                    .get("SAMLResponse")
                    .ok_or_else(|| ("a SAMLResponse in the form".to_owned(), "none".to_owned()))?;
                let xml = decode_post(encoded, &Limits::default())
                    .map_err(|e| ("a decodable SAMLResponse".to_owned(), e.to_string()))?;
                let xml = String::from_utf8_lossy(&xml).into_owned();
                if !xml.contains(&tamper.replace) {
                    return Err((
                        format!("\"{}\" in the SAMLResponse", tamper.replace),
                        "not found".into(),
                    ));
                }
                let changed = xml.replacen(&tamper.replace, &tamper.with, 1);
                form.set("SAMLResponse", &encode_post(changed.as_bytes()));
                self.pending_form = Some(form);
            }
            Action::Sts(sts) => {
                let assertion = self.last_saml_response().ok_or_else(|| {
                    (
                        "a SAMLResponse from an earlier step".to_owned(),
                        "none".to_owned(),
                    )
                })?;
                let host = sts
                    .host
                    .clone()
                    .unwrap_or_else(|| "sts.amazonaws.com".into());
                let duration = sts.duration_seconds.map(|d| d.to_string());
                let mut fields = vec![
                    ("Action", "AssumeRoleWithSAML"),
                    ("Version", "2011-06-15"),
                    ("RoleArn", sts.role.as_str()),
                    ("PrincipalArn", sts.principal.as_str()),
                    ("SAMLAssertion", assertion.as_str()),
                ];
                if let Some(d) = &duration {
                    fields.push(("DurationSeconds", d));
                }
                let page = self.browser.request(
                    Request::new(Method::POST, &format!("/aws/{host}/")).with_form(&fields),
                );
                let body = page.text();
                self.access_key = element_text(&body, "AccessKeyId");
                self.session_token = element_text(&body, "SessionToken");
                self.outcome = Outcome::Api {
                    status: page.status(),
                    code: element_text(&body, "Code"),
                    body,
                };
            }
            Action::GetFederationToken(instance) => {
                let key = self.access_key.clone().unwrap_or_default();
                let mut request = Request::new(Method::GET, &format!("/aws/connect.us-east-1.amazonaws.com/user/federate/{instance}"))
                .with_header(
                    header::AUTHORIZATION,
                    &format!("AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/connect/aws4_request, SignedHeaders=host, Signature=0"),
                );
                if let Some(token) = &self.session_token {
                    request = request.with_header(
                        header::HeaderName::from_static("x-amz-security-token"),
                        token,
                    );
                }
                let page = self.browser.request(request);
                self.outcome = Outcome::Api {
                    status: page.status(),
                    code: page
                        .response
                        .headers
                        .get("x-amzn-errortype")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    body: page.text(),
                };
            }
            Action::Scripts(scripts) => {
                self.browser.scripts = *scripts;
            }
            Action::NewBrowser => {
                self.browser = Browser::new(self.transport);
                self.outcome = Outcome::Nothing;
                self.pending_form = None;
            }
            // The browser's page stays: an admin call changes the world under it, and
            // the next step goes on from that page.
            Action::Admin(call) => self.admin(call)?,
        }
        Ok(())
    }

    fn last_saml_response(&self) -> Option<String> {
        if let Outcome::Page(page) = &self.outcome
            && let Some(value) = page
                .form()
                .and_then(|f| f.get("SAMLResponse").map(str::to_owned))
        {
            return Some(value);
        }
        self.browser.last_saml_response.clone()
    }

    fn check(&self, expect: &Expect, events_before: i64) -> Result<(), (String, String)> {
        let mismatch = |what: &str, want: &dyn std::fmt::Display, got: &dyn std::fmt::Display| {
            Err((format!("{what} {want}"), format!("{what} {got}")))
        };
        let (status, code, page) = match &self.outcome {
            Outcome::Page(page) => (
                Some(page.status()),
                attribute(&page.text(), "data-code=\""),
                Some(page),
            ),
            Outcome::Api { status, code, .. } => (Some(*status), code.clone(), None),
            Outcome::Nothing => (None, None, None),
        };
        if let Some(want) = &expect.page {
            let got = page
                .and_then(Page::role)
                .unwrap_or_else(|| "(no samlsim page)".into());
            if &got != want {
                return Err((format!("page {want}"), page.map_or(got, describe_page)));
            }
        }
        if let Some(want) = expect.status {
            let got = status.map_or(0, |s| s.as_u16());
            if got != want {
                return mismatch("status", &want, &got);
            }
        }
        if let Some(want) = &expect.rule {
            // A page names its rule; an API error names only its code, so the rule
            // is the one the step's refusal event recorded.
            let got = match page {
                Some(page) => page.rule(),
                None => self
                    .flow_events(events_before)
                    .into_iter()
                    .rev()
                    .find_map(|e| e.rule),
            }
            .unwrap_or_else(|| "(none)".into());
            if &got != want {
                return mismatch("rule", want, &got);
            }
        }
        if let Some(want) = &expect.aws_error {
            let got = code.unwrap_or_else(|| "(none)".into());
            if &got != want {
                return mismatch("AWS error", want, &got);
            }
        }
        if let Some(want) = &expect.url {
            let got = page.map(|p| p.url.clone()).unwrap_or_default();
            if !got.starts_with(want.as_str()) {
                return mismatch("URL", want, &got);
            }
        }
        if let Some(want) = &expect.text {
            let body = match &self.outcome {
                Outcome::Page(page) => page.text(),
                Outcome::Api { body, .. } => body.clone(),
                Outcome::Nothing => String::new(),
            };
            if !body.contains(want.as_str()) {
                return Err((format!("text \"{want}\""), "not on the page".into()));
            }
        }
        if let Some(want) = &expect.saml_attribute {
            let values = self.saml_attribute(&want.name);
            if !values.contains(&want.value) {
                return Err((
                    format!("SAML attribute {} = \"{}\"", want.name, want.value),
                    format!("values {values:?}"),
                ));
            }
        }
        if let Some(want) = &expect.event {
            let events = self.flow_events(events_before);
            let found = events.iter().any(|e| {
                want.action.as_ref().is_none_or(|a| &e.action == a)
                    && want
                        .rule
                        .as_ref()
                        .is_none_or(|r| e.rule.as_ref() == Some(r))
                    && want
                        .step
                        .as_ref()
                        .is_none_or(|s| e.step.as_ref() == Some(s))
                    && want.outcome.as_ref().is_none_or(|o| {
                        serde_json::to_value(e.outcome)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .as_ref()
                            == Some(o)
                    })
            });
            if !found {
                return Err((
                    format!("an event {want:?}"),
                    format!(
                        "{} events: {}",
                        events.len(),
                        events
                            .iter()
                            .map(|e| format!("{}/{:?}/{:?}", e.action, e.rule, e.step))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Every refusal leaves an event: when the step's answer names a rule (a page's
    /// `data-rule`) or is an API error (its code), the flow's events recorded during
    /// the step must include that refusal.
    fn check_refusal_recorded(&self, events_before: i64) -> Result<(), (String, String)> {
        // The rule a page names, or the code of an API error.
        let (rule, code) = match &self.outcome {
            Outcome::Page(page) => match page.rule() {
                Some(rule) => (Some(rule), None),
                None => return Ok(()),
            },
            Outcome::Api {
                status,
                code: Some(code),
                ..
            } if !status.is_success() => (None, Some(code.clone())),
            _ => return Ok(()),
        };
        let events = self.flow_events(events_before);
        let recorded = events.iter().any(|e| match (&rule, &code) {
            (Some(rule), _) => e.rule.as_ref() == Some(rule),
            (None, Some(code)) => e.rule.is_some() && e.detail["code"].as_str() == Some(code),
            (None, None) => false,
        });
        if recorded {
            return Ok(());
        }
        let wanted = match (rule, code) {
            (Some(rule), _) => format!("rule {rule}"),
            (None, code) => format!("code {}", code.unwrap_or_default()),
        };
        Err((
            format!("a refusal event with {wanted} (every refusal leaves an event)"),
            format!(
                "{} events: {}",
                events.len(),
                events
                    .iter()
                    .map(|e| format!("{}/{:?}", e.action, e.rule))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }

    /// Values of SAML attribute `name` in the last SAMLResponse (unverified: this
    /// is an expectation about what the IdP sent, not a decision).
    fn saml_attribute(&self, name: &str) -> Vec<String> {
        let Some(encoded) = self.last_saml_response() else {
            return Vec::new();
        };
        let Ok(xml) = decode_post(&encoded, &Limits::default()) else {
            return Vec::new();
        };
        let Ok(received) = samlsim_saml::response::parse_response(&xml) else {
            return Vec::new();
        };
        let doc = received.document();
        let ns = samlsim_saml::signature::ASSERTION_NS;
        doc.descendants(doc.document_node())
            .filter(|&n| {
                doc.is_element(n, ns, "Attribute")
                    && doc.element(n).and_then(|e| e.attribute("Name")) == Some(name)
            })
            .flat_map(|a| {
                doc.children_named(a, ns, "AttributeValue")
                    .collect::<Vec<_>>()
            })
            .map(|v| doc.text_content(v))
            .collect()
    }

    fn flow(&self) -> Option<String> {
        self.browser
            .cookie(samlsim_service::events::FLOW_COOKIE)
            .map(str::to_owned)
    }

    fn flow_events(&self, after: i64) -> Vec<Event> {
        let Some(flow) = self.flow() else {
            return Vec::new();
        };
        let response = self.transport.send(Request::new(
            Method::GET,
            &format!("/_admin/events?flow={flow}&after={after}"),
        ));
        serde_json::from_slice::<serde_json::Value>(&response.body)
            .ok()
            // An answer that is not an event list counts as no events: an `event`
            // expectation then fails saying it saw none.
            .and_then(|v| serde_json::from_value(v["events"].clone()).ok())
            .unwrap_or_default()
    }

    /// The flow's timeline from the inspector, through the same transport (so it
    /// works in process and against a running samlsim alike).
    fn timeline(&self) -> Option<String> {
        let flow = self.flow()?;
        let response = self.transport.send(Request::new(
            Method::GET,
            &format!("/_inspect/flow/{flow}.json"),
        ));
        if !response.status.is_success() {
            return None;
        }
        match serde_json::from_slice::<samlsim_emulator::inspect::FlowView>(&response.body) {
            Ok(view) => Some(samlsim_emulator::inspect::text(&view)),
            Err(e) => Some(format!("(the inspector's answer did not read: {e})")),
        }
    }

    fn last_event_id(&self) -> i64 {
        self.flow_events(0).last().map_or(0, |e| e.id)
    }
}

/// Whether the action brings a new answer (a page or an API response) to check;
/// the others leave the browser on the page it was on.
fn answers(action: &Action) -> bool {
    match action {
        Action::Open(_)
        | Action::SignIn(_)
        | Action::Submit(_)
        | Action::Post(_)
        | Action::Repost(_)
        | Action::Sts(_)
        | Action::GetFederationToken(_) => true,
        Action::AdvanceClock(_)
        | Action::Tamper(_)
        | Action::Scripts(_)
        | Action::NewBrowser
        | Action::Admin(_) => false,
    }
}

/// A posted form's answer: a page, or, when it is not HTML (STS's XML, an AWS
/// JSON error), an API answer with its error code.
fn api_or_page(page: Page) -> Outcome {
    let content_type = page
        .response
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with("text/html") {
        return Outcome::Page(page);
    }
    let body = page.text();
    let code = page
        .response
        .headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| element_text(&body, "Code"));
    Outcome::Api {
        status: page.status(),
        code,
        body,
    }
}

fn describe_page(page: &Page) -> String {
    format!(
        "{} (status {}, page {}, rule {})",
        page.url,
        page.status(),
        page.role().unwrap_or_else(|| "none".into()),
        page.rule().unwrap_or_else(|| "none".into())
    )
}

fn attribute(html: &str, name_eq_quote: &str) -> Option<String> {
    let start = html.find(name_eq_quote)? + name_eq_quote.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

fn element_text(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find('<')? + start;
    Some(xml[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use samlsim_service::{Response, UrlMap};

    use super::*;

    /// A service that refuses every page with rule `denied`, and an event log that
    /// holds `events` for the flow.
    struct Refusing {
        events: serde_json::Value,
        urls: UrlMap,
    }

    impl Transport for Refusing {
        fn send(&self, request: Request) -> Response {
            if request.path.starts_with("/_admin/events") {
                return Response::json(
                    StatusCode::OK,
                    &serde_json::json!({ "events": self.events }),
                );
            }
            Response::new(
                StatusCode::FORBIDDEN,
                "text/html; charset=utf-8",
                r#"<html data-page="problem" data-rule="denied"><body>No.</body></html>"#,
            )
            .with_header(header::SET_COOKIE, "samlsim_flow=f1; Path=/")
        }

        fn urls(&self) -> &UrlMap {
            &self.urls
        }
    }

    fn event(rule: &str) -> serde_json::Value {
        serde_json::json!({
            "id": 1, "at": 0, "flow": "f1", "service": "demo", "step": null, "action": "try",
            "outcome": "refused", "rule": rule, "message": "No.", "detail": {},
        })
    }

    fn run_against(events: serde_json::Value) -> Report {
        let scenario = Scenario::parse(
            "name = \"x\"\ncovers = [\"C1\"]\n[[step]]\nopen = \"/\"\nexpect = { rule = \"denied\" }\n",
            "s.toml",
        )
        .unwrap();
        let transport = Refusing {
            events,
            urls: UrlMap::new("http://127.0.0.1:7575"),
        };
        run(&scenario, "s.toml", &transport)
    }

    #[test]
    fn a_refusal_without_its_event_fails_the_step() {
        let report = run_against(serde_json::json!([]));
        let failure = report.failure.expect("the step fails");
        assert_eq!(failure.at, "step 1 (open)");
        assert!(failure.expected.contains("rule denied"), "{failure:?}");

        let report = run_against(serde_json::json!([event("another")]));
        assert!(
            report.failure.is_some(),
            "an event for another rule is not it"
        );
    }

    #[test]
    fn a_refusal_with_its_event_passes() {
        let report = run_against(serde_json::json!([event("denied")]));
        assert!(report.passed(), "{:?}", report.failure);
    }
}
