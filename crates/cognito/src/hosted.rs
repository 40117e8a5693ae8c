//! The hosted UI on `<domain>.auth.<region>.amazoncognito.com`: the OAuth 2.0 /
//! OIDC endpoints and the SAML ACS, with Cognito's checks on the assertion.
//!
//! Endpoint behaviour follows the developer guide's "user pool endpoints"
//! reference (authorization-endpoint, token-endpoint, userinfo-endpoint,
//! logout-endpoint, saml2-idpresponse-endpoint) and saml-idp-things-to-know.

use std::collections::BTreeMap;

use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlsim_crypto::{Certificate, SignatureAlgorithm};
use samlsim_saml::authn_request::{AuthnRequest, build_authn_request};
use samlsim_saml::binding::{Limits, decode_post};
use samlsim_saml::logout::{LogoutRequest, build_logout_request};
use samlsim_saml::redirect::{RedirectParam, redirect_query};
use samlsim_saml::response::{Decryption, VerifiedAssertion, parse_response};
use samlsim_saml::uri::status;
use samlsim_saml::{DateTime, NameId, SamlError};
use samlsim_service::http::{Cookie, Method, StatusCode, encode_form, header};
use samlsim_service::{NewEvent, Refusal, Request, Response};
use samlsim_xenc::DecryptOptions;
use serde_json::{Map, Value, json};

use crate::model::{
    Client, Code, GrantRequest, LinkedIdentity, Pending, PendingLogout, Pool, Provider,
    RefreshGrant, SignOnSession, User, kind,
};
use crate::rules::{CognitoRule, INVALID_SAML};
use crate::{Cognito, SESSION_COOKIE, internal, jwt};

pub(crate) const TITLE: &str = "Amazon Cognito";
/// "Amazon Cognito has a 100,000-character limit on SAML responses"
/// (saml-idp-things-to-know).
pub const MAX_SAML_RESPONSE: usize = 100_000;
/// A sign-in not completed within 5 minutes fails (saml-idp-things-to-know).
pub const SIGN_IN_WINDOW: i64 = 5 * 60;
/// IdP-initiated assertions must be at most 6 minutes old (saml-idp-things-to-know).
pub const IDP_INIT_MAX_AGE: i64 = 6 * 60;
/// Authorization codes are valid for 5 minutes (token-endpoint).
pub const CODE_LIFETIME: i64 = 5 * 60;
/// The hosted UI's session cookie (`cognito`) is valid for 1 hour (AWS re:Post
/// knowledge center, "cognito-logout-endpoint-globalsignoutapi"): after that a
/// sign-out no longer knows whom to sign out of the IdP.
pub const SIGN_ON_SESSION_LIFETIME: i64 = 60 * 60;
/// How long the browser has to come back from the IdP's SingleLogoutService: the
/// same window as a sign-in.
pub const LOGOUT_WINDOW: i64 = SIGN_IN_WINDOW;

type Outcome<T> = Result<T, Refusal<CognitoRule>>;

#[derive(Template)]
#[template(path = "cognito/page.html")]
pub(crate) struct Page<'a> {
    pub service: &'a str,
    pub page: &'a str,
    pub title: &'a str,
    pub intro: Vec<String>,
    pub facts: Vec<(String, String)>,
    pub links: Vec<(String, String)>,
    pub blocks: Vec<(String, String)>,
}

pub fn handle(
    cognito: &Cognito,
    request: &Request,
    host: &str,
    _prefix_region: &str,
    rest: &str,
) -> Response {
    let pool = match cognito.model.pool_by_domain(host) {
        Ok(Some(pool)) => pool,
        Ok(None) => {
            return cognito.refuse(
                request,
                "hosted-ui",
                Refusal::new(CognitoRule::DomainNotFound)
                    .because(format!("No user pool has the domain {host}.")),
                |r| r.page(TITLE, request),
            );
        }
        Err(e) => {
            return cognito.refuse(request, "hosted-ui", internal(e), |r| {
                r.page(TITLE, request)
            });
        }
    };
    match (&request.method, rest) {
        (&Method::GET, "/oauth2/authorize") => page_or_refusal(
            cognito,
            request,
            "authorize",
            authorize(cognito, request, &pool, false),
        ),
        (&Method::GET, "/login") => page_or_refusal(
            cognito,
            request,
            "login",
            authorize(cognito, request, &pool, true),
        ),
        (&Method::POST, "/saml2/idpresponse") => page_or_refusal(
            cognito,
            request,
            "idpresponse",
            idp_response(cognito, request, &pool),
        ),
        (&Method::POST, "/oauth2/token") => match token(cognito, request, &pool) {
            Ok(response) => response,
            Err(refusal) => cognito.refuse(request, "token", refusal, oauth_error),
        },
        (&Method::POST, "/oauth2/revoke") => match revoke(cognito, request, &pool) {
            Ok(response) => response,
            Err(refusal) => cognito.refuse(request, "revoke", refusal, oauth_error),
        },
        (&Method::GET | &Method::POST, "/oauth2/userInfo" | "/oauth2/userinfo") => {
            match user_info(cognito, request, &pool) {
                Ok(response) => response,
                Err(refusal) => cognito.refuse(request, "userinfo", refusal, |r| {
                    oauth_error(r)
                        .with_header(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
                }),
            }
        }
        (&Method::GET, "/logout") => {
            page_or_refusal(cognito, request, "logout", logout(cognito, request, &pool))
        }
        (&Method::GET | &Method::POST, "/saml2/logout") => saml_logout(cognito, request),
        _ => Problem404::page(request),
    }
}

struct Problem404;
impl Problem404 {
    fn page(request: &Request) -> Response {
        samlsim_service::Problem::new(
            StatusCode::NOT_FOUND,
            "no-such-endpoint",
            "Nothing here",
            format!(
                "The hosted UI serves nothing at {} {}.",
                request.method, request.path
            ),
        )
        .page(TITLE, request)
    }
}

fn page_or_refusal(
    cognito: &Cognito,
    request: &Request,
    action: &'static str,
    result: Outcome<Response>,
) -> Response {
    match result {
        Ok(response) => response,
        Err(refusal) => cognito.refuse(request, action, refusal, |r| r.page(TITLE, request)),
    }
}

/// The OAuth error body of the token and userInfo endpoints.
fn oauth_error(refusal: &Refusal<CognitoRule>) -> Response {
    let spec = refusal.spec();
    let mut body = json!({ "error": spec.code });
    if refusal.message() != spec.code {
        body["error_description"] = refusal.message().into();
    }
    Response::json(refusal.status(), &body)
}

// ---- /oauth2/authorize and /login ---------------------------------------

/// Reads and checks what the app asks for: client, redirect_uri, response_type,
/// scopes, PKCE. `pairs` are the authorize parameters (the query, or an
/// IdP-initiated RelayState).
fn grant_request(
    cognito: &Cognito,
    pool: &Pool,
    pairs: &[(String, String)],
) -> Outcome<(Client, GrantRequest)> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let missing = |name: &str| {
        Refusal::new(CognitoRule::AuthorizeMissingParameter).because(format!("{name} is missing"))
    };
    let client_id = get("client_id").ok_or_else(|| missing("client_id"))?;
    let client = cognito
        .model
        .client(&pool.id, &client_id)
        .map_err(internal)?
        .ok_or_else(|| {
            Refusal::new(CognitoRule::ClientNotFound)
                .because(format!("No app client {client_id} in pool {}.", pool.id))
        })?;
    let redirect_uri = get("redirect_uri").ok_or_else(|| missing("redirect_uri"))?;
    if !client.callback_urls.contains(&redirect_uri) {
        return Err(Refusal::new(CognitoRule::RedirectMismatch).because(format!(
            "redirect_uri {redirect_uri} is not a callback URL of client {}; registered: {}",
            client.id,
            client.callback_urls.join(", ")
        )));
    }
    if !client.oauth_enabled {
        return Err(
            Refusal::new(CognitoRule::UnauthorizedClient).because(format!(
                "Client {} is not enabled for OAuth (AllowedOAuthFlowsUserPoolClient is false).",
                client.id
            )),
        );
    }
    let response_type = get("response_type").ok_or_else(|| missing("response_type"))?;
    let flow = match response_type.as_str() {
        "code" => "code",
        "token" => "implicit",
        other => {
            return Err(
                Refusal::new(CognitoRule::UnauthorizedClient).because(format!(
                    "response_type \"{other}\" is neither code nor token"
                )),
            );
        }
    };
    if !client.flows.iter().any(|f| f == flow) {
        return Err(
            Refusal::new(CognitoRule::UnauthorizedClient).because(format!(
                "Client {} does not allow the {flow} flow (allows: {}).",
                client.id,
                client.flows.join(", ")
            )),
        );
    }
    let scopes: Vec<String> = match get("scope") {
        Some(scope) => scope
            .split([' ', '+'])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        None => client.scopes.clone(),
    };
    if let Some(bad) = scopes.iter().find(|s| !client.scopes.contains(s)) {
        return Err(Refusal::new(CognitoRule::InvalidScope).because(format!(
            "Scope \"{bad}\" is not allowed for client {} (allowed: {}).",
            client.id,
            client.scopes.join(" ")
        )));
    }
    let code_challenge = get("code_challenge");
    let code_challenge_method = get("code_challenge_method");
    match (&code_challenge, code_challenge_method.as_deref()) {
        (_, Some(m)) if m != "S256" && m != "plain" => {
            return Err(Refusal::new(CognitoRule::PkceInvalid).because(format!(
                "code_challenge_method \"{m}\" is neither S256 nor plain"
            )));
        }
        (None, Some(_)) => {
            return Err(Refusal::new(CognitoRule::PkceInvalid)
                .because("code_challenge_method without code_challenge"));
        }
        _ => {}
    }
    let code_challenge_method = code_challenge
        .as_ref()
        .map(|_| code_challenge_method.unwrap_or_else(|| "plain".into()));
    Ok((
        client,
        GrantRequest {
            client_id,
            redirect_uri,
            response_type,
            scopes,
            state: get("state"),
            nonce: get("nonce"),
            code_challenge,
            code_challenge_method,
        },
    ))
}

