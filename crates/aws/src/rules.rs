//! Every refusal the mock AWS makes, as one table: AWS's error code, HTTP status
//! and wording, samlsim's explanation (with the AWS or SAML document it comes
//! from) and fix, and the seed behaviours the rule implements.
//!
//! Sources, restated in `shared/docs/aws-facts.md`: the IAM user guide pages
//! id_roles_providers_create_saml_assertions and troubleshoot_saml, the STS API
//! reference API_AssumeRoleWithSAML and its CommonErrors, SAML core 2.0.
//!
//! Every assertion rule lists C5 first: the event log places a refusal at the
//! rule's first behaviour, and all of them are refusals of the sign-in step.

use samlsim_service::Outcome;

/// AWS's words for an assertion it cannot use, on the sign-in page
/// (troubleshoot_saml).
pub const INVALID_RESPONSE: &str = "Your request included an invalid SAML response.";

pub use table::AwsRule;

/// The table alone, so the lint below covers only it: a row giving every field
/// (Internal) leaves the macro's `..RuleSpec::DEFAULT` with nothing to fill.
mod table {
    #![allow(clippy::needless_update)]
    use super::{INVALID_RESPONSE, Outcome};

    samlsim_service::rules! {
        /// What the mock AWS (sign-in, STS, console) refuses.
        pub enum AwsRule for "aws" {
            /// The SAMLResponse field is not base64 of XML.
            SamlNotBase64 {
                name: "saml-not-base64",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The HTTP-POST binding carries the response as base64 of an XML document (SAML bindings 3.5.4).",
                fix: "Post the IdP's samlp:Response base64-encoded, as the HTTP-POST binding requires, without URL- or double-encoding it.",
                behaviours: &["C5"],
            },
            /// Not a readable `samlp:Response`.
            SamlMalformed {
                name: "saml-malformed",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The document is not a SAML 2.0 samlp:Response with one assertion (SAML core 3.3.3, 2.3.3).",
                fix: "Send a samlp:Response containing one saml:Assertion, as the IdP's SAML 2.0 Web SSO profile builds it.",
                behaviours: &["C5"],
            },
            /// The IdP answered with a status other than Success.
            SamlStatusNotSuccess {
                name: "saml-status-not-success",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "Only a response whose top-level StatusCode is urn:oasis:names:tc:SAML:2.0:status:Success carries an assertion to use (SAML core 3.2.2.2).",
                fix: "Look at the IdP's log: it refused to authenticate the user and said why in the StatusMessage.",
                behaviours: &["C5"],
            },
            /// An encrypted assertion that does not decrypt with the provider's
            /// private keys, or whose signature inside does not verify: one
            /// answer for every failure, so the answer is no decryption oracle.
            EncryptedAssertionInvalid {
                name: "encrypted-assertion-invalid",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "AWS decrypts an EncryptedAssertion with the private keys added to the IAM SAML provider (AddPrivateKey; CreateSAMLProvider, UpdateSAMLProvider), then checks the signature of the assertion inside. AWS documents no separate wording for a key that matches none (troubleshoot_saml lists only the key-management errors), so the sign-in page says what it says of any unusable response. samlsim gives every decryption or signature failure of an encrypted assertion this one answer, as a receiver must (Jager and Somorovsky, \"How To Break XML Encryption\"; xmlenc-core1 §6.1); what exactly failed is in the event log.",
                fix: "Give the IAM SAML provider the private key whose certificate the IdP encrypts to (UpdateSAMLProvider AddPrivateKey; keep the old key while rotating), and have the IdP sign the assertion before encrypting it.",
                behaviours: &["C5"],
            },
            /// The provider's AssertionEncryptionMode is Required and the assertion is plain.
            EncryptionRequired {
                name: "encryption-required",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "An IAM SAML provider whose AssertionEncryptionMode is Required accepts only encrypted assertions (CreateSAMLProvider, UpdateSAMLProvider: AssertionEncryptionMode).",
                fix: "Turn on assertion encryption at the IdP with the certificate of the provider's private key, or set the provider's AssertionEncryptionMode to Allowed.",
                behaviours: &["C5"],
            },
            /// The signature does not verify with the provider's certificates.
            SignatureInvalid {
                name: "signature-invalid",
                code: "InvalidIdentityToken",
                headline: "Response signature invalid",
                explanation: "AWS verifies the response or assertion signature with the certificates of the IAM SAML provider's metadata (troubleshoot_saml).",
                fix: "Load the IdP's current metadata into the IAM SAML provider (its signing certificate changed, or the response was altered).",
                behaviours: &["C5"],
            },
            /// The assertion's Issuer is not the provider's entity ID.
            IssuerMismatch {
                name: "issuer-mismatch",
                code: "InvalidIdentityToken",
                headline: "Issuer not present in specified provider",
                explanation: "The Issuer must be the entityID of the metadata the IAM SAML provider was created from (troubleshoot_saml).",
                fix: "The assertion's Issuer must be the entityID of the metadata the IAM SAML provider was created from.",
                behaviours: &["C5", "C8"],
            },
            /// The Role attribute names a provider IAM does not have.
            ProviderNotFound {
                name: "provider-not-found",
                code: "InvalidIdentityToken",
                headline: "Specified provider doesn't exist.",
                explanation: "The provider ARN of the Role attribute (or STS's PrincipalArn) must name an IAM SAML provider of the role's account (troubleshoot_saml).",
                fix: "Create the IAM SAML provider the Role attribute names, or fix the provider ARN in the IdP's Role attribute.",
                behaviours: &["C5", "C8"],
            },
            /// Not exactly one SubjectConfirmation.
            SubjectConfirmationCount {
                name: "subject-confirmation-count",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "AWS requires exactly one SubjectConfirmation with a SubjectConfirmationData carrying Recipient and NotOnOrAfter (id_roles_providers_create_saml_assertions).",
                fix: "Configure the IdP to send a single bearer SubjectConfirmation.",
                behaviours: &["C5"],
            },
            /// SubjectConfirmationData has no Recipient.
            RecipientMissing {
                name: "recipient-missing",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The Recipient attribute must name the AWS sign-in endpoint (id_roles_providers_create_saml_assertions).",
                fix: "Set the IdP's ACS URL (Recipient) to the AWS sign-in SAML endpoint.",
                behaviours: &["C5", "C17"],
            },
            /// SubjectConfirmationData has no NotOnOrAfter.
            NotOnOrAfterMissing {
                name: "not-on-or-after-missing",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "SubjectConfirmationData must carry NotOnOrAfter (id_roles_providers_create_saml_assertions; SAML profiles 4.1.4.2).",
                fix: "Configure the IdP to bound the bearer confirmation with NotOnOrAfter.",
                behaviours: &["C5"],
            },
            /// The Recipient is not this endpoint.
            RecipientMismatch {
                name: "recipient-mismatch",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The Recipient must match the sign-in endpoint URL the response was posted to (id_roles_providers_create_saml_assertions).",
                fix: "Set the IdP's ACS URL to this sign-in endpoint (C13, C17).",
                behaviours: &["C5", "C13", "C17"],
            },
            /// No AudienceRestriction names AWS.
            AudienceMismatch {
                name: "audience-mismatch",
                code: "InvalidIdentityToken",
                headline: "Response does not contain the required audience.",
                explanation: "Every AudienceRestriction must name https://signin.aws.amazon.com/saml or urn:amazon:webservices (SAML core 2.5.1.4; id_roles_providers_create_saml_assertions).",
                fix: "Set the IdP's audience (SP entity ID) to urn:amazon:webservices.",
                behaviours: &["C5"],
            },
            /// The assertion's validity has ended, or it was issued too long ago.
            AssertionExpired {
                name: "assertion-expired",
                code: "ExpiredTokenException",
                headline: "Response has expired",
                explanation: "AWS refuses an assertion after its NotOnOrAfter, and one issued more than five minutes ago (API_AssumeRoleWithSAML: ExpiredTokenException).",
                fix: "Check the IdP's clock and assertion lifetime; the browser must post the assertion within its validity.",
                behaviours: &["C5"],
            },
            /// The assertion's NotBefore is in the future.
            AssertionNotYetValid {
                name: "assertion-not-yet-valid",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "An assertion is not valid before its Conditions' NotBefore (SAML core 2.5.1.2).",
                fix: "Check the IdP's clock: it issues assertions valid only in the future.",
                behaviours: &["C5"],
            },
            /// The assertion was already used at the sign-in endpoint.
            AssertionReplayed {
                name: "assertion-replayed",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "A bearer assertion is accepted once (SAML profiles 4.1.4.5); samlsim enforces it at the sign-in endpoint, while STS, as AWS does, lets one assertion be redeemed repeatedly.",
                fix: "Sign in at the IdP again: each assertion can be used once.",
                behaviours: &["C5"],
            },
            /// No Role attribute.
            RoleAttributeMissing {
                name: "role-attribute-missing",
                code: "InvalidIdentityToken",
                headline: "Your request included an invalid SAML response. To logout, click here.",
                explanation: "The https://aws.amazon.com/SAML/Attributes/Role attribute is required (id_roles_providers_create_saml_assertions).",
                fix: "Send https://aws.amazon.com/SAML/Attributes/Role as role-arn,provider-arn pairs (C11).",
                behaviours: &["C5", "C11"],
            },
            /// A Role value is not a role ARN and a provider ARN.
            RoleAttributeMalformed {
                name: "role-attribute-malformed",
                code: "InvalidIdentityToken",
                headline: "Your request included an invalid SAML response. To logout, click here.",
                explanation: "Each Role value is a role ARN and a saml-provider ARN separated by a comma, in either order (id_roles_providers_create_saml_assertions).",
                fix: "Send https://aws.amazon.com/SAML/Attributes/Role as role-arn,provider-arn pairs (C11).",
                behaviours: &["C5", "C11"],
            },
            /// No RoleSessionName attribute.
            RoleSessionNameMissing {
                name: "role-session-name-missing",
                code: "InvalidIdentityToken",
                headline: "RoleSessionName is required in AuthnResponse",
                explanation: "The https://aws.amazon.com/SAML/Attributes/RoleSessionName attribute is required (id_roles_providers_create_saml_assertions).",
                fix: "Add the https://aws.amazon.com/SAML/Attributes/RoleSessionName attribute (C11).",
                behaviours: &["C5", "C11"],
            },
            /// The RoleSessionName breaks STS's pattern.
            RoleSessionNameInvalid {
                name: "role-session-name-invalid",
                code: "InvalidIdentityToken",
                headline: "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
                explanation: "RoleSessionName must match [a-zA-Z_0-9+=,.@-]{2,64} (API_AssumeRoleWithSAML).",
                fix: "Map RoleSessionName from a user attribute whose values match [a-zA-Z_0-9+=,.@-]{2,64} (C24).",
                behaviours: &["C5", "C24"],
            },
            /// The SessionDuration attribute is not 900..=43200.
            SessionDurationInvalid {
                name: "session-duration-invalid",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The SessionDuration attribute is an integer number of seconds from 900 to 43200 (id_roles_providers_create_saml_assertions).",
                fix: "Send https://aws.amazon.com/SAML/Attributes/SessionDuration as whole seconds between 900 and 43200.",
                behaviours: &["C5"],
            },
            /// The SourceIdentity attribute breaks STS's pattern.
            SourceIdentityInvalid {
                name: "source-identity-invalid",
                code: "InvalidIdentityToken",
                headline: "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\"",
                explanation: "SourceIdentity follows RoleSessionName's pattern and may not start with aws: (API_AssumeRoleWithSAML).",
                fix: "Map SourceIdentity from an attribute whose values match [a-zA-Z_0-9+=,.@-]{2,64}.",
                behaviours: &["C5"],
            },
            /// The chosen or named role is not offered, or does not exist.
            RoleNotAuthorized {
                name: "role-not-authorized",
                status: 403,
                code: "AccessDenied",
                headline: "Not authorized to perform sts:AssumeRoleWithSAML",
                explanation: "The role must be one the assertion's Role attribute offers with this provider, and must exist in IAM (API_AssumeRoleWithSAML).",
                fix: "Add the role-arn,provider-arn pair to the IdP's Role attribute, and create the role in IAM.",
                behaviours: &["C5", "C11"],
            },
            /// STS is deactivated in the region.
            StsRegionDisabled {
                name: "sts-region-disabled",
                status: 403,
                code: "RegionDisabledException",
                headline: "STS is not activated in this region for this account.",
                explanation: "An account administrator can deactivate STS per region; requests there get RegionDisabledException (id_credentials_temp_enable-regions).",
                fix: "Activate STS in this region (IAM console, account settings) (C19).",
                behaviours: &["C5", "C19"],
            },
            /// A service control policy denies the call.
            ScpDenied {
                name: "scp-denied",
                status: 403,
                code: "AccessDenied",
                headline: "Not authorized to perform sts:AssumeRoleWithSAML",
                explanation: "A service control policy's explicit deny applies to every principal of the account (orgs_manage_policies_scps; reference_policies_evaluation-logic).",
                fix: "A service control policy denies sts:AssumeRoleWithSAML in this region (C19).",
                behaviours: &["C5", "C19"],
            },
            /// The role's trust policy does not allow this provider.
            TrustPolicy {
                name: "trust-policy",
                status: 403,
                code: "AccessDenied",
                headline: "Not authorized to perform sts:AssumeRoleWithSAML",
                explanation: "The role's trust policy must allow sts:AssumeRoleWithSAML for the Federated principal of the provider, with its conditions met (id_roles_create_for-idp_saml).",
                fix: "The role's trust policy must allow sts:AssumeRoleWithSAML by this provider, and its SAML:aud must list this endpoint (C18).",
                behaviours: &["C5", "C9", "C18"],
            },
            /// The requested duration exceeds the role's maximum.
            DurationExceedsMax {
                name: "duration-exceeds-max",
                code: "ValidationError",
                headline: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                explanation: "DurationSeconds (or the SessionDuration attribute) may not exceed the role's MaxSessionDuration (API_AssumeRoleWithSAML).",
                fix: "Ask for at most the role's MaxSessionDuration, or raise the role's MaxSessionDuration.",
                behaviours: &["C5"],
            },
            /// The sign-in endpoint was not reached by POST.
            MethodNotPost {
                name: "method-not-post",
                status: 405,
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The sign-in SAML endpoint takes a SAMLResponse by HTTP POST (SAML bindings 3.5); a GET carries none.",
                fix: "Configure the IdP to use the HTTP-POST binding towards AWS.",
                behaviours: &["C5"],
            },
            /// The POST has no SAMLResponse.
            SamlResponseMissing {
                name: "saml-response-missing",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The HTTP-POST binding carries the response in a form field named SAMLResponse (SAML bindings 3.5.4).",
                fix: "Post the response in the SAMLResponse field.",
                behaviours: &["C5"],
            },
            /// Something under the STS endpoint root.
            StsPath {
                name: "sts-path",
                code: "InvalidAction",
                headline: "STS is served at the endpoint root.",
                explanation: "The query protocol posts every action to the endpoint root (botocore sts/2011-06-15/service-2.json).",
                fix: "Point the SDK's endpoint URL at the STS host itself, e.g. http://127.0.0.1:7575/aws/sts.amazonaws.com.",
                behaviours: &["C5"],
            },
            /// No Action parameter.
            StsMissingAction {
                name: "sts-missing-action",
                code: "MissingAction",
                headline: "Missing Action",
                explanation: "A query-protocol request names its operation in the Action parameter (STS CommonParameters).",
                fix: "Send Action=AssumeRoleWithSAML and Version=2011-06-15.",
                behaviours: &["C5"],
            },
            /// An STS action the mock does not emulate.
            StsUnsupportedAction {
                name: "sts-unsupported-action",
                code: "InvalidAction",
                headline: "Could not find operation for version 2011-06-15",
                explanation: "The mock STS emulates AssumeRoleWithSAML only; AWS answers unknown actions with InvalidAction (STS CommonErrors).",
                fix: "Call AssumeRoleWithSAML; other STS actions are not emulated.",
                behaviours: &["C5"],
            },
            /// A query-protocol Action at the base URL that no emulated AWS API has.
            UnknownQueryAction {
                name: "unknown-query-action",
                code: "InvalidAction",
                headline: "No emulated AWS API has this action",
                explanation: "A query-protocol request (Action=…) reached the emulator's base URL; samlsim routes STS actions to its mock STS, and no other query-protocol API (IAM, …) is emulated.",
                fix: "Call an emulated API: STS AssumeRoleWithSAML, Connect, or the cognito-idp API.",
                behaviours: &["C5"],
            },
            /// A JSON or REST request at the base URL for a service samlsim does not emulate.
            UnknownApiOperation {
                name: "unknown-api-operation",
                code: "UnknownOperationException",
                headline: "No emulated AWS API serves this request",
                explanation: "The request reached the emulator's base URL; samlsim routes it by X-Amz-Target (cognito-idp) or the SigV4 credential scope's service (sts, connect, cognito-idp), and neither names an emulated API.",
                fix: "Call an emulated API (STS, Connect, cognito-idp), or use its host-as-path URL, /aws/<host>/.",
                behaviours: &["C5"],
            },
            /// A Version other than 2011-06-15.
            StsVersion {
                name: "sts-version",
                code: "InvalidAction",
                headline: "Could not find operation for this version",
                explanation: "STS's only API version is 2011-06-15 (STS CommonParameters).",
                fix: "Send Version=2011-06-15.",
                behaviours: &["C5"],
            },
            /// A parameter breaks its documented constraints.
            StsValidation {
                name: "sts-validation",
                code: "ValidationError",
                headline: "1 validation error detected",
                explanation: "Parameters must satisfy the constraints of API_AssumeRoleWithSAML (lengths, ARN shapes, DurationSeconds 900 to 43200).",
                fix: "Send RoleArn, PrincipalArn and SAMLAssertion within their documented lengths, and a DurationSeconds from 900 to 43200.",
                behaviours: &["C5"],
            },
            /// The session Policy is not a policy.
            SessionPolicyMalformed {
                name: "session-policy-malformed",
                code: "MalformedPolicyDocument",
                headline: "The policy is not in the valid JSON format.",
                explanation: "A session Policy must be a valid IAM policy document (API_AssumeRoleWithSAML: MalformedPolicyDocument).",
                fix: "Pass a valid IAM policy document as Policy.",
                behaviours: &["C5"],
            },
            /// The session policies exceed the packed size.
            PackedPolicyTooLarge {
                name: "packed-policy-too-large",
                code: "PackedPolicyTooLarge",
                headline: "Packed size of consumed session policies exceeds the limit",
                explanation: "Session policies and policy ARNs are packed into a limited size (API_AssumeRoleWithSAML: PackedPolicyTooLarge).",
                fix: "Shorten the session Policy or pass fewer PolicyArns.",
                behaviours: &["C5"],
            },
            /// The browser has no console session.
            NoConsoleSession {
                name: "no-console-session",
                status: 401,
                headline: "Not signed in to the AWS console",
                explanation: "There is no console session in this browser, or it has expired.",
                fix: "Sign in through the IdP portal; federated users start at their IdP.",
                behaviours: &["C5"],
            },
            /// IAM API: no such provider, role or policy.
            IamNoSuchEntity {
                name: "iam-no-such-entity",
                status: 404,
                code: "NoSuchEntity",
                headline: "The request was rejected because it referenced a resource entity that does not exist.",
                explanation: "The SAML provider, role or inline policy the IAM call names does not exist (IAM API: NoSuchEntity).",
                fix: "Create it first, or check the name or ARN (ListSAMLProviders, ListRoles, ListRolePolicies).",
                behaviours: &["C8", "C9", "C10"],
            },
            /// IAM API: the name is taken.
            IamEntityAlreadyExists {
                name: "iam-entity-already-exists",
                status: 409,
                code: "EntityAlreadyExists",
                headline: "The request was rejected because it attempted to create a resource that already exists.",
                explanation: "A SAML provider or role with this name already exists in the account (IAM API: EntityAlreadyExists).",
                fix: "Pick another name, or update the existing one (UpdateSAMLProvider, UpdateAssumeRolePolicy).",
                behaviours: &["C8", "C9"],
            },
            /// IAM API: a value IAM does not take (metadata, ARN, name).
            IamInvalidInput {
                name: "iam-invalid-input",
                code: "InvalidInput",
                headline: "The request was rejected because an invalid or out-of-range value was supplied for an input parameter.",
                explanation: "IAM checks SAML metadata, ARNs and names before storing them (IAM API: InvalidInput).",
                fix: "Pass the IdP's metadata document itself (GET /idp/metadata), and ARNs of this account.",
                behaviours: &["C8", "C9"],
            },
            /// IAM API: a parameter breaks its constraints (length, pattern, range).
            IamValidation {
                name: "iam-validation",
                code: "ValidationError",
                headline: "1 validation error detected",
                explanation: "Parameters must satisfy the constraints of the IAM API reference (lengths, patterns, ranges).",
                fix: "Send the parameter within its documented constraints (the message names it).",
                behaviours: &["C9"],
            },
            /// IAM API: a policy document IAM refuses.
            IamMalformedPolicy {
                name: "iam-malformed-policy",
                code: "MalformedPolicyDocument",
                headline: "The policy is not in the valid JSON format.",
                explanation: "Trust and permission policies must be valid IAM policy documents (IAM API: MalformedPolicyDocument).",
                fix: "Fix the policy where the message says; see the IAM JSON policy grammar.",
                behaviours: &["C9", "C10"],
            },
            /// IAM API: an account quota.
            IamLimitExceeded {
                name: "iam-limit-exceeded",
                status: 409,
                code: "LimitExceeded",
                headline: "The request was rejected because it attempted to create resources beyond the current AWS account limits.",
                explanation: "IAM limits a provider to two private keys and a role's inline policies to 10240 characters in all (IAM quotas).",
                fix: "Remove a private key or an inline policy first.",
                behaviours: &["C8", "C10"],
            },
            /// IAM API: DeleteRole while the role has inline policies.
            IamDeleteConflict {
                name: "iam-delete-conflict",
                status: 409,
                code: "DeleteConflict",
                headline: "Cannot delete entity, must delete policies first.",
                explanation: "A role with inline policies cannot be deleted (IAM API DeleteRole: DeleteConflict).",
                fix: "Delete the role's inline policies (DeleteRolePolicy) before the role.",
                behaviours: &["C9"],
            },
            /// IAM API: no Action, or one the mock does not emulate.
            IamUnsupportedAction {
                name: "iam-unsupported-action",
                code: "InvalidAction",
                headline: "Could not find operation for version 2010-05-08",
                explanation: "The mock IAM emulates the SAML provider, role and inline role policy operations of IAM 2010-05-08.",
                fix: "Call one of CreateSAMLProvider, GetSAMLProvider, ListSAMLProviders, UpdateSAMLProvider, DeleteSAMLProvider, CreateRole, GetRole, ListRoles, UpdateAssumeRolePolicy, UpdateRole, DeleteRole, PutRolePolicy, GetRolePolicy, DeleteRolePolicy, ListRolePolicies.",
                behaviours: &["C8"],
            },
            /// IAM and Connect control plane: no SigV4 Authorization header.
            MissingAuthenticationToken {
                name: "missing-authentication-token",
                status: 403,
                code: "MissingAuthenticationToken",
                headline: "Request is missing Authentication Token",
                explanation: "IAM calls are signed with SigV4 (Authorization: AWS4-HMAC-SHA256 …).",
                fix: "Sign with the world's administrator key ([aws] admin_access_key_id) or credentials STS issued.",
                behaviours: &["C8"],
            },
            /// An Authorization header without Credential, SignedHeaders,
            /// Signature or X-Amz-Date.
            IncompleteSignature {
                name: "incomplete-signature",
                code: "IncompleteSignature",
                headline: "The request signature does not conform to AWS standards.",
                explanation: "A SigV4 Authorization header names Credential, SignedHeaders and Signature, and the request carries X-Amz-Date (SigV4 reference).",
                fix: "Let the SDK sign the request; do not build the header by hand.",
                behaviours: &["C8"],
            },
            /// An access key samlsim does not know.
            InvalidClientTokenId {
                name: "invalid-client-token-id",
                status: 403,
                code: "InvalidClientTokenId",
                headline: "The security token included in the request is invalid.",
                explanation: "The access key must be the world's administrator key or one STS issued, with its session token (IAM CommonErrors).",
                fix: "Use [aws] admin_access_key_id (default AKIAIOSFODNN7EXAMPLE, a documentation fake) or the AccessKeyId, SecretAccessKey and SessionToken of one AssumeRoleWithSAML answer.",
                behaviours: &["C8"],
            },
            /// The signature is not the one the secret key gives.
            SignatureDoesNotMatch {
                name: "signature-does-not-match",
                status: 403,
                code: "SignatureDoesNotMatch",
                headline: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                explanation: "samlsim recomputes the SigV4 signature from the canonical request and the key's secret; it differs (a wrong secret, or a request changed after signing).",
                fix: "Sign with the secret that belongs to the access key ([aws] admin_secret_access_key, or the STS answer's SecretAccessKey).",
                behaviours: &["C8"],
            },
            /// Temporary credentials whose role session has ended.
            ExpiredToken {
                name: "expired-token",
                status: 403,
                code: "ExpiredToken",
                headline: "The security token included in the request is expired",
                explanation: "Credentials from AssumeRoleWithSAML last as long as the role session.",
                fix: "Call AssumeRoleWithSAML again with a fresh assertion.",
                behaviours: &["C8"],
            },
            /// A role session whose permission policies do not allow the IAM action.
            IamAccessDenied {
                name: "iam-access-denied",
                status: 403,
                code: "AccessDenied",
                headline: "User is not authorized to perform this action.",
                explanation: "A role session may call IAM only as its role's permission policies allow (reference_policies_evaluation-logic).",
                fix: "Add the iam: action to the role's permission policy, or call with the administrator key.",
                behaviours: &["C10"],
            },
            /// samlsim itself failed (its database).
            Internal {
                name: "internal-error",
                status: 500,
                code: "InternalFailure",
                headline: "An internal error occurred.",
                explanation: "The mock AWS could not read or write its state; this is samlsim's fault, not the request's.",
                fix: "Look at the detail and the server log; a damaged row names its table and key. Start over with --fresh if the data folder is damaged.",
                behaviours: &["C5"],
                outcome: Outcome::Failed,
            },
        }
    }
}

