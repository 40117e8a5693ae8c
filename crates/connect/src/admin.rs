//! The mock Connect's part of the admin API, under `/_admin/connect` (JSON, loopback only).
//!
//! | method and path | what |
//! |---|---|
//! | `GET /instances` | instances |
//! | `POST /instances` | create or replace an instance (the `[[connect.instances]]` fields) |
//! | `GET /instances/<id>/users` | its users |
//! | `POST /instances/<id>/users` | create or replace a user (`{"username", "security_profiles", ...}`) |
//! | `DELETE /instances/<id>/users/<name>` | delete a user |
//! | `POST /instances/<id>/users/import` | bulk import: the body is a CSV file in the SAML template (C26) |

use samlsim_service::http::{Method, StatusCode, decode_component};
use samlsim_service::{NewEvent, Refusal, Request, Response, StoreError};

use crate::Connect;
use crate::config::{InstanceConfig, UserConfig};
use crate::csv_import::{self, ImportContext, ImportError};
use crate::model::{Inserted, ROUTING_PROFILES, SECURITY_PROFILES};
use crate::rules::{ConnectRefusal, ConnectRule, internal};

pub fn handle(connect: &Connect, request: &Request, path: &str) -> Response {
    match route(connect, request, path) {
        Ok(response) => response,
        Err(refusal) => connect.recorder.refuse(request, "admin", refusal, |r| {
            Response::json_error(
                r.status(),
                r.spec().code,
                r.detail.as_deref().unwrap_or(r.message()),
            )
        }),
    }
}

fn route(connect: &Connect, request: &Request, path: &str) -> Result<Response, ConnectRefusal> {
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_component)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let store = |e: StoreError| internal(&e);
    let invalid = |why: String| Refusal::new(ConnectRule::AdminInvalidParameter).because(why);
    Ok(match (&request.method, segments.as_slice()) {
        (&Method::GET, ["instances"]) => {
            let instances = connect.model.instances().map_err(store)?;
            Response::json(StatusCode::OK, &instances)
        }
        (&Method::POST, ["instances"]) => {
            let instance: InstanceConfig = request.json().map_err(|e| invalid(e.to_string()))?;
            let causes = crate::config::check_instance(&instance);
            if !causes.is_empty() {
                return Err(invalid(causes.join("; ")));
            }
            // The instance and its users together, or nothing.
            connect
                .model
                .store()
                .transaction(|| {
                    connect.model.put_instance(&instance)?;
                    for user in &instance.users {
                        connect
                            .model
                            .put_user(&instance.id, user, &connect.ids.token(16))?;
                    }
                    Ok::<_, StoreError>(())
                })
                .map_err(store)?;
            changed(connect, request, format!("instance {} saved", instance.id));
            Response::json(StatusCode::CREATED, &instance)
        }
        (&Method::GET, ["instances", id, "users"]) => {
            let users = connect.model.users(id).map_err(store)?;
            Response::json(StatusCode::OK, &users)
        }
        (&Method::POST, ["instances", id, "users"]) => {
            let user: UserConfig = request.json().map_err(|e| invalid(e.to_string()))?;
            csv_import::validate_username(&user.username).map_err(|message| {
                invalid(format!("user login \"{}\" {message}", user.username))
            })?;
            if let Some(p) = user
                .security_profiles
                .iter()
                .find(|p| !SECURITY_PROFILES.contains(&p.as_str()))
            {
                return Err(invalid(format!("Security profile is not found: {p}")));
            }
            existing_instance(connect, id)?;
            let stored = connect
                .model
                .put_user(id, &user, &connect.ids.token(16))
                .map_err(store)?;
            changed(
                connect,
                request,
                format!("Connect user {} saved", stored.username),
            );
            Response::json(StatusCode::CREATED, &stored)
        }
        (&Method::DELETE, ["instances", id, "users", name]) => {
            if !connect.model.delete_user(id, name).map_err(store)? {
                return Err(
                    Refusal::new(ConnectRule::UserNotFound).because(format!("no user \"{name}\""))
                );
            }
            changed(connect, request, format!("Connect user {name} deleted"));
            Response::json(StatusCode::OK, &serde_json::json!({ "deleted": name }))
        }
        (&Method::POST, ["instances", id, "users", "import"]) => {
            return import(connect, request, id);
        }
        _ => {
            return Err(
                Refusal::new(ConnectRule::AdminNoSuchEndpoint).because(format!(
                    "no Connect admin endpoint {} /_admin/connect{path}",
                    request.method
                )),
            );
        }
    })
}

fn existing_instance(connect: &Connect, id: &str) -> Result<(), ConnectRefusal> {
    match connect.model.instance(id).map_err(|e| internal(&e))? {
        Some(_) => Ok(()),
        None => {
            Err(Refusal::new(ConnectRule::InstanceNotFound).because(format!("no instance {id}")))
        }
    }
}

/// C26: the whole file or nothing.
fn import(connect: &Connect, request: &Request, id: &str) -> Result<Response, ConnectRefusal> {
    existing_instance(connect, id)?;
    let existing: Vec<String> = connect
        .model
        .users(id)
        .map_err(|e| internal(&e))?
        .into_iter()
        .map(|u| u.username)
        .collect();
    let existing: Vec<&str> = existing.iter().map(String::as_str).collect();
    let context = ImportContext {
        security_profiles: &SECURITY_PROFILES,
        routing_profiles: &ROUTING_PROFILES,
        existing_users: &existing,
    };
    let users = match csv_import::parse_bytes(&request.body, &context) {
        Ok(users) => users,
        Err(error) => {
            let rows: Vec<serde_json::Value> = match &error {
                ImportError::Rows(rows) => rows
                    .iter()
                    .map(|r| serde_json::json!({ "line": r.line, "column": r.column, "message": r.message }))
                    .collect(),
                _ => Vec::new(),
            };
            let refusal = Refusal::new(ConnectRule::CsvImportInvalid)
                .because(error.to_string())
                .context(serde_json::json!({ "instance": id, "rows": rows.len() }));
            // The import answers with every row's problem, beside the usual error.
            return Ok(connect.recorder.refuse(request, "import", refusal, |r| {
                Response::json(
                    r.status(),
                    &serde_json::json!({"error": {"code": r.spec().code, "message": error.to_string(), "rows": rows}}),
                )
            }));
        }
    };
    let rows: Vec<(UserConfig, String)> = users
        .iter()
        .map(|u| {
            (
                UserConfig {
                    username: u.username.clone(),
                    first_name: Some(u.first_name.clone()),
                    last_name: Some(u.last_name.clone()),
                    security_profiles: u.security_profiles.clone(),
                    routing_profile: u.routing_profile.clone(),
                },
                connect.ids.token(16),
            )
        })
        .collect();
    if let Inserted::Exist(names) = connect
        .model
        .put_users(id, &rows)
        .map_err(|e| internal(&e))?
    {
        // Another import added them since the file was checked.
        return Err(Refusal::new(ConnectRule::CsvImportInvalid)
            .because(format!(
                "user `{}` already exists in this instance (added by another import since this file was checked); nothing was imported.",
                names.join(", ")
            ))
            .context(serde_json::json!({ "instance": id, "existing": names })));
    }
    changed(
        connect,
        request,
        format!("{} Connect users imported", rows.len()),
    );
    Ok(Response::json(
        StatusCode::CREATED,
        &serde_json::json!({ "imported": rows.iter().map(|(u, _)| &u.username).collect::<Vec<_>>() }),
    ))
}

fn changed(connect: &Connect, request: &Request, message: String) {
    connect
        .recorder
        .record(request, NewEvent::ok("admin", "connect.change", message));
}
