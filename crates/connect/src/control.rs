//! The Amazon Connect control plane over REST-JSON (botocore
//! `connect/2017-08-08/service-2.json`) on `connect.<region>.amazonaws.com`:
//! instances, users (SAML identity management: no password), security and
//! routing profiles, approved origins. Calls are SigV4-signed
//! ([`samlsim_aws::sigv4`]) with the world's administrator key or credentials STS
//! issued; a role session may do what its role's permission policies allow
//! (`connect:CreateUser` on the instance, ...).
//!
//! | operation | method and path |
//! |---|---|
//! | ListInstances | `GET /instance` |
//! | DescribeInstance | `GET /instance/{InstanceId}` |
//! | CreateUser | `PUT /users/{InstanceId}` |
//! | DescribeUser / DeleteUser | `GET` / `DELETE /users/{InstanceId}/{UserId}` |
//! | UpdateUserSecurityProfiles | `POST /users/{InstanceId}/{UserId}/security-profiles` |
//! | ListUsers | `GET /users-summary/{InstanceId}` |
//! | SearchUsers | `POST /search-users` |
//! | ListSecurityProfiles | `GET /security-profiles-summary/{InstanceId}` |
//! | ListRoutingProfiles | `GET /routing-profiles-summary/{InstanceId}` |
//! | Associate/DisassociateApprovedOrigin | `PUT` / `DELETE /instance/{InstanceId}/approved-origin` |
//! | ListApprovedOrigins | `GET /instance/{InstanceId}/approved-origins` |
//!
//! PhoneConfig is checked (PhoneType, a desk phone number for DESK_PHONE) but not
//! kept: DescribeUser answers a soft phone.

use samlsim_aws::policy::Context;
use samlsim_aws::sigv4::{AuthError, Caller, authorize};
use samlsim_service::http::{Method, StatusCode, decode_component};
use samlsim_service::{NewEvent, Refusal, Request, Response};
use serde_json::{Value, json};

use crate::config::UserConfig;
use crate::csv_import::validate_username;
use crate::model::{Instance, ROUTING_PROFILES, SECURITY_PROFILES, User};
use crate::rules::{ConnectRefusal, ConnectRule, internal};
use crate::{Connect, SERVICE};

const ACTION: &str = "control-plane";

pub(crate) fn handle(connect: &Connect, request: &Request, region: &str, rest: &str) -> Response {
    match dispatch(connect, request, region, rest) {
        Ok(body) => Response::json(StatusCode::OK, &body),
        Err(refusal) => connect
            .recorder
            .refuse(request, ACTION, refusal, |r| r.aws_json()),
    }
}

/// The operation a method and path name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    ListInstances,
    DescribeInstance,
    CreateUser,
    DescribeUser,
    DeleteUser,
    UpdateUserSecurityProfiles,
    ListUsers,
    SearchUsers,
    ListSecurityProfiles,
    ListRoutingProfiles,
    AssociateApprovedOrigin,
    DisassociateApprovedOrigin,
    ListApprovedOrigins,
}

fn route(method: &Method, segments: &[String]) -> Option<(Op, Option<String>, Option<String>)> {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let one = |op, id: &str| Some((op, Some(id.to_owned()), None));
    match (method.as_str(), s.as_slice()) {
        ("GET", ["instance"]) => Some((Op::ListInstances, None, None)),
        ("GET", ["instance", id]) => one(Op::DescribeInstance, id),
        ("PUT", ["users", id]) => one(Op::CreateUser, id),
        ("GET", ["users", id, user]) => {
            Some((Op::DescribeUser, Some((*id).into()), Some((*user).into())))
        }
        ("DELETE", ["users", id, user]) => {
            Some((Op::DeleteUser, Some((*id).into()), Some((*user).into())))
        }
        ("POST", ["users", id, user, "security-profiles"]) => Some((
            Op::UpdateUserSecurityProfiles,
            Some((*id).into()),
            Some((*user).into()),
        )),
        ("GET", ["users-summary", id]) => one(Op::ListUsers, id),
        ("POST", ["search-users"]) => Some((Op::SearchUsers, None, None)),
        ("GET", ["security-profiles-summary", id]) => one(Op::ListSecurityProfiles, id),
        ("GET", ["routing-profiles-summary", id]) => one(Op::ListRoutingProfiles, id),
        ("PUT", ["instance", id, "approved-origin"]) => one(Op::AssociateApprovedOrigin, id),
        ("DELETE", ["instance", id, "approved-origin"]) => one(Op::DisassociateApprovedOrigin, id),
        ("GET", ["instance", id, "approved-origins"]) => one(Op::ListApprovedOrigins, id),
        _ => None,
    }
}

