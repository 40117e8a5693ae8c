//! What AWS checks before it lets a SAML assertion assume a role: one pipeline
//! shared by the browser sign-in endpoint (C5) and the STS `AssumeRoleWithSAML` API,
//! so both refuse the same things with the same words.
//!
//! The rules and their wording come from the IAM user guide
//! (id_roles_providers_create_saml_assertions, troubleshoot_saml) and the STS API
//! reference (API_AssumeRoleWithSAML), restated in `shared/docs/aws-facts.md`.
//! Each refusal carries AWS's error code, its HTTP status, AWS's message where it
//! is known, and a `rule` naming the check for the event log and tests.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlsim_saml::binding::{Limits, decode_post};
use samlsim_saml::response::{
    ReceivedResponse, SignatureStatus, VerifiedAssertion, parse_response,
};
use samlsim_saml::uri::status;
use samlsim_saml::{DateTime, SamlError};
use samlsim_service::UnixTime;
use samlsim_xml::{Document, NodeId};
use sha1::{Digest, Sha1};

use crate::iam::{Iam, IamError, Role, SamlProvider};
use crate::policy::{Context, Decision, Principal, Request, evaluate_all};

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

/// AWS's message for an assertion it will not take, on the sign-in page.
pub const INVALID_RESPONSE: &str = "Your request included an invalid SAML response.";

/// A refusal, as AWS words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The STS error code: `InvalidIdentityToken`, `ExpiredTokenException`, ...
    pub code: &'static str,
    /// The HTTP status STS answers with.
    pub status: u16,
    /// AWS's own words, as STS and the sign-in page show them.
    pub message: String,
    /// The check that failed, for the event log and tests.
    pub rule: &'static str,
    /// samlsim's explanation of what exactly was wrong (AWS says less).
    pub detail: Option<String>,
}

impl Refusal {
    pub fn new(
        code: &'static str,
        status: u16,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Refusal {
            code,
            status,
            message: message.into(),
            rule,
            detail: None,
        }
    }

