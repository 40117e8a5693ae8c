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
            explanation_ko: "자격 증명 저장소에 그 이름의 사용자가 없습니다. 사용자 이름은 대소문자를 구분합니다.",
            fix_ko: "디렉터리에 있는 사용자로 로그인하세요(GET /_admin/idp/users 가 목록을 보여 줍니다).",
            behaviours: &["C3"],
        },
        /// C3: the password does not match.
        WrongPassword {
            name: "wrong-password",
            status: 401,
            headline: "Wrong password",
            explanation: "The identity store checked the password and it does not match.",
            fix: "Use the user's password (the default world's are <name>-pass).",
            explanation_ko: "자격 증명 저장소가 암호를 확인했고, 일치하지 않습니다.",
            fix_ko: "사용자의 암호를 사용하세요(기본 세계의 암호는 <이름>-pass 입니다).",
            behaviours: &["C3"],
        },
        /// C3: the account exists but is disabled.
        UserDisabled {
            name: "user-disabled",
            status: 401,
            headline: "Account disabled",
            explanation: "The identity store refuses disabled accounts.",
            fix: "Enable it: POST /_admin/idp/users/<name>/enable.",
            explanation_ko: "자격 증명 저장소는 비활성화된 계정을 거부합니다.",
            fix_ko: "계정을 활성화하세요: POST /_admin/idp/users/<name>/enable.",
            behaviours: &["C3"],
        },
        /// No SP with that ID or entity ID is registered.
        UnknownSp {
            name: "unknown-sp",
            status: 400,
            headline: "Unknown service provider",
            explanation: "The IdP only signs users in to service providers registered with it.",
            fix: "Register it: POST /_admin/idp/service-providers, or [[idp.service_providers]] in the config; GET /_admin/idp/service-providers lists them.",
            explanation_ko: "IdP는 자신에게 등록된 서비스 제공업체(SP)에만 사용자를 로그인시킵니다.",
            fix_ko: "SP를 등록하세요: POST /_admin/idp/service-providers 또는 구성의 [[idp.service_providers]]. GET /_admin/idp/service-providers 가 목록을 보여 줍니다.",
            behaviours: &["C4"],
        },
        /// SAML profiles 4.1.4.1: responses go only to a registered ACS.
        AcsNotRegistered {
            name: "acs-not-registered",
            headline: "ACS URL not registered",
            explanation: "The AuthnRequest asks for the response at an AssertionConsumerService the SP did not register.",
            fix: "The IdP only ever answers to a registered AssertionConsumerService URL.",
            explanation_ko: "AuthnRequest가 SP가 등록하지 않은 AssertionConsumerService로 응답을 요청합니다.",
            fix_ko: "IdP는 등록된 AssertionConsumerService URL로만 응답합니다.",
            behaviours: &["C4"],
        },
        /// The SP must sign its AuthnRequests (want_authn_requests_signed).
        UnsignedRequest {
            name: "unsigned-request",
            headline: "Unsigned AuthnRequest",
            explanation: "The SP is registered with want_authn_requests_signed, and the request carries no signature.",
            fix: "Sign the AuthnRequest with the SP's registered key, or turn want_authn_requests_signed off.",
            explanation_ko: "SP가 want_authn_requests_signed로 등록되어 있는데, 요청에 서명이 없습니다.",
            fix_ko: "SP의 등록된 키로 AuthnRequest에 서명하거나 want_authn_requests_signed를 끄세요.",
            behaviours: &["C4"],
        },
        /// A signed request from an SP whose certificate the IdP does not have.
        NoSpCertificate {
            name: "no-sp-certificate",
            headline: "Signed request from an SP without a certificate",
            explanation: "The request is signed, but no certificate is registered for the SP to check the signature with.",
            fix: "Register the SP's signing certificate (the certificate field of the service provider).",
            explanation_ko: "요청은 서명되어 있지만, 서명을 확인할 SP 인증서가 등록되어 있지 않습니다.",
            fix_ko: "SP의 서명 인증서를 등록하세요(서비스 제공업체의 certificate 필드).",
            behaviours: &["C4"],
        },
        /// The request's signature (XML or query string) does not verify.
        BadRequestSignature {
            name: "bad-request-signature",
            headline: "AuthnRequest signature invalid",
            explanation: "The signature does not verify with the SP's registered certificate.",
            fix: "Sign with the key whose certificate is registered for the SP, over the message exactly as sent.",
            explanation_ko: "SP의 등록된 인증서로 서명이 검증되지 않습니다.",
            fix_ko: "SP에 인증서가 등록된 키로, 전송되는 메시지 그대로에 대해 서명하세요.",
            behaviours: &["C4"],
        },
        /// SAML core 1.3.4: every request has a fresh ID.
        ReplayedRequest {
            name: "replayed-request",
            headline: "AuthnRequest replayed",
            explanation: "An AuthnRequest with this ID from this SP was already received.",
            fix: "Every AuthnRequest needs a fresh ID (SAML core 1.3.4); start the sign-in at the SP again.",
            explanation_ko: "이 SP로부터 같은 ID의 AuthnRequest를 이미 받았습니다.",
            fix_ko: "AuthnRequest마다 새 ID가 필요합니다(SAML core 1.3.4). SP에서 로그인을 다시 시작하세요.",
            behaviours: &["C4"],
        },
        /// The SAMLRequest is not base64 (or, by HTTP-Redirect, not DEFLATE).
        BadEncoding {
            name: "bad-encoding",
            headline: "Undecodable SAMLRequest",
            explanation: "The SAMLRequest does not decode as the binding encodes it.",
            fix: "HTTP-POST sends base64 of the XML; HTTP-Redirect sends base64 of raw DEFLATE, URL-encoded (SAML bindings 3.4.4.1, 3.5.4).",
            explanation_ko: "SAMLRequest가 바인딩의 인코딩 방식대로 디코딩되지 않습니다.",
            fix_ko: "HTTP-POST는 XML의 base64를, HTTP-Redirect는 raw DEFLATE의 base64를 URL 인코딩하여 보냅니다(SAML bindings 3.4.4.1, 3.5.4).",
            behaviours: &["C4"],
            outcome: Outcome::Invalid,
        },
        /// The HTTP-Redirect query string cannot be taken apart.
        BadRedirectQuery {
            name: "bad-redirect-query",
            headline: "Malformed HTTP-Redirect request",
            explanation: "The query string is not an HTTP-Redirect binding message.",
            fix: "Send SAMLRequest (and optionally RelayState, SigAlg, Signature) once each, URL-encoded (SAML bindings 3.4.4.1).",
            explanation_ko: "쿼리 문자열이 HTTP-Redirect 바인딩 메시지가 아닙니다.",
            fix_ko: "SAMLRequest(선택적으로 RelayState, SigAlg, Signature)를 각각 한 번씩 URL 인코딩하여 보내세요(SAML bindings 3.4.4.1).",
            behaviours: &["C4"],
            outcome: Outcome::Invalid,
        },
        /// An HTTP-POST without a SAMLRequest field.
        MissingSamlRequest {
            name: "missing-saml-request",
            headline: "No SAMLRequest",
            explanation: "The POST carries no SAMLRequest field (SAML bindings 3.5.4).",
            fix: "POST the form field SAMLRequest, base64 of the request's XML.",
            explanation_ko: "POST에 SAMLRequest 필드가 없습니다(SAML bindings 3.5.4).",
            fix_ko: "요청 XML의 base64를 SAMLRequest 폼 필드로 POST하세요.",
            behaviours: &["C4"],
            outcome: Outcome::Invalid,
        },
        /// The XML is not a SAML 2.0 AuthnRequest.
        MalformedAuthnRequest {
            name: "malformed-authn-request",
            headline: "Malformed AuthnRequest",
            explanation: "The message is not a well-formed SAML 2.0 AuthnRequest.",
            fix: "Send a samlp:AuthnRequest with ID, Version=\"2.0\", IssueInstant and saml:Issuer (SAML core 3.4.1).",
            explanation_ko: "메시지가 올바른 형식의 SAML 2.0 AuthnRequest가 아닙니다.",
            fix_ko: "ID, Version=\"2.0\", IssueInstant, saml:Issuer가 있는 samlp:AuthnRequest를 보내세요(SAML core 3.4.1).",
            behaviours: &["C4"],
            outcome: Outcome::Invalid,
        },
        /// The XML is not a SAML 2.0 LogoutRequest.
        MalformedLogoutRequest {
            name: "malformed-logout-request",
            headline: "Malformed LogoutRequest",
            explanation: "The message is not a well-formed SAML 2.0 LogoutRequest.",
            fix: "Send a samlp:LogoutRequest with ID, Version=\"2.0\", IssueInstant, saml:Issuer and saml:NameID (SAML core 3.7.1).",
            explanation_ko: "메시지가 올바른 형식의 SAML 2.0 LogoutRequest가 아닙니다.",
            fix_ko: "ID, Version=\"2.0\", IssueInstant, saml:Issuer, saml:NameID가 있는 samlp:LogoutRequest를 보내세요(SAML core 3.7.1).",
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
            explanation_ko: "SP에 인증서가 등록되어 있으므로 LogoutRequest는 서명되어야 합니다(HTTP-Redirect는 쿼리 문자열로, HTTP-POST는 enveloped 서명으로). 이 요청에는 서명이 없습니다.",
            fix_ko: "SP의 등록된 키로 LogoutRequest에 서명하세요(SAML bindings 3.4.4.1, 3.5.4).",
            behaviours: &["C31"],
        },
        /// SAML core 3.2.1: the LogoutRequest names another endpoint.
        LogoutWrongDestination {
            name: "logout-wrong-destination",
            headline: "LogoutRequest sent to another IdP endpoint",
            explanation: "The LogoutRequest's Destination is not this IdP's SLO endpoint (SAML core 3.2.1).",
            fix: "Take the SingleLogoutService endpoint from the IdP's metadata (GET /idp/metadata).",
            explanation_ko: "LogoutRequest의 Destination이 이 IdP의 SLO 엔드포인트가 아닙니다(SAML core 3.2.1).",
            fix_ko: "IdP 메타데이터(GET /idp/metadata)에서 SingleLogoutService 엔드포인트를 가져오세요.",
            behaviours: &["C31"],
        },
        /// The LogoutRequest's IssueInstant is outside the window AuthnRequests get.
        StaleLogoutRequest {
            name: "stale-logout-request",
            headline: "LogoutRequest out of date",
            explanation: "LogoutRequests older than 10 minutes or more than 3 minutes ahead of the IdP's clock are refused, as AuthnRequests are.",
            fix: "Send a fresh LogoutRequest; check the SP's clock.",
            explanation_ko: "AuthnRequest와 마찬가지로, 10분보다 오래되었거나 IdP 시계보다 3분 넘게 앞선 LogoutRequest는 거부됩니다.",
            fix_ko: "새 LogoutRequest를 보내고 SP의 시계를 확인하세요.",
            behaviours: &["C31"],
        },
        /// SAML core 1.3.4: a LogoutRequest ID seen before.
        ReplayedLogoutRequest {
            name: "replayed-logout-request",
            headline: "LogoutRequest replayed",
            explanation: "A LogoutRequest with this ID from this SP was already received.",
            fix: "Every LogoutRequest needs a fresh ID (SAML core 1.3.4).",
            explanation_ko: "이 SP로부터 같은 ID의 LogoutRequest를 이미 받았습니다.",
            fix_ko: "LogoutRequest마다 새 ID가 필요합니다(SAML core 1.3.4).",
            behaviours: &["C31"],
        },
        /// SAML core 3.2.1: the request names another endpoint.
        WrongDestination {
            name: "wrong-destination",
            headline: "AuthnRequest sent to another IdP endpoint",
            explanation: "The request's Destination is not this IdP's SSO endpoint (SAML core 3.2.1).",
            fix: "Take the SSO endpoint from the IdP's metadata (GET /idp/metadata).",
            explanation_ko: "요청의 Destination이 이 IdP의 SSO 엔드포인트가 아닙니다(SAML core 3.2.1).",
            fix_ko: "IdP 메타데이터(GET /idp/metadata)에서 SSO 엔드포인트를 가져오세요.",
            behaviours: &["C4"],
        },
        /// The IssueInstant is too old or too far ahead of the IdP's clock.
        StaleRequest {
            name: "stale-request",
            headline: "AuthnRequest out of date",
            explanation: "Requests older than 10 minutes or more than 3 minutes ahead of the IdP's clock are refused.",
            fix: "Start the sign-in at the SP again; check the SP's clock.",
            explanation_ko: "10분보다 오래되었거나 IdP 시계보다 3분 넘게 앞선 요청은 거부됩니다.",
            fix_ko: "SP에서 로그인을 다시 시작하고 SP의 시계를 확인하세요.",
            behaviours: &["C4"],
        },
        /// The SP asks for the response by a binding the IdP does not answer with.
        UnsupportedBinding {
            name: "unsupported-binding",
            headline: "Unsupported response binding",
            explanation: "This IdP answers by HTTP-POST only.",
            fix: "Leave ProtocolBinding out, or ask for urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST.",
            explanation_ko: "이 IdP는 HTTP-POST로만 응답합니다.",
            fix_ko: "ProtocolBinding을 빼거나 urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST를 요청하세요.",
            behaviours: &["C4"],
        },
        /// SAML core 3.4.1.4: IsPassive, and answering needs the user; the SP gets
        /// a Response with status NoPassive at its ACS.
        NoPassive {
            name: "no-passive",
            headline: "Passive sign-in not possible",
            explanation: "The SP asked for passive sign-in (IsPassive), but answering needs the user (nobody is signed in, or ForceAuthn); the IdP answers with status NoPassive (SAML core 3.4.1.4).",
            fix: "Send the request without IsPassive, or sign in at the IdP first.",
            explanation_ko: "SP가 수동 로그인(IsPassive)을 요청했지만 응답하려면 사용자가 필요합니다(로그인한 사람이 없거나 ForceAuthn). IdP는 상태 NoPassive로 응답합니다(SAML core 3.4.1.4).",
            fix_ko: "IsPassive 없이 요청을 보내거나 먼저 IdP에 로그인하세요.",
            behaviours: &["C4"],
        },
        /// SAML core 3.4.1.1: a NameIDPolicy this IdP cannot honour; the SP gets a
        /// Response with status InvalidNameIDPolicy.
        InvalidNameIdPolicy {
            name: "invalid-name-id-policy",
            headline: "NameIDPolicy not supported",
            explanation: "The request's NameIDPolicy asks for a NameID format (or AllowCreate) this IdP cannot give; it answers with status InvalidNameIDPolicy (SAML core 3.4.1.1).",
            fix: "Ask for the SP's configured format, persistent, transient, emailAddress or unspecified, or leave NameIDPolicy out.",
            explanation_ko: "요청의 NameIDPolicy가 이 IdP가 줄 수 없는 NameID 형식(또는 AllowCreate)을 요구합니다. IdP는 상태 InvalidNameIDPolicy로 응답합니다(SAML core 3.4.1.1).",
            fix_ko: "SP에 구성된 형식, persistent, transient, emailAddress 또는 unspecified를 요청하거나 NameIDPolicy를 빼세요.",
            behaviours: &["C4"],
        },
        /// SAML core 3.3.2.2.1: a RequestedAuthnContext password sign-in does not
        /// satisfy; the SP gets a Response with status NoAuthnContext.
        NoAuthnContext {
            name: "no-authn-context",
            headline: "Authentication context not available",
            explanation: "The request's RequestedAuthnContext cannot be met: this IdP signs in by password over TLS (PasswordProtectedTransport); it answers with status NoAuthnContext.",
            fix: "Ask for PasswordProtectedTransport (exact), or Password or PasswordProtectedTransport (minimum), or leave RequestedAuthnContext out.",
            explanation_ko: "요청의 RequestedAuthnContext를 충족할 수 없습니다. 이 IdP는 TLS를 통한 암호 로그인(PasswordProtectedTransport)만 하며, 상태 NoAuthnContext로 응답합니다.",
            fix_ko: "PasswordProtectedTransport(exact) 또는 Password나 PasswordProtectedTransport(minimum)를 요청하거나 RequestedAuthnContext를 빼세요.",
            behaviours: &["C4"],
        },
        /// The parked SP-initiated request is gone (used, expired or never made).
        NoPendingRequest {
            name: "no-pending-request",
            headline: "Sign-in request not found",
            explanation: "This sign-in was already completed, or never started here.",
            fix: "Start the sign-in again at the application.",
            explanation_ko: "이 로그인은 이미 완료되었거나 여기서 시작된 적이 없습니다.",
            fix_ko: "애플리케이션에서 로그인을 다시 시작하세요.",
            behaviours: &["C4"],
        },
        /// The user lacks the field the SP takes its NameID from.
        NoNameId {
            name: "no-name-id",
            headline: "No NameID for this user",
            explanation: "The SP takes the NameID from a user field this user does not have.",
            fix: "Give the user that field, or change the SP's name_id_from.",
            explanation_ko: "SP는 NameID를 이 사용자에게 없는 사용자 필드에서 가져옵니다.",
            fix_ko: "사용자에게 그 필드를 주거나 SP의 name_id_from을 바꾸세요.",
            behaviours: &["C4"],
        },
        /// `POST /_admin/idp/keys/promote` with no key staged.
        NoStagedKey {
            name: "no-staged-key",
            code: "NoStagedKey",
            headline: "No staged signing key",
            explanation: "Promoting makes the staged next key the signing key, and no key is staged.",
            fix: "Stage one first: POST /_admin/idp/keys/stage (samlsim idp keys stage).",
            explanation_ko: "승격은 준비된 다음 키를 서명 키로 만드는데, 준비된 키가 없습니다.",
            fix_ko: "먼저 키를 준비하세요: POST /_admin/idp/keys/stage (samlsim idp keys stage).",
            outcome: Outcome::Invalid,
        },
        /// No such route under /idp.
        NoSuchEndpoint {
            name: "no-such-endpoint",
            status: 404,
            headline: "Nothing here",
            explanation: "The IdP has no endpoint at this path for this method.",
            fix: "The IdP's endpoints are listed on the start page, /.",
            explanation_ko: "IdP에는 이 경로와 메서드의 엔드포인트가 없습니다.",
            fix_ko: "IdP의 엔드포인트는 시작 페이지(/)에 나와 있습니다.",
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
            explanation_ko: "관리 API에 그런 사용자나 서비스 제공업체가 없습니다.",
            fix_ko: "GET /_admin/idp/users 또는 /_admin/idp/service-providers 가 있는 것을 보여 줍니다.",
        },
        /// Admin API: a user that cannot be stored.
        AdminInvalidUser {
            name: "admin-invalid-user",
            code: "InvalidUser",
            headline: "Invalid user",
            explanation: "The user body is not a valid user.",
            fix: "POST {\"username\", \"password\", ...} with a non-empty username.",
            explanation_ko: "사용자 본문이 유효한 사용자가 아닙니다.",
            fix_ko: "비어 있지 않은 username으로 {\"username\", \"password\", ...}를 POST하세요.",
            outcome: Outcome::Invalid,
        },
        /// Admin API: a service provider that cannot be used.
        AdminInvalidServiceProvider {
            name: "admin-invalid-service-provider",
            code: "InvalidServiceProvider",
            headline: "Invalid service provider",
            explanation: "The service provider body is not a usable [[idp.service_providers]] entry.",
            fix: "POST the fields of [[idp.service_providers]] (id, entity_id, acs_url, ...).",
            explanation_ko: "서비스 제공업체 본문이 사용할 수 있는 [[idp.service_providers]] 항목이 아닙니다.",
            fix_ko: "[[idp.service_providers]]의 필드(id, entity_id, acs_url, ...)를 POST하세요.",
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
            explanation_ko: "IdP 관리 API에는 이 경로와 메서드의 엔드포인트가 없습니다.",
            fix_ko: "idp::admin 문서의 표를 보세요(users, service-providers, issued, metadata).",
            outcome: Outcome::Invalid,
        },
        /// The IdP could not build or sign the Response.
        ResponseNotBuilt {
            name: "response-not-built",
            status: 500,
            headline: "The IdP could not build the response",
            explanation: "Building or signing the SAML Response failed.",
            fix: "This is a samlsim bug or a damaged SP configuration; check the SP's signature_algorithm and the IdP's key.",
            explanation_ko: "SAML Response를 만들거나 서명하지 못했습니다.",
            fix_ko: "samlsim 버그이거나 손상된 SP 구성입니다. SP의 signature_algorithm과 IdP의 키를 확인하세요.",
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
            explanation_ko: "IdP가 요청을 완료하지 못했습니다.",
            fix_ko: "samlsim 버그이거나 손상된 데이터 폴더입니다. `samlsim up --fresh`로 처음부터 시작합니다.",
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