/// The provider named by `identity_provider` or `idp_identifier`, checked
/// against the client (G5).
fn chosen_provider(
    cognito: &Cognito,
    pool: &Pool,
    client: &Client,
    name: Option<&str>,
    identifier: Option<&str>,
) -> Outcome<Option<Provider>> {
    let providers = cognito.model.providers(&pool.id).map_err(internal)?;
    let provider = match (name, identifier) {
        (Some(name), _) => providers
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| {
                Refusal::new(CognitoRule::ProviderNotFound).because(format!(
                    "Pool {} has no identity provider \"{name}\".",
                    pool.id
                ))
            })?,
        (None, Some(identifier)) => providers
            .into_iter()
            .find(|p| {
                p.identifiers
                    .iter()
                    .any(|i| i.eq_ignore_ascii_case(identifier))
            })
            .ok_or_else(|| {
                Refusal::new(CognitoRule::ProviderNotFound).because(format!(
                    "No identity provider of pool {} has the identifier \"{identifier}\".",
                    pool.id
                ))
            })?,
        (None, None) => return Ok(None),
    };
    if !client.identity_providers.contains(&provider.name) {
        return Err(
            Refusal::new(CognitoRule::ProviderNotEnabledForClient).because(format!(
                "App client {} does not list \"{}\" in its supported identity providers ({}).",
                client.id,
                provider.name,
                if client.identity_providers.is_empty() {
                    "none".to_owned()
                } else {
                    client.identity_providers.join(", ")
                }
            )),
        );
    }
    Ok(Some(provider))
}

fn authorize(
    cognito: &Cognito,
    request: &Request,
    pool: &Pool,
    login_page: bool,
) -> Outcome<Response> {
    let pairs = request.query_pairs();
    let (client, grant) = grant_request(cognito, pool, &pairs)?;
    let provider = chosen_provider(
        cognito,
        pool,
        &client,
        request
            .query_param("identity_provider")
            .filter(|s| !s.is_empty())
            .as_deref(),
        request
            .query_param("idp_identifier")
            .filter(|s| !s.is_empty())
            .as_deref(),
    )?;
    let Some(provider) = provider else {
        return Ok(login_page_for(cognito, pool, &client, &pairs, login_page));
    };
    start_sign_in(cognito, request, pool, &provider, grant)
}

/// `/login`: a button per provider the client may use. `/oauth2/authorize`
/// without a provider redirects here, as Cognito does.
fn login_page_for(
    cognito: &Cognito,
    pool: &Pool,
    client: &Client,
    pairs: &[(String, String)],
    is_login: bool,
) -> Response {
    let query: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, _)| k != "identity_provider" && k != "idp_identifier")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let base = format!("/aws/{}", pool.host().unwrap_or_default());
    if !is_login {
        return Response::redirect(
            StatusCode::FOUND,
            &cognito
                .urls
                .absolute(&format!("{base}/login?{}", encode_form(&query))),
        );
    }
    let links = client
        .identity_providers
        .iter()
        .filter(|p| *p != "COGNITO")
        .map(|name| {
            let mut q = query.clone();
            q.push(("identity_provider", name));
            (
                format!("Sign in with {name}"),
                cognito
                    .urls
                    .absolute(&format!("{base}/oauth2/authorize?{}", encode_form(&q))),
            )
        })
        .collect();
    samlsim_service::render(
        StatusCode::OK,
        &Page {
            service: TITLE,
            page: "cognito-login",
            title: &format!("Sign in to {}", client.name),
            intro: vec![format!(
                "User pool {} · app client {}. Choose your corporate identity provider.",
                pool.id, client.id
            )],
            facts: Vec::new(),
            links,
            blocks: Vec::new(),
        },
    )
}

