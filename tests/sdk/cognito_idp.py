"""Drives the mock Cognito user pool with boto3's `cognito-idp` client, as an app's
setup script or test suite would.

Usage:
  cognito_idp.py setup  ENDPOINT_URL METADATA_URL DOMAIN_PREFIX CALLBACK_URL
  cognito_idp.py users  ENDPOINT_URL POOL_ID
  cognito_idp.py delete ENDPOINT_URL POOL_ID USERNAME
  cognito_idp.py errors ENDPOINT_URL POOL_ID
  cognito_idp.py providers ENDPOINT_URL POOL_ID METADATA_URL
  cognito_idp.py clients ENDPOINT_URL POOL_ID
  cognito_idp.py disable ENDPOINT_URL POOL_ID USERNAME

Prints one JSON object. Every call's outcome is recorded as {"ok": response} or
{"error": {"class", "modeled", "code", "message", "status"}}, where `class` is the
exception class botocore raised (a modeled one such as ResourceNotFoundException is
only raised when the service's error code is one botocore knows for the operation)
and `modeled` says whether it is the class of `client.exceptions.<code>`. The script
itself asserts nothing: tests/cognito_sdk.rs does. It only ever talks to the
loopback endpoint it is given.
"""

import json
import sys
import urllib.request

import boto3
import botocore.exceptions

PROVIDER = "SamlsimIdP"


def client(endpoint):
    return boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1")


def attempt(cognito, call, **kwargs):
    try:
        response = getattr(cognito, call)(**kwargs)
    except botocore.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        modeled_class = getattr(cognito.exceptions, code, None) if code else None
        return {
            "error": {
                "class": type(error).__name__,
                "modeled": modeled_class is not None and isinstance(error, modeled_class),
                "code": code,
                "message": error.response.get("Error", {}).get("Message", ""),
                "status": error.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
            }
        }
    response.pop("ResponseMetadata", None)
    return {"ok": response}


def setup(endpoint, metadata_url, domain, callback):
    cognito = client(endpoint)
    out = {}
    # A case-insensitive pool, as the console creates them (aws-facts: Username case).
    out["create_user_pool"] = attempt(
        cognito,
        "create_user_pool",
        PoolName="cogtest-pool",
        UsernameConfiguration={"CaseSensitive": False},
    )
    pool = out["create_user_pool"].get("ok", {}).get("UserPool", {})
    pool_id = pool.get("Id")
    out["pool_id"] = pool_id
    if not pool_id:
        return out
    out["describe_user_pool"] = attempt(cognito, "describe_user_pool", UserPoolId=pool_id)
    out["create_user_pool_domain"] = attempt(
        cognito, "create_user_pool_domain", Domain=domain, UserPoolId=pool_id
    )
    out["create_identity_provider"] = attempt(
        cognito,
        "create_identity_provider",
        UserPoolId=pool_id,
        ProviderName=PROVIDER,
        ProviderType="SAML",
        ProviderDetails={"MetadataURL": metadata_url},
        AttributeMapping={"email": "email"},
    )
    out["describe_identity_provider"] = attempt(
        cognito, "describe_identity_provider", UserPoolId=pool_id, ProviderName=PROVIDER
    )
    out["list_identity_providers"] = attempt(cognito, "list_identity_providers", UserPoolId=pool_id)
    out["create_user_pool_client"] = attempt(
        cognito,
        "create_user_pool_client",
        UserPoolId=pool_id,
        ClientName="cogtest-app",
        GenerateSecret=False,
        SupportedIdentityProviders=[PROVIDER],
        CallbackURLs=[callback],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True,
    )
    client_id = out["create_user_pool_client"].get("ok", {}).get("UserPoolClient", {}).get("ClientId")
    out["client_id"] = client_id
    if client_id:
        out["describe_user_pool_client"] = attempt(
            cognito, "describe_user_pool_client", UserPoolId=pool_id, ClientId=client_id
        )
    out["describe_user_pool_after"] = attempt(cognito, "describe_user_pool", UserPoolId=pool_id)
    return out


def users(endpoint, pool_id):
    cognito = client(endpoint)
    out = {"list_users": attempt(cognito, "list_users", UserPoolId=pool_id)}
    listed = out["list_users"].get("ok", {}).get("Users", [])
    if listed:
        name = listed[0]["Username"]
        out["list_users_filtered"] = attempt(
            cognito, "list_users", UserPoolId=pool_id, Filter=f'username = "{name}"'
        )
        out["list_users_prefix"] = attempt(
            cognito, "list_users", UserPoolId=pool_id, Filter=f'username ^= "{PROVIDER}_"'
        )
        out["list_users_no_match"] = attempt(
            cognito, "list_users", UserPoolId=pool_id, Filter='username = "nobody-at-all"'
        )
        out["admin_get_user"] = attempt(cognito, "admin_get_user", UserPoolId=pool_id, Username=name)
    return out


def delete(endpoint, pool_id, username):
    cognito = client(endpoint)
    return {
        "admin_delete_user": attempt(cognito, "admin_delete_user", UserPoolId=pool_id, Username=username),
        "list_users": attempt(cognito, "list_users", UserPoolId=pool_id),
        "admin_get_user": attempt(cognito, "admin_get_user", UserPoolId=pool_id, Username=username),
        "admin_delete_user_again": attempt(
            cognito, "admin_delete_user", UserPoolId=pool_id, Username=username
        ),
    }


