//! AWS Signature Version 4 for the control-plane APIs (IAM, Connect): the
//! `Authorization` header is parsed, the signature recomputed (the canonical
//! request of the SigV4 reference, `create-signed-request`), and the access key
//! resolved to a caller samlsim knows: the configured administrator key pair of
//! the world (`[aws] admin_access_key_id`), or temporary credentials STS issued,
//! whose role's permission policies then decide each action ([`authorize`]).
//!
//! Each service words the failures its own way (IAM `InvalidClientTokenId`,
//! Connect `UnrecognizedClientException`); this module says only what failed.

use samlsim_service::http::header;
use samlsim_service::ids::hex;
use samlsim_service::{Request, UnixTime};
use sha2::{Digest, Sha256};

use crate::Aws;
use crate::policy::{Context, Decision, Request as PolicyRequest, evaluate_all};
use crate::state::Credentials;

/// Who signed a request.
#[derive(Debug, Clone)]
pub enum Caller {
    /// The world's administrator key pair: may do everything in `account`.
    Admin {
        access_key_id: String,
        account: String,
    },
    /// Temporary credentials from AssumeRoleWithSAML: the role decides.
    Session(Box<Credentials>),
}

impl Caller {
    /// The account the caller acts in.
    pub fn account(&self) -> &str {
        match self {
            Caller::Admin { account, .. } => account,
            Caller::Session(credentials) => &credentials.session.account,
        }
    }

    /// The ARN AWS names in an AccessDenied message.
    pub fn arn(&self) -> String {
        match self {
            Caller::Admin { account, .. } => format!("arn:aws:iam::{account}:root"),
            Caller::Session(credentials) => credentials.session.assumed_role_arn(),
        }
    }

    pub fn access_key_id(&self) -> &str {
        match self {
            Caller::Admin { access_key_id, .. } => access_key_id,
            Caller::Session(credentials) => &credentials.access_key_id,
        }
    }
}

/// Why a request's signature or key was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header (and no presigned query).
    Missing,
    /// The header is not a SigV4 header with Credential, SignedHeaders and
    /// Signature, or lacks X-Amz-Date (AWS: IncompleteSignature).
    Incomplete(String),
    /// The access key is neither the administrator's nor one STS issued.
    UnknownKey(String),
    /// Temporary credentials without their session token, or with another one.
    SessionToken(String),
    /// Temporary credentials whose role session has ended.
    Expired(String),
    /// The signature is not the one the secret key gives, or the credential
    /// scope names another service; the detail says what was compared.
    Mismatch(String),
    /// samlsim could not read its state.
    Internal(String),
}

impl AuthError {
    /// samlsim's account of what was wrong (never a secret).
    pub fn detail(&self) -> String {
        match self {
            AuthError::Missing => "The request carries no SigV4 Authorization header.".into(),
            AuthError::Incomplete(why)
            | AuthError::SessionToken(why)
            | AuthError::Expired(why)
            | AuthError::Mismatch(why)
            | AuthError::Internal(why) => why.clone(),
            AuthError::UnknownKey(key) => format!(
                "The access key {key} is neither the world's administrator key ([aws] admin_access_key_id) nor one STS issued."
            ),
        }
    }
}

