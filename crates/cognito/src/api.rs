//! The cognito-idp API: `POST /` with `X-Amz-Target:
//! AWSCognitoIdentityProviderService.<Op>`, AWS JSON 1.1. Shapes follow
//! botocore's service model (`cognito-idp/2016-04-18/service-2.json`):
//! timestamps are epoch seconds, ProviderDetails values are strings, errors are
//! `{"__type", "message"}` with HTTP 400.
//!
//! Any SigV4 credentials are accepted for now.

use std::collections::BTreeMap;

use samlsim_service::http::{Method, StatusCode, header};
use samlsim_service::{NewEvent, Refusal, Request, Response};
use serde_json::{Map, Value, json};

use crate::config::{IssuerSetting, check_app_url, pool_region};
use crate::model::{Client, Pool, Provider, User, kind};
use crate::rules::CognitoRule;
use crate::{Cognito, STANDARD_ATTRIBUTES, internal, provider_from_metadata};

type Outcome = Result<Value, Refusal<CognitoRule>>;

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

pub fn handle(cognito: &Cognito, request: &Request, region: &str) -> Response {
    if request.method != Method::POST {
        return cognito.refuse(
            request,
            "api",
            Refusal::new(CognitoRule::UnknownOperation).because("The Cognito API takes POST /."),
            |r| r.aws_json(),
        );
    }
    let target = request
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let operation = target.strip_prefix(TARGET_PREFIX).unwrap_or("").to_owned();
    let body: Value = if request.body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&request.body) {
            Ok(body) => body,
            Err(e) => {
                return cognito.refuse(
                    request,
                    "api",
                    Refusal::new(CognitoRule::InvalidParameter)
                        .because(format!("The body is not JSON: {e}")),
                    |r| r.aws_json(),
                );
            }
        }
    };
    let input = Input(&body);
    let result = match operation.as_str() {
        "CreateUserPool" => create_user_pool(cognito, region, &input),
        "DescribeUserPool" => pool_of(cognito, region, &input)
            .and_then(|p| Ok(json!({ "UserPool": pool_json(cognito, &p)? }))),
        "ListUserPools" => list_user_pools(cognito, region),
        "CreateUserPoolDomain" => create_domain(cognito, region, &input),
        "CreateIdentityProvider" => put_provider(cognito, region, &input, true),
        "UpdateIdentityProvider" => put_provider(cognito, region, &input, false),
        "DescribeIdentityProvider" => provider_of(cognito, region, &input)
            .map(|(_, p)| json!({ "IdentityProvider": provider_json(cognito, &p) })),
        "DeleteIdentityProvider" => delete_provider(cognito, region, &input),
        "ListIdentityProviders" => list_providers(cognito, region, &input),
        "CreateUserPoolClient" => put_client(cognito, region, &input, true),
        "UpdateUserPoolClient" => put_client(cognito, region, &input, false),
        "DescribeUserPoolClient" => {
            client_of(cognito, region, &input).map(|c| json!({ "UserPoolClient": client_json(&c) }))
        }
        "ListUserPoolClients" => list_clients(cognito, region, &input),
        "ListUsers" => list_users(cognito, region, &input),
        "AdminGetUser" => user_of(cognito, region, &input).map(|(_, u)| admin_get_user(&u)),
        "AdminDeleteUser" => admin_delete_user(cognito, request, region, &input),
        "AdminDisableUser" => set_enabled(cognito, region, &input, false),
        "AdminEnableUser" => set_enabled(cognito, region, &input, true),
        "GetSigningCertificate" => pool_of(cognito, region, &input)
            .map(|_| json!({ "Certificate": cognito.keys.certificate().to_base64() })),
        _ => Err(Refusal::new(CognitoRule::UnknownOperation)
            .worded(format!("Unknown operation {target}"))
            .because(format!(
                "X-Amz-Target \"{target}\" is not an operation the mock implements."
            ))),
    };
    match result {
        Ok(value) => {
            if !operation.starts_with("Describe")
                && !operation.starts_with("List")
                && !operation.starts_with("Get")
            {
                cognito.record(
                    request,
                    NewEvent::ok(crate::SERVICE, "api", format!("{operation} done")).step("G5"),
                );
            }
            Response::json(StatusCode::OK, &value)
                .with_header(header::CONTENT_TYPE, "application/x-amz-json-1.1")
        }
        Err(refusal) => cognito.refuse(request, "api", refusal, |r| {
            r.aws_json()
                .with_header(header::CONTENT_TYPE, "application/x-amz-json-1.1")
        }),
    }
}