def errors(endpoint, pool_id):
    cognito = client(endpoint)
    unknown = "us-east-1_NoSuchPoo"
    return {
        "describe_unknown_pool": attempt(cognito, "describe_user_pool", UserPoolId=unknown),
        "list_users_unknown_pool": attempt(cognito, "list_users", UserPoolId=unknown),
        "describe_unknown_provider": attempt(
            cognito, "describe_identity_provider", UserPoolId=pool_id, ProviderName="NoSuchProvider"
        ),
        # aws-facts: app client callback URLs must be https, except http://localhost.
        "http_callback_url": attempt(
            cognito,
            "create_user_pool_client",
            UserPoolId=pool_id,
            ClientName="bad-callback",
            SupportedIdentityProviders=[PROVIDER],
            CallbackURLs=["http://app.example.com/callback"],
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid"],
            AllowedOAuthFlowsUserPoolClient=True,
        ),
        # G5: an app client can only use providers the pool has.
        "unknown_supported_provider": attempt(
            cognito,
            "create_user_pool_client",
            UserPoolId=pool_id,
            ClientName="bad-provider",
            SupportedIdentityProviders=["NoSuchProvider"],
            CallbackURLs=["https://app.example.com/callback"],
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid"],
            AllowedOAuthFlowsUserPoolClient=True,
        ),
        "bad_filter": attempt(cognito, "list_users", UserPoolId=pool_id, Filter="username == nonsense"),
    }


def providers(endpoint, pool_id, metadata_url):
    cognito = client(endpoint)
    # The IdP's metadata as a file, as the console's upload does (G5).
    with urllib.request.urlopen(metadata_url, timeout=10) as response:
        metadata = response.read().decode("utf-8")
    return {
        "metadata_length": len(metadata),
        "create_from_file": attempt(
            cognito,
            "create_identity_provider",
            UserPoolId=pool_id,
            ProviderName="SecondIdP",
            ProviderType="SAML",
            ProviderDetails={"MetadataFile": metadata},
            AttributeMapping={"email": "email"},
        ),
        "describe_from_file": attempt(
            cognito, "describe_identity_provider", UserPoolId=pool_id, ProviderName="SecondIdP"
        ),
        "create_duplicate": attempt(
            cognito,
            "create_identity_provider",
            UserPoolId=pool_id,
            ProviderName="SecondIdP",
            ProviderType="SAML",
            ProviderDetails={"MetadataFile": metadata},
        ),
        "create_bad_metadata": attempt(
            cognito,
            "create_identity_provider",
            UserPoolId=pool_id,
            ProviderName="BrokenIdP",
            ProviderType="SAML",
            ProviderDetails={"MetadataFile": "<not-metadata/>"},
        ),
        "update_mapping": attempt(
            cognito,
            "update_identity_provider",
            UserPoolId=pool_id,
            ProviderName=PROVIDER,
            AttributeMapping={"email": "email", "name": "name"},
        ),
        "describe_updated": attempt(
            cognito, "describe_identity_provider", UserPoolId=pool_id, ProviderName=PROVIDER
        ),
        "list_before_delete": attempt(cognito, "list_identity_providers", UserPoolId=pool_id),
        "delete": attempt(cognito, "delete_identity_provider", UserPoolId=pool_id, ProviderName="SecondIdP"),
        "list_after_delete": attempt(cognito, "list_identity_providers", UserPoolId=pool_id),
        "describe_deleted": attempt(
            cognito, "describe_identity_provider", UserPoolId=pool_id, ProviderName="SecondIdP"
        ),
        "signing_certificate": attempt(cognito, "get_signing_certificate", UserPoolId=pool_id),
    }


def clients(endpoint, pool_id):
    cognito = client(endpoint)
    created = attempt(
        cognito,
        "create_user_pool_client",
        UserPoolId=pool_id,
        ClientName="to-update",
        GenerateSecret=True,
        SupportedIdentityProviders=[PROVIDER],
        CallbackURLs=["https://app.example.com/callback"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
    )
    client_id = created.get("ok", {}).get("UserPoolClient", {}).get("ClientId")
    out = {"create": created}
    if not client_id:
        return out
    out["update_full"] = attempt(
        cognito,
        "update_user_pool_client",
        UserPoolId=pool_id,
        ClientId=client_id,
        ClientName="updated",
        SupportedIdentityProviders=[PROVIDER],
        CallbackURLs=["https://app.example.com/callback", "http://localhost:3000/cb"],
        LogoutURLs=["https://app.example.com/bye"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True,
    )
    out["describe_full"] = attempt(cognito, "describe_user_pool_client", UserPoolId=pool_id, ClientId=client_id)
    # UpdateUserPoolClient: "If you don't provide a value for an attribute, Amazon
    # Cognito sets it to its default value" (API reference).
    out["update_partial"] = attempt(
        cognito, "update_user_pool_client", UserPoolId=pool_id, ClientId=client_id, ClientName="partial"
    )
    out["describe_partial"] = attempt(cognito, "describe_user_pool_client", UserPoolId=pool_id, ClientId=client_id)
    out["update_bad_callback"] = attempt(
        cognito,
        "update_user_pool_client",
        UserPoolId=pool_id,
        ClientId=client_id,
        CallbackURLs=["http://app.example.com/callback"],
    )
    out["describe_unknown_client"] = attempt(
        cognito, "describe_user_pool_client", UserPoolId=pool_id, ClientId="nosuchclient0000000000000a"
    )
    return out


def disable(endpoint, pool_id, username):
    cognito = client(endpoint)
    return {
        "admin_disable_user": attempt(cognito, "admin_disable_user", UserPoolId=pool_id, Username=username),
        "admin_get_user": attempt(cognito, "admin_get_user", UserPoolId=pool_id, Username=username),
    }


def main():
    command, endpoint, *rest = sys.argv[1:]
    result = {
        "setup": setup,
        "users": users,
        "delete": delete,
        "errors": errors,
        "providers": providers,
        "clients": clients,
        "disable": disable,
    }[command](endpoint, *rest)
    print(json.dumps(result, default=str))


main()
