//! Single sign-on: AuthnRequests in (HTTP-Redirect or HTTP-POST), signed Responses
//! out by an auto-submitting HTTP-POST form (C4). SAML profiles §4.1 (Web Browser
//! SSO) and bindings §3.4, §3.5.

use samlsim_crypto::{Certificate, SignatureAlgorithm};
use samlsim_saml::authn_request::{AuthnRequest, ReceivedAuthnRequest};
use samlsim_saml::binding::{self, Limits};
use samlsim_saml::metadata::{Endpoint, IdpMetadata, build_idp_metadata};
use samlsim_saml::redirect::{parse_redirect_query, verify_redirect_signature};
use samlsim_saml::response::{
    AssertionSpec, Attribute, AuthnStatementSpec, BearerConfirmationSpec, ConditionsSpec,
    ResponseSigning, ResponseSpec, build_response,
};
use samlsim_saml::signature::Signer;
use samlsim_saml::uri::{authn_context, binding as bindings, nameid_format};
use samlsim_saml::{DateTime, NameId, SamlError, Status};
use samlsim_service::clock::parse_duration;
use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{NewEvent, Refusal, Request, Response};

use crate::config::{ServiceProviderConfig, SignedParts};
use crate::directory::User;
use crate::rules::{IdpRefusal, IdpRule, internal};
use crate::sessions::{Issued, PendingRequest, Session};
use crate::{Idp, SERVICE, pages};

/// The AWS attribute names (IAM user guide, id_roles_providers_create_saml_assertions).
const AWS_ROLE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
const AWS_ROLE_SESSION_NAME: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
const AWS_SESSION_DURATION: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
const AWS_SOURCE_IDENTITY: &str = "https://aws.amazon.com/SAML/Attributes/SourceIdentity";

/// How far an AuthnRequest's IssueInstant may be from our clock.
const REQUEST_MAX_AGE: i64 = 10 * 60;
const REQUEST_MAX_FUTURE: i64 = 3 * 60;

/// Checks what can be checked of an SP's configuration before it is used.
pub(crate) fn check_provider(sp: &ServiceProviderConfig) -> Result<(), String> {
    parse_duration(&sp.assertion_lifetime).map_err(|e| format!("assertion_lifetime: {e}"))?;
    signature_algorithm(sp).map_err(|e| format!("signature_algorithm: {e}"))?;
    if !(sp.acs_url.starts_with("https://")
        || sp.acs_url.starts_with("http://")
        || sp.acs_url.starts_with('/'))
    {
        return Err(format!(
            "acs_url \"{}\" is not an absolute URL or a local path",
            sp.acs_url
        ));
    }
    if let Some(pem) = &sp.certificate {
        Certificate::from_pem(pem).map_err(|e| format!("certificate: {e}"))?;
    }
    if let Some(aws) = &sp.aws
        && aws.roles.is_empty()
    {
        return Err("aws.roles: at least one role-arn,provider-arn pair is needed".into());
    }
    Ok(())
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
        want_authn_requests_signed: false,
        signing_certificates: vec![idp.identity.certificate.clone()],
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
    let received = receive_authn_request(idp, request)?;
    let sp = received.sp;
    let authn = received.request;
    let now = idp.clock.now();
    if !idp
        .sessions
        .first_sight_of_request(&sp.id, &authn.id, now)
        .map_err(|e| internal(&e))?
    {
        return Err(Refusal::new(IdpRule::ReplayedRequest).because(format!(
            "The AuthnRequest with ID \"{}\" from {} was already received.",
            authn.id, sp.entity_id
        )));
    }
    idp.record(
        request,
        NewEvent::ok(SERVICE, "authn-request", format!("AuthnRequest {} from {}", authn.id, sp.entity_id))
            .detail(serde_json::json!({
                "sp": sp.id, "request_id": authn.id, "binding": received.binding, "signed": received.signed,
            })),
    );

    let session = idp.signed_in(request)?;
    match session {
        Some((session, user)) if authn.force_authn != Some(true) => respond(
            idp,
            request,
            &sp,
            &session,
            &user,
            Some(&authn.id),
            received.relay_state.as_deref(),
        ),
        _ if authn.is_passive == Some(true) => Err(Refusal::new(IdpRule::NoPassive)),
        _ => {
            let pending = PendingRequest {
                token: idp.ids.token(16),
                sp: sp.id.clone(),
                request_id: authn.id.clone(),
                relay_state: received.relay_state,
                created_at: now,
            };
            idp.sessions.park(&pending).map_err(|e| internal(&e))?;
            Ok(idp.to_login(&format!("/idp/sso?resume={}", pending.token)))
        }
    }
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
    let sp = idp
        .providers
        .get(&pending.sp)
        .map_err(|e| internal(&e))?
        .ok_or_else(expired)?;
    respond(
        idp,
        request,
        &sp,
        &session,
        &user,
        Some(&pending.request_id),
        pending.relay_state.as_deref(),
    )
}

