//! Single sign-on: AuthnRequests in (HTTP-Redirect or HTTP-POST), signed Responses
//! out by an auto-submitting HTTP-POST form (C4). SAML profiles §4.1 (Web Browser
//! SSO) and bindings §3.4, §3.5.

use samlsim_crypto::{Certificate, SignatureAlgorithm};
use samlsim_saml::authn_request::AuthnRequest;
use samlsim_saml::binding;
use samlsim_saml::metadata::{Endpoint, IdpMetadata, build_idp_metadata};
use samlsim_saml::response::{
    AssertionSpec, Attribute, AuthnStatementSpec, BearerConfirmationSpec, ConditionsSpec,
    ResponseSigning, ResponseSpec, build_encrypted_response, build_error_response, build_response,
};
use samlsim_saml::signature::{ASSERTION_NS, Signer};
use samlsim_saml::uri::{authn_context, binding as bindings, nameid_format, status};
use samlsim_saml::{DateTime, NameId, SamlError, Status};
use samlsim_service::clock::parse_duration;
use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{NewEvent, Refusal, Request, Response, UrlUse, check_url};
use samlsim_xenc::{BlockCipher, EncryptOptions, KeyTransport};

use crate::config::{ServiceProviderConfig, SignedParts};
use crate::directory::User;
use crate::inbound::{self, REQUEST_MAX_AGE, Received, unknown_sp};
use crate::rules::{IdpRefusal, IdpRule, internal};
use crate::sessions::{Issued, PendingOptions, PendingRequest, Session};
use crate::{Idp, SERVICE, pages};

/// The AWS attribute names (IAM user guide, id_roles_providers_create_saml_assertions).
const AWS_ROLE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
const AWS_ROLE_SESSION_NAME: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
const AWS_SESSION_DURATION: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
const AWS_SOURCE_IDENTITY: &str = "https://aws.amazon.com/SAML/Attributes/SourceIdentity";

/// Checks what can be checked of an SP's configuration before it is used.
pub(crate) fn check_provider(sp: &ServiceProviderConfig) -> Result<(), String> {
    // With metadata, these come from it (checked again once it is read).
    if sp.metadata.is_none() {
        for (key, value) in [("entity_id", &sp.entity_id), ("acs_url", &sp.acs_url)] {
            if value.is_empty() {
                return Err(format!("{key}: needed (or metadata to take it from)"));
            }
        }
    }
    match parse_duration(&sp.assertion_lifetime) {
        Ok(seconds) if seconds > 0 => {}
        Ok(_) => {
            return Err(format!(
                "assertion_lifetime: {:?} must be longer than 0s",
                sp.assertion_lifetime
            ));
        }
        Err(e) => return Err(format!("assertion_lifetime: {e}")),
    }
    if let Some(offset) = &sp.clock_offset {
        parse_duration(offset).map_err(|e| format!("clock_offset: {e}"))?;
    }
    if let Some(name_id) = &sp.tamper_name_id {
        if name_id.is_empty() {
            return Err("tamper_name_id: give the NameID to put in after signing".into());
        }
        if sp.encrypt_assertions {
            return Err(
                "tamper_name_id: cannot be combined with encrypt_assertions (the NameID is inside the ciphertext)"
                    .into(),
            );
        }
    }
    signature_algorithm(sp).map_err(|e| format!("signature_algorithm: {e}"))?;
    // Each becomes a form action or a redirect in the emulator's origin. A
    // RelayState is opaque to SAML and may be no URL at all: Cognito's
    // IdP-initiated one is `identity_provider=…&client_id=…` (saml-idp-things-to-know);
    // only one that could be read as a URL (a scheme or a path) is checked as one.
    let relay_state_url = sp
        .relay_state
        .as_ref()
        .filter(|r| r.contains(':') || r.starts_with('/') || r.starts_with('\\'));
    let urls = [
        ("acs_url", Some(&sp.acs_url).filter(|u| !u.is_empty())),
        ("slo_url", sp.slo_url.as_ref()),
        ("relay_state", relay_state_url),
    ];
    for (key, url) in urls {
        if let Some(url) = url {
            check_url(url, UrlUse::AbsoluteOrLocalPath).map_err(|e| format!("{key}: {e}"))?;
        }
    }
    if let Some(pem) = &sp.certificate {
        Certificate::from_pem(pem).map_err(|e| format!("certificate: {e}"))?;
    }
    encryption(sp)?;
    for (i, acs) in sp.assertion_consumer_services.iter().enumerate() {
        check_url(&acs.location, UrlUse::AbsoluteOrLocalPath)
            .map_err(|e| format!("assertion_consumer_services[{i}].location: {e}"))?;
    }
    if let Some(aws) = &sp.aws
        && aws.roles.is_empty()
    {
        return Err("aws.roles: at least one role-arn,provider-arn pair is needed".into());
    }
    Ok(())
}

