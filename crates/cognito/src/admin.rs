//! The mock Cognito's part of the admin API, under `/_admin/cognito` (JSON, loopback only).
//!
//! | method and path | what |
//! |---|---|
//! | `GET /pools` | pools, with their providers and clients |
//! | `GET /pools/<pool>/users` | the pool's users |
//! | `DELETE /pools/<pool>/users/<username>` | delete a user (G9: the next sign-in creates it anew) |
//! | `POST /pools/<pool>/users/<username>/disable`, `/enable` | AdminDisableUser / AdminEnableUser |
//! | `POST /pools/<pool>/users` | a federated user as a first sign-in makes it (`{"provider", "name_id", "attributes"}`) |
//! | `POST /pools/<pool>/clients` | create or replace an app client (the `[[cognito.user_pools.clients]]` fields) |

use samlsim_service::http::{Method, StatusCode, decode_component};
use samlsim_service::{Request, Response};
use serde_json::json;

use crate::Cognito;

// The closures' error is the finished answer, built once per request.
#[allow(clippy::result_large_err)]
pub fn handle(cognito: &Cognito, request: &Request, path: &str) -> Response {
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
    let pool = |id: &str| match cognito.model.pool(id) {
        Ok(Some(pool)) => Ok(pool),
        Ok(None) => Err(Response::json_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            format!("no user pool {id}"),
        )),
        Err(e) => Err(store_error(e)),
    };
    match (&request.method, segments.as_slice()) {
        (&Method::GET, [] | ["pools"]) => {
            let result = cognito.model.pools().and_then(|pools| {
                pools
                    .into_iter()
                    .map(|p| {
                        let providers = cognito.model.providers(&p.id)?;
                        let clients = cognito.model.clients(&p.id)?;
                        Ok(json!({
                            "pool": p,
                            "issuer": cognito.issuer(&p),
                            "sp_entity_id": p.sp_entity_id(),
                            "acs_url": p.acs_url(),
                            "identity_providers": providers.iter().map(|v| json!({
                                "name": v.name, "entity_id": v.entity_id, "idp_init": v.idp_init,
                                "idp_signout": v.idp_signout, "attribute_mapping": v.attribute_mapping,
                                "identifiers": v.identifiers,
                            })).collect::<Vec<_>>(),
                            "clients": clients,
                        }))
                    })
                    .collect::<Result<Vec<_>, samlsim_service::StoreError>>()
            });
            match result {
                Ok(pools) => Response::json(StatusCode::OK, &pools),
                Err(e) => store_error(e),
            }
        }
        (&Method::GET, ["pools", id, "users"]) => match pool(id) {
            Ok(p) => match cognito.model.users(&p.id) {
                Ok(users) => Response::json(StatusCode::OK, &users),
                Err(e) => store_error(e),
            },
            Err(response) => response,
        },
        (&Method::DELETE, ["pools", id, "users", name]) => match pool(id) {
            Ok(p) => match cognito.model.user(&p, name) {
                Ok(Some(user)) => match cognito.model.delete_user(&user) {
                    Ok(()) => {
                        cognito.record_deleted(request, &p, &user);
                        Response::json(StatusCode::OK, &json!({ "deleted": user.username }))
                    }
                    Err(e) => store_error(e),
                },
                Ok(None) => Response::json_error(
                    StatusCode::NOT_FOUND,
                    "UserNotFoundException",
                    format!("User does not exist: no user \"{name}\" in pool {}", p.id),
                ),
                Err(e) => store_error(e),
            },
            Err(response) => response,
        },
        (&Method::POST, ["pools", id, "users"]) => match pool(id) {
            Ok(p) => {
                #[derive(serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                struct NewUser {
                    provider: String,
                    name_id: String,
                    #[serde(default)]
                    attributes: std::collections::BTreeMap<String, String>,
                }
                let new: NewUser = match request.json() {
                    Ok(new) => new,
                    Err(e) => {
                        return Response::json_error(
                            StatusCode::BAD_REQUEST,
                            "InvalidParameterException",
                            e.to_string(),
                        );
                    }
                };
                let provider = match cognito.model.provider(&p.id, &new.provider) {
                    Ok(Some(provider)) => provider,
                    Ok(None) => {
                        return Response::json_error(
                            StatusCode::NOT_FOUND,
                            "ResourceNotFoundException",
                            format!("no identity provider {} in pool {}", new.provider, p.id),
                        );
                    }
                    Err(e) => return store_error(e),
                };
                let now = cognito.clock.now();
                match crate::hosted::federated_user(
                    cognito,
                    &p,
                    &provider,
                    &new.name_id,
                    new.attributes,
                    now,
                ) {
                    Ok(user) => Response::json(StatusCode::CREATED, &user),
                    Err(refusal) => refusal.aws_json(),
                }
            }
            Err(response) => response,
        },
        (&Method::POST, ["pools", id, "clients"]) => match pool(id) {
            Ok(p) => {
                let config: crate::config::AppClientConfig = match request.json() {
                    Ok(config) => config,
                    Err(e) => {
                        return Response::json_error(
                            StatusCode::BAD_REQUEST,
                            "InvalidParameterException",
                            e.to_string(),
                        );
                    }
                };
                let built =
                    crate::build_client(&p, &config, cognito.clock.now()).and_then(|client| {
                        for name in &client.identity_providers {
                            match cognito.model.provider(&p.id, name) {
                                Ok(Some(_)) => {}
                                Ok(None) if name == "COGNITO" => {}
                                Ok(None) => {
                                    return Err(format!(
                                        "The provider {name} does not exist for User Pool {}",
                                        p.id
                                    ));
                                }
                                Err(e) => return Err(e.to_string()),
                            }
                        }
                        Ok(client)
                    });
                match built {
                    Ok(client) => match cognito.model.put_client(&client) {
                        Ok(()) => Response::json(StatusCode::CREATED, &client),
                        Err(e) => store_error(e),
                    },
                    Err(message) => Response::json_error(
                        StatusCode::BAD_REQUEST,
                        "InvalidParameterException",
                        message,
                    ),
                }
            }
            Err(response) => response,
        },
        (&Method::POST, ["pools", id, "users", name, action @ ("disable" | "enable")]) => {
            match pool(id) {
                Ok(p) => match cognito.model.user(&p, name) {
                    Ok(Some(mut user)) => {
                        user.enabled = *action == "enable";
                        user.modified = cognito.clock.now();
                        match cognito.model.put_user(&user) {
                            Ok(()) => Response::json(StatusCode::OK, &user),
                            Err(e) => store_error(e),
                        }
                    }
                    Ok(None) => Response::json_error(
                        StatusCode::NOT_FOUND,
                        "UserNotFoundException",
                        format!("User does not exist: no user \"{name}\" in pool {}", p.id),
                    ),
                    Err(e) => store_error(e),
                },
                Err(response) => response,
            }
        }
        _ => Response::json_error(
            StatusCode::NOT_FOUND,
            "NoSuchAdminEndpoint",
            format!(
                "no Cognito admin endpoint {} /_admin/cognito{path}",
                request.method
            ),
        ),
    }
}
