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
            behaviours: &["C23", "C25"],
        },
        /// C20: the destination is not a page of the instance.
        DestinationUnknown {
            name: "destination-unknown",
            status: 403,
            headline: "The destination page was not found.",
            explanation: "The RelayState's destination is not a page of this Amazon Connect instance.",
            fix: "Use a page such as /ccp-v2, /ccp-v2/chat or /agent-app-v2 (C20).",
            behaviours: &["C20"],
        },
        /// C20, C27: the user's security profile does not grant the destination.
        DestinationNotPermitted {
            name: "destination-not-permitted",
            status: 403,
            headline: "You do not have permission to view this page.",
            explanation: "The user's security profile does not grant the destination page.",
            fix: "Assign a security profile that grants the page, or change the destination.",
            behaviours: &["C20", "C27"],
        },
        /// C21: an outside destination whose origin is not approved.
        DestinationNotApproved {
            name: "destination-not-approved",
            status: 403,
            headline: "The destination is not an approved origin for this instance.",
            explanation: "A destination outside the instance must be on one of the instance's approved origins.",
            fix: "Add the origin to the instance's approved origins first (C21).",
            behaviours: &["C20", "C21"],
        },
        /// C28: the instance opened without a federated session.
        NoSession {
            name: "no-session",
            status: 401,
            headline: "Session expired",
            explanation: "There is no Amazon Connect session in this browser. Reverse federation is not supported: sign in at the IdP, not at Connect (C28).",
            fix: SIGN_IN_AGAIN,
            behaviours: &["C28"],
        },
        /// C30: the 12 hours are up.
        SessionExpired {
            name: "session-expired",
            status: 401,
            headline: "Session expired",
            explanation: "The Connect session ended 12 hours after sign-in (C30).",
            fix: "Sign out of Connect and of the IdP, then sign in again: that starts a new 12 hours (C30).",
            behaviours: &["C30"],
        },
        /// The session's Connect user was deleted since.
        UserDeleted {
            name: "user-deleted",
            status: 401,
            headline: "Session expired",
            explanation: "The Connect user of this session was deleted.",
            fix: "Recreate the Connect user, then sign in again at the IdP.",
            behaviours: &["C25"],
        },
        /// C29: the one-time sign-in token is unknown, used or old.
        SignInTokenInvalid {
            name: "sign-in-token-invalid",
            status: 401,
            headline: "Session expired",
            explanation: "The sign-in token is unknown, already used, or more than 5 minutes old.",
            fix: SIGN_IN_AGAIN,
            behaviours: &["C29", "C32"],
        },
        /// No such page on the instance.
        PageNotFound {
            name: "page-not-found",
            status: 404,
            headline: "The page was not found.",
            explanation: "The instance has no page at this path.",
            fix: "Open a page of the instance: /, /ccp-v2, /ccp-v2/chat, /agent-app-v2, /users.",
            outcome: Outcome::Invalid,
        },
        /// A method the instance's pages do not take.
        MethodNotAllowed {
            name: "method-not-allowed",
            status: 405,
            headline: "The request is not supported.",
            explanation: "The instance's pages are read with GET; only /logout takes a POST.",
            fix: "Use GET for pages and POST for /logout.",
            outcome: Outcome::Invalid,
        },
        /// C27: the user's security profile does not grant the page.
        PageNotPermitted {
            name: "page-not-permitted",
            status: 403,
            headline: "You do not have permission to view this page.",
            explanation: "The user's security profile does not grant the page.",
            fix: "Assign a security profile that grants the page.",
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
        },
        /// GetFederationToken with expired temporary credentials.
        ExpiredToken {
            name: "expired-token",
            status: 403,
            code: "ExpiredTokenException",
            headline: "The security token included in the request is expired",
            explanation: "The temporary credentials' role session has ended.",
            fix: "Call AssumeRoleWithSAML again with a fresh assertion for new credentials.",
        },
        /// Control-plane API: no such instance, user, security or routing profile.
        ResourceNotFound {
            name: "resource-not-found",
            status: 404,
            code: "ResourceNotFoundException",
            headline: "The specified resource was not found.",
            explanation: "The instance, user, security profile or routing profile the call names does not exist in this region (Connect API: ResourceNotFoundException).",
            fix: "List them first (ListInstances, ListUsers, ListSecurityProfiles, ListRoutingProfiles) and pass their IDs.",
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
        },
        /// Admin API: a body or value that is not valid.
        AdminInvalidParameter {
            name: "admin-invalid-parameter",
            code: "InvalidParameterException",
            headline: "Invalid parameter",
            explanation: "The body is not a valid instance or user.",
            fix: "Send the fields of [[connect.instances]] or [[connect.instances.users]] as JSON.",
            outcome: Outcome::Invalid,
        },
        /// C26: a CSV import refused as a whole.
        CsvImportInvalid {
            name: "csv-import-invalid",
            code: "InvalidRequestException",
            headline: "The file could not be imported.",
            explanation: "The CSV is not the SAML user template, or some of its rows are invalid; nothing was imported.",
            fix: "Download the SAML template again, fix the rows listed, and import the whole file (C26).",
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
