//! The admin API (`/_admin/...`, JSON, loopback only) that test suites use to set
//! up their world and watch it, and the start page.
//!
//! | method and path | what |
//! |---|---|
//! | `GET /_admin/clock` | the virtual time |
//! | `POST /_admin/clock` | `{"advance": "12h1s"}`, `{"set": "2026-01-01T00:00:00Z"}` or `{"reset": true}` (back to wall time) |
//! | `GET /_admin/events?flow=&service=&after=&limit=` | the event log |
//! | `GET /_admin/config` | the effective configuration |
//! | `GET /_admin/demo/switches`, `POST` `{"switch": "wrong-audience", "on": true}` | failure switches for demos (see `switches`) |
//! | `/_admin/idp/...` | users and service providers of the IdP (see `samlsim_idp::admin`) |
//! | `/_admin/aws/...` | accounts, SAML providers, roles (see `samlsim_aws::admin`) |
//! | `/_admin/connect/...` | instances and their users (see `samlsim_connect::admin`) |
//! | `/_admin/cognito/...` | user pools and their users (see `samlsim_cognito::admin`) |

use askama::Template;
use samlsim_saml::time::DateTime;
use samlsim_service::clock::{format_duration, parse_duration};
use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{Clock, EventFilter, Lang, Request, Response};
use serde::Deserialize;

use crate::Emulator;

pub fn handle(emulator: &Emulator, request: &Request) -> Response {
    if !request.is_loopback() {
        return Response::json_error(
            StatusCode::FORBIDDEN,
            "LoopbackOnly",
            "the admin API answers only clients on this machine",
        );
    }
    if let Some(refusal) = cross_site_guard(request).or_else(|| rebinding_guard(emulator, request))
    {
        return refusal;
    }
    let path = request.path_after("/_admin").unwrap_or("");
    match (&request.method, path) {
        (&Method::GET, "/clock") => clock_state(emulator),
        (&Method::POST, "/clock") => move_clock(emulator, request),
        (&Method::GET, "/events") => events(emulator, request),
        (&Method::GET, "/config") => Response::json(StatusCode::OK, emulator.config()),
        (&Method::GET | &Method::POST, "/demo/switches") => {
            crate::switches::admin(emulator, request)
        }
        (_, p) if p.starts_with("/idp/") || p == "/idp" => {
            emulator.idp().admin(request, &p["/idp".len()..])
        }
        (_, p) if p.starts_with("/aws/") || p == "/aws" => {
            emulator.aws().admin(request, &p["/aws".len()..])
        }
        (_, p) if p.starts_with("/connect/") || p == "/connect" => {
            emulator.connect().admin(request, &p["/connect".len()..])
        }
        (_, p) if p.starts_with("/cognito/") || p == "/cognito" => {
            emulator.cognito().admin(request, &p["/cognito".len()..])
        }
        (_, "" | "/") => Response::json(
            StatusCode::OK,
            &serde_json::json!({"endpoints": ["/_admin/clock", "/_admin/events", "/_admin/config", "/_admin/idp/users", "/_admin/idp/service-providers", "/_admin/idp/issued", "/_admin/aws/accounts", "/_admin/aws/saml-providers", "/_admin/aws/roles", "/_admin/connect/instances", "/_admin/cognito/pools"]}),
        ),
        _ => Response::json_error(
            StatusCode::NOT_FOUND,
            "NoSuchAdminEndpoint",
            format!("no admin endpoint {} {}", request.method, request.path),
        ),
    }
}

/// Changes must say what they carry: `application/json`, or `text/csv` for a
/// Connect import. A web page on another origin that the developer happens to
/// visit can make the browser POST to loopback, but only as a form or plain text
/// (anything else needs a CORS preflight, which the admin API never grants), so
/// this keeps such pages from moving the clock or the world.
fn cross_site_guard(request: &Request) -> Option<Response> {
    // Other methods (DELETE, PUT, ...) are not "simple": a page on another origin
    // cannot send them without a preflight.
    if request.method != Method::POST {
        return None;
    }
    let content_type = request
        .headers
        .get(samlsim_service::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    // application/samlmetadata+xml (RFC 7580) is not a "simple" type either.
    let allowed = essence == "application/json"
        || essence == "text/csv"
        || essence == "application/samlmetadata+xml";
    (!allowed).then(|| {
        Response::json_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!(
                "admin changes take Content-Type: application/json (text/csv for Connect imports, application/samlmetadata+xml for an SP's metadata), not \"{content_type}\""
            ),
        )
    })
}

