//! What AWS checks before it lets a SAML assertion assume a role: one pipeline
//! shared by the browser sign-in endpoint (C5) and the STS `AssumeRoleWithSAML` API,
//! so both refuse the same things with the same words.
//!
//! The rules and their wording come from the IAM user guide
//! (id_roles_providers_create_saml_assertions, troubleshoot_saml) and the STS API
//! reference (API_AssumeRoleWithSAML), restated in `shared/docs/aws-facts.md`.
//! Each check is a step returning a [`Refusal`] of an [`AwsRule`], whose table
//! (`crate::rules`) holds AWS's error code, HTTP status and wording; a step adds
//! only what was wrong with this assertion (`.because`) and, where AWS's message
//! carries values, that message (`.worded`).

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlsim_crypto::SigningKey;
use samlsim_saml::binding::{Limits, decode_post};
use samlsim_saml::response::{
    Decryption, ReceivedResponse, SignatureStatus, VerifiedAssertion, parse_response,
};
use samlsim_saml::uri::status;
use samlsim_saml::{DateTime, NameId, SamlError};
use samlsim_service::UnixTime;
use samlsim_xenc::DecryptOptions;
use samlsim_xml::{Document, NodeId};
use sha1::{Digest, Sha1};

use crate::config::AssertionEncryptionMode;
use crate::iam::{Account, Iam, Role, SamlProvider};
use crate::policy::{Context, Decision, Principal, Request, evaluate_all};
use crate::rules::AwsRule;

pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
pub const ROLE_SESSION_NAME_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
pub const SESSION_DURATION_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/SessionDuration";
pub const SOURCE_IDENTITY_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/SourceIdentity";

/// The audiences AWS sign-in accepts (id_roles_providers_create_saml_assertions).
pub const AUDIENCES: [&str; 2] = [
    "https://signin.aws.amazon.com/saml",
    "urn:amazon:webservices",
];

/// How far assertion times may be off from AWS's clock. AWS documents no figure;
/// users report a one-minute validity window being enforced (saml2aws#759), so the
/// allowance is small.
pub const CLOCK_SKEW: i64 = 60;

/// AWS refuses an assertion issued more than five minutes ago, whatever its
/// NotOnOrAfter says: "Token must be redeemed within 5 minutes of issuance"
/// (ExpiredTokenException, reported in gimme-aws-creds#251).
pub const REDEEM_WITHIN: i64 = 5 * 60;

pub use crate::rules::{INVALID_RESPONSE, Refusal};

/// What AWS knows about the request besides the assertion: the time (from the
/// injected clock) and the caller's address, which become `aws:CurrentTime`,
/// `aws:EpochTime` and `aws:SourceIp` in the trust policy's request context.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts {
    pub now: UnixTime,
    /// The caller's address; `None` when the transport does not know it, so
    /// `...IfExists` conditions on `aws:SourceIp` pass and others fail, as on AWS
    /// for a key absent from the request (reference_policies_elements_condition_operators).
    pub source_ip: Option<IpAddr>,
}

/// Who presents the assertion.
#[derive(Debug, Clone)]
pub enum Presenter<'a> {
    /// A browser at a sign-in endpoint; `role` is the one chosen on the role
    /// chooser (`None` until chosen, when the assertion offers several).
    SignIn {
        /// The public URL of the endpoint that received the POST.
        endpoint: &'a str,
        /// The local URL of the same endpoint (a real IdP pointed at the emulator
        /// names that one as Recipient).
        local_endpoint: &'a str,
        region: &'a str,
        role: Option<&'a str>,
    },
    /// A caller of STS `AssumeRoleWithSAML`.
    Sts {
        role_arn: &'a str,
        principal_arn: &'a str,
        region: &'a str,
        duration_seconds: Option<u32>,
    },
}

impl Presenter<'_> {
    fn region(&self) -> &str {
        match self {
            Presenter::SignIn { region, .. } | Presenter::Sts { region, .. } => region,
        }
    }
}

/// A role pair from the Role attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChoice {
    pub role_arn: String,
    pub provider_arn: String,
}

/// The assertion checked and the role assumed.
#[derive(Debug, Clone)]
pub struct Assumed {
    pub assertion_id: String,
    pub assertion_expires_at: UnixTime,
    pub provider: SamlProvider,
    pub role: Role,
    pub role_session_name: String,
    /// `Subject`: the NameID value.
    pub subject: String,
    /// `SubjectType`: the NameID format, shortened as STS does.
    pub subject_type: String,
    pub issuer: String,
    /// `Audience` as STS reports it: the Recipient (and the trust policy's `SAML:aud`).
    pub audience: String,
    /// `NameQualifier`: base64(SHA-1(issuer + account ID + "/" + provider name)).
    pub name_qualifier: String,
    pub source_identity: Option<String>,
    /// How long the session lasts, in seconds, after clamping.
    pub duration: i64,
    pub expires_at: UnixTime,
    pub region: String,
}