/// Sends the browser to the IdP with an AuthnRequest (HTTP-Redirect), keeping
/// what the app asked for under the RelayState.
fn start_sign_in(
    cognito: &Cognito,
    request: &Request,
    pool: &Pool,
    provider: &Provider,
    grant: GrantRequest,
) -> Outcome<Response> {
    let acs = pool.acs_url().unwrap_or_default();
    let now = cognito.clock.now();
    let request_id = cognito.ids.saml_id();
    let mut authn = AuthnRequest::new(
        request_id.clone(),
        DateTime::from_unix(now),
        pool.sp_entity_id(),
        acs,
    );
    authn.destination = Some(provider.sso_url.clone());
    let xml = build_authn_request(&authn, None)
        .map_err(|e| internal_saml(&e))?
        .xml;
    let relay_state = cognito.ids.token(16);
    let signer = provider
        .request_signing
        .then(|| (cognito.keys.key(), SignatureAlgorithm::RsaSha256));
    let query = redirect_query(RedirectParam::Request, &xml, Some(&relay_state), signer)
        .map_err(|e| internal_saml(&e))?;
    cognito
        .model
        .put(
            kind::PENDING,
            &relay_state,
            &Pending {
                pool_id: pool.id.clone(),
                provider: provider.name.clone(),
                request_id: request_id.clone(),
                grant,
                created: now,
            },
        )
        .map_err(internal)?;
    cognito.record(
        request,
        NewEvent::ok(
            crate::SERVICE,
            "authorize",
            format!(
                "AuthnRequest {request_id} to {} for pool {}",
                provider.name, pool.id
            ),
        )
        .step("G1")
        .detail(json!({ "pool": pool.id, "provider": provider.name, "request_id": request_id })),
    );
    let separator = if provider.sso_url.contains('?') {
        '&'
    } else {
        '?'
    };
    Ok(Response::redirect(
        StatusCode::FOUND,
        &cognito
            .urls
            .local(&format!("{}{separator}{query}", provider.sso_url)),
    ))
}

fn internal_saml(error: &SamlError) -> Refusal<CognitoRule> {
    Refusal::new(CognitoRule::Internal).because(error.to_string())
}

// ---- /saml2/idpresponse -----------------------------------------------------

/// A federated sign-in that passed every check.
struct SignedIn {
    user: User,
    provider: String,
    grant: GrantRequest,
    name_id: NameId,
    session_index: Option<String>,
}

fn idp_response(cognito: &Cognito, request: &Request, pool: &Pool) -> Outcome<Response> {
    let signed_in = check_response(cognito, request, pool)?;
    let now = cognito.clock.now();
    cognito.record(
        request,
        NewEvent::ok(
            crate::SERVICE,
            "idpresponse",
            format!(
                "{} signed in through {} (NameID {})",
                signed_in.user.username, signed_in.provider, signed_in.name_id.value
            ),
        )
        .step("G6")
        .detail(json!({ "pool": pool.id, "username": signed_in.user.username, "sub": signed_in.user.sub, "name_id": signed_in.name_id.value })),
    );
    let session_token = cognito.ids.token(16);
    cognito
        .model
        .put(
            kind::SESSION,
            &session_token,
            &SignOnSession {
                pool_id: pool.id.clone(),
                username: signed_in.user.username.clone(),
                provider: signed_in.provider.clone(),
                name_id: signed_in.name_id.value.clone(),
                name_id_format: signed_in.name_id.format.clone(),
                session_index: signed_in.session_index.clone(),
                created: cognito.clock.now(),
            },
        )
        .map_err(internal)?;
    let grant = &signed_in.grant;
    let location = if grant.response_type == "code" {
        let code = uuid(cognito);
        cognito
            .model
            .put(
                kind::CODE,
                &code,
                &Code {
                    pool_id: pool.id.clone(),
                    username: signed_in.user.username.clone(),
                    auth_time: now,
                    grant: grant.clone(),
                    created: now,
                },
            )
            .map_err(internal)?;
        let mut query = vec![("code", code.as_str())];
        if let Some(state) = &grant.state {
            query.push(("state", state));
        }
        append_query(&grant.redirect_uri, &encode_form(&query))
    } else {
        let client = cognito
            .model
            .client(&pool.id, &grant.client_id)
            .map_err(internal)?
            .ok_or_else(|| Refusal::new(CognitoRule::ClientNotFound))?;
        let tokens = issue_tokens(cognito, pool, &client, &signed_in.user, grant, now, false)?;
        let expires = client.access_token_validity.to_string();
        let mut fragment = vec![
            ("access_token", tokens.access.as_str()),
            ("token_type", "Bearer"),
            ("expires_in", expires.as_str()),
        ];
        if let Some(id) = &tokens.id {
            fragment.insert(0, ("id_token", id.as_str()));
        }
        if let Some(state) = &grant.state {
            fragment.push(("state", state));
        }
        format!("{}#{}", grant.redirect_uri, encode_form(&fragment))
    };
    let cookie_path = format!("/aws/{}/", pool.host().unwrap_or_default());
    Ok(
        Response::redirect(StatusCode::FOUND, &cognito.urls.local(&location)).with_cookie(
            &Cookie::session(SESSION_COOKIE, &session_token, &cookie_path),
        ),
    )
}

fn append_query(url: &str, query: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{query}")
}