    /// Adds samlsim's explanation.
    pub fn because(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    fn invalid(rule: &'static str, message: impl Into<String>) -> Self {
        Refusal::new("InvalidIdentityToken", 400, rule, message)
    }

    fn denied(rule: &'static str, message: impl Into<String>) -> Self {
        Refusal::new("AccessDenied", 403, rule, message)
    }
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
/// `presenter` at `now`. Does not record the assertion as used: the sign-in
/// endpoint does, with [`crate::state::State::consume_assertion`], once the
/// session is made; STS never does (AWS lets an assertion be redeemed repeatedly).
pub fn check(
    iam: &Iam,
    saml_response: &str,
    presenter: &Presenter<'_>,
    now: UnixTime,
) -> Result<Outcome, Refusal> {
    let xml = decode_post(saml_response, &Limits::default()).map_err(|e| {
        Refusal::invalid("saml-not-base64", INVALID_RESPONSE).because(format!(
            "The SAML response is not base64 of an XML document: {e}"
        ))
    })?;
    let received = parse_response(&xml).map_err(|e| {
        Refusal::invalid("saml-malformed", INVALID_RESPONSE).because(format!(
            "The SAML response is not a readable samlp:Response: {e}"
        ))
    })?;
    let status_code = received.envelope.status.code.as_str();
    if status_code != status::SUCCESS {
        return Err(
            Refusal::invalid("saml-status-not-success", INVALID_RESPONSE).because(format!(
                "The IdP answered with status {status_code}{}",
                received
                    .envelope
                    .status
                    .message
                    .as_deref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            )),
        );
    }

    // The provider whose certificates must verify the assertion: STS names it;
    // sign-in learns it from the (yet unverified) Role attribute, then checks again
    // on the verified copy below.
    let offered_unverified = role_pairs(&unverified_attribute_values(
        received.document(),
        ROLE_ATTRIBUTE,
    ))?;
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
        if let Some(provider) = iam.provider(arn).map_err(store_failure)? {
            providers.push(provider);
        }
    }
    if providers.is_empty() {
        return Err(
            Refusal::invalid("provider-not-found", "Specified provider doesn't exist.")
                .because(format!("No IAM SAML provider {}", provider_arns.join(", "))),
        );
    }
    let certificates: Vec<_> = providers
        .iter()
        .flat_map(|p| p.certificates.iter().cloned())
        .collect();
    let assertion = verify(&received, &certificates)?;
    check_assertion(iam, &assertion, presenter, providers, now)
}

fn verify(
    received: &ReceivedResponse,
    certificates: &[samlsim_crypto::Certificate],
) -> Result<VerifiedAssertion, Refusal> {
    received.verify(certificates).map_err(|e| match e {
        SamlError::Signature { .. } | SamlError::Unsigned | SamlError::NoTrustedCertificate => {
            Refusal::invalid("signature-invalid", "Response signature invalid")
                .because(e.to_string())
        }
        other => Refusal::invalid("saml-malformed", INVALID_RESPONSE).because(other.to_string()),
    })
}

fn check_assertion(
    iam: &Iam,
    assertion: &VerifiedAssertion,
    presenter: &Presenter<'_>,
    providers: Vec<crate::iam::SamlProvider>,
    now: UnixTime,
) -> Result<Outcome, Refusal> {
    // From here on only the verified copy is read.
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

    let name_id = assertion
        .name_id
        .as_ref()
        .filter(|n| !n.value.is_empty())
        .ok_or_else(|| {
            not_authorized().because("The assertion's Subject has no NameID, which AWS requires")
        })?;
    let [confirmation] = assertion.subject_confirmations.as_slice() else {
        return Err(
            Refusal::invalid("subject-confirmation-count", INVALID_RESPONSE).because(format!(
                "AWS requires exactly one SubjectConfirmation, found {}",
                assertion.subject_confirmations.len()
            )),
        );
    };
    let recipient = confirmation.recipient.clone().ok_or_else(|| {
        Refusal::invalid("recipient-missing", INVALID_RESPONSE)
            .because("SubjectConfirmationData has no Recipient")
    })?;
    let not_on_or_after = confirmation.not_on_or_after.ok_or_else(|| {
        Refusal::invalid("not-on-or-after-missing", INVALID_RESPONSE)
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
        return Err(
            Refusal::invalid("recipient-mismatch", INVALID_RESPONSE).because(format!(
                "Recipient \"{recipient}\" does not match {expected}"
            )),
        );
    }

    // SAML core 2.5.1.4: the assertion is addressed to an SP only if every
    // AudienceRestriction names it.
    let restrictions: Vec<&Vec<String>> = assertion
        .conditions
        .iter()
        .flat_map(|c| c.audience_restrictions.iter())
        .collect();
    let addressed_to_aws = !restrictions.is_empty()
        && restrictions
            .iter()
            .all(|r| r.iter().any(|a| AUDIENCES.contains(&a.as_str())));
    if !addressed_to_aws {
        let named: Vec<String> = restrictions
            .iter()
            .flat_map(|r| r.iter())
            .map(|a| format!("\"{a}\""))
            .collect();
        return Err(Refusal::invalid("audience-mismatch", "Response does not contain the required audience.").because(
            format!(
                "Every AudienceRestriction must include https://signin.aws.amazon.com/saml or urn:amazon:webservices; the assertion names {}",
                if named.is_empty() { "none".to_owned() } else { named.join(", ") }
            ),
        ));
    }

    check_times(assertion, not_on_or_after, now)?;

    let session_name =
        single_attribute(assertion, ROLE_SESSION_NAME_ATTRIBUTE).ok_or_else(|| {
            Refusal::invalid(
                "role-session-name-missing",
                "RoleSessionName is required in AuthnResponse",
            )
        })?;
    if !is_valid_session_name(&session_name) {
        return Err(Refusal::invalid(
            "role-session-name-invalid",
            "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
        ));
    }
    let session_duration = match single_attribute(assertion, SESSION_DURATION_ATTRIBUTE) {
        None => None,
        Some(text) => Some(
            text.parse::<u32>()
                .ok()
                .filter(|d| (900..=43_200).contains(d))
                .ok_or_else(|| {
                    Refusal::invalid("session-duration-invalid", INVALID_RESPONSE).because(format!(
                        "SessionDuration \"{text}\" must be an integer from 900 to 43200"
                    ))
                })?,
        ),
    };
    let source_identity = single_attribute(assertion, SOURCE_IDENTITY_ATTRIBUTE);
    if let Some(identity) = &source_identity
        && (!is_valid_session_name(identity) || identity.to_ascii_lowercase().starts_with("aws:"))
    {
        return Err(Refusal::invalid(
            "source-identity-invalid",
            "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\"",
        ));
    }

    // Which role: STS names it; sign-in takes the only one, or the chosen one.
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
            return Ok(Outcome::ChooseRole(offered));
        }
        Presenter::SignIn { role: None, .. } => offered[0].clone(),
    };
    let provider = providers
        .into_iter()
        .find(|p| p.arn == choice.provider_arn)
        .ok_or_else(|| {
            Refusal::invalid("provider-not-found", "Specified provider doesn't exist.")
        })?;
    // The signature was checked against every provider the Role attribute named;
    // the one that counts is the chosen pair's provider, whose own certificates
    // must have made it.
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
        return Err(
            Refusal::invalid("signature-invalid", "Response signature invalid").because(format!(
                "The response was signed by {}, which is not a certificate of {}",
                certificate.subject(),
                provider.arn
            )),
        );
    }
    if assertion.issuer != provider.entity_id {
        return Err(Refusal::invalid("issuer-mismatch", "Issuer not present in specified provider").because(format!(
            "The assertion's Issuer is \"{}\"; {} was created from metadata whose entityID is \"{}\"",
            assertion.issuer, provider.arn, provider.entity_id
        )));
    }

    let region = presenter.region();
    let account = iam
        .account(&provider.account)
        .map_err(store_failure)?
        .ok_or_else(not_authorized)?;
    if account.sts_disabled_regions.iter().any(|r| r == region) {
        return Err(Refusal::new(
            "RegionDisabledException",
            403,
            "sts-region-disabled",
            format!(
                "STS is not activated in this region for account:{}. Your account administrator can activate STS in this region using the IAM Console.",
                account.id
            ),
        ));
    }
    let role = iam
        .role(&choice.role_arn)
        .map_err(store_failure)?
        .ok_or_else(not_authorized)?;
    let subject_type = subject_type(name_id.format.as_deref());
    let name_qualifier = name_qualifier(&assertion.issuer, &provider.account, &provider.name);
    let context = Context::new()
        .with("SAML:aud", recipient.clone())
        .with("SAML:iss", assertion.issuer.clone())
        .with("SAML:sub", name_id.value.clone())
        .with("SAML:sub_type", subject_type.clone())
        .with("SAML:namequalifier", name_qualifier.clone())
        .with("aws:RequestedRegion", region.to_owned());
    let request = Request {
        action: "sts:AssumeRoleWithSAML",
        resource: Some(&role.arn),
        principal: Some(Principal::Federated(&provider.arn)),
        context: &context,
    };
    let scps: Vec<&crate::policy::Policy> = account.service_control_policies.iter().collect();
    // Organisations start with the FullAWSAccess SCP attached, so only an explicit
    // deny in the configured SCPs refuses (C19).
    if matches!(evaluate_all(&scps, &request), Decision::ExplicitDeny { .. }) {
        return Err(Refusal::denied(
            "scp-denied",
            "Not authorized to perform sts:AssumeRoleWithSAML",
        )
        .because(format!(
            "A service control policy of account {} denies it in {region}",
            account.id
        )));
    }
    if !matches!(role.trust_policy.evaluate(&request), Decision::Allow { .. }) {
        return Err(Refusal::denied(
            "trust-policy",
            "Not authorized to perform sts:AssumeRoleWithSAML",
        )
        .because(format!(
            "The trust policy of {} does not allow {} to assume it with SAML:aud \"{recipient}\"",
            role.arn, provider.arn
        )));
    }

    let requested = match presenter {
        Presenter::Sts {
            duration_seconds, ..
        } => {
            let seconds = duration_seconds.unwrap_or(3600);
            if seconds > role.max_session_duration {
                return Err(Refusal::new(
                    "ValidationError",
                    400,
                    "duration-exceeds-max",
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                ));
            }
            seconds
        }
        Presenter::SignIn { .. } => {
            let seconds = session_duration.unwrap_or(3600);
            if seconds > role.max_session_duration {
                return Err(Refusal::new(
                    "ValidationError",
                    400,
                    "duration-exceeds-max",
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                )
                .because(format!(
                    "The SessionDuration attribute asks for {seconds} s; {} allows at most {} s",
                    role.arn, role.max_session_duration
                )));
            }
            seconds
        }
    };
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
        assertion_expires_at: not_on_or_after.unix_seconds() + CLOCK_SKEW,
        role_session_name: session_name,
        subject: name_id.value.clone(),
        subject_type,
        issuer: assertion.issuer.clone(),
        audience: recipient,
        name_qualifier,
        source_identity,
        duration: expires_at - now,
        expires_at,
        region: region.to_owned(),
        provider,
        role,
    })))
}