impl Assumed {
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    pub fn assumed_role_arn(&self) -> String {
        format!(
            "arn:{}:sts::{}:assumed-role/{}/{}",
            crate::iam::partition_of(&self.role.arn),
            self.role.account,
            self.role.name,
            self.role_session_name
        )
    }

    /// `<RoleId>:<RoleSessionName>`: `AssumedRoleId`, and `${aws:userid}`.
    pub fn assumed_role_id(&self) -> String {
        format!("{}:{}", self.role.id, self.role_session_name)
    }
}

/// What a presented assertion leads to.
#[derive(Debug, Clone)]
pub enum Outcome {
    Assumed(Box<Assumed>),
    /// Sign-in only: several roles are offered and none chosen yet.
    ChooseRole(Vec<RoleChoice>),
}

/// Checks `saml_response` (the base64 `SAMLResponse`/`SAMLAssertion` value) for
/// `presenter`. Does not record the assertion as used: the sign-in endpoint does,
/// with [`crate::state::State::sign_in`], with the session it opens; STS
/// never does (AWS lets an assertion be redeemed repeatedly).
pub fn check(
    iam: &Iam,
    saml_response: &str,
    presenter: &Presenter<'_>,
    facts: &RequestFacts,
) -> Result<Outcome, Refusal> {
    let xml = decode_post(saml_response, &Limits::default()).map_err(|e| {
        Refusal::new(AwsRule::SamlNotBase64).because(format!(
            "The SAML response is not base64 of an XML document: {e}"
        ))
    })?;
    let received = parse_response(&xml).map_err(|e| {
        Refusal::new(AwsRule::SamlMalformed).because(format!(
            "The SAML response is not a readable samlp:Response: {e}"
        ))
    })?;
    let status_code = received.envelope.status.code.as_str();
    if status_code != status::SUCCESS {
        let message = received
            .envelope
            .status
            .message
            .as_deref()
            .map(|m| format!(" ({m})"))
            // No StatusMessage: the code alone says it.
            .unwrap_or_default();
        return Err(Refusal::new(AwsRule::SamlStatusNotSuccess).because(format!(
            "The IdP answered with status {status_code}{message}"
        )));
    }

    // Decryption comes first: the Role attribute that routes the assertion is
    // inside the ciphertext. What it yields is for routing only; the checks read
    // the copy `verify_signature` decrypts again and verifies.
    let keyring = if received.is_encrypted() {
        Some(decryption_keys(iam, &received, presenter)?)
    } else {
        None
    };
    let keys: Vec<&SigningKey> = keyring
        .iter()
        .flatten()
        .flat_map(|p| p.private_keys.iter())
        .collect();
    let decryption = keyring.as_ref().map(|_| Decryption {
        keys: &keys,
        options: DecryptOptions::default(),
    });
    let decrypted = match &decryption {
        Some(decryption) => Some(
            received
                .decrypt_unverified(decryption)
                .map_err(encrypted_assertion_invalid)?,
        ),
        None => None,
    };
    let routing = decrypted.as_ref().unwrap_or_else(|| received.document());

    // Until the decrypted assertion verifies, whatever its unverified content makes
    // fail must answer as a failed decryption does: a different answer for
    // well-formed but wrong plaintext is the oracle of Jager and Somorovsky's
    // attack on CBC.
    let encrypted = decryption.is_some();
    let providers = route(iam, routing, presenter).map_err(|refusal| {
        if encrypted && refusal.rule != AwsRule::Internal {
            Refusal::new(AwsRule::EncryptedAssertionInvalid)
                .because(ENCRYPTED_ASSERTION_REFUSED)
                .fact("reason", refusal.summary())
        } else {
            refusal
        }
    })?;
    check_encryption_required(&received, &providers)?;
    let assertion = verify_signature(&received, &providers, decryption.as_ref())?;
    check_assertion(iam, &assertion, presenter, providers, facts)
}

/// The providers whose certificates must verify the assertion: STS names one;
/// sign-in learns them from the (yet unverified) Role attribute of `routing` (the
/// Response, or the decrypted assertion), then checks again on the verified copy.
fn route(
    iam: &Iam,
    routing: &Document,
    presenter: &Presenter<'_>,
) -> Result<Vec<SamlProvider>, Refusal> {
    let offered_unverified = role_pairs(&unverified_attribute_values(routing, ROLE_ATTRIBUTE))?;
    let provider_arns: Vec<String> = match presenter {
        Presenter::Sts { principal_arn, .. } => vec![(*principal_arn).to_owned()],
        Presenter::SignIn { .. } => {
            let mut arns: Vec<String> = offered_unverified
                .iter()
                .map(|c| c.provider_arn.clone())
                .collect();
            arns.dedup();
            arns
        }
    };
    if provider_arns.is_empty() {
        return Err(missing_role());
    }
    let mut providers = Vec::new();
    for arn in &provider_arns {
        if let Some(provider) = iam.provider(arn).map_err(internal)? {
            providers.push(provider);
        }
    }
    if providers.is_empty() {
        return Err(Refusal::new(AwsRule::ProviderNotFound)
            .because(format!("No IAM SAML provider {}", provider_arns.join(", "))));
    }
    Ok(providers)
}

