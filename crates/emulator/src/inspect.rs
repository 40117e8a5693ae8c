//! The flow inspector (`/_inspect`): every flow as a timeline of its steps, the
//! SAML messages that crossed, decoded, and every check a service made with the
//! actual value beside the expected one and the fix.
//!
//! | method and path | what |
//! |---|---|
//! | `GET /_inspect` | the flows, newest first (the page polls `flows.json`) |
//! | `GET /_inspect/current` | this browser's flow (the link in every page's header) |
//! | `GET /_inspect/flows.json` | the same list as JSON |
//! | `GET /_inspect/flow/<id>` | one flow |
//! | `GET /_inspect/flow/<id>.json` | one flow as JSON (`samlsim flows` prints it) |
//! | `GET /_inspect/flow/<id>/scenario.toml` | the flow as a scenario `samlsim run` replays |
//!
//! Loopback-only, like the admin API: it shows every user's assertions. It changes
//! nothing itself; the clock buttons call the admin API with JSON, so the admin
//! API's cross-site guard covers them too.

use std::collections::BTreeMap;

use askama::Template;
use samlsim_saml::DateTime;
use samlsim_saml::binding::{Limits, decode_post};
use samlsim_service::clock::format_duration;
use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{
    Clock, Event, EventFilter, Exchange, Lang, Negotiated, Outcome, Request, Response, SamlMessage,
    StoreError,
};
use serde::{Deserialize, Serialize};

use crate::Emulator;

/// The swim lanes, left to right: who answered the exchange.
pub const LANES: [&str; 6] = ["Browser", "IdP", "AWS sign-in", "STS", "Connect", "Cognito"];
/// The lanes as the Korean page heads them (the seed documents' 로그인 for sign-in).
const LANES_KO: [&str; 6] = ["브라우저", "IdP", "AWS 로그인", "STS", "Connect", "Cognito"];

/// The six steps of the AWS flow, as the seed behaviours name them (English,
/// Korean).
pub const STEPS: [(&str, &str, &str); 6] = [
    ("C1", "IdP portal", "IdP 포털"),
    ("C2", "login page", "로그인 페이지"),
    ("C3", "identity check", "자격 증명 확인"),
    ("C4", "signed assertion", "서명된 어설션"),
    ("C5", "AWS sign-in", "AWS 로그인"),
    ("C6", "Connect", "Connect"),
];

pub fn handle(emulator: &Emulator, request: &Request) -> Response {
    if !request.is_loopback() {
        return Response::json_error(
            StatusCode::FORBIDDEN,
            "LoopbackOnly",
            "the flow inspector answers only clients on this machine",
        );
    }
    if request.method != Method::GET {
        return Response::json_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "the inspector only reads; the clock moves through POST /_admin/clock",
        );
    }
    let path = request.path_after("/_inspect").unwrap_or("");
    let answer = match path {
        "" | "/" => list_page(emulator, request, Lang::negotiate(request)),
        // Every page's header links here: this browser's own flow, or the list
        // when it has walked nothing yet.
        "/current" => Ok(current(emulator, request)),
        "/flows.json" => flows(emulator, 50)
            .map(|flows| Response::json(StatusCode::OK, &serde_json::json!({ "flows": flows }))),
        p => match p.strip_prefix("/flow/") {
            Some(rest) => flow_answer(emulator, request, rest),
            None => Ok(not_found(p)),
        },
    };
    answer.unwrap_or_else(|e| {
        Response::json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "StoreError",
            e.to_string(),
        )
    })
}

