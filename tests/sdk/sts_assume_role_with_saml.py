"""Calls the mock STS with boto3, as an integration suite would.

Usage: sts_assume_role_with_saml.py ENDPOINT_URL ROLE_ARN PRINCIPAL_ARN ASSERTION_FILE
Prints the response (or the error code and message) as one JSON object.
Run by tests/aws_sdk.rs; only ever talks to the loopback endpoint it is given.
"""

import json
import sys

import boto3
import botocore.exceptions

endpoint, role_arn, principal_arn, assertion_file = sys.argv[1:5]
with open(assertion_file, encoding="ascii") as f:
    assertion = f.read().strip()

client = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
try:
    response = client.assume_role_with_saml(
        RoleArn=role_arn, PrincipalArn=principal_arn, SAMLAssertion=assertion, DurationSeconds=3600
    )
except botocore.exceptions.ClientError as error:
    print(json.dumps({"error": error.response["Error"], "status": error.response["ResponseMetadata"]["HTTPStatusCode"]}))
    sys.exit(0)
print(json.dumps(response, default=str))
