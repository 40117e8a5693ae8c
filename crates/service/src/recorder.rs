//! One way for a service to record what it did and to answer a refusal.

use crate::events::{EventLog, FLOW_COOKIE, NewEvent};
use crate::http::{HeaderValue, Request, Response, StatusCode, header};
use crate::lang::Lang;
use crate::problem::Problem;
use crate::rule::{Refusal, Rule};

/// A service's handle on the event log: records under the request's flow, and
/// answers refusals.
#[derive(Clone)]
pub struct Recorder {
    events: EventLog,
    service: &'static str,
}

impl Recorder {
    pub fn new(events: EventLog, service: &'static str) -> Self {
        Recorder { events, service }
    }

    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// Records `event` under the request's flow. The answer does not depend on the
    /// log: a failure to record is reported through `tracing` (the server log) and
    /// the request goes on, so a full disk does not turn every page into an error.
    pub fn record(&self, request: &Request, event: NewEvent) {
        let event = event.flow(request.cookie(FLOW_COOKIE));
        if let Err(error) = self.events.note(event) {
            tracing::error!(service = self.service, %error, "recording an event failed");
        }
    }

    /// The one way a refusal leaves a service: the event is recorded (rule,
    /// outcome, the refusal's step and context), then `answer` renders the page or
    /// API error body the caller speaks.
    pub fn refuse<R: Rule>(
        &self,
        request: &Request,
        action: &'static str,
        refusal: Refusal<R>,
        answer: impl FnOnce(&Refusal<R>) -> Response,
    ) -> Response {
        let spec = refusal.spec();
        let step = refusal.step.or_else(|| spec.behaviours.first().copied());
        let mut detail = match &refusal.context {
            serde_json::Value::Object(map) => map.clone(),
            serde_json::Value::Null => serde_json::Map::new(),
            other => {
                let mut map = serde_json::Map::new();
                map.insert("context".into(), other.clone());
                map
            }
        };
        if !spec.code.is_empty() {
            detail.insert("code".into(), spec.code.into());
        }
        if let Some(why) = &refusal.detail {
            detail.insert("why".into(), why.clone().into());
        }
        let mut event = NewEvent {
            outcome: spec.outcome,
            rule: Some(spec.name),
            ..NewEvent::ok(self.service, action, refusal.summary())
        }
        .detail(serde_json::Value::Object(detail));
        event.step = step;
        self.record(request, event);
        answer(&refusal)
    }
}

impl<R: Rule> Refusal<R> {
    /// The page view of this refusal in `lang`: the emulated service's headline
    /// (in its own words), samlsim's account of what was wrong, and the fix.
    pub fn problem(&self, lang: Lang) -> Problem {
        let spec = self.spec();
        let mut problem = Problem::new(
            self.status(),
            spec.name,
            self.message().to_owned(),
            // The detail quotes the request's values; it stays as recorded.
            self.detail
                .clone()
                .unwrap_or_else(|| spec.explanation(lang).to_owned()),
        );
        if !spec.fix.is_empty() {
            problem = problem.with_fix(spec.fix(lang));
        }
        problem
    }

    /// The refusal as samlsim's problem page, headed with `service_title`, in
    /// the language `request` asks for.
    pub fn page(&self, service_title: &str, request: &Request) -> Response {
        let negotiated = Lang::negotiate(request);
        self.problem(negotiated.lang)
            .page_in(service_title, negotiated)
    }

    /// The refusal in the JSON shape of AWS's REST-JSON and JSON 1.1 protocols
    /// (Connect, Cognito): the code in `x-amzn-ErrorType` and in `__type`, the
    /// message in `message` and `Message` (botocore reads either).
    pub fn aws_json(&self) -> Response {
        aws_json_error(self.status(), self.spec().code, self.message())
    }
}

/// AWS's JSON error shape, for refusals and for faults alike.
pub fn aws_json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = Response::json(
        status,
        &serde_json::json!({ "__type": code, "message": message, "Message": message }),
    );
    if let Ok(value) = HeaderValue::from_str(code) {
        response
            .headers
            .insert(header::HeaderName::from_static("x-amzn-errortype"), value);
    }
    response
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::VirtualClock;
    use crate::events::EventFilter;
    use crate::events::Outcome;
    use crate::store::Store;

    crate::rules! {
        enum DemoRule for "demo" {
            Denied {
                name: "denied",
                status: 403,
                code: "AccessDenied",
                headline: "Not allowed.",
                fix: "Ask for it.",
                fix_ko: "요청하세요.",
                behaviours: &["C5"],
            },
        }
    }

    #[test]
    fn a_refusal_leaves_an_event_and_its_answer() {
        let store = Arc::new(Store::in_memory().unwrap());
        let log = EventLog::new(store, Arc::new(VirtualClock::frozen(0))).unwrap();
        let recorder = Recorder::new(log.clone(), "demo");
        let request = Request::new(http::Method::GET, "/x")
            .with_header(header::COOKIE, &format!("{FLOW_COOKIE}=f1"));
        let response = recorder.refuse(
            &request,
            "try",
            Refusal::new(DemoRule::Denied)
                .because("alice may not")
                .context(serde_json::json!({ "user": "alice" })),
            |r| r.aws_json(),
        );
        assert_eq!(response.status, StatusCode::FORBIDDEN);
        let body: serde_json::Value = serde_json::from_str(&response.text_body()).unwrap();
        assert_eq!(body["__type"], "AccessDenied");
        let events = log.list(&EventFilter::default()).unwrap();
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.rule.as_deref(), Some("denied"));
        assert_eq!(event.outcome, Outcome::Refused);
        assert_eq!(event.step.as_deref(), Some("C5"));
        assert_eq!(event.flow.as_deref(), Some("f1"));
        assert_eq!(event.detail["user"], "alice");
        assert_eq!(event.detail["why"], "alice may not");
        assert_eq!(event.message, "AccessDenied: Not allowed. — alice may not");
    }

    #[test]
    fn a_page_names_the_rule_and_the_fix() {
        let html = Refusal::new(DemoRule::Denied)
            .because("alice <b>")
            .page("Demo", &Request::new(http::Method::GET, "/x"))
            .text_body();
        assert!(html.contains("data-rule=\"denied\""), "{html}");
        assert!(html.contains("Ask for it."), "{html}");
        assert!(!html.contains("alice <b>"), "{html}");
    }
}
