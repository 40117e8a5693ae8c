//! Version and policy variables.

use super::*;

#[test]
fn without_version_policy_variables_are_literal_text() {
    let template =
        format!("arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE}/user/${{aws:userid}}");
    let policy = parse(&format!(
        r#"{{"Statement": {{"Effect": "Allow", "Action": "connect:GetFederationToken", "Resource": "{template}"}}}}"#
    ));
    assert_eq!(policy.version(), Version::V2008_10_17);
    assert_eq!(
        federation_token(&policy, INSTANCE, USER_ID),
        Decision::ImplicitDeny
    );
    // The literal text itself is what matches.
    let context = Context::new().with("aws:userid", USER_ID);
    assert!(
        decide(
            &policy,
            "connect:GetFederationToken",
            Some(&template),
            &context
        )
        .is_allow()
    );

    let old = parse(&format!(
        r#"{{"Version": "2008-10-17", "Statement": {{"Effect": "Allow", "Action": "connect:GetFederationToken", "Resource": "{template}"}}}}"#
    ));
    assert_eq!(
        federation_token(&old, INSTANCE, USER_ID),
        Decision::ImplicitDeny
    );
}

#[test]
fn policy_variables_in_condition_values() {
    let policy = parse(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::bucket",
            "Condition": {"StringLike": {"s3:prefix": ["home/${saml:sub}/*"]}}}}"#,
    );
    let alice = Context::new()
        .with("saml:sub", "alice")
        .with("s3:prefix", "home/alice/docs");
    let bob = Context::new()
        .with("saml:sub", "bob")
        .with("s3:prefix", "home/alice/docs");
    let resource = Some("arn:aws:s3:::bucket");
    assert!(decide(&policy, "s3:ListBucket", resource, &alice).is_allow());
    assert_eq!(
        decide(&policy, "s3:ListBucket", resource, &bob),
        Decision::ImplicitDeny
    );
}

#[test]
fn substituted_values_are_literal_not_wildcards() {
    let policy = parse(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::bucket/${aws:username}/file"}}"#,
    );
    let star = Context::new().with("aws:username", "*");
    assert_eq!(
        decide(
            &policy,
            "s3:GetObject",
            Some("arn:aws:s3:::bucket/alice/file"),
            &star
        ),
        Decision::ImplicitDeny
    );
    assert!(
        decide(
            &policy,
            "s3:GetObject",
            Some("arn:aws:s3:::bucket/*/file"),
            &star
        )
        .is_allow()
    );
}

#[test]
fn escapes_and_default_values() {
    let policy = parse(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*",
            "Condition": {
                "StringLike": {"aws:x": "a${*}b${?}c${$}d*"},
                "StringEquals": {"aws:y": "${aws:userid, 'anonymous'}", "aws:z": "${aws:username, 'it''s'}"}
            }}}"#,
    );
    let base = Context::new()
        .with("aws:x", "a*b?c$d-more")
        .with("aws:z", "it's");
    let anonymous = base.clone().with("aws:y", "anonymous");
    assert!(decide(&policy, "s3:Get", None, &anonymous).is_allow());
    let known = base
        .clone()
        .with("aws:y", "AROA:x")
        .with("aws:userid", "AROA:x");
    assert!(decide(&policy, "s3:Get", None, &known).is_allow());
    // `${*}` is a literal star, not a wildcard.
    let wildcard = anonymous.clone().with("aws:x", "aXbYc$d");
    assert_eq!(
        decide(&policy, "s3:Get", None, &wildcard),
        Decision::ImplicitDeny
    );
}

#[test]
fn unresolved_variables_match_nothing() {
    let policy = parse(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:A", "Condition": {"StringEquals": {"aws:x": "${aws:username}"}}},
            {"Effect": "Allow", "Action": "s3:B", "Condition": {"StringNotEquals": {"aws:x": "${aws:username}"}}}
        ]}"#,
    );
    let context = Context::new().with("aws:x", "");
    assert_eq!(
        decide(&policy, "s3:A", None, &context),
        Decision::ImplicitDeny
    );
    // A value that matches nothing leaves a negated operator true.
    assert!(decide(&policy, "s3:B", None, &context).is_allow());
    // A multivalued key is not a usable variable.
    let multi = Context::new()
        .with("aws:x", "a")
        .with_values("aws:username", ["a", "b"]);
    assert_eq!(
        decide(&policy, "s3:A", None, &multi),
        Decision::ImplicitDeny
    );
}

#[test]
fn malformed_variables_are_literal() {
    let text = |raw: &str| {
        Template::parse(raw, true)
            .resolve(&Context::new())
            .map(|t| as_text(&t))
    };
    assert_eq!(text("a${b").as_deref(), Some("a${b"));
    assert_eq!(text("${}").as_deref(), Some("${}"));
    assert_eq!(
        text("${x, 'unterminated}").as_deref(),
        Some("${x, 'unterminated}")
    );
    assert_eq!(text("${x, 'default'}").as_deref(), Some("default"));
    assert_eq!(text("${x}"), None);
}