/// Decryption, the first step for an encrypted assertion: the providers whose
/// private keys may decrypt it. STS names the provider (PrincipalArn); sign-in
/// takes the providers whose entity ID is the Response's (unverified) Issuer, the
/// only thing outside the ciphertext that says who sent it, or every provider when
/// the Response names no Issuer. Providers without keys are left out.
fn decryption_keys(
    iam: &Iam,
    received: &ReceivedResponse,
    presenter: &Presenter<'_>,
) -> Result<Vec<SamlProvider>, Refusal> {
    let candidates = match presenter {
        Presenter::Sts { principal_arn, .. } => {
            let provider = iam
                .provider(principal_arn)
                .map_err(internal)?
                .ok_or_else(|| {
                    Refusal::new(AwsRule::ProviderNotFound)
                        .because(format!("No IAM SAML provider {principal_arn}"))
                })?;
            vec![provider]
        }
        Presenter::SignIn { .. } => {
            let issuer = received.envelope.issuer.as_deref();
            iam.providers()
                .map_err(internal)?
                .into_iter()
                .filter(|p| issuer.is_none_or(|i| i == p.entity_id))
                .collect()
        }
    };
    let with_keys: Vec<SamlProvider> = candidates
        .iter()
        .filter(|p| !p.private_keys.is_empty())
        .cloned()
        .collect();
    if with_keys.is_empty() {
        let named: Vec<&str> = candidates.iter().map(|p| p.arn.as_str()).collect();
        return Err(Refusal::new(AwsRule::EncryptedAssertionInvalid)
            .because(ENCRYPTED_ASSERTION_REFUSED)
            .fact("reason", serde_json::Value::String(if named.is_empty() {
                format!(
                    "The assertion is encrypted, and no IAM SAML provider has the Response's Issuer {} as entity ID to decrypt it",
                    received.envelope.issuer.as_deref().unwrap_or("(none)")
                )
            } else {
                format!(
                    "The assertion is encrypted, and {} has no private key to decrypt it with (UpdateSAMLProvider AddPrivateKey)",
                    named.join(", ")
                )
            })));
    }
    Ok(with_keys)
}

/// samlsim's account of every failed encrypted assertion, on the page and in the
/// API error: the same words whatever failed.
pub const ENCRYPTED_ASSERTION_REFUSED: &str = "The encrypted assertion did not decrypt with \
    the IAM SAML provider's private keys, or the signature inside it did not verify. Which \
    of the two, and why, is in samlsim's event log (reason) only: an answer that differed \
    would be a decryption oracle.";

/// Every failure to decrypt or verify an encrypted assertion gets one answer;
/// the reason goes to the event log only.
fn encrypted_assertion_invalid(error: SamlError) -> Refusal {
    Refusal::new(AwsRule::EncryptedAssertionInvalid)
        .because(ENCRYPTED_ASSERTION_REFUSED)
        .fact("reason", error.to_string())
}

/// AssertionEncryptionMode Required: a plain assertion is refused.
fn check_encryption_required(
    received: &ReceivedResponse,
    providers: &[SamlProvider],
) -> Result<(), Refusal> {
    if received.is_encrypted() {
        return Ok(());
    }
    match providers
        .iter()
        .find(|p| p.assertion_encryption_mode == AssertionEncryptionMode::Required)
    {
        Some(provider) => Err(Refusal::new(AwsRule::EncryptionRequired).because(format!(
            "{} has AssertionEncryptionMode Required, and the assertion is not encrypted",
            provider.arn
        ))),
        None => Ok(()),
    }
}

/// The assertion's claims AWS reads, from the verified copy only.
struct Claims<'a> {
    assertion: &'a VerifiedAssertion,
    name_id: &'a NameId,
    recipient: String,
    not_on_or_after: DateTime,
}