/// The SP's encryption settings: `None` unless `encrypt_assertions` is on.
pub(crate) fn encryption(
    sp: &ServiceProviderConfig,
) -> Result<Option<(Certificate, EncryptOptions)>, String> {
    if !sp.encrypt_assertions {
        return Ok(None);
    }
    // The configured certificate wins; else the first one the SP's metadata lists
    // (`KeyDescriptor use="encryption"`).
    let given = sp
        .encryption_certificate
        .as_deref()
        .or(sp.encryption_certificates.first().map(String::as_str))
        .ok_or(
            "encrypt_assertions: the SP has no encryption_certificate (nor one in its metadata) to encrypt to"
                .to_owned(),
        )?;
    let pem = if given.contains("-----BEGIN") {
        given.to_owned()
    } else {
        std::fs::read_to_string(given)
            .map_err(|e| format!("encryption_certificate: cannot read {given}: {e}"))?
    };
    let certificate =
        Certificate::from_pem(&pem).map_err(|e| format!("encryption_certificate: {e}"))?;
    let mut options = EncryptOptions::default();
    if let Some(name) = &sp.encryption_algorithm {
        options.block_cipher = BlockCipher::from_name(name).ok_or_else(|| {
            format!(
                "encryption_algorithm: unknown \"{name}\" (aes256-gcm, aes128-gcm, aes256-cbc or aes128-cbc)"
            )
        })?;
    }
    if let Some(name) = &sp.key_transport {
        options.key_transport = KeyTransport::from_name(name).ok_or_else(|| {
            format!("key_transport: unknown \"{name}\" (rsa-oaep-mgf1p or rsa-oaep)")
        })?;
    }
    Ok(Some((certificate, options)))
}

fn signature_algorithm(sp: &ServiceProviderConfig) -> Result<SignatureAlgorithm, String> {
    match sp.signature_algorithm.as_str() {
        "rsa-sha256" => Ok(SignatureAlgorithm::RsaSha256),
        "rsa-sha1" => Ok(SignatureAlgorithm::RsaSha1),
        "rsa-sha512" => Ok(SignatureAlgorithm::RsaSha512),
        other => Err(format!(
            "\"{other}\" is not one of rsa-sha256, rsa-sha1, rsa-sha512"
        )),
    }
}

/// The IdP's metadata (SAML metadata §2.4.3).
pub(crate) fn metadata_xml(idp: &Idp) -> Result<String, SamlError> {
    let endpoint = |binding: &str, path: &str| Endpoint {
        binding: binding.to_owned(),
        location: idp.urls.absolute(path),
        response_location: None,
    };
    build_idp_metadata(&IdpMetadata {
        entity_id: idp.entity_id.clone(),
        valid_until: None,
        cache_duration: None,
        want_authn_requests_signed: idp.want_authn_requests_signed,
        // The staged next key beside the current one (SP-side rollover).
        signing_certificates: std::iter::once(idp.identity().certificate.clone())
            .chain(idp.staged_identity().map(|k| k.certificate.clone()))
            .collect(),
        single_logout_services: vec![
            endpoint(bindings::HTTP_REDIRECT, "/idp/slo"),
            endpoint(bindings::HTTP_POST, "/idp/slo"),
        ],
        name_id_formats: vec![
            nameid_format::PERSISTENT.into(),
            nameid_format::EMAIL_ADDRESS.into(),
            nameid_format::TRANSIENT.into(),
            nameid_format::UNSPECIFIED.into(),
        ],
        single_sign_on_services: vec![
            endpoint(bindings::HTTP_REDIRECT, "/idp/sso"),
            endpoint(bindings::HTTP_POST, "/idp/sso"),
        ],
    })
}