/// A SAMLRequest as it came in, by either binding.
pub(crate) struct Incoming {
    pub xml: Vec<u8>,
    pub relay_state: Option<String>,
    pub binding: &'static str,
    /// Whether the HTTP-Redirect query carries a signature (bindings 3.4.4.1).
    pub redirect_signed: bool,
}

/// Decodes the `SAMLRequest` of an HTTP-Redirect GET or an HTTP-POST, bounded.
pub(crate) fn incoming(request: &Request) -> Result<Incoming, IdpRefusal> {
    let limits = Limits::default();
    if request.method == Method::GET {
        let query = parse_redirect_query(&request.query)
            .map_err(|e| because(IdpRule::BadRedirectQuery, e))?;
        let xml = binding::decode_redirect(&query.message, &limits)
            .map_err(|e| because(IdpRule::BadEncoding, e))?;
        return Ok(Incoming {
            xml,
            relay_state: query.relay_state.clone(),
            binding: "HTTP-Redirect",
            redirect_signed: query.signature.is_some(),
        });
    }
    let value = request
        .form_value("SAMLRequest")
        .ok_or_else(|| Refusal::new(IdpRule::MissingSamlRequest))?;
    let xml =
        binding::decode_post(&value, &limits).map_err(|e| because(IdpRule::BadEncoding, e))?;
    Ok(Incoming {
        xml,
        relay_state: request.form_value("RelayState"),
        binding: "HTTP-POST",
        redirect_signed: false,
    })
}

struct ReceivedRequest {
    request: AuthnRequest,
    sp: ServiceProviderConfig,
    relay_state: Option<String>,
    binding: &'static str,
    signed: bool,
}

