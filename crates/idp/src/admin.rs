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
//! | `POST /service-providers` | create or replace an SP (the `[[idp.service_providers]]` fields, `metadata` among them; or the SP's metadata as `application/samlmetadata+xml`, `?id=` optional) |
//! | `GET`, `DELETE /service-providers/<id>` | one SP |
//! | `GET /issued?limit=` | the Responses issued, newest first |
//! | `GET /metadata` | the IdP's metadata, as from `/idp/metadata` |
//! | `GET /keys` | the signing key's and the staged next key's certificate fingerprints |
//! | `POST /keys/stage` | make a next signing key; the metadata lists it beside the current one |
//! | `POST /keys/promote` | sign with the staged key from now on (kept across restarts) |

use samlsim_service::http::{Method, StatusCode, decode_component};
use samlsim_service::{NewEvent, Refusal, Request, Response};

use crate::config::{ServiceProviderConfig, UserConfig};
use crate::rules::{IdpRefusal, IdpRule, internal};
use crate::{Idp, sso};

pub fn handle(idp: &Idp, request: &Request, path: &str) -> Response {
    match route(idp, request, path) {
        Ok(response) => response,
        Err(refusal) => idp.recorder.refuse(request, "admin", refusal, |r| {
            Response::json_error(
                r.status(),
                r.spec().code,
                r.detail.as_deref().unwrap_or(r.message()),
            )
        }),
    }
}

fn route(idp: &Idp, request: &Request, path: &str) -> Result<Response, IdpRefusal> {
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_component)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let store = |e: samlsim_service::StoreError| internal(&e);
    let result = match (&request.method, segments.as_slice()) {
        (&Method::GET, ["users"]) => {
            let users = idp.directory.list().map_err(store)?;
            Response::json(StatusCode::OK, &users)
        }
        (&Method::POST, ["users"]) => return put_user(idp, request),
        (&Method::GET, ["users", name]) => match idp.directory.get(name).map_err(store)? {
            Some(user) => Response::json(StatusCode::OK, &user),
            None => return Err(no_such("user", name)),
        },
        (&Method::DELETE, ["users", name]) => {
            if !idp.directory.delete(name).map_err(store)? {
                return Err(no_such("user", name));
            }
            idp.sessions
                .end_all_of(name, idp.clock.now())
                .map_err(store)?;
            changed(idp, request, format!("user {name} deleted"));
            Response::json(StatusCode::OK, &serde_json::json!({ "deleted": name }))
        }
        (&Method::POST, ["users", name, action @ ("disable" | "enable")]) => {
            let disabled = *action == "disable";
            if !idp.directory.set_disabled(name, disabled).map_err(store)? {
                return Err(no_such("user", name));
            }
            if disabled {
                idp.sessions
                    .end_all_of(name, idp.clock.now())
                    .map_err(store)?;
            }
            changed(idp, request, format!("user {name} {action}d"));
            Response::json(
                StatusCode::OK,
                &serde_json::json!({ "username": name, "disabled": disabled }),
            )
        }
        (&Method::GET, ["service-providers"]) => {
            let sps = idp.providers.list().map_err(store)?;
            Response::json(StatusCode::OK, &sps)
        }
        (&Method::POST, ["service-providers"]) => return put_provider(idp, request),
        (&Method::GET, ["service-providers", id]) => match idp.providers.get(id).map_err(store)? {
            Some(sp) => Response::json(StatusCode::OK, &sp),
            None => return Err(no_such("service provider", id)),
        },
        (&Method::DELETE, ["service-providers", id]) => {
            if !idp.providers.delete(id).map_err(store)? {
                return Err(no_such("service provider", id));
            }
            changed(idp, request, format!("service provider {id} deleted"));
            Response::json(StatusCode::OK, &serde_json::json!({ "deleted": id }))
        }
        (&Method::GET, ["issued"]) => {
            let limit = request
                .query_param("limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(100);
            let issued = idp.sessions.issued(limit).map_err(store)?;
            {
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
            }
        }
        (&Method::GET, ["keys"]) => keys_state(idp),
        (&Method::POST, ["keys", "stage"]) => {
            let now = idp.clock.now();
            let next = samlsim_crypto::generate_identity(&samlsim_crypto::IdentityParams {
                common_name: "samlsim IdP signing (next)",
                not_before: now - 86_400,
                not_after: now + 10 * 365 * 86_400,
                key_bits: 2048,
            })
            .map_err(|e| internal(&e))?;
            idp.stage_key(next).map_err(store)?;
            changed(idp, request, "next IdP signing key staged".into());
            keys_state(idp)
        }
        (&Method::POST, ["keys", "promote"]) => {
            if !idp.promote_key().map_err(store)? {
                return Err(Refusal::new(IdpRule::NoStagedKey));
            }
            changed(idp, request, "staged IdP signing key promoted".into());
            keys_state(idp)
        }
        (&Method::GET, ["metadata"]) => {
            let xml = sso::metadata_xml(idp).map_err(|e| internal(&e))?;
            Response::xml(StatusCode::OK, xml)
        }
        _ => {
            return Err(Refusal::new(IdpRule::AdminNoSuchEndpoint).because(format!(
                "no IdP admin endpoint {} /_admin/idp{path}",
                request.method
            )));
        }
    };
    Ok(result)
}