/// `GET /idp/launch/<sp>`: IdP-initiated SSO from the portal (C1 → C4).
pub(crate) fn launch(idp: &Idp, request: &Request, sp_id: &str) -> Result<Response, IdpRefusal> {
    let sp_id = samlsim_service::http::decode_component(sp_id);
    let sp = idp
        .providers
        .get(&sp_id)
        .map_err(|e| internal(&e))?
        .ok_or_else(|| {
            Refusal::new(IdpRule::UnknownSp)
                .worded("Unknown application")
                .because(format!(
                    "No service provider \"{sp_id}\" is configured at this IdP."
                ))
                .at_step("C1")
        })?;
    let Some((session, user)) = idp.signed_in(request)? else {
        return Ok(idp.to_login(&format!(
            "/idp/launch/{}",
            samlsim_service::http::encode_component(&sp.id)
        )));
    };
    // The portal link carries the SP's configured RelayState (C14); a caller may
    // override it (`?RelayState=`), as IdPs' "default relay state" fields allow.
    let relay_state = request
        .query_param("RelayState")
        .or_else(|| sp.relay_state.clone());
    respond(
        idp,
        request,
        &sp,
        &session,
        &user,
        None,
        relay_state.as_deref(),
        None,
    )
}

/// `GET|POST /idp/sso`: an AuthnRequest from an SP, or the resumption of one
/// after the user signed in.
pub(crate) fn single_sign_on(idp: &Idp, request: &Request) -> Result<Response, IdpRefusal> {
    if let Some(token) = request
        .query_param("resume")
        .filter(|_| request.method == Method::GET)
    {
        return resume(idp, request, &token);
    }
    let received: Received<AuthnRequest> = inbound::receive(idp, request)?;
    let sp = received.sp;
    let authn = received.message;
    let now = idp.clock.now();
    idp.record(
        request,
        NewEvent::ok(SERVICE, "authn-request", format!("AuthnRequest {} from {}", authn.id, sp.entity_id))
            .detail(serde_json::json!({
                "sp": sp.id, "request_id": authn.id, "binding": received.binding, "signed": received.signed,
            })),
    );

    let requested_format = match check_name_id_policy(&sp, &authn) {
        Ok(format) => format,
        Err(refusal) => {
            return Ok(status_response(
                idp,
                request,
                &sp,
                &authn.id,
                received.relay_state.as_deref(),
                refusal,
            ));
        }
    };
    if let Err(refusal) = check_authn_context(&authn) {
        return Ok(status_response(
            idp,
            request,
            &sp,
            &authn.id,
            received.relay_state.as_deref(),
            refusal,
        ));
    }
    let session = idp.signed_in(request)?;
    let force = authn.force_authn == Some(true);
    match session {
        Some((session, user)) if !force => respond(
            idp,
            request,
            &sp,
            &session,
            &user,
            Some(&authn.id),
            received.relay_state.as_deref(),
            requested_format.as_deref(),
        ),
        // SAML core 3.4.1: IsPassive forbids the IdP to take control of the
        // user interface; without a session that can answer, it says NoPassive
        // in a Response to the ACS (3.4.1.4), not on a page of its own.
        _ if authn.is_passive == Some(true) => {
            let why = if force {
                "The request asks for ForceAuthn and IsPassive: signing in again needs the user."
            } else {
                "Nobody is signed in at the IdP, and signing in needs the user."
            };
            Ok(status_response(
                idp,
                request,
                &sp,
                &authn.id,
                received.relay_state.as_deref(),
                Refusal::new(IdpRule::NoPassive).because(why),
            ))
        }
        current => {
            let pending = PendingRequest {
                token: idp.ids.token(16),
                sp: sp.id.clone(),
                request_id: authn.id.clone(),
                relay_state: received.relay_state,
                created_at: now,
                options: PendingOptions {
                    acs_url: Some(sp.acs_url.clone()),
                    name_id_format: requested_format,
                    not_session: current.filter(|_| force).map(|(session, _)| session.id),
                },
            };
            idp.sessions.park(&pending).map_err(|e| internal(&e))?;
            Ok(idp.to_login(&format!("/idp/sso?resume={}", pending.token)))
        }
    }
}

