//! C18: trust policies.

use super::*;

#[test]
fn default_trust_policy_allows_the_global_audience() {
    assert_eq!(
        assume(&parse(TRUST), GLOBAL_AUDIENCE),
        Decision::Allow { statement: 0 }
    );
}

#[test]
fn default_trust_policy_refuses_the_regional_audience() {
    assert_eq!(
        assume(&parse(TRUST), REGIONAL_AUDIENCE),
        Decision::ImplicitDeny
    );
}

#[test]
fn trust_policy_listing_both_audiences_allows_both() {
    let trust = parse(TRUST_REGIONAL);
    assert!(assume(&trust, GLOBAL_AUDIENCE).is_allow());
    assert!(assume(&trust, REGIONAL_AUDIENCE).is_allow());
    assert_eq!(
        assume(&trust, "https://eu-west-1.signin.aws.amazon.com/saml"),
        Decision::ImplicitDeny
    );
}

#[test]
fn trust_policy_refuses_other_principals() {
    let trust = parse(TRUST);
    let context = saml_context(GLOBAL_AUDIENCE, "us-east-1");
    let other_provider = "arn:aws:iam::123456789012:saml-provider/OtherIdP";
    for principal in [
        Principal::Federated(other_provider),
        Principal::Federated("arn:aws:iam::210987654321:saml-provider/ExampleCorpIdP"),
        // The same ARN as another kind of principal is not the provider.
        Principal::Aws(PROVIDER),
        Principal::Service("sts.amazonaws.com"),
    ] {
        assert_eq!(
            trust.evaluate(&assume_request(principal, &context)),
            Decision::ImplicitDeny,
            "{principal:?}"
        );
    }
    let anonymous = Request {
        principal: None,
        ..assume_request(Principal::Federated(PROVIDER), &context)
    };
    assert_eq!(trust.evaluate(&anonymous), Decision::ImplicitDeny);
}

#[test]
fn trust_policy_needs_the_audience_in_the_context() {
    let context = Context::new().with("SAML:sub", "alice");
    let request = assume_request(Principal::Federated(PROVIDER), &context);
    assert_eq!(parse(TRUST).evaluate(&request), Decision::ImplicitDeny);
}

#[test]
fn trust_policy_refuses_another_action() {
    let context = saml_context(GLOBAL_AUDIENCE, "us-east-1");
    let request = Request {
        action: "sts:AssumeRoleWithWebIdentity",
        ..assume_request(Principal::Federated(PROVIDER), &context)
    };
    assert_eq!(parse(TRUST).evaluate(&request), Decision::ImplicitDeny);
}
