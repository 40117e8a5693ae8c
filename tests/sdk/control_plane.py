"""Builds a Connect federation from nothing with boto3, as a team's setup code would,
and checks that every IAM and Connect operation's errors arrive as the typed
exception boto3 knows.

Usage: control_plane.py BASE_URL ASSERTION_FILE
  BASE_URL        the served emulator (http://127.0.0.1:PORT)
  ASSERTION_FILE  a base64 samlp:Response for alice from the default world's
                  connect-us-east-1 SP (for the federated-session checks)
Credentials: the world's administrator key pair from AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY (samlsim's default: AWS's documentation example key).
Prints one JSON object (what was made and which checks ran); exits 1 on the first
check that fails. Run by tests/sdk_control.rs; talks only to BASE_URL.
"""

import json
import sys
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

base, assertion_file = sys.argv[1:3]
with open(assertion_file, encoding="ascii") as f:
    assertion = f.read().strip()

ACCOUNT = "123456789012"
INSTANCE = "178c75e4-b3de-4839-a6aa-e321ab3f3770"
IAM_URL = base + "/aws/iam.amazonaws.com"
CONNECT_URL = base + "/aws/connect.us-east-1.amazonaws.com"
STS_URL = base + "/aws/sts.amazonaws.com"

iam = boto3.client("iam", endpoint_url=IAM_URL, region_name="us-east-1")
connect = boto3.client("connect", endpoint_url=CONNECT_URL, region_name="us-east-1")
checked = []


def fail(message):
    print(json.dumps({"failed": message, "checked": checked}))
    sys.exit(1)


def expect(name, exception, call, code=None, contains=None):
    """call() must raise `exception` (a modeled class, or ClientError with `code`)."""
    try:
        call()
    except exception as error:
        got = error.response["Error"]["Code"]
        if code is not None and got != code:
            fail(f"{name}: expected code {code}, got {got}")
        message = error.response["Error"].get("Message", "")
        if contains is not None and contains not in message:
            fail(f"{name}: message {message!r} lacks {contains!r}")
        checked.append(name)
        return error
    except Exception as error:  # noqa: BLE001 - any other outcome is the failure
        fail(f"{name}: expected {exception.__name__}, got {type(error).__name__}: {error}")
    fail(f"{name}: expected {exception.__name__}, got success")


# ---- IAM: the SAML provider from samlsim's IdP metadata (C8) -------------------
metadata = urllib.request.urlopen(base + "/idp/metadata").read().decode()
provider_arn = iam.create_saml_provider(
    SAMLMetadataDocument=metadata,
    Name="SdkIdP",
    Tags=[{"Key": "team", "Value": "contact-centre"}],
    AssertionEncryptionMode="Allowed",
)["SAMLProviderArn"]
if provider_arn != f"arn:aws:iam::{ACCOUNT}:saml-provider/SdkIdP":
    fail(f"provider ARN {provider_arn}")
got = iam.get_saml_provider(SAMLProviderArn=provider_arn)
if got["SAMLMetadataDocument"] != metadata or got.get("AssertionEncryptionMode") != "Allowed":
    fail("GetSAMLProvider does not give back the metadata and encryption mode")
if provider_arn not in [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]]:
    fail("ListSAMLProviders lacks the new provider")
iam.update_saml_provider(SAMLProviderArn=provider_arn, SAMLMetadataDocument=metadata)
missing_provider = f"arn:aws:iam::{ACCOUNT}:saml-provider/Nobody"
E = iam.exceptions
expect("CreateSAMLProvider EntityAlreadyExists", E.EntityAlreadyExistsException,
       lambda: iam.create_saml_provider(SAMLMetadataDocument=metadata, Name="SdkIdP"))
expect("CreateSAMLProvider InvalidInput", E.InvalidInputException,
       lambda: iam.create_saml_provider(SAMLMetadataDocument="<x>" + " " * 1000 + "</x>", Name="Bad"),
       contains="Could not parse metadata")
expect("GetSAMLProvider NoSuchEntity", E.NoSuchEntityException,
       lambda: iam.get_saml_provider(SAMLProviderArn=missing_provider))
expect("GetSAMLProvider InvalidInput", E.InvalidInputException,
       lambda: iam.get_saml_provider(SAMLProviderArn="arn:aws:iam::not-an-account:x"))
