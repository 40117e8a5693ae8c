//! The instance's own domain, `<alias>.my.connect.aws`: the sign-in token
//! hand-over, the pages behind the 12-hour session (C28, C30), and sign-out (C31).

use askama::Template;
use samlsim_saml::DateTime;
use samlsim_service::http::{Cookie, Method, StatusCode};
use samlsim_service::{NewEvent, Request, Response};

use crate::federation::{internal, session_expired};
use crate::model::{Instance, Page, Session, SessionState, User};
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
            return pages::access_denied(
                StatusCode::NOT_FOUND,
                "instance-not-found",
                "This Amazon Connect instance was not found.",
                &format!("No instance has the alias \"{alias}\"."),
                None,
            );
        }
        Err(e) => return internal(&e),
    };
    let cookie_path = format!("/aws/{}/", instance.host());
    if request.method == Method::GET && rest == "/auth/sign-in" {
        return sign_in(connect, request, &instance, &cookie_path);
    }
    let now = connect.clock.now();
    let state = match request.cookie(SESSION_COOKIE) {
        Some(id) => match connect.model.session(&id, now) {
            Ok(state) => state,
            Err(e) => return internal(&e),
        },
        None => SessionState::Unknown,
    };
    let session = match state {
        SessionState::Live(session) if session.instance == instance.id => session,
        SessionState::Expired(session) => {
            // Noticed now; the session ended when its 12 hours were up (C30).
            let _ = connect.model.end_session(&session.id, session.expires_at);
            let in_call = request.query_param("in_call").is_some();
            connect.record(
                request,
                NewEvent::ok(
                    SERVICE,
                    "session.expired",
                    if in_call {
                        format!("{}'s 12-hour session ended in the middle of a call", session.username)
                    } else {
                        format!("{}'s 12-hour session ended", session.username)
                    },
                )
                .step("C30")
                .detail(serde_json::json!({
                    "username": session.username, "signed_in_at": DateTime::from_unix(session.created_at).to_string(),
                    "expired_at": DateTime::from_unix(session.expires_at).to_string(), "in_call": in_call,
                })),
            );
            return expired(
                connect,
                &instance,
                rest,
                "session-expired",
                "The Connect session ended 12 hours after sign-in (C30).",
            );
        }
        _ => {
            connect.record(
                request,
                NewEvent::refused(
                    SERVICE,
                    "instance",
                    "no-session",
                    "opened the instance without a federated session",
                )
                .step("C28"),
            );
            return expired(
                connect,
                &instance,
                rest,
                "no-session",
                "There is no Amazon Connect session in this browser. Reverse federation is not supported: sign in at the IdP, not at Connect (C28).",
            );
        }
    };
    let user = match connect.model.user(&instance.id, &session.username) {
        Ok(Some(user)) => user,
        Ok(None) => {
            return expired(
                connect,
                &instance,
                rest,
                "user-deleted",
                "The Connect user of this session was deleted.",
            );
        }
        Err(e) => return internal(&e),
    };
    match (&request.method, rest) {
        (&Method::GET, "/api/session") => Response::json(
            StatusCode::OK,
            &serde_json::json!({
                "username": user.username, "expires_at": DateTime::from_unix(session.expires_at).to_string(),
                "seconds_left": session.expires_at - now,
            }),
        ),
        (&Method::POST, "/logout") => sign_out(connect, request, &instance, &session, &cookie_path),
        (&Method::GET, path) => match Page::from_path(path) {
            Some(page) => page_for(connect, &instance, &user, &session, page),
            None => pages::access_denied(
                StatusCode::NOT_FOUND,
                "page-not-found",
                "The page was not found.",
                &format!("{path} is not a page of this instance."),
                None,
            ),
        },
        _ => pages::access_denied(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "The request is not supported.",
            &format!("{} {rest} is not supported.", request.method),
            None,
        ),
    }
}

/// `/auth/sign-in?token=`: redeems the one-time token the federation endpoint (or
/// GetFederationToken's SignInUrl) issued and sets the session cookie (C29).
fn sign_in(
    connect: &Connect,
    request: &Request,
    instance: &Instance,
    cookie_path: &str,
) -> Response {
    let now = connect.clock.now();
    let redeemed = match request.query_param("token") {
        Some(token) => connect.model.redeem_token(&token, now),
        None => Ok(None),
    };
    let (session_id, destination) = match redeemed {
        Ok(Some(pair)) => pair,
        Ok(None) => {
            return expired(
                connect,
                instance,
                "/auth/sign-in",
                "sign-in-token-invalid",
                "The sign-in token is unknown, already used, or more than 5 minutes old.",
            );
        }
        Err(e) => return internal(&e),
    };
    Response::redirect(StatusCode::FOUND, &connect.urls.local(&destination))
        .with_cookie(&Cookie::session(SESSION_COOKIE, &session_id, cookie_path))
}

fn page_for(
    connect: &Connect,
    instance: &Instance,
    user: &User,
    session: &Session,
    page: Page,
) -> Response {
    if !page.allowed_for(&user.security_profiles) {
        return pages::access_denied(
            StatusCode::FORBIDDEN,
            "page-not-permitted",
            "You do not have permission to view this page.",
            &format!(
                "{} ({}) may not open {}: the security profile does not grant it (C27).",
                user.username,
                user.security_profiles.join(", "),
                page.title()
            ),
            Some("Assign a security profile that grants the page."),
        );
    }
    let local = |path: &str| {
        connect
            .urls
            .local(&format!("https://{}{path}", instance.host()))
    };
    let expires = DateTime::from_unix(session.expires_at).to_string();
    let sign_out = local("/logout");
    match page {
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
        Page::Users => match connect.model.users(&instance.id) {
            Ok(users) => pages::render(
                StatusCode::OK,
                &pages::Users {
                    instance: &instance.alias,
                    users: &users,
                },
            ),
            Err(e) => internal(&e),
        },
    }
}

/// C31: ends the Connect session only; the IdP session lives on, and the page says so.
fn sign_out(
    connect: &Connect,
    request: &Request,
    instance: &Instance,
    session: &Session,
    cookie_path: &str,
) -> Response {
    if let Err(e) = connect.model.end_session(&session.id, connect.clock.now()) {
        return internal(&e);
    }
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
    pages::render(
        StatusCode::OK,
        &SignedOut {
            instance: &instance.alias,
            idp_logout: &connect.urls.absolute("/idp/logout"),
        },
    )
    .with_cookie(&Cookie::removal(SESSION_COOKIE, cookie_path))
}

/// "Session expired": a page for people, a 401 JSON body for the CCP's poll.
fn expired(connect: &Connect, instance: &Instance, rest: &str, rule: &str, why: &str) -> Response {
    if rest.starts_with("/api/") {
        return Response::json_error(StatusCode::UNAUTHORIZED, "SessionExpired", why);
    }
    session_expired(connect, &instance.alias, rule, why)
}
