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
use samlsim_service::{NewEvent, Request, Response};

use crate::Connect;
use crate::config::{InstanceConfig, UserConfig};
use crate::csv_import::{self, ImportContext, ImportError};
use crate::model::{ROUTING_PROFILES, SECURITY_PROFILES};

pub fn handle(connect: &Connect, request: &Request, path: &str) -> Response {
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_component)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let store_error = |e: samlsim_service::StoreError| {
        Response::json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "StoreError",
            e.to_string(),
        )
    };
    match (&request.method, segments.as_slice()) {
        (&Method::GET, ["instances"]) => match connect.model.instances() {
            Ok(instances) => Response::json(StatusCode::OK, &instances),
            Err(e) => store_error(e),
        },
        (&Method::POST, ["instances"]) => match request.json::<InstanceConfig>() {
            Ok(instance) => {
                let result = connect.model.put_instance(&instance).and_then(|()| {
                    for user in &instance.users {
                        connect
                            .model
                            .put_user(&instance.id, user, &connect.ids.token(16))?;
                    }
                    Ok(())
                });
                match result {
                    Ok(()) => {
                        changed(connect, format!("instance {} saved", instance.id));
                        Response::json(StatusCode::CREATED, &instance)
                    }
                    Err(e) => store_error(e),
                }
            }
            Err(e) => Response::json_error(
                StatusCode::BAD_REQUEST,
                "InvalidParameterException",
                e.to_string(),
            ),
        },
        (&Method::GET, ["instances", id, "users"]) => match connect.model.users(id) {
            Ok(users) => Response::json(StatusCode::OK, &users),
            Err(e) => store_error(e),
        },
        (&Method::POST, ["instances", id, "users"]) => {
            let user: UserConfig = match request.json() {
                Ok(user) => user,
                Err(e) => {
                    return Response::json_error(
                        StatusCode::BAD_REQUEST,
                        "InvalidParameterException",
                        e.to_string(),
                    );
                }
            };
            if let Err(message) = csv_import::validate_username(&user.username) {
                return Response::json_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidParameterException",
                    format!("user login \"{}\" {message}", user.username),
                );
            }
            if let Some(p) = user
                .security_profiles
                .iter()
                .find(|p| !SECURITY_PROFILES.contains(&p.as_str()))
            {
                return Response::json_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidParameterException",
                    format!("Security profile is not found: {p}"),
                );
            }
            match connect.model.instance(id) {
                Ok(Some(_)) => match connect.model.put_user(id, &user, &connect.ids.token(16)) {
                    Ok(stored) => {
                        changed(connect, format!("Connect user {} saved", stored.username));
                        Response::json(StatusCode::CREATED, &stored)
                    }
                    Err(e) => store_error(e),
                },
                Ok(None) => Response::json_error(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFoundException",
                    format!("no instance {id}"),
                ),
                Err(e) => store_error(e),
            }
        }
        (&Method::DELETE, ["instances", id, "users", name]) => {
            match connect.model.delete_user(id, name) {
                Ok(true) => {
                    changed(connect, format!("Connect user {name} deleted"));
                    Response::json(StatusCode::OK, &serde_json::json!({ "deleted": name }))
                }
                Ok(false) => Response::json_error(
                    StatusCode::NOT_FOUND,
                    "UserNotFoundException",
                    format!("no user \"{name}\""),
                ),
                Err(e) => store_error(e),
            }
        }
        (&Method::POST, ["instances", id, "users", "import"]) => import(connect, request, id),
        _ => Response::json_error(
            StatusCode::NOT_FOUND,
            "NoSuchAdminEndpoint",
            format!(
                "no Connect admin endpoint {} /_admin/connect{path}",
                request.method
            ),
        ),
    }
}

/// C26: the whole file or nothing.
fn import(connect: &Connect, request: &Request, id: &str) -> Response {
    match connect.model.instance(id) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Response::json_error(
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                format!("no instance {id}"),
            );
        }
        Err(e) => {
            return Response::json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "StoreError",
                e.to_string(),
            );
        }
    }
    let existing: Vec<String> = connect
        .model
        .users(id)
        .unwrap_or_default()
        .into_iter()
        .map(|u| u.username)
        .collect();
    let existing: Vec<&str> = existing.iter().map(String::as_str).collect();
    let context = ImportContext {
        security_profiles: &SECURITY_PROFILES,
        routing_profiles: &ROUTING_PROFILES,
        existing_users: &existing,
    };
    match csv_import::parse_bytes(&request.body, &context) {
        Ok(users) => {
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
            match connect.model.put_users(id, &rows) {
                Ok(()) => {
                    changed(connect, format!("{} Connect users imported", rows.len()));
                    Response::json(
                        StatusCode::CREATED,
                        &serde_json::json!({ "imported": rows.iter().map(|(u, _)| &u.username).collect::<Vec<_>>() }),
                    )
                }
                Err(e) => Response::json_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "StoreError",
                    e.to_string(),
                ),
            }
        }
        Err(error) => {
            let rows = match &error {
                ImportError::Rows(rows) => rows
                    .iter()
                    .map(|r| serde_json::json!({ "line": r.line, "column": r.column, "message": r.message }))
                    .collect(),
                _ => Vec::new(),
            };
            Response::json(
                StatusCode::BAD_REQUEST,
                &serde_json::json!({"error": {"code": "InvalidRequestException", "message": error.to_string(), "rows": rows}}),
            )
        }
    }
}

fn changed(connect: &Connect, message: String) {
    let _ = connect
        .events
        .record(NewEvent::ok("admin", "connect.change", message));
}