/// A page can rebind its own host name to 127.0.0.1 and then talk to the admin API
/// as "same origin", from loopback. The `Host` it sends still names its own host,
/// so only the emulator's own names are accepted.
fn rebinding_guard(emulator: &Emulator, request: &Request) -> Option<Response> {
    let host = request
        .headers
        .get(samlsim_service::http::header::HOST)
        .and_then(|v| v.to_str().ok())?;
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let own = emulator.urls().base().split("://").nth(1).map(|authority| {
        authority
            .rsplit_once(':')
            .map_or(authority, |(name, _)| name)
            .trim_matches(['[', ']'])
    });
    let allowed = matches!(name, "127.0.0.1" | "localhost" | "::1") || own == Some(name);
    (!allowed).then(|| {
        Response::json_error(
            StatusCode::FORBIDDEN,
            "HostNotAllowed",
            format!(
                "the admin API answers requests for this machine's own names, not for \"{host}\""
            ),
        )
    })
}

fn clock_state(emulator: &Emulator) -> Response {
    let clock = emulator.clock();
    let now = clock.now();
    Response::json(
        StatusCode::OK,
        &serde_json::json!({
            "now": DateTime::from_unix(now).to_string(),
            "unix": now,
            "offset_seconds": clock.offset(),
            "frozen": clock.is_frozen(),
        }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    advance: Option<String>,
    set: Option<String>,
    #[serde(default)]
    reset: bool,
}

fn move_clock(emulator: &Emulator, request: &Request) -> Response {
    let change: ClockChange = match request.json() {
        Ok(change) => change,
        Err(e) => {
            return Response::json_error(
                StatusCode::BAD_REQUEST,
                "InvalidClockChange",
                format!(
                    "expected {{\"advance\": \"12h1s\"}}, {{\"set\": \"2026-01-01T00:00:00Z\"}} or {{\"reset\": true}}: {e}"
                ),
            );
        }
    };
    let clock = emulator.clock();
    let moved = match (change.advance, change.set, change.reset) {
        (Some(amount), None, false) => match parse_duration(&amount) {
            Ok(seconds) => clock.try_advance(seconds),
            Err(e) => {
                return Response::json_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidDuration",
                    e.to_string(),
                );
            }
        },
        (None, Some(at), false) => match DateTime::parse(&at) {
            Ok(at) => clock.try_set(at.unix_seconds()),
            Err(e) => {
                return Response::json_error(StatusCode::BAD_REQUEST, "InvalidTime", e.to_string());
            }
        },
        (None, None, true) => {
            clock.reset();
            Ok(())
        }
        _ => {
            return Response::json_error(
                StatusCode::BAD_REQUEST,
                "InvalidClockChange",
                "give exactly one of \"advance\", \"set\" and \"reset\"",
            );
        }
    };
    if let Err(e) = moved {
        return Response::json_error(StatusCode::BAD_REQUEST, "ClockOutOfRange", e.to_string());
    }
    clock_state(emulator)
}

fn events(emulator: &Emulator, request: &Request) -> Response {
    let filter = EventFilter {
        flow: request.query_param("flow"),
        service: request.query_param("service"),
        after: request.query_param("after").and_then(|v| v.parse().ok()),
        limit: request.query_param("limit").and_then(|v| v.parse().ok()),
    };
    let log = emulator.events();
    match log
        .list(&filter)
        .and_then(|events| Ok((events, log.dropped()?)))
    {
        Ok((events, dropped)) => Response::json(
            StatusCode::OK,
            &serde_json::json!({
                "events": events,
                "dropped": dropped,
                "swept": emulator.sweeper().stats(),
            }),
        ),
        Err(e) => Response::json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "StoreError",
            e.to_string(),
        ),
    }
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    lang: Lang,
    toggle: String,
    portal: String,
    endpoints: Vec<(String, String)>,
    users: Vec<(String, String, String)>,
    passwords_hidden: bool,
    now: String,
    offset: i64,
    offset_text: String,
}

