//! Every refusal the mock Connect makes, as a variant of [`ConnectRule`]. Status,
//! error code and wording come from the variant; a refusal adds what was wrong
//! with this request. Pages (Access Denied, Session expired), the REST API and the
//! admin API render the same refusal each in their own shape.

use samlsim_service::{Outcome, Refusal};

/// A refusal the mock Connect answers with.
pub type ConnectRefusal = Refusal<ConnectRule>;

/// The troubleshooting fix shared by the session rules (C32).
const SIGN_IN_AGAIN: &str =
    "Sign in at the IdP again (its portal), then reload the Connect page (C28, C32).";
const SIGN_IN_AGAIN_KO: &str =
    "IdP(포털)에서 다시 로그인한 다음 Connect 페이지를 새로 고치세요(C28, C32).";

samlsim_service::rules! {
    /// What the mock Amazon Connect refuses.
    pub enum ConnectRule for "connect" {
        /// C6, C28: the federation URL without an AWS console session.
        NoConsoleSession {
            name: "no-console-session",
            status: 401,
            headline: "Session expired",
            explanation: "This browser has no AWS console session (or it has expired): the sign-in at the IdP and the AWS sign-in endpoint must come first.",
            fix: SIGN_IN_AGAIN,
            explanation_ko: "이 브라우저에 AWS 콘솔 세션이 없습니다(또는 만료되었습니다). IdP 로그인과 AWS 로그인 엔드포인트를 먼저 거쳐야 합니다.",
            fix_ko: SIGN_IN_AGAIN_KO,
            behaviours: &["C6", "C28"],
        },
        /// C14, C15, C19: the instance ID or region of the federation URL is wrong.
        InstanceNotFound {
            name: "instance-not-found",
            status: 404,
            code: "ResourceNotFoundException",
            headline: "ResourceNotFoundException: the requested instance was not found.",
            explanation: "No Amazon Connect instance has this ID in this region.",
            fix: "Check the instance ID and region in the IdP's RelayState (C14, C15).",
            explanation_ko: "이 리전에 이 ID의 Amazon Connect 인스턴스가 없습니다.",
            fix_ko: "IdP의 RelayState에 있는 인스턴스 ID와 리전을 확인하세요(C14, C15).",
            behaviours: &["C6"],
        },
        /// The role of the console session no longer exists.
        RoleNotFound {
            name: "role-not-found",
            status: 403,
            code: "AccessDeniedException",
            headline: "You are not authorized to access this instance.",
            explanation: "The IAM role of this role session no longer exists.",
            fix: "Recreate the role, or sign in again with a role that exists (C9).",
            explanation_ko: "이 역할 세션의 IAM 역할이 더 이상 없습니다.",
            fix_ko: "역할을 다시 만들거나, 존재하는 역할로 다시 로그인하세요(C9).",
            behaviours: &["C6"],
        },
        /// C10: the role may not call connect:GetFederationToken on this instance.
        FederationNotAllowed {
            name: "federation-not-allowed",
            status: 403,
            code: "AccessDeniedException",
            headline: "You are not authorized to access this instance.",
            explanation: "The role's permission policies do not allow connect:GetFederationToken on this instance.",
            fix: "Give the role a permissions policy allowing connect:GetFederationToken on this instance (C10: the instance's user/${aws:userid} resource, or \"*\" with a connect:InstanceId condition).",
            explanation_ko: "역할의 권한 정책이 이 인스턴스에 대한 connect:GetFederationToken을 허용하지 않습니다.",
            fix_ko: "이 인스턴스에 대한 connect:GetFederationToken을 허용하는 권한 정책을 역할에 주세요(C10: 인스턴스의 user/${aws:userid} 리소스, 또는 connect:InstanceId 조건이 있는 \"*\").",
            behaviours: &["C6", "C10"],
        },
        /// C23, C25: no Connect user is named exactly like the RoleSessionName
        /// (the console's page).
        UserNotOnboarded {
            name: "user-not-onboarded",
            status: 403,
            headline: "Your account has been authenticated, but has not been onboarded to this application.",
            explanation: "No Connect user is named exactly like the RoleSessionName of this sign-in.",
            fix: "Create the Connect user with exactly the RoleSessionName, or send a RoleSessionName equal to the Connect user name.",
            explanation_ko: "이 로그인의 RoleSessionName과 정확히 같은 이름의 Connect 사용자가 없습니다.",
            fix_ko: "RoleSessionName과 정확히 같은 이름으로 Connect 사용자를 만들거나, Connect 사용자 이름과 같은 RoleSessionName을 보내세요.",
            behaviours: &["C6", "C23", "C25"],
        },
        /// C23, C25 as GetFederationToken (and the admin API) answer it.
        UserNotFound {
            name: "user-not-found",
            status: 404,
            code: "UserNotFoundException",
            headline: "No user with the specified credentials was found in the Amazon Connect instance.",
            explanation: "No Connect user is named exactly like the RoleSessionName of the calling role session.",
            fix: "Create the Connect user with exactly the RoleSessionName, or send a RoleSessionName equal to the Connect user name.",
            explanation_ko: "호출한 역할 세션의 RoleSessionName과 정확히 같은 이름의 Connect 사용자가 없습니다.",
            fix_ko: "RoleSessionName과 정확히 같은 이름으로 Connect 사용자를 만들거나, Connect 사용자 이름과 같은 RoleSessionName을 보내세요.",
            behaviours: &["C23", "C25"],
        },
        /// C20: the destination is not a page of the instance.
        DestinationUnknown {
            name: "destination-unknown",
            status: 403,
            headline: "The destination page was not found.",
            explanation: "The RelayState's destination is not a page of this Amazon Connect instance.",
            fix: "Use a page such as /ccp-v2, /ccp-v2/chat or /agent-app-v2 (C20).",
            explanation_ko: "RelayState의 대상이 이 Amazon Connect 인스턴스의 페이지가 아닙니다.",
            fix_ko: "/ccp-v2, /ccp-v2/chat, /agent-app-v2 같은 페이지를 사용하세요(C20).",
            behaviours: &["C20"],
        },
        /// C20, C27: the user's security profile does not grant the destination.
        DestinationNotPermitted {
            name: "destination-not-permitted",
            status: 403,
            headline: "You do not have permission to view this page.",
            explanation: "The user's security profile does not grant the destination page.",
            fix: "Assign a security profile that grants the page, or change the destination.",
            explanation_ko: "사용자의 보안 프로필이 대상 페이지를 허용하지 않습니다.",
            fix_ko: "그 페이지를 허용하는 보안 프로필을 할당하거나 대상을 바꾸세요.",
            behaviours: &["C20", "C27"],
        },
        /// C21: an outside destination whose origin is not approved.
        DestinationNotApproved {
            name: "destination-not-approved",
            status: 403,
            headline: "The destination is not an approved origin for this instance.",
            explanation: "A destination outside the instance must be on one of the instance's approved origins.",
            fix: "Add the origin to the instance's approved origins first (C21).",
            explanation_ko: "인스턴스 밖의 대상은 인스턴스의 승인된 오리진 중 하나에 있어야 합니다.",
            fix_ko: "먼저 오리진을 인스턴스의 승인된 오리진에 추가하세요(C21).",
            behaviours: &["C20", "C21"],
        },
        /// C28: the instance opened without a federated session.
        NoSession {
            name: "no-session",
            status: 401,
            headline: "Session expired",
            explanation: "There is no Amazon Connect session in this browser. Reverse federation is not supported: sign in at the IdP, not at Connect (C28).",
            fix: SIGN_IN_AGAIN,
            explanation_ko: "이 브라우저에 Amazon Connect 세션이 없습니다. 역방향 페더레이션은 지원되지 않습니다. Connect가 아니라 IdP에서 로그인하세요(C28).",
            fix_ko: SIGN_IN_AGAIN_KO,
            behaviours: &["C28"],
        },
        /// C30: the 12 hours are up.
        SessionExpired {
            name: "session-expired",
            status: 401,
            headline: "Session expired",
            explanation: "The Connect session ended 12 hours after sign-in (C30).",
            fix: "Sign out of Connect and of the IdP, then sign in again: that starts a new 12 hours (C30).",
            explanation_ko: "Connect 세션은 로그인 후 12시간이 지나 종료되었습니다(C30).",
            fix_ko: "Connect와 IdP에서 로그아웃한 다음 다시 로그인하세요. 그러면 새로운 12시간이 시작됩니다(C30).",
            behaviours: &["C30"],
        },
        /// The session's Connect user was deleted since.
        UserDeleted {
            name: "user-deleted",
            status: 401,
            headline: "Session expired",
            explanation: "The Connect user of this session was deleted.",
            fix: "Recreate the Connect user, then sign in again at the IdP.",
            explanation_ko: "이 세션의 Connect 사용자가 삭제되었습니다.",
            fix_ko: "Connect 사용자를 다시 만든 다음 IdP에서 다시 로그인하세요.",
            behaviours: &["C25"],
        },
        /// C29: the one-time sign-in token is unknown, used or old.
        SignInTokenInvalid {
            name: "sign-in-token-invalid",
            status: 401,
            headline: "Session expired",
            explanation: "The sign-in token is unknown, already used, or more than 5 minutes old.",
            fix: SIGN_IN_AGAIN,
            explanation_ko: "로그인 토큰을 알 수 없거나, 이미 사용되었거나, 5분보다 오래되었습니다.",
            fix_ko: SIGN_IN_AGAIN_KO,
            behaviours: &["C29", "C32"],
        },
        /// No such page on the instance.
        PageNotFound {
            name: "page-not-found",
            status: 404,
            headline: "The page was not found.",
            explanation: "The instance has no page at this path.",
            fix: "Open a page of the instance: /, /ccp-v2, /ccp-v2/chat, /agent-app-v2, /users.",
            explanation_ko: "인스턴스에 이 경로의 페이지가 없습니다.",
            fix_ko: "인스턴스의 페이지를 여세요: /, /ccp-v2, /ccp-v2/chat, /agent-app-v2, /users.",
            outcome: Outcome::Invalid,
        },
        /// A method the instance's pages do not take.
        MethodNotAllowed {
            name: "method-not-allowed",
            status: 405,
            headline: "The request is not supported.",
            explanation: "The instance's pages are read with GET; only /logout takes a POST.",
            fix: "Use GET for pages and POST for /logout.",
            explanation_ko: "인스턴스의 페이지는 GET으로 읽습니다. POST는 /logout만 받습니다.",
            fix_ko: "페이지에는 GET을, /logout에는 POST를 사용하세요.",
            outcome: Outcome::Invalid,
        },
        /// C27: the user's security profile does not grant the page.
        PageNotPermitted {
            name: "page-not-permitted",
            status: 403,
            headline: "You do not have permission to view this page.",
            explanation: "The user's security profile does not grant the page.",
            fix: "Assign a security profile that grants the page.",
            explanation_ko: "사용자의 보안 프로필이 이 페이지를 허용하지 않습니다.",
            fix_ko: "이 페이지를 허용하는 보안 프로필을 할당하세요.",
            behaviours: &["C27"],
        },
        /// GetFederationToken: not a Connect API operation samlsim serves.
        UnknownOperation {
            name: "unknown-operation",
            status: 404,
            code: "UnknownOperationException",
            headline: "Unknown operation",
            explanation: "The mock Connect API serves GetFederationToken and the instance, user, profile and approved-origin operations listed in connect::control.",
            fix: "Call GetFederationToken, e.g. `aws connect get-federation-token --instance-id <id>`.",
            explanation_ko: "모의 Connect API는 GetFederationToken과 connect::control에 나열된 인스턴스, 사용자, 프로필, 승인된 오리진 작업을 제공합니다.",
            fix_ko: "GetFederationToken을 호출하세요. 예: `aws connect get-federation-token --instance-id <id>`.",
            outcome: Outcome::Invalid,
        },
        /// GetFederationToken without a SigV4 Authorization header.
        MissingAuthenticationToken {
            name: "missing-authentication-token",
            status: 403,
            code: "MissingAuthenticationTokenException",
            headline: "Missing Authentication Token",
            explanation: "The request carries no SigV4 Authorization header naming an access key.",
            fix: "Sign the request with the temporary credentials STS issued (AssumeRoleWithSAML).",
            explanation_ko: "요청에 액세스 키를 지정한 SigV4 Authorization 헤더가 없습니다.",
            fix_ko: "STS가 발급한 임시 자격 증명(AssumeRoleWithSAML)으로 요청에 서명하세요.",
        },
        /// GetFederationToken with an access key samlsim never issued, or without
        /// its session token.
        UnrecognizedClient {
            name: "unrecognized-client",
            status: 403,
            code: "UnrecognizedClientException",
            headline: "The security token included in the request is invalid.",
            explanation: "The access key is not one STS issued, or the request lacks its session token (X-Amz-Security-Token).",
            fix: "Use the AccessKeyId, SecretAccessKey and SessionToken of one AssumeRoleWithSAML answer together.",
            explanation_ko: "액세스 키가 STS가 발급한 키가 아니거나, 요청에 세션 토큰(X-Amz-Security-Token)이 없습니다.",
            fix_ko: "AssumeRoleWithSAML 응답 하나의 AccessKeyId, SecretAccessKey, SessionToken을 함께 사용하세요.",
        },
        /// GetFederationToken with expired temporary credentials.
        ExpiredToken {
            name: "expired-token",
            status: 403,
            code: "ExpiredTokenException",
            headline: "The security token included in the request is expired",
            explanation: "The temporary credentials' role session has ended.",
            fix: "Call AssumeRoleWithSAML again with a fresh assertion for new credentials.",
            explanation_ko: "임시 자격 증명의 역할 세션이 끝났습니다.",
            fix_ko: "새 어설션으로 AssumeRoleWithSAML을 다시 호출해 새 자격 증명을 받으세요.",
        },
        /// Control-plane API: no such instance, user, security or routing profile.
        ResourceNotFound {
            name: "resource-not-found",
            status: 404,
            code: "ResourceNotFoundException",
            headline: "The specified resource was not found.",
            explanation: "The instance, user, security profile or routing profile the call names does not exist in this region (Connect API: ResourceNotFoundException).",
            fix: "List them first (ListInstances, ListUsers, ListSecurityProfiles, ListRoutingProfiles) and pass their IDs.",
            explanation_ko: "호출이 가리키는 인스턴스, 사용자, 보안 프로필 또는 라우팅 프로필이 이 리전에 없습니다(Connect API: ResourceNotFoundException).",
            fix_ko: "먼저 목록을 조회하고(ListInstances, ListUsers, ListSecurityProfiles, ListRoutingProfiles) 그 ID를 전달하세요.",
            behaviours: &["C7"],
        },
        /// Control-plane API: a user with this name exists.
        DuplicateResource {
            name: "duplicate-resource",
            status: 409,
            code: "DuplicateResourceException",
            headline: "A resource with the specified name already exists.",
            explanation: "User names are unique within an instance (Connect API CreateUser: DuplicateResourceException).",
            fix: "Pick another user name, or update the existing user.",
            explanation_ko: "사용자 이름은 인스턴스 안에서 고유합니다(Connect API CreateUser: DuplicateResourceException).",
            fix_ko: "다른 사용자 이름을 고르거나 기존 사용자를 업데이트하세요.",
            behaviours: &["C7", "C23"],
        },
        /// Control-plane API: the approved origin is already associated.
        ResourceConflict {
            name: "resource-conflict",
            status: 409,
            code: "ResourceConflictException",
            headline: "A resource already has that name.",
            explanation: "The origin is already an approved origin of the instance (Connect API AssociateApprovedOrigin).",
            fix: "List the approved origins first (ListApprovedOrigins).",
            explanation_ko: "이 오리진은 이미 인스턴스의 승인된 오리진입니다(Connect API AssociateApprovedOrigin).",
            fix_ko: "먼저 승인된 오리진 목록을 조회하세요(ListApprovedOrigins).",
            behaviours: &["C21"],
        },
        /// Control-plane API: a parameter Connect does not take.
        InvalidParameter {
            name: "invalid-parameter",
            status: 400,
            code: "InvalidParameterException",
            headline: "One or more of the specified parameters are not valid.",
            explanation: "Connect checks user names (C24's rules), identity-management settings and IDs (Connect API: InvalidParameterException).",
            fix: "Follow the message: a SAML instance takes no Password, and user names use letters, digits, _ - . and @.",
            explanation_ko: "Connect는 사용자 이름(C24의 규칙), 자격 증명 관리 설정, ID를 확인합니다(Connect API: InvalidParameterException).",
            fix_ko: "메시지를 따르세요. SAML 인스턴스는 Password를 받지 않으며, 사용자 이름에는 문자, 숫자, _ - . @를 사용합니다.",
            behaviours: &["C7", "C24"],
        },
        /// Control-plane API: a request Connect cannot read.
        InvalidRequest {
            name: "invalid-request",
            status: 400,
            code: "InvalidRequestException",
            headline: "The request is not valid.",
            explanation: "The body is not the JSON the operation takes, or a required member is missing (Connect API: InvalidRequestException).",
            fix: "Send the members the operation requires (botocore connect/2017-08-08).",
            explanation_ko: "본문이 작업이 받는 JSON이 아니거나 필수 멤버가 없습니다(Connect API: InvalidRequestException).",
            fix_ko: "작업이 요구하는 멤버를 보내세요(botocore connect/2017-08-08).",
            behaviours: &["C7"],
        },
        /// Control-plane API: the role session may not perform the action.
        AccessDenied {
            name: "access-denied",
            status: 403,
            code: "AccessDeniedException",
            headline: "You do not have sufficient access to perform this action.",
            explanation: "A role session may call the Connect API only as its role's permission policies allow (reference_policies_evaluation-logic).",
            fix: "Add the connect: action (e.g. connect:CreateUser) on the instance to the role's permission policy, or call with the administrator key.",
            explanation_ko: "역할 세션은 역할의 권한 정책이 허용하는 만큼만 Connect API를 호출할 수 있습니다(reference_policies_evaluation-logic).",
            fix_ko: "인스턴스에 대한 connect: 작업(예: connect:CreateUser)을 역할의 권한 정책에 추가하거나 관리자 키로 호출하세요.",
            behaviours: &["C10"],
        },
        /// Control-plane API: the SigV4 signature is not the one the secret gives.
        InvalidSignature {
            name: "invalid-signature",
            status: 403,
            code: "InvalidSignatureException",
            headline: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
            explanation: "samlsim recomputes the SigV4 signature from the canonical request and the key's secret; it differs, or the Authorization header is incomplete.",
            fix: "Sign with the secret that belongs to the access key ([aws] admin_secret_access_key, or the STS answer's SecretAccessKey).",
            explanation_ko: "samlsim이 정규 요청과 키의 시크릿으로 SigV4 서명을 다시 계산했는데 다르거나, Authorization 헤더가 불완전합니다.",
            fix_ko: "액세스 키에 속한 시크릿으로 서명하세요([aws] admin_secret_access_key 또는 STS 응답의 SecretAccessKey).",
        },
        /// Admin API: a body or value that is not valid.
        AdminInvalidParameter {
            name: "admin-invalid-parameter",
            code: "InvalidParameterException",
            headline: "Invalid parameter",
            explanation: "The body is not a valid instance or user.",
            fix: "Send the fields of [[connect.instances]] or [[connect.instances.users]] as JSON.",
            explanation_ko: "본문이 유효한 인스턴스나 사용자가 아닙니다.",
            fix_ko: "[[connect.instances]] 또는 [[connect.instances.users]]의 필드를 JSON으로 보내세요.",
            outcome: Outcome::Invalid,
        },
        /// C26: a CSV import refused as a whole.
        CsvImportInvalid {
            name: "csv-import-invalid",
            code: "InvalidRequestException",
            headline: "The file could not be imported.",
            explanation: "The CSV is not the SAML user template, or some of its rows are invalid; nothing was imported.",
            fix: "Download the SAML template again, fix the rows listed, and import the whole file (C26).",
            explanation_ko: "CSV가 SAML 사용자 템플릿이 아니거나 일부 행이 유효하지 않아, 아무것도 가져오지 않았습니다.",
            fix_ko: "SAML 템플릿을 다시 내려받아 나열된 행을 고치고, 파일 전체를 가져오세요(C26).",
            behaviours: &["C26"],
        },
        /// Admin API: no such endpoint.
        AdminNoSuchEndpoint {
            name: "admin-no-such-endpoint",
            status: 404,
            code: "NoSuchAdminEndpoint",
            headline: "No such admin endpoint",
            explanation: "The Connect admin API has no endpoint at this path for this method.",
            fix: "See the table in the connect::admin docs (instances, users, import).",
            explanation_ko: "Connect 관리 API에는 이 경로와 메서드의 엔드포인트가 없습니다.",
            fix_ko: "connect::admin 문서의 표를 보세요(instances, users, import).",
            outcome: Outcome::Invalid,
        },
        /// samlsim itself failed (storage, a damaged row).
        Internal {
            name: "internal-error",
            status: 500,
            code: "InternalServiceException",
            headline: "An internal error occurred.",
            explanation: "The mock Connect failed.",
            fix: "This is a samlsim bug or a damaged data folder; `samlsim up --fresh` starts over.",
            explanation_ko: "모의 Connect가 실패했습니다.",
            fix_ko: "samlsim 버그이거나 손상된 데이터 폴더입니다. `samlsim up --fresh`로 처음부터 시작합니다.",
            outcome: Outcome::Failed,
        },
    }
}

/// samlsim's own fault, saying what failed.
pub(crate) fn internal(error: &dyn std::fmt::Display) -> ConnectRefusal {
    Refusal::new(ConnectRule::Internal).because(format!("The mock Connect failed: {error}"))
}

#[cfg(test)]
mod tests {
    use samlsim_service::Rule;

    use super::*;

    #[test]
    fn every_rule_has_a_status_words_and_a_unique_name() {
        let faults = samlsim_service::rule::table_faults::<ConnectRule>();
        assert!(faults.is_empty(), "{}", faults.join("\n"));
        assert_eq!(ConnectRule::Internal.spec().outcome, Outcome::Failed);
    }
}