struct Input<'a>(&'a Value);

impl Input<'_> {
    fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    fn required(&self, name: &str) -> Result<&str, Refusal<CognitoRule>> {
        self.str(name).filter(|s| !s.is_empty()).ok_or_else(|| {
            invalid(format!("1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null", lower_first(name)))
        })
    }

    fn strings(&self, name: &str) -> Option<Vec<String>> {
        self.0.get(name).and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn invalid(message: impl Into<String>) -> Refusal<CognitoRule> {
    let message = message.into();
    Refusal::new(CognitoRule::InvalidParameter)
        .worded(message.clone())
        .because(message)
}

fn not_found(message: String) -> Refusal<CognitoRule> {
    Refusal::new(CognitoRule::ResourceNotFound)
        .worded(message.clone())
        .because(message)
}

fn pool_of(cognito: &Cognito, region: &str, input: &Input) -> Result<Pool, Refusal<CognitoRule>> {
    let id = input.required("UserPoolId")?;
    match cognito.model.pool(id).map_err(internal)? {
        Some(pool) if pool.region == region => Ok(pool),
        _ => Err(not_found(format!("User pool {id} does not exist."))),
    }
}

fn provider_of(
    cognito: &Cognito,
    region: &str,
    input: &Input,
) -> Result<(Pool, Provider), Refusal<CognitoRule>> {
    let pool = pool_of(cognito, region, input)?;
    let name = input.required("ProviderName")?;
    let provider = cognito
        .model
        .provider(&pool.id, name)
        .map_err(internal)?
        .ok_or_else(|| not_found(format!("Identity provider {name} does not exist.")))?;
    Ok((pool, provider))
}

fn client_of(
    cognito: &Cognito,
    region: &str,
    input: &Input,
) -> Result<Client, Refusal<CognitoRule>> {
    let pool = pool_of(cognito, region, input)?;
    let id = input.required("ClientId")?;
    cognito
        .model
        .client(&pool.id, id)
        .map_err(internal)?
        .ok_or_else(|| not_found(format!("User pool client {id} does not exist.")))
}

fn user_of(
    cognito: &Cognito,
    region: &str,
    input: &Input,
) -> Result<(Pool, User), Refusal<CognitoRule>> {
    let pool = pool_of(cognito, region, input)?;
    let username = input.required("Username")?;
    let user = cognito
        .model
        .user(&pool, username)
        .map_err(internal)?
        .ok_or_else(|| {
            Refusal::new(CognitoRule::UserNotFound)
                .because(format!("No user \"{username}\" in pool {}.", pool.id))
        })?;
    Ok((pool, user))
}

// ---- pools ------------------------------------------------------------------

fn pool_json(cognito: &Cognito, pool: &Pool) -> Result<Value, Refusal<CognitoRule>> {
    let users = cognito.model.users(&pool.id).map_err(internal)?.len();
    let mut schema: Vec<Value> = STANDARD_ATTRIBUTES
        .iter()
        .map(|name| {
            json!({
                "Name": name,
                "AttributeDataType": if name.ends_with("_verified") { "Boolean" } else if *name == "updated_at" { "Number" } else { "String" },
                "DeveloperOnlyAttribute": false,
                "Mutable": true,
                "Required": pool.required_attributes.iter().any(|r| r == name),
            })
        })
        .collect();
    schema.insert(0, json!({"Name": "sub", "AttributeDataType": "String", "DeveloperOnlyAttribute": false, "Mutable": false, "Required": true, "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"}}));
    for custom in &pool.custom_attributes {
        schema.push(json!({"Name": format!("custom:{custom}"), "AttributeDataType": "String", "DeveloperOnlyAttribute": false, "Mutable": true, "Required": false}));
    }
    let mut value = json!({
        "Id": pool.id,
        "Name": pool.name,
        "Arn": pool.arn(),
        "Status": "Enabled",
        "CreationDate": pool.created,
        "LastModifiedDate": pool.modified,
        "SchemaAttributes": schema,
        "EstimatedNumberOfUsers": users,
        "MfaConfiguration": "OFF",
        "DeletionProtection": "INACTIVE",
        "UsernameConfiguration": { "CaseSensitive": pool.case_sensitive },
        "LambdaConfig": {},
        "Policies": { "PasswordPolicy": { "MinimumLength": 8, "RequireUppercase": true, "RequireLowercase": true, "RequireNumbers": true, "RequireSymbols": true, "TemporaryPasswordValidityDays": 7 } },
        "AdminCreateUserConfig": { "AllowAdminCreateUserOnly": false },
        "UserPoolTier": "ESSENTIALS",
    });
    if let Some(domain) = &pool.domain {
        value["Domain"] = domain.clone().into();
    }
    Ok(value)
}