/// SAML core 3.4.1.1: the NameID format the request asks for, if it is one this
/// IdP can give `sp`'s users; `None` for the SP's own.
fn check_name_id_policy(
    sp: &ServiceProviderConfig,
    authn: &AuthnRequest,
) -> Result<Option<String>, IdpRefusal> {
    let Some(policy) = &authn.name_id_policy else {
        return Ok(None);
    };
    let format = policy
        .format
        .as_deref()
        .filter(|f| *f != nameid_format::UNSPECIFIED);
    let invalid = |why: String| Refusal::new(IdpRule::InvalidNameIdPolicy).because(why);
    if let Some(format) = format
        && format != sp.name_id_format
        && ![
            nameid_format::PERSISTENT,
            nameid_format::TRANSIENT,
            nameid_format::EMAIL_ADDRESS,
        ]
        .contains(&format)
    {
        return Err(invalid(format!(
            "The NameIDPolicy asks for Format {format}; this IdP gives {} for {}, or persistent, transient or emailAddress.",
            sp.name_id_format, sp.label
        )));
    }
    // AllowCreate: every user's persistent identifier is derived from the
    // directory, so it is established already and AllowCreate="false" is met;
    // transient identifiers are not "established" ones (implementations ignore
    // AllowCreate for them). An SPNameQualifier naming someone else asks for an
    // affiliation's identifier, which this IdP has none of (SAML core 3.4.1.1).
    if let Some(qualifier) = &policy.sp_name_qualifier
        && qualifier != &sp.entity_id
    {
        return Err(invalid(format!(
            "The NameIDPolicy asks for identifiers qualified by \"{qualifier}\" (SPNameQualifier); this IdP has no affiliation of that name, only identifiers for {} itself.",
            sp.entity_id
        )));
    }
    Ok(format.map(str::to_owned))
}

/// How strong a password-based class is, for `minimum`/`maximum`/`better`;
/// `None` for classes this IdP does not know (stronger than what it does).
fn context_strength(class: &str) -> Option<u8> {
    match class {
        authn_context::UNSPECIFIED => Some(0),
        authn_context::PASSWORD => Some(1),
        authn_context::PASSWORD_PROTECTED_TRANSPORT => Some(2),
        _ => None,
    }
}

/// SAML core 3.3.2.2.1: the IdP authenticates by password over TLS
/// (PasswordProtectedTransport); a RequestedAuthnContext that this does not
/// satisfy under its Comparison gets NoAuthnContext.
fn check_authn_context(authn: &AuthnRequest) -> Result<(), IdpRefusal> {
    let Some(context) = &authn.requested_authn_context else {
        return Ok(());
    };
    const OURS: u8 = 2;
    let comparison = context.comparison.as_deref().unwrap_or("exact");
    let satisfied = match comparison {
        "exact" => context
            .class_refs
            .iter()
            .any(|c| c == authn_context::PASSWORD_PROTECTED_TRANSPORT),
        "minimum" => context
            .class_refs
            .iter()
            .any(|c| context_strength(c).is_some_and(|s| s <= OURS)),
        "better" => context
            .class_refs
            .iter()
            .any(|c| context_strength(c).is_some_and(|s| s < OURS)),
        "maximum" => context
            .class_refs
            .iter()
            .any(|c| context_strength(c).is_none_or(|s| s >= OURS)),
        _ => false,
    };
    if satisfied {
        return Ok(());
    }
    let asked = if context.class_refs.is_empty() {
        format!("declarations {}", context.decl_refs.join(", "))
    } else {
        context.class_refs.join(", ")
    };
    Err(Refusal::new(IdpRule::NoAuthnContext).because(format!(
        "The request asks for an authentication context {comparison} {asked}; this IdP signs in by password over TLS ({}).",
        authn_context::PASSWORD_PROTECTED_TRANSPORT
    )))
}