/// A UUID-shaped identifier (v4 layout) from the injected ID source.
pub(crate) fn uuid(cognito: &Cognito) -> String {
    let hex = cognito.ids.token(16);
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

fn invalid_saml(rule: CognitoRule, detail: impl Into<String>) -> Refusal<CognitoRule> {
    Refusal::new(rule).because(detail)
}

/// Cognito's checks, in the order a reader would make them: size, shape,
/// which sign-in this answers, signature, then only the verified assertion.
fn check_response(cognito: &Cognito, request: &Request, pool: &Pool) -> Outcome<SignedIn> {
    let saml = request
        .form_value("SAMLResponse")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            invalid_saml(
                CognitoRule::SamlMalformed,
                "The POST has no SAMLResponse field.",
            )
        })?;
    if saml.len() > MAX_SAML_RESPONSE {
        return Err(invalid_saml(
            CognitoRule::ResponseTooLarge,
            format!(
                "The SAMLResponse has {} characters; Cognito takes at most {MAX_SAML_RESPONSE}.",
                saml.len()
            ),
        ));
    }
    let relay_state = request.form_value("RelayState").filter(|s| !s.is_empty());
    let xml = decode_post(&saml, &Limits::default()).map_err(|e| {
        invalid_saml(
            CognitoRule::SamlMalformed,
            format!("SAMLResponse is not base64 of an XML document: {e}"),
        )
    })?;
    let received = parse_response(&xml).map_err(|e| {
        invalid_saml(
            CognitoRule::SamlMalformed,
            format!("Not a readable samlp:Response: {e}"),
        )
        .worded(format!("{INVALID_SAML}: {e}"))
    })?;
    if received.envelope.status.code != status::SUCCESS {
        return Err(invalid_saml(
            CognitoRule::SamlStatusNotSuccess,
            format!(
                "The IdP answered with status {}.",
                received.envelope.status.code
            ),
        ));
    }
    let now = cognito.clock.now();

    // Which sign-in this answers: a RelayState Cognito issued (SP-initiated), or
    // the app's parameters (IdP-initiated).
    let relay_pairs: Vec<(String, String)> = relay_state
        .as_deref()
        .map(form_urlencoded_pairs)
        .unwrap_or_default();
    let idp_initiated = relay_pairs.iter().any(|(k, _)| k == "client_id");
    let (provider_name, pending) = if idp_initiated {
        let name = relay_pairs
            .iter()
            .find(|(k, _)| k == "identity_provider")
            .map(|(_, v)| v.clone());
        (name, None)
    } else {
        let pending = match &relay_state {
            Some(token) => cognito
                .model
                .get::<Pending>(kind::PENDING, token)
                .map_err(internal)?,
            None => None,
        };
        let Some(pending) = pending.filter(|p| p.pool_id == pool.id) else {
            return Err(invalid_saml(
                CognitoRule::SignInWindowExpired,
                "The RelayState names no sign-in this user pool started (and the response is not IdP-initiated: its RelayState has no client_id).",
            ));
        };
        if now - pending.created > SIGN_IN_WINDOW {
            if let Some(token) = &relay_state {
                cognito
                    .model
                    .delete(kind::PENDING, token)
                    .map_err(internal)?;
            }
            return Err(invalid_saml(
                CognitoRule::SignInWindowExpired,
                format!(
                    "The authorize request was made {} ago; the sign-in must complete within 5 minutes.",
                    samlsim_service::clock::format_duration(now - pending.created)
                ),
            ));
        }
        (Some(pending.provider.clone()), Some(pending))
    };
    let providers = cognito.model.providers(&pool.id).map_err(internal)?;
    let provider = match provider_name {
        Some(name) => providers.into_iter().find(|p| p.name == name).ok_or_else(|| {
            invalid_saml(
                CognitoRule::IdpInitRelayState,
                format!("RelayState names identity_provider \"{name}\", which pool {} does not have.", pool.id),
            )
        })?,
        // Without identity_provider, the (not yet verified) Issuer picks the
        // provider whose certificates must then verify the response.
        None => {
            let issuer = received.envelope.issuer.clone().unwrap_or_default();
            providers.into_iter().find(|p| p.entity_id == issuer).ok_or_else(|| {
                invalid_saml(
                    CognitoRule::IdpInitRelayState,
                    format!("RelayState names no identity_provider, and no provider of pool {} has entity ID \"{issuer}\".", pool.id),
                )
            })?
        }
    };

    let mut certificates = Vec::new();
    for text in &provider.certificates {
        certificates.push(Certificate::from_base64(text).map_err(|e| {
            Refusal::new(CognitoRule::Internal).because(format!(
                "stored certificate of provider {} is unreadable: {e}",
                provider.name
            ))
        })?);
    }
    let assertion = if received.is_encrypted() {
        // Decrypt, verify the decrypted assertion, read only what verified; every
        // failure one answer, the reason in the event log only.
        let key = &cognito.encryption.key;
        let decryption = Decryption {
            keys: &[key],
            options: DecryptOptions::default(),
        };
        received
            .verify_decrypting(&certificates, Some(&decryption))
            .map_err(|e| {
                Refusal::new(CognitoRule::EncryptedResponseInvalid)
                    .because(
                        "The encrypted assertion did not decrypt with the pool's encryption key, \
                         or the signature inside it did not verify; samlsim's event log (reason) \
                         says which.",
                    )
                    .fact("reason", e.to_string())
            })?
    } else {
        if provider.encrypted_responses {
            return Err(invalid_saml(
                CognitoRule::EncryptionRequired,
                format!(
                    "Provider {} has EncryptedResponses, and the assertion is not encrypted",
                    provider.name
                ),
            ));
        }
        received.verify(&certificates).map_err(|e| match e {
            SamlError::Signature { .. } | SamlError::Unsigned | SamlError::NoTrustedCertificate => {
                invalid_saml(CognitoRule::SignatureInvalid, e.to_string())
            }
            other => invalid_saml(CognitoRule::SamlMalformed, other.to_string()),
        })?
    };
    // From here on only the verified assertion is read.
    check_assertion(
        cognito,
        pool,
        &provider,
        &assertion,
        pending,
        &relay_pairs,
        relay_state.as_deref(),
        now,
    )
}

fn form_urlencoded_pairs(text: &str) -> Vec<(String, String)> {
    Request::new(Method::GET, &format!("/?{text}")).query_pairs()
}