/// The steps in the order AWS applies them: signature (done by the caller),
/// issuer, subject confirmation and recipient, audience, times, role pair,
/// RoleSessionName, SessionDuration, region and SCPs, trust policy,
/// MaxSessionDuration (troubleshoot_saml; API_AssumeRoleWithSAML).
fn check_assertion(
    iam: &Iam,
    assertion: &VerifiedAssertion,
    presenter: &Presenter<'_>,
    providers: Vec<SamlProvider>,
    facts: &RequestFacts,
) -> Result<Outcome, Refusal> {
    let now = facts.now;
    check_issuer(assertion, &providers)?;
    let claims = check_subject(assertion, presenter)?;
    check_audience(assertion)?;
    check_times(assertion, claims.not_on_or_after, now)?;
    let choice = match choose_role(assertion, presenter)? {
        Chosen::One(choice) => choice,
        Chosen::Several(offered) => return Ok(Outcome::ChooseRole(offered)),
    };
    let provider = chosen_provider(assertion, providers, &choice)?;
    let session_name = check_session_name(assertion)?;
    let session_duration = check_session_duration(assertion)?;
    let source_identity = check_source_identity(assertion)?;

    let region = presenter.region();
    let account = iam
        .account(&provider.account)
        .map_err(internal)?
        .ok_or_else(not_authorized)?;
    check_region(&account, region)?;
    let role = iam
        .role(&choice.role_arn)
        .map_err(internal)?
        .ok_or_else(not_authorized)?;
    let subject_type = subject_type(claims.name_id.format.as_deref());
    let name_qualifier = name_qualifier(&assertion.issuer, &provider.account, &provider.name);
    let context = trust_context(
        &claims,
        &provider,
        &subject_type,
        &name_qualifier,
        region,
        facts,
    );
    let request = Request {
        action: "sts:AssumeRoleWithSAML",
        resource: Some(&role.arn),
        principal: Some(Principal::Federated(&provider.arn)),
        context: &context,
    };
    check_scps(&account, &request, region)?;
    check_trust_policy(&role, &provider, &request, &claims.recipient)?;
    let requested = check_max_session_duration(presenter, session_duration, &role)?;

    let session_end = assertion
        .authn_statements
        .iter()
        .filter_map(|s| s.session_not_on_or_after)
        .map(DateTime::unix_seconds)
        .min();
    let expires_at = session_end.map_or(now + i64::from(requested), |end| {
        end.min(now + i64::from(requested))
    });

    Ok(Outcome::Assumed(Box::new(Assumed {
        assertion_id: assertion.id.clone(),
        assertion_expires_at: claims.not_on_or_after.unix_seconds() + CLOCK_SKEW,
        role_session_name: session_name,
        subject: claims.name_id.value.clone(),
        subject_type,
        issuer: assertion.issuer.clone(),
        audience: claims.recipient,
        name_qualifier,
        source_identity,
        duration: expires_at - now,
        expires_at,
        region: region.to_owned(),
        provider,
        role,
    })))
}

/// Signature: the response or assertion must verify with a certificate of a
/// provider the Role attribute (or PrincipalArn) names (troubleshoot_saml).
fn verify_signature(
    received: &ReceivedResponse,
    providers: &[SamlProvider],
    decryption: Option<&Decryption<'_>>,
) -> Result<VerifiedAssertion, Refusal> {
    let certificates: Vec<_> = providers
        .iter()
        .flat_map(|p| p.certificates.iter().cloned())
        .collect();
    if decryption.is_some() {
        // Decrypt, verify the decrypted assertion, read only what verified.
        return received
            .verify_decrypting(&certificates, decryption)
            .map_err(encrypted_assertion_invalid);
    }
    received.verify(&certificates).map_err(|e| match e {
        SamlError::Signature { .. } | SamlError::Unsigned | SamlError::NoTrustedCertificate => {
            Refusal::new(AwsRule::SignatureInvalid).because(e.to_string())
        }
        other => Refusal::new(AwsRule::SamlMalformed).because(other.to_string()),
    })
}

/// Issuer: it must be the entityID of a provider the assertion names; which one
/// counts is settled once the role pair is chosen ([`chosen_provider`]).
fn check_issuer(assertion: &VerifiedAssertion, providers: &[SamlProvider]) -> Result<(), Refusal> {
    if providers.iter().any(|p| p.entity_id == assertion.issuer) {
        return Ok(());
    }
    Err(issuer_mismatch(assertion, &providers[0]))
}

fn issuer_mismatch(assertion: &VerifiedAssertion, provider: &SamlProvider) -> Refusal {
    Refusal::new(AwsRule::IssuerMismatch).because(format!(
        "The assertion's Issuer is \"{}\"; {} was created from metadata whose entityID is \"{}\"",
        assertion.issuer, provider.arn, provider.entity_id
    ))
}

/// Subject: a NameID, exactly one SubjectConfirmation whose data has a Recipient
/// naming this endpoint and a NotOnOrAfter (id_roles_providers_create_saml_assertions).
fn check_subject<'a>(
    assertion: &'a VerifiedAssertion,
    presenter: &Presenter<'_>,
) -> Result<Claims<'a>, Refusal> {
    let name_id = assertion
        .name_id
        .as_ref()
        .filter(|n| !n.value.is_empty())
        .ok_or_else(|| {
            not_authorized().because("The assertion's Subject has no NameID, which AWS requires")
        })?;
    let [confirmation] = assertion.subject_confirmations.as_slice() else {
        return Err(
            Refusal::new(AwsRule::SubjectConfirmationCount).because(format!(
                "AWS requires exactly one SubjectConfirmation, found {}",
                assertion.subject_confirmations.len()
            )),
        );
    };
    let recipient = confirmation.recipient.clone().ok_or_else(|| {
        Refusal::new(AwsRule::RecipientMissing).because("SubjectConfirmationData has no Recipient")
    })?;
    let not_on_or_after = confirmation.not_on_or_after.ok_or_else(|| {
        Refusal::new(AwsRule::NotOnOrAfterMissing)
            .because("SubjectConfirmationData has no NotOnOrAfter")
    })?;
    let recipient_ok = match presenter {
        Presenter::SignIn {
            endpoint,
            local_endpoint,
            ..
        } => recipient == *endpoint || recipient == *local_endpoint,
        Presenter::Sts { .. } => crate::endpoints::is_sign_in_endpoint(&recipient),
    };
    if !recipient_ok {
        let expected = match presenter {
            Presenter::SignIn { endpoint, .. } => (*endpoint).to_owned(),
            Presenter::Sts { .. } => "an AWS sign-in SAML endpoint".to_owned(),
        };
        return Err(Refusal::new(AwsRule::RecipientMismatch).because(format!(
            "Recipient \"{recipient}\" does not match {expected}"
        )));
    }
    Ok(Claims {
        assertion,
        name_id,
        recipient,
        not_on_or_after,
    })
}

