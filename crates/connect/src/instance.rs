//! The instance's own domain, `<alias>.my.connect.aws`: the sign-in token
//! hand-over, the pages behind the 12-hour session (C28, C30), and sign-out (C31).

use askama::Template;
use samlsim_saml::DateTime;
use samlsim_service::http::{Cookie, Method, StatusCode};
use samlsim_service::{NewEvent, Refusal, Request, Response};

use crate::model::{Instance, Page, Session, SessionState, User};
use crate::rules::{ConnectRefusal, ConnectRule, internal};
use crate::{Connect, SERVICE, SESSION_COOKIE, pages};

#[derive(Template)]
#[template(path = "connect/signed_out.html")]
struct SignedOut<'a> {
    instance: &'a str,
    idp_logout: &'a str,
}

pub(crate) fn handle(connect: &Connect, request: &Request, alias: &str, rest: &str) -> Response {
    let instance = match connect.model.instance_by_alias(alias) {
        Ok(Some(instance)) => instance,
        Ok(None) => {
            return connect.deny(
                request,
                "instance",
                Refusal::new(ConnectRule::InstanceNotFound)
                    .worded("This Amazon Connect instance was not found.")
                    .because(format!("No instance has the alias \"{alias}\".")),
            );
        }
        Err(e) => return connect.deny(request, "instance", internal(&e)),
    };
    let (action, result) = if request.method == Method::GET && rest == "/auth/sign-in" {
        ("sign-in", sign_in(connect, request, &instance))
    } else {
        ("instance", open(connect, request, &instance, rest))
    };
    match result {
        Ok(response) => response,
        Err(refusal) => refuse(connect, request, action, &instance, rest, refusal),
    }
}

/// The instance behind the session cookie: C28 without one, C30 after 12 hours.
fn open(
    connect: &Connect,
    request: &Request,
    instance: &Instance,
    rest: &str,
) -> Result<Response, ConnectRefusal> {
    let cookie_path = format!("/aws/{}/", instance.host());
    let now = connect.clock.now();
    let state = match request.cookie(SESSION_COOKIE) {
        Some(id) => connect.model.session(&id, now).map_err(|e| internal(&e))?,
        None => SessionState::Unknown,
    };
    let session = match state {
        SessionState::Live(session) if session.instance == instance.id => session,
        SessionState::Expired(session) | SessionState::ExpiredEarlier(session) => {
            // Noticed now or before (the CCP's own poll); the session ended when
            // its 12 hours were up (C30), and that is the reason every time.
            connect
                .model
                .end_session(&session.id, session.expires_at)
                .map_err(|e| internal(&e))?;
            let in_call = request.query_param("in_call").is_some();
            return Err(Refusal::new(ConnectRule::SessionExpired)
                .because(if in_call {
                    format!("{}'s 12-hour session ended in the middle of a call", session.username)
                } else {
                    format!("{}'s 12-hour session ended", session.username)
                })
                .context(serde_json::json!({
                    "username": session.username, "signed_in_at": DateTime::from_unix(session.created_at).to_string(),
                    "expired_at": DateTime::from_unix(session.expires_at).to_string(), "in_call": in_call,
                    // The inspector shows the clock beside the session's end.
                    "attribute": "time (virtual clock)",
                    "actual": DateTime::from_unix(now).to_string(),
                    "expected": format!("before {} (12 hours after sign-in)", DateTime::from_unix(session.expires_at)),
                })));
        }
        _ => return Err(Refusal::new(ConnectRule::NoSession)),
    };
    let user = connect
        .model
        .user(&instance.id, &session.username)
        .map_err(|e| internal(&e))?
        .ok_or_else(|| {
            Refusal::new(ConnectRule::UserDeleted)
                .context(serde_json::json!({ "username": session.username }))
        })?;
    match (&request.method, rest) {
        (&Method::GET, "/api/session") => Ok(Response::json(
            StatusCode::OK,
            &serde_json::json!({
                "username": user.username, "expires_at": DateTime::from_unix(session.expires_at).to_string(),
                "seconds_left": session.expires_at - now,
            }),
        )),
        (&Method::POST, "/logout") => sign_out(connect, request, instance, &session, &cookie_path),
        (&Method::GET, path) => match Page::from_path(path) {
            Some(page) => page_for(connect, instance, &user, &session, page),
            None => Err(Refusal::new(ConnectRule::PageNotFound)
                .because(format!("{path} is not a page of this instance."))),
        },
        _ => Err(Refusal::new(ConnectRule::MethodNotAllowed)
            .because(format!("{} {rest} is not supported.", request.method))),
    }
}

