//! Principals.

use super::*;

#[test]
fn aws_principals_cover_their_account_and_role_sessions() {
    let by = |principal: &str| {
        parse(&format!(
            r#"{{"Statement": {{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {{"AWS": ["{principal}"]}}}}}}"#
        ))
    };
    let asks = |policy: &Policy, who: &str| {
        let context = Context::new();
        policy
            .evaluate(&Request {
                action: "sts:AssumeRole",
                resource: None,
                principal: Some(Principal::Aws(who)),
                context: &context,
            })
            .is_allow()
    };
    let session = "arn:aws:sts::123456789012:assumed-role/ExampleRole/alice";
    assert!(asks(&by(ACCOUNT), ROLE));
    assert!(asks(&by("arn:aws:iam::123456789012:root"), session));
    assert!(!asks(&by("arn:aws:iam::210987654321:root"), session));
    assert!(asks(&by(ROLE), session));
    assert!(asks(
        &by("arn:aws:iam::123456789012:role/path/ExampleRole"),
        session
    ));
    assert!(!asks(
        &by("arn:aws:iam::123456789012:role/OtherRole"),
        session
    ));
    assert!(asks(&by("*"), session));
}

#[test]
fn principal_star_and_not_principal() {
    let anyone = parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*"}}"#);
    let any_federated = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Principal": {"Federated": "*"}}}"#,
    );
    let all_but = parse(&format!(
        r#"{{"Statement": {{"Effect": "Allow", "Action": "*", "NotPrincipal": {{"Federated": "{PROVIDER}"}}}}}}"#
    ));
    let context = Context::new();
    let ask = |policy: &Policy, principal| {
        policy
            .evaluate(&Request {
                action: "sts:AssumeRoleWithSAML",
                resource: None,
                principal,
                context: &context,
            })
            .is_allow()
    };
    assert!(ask(
        &anyone,
        Some(Principal::Service("connect.amazonaws.com"))
    ));
    assert!(ask(&anyone, None));
    assert!(ask(&any_federated, Some(Principal::Federated(PROVIDER))));
    assert!(!ask(&any_federated, Some(Principal::Aws(ROLE))));
    assert!(!ask(&all_but, Some(Principal::Federated(PROVIDER))));
    let other = "arn:aws:iam::123456789012:saml-provider/Other";
    assert!(ask(&all_but, Some(Principal::Federated(other))));
}
