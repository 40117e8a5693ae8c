//! Requests an SP sends the IdP (AuthnRequest, LogoutRequest), received by one
//! mechanism: an adversarial pass found single logout taking an unsigned
//! HTTP-Redirect request, any Destination, an IssueInstant from 2001 and replays,
//! because it had its own copy of half the AuthnRequest checks. Both kinds now get
//! the same ones, in the same order: decode, parse once, verify the signature (by
//! either binding) and read only the verified copy, the SP, whether it must sign,
//! Destination, the IssueInstant window, and replay.

use samlsim_crypto::Certificate;
use samlsim_saml::authn_request::{AuthnRequest, ReceivedAuthnRequest};
use samlsim_saml::binding::{self, Limits};
use samlsim_saml::logout::{LogoutRequest, ReceivedLogoutRequest};
use samlsim_saml::redirect::{parse_redirect_query, verify_redirect_signature};
use samlsim_saml::{DateTime, SamlError};
use samlsim_service::http::Method;
use samlsim_service::{NewEvent, Refusal, Request};

use crate::config::ServiceProviderConfig;
use crate::rules::{IdpRefusal, IdpRule, internal};
use crate::{Idp, SERVICE};

/// How far a request's IssueInstant may be from our clock.
pub(crate) const REQUEST_MAX_AGE: i64 = 10 * 60;
pub(crate) const REQUEST_MAX_FUTURE: i64 = 3 * 60;
/// How long a request ID is remembered: past this, its IssueInstant is out of the
/// window anyway, so the record can go (swept by the virtual clock).
pub(crate) const REPLAY_MEMORY: i64 = REQUEST_MAX_AGE + REQUEST_MAX_FUTURE;

/// The rules one kind of request is refused under, and where it is received.
pub(crate) struct Checks {
    /// `AuthnRequest`, `LogoutRequest`: for the wording of shared refusals.
    pub kind: &'static str,
    /// The IdP endpoint the request's Destination must name.
    pub endpoint: &'static str,
    /// The seed behaviour the shared refusals are recorded under.
    pub step: &'static str,
    pub malformed: IdpRule,
    pub unsigned: IdpRule,
    pub wrong_destination: IdpRule,
    pub stale: IdpRule,
    pub replayed: IdpRule,
}