/// Session rules answer with "Session expired" (a 401 JSON body for the CCP's
/// poll), the others with Access Denied.
fn refuse(
    connect: &Connect,
    request: &Request,
    action: &'static str,
    instance: &Instance,
    rest: &str,
    refusal: ConnectRefusal,
) -> Response {
    // C30's event keeps the name the log has always used for it.
    let action = match refusal.rule {
        ConnectRule::SessionExpired => "session.expired",
        _ => action,
    };
    let session_rule = matches!(
        refusal.rule,
        ConnectRule::NoSession
            | ConnectRule::SessionExpired
            | ConnectRule::UserDeleted
            | ConnectRule::SignInTokenInvalid
    );
    if !session_rule {
        return connect.deny(request, action, refusal);
    }
    if rest.starts_with("/api/") {
        return connect.recorder.refuse(request, action, refusal, |r| {
            Response::json_error(
                StatusCode::UNAUTHORIZED,
                "SessionExpired",
                r.detail.as_deref().unwrap_or(r.spec().explanation),
            )
        });
    }
    connect.expire(request, action, &instance.alias, refusal)
}

/// `/auth/sign-in?token=`: redeems the one-time token the federation endpoint (or
/// GetFederationToken's SignInUrl) issued and sets the session cookie (C29).
fn sign_in(
    connect: &Connect,
    request: &Request,
    instance: &Instance,
) -> Result<Response, ConnectRefusal> {
    let now = connect.clock.now();
    let redeemed = match request.query_param("token") {
        Some(token) => connect
            .model
            .redeem_token(&token, now)
            .map_err(|e| internal(&e))?,
        None => None,
    };
    let (session_id, destination) =
        redeemed.ok_or_else(|| Refusal::new(ConnectRule::SignInTokenInvalid).at_step("C29"))?;
    let cookie_path = format!("/aws/{}/", instance.host());
    Ok(
        Response::redirect(StatusCode::FOUND, &connect.urls.local(&destination))
            .with_cookie(&Cookie::session(SESSION_COOKIE, &session_id, &cookie_path)),
    )
}

fn page_for(
    connect: &Connect,
    instance: &Instance,
    user: &User,
    session: &Session,
    page: Page,
) -> Result<Response, ConnectRefusal> {
    if !page.allowed_for(&user.security_profiles) {
        return Err(Refusal::new(ConnectRule::PageNotPermitted).because(format!(
            "{} ({}) may not open {}: the security profile does not grant it (C27).",
            user.username,
            user.security_profiles.join(", "),
            page.title()
        )));
    }
    let local = |path: &str| {
        connect
            .urls
            .local(&format!("https://{}{path}", instance.host()))
    };
    let expires = DateTime::from_unix(session.expires_at).to_string();
    let sign_out = local("/logout");
    Ok(match page {
        Page::Home => {
            let pages_list = [Page::Ccp, Page::CcpChat, Page::AgentWorkspace, Page::Users]
                .into_iter()
                .filter(|p| p.allowed_for(&user.security_profiles))
                .map(|p| (p.title(), local(p.path())))
                .collect();
            pages::render(
                StatusCode::OK,
                &pages::Home {
                    instance: &instance.alias,
                    name: &user.display_name(),
                    username: &user.username,
                    profiles: &user.security_profiles.join(", "),
                    expires: &expires,
                    pages: pages_list,
                    sign_out: &sign_out,
                },
            )
        }
        Page::Ccp | Page::CcpChat | Page::AgentWorkspace => pages::render(
            StatusCode::OK,
            &pages::Ccp {
                page_role: match page {
                    Page::CcpChat => "connect-ccp-chat",
                    Page::AgentWorkspace => "connect-agent-workspace",
                    _ => "connect-ccp",
                },
                instance: &instance.alias,
                title: page.title(),
                channel: if page == Page::CcpChat {
                    "chat"
                } else {
                    "call"
                },
                name: &user.display_name(),
                username: &user.username,
                expires: &expires,
                session_api: &local("/api/session"),
                sign_out: &sign_out,
            },
        ),
        Page::Users => {
            let users = connect
                .model
                .users(&instance.id)
                .map_err(|e| internal(&e))?;
            pages::render(
                StatusCode::OK,
                &pages::Users {
                    instance: &instance.alias,
                    users: &users,
                },
            )
        }
    })
}

/// C31: ends the Connect session only; the IdP session lives on, and the page says so.
fn sign_out(
    connect: &Connect,
    request: &Request,
    instance: &Instance,
    session: &Session,
    cookie_path: &str,
) -> Result<Response, ConnectRefusal> {
    connect
        .model
        .end_session(&session.id, connect.clock.now())
        .map_err(|e| internal(&e))?;
    connect.record(
        request,
        NewEvent::ok(
            SERVICE,
            "sign-out",
            format!(
                "{} signed out of Connect (the IdP session remains)",
                session.username
            ),
        )
        .step("C31"),
    );
    Ok(pages::render(
        StatusCode::OK,
        &SignedOut {
            instance: &instance.alias,
            idp_logout: &connect.urls.absolute("/idp/logout"),
        },
    )
    .with_cookie(&Cookie::removal(SESSION_COOKIE, cookie_path)))
}