fn create_user_pool(cognito: &Cognito, region: &str, input: &Input) -> Outcome {
    let name = input.required("PoolName")?.to_owned();
    let token = cognito.ids.token(8);
    // AWS: <region>_ and nine letters and digits.
    let suffix: String = token
        .chars()
        .take(9)
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    let id = format!("{region}_{suffix}");
    let case_sensitive = input
        .0
        .pointer("/UsernameConfiguration/CaseSensitive")
        .and_then(Value::as_bool)
        // The API's default when the setting is omitted (aws-facts.md).
        .unwrap_or(true);
    let mut required = Vec::new();
    let mut custom = Vec::new();
    for attribute in input
        .0
        .get("Schema")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = attribute.get("Name").and_then(Value::as_str) else {
            continue;
        };
        if let Some(c) = name.strip_prefix("custom:") {
            custom.push(c.to_owned());
        } else if STANDARD_ATTRIBUTES.contains(&name) {
            if attribute.get("Required").and_then(Value::as_bool) == Some(true) {
                required.push(name.to_owned());
            }
        } else {
            // A schema entry without the prefix is a custom attribute.
            custom.push(name.to_owned());
        }
    }
    let now = cognito.clock.now();
    let pool = Pool {
        id: id.clone(),
        name,
        region: region.to_owned(),
        domain: None,
        case_sensitive,
        issuer: IssuerSetting::Aws,
        required_attributes: required,
        custom_attributes: custom,
        created: now,
        modified: now,
    };
    debug_assert!(pool_region(&id).is_some());
    cognito
        .model
        .put(kind::POOL, &id, &pool)
        .map_err(internal)?;
    Ok(json!({ "UserPool": pool_json(cognito, &pool)? }))
}

fn list_user_pools(cognito: &Cognito, region: &str) -> Outcome {
    let pools: Vec<Value> = cognito
        .model
        .pools()
        .map_err(internal)?
        .into_iter()
        .filter(|p| p.region == region)
        .map(|p| json!({ "Id": p.id, "Name": p.name, "LambdaConfig": {}, "Status": "Enabled", "LastModifiedDate": p.modified, "CreationDate": p.created }))
        .collect();
    Ok(json!({ "UserPools": pools }))
}

fn create_domain(cognito: &Cognito, region: &str, input: &Input) -> Outcome {
    let mut pool = pool_of(cognito, region, input)?;
    let domain = input.required("Domain")?;
    if !crate::valid_domain_prefix(domain) {
        return Err(invalid(format!(
            "Domain {domain} is invalid: lowercase letters, numbers and hyphens, and not the words aws, amazon or cognito."
        )));
    }
    for other in cognito.model.pools().map_err(internal)? {
        if other.id != pool.id && other.domain.as_deref() == Some(domain) && other.region == region
        {
            return Err(invalid("Domain already associated with another user pool."));
        }
    }
    pool.domain = Some(domain.to_owned());
    pool.modified = cognito.clock.now();
    cognito
        .model
        .put(kind::POOL, &pool.id, &pool)
        .map_err(internal)?;
    Ok(
        json!({ "CloudFrontDomain": format!("{}.cloudfront.net", cognito.ids.token(7)), "ManagedLoginVersion": 1 }),
    )
}

