//! Single sign-on: AuthnRequests in (HTTP-Redirect or HTTP-POST), signed Responses
//! out by an auto-submitting HTTP-POST form (C4). SAML profiles §4.1 (Web Browser
//! SSO) and bindings §3.4, §3.5.

use samlsim_crypto::{Certificate, SignatureAlgorithm};
use samlsim_saml::authn_request::AuthnRequest;
use samlsim_saml::binding;
use samlsim_saml::metadata::{Endpoint, IdpMetadata, build_idp_metadata};
use samlsim_saml::response::{
    AssertionSpec, Attribute, AuthnStatementSpec, BearerConfirmationSpec, ConditionsSpec,
    ResponseSigning, ResponseSpec, build_encrypted_response, build_response,
};
use samlsim_saml::signature::Signer;
use samlsim_saml::uri::{authn_context, binding as bindings, nameid_format};
use samlsim_saml::{DateTime, NameId, SamlError, Status};
use samlsim_service::clock::parse_duration;
use samlsim_service::http::{Method, StatusCode};
use samlsim_service::{NewEvent, Refusal, Request, Response, UrlUse, check_url};
use samlsim_xenc::{BlockCipher, EncryptOptions, KeyTransport};

use crate::config::{ServiceProviderConfig, SignedParts};
use crate::directory::User;
use crate::inbound::{self, REQUEST_MAX_AGE, Received, unknown_sp};
use crate::rules::{IdpRefusal, IdpRule, internal};
use crate::sessions::{Issued, PendingRequest, Session};
use crate::{Idp, SERVICE, pages};

/// The AWS attribute names (IAM user guide, id_roles_providers_create_saml_assertions).
const AWS_ROLE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
const AWS_ROLE_SESSION_NAME: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
const AWS_SESSION_DURATION: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
const AWS_SOURCE_IDENTITY: &str = "https://aws.amazon.com/SAML/Attributes/SourceIdentity";

/// Checks what can be checked of an SP's configuration before it is used.
pub(crate) fn check_provider(sp: &ServiceProviderConfig) -> Result<(), String> {
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
        ("acs_url", Some(&sp.acs_url)),
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
    let given = sp.encryption_certificate.as_deref().ok_or(
        "encrypt_assertions: the SP has no encryption_certificate to encrypt to".to_owned(),
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
    let encrypt_to = encryption(sp).map_err(|e| {
        Refusal::new(IdpRule::ResponseNotBuilt).because(format!(
            "Encrypting the assertion for {} is configured wrongly: {e}",
            sp.label
        ))
    })?;
    let response_spec = ResponseSpec {
        id: response_id.clone(),
        issue_instant: DateTime::from_unix(now),
        destination: Some(sp.acs_url.clone()),
        in_response_to: in_response_to.map(str::to_owned),
        issuer: idp.entity_id.clone(),
        status: Status::success(),
    };
    let assertion_spec = AssertionSpec {
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
                "signed Response for {} to {} ({}{})",
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
