//! IAM over the AWS query protocol (botocore `iam/2010-05-08/service-2.json`): a
//! form POST to `https://iam.amazonaws.com/` (locally
//! `/aws/iam.amazonaws.com/`), signed with SigV4 for `us-east-1`/`iam`, answered
//! in XML in the `https://iam.amazonaws.com/doc/2010-05-08/` namespace.
//!
//! SAML providers, roles and inline role policies: the same state the
//! configuration and the admin API change ([`crate::iam`]), so a provider or
//! role made here is used by the next sign-in and AssumeRoleWithSAML.

use samlsim_saml::DateTime;
use samlsim_service::http::{Method, StatusCode, header::HeaderName};
use samlsim_service::{NewEvent, Request, Response, UnixTime};

use crate::config::AssertionEncryptionMode;
use crate::iam::{
    IamError, ProviderExtra, ProviderUpdate, Role, RoleExtra, provider_arn, role_arn,
};
use crate::policy::{Context, Policy, PolicyError};
use crate::rules::{AwsRule, Refusal};
use crate::sigv4::{AuthError, Caller, authorize, uri_encode};
use crate::{Aws, SERVICE};

const ACTION: &str = "iam.api";
const NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
const VERSION: &str = "2010-05-08";
/// IAM's quota on the inline policies of one role, in characters (whitespace
/// excluded).
const INLINE_POLICY_QUOTA: usize = 10_240;

pub(crate) fn handle(aws: &Aws, request: &Request, rest: &str) -> Response {
    let request_id = request_id(aws);
    let result = if rest != "/" && !rest.is_empty() {
        Err(Refusal::new(AwsRule::IamUnsupportedAction).worded(format!(
            "IAM is served at the endpoint root; there is nothing at {rest}"
        )))
    } else {
        dispatch(aws, request, &request_id)
    };
    match result {
        Ok(xml) => Response::new(StatusCode::OK, "text/xml", xml)
            .with_header(HeaderName::from_static("x-amzn-requestid"), &request_id),
        Err(refusal) => aws.recorder.refuse(
            request,
            ACTION,
            refusal.context(serde_json::json!({ "request_id": request_id })),
            |refusal| error(&request_id, refusal),
        ),
    }
}

/// The query parameters of a call.
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A required string within its length bounds, in AWS's validation words.
    fn required(&self, name: &str, min: usize, max: usize) -> Result<&str, Refusal> {
        let member = member_name(name);
        let value = self.get(name).ok_or_else(|| {
            validation(format!(
                "Value null at '{member}' failed to satisfy constraint: Member must not be null"
            ))
        })?;
        check_length(value, &member, min, max)?;
        Ok(value)
    }

    fn optional(&self, name: &str, min: usize, max: usize) -> Result<Option<&str>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => {
                check_length(value, &member_name(name), min, max)?;
                Ok(Some(value))
            }
        }
    }

    /// `Tags.member.N.Key` / `.Value`.
    fn tags(&self) -> Result<Vec<(String, String)>, Refusal> {
        let mut tags = Vec::new();
        for n in 1.. {
            let Some(key) = self.get(&format!("Tags.member.{n}.Key")) else {
                break;
            };
            let value = self.get(&format!("Tags.member.{n}.Value")).unwrap_or("");
            check_length(key, "tags.member.key", 1, 128)?;
            check_length(value, "tags.member.value", 0, 256)?;
            tags.push((key.to_owned(), value.to_owned()));
        }
        if tags.len() > 50 {
            return Err(validation(
                "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50".into(),
            ));
        }
        Ok(tags)
    }
}