// ---- identity providers -------------------------------------------------------

fn provider_json(cognito: &Cognito, provider: &Provider) -> Value {
    let mut details = Map::new();
    match &provider.metadata_url {
        Some(url) => details.insert("MetadataURL".into(), url.clone().into()),
        None => details.insert("MetadataFile".into(), provider.metadata_xml.clone().into()),
    };
    details.insert("IDPSignout".into(), provider.idp_signout.to_string().into());
    details.insert("IDPInit".into(), provider.idp_init.to_string().into());
    details.insert(
        "SSORedirectBindingURI".into(),
        provider.sso_url.clone().into(),
    );
    if let Some(slo) = &provider.slo_url {
        details.insert("SLORedirectBindingURI".into(), slo.clone().into());
    }
    if provider.request_signing {
        details.insert("RequestSigningAlgorithm".into(), "rsa-sha256".into());
    }
    if provider.encrypted_responses {
        // The certificate the IdP encrypts to (cognito-user-pools-SAML-signing-encryption).
        details.insert("EncryptedResponses".into(), "true".into());
        details.insert(
            "ActiveEncryptionCertificate".into(),
            cognito.encryption_certificate().to_base64().into(),
        );
    }
    json!({
        "UserPoolId": provider.pool_id,
        "ProviderName": provider.name,
        "ProviderType": "SAML",
        "ProviderDetails": details,
        "AttributeMapping": provider.attribute_mapping,
        "IdpIdentifiers": provider.identifiers,
        "LastModifiedDate": provider.modified,
        "CreationDate": provider.created,
    })
}

fn put_provider(cognito: &Cognito, region: &str, input: &Input, create: bool) -> Outcome {
    let pool = pool_of(cognito, region, input)?;
    let name = input.required("ProviderName")?.to_owned();
    let existing = cognito.model.provider(&pool.id, &name).map_err(internal)?;
    match (&existing, create) {
        (Some(_), true) => {
            return Err(Refusal::new(CognitoRule::DuplicateProvider)
                .worded(format!(
                    "A provider with the name {name} already exists in this user pool."
                ))
                .because(format!("Pool {} already has provider {name}.", pool.id)));
        }
        (None, false) => {
            return Err(not_found(format!(
                "Identity provider {name} does not exist."
            )));
        }
        _ => {}
    }
    if create {
        let provider_type = input.required("ProviderType")?;
        if provider_type != "SAML" {
            return Err(invalid(format!(
                "The mock user pool implements SAML providers only, not {provider_type}."
            )));
        }
        if name.len() < 3 || name.len() > 32 {
            return Err(invalid(
                "ProviderName must be 3 to 32 characters (SAML providers).",
            ));
        }
    }
    let details: BTreeMap<String, String> = input
        .0
        .get("ProviderDetails")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let now = cognito.clock.now();
    let metadata = match (details.get("MetadataFile"), details.get("MetadataURL")) {
        (Some(file), _) => Some((file.clone(), None)),
        (None, Some(url)) => {
            let xml = (cognito.fetch_metadata)(url)
                .map_err(|e| invalid(format!("Could not retrieve metadata from {url}: {e}")))?;
            Some((xml, Some(url.clone())))
        }
        (None, None) if create => {
            return Err(invalid(
                "ProviderDetails needs MetadataFile or MetadataURL.",
            ));
        }
        (None, None) => None,
    };
    let mut provider = match (metadata, existing) {
        (Some((xml, url)), previous) => {
            let mut fresh = provider_from_metadata(&pool.id, &name, &xml, url, now)
                .map_err(|e| invalid(format!("Invalid SAML metadata: {e}")))?;
            if let Some(previous) = previous {
                fresh.created = previous.created;
                fresh.attribute_mapping = previous.attribute_mapping;
                fresh.idp_init = previous.idp_init;
                fresh.idp_signout = previous.idp_signout;
                fresh.request_signing = previous.request_signing;
                fresh.encrypted_responses = previous.encrypted_responses;
                fresh.identifiers = previous.identifiers;
            }
            fresh
        }
        (None, Some(previous)) => previous,
        (None, None) => {
            return Err(not_found(format!(
                "Identity provider {name} does not exist."
            )));
        }
    };
    if let Some(v) = details.get("IDPSignout") {
        provider.idp_signout = v == "true";
    }
    if let Some(v) = details.get("IDPInit") {
        provider.idp_init = v == "true";
    }
    if let Some(v) = details.get("EncryptedResponses") {
        provider.encrypted_responses = v == "true";
    }
    if let Some(v) = details.get("RequestSigningAlgorithm") {
        provider.request_signing = v == "rsa-sha256";
    }
    if let Some(mapping) = input.0.get("AttributeMapping").and_then(Value::as_object) {
        let mapping: BTreeMap<String, String> = mapping
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
            .collect();
        crate::check_mapping(&pool, &mapping).map_err(invalid)?;
        provider.attribute_mapping = mapping;
    }
    if let Some(identifiers) = input.strings("IdpIdentifiers") {
        provider.identifiers = identifiers;
    }
    provider.modified = now;
    cognito.model.put_provider(&provider).map_err(internal)?;
    Ok(json!({ "IdentityProvider": provider_json(cognito, &provider) }))
}