#[allow(clippy::too_many_arguments)]
fn check_assertion(
    cognito: &Cognito,
    pool: &Pool,
    provider: &Provider,
    assertion: &VerifiedAssertion,
    pending: Option<Pending>,
    relay_pairs: &[(String, String)],
    relay_state: Option<&str>,
    now: i64,
) -> Outcome<SignedIn> {
    if assertion.issuer != provider.entity_id {
        return Err(invalid_saml(
            CognitoRule::IssuerMismatch,
            format!(
                "Issuer is \"{}\"; provider {} has entity ID \"{}\".",
                assertion.issuer, provider.name, provider.entity_id
            ),
        ));
    }
    let audience = pool.sp_entity_id();
    let restrictions = assertion
        .conditions
        .as_ref()
        .map(|c| c.audience_restrictions.clone())
        .unwrap_or_default();
    if restrictions.is_empty() || !restrictions.iter().all(|r| r.contains(&audience)) {
        return Err(invalid_saml(
            CognitoRule::AudienceMismatch,
            format!(
                "The assertion is addressed to {}; this pool's SP entity ID is {audience}.",
                if restrictions.is_empty() {
                    "no audience".to_owned()
                } else {
                    restrictions.concat().join(", ")
                }
            ),
        ));
    }
    let acs = pool.acs_url().unwrap_or_default();
    let local_acs = cognito.urls.local(&acs);
    let is_acs = |url: &str| url == acs || url == local_acs;
    let Some(confirmation) = assertion
        .subject_confirmations
        .iter()
        .find(|c| c.method == samlsim_saml::uri::confirmation_method::BEARER)
    else {
        return Err(invalid_saml(
            CognitoRule::RecipientMismatch,
            "The assertion has no bearer SubjectConfirmation.",
        ));
    };
    let recipient = confirmation.recipient.clone().unwrap_or_default();
    if !is_acs(&recipient) {
        return Err(invalid_saml(
            CognitoRule::RecipientMismatch,
            format!("Recipient is \"{recipient}\"; this pool's ACS is {acs}."),
        ));
    }
    if let Some(destination) = assertion
        .signed_envelope
        .as_ref()
        .and_then(|e| e.destination.clone())
        && !is_acs(&destination)
    {
        return Err(invalid_saml(
            CognitoRule::RecipientMismatch,
            format!(
                "The signed Response's Destination is \"{destination}\"; this pool's ACS is {acs}."
            ),
        ));
    }
    let expiries = [
        confirmation.not_on_or_after,
        assertion
            .conditions
            .as_ref()
            .and_then(|c| c.not_on_or_after),
    ];
    if let Some(expired) = expiries
        .into_iter()
        .flatten()
        .find(|t| t.unix_seconds() <= now)
    {
        return Err(invalid_saml(
            CognitoRule::AssertionExpired,
            format!(
                "NotOnOrAfter {expired} has passed (now {}).",
                DateTime::from_unix(now)
            ),
        ));
    }
    let in_response_to = confirmation.in_response_to.clone().or_else(|| {
        assertion
            .signed_envelope
            .as_ref()
            .and_then(|e| e.in_response_to.clone())
    });
    let grant = match &pending {
        Some(pending) => {
            if in_response_to.as_deref() != Some(pending.request_id.as_str()) {
                return Err(invalid_saml(
                    CognitoRule::InResponseToMismatch,
                    format!(
                        "InResponseTo is {}; the pending AuthnRequest's ID is {}.",
                        in_response_to
                            .as_deref()
                            .map_or("absent".to_owned(), |v| format!("\"{v}\"")),
                        pending.request_id
                    ),
                ));
            }
            pending.grant.clone()
        }
        None => {
            if let Some(id) = &in_response_to {
                return Err(invalid_saml(
                    CognitoRule::InResponseToMismatch,
                    format!("InResponseTo \"{id}\" answers no request this pool has pending."),
                ));
            }
            if !provider.idp_init {
                return Err(invalid_saml(
                    CognitoRule::IdpInitNotEnabled,
                    format!(
                        "Provider {} does not accept IdP-initiated sign-in (IDPInit is off).",
                        provider.name
                    ),
                ));
            }
            let age = now - assertion.issue_instant.unix_seconds();
            if age > IDP_INIT_MAX_AGE {
                return Err(invalid_saml(
                    CognitoRule::IdpInitTooOld,
                    format!(
                        "The assertion was issued {} ago; IdP-initiated assertions must be at most 6 minutes old.",
                        samlsim_service::clock::format_duration(age)
                    ),
                ));
            }
            let (client, grant) = grant_request(cognito, pool, relay_pairs).map_err(|r| {
                if r.rule == CognitoRule::Internal {
                    r
                } else {
                    let why = r.detail.clone().unwrap_or_else(|| r.message().to_owned());
                    invalid_saml(
                        CognitoRule::IdpInitRelayState,
                        format!("{} ({why})", r.rule),
                    )
                }
            })?;
            if !client.identity_providers.contains(&provider.name) {
                return Err(
                    Refusal::new(CognitoRule::ProviderNotEnabledForClient).because(format!(
                        "App client {} does not list \"{}\" in its supported identity providers.",
                        client.id, provider.name
                    )),
                );
            }
            // "The app client may then list only SAML providers" (saml-idp-things-to-know).
            if client.identity_providers.iter().any(|p| p == "COGNITO") {
                return Err(invalid_saml(
                    CognitoRule::IdpInitRelayState,
                    format!(
                        "App client {} also lists COGNITO; a client used for IdP-initiated sign-in may list only SAML providers.",
                        client.id
                    ),
                ));
            }
            grant
        }
    };
    let name_id = assertion
        .name_id
        .clone()
        .filter(|n| !n.value.is_empty())
        .ok_or_else(|| {
            invalid_saml(
                CognitoRule::NameIdMissing,
                "The assertion's Subject has no NameID.",
            )
        })?;

    let mut mapped = BTreeMap::new();
    for (pool_attribute, saml_name) in &provider.attribute_mapping {
        let values = assertion.attribute_values(saml_name);
        if !values.is_empty() {
            mapped.insert(pool_attribute.clone(), values.join(","));
        }
    }
    if let Some(missing) = pool
        .required_attributes
        .iter()
        .find(|a| !mapped.contains_key(*a))
    {
        let how = match provider.attribute_mapping.get(missing) {
            Some(saml_name) => {
                format!("it is mapped from \"{saml_name}\", which the assertion does not carry")
            }
            None => format!("provider {} has no mapping for it", provider.name),
        };
        return Err(Refusal::new(CognitoRule::RequiredAttributeMissing)
            .worded(format!(
                "{INVALID_SAML}: Invalid user attributes: {missing}: The attribute is required"
            ))
            .because(format!(
                "{missing} is required by pool {}, and {how}.",
                pool.id
            )));
    }

    if !cognito
        .model
        .insert_new(kind::ASSERTION, &assertion.id, &now)
        .map_err(internal)?
    {
        return Err(invalid_saml(
            CognitoRule::AssertionReplayed,
            format!("Assertion {} was accepted before.", assertion.id),
        ));
    }
    if let Some(token) = relay_state.filter(|_| pending.is_some()) {
        cognito
            .model
            .delete(kind::PENDING, token)
            .map_err(internal)?;
    }

    let user = federated_user(cognito, pool, provider, &name_id.value, mapped, now)?;
    Ok(SignedIn {
        user,
        provider: provider.name.clone(),
        grant,
        name_id,
        session_index: assertion
            .authn_statements
            .first()
            .and_then(|s| s.session_index.clone()),
    })
}

/// G6–G9: the user linked to provider + NameID (compared with case), or a new
/// one named `<Provider>_<NameID>`; mapped attributes refreshed.
pub(crate) fn federated_user(
    cognito: &Cognito,
    pool: &Pool,
    provider: &Provider,
    name_id: &str,
    mapped: BTreeMap<String, String>,
    now: i64,
) -> Outcome<User> {
    let linked = cognito
        .model
        .linked_username(&pool.id, &provider.name, name_id)
        .map_err(internal)?;
    let existing = match &linked {
        Some(username) => cognito
            .model
            .get::<User>(kind::USER, &crate::model::pool_key(&pool.id, username))
            .map_err(internal)?,
        None => None,
    };
    let user = match existing {
        Some(mut user) => {
            if !user.enabled {
                return Err(Refusal::new(CognitoRule::UserDisabled)
                    .because(format!("User {} is disabled.", user.username)));
            }
            // "Mapped attributes are refreshed at each sign-in."
            for (name, value) in mapped {
                user.attributes.insert(name, value);
            }
            user.modified = now;
            user
        }
        None => {
            let username = format!("{}_{}", provider.name, name_id);
            if let Some(other) = cognito.model.user(pool, &username).map_err(internal)? {
                return Err(Refusal::new(CognitoRule::UsernameCollision)
                    .because(format!(
                        "NameID \"{name_id}\" has no linked user (identities are compared with case), so Cognito would create {username}; pool {} is case-{} and already has {}.",
                        pool.id,
                        if pool.case_sensitive { "sensitive" } else { "insensitive" },
                        other.username
                    ))
                    .at_step("G8")
                    .context(json!({ "pool": pool.id, "username": username, "existing": other.username })));
            }
            let mut attributes = mapped;
            attributes
                .entry("email_verified".into())
                .or_insert_with(|| "false".into());
            User {
                pool_id: pool.id.clone(),
                username: username.clone(),
                sub: uuid(cognito),
                enabled: true,
                status: "EXTERNAL_PROVIDER".into(),
                attributes,
                identities: vec![LinkedIdentity {
                    provider: provider.name.clone(),
                    user_id: name_id.to_owned(),
                    issuer: provider.entity_id.clone(),
                    created: now,
                }],
                created: now,
                modified: now,
            }
        }
    };
    cognito.model.put_user(&user).map_err(internal)?;
    cognito
        .model
        .link(&pool.id, &provider.name, name_id, &user.username)
        .map_err(internal)?;
    Ok(user)
}