/// Answers an AuthnRequest with a signed status Response (no assertion) posted
/// to the SP's ACS, as SAML core asks for NoPassive, InvalidNameIDPolicy and
/// NoAuthnContext; recorded like every refusal.
fn status_response(
    idp: &Idp,
    request: &Request,
    sp: &ServiceProviderConfig,
    in_response_to: &str,
    relay_state: Option<&str>,
    refusal: IdpRefusal,
) -> Response {
    let (top, sub) = match refusal.rule {
        IdpRule::NoPassive => (status::RESPONDER, status::NO_PASSIVE),
        IdpRule::NoAuthnContext => (status::RESPONDER, status::NO_AUTHN_CONTEXT),
        IdpRule::InvalidNameIdPolicy => (status::REQUESTER, status::INVALID_NAMEID_POLICY),
        _ => (status::RESPONDER, status::REQUEST_DENIED),
    };
    let refusal = refusal.at_step("C4");
    let title = format!("Mock IdP · {}", idp.name);
    idp.recorder.refuse(request, "sso", refusal, |r| {
        let algorithm = signature_algorithm(sp).unwrap_or(SignatureAlgorithm::RsaSha256);
        let identity = idp.identity();
        let signer = Signer::new(&identity.key, &identity.certificate).with_algorithm(algorithm);
        let message = r.detail.as_deref().unwrap_or(r.message());
        let built = build_error_response(
            &ResponseSpec {
                id: idp.ids.saml_id(),
                issue_instant: DateTime::from_unix(idp.clock.now()),
                destination: Some(sp.acs_url.clone()),
                in_response_to: Some(in_response_to.to_owned()),
                issuer: idp.entity_id.clone(),
                status: Status::error(top, Some(sub), Some(message)),
            },
            Some(&signer),
        );
        match built {
            Ok(built) => {
                let encoded = binding::encode_post(built.xml.as_bytes());
                let action = idp.urls.local(&sp.acs_url);
                pages::render(
                    StatusCode::OK,
                    &pages::PostForm {
                        idp_name: &idp.name,
                        app: &sp.label,
                        kind: "Response",
                        destination: &sp.acs_url,
                        action: &action,
                        parameter: "SAMLResponse",
                        message: &encoded,
                        relay_state,
                    },
                )
            }
            Err(_) => r.page(&title, request),
        }
    })
}

/// After the login page: answer the parked request.
fn resume(idp: &Idp, request: &Request, token: &str) -> Result<Response, IdpRefusal> {
    let expired = || Refusal::new(IdpRule::NoPendingRequest);
    let Some((session, user)) = idp.signed_in(request)? else {
        return Ok(idp.to_login(&format!("/idp/sso?resume={token}")));
    };
    let pending = idp
        .sessions
        .take_pending(token)
        .map_err(|e| internal(&e))?
        .ok_or_else(expired)?;
    if idp.clock.now() - pending.created_at > REQUEST_MAX_AGE {
        return Err(expired());
    }
    // ForceAuthn: the session the request found may not answer it.
    if pending.options.not_session.as_deref() == Some(session.id.as_str()) {
        idp.sessions.park(&pending).map_err(|e| internal(&e))?;
        return Ok(idp.to_login(&format!("/idp/sso?resume={token}")));
    }
    let mut sp = idp
        .providers
        .get(&pending.sp)
        .map_err(|e| internal(&e))?
        .ok_or_else(expired)?;
    if let Some(acs) = pending.options.acs_url.clone() {
        sp.acs_url = acs;
    }
    respond(
        idp,
        request,
        &sp,
        &session,
        &user,
        Some(&pending.request_id),
        pending.relay_state.as_deref(),
        pending.options.name_id_format.as_deref(),
    )
}

/// AuthnRequest only: the response binding it asks for.
pub(crate) fn check_binding(authn: &AuthnRequest) -> Result<(), IdpRefusal> {
    if let Some(binding) = &authn.protocol_binding
        && binding != bindings::HTTP_POST
    {
        return Err(Refusal::new(IdpRule::UnsupportedBinding).because(format!(
            "The SP asked for the response by {binding}; this IdP answers by HTTP-POST only."
        )));
    }
    Ok(())
}

