//! Tests of the policy module: shared fixtures here, one file per concern.

use super::*;

mod conditions;
mod connect;
mod malformed;
mod principals;
mod robustness;
mod scp;
mod trust;
mod variables;
mod wildcards;

use self::connect::{connect_user, federation_token};
use self::scp::SCP_DENY_EU_WEST_1;

const ACCOUNT: &str = "123456789012";
const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP";
const ROLE: &str = "arn:aws:iam::123456789012:role/ExampleRole";
const GLOBAL_AUDIENCE: &str = "https://signin.aws.amazon.com/saml";
const REGIONAL_AUDIENCE: &str = "https://us-east-1.signin.aws.amazon.com/saml";
const INSTANCE: &str = "11111111-2222-3333-4444-555555555555";
const OTHER_INSTANCE: &str = "99999999-8888-7777-6666-555555555555";
const USER_ID: &str = "AROAEXAMPLE:alice";

/// The default trust policy for a SAML role (C18), as the IAM console writes it.
const TRUST: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP"},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
    }]
}"#;

/// The same, also accepting the regional sign-in endpoint (C18).
const TRUST_REGIONAL: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP"},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": [
            "https://signin.aws.amazon.com/saml",
            "https://us-east-1.signin.aws.amazon.com/saml"
        ]}}
    }]
}"#;

fn parse(json: &str) -> Policy {
    Policy::parse(json).unwrap_or_else(|e| panic!("refused: {e}\n{json}"))
}

fn refuse(json: &str) -> PolicyError {
    match Policy::parse(json) {
        Ok(policy) => panic!("accepted: {policy:?}\n{json}"),
        Err(e) => e,
    }
}

fn decide(policy: &Policy, action: &str, resource: Option<&str>, context: &Context) -> Decision {
    policy.evaluate(&Request {
        action,
        resource,
        principal: None,
        context,
    })
}

fn saml_context(audience: &str, region: &str) -> Context {
    Context::new()
        .with("SAML:aud", audience)
        .with("SAML:sub", "alice@example.com")
        .with("aws:RequestedRegion", region)
}

fn assume_request<'a>(principal: Principal<'a>, context: &'a Context) -> Request<'a> {
    Request {
        action: "sts:AssumeRoleWithSAML",
        resource: Some(ROLE),
        principal: Some(principal),
        context,
    }
}

fn assume(policy: &Policy, audience: &str) -> Decision {
    let context = saml_context(audience, "us-east-1");
    policy.evaluate(&assume_request(Principal::Federated(PROVIDER), &context))
}