// ---- tokens -------------------------------------------------------------------

pub(crate) struct Tokens {
    pub id: Option<String>,
    pub access: String,
    pub refresh: Option<String>,
}

/// Claims as Cognito issues them (amazon-cognito-user-pools-using-the-id-token,
/// -access-token).
pub(crate) fn issue_tokens(
    cognito: &Cognito,
    pool: &Pool,
    client: &Client,
    user: &User,
    grant: &GrantRequest,
    auth_time: i64,
    with_refresh: bool,
) -> Outcome<Tokens> {
    issue(
        cognito,
        pool,
        client,
        user,
        &grant.scopes,
        grant.nonce.as_deref(),
        auth_time,
        None,
        with_refresh,
    )
}

#[allow(clippy::too_many_arguments)]
fn issue(
    cognito: &Cognito,
    pool: &Pool,
    client: &Client,
    user: &User,
    scopes: &[String],
    nonce: Option<&str>,
    auth_time: i64,
    origin_jti: Option<String>,
    with_refresh: bool,
) -> Outcome<Tokens> {
    let now = cognito.clock.now();
    let issuer = cognito.issuer(pool);
    let origin_jti = origin_jti.unwrap_or_else(|| uuid(cognito));
    let event_id = uuid(cognito);
    let sign = |claims: &Map<String, Value>| {
        cognito.keys.sign(claims).map_err(|e| {
            Refusal::new(CognitoRule::Internal).because(format!("signing a token failed: {e}"))
        })
    };
    let mut access = Map::new();
    access.insert("sub".into(), user.sub.clone().into());
    access.insert("iss".into(), issuer.clone().into());
    access.insert("version".into(), 2.into());
    access.insert("client_id".into(), client.id.clone().into());
    access.insert("origin_jti".into(), origin_jti.clone().into());
    access.insert("event_id".into(), event_id.clone().into());
    access.insert("token_use".into(), "access".into());
    access.insert("scope".into(), scopes.join(" ").into());
    access.insert("auth_time".into(), auth_time.into());
    access.insert("exp".into(), (now + client.access_token_validity).into());
    access.insert("iat".into(), now.into());
    access.insert("jti".into(), uuid(cognito).into());
    access.insert("username".into(), user.username.clone().into());
    let access = sign(&access)?;

    let id = if scopes.iter().any(|s| s == "openid") {
        let mut claims = Map::new();
        claims.insert("at_hash".into(), jwt::at_hash(&access).into());
        claims.insert("sub".into(), user.sub.clone().into());
        for (name, value) in &user.attributes {
            let value: Value = match name.as_str() {
                "email_verified" | "phone_number_verified" => (value == "true").into(),
                _ => value.clone().into(),
            };
            claims.insert(name.clone(), value);
        }
        claims.insert("iss".into(), issuer.clone().into());
        claims.insert("cognito:username".into(), user.username.clone().into());
        if let Some(nonce) = nonce {
            claims.insert("nonce".into(), nonce.into());
        }
        claims.insert("origin_jti".into(), origin_jti.clone().into());
        claims.insert("aud".into(), client.id.clone().into());
        claims.insert("identities".into(), identities_claim(user));
        claims.insert("token_use".into(), "id".into());
        claims.insert("auth_time".into(), auth_time.into());
        claims.insert("exp".into(), (now + client.id_token_validity).into());
        claims.insert("iat".into(), now.into());
        claims.insert("jti".into(), uuid(cognito).into());
        claims.insert("event_id".into(), event_id.into());
        Some(sign(&claims)?)
    } else {
        None
    };
    let refresh = if with_refresh {
        let token = format!("{}.{}", cognito.ids.token(32), cognito.ids.token(32));
        cognito
            .model
            .put(
                kind::REFRESH,
                &token,
                &RefreshGrant {
                    pool_id: pool.id.clone(),
                    client_id: client.id.clone(),
                    username: user.username.clone(),
                    sub: user.sub.clone(),
                    scopes: scopes.to_vec(),
                    auth_time,
                    origin_jti,
                    expires: now + client.refresh_token_validity,
                },
            )
            .map_err(internal)?;
        Some(token)
    } else {
        None
    };
    Ok(Tokens {
        id,
        access,
        refresh,
    })
}

pub(crate) fn identities_claim(user: &User) -> Value {
    Value::Array(
        user.identities
            .iter()
            .map(|i| {
                json!({
                    "userId": i.user_id,
                    "providerName": i.provider,
                    "providerType": "SAML",
                    "issuer": i.issuer,
                    "primary": "true",
                    "dateCreated": (i.created * 1000).to_string(),
                })
            })
            .collect(),
    )
}

// ---- /oauth2/token --------------------------------------------------------------

/// `client_id:client_secret` from HTTP Basic's base64, each part form-decoded
/// (RFC 6749 2.3.1).
fn basic_credentials(encoded: &str) -> Result<(String, Option<String>), String> {
    let bytes = STANDARD
        .decode(encoded.trim())
        .map_err(|e| format!("not base64 ({e})"))?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned())?;
    let (id, secret) = text.split_once(':').ok_or("no ':'")?;
    Ok((
        samlsim_service::http::decode_component(id),
        Some(samlsim_service::http::decode_component(secret)),
    ))
}

/// The client, authenticated by HTTP Basic or the form (token-endpoint).
fn token_client(cognito: &Cognito, request: &Request, pool: &Pool) -> Outcome<Client> {
    let basic = request
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|encoded| {
            basic_credentials(encoded).map_err(|why| {
                Refusal::new(CognitoRule::InvalidClient).because(format!(
                    "The Authorization header is not Basic base64(client_id:client_secret): {why}."
                ))
            })
        })
        .transpose()?;
    let (client_id, secret) = match basic {
        Some(pair) => pair,
        None => (
            request.form_value("client_id").unwrap_or_default(),
            request.form_value("client_secret"),
        ),
    };
    let client = cognito
        .model
        .client(&pool.id, &client_id)
        .map_err(internal)?
        .ok_or_else(|| {
            Refusal::new(CognitoRule::InvalidClient).because(format!(
                "No app client \"{client_id}\" in pool {}.",
                pool.id
            ))
        })?;
    if let Some(expected) = &client.secret
        && secret.as_deref() != Some(expected.as_str())
    {
        return Err(Refusal::new(CognitoRule::InvalidClient).because(format!(
            "Client {} has a secret; the request {}.",
            client.id,
            if secret.is_some() {
                "sent a different one"
            } else {
                "sent none"
            }
        )));
    }
    Ok(client)
}