/// Audience: SAML core 2.5.1.4, the assertion is addressed to an SP only if every
/// AudienceRestriction names it.
fn check_audience(assertion: &VerifiedAssertion) -> Result<(), Refusal> {
    let restrictions: Vec<&Vec<String>> = assertion
        .conditions
        .iter()
        .flat_map(|c| c.audience_restrictions.iter())
        .collect();
    let addressed_to_aws = !restrictions.is_empty()
        && restrictions
            .iter()
            .all(|r| r.iter().any(|a| AUDIENCES.contains(&a.as_str())));
    if addressed_to_aws {
        return Ok(());
    }
    let named: Vec<String> = restrictions
        .iter()
        .flat_map(|r| r.iter())
        .map(|a| format!("\"{a}\""))
        .collect();
    Err(Refusal::new(AwsRule::AudienceMismatch).because(format!(
        "Every AudienceRestriction must include https://signin.aws.amazon.com/saml or urn:amazon:webservices; the assertion names {}",
        if named.is_empty() { "none".to_owned() } else { named.join(", ") }
    )))
}

/// Times: NotBefore / NotOnOrAfter of the confirmation and the Conditions, with
/// AWS's skew, and the five minutes from issuance.
fn check_times(
    assertion: &VerifiedAssertion,
    confirmation_end: DateTime,
    now: UnixTime,
) -> Result<(), Refusal> {
    let conditions = assertion.conditions.as_ref();
    let not_before = conditions.and_then(|c| c.not_before);
    let ends = std::iter::once(confirmation_end).chain(conditions.and_then(|c| c.not_on_or_after));
    for end in ends {
        if now >= end.unix_seconds() + CLOCK_SKEW {
            return Err(Refusal::new(AwsRule::AssertionExpired).because(format!(
                "The assertion was valid until {end} and it is now {} (samlsim allows {CLOCK_SKEW} s of clock skew)",
                DateTime::from_unix(now)
            )));
        }
    }
    if now > assertion.issue_instant.unix_seconds() + REDEEM_WITHIN + CLOCK_SKEW {
        return Err(Refusal::new(AwsRule::AssertionExpired)
            .worded("Token must be redeemed within 5 minutes of issuance")
            .because(format!(
                "The assertion was issued at {}",
                assertion.issue_instant
            )));
    }
    if let Some(start) = not_before
        && now + CLOCK_SKEW < start.unix_seconds()
    {
        return Err(Refusal::new(AwsRule::AssertionNotYetValid).because(format!(
            "The assertion is not valid before {start} (it is now {})",
            DateTime::from_unix(now)
        )));
    }
    Ok(())
}

enum Chosen {
    One(RoleChoice),
    /// Sign-in only: several pairs offered and none chosen yet.
    Several(Vec<RoleChoice>),
}

/// Role pair: STS names it; sign-in takes the only one, or the chosen one.
fn choose_role(
    assertion: &VerifiedAssertion,
    presenter: &Presenter<'_>,
) -> Result<Chosen, Refusal> {
    let offered = role_pairs(
        &assertion
            .attribute_values(ROLE_ATTRIBUTE)
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>(),
    )?;
    if offered.is_empty() {
        return Err(missing_role());
    }
    let choice = match presenter {
        Presenter::Sts {
            role_arn,
            principal_arn,
            ..
        } => offered
            .iter()
            .find(|c| c.role_arn == *role_arn && c.provider_arn == *principal_arn)
            .cloned()
            .ok_or_else(not_authorized)?,
        Presenter::SignIn {
            role: Some(role), ..
        } => offered
            .iter()
            .find(|c| c.role_arn == *role)
            .cloned()
            .ok_or_else(not_authorized)?,
        Presenter::SignIn { role: None, .. } if offered.len() > 1 => {
            return Ok(Chosen::Several(offered));
        }
        Presenter::SignIn { role: None, .. } => offered[0].clone(),
    };
    Ok(Chosen::One(choice))
}

