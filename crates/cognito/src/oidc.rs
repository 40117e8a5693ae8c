//! The pool's OpenID documents on `cognito-idp.<region>.amazonaws.com`:
//! `/<pool-id>/.well-known/openid-configuration` and `/jwks.json`.

use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{Request, Response};
use serde_json::json;

use crate::Cognito;

pub fn handle(cognito: &Cognito, request: &Request, region: &str, rest: &str) -> Option<Response> {
    if request.method != Method::GET {
        return None;
    }
    let (pool_id, document) = rest.trim_start_matches('/').split_once('/')?;
    let pool = match cognito.model.pool(pool_id) {
        Ok(Some(pool)) if pool.region == region => pool,
        Ok(_) => {
            return Some(Response::json(
                StatusCode::NOT_FOUND,
                &json!({ "message": format!("User pool {pool_id} does not exist.") }),
            ));
        }
        Err(e) => {
            return Some(Response::json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalErrorException",
                e.to_string(),
            ));
        }
    };
    match document {
        ".well-known/jwks.json" => Some(Response::json(StatusCode::OK, &cognito.keys.jwks())),
        ".well-known/openid-configuration" => {
            let issuer = cognito.issuer(&pool);
            // Endpoints a client can reach: the hosted UI's public URLs, mapped
            // to this emulator when the issuer is local.
            let local = matches!(pool.issuer, crate::config::IssuerSetting::Local);
            let at = |url: String| if local { cognito.urls.local(&url) } else { url };
            let host = pool.host();
            let hosted = |path: &str| host.as_ref().map(|h| at(format!("https://{h}{path}")));
            Some(Response::json(
                StatusCode::OK,
                &json!({
                    "authorization_endpoint": hosted("/oauth2/authorize"),
                    "end_session_endpoint": hosted("/logout"),
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "issuer": issuer,
                    "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
                    "response_types_supported": ["code", "token"],
                    "revocation_endpoint": hosted("/oauth2/revoke"),
                    "scopes_supported": ["openid", "email", "phone", "profile"],
                    "subject_types_supported": ["public"],
                    "token_endpoint": hosted("/oauth2/token"),
                    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                    "userinfo_endpoint": hosted("/oauth2/userInfo"),
                    "code_challenge_methods_supported": ["S256", "plain"],
                }),
            ))
        }
        _ => None,
    }
}