expect("UpdateSAMLProvider NoSuchEntity", E.NoSuchEntityException,
       lambda: iam.update_saml_provider(SAMLProviderArn=missing_provider, SAMLMetadataDocument=metadata))
expect("DeleteSAMLProvider NoSuchEntity", E.NoSuchEntityException,
       lambda: iam.delete_saml_provider(SAMLProviderArn=missing_provider))
# A provider made and deleted again.
scratch = iam.create_saml_provider(SAMLMetadataDocument=metadata, Name="Scratch")["SAMLProviderArn"]
iam.delete_saml_provider(SAMLProviderArn=scratch)
expect("GetSAMLProvider after DeleteSAMLProvider", E.NoSuchEntityException,
       lambda: iam.get_saml_provider(SAMLProviderArn=scratch))

# ---- IAM: the role trusting it for the us-east-1 sign-in endpoint (C9, C18) ----
trust = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://us-east-1.signin.aws.amazon.com/saml"}},
    }],
}
role = iam.create_role(
    RoleName="SdkConnectFederation",
    AssumeRolePolicyDocument=json.dumps(trust),
    MaxSessionDuration=43200,
    Description="Connect agents from samlsim's IdP",
)["Role"]
if role["AssumeRolePolicyDocument"] != trust:
    fail(f"CreateRole's AssumeRolePolicyDocument does not decode to the trust policy: {role}")
# ---- its permission policy for connect:GetFederationToken (C10) ----------------
federation = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": "connect:GetFederationToken",
        "Resource": f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE}/user/${{aws:userid}}",
    }],
}
iam.put_role_policy(RoleName="SdkConnectFederation", PolicyName="ConnectFederation",
                    PolicyDocument=json.dumps(federation))
if iam.get_role_policy(RoleName="SdkConnectFederation", PolicyName="ConnectFederation")["PolicyDocument"] != federation:
    fail("GetRolePolicy does not decode to the policy")
if iam.list_role_policies(RoleName="SdkConnectFederation")["PolicyNames"] != ["ConnectFederation"]:
    fail("ListRolePolicies")
if role["Arn"] not in [r["Arn"] for r in iam.list_roles()["Roles"]]:
    fail("ListRoles lacks the new role")

expect("CreateRole EntityAlreadyExists", E.EntityAlreadyExistsException,
       lambda: iam.create_role(RoleName="SdkConnectFederation", AssumeRolePolicyDocument=json.dumps(trust)))
expect("CreateRole MalformedPolicyDocument (syntax)", E.MalformedPolicyDocumentException,
       lambda: iam.create_role(RoleName="Broken", AssumeRolePolicyDocument="{\"Version\": "),
       contains="Syntax errors in policy.")
expect("CreateRole MalformedPolicyDocument (no Principal)", E.MalformedPolicyDocumentException,
       lambda: iam.create_role(RoleName="Broken", AssumeRolePolicyDocument=json.dumps(federation)))
expect("CreateRole ValidationError (name)", botocore.exceptions.ClientError,
       lambda: iam.create_role(RoleName="has space", AssumeRolePolicyDocument=json.dumps(trust)),
       code="ValidationError", contains="1 validation error detected")
expect("GetRole NoSuchEntity", E.NoSuchEntityException, lambda: iam.get_role(RoleName="Nobody"))
expect("UpdateRole NoSuchEntity", E.NoSuchEntityException,
       lambda: iam.update_role(RoleName="Nobody", MaxSessionDuration=7200))
expect("UpdateAssumeRolePolicy NoSuchEntity", E.NoSuchEntityException,
       lambda: iam.update_assume_role_policy(RoleName="Nobody", PolicyDocument=json.dumps(trust)))
expect("UpdateAssumeRolePolicy MalformedPolicyDocument", E.MalformedPolicyDocumentException,
       lambda: iam.update_assume_role_policy(RoleName="SdkConnectFederation", PolicyDocument="[]"))
expect("DeleteRole NoSuchEntity", E.NoSuchEntityException, lambda: iam.delete_role(RoleName="Nobody"))
expect("DeleteRole DeleteConflict", E.DeleteConflictException,
       lambda: iam.delete_role(RoleName="SdkConnectFederation"))