/// A kind of request an SP sends.
pub(crate) trait SpRequest: Sized {
    /// The parsed, not yet trusted message.
    type Received;
    const CHECKS: Checks;
    fn parse(xml: &[u8]) -> Result<Self::Received, SamlError>;
    fn carries_signature(received: &Self::Received) -> bool;
    fn unverified(received: &Self::Received) -> Result<Self, SamlError>;
    fn verify(
        received: &Self::Received,
        trusted: &[Certificate],
    ) -> Result<(Self, Certificate), SamlError>;
    fn id(&self) -> &str;
    fn issuer(&self) -> &str;
    fn issue_instant(&self) -> DateTime;
    fn destination(&self) -> Option<&str>;
    /// The registered SP the request comes from (several may share an entity ID);
    /// `signer` is the certificate that verified it, if it was signed.
    fn provider(
        &self,
        idp: &Idp,
        signer: Option<&Certificate>,
    ) -> Result<ServiceProviderConfig, IdpRefusal>;
    /// Whether `sp` must sign this kind of request.
    fn must_be_signed(sp: &ServiceProviderConfig) -> bool;
    /// Checks of this kind only, made before the ID is recorded as seen.
    fn check(&self) -> Result<(), IdpRefusal> {
        Ok(())
    }
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

/// A request that passed every check: read from the verified copy when signed.
pub(crate) struct Received<M> {
    pub message: M,
    pub sp: ServiceProviderConfig,
    pub relay_state: Option<String>,
    pub binding: &'static str,
    pub signed: bool,
}

/// Receives a request of kind `M` by either binding, with every check; each
/// refusal is recorded under `M`'s step.
pub(crate) fn receive<M: SpRequest>(
    idp: &Idp,
    request: &Request,
) -> Result<Received<M>, IdpRefusal> {
    check::<M>(idp, request).map_err(|refusal| {
        let step = refusal.step.unwrap_or(M::CHECKS.step);
        refusal.at_step(step)
    })
}

fn check<M: SpRequest>(idp: &Idp, request: &Request) -> Result<Received<M>, IdpRefusal> {
    let checks = &M::CHECKS;
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
                "sp-request",
                "RelayState is over the 80 bytes SAML bindings 3.4.3 allow",
            ),
        );
    }
    let malformed = |e: SamlError| Refusal::new(checks.malformed).because(e.to_string());
    let parsed = M::parse(&xml).map_err(malformed)?;
    // Read before any signature is checked: only its Issuer is used, to find the
    // certificates that may have signed it.
    let claimed = M::unverified(&parsed).map_err(malformed)?;
    // The HTTP-POST binding carries the signature inside the XML (bindings 3.5.4).
    let embedded_signature = binding == "HTTP-POST" && M::carries_signature(&parsed);
    let signed = redirect_signed || embedded_signature;
    let bad_signature = |e: &dyn std::fmt::Display| {
        Refusal::new(IdpRule::BadRequestSignature)
            .worded(format!("{} signature invalid", checks.kind))
            .because(e.to_string())
    };
    let (message, signer) = if signed {
        let candidates = idp
            .providers
            .by_entity_id(claimed.issuer())
            .map_err(|e| internal(&e))?;
        if candidates.is_empty() {
            return Err(unknown_sp(claimed.issuer()));
        }
        let trusted: Vec<Certificate> = candidates.iter().filter_map(certificate).collect();
        if trusted.is_empty() {
            return Err(no_sp_certificate(checks.kind, claimed.issuer()));
        }
        if redirect_signed {
            // The query's signature covers the XML it was decoded from, so the
            // parse is the verified copy once the query checks.
            let verified = verify_redirect_signature(&request.query, &trusted)
                .map_err(|e| bad_signature(&e))?;
            (claimed, Some(verified.certificate))
        } else {
            let (message, certificate) =
                M::verify(&parsed, &trusted).map_err(|e| bad_signature(&e))?;
            (message, Some(certificate))
        }
    } else {
        (claimed, None)
    };
    let sp = message.provider(idp, signer.as_ref())?;
    match signer {
        Some(signer) => {
            // Several SPs may share the entity ID: the one the request addresses
            // must be the one whose certificate signed it.
            let Some(own) = certificate(&sp) else {
                return Err(no_sp_certificate(checks.kind, &sp.entity_id));
            };
            if own.der() != signer.der() {
                return Err(bad_signature(&format!(
                    "The {} is signed with the certificate of another SP registered as {}, not that of {} (ACS {}).",
                    checks.kind, sp.entity_id, sp.id, sp.acs_url
                )));
            }
        }
        None if M::must_be_signed(&sp) => {
            return Err(Refusal::new(checks.unsigned).because(format!(
                "{} must sign its {}s, and this one carries no signature ({}).",
                sp.entity_id, checks.kind, binding
            )));
        }
        None => {}
    }

    let endpoint = idp.urls.absolute(checks.endpoint);
    if let Some(destination) = message.destination()
        && destination != endpoint
    {
        return Err(Refusal::new(checks.wrong_destination).because(format!(
            "Destination is \"{destination}\", but this endpoint is {endpoint} (SAML core 3.2.1)."
        )));
    }
    let now = idp.clock.now();
    let issued = message.issue_instant();
    let age = now - issued.unix_seconds();
    if !(-REQUEST_MAX_FUTURE..=REQUEST_MAX_AGE).contains(&age) {
        return Err(Refusal::new(checks.stale).because(format!(
            "IssueInstant {} is {} from the IdP's clock ({}); requests older than 10 minutes or more than 3 minutes ahead are refused.",
            issued,
            samlsim_service::clock::format_duration(age.abs()),
            DateTime::from_unix(now)
        )));
    }
    message.check()?;
    if !idp
        .sessions
        .first_sight_of_request(&sp.id, message.id(), now, REPLAY_MEMORY)
        .map_err(|e| internal(&e))?
    {
        return Err(Refusal::new(checks.replayed).because(format!(
            "The {} with ID \"{}\" from {} was already received.",
            checks.kind,
            message.id(),
            sp.entity_id
        )));
    }
    Ok(Received {
        message,
        sp,
        relay_state,
        binding,
        signed,
    })
}