/// The signing key and the staged next one, by certificate fingerprint.
fn keys_state(idp: &Idp) -> Response {
    let current = idp.identity();
    let staged = idp.staged_identity();
    Response::json(
        StatusCode::OK,
        &serde_json::json!({
            "current": current.certificate.sha256_fingerprint(),
            "staged": staged.map(|s| s.certificate.sha256_fingerprint()),
        }),
    )
}

fn put_user(idp: &Idp, request: &Request) -> Result<Response, IdpRefusal> {
    let invalid = |why: String| Refusal::new(IdpRule::AdminInvalidUser).because(why);
    let user: UserConfig = request.json().map_err(|e| invalid(e.to_string()))?;
    if user.username.is_empty() {
        return Err(invalid("username must not be empty".into()));
    }
    idp.directory.put(&user).map_err(|e| internal(&e))?;
    let stored = idp
        .directory
        .get(&user.username)
        .map_err(|e| internal(&e))?;
    changed(idp, request, format!("user {} saved", user.username));
    Ok(Response::json(StatusCode::CREATED, &stored))
}

fn put_provider(idp: &Idp, request: &Request) -> Result<Response, IdpRefusal> {
    let invalid = |why: String| Refusal::new(IdpRule::AdminInvalidServiceProvider).because(why);
    let content_type = request
        .headers
        .get(samlsim_service::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    // The SP's own metadata as the body; `?id=` names it (else from the entity ID).
    let sp: ServiceProviderConfig =
        if content_type.as_deref() == Some("application/samlmetadata+xml") {
            let xml = std::str::from_utf8(&request.body)
                .map_err(|_| invalid("the metadata is not UTF-8".into()))?;
            let mut sp: ServiceProviderConfig = serde_json::from_value(serde_json::json!({}))
                .map_err(|e| invalid(e.to_string()))?;
            sp.id = request.query_param("id").unwrap_or_default();
            sp.metadata = Some(xml.to_owned());
            sp
        } else {
            request.json().map_err(|e| invalid(e.to_string()))?
        };
    let sp = idp.register_provider(sp).map_err(invalid)?;
    changed(idp, request, format!("service provider {} saved", sp.id));
    Ok(Response::json(StatusCode::CREATED, &sp))
}

fn no_such(what: &str, name: &str) -> IdpRefusal {
    Refusal::new(IdpRule::AdminNotFound).because(format!("no {what} \"{name}\""))
}

fn changed(idp: &Idp, request: &Request, message: String) {
    idp.recorder
        .record(request, NewEvent::ok("admin", "idp.change", message));
}