fn current(emulator: &Emulator, request: &Request) -> Response {
    let flow = request
        .cookie(samlsim_service::events::FLOW_COOKIE)
        // Flow IDs are tokens; anything else in the cookie is not one of ours.
        .filter(|flow| {
            flow.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .filter(|flow| {
            emulator
                .exchanges()
                .of_flow(flow)
                .is_ok_and(|exchanges| !exchanges.is_empty())
        });
    let target = match flow {
        Some(flow) => format!("/_inspect/flow/{flow}"),
        None => "/_inspect".to_owned(),
    };
    Response::redirect(StatusCode::SEE_OTHER, &target)
}

fn not_found(what: &str) -> Response {
    Response::json_error(
        StatusCode::NOT_FOUND,
        "NoSuchFlow",
        format!(
            "the inspector has no {}: it may have aged out of the event log's retention",
            samlsim_service::bounded(what)
        ),
    )
}

fn flow_answer(emulator: &Emulator, request: &Request, rest: &str) -> Result<Response, StoreError> {
    let (id, format) = if let Some(id) = rest.strip_suffix(".json") {
        (id, "json")
    } else if let Some(id) = rest.strip_suffix("/scenario.toml") {
        (id, "toml")
    } else {
        (rest, "html")
    };
    // The JSON and the scenario are for programs: English, whatever the browser.
    let negotiated = match format {
        "html" => Lang::negotiate(request),
        _ => Negotiated::fixed(Lang::En),
    };
    let lang = negotiated.lang;
    let Some(flow) = flow_in(emulator, id, lang)? else {
        return Ok(not_found(&format!("flow {id}")));
    };
    Ok(match format {
        "json" => Response::json(StatusCode::OK, &flow),
        "toml" => Response::new(
            StatusCode::OK,
            "application/toml; charset=utf-8",
            crate::inspect::scenario_toml(emulator, &flow),
        )
        .with_header(
            samlsim_service::http::header::CONTENT_DISPOSITION,
            &format!("attachment; filename=\"flow-{}.toml\"", flow.flow),
        ),
        _ => negotiated.finish(render(&FlowPage {
            lang,
            toggle: negotiated.toggle.clone(),
            present: presenting(emulator, request),
            switches: switch_views(emulator, lang),
            clock: ClockView::of(emulator),
            lanes: match lang {
                Lang::En => &LANES,
                Lang::Ko => &LANES_KO,
            },
            steps: step_strip(&flow, lang),
            flow,
        })),
    })
}

/// One flow, in order, with what the inspector derives from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlowView {
    pub flow: String,
    /// Who signed in, as far as the flow says (the login, else RoleSessionName).
    pub user: Option<String>,
    /// `ok`, or the outcome of the first check that did not pass.
    pub outcome: String,
    /// The step where the flow stopped: the failed check's, else the last reached.
    pub stopped_at: Option<String>,
    /// The rule that stopped it.
    pub rule: Option<String>,
    /// The first check that did not pass: the one the page explains first.
    pub failure: Option<Check>,
    /// The failure switch that was on when it failed and breaks that rule.
    pub switch: Option<String>,
    /// Every failure switch that was on when the flow started: a saved flow makes
    /// them its `[[setup]]`, so that it replays in the world it was walked in.
    #[serde(default)]
    pub switches_on: Vec<String>,
    pub started: String,
    pub rows: Vec<Row>,
}

/// One exchange on the timeline.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub id: i64,
    pub at: String,
    pub unix: i64,
    pub step: Option<String>,
    /// The step in words (`AWS sign-in`), for the six steps.
    pub step_name: Option<String>,
    pub lane: usize,
    pub lane_name: String,
    pub method: String,
    pub path: String,
    pub public_url: Option<String>,
    pub status: u16,
    pub location: Option<String>,
    pub page: Option<String>,
    pub rule: Option<String>,
    pub checks: Vec<Check>,
    pub messages: Vec<MessageView>,
    /// The form fields a person filled in (no SAML messages, no passwords), which
    /// a saved scenario replays.
    #[serde(default)]
    pub form: Vec<(String, String)>,
}

/// One check a service made: an event, with the rule's words beside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Check {
    pub event_id: i64,
    pub service: String,
    /// The service as a person knows it (`Amazon Connect`, not `connect`).
    pub service_name: String,
    pub action: String,
    pub step: Option<String>,
    pub outcome: String,
    pub passed: bool,
    pub rule: Option<String>,
    pub message: String,
    /// What the emulated service itself says (the rule's headline, in its words).
    pub headline: Option<String>,
    pub why: Option<String>,
    /// Which value `actual` is (e.g. `RoleSessionName`), when the refusal says.
    pub attribute: Option<String>,
    /// The value the service saw and the one it wanted, when the refusal says.
    pub actual: Option<String>,
    pub expected: Option<String>,
    pub explanation: Option<String>,
    pub fix: Option<String>,
    /// The other facts the service recorded (user, role, times), as `key: value`.
    pub facts: Vec<(String, String)>,
}