fn dispatch(
    connect: &Connect,
    request: &Request,
    region: &str,
    rest: &str,
) -> Result<Value, ConnectRefusal> {
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_component)
        .collect();
    let Some((op, instance_id, user_id)) = route(&request.method, &segments) else {
        return Err(Refusal::new(ConnectRule::UnknownOperation)
            .worded(format!("No operation at {} {rest}", request.method)));
    };
    let caller = connect
        .aws
        .authenticate(request, "connect")
        .map_err(auth_refusal)?;
    let body: Value = if request.body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&request.body).map_err(|e| {
            Refusal::new(ConnectRule::InvalidRequest).because(format!("The body is not JSON: {e}"))
        })?
    };
    // SearchUsers names its instance in the body.
    let instance_id = match (op, instance_id) {
        (Op::SearchUsers, _) => Some(
            body.get("InstanceId")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    Refusal::new(ConnectRule::InvalidRequest).worded("InstanceId is required.")
                })?
                .to_owned(),
        ),
        (_, id) => id,
    };
    let call = Call {
        connect,
        caller: &caller,
        region,
        body: &body,
        request,
    };
    let answer = match (op, instance_id) {
        (Op::ListInstances, _) => call.list_instances()?,
        (op, Some(instance_id)) => {
            let instance = call.instance(&instance_id)?;
            call.on_instance(op, &instance, user_id.as_deref())?
        }
        (_, None) => {
            return Err(Refusal::new(ConnectRule::InvalidRequest).worded("InstanceId is required."));
        }
    };
    if matches!(
        op,
        Op::CreateUser
            | Op::DeleteUser
            | Op::UpdateUserSecurityProfiles
            | Op::AssociateApprovedOrigin
            | Op::DisassociateApprovedOrigin
    ) {
        connect.record(
            request,
            NewEvent::ok(
                SERVICE,
                ACTION,
                format!("connect:{op:?} by {}", caller.arn()),
            )
            .detail(
                json!({ "operation": format!("{op:?}"), "access_key_id": caller.access_key_id() }),
            ),
        );
    }
    Ok(answer)
}

/// A signature or key failure as Connect words it.
fn auth_refusal(error: AuthError) -> ConnectRefusal {
    let rule = match &error {
        AuthError::Missing => ConnectRule::MissingAuthenticationToken,
        AuthError::Incomplete(_) | AuthError::Mismatch(_) => ConnectRule::InvalidSignature,
        AuthError::UnknownKey(_) | AuthError::SessionToken(_) => ConnectRule::UnrecognizedClient,
        AuthError::Expired(_) => ConnectRule::ExpiredToken,
        AuthError::Internal(_) => ConnectRule::Internal,
    };
    Refusal::new(rule).because(error.detail())
}

/// A stable UUID-shaped ID for a named thing of an instance (security and
/// routing profiles have IDs in the API, names in samlsim's model).
pub(crate) fn profile_id(instance: &str, kind: &str, name: &str) -> String {
    let hash = |seed: u64| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for b in instance
            .bytes()
            .chain([0])
            .chain(kind.bytes())
            .chain([0])
            .chain(name.bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    };
    let hex = format!("{:016x}{:016x}", hash(1), hash(2));
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

struct Call<'a> {
    connect: &'a Connect,
    caller: &'a Caller,
    region: &'a str,
    body: &'a Value,
    request: &'a Request,
}