/// The chosen pair's provider, whose own certificates must have made the
/// signature (it was checked against every provider the Role attribute named)
/// and whose entity ID must be the Issuer.
fn chosen_provider(
    assertion: &VerifiedAssertion,
    providers: Vec<SamlProvider>,
    choice: &RoleChoice,
) -> Result<SamlProvider, Refusal> {
    let provider = providers
        .into_iter()
        .find(|p| p.arn == choice.provider_arn)
        .ok_or_else(|| {
            Refusal::new(AwsRule::ProviderNotFound)
                .because(format!("No IAM SAML provider {}", choice.provider_arn))
        })?;
    let foreign_signer = [
        &assertion.response_signature,
        &assertion.assertion_signature,
    ]
    .into_iter()
    .filter_map(|status| match status {
        SignatureStatus::Verified { certificate, .. } => Some(certificate),
        SignatureStatus::Absent => None,
    })
    .find(|certificate| !provider.certificates.contains(certificate));
    if let Some(certificate) = foreign_signer {
        return Err(Refusal::new(AwsRule::SignatureInvalid).because(format!(
            "The response was signed by {}, which is not a certificate of {}",
            certificate.subject(),
            provider.arn
        )));
    }
    if assertion.issuer != provider.entity_id {
        return Err(issuer_mismatch(assertion, &provider));
    }
    Ok(provider)
}

/// RoleSessionName: required, `[a-zA-Z_0-9+=,.@-]{2,64}` (API_AssumeRoleWithSAML).
fn check_session_name(assertion: &VerifiedAssertion) -> Result<String, Refusal> {
    let name = single_attribute(assertion, ROLE_SESSION_NAME_ATTRIBUTE)
        .ok_or_else(|| Refusal::new(AwsRule::RoleSessionNameMissing))?;
    if !is_valid_session_name(&name) {
        // actual/expected: the inspector shows the value beside the pattern.
        return Err(Refusal::new(AwsRule::RoleSessionNameInvalid)
            .because(format!("The RoleSessionName is \"{name}\""))
            .context(serde_json::json!({
                "attribute": "RoleSessionName",
                "actual": name,
                "expected": "[a-zA-Z_0-9+=,.@-]{2,64}",
            })));
    }
    Ok(name)
}

/// SessionDuration: optional, whole seconds from 900 to 43200
/// (id_roles_providers_create_saml_assertions).
fn check_session_duration(assertion: &VerifiedAssertion) -> Result<Option<u32>, Refusal> {
    let Some(text) = single_attribute(assertion, SESSION_DURATION_ATTRIBUTE) else {
        return Ok(None);
    };
    match text.parse::<u32>() {
        Ok(seconds) if (900..=43_200).contains(&seconds) => Ok(Some(seconds)),
        _ => Err(
            Refusal::new(AwsRule::SessionDurationInvalid).because(format!(
                "SessionDuration \"{text}\" must be an integer from 900 to 43200"
            )),
        ),
    }
}

/// SourceIdentity: optional, RoleSessionName's pattern, not `aws:`-prefixed.
fn check_source_identity(assertion: &VerifiedAssertion) -> Result<Option<String>, Refusal> {
    let identity = single_attribute(assertion, SOURCE_IDENTITY_ATTRIBUTE);
    if let Some(identity) = &identity
        && (!is_valid_session_name(identity) || identity.to_ascii_lowercase().starts_with("aws:"))
    {
        return Err(Refusal::new(AwsRule::SourceIdentityInvalid)
            .because(format!("The SourceIdentity is \"{identity}\"")));
    }
    Ok(identity)
}

/// Region: STS may be deactivated per region (id_credentials_temp_enable-regions).
fn check_region(account: &Account, region: &str) -> Result<(), Refusal> {
    if account.sts_disabled_regions.iter().any(|r| r == region) {
        return Err(Refusal::new(AwsRule::StsRegionDisabled).worded(format!(
            "STS is not activated in this region for account:{}. Your account administrator can activate STS in this region using the IAM Console.",
            account.id
        )));
    }
    Ok(())
}

/// SCPs: organisations start with the FullAWSAccess SCP attached, so only an
/// explicit deny in the configured SCPs refuses (C19).
fn check_scps(account: &Account, request: &Request<'_>, region: &str) -> Result<(), Refusal> {
    let scps: Vec<&crate::policy::Policy> = account.service_control_policies.iter().collect();
    if matches!(evaluate_all(&scps, request), Decision::ExplicitDeny { .. }) {
        return Err(Refusal::new(AwsRule::ScpDenied).because(format!(
            "A service control policy of account {} denies it in {region}",
            account.id
        )));
    }
    Ok(())
}

/// Trust policy: it must allow the provider to assume the role with this context.
fn check_trust_policy(
    role: &Role,
    provider: &SamlProvider,
    request: &Request<'_>,
    recipient: &str,
) -> Result<(), Refusal> {
    if matches!(role.trust_policy.evaluate(request), Decision::Allow { .. }) {
        return Ok(());
    }
    Err(Refusal::new(AwsRule::TrustPolicy).because(format!(
        "The trust policy of {} does not allow {} to assume it with SAML:aud \"{recipient}\" in this request's context",
        role.arn, provider.arn
    )))
}

