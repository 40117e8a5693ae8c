//! The mock AWS's part of the admin API, under `/_admin/aws` (JSON, loopback only).
//!
//! | method and path | what |
//! |---|---|
//! | `GET /accounts` | accounts with their region switches and SCPs |
//! | `POST /accounts` | create or replace an account (the `[[aws.accounts]]` fields) |
//! | `GET /saml-providers` | SAML providers (ARN, entity ID, metadata) |
//! | `POST /accounts/<id>/saml-providers/<name>` | UpdateSAMLProvider's encryption settings: `{"assertion_encryption_mode": "Required", "add_private_key": "<PEM>"}` or `{"remove_private_key": "<KeyId>"}` |
//! | `GET /roles` | roles with their policies |
//! | `POST /accounts/<id>/roles` | create or replace a role (`{"name", "trust_policy", ...}`) |
//! | `DELETE /accounts/<id>/roles/<name>` | delete a role (sessions already open keep its ARN) |
//! | `GET /credentials/<access-key-id>` | the role session behind STS credentials |

use samlsim_service::http::{Method, StatusCode, decode_component};
use samlsim_service::{NewEvent, Request, Response};

use crate::Aws;
use crate::config::{AccountConfig, RoleConfig};
use crate::iam::IamError;

pub fn handle(aws: &Aws, request: &Request, path: &str) -> Response {
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_component)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let result: Result<Response, IamError> = match (&request.method, segments.as_slice()) {
        (&Method::GET, ["accounts"]) => aws
            .iam
            .accounts()
            .map(|a| Response::json(StatusCode::OK, &a)),
        (&Method::POST, ["accounts"]) => match request.json::<AccountConfig>() {
            Ok(account) => aws
                .iam
                .put_account(&account, &aws.metadata_sources())
                .map(|()| {
                    changed(aws, request, format!("account {} saved", account.id));
                    Response::json(StatusCode::CREATED, &account)
                }),
            Err(e) => Ok(Response::json_error(
                StatusCode::BAD_REQUEST,
                "InvalidAccount",
                e.to_string(),
            )),
        },
        (&Method::GET, ["saml-providers"]) => aws
            .iam
            .providers()
            .map(|p| Response::json(StatusCode::OK, &p)),
        (&Method::POST, ["accounts", account, "saml-providers", name]) => {
            match request.json::<crate::iam::ProviderUpdate>() {
                Ok(update) => aws
                    .iam
                    .account(account)
                    .and_then(|found| {
                        let partition = found.map_or_else(|| "aws".to_owned(), |a| a.partition);
                        let arn = crate::iam::provider_arn(&partition, account, name);
                        aws.iam
                            .update_provider(&arn, None, &update, aws.clock.now())
                    })
                    .map(|provider| {
                        changed(
                            aws,
                            request,
                            format!("SAML provider {} updated", provider.arn),
                        );
                        Response::json(StatusCode::OK, &provider)
                    }),
                Err(e) => Ok(Response::json_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidInput",
                    e.to_string(),
                )),
            }
        }
        (&Method::GET, ["roles"]) => aws.iam.roles().map(|r| Response::json(StatusCode::OK, &r)),
        (&Method::POST, ["accounts", account, "roles"]) => match request.json::<RoleConfig>() {
            Ok(role) => match aws.iam.account(account) {
                Ok(Some(_)) => aws.iam.put_role(account, &role).map(|arn| {
                    changed(aws, request, format!("role {arn} saved"));
                    Response::json(StatusCode::CREATED, &serde_json::json!({ "arn": arn }))
                }),
                Ok(None) => Ok(Response::json_error(
                    StatusCode::NOT_FOUND,
                    "NoSuchEntity",
                    format!("no account {account}"),
                )),
                Err(e) => Err(e),
            },
            Err(e) => Ok(Response::json_error(
                StatusCode::BAD_REQUEST,
                "InvalidRole",
                e.to_string(),
            )),
        },
        (&Method::DELETE, ["accounts", account, "roles", name]) => {
            aws.iam.delete_role_named(account, name).map(|deleted| {
                if deleted {
                    changed(aws, request, format!("role {name} of {account} deleted"));
                    Response::json(StatusCode::OK, &serde_json::json!({ "deleted": name }))
                } else {
                    Response::json_error(
                        StatusCode::NOT_FOUND,
                        "NoSuchEntity",
                        format!("no role {name} in account {account}"),
                    )
                }
            })
        }
        (&Method::GET, ["credentials", key]) => Ok(match aws.state.credentials(key) {
            Ok(Some(credentials)) => Response::json(StatusCode::OK, &credentials.session),
            Ok(None) => Response::json_error(
                StatusCode::NOT_FOUND,
                "NoSuchEntity",
                format!("no credentials {key}"),
            ),
            Err(e) => Response::json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "StoreError",
                e.to_string(),
            ),
        }),
        _ => Ok(Response::json_error(
            StatusCode::NOT_FOUND,
            "NoSuchAdminEndpoint",
            format!("no AWS admin endpoint {} /_admin/aws{path}", request.method),
        )),
    };
    result.unwrap_or_else(|e| match e {
        IamError::Store(e) => Response::json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "StoreError",
            e.to_string(),
        ),
        IamError::Policy { .. } => Response::json_error(
            StatusCode::BAD_REQUEST,
            "MalformedPolicyDocument",
            e.to_string(),
        ),
        IamError::NotFound(message) => {
            Response::json_error(StatusCode::NOT_FOUND, "NoSuchEntity", message)
        }
        other => Response::json_error(StatusCode::BAD_REQUEST, "InvalidInput", other.to_string()),
    })
}

/// Records an admin change; a failure to record goes to the server log
/// ([`samlsim_service::Recorder::record`]), the change itself stands.
fn changed(aws: &Aws, request: &Request, message: String) {
    aws.recorder
        .record(request, NewEvent::ok("admin", "aws.change", message));
}
