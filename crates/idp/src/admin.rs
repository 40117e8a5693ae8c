//! The IdP's part of the admin API, under `/_admin/idp` (JSON; the emulator
//! checks the caller is on loopback before it gets here).
//!
//! | method and path | what |
//! |---|---|
//! | `GET /users` | the directory |
//! | `POST /users` | create or replace a user (`{"username", "password", ...}`) |
//! | `GET`, `DELETE /users/<name>` | one user |
//! | `POST /users/<name>/disable`, `/enable` | disabling also ends the user's IdP sessions |
//! | `GET /service-providers` | the SPs |
//! | `POST /service-providers` | create or replace an SP (the `[[idp.service_providers]]` fields) |
//! | `GET`, `DELETE /service-providers/<id>` | one SP |
//! | `GET /issued?limit=` | the Responses issued, newest first |
//! | `GET /metadata` | the IdP's metadata, as from `/idp/metadata` |

use samlsim_service::http::{Method, StatusCode, decode_component};
use samlsim_service::{NewEvent, Request, Response};

use crate::config::{ServiceProviderConfig, UserConfig};
use crate::{Idp, sso};

pub fn handle(idp: &Idp, request: &Request, path: &str) -> Response {
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_component)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let result = match (&request.method, segments.as_slice()) {
        (&Method::GET, ["users"]) => idp
            .directory
            .list()
            .map(|users| Response::json(StatusCode::OK, &users)),
        (&Method::POST, ["users"]) => return put_user(idp, request),
        (&Method::GET, ["users", name]) => idp.directory.get(name).map(|user| match user {
            Some(user) => Response::json(StatusCode::OK, &user),
            None => no_such("user", name),
        }),
        (&Method::DELETE, ["users", name]) => idp.directory.delete(name).map(|deleted| {
            if deleted {
                let _ = idp.sessions.end_all_of(name, idp.clock.now());
                changed(idp, format!("user {name} deleted"));
                Response::json(StatusCode::OK, &serde_json::json!({ "deleted": name }))
            } else {
                no_such("user", name)
            }
        }),
        (&Method::POST, ["users", name, action @ ("disable" | "enable")]) => {
            let disabled = *action == "disable";
            idp.directory.set_disabled(name, disabled).map(|found| {
                if !found {
                    return no_such("user", name);
                }
                if disabled {
                    let _ = idp.sessions.end_all_of(name, idp.clock.now());
                }
                changed(idp, format!("user {name} {action}d"));
                Response::json(
                    StatusCode::OK,
                    &serde_json::json!({ "username": name, "disabled": disabled }),
                )
            })
        }
        (&Method::GET, ["service-providers"]) => idp
            .providers
            .list()
            .map(|sps| Response::json(StatusCode::OK, &sps)),
        (&Method::POST, ["service-providers"]) => return put_provider(idp, request),
        (&Method::GET, ["service-providers", id]) => idp.providers.get(id).map(|sp| match sp {
            Some(sp) => Response::json(StatusCode::OK, &sp),
            None => no_such("service provider", id),
        }),
        (&Method::DELETE, ["service-providers", id]) => idp.providers.delete(id).map(|deleted| {
            if deleted {
                changed(idp, format!("service provider {id} deleted"));
                Response::json(StatusCode::OK, &serde_json::json!({ "deleted": id }))
            } else {
                no_such("service provider", id)
            }
        }),
        (&Method::GET, ["issued"]) => {
            let limit = request
                .query_param("limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(100);
            idp.sessions.issued(limit).map(|issued| {
                let rows: Vec<_> = issued
                    .into_iter()
                    .map(|i| {
                        serde_json::json!({
                            "response_id": i.response_id, "assertion_id": i.assertion_id, "sp": i.sp,
                            "username": i.username, "session_index": i.session_id,
                            "in_response_to": i.in_response_to, "issued_at": i.issued_at,
                        })
                    })
                    .collect();
                Response::json(StatusCode::OK, &rows)
            })
        }
        (&Method::GET, ["metadata"]) => {
            return match sso::metadata_xml(idp) {
                Ok(xml) => Response::xml(StatusCode::OK, xml),
                Err(e) => Response::json_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "MetadataError",
                    e.to_string(),
                ),
            };
        }
        _ => {
            return Response::json_error(
                StatusCode::NOT_FOUND,
                "NoSuchAdminEndpoint",
                format!("no IdP admin endpoint {} /_admin/idp{path}", request.method),
            );
        }
    };
    result.unwrap_or_else(|e| {
        Response::json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "StoreError",
            e.to_string(),
        )
    })
}

fn put_user(idp: &Idp, request: &Request) -> Response {
    let user: UserConfig = match request.json() {
        Ok(user) => user,
        Err(e) => {
            return Response::json_error(StatusCode::BAD_REQUEST, "InvalidUser", e.to_string());
        }
    };
    if user.username.is_empty() {
        return Response::json_error(
            StatusCode::BAD_REQUEST,
            "InvalidUser",
            "username must not be empty",
        );
    }
    match idp
        .directory
        .put(&user)
        .and_then(|()| idp.directory.get(&user.username))
    {
        Ok(stored) => {
            changed(idp, format!("user {} saved", user.username));
            Response::json(StatusCode::CREATED, &stored)
        }
        Err(e) => Response::json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "StoreError",
            e.to_string(),
        ),
    }
}

fn put_provider(idp: &Idp, request: &Request) -> Response {
    let sp: ServiceProviderConfig = match request.json() {
        Ok(sp) => sp,
        Err(e) => {
            return Response::json_error(
                StatusCode::BAD_REQUEST,
                "InvalidServiceProvider",
                e.to_string(),
            );
        }
    };
    if let Err(message) = sso::check_provider(&sp) {
        return Response::json_error(StatusCode::BAD_REQUEST, "InvalidServiceProvider", message);
    }
    match idp.providers.put(&sp) {
        Ok(()) => {
            changed(idp, format!("service provider {} saved", sp.id));
            Response::json(StatusCode::CREATED, &sp)
        }
        Err(e) => Response::json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "StoreError",
            e.to_string(),
        ),
    }
}

fn no_such(what: &str, name: &str) -> Response {
    Response::json_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("no {what} \"{name}\""),
    )
}

fn changed(idp: &Idp, message: String) {
    let _ = idp
        .events
        .record(NewEvent::ok("admin", "idp.change", message));
}
