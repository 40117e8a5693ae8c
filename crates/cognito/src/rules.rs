//! Everything the mock user pool refuses, one variant per rule.
//!
//! Wording: Cognito's where users have pasted it (sources beside each rule);
//! where Cognito's exact text is not known the headline keeps its prefixes
//! ("Invalid SAML response received: …", "Error in SAML response processing: …")
//! and says what the check is, and the explanation says so.

/// The prefix Cognito puts on SAML errors it finds in the assertion's content
/// (knowledge-center/cognito-invalid-saml-response-errors).
pub const INVALID_SAML: &str = "Invalid SAML response received";

pub use table::CognitoRule;

// A rule that gives every field leaves the macro's `..DEFAULT` with nothing to do.
#[allow(clippy::needless_update)]
mod table {
    use samlsim_service::Outcome;

    samlsim_service::rules! {
        /// What the mock Cognito user pool refuses.
        pub enum CognitoRule for "cognito" {
            // ---- /oauth2/authorize and /login -------------------------------------
            /// The client_id names no app client of the pool.
            ClientNotFound {
                name: "client-not-found",
                code: "invalid_request",
                headline: "An error was encountered with the requested page.",
                explanation: "The authorize request's client_id is not an app client of this user pool.",
                fix: "Use the ID of an app client of this pool (ListUserPoolClients, or GET /_admin/cognito/pools).",
                explanation_ko: "authorize 요청의 client_id가 이 사용자 풀의 앱 클라이언트가 아닙니다.",
                fix_ko: "이 풀의 앱 클라이언트 ID를 사용하세요(ListUserPoolClients 또는 GET /_admin/cognito/pools).",
                behaviours: &["G2"],
            },
            /// redirect_uri is not one of the client's callback URLs.
            RedirectMismatch {
                name: "redirect-mismatch",
                code: "redirect_mismatch",
                // Cognito redirects to /error?error=redirect_mismatch (authorization-endpoint docs).
                headline: "redirect_mismatch",
                explanation: "Cognito sends codes and tokens only to a callback URL registered for the app client, compared exactly.",
                fix: "Add the URL to the app client's callback URLs (callback_urls, UpdateUserPoolClient CallbackURLs), or send the registered one.",
                explanation_ko: "Cognito는 앱 클라이언트에 등록된 콜백 URL로만, 정확히 비교하여 코드와 토큰을 보냅니다.",
                fix_ko: "앱 클라이언트의 콜백 URL에 이 URL을 추가하거나(callback_urls, UpdateUserPoolClient CallbackURLs), 등록된 URL을 보내세요.",
                behaviours: &["G2"],
            },
            /// response_type is missing, unknown, or a flow the client does not allow.
            UnauthorizedClient {
                name: "unauthorized-client",
                code: "unauthorized_client",
                headline: "unauthorized_client",
                explanation: "response_type must be code or token, and the app client must allow that OAuth flow (AllowedOAuthFlows).",
                fix: "Allow the flow on the app client (flows = [\"code\", \"implicit\"]) or ask for the one it allows.",
                explanation_ko: "response_type은 code 또는 token이어야 하고, 앱 클라이언트가 그 OAuth 흐름을 허용해야 합니다(AllowedOAuthFlows).",
                fix_ko: "앱 클라이언트에서 흐름을 허용하거나(flows = [\"code\", \"implicit\"]) 허용된 흐름을 요청하세요.",
                behaviours: &["G2"],
            },
            /// A scope the client may not ask for.
            InvalidScope {
                name: "invalid-scope",
                code: "invalid_scope",
                headline: "invalid_scope",
                explanation: "Every requested scope must be one of the app client's AllowedOAuthScopes.",
                fix: "Ask only for the client's scopes, or add the scope to the client.",
                explanation_ko: "요청한 모든 범위는 앱 클라이언트의 AllowedOAuthScopes 중 하나여야 합니다.",
                fix_ko: "클라이언트의 범위만 요청하거나 클라이언트에 범위를 추가하세요.",
                behaviours: &["G2"],
            },
            /// identity_provider / idp_identifier names no provider of the pool.
            ProviderNotFound {
                name: "provider-not-found",
                code: "invalid_request",
                headline: "Login option is not available. Please try another one",
                explanation: "The identity_provider (or idp_identifier) names no identity provider of this user pool.",
                fix: "Use the provider's name as created in the pool, or one of its identifiers.",
                explanation_ko: "identity_provider(또는 idp_identifier)가 이 사용자 풀의 자격 증명 공급자를 가리키지 않습니다.",
                fix_ko: "풀에서 만든 공급자 이름이나 그 식별자 중 하나를 사용하세요.",
                behaviours: &["G5"],
            },
            /// The provider exists but is not enabled for the app client (G5).
            ProviderNotEnabledForClient {
                name: "provider-not-enabled-for-client",
                code: "invalid_request",
                headline: "Login option is not available. Please try another one",
                explanation: "An IdP not assigned to the app client cannot be used by it: the client's SupportedIdentityProviders does not list this provider.",
                fix: "Add the provider to the app client's supported identity providers (identity_providers, or UpdateUserPoolClient SupportedIdentityProviders).",
                explanation_ko: "앱 클라이언트에 할당되지 않은 IdP는 그 클라이언트에서 사용할 수 없습니다. 클라이언트의 SupportedIdentityProviders에 이 공급자가 없습니다.",
                fix_ko: "앱 클라이언트의 지원되는 자격 증명 공급자에 이 공급자를 추가하세요(identity_providers 또는 UpdateUserPoolClient SupportedIdentityProviders).",
                behaviours: &["G5"],
            },
            /// A PKCE parameter Cognito does not accept.
            PkceInvalid {
                name: "pkce-invalid",
                code: "invalid_request",
                headline: "invalid_request",
                explanation: "code_challenge_method must be S256 or plain, and a method needs a code_challenge.",
                fix: "Send code_challenge with code_challenge_method=S256.",
                explanation_ko: "code_challenge_method는 S256 또는 plain이어야 하고, 방법을 지정하면 code_challenge가 필요합니다.",
                fix_ko: "code_challenge와 code_challenge_method=S256을 보내세요.",
                behaviours: &["G2"],
            },
            /// A required authorize parameter is missing.
            AuthorizeMissingParameter {
                name: "authorize-missing-parameter",
                code: "invalid_request",
                headline: "invalid_request",
                explanation: "client_id, redirect_uri and response_type are required on /oauth2/authorize.",
                fix: "Send every required parameter.",
                explanation_ko: "/oauth2/authorize에는 client_id, redirect_uri, response_type이 필수입니다.",
                fix_ko: "필수 파라미터를 모두 보내세요.",
                behaviours: &["G2"],
                outcome: Outcome::Invalid,
            },
            /// The hosted UI domain belongs to no pool.
            DomainNotFound {
                name: "domain-not-found",
                status: 404,
                code: "ResourceNotFoundException",
                headline: "An error was encountered with the requested page.",
                explanation: "No user pool has this domain prefix in this region.",
                fix: "Use the pool's domain (CreateUserPoolDomain, or domain = in [[cognito.user_pools]]).",
                explanation_ko: "이 리전에 이 도메인 접두사를 가진 사용자 풀이 없습니다.",
                fix_ko: "풀의 도메인을 사용하세요(CreateUserPoolDomain 또는 [[cognito.user_pools]]의 domain =).",
                behaviours: &["G4"],
            },

            // ---- /saml2/idpresponse: Cognito's checks on the assertion -----------
            /// Over 100,000 characters.
            ResponseTooLarge {
                name: "saml-response-too-large",
                code: "invalid_request",
                headline: "Invalid SAML response received: SAML response is too long",
                explanation: "Cognito accepts SAML responses of at most 100,000 characters (saml-idp-things-to-know).",
                fix: "Send fewer attributes (group lists are the usual culprit) or sign only the assertion.",
                explanation_ko: "Cognito는 최대 100,000자의 SAML 응답을 받습니다(saml-idp-things-to-know).",
                fix_ko: "속성을 더 적게 보내거나(그룹 목록이 흔한 원인입니다) 어설션에만 서명하세요.",
                behaviours: &["G1"],
            },
            /// Not base64 of a samlp:Response, or no SAMLResponse at all.
            SamlMalformed {
                name: "saml-malformed",
                code: "invalid_request",
                // "Invalid base64 SAMLResponse" is what Cognito says for undecodable input
                // (blog.dan.drown.org/aws-cognito-error-message-invalid-base64-samlresponse).
                headline: "Invalid base64 SAMLResponse",
                explanation: "The POST must carry SAMLResponse: base64 of a samlp:Response, by the HTTP-POST binding (Cognito supports no other).",
                fix: "Post the IdP's Response unmodified to /saml2/idpresponse.",
                explanation_ko: "POST에는 HTTP-POST 바인딩으로 samlp:Response의 base64인 SAMLResponse가 있어야 합니다(Cognito는 다른 바인딩을 지원하지 않습니다).",
                fix_ko: "IdP의 Response를 수정하지 않고 /saml2/idpresponse로 게시하세요.",
                behaviours: &["G1"],
                outcome: Outcome::Invalid,
            },
            /// The IdP answered with an error status.
            SamlStatusNotSuccess {
                name: "saml-status-not-success",
                code: "invalid_request",
                headline: "Invalid SAML response received: Response status is not success",
                explanation: "The IdP's Response carries a non-Success StatusCode: the IdP refused the sign-in.",
                fix: "Look at the IdP's log for why it refused.",
                explanation_ko: "IdP의 Response에 Success가 아닌 StatusCode가 있습니다. IdP가 로그인을 거부했습니다.",
                fix_ko: "IdP가 거부한 이유를 IdP 로그에서 확인하세요.",
                behaviours: &["G1"],
            },
            /// The signature does not verify with any of the provider's certificates.
            EncryptedResponseInvalid {
                name: "encrypted-response-invalid",
                code: "invalid_request",
                headline: "Error in SAML response processing: Invalid SAML response",
                explanation: "With EncryptedResponses, the pool decrypts the IdP's EncryptedAssertion with the private key of its encryption certificate (ActiveEncryptionCertificate), then verifies the signature inside (cognito-user-pools-SAML-signing-encryption). Every failure of either gets this one answer, so the answer is no decryption oracle; what exactly failed is in samlsim's event log.",
                fix: "Give the IdP the pool's encryption certificate (DescribeIdentityProvider ProviderDetails ActiveEncryptionCertificate), and have it sign the assertion before encrypting it.",
                explanation_ko: "EncryptedResponses가 켜져 있으면 풀은 암호화 인증서(ActiveEncryptionCertificate)의 프라이빗 키로 IdP의 EncryptedAssertion을 복호화한 다음, 안의 서명을 검증합니다(cognito-user-pools-SAML-signing-encryption). 둘 중 어느 실패에도 이 한 가지 답을 주므로, 답이 복호화 오라클이 되지 않습니다. 정확히 무엇이 실패했는지는 samlsim의 이벤트 로그에 있습니다.",
                fix_ko: "풀의 암호화 인증서(DescribeIdentityProvider ProviderDetails ActiveEncryptionCertificate)를 IdP에 주고, IdP가 어설션을 암호화하기 전에 서명하도록 하세요.",
                behaviours: &["G5"],
            },
            /// EncryptedResponses is on and the assertion is plain.
            EncryptionRequired {
                name: "encryption-required",
                code: "invalid_request",
                headline: "Error in SAML response processing: Invalid SAML response",
                explanation: "A provider with EncryptedResponses accepts only encrypted assertions: \"your user pool's connection with the SAML IdP can't work until your IdP starts encrypting all SAML assertions with the provided key\" (cognito-user-pools-SAML-signing-encryption).",
                fix: "Turn on assertion encryption at the IdP with the pool's ActiveEncryptionCertificate, or set EncryptedResponses to false.",
                explanation_ko: "EncryptedResponses가 켜진 공급자는 암호화된 어설션만 받습니다: \"your user pool's connection with the SAML IdP can't work until your IdP starts encrypting all SAML assertions with the provided key\"(cognito-user-pools-SAML-signing-encryption). 즉, IdP가 제공된 키로 모든 SAML 어설션을 암호화하기 전까지 사용자 풀과 SAML IdP의 연결은 동작하지 않습니다.",
                fix_ko: "풀의 ActiveEncryptionCertificate로 IdP에서 어설션 암호화를 켜거나, EncryptedResponses를 false로 설정하세요.",
                behaviours: &["G5"],
            },
            SignatureInvalid {
                name: "signature-invalid",
                code: "invalid_request",
                // Stack Overflow 72050391 quotes this text.
                headline: "Error in SAML response processing: SAML Assertion signature is invalid",
                explanation: "The Response or assertion must be signed by a key whose certificate is in the provider's metadata (any of several). Unsigned, altered or signed with another key: refused.",
                fix: "Update the provider's metadata (UpdateIdentityProvider MetadataFile/MetadataURL) after the IdP rolled its key, or have the IdP sign.",
                explanation_ko: "Response 또는 어설션은 공급자 메타데이터에 있는 인증서(여러 개 중 어느 것이든)의 키로 서명되어야 합니다. 서명이 없거나, 변조되었거나, 다른 키로 서명되었으면 거부됩니다.",
                fix_ko: "IdP가 키를 교체한 뒤에는 공급자의 메타데이터를 업데이트하거나(UpdateIdentityProvider MetadataFile/MetadataURL), IdP가 서명하도록 하세요.",
                behaviours: &["G5"],
            },
            /// Issuer is not the provider's entity ID.
            IssuerMismatch {
                name: "issuer-mismatch",
                code: "invalid_request",
                headline: "Invalid SAML response received: Issuer does not match the identity provider",
                explanation: "The assertion's Issuer must be the entity ID in the provider's metadata.",
                fix: "Upload the metadata of the IdP that signs the assertions.",
                explanation_ko: "어설션의 Issuer는 공급자 메타데이터의 엔터티 ID여야 합니다.",
                fix_ko: "어설션에 서명하는 IdP의 메타데이터를 업로드하세요.",
                behaviours: &["G5"],
            },
            /// Audience is not urn:amazon:cognito:sp:<pool-id>.
            AudienceMismatch {
                name: "audience-mismatch",
                code: "invalid_request",
                headline: "Invalid SAML response received: Audience is not valid",
                explanation: "The assertion's Audience must be the pool's SP entity ID, urn:amazon:cognito:sp:<user-pool-id> (G4).",
                fix: "Set the IdP application's entity ID / audience to urn:amazon:cognito:sp:<user-pool-id>.",
                explanation_ko: "어설션의 Audience는 풀의 SP 엔터티 ID인 urn:amazon:cognito:sp:<user-pool-id>여야 합니다(G4).",
                fix_ko: "IdP 애플리케이션의 엔터티 ID/Audience를 urn:amazon:cognito:sp:<user-pool-id>로 설정하세요.",
                behaviours: &["G4"],
            },
            /// Recipient / Destination is not the pool's ACS.
            RecipientMismatch {
                name: "recipient-mismatch",
                code: "invalid_request",
                headline: "Invalid SAML response received: Recipient is not valid",
                explanation: "SubjectConfirmationData Recipient (and a signed Response's Destination) must be the pool's ACS, https://<user-pool-domain>/saml2/idpresponse (G4).",
                fix: "Set the IdP application's ACS URL to https://<user-pool-domain>/saml2/idpresponse.",
                explanation_ko: "SubjectConfirmationData의 Recipient(그리고 서명된 Response의 Destination)는 풀의 ACS인 https://<user-pool-domain>/saml2/idpresponse여야 합니다(G4).",
                fix_ko: "IdP 애플리케이션의 ACS URL을 https://<user-pool-domain>/saml2/idpresponse로 설정하세요.",
                behaviours: &["G4"],
            },
            /// InResponseTo is not the pending request's ID.
            InResponseToMismatch {
                name: "in-response-to-mismatch",
                code: "invalid_request",
                headline: "Invalid SAML response received: InResponseTo does not match the request",
                explanation: "For SP-initiated sign-in the response must carry InResponseTo of the AuthnRequest Cognito sent in this browser's sign-in.",
                fix: "Answer the request the user pool sent; start the sign-in again from /oauth2/authorize.",
                explanation_ko: "SP 시작 로그인에서는 응답에 이 브라우저의 로그인에서 Cognito가 보낸 AuthnRequest의 InResponseTo가 있어야 합니다.",
                fix_ko: "사용자 풀이 보낸 요청에 응답하세요. /oauth2/authorize에서 로그인을 다시 시작하세요.",
                behaviours: &["G1"],
            },
            /// The pending authorize request is older than 5 minutes, or unknown.
            SignInWindowExpired {
                name: "sign-in-window-expired",
                code: "invalid_request",
                // What users report when the RelayState names no sign-in Cognito
            // still holds (Stack Overflow threads on expired or missing RelayState).
            headline: "Invalid samlResponse or relayState from identity provider",
                explanation: "A sign-in not completed within 5 minutes of the authorize request fails (saml-idp-things-to-know); an unknown RelayState is a sign-in Cognito never started.",
                fix: "Start the sign-in again from the app.",
                explanation_ko: "authorize 요청 후 5분 안에 완료되지 않은 로그인은 실패합니다(saml-idp-things-to-know). 알 수 없는 RelayState는 Cognito가 시작한 적 없는 로그인입니다.",
                fix_ko: "앱에서 로그인을 다시 시작하세요.",
                behaviours: &["G1"],
            },
            /// IdP-initiated sign-in to a provider without IDPInit.
            IdpInitNotEnabled {
                name: "idp-init-not-enabled",
                code: "invalid_request",
                headline: "Invalid SAML response received: IdP-initiated SAML sign-in is not enabled for this identity provider",
                explanation: "A response without InResponseTo is IdP-initiated; Cognito accepts it only when the provider has IDPInit=true.",
                fix: "Set IDPInit (idp_init = true) on the provider, or start the sign-in from the app.",
                explanation_ko: "InResponseTo가 없는 응답은 IdP 시작 로그인입니다. Cognito는 공급자의 IDPInit=true일 때만 이를 받습니다.",
                fix_ko: "공급자에 IDPInit(idp_init = true)을 설정하거나 앱에서 로그인을 시작하세요.",
                behaviours: &["G1"],
            },
            /// IdP-initiated assertion issued more than 6 minutes ago.
            IdpInitTooOld {
                name: "idp-init-too-old",
                code: "invalid_request",
                headline: "Invalid SAML response received: Assertion is too old",
                explanation: "An IdP-initiated assertion must have been issued within the last 6 minutes (saml-idp-things-to-know).",
                fix: "Sign in from the IdP again; check the IdP's clock.",
                explanation_ko: "IdP 시작 어설션은 최근 6분 안에 발급된 것이어야 합니다(saml-idp-things-to-know).",
                fix_ko: "IdP에서 다시 로그인하고 IdP의 시계를 확인하세요.",
                behaviours: &["G1"],
            },
            /// IdP-initiated RelayState does not name a usable client.
            IdpInitRelayState {
                name: "idp-init-relay-state",
                code: "invalid_request",
                // "Invalid relayState" (codegenes.net, IdP-initiated login with OneLogin).
            headline: "Invalid relayState from identity provider",
                explanation: "IdP-initiated sign-in needs RelayState=identity_provider=…&client_id=…&redirect_uri=…&response_type=code&scope=… naming an app client of the pool.",
                fix: "Set the IdP application's default RelayState to the client's parameters.",
                explanation_ko: "IdP 시작 로그인에는 풀의 앱 클라이언트를 가리키는 RelayState=identity_provider=…&client_id=…&redirect_uri=…&response_type=code&scope=…가 필요합니다.",
                fix_ko: "IdP 애플리케이션의 기본 RelayState를 클라이언트의 파라미터로 설정하세요.",
                behaviours: &["G1"],
            },
            /// NotOnOrAfter passed.
            AssertionExpired {
                name: "assertion-expired",
                code: "invalid_request",
                headline: "Invalid SAML response received: Assertion has expired",
                explanation: "The assertion's NotOnOrAfter (SubjectConfirmationData or Conditions) is past.",
                fix: "Check the IdP's clock and assertion lifetime.",
                explanation_ko: "어설션의 NotOnOrAfter(SubjectConfirmationData 또는 Conditions)가 지났습니다.",
                fix_ko: "IdP의 시계와 어설션 유효 기간을 확인하세요.",
                behaviours: &["G1"],
            },
            /// An assertion ID seen before.
            AssertionReplayed {
                name: "assertion-replayed",
                code: "invalid_request",
                headline: "Invalid SAML response received: Assertion has already been used",
                explanation: "Cognito refuses an assertion ID it has accepted before (replay protection).",
                fix: "Sign in again: every sign-in needs a fresh assertion.",
                explanation_ko: "Cognito는 이전에 받은 어설션 ID를 거부합니다(재전송 방지).",
                fix_ko: "다시 로그인하세요. 로그인할 때마다 새 어설션이 필요합니다.",
                behaviours: &["G1"],
            },
            /// No NameID.
            NameIdMissing {
                name: "name-id-missing",
                code: "invalid_request",
                headline: "Invalid SAML response received: NameID is missing",
                explanation: "Federated users are identified by the assertion's NameID (G6); an assertion without one cannot sign anyone in.",
                fix: "Have the IdP send a NameID, from a value that never changes (G7).",
                explanation_ko: "페더레이션 사용자는 어설션의 NameID로 식별됩니다(G6). NameID가 없는 어설션으로는 아무도 로그인시킬 수 없습니다.",
                fix_ko: "IdP가 절대 바뀌지 않는 값으로 NameID를 보내도록 하세요(G7).",
                behaviours: &["G6"],
            },
            /// A required pool attribute got no value.
            RequiredAttributeMissing {
                name: "required-attribute-missing",
                code: "invalid_request",
                headline: "Invalid SAML response received: Invalid user attributes: The attribute is required",
                explanation: "Every required attribute of the pool must be mapped from a SAML attribute the assertion carries.",
                fix: "Map the attribute (attribute_mapping / AttributeMapping) and have the IdP send it.",
                explanation_ko: "풀의 모든 필수 속성은 어설션이 담은 SAML 속성에서 매핑되어야 합니다.",
                fix_ko: "속성을 매핑하고(attribute_mapping / AttributeMapping) IdP가 그 속성을 보내도록 하세요.",
                behaviours: &["G5"],
            },
            /// The username <Provider>_<NameID> differs only in case from an existing user
            /// of a case-insensitive pool (G8).
            UsernameCollision {
                name: "username-case-collision",
                code: "invalid_request",
                // The error users report for a NameID whose case changed (repost
                // "Cognito SAML error: Invalid ProviderName/Username combination",
                // linked from aws-amplify/amplify-js#13844).
                headline: "Invalid ProviderName/Username combination.",
                explanation: "The federated identity (provider + NameID) is compared case-sensitively (G6), so a NameID that changed only in case finds no linked user; the new username <Provider>_<NameID> then collides with the existing profile in a case-insensitive pool (G8).",
                fix: "Delete the old profile (AdminDeleteUser, or DELETE /_admin/cognito/pools/<pool>/users/<name>); the next sign-in creates it anew (G9). Better: map NameID from a value that never changes (G7).",
                explanation_ko: "페더레이션 자격 증명(공급자 + NameID)은 대소문자를 구분해 비교되므로(G6), 대소문자만 바뀐 NameID로는 연결된 사용자를 찾지 못합니다. 그러면 새 사용자 이름 <Provider>_<NameID>가 대소문자를 구분하지 않는 풀의 기존 프로필과 충돌합니다(G8).",
                fix_ko: "이전 프로필을 삭제하세요(AdminDeleteUser 또는 DELETE /_admin/cognito/pools/<pool>/users/<name>). 다음 로그인에서 새로 만들어집니다(G9). 더 나은 방법: 절대 바뀌지 않는 값에서 NameID를 매핑하세요(G7).",
                behaviours: &["G8", "G9"],
            },
            /// The federated user is disabled.
            UserDisabled {
                name: "user-disabled",
                code: "invalid_request",
                headline: "User is disabled.",
                explanation: "An administrator disabled this user (AdminDisableUser).",
                fix: "AdminEnableUser, or delete the user so the next sign-in creates it anew.",
                explanation_ko: "관리자가 이 사용자를 비활성화했습니다(AdminDisableUser).",
                fix_ko: "AdminEnableUser를 호출하거나, 사용자를 삭제해 다음 로그인에서 새로 만들어지게 하세요.",
                behaviours: &["G2"],
            },

            // ---- /oauth2/token, /oauth2/userInfo, /logout -----------------------
            /// Unknown client or wrong secret.
            InvalidClient {
                name: "invalid-client",
                code: "invalid_client",
                headline: "invalid_client",
                explanation: "The token request's client is unknown, or its secret is missing or wrong (HTTP Basic or client_secret in the form).",
                fix: "Send the app client's ID and, for a client with a secret, the secret.",
                explanation_ko: "토큰 요청의 클라이언트를 알 수 없거나, 시크릿이 없거나 틀렸습니다(HTTP Basic 또는 폼의 client_secret).",
                fix_ko: "앱 클라이언트의 ID와, 시크릿이 있는 클라이언트라면 그 시크릿을 보내세요.",
                behaviours: &["G2"],
            },
            /// Unknown, used or expired code, or redirect_uri not the authorize one.
            InvalidGrant {
                name: "invalid-grant",
                code: "invalid_grant",
                headline: "invalid_grant",
                explanation: "An authorization code works once, for its client and redirect_uri, within 5 minutes.",
                fix: "Exchange each code once, promptly, with the redirect_uri of the authorize request.",
                explanation_ko: "권한 부여 코드는 그 클라이언트와 redirect_uri로, 5분 안에 한 번만 사용할 수 있습니다.",
                fix_ko: "각 코드는 authorize 요청의 redirect_uri로 즉시 한 번만 교환하세요.",
                behaviours: &["G2"],
            },
            /// PKCE verifier missing or not matching the challenge.
            PkceMismatch {
                name: "pkce-mismatch",
                code: "invalid_grant",
                headline: "invalid_grant",
                explanation: "The code was issued for a code_challenge; code_verifier must match it (S256: base64url(SHA-256(verifier)); plain: equal).",
                fix: "Send the code_verifier that made the challenge.",
                explanation_ko: "코드는 code_challenge에 대해 발급되었고, code_verifier가 그것과 맞아야 합니다(S256: base64url(SHA-256(verifier)), plain: 같음).",
                fix_ko: "챌린지를 만든 code_verifier를 보내세요.",
                behaviours: &["G2"],
            },
            /// The refresh token's user is gone or disabled, or the token is unknown.
            RefreshTokenRevoked {
                name: "refresh-token-revoked",
                code: "invalid_grant",
                headline: "Refresh Token has been revoked",
                explanation: "A refresh token stops working when its user is deleted or disabled, when it expires, or when it was never issued.",
                fix: "Sign the user in again.",
                explanation_ko: "새로 고침 토큰은 사용자가 삭제되거나 비활성화되었을 때, 만료되었을 때, 또는 발급된 적이 없을 때 동작하지 않습니다.",
                fix_ko: "사용자를 다시 로그인시키세요.",
                behaviours: &["G9"],
            },
            /// grant_type neither authorization_code nor refresh_token.
            UnsupportedGrantType {
                name: "unsupported-grant-type",
                code: "unsupported_grant_type",
                headline: "unsupported_grant_type",
                explanation: "The mock token endpoint takes authorization_code and refresh_token.",
                fix: "Use one of those grants.",
                explanation_ko: "모의 토큰 엔드포인트는 authorization_code와 refresh_token을 받습니다.",
                fix_ko: "그 두 가지 권한 부여 중 하나를 사용하세요.",
                behaviours: &["G2"],
            },
            /// A required token parameter is missing.
            TokenMissingParameter {
                name: "token-missing-parameter",
                code: "invalid_request",
                headline: "invalid_request",
                explanation: "grant_type, and code (authorization_code) or refresh_token, are required.",
                fix: "Send every required parameter as application/x-www-form-urlencoded.",
                explanation_ko: "grant_type과, code(authorization_code) 또는 refresh_token이 필수입니다.",
                fix_ko: "필수 파라미터를 모두 application/x-www-form-urlencoded로 보내세요.",
                behaviours: &["G2"],
                outcome: Outcome::Invalid,
            },
            /// Bearer token missing, malformed, not ours, expired or its user gone.
            AccessTokenInvalid {
                name: "access-token-invalid",
                status: 401,
                code: "invalid_token",
                headline: "Access token is invalid",
                explanation: "userInfo takes an access token of this pool, unexpired by the virtual clock, whose user still exists and is enabled.",
                fix: "Send Authorization: Bearer <access_token>; refresh it when it expires.",
                explanation_ko: "userInfo는 이 풀의 액세스 토큰 중 가상 시계 기준으로 만료되지 않았고, 사용자가 아직 있으며 활성화된 것을 받습니다.",
                fix_ko: "Authorization: Bearer <access_token>을 보내고, 만료되면 새로 고치세요.",
                behaviours: &["G2"],
            },
            /// logout_uri not one of the client's sign-out URLs.
            LogoutUriMismatch {
                name: "logout-uri-mismatch",
                code: "invalid_request",
                // What Cognito shows when logout_uri is not registered (widely reported).
                headline: "Required String parameter 'redirect_uri' is not present",
                explanation: "/logout needs client_id and a logout_uri registered as one of the client's sign-out URLs (LogoutURLs), compared exactly.",
                fix: "Register the URL in the client's logout_urls, or send a registered one.",
                explanation_ko: "/logout에는 client_id와, 클라이언트의 로그아웃 URL(LogoutURLs) 중 하나로 등록된 logout_uri가 필요하며, 정확히 비교합니다.",
                fix_ko: "클라이언트의 logout_urls에 URL을 등록하거나 등록된 URL을 보내세요.",
                behaviours: &["G2"],
            },

            // ---- the cognito-idp API ---------------------------------------------
            /// No such pool, provider or client.
            ResourceNotFound {
                name: "resource-not-found",
                code: "ResourceNotFoundException",
                headline: "Resource not found.",
                explanation: "The user pool, identity provider or app client does not exist.",
                fix: "List what exists (ListUserPools, ListIdentityProviders, ListUserPoolClients).",
                explanation_ko: "사용자 풀, 자격 증명 공급자 또는 앱 클라이언트가 없습니다.",
                fix_ko: "있는 것의 목록을 조회하세요(ListUserPools, ListIdentityProviders, ListUserPoolClients).",
                behaviours: &["G5"],
            },
            /// No such user.
            UserNotFound {
                name: "user-not-found",
                code: "UserNotFoundException",
                headline: "User does not exist.",
                explanation: "No user of this pool has that username (compared without case in a case-insensitive pool).",
                fix: "ListUsers shows the pool's users; federated users are named <Provider>_<NameID>.",
                explanation_ko: "이 풀에 그 사용자 이름의 사용자가 없습니다(대소문자를 구분하지 않는 풀에서는 대소문자 없이 비교).",
                fix_ko: "ListUsers가 풀의 사용자를 보여 줍니다. 페더레이션 사용자의 이름은 <Provider>_<NameID>입니다.",
                behaviours: &["G6"],
            },
            /// A parameter Cognito would refuse.
            InvalidParameter {
                name: "invalid-parameter",
                code: "InvalidParameterException",
                headline: "Invalid parameter.",
                explanation: "A parameter is missing or has a value Cognito refuses.",
                fix: "Check the parameter against the Cognito API reference.",
                explanation_ko: "파라미터가 없거나 Cognito가 거부하는 값입니다.",
                fix_ko: "Cognito API 참조에서 파라미터를 확인하세요.",
                behaviours: &["G5"],
                outcome: Outcome::Invalid,
            },
            /// A provider of that name exists.
            DuplicateProvider {
                name: "duplicate-provider",
                code: "DuplicateProviderException",
                headline: "A provider with the same name already exists.",
                explanation: "Identity provider names are unique within a pool.",
                fix: "Update the existing provider, or choose another name.",
                explanation_ko: "자격 증명 공급자 이름은 풀 안에서 고유합니다.",
                fix_ko: "기존 공급자를 업데이트하거나 다른 이름을 고르세요.",
                behaviours: &["G5"],
            },
            /// An operation the mock does not implement.
            UnknownOperation {
                name: "unknown-operation",
                code: "UnknownOperationException",
                headline: "Unknown operation.",
                explanation: "X-Amz-Target names an operation the mock user pool does not implement.",
                fix: "See README.md's Cognito section for the operations it implements.",
                explanation_ko: "X-Amz-Target이 모의 사용자 풀이 구현하지 않은 작업을 가리킵니다.",
                fix_ko: "구현된 작업은 README.md의 Cognito 절을 보세요.",
                behaviours: &["G2"],
                outcome: Outcome::Invalid,
            },
            /// samlsim itself failed (storage).
            Internal {
                name: "cognito-internal",
                status: 500,
                code: "InternalErrorException",
                headline: "Internal error.",
                explanation: "samlsim could not read or write its state.",
                fix: "See the detail; `samlsim up --fresh` starts over with a new data folder.",
                explanation_ko: "samlsim이 상태를 읽거나 쓰지 못했습니다.",
                fix_ko: "세부 정보를 보세요. `samlsim up --fresh`는 새 데이터 폴더로 처음부터 시작합니다.",
                behaviours: &["G2"],
                outcome: Outcome::Failed,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use samlsim_service::Rule;

    use super::*;

    #[test]
    fn every_rule_is_complete_and_named_once() {
        let faults = samlsim_service::rule::table_faults::<CognitoRule>();
        assert!(faults.is_empty(), "{}", faults.join("\n"));
        for rule in CognitoRule::ALL {
            let spec = rule.spec();
            assert!(!spec.explanation.is_empty(), "{}", spec.name);
            assert!(!spec.code.is_empty(), "{}", spec.name);
            assert!(!spec.behaviours.is_empty(), "{}", spec.name);
        }
    }
}
