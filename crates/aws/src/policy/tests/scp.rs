//! C19: service control policies.

use super::*;

pub(super) const SCP_DENY_EU_WEST_1: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "DenySamlInIreland",
            "Effect": "Deny",
            "Action": "sts:AssumeRoleWithSAML",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
        }
    ]
}"#;

#[test]
fn scp_deny_in_a_region_wins_over_an_allow() {
    let scp = parse(SCP_DENY_EU_WEST_1);
    let trust = parse(TRUST);
    for order in [[&scp, &trust], [&trust, &scp]] {
        let ireland = saml_context(GLOBAL_AUDIENCE, "eu-west-1");
        let request = assume_request(Principal::Federated(PROVIDER), &ireland);
        assert_eq!(
            evaluate_all(&order, &request),
            Decision::ExplicitDeny { statement: 1 }
        );

        let virginia = saml_context(GLOBAL_AUDIENCE, "us-east-1");
        let request = assume_request(Principal::Federated(PROVIDER), &virginia);
        assert_eq!(
            evaluate_all(&order, &request),
            Decision::Allow { statement: 0 }
        );
    }
}

#[test]
fn evaluate_all_combines_allows_and_defaults_to_deny() {
    let context = Context::new();
    let request = Request {
        action: "s3:GetObject",
        resource: Some("arn:aws:s3:::bucket/key"),
        principal: None,
        context: &context,
    };
    let nothing =
        parse(r#"{"Statement": {"Effect": "Allow", "Action": "sts:*", "Resource": "*"}}"#);
    let s3 = parse(r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#);
    assert_eq!(evaluate_all(&[], &request), Decision::ImplicitDeny);
    assert_eq!(evaluate_all(&[&nothing], &request), Decision::ImplicitDeny);
    assert_eq!(
        evaluate_all(&[&nothing, &s3], &request),
        Decision::Allow { statement: 0 }
    );
}

#[test]
fn a_deny_statement_wins_within_one_policy() {
    let policy = parse(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "connect:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "connect:GetFederationToken", "Resource": "*"},
            {"Effect": "Deny", "Action": "connect:GetFederationToken", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": false}}}
        ]}"#,
    );
    let secure = Context::new().with("aws:SecureTransport", "true");
    let insecure = Context::new().with("aws:SecureTransport", "false");
    let action = "connect:GetFederationToken";
    assert_eq!(
        decide(&policy, action, None, &secure),
        Decision::Allow { statement: 0 }
    );
    assert_eq!(
        decide(&policy, action, None, &insecure),
        Decision::ExplicitDeny { statement: 2 }
    );
}