/// The registered SP the request comes from. Several SPs may share an entity ID
/// (every AWS endpoint is `urn:amazon:webservices`); the requested ACS picks one.
/// An ACS URL that no SP with that entity ID registered is refused: responses go
/// only to registered ACS URLs (SAML profiles 4.1.4.1).
pub(crate) fn select_provider(
    idp: &Idp,
    authn: &AuthnRequest,
) -> Result<ServiceProviderConfig, IdpRefusal> {
    let candidates = idp
        .providers
        .by_entity_id(&authn.issuer)
        .map_err(|e| internal(&e))?;
    let Some(first) = candidates.first().cloned() else {
        return Err(unknown_sp(&authn.issuer));
    };
    let chosen = |mut sp: ServiceProviderConfig, acs: Option<String>| {
        if let Some(acs) = acs {
            sp.acs_url = acs;
        }
        // WantAuthnRequestsSigned in the IdP's metadata binds every SP.
        sp.want_authn_requests_signed |= idp.want_authn_requests_signed;
        sp
    };
    if let Some(index) = authn.assertion_consumer_service_index {
        // SAML core 3.4.1: an index into the SP's metadata; an SP registered
        // without metadata has one ACS, index 0.
        for sp in &candidates {
            if let Some(acs) = sp
                .assertion_consumer_services
                .iter()
                .find(|a| a.index == index)
            {
                if acs.binding != bindings::HTTP_POST {
                    return Err(Refusal::new(IdpRule::UnsupportedBinding).because(format!(
                        "AssertionConsumerServiceIndex {index} of {} is {} {}; this IdP answers by HTTP-POST only.",
                        authn.issuer, acs.binding, acs.location
                    )));
                }
                return Ok(chosen(sp.clone(), Some(acs.location.clone())));
            }
            if index == 0 && sp.assertion_consumer_services.is_empty() {
                return Ok(chosen(sp.clone(), None));
            }
        }
        let registered: Vec<String> = candidates
            .iter()
            .flat_map(|sp| {
                if sp.assertion_consumer_services.is_empty() {
                    vec!["0".to_owned()]
                } else {
                    sp.assertion_consumer_services
                        .iter()
                        .map(|a| a.index.to_string())
                        .collect()
                }
            })
            .collect();
        return Err(Refusal::new(IdpRule::AcsNotRegistered)
            .worded("Unknown AssertionConsumerServiceIndex")
            .because(format!(
                "{} has ACS indexes {}; the request asks for index {index}.",
                authn.issuer,
                registered.join(", ")
            )));
    }
    let Some(acs) = &authn.assertion_consumer_service_url else {
        return Ok(chosen(first, None));
    };
    let matches = |url: &str| url == acs || &idp.urls.local(url) == acs;
    for sp in &candidates {
        if matches(&sp.acs_url) {
            return Ok(chosen(sp.clone(), None));
        }
        if let Some(other) = sp
            .assertion_consumer_services
            .iter()
            .find(|a| matches(&a.location))
        {
            if other.binding != bindings::HTTP_POST {
                return Err(Refusal::new(IdpRule::UnsupportedBinding).because(format!(
                    "{} is registered for {} with {}; this IdP answers by HTTP-POST only.",
                    other.location, authn.issuer, other.binding
                )));
            }
            return Ok(chosen(sp.clone(), Some(other.location.clone())));
        }
    }
    let registered: Vec<&str> = candidates
        .iter()
        .flat_map(|sp| {
            std::iter::once(sp.acs_url.as_str()).chain(
                sp.assertion_consumer_services
                    .iter()
                    .map(|a| a.location.as_str()),
            )
        })
        .collect();
    Err(Refusal::new(IdpRule::AcsNotRegistered).because(format!(
        "The request asks for the response at \"{acs}\", which is not registered for {}; registered: {}.",
        authn.issuer,
        registered.join(", ")
    )))
}

