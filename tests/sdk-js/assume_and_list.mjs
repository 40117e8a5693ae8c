// The AWS SDK for JavaScript v3 against samlsim: IAM grants the default role
// connect:ListUsers (signed with the world's administrator key from the
// environment), STS AssumeRoleWithSAML redeems a samlsim assertion, and Connect
// ListUsers runs with the session's credentials. Errors are checked to arrive as
// the SDK's typed exceptions.
//
// Usage: node assume_and_list.mjs BASE_URL ASSERTION_FILE ROLE_ARN PROVIDER_ARN INSTANCE_ID
// Prints one JSON object. Run by tests/sdk_control.rs; talks only to BASE_URL.

import { readFileSync } from "node:fs";
import { STSClient, AssumeRoleWithSAMLCommand } from "@aws-sdk/client-sts";
import {
  IAMClient,
  PutRolePolicyCommand,
  GetRoleCommand,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import {
  ConnectClient,
  ListUsersCommand,
  DescribeUserCommand,
  CreateUserCommand,
  ResourceNotFoundException,
  AccessDeniedException,
} from "@aws-sdk/client-connect";

const [base, assertionFile, roleArn, providerArn, instanceId] = process.argv.slice(2);
const assertion = readFileSync(assertionFile, "ascii").trim();
const region = "us-east-1";
const roleName = roleArn.split("/").pop();

async function expectError(type, call) {
  try {
    await call();
  } catch (error) {
    if (error instanceof type) return error.name;
    throw new Error(`expected ${type.name}, got ${error.name}: ${error.message}`);
  }
  throw new Error(`expected ${type.name}, got success`);
}

const iam = new IAMClient({ region, endpoint: `${base}/aws/iam.amazonaws.com` });
await iam.send(
  new PutRolePolicyCommand({
    RoleName: roleName,
    PolicyName: "ListAgents",
    PolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["connect:ListUsers", "connect:DescribeUser"],
          Resource: `arn:aws:connect:${region}:*:instance/${instanceId}*`,
        },
      ],
    }),
  }),
);
const errors = [await expectError(NoSuchEntityException, () => iam.send(new GetRoleCommand({ RoleName: "Nobody" })))];

const sts = new STSClient({ region, endpoint: `${base}/aws/sts.amazonaws.com` });
const assumed = await sts.send(
  new AssumeRoleWithSAMLCommand({
    RoleArn: roleArn,
    PrincipalArn: providerArn,
    SAMLAssertion: assertion,
  }),
);
const connect = new ConnectClient({
  region,
  endpoint: `${base}/aws/connect.${region}.amazonaws.com`,
  credentials: {
    accessKeyId: assumed.Credentials.AccessKeyId,
    secretAccessKey: assumed.Credentials.SecretAccessKey,
    sessionToken: assumed.Credentials.SessionToken,
  },
});
const listed = await connect.send(new ListUsersCommand({ InstanceId: instanceId }));
errors.push(
  await expectError(ResourceNotFoundException, () =>
    connect.send(new DescribeUserCommand({ InstanceId: instanceId, UserId: "no-such-user" })),
  ),
);
errors.push(
  await expectError(AccessDeniedException, () =>
    connect.send(
      new CreateUserCommand({
        InstanceId: instanceId,
        Username: "by-js",
        SecurityProfileIds: ["x"],
        RoutingProfileId: "y",
      }),
    ),
  ),
);
console.log(
  JSON.stringify({
    assumed_role_arn: assumed.AssumedRoleUser.Arn,
    users: listed.UserSummaryList.map((u) => u.Username),
    errors,
  }),
);