/// Decodes, parses and checks an AuthnRequest by either binding. The request is
/// decoded and parsed once; when it is signed, every decision reads the verified
/// copy only (for HTTP-Redirect the signature covers the query string the XML was
/// decoded from, so the parse is the verified copy once the query checks).
fn receive_authn_request(idp: &Idp, request: &Request) -> Result<ReceivedRequest, IdpRefusal> {
    let Incoming {
        xml,
        relay_state,
        binding,
        redirect_signed,
    } = incoming(request)?;
    if relay_state.as_ref().is_some_and(|r| r.len() > 80) {
        // SAML bindings 3.4.3 / 3.5.3 cap RelayState at 80 bytes; AWS's own RelayState
        // URLs are longer and everyone accepts them, so this is a note, not a refusal.
        idp.record(
            request,
            NewEvent::ok(
                SERVICE,
                "authn-request",
                "RelayState is over the 80 bytes SAML bindings 3.4.3 allow",
            ),
        );
    }
    let malformed =
        |e: SamlError| Refusal::new(IdpRule::MalformedAuthnRequest).because(e.to_string());
    let message = ReceivedAuthnRequest::parse(&xml).map_err(malformed)?;
    // Read before any signature is checked: only its Issuer is used, to find the
    // certificates that may have signed it.
    let claimed = message.unverified().map_err(malformed)?;
    // The HTTP-POST binding carries the signature inside the XML (bindings 3.5.4).
    let embedded_signature = binding == "HTTP-POST" && message.carries_signature();
    let signed = redirect_signed || embedded_signature;
    let (authn, signer) = if signed {
        let candidates = idp
            .providers
            .by_entity_id(&claimed.issuer)
            .map_err(|e| internal(&e))?;
        if candidates.is_empty() {
            return Err(unknown_sp(&claimed.issuer));
        }
        let trusted: Vec<Certificate> = candidates.iter().filter_map(certificate).collect();
        if trusted.is_empty() {
            return Err(no_sp_certificate(&claimed.issuer));
        }
        let bad_signature =
            |e: SamlError| Refusal::new(IdpRule::BadRequestSignature).because(e.to_string());
        if redirect_signed {
            let verified =
                verify_redirect_signature(&request.query, &trusted).map_err(bad_signature)?;
            (claimed, Some(verified.certificate))
        } else {
            let (authn, certificate) = message.verify(&trusted).map_err(bad_signature)?;
            (authn, Some(certificate))
        }
    } else {
        (claimed, None)
    };
    let sp = select_provider(idp, &authn)?;
    match signer {
        Some(signer) => {
            // Several SPs may share the entity ID: the one the request addresses
            // must be the one whose certificate signed it.
            let Some(own) = certificate(&sp) else {
                return Err(no_sp_certificate(&sp.entity_id));
            };
            if own.der() != signer.der() {
                return Err(Refusal::new(IdpRule::BadRequestSignature).because(format!(
                    "The AuthnRequest is signed with the certificate of another SP registered as {}, not that of {} (ACS {}).",
                    sp.entity_id, sp.id, sp.acs_url
                )));
            }
        }
        None if sp.want_authn_requests_signed => {
            return Err(Refusal::new(IdpRule::UnsignedRequest).because(format!(
                "{} must sign its AuthnRequests (want_authn_requests_signed).",
                sp.entity_id
            )));
        }
        None => {}
    }

    let sso_url = idp.urls.absolute("/idp/sso");
    if let Some(destination) = &authn.destination
        && destination != &sso_url
    {
        return Err(Refusal::new(IdpRule::WrongDestination).because(format!(
            "Destination is \"{destination}\", but this endpoint is {sso_url} (SAML core 3.2.1)."
        )));
    }
    let now = idp.clock.now();
    let age = now - authn.issue_instant.unix_seconds();
    if !(-REQUEST_MAX_FUTURE..=REQUEST_MAX_AGE).contains(&age) {
        return Err(Refusal::new(IdpRule::StaleRequest).because(format!(
                "IssueInstant {} is {} from the IdP's clock ({}); requests older than 10 minutes or more than 3 minutes ahead are refused.",
                authn.issue_instant,
                samlsim_service::clock::format_duration(age.abs()),
                DateTime::from_unix(now)
        )));
    }
    if let Some(binding) = &authn.protocol_binding
        && binding != bindings::HTTP_POST
    {
        return Err(Refusal::new(IdpRule::UnsupportedBinding).because(format!(
            "The SP asked for the response by {binding}; this IdP answers by HTTP-POST only."
        )));
    }
    Ok(ReceivedRequest {
        request: authn,
        sp,
        relay_state,
        binding,
        signed,
    })
}

/// The registered SP the request comes from. Several SPs may share an entity ID
/// (every AWS endpoint is `urn:amazon:webservices`); the requested ACS picks one.
/// An ACS URL that no SP with that entity ID registered is refused: responses go
/// only to registered ACS URLs (SAML profiles 4.1.4.1).
fn select_provider(idp: &Idp, authn: &AuthnRequest) -> Result<ServiceProviderConfig, IdpRefusal> {
    let candidates = idp
        .providers
        .by_entity_id(&authn.issuer)
        .map_err(|e| internal(&e))?;
    let Some(first) = candidates.first().cloned() else {
        return Err(unknown_sp(&authn.issuer));
    };
    if let Some(index) = authn.assertion_consumer_service_index
        && index != 0
    {
        return Err(Refusal::new(IdpRule::AcsNotRegistered)
            .worded("Unknown AssertionConsumerServiceIndex")
            .because(format!(
                "{} has one registered ACS (index 0); the request asks for index {index}.",
                authn.issuer
            )));
    }
    match &authn.assertion_consumer_service_url {
        None => Ok(first),
        Some(acs) => candidates
            .iter()
            .find(|sp| &sp.acs_url == acs || &idp.urls.local(&sp.acs_url) == acs)
            .cloned()
            .ok_or_else(|| {
                let registered: Vec<&str> = candidates.iter().map(|sp| sp.acs_url.as_str()).collect();
                Refusal::new(IdpRule::AcsNotRegistered).because(format!(
                    "The request asks for the response at \"{acs}\", which is not registered for {}; registered: {}.",
                    authn.issuer,
                    registered.join(", ")
                ))
            }),
    }
}

fn because(rule: IdpRule, error: impl std::fmt::Display) -> IdpRefusal {
    Refusal::new(rule).because(error.to_string())
}

