//! Signing out: single logout initiated by an SP (SAML profiles §4.4), and the
//! user's own sign-out (C31: the IdP session ends, but an SP's own session —
//! Connect's 12 hours — does not; the page says so).

use samlsim_saml::binding;
use samlsim_saml::logout::{LogoutRequest, LogoutResponse, build_logout_response};
use samlsim_saml::signature::Signer;
use samlsim_saml::{DateTime, Status};
use samlsim_service::http::{Cookie, StatusCode};
use samlsim_service::{NewEvent, Request, Response};

use crate::inbound::{self, Received};
use crate::rules::{IdpRefusal, internal};
use crate::{Idp, SERVICE, SESSION_COOKIE, pages};

/// `GET /idp/logout`: asks before signing out.
pub(crate) fn logout_page(idp: &Idp) -> Response {
    pages::render(
        StatusCode::OK,
        &pages::Logout {
            idp_name: &idp.name,
            action: "/idp/logout",
        },
    )
}

/// `POST /idp/logout`: ends this browser's IdP session.
pub(crate) fn logout(idp: &Idp, request: &Request) -> Result<Response, IdpRefusal> {
    let was_signed_in = end_browser_session(idp, request)?;
    Ok(signed_out(idp, was_signed_in))
}

fn signed_out(idp: &Idp, was_signed_in: bool) -> Response {
    pages::render(
        StatusCode::OK,
        &pages::SignedOut {
            idp_name: &idp.name,
            was_signed_in,
            portal: "/idp/portal",
        },
    )
    .with_cookie(&Cookie::removal(SESSION_COOKIE, "/idp"))
}

fn end_browser_session(idp: &Idp, request: &Request) -> Result<bool, IdpRefusal> {
    let Some((session, _)) = idp.signed_in(request)? else {
        return Ok(false);
    };
    idp.sessions
        .end(&session.id, idp.clock.now())
        .map_err(|e| internal(&e))?;
    idp.record(
        request,
        NewEvent::ok(
            SERVICE,
            "logout",
            format!("{} signed out of the IdP", session.username),
        )
        .step("C31")
        .detail(
            serde_json::json!({ "username": session.username, "session_index": session.index }),
        ),
    );
    Ok(true)
}

/// `GET|POST /idp/slo`: a LogoutRequest from an SP.
pub(crate) fn single_logout(idp: &Idp, request: &Request) -> Result<Response, IdpRefusal> {
    let received: Received<LogoutRequest> = inbound::receive(idp, request)?;
    let (logout, sp, relay_state) = (received.message, received.sp, received.relay_state);
    let now = idp.clock.now();
    let mut ended = end_browser_session(idp, request)?;
    for index in &logout.session_indexes {
        ended |= idp
            .sessions
            .end_by_index(index, &logout.name_id.value, now)
            .map_err(|e| internal(&e))?;
    }
    idp.record(
        request,
        NewEvent::ok(
            SERVICE,
            "slo",
            format!("LogoutRequest {} from {}", logout.id, sp.entity_id),
        )
        .step("C31")
        .detail(
            serde_json::json!({ "sp": sp.id, "name_id": logout.name_id.value, "ended": ended }),
        ),
    );

    let Some(slo_url) = sp.slo_url.clone() else {
        return Ok(signed_out(idp, ended));
    };
    let identity = idp.identity();
    let built = build_logout_response(
        &LogoutResponse {
            id: idp.ids.saml_id(),
            issue_instant: DateTime::from_unix(now),
            destination: Some(slo_url.clone()),
            in_response_to: Some(logout.id.clone()),
            issuer: idp.entity_id.clone(),
            status: Status::success(),
        },
        Some(&Signer::new(&identity.key, &identity.certificate)),
    )
    .map_err(|e| internal(&e))?;
    let encoded = binding::encode_post(built.xml.as_bytes());
    let action = idp.urls.local(&slo_url);
    Ok(pages::render(
        StatusCode::OK,
        &pages::PostForm {
            idp_name: &idp.name,
            app: &sp.label,
            kind: "LogoutResponse",
            destination: &slo_url,
            action: &action,
            parameter: "SAMLResponse",
            message: &encoded,
            relay_state: relay_state.as_deref(),
        },
    )
    .with_cookie(&Cookie::removal(SESSION_COOKIE, "/idp")))
}