/// MaxSessionDuration: STS's DurationSeconds or the SessionDuration attribute
/// (3600 when absent) may not exceed the role's maximum (API_AssumeRoleWithSAML).
fn check_max_session_duration(
    presenter: &Presenter<'_>,
    session_duration: Option<u32>,
    role: &Role,
) -> Result<u32, Refusal> {
    let (requested, source) = match presenter {
        Presenter::Sts {
            duration_seconds, ..
        } => (*duration_seconds, "DurationSeconds"),
        Presenter::SignIn { .. } => (session_duration, "SessionDuration attribute"),
    };
    let seconds = requested.unwrap_or(3600);
    if seconds > role.max_session_duration {
        return Err(Refusal::new(AwsRule::DurationExceedsMax).because(format!(
            "The {source} asks for {seconds} s; {} allows at most {} s",
            role.arn, role.max_session_duration
        )));
    }
    Ok(seconds)
}

/// The SAML attributes AWS copies into the request context of an
/// AssumeRoleWithSAML trust policy, by attribute name (IAM user guide,
/// id_roles_providers_create_saml_assertions, "Mapping SAML attributes to AWS
/// trust policy context keys"; the OIDs are eduPerson's and X.500's).
const ATTRIBUTE_KEYS: &[(&str, &str)] = &[
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1",
        "SAML:edupersonaffiliation",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "SAML:edupersonnickname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "SAML:edupersonorgdn"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.4",
        "SAML:edupersonorgunitdn",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.5",
        "SAML:edupersonprimaryaffiliation",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
        "SAML:edupersonprincipalname",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.7",
        "SAML:edupersonentitlement",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.8",
        "SAML:edupersonprimaryorgunitdn",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
        "SAML:edupersonscopedaffiliation",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.10",
        "SAML:edupersontargetedid",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.11",
        "SAML:edupersonassurance",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "SAML:eduorghomepageuri"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.3",
        "SAML:eduorgidentityauthnpolicyuri",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "SAML:eduorglegalname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "SAML:eduorgsuperioruri"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.6",
        "SAML:eduorgwhitepagesuri",
    ),
    ("urn:oid:2.5.4.3", "SAML:cn"),
    ("urn:oid:2.5.4.42", "SAML:givenName"),
    ("urn:oid:2.5.4.4", "SAML:surname"),
    ("urn:oid:0.9.2342.19200300.100.1.3", "SAML:mail"),
    ("urn:oid:0.9.2342.19200300.100.1.1", "SAML:uid"),
    ("urn:oid:2.5.4.41", "SAML:name"),
    ("urn:oid:2.5.4.45", "SAML:x500UniqueIdentifier"),
];

/// The request context of AssumeRoleWithSAML: the SAML keys (reference_policies_iam-condition-keys,
/// "Available keys for SAML-based AWS STS federation") and the global keys AWS
/// puts in every request (reference_policies_condition-keys): `aws:CurrentTime`
/// (ISO 8601) and `aws:EpochTime` (seconds) from the injected clock, and
/// `aws:SourceIp` when the caller's address is known.
fn trust_context(
    claims: &Claims<'_>,
    provider: &SamlProvider,
    subject_type: &str,
    name_qualifier: &str,
    region: &str,
    facts: &RequestFacts,
) -> Context {
    let assertion = claims.assertion;
    let mut context = Context::new()
        .with("SAML:aud", claims.recipient.clone())
        .with("SAML:iss", assertion.issuer.clone())
        .with("SAML:sub", claims.name_id.value.clone())
        .with("SAML:sub_type", subject_type)
        .with("SAML:namequalifier", name_qualifier)
        // `account-ID/provider-name`: the principal that assumed the role.
        .with(
            "SAML:doc",
            format!("{}/{}", provider.account, provider.name),
        )
        .with("aws:RequestedRegion", region)
        .with(
            "aws:CurrentTime",
            DateTime::from_unix(facts.now).to_string(),
        )
        .with("aws:EpochTime", facts.now.to_string());
    for (attribute, key) in ATTRIBUTE_KEYS {
        let values = assertion.attribute_values(attribute);
        if !values.is_empty() {
            context = context.with_values(key, values);
        }
    }
    if let Some(ip) = facts.source_ip {
        context = context.with("aws:SourceIp", ip.to_string());
    }
    context
}