fn unknown_sp(entity_id: &str) -> IdpRefusal {
    Refusal::new(IdpRule::UnknownSp).because(format!(
        "No service provider with entity ID \"{entity_id}\" is registered at this IdP."
    ))
}

fn no_sp_certificate(entity_id: &str) -> IdpRefusal {
    Refusal::new(IdpRule::NoSpCertificate).because(format!(
        "The AuthnRequest from {entity_id} is signed, but no certificate is registered for that SP to check it with."
    ))
}

/// The SP's signing certificate. The PEM was checked when the SP was registered
/// (`check_provider`), so one that does not read is absent, not an error.
fn certificate(sp: &ServiceProviderConfig) -> Option<Certificate> {
    Certificate::from_pem(sp.certificate.as_deref()?).ok()
}

/// C4: builds, signs and posts the Response for `user` to `sp`'s registered ACS.
fn respond(
    idp: &Idp,
    request: &Request,
    sp: &ServiceProviderConfig,
    session: &Session,
    user: &User,
    in_response_to: Option<&str>,
    relay_state: Option<&str>,
) -> Result<Response, IdpRefusal> {
    let now = idp.clock.now();
    let lifetime = parse_duration(&sp.assertion_lifetime).unwrap_or(300);
    let name_id = user.field(&sp.name_id_from).ok_or_else(|| {
        Refusal::new(IdpRule::NoNameId).because(format!(
            "{} is configured to take the NameID from \"{}\", which user {} does not have.",
            sp.label, sp.name_id_from, user.username
        ))
    })?;
    let response_id = idp.ids.saml_id();
    let assertion_id = idp.ids.saml_id();
    let algorithm = signature_algorithm(sp).unwrap_or(SignatureAlgorithm::RsaSha256);
    let signer =
        Signer::new(&idp.identity.key, &idp.identity.certificate).with_algorithm(algorithm);
    let signing = match sp.sign {
        SignedParts::Response => ResponseSigning::Response,
        SignedParts::Assertion => ResponseSigning::Assertion,
        SignedParts::Both => ResponseSigning::Both,
        SignedParts::None => ResponseSigning::Unsigned,
    };
    let built = build_response(
        &ResponseSpec {
            id: response_id.clone(),
            issue_instant: DateTime::from_unix(now),
            destination: Some(sp.acs_url.clone()),
            in_response_to: in_response_to.map(str::to_owned),
            issuer: idp.entity_id.clone(),
            status: Status::success(),
        },
        &AssertionSpec {
            id: assertion_id.clone(),
            issue_instant: DateTime::from_unix(now),
            issuer: idp.entity_id.clone(),
            name_id: NameId::new(name_id.clone(), sp.name_id_format.clone()),
            confirmation: BearerConfirmationSpec {
                not_on_or_after: DateTime::from_unix(now + lifetime),
                recipient: sp.acs_url.clone(),
                in_response_to: in_response_to.map(str::to_owned),
            },
            conditions: ConditionsSpec {
                not_before: DateTime::from_unix(now),
                not_on_or_after: DateTime::from_unix(now + lifetime),
                audiences: vec![sp.audience.clone().unwrap_or_else(|| sp.entity_id.clone())],
            },
            authn: AuthnStatementSpec {
                authn_instant: DateTime::from_unix(session.created_at),
                session_index: session.index.clone(),
                session_not_on_or_after: Some(DateTime::from_unix(session.expires_at)),
                authn_context_class_ref: authn_context::PASSWORD_PROTECTED_TRANSPORT.into(),
            },
            attributes: attributes(sp, user),
        },
        signing,
        &signer,
    )
    .map_err(|e| {
        Refusal::new(IdpRule::ResponseNotBuilt).because(format!(
            "Building the SAML Response for {} failed: {e}",
            sp.label
        ))
    })?;

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
                "signed Response for {} to {} ({})",
                user.username, sp.label, signing
            ),
        )
        .step("C4")
        .detail(serde_json::json!({
            "sp": sp.id, "username": user.username, "name_id": name_id,
            "response_id": response_id, "assertion_id": assertion_id,
            "in_response_to": in_response_to, "relay_state": relay_state,
            "acs_url": sp.acs_url, "signed": signing.name(),
        })),
    );

    let encoded = binding::encode_post(built.xml.as_bytes());
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