/// C4: builds, signs and posts the Response for `user` to `sp`'s registered ACS.
#[allow(clippy::too_many_arguments)]
fn respond(
    idp: &Idp,
    request: &Request,
    sp: &ServiceProviderConfig,
    session: &Session,
    user: &User,
    in_response_to: Option<&str>,
    relay_state: Option<&str>,
    requested_format: Option<&str>,
) -> Result<Response, IdpRefusal> {
    let now = idp.clock.now();
    // Both were checked when the SP was added; a stored one that no longer
    // parses (a data folder edited by hand) is said, not replaced by a default.
    let unreadable = |field: &str, e: samlsim_service::clock::DurationError| {
        internal(&format!("the service provider {}'s {field}: {e}", sp.id))
    };
    let lifetime =
        parse_duration(&sp.assertion_lifetime).map_err(|e| unreadable("assertion_lifetime", e))?;
    // The times the message carries are read off the IdP's clock, which
    // `clock_offset` sets wrong on purpose.
    let offset = match sp.clock_offset.as_deref() {
        Some(offset) => parse_duration(offset).map_err(|e| unreadable("clock_offset", e))?,
        None => 0,
    };
    let stamped = now + offset;
    let format = requested_format.unwrap_or(&sp.name_id_format);
    // A transient identifier is a new one each time (SAML core 8.3.8), whatever
    // field the SP's NameID otherwise comes from.
    let (from, name_id) = if format == nameid_format::TRANSIENT {
        ("a new transient identifier", Some(idp.ids.saml_id()))
    } else if format == sp.name_id_format {
        (sp.name_id_from.as_str(), user.field(&sp.name_id_from))
    } else if format == nameid_format::EMAIL_ADDRESS {
        ("email", user.field("email"))
    } else {
        ("username", user.field("username"))
    };
    let name_id = name_id.ok_or_else(|| {
        Refusal::new(IdpRule::NoNameId).because(format!(
            "{} takes the NameID ({format}) from \"{from}\", which user {} does not have.",
            sp.label, user.username
        ))
    })?;
    let response_id = idp.ids.saml_id();
    let assertion_id = idp.ids.saml_id();
    let algorithm = signature_algorithm(sp).unwrap_or(SignatureAlgorithm::RsaSha256);
    let identity = idp.identity();
    let signer = Signer::new(&identity.key, &identity.certificate).with_algorithm(algorithm);
    let signing = match sp.sign {
        // An SP whose metadata says WantAssertionsSigned gets them signed.
        SignedParts::Response if sp.want_assertions_signed == Some(true) => ResponseSigning::Both,
        SignedParts::Response => ResponseSigning::Response,
        SignedParts::Assertion => ResponseSigning::Assertion,
        SignedParts::Both => ResponseSigning::Both,
        SignedParts::None => ResponseSigning::Unsigned,
    };
    let encrypt_to = encryption(sp).map_err(|e| {
        Refusal::new(IdpRule::ResponseNotBuilt).because(format!(
            "Encrypting the assertion for {} is configured wrongly: {e}",
            sp.label
        ))
    })?;
    let response_spec = ResponseSpec {
        id: response_id.clone(),
        issue_instant: DateTime::from_unix(stamped),
        destination: Some(sp.acs_url.clone()),
        in_response_to: in_response_to.map(str::to_owned),
        issuer: idp.entity_id.clone(),
        status: Status::success(),
    };
    let assertion_spec = AssertionSpec {
        id: assertion_id.clone(),
        issue_instant: DateTime::from_unix(stamped),
        issuer: idp.entity_id.clone(),
        name_id: NameId::new(name_id.clone(), format.to_owned()),
        confirmation: BearerConfirmationSpec {
            not_on_or_after: DateTime::from_unix(stamped + lifetime),
            recipient: sp.acs_url.clone(),
            in_response_to: in_response_to.map(str::to_owned),
        },
        conditions: ConditionsSpec {
            not_before: DateTime::from_unix(stamped),
            not_on_or_after: DateTime::from_unix(stamped + lifetime),
            audiences: vec![sp.audience.clone().unwrap_or_else(|| sp.entity_id.clone())],
        },
        authn: AuthnStatementSpec {
            authn_instant: DateTime::from_unix(session.created_at + offset),
            session_index: session.index.clone(),
            session_not_on_or_after: Some(DateTime::from_unix(session.expires_at + offset)),
            authn_context_class_ref: authn_context::PASSWORD_PROTECTED_TRANSPORT.into(),
        },
        attributes: attributes(sp, user),
    };
    let built = match &encrypt_to {
        Some((certificate, options)) => build_encrypted_response(
            &response_spec,
            &assertion_spec,
            signing,
            &signer,
            certificate,
            options,
        ),
        None => build_response(&response_spec, &assertion_spec, signing, &signer),
    }
    .map_err(|e| {
        Refusal::new(IdpRule::ResponseNotBuilt).because(format!(
            "Building the SAML Response for {} failed: {e}",
            sp.label
        ))
    })?;
    let xml = match &sp.tamper_name_id {
        Some(name_id) => tampered(&built.xml, name_id).map_err(|e| {
            Refusal::new(IdpRule::ResponseNotBuilt).because(format!(
                "Changing the NameID after signing (tamper_name_id of {}) failed: {e}",
                sp.label
            ))
        })?,
        None => built.xml,
    };

    idp.sessions
        .record_issued(&Issued {
            response_id: response_id.clone(),
            assertion_id: assertion_id.clone(),
            sp: sp.id.clone(),
            username: user.username.clone(),
            session_id: Some(session.index.clone()),
            in_response_to: in_response_to.map(str::to_owned),
            issued_at: now,
        })
        .map_err(|e| internal(&e))?;
    idp.record(
        request,
        NewEvent::ok(
            SERVICE,
            "sso.response",
            format!(
                "signed Response for {} to {} ({}{}{}{})",
                user.username,
                sp.label,
                signing,
                match &encrypt_to {
                    Some((_, options)) => format!(
                        ", assertion encrypted with {} and {}",
                        options.block_cipher.name(),
                        options.key_transport.name()
                    ),
                    None => String::new(),
                },
                match offset {
                    0 => String::new(),
                    _ => format!(", stamped by a clock {offset:+} s off (clock_offset)"),
                },
                match &sp.tamper_name_id {
                    Some(name_id) => {
                        format!(", then its NameID changed to {name_id:?} after signing (tamper_name_id)")
                    }
                    None => String::new(),
                }
            ),
        )
        .step("C4")
        .detail(serde_json::json!({
            "sp": sp.id, "username": user.username, "name_id": name_id,
            "response_id": response_id, "assertion_id": assertion_id,
            "in_response_to": in_response_to, "relay_state": relay_state,
            "acs_url": sp.acs_url, "signed": signing.name(),
            "encrypted": encrypt_to.as_ref().map(|(_, o)| format!("{} {}", o.block_cipher.name(), o.key_transport.name())),
            "clock_offset": (offset != 0).then_some(offset),
            "tampered_name_id": sp.tamper_name_id,
        })),
    );

    let encoded = binding::encode_post(xml.as_bytes());
    let action = idp.urls.local(&sp.acs_url);
    Ok(pages::render(
        StatusCode::OK,
        &pages::PostForm {
            idp_name: &idp.name,
            app: &sp.label,
            kind: "Response",
            destination: &sp.acs_url,
            action: &action,
            parameter: "SAMLResponse",
            message: &encoded,
            relay_state,
        },
    ))
}