/// A decoded SAML message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageView {
    pub parameter: String,
    pub binding: String,
    /// `Response`, `AuthnRequest`, `LogoutRequest`, ...
    pub kind: String,
    pub relay_state: Option<String>,
    pub error: Option<String>,
    pub lines: Vec<XmlLine>,
    pub signatures: Vec<SignatureView>,
    pub attributes: Vec<AttributeView>,
    pub conditions: Vec<ConditionView>,
    pub issuer: Option<String>,
    pub name_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct XmlLine {
    pub text: String,
    /// Inside an element a signature covers.
    pub signed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignatureView {
    /// The element the signature covers, e.g. `saml:Assertion ID="_a1"`.
    pub covers: String,
    pub algorithm: String,
    pub digest: String,
    /// SHA-256 of the certificate in KeyInfo, when there is one.
    pub fingerprint: Option<String>,
    pub subject: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttributeView {
    pub name: String,
    /// What the attribute is for, in words (AWS's attributes only).
    pub meaning: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConditionView {
    pub what: String,
    pub value: String,
    /// Against the virtual clock (times) or what it must equal.
    pub verdict: String,
    pub ok: bool,
}

/// The flows, newest first, each with user, outcome and where it stopped.
pub fn flows(emulator: &Emulator, limit: u32) -> Result<Vec<FlowView>, StoreError> {
    flows_in(emulator, limit, Lang::En)
}

/// [`flows`], with samlsim's words in `lang`.
fn flows_in(emulator: &Emulator, limit: u32, lang: Lang) -> Result<Vec<FlowView>, StoreError> {
    emulator
        .exchanges()
        .flows(limit)?
        .into_iter()
        .map(|summary| {
            flow_in(emulator, &summary.flow, lang).map(|f| {
                f.map(|mut f| {
                    // The list shows no detail; a poll every two seconds stays small.
                    f.rows.clear();
                    f.failure = None;
                    f
                })
            })
        })
        .filter_map(Result::transpose)
        .collect()
}

/// One flow, or `None` when nothing of it is kept.
pub fn flow(emulator: &Emulator, id: &str) -> Result<Option<FlowView>, StoreError> {
    flow_in(emulator, id, Lang::En)
}

/// [`flow`], with samlsim's words (step names, explanations, fixes, verdicts) in
/// `lang`; what the services said and the messages stay as they were.
pub fn flow_in(emulator: &Emulator, id: &str, lang: Lang) -> Result<Option<FlowView>, StoreError> {
    let exchanges = emulator.exchanges().of_flow(id)?;
    if exchanges.is_empty() {
        return Ok(None);
    }
    let events = emulator.events().list(&EventFilter {
        flow: Some(id.to_owned()),
        limit: Some(5000),
        ..EventFilter::default()
    })?;
    let mut view = build_in(id, &exchanges, &events, lang);
    if let Some(failure) = &view.failure
        && let Some(rule) = &failure.rule
    {
        view.switch = switch_at(emulator, failure.event_id, rule)?
            .map(|s| lang.pick(s.label, s.label_ko).to_owned());
    }
    // Before the flow's first exchange: the events it caused come after.
    view.switches_on = switches_on_before(emulator, exchanges[0].events_after + 1)?;
    Ok(Some(view))
}

/// The failure switch behind a failure on `rule` at event `at`: one that breaks
/// that rule and was on then, as the log of switch flips says (the switch may be
/// off again by the time someone looks).
fn switch_at(
    emulator: &Emulator,
    at: i64,
    rule: &str,
) -> Result<Option<&'static crate::switches::Switch>, StoreError> {
    let on = switches_on_before(emulator, at)?;
    Ok(crate::switches::SWITCHES
        .iter()
        .find(|s| on.iter().any(|o| o == s.name) && s.rules.contains(&rule)))
}

/// The failure switches on before event `at`: the set the newest flip before it
/// recorded (the admin API records each flip with every switch then on).
fn switches_on_before(emulator: &Emulator, at: i64) -> Result<Vec<String>, StoreError> {
    let Some(flip) = emulator
        .events()
        .newest_before("admin", "demo.switch", at)?
    else {
        return Ok(Vec::new());
    };
    Ok(flip
        .detail
        .get(crate::switches::SWITCHES_ON)
        .and_then(serde_json::Value::as_array)
        .map(|on| {
            on.iter()
                .filter_map(|name| name.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// Puts events under the exchange that caused them and derives the summary.
pub fn build(id: &str, exchanges: &[Exchange], events: &[Event]) -> FlowView {
    build_in(id, exchanges, events, Lang::En)
}

/// [`build`], with samlsim's words in `lang`.
fn build_in(id: &str, exchanges: &[Exchange], events: &[Event], lang: Lang) -> FlowView {
    let rows: Vec<Row> = exchanges
        .iter()
        .map(|exchange| {
            let checks: Vec<Check> = events
                .iter()
                .filter(|e| e.id > exchange.events_after && e.id <= exchange.events_upto)
                .map(|event| check(event, lang))
                .collect();
            let lane = lane(&exchange.path);
            let step = checks
                .iter()
                .find_map(|c| c.step.clone())
                .or_else(|| default_step(lane, &exchange.method, &exchange.path));
            let step_name = step.as_deref().and_then(|id| {
                STEPS
                    .iter()
                    .find(|(s, _, _)| *s == id)
                    .map(|(_, en, ko)| lang.pick(en, ko).to_owned())
            });
            Row {
                id: exchange.id,
                at: DateTime::from_unix(exchange.at).to_string(),
                unix: exchange.at,
                step,
                step_name,
                lane,
                lane_name: LANES[lane].to_owned(),
                method: exchange.method.clone(),
                path: exchange.path.clone(),
                public_url: exchange.public_url.clone(),
                status: exchange.status,
                location: exchange.location.clone(),
                page: exchange.page.clone(),
                rule: exchange.rule.clone(),
                checks,
                messages: exchange
                    .messages
                    .iter()
                    .map(|m| message(m, exchange.at, exchange.public_url.as_deref(), lang))
                    .collect(),
                form: exchange.form.clone(),
            }
        })
        .collect();
    let failed = rows.iter().flat_map(|r| &r.checks).find(|c| !c.passed);
    let failed_row = rows.iter().find(|r| r.checks.iter().any(|c| !c.passed));
    let user = events
        .iter()
        .find_map(|e| {
            ["user", "username", "role_session_name"]
                .iter()
                .find_map(|k| e.detail.get(*k).and_then(|v| v.as_str()).map(str::to_owned))
        })
        .or_else(|| {
            rows.iter()
                .flat_map(|r| &r.messages)
                .flat_map(|m| &m.attributes)
                .find(|a| a.name.ends_with("/RoleSessionName"))
                .and_then(|a| a.values.first().cloned())
        });
    FlowView {
        flow: id.to_owned(),
        user,
        outcome: failed.map_or_else(|| "ok".to_owned(), |c| c.outcome.clone()),
        stopped_at: failed
            .and_then(|c| c.step.clone())
            .or_else(|| failed_row.and_then(|r| r.step.clone()))
            .or_else(|| rows.iter().rev().find_map(|r| r.step.clone())),
        rule: failed.and_then(|c| c.rule.clone()),
        failure: failed.cloned(),
        switch: None,
        switches_on: Vec::new(),
        started: rows.first().map(|r| r.at.clone()).unwrap_or_default(),
        rows,
    }
}

/// Which lane answered `path`.
fn lane(path: &str) -> usize {
    if path.starts_with("/idp/") || path == "/idp" {
        return 1;
    }
    let Some(rest) = path.strip_prefix("/aws/") else {
        return 0;
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.contains("cognito") {
        5
    } else if host.starts_with("sts.") || host.starts_with("sts-") {
        3
    } else if host.contains("connect") || host.contains("awsapps.com") || rest.contains("/connect/")
    {
        // The console's /connect/federate is Connect's federation endpoint.
        4
    } else if host.contains("signin.") || host.contains("console.") {
        2
    } else {
        0
    }
}

/// The step an exchange without events belongs to, from where it went.
fn default_step(lane: usize, method: &str, path: &str) -> Option<String> {
    let step = match (lane, method) {
        (1, "GET") if path.contains("login") => "C2",
        (1, "POST") if path.contains("login") => "C3",
        (1, _) if path.contains("portal") || path.contains("launch") => "C1",
        (1, _) if path.contains("sso") => "C4",
        (2 | 3, _) => "C5",
        (4, _) => "C6",
        _ => return None,
    };
    Some(step.to_owned())
}

fn check(event: &Event, lang: Lang) -> Check {
    let spec = event
        .rule
        .as_deref()
        .and_then(|rule| crate::rules::find(rule).into_iter().next())
        .map(|entry| entry.spec);
    let text = |key: &str| {
        event.detail.get(key).map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let facts = match &event.detail {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "why" | "actual" | "expected" | "code" | "attribute"
                )
            })
            .map(|(k, v)| {
                (
                    k.clone(),
                    match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    Check {
        event_id: event.id,
        service: event.service.clone(),
        service_name: match event.service.as_str() {
            "idp" => lang.pick("the IdP", "IdP"),
            "aws" => "AWS",
            "connect" => "Amazon Connect",
            "cognito" => "Amazon Cognito",
            other => other,
        }
        .to_owned(),
        action: event.action.clone(),
        step: event.step.clone(),
        outcome: event.outcome.as_str().to_owned(),
        passed: event.outcome == Outcome::Ok,
        rule: event.rule.clone(),
        message: event.message.clone(),
        headline: spec.map(|s| s.headline.to_owned()),
        why: text("why"),
        attribute: text("attribute"),
        actual: text("actual"),
        expected: text("expected"),
        explanation: spec
            .map(|s| s.explanation(lang).to_owned())
            .filter(|s| !s.is_empty()),
        fix: spec
            .map(|s| s.fix(lang).to_owned())
            .filter(|s| !s.is_empty()),
        facts,
    }
}

const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

/// What a person needs to read a message: signatures, attributes, conditions.
fn message(m: &SamlMessage, sent_at: i64, posted_to: Option<&str>, lang: Lang) -> MessageView {
    let mut view = MessageView {
        parameter: m.parameter.clone(),
        binding: m.binding.clone(),
        kind: String::new(),
        relay_state: m.relay_state.clone(),
        error: m.error.clone(),
        lines: Vec::new(),
        signatures: Vec::new(),
        attributes: Vec::new(),
        conditions: Vec::new(),
        issuer: None,
        name_id: None,
    };
    let Some(xml) = &m.xml else {
        return view;
    };
    let doc = match samlsim_xml::parse(xml) {
        Ok(doc) => doc,
        Err(e) => {
            view.lines = xml
                .lines()
                .map(|l| XmlLine {
                    text: l.to_owned(),
                    signed: false,
                })
                .collect();
            view.error
                .get_or_insert_with(|| format!("shown as sent: it does not parse as XML ({e})"));
            return view;
        }
    };
    // Indented as `samlsim decode` prints it; capture keeps the message as sent.
    let pretty = samlsim_xml::to_pretty_xml(&doc, doc.document_node());
    let all: Vec<_> = doc.descendants(doc.document_node()).collect();
    let first = |ns: &str, name: &str| all.iter().copied().find(|&n| doc.is_element(n, ns, name));
    if let Some(root) = doc.root_element().and_then(|r| doc.element(r)) {
        view.kind = root.local_name.to_string();
    }
    view.issuer = first(ASSERTION, "Issuer").map(|n| doc.text_content(n).trim().to_owned());
    view.name_id = first(ASSERTION, "NameID").map(|n| doc.text_content(n).trim().to_owned());
    let mut signed_ids = Vec::new();
    for &signature in all
        .iter()
        .filter(|&&n| doc.is_element(n, DSIG, "Signature"))
    {
        let inside = |name: &str| {
            doc.descendants(signature)
                .find(|&n| doc.is_element(n, DSIG, name))
        };
        let attr = |node: Option<_>, name: &str| {
            node.and_then(|n| doc.element(n))
                .and_then(|e| e.attribute(name))
                .unwrap_or("")
                .to_owned()
        };
        let reference = attr(inside("Reference"), "URI");
        let id = reference.trim_start_matches('#').to_owned();
        let covered = all.iter().copied().find(|&n| {
            doc.element(n)
                .is_some_and(|e| e.attribute("ID") == Some(id.as_str()))
        });
        let certificate = inside("X509Certificate").and_then(|n| {
            decode_post(&doc.text_content(n), &Limits::default())
                .map_err(|e| e.to_string())
                .and_then(|der| {
                    samlsim_crypto::Certificate::from_der(&der).map_err(|e| e.to_string())
                })
                .ok()
        });
        view.signatures.push(SignatureView {
            covers: covered
                .and_then(|n| doc.element(n))
                .map_or(format!("nothing found at {reference}"), |e| {
                    format!("{} ID=\"{id}\"", e.qualified_name())
                }),
            algorithm: {
                let uri = attr(inside("SignatureMethod"), "Algorithm");
                match uri.rsplit('#').next() {
                    Some("rsa-sha256") => format!("RSA with SHA-256 ({uri})"),
                    Some("rsa-sha1") => format!("RSA with SHA-1, which AWS still accepts ({uri})"),
                    _ => uri,
                }
            },
            digest: attr(inside("DigestMethod"), "Algorithm"),
            fingerprint: certificate.as_ref().map(|c| c.sha256_fingerprint()),
            subject: certificate.as_ref().map(|c| c.subject()),
        });
        signed_ids.push(id);
    }
    view.lines = mark_signed(&pretty, &signed_ids);
    for &attribute in all
        .iter()
        .filter(|&&n| doc.is_element(n, ASSERTION, "Attribute"))
    {
        let name = doc
            .element(attribute)
            .and_then(|e| e.attribute("Name"))
            .unwrap_or("")
            .to_owned();
        let values: Vec<String> = doc
            .child_elements(attribute)
            .filter(|&n| doc.is_element(n, ASSERTION, "AttributeValue"))
            .map(|n| doc.text_content(n).trim().to_owned())
            .collect();
        // A Role value is a pair; one line each reads better than a comma.
        let values = if name.ends_with("/SAML/Attributes/Role") {
            values
                .iter()
                .flat_map(|v| match v.split_once(',') {
                    Some((a, b)) => {
                        let (role, provider) = if a.contains(":role/") { (a, b) } else { (b, a) };
                        vec![
                            format!("role {}", role.trim()),
                            format!("provider {}", provider.trim()),
                        ]
                    }
                    None => vec![v.clone()],
                })
                .collect()
        } else {
            values
        };
        view.attributes.push(AttributeView {
            meaning: attribute_meaning(&name, lang).to_owned(),
            name,
            values,
        });
    }
    let time_attr = |node: Option<_>, name: &str| {
        node.and_then(|n| doc.element(n))
            .and_then(|e| e.attribute(name))
            .map(str::to_owned)
    };
    let conditions = first(ASSERTION, "Conditions");
    let confirmation = first(ASSERTION, "SubjectConfirmationData");
    if let Some(at) = time_attr(conditions, "NotBefore") {
        view.conditions.push(time_condition(
            lang.pick(
                "Conditions NotBefore (not valid before)",
                "Conditions NotBefore (이 시각 전에는 유효하지 않음)",
            ),
            &at,
            sent_at,
            true,
            lang,
        ));
    }
    for (node, what) in [
        (
            conditions,
            lang.pick(
                "Conditions NotOnOrAfter (expires)",
                "Conditions NotOnOrAfter (만료 시각)",
            ),
        ),
        (
            confirmation,
            lang.pick(
                "SubjectConfirmation NotOnOrAfter (must be posted before)",
                "SubjectConfirmation NotOnOrAfter (이 시각 전에 게시해야 함)",
            ),
        ),
    ] {
        if let Some(at) = time_attr(node, "NotOnOrAfter") {
            view.conditions
                .push(time_condition(what, &at, sent_at, false, lang));
        }
    }
    for audience in all
        .iter()
        .filter(|&&n| doc.is_element(n, ASSERTION, "Audience"))
    {
        view.conditions.push(ConditionView {
            what: lang
                .pick(
                    "Audience (who the assertion is for)",
                    "Audience (어설션을 받을 대상)",
                )
                .into(),
            value: doc.text_content(*audience).trim().to_owned(),
            verdict: lang
                .pick(
                    "must name the receiving service (AWS: urn:amazon:webservices, or the region's)",
                    "받는 서비스를 가리켜야 함(AWS: urn:amazon:webservices 또는 리전의 값)",
                )
                .into(),
            ok: true,
        });
    }
    if let Some(recipient) = time_attr(confirmation, "Recipient") {
        let (verdict, ok) = match posted_to {
            Some(url) if url == recipient => (
                lang.pick("the URL it was posted to", "게시된 URL과 같음")
                    .to_owned(),
                true,
            ),
            Some(url) => (
                match lang {
                    Lang::En => format!("but it was posted to {url}"),
                    Lang::Ko => format!("그러나 {url}(으)로 게시됨"),
                },
                false,
            ),
            None => (
                lang.pick("must be the URL it is posted to", "게시되는 URL이어야 함")
                    .to_owned(),
                true,
            ),
        };
        view.conditions.push(ConditionView {
            what: lang
                .pick(
                    "Recipient (where it may be posted)",
                    "Recipient (게시할 수 있는 곳)",
                )
                .into(),
            value: recipient,
            verdict,
            ok,
        });
    }
    view
}

fn attribute_meaning(name: &str, lang: Lang) -> &'static str {
    match name.rsplit('/').next().unwrap_or("") {
        "Role" => lang.pick(
            "role ARN, SAML provider ARN: the IAM role to assume and who vouches for it",
            "역할 ARN, SAML 공급자 ARN: 수임할 IAM 역할과 이를 보증하는 공급자",
        ),
        "RoleSessionName" => lang.pick(
            "the session's name in AWS; Connect looks up the user by exactly this name",
            "AWS에서의 세션 이름. Connect는 정확히 이 이름으로 사용자를 찾습니다",
        ),
        "SessionDuration" => lang.pick(
            "console session length in seconds (900 to 43200)",
            "콘솔 세션 길이(초, 900~43200)",
        ),
        _ => "",
    }
}

/// A time condition against when the message crossed and the virtual clock now.
fn time_condition(
    what: &str,
    value: &str,
    sent_at: i64,
    not_before: bool,
    lang: Lang,
) -> ConditionView {
    let Ok(at) = DateTime::parse(value) else {
        return ConditionView {
            what: what.into(),
            value: value.into(),
            verdict: lang
                .pick(
                    "not a SAML time (xs:dateTime in UTC)",
                    "SAML 시간이 아님(UTC의 xs:dateTime)",
                )
                .into(),
            ok: false,
        };
    };
    let at = at.unix_seconds();
    let (ok, verdict) = if not_before {
        (
            sent_at >= at,
            if sent_at >= at {
                lang.pick("already valid when it was sent", "보낼 때 이미 유효함")
                    .to_owned()
            } else {
                let early = format_duration(at - sent_at);
                match lang {
                    Lang::En => format!("not yet valid when sent: {early} too early"),
                    Lang::Ko => format!("보낼 때 아직 유효하지 않음: {early} 이름"),
                }
            },
        )
    } else if sent_at < at {
        (true, {
            let spare = format_duration(at - sent_at);
            match lang {
                Lang::En => format!("valid when sent: {spare} to spare"),
                Lang::Ko => format!("보낼 때 유효함: {spare} 남음"),
            }
        })
    } else {
        (false, {
            let late = format_duration(sent_at - at);
            match lang {
                Lang::En => format!("expired when sent: {late} too late"),
                Lang::Ko => format!("보낼 때 이미 만료됨: {late} 늦음"),
            }
        })
    };
    ConditionView {
        what: what.into(),
        value: value.into(),
        verdict,
        ok,
    }
}

/// The pretty-printed lines, with those inside a signed element marked. The
/// printer indents each child one step further, so an element ends at the first
/// later line at its own indentation that closes it.
fn mark_signed(xml: &str, ids: &[String]) -> Vec<XmlLine> {
    let lines: Vec<&str> = xml.lines().collect();
    let mut signed = vec![false; lines.len()];
    for id in ids.iter().filter(|id| !id.is_empty()) {
        let needle = format!("ID=\"{id}\"");
        let Some(start) = lines.iter().position(|l| l.contains(&needle)) else {
            continue;
        };
        let indent = lines[start].len() - lines[start].trim_start().len();
        let self_closing = lines[start].trim_end().ends_with("/>");
        let end = if self_closing {
            start
        } else {
            lines[start + 1..]
                .iter()
                .position(|l| {
                    l.len() - l.trim_start().len() == indent && l.trim_start().starts_with("</")
                })
                .map_or(lines.len() - 1, |p| start + 1 + p)
        };
        signed[start..=end].iter_mut().for_each(|s| *s = true);
    }
    lines
        .into_iter()
        .zip(signed)
        .map(|(text, signed)| XmlLine {
            text: text.to_owned(),
            signed,
        })
        .collect()
}

/// The six steps with how far the flow got: `passed`, `failed` or `not-reached`.
fn step_strip(flow: &FlowView, lang: Lang) -> Vec<(String, String, &'static str)> {
    let mut strip: Vec<(String, String, &'static str)> = STEPS
        .iter()
        .map(|&(id, en, ko)| {
            let rows: Vec<&Row> = flow
                .rows
                .iter()
                .filter(|r| r.step.as_deref() == Some(id))
                .collect();
            let state = if flow.outcome != "ok" && flow.stopped_at.as_deref() == Some(id) {
                "failed"
            } else if rows.is_empty() {
                "not-reached"
            } else {
                "passed"
            };
            (id.to_owned(), lang.pick(en, ko).to_owned(), state)
        })
        .collect();
    // A flow can fail after the six steps (C30: the session ran out mid-call);
    // the strip then says so rather than showing six green boxes.
    if flow.outcome != "ok"
        && let Some(step) = &flow.stopped_at
        && !STEPS.iter().any(|(id, _, _)| id == step)
    {
        strip.push((
            step.clone(),
            lang.pick("after sign-in", "로그인 이후").to_owned(),
            "failed",
        ));
    }
    strip
}

/// The virtual clock as the page shows it.
struct ClockView {
    now: String,
    offset: i64,
    offset_text: String,
}

impl ClockView {
    fn of(emulator: &Emulator) -> Self {
        let clock = emulator.clock();
        ClockView {
            now: DateTime::from_unix(clock.now()).to_string(),
            offset: clock.offset(),
            offset_text: format_duration(clock.offset()),
        }
    }
}

/// The failure switches as the demo panel shows them: (name, label, explains, on).
fn switch_views(
    emulator: &Emulator,
    lang: Lang,
) -> Vec<(&'static str, &'static str, &'static str, bool)> {
    crate::switches::SWITCHES
        .iter()
        .map(|s| {
            (
                s.name,
                lang.pick(s.label, s.label_ko),
                lang.pick(s.explains, s.explains_ko),
                emulator.switches().is_on(s.name),
            )
        })
        .collect()
}

/// Presenter layout: `?present=1`, or every page under `samlsim up --demo`.
fn presenting(emulator: &Emulator, request: &Request) -> bool {
    match request.query_param("present").as_deref() {
        Some("0") => false,
        Some(_) => true,
        None => emulator.config().server.demo,
    }
}

#[derive(Template)]
#[template(path = "inspect/list.html")]
struct ListPage {
    lang: Lang,
    toggle: String,
    present: bool,
    switches: Vec<(&'static str, &'static str, &'static str, bool)>,
    clock: ClockView,
    flows: Vec<FlowView>,
}

#[derive(Template)]
#[template(path = "inspect/flow.html")]
struct FlowPage {
    lang: Lang,
    toggle: String,
    present: bool,
    switches: Vec<(&'static str, &'static str, &'static str, bool)>,
    clock: ClockView,
    lanes: &'static [&'static str],
    steps: Vec<(String, String, &'static str)>,
    flow: FlowView,
}

fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Response::html(StatusCode::OK, html),
        Err(e) => Response::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the inspector page failed to render: {e}"),
        ),
    }
}

fn list_page(
    emulator: &Emulator,
    request: &Request,
    negotiated: Negotiated,
) -> Result<Response, StoreError> {
    let lang = negotiated.lang;
    Ok(negotiated.finish(render(&ListPage {
        lang,
        toggle: negotiated.toggle.clone(),
        present: presenting(emulator, request),
        switches: switch_views(emulator, lang),
        clock: ClockView::of(emulator),
        flows: flows_in(emulator, 50, lang)?,
    })))
}

/// A flow's outcome (`ok`, `refused`, `invalid`, `failed`: the event log's) in
/// words.
fn outcome_words(outcome: &str, lang: Lang) -> &str {
    match (outcome, lang) {
        (_, Lang::En) => outcome,
        ("ok", Lang::Ko) => "성공",
        ("refused", Lang::Ko) => "거부됨",
        ("invalid", Lang::Ko) => "잘못된 요청",
        ("failed", Lang::Ko) => "samlsim 오류",
        (other, Lang::Ko) => other,
    }
}

impl ListPage {
    fn outcome<'a>(&self, outcome: &'a str) -> &'a str {
        outcome_words(outcome, self.lang)
    }
}

impl FlowPage {
    fn outcome<'a>(&self, outcome: &'a str) -> &'a str {
        outcome_words(outcome, self.lang)
    }
}

/// The flow as a scenario: each thing the person did (open a page, sign in,
/// submit a form) becomes a step expecting the page, status and rule it got;
/// redirects and auto-posted SAML forms are followed by the runner as by the
/// browser, and a jump of the virtual clock becomes `advance_clock`.
pub fn scenario_toml(emulator: &Emulator, flow: &FlowView) -> String {
    let mut out = format!(
        "name = {}\ncovers = [{}]\nsummary = {}\n",
        toml_string(&format!(
            "Flow {} saved from the inspector ({})",
            flow.flow,
            flow.user.as_deref().unwrap_or("no user")
        )),
        covered(flow),
        toml_string(&format!(
            "Recorded {}; outcome {}{}.",
            flow.started,
            flow.outcome,
            flow.rule
                .as_deref()
                .map(|r| format!(" (rule {r})"))
                .unwrap_or_default()
        )),
    );
    // The switches on while it was walked made the world it failed in; a replay
    // starts in a fresh one, so it first makes the calls they made.
    for (switch, calls) in crate::switches::setup(emulator, &flow.switches_on) {
        out.push_str(&format!(
            "\n# failure switch {:?} ({}) was on when this flow was walked",
            switch.name, switch.label
        ));
        match calls {
            Ok(calls) if calls.is_empty() => out.push_str(": the setup above makes it\n"),
            Ok(calls) => {
                out.push('\n');
                for (method, path, body) in calls {
                    out.push_str(&format!(
                        "[[setup]]\nrequest = {}\n",
                        toml_string(&format!("{method} {path}"))
                    ));
                    if !body.is_null() {
                        out.push_str(&format!("json = {}\n", toml_json(&body)));
                    }
                }
            }
            Err(why) => out.push_str(&format!(", but its calls are unknown: {why}\n")),
        }
    }
    let mut previous: Option<&Row> = None;
    let mut last_time: Option<i64> = None;
    let mut pending: Option<(String, &Row)> = None;
    let flush = |out: &mut String, pending: Option<(String, &Row)>| {
        if let Some((action, last)) = pending {
            out.push_str("\n[[step]]\n");
            out.push_str(&action);
            out.push_str(&expectation(last));
        }
    };
    for row in &flow.rows {
        let followed = previous.is_some_and(|p| {
            p.location.is_some() || (p.page.as_deref() == Some("idp-post") && row.method == "POST")
        });
        let gap = last_time.map_or(0, |t| row.unix - t);
        last_time = Some(row.unix);
        previous = Some(row);
        if followed {
            if let Some((_, last)) = &mut pending {
                *last = row;
            }
            continue;
        }
        flush(&mut out, pending.take());
        // A person clicks within seconds; a jump of more than a minute is the
        // clock being moved (the test harness or the inspector's buttons).
        if gap > 60 {
            out.push_str(&format!("\n[[step]]\nadvance_clock = \"{}s\"\n", gap));
        }
        let action = if row.method == "POST" && row.path.starts_with("/idp/login") {
            let user = flow.user.clone().unwrap_or_default();
            let password = emulator
                .config()
                .idp
                .users
                .iter()
                .find(|u| u.username == user)
                .map(|u| u.password.clone())
                .unwrap_or_default();
            format!(
                "sign_in = {{ user = {}, password = {} }}\n",
                toml_string(&user),
                toml_string(&password)
            )
        } else if row.method == "POST" {
            // What the person chose or typed, set on the page's form as they did
            // (the runner re-derives SAMLResponse and RelayState from its own run).
            // A name sent twice keeps its last value, as the runner sets one.
            let fields: BTreeMap<&str, &str> = row
                .form
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            let fields: Vec<String> = fields
                .into_iter()
                .map(|(name, value)| format!("{} = {}", toml_string(name), toml_string(value)))
                .collect();
            if fields.is_empty() {
                "submit = {}\n".to_owned()
            } else {
                format!("submit = {{ {} }}\n", fields.join(", "))
            }
        } else {
            format!("open = {}\n", toml_string(&row.path))
        };
        pending = Some((action, row));
    }
    flush(&mut out, pending);
    out
}

/// What a step must find: the page role, status and rule the flow got, and the
/// refusal event when there was one.
fn expectation(row: &Row) -> String {
    let mut fields = vec![format!("status = {}", row.status)];
    if let Some(page) = &row.page {
        fields.insert(0, format!("page = {}", toml_string(page)));
    }
    if let Some(rule) = &row.rule {
        fields.push(format!("rule = {}", toml_string(rule)));
    }
    if let Some(check) = row.checks.iter().find(|c| !c.passed) {
        let mut event = vec![
            format!("action = {}", toml_string(&check.action)),
            format!("outcome = {}", toml_string(&check.outcome)),
        ];
        if let Some(rule) = &check.rule {
            event.push(format!("rule = {}", toml_string(rule)));
        }
        fields.push(format!("event = {{ {} }}", event.join(", ")));
    }
    format!("expect = {{ {} }}\n", fields.join(", "))
}

fn covered(flow: &FlowView) -> String {
    let mut steps: Vec<&str> = flow.rows.iter().filter_map(|r| r.step.as_deref()).collect();
    steps.sort_unstable();
    steps.dedup();
    steps
        .iter()
        .map(|s| toml_string(s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A TOML basic string (JSON's escaping is a subset TOML reads).
fn toml_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// A JSON body as a TOML string a person can read: pretty, in a multi-line
/// literal string (no escapes), unless it holds that string's delimiter.
fn toml_json(body: &serde_json::Value) -> String {
    // A Value has only string keys, so it always serialises; the compact form
    // would be the same data.
    let pretty = serde_json::to_string_pretty(body).unwrap_or_else(|_| body.to_string());
    if pretty.contains("'''") {
        toml_string(&body.to_string())
    } else {
        format!("'''\n{pretty}\n'''")
    }
}

/// The flow as text, for a terminal (`samlsim flows`) and the scenario runner's
/// failure output: one line per exchange, the checks under it.
pub fn text(flow: &FlowView) -> String {
    let mut out = format!(
        "flow {}  user {}  outcome {}{}\n",
        flow.flow,
        flow.user.as_deref().unwrap_or("-"),
        flow.outcome,
        match (&flow.stopped_at, &flow.rule) {
            (Some(step), Some(rule)) if flow.outcome != "ok" =>
                format!("  stopped at {step} by rule {rule}"),
            _ => String::new(),
        }
    );
    for row in &flow.rows {
        out.push_str(&format!(
            "  {:<4} {:<11} {} {} {}{}\n",
            row.step.as_deref().unwrap_or("-"),
            row.lane_name,
            row.method,
            row.public_url.as_deref().unwrap_or(&row.path),
            row.status,
            row.page
                .as_deref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default(),
        ));
        for message in &row.messages {
            out.push_str(&format!(
                "         {} {} ({}){}\n",
                message.parameter,
                message.kind,
                message.binding,
                message
                    .attributes
                    .iter()
                    .find(|a| a.name.ends_with("/RoleSessionName"))
                    .and_then(|a| a.values.first())
                    .map(|v| format!(" RoleSessionName {v:?}"))
                    .unwrap_or_default()
            ));
        }
        for check in &row.checks {
            out.push_str(&format!(
                "         {} {} {}: {}\n",
                if check.passed { "ok  " } else { "FAIL" },
                check.service,
                check.action,
                check.message
            ));
            if let (Some(actual), Some(expected)) = (&check.actual, &check.expected) {
                out.push_str(&format!(
                    "              actual {actual:?}, expected {expected}\n"
                ));
            }
            if !check.passed
                && let Some(fix) = &check.fix
            {
                out.push_str(&format!("              fix: {fix}\n"));
            }
        }
    }
    out
}