/// `RoleName` → `roleName`, as AWS's validation messages name members.
fn member_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn check_length(value: &str, member: &str, min: usize, max: usize) -> Result<(), Refusal> {
    let length = value.chars().count();
    if length < min {
        return Err(validation(format!(
            "Value '{value}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}"
        )));
    }
    if length > max {
        return Err(validation(format!(
            "Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        )));
    }
    Ok(())
}

/// A name matching `[\w+=,.@-]+` (or `[\w._-]+` for providers).
fn check_name(value: &str, member: &str, extra: &str) -> Result<(), Refusal> {
    let ok = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || extra.contains(c));
    if ok {
        return Ok(());
    }
    let pattern = if extra == "+=,.@-" {
        r"[\w+=,.@-]+"
    } else {
        r"[\w._-]+"
    };
    Err(validation(format!(
        "Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
    )))
}

fn validation(message: String) -> Refusal {
    Refusal::new(AwsRule::IamValidation).worded(format!("1 validation error detected: {message}"))
}

fn dispatch(aws: &Aws, request: &Request, request_id: &str) -> Result<String, Refusal> {
    let params = Params(match request.method {
        Method::POST => request.form(),
        Method::GET => request.query_pairs(),
        _ => Vec::new(),
    });
    let Some(action) = params.get("Action") else {
        return Err(Refusal::new(AwsRule::IamUnsupportedAction).worded("Missing Action"));
    };
    if params.get("Version") != Some(VERSION) {
        return Err(Refusal::new(AwsRule::IamUnsupportedAction).worded(format!(
            "Could not find operation {action} for version {}",
            params.get("Version").unwrap_or("NO_VERSION_SPECIFIED")
        )));
    }
    let caller = aws.authenticate(request, "iam").map_err(auth_refusal)?;
    let call = Call {
        aws,
        caller: &caller,
        params: &params,
        now: aws.clock.now(),
    };
    let result = match action {
        "CreateSAMLProvider" => call.create_saml_provider()?,
        "GetSAMLProvider" => call.get_saml_provider()?,
        "ListSAMLProviders" => call.list_saml_providers()?,
        "UpdateSAMLProvider" => call.update_saml_provider()?,
        "DeleteSAMLProvider" => call.delete_saml_provider()?,
        "CreateRole" => call.create_role()?,
        "GetRole" => call.get_role()?,
        "ListRoles" => call.list_roles()?,
        "UpdateAssumeRolePolicy" => call.update_assume_role_policy()?,
        "UpdateRole" => call.update_role()?,
        "DeleteRole" => call.delete_role()?,
        "PutRolePolicy" => call.put_role_policy()?,
        "GetRolePolicy" => call.get_role_policy()?,
        "DeleteRolePolicy" => call.delete_role_policy()?,
        "ListRolePolicies" => call.list_role_policies()?,
        other => {
            return Err(Refusal::new(AwsRule::IamUnsupportedAction).worded(format!(
                "Could not find operation {other} for version {VERSION}"
            )));
        }
    };
    if !action.starts_with("Get") && !action.starts_with("List") {
        aws.recorder.record(
            request,
            NewEvent::ok(SERVICE, ACTION, format!("iam:{action} by {}", caller.arn())).detail(
                serde_json::json!({ "action": action, "access_key_id": caller.access_key_id() }),
            ),
        );
    }
    let mut xml = format!(r#"<{action}Response xmlns="{NAMESPACE}">"#);
    if let Some(result) = result {
        xml.push_str(&format!("<{action}Result>{result}</{action}Result>"));
    }
    xml.push_str(&format!(
        "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    ));
    Ok(xml)
}

/// A signature or key failure as IAM words it.
fn auth_refusal(error: AuthError) -> Refusal {
    let rule = match &error {
        AuthError::Missing => AwsRule::MissingAuthenticationToken,
        AuthError::Incomplete(_) => AwsRule::IncompleteSignature,
        AuthError::UnknownKey(_) | AuthError::SessionToken(_) => AwsRule::InvalidClientTokenId,
        AuthError::Expired(_) => AwsRule::ExpiredToken,
        AuthError::Mismatch(_) => AwsRule::SignatureDoesNotMatch,
        AuthError::Internal(_) => AwsRule::Internal,
    };
    let refusal = Refusal::new(rule).because(error.detail());
    match error {
        AuthError::Incomplete(why) => refusal.worded(why),
        _ => refusal,
    }
}

fn internal(error: IamError) -> Refusal {
    Refusal::new(AwsRule::Internal).because(format!("The mock IAM failed: {error}"))
}

/// IAM's words for a policy it refuses: JSON it cannot read is "Syntax errors in
/// policy."; the parser says what else is wrong.
fn malformed(error: &PolicyError) -> Refusal {
    let message = match error {
        PolicyError::Json(_) => "Syntax errors in policy.".to_owned(),
        other => other.to_string(),
    };
    Refusal::new(AwsRule::IamMalformedPolicy)
        .worded(message)
        .because(error.to_string())
}

/// A trust policy as CreateRole checks it: a policy whose statements name a
/// Principal and no Resource.
fn check_trust_policy(document: &str) -> Result<(), Refusal> {
    let policy = Policy::parse(document).map_err(|e| malformed(&e))?;
    for statement in policy.statements() {
        if statement.has_resource() {
            return Err(Refusal::new(AwsRule::IamMalformedPolicy)
                .worded("Has prohibited field Resource")
                .because("A trust policy names who may assume the role (Principal); the role itself is its resource."));
        }
        if !statement.has_principal() {
            return Err(Refusal::new(AwsRule::IamMalformedPolicy)
                .worded("Missing required field Principal")
                .because("Every statement of a trust policy names a Principal, e.g. {\"Federated\": \"arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP\"}."));
        }
    }
    Ok(())
}

/// A permission policy as PutRolePolicy checks it: no Principal, a Resource.
fn check_permission_policy(document: &str) -> Result<(), Refusal> {
    let policy = Policy::parse(document).map_err(|e| malformed(&e))?;
    for statement in policy.statements() {
        if statement.has_principal() {
            return Err(Refusal::new(AwsRule::IamMalformedPolicy)
                .worded("Policy document should not specify a principal."));
        }
        if !statement.has_resource() {
            return Err(Refusal::new(AwsRule::IamMalformedPolicy)
                .worded("Policy statement must contain resources."));
        }
    }
    Ok(())
}

struct Call<'a> {
    aws: &'a Aws,
    caller: &'a Caller,
    params: &'a Params,
    now: UnixTime,
}

type Answer = Result<Option<String>, Refusal>;

impl Call<'_> {
    fn account(&self) -> &str {
        self.caller.account()
    }

    fn partition(&self) -> Result<String, Refusal> {
        self.aws.iam.partition(self.account()).map_err(internal)
    }

    /// The caller's permission for `iam:<action>` on `resource`.
    fn allow(&self, action: &str, resource: &str) -> Result<(), Refusal> {
        authorize(
            self.aws,
            self.caller,
            &format!("iam:{action}"),
            resource,
            Context::new(),
        )
        .map_err(|message| Refusal::new(AwsRule::IamAccessDenied).worded(message))
    }

    // ---- SAML providers ------------------------------------------------------

    /// The provider ARN parameter, checked and in the caller's account.
    fn provider_param(&self) -> Result<String, Refusal> {
        let arn = self.params.required("SAMLProviderArn", 20, 2048)?;
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let valid = matches!(parts.as_slice(), ["arn", partition, "iam", "", account, resource]
            if partition.starts_with("aws") && account.len() == 12
                && resource.strip_prefix("saml-provider/").is_some_and(|n| !n.is_empty()));
        if !valid {
            return Err(
                Refusal::new(AwsRule::IamInvalidInput).worded(format!("ARN {arn} is not valid."))
            );
        }
        Ok(arn.to_owned())
    }

    fn existing_provider(&self, arn: &str) -> Result<crate::iam::SamlProvider, Refusal> {
        match self.aws.iam.provider(arn).map_err(internal)? {
            Some(provider) if provider.account == self.account() => Ok(provider),
            _ => Err(Refusal::new(AwsRule::IamNoSuchEntity)
                .worded(format!("Manifest not found for arn {arn}"))),
        }
    }

    fn encryption_mode(&self) -> Result<Option<AssertionEncryptionMode>, Refusal> {
        match self.params.get("AssertionEncryptionMode") {
            None => Ok(None),
            Some("Required") => Ok(Some(AssertionEncryptionMode::Required)),
            Some("Allowed") => Ok(Some(AssertionEncryptionMode::Allowed)),
            Some(other) => Err(validation(format!(
                "Value '{other}' at 'assertionEncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: [Required, Allowed]"
            ))),
        }
    }

    /// The encryption part of Create/UpdateSAMLProvider, as IAM takes it.
    fn encryption_update(&self) -> Result<ProviderUpdate, Refusal> {
        let add_private_key = self.params.optional("AddPrivateKey", 1, 16_384)?;
        // Only PEM text: the configuration may name a key file, the API may not
        // make the emulator read files.
        if add_private_key.is_some_and(|pem| !pem.contains("PRIVATE KEY-----")) {
            return Err(Refusal::new(AwsRule::IamInvalidInput)
                .worded("The private key is not a PEM-encoded private key."));
        }
        Ok(ProviderUpdate {
            assertion_encryption_mode: self.encryption_mode()?,
            add_private_key: add_private_key.map(str::to_owned),
            remove_private_key: self
                .params
                .optional("RemovePrivateKey", 22, 64)?
                .map(str::to_owned),
        })
    }

    fn create_saml_provider(&self) -> Answer {
        let metadata = self
            .params
            .required("SAMLMetadataDocument", 1000, 10_000_000)?;
        let name = self.params.required("Name", 1, 128)?;
        check_name(name, "name", "._-")?;
        let arn = provider_arn(&self.partition()?, self.account(), name);
        self.allow("CreateSAMLProvider", &arn)?;
        if self.aws.iam.provider(&arn).map_err(internal)?.is_some() {
            return Err(Refusal::new(AwsRule::IamEntityAlreadyExists)
                .worded(format!("SAMLProvider {name} already exists.")));
        }
        let extra = ProviderExtra {
            created_at: Some(self.now),
            uuid: Some(upper_id(&self.aws.ids.token(16), 26)),
            tags: self.params.tags()?,
        };
        let encryption = ProviderUpdate {
            remove_private_key: None,
            ..self.encryption_update()?
        };
        self.aws
            .iam
            .create_provider(
                self.account(),
                name,
                metadata,
                &extra,
                &encryption,
                self.now,
            )
            .map_err(iam_refusal)?;
        Ok(Some(format!(
            "<SAMLProviderArn>{}</SAMLProviderArn>{}",
            esc(&arn),
            tags_xml(&extra.tags)
        )))
    }

    fn get_saml_provider(&self) -> Answer {
        let arn = self.provider_param()?;
        self.allow("GetSAMLProvider", &arn)?;
        let provider = self.existing_provider(&arn)?;
        let extra = self.aws.iam.provider_extra(&arn).map_err(internal)?;
        let created = extra.created_at.unwrap_or(self.now);
        let mut xml = String::new();
        if let Some(uuid) = &extra.uuid {
            xml.push_str(&format!("<SAMLProviderUUID>{uuid}</SAMLProviderUUID>"));
        }
        xml.push_str(&format!(
            "<SAMLMetadataDocument>{}</SAMLMetadataDocument><CreateDate>{}</CreateDate><ValidUntil>{}</ValidUntil>{}",
            esc(&provider.metadata),
            time(created),
            time(valid_until(created)),
            tags_xml(&extra.tags)
        ));
        xml.push_str(&format!(
            "<AssertionEncryptionMode>{}</AssertionEncryptionMode>",
            provider.assertion_encryption_mode.name()
        ));
        if !provider.private_key_list.is_empty() {
            xml.push_str("<PrivateKeyList>");
            for key in &provider.private_key_list {
                xml.push_str(&format!(
                    "<member><KeyId>{}</KeyId><Timestamp>{}</Timestamp></member>",
                    key.key_id,
                    time(key.added_at.unwrap_or(created))
                ));
            }
            xml.push_str("</PrivateKeyList>");
        }
        Ok(Some(xml))
    }

    fn list_saml_providers(&self) -> Answer {
        let resource = format!(
            "arn:{}:iam::{}:saml-provider/*",
            self.partition()?,
            self.account()
        );
        self.allow("ListSAMLProviders", &resource)?;
        let mut xml = String::from("<SAMLProviderList>");
        for provider in self.aws.iam.providers().map_err(internal)? {
            if provider.account != self.account() {
                continue;
            }
            let extra = self
                .aws
                .iam
                .provider_extra(&provider.arn)
                .map_err(internal)?;
            let created = extra.created_at.unwrap_or(self.now);
            xml.push_str(&format!(
                "<member><Arn>{}</Arn><ValidUntil>{}</ValidUntil><CreateDate>{}</CreateDate></member>",
                esc(&provider.arn),
                time(valid_until(created)),
                time(created)
            ));
        }
        xml.push_str("</SAMLProviderList>");
        Ok(Some(xml))
    }

    fn update_saml_provider(&self) -> Answer {
        let arn = self.provider_param()?;
        let metadata = self
            .params
            .optional("SAMLMetadataDocument", 1000, 10_000_000)?;
        self.allow("UpdateSAMLProvider", &arn)?;
        self.existing_provider(&arn)?;
        let encryption = self.encryption_update()?;
        self.aws
            .iam
            .update_provider(&arn, metadata, &encryption, self.now)
            .map_err(iam_refusal)?;
        Ok(Some(format!(
            "<SAMLProviderArn>{}</SAMLProviderArn>",
            esc(&arn)
        )))
    }

    fn delete_saml_provider(&self) -> Answer {
        let arn = self.provider_param()?;
        self.allow("DeleteSAMLProvider", &arn)?;
        self.existing_provider(&arn)?;
        self.aws.iam.delete_provider(&arn).map_err(internal)?;
        Ok(None)
    }

    // ---- roles ---------------------------------------------------------------

    fn role_name(&self) -> Result<&str, Refusal> {
        let name = self.params.required("RoleName", 1, 64)?;
        check_name(name, "roleName", "+=,.@-")?;
        Ok(name)
    }

    fn role_arn(&self, name: &str) -> Result<String, Refusal> {
        Ok(role_arn(&self.partition()?, self.account(), name))
    }

    fn existing_role(&self, name: &str) -> Result<Role, Refusal> {
        let arn = self.role_arn(name)?;
        self.aws.iam.role(&arn).map_err(internal)?.ok_or_else(|| {
            Refusal::new(AwsRule::IamNoSuchEntity)
                .worded(format!("The role with name {name} cannot be found."))
        })
    }

    fn max_session_duration(&self) -> Result<Option<u32>, Refusal> {
        let Some(text) = self.params.get("MaxSessionDuration") else {
            return Ok(None);
        };
        let value: i64 = text.parse().map_err(|_| {
            validation(format!(
                "Value '{text}' at 'maxSessionDuration' failed to satisfy constraint: Member must be an integer"
            ))
        })?;
        if value < 3600 {
            return Err(validation(format!(
                "Value '{value}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"
            )));
        }
        if value > 43_200 {
            return Err(validation(format!(
                "Value '{value}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"
            )));
        }
        Ok(u32::try_from(value).ok())
    }

    fn description(&self) -> Result<Option<String>, Refusal> {
        Ok(self
            .params
            .optional("Description", 0, 1000)?
            .map(str::to_owned))
    }

    fn role_xml(&self, role: &Role) -> Result<String, Refusal> {
        let extra = self.aws.iam.role_extra(&role.arn).map_err(internal)?;
        let mut xml = format!(
            "<Path>{}</Path><RoleName>{}</RoleName><RoleId>{}</RoleId><Arn>{}</Arn><CreateDate>{}</CreateDate><AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument>",
            esc(extra.path.as_deref().unwrap_or("/")),
            esc(&role.name),
            role.id,
            esc(&role.arn),
            time(extra.created_at.unwrap_or(self.now)),
            uri_encode(&role.trust_policy_document, true)
        );
        if let Some(description) = &extra.description {
            xml.push_str(&format!("<Description>{}</Description>", esc(description)));
        }
        xml.push_str(&format!(
            "<MaxSessionDuration>{}</MaxSessionDuration>{}",
            role.max_session_duration,
            tags_xml(&extra.tags)
        ));
        Ok(xml)
    }

    fn create_role(&self) -> Answer {
        let name = self.role_name()?;
        let document = self
            .params
            .required("AssumeRolePolicyDocument", 1, 131_072)?;
        let path = self.params.optional("Path", 1, 512)?.unwrap_or("/");
        let valid_path = path == "/"
            || (path.len() > 2
                && path.starts_with('/')
                && path.ends_with('/')
                && path.bytes().all(|b| (0x21..=0x7e).contains(&b)));
        if !valid_path {
            return Err(validation(format!(
                r"Value '{path}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
            )));
        }
        let max_session_duration = self.max_session_duration()?.unwrap_or(3600);
        let description = self.description()?;
        let tags = self.params.tags()?;
        let arn = self.role_arn(name)?;
        self.allow("CreateRole", &arn)?;
        if self.aws.iam.role(&arn).map_err(internal)?.is_some() {
            return Err(Refusal::new(AwsRule::IamEntityAlreadyExists)
                .worded(format!("Role with name {name} already exists.")));
        }
        check_trust_policy(document)?;
        let config = crate::config::RoleConfig {
            name: name.to_owned(),
            trust_policy: document.to_owned(),
            permission_policies: Vec::new(),
            max_session_duration,
        };
        self.aws
            .iam
            .put_role(self.account(), &config)
            .map_err(internal)?;
        let extra = RoleExtra {
            created_at: Some(self.now),
            path: Some(path.to_owned()),
            description,
            tags,
            policy_names: Vec::new(),
        };
        self.aws
            .iam
            .set_role_extra(&arn, &extra)
            .map_err(internal)?;
        let role = self.existing_role(name)?;
        Ok(Some(format!("<Role>{}</Role>", self.role_xml(&role)?)))
    }

    fn get_role(&self) -> Answer {
        let name = self.role_name()?;
        self.allow("GetRole", &self.role_arn(name)?)?;
        let role = self.existing_role(name)?;
        Ok(Some(format!("<Role>{}</Role>", self.role_xml(&role)?)))
    }

    fn list_roles(&self) -> Answer {
        let prefix = self.params.optional("PathPrefix", 1, 512)?.unwrap_or("/");
        self.allow("ListRoles", &self.role_arn("*")?)?;
        let mut xml = String::from("<Roles>");
        for role in self.aws.iam.roles().map_err(internal)? {
            if role.account != self.account() {
                continue;
            }
            let extra = self.aws.iam.role_extra(&role.arn).map_err(internal)?;
            if !extra.path.as_deref().unwrap_or("/").starts_with(prefix) {
                continue;
            }
            xml.push_str(&format!("<member>{}</member>", self.role_xml(&role)?));
        }
        xml.push_str("</Roles><IsTruncated>false</IsTruncated>");
        Ok(Some(xml))
    }

    fn update_assume_role_policy(&self) -> Answer {
        let name = self.role_name()?;
        let document = self.params.required("PolicyDocument", 1, 131_072)?;
        self.allow("UpdateAssumeRolePolicy", &self.role_arn(name)?)?;
        let role = self.existing_role(name)?;
        check_trust_policy(document)?;
        self.aws
            .iam
            .set_trust_policy(&role.arn, document)
            .map_err(internal)?;
        Ok(None)
    }

    fn update_role(&self) -> Answer {
        let name = self.role_name()?;
        let max_session_duration = self.max_session_duration()?;
        let description = self.description()?;
        self.allow("UpdateRole", &self.role_arn(name)?)?;
        let role = self.existing_role(name)?;
        if let Some(seconds) = max_session_duration {
            self.aws
                .iam
                .set_max_session_duration(&role.arn, seconds)
                .map_err(internal)?;
        }
        if let Some(description) = description {
            let mut extra = self.aws.iam.role_extra(&role.arn).map_err(internal)?;
            extra.description = Some(description);
            self.aws
                .iam
                .set_role_extra(&role.arn, &extra)
                .map_err(internal)?;
        }
        Ok(Some(String::new()))
    }

    fn delete_role(&self) -> Answer {
        let name = self.role_name()?;
        self.allow("DeleteRole", &self.role_arn(name)?)?;
        let role = self.existing_role(name)?;
        if !role.permission_policy_documents.is_empty() {
            return Err(Refusal::new(AwsRule::IamDeleteConflict).because(format!(
                "The role {name} has {} inline policies.",
                role.permission_policy_documents.len()
            )));
        }
        self.aws.iam.delete_role(&role.arn).map_err(internal)?;
        Ok(None)
    }

    // ---- inline role policies --------------------------------------------------

    fn policy_name(&self) -> Result<&str, Refusal> {
        let name = self.params.required("PolicyName", 1, 128)?;
        check_name(name, "policyName", "+=,.@-")?;
        Ok(name)
    }

    fn put_role_policy(&self) -> Answer {
        let name = self.role_name()?;
        let policy_name = self.policy_name()?;
        let document = self.params.required("PolicyDocument", 1, 131_072)?;
        self.allow("PutRolePolicy", &self.role_arn(name)?)?;
        let role = self.existing_role(name)?;
        check_permission_policy(document)?;
        let mut policies = self.aws.iam.inline_policies(&role).map_err(internal)?;
        match policies.iter_mut().find(|(n, _)| n == policy_name) {
            Some(existing) => existing.1 = document.to_owned(),
            None => policies.push((policy_name.to_owned(), document.to_owned())),
        }
        let size: usize = policies
            .iter()
            .map(|(_, d)| d.chars().filter(|c| !c.is_whitespace()).count())
            .sum();
        if size > INLINE_POLICY_QUOTA {
            return Err(Refusal::new(AwsRule::IamLimitExceeded).worded(format!(
                "Maximum policy size of {INLINE_POLICY_QUOTA} bytes exceeded for role {name}"
            )));
        }
        self.aws
            .iam
            .set_inline_policies(&role.arn, &policies)
            .map_err(internal)?;
        Ok(None)
    }

    fn named_policy(
        &self,
        role: &Role,
        name: &str,
        policy_name: &str,
    ) -> Result<(Vec<(String, String)>, usize), Refusal> {
        let policies = self.aws.iam.inline_policies(role).map_err(internal)?;
        let index = policies
            .iter()
            .position(|(n, _)| n == policy_name)
            .ok_or_else(|| {
                Refusal::new(AwsRule::IamNoSuchEntity)
                    .worded(format!(
                        "The role policy with name {policy_name} cannot be found."
                    ))
                    .because(format!(
                        "The role {name} has no inline policy {policy_name}."
                    ))
            })?;
        Ok((policies, index))
    }

    fn get_role_policy(&self) -> Answer {
        let name = self.role_name()?;
        let policy_name = self.policy_name()?;
        self.allow("GetRolePolicy", &self.role_arn(name)?)?;
        let role = self.existing_role(name)?;
        let (policies, index) = self.named_policy(&role, name, policy_name)?;
        Ok(Some(format!(
            "<RoleName>{}</RoleName><PolicyName>{}</PolicyName><PolicyDocument>{}</PolicyDocument>",
            esc(name),
            esc(policy_name),
            uri_encode(&policies[index].1, true)
        )))
    }

    fn delete_role_policy(&self) -> Answer {
        let name = self.role_name()?;
        let policy_name = self.policy_name()?;
        self.allow("DeleteRolePolicy", &self.role_arn(name)?)?;
        let role = self.existing_role(name)?;
        let (mut policies, index) = self.named_policy(&role, name, policy_name)?;
        policies.remove(index);
        self.aws
            .iam
            .set_inline_policies(&role.arn, &policies)
            .map_err(internal)?;
        Ok(None)
    }

    fn list_role_policies(&self) -> Answer {
        let name = self.role_name()?;
        self.allow("ListRolePolicies", &self.role_arn(name)?)?;
        let role = self.existing_role(name)?;
        let mut xml = String::from("<PolicyNames>");
        for (policy_name, _) in self.aws.iam.inline_policies(&role).map_err(internal)? {
            xml.push_str(&format!("<member>{}</member>", esc(&policy_name)));
        }
        xml.push_str("</PolicyNames><IsTruncated>false</IsTruncated>");
        Ok(Some(xml))
    }
}

/// Metadata IAM cannot read is InvalidInput; a store failure is samlsim's.
/// IAM's refusals of a SAML provider's metadata or encryption settings, in its words.
fn iam_refusal(error: IamError) -> Refusal {
    match error {
        IamError::Metadata { reason } => Refusal::new(AwsRule::IamInvalidInput)
            .worded("Could not parse metadata")
            .because(reason),
        IamError::Invalid(message) => Refusal::new(AwsRule::IamInvalidInput).worded(message),
        IamError::LimitExceeded(message) => Refusal::new(AwsRule::IamLimitExceeded).worded(message),
        IamError::NotFound(message) => Refusal::new(AwsRule::IamNoSuchEntity).worded(message),
        other => internal(other),
    }
}

/// AWS gives a provider a ValidUntil a century after creation.
fn valid_until(created: UnixTime) -> UnixTime {
    created + 100 * 365 * 86_400
}

fn time(at: UnixTime) -> String {
    DateTime::from_unix(at).to_string()
}

fn tags_xml(tags: &[(String, String)]) -> String {
    if tags.is_empty() {
        return String::new();
    }
    let mut xml = String::from("<Tags>");
    for (key, value) in tags {
        xml.push_str(&format!(
            "<member><Key>{}</Key><Value>{}</Value></member>",
            esc(key),
            esc(value)
        ));
    }
    xml.push_str("</Tags>");
    xml
}

/// XML text escaping.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `len` upper-case letters and digits from hex digits (IAM's ID shape).
fn upper_id(hex: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    hex.bytes()
        .cycle()
        .zip(0..len)
        .map(|(b, i)| ALPHABET[(usize::from(b) + i * 7) % 32] as char)
        .collect()
}

/// The query protocol's error body, in IAM's namespace.
fn error(request_id: &str, refusal: &Refusal) -> Response {
    let kind = if refusal.status().is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    let xml = format!(
        r#"<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"#,
        refusal.spec().code,
        esc(refusal.message())
    );
    Response::new(refusal.status(), "text/xml", xml)
        .with_header(HeaderName::from_static("x-amzn-requestid"), request_id)
}

/// A UUID-shaped request ID, as AWS's.
fn request_id(aws: &Aws) -> String {
    let hex = aws.ids.token(16);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