impl Call<'_> {
    /// The caller's permission for `connect:<action>` on `resource`.
    fn allow(
        &self,
        action: &str,
        resource: &str,
        instance: Option<&Instance>,
    ) -> Result<(), ConnectRefusal> {
        let mut context = Context::new().with("aws:RequestedRegion", self.region.to_owned());
        if let Some(instance) = instance {
            context = context.with("connect:InstanceId", instance.id.clone());
        }
        authorize(
            &self.connect.aws,
            self.caller,
            &format!("connect:{action}"),
            resource,
            context,
        )
        .map_err(|message| Refusal::new(ConnectRule::AccessDenied).worded(message))
    }

    /// The instance `id` in this region and the caller's account.
    fn instance(&self, id: &str) -> Result<Instance, ConnectRefusal> {
        match self.connect.model.instance(id).map_err(|e| internal(&e))? {
            Some(instance)
                if instance.region == self.region && instance.account == self.caller.account() =>
            {
                Ok(instance)
            }
            _ => Err(Refusal::new(ConnectRule::ResourceNotFound)
                .worded(format!("Instance not found: {id}"))
                .because(format!(
                    "Account {} has no Amazon Connect instance {id} in {}.",
                    self.caller.account(),
                    self.region
                ))),
        }
    }

    fn instance_json(&self, instance: &Instance) -> Value {
        json!({
            "Id": instance.id,
            "Arn": instance.arn(),
            "IdentityManagementType": "SAML",
            "InstanceAlias": instance.alias,
            "CreatedTime": 1_700_000_000,
            "ServiceRole": format!("arn:aws:iam::{}:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_samlsim", instance.account),
            "InstanceStatus": "ACTIVE",
            "InboundCallsEnabled": true,
            "OutboundCallsEnabled": true,
            "InstanceAccessUrl": format!("https://{}/connect/", instance.host()),
        })
    }

    fn list_instances(&self) -> Result<Value, ConnectRefusal> {
        self.allow("ListInstances", "*", None)?;
        let instances: Vec<Value> = self
            .connect
            .model
            .instances()
            .map_err(|e| internal(&e))?
            .iter()
            .filter(|i| i.region == self.region && i.account == self.caller.account())
            .map(|i| self.instance_json(i))
            .collect();
        Ok(json!({ "InstanceSummaryList": instances }))
    }

    fn on_instance(
        &self,
        op: Op,
        instance: &Instance,
        user_id: Option<&str>,
    ) -> Result<Value, ConnectRefusal> {
        let arn = instance.arn();
        let name = format!("{op:?}");
        let resource = match user_id {
            Some(id) => format!("{arn}/agent/{id}"),
            None => arn.clone(),
        };
        self.allow(&name, &resource, Some(instance))?;
        match op {
            Op::DescribeInstance => Ok(json!({ "Instance": self.instance_json(instance) })),
            Op::CreateUser => self.create_user(instance),
            Op::DescribeUser => {
                let user = self.user(instance, user_id.unwrap_or_default())?;
                Ok(json!({ "User": self.user_json(instance, &user) }))
            }
            Op::DeleteUser => {
                let user = self.user(instance, user_id.unwrap_or_default())?;
                self.connect
                    .model
                    .delete_user(&instance.id, &user.username)
                    .map_err(|e| internal(&e))?;
                Ok(json!({}))
            }
            Op::UpdateUserSecurityProfiles => {
                let user = self.user(instance, user_id.unwrap_or_default())?;
                let profiles = self.security_profiles(instance)?;
                let config = UserConfig {
                    username: user.username.clone(),
                    first_name: user.first_name.clone(),
                    last_name: user.last_name.clone(),
                    security_profiles: profiles,
                    routing_profile: user.routing_profile.clone(),
                };
                self.connect
                    .model
                    .put_user(&instance.id, &config, &user.id)
                    .map_err(|e| internal(&e))?;
                Ok(json!({}))
            }
            Op::ListUsers => {
                let users: Vec<Value> = self
                    .users(instance)?
                    .iter()
                    .map(|u| {
                        json!({ "Id": u.id, "Arn": user_arn(instance, u), "Username": u.username,
                                "LastModifiedTime": 1_700_000_000, "LastModifiedRegion": instance.region })
                    })
                    .collect();
                Ok(json!({ "UserSummaryList": users }))
            }
            Op::SearchUsers => self.search_users(instance),
            Op::ListSecurityProfiles => {
                let profiles: Vec<Value> = SECURITY_PROFILES
                    .iter()
                    .map(|name| {
                        let id = profile_id(&instance.id, "security-profile", name);
                        json!({ "Id": id, "Arn": format!("{arn}/security-profile/{id}"), "Name": name })
                    })
                    .collect();
                Ok(json!({ "SecurityProfileSummaryList": profiles }))
            }
            Op::ListRoutingProfiles => {
                let profiles: Vec<Value> = ROUTING_PROFILES
                    .iter()
                    .map(|name| {
                        let id = profile_id(&instance.id, "routing-profile", name);
                        json!({ "Id": id, "Arn": format!("{arn}/routing-profile/{id}"), "Name": name })
                    })
                    .collect();
                Ok(json!({ "RoutingProfileSummaryList": profiles }))
            }
            Op::AssociateApprovedOrigin => {
                let origin = self.string("Origin")?;
                check_origin(&origin)?;
                if instance
                    .approved_origins
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(&origin))
                {
                    return Err(Refusal::new(ConnectRule::ResourceConflict).worded(format!(
                        "The origin {origin} is already approved for this instance."
                    )));
                }
                let mut origins = instance.approved_origins.clone();
                origins.push(origin);
                self.set_origins(instance, &origins)
            }
            Op::DisassociateApprovedOrigin => {
                let origin = self.request.query_param("origin").ok_or_else(|| {
                    Refusal::new(ConnectRule::InvalidRequest).worded("Origin is required.")
                })?;
                let origins: Vec<String> = instance
                    .approved_origins
                    .iter()
                    .filter(|o| !o.eq_ignore_ascii_case(&origin))
                    .cloned()
                    .collect();
                if origins.len() == instance.approved_origins.len() {
                    return Err(Refusal::new(ConnectRule::ResourceNotFound)
                        .worded(format!("Origin not found: {origin}")));
                }
                self.set_origins(instance, &origins)
            }
            Op::ListApprovedOrigins => Ok(json!({ "Origins": instance.approved_origins })),
            Op::ListInstances => self.list_instances(),
        }
    }

    fn set_origins(
        &self,
        instance: &Instance,
        origins: &[String],
    ) -> Result<Value, ConnectRefusal> {
        self.connect
            .model
            .set_approved_origins(&instance.id, origins)
            .map_err(|e| internal(&e))?;
        Ok(json!({}))
    }

    fn string(&self, member: &str) -> Result<String, ConnectRefusal> {
        match self.body.get(member) {
            Some(Value::String(value)) => Ok(value.clone()),
            Some(_) => Err(Refusal::new(ConnectRule::InvalidRequest)
                .worded(format!("{member} must be a string."))),
            None => {
                Err(Refusal::new(ConnectRule::InvalidRequest)
                    .worded(format!("{member} is required.")))
            }
        }
    }

    fn users(&self, instance: &Instance) -> Result<Vec<User>, ConnectRefusal> {
        self.connect
            .model
            .users(&instance.id)
            .map_err(|e| internal(&e))
    }

    fn user(&self, instance: &Instance, id: &str) -> Result<User, ConnectRefusal> {
        self.users(instance)?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| {
                Refusal::new(ConnectRule::ResourceNotFound).worded(format!("User not found: {id}"))
            })
    }

    fn user_json(&self, instance: &Instance, user: &User) -> Value {
        json!({
            "Id": user.id,
            "Arn": user_arn(instance, user),
            "Username": user.username,
            "IdentityInfo": { "FirstName": user.first_name, "LastName": user.last_name },
            "PhoneConfig": { "PhoneType": "SOFT_PHONE", "AutoAccept": false, "AfterContactWorkTimeLimit": 0 },
            "SecurityProfileIds": user.security_profiles.iter()
                .map(|p| profile_id(&instance.id, "security-profile", p)).collect::<Vec<_>>(),
            "RoutingProfileId": profile_id(&instance.id, "routing-profile", &user.routing_profile),
            "Tags": {},
        })
    }

    /// `SecurityProfileIds` as profile names: 1 to 10 IDs of this instance.
    fn security_profiles(&self, instance: &Instance) -> Result<Vec<String>, ConnectRefusal> {
        let ids = match self.body.get("SecurityProfileIds") {
            Some(Value::Array(ids)) => ids,
            Some(_) => {
                return Err(Refusal::new(ConnectRule::InvalidRequest)
                    .worded("SecurityProfileIds must be a list."));
            }
            None => {
                return Err(Refusal::new(ConnectRule::InvalidRequest)
                    .worded("SecurityProfileIds is required."));
            }
        };
        if ids.is_empty() || ids.len() > 10 {
            return Err(Refusal::new(ConnectRule::InvalidParameter).worded(format!(
                "SecurityProfileIds must hold 1 to 10 IDs, not {}.",
                ids.len()
            )));
        }
        ids.iter()
            .map(|id| {
                let id = id.as_str().unwrap_or_default();
                SECURITY_PROFILES
                    .iter()
                    .find(|name| profile_id(&instance.id, "security-profile", name) == id)
                    .map(|name| (*name).to_owned())
                    .ok_or_else(|| {
                        Refusal::new(ConnectRule::ResourceNotFound)
                            .worded(format!("Security profile not found: {id}"))
                    })
            })
            .collect()
    }

    fn create_user(&self, instance: &Instance) -> Result<Value, ConnectRefusal> {
        let username = self.string("Username")?;
        if self.body.get("Password").is_some() {
            return Err(Refusal::new(ConnectRule::InvalidParameter)
                .worded("Password is not allowed for an instance using SAML 2.0-based authentication.")
                .because("The instance's identity management is SAML: users sign in at the IdP, not with a Connect password (C7)."));
        }
        if let Err(why) = validate_username(&username) {
            return Err(Refusal::new(ConnectRule::InvalidParameter)
                .worded(format!("Username {why}"))
                .because(format!("The user login \"{username}\" {why} (C24).")));
        }
        let routing = self.string("RoutingProfileId")?;
        let routing_profile = ROUTING_PROFILES
            .iter()
            .find(|name| profile_id(&instance.id, "routing-profile", name) == routing)
            .ok_or_else(|| {
                Refusal::new(ConnectRule::ResourceNotFound)
                    .worded(format!("Routing profile not found: {routing}"))
            })?;
        let security_profiles = self.security_profiles(instance)?;
        if let Some(phone) = self.body.get("PhoneConfig") {
            match phone.get("PhoneType").and_then(Value::as_str) {
                Some("SOFT_PHONE") => {}
                Some("DESK_PHONE")
                    if phone
                        .get("DeskPhoneNumber")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.starts_with('+')) => {}
                Some("DESK_PHONE") => {
                    return Err(Refusal::new(ConnectRule::InvalidParameter)
                        .worded("A DESK_PHONE needs a DeskPhoneNumber in E.164 format."));
                }
                other => {
                    return Err(Refusal::new(ConnectRule::InvalidParameter).worded(format!(
                        "PhoneType must be SOFT_PHONE or DESK_PHONE, not {}.",
                        other.unwrap_or("missing")
                    )));
                }
            }
        }
        let taken = self
            .connect
            .model
            .user(&instance.id, &username)
            .map_err(|e| internal(&e))?;
        if taken.is_some() {
            return Err(Refusal::new(ConnectRule::DuplicateResource)
                .worded(format!("User with username {username} already exists")));
        }
        let identity = self.body.get("IdentityInfo");
        let name = |member: &str| {
            identity
                .and_then(|i| i.get(member))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let config = UserConfig {
            username,
            first_name: name("FirstName"),
            last_name: name("LastName"),
            security_profiles,
            routing_profile: (*routing_profile).to_owned(),
        };
        let hex = self.connect.ids.token(16);
        let id = format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        );
        let user = self
            .connect
            .model
            .put_user(&instance.id, &config, &id)
            .map_err(|e| internal(&e))?;
        Ok(json!({ "UserId": user.id, "UserArn": user_arn(instance, &user) }))
    }

    fn search_users(&self, instance: &Instance) -> Result<Value, ConnectRefusal> {
        let criteria = self.body.get("SearchCriteria");
        let mut users = Vec::new();
        for user in self.users(instance)? {
            let matched = match criteria {
                None => true,
                Some(criteria) => matches(criteria, &user)?,
            };
            if matched {
                let mut found = self.user_json(instance, &user);
                if let Some(map) = found.as_object_mut() {
                    map.remove("Tags");
                }
                users.push(found);
            }
        }
        Ok(json!({ "ApproximateTotalCount": users.len(), "Users": users }))
    }
}