/// NotBefore / NotOnOrAfter of the confirmation and the Conditions, with AWS's skew.
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
            return Err(Refusal::new("ExpiredTokenException", 400, "assertion-expired", "Response has expired").because(
                format!(
                    "The assertion was valid until {end} and it is now {} (samlsim allows {CLOCK_SKEW} s of clock skew)",
                    DateTime::from_unix(now)
                ),
            ));
        }
    }
    if now > assertion.issue_instant.unix_seconds() + REDEEM_WITHIN + CLOCK_SKEW {
        return Err(Refusal::new(
            "ExpiredTokenException",
            400,
            "assertion-expired",
            "Token must be redeemed within 5 minutes of issuance",
        )
        .because(format!(
            "The assertion was issued at {}",
            assertion.issue_instant
        )));
    }
    if let Some(start) = not_before
        && now + CLOCK_SKEW < start.unix_seconds()
    {
        return Err(
            Refusal::invalid("assertion-not-yet-valid", INVALID_RESPONSE).because(format!(
                "The assertion is not valid before {start} (it is now {})",
                DateTime::from_unix(now)
            )),
        );
    }
    Ok(())
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
                return Err(Refusal::invalid("role-attribute-malformed", format!("{INVALID_RESPONSE} To logout, click here.")).because(
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
    Refusal::invalid(
        "role-attribute-missing",
        format!("{INVALID_RESPONSE} To logout, click here."),
    )
    .because("The assertion has no https://aws.amazon.com/SAML/Attributes/Role attribute")
}

fn not_authorized() -> Refusal {
    Refusal::denied(
        "role-not-authorized",
        "Not authorized to perform sts:AssumeRoleWithSAML",
    )
}

fn store_failure(error: IamError) -> Refusal {
    Refusal::new(
        "InternalFailure",
        500,
        "internal-error",
        "An internal error occurred.",
    )
    .because(format!("The mock AWS failed: {error}"))
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
