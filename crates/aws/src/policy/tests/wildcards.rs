//! Wildcards.

use super::*;

fn allows(policy: &Policy, action: &str, resource: &str) -> bool {
    decide(policy, action, Some(resource), &Context::new()).is_allow()
}

#[test]
fn action_wildcards_ignore_case() {
    let policy =
        parse(r#"{"Statement": {"Effect": "Allow", "Action": "connect:*", "Resource": "*"}}"#);
    assert!(allows(&policy, "connect:GetFederationToken", "x"));
    assert!(allows(&policy, "CONNECT:getfederationtoken", "x"));
    assert!(!allows(&policy, "connectcampaigns:StartCampaign", "x"));
    assert!(!allows(&policy, "sts:AssumeRoleWithSAML", "x"));

    let policy = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "STS:AssumeRoleWith????", "Resource": "*"}}"#,
    );
    assert!(allows(&policy, "sts:AssumeRoleWithSAML", "x"));
    assert!(!allows(&policy, "sts:AssumeRoleWithWebIdentity", "x"));
}

#[test]
fn resource_wildcards_stay_in_their_segment() {
    let policy = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:connect:*:*:instance/*"}}"#,
    );
    let user = connect_user(INSTANCE, USER_ID);
    assert!(allows(&policy, "connect:GetFederationToken", &user));
    assert!(allows(
        &policy,
        "connect:X",
        "arn:aws:connect:eu-west-2:210987654321:instance/abc"
    ));
    // Resources are case-sensitive.
    assert!(!allows(
        &policy,
        "connect:X",
        "arn:aws:connect:us-east-1:123456789012:Instance/abc"
    ));
    assert!(!allows(
        &policy,
        "connect:X",
        "arn:aws:sts::123456789012:instance/abc"
    ));

    // A `*` inside a segment does not run past a colon; one ending a segment does.
    let policy =
        parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:*3:::b"}}"#);
    assert!(allows(&policy, "s3:X", "arn:aws:s3:::b"));
    assert!(!allows(&policy, "s3:X", "arn:aws:x:s3:::b"));
    let policy =
        parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s*:::b"}}"#);
    assert!(allows(&policy, "s3:X", "arn:aws:s3:::b"));
    assert!(allows(&policy, "s3:X", "arn:aws:s3:x:::b"));
    let policy =
        parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:logs:*"}}"#);
    assert!(allows(
        &policy,
        "logs:X",
        "arn:aws:logs:us-east-1:123456789012:log-group:g:*"
    ));

    let policy = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b?"}}"#,
    );
    assert!(allows(&policy, "s3:X", "arn:aws:s3:::b1"));
    assert!(!allows(&policy, "s3:X", "arn:aws:s3:::b"));
    assert!(!allows(&policy, "s3:X", "arn:aws:s3:::b12"));
}

#[test]
fn not_action_and_not_resource_cover_everything_else() {
    let policy = parse(
        r#"{"Statement": {"Effect": "Deny", "NotAction": ["sts:*", "connect:Get*"], "NotResource": "arn:aws:s3:::safe/*"}}"#,
    );
    let context = Context::new();
    let denied = |action, resource| {
        decide(&policy, action, Some(resource), &context) != Decision::ImplicitDeny
    };
    assert!(denied("s3:PutObject", "arn:aws:s3:::other/key"));
    assert!(!denied("s3:PutObject", "arn:aws:s3:::safe/key"));
    assert!(!denied("sts:AssumeRoleWithSAML", "arn:aws:s3:::other/key"));
    assert!(!denied(
        "connect:GetFederationToken",
        "arn:aws:s3:::other/key"
    ));
    assert!(denied("connect:ListUsers", "arn:aws:s3:::other/key"));
}

#[test]
fn a_request_without_resource_needs_a_star() {
    let star = parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#);
    let arn =
        parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::*"}}"#);
    let context = Context::new();
    assert!(decide(&star, "sts:GetCallerIdentity", None, &context).is_allow());
    assert_eq!(
        decide(&arn, "sts:GetCallerIdentity", None, &context),
        Decision::ImplicitDeny
    );
}

#[test]
fn glob_edge_cases() {
    let tokens = |s: &str| Template::parse(s, false).literal_tokens();
    assert!(glob(&tokens(""), "", Wildcards::Anywhere));
    assert!(glob(&tokens("*"), "", Wildcards::Anywhere));
    assert!(!glob(&tokens("?"), "", Wildcards::Anywhere));
    assert!(glob(&tokens("a*b*c"), "aXXbYYc", Wildcards::Anywhere));
    assert!(!glob(&tokens("a*b*c"), "aXXbYY", Wildcards::Anywhere));
    assert!(glob(&tokens("é?"), "éü", Wildcards::Anywhere));
    // The literal prefix read off before the table: exact, longer, shorter, and
    // the colon rule of a star that follows it.
    let arn = "arn:aws:connect:us-east-1:1:instance/i/user/u";
    let segments = Wildcards::WithinArnSegments;
    assert!(glob(&tokens(arn), arn, segments));
    assert!(!glob(&tokens(arn), &format!("{arn}x"), segments));
    assert!(!glob(&tokens(&format!("{arn}x")), arn, segments));
    assert!(!glob(&tokens("arn:aws:s3"), arn, segments));
    assert!(glob(&tokens("arn:aws:connect:*"), arn, segments));
    assert!(glob(&tokens("arn:aws:connect:*:1:*"), arn, segments));
    assert!(glob(
        &tokens("arn:aws:connect:us*1:1:instance/i/user/u"),
        arn,
        segments
    ));
    assert!(!glob(
        &tokens("arn:aws:connect*1:1:instance/i/user/u"),
        arn,
        segments
    ));
    assert!(glob(
        &tokens("arn:aws:connect*1:1:instance/i/user/u"),
        arn,
        Wildcards::Anywhere
    ));
    assert!(glob(&tokens("éü"), "éü", segments));
    assert!(!glob(&tokens("éü"), "é", segments));
    // Many stars against a long near-miss stay fast (quadratic, not exponential).
    let pattern = tokens(&"*a".repeat(200));
    assert!(!glob(&pattern, &"a".repeat(199), Wildcards::Anywhere));
}