/// Whether `user` meets SearchUsers criteria: string conditions on Username,
/// FirstName or LastName, combined with AndConditions / OrConditions.
fn matches(criteria: &Value, user: &User) -> Result<bool, ConnectRefusal> {
    if let Some(Value::Array(all)) = criteria.get("AndConditions") {
        for c in all {
            if !matches(c, user)? {
                return Ok(false);
            }
        }
    }
    if let Some(Value::Array(any)) = criteria.get("OrConditions") {
        let mut found = false;
        for c in any {
            found |= matches(c, user)?;
        }
        if !found {
            return Ok(false);
        }
    }
    let Some(condition) = criteria.get("StringCondition") else {
        return Ok(true);
    };
    let field = condition
        .get("FieldName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let value = condition.get("Value").and_then(Value::as_str).unwrap_or("");
    let actual = match field {
        "Username" | "username" => Some(user.username.as_str()),
        "FirstName" | "firstName" => user.first_name.as_deref(),
        "LastName" | "lastName" => user.last_name.as_deref(),
        other => {
            return Err(Refusal::new(ConnectRule::InvalidParameter).worded(format!(
                "FieldName {other} is not searchable here: use Username, FirstName or LastName."
            )));
        }
    };
    let actual = actual.unwrap_or("");
    Ok(
        match condition
            .get("ComparisonType")
            .and_then(Value::as_str)
            .unwrap_or("EXACT")
        {
            "EXACT" => actual == value,
            "STARTS_WITH" => actual.starts_with(value),
            "CONTAINS" => actual.contains(value),
            other => {
                return Err(Refusal::new(ConnectRule::InvalidParameter).worded(format!(
                    "ComparisonType must be EXACT, STARTS_WITH or CONTAINS, not {other}."
                )));
            }
        },
    )
}

fn user_arn(instance: &Instance, user: &User) -> String {
    format!("{}/agent/{}", instance.arn(), user.id)
}

/// An approved origin: `https://host[:port]` (Connect takes URLs of the form
/// `https://example.com`).
fn check_origin(origin: &str) -> Result<(), ConnectRefusal> {
    let ok = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(['/', '?', '#', ' ']));
    if ok {
        Ok(())
    } else {
        Err(Refusal::new(ConnectRule::InvalidParameter).worded(format!(
            "Origin {origin} is not a valid origin: use https://host[:port]."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_ids_are_stable_and_distinct() {
        let a = profile_id("i", "security-profile", "Agent");
        assert_eq!(a, profile_id("i", "security-profile", "Agent"));
        assert_ne!(a, profile_id("i", "security-profile", "Admin"));
        assert_eq!(a.len(), 36);
    }

    #[test]
    fn origins_are_scheme_and_host() {
        assert!(check_origin("https://example.com").is_ok());
        assert_eq!(
            check_origin("example.com").unwrap_err().rule,
            ConnectRule::InvalidParameter
        );
    }
}