fn token(cognito: &Cognito, request: &Request, pool: &Pool) -> Outcome<Response> {
    let client = token_client(cognito, request, pool)?;
    let missing = |name: &str| {
        Refusal::new(CognitoRule::TokenMissingParameter).because(format!("{name} is missing"))
    };
    let grant_type = request
        .form_value("grant_type")
        .ok_or_else(|| missing("grant_type"))?;
    let now = cognito.clock.now();
    let (tokens, validity) = match grant_type.as_str() {
        "authorization_code" => {
            let code_value = request.form_value("code").ok_or_else(|| missing("code"))?;
            let code: Code = cognito
                .model
                .take(kind::CODE, &code_value)
                .map_err(internal)?
                .ok_or_else(|| {
                    Refusal::new(CognitoRule::InvalidGrant)
                        .because("The code is unknown or was used already.")
                })?;
            let grant = &code.grant;
            if code.pool_id != pool.id || grant.client_id != client.id {
                return Err(Refusal::new(CognitoRule::InvalidGrant).because(format!(
                    "The code was issued to client {}, not {}.",
                    grant.client_id, client.id
                )));
            }
            if now - code.created > CODE_LIFETIME {
                return Err(Refusal::new(CognitoRule::InvalidGrant)
                    .because("The code is older than 5 minutes."));
            }
            let redirect_uri = request.form_value("redirect_uri").unwrap_or_default();
            if redirect_uri != grant.redirect_uri {
                return Err(Refusal::new(CognitoRule::InvalidGrant).because(format!(
                    "redirect_uri \"{redirect_uri}\" is not the authorize request's \"{}\".",
                    grant.redirect_uri
                )));
            }
            if let Some(challenge) = &grant.code_challenge {
                let verifier = request.form_value("code_verifier").ok_or_else(|| {
                    Refusal::new(CognitoRule::PkceMismatch)
                        .because("The code was issued for a code_challenge; the request has no code_verifier.")
                })?;
                let computed = match grant.code_challenge_method.as_deref() {
                    Some("S256") => jwt::s256(&verifier),
                    _ => verifier.clone(),
                };
                if &computed != challenge {
                    return Err(Refusal::new(CognitoRule::PkceMismatch).because(format!(
                        "code_verifier does not match the {} code_challenge.",
                        grant.code_challenge_method.as_deref().unwrap_or("plain")
                    )));
                }
            }
            let user = cognito
                .model
                .get::<User>(
                    kind::USER,
                    &crate::model::pool_key(&pool.id, &code.username),
                )
                .map_err(internal)?
                .filter(|u| u.enabled)
                .ok_or_else(|| {
                    Refusal::new(CognitoRule::InvalidGrant).because(format!(
                        "User {} no longer exists or is disabled.",
                        code.username
                    ))
                })?;
            (
                issue_tokens(cognito, pool, &client, &user, grant, code.auth_time, true)?,
                client.access_token_validity,
            )
        }
        "refresh_token" => {
            let token = request
                .form_value("refresh_token")
                .ok_or_else(|| missing("refresh_token"))?;
            let grant: RefreshGrant = cognito
                .model
                .get(kind::REFRESH, &token)
                .map_err(internal)?
                .ok_or_else(|| {
                    Refusal::new(CognitoRule::RefreshTokenRevoked)
                        .because("This pool never issued that refresh token.")
                })?;
            if grant.pool_id != pool.id || grant.client_id != client.id {
                return Err(Refusal::new(CognitoRule::InvalidGrant).because(format!(
                    "The refresh token belongs to client {}.",
                    grant.client_id
                )));
            }
            if grant.expires <= now {
                return Err(
                    Refusal::new(CognitoRule::RefreshTokenRevoked).because(format!(
                        "The refresh token expired at {}.",
                        DateTime::from_unix(grant.expires)
                    )),
                );
            }
            let user = cognito
                .model
                .get::<User>(
                    kind::USER,
                    &crate::model::pool_key(&pool.id, &grant.username),
                )
                .map_err(internal)?
                // A user deleted and created again has a new sub: the old token
                // stays dead (G9).
                .filter(|u| u.sub == grant.sub)
                .ok_or_else(|| {
                    Refusal::new(CognitoRule::RefreshTokenRevoked)
                        .because(format!("User {} was deleted.", grant.username))
                        .at_step("G9")
                })?;
            if !user.enabled {
                return Err(Refusal::new(CognitoRule::RefreshTokenRevoked)
                    .because(format!("User {} is disabled.", user.username)));
            }
            (
                issue(
                    cognito,
                    pool,
                    &client,
                    &user,
                    &grant.scopes,
                    None,
                    grant.auth_time,
                    Some(grant.origin_jti.clone()),
                    false,
                )?,
                client.access_token_validity,
            )
        }
        other => {
            return Err(Refusal::new(CognitoRule::UnsupportedGrantType)
                .because(format!("grant_type \"{other}\"")));
        }
    };
    let mut body = Map::new();
    if let Some(id) = tokens.id {
        body.insert("id_token".into(), id.into());
    }
    body.insert("access_token".into(), tokens.access.into());
    if let Some(refresh) = tokens.refresh {
        body.insert("refresh_token".into(), refresh.into());
    }
    body.insert("expires_in".into(), validity.into());
    body.insert("token_type".into(), "Bearer".into());
    cognito.record(
        request,
        NewEvent::ok(
            crate::SERVICE,
            "token",
            format!("tokens issued to client {} ({grant_type})", client.id),
        )
        .step("G2"),
    );
    Ok(Response::json(StatusCode::OK, &Value::Object(body))
        .with_header(header::CACHE_CONTROL, "no-store"))
}

/// `/oauth2/revoke`: ends a refresh token (revocation-endpoint). Revoking a
/// token the client does not own, or one already gone, answers 200 as RFC 7009
/// asks, and changes nothing.
fn revoke(cognito: &Cognito, request: &Request, pool: &Pool) -> Outcome<Response> {
    let client = token_client(cognito, request, pool)?;
    let token = request.form_value("token").ok_or_else(|| {
        Refusal::new(CognitoRule::TokenMissingParameter).because("token is missing")
    })?;
    let grant: Option<RefreshGrant> = cognito.model.get(kind::REFRESH, &token).map_err(internal)?;
    if grant.is_some_and(|g| g.client_id == client.id && g.pool_id == pool.id) {
        cognito
            .model
            .delete(kind::REFRESH, &token)
            .map_err(internal)?;
        cognito.record(
            request,
            NewEvent::ok(
                crate::SERVICE,
                "revoke",
                format!("refresh token of client {} revoked", client.id),
            )
            .step("G2"),
        );
    }
    Ok(Response::new(StatusCode::OK, "application/json", ""))
}