/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses a SigV4 Authorization header value.
pub fn parse_authorization(value: &str) -> Result<Authorization, AuthError> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256").ok_or_else(|| {
        AuthError::Incomplete(format!(
            "Authorization header is not AWS4-HMAC-SHA256: {}",
            value.split_whitespace().next().unwrap_or("")
        ))
    })?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing = |what: &str| {
        AuthError::Incomplete(format!(
            "Authorization header requires '{what}' parameter. Authorization={}",
            redact(value)
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [key, date, region, service, terminator] = scope.as_slice() else {
        return Err(AuthError::Incomplete(format!(
            "Credential should have five slash-separated parts (AKID/date/region/service/aws4_request), not {credential}"
        )));
    };
    if *terminator != "aws4_request" || key.is_empty() {
        return Err(AuthError::Incomplete(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not {credential}"
        )));
    }
    Ok(Authorization {
        access_key_id: (*key).to_owned(),
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        service: (*service).to_owned(),
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature: signature.to_ascii_lowercase(),
    })
}

/// The header without its signature, for messages.
fn redact(value: &str) -> String {
    match value.find("Signature=") {
        Some(i) => format!("{}Signature=…", &value[..i]),
        None => value.to_owned(),
    }
}

/// Verifies `request`'s signature for `service` and resolves its caller.
pub fn authenticate(
    aws: &Aws,
    request: &Request,
    service: &str,
    now: UnixTime,
) -> Result<Caller, AuthError> {
    let header = request
        .headers
        .get(header::AUTHORIZATION)
        .ok_or(AuthError::Missing)?
        .to_str()
        .map_err(|_| AuthError::Incomplete("The Authorization header is not ASCII.".into()))?;
    let auth = parse_authorization(header)?;
    let (secret, caller) = match aws.admin_key() {
        Some((id, secret)) if id == auth.access_key_id => {
            let account = aws
                .iam()
                .accounts()
                .map_err(|e| AuthError::Internal(e.to_string()))?
                .into_iter()
                .next()
                .map(|a| a.id)
                .ok_or_else(|| {
                    AuthError::Internal(
                        "the world has no AWS account for the administrator key".into(),
                    )
                })?;
            (
                secret.to_owned(),
                Caller::Admin {
                    access_key_id: id.to_owned(),
                    account,
                },
            )
        }
        _ => {
            let credentials = aws
                .state()
                .credentials(&auth.access_key_id)
                .map_err(|e| AuthError::Internal(e.to_string()))?
                .ok_or_else(|| AuthError::UnknownKey(auth.access_key_id.clone()))?;
            let token = request
                .headers
                .get("x-amz-security-token")
                .and_then(|v| v.to_str().ok());
            if token != Some(credentials.session_token.as_str()) {
                return Err(AuthError::SessionToken(format!(
                    "The access key {} is temporary: the request must carry its session token (X-Amz-Security-Token).",
                    auth.access_key_id
                )));
            }
            if credentials.session.expires_at <= now {
                return Err(AuthError::Expired(format!(
                    "The role session {} of access key {} has ended.",
                    credentials.session.assumed_role_arn(),
                    auth.access_key_id
                )));
            }
            (
                credentials.secret_access_key.clone(),
                Caller::Session(Box::new(credentials)),
            )
        }
    };
    if auth.service != service {
        return Err(AuthError::Mismatch(format!(
            "Credential should be scoped to correct service: '{service}', not '{}'.",
            auth.service
        )));
    }
    let expected = signature(request, &auth, &secret)?;
    if expected.signature != auth.signature {
        return Err(AuthError::Mismatch(format!(
            "The signature does not match the secret key of {}. The canonical request samlsim computed:\n{}\nThe string to sign:\n{}",
            auth.access_key_id, expected.canonical_request, expected.string_to_sign
        )));
    }
    Ok(caller)
}

/// What the signature was computed from, for the refusal's detail.
pub struct Computed {
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

/// The signature `request` should carry under `auth`'s scope with `secret`.
pub fn signature(
    request: &Request,
    auth: &Authorization,
    secret: &str,
) -> Result<Computed, AuthError> {
    let amz_date = request
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            AuthError::Incomplete("The request must carry an X-Amz-Date header.".into())
        })?;
    let mut headers = String::new();
    for name in &auth.signed_headers {
        let values: Vec<String> = request
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        headers.push_str(name);
        headers.push(':');
        headers.push_str(&values.join(","));
        headers.push('\n');
    }
    let payload = match request
        .headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
    {
        Some(declared) => declared.to_owned(),
        None => hex(&Sha256::digest(&request.body)),
    };
    let mut query: Vec<(String, String)> = request
        .query_pairs()
        .into_iter()
        .map(|(k, v)| (uri_encode(&k, true), uri_encode(&v, true)))
        .collect();
    query.sort();
    let query = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let path = if request.path.is_empty() {
        "/".to_owned()
    } else {
        uri_encode(&request.path, false)
    };
    let canonical_request = format!(
        "{}\n{path}\n{query}\n{headers}\n{}\n{payload}",
        request.method,
        auth.signed_headers.join(";")
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    let k_region = hmac(&k_date, auth.region.as_bytes());
    let k_service = hmac(&k_region, auth.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let signature = hex(&hmac(&k_signing, string_to_sign.as_bytes()));
    Ok(Computed {
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// Whether `caller` may perform `action` on `resource`: the administrator may do
/// everything; a role session as its role's permission policies say. `Err` is
/// AWS's AccessDenied wording.
pub fn authorize(
    aws: &Aws,
    caller: &Caller,
    action: &str,
    resource: &str,
    context: Context,
) -> Result<(), String> {
    let Caller::Session(credentials) = caller else {
        return Ok(());
    };
    let session = &credentials.session;
    let denied = || {
        format!(
            "User: {} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action",
            session.assumed_role_arn()
        )
    };
    let Ok(Some(role)) = aws.iam().role(&session.role_arn) else {
        return Err(denied());
    };
    let context = context
        .with("aws:userid", session.user_id())
        .with("aws:username", session.role_session_name.clone())
        .with("aws:PrincipalArn", session.role_arn.clone())
        .with("aws:PrincipalAccount", session.account.clone());
    let policies: Vec<_> = role.permission_policies.iter().collect();
    let request = PolicyRequest {
        action,
        resource: Some(resource),
        principal: None,
        context: &context,
    };
    match evaluate_all(&policies, &request) {
        Decision::Allow { .. } => Ok(()),
        _ => Err(denied()),
    }
}

/// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, `/` kept in
/// paths, everything else `%XX` in upper case.
pub fn uri_encode(text: &str, encode_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (b == b'/' && !encode_slash)
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// HMAC-SHA256 (RFC 2104).
fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().to_vec()
}

#[cfg(test)]
mod tests {
    use samlsim_service::http::{HeaderValue, Method};

    use super::*;

    /// The `get-vanilla` vector of the SigV4 test suite (AWS's published example
    /// key, example-only).
    #[test]
    fn the_reference_vector_signs_as_aws_does() {
        let mut request = Request::new(Method::GET, "/");
        request
            .headers
            .insert("host", HeaderValue::from_static("example.amazonaws.com"));
        request
            .headers
            .insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
        let auth = parse_authorization("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31").unwrap();
        let computed =
            signature(&request, &auth, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        assert_eq!(
            computed.signature, auth.signature,
            "{}",
            computed.canonical_request
        );
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        assert_eq!(
            hex(&hmac(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_header_without_a_signature_is_incomplete() {
        assert!(matches!(
            parse_authorization(
                "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host"
            ),
            Err(AuthError::Incomplete(_))
        ));
    }
}
