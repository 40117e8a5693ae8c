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
                behaviours: &["G2"],
            },
            /// response_type is missing, unknown, or a flow the client does not allow.
            UnauthorizedClient {
                name: "unauthorized-client",
                code: "unauthorized_client",
                headline: "unauthorized_client",
                explanation: "response_type must be code or token, and the app client must allow that OAuth flow (AllowedOAuthFlows).",
                fix: "Allow the flow on the app client (flows = [\"code\", \"implicit\"]) or ask for the one it allows.",
                behaviours: &["G2"],
            },
            /// A scope the client may not ask for.
            InvalidScope {
                name: "invalid-scope",
                code: "invalid_scope",
                headline: "invalid_scope",
                explanation: "Every requested scope must be one of the app client's AllowedOAuthScopes.",
                fix: "Ask only for the client's scopes, or add the scope to the client.",
                behaviours: &["G2"],
            },
            /// identity_provider / idp_identifier names no provider of the pool.
            ProviderNotFound {
                name: "provider-not-found",
                code: "invalid_request",
                headline: "Login option is not available. Please try another one",
                explanation: "The identity_provider (or idp_identifier) names no identity provider of this user pool.",
                fix: "Use the provider's name as created in the pool, or one of its identifiers.",
                behaviours: &["G5"],
            },
            /// The provider exists but is not enabled for the app client (G5).
            ProviderNotEnabledForClient {
                name: "provider-not-enabled-for-client",
                code: "invalid_request",
                headline: "Login option is not available. Please try another one",
                explanation: "An IdP not assigned to the app client cannot be used by it: the client's SupportedIdentityProviders does not list this provider.",
                fix: "Add the provider to the app client's supported identity providers (identity_providers, or UpdateUserPoolClient SupportedIdentityProviders).",
                behaviours: &["G5"],
            },
            /// A PKCE parameter Cognito does not accept.
            PkceInvalid {
                name: "pkce-invalid",
                code: "invalid_request",
                headline: "invalid_request",
                explanation: "code_challenge_method must be S256 or plain, and a method needs a code_challenge.",
                fix: "Send code_challenge with code_challenge_method=S256.",
                behaviours: &["G2"],
            },
            /// A required authorize parameter is missing.
            AuthorizeMissingParameter {
                name: "authorize-missing-parameter",
                code: "invalid_request",
                headline: "invalid_request",
                explanation: "client_id, redirect_uri and response_type are required on /oauth2/authorize.",
                fix: "Send every required parameter.",
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
                behaviours: &["G1"],
            },
            /// The signature does not verify with any of the provider's certificates.
            EncryptedResponseInvalid {
                name: "encrypted-response-invalid",
                code: "invalid_request",
                headline: "Error in SAML response processing: Invalid SAML response",
                explanation: "With EncryptedResponses, the pool decrypts the IdP's EncryptedAssertion with the private key of its encryption certificate (ActiveEncryptionCertificate), then verifies the signature inside (cognito-user-pools-SAML-signing-encryption). Every failure of either gets this one answer, so the answer is no decryption oracle; what exactly failed is in samlsim's event log.",
                fix: "Give the IdP the pool's encryption certificate (DescribeIdentityProvider ProviderDetails ActiveEncryptionCertificate), and have it sign the assertion before encrypting it.",
                behaviours: &["G5"],
            },
            /// EncryptedResponses is on and the assertion is plain.
            EncryptionRequired {
                name: "encryption-required",
                code: "invalid_request",
                headline: "Error in SAML response processing: Invalid SAML response",
                explanation: "A provider with EncryptedResponses accepts only encrypted assertions: \"your user pool's connection with the SAML IdP can't work until your IdP starts encrypting all SAML assertions with the provided key\" (cognito-user-pools-SAML-signing-encryption).",
                fix: "Turn on assertion encryption at the IdP with the pool's ActiveEncryptionCertificate, or set EncryptedResponses to false.",
                behaviours: &["G5"],
            },
            SignatureInvalid {
                name: "signature-invalid",
                code: "invalid_request",
                // Stack Overflow 72050391 quotes this text.
                headline: "Error in SAML response processing: SAML Assertion signature is invalid",
                explanation: "The Response or assertion must be signed by a key whose certificate is in the provider's metadata (any of several). Unsigned, altered or signed with another key: refused.",
                fix: "Update the provider's metadata (UpdateIdentityProvider MetadataFile/MetadataURL) after the IdP rolled its key, or have the IdP sign.",
                behaviours: &["G5"],
            },
            /// Issuer is not the provider's entity ID.
            IssuerMismatch {
                name: "issuer-mismatch",
                code: "invalid_request",
                headline: "Invalid SAML response received: Issuer does not match the identity provider",
                explanation: "The assertion's Issuer must be the entity ID in the provider's metadata.",
                fix: "Upload the metadata of the IdP that signs the assertions.",
                behaviours: &["G5"],
            },
            /// Audience is not urn:amazon:cognito:sp:<pool-id>.
            AudienceMismatch {
                name: "audience-mismatch",
                code: "invalid_request",
                headline: "Invalid SAML response received: Audience is not valid",
                explanation: "The assertion's Audience must be the pool's SP entity ID, urn:amazon:cognito:sp:<user-pool-id> (G4).",
                fix: "Set the IdP application's entity ID / audience to urn:amazon:cognito:sp:<user-pool-id>.",
                behaviours: &["G4"],
            },
            /// Recipient / Destination is not the pool's ACS.
            RecipientMismatch {
                name: "recipient-mismatch",
                code: "invalid_request",
                headline: "Invalid SAML response received: Recipient is not valid",
                explanation: "SubjectConfirmationData Recipient (and a signed Response's Destination) must be the pool's ACS, https://<user-pool-domain>/saml2/idpresponse (G4).",
                fix: "Set the IdP application's ACS URL to https://<user-pool-domain>/saml2/idpresponse.",
                behaviours: &["G4"],
            },
            /// InResponseTo is not the pending request's ID.
            InResponseToMismatch {
                name: "in-response-to-mismatch",
                code: "invalid_request",
                headline: "Invalid SAML response received: InResponseTo does not match the request",
                explanation: "For SP-initiated sign-in the response must carry InResponseTo of the AuthnRequest Cognito sent in this browser's sign-in.",
                fix: "Answer the request the user pool sent; start the sign-in again from /oauth2/authorize.",
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
                behaviours: &["G1"],
            },
            /// IdP-initiated sign-in to a provider without IDPInit.
            IdpInitNotEnabled {
                name: "idp-init-not-enabled",
                code: "invalid_request",
                headline: "Invalid SAML response received: IdP-initiated SAML sign-in is not enabled for this identity provider",
                explanation: "A response without InResponseTo is IdP-initiated; Cognito accepts it only when the provider has IDPInit=true.",
                fix: "Set IDPInit (idp_init = true) on the provider, or start the sign-in from the app.",
                behaviours: &["G1"],
            },
            /// IdP-initiated assertion issued more than 6 minutes ago.
            IdpInitTooOld {
                name: "idp-init-too-old",
                code: "invalid_request",
                headline: "Invalid SAML response received: Assertion is too old",
                explanation: "An IdP-initiated assertion must have been issued within the last 6 minutes (saml-idp-things-to-know).",
                fix: "Sign in from the IdP again; check the IdP's clock.",
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
                behaviours: &["G1"],
            },
            /// NotOnOrAfter passed.
            AssertionExpired {
                name: "assertion-expired",
                code: "invalid_request",
                headline: "Invalid SAML response received: Assertion has expired",
                explanation: "The assertion's NotOnOrAfter (SubjectConfirmationData or Conditions) is past.",
                fix: "Check the IdP's clock and assertion lifetime.",
                behaviours: &["G1"],
            },
            /// An assertion ID seen before.
            AssertionReplayed {
                name: "assertion-replayed",
                code: "invalid_request",
                headline: "Invalid SAML response received: Assertion has already been used",
                explanation: "Cognito refuses an assertion ID it has accepted before (replay protection).",
                fix: "Sign in again: every sign-in needs a fresh assertion.",
                behaviours: &["G1"],
            },
            /// No NameID.
            NameIdMissing {
                name: "name-id-missing",
                code: "invalid_request",
                headline: "Invalid SAML response received: NameID is missing",
                explanation: "Federated users are identified by the assertion's NameID (G6); an assertion without one cannot sign anyone in.",
                fix: "Have the IdP send a NameID, from a value that never changes (G7).",
                behaviours: &["G6"],
            },
            /// A required pool attribute got no value.
            RequiredAttributeMissing {
                name: "required-attribute-missing",
                code: "invalid_request",
                headline: "Invalid SAML response received: Invalid user attributes: The attribute is required",
                explanation: "Every required attribute of the pool must be mapped from a SAML attribute the assertion carries.",
                fix: "Map the attribute (attribute_mapping / AttributeMapping) and have the IdP send it.",
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
                behaviours: &["G8", "G9"],
            },
            /// The federated user is disabled.
            UserDisabled {
                name: "user-disabled",
                code: "invalid_request",
                headline: "User is disabled.",
                explanation: "An administrator disabled this user (AdminDisableUser).",
                fix: "AdminEnableUser, or delete the user so the next sign-in creates it anew.",
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
                behaviours: &["G2"],
            },
            /// Unknown, used or expired code, or redirect_uri not the authorize one.
            InvalidGrant {
                name: "invalid-grant",
                code: "invalid_grant",
                headline: "invalid_grant",
                explanation: "An authorization code works once, for its client and redirect_uri, within 5 minutes.",
                fix: "Exchange each code once, promptly, with the redirect_uri of the authorize request.",
                behaviours: &["G2"],
            },
            /// PKCE verifier missing or not matching the challenge.
            PkceMismatch {
                name: "pkce-mismatch",
                code: "invalid_grant",
                headline: "invalid_grant",
                explanation: "The code was issued for a code_challenge; code_verifier must match it (S256: base64url(SHA-256(verifier)); plain: equal).",
                fix: "Send the code_verifier that made the challenge.",
                behaviours: &["G2"],
            },
            /// The refresh token's user is gone or disabled, or the token is unknown.
            RefreshTokenRevoked {
                name: "refresh-token-revoked",
                code: "invalid_grant",
                headline: "Refresh Token has been revoked",
                explanation: "A refresh token stops working when its user is deleted or disabled, when it expires, or when it was never issued.",
                fix: "Sign the user in again.",
                behaviours: &["G9"],
            },
            /// grant_type neither authorization_code nor refresh_token.
            UnsupportedGrantType {
                name: "unsupported-grant-type",
                code: "unsupported_grant_type",
                headline: "unsupported_grant_type",
                explanation: "The mock token endpoint takes authorization_code and refresh_token.",
                fix: "Use one of those grants.",
                behaviours: &["G2"],
            },
            /// A required token parameter is missing.
            TokenMissingParameter {
                name: "token-missing-parameter",
                code: "invalid_request",
                headline: "invalid_request",
                explanation: "grant_type, and code (authorization_code) or refresh_token, are required.",
                fix: "Send every required parameter as application/x-www-form-urlencoded.",
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
                behaviours: &["G5"],
            },
            /// No such user.
            UserNotFound {
                name: "user-not-found",
                code: "UserNotFoundException",
                headline: "User does not exist.",
                explanation: "No user of this pool has that username (compared without case in a case-insensitive pool).",
                fix: "ListUsers shows the pool's users; federated users are named <Provider>_<NameID>.",
                behaviours: &["G6"],
            },
            /// A parameter Cognito would refuse.
            InvalidParameter {
                name: "invalid-parameter",
                code: "InvalidParameterException",
                headline: "Invalid parameter.",
                explanation: "A parameter is missing or has a value Cognito refuses.",
                fix: "Check the parameter against the Cognito API reference.",
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
                behaviours: &["G5"],
            },
            /// An operation the mock does not implement.
            UnknownOperation {
                name: "unknown-operation",
                code: "UnknownOperationException",
                headline: "Unknown operation.",
                explanation: "X-Amz-Target names an operation the mock user pool does not implement.",
                fix: "See README.md's Cognito section for the operations it implements.",
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
