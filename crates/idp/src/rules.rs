//! Every refusal the IdP makes, as a variant of [`IdpRule`]: the status, the
//! wording and the fix live here, once; call sites add what was wrong with this
//! request (`.because()`) and, where one rule guards several messages, their own
//! headline (`.worded()`).

use samlsim_service::{Outcome, Refusal};

/// A refusal the IdP answers with.
pub type IdpRefusal = Refusal<IdpRule>;

samlsim_service::rules! {
    /// What the mock IdP refuses.
    pub enum IdpRule for "idp" {
        /// C3: the user name is not in the directory.
        UnknownUser {
            name: "unknown-user",
            status: 401,
            headline: "Unknown user",
            explanation: "The identity store has no user of that name; user names are case-sensitive.",
            fix: "Sign in with a user of the directory (GET /_admin/idp/users lists them).",
            behaviours: &["C3"],
        },
        /// C3: the password does not match.
        WrongPassword {
            name: "wrong-password",
            status: 401,
            headline: "Wrong password",
            explanation: "The identity store checked the password and it does not match.",
            fix: "Use the user's password (the default world's are <name>-pass).",
            behaviours: &["C3"],
        },
        /// C3: the account exists but is disabled.
        UserDisabled {
            name: "user-disabled",
            status: 401,
            headline: "Account disabled",
            explanation: "The identity store refuses disabled accounts.",
            fix: "Enable it: POST /_admin/idp/users/<name>/enable.",
            behaviours: &["C3"],
        },
        /// No SP with that ID or entity ID is registered.
        UnknownSp {
            name: "unknown-sp",
            status: 400,
            headline: "Unknown service provider",
            explanation: "The IdP only signs users in to service providers registered with it.",
            fix: "Register it: POST /_admin/idp/service-providers, or [[idp.service_providers]] in the config; GET /_admin/idp/service-providers lists them.",
            behaviours: &["C4"],
        },
        /// SAML profiles 4.1.4.1: responses go only to a registered ACS.
        AcsNotRegistered {
            name: "acs-not-registered",
            headline: "ACS URL not registered",
            explanation: "The AuthnRequest asks for the response at an AssertionConsumerService the SP did not register.",
            fix: "The IdP only ever answers to a registered AssertionConsumerService URL.",
            behaviours: &["C4"],
        },
        /// The SP must sign its AuthnRequests (want_authn_requests_signed).
        UnsignedRequest {
            name: "unsigned-request",
            headline: "Unsigned AuthnRequest",
            explanation: "The SP is registered with want_authn_requests_signed, and the request carries no signature.",
            fix: "Sign the AuthnRequest with the SP's registered key, or turn want_authn_requests_signed off.",
            behaviours: &["C4"],
        },
        /// A signed request from an SP whose certificate the IdP does not have.
        NoSpCertificate {
            name: "no-sp-certificate",
            headline: "Signed request from an SP without a certificate",
            explanation: "The request is signed, but no certificate is registered for the SP to check the signature with.",
            fix: "Register the SP's signing certificate (the certificate field of the service provider).",
            behaviours: &["C4"],
        },
        /// The request's signature (XML or query string) does not verify.
        BadRequestSignature {
            name: "bad-request-signature",
            headline: "AuthnRequest signature invalid",
            explanation: "The signature does not verify with the SP's registered certificate.",
            fix: "Sign with the key whose certificate is registered for the SP, over the message exactly as sent.",
            behaviours: &["C4"],
        },
        /// SAML core 1.3.4: every request has a fresh ID.
        ReplayedRequest {
            name: "replayed-request",
            headline: "AuthnRequest replayed",
            explanation: "An AuthnRequest with this ID from this SP was already received.",
            fix: "Every AuthnRequest needs a fresh ID (SAML core 1.3.4); start the sign-in at the SP again.",
            behaviours: &["C4"],
        },
        /// The SAMLRequest is not base64 (or, by HTTP-Redirect, not DEFLATE).
        BadEncoding {
            name: "bad-encoding",
            headline: "Undecodable SAMLRequest",
            explanation: "The SAMLRequest does not decode as the binding encodes it.",
            fix: "HTTP-POST sends base64 of the XML; HTTP-Redirect sends base64 of raw DEFLATE, URL-encoded (SAML bindings 3.4.4.1, 3.5.4).",
            behaviours: &["C4"],
            outcome: Outcome::Invalid,
        },
        /// The HTTP-Redirect query string cannot be taken apart.
        BadRedirectQuery {
            name: "bad-redirect-query",
            headline: "Malformed HTTP-Redirect request",
            explanation: "The query string is not an HTTP-Redirect binding message.",
            fix: "Send SAMLRequest (and optionally RelayState, SigAlg, Signature) once each, URL-encoded (SAML bindings 3.4.4.1).",
            behaviours: &["C4"],
            outcome: Outcome::Invalid,
        },
        /// An HTTP-POST without a SAMLRequest field.
        MissingSamlRequest {
            name: "missing-saml-request",
            headline: "No SAMLRequest",
            explanation: "The POST carries no SAMLRequest field (SAML bindings 3.5.4).",
            fix: "POST the form field SAMLRequest, base64 of the request's XML.",
            behaviours: &["C4"],
            outcome: Outcome::Invalid,
        },
        /// The XML is not a SAML 2.0 AuthnRequest.
        MalformedAuthnRequest {
            name: "malformed-authn-request",
            headline: "Malformed AuthnRequest",
            explanation: "The message is not a well-formed SAML 2.0 AuthnRequest.",
            fix: "Send a samlp:AuthnRequest with ID, Version=\"2.0\", IssueInstant and saml:Issuer (SAML core 3.4.1).",
            behaviours: &["C4"],
            outcome: Outcome::Invalid,
        },
        /// The XML is not a SAML 2.0 LogoutRequest.
        MalformedLogoutRequest {
            name: "malformed-logout-request",
            headline: "Malformed LogoutRequest",
            explanation: "The message is not a well-formed SAML 2.0 LogoutRequest.",
            fix: "Send a samlp:LogoutRequest with ID, Version=\"2.0\", IssueInstant, saml:Issuer and saml:NameID (SAML core 3.7.1).",
            behaviours: &["C31"],
            outcome: Outcome::Invalid,
        },
        /// An SP with a registered certificate sent an unsigned LogoutRequest:
        /// any page could otherwise sign the user out with one `<img>` GET.
        UnsignedLogoutRequest {
            name: "unsigned-logout-request",
            headline: "Unsigned LogoutRequest",
            explanation: "The SP has a registered certificate, so its LogoutRequests must be signed (by the query string for HTTP-Redirect, enveloped for HTTP-POST); this one carries no signature.",
            fix: "Sign the LogoutRequest with the SP's registered key (SAML bindings 3.4.4.1, 3.5.4).",
            behaviours: &["C31"],
        },
        /// SAML core 3.2.1: the LogoutRequest names another endpoint.
        LogoutWrongDestination {
            name: "logout-wrong-destination",
            headline: "LogoutRequest sent to another IdP endpoint",
            explanation: "The LogoutRequest's Destination is not this IdP's SLO endpoint (SAML core 3.2.1).",
            fix: "Take the SingleLogoutService endpoint from the IdP's metadata (GET /idp/metadata).",
            behaviours: &["C31"],
        },
        /// The LogoutRequest's IssueInstant is outside the window AuthnRequests get.
        StaleLogoutRequest {
            name: "stale-logout-request",
            headline: "LogoutRequest out of date",
            explanation: "LogoutRequests older than 10 minutes or more than 3 minutes ahead of the IdP's clock are refused, as AuthnRequests are.",
            fix: "Send a fresh LogoutRequest; check the SP's clock.",
            behaviours: &["C31"],
        },
        /// SAML core 1.3.4: a LogoutRequest ID seen before.
        ReplayedLogoutRequest {
            name: "replayed-logout-request",
            headline: "LogoutRequest replayed",
            explanation: "A LogoutRequest with this ID from this SP was already received.",
            fix: "Every LogoutRequest needs a fresh ID (SAML core 1.3.4).",
            behaviours: &["C31"],
        },
        /// SAML core 3.2.1: the request names another endpoint.
        WrongDestination {
            name: "wrong-destination",
            headline: "AuthnRequest sent to another IdP endpoint",
            explanation: "The request's Destination is not this IdP's SSO endpoint (SAML core 3.2.1).",
            fix: "Take the SSO endpoint from the IdP's metadata (GET /idp/metadata).",
            behaviours: &["C4"],
        },
        /// The IssueInstant is too old or too far ahead of the IdP's clock.
        StaleRequest {
            name: "stale-request",
            headline: "AuthnRequest out of date",
            explanation: "Requests older than 10 minutes or more than 3 minutes ahead of the IdP's clock are refused.",
            fix: "Start the sign-in at the SP again; check the SP's clock.",
            behaviours: &["C4"],
        },
        /// The SP asks for the response by a binding the IdP does not answer with.
        UnsupportedBinding {
            name: "unsupported-binding",
            headline: "Unsupported response binding",
            explanation: "This IdP answers by HTTP-POST only.",
            fix: "Leave ProtocolBinding out, or ask for urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST.",
            behaviours: &["C4"],
        },
        /// SAML core 3.4.1.4: IsPassive, and answering needs the user; the SP gets
        /// a Response with status NoPassive at its ACS.
        NoPassive {
            name: "no-passive",
            headline: "Passive sign-in not possible",
            explanation: "The SP asked for passive sign-in (IsPassive), but answering needs the user (nobody is signed in, or ForceAuthn); the IdP answers with status NoPassive (SAML core 3.4.1.4).",
            fix: "Send the request without IsPassive, or sign in at the IdP first.",
            behaviours: &["C4"],
        },
        /// SAML core 3.4.1.1: a NameIDPolicy this IdP cannot honour; the SP gets a
        /// Response with status InvalidNameIDPolicy.
        InvalidNameIdPolicy {
            name: "invalid-name-id-policy",
            headline: "NameIDPolicy not supported",
            explanation: "The request's NameIDPolicy asks for a NameID format (or AllowCreate) this IdP cannot give; it answers with status InvalidNameIDPolicy (SAML core 3.4.1.1).",
            fix: "Ask for the SP's configured format, persistent, transient, emailAddress or unspecified, or leave NameIDPolicy out.",
            behaviours: &["C4"],
        },
        /// SAML core 3.3.2.2.1: a RequestedAuthnContext password sign-in does not
        /// satisfy; the SP gets a Response with status NoAuthnContext.
        NoAuthnContext {
            name: "no-authn-context",
            headline: "Authentication context not available",
            explanation: "The request's RequestedAuthnContext cannot be met: this IdP signs in by password over TLS (PasswordProtectedTransport); it answers with status NoAuthnContext.",
            fix: "Ask for PasswordProtectedTransport (exact), or Password or PasswordProtectedTransport (minimum), or leave RequestedAuthnContext out.",
            behaviours: &["C4"],
        },
        /// The parked SP-initiated request is gone (used, expired or never made).
        NoPendingRequest {
            name: "no-pending-request",
            headline: "Sign-in request not found",
            explanation: "This sign-in was already completed, or never started here.",
            fix: "Start the sign-in again at the application.",
            behaviours: &["C4"],
        },
        /// The user lacks the field the SP takes its NameID from.
        NoNameId {
            name: "no-name-id",
            headline: "No NameID for this user",
            explanation: "The SP takes the NameID from a user field this user does not have.",
            fix: "Give the user that field, or change the SP's name_id_from.",
            behaviours: &["C4"],
        },
        /// `POST /_admin/idp/keys/promote` with no key staged.
        NoStagedKey {
            name: "no-staged-key",
            code: "NoStagedKey",
            headline: "No staged signing key",
            explanation: "Promoting makes the staged next key the signing key, and no key is staged.",
            fix: "Stage one first: POST /_admin/idp/keys/stage (samlsim idp keys stage).",
            outcome: Outcome::Invalid,
        },
        /// No such route under /idp.
        NoSuchEndpoint {
            name: "no-such-endpoint",
            status: 404,
            headline: "Nothing here",
            explanation: "The IdP has no endpoint at this path for this method.",
            fix: "The IdP's endpoints are listed on the start page, /.",
            outcome: Outcome::Invalid,
        },
        /// Admin API: no user or SP of that name.
        AdminNotFound {
            name: "admin-not-found",
            status: 404,
            code: "NotFound",
            headline: "Not found",
            explanation: "The admin API has no such user or service provider.",
            fix: "GET /_admin/idp/users or /_admin/idp/service-providers lists what exists.",
        },
        /// Admin API: a user that cannot be stored.
        AdminInvalidUser {
            name: "admin-invalid-user",
            code: "InvalidUser",
            headline: "Invalid user",
            explanation: "The user body is not a valid user.",
            fix: "POST {\"username\", \"password\", ...} with a non-empty username.",
            outcome: Outcome::Invalid,
        },
        /// Admin API: a service provider that cannot be used.
        AdminInvalidServiceProvider {
            name: "admin-invalid-service-provider",
            code: "InvalidServiceProvider",
            headline: "Invalid service provider",
            explanation: "The service provider body is not a usable [[idp.service_providers]] entry.",
            fix: "POST the fields of [[idp.service_providers]] (id, entity_id, acs_url, ...).",
            outcome: Outcome::Invalid,
        },
        /// Admin API: no such endpoint.
        AdminNoSuchEndpoint {
            name: "admin-no-such-endpoint",
            status: 404,
            code: "NoSuchAdminEndpoint",
            headline: "No such admin endpoint",
            explanation: "The IdP's admin API has no endpoint at this path for this method.",
            fix: "See the table in the idp::admin docs (users, service-providers, issued, metadata).",
            outcome: Outcome::Invalid,
        },
        /// The IdP could not build or sign the Response.
        ResponseNotBuilt {
            name: "response-not-built",
            status: 500,
            headline: "The IdP could not build the response",
            explanation: "Building or signing the SAML Response failed.",
            fix: "This is a samlsim bug or a damaged SP configuration; check the SP's signature_algorithm and the IdP's key.",
            behaviours: &["C4"],
            outcome: Outcome::Failed,
        },
        /// samlsim itself failed (storage, a damaged row).
        Internal {
            name: "internal-error",
            status: 500,
            code: "StoreError",
            headline: "The IdP failed",
            explanation: "The IdP could not complete the request.",
            fix: "This is a samlsim bug or a damaged data folder; `samlsim up --fresh` starts over.",
            outcome: Outcome::Failed,
        },
    }
}

/// samlsim's own fault, saying what failed.
pub(crate) fn internal(error: &dyn std::fmt::Display) -> IdpRefusal {
    Refusal::new(IdpRule::Internal)
        .because(format!("The IdP could not complete the request: {error}"))
}

#[cfg(test)]
mod tests {
    use samlsim_service::Rule;

    use super::*;

    #[test]
    fn every_rule_has_a_status_words_and_a_unique_name() {
        let faults = samlsim_service::rule::table_faults::<IdpRule>();
        assert!(faults.is_empty(), "{}", faults.join("\n"));
        assert_eq!(IdpRule::Internal.spec().outcome, Outcome::Failed);
    }
}
