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
                explanation_ko: "HTTP-POST 바인딩은 응답을 XML 문서의 base64로 전달합니다(SAML bindings 3.5.4).",
                fix_ko: "IdP의 samlp:Response를 HTTP-POST 바인딩이 요구하는 대로 base64로 인코딩해 게시하세요. URL 인코딩이나 이중 인코딩은 하지 마세요.",
                behaviours: &["C5"],
            },
            /// Not a readable `samlp:Response`.
            SamlMalformed {
                name: "saml-malformed",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The document is not a SAML 2.0 samlp:Response with one assertion (SAML core 3.3.3, 2.3.3).",
                fix: "Send a samlp:Response containing one saml:Assertion, as the IdP's SAML 2.0 Web SSO profile builds it.",
                explanation_ko: "문서가 어설션 하나를 담은 SAML 2.0 samlp:Response가 아닙니다(SAML core 3.3.3, 2.3.3).",
                fix_ko: "IdP의 SAML 2.0 Web SSO 프로필이 만드는 대로, saml:Assertion 하나를 담은 samlp:Response를 보내세요.",
                behaviours: &["C5"],
            },
            /// The IdP answered with a status other than Success.
            SamlStatusNotSuccess {
                name: "saml-status-not-success",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "Only a response whose top-level StatusCode is urn:oasis:names:tc:SAML:2.0:status:Success carries an assertion to use (SAML core 3.2.2.2).",
                fix: "Look at the IdP's log: it refused to authenticate the user and said why in the StatusMessage.",
                explanation_ko: "최상위 StatusCode가 urn:oasis:names:tc:SAML:2.0:status:Success인 응답만 사용할 어설션을 담고 있습니다(SAML core 3.2.2.2).",
                fix_ko: "IdP의 로그를 보세요. IdP가 사용자 인증을 거부했고 그 이유를 StatusMessage에 적었습니다.",
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
                explanation_ko: "AWS는 IAM SAML 공급자에 추가된 프라이빗 키(AddPrivateKey; CreateSAMLProvider, UpdateSAMLProvider)로 EncryptedAssertion을 복호화한 다음, 안에 든 어설션의 서명을 확인합니다. 어느 키와도 맞지 않는 경우에 대한 별도 문구는 AWS 문서에 없으므로(troubleshoot_saml에는 키 관리 오류만 나옵니다), 로그인 페이지는 사용할 수 없는 응답 모두에 하는 말을 그대로 보여 줍니다. samlsim은 수신자가 마땅히 그래야 하듯, 암호화된 어설션의 복호화나 서명 실패에 모두 이 한 가지 답을 줍니다(Jager and Somorovsky, \"How To Break XML Encryption\"; xmlenc-core1 §6.1). 정확히 무엇이 실패했는지는 이벤트 로그에 있습니다.",
                fix_ko: "IdP가 암호화에 쓰는 인증서에 해당하는 프라이빗 키를 IAM SAML 공급자에 추가하고(UpdateSAMLProvider AddPrivateKey, 교체하는 동안에는 이전 키를 유지), IdP가 어설션을 암호화하기 전에 서명하도록 하세요.",
                behaviours: &["C5"],
            },
            /// The provider's AssertionEncryptionMode is Required and the assertion is plain.
            EncryptionRequired {
                name: "encryption-required",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "An IAM SAML provider whose AssertionEncryptionMode is Required accepts only encrypted assertions (CreateSAMLProvider, UpdateSAMLProvider: AssertionEncryptionMode).",
                fix: "Turn on assertion encryption at the IdP with the certificate of the provider's private key, or set the provider's AssertionEncryptionMode to Allowed.",
                explanation_ko: "AssertionEncryptionMode가 Required인 IAM SAML 공급자는 암호화된 어설션만 받습니다(CreateSAMLProvider, UpdateSAMLProvider: AssertionEncryptionMode).",
                fix_ko: "공급자 프라이빗 키의 인증서로 IdP에서 어설션 암호화를 켜거나, 공급자의 AssertionEncryptionMode를 Allowed로 설정하세요.",
                behaviours: &["C5"],
            },
            /// The signature does not verify with the provider's certificates.
            SignatureInvalid {
                name: "signature-invalid",
                code: "InvalidIdentityToken",
                headline: "Response signature invalid",
                explanation: "AWS verifies the response or assertion signature with the certificates of the IAM SAML provider's metadata (troubleshoot_saml).",
                fix: "Load the IdP's current metadata into the IAM SAML provider (its signing certificate changed, or the response was altered).",
                explanation_ko: "AWS는 IAM SAML 공급자 메타데이터의 인증서로 응답 또는 어설션의 서명을 검증합니다(troubleshoot_saml).",
                fix_ko: "IdP의 현재 메타데이터를 IAM SAML 공급자에 다시 올리세요(서명 인증서가 바뀌었거나 응답이 변조되었습니다).",
                behaviours: &["C5"],
            },
            /// The assertion's Issuer is not the provider's entity ID.
            IssuerMismatch {
                name: "issuer-mismatch",
                code: "InvalidIdentityToken",
                headline: "Issuer not present in specified provider",
                explanation: "The Issuer must be the entityID of the metadata the IAM SAML provider was created from (troubleshoot_saml).",
                fix: "The assertion's Issuer must be the entityID of the metadata the IAM SAML provider was created from.",
                explanation_ko: "Issuer는 IAM SAML 공급자를 만들 때 사용한 메타데이터의 entityID여야 합니다(troubleshoot_saml).",
                fix_ko: "어설션의 Issuer가 IAM SAML 공급자를 만들 때 사용한 메타데이터의 entityID와 같아야 합니다.",
                behaviours: &["C5", "C8"],
            },
            /// The Role attribute names a provider IAM does not have.
            ProviderNotFound {
                name: "provider-not-found",
                code: "InvalidIdentityToken",
                headline: "Specified provider doesn't exist.",
                explanation: "The provider ARN of the Role attribute (or STS's PrincipalArn) must name an IAM SAML provider of the role's account (troubleshoot_saml).",
                fix: "Create the IAM SAML provider the Role attribute names, or fix the provider ARN in the IdP's Role attribute.",
                explanation_ko: "Role 속성의 공급자 ARN(또는 STS의 PrincipalArn)은 역할이 속한 계정의 IAM SAML 공급자를 가리켜야 합니다(troubleshoot_saml).",
                fix_ko: "Role 속성이 가리키는 IAM SAML 공급자를 만들거나, IdP의 Role 속성에 있는 공급자 ARN을 고치세요.",
                behaviours: &["C5", "C8"],
            },
            /// Not exactly one SubjectConfirmation.
            SubjectConfirmationCount {
                name: "subject-confirmation-count",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "AWS requires exactly one SubjectConfirmation with a SubjectConfirmationData carrying Recipient and NotOnOrAfter (id_roles_providers_create_saml_assertions).",
                fix: "Configure the IdP to send a single bearer SubjectConfirmation.",
                explanation_ko: "AWS는 Recipient와 NotOnOrAfter를 담은 SubjectConfirmationData가 있는 SubjectConfirmation을 정확히 하나 요구합니다(id_roles_providers_create_saml_assertions).",
                fix_ko: "IdP가 bearer SubjectConfirmation을 하나만 보내도록 구성하세요.",
                behaviours: &["C5"],
            },
            /// SubjectConfirmationData has no Recipient.
            RecipientMissing {
                name: "recipient-missing",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The Recipient attribute must name the AWS sign-in endpoint (id_roles_providers_create_saml_assertions).",
                fix: "Set the IdP's ACS URL (Recipient) to the AWS sign-in SAML endpoint.",
                explanation_ko: "Recipient 속성은 AWS 로그인 엔드포인트를 가리켜야 합니다(id_roles_providers_create_saml_assertions).",
                fix_ko: "IdP의 ACS URL(Recipient)을 AWS 로그인 SAML 엔드포인트로 설정하세요.",
                behaviours: &["C5", "C17"],
            },
            /// SubjectConfirmationData has no NotOnOrAfter.
            NotOnOrAfterMissing {
                name: "not-on-or-after-missing",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "SubjectConfirmationData must carry NotOnOrAfter (id_roles_providers_create_saml_assertions; SAML profiles 4.1.4.2).",
                fix: "Configure the IdP to bound the bearer confirmation with NotOnOrAfter.",
                explanation_ko: "SubjectConfirmationData에는 NotOnOrAfter가 있어야 합니다(id_roles_providers_create_saml_assertions; SAML profiles 4.1.4.2).",
                fix_ko: "IdP가 bearer 확인에 NotOnOrAfter로 유효 기한을 두도록 구성하세요.",
                behaviours: &["C5"],
            },
            /// The Recipient is not this endpoint.
            RecipientMismatch {
                name: "recipient-mismatch",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The Recipient must match the sign-in endpoint URL the response was posted to (id_roles_providers_create_saml_assertions).",
                fix: "Set the IdP's ACS URL to this sign-in endpoint (C13, C17).",
                explanation_ko: "Recipient는 응답이 게시된 로그인 엔드포인트 URL과 일치해야 합니다(id_roles_providers_create_saml_assertions).",
                fix_ko: "IdP의 ACS URL을 이 로그인 엔드포인트로 설정하세요(C13, C17).",
                behaviours: &["C5", "C13", "C17"],
            },
            /// No AudienceRestriction names AWS.
            AudienceMismatch {
                name: "audience-mismatch",
                code: "InvalidIdentityToken",
                headline: "Response does not contain the required audience.",
                explanation: "Every AudienceRestriction must name https://signin.aws.amazon.com/saml or urn:amazon:webservices (SAML core 2.5.1.4; id_roles_providers_create_saml_assertions).",
                fix: "Set the IdP's audience (SP entity ID) to urn:amazon:webservices.",
                explanation_ko: "모든 AudienceRestriction은 https://signin.aws.amazon.com/saml 또는 urn:amazon:webservices를 가리켜야 합니다(SAML core 2.5.1.4; id_roles_providers_create_saml_assertions).",
                fix_ko: "IdP의 Audience(SP 엔터티 ID)를 urn:amazon:webservices로 설정하세요.",
                behaviours: &["C5"],
            },
            /// The assertion's validity has ended, or it was issued too long ago.
            AssertionExpired {
                name: "assertion-expired",
                code: "ExpiredTokenException",
                headline: "Response has expired",
                explanation: "AWS refuses an assertion after its NotOnOrAfter, and one issued more than five minutes ago (API_AssumeRoleWithSAML: ExpiredTokenException).",
                fix: "Check the IdP's clock and assertion lifetime; the browser must post the assertion within its validity.",
                explanation_ko: "AWS는 NotOnOrAfter가 지난 어설션과 5분보다 전에 발급된 어설션을 거부합니다(API_AssumeRoleWithSAML: ExpiredTokenException).",
                fix_ko: "IdP의 시계와 어설션 유효 기간을 확인하세요. 브라우저는 유효 기간 안에 어설션을 게시해야 합니다.",
                behaviours: &["C5"],
            },
            /// The assertion's NotBefore is in the future.
            AssertionNotYetValid {
                name: "assertion-not-yet-valid",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "An assertion is not valid before its Conditions' NotBefore (SAML core 2.5.1.2).",
                fix: "Check the IdP's clock: it issues assertions valid only in the future.",
                explanation_ko: "어설션은 Conditions의 NotBefore 이전에는 유효하지 않습니다(SAML core 2.5.1.2).",
                fix_ko: "IdP의 시계를 확인하세요. 미래에만 유효한 어설션을 발급하고 있습니다.",
                behaviours: &["C5"],
            },
            /// The assertion was already used at the sign-in endpoint.
            AssertionReplayed {
                name: "assertion-replayed",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "A bearer assertion is accepted once (SAML profiles 4.1.4.5); samlsim enforces it at the sign-in endpoint, while STS, as AWS does, lets one assertion be redeemed repeatedly.",
                fix: "Sign in at the IdP again: each assertion can be used once.",
                explanation_ko: "bearer 어설션은 한 번만 받아들여집니다(SAML profiles 4.1.4.5). samlsim은 이를 로그인 엔드포인트에서 적용하고, STS는 AWS처럼 같은 어설션을 여러 번 사용할 수 있게 둡니다.",
                fix_ko: "IdP에서 다시 로그인하세요. 어설션은 한 번만 사용할 수 있습니다.",
                behaviours: &["C5"],
            },
            /// No Role attribute.
            RoleAttributeMissing {
                name: "role-attribute-missing",
                code: "InvalidIdentityToken",
                headline: "Your request included an invalid SAML response. To logout, click here.",
                explanation: "The https://aws.amazon.com/SAML/Attributes/Role attribute is required (id_roles_providers_create_saml_assertions).",
                fix: "Send https://aws.amazon.com/SAML/Attributes/Role as role-arn,provider-arn pairs (C11).",
                explanation_ko: "https://aws.amazon.com/SAML/Attributes/Role 속성은 필수입니다(id_roles_providers_create_saml_assertions).",
                fix_ko: "https://aws.amazon.com/SAML/Attributes/Role을 role-arn,provider-arn 쌍으로 보내세요(C11).",
                behaviours: &["C5", "C11"],
            },
            /// A Role value is not a role ARN and a provider ARN.
            RoleAttributeMalformed {
                name: "role-attribute-malformed",
                code: "InvalidIdentityToken",
                headline: "Your request included an invalid SAML response. To logout, click here.",
                explanation: "Each Role value is a role ARN and a saml-provider ARN separated by a comma, in either order (id_roles_providers_create_saml_assertions).",
                fix: "Send https://aws.amazon.com/SAML/Attributes/Role as role-arn,provider-arn pairs (C11).",
                explanation_ko: "각 Role 값은 역할 ARN과 saml-provider ARN을 쉼표로 구분한 것이며, 순서는 상관없습니다(id_roles_providers_create_saml_assertions).",
                fix_ko: "https://aws.amazon.com/SAML/Attributes/Role을 role-arn,provider-arn 쌍으로 보내세요(C11).",
                behaviours: &["C5", "C11"],
            },
            /// No RoleSessionName attribute.
            RoleSessionNameMissing {
                name: "role-session-name-missing",
                code: "InvalidIdentityToken",
                headline: "RoleSessionName is required in AuthnResponse",
                explanation: "The https://aws.amazon.com/SAML/Attributes/RoleSessionName attribute is required (id_roles_providers_create_saml_assertions).",
                fix: "Add the https://aws.amazon.com/SAML/Attributes/RoleSessionName attribute (C11).",
                explanation_ko: "https://aws.amazon.com/SAML/Attributes/RoleSessionName 속성은 필수입니다(id_roles_providers_create_saml_assertions).",
                fix_ko: "https://aws.amazon.com/SAML/Attributes/RoleSessionName 속성을 추가하세요(C11).",
                behaviours: &["C5", "C11"],
            },
            /// The RoleSessionName breaks STS's pattern.
            RoleSessionNameInvalid {
                name: "role-session-name-invalid",
                code: "InvalidIdentityToken",
                headline: "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
                explanation: "RoleSessionName must match [a-zA-Z_0-9+=,.@-]{2,64} (API_AssumeRoleWithSAML).",
                fix: "Map RoleSessionName from a user attribute whose values match [a-zA-Z_0-9+=,.@-]{2,64} (C24).",
                explanation_ko: "RoleSessionName은 [a-zA-Z_0-9+=,.@-]{2,64}와 일치해야 합니다(API_AssumeRoleWithSAML).",
                fix_ko: "값이 [a-zA-Z_0-9+=,.@-]{2,64}와 일치하는 사용자 속성에서 RoleSessionName을 매핑하세요(C24).",
                behaviours: &["C5", "C24"],
            },
            /// The SessionDuration attribute is not 900..=43200.
            SessionDurationInvalid {
                name: "session-duration-invalid",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The SessionDuration attribute is an integer number of seconds from 900 to 43200 (id_roles_providers_create_saml_assertions).",
                fix: "Send https://aws.amazon.com/SAML/Attributes/SessionDuration as whole seconds between 900 and 43200.",
                explanation_ko: "SessionDuration 속성은 900에서 43200 사이의 정수 초입니다(id_roles_providers_create_saml_assertions).",
                fix_ko: "https://aws.amazon.com/SAML/Attributes/SessionDuration을 900에서 43200 사이의 정수 초로 보내세요.",
                behaviours: &["C5"],
            },
            /// The SourceIdentity attribute breaks STS's pattern.
            SourceIdentityInvalid {
                name: "source-identity-invalid",
                code: "InvalidIdentityToken",
                headline: "Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with \"aws:\"",
                explanation: "SourceIdentity follows RoleSessionName's pattern and may not start with aws: (API_AssumeRoleWithSAML).",
                fix: "Map SourceIdentity from an attribute whose values match [a-zA-Z_0-9+=,.@-]{2,64}.",
                explanation_ko: "SourceIdentity는 RoleSessionName과 같은 패턴을 따르며 aws:로 시작할 수 없습니다(API_AssumeRoleWithSAML).",
                fix_ko: "값이 [a-zA-Z_0-9+=,.@-]{2,64}와 일치하는 속성에서 SourceIdentity를 매핑하세요.",
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
                explanation_ko: "역할은 어설션의 Role 속성이 이 공급자와 함께 제시한 역할이어야 하고, IAM에 있어야 합니다(API_AssumeRoleWithSAML).",
                fix_ko: "IdP의 Role 속성에 role-arn,provider-arn 쌍을 추가하고 IAM에 역할을 만드세요.",
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
                explanation_ko: "계정 관리자는 리전별로 STS를 비활성화할 수 있으며, 그 리전의 요청은 RegionDisabledException을 받습니다(id_credentials_temp_enable-regions).",
                fix_ko: "이 리전에서 STS를 활성화하세요(IAM 콘솔, 계정 설정)(C19).",
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
                explanation_ko: "서비스 제어 정책의 명시적 거부는 계정의 모든 보안 주체에 적용됩니다(orgs_manage_policies_scps; reference_policies_evaluation-logic).",
                fix_ko: "서비스 제어 정책이 이 리전에서 sts:AssumeRoleWithSAML을 거부합니다(C19).",
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
                explanation_ko: "역할의 신뢰 정책은 공급자의 Federated 보안 주체에 sts:AssumeRoleWithSAML을 허용해야 하며, 그 조건이 충족되어야 합니다(id_roles_create_for-idp_saml).",
                fix_ko: "역할의 신뢰 정책이 이 공급자에 sts:AssumeRoleWithSAML을 허용해야 하고, SAML:aud에 이 엔드포인트가 있어야 합니다(C18).",
                behaviours: &["C5", "C9", "C18"],
            },
            /// The requested duration exceeds the role's maximum.
            DurationExceedsMax {
                name: "duration-exceeds-max",
                code: "ValidationError",
                headline: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                explanation: "DurationSeconds (or the SessionDuration attribute) may not exceed the role's MaxSessionDuration (API_AssumeRoleWithSAML).",
                fix: "Ask for at most the role's MaxSessionDuration, or raise the role's MaxSessionDuration.",
                explanation_ko: "DurationSeconds(또는 SessionDuration 속성)는 역할의 MaxSessionDuration을 넘을 수 없습니다(API_AssumeRoleWithSAML).",
                fix_ko: "역할의 MaxSessionDuration 이하로 요청하거나 역할의 MaxSessionDuration을 늘리세요.",
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
                explanation_ko: "로그인 SAML 엔드포인트는 SAMLResponse를 HTTP POST로 받습니다(SAML bindings 3.5). GET에는 SAMLResponse가 없습니다.",
                fix_ko: "IdP가 AWS로 HTTP-POST 바인딩을 사용하도록 구성하세요.",
                behaviours: &["C5"],
            },
            /// The POST has no SAMLResponse.
            SamlResponseMissing {
                name: "saml-response-missing",
                code: "InvalidIdentityToken",
                headline: INVALID_RESPONSE,
                explanation: "The HTTP-POST binding carries the response in a form field named SAMLResponse (SAML bindings 3.5.4).",
                fix: "Post the response in the SAMLResponse field.",
                explanation_ko: "HTTP-POST 바인딩은 응답을 SAMLResponse라는 폼 필드로 전달합니다(SAML bindings 3.5.4).",
                fix_ko: "응답을 SAMLResponse 필드로 게시하세요.",
                behaviours: &["C5"],
            },
            /// Something under the STS endpoint root.
            StsPath {
                name: "sts-path",
                code: "InvalidAction",
                headline: "STS is served at the endpoint root.",
                explanation: "The query protocol posts every action to the endpoint root (botocore sts/2011-06-15/service-2.json).",
                fix: "Point the SDK's endpoint URL at the STS host itself, e.g. http://127.0.0.1:7575/aws/sts.amazonaws.com.",
                explanation_ko: "쿼리 프로토콜은 모든 작업을 엔드포인트 루트로 게시합니다(botocore sts/2011-06-15/service-2.json).",
                fix_ko: "SDK의 엔드포인트 URL을 STS 호스트 자체로 지정하세요. 예: http://127.0.0.1:7575/aws/sts.amazonaws.com.",
                behaviours: &["C5"],
            },
            /// No Action parameter.
            StsMissingAction {
                name: "sts-missing-action",
                code: "MissingAction",
                headline: "Missing Action",
                explanation: "A query-protocol request names its operation in the Action parameter (STS CommonParameters).",
                fix: "Send Action=AssumeRoleWithSAML and Version=2011-06-15.",
                explanation_ko: "쿼리 프로토콜 요청은 Action 파라미터로 작업을 지정합니다(STS CommonParameters).",
                fix_ko: "Action=AssumeRoleWithSAML과 Version=2011-06-15를 보내세요.",
                behaviours: &["C5"],
            },
            /// An STS action the mock does not emulate.
            StsUnsupportedAction {
                name: "sts-unsupported-action",
                code: "InvalidAction",
                headline: "Could not find operation for version 2011-06-15",
                explanation: "The mock STS emulates AssumeRoleWithSAML only; AWS answers unknown actions with InvalidAction (STS CommonErrors).",
                fix: "Call AssumeRoleWithSAML; other STS actions are not emulated.",
                explanation_ko: "모의 STS는 AssumeRoleWithSAML만 에뮬레이션합니다. AWS는 알 수 없는 작업에 InvalidAction으로 응답합니다(STS CommonErrors).",
                fix_ko: "AssumeRoleWithSAML을 호출하세요. 다른 STS 작업은 에뮬레이션하지 않습니다.",
                behaviours: &["C5"],
            },
            /// A query-protocol Action at the base URL that no emulated AWS API has.
            UnknownQueryAction {
                name: "unknown-query-action",
                code: "InvalidAction",
                headline: "No emulated AWS API has this action",
                explanation: "A query-protocol request (Action=…) reached the emulator's base URL; samlsim routes STS actions to its mock STS, and no other query-protocol API (IAM, …) is emulated.",
                fix: "Call an emulated API: STS AssumeRoleWithSAML, Connect, or the cognito-idp API.",
                explanation_ko: "쿼리 프로토콜 요청(Action=…)이 에뮬레이터의 기본 URL에 도착했습니다. samlsim은 STS 작업을 모의 STS로 보내며, 다른 쿼리 프로토콜 API(IAM 등)는 에뮬레이션하지 않습니다.",
                fix_ko: "에뮬레이션되는 API를 호출하세요: STS AssumeRoleWithSAML, Connect 또는 cognito-idp API.",
                behaviours: &["C5"],
            },
            /// A JSON or REST request at the base URL for a service samlsim does not emulate.
            UnknownApiOperation {
                name: "unknown-api-operation",
                code: "UnknownOperationException",
                headline: "No emulated AWS API serves this request",
                explanation: "The request reached the emulator's base URL; samlsim routes it by X-Amz-Target (cognito-idp) or the SigV4 credential scope's service (sts, connect, cognito-idp), and neither names an emulated API.",
                fix: "Call an emulated API (STS, Connect, cognito-idp), or use its host-as-path URL, /aws/<host>/.",
                explanation_ko: "요청이 에뮬레이터의 기본 URL에 도착했습니다. samlsim은 X-Amz-Target(cognito-idp)이나 SigV4 자격 증명 범위의 서비스(sts, connect, cognito-idp)로 요청을 보내는데, 어느 쪽도 에뮬레이션되는 API를 가리키지 않습니다.",
                fix_ko: "에뮬레이션되는 API(STS, Connect, cognito-idp)를 호출하거나 호스트를 경로로 쓰는 URL /aws/<host>/를 사용하세요.",
                behaviours: &["C5"],
            },
            /// A Version other than 2011-06-15.
            StsVersion {
                name: "sts-version",
                code: "InvalidAction",
                headline: "Could not find operation for this version",
                explanation: "STS's only API version is 2011-06-15 (STS CommonParameters).",
                fix: "Send Version=2011-06-15.",
                explanation_ko: "STS의 API 버전은 2011-06-15 하나뿐입니다(STS CommonParameters).",
                fix_ko: "Version=2011-06-15를 보내세요.",
                behaviours: &["C5"],
            },
            /// A parameter breaks its documented constraints.
            StsValidation {
                name: "sts-validation",
                code: "ValidationError",
                headline: "1 validation error detected",
                explanation: "Parameters must satisfy the constraints of API_AssumeRoleWithSAML (lengths, ARN shapes, DurationSeconds 900 to 43200).",
                fix: "Send RoleArn, PrincipalArn and SAMLAssertion within their documented lengths, and a DurationSeconds from 900 to 43200.",
                explanation_ko: "파라미터는 API_AssumeRoleWithSAML의 제약(길이, ARN 형식, DurationSeconds 900~43200)을 충족해야 합니다.",
                fix_ko: "RoleArn, PrincipalArn, SAMLAssertion을 문서에 나온 길이 안에서 보내고, DurationSeconds는 900에서 43200 사이로 보내세요.",
                behaviours: &["C5"],
            },
            /// The session Policy is not a policy.
            SessionPolicyMalformed {
                name: "session-policy-malformed",
                code: "MalformedPolicyDocument",
                headline: "The policy is not in the valid JSON format.",
                explanation: "A session Policy must be a valid IAM policy document (API_AssumeRoleWithSAML: MalformedPolicyDocument).",
                fix: "Pass a valid IAM policy document as Policy.",
                explanation_ko: "세션 Policy는 유효한 IAM 정책 문서여야 합니다(API_AssumeRoleWithSAML: MalformedPolicyDocument).",
                fix_ko: "Policy로 유효한 IAM 정책 문서를 전달하세요.",
                behaviours: &["C5"],
            },
            /// The session policies exceed the packed size.
            PackedPolicyTooLarge {
                name: "packed-policy-too-large",
                code: "PackedPolicyTooLarge",
                headline: "Packed size of consumed session policies exceeds the limit",
                explanation: "Session policies and policy ARNs are packed into a limited size (API_AssumeRoleWithSAML: PackedPolicyTooLarge).",
                fix: "Shorten the session Policy or pass fewer PolicyArns.",
                explanation_ko: "세션 정책과 정책 ARN은 제한된 크기로 압축됩니다(API_AssumeRoleWithSAML: PackedPolicyTooLarge).",
                fix_ko: "세션 Policy를 줄이거나 PolicyArns를 더 적게 전달하세요.",
                behaviours: &["C5"],
            },
            /// The browser has no console session.
            NoConsoleSession {
                name: "no-console-session",
                status: 401,
                headline: "Not signed in to the AWS console",
                explanation: "There is no console session in this browser, or it has expired.",
                fix: "Sign in through the IdP portal; federated users start at their IdP.",
                explanation_ko: "이 브라우저에 콘솔 세션이 없거나 만료되었습니다.",
                fix_ko: "IdP 포털을 통해 로그인하세요. 페더레이션 사용자는 IdP에서 시작합니다.",
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
                explanation_ko: "IAM 호출이 가리키는 SAML 공급자, 역할 또는 인라인 정책이 없습니다(IAM API: NoSuchEntity).",
                fix_ko: "먼저 만들거나 이름 또는 ARN을 확인하세요(ListSAMLProviders, ListRoles, ListRolePolicies).",
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
                explanation_ko: "이 이름의 SAML 공급자나 역할이 계정에 이미 있습니다(IAM API: EntityAlreadyExists).",
                fix_ko: "다른 이름을 고르거나 기존 것을 업데이트하세요(UpdateSAMLProvider, UpdateAssumeRolePolicy).",
                behaviours: &["C8", "C9"],
            },
            /// IAM API: a value IAM does not take (metadata, ARN, name).
            IamInvalidInput {
                name: "iam-invalid-input",
                code: "InvalidInput",
                headline: "The request was rejected because an invalid or out-of-range value was supplied for an input parameter.",
                explanation: "IAM checks SAML metadata, ARNs and names before storing them (IAM API: InvalidInput).",
                fix: "Pass the IdP's metadata document itself (GET /idp/metadata), and ARNs of this account.",
                explanation_ko: "IAM은 SAML 메타데이터, ARN, 이름을 저장하기 전에 확인합니다(IAM API: InvalidInput).",
                fix_ko: "IdP의 메타데이터 문서 자체(GET /idp/metadata)와 이 계정의 ARN을 전달하세요.",
                behaviours: &["C8", "C9"],
            },
            /// IAM API: a parameter breaks its constraints (length, pattern, range).
            IamValidation {
                name: "iam-validation",
                code: "ValidationError",
                headline: "1 validation error detected",
                explanation: "Parameters must satisfy the constraints of the IAM API reference (lengths, patterns, ranges).",
                fix: "Send the parameter within its documented constraints (the message names it).",
                explanation_ko: "파라미터는 IAM API 참조의 제약(길이, 패턴, 범위)을 충족해야 합니다.",
                fix_ko: "문서에 나온 제약 안에서 파라미터를 보내세요(메시지가 파라미터 이름을 알려 줍니다).",
                behaviours: &["C9"],
            },
            /// IAM API: a policy document IAM refuses.
            IamMalformedPolicy {
                name: "iam-malformed-policy",
                code: "MalformedPolicyDocument",
                headline: "The policy is not in the valid JSON format.",
                explanation: "Trust and permission policies must be valid IAM policy documents (IAM API: MalformedPolicyDocument).",
                fix: "Fix the policy where the message says; see the IAM JSON policy grammar.",
                explanation_ko: "신뢰 정책과 권한 정책은 유효한 IAM 정책 문서여야 합니다(IAM API: MalformedPolicyDocument).",
                fix_ko: "메시지가 가리키는 곳의 정책을 고치세요. IAM JSON 정책 문법을 참고하세요.",
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
                explanation_ko: "IAM은 공급자당 프라이빗 키를 두 개까지, 역할의 인라인 정책을 모두 합쳐 10240자까지로 제한합니다(IAM 할당량).",
                fix_ko: "먼저 프라이빗 키나 인라인 정책을 하나 제거하세요.",
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
                explanation_ko: "인라인 정책이 있는 역할은 삭제할 수 없습니다(IAM API DeleteRole: DeleteConflict).",
                fix_ko: "역할보다 먼저 역할의 인라인 정책을 삭제하세요(DeleteRolePolicy).",
                behaviours: &["C9"],
            },
            /// IAM API: no Action, or one the mock does not emulate.
            IamUnsupportedAction {
                name: "iam-unsupported-action",
                code: "InvalidAction",
                headline: "Could not find operation for version 2010-05-08",
                explanation: "The mock IAM emulates the SAML provider, role and inline role policy operations of IAM 2010-05-08.",
                fix: "Call one of CreateSAMLProvider, GetSAMLProvider, ListSAMLProviders, UpdateSAMLProvider, DeleteSAMLProvider, CreateRole, GetRole, ListRoles, UpdateAssumeRolePolicy, UpdateRole, DeleteRole, PutRolePolicy, GetRolePolicy, DeleteRolePolicy, ListRolePolicies.",
                explanation_ko: "모의 IAM은 IAM 2010-05-08의 SAML 공급자, 역할, 역할 인라인 정책 작업을 에뮬레이션합니다.",
                fix_ko: "CreateSAMLProvider, GetSAMLProvider, ListSAMLProviders, UpdateSAMLProvider, DeleteSAMLProvider, CreateRole, GetRole, ListRoles, UpdateAssumeRolePolicy, UpdateRole, DeleteRole, PutRolePolicy, GetRolePolicy, DeleteRolePolicy, ListRolePolicies 중 하나를 호출하세요.",
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
                explanation_ko: "IAM 호출은 SigV4로 서명됩니다(Authorization: AWS4-HMAC-SHA256 …).",
                fix_ko: "세계의 관리자 키([aws] admin_access_key_id)나 STS가 발급한 자격 증명으로 서명하세요.",
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
                explanation_ko: "SigV4 Authorization 헤더에는 Credential, SignedHeaders, Signature가 있고, 요청에는 X-Amz-Date가 있어야 합니다(SigV4 참조).",
                fix_ko: "SDK가 요청에 서명하게 하세요. 헤더를 직접 만들지 마세요.",
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
                explanation_ko: "액세스 키는 세계의 관리자 키이거나 STS가 발급한 키(세션 토큰 포함)여야 합니다(IAM CommonErrors).",
                fix_ko: "[aws] admin_access_key_id(기본값 AKIAIOSFODNN7EXAMPLE, 문서용 가짜 키)를 쓰거나, AssumeRoleWithSAML 응답 하나의 AccessKeyId, SecretAccessKey, SessionToken을 쓰세요.",
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
                explanation_ko: "samlsim이 정규 요청과 키의 시크릿으로 SigV4 서명을 다시 계산했는데 다릅니다(시크릿이 틀렸거나 서명 후 요청이 바뀌었습니다).",
                fix_ko: "액세스 키에 속한 시크릿으로 서명하세요([aws] admin_secret_access_key 또는 STS 응답의 SecretAccessKey).",
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
                explanation_ko: "AssumeRoleWithSAML이 발급한 자격 증명은 역할 세션이 지속되는 동안만 유효합니다.",
                fix_ko: "새 어설션으로 AssumeRoleWithSAML을 다시 호출하세요.",
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
                explanation_ko: "역할 세션은 역할의 권한 정책이 허용하는 만큼만 IAM을 호출할 수 있습니다(reference_policies_evaluation-logic).",
                fix_ko: "역할의 권한 정책에 iam: 작업을 추가하거나 관리자 키로 호출하세요.",
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
                explanation_ko: "모의 AWS가 상태를 읽거나 쓰지 못했습니다. 요청이 아니라 samlsim의 잘못입니다.",
                fix_ko: "세부 정보와 서버 로그를 보세요. 손상된 행은 테이블과 키를 알려 줍니다. 데이터 폴더가 손상되었다면 --fresh로 처음부터 시작하세요.",
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