/// The Role attribute's values as pairs; AWS accepts role and provider in either
/// order (aws-facts: "The docs show role first; AWS accepts either order").
fn role_pairs(values: &[String]) -> Result<Vec<RoleChoice>, Refusal> {
    let mut pairs = Vec::new();
    for value in values {
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        let pair = match parts.as_slice() {
            [a, b] if is_role_arn(a) && is_provider_arn(b) => RoleChoice {
                role_arn: (*a).to_owned(),
                provider_arn: (*b).to_owned(),
            },
            [a, b] if is_provider_arn(a) && is_role_arn(b) => RoleChoice {
                role_arn: (*b).to_owned(),
                provider_arn: (*a).to_owned(),
            },
            _ => {
                return Err(Refusal::new(AwsRule::RoleAttributeMalformed).because(
                    format!("The Role value \"{value}\" is not a role ARN and a saml-provider ARN separated by a comma"),
                ));
            }
        };
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    Ok(pairs)
}

fn is_role_arn(text: &str) -> bool {
    text.starts_with("arn:aws") && text.contains(":role/")
}

fn is_provider_arn(text: &str) -> bool {
    text.starts_with("arn:aws") && text.contains(":saml-provider/")
}

/// `[a-zA-Z_0-9+=,.@-]{2,64}` (API_AssumeRoleWithSAML).
pub fn is_valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// `SubjectType`: the format with `urn:oasis:names:tc:SAML:2.0:nameid-format:`
/// removed (`persistent`, `transient`); other formats whole (API_AssumeRoleWithSAML).
pub fn subject_type(format: Option<&str>) -> String {
    let format = format.unwrap_or("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified");
    format
        .strip_prefix("urn:oasis:names:tc:SAML:2.0:nameid-format:")
        .unwrap_or(format)
        .to_owned()
}

/// `NameQualifier` = base64(SHA-1(Issuer + AccountId + "/" + ProviderName)).
pub fn name_qualifier(issuer: &str, account: &str, provider_name: &str) -> String {
    let digest = Sha1::digest(format!("{issuer}{account}/{provider_name}").as_bytes());
    STANDARD.encode(digest)
}

fn single_attribute(assertion: &VerifiedAssertion, name: &str) -> Option<String> {
    assertion
        .attribute_values(name)
        .first()
        .map(|v| (*v).to_owned())
}

fn missing_role() -> Refusal {
    Refusal::new(AwsRule::RoleAttributeMissing)
        .because("The assertion has no https://aws.amazon.com/SAML/Attributes/Role attribute")
}

fn not_authorized() -> Refusal {
    Refusal::new(AwsRule::RoleNotAuthorized)
}

/// samlsim's own failure (its database), as AWS's InternalFailure.
pub(crate) fn internal(error: impl std::fmt::Display) -> Refusal {
    Refusal::new(AwsRule::Internal).because(format!("The mock AWS failed: {error}"))
}

/// The values of attribute `name` in an unverified document: only to learn which
/// provider's certificates to verify with, never to decide anything else.
fn unverified_attribute_values(doc: &Document, name: &str) -> Vec<String> {
    const ASSERTION_NS: &str = samlsim_saml::signature::ASSERTION_NS;
    let attributes = doc
        .descendants(doc.document_node())
        .filter(|&n| doc.is_element(n, ASSERTION_NS, "Attribute"))
        .filter(|&n| doc.element(n).and_then(|e| e.attribute("Name")) == Some(name));
    attributes
        .flat_map(|a| {
            doc.children_named(a, ASSERTION_NS, "AttributeValue")
                .collect::<Vec<NodeId>>()
        })
        .map(|v| doc.text_content(v).trim().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_pairs_come_in_either_order() {
        let values = vec![
            "arn:aws:iam::123456789012:role/A,arn:aws:iam::123456789012:saml-provider/P".to_owned(),
            "arn:aws:iam::123456789012:saml-provider/P, arn:aws:iam::123456789012:role/B"
                .to_owned(),
        ];
        let pairs = role_pairs(&values).unwrap();
        assert_eq!(pairs[1].role_arn, "arn:aws:iam::123456789012:role/B");
        assert_eq!(
            pairs[1].provider_arn,
            "arn:aws:iam::123456789012:saml-provider/P"
        );
        assert!(role_pairs(&["arn:aws:iam::1:role/A".to_owned()]).is_err());
    }

    #[test]
    fn session_names_follow_the_sts_pattern() {
        for good in ["alice", "jdoe", "a.b@example.com", "x_y-z+=,"] {
            assert!(is_valid_session_name(good), "{good}");
        }
        for bad in ["x", "o'brien", "mary ann", "ümlaut", &"a".repeat(65)] {
            assert!(!is_valid_session_name(bad), "{bad}");
        }
    }

    #[test]
    fn subject_type_and_name_qualifier() {
        assert_eq!(
            subject_type(Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")),
            "persistent"
        );
        assert_eq!(
            subject_type(Some(
                "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
            )),
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
        );
        // base64(sha1("https://idp.example.com/metadata" + "123456789012/ExampleIdP")).
        let expected = STANDARD.encode(Sha1::digest(
            b"https://idp.example.com/metadata123456789012/ExampleIdP",
        ));
        assert_eq!(
            name_qualifier(
                "https://idp.example.com/metadata",
                "123456789012",
                "ExampleIdP"
            ),
            expected
        );
    }
}