fn delete_provider(cognito: &Cognito, region: &str, input: &Input) -> Outcome {
    let (pool, provider) = provider_of(cognito, region, input)?;
    cognito
        .model
        .delete(
            kind::PROVIDER,
            &crate::model::pool_key(&pool.id, &provider.name),
        )
        .map_err(internal)?;
    Ok(json!({}))
}

fn list_providers(cognito: &Cognito, region: &str, input: &Input) -> Outcome {
    let pool = pool_of(cognito, region, input)?;
    let providers: Vec<Value> = cognito
        .model
        .providers(&pool.id)
        .map_err(internal)?
        .iter()
        .map(|p| json!({ "ProviderName": p.name, "ProviderType": "SAML", "LastModifiedDate": p.modified, "CreationDate": p.created }))
        .collect();
    Ok(json!({ "Providers": providers }))
}

// ---- app clients ---------------------------------------------------------------

fn client_json(client: &Client) -> Value {
    let mut value = json!({
        "UserPoolId": client.pool_id,
        "ClientName": client.name,
        "ClientId": client.id,
        "LastModifiedDate": client.modified,
        "CreationDate": client.created,
        "RefreshTokenValidity": client.refresh_token_validity,
        "AccessTokenValidity": client.access_token_validity,
        "IdTokenValidity": client.id_token_validity,
        "TokenValidityUnits": { "AccessToken": "seconds", "IdToken": "seconds", "RefreshToken": "seconds" },
        "SupportedIdentityProviders": client.identity_providers,
        "CallbackURLs": client.callback_urls,
        "LogoutURLs": client.logout_urls,
        "AllowedOAuthFlows": client.flows,
        "AllowedOAuthScopes": client.scopes,
        "AllowedOAuthFlowsUserPoolClient": client.oauth_enabled,
        "EnableTokenRevocation": true,
        "AuthSessionValidity": 3,
    });
    if let Some(secret) = &client.secret {
        value["ClientSecret"] = secret.clone().into();
    }
    value
}

/// Token validity in seconds from the API's value and unit (default units:
/// hours for access and ID tokens, days for refresh tokens).
fn validity(input: &Input, field: &str, unit_field: &str, default_unit: &str) -> Option<i64> {
    let value = input.0.get(field).and_then(Value::as_i64)?;
    let unit = input
        .0
        .pointer(&format!("/TokenValidityUnits/{unit_field}"))
        .and_then(Value::as_str)
        .unwrap_or(default_unit);
    Some(
        value
            * match unit {
                "seconds" => 1,
                "minutes" => 60,
                "hours" => 3600,
                _ => 86_400,
            },
    )
}