/// A bearer access token of this pool, unexpired, whose user still exists.
pub(crate) fn access_token_user(
    cognito: &Cognito,
    pool: &Pool,
    bearer: Option<&str>,
) -> Outcome<(User, Map<String, Value>)> {
    let invalid = |why: &str| Refusal::new(CognitoRule::AccessTokenInvalid).because(why.to_owned());
    let token = bearer.ok_or_else(|| invalid("No Authorization: Bearer header."))?;
    let claims = cognito.keys.verify(token).map_err(|why| {
        invalid(&format!(
            "The token is not a JWT signed by this user pool's key: {why}."
        ))
    })?;
    if claims.get("token_use").and_then(Value::as_str) != Some("access") {
        return Err(invalid(
            "The token is not an access token (token_use is not access).",
        ));
    }
    if claims.get("iss").and_then(Value::as_str) != Some(cognito.issuer(pool).as_str()) {
        return Err(invalid("The token was issued by another user pool."));
    }
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if exp <= cognito.clock.now() {
        return Err(Refusal::new(CognitoRule::AccessTokenInvalid)
            .worded("Access token has expired")
            .because(format!(
                "The token expired at {}.",
                DateTime::from_unix(exp)
            )));
    }
    let username = claims
        .get("username")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let user = cognito
        .model
        .get::<User>(kind::USER, &crate::model::pool_key(&pool.id, username))
        .map_err(internal)?
        .filter(|u| u.sub == sub && u.enabled)
        .ok_or_else(|| invalid("The token's user was deleted or disabled."))?;
    Ok((user, claims))
}

fn bearer(request: &Request) -> Option<String> {
    request
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|v| v.trim().to_owned())
}

fn user_info(cognito: &Cognito, request: &Request, pool: &Pool) -> Outcome<Response> {
    let (user, _) = access_token_user(cognito, pool, bearer(request).as_deref())?;
    let mut body = Map::new();
    body.insert("sub".into(), user.sub.clone().into());
    for (name, value) in &user.attributes {
        body.insert(name.clone(), value.clone().into());
    }
    // userInfo gives identities as a JSON string, unlike the ID token.
    body.insert(
        "identities".into(),
        identities_claim(&user).to_string().into(),
    );
    body.insert("username".into(), user.username.clone().into());
    Ok(Response::json(StatusCode::OK, &Value::Object(body)))
}

// ---- /logout and /saml2/logout ------------------------------------------------

fn logout(cognito: &Cognito, request: &Request, pool: &Pool) -> Outcome<Response> {
    let client_id = request.query_param("client_id").unwrap_or_default();
    let client = cognito
        .model
        .client(&pool.id, &client_id)
        .map_err(internal)?
        .ok_or_else(|| {
            Refusal::new(CognitoRule::ClientNotFound).because(format!(
                "No app client \"{client_id}\" in pool {}.",
                pool.id
            ))
        })?;
    let logout_uri = request.query_param("logout_uri").unwrap_or_default();
    if !client.logout_urls.contains(&logout_uri) {
        return Err(
            Refusal::new(CognitoRule::LogoutUriMismatch).because(format!(
                "logout_uri \"{logout_uri}\" is not a sign-out URL of client {} (registered: {}).",
                client.id,
                if client.logout_urls.is_empty() {
                    "none".to_owned()
                } else {
                    client.logout_urls.join(", ")
                }
            )),
        );
    }
    let cookie_path = format!("/aws/{}/", pool.host().unwrap_or_default());
    let now = cognito.clock.now();
    let session = match request.cookie(SESSION_COOKIE) {
        Some(token) => cognito
            .model
            .take::<SignOnSession>(kind::SESSION, &token)
            .map_err(internal)?
            .filter(|s| now < s.created + SIGN_ON_SESSION_LIFETIME),
        None => None,
    };
    let clear = Cookie::removal(SESSION_COOKIE, &cookie_path);
    let provider = match &session {
        Some(s) => cognito
            .model
            .provider(&pool.id, &s.provider)
            .map_err(internal)?,
        None => None,
    };
    let state = request.query_param("state");
    if let (Some(session), Some(provider)) = (&session, provider)
        && provider.idp_signout
        && let Some(slo_url) = &provider.slo_url
    {
        let id = cognito.ids.saml_id();
        let logout_request = LogoutRequest {
            id: id.clone(),
            issue_instant: DateTime::from_unix(now),
            destination: Some(slo_url.clone()),
            issuer: pool.sp_entity_id(),
            name_id: NameId {
                value: session.name_id.clone(),
                format: session.name_id_format.clone(),
                ..NameId::new("", "")
            },
            session_indexes: session.session_index.iter().cloned().collect(),
            not_on_or_after: None,
            reason: None,
        };
        let xml = build_logout_request(&logout_request, None)
            .map_err(|e| internal_saml(&e))?
            .xml;
        let relay = cognito.ids.token(16);
        cognito
            .model
            .put(
                kind::LOGOUT,
                &relay,
                &PendingLogout {
                    logout_uri: logout_uri.clone(),
                    state,
                    created: now,
                },
            )
            .map_err(internal)?;
        let signer = provider
            .request_signing
            .then(|| (cognito.keys.key(), SignatureAlgorithm::RsaSha256));
        let query = redirect_query(RedirectParam::Request, &xml, Some(&relay), signer)
            .map_err(|e| internal_saml(&e))?;
        cognito.record(
            request,
            NewEvent::ok(
                crate::SERVICE,
                "logout",
                format!("LogoutRequest {id} to {} (IDPSignout)", provider.name),
            )
            .step("G2"),
        );
        return Ok(Response::redirect(
            StatusCode::FOUND,
            &cognito.urls.local(&append_query(slo_url, &query)),
        )
        .with_cookie(&clear));
    }
    cognito.record(
        request,
        NewEvent::ok(crate::SERVICE, "logout", "signed out of the hosted UI").step("G2"),
    );
    Ok(Response::redirect(StatusCode::FOUND, &cognito.urls.local(&logout_uri)).with_cookie(&clear))
}

/// The IdP's LogoutResponse comes back here; the browser goes on to logout_uri.
fn saml_logout(cognito: &Cognito, request: &Request) -> Response {
    let relay = request.param("RelayState").unwrap_or_default();
    let now = cognito.clock.now();
    let pending = cognito
        .model
        .take::<PendingLogout>(kind::LOGOUT, &relay)
        .map(|p| p.filter(|p| now < p.created + LOGOUT_WINDOW));
    match pending {
        Ok(Some(pending)) => {
            let target = match &pending.state {
                Some(state) => append_query(&pending.logout_uri, &encode_form(&[("state", state)])),
                None => pending.logout_uri.clone(),
            };
            Response::redirect(StatusCode::FOUND, &cognito.urls.local(&target))
        }
        Ok(None) => samlsim_service::render(
            StatusCode::OK,
            &Page {
                service: TITLE,
                page: "cognito-signed-out",
                title: "Signed out",
                intro: vec!["You are signed out of the user pool.".into()],
                facts: Vec::new(),
                links: Vec::new(),
                blocks: Vec::new(),
            },
        ),
        Err(e) => cognito.refuse(request, "logout", internal(e), |r| r.page(TITLE, request)),
    }
}