expect("PutRolePolicy NoSuchEntity", E.NoSuchEntityException,
       lambda: iam.put_role_policy(RoleName="Nobody", PolicyName="p", PolicyDocument=json.dumps(federation)))
expect("PutRolePolicy MalformedPolicyDocument (Principal)", E.MalformedPolicyDocumentException,
       lambda: iam.put_role_policy(RoleName="SdkConnectFederation", PolicyName="p", PolicyDocument=json.dumps(trust)),
       contains="should not specify a principal")
big = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "connect:ListUsers",
                                               "Resource": [f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/{n:05d}" + "x" * 60 for n in range(120)]}]}
expect("PutRolePolicy LimitExceeded", E.LimitExceededException,
       lambda: iam.put_role_policy(RoleName="SdkConnectFederation", PolicyName="big", PolicyDocument=json.dumps(big)))
expect("GetRolePolicy NoSuchEntity", E.NoSuchEntityException,
       lambda: iam.get_role_policy(RoleName="SdkConnectFederation", PolicyName="Nothing"))
expect("DeleteRolePolicy NoSuchEntity", E.NoSuchEntityException,
       lambda: iam.delete_role_policy(RoleName="SdkConnectFederation", PolicyName="Nothing"))
expect("ListRolePolicies NoSuchEntity", E.NoSuchEntityException,
       lambda: iam.list_role_policies(RoleName="Nobody"))
# A role updated, emptied and deleted.
iam.create_role(RoleName="Scratch", AssumeRolePolicyDocument=json.dumps(trust))
iam.update_assume_role_policy(RoleName="Scratch", PolicyDocument=json.dumps(trust))
iam.update_role(RoleName="Scratch", MaxSessionDuration=7200)
if iam.get_role(RoleName="Scratch")["Role"]["MaxSessionDuration"] != 7200:
    fail("UpdateRole did not set MaxSessionDuration")
iam.put_role_policy(RoleName="Scratch", PolicyName="p", PolicyDocument=json.dumps(federation))
iam.delete_role_policy(RoleName="Scratch", PolicyName="p")
iam.delete_role(RoleName="Scratch")
expect("GetRole after DeleteRole", E.NoSuchEntityException, lambda: iam.get_role(RoleName="Scratch"))

# ---- Connect: the user named like the RoleSessionName (C7, C23, C24) -----------
C = connect.exceptions
instances = connect.list_instances()["InstanceSummaryList"]
if [i["Id"] for i in instances] != [INSTANCE] or instances[0]["IdentityManagementType"] != "SAML":
    fail(f"ListInstances: {instances}")
if connect.describe_instance(InstanceId=INSTANCE)["Instance"]["InstanceAlias"] != "example-corp":
    fail("DescribeInstance")
profiles = {p["Name"]: p["Id"] for p in connect.list_security_profiles(InstanceId=INSTANCE)["SecurityProfileSummaryList"]}
routing = {p["Name"]: p["Id"] for p in connect.list_routing_profiles(InstanceId=INSTANCE)["RoutingProfileSummaryList"]}
new_user = dict(
    InstanceId=INSTANCE,
    Username="sdk-agent",
    IdentityInfo={"FirstName": "Sam", "LastName": "Dekay"},
    PhoneConfig={"PhoneType": "SOFT_PHONE"},
    SecurityProfileIds=[profiles["Agent"]],
    RoutingProfileId=routing["Basic Routing Profile"],
)
user_id = connect.create_user(**new_user)["UserId"]
described = connect.describe_user(InstanceId=INSTANCE, UserId=user_id)["User"]
if described["Username"] != "sdk-agent" or described["SecurityProfileIds"] != [profiles["Agent"]]:
    fail(f"DescribeUser: {described}")
if "sdk-agent" not in [u["Username"] for u in connect.list_users(InstanceId=INSTANCE)["UserSummaryList"]]:
    fail("ListUsers lacks the new user")
found = connect.search_users(InstanceId=INSTANCE, SearchCriteria={
    "StringCondition": {"FieldName": "Username", "Value": "sdk-agent", "ComparisonType": "EXACT"}})["Users"]
if [u["Id"] for u in found] != [user_id]:
    fail(f"SearchUsers: {found}")
missing_instance = "00000000-0000-0000-0000-000000000000"
expect("CreateUser DuplicateResource", C.DuplicateResourceException, lambda: connect.create_user(**new_user))
expect("CreateUser InvalidParameter (C24 username)", C.InvalidParameterException,
       lambda: connect.create_user(**{**new_user, "Username": "o'brien"}))
expect("CreateUser InvalidParameter (password on a SAML instance)", C.InvalidParameterException,
       lambda: connect.create_user(**{**new_user, "Username": "pw-user", "Password": "Passw0rd!"}))
expect("CreateUser ResourceNotFound (security profile)", C.ResourceNotFoundException,
       lambda: connect.create_user(**{**new_user, "Username": "other", "SecurityProfileIds": ["nope"]}))
expect("CreateUser ResourceNotFound (instance)", C.ResourceNotFoundException,
       lambda: connect.create_user(**{**new_user, "InstanceId": missing_instance}))
# botocore checks required members itself; without that check the server says so.
unchecked = boto3.client("connect", endpoint_url=CONNECT_URL, region_name="us-east-1",
                         config=botocore.config.Config(parameter_validation=False))
expect("CreateUser InvalidRequest (no SecurityProfileIds)", C.InvalidRequestException,
       lambda: unchecked.create_user(**{k: v for k, v in new_user.items() if k != "SecurityProfileIds"}),
       contains="SecurityProfileIds is required.")
expect("DescribeInstance ResourceNotFound", C.ResourceNotFoundException,
       lambda: connect.describe_instance(InstanceId=missing_instance))
expect("DescribeUser ResourceNotFound", C.ResourceNotFoundException,
       lambda: connect.describe_user(InstanceId=INSTANCE, UserId="no-such-user"))
expect("ListUsers ResourceNotFound", C.ResourceNotFoundException,
       lambda: connect.list_users(InstanceId=missing_instance))
expect("SearchUsers InvalidParameter", C.InvalidParameterException,
       lambda: connect.search_users(InstanceId=INSTANCE, SearchCriteria={
           "StringCondition": {"FieldName": "Shoe size", "Value": "9", "ComparisonType": "EXACT"}}))
expect("UpdateUserSecurityProfiles ResourceNotFound", C.ResourceNotFoundException,
       lambda: connect.update_user_security_profiles(InstanceId=INSTANCE, UserId="no-such-user",
                                                     SecurityProfileIds=[profiles["Agent"]]))
expect("DeleteUser ResourceNotFound", C.ResourceNotFoundException,
       lambda: connect.delete_user(InstanceId=INSTANCE, UserId="no-such-user"))
expect("ListSecurityProfiles ResourceNotFound", C.ResourceNotFoundException,
       lambda: connect.list_security_profiles(InstanceId=missing_instance))
expect("ListRoutingProfiles ResourceNotFound", C.ResourceNotFoundException,
       lambda: connect.list_routing_profiles(InstanceId=missing_instance))
# A user whose profiles change, then who goes.
temp_id = connect.create_user(**{**new_user, "Username": "temp.agent"})["UserId"]
connect.update_user_security_profiles(InstanceId=INSTANCE, UserId=temp_id,
                                      SecurityProfileIds=[profiles["Agent"], profiles["CallCenterManager"]])
if len(connect.describe_user(InstanceId=INSTANCE, UserId=temp_id)["User"]["SecurityProfileIds"]) != 2:
    fail("UpdateUserSecurityProfiles")
connect.delete_user(InstanceId=INSTANCE, UserId=temp_id)
expect("DescribeUser after DeleteUser", C.ResourceNotFoundException,
       lambda: connect.describe_user(InstanceId=INSTANCE, UserId=temp_id))
# Approved origins (C21).
connect.associate_approved_origin(InstanceId=INSTANCE, Origin="https://agents.example.com")
if "https://agents.example.com" not in connect.list_approved_origins(InstanceId=INSTANCE)["Origins"]:
    fail("ListApprovedOrigins")
expect("AssociateApprovedOrigin ResourceConflict", C.ResourceConflictException,
       lambda: connect.associate_approved_origin(InstanceId=INSTANCE, Origin="https://agents.example.com"))
expect("AssociateApprovedOrigin InvalidParameter", C.InvalidParameterException,
       lambda: connect.associate_approved_origin(InstanceId=INSTANCE, Origin="agents.example.com/path"))
connect.disassociate_approved_origin(InstanceId=INSTANCE, Origin="https://agents.example.com")
expect("DisassociateApprovedOrigin ResourceNotFound", C.ResourceNotFoundException,
       lambda: connect.disassociate_approved_origin(InstanceId=INSTANCE, Origin="https://agents.example.com"))
expect("ListApprovedOrigins ResourceNotFound", C.ResourceNotFoundException,
       lambda: connect.list_approved_origins(InstanceId=missing_instance))

# ---- Credentials: signatures and keys ------------------------------------------
wrong_secret = dict(region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                    aws_secret_access_key="not-the-secret")
unknown_key = dict(region_name="us-east-1", aws_access_key_id="AKIAUNKNOWNKEY000000",
                   aws_secret_access_key="whatever")
expect("IAM SignatureDoesNotMatch", botocore.exceptions.ClientError,
       lambda: boto3.client("iam", endpoint_url=IAM_URL, **wrong_secret).list_roles(),
       code="SignatureDoesNotMatch")
expect("IAM InvalidClientTokenId", botocore.exceptions.ClientError,
       lambda: boto3.client("iam", endpoint_url=IAM_URL, **unknown_key).list_roles(),
       code="InvalidClientTokenId")
expect("Connect InvalidSignatureException", botocore.exceptions.ClientError,
       lambda: boto3.client("connect", endpoint_url=CONNECT_URL, **wrong_secret).list_instances(),
       code="InvalidSignatureException")
expect("Connect UnrecognizedClientException", botocore.exceptions.ClientError,
       lambda: boto3.client("connect", endpoint_url=CONNECT_URL, **unknown_key).list_instances(),
       code="UnrecognizedClientException")

# ---- A federated session is held to its role's permission policies -------------
sts = boto3.client("sts", endpoint_url=STS_URL, region_name="us-east-1")
credentials = sts.assume_role_with_saml(
    RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ConnectFederation",
    PrincipalArn=f"arn:aws:iam::{ACCOUNT}:saml-provider/ExampleCorpIdP",
    SAMLAssertion=assertion,
)["Credentials"]
session = dict(region_name="us-east-1", aws_access_key_id=credentials["AccessKeyId"],
               aws_secret_access_key=credentials["SecretAccessKey"],
               aws_session_token=credentials["SessionToken"])
agent_connect = boto3.client("connect", endpoint_url=CONNECT_URL, **session)
agent_iam = boto3.client("iam", endpoint_url=IAM_URL, **session)
denied = expect(
    "Connect AccessDeniedException for a role without connect:CreateUser",
    agent_connect.exceptions.AccessDeniedException,
    lambda: agent_connect.create_user(**{**new_user, "Username": "by-agent"}),
    contains=f"User: arn:aws:sts::{ACCOUNT}:assumed-role/ConnectFederation/alice is not authorized to perform: "
             f"connect:CreateUser on resource: arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE}",
)
expect("IAM AccessDenied for a role without iam:ListRoles", botocore.exceptions.ClientError,
       lambda: agent_iam.list_roles(), code="AccessDenied",
       contains=f"assumed-role/ConnectFederation/alice is not authorized to perform: iam:ListRoles")
# The role's own permission still works with the signed session, as today.
token = agent_connect.get_federation_token(InstanceId=INSTANCE)
if not token["SignInUrl"].startswith("https://example-corp.my.connect.aws/auth/sign-in"):
    fail(f"GetFederationToken: {token}")
# A permission added through IAM applies to the live session at once.
expect("Connect AccessDeniedException before the grant", agent_connect.exceptions.AccessDeniedException,
       lambda: agent_connect.list_users(InstanceId=INSTANCE))
iam.put_role_policy(RoleName="ConnectFederation", PolicyName="ListAgents", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "connect:ListUsers",
                   "Resource": f"arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE}"}]}))
listed = [u["Username"] for u in agent_connect.list_users(InstanceId=INSTANCE)["UserSummaryList"]]
if "sdk-agent" not in listed:
    fail(f"ListUsers with the granted session: {listed}")

print(json.dumps({
    "provider_arn": provider_arn,
    "role_arn": role["Arn"],
    "user_id": user_id,
    "denied": denied.response["Error"]["Message"],
    "checked": checked,
}))