fn put_client(cognito: &Cognito, region: &str, input: &Input, create: bool) -> Outcome {
    let pool = pool_of(cognito, region, input)?;
    let now = cognito.clock.now();
    let mut client = if create {
        let name = input.required("ClientName")?.to_owned();
        let id: String = cognito.ids.token(13);
        let secret = (input.0.get("GenerateSecret").and_then(Value::as_bool) == Some(true))
            .then(|| format!("{}{}", cognito.ids.token(20), cognito.ids.token(6)));
        Client {
            pool_id: pool.id.clone(),
            id,
            name,
            secret,
            callback_urls: Vec::new(),
            logout_urls: Vec::new(),
            flows: Vec::new(),
            scopes: Vec::new(),
            identity_providers: Vec::new(),
            oauth_enabled: false,
            id_token_validity: 3600,
            access_token_validity: 3600,
            refresh_token_validity: 30 * 86_400,
            created: now,
            modified: now,
        }
    } else {
        let mut client = client_of(cognito, region, input)?;
        // UpdateUserPoolClient resets what it is not given, as AWS documents.
        client.callback_urls.clear();
        client.logout_urls.clear();
        client.flows.clear();
        client.scopes.clear();
        client.identity_providers.clear();
        client.oauth_enabled = false;
        if let Some(name) = input.str("ClientName") {
            client.name = name.to_owned();
        }
        client
    };
    if let Some(urls) = input.strings("CallbackURLs") {
        for url in &urls {
            check_app_url(url).map_err(|e| invalid(format!("CallbackURLs: {e}")))?;
        }
        client.callback_urls = urls;
    }
    if let Some(urls) = input.strings("LogoutURLs") {
        for url in &urls {
            check_app_url(url).map_err(|e| invalid(format!("LogoutURLs: {e}")))?;
        }
        client.logout_urls = urls;
    }
    if let Some(flows) = input.strings("AllowedOAuthFlows") {
        if let Some(bad) = flows.iter().find(|f| *f != "code" && *f != "implicit") {
            return Err(invalid(format!(
                "AllowedOAuthFlows: {bad} is not implemented by the mock (code, implicit)."
            )));
        }
        client.flows = flows;
    }
    if let Some(enabled) = input
        .0
        .get("AllowedOAuthFlowsUserPoolClient")
        .and_then(Value::as_bool)
    {
        client.oauth_enabled = enabled;
    }
    if let Some(scopes) = input.strings("AllowedOAuthScopes") {
        client.scopes = scopes;
    }
    if let Some(providers) = input.strings("SupportedIdentityProviders") {
        for name in &providers {
            if name != "COGNITO"
                && cognito
                    .model
                    .provider(&pool.id, name)
                    .map_err(internal)?
                    .is_none()
            {
                return Err(invalid(format!(
                    "The provider {name} does not exist for User Pool {}",
                    pool.id
                )));
            }
        }
        client.identity_providers = providers;
    }
    if let Some(seconds) = validity(input, "IdTokenValidity", "IdToken", "hours") {
        client.id_token_validity = seconds;
    }
    if let Some(seconds) = validity(input, "AccessTokenValidity", "AccessToken", "hours") {
        client.access_token_validity = seconds;
    }
    if let Some(seconds) = validity(input, "RefreshTokenValidity", "RefreshToken", "days") {
        client.refresh_token_validity = seconds;
    }
    if !client.flows.is_empty() && client.callback_urls.is_empty() {
        return Err(invalid(
            "CallbackURLs are required when AllowedOAuthFlows are set.",
        ));
    }
    client.modified = now;
    cognito.model.put_client(&client).map_err(internal)?;
    Ok(json!({ "UserPoolClient": client_json(&client) }))
}

fn list_clients(cognito: &Cognito, region: &str, input: &Input) -> Outcome {
    let pool = pool_of(cognito, region, input)?;
    let clients: Vec<Value> = cognito
        .model
        .clients(&pool.id)
        .map_err(internal)?
        .iter()
        .map(|c| json!({ "ClientId": c.id, "UserPoolId": c.pool_id, "ClientName": c.name }))
        .collect();
    Ok(json!({ "UserPoolClients": clients }))
}