impl SpRequest for AuthnRequest {
    type Received = ReceivedAuthnRequest;
    const CHECKS: Checks = Checks {
        kind: "AuthnRequest",
        endpoint: "/idp/sso",
        step: "C4",
        malformed: IdpRule::MalformedAuthnRequest,
        unsigned: IdpRule::UnsignedRequest,
        wrong_destination: IdpRule::WrongDestination,
        stale: IdpRule::StaleRequest,
        replayed: IdpRule::ReplayedRequest,
    };
    fn parse(xml: &[u8]) -> Result<Self::Received, SamlError> {
        ReceivedAuthnRequest::parse(xml)
    }
    fn carries_signature(received: &Self::Received) -> bool {
        received.carries_signature()
    }
    fn unverified(received: &Self::Received) -> Result<Self, SamlError> {
        received.unverified()
    }
    fn verify(
        received: &Self::Received,
        trusted: &[Certificate],
    ) -> Result<(Self, Certificate), SamlError> {
        received.verify(trusted)
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn issuer(&self) -> &str {
        &self.issuer
    }
    fn issue_instant(&self) -> DateTime {
        self.issue_instant
    }
    fn destination(&self) -> Option<&str> {
        self.destination.as_deref()
    }
    fn provider(
        &self,
        idp: &Idp,
        _signer: Option<&Certificate>,
    ) -> Result<ServiceProviderConfig, IdpRefusal> {
        crate::sso::select_provider(idp, self)
    }
    fn must_be_signed(sp: &ServiceProviderConfig) -> bool {
        sp.want_authn_requests_signed
    }
    fn check(&self) -> Result<(), IdpRefusal> {
        crate::sso::check_binding(self)
    }
}

impl SpRequest for LogoutRequest {
    type Received = ReceivedLogoutRequest;
    const CHECKS: Checks = Checks {
        kind: "LogoutRequest",
        endpoint: "/idp/slo",
        step: "C31",
        malformed: IdpRule::MalformedLogoutRequest,
        unsigned: IdpRule::UnsignedLogoutRequest,
        wrong_destination: IdpRule::LogoutWrongDestination,
        stale: IdpRule::StaleLogoutRequest,
        replayed: IdpRule::ReplayedLogoutRequest,
    };
    fn parse(xml: &[u8]) -> Result<Self::Received, SamlError> {
        ReceivedLogoutRequest::parse(xml)
    }
    fn carries_signature(received: &Self::Received) -> bool {
        received.carries_signature()
    }
    fn unverified(received: &Self::Received) -> Result<Self, SamlError> {
        received.unverified()
    }
    fn verify(
        received: &Self::Received,
        trusted: &[Certificate],
    ) -> Result<(Self, Certificate), SamlError> {
        received.verify(trusted)
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn issuer(&self) -> &str {
        &self.issuer
    }
    fn issue_instant(&self) -> DateTime {
        self.issue_instant
    }
    fn destination(&self) -> Option<&str> {
        self.destination.as_deref()
    }
    /// The SP whose certificate signed it; unsigned, one with a certificate first
    /// (so that sharing an entity ID with an SP that has none does not lift the
    /// signature requirement), then one with an SLO URL to answer at.
    fn provider(
        &self,
        idp: &Idp,
        signer: Option<&Certificate>,
    ) -> Result<ServiceProviderConfig, IdpRefusal> {
        let candidates = idp
            .providers
            .by_entity_id(&self.issuer)
            .map_err(|e| internal(&e))?;
        let chosen = match signer {
            Some(signer) => candidates
                .iter()
                .find(|sp| certificate(sp).is_some_and(|c| c.der() == signer.der()))
                .or(candidates.first()),
            None => candidates
                .iter()
                .max_by_key(|sp| (sp.certificate.is_some(), sp.slo_url.is_some())),
        };
        chosen.cloned().ok_or_else(|| unknown_sp(&self.issuer))
    }
    fn must_be_signed(sp: &ServiceProviderConfig) -> bool {
        sp.certificate.is_some()
    }
}

fn because(rule: IdpRule, error: impl std::fmt::Display) -> IdpRefusal {
    Refusal::new(rule).because(error.to_string())
}

pub(crate) fn unknown_sp(entity_id: &str) -> IdpRefusal {
    Refusal::new(IdpRule::UnknownSp).because(format!(
        "No service provider with entity ID \"{entity_id}\" is registered at this IdP."
    ))
}

fn no_sp_certificate(kind: &str, entity_id: &str) -> IdpRefusal {
    Refusal::new(IdpRule::NoSpCertificate).because(format!(
        "The {kind} from {entity_id} is signed, but no certificate is registered for that SP to check it with."
    ))
}

/// The SP's signing certificate. The PEM was checked when the SP was registered
/// (`check_provider`), so one that does not read is absent, not an error.
pub(crate) fn certificate(sp: &ServiceProviderConfig) -> Option<Certificate> {
    Certificate::from_pem(sp.certificate.as_deref()?).ok()
}
