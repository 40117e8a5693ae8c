"""boto3 with only AWS_ENDPOINT_URL set to the emulator's base URL, as users of
other AWS emulators configure it: STS AssumeRoleWithSAML, the cognito-idp API,
and an action no emulated API has (which must raise botocore's ClientError).

Usage: base_url.py ROLE_ARN PRINCIPAL_ARN ASSERTION_FILE
Prints one JSON object. Run by tests/aws_sdk.rs on loopback only.
"""

import json
import sys

import boto3
import botocore.exceptions

role_arn, principal_arn, assertion_file = sys.argv[1:4]
with open(assertion_file, encoding="ascii") as f:
    assertion = f.read().strip()

out = {}
sts = boto3.client("sts", region_name="us-east-1")
response = sts.assume_role_with_saml(
    RoleArn=role_arn, PrincipalArn=principal_arn, SAMLAssertion=assertion
)
out["sts"] = response["AssumedRoleUser"]["Arn"]

# Connect's REST API, routed by the SigV4 credential scope's service.
credentials = response["Credentials"]
connect = boto3.client(
    "connect",
    region_name="us-east-1",
    aws_access_key_id=credentials["AccessKeyId"],
    aws_secret_access_key=credentials["SecretAccessKey"],
    aws_session_token=credentials["SessionToken"],
)
token = connect.get_federation_token(InstanceId="178c75e4-b3de-4839-a6aa-e321ab3f3770")
out["connect"] = token["UserArn"] if "UserArn" in token else sorted(token)

cognito = boto3.client("cognito-idp", region_name="us-east-1")
out["pools"] = [p["Id"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"]]


def client_error(call):
    try:
        call()
    except botocore.exceptions.ClientError as error:
        return error.response["Error"]["Code"]
    return None


out["sts_unknown"] = client_error(lambda: sts.get_caller_identity())
iam = boto3.client("iam", region_name="us-east-1")
out["iam_unknown"] = client_error(lambda: iam.list_roles())
sqs = boto3.client("sqs", region_name="us-east-1")
out["json_unknown"] = client_error(lambda: sqs.list_queues())
print(json.dumps(out))