impl AwsRule {
    /// Whether AWS's sign-in page shows its one-line "invalid SAML response"
    /// wording for this rule, rather than the STS error in the Java SDK's format
    /// (troubleshoot_saml; users report the latter, e.g. aws-sdk-net#744).
    pub fn is_unusable_response(self) -> bool {
        matches!(
            self,
            AwsRule::SamlNotBase64
                | AwsRule::SamlMalformed
                | AwsRule::SamlStatusNotSuccess
                | AwsRule::SubjectConfirmationCount
                | AwsRule::RecipientMissing
                | AwsRule::NotOnOrAfterMissing
                | AwsRule::RecipientMismatch
                | AwsRule::AssertionNotYetValid
                | AwsRule::AssertionReplayed
                | AwsRule::RoleAttributeMissing
                | AwsRule::RoleAttributeMalformed
                | AwsRule::SessionDurationInvalid
                | AwsRule::MethodNotPost
                | AwsRule::SamlResponseMissing
                | AwsRule::EncryptedAssertionInvalid
                | AwsRule::EncryptionRequired
        )
    }
}

/// A refusal of the mock AWS.
pub type Refusal = samlsim_service::Refusal<AwsRule>;

#[cfg(test)]
mod tests {
    use samlsim_service::Rule;

    use super::*;

    #[test]
    fn every_rule_has_a_status_words_a_fix_and_a_unique_name() {
        let faults = samlsim_service::rule::table_faults::<AwsRule>();
        assert!(faults.is_empty(), "{}", faults.join("\n"));
        for rule in AwsRule::ALL {
            let spec = rule.spec();
            assert!(!spec.explanation.is_empty(), "{rule:?}: no explanation");
            assert!(!spec.behaviours.is_empty(), "{rule:?}: no behaviour");
        }
        assert_eq!(AwsRule::Internal.spec().outcome, Outcome::Failed);
    }

    /// The sign-in page's one-line wording goes with exactly the rules whose
    /// headline is AWS's "invalid SAML response".
    #[test]
    fn the_one_line_sign_in_wording_follows_the_headline() {
        for rule in AwsRule::ALL {
            assert_eq!(
                rule.is_unusable_response(),
                rule.spec().headline.starts_with(INVALID_RESPONSE),
                "{rule:?}"
            );
        }
    }
}