/// The signed Response `xml` with its NameID changed to `name_id` (`tamper_name_id`):
/// parsed, the one text replaced and written back, so everything else still
/// canonicalises as it was signed and only the NameID breaks the digest.
fn tampered(xml: &str, name_id: &str) -> Result<String, String> {
    let mut doc = samlsim_xml::parse(xml).map_err(|e| e.to_string())?;
    let root = doc.document_node();
    let node = doc
        .descendants(root)
        .find(|&n| doc.is_element(n, ASSERTION_NS, "NameID"))
        .ok_or("the Response has no saml:NameID")?;
    doc.set_text(node, name_id);
    Ok(samlsim_xml::to_xml(&doc, root))
}

/// The AttributeStatement for `user` at `sp`: configured attributes, then the AWS
/// ones (C11). An attribute whose source field the user lacks is left out, as a
/// directory-backed IdP would, so the SP's reaction to its absence can be seen.
fn attributes(sp: &ServiceProviderConfig, user: &User) -> Vec<Attribute> {
    let mut attributes: Vec<Attribute> = sp
        .attributes
        .iter()
        .filter_map(|a| {
            let values = match &a.from {
                Some(field) => vec![user.field(field)?],
                None => a.values.clone(),
            };
            Some(Attribute::uri(a.name.clone(), values))
        })
        .collect();
    if let Some(aws) = &sp.aws {
        attributes.push(Attribute::uri(AWS_ROLE, aws.roles.clone()));
        if let Some(name) = user.field(&aws.role_session_name_from) {
            attributes.push(Attribute::uri(AWS_ROLE_SESSION_NAME, [name]));
        }
        if let Some(duration) = aws.session_duration {
            attributes.push(Attribute::uri(AWS_SESSION_DURATION, [duration.to_string()]));
        }
        if let Some(identity) = aws
            .source_identity_from
            .as_deref()
            .and_then(|f| user.field(f))
        {
            attributes.push(Attribute::uri(AWS_SOURCE_IDENTITY, [identity]));
        }
    }
    attributes
}