// ---- users --------------------------------------------------------------------------

fn attributes_json(user: &User) -> Vec<Value> {
    let mut list = vec![json!({ "Name": "sub", "Value": user.sub })];
    list.extend(
        user.attributes
            .iter()
            .map(|(k, v)| json!({ "Name": k, "Value": v })),
    );
    list.push(
        json!({ "Name": "identities", "Value": crate::hosted::identities_claim(user).to_string() }),
    );
    list
}

fn user_json(user: &User) -> Value {
    json!({
        "Username": user.username,
        "Attributes": attributes_json(user),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    })
}

fn admin_get_user(user: &User) -> Value {
    json!({
        "Username": user.username,
        "UserAttributes": attributes_json(user),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    })
}

/// ListUsers' Filter: `attribute = "value"` or `attribute ^= "prefix"`
/// (ListUsers API reference).
fn parse_filter(filter: &str) -> Result<(String, bool, String), Refusal<CognitoRule>> {
    let bad = || invalid(format!("Error while parsing filter: {filter}"));
    let (name, prefix, rest) = if let Some((name, rest)) = filter.split_once("^=") {
        (name, true, rest)
    } else if let Some((name, rest)) = filter.split_once('=') {
        (name, false, rest)
    } else {
        return Err(bad());
    };
    let value = rest
        .trim()
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .ok_or_else(bad)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(bad());
    }
    Ok((name.to_owned(), prefix, value.to_owned()))
}

fn list_users(cognito: &Cognito, region: &str, input: &Input) -> Outcome {
    let pool = pool_of(cognito, region, input)?;
    let filter = input
        .str("Filter")
        .filter(|f| !f.trim().is_empty())
        .map(parse_filter)
        .transpose()?;
    let limit = input
        .0
        .get("Limit")
        .and_then(Value::as_u64)
        .unwrap_or(60)
        .clamp(1, 60) as usize;
    // PaginationToken: the index of the next user, as text (opaque to callers).
    let start = match input.str("PaginationToken") {
        Some(token) => token
            .parse::<usize>()
            .map_err(|_| invalid(format!("Invalid pagination token: {token}")))?,
        None => 0,
    };
    let matching: Vec<Value> = cognito
        .model
        .users(&pool.id)
        .map_err(internal)?
        .iter()
        .filter(|user| match &filter {
            None => true,
            Some((name, prefix, wanted)) => {
                let value = match name.as_str() {
                    "username" => Some(user.username.clone()),
                    "sub" => Some(user.sub.clone()),
                    "status" => Some(if user.enabled { "Enabled" } else { "Disabled" }.to_owned()),
                    "cognito:user_status" => Some(user.status.clone()),
                    other => user.attributes.get(other).cloned(),
                };
                value.is_some_and(|v| {
                    // Username filters follow the pool's case setting.
                    let (v, w) = if name == "username" && !pool.case_sensitive {
                        (v.to_lowercase(), wanted.to_lowercase())
                    } else {
                        (v, wanted.clone())
                    };
                    if *prefix { v.starts_with(&w) } else { v == w }
                })
            }
        })
        .map(user_json)
        .collect();
    let page: Vec<&Value> = matching.iter().skip(start).take(limit).collect();
    let mut answer = json!({ "Users": page });
    if start + limit < matching.len() {
        answer["PaginationToken"] = (start + limit).to_string().into();
    }
    Ok(answer)
}

fn admin_delete_user(cognito: &Cognito, request: &Request, region: &str, input: &Input) -> Outcome {
    let (pool, user) = user_of(cognito, region, input)?;
    cognito.model.delete_user(&user).map_err(internal)?;
    cognito.record_deleted(request, &pool, &user);
    Ok(json!({}))
}

fn set_enabled(cognito: &Cognito, region: &str, input: &Input, enabled: bool) -> Outcome {
    let (_, mut user) = user_of(cognito, region, input)?;
    user.enabled = enabled;
    user.modified = cognito.clock.now();
    cognito.model.put_user(&user).map_err(internal)?;
    Ok(json!({}))
}