/// `/`: what is running, where, and who can sign in.
pub fn start_page(emulator: &Emulator, request: &Request) -> Response {
    let clock = emulator.clock();
    // The demo passwords are for the person at this machine; a browser elsewhere
    // on a network sees them only when the emulator was exposed on purpose.
    let passwords_hidden = !request.is_loopback() && !emulator.config().server.expose;
    let negotiated = Lang::negotiate(request);
    let lang = negotiated.lang;
    let page = StartPage {
        lang,
        toggle: negotiated.toggle.clone(),
        portal: emulator.urls().absolute("/idp/portal"),
        endpoints: emulator.endpoints(),
        users: emulator
            .config()
            .idp
            .users
            .iter()
            .map(|u| {
                (
                    u.username.clone(),
                    if passwords_hidden {
                        lang.pick("(hidden)", "(숨김)").to_owned()
                    } else {
                        u.password.clone()
                    },
                    u.note.clone().unwrap_or_default(),
                )
            })
            .collect(),
        passwords_hidden,
        now: DateTime::from_unix(clock.now()).to_string(),
        offset: clock.offset(),
        offset_text: format_duration(clock.offset()),
    };
    negotiated.finish(match page.render() {
        Ok(html) => Response::html(StatusCode::OK, html),
        Err(e) => Response::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the start page failed to render: {e}"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use samlsim_service::http::Method;
    use samlsim_service::{Clock, Request, VirtualClock};

    use crate::{Config, Emulator, Options};

    fn clock_change(emulator: &Emulator, body: serde_json::Value) -> (u16, serde_json::Value) {
        let request = Request::new(Method::POST, "/_admin/clock").with_json(&body);
        let response = emulator.handle(&request);
        let body = serde_json::from_str(&response.text_body()).unwrap();
        (response.status.as_u16(), body)
    }

    #[test]
    fn hostile_exposure_demo_passwords_show_only_to_this_machine_unless_exposed() {
        let page = |expose: bool, peer: &str| {
            let mut config = Config::load(None).unwrap();
            config.server.expose = expose;
            let emulator = Emulator::start(config, Options::default()).unwrap();
            let mut request = Request::new(Method::GET, "/");
            request.peer = Some(peer.parse().unwrap());
            emulator.handle(&request).text_body()
        };
        assert!(page(false, "127.0.0.1").contains("alice-pass"));
        let remote = page(false, "192.0.2.7");
        assert!(!remote.contains("alice-pass"), "{remote}");
        assert!(remote.contains("--expose"), "{remote}");
        assert!(page(true, "192.0.2.7").contains("alice-pass"));
    }

    #[test]
    fn hostile_clock_moves_within_range_and_resets_to_wall_time() {
        let clock = std::sync::Arc::new(VirtualClock::frozen(1_768_467_600));
        let emulator = Emulator::start(
            Config::load(None).unwrap(),
            Options {
                clock: clock.clone(),
                ..Options::default()
            },
        )
        .unwrap();
        let (status, body) = clock_change(
            &emulator,
            serde_json::json!({ "advance": "9223372036854775807" }),
        );
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["code"], "ClockOutOfRange", "{body}");
        assert_eq!(clock.now(), 1_768_467_600);
        let (status, body) = clock_change(
            &emulator,
            serde_json::json!({ "set": "9999-12-31T23:59:59Z" }),
        );
        assert_eq!(status, 400, "{body}");
        let (status, _) = clock_change(&emulator, serde_json::json!({ "advance": "12h1s" }));
        assert_eq!(status, 200);
        assert_eq!(clock.now(), 1_768_467_600 + 43_201);
        let (status, body) = clock_change(&emulator, serde_json::json!({ "reset": true }));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["offset_seconds"], 0);
        assert_eq!(clock.now(), 1_768_467_600);
    }
}
