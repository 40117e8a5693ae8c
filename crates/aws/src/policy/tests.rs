use super::*;

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

fn decide(
    policy: &Policy,
    action: &str,
    resource: Option<&str>,
    context: &Context,
) -> Decision {
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

// --- C18: trust policies -------------------------------------------------

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

// --- C10: connect:GetFederationToken --------------------------------------

fn connect_user(instance: &str, user_id: &str) -> String {
    format!("arn:aws:connect:us-east-1:{ACCOUNT}:instance/{instance}/user/{user_id}")
}

fn federation_token(policy: &Policy, instance: &str, user_id: &str) -> Decision {
    let resource = connect_user(instance, user_id);
    let context = Context::new()
        .with("aws:userid", USER_ID)
        .with("connect:InstanceId", instance);
    decide(
        policy,
        "connect:GetFederationToken",
        Some(&resource),
        &context,
    )
}

#[test]
fn connect_resource_form_allows_the_session_user_of_the_instance() {
    let policy = parse(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{
            "Effect": "Allow",
            "Action": "connect:GetFederationToken",
            "Resource": "arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE}/user/${{aws:userid}}"
        }}]}}"#
    ));
    assert_eq!(
        federation_token(&policy, INSTANCE, USER_ID),
        Decision::Allow { statement: 0 }
    );
    assert_eq!(
        federation_token(&policy, OTHER_INSTANCE, USER_ID),
        Decision::ImplicitDeny
    );
    // Another user's resource: `${aws:userid}` is the caller's own ID.
    assert_eq!(
        federation_token(&policy, INSTANCE, "AROAEXAMPLE:bob"),
        Decision::ImplicitDeny
    );
    // Without aws:userid in the context the resource matches nothing.
    let resource = connect_user(INSTANCE, USER_ID);
    let no_user = Context::new().with("connect:InstanceId", INSTANCE);
    assert_eq!(
        decide(
            &policy,
            "connect:GetFederationToken",
            Some(&resource),
            &no_user
        ),
        Decision::ImplicitDeny
    );
}

#[test]
fn connect_condition_form_allows_the_instance() {
    let policy = parse(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{
            "Effect": "Allow",
            "Action": "connect:GetFederationToken",
            "Resource": "*",
            "Condition": {{"StringEquals": {{"connect:InstanceId": "{INSTANCE}"}}}}
        }}]}}"#
    ));
    assert!(federation_token(&policy, INSTANCE, USER_ID).is_allow());
    assert_eq!(
        federation_token(&policy, OTHER_INSTANCE, USER_ID),
        Decision::ImplicitDeny
    );
    let resource = connect_user(INSTANCE, USER_ID);
    let no_instance = Context::new().with("aws:userid", USER_ID);
    assert_eq!(
        decide(
            &policy,
            "connect:GetFederationToken",
            Some(&resource),
            &no_instance
        ),
        Decision::ImplicitDeny
    );
}

#[test]
fn connect_condition_form_with_a_list_allows_each_instance() {
    let third = "33333333-3333-3333-3333-333333333333";
    let policy = parse(&format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{
            "Effect": "Allow",
            "Action": "connect:GetFederationToken",
            "Resource": "*",
            "Condition": {{"StringEquals": {{"connect:InstanceId": ["{INSTANCE}", "{third}"]}}}}
        }}]}}"#
    ));
    assert!(federation_token(&policy, INSTANCE, USER_ID).is_allow());
    assert!(federation_token(&policy, third, USER_ID).is_allow());
    assert_eq!(
        federation_token(&policy, OTHER_INSTANCE, USER_ID),
        Decision::ImplicitDeny
    );
}

#[test]
fn connect_policy_naming_another_instance_denies() {
    let policy = parse(&format!(
        r#"{{"Version": "2012-10-17", "Statement": {{
            "Effect": "Allow",
            "Action": "connect:GetFederationToken",
            "Resource": "arn:aws:connect:us-east-1:{ACCOUNT}:instance/{OTHER_INSTANCE}/user/${{aws:userid}}"
        }}}}"#
    ));
    assert_eq!(
        federation_token(&policy, INSTANCE, USER_ID),
        Decision::ImplicitDeny
    );
}

// --- C19: service control policies -----------------------------------------

const SCP_DENY_EU_WEST_1: &str = r#"{
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
    let s3 =
        parse(r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#);
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

// --- Malformed documents -----------------------------------------------------

#[test]
fn unknown_operator_names_the_place_and_the_likely_operator() {
    let error = refuse(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML", "Principal": "*"},
            {"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML", "Principal": "*",
             "Condition": {"StringEqual": {"SAML:aud": "x"}}}
        ]}"#,
    );
    assert_eq!(
        error.to_string(),
        r#"Statement[1].Condition: unknown operator "StringEqual" (did you mean StringEquals?)"#
    );
    assert!(matches!(error, PolicyError::UnknownOperator { .. }));
}

#[test]
fn operator_suggestions_keep_prefixes_and_suffixes() {
    let suggestion = |operator: &str| {
        let json = format!(
            r#"{{"Statement": {{"Effect": "Allow", "Action": "*", "Condition": {{"{operator}": {{"aws:x": "1"}}}}}}}}"#
        );
        match refuse(&json) {
            PolicyError::UnknownOperator { suggestion, .. } => suggestion,
            other => panic!("{other:?}"),
        }
    };
    // Operator names are case-sensitive in IAM.
    assert_eq!(suggestion("stringEquals").as_deref(), Some("StringEquals"));
    assert_eq!(
        suggestion("ForAnyValues:StringLike").as_deref(),
        Some("ForAnyValue:StringLike")
    );
    assert_eq!(
        suggestion("StringLikeIfexists").as_deref(),
        Some("StringLikeIfExists")
    );
    assert_eq!(suggestion("NullIfExists").as_deref(), Some("Null"));
    assert_eq!(suggestion("Frobnicate"), None);
}

#[test]
fn malformed_documents_are_refused_with_their_own_error() {
    let statement = r#""Effect": "Allow", "Action": "sts:AssumeRoleWithSAML""#;
    type Check = fn(&PolicyError) -> bool;
    let cases: Vec<(String, Check)> = vec![
        ("{not json".into(), |e| matches!(e, PolicyError::Json(_))),
        ("".into(), |e| matches!(e, PolicyError::Json(_))),
        (r#"{"Statement": []} trailing"#.into(), |e| matches!(e, PolicyError::Json(_))),
        ("[]".into(), |e| matches!(e, PolicyError::WrongType { found: "a list", .. })),
        (r#"{"Version": "2012-10-17"}"#.into(), |e| {
            matches!(e, PolicyError::MissingElement { element: "Statement", .. })
        }),
        (format!(r#"{{"Version": "2012-10-18", "Statement": {{{statement}}}}}"#), |e| {
            matches!(e, PolicyError::UnsupportedVersion { version } if version == "2012-10-18")
        }),
        (format!(r#"{{"Version": 2012, "Statement": {{{statement}}}}}"#), |e| {
            matches!(e, PolicyError::WrongType { path, .. } if path == "Version")
        }),
        (r#"{"Statement": {"Effect": "allow", "Action": "*"}}"#.into(), |e| {
            matches!(e, PolicyError::InvalidEffect { effect, .. } if effect == "allow")
        }),
        (r#"{"Statement": {"Action": "*"}}"#.into(), |e| {
            matches!(e, PolicyError::MissingElement { element: "Effect", .. })
        }),
        (r#"{"Statement": {"Effect": "Allow"}}"#.into(), |e| {
            matches!(e, PolicyError::MissingElement { element: "Action", .. })
        }),
        (r#"{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "s3:*"}}"#.into(), |e| {
            matches!(e, PolicyError::ConflictingElements { first, second, .. }
                if first == "Action" && second == "NotAction")
        }),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"}}"#.into(),
            |e| matches!(e, PolicyError::ConflictingElements { .. }),
        ),
        (
            r#"{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*", "NotPrincipal": "*"}}"#.into(),
            |e| matches!(e, PolicyError::ConflictingElements { .. }),
        ),
        (format!(r#"{{"Statement": {{{statement}, "Effect": "Deny"}}}}"#), |e| {
            matches!(e, PolicyError::DuplicateKey { key, .. } if key == "Effect")
        }),
        (format!(r#"{{"Statement": {{{statement}, "Actions": "*"}}}}"#), |e| {
            matches!(e, PolicyError::UnknownElement { suggestion: Some(s), .. } if s == "Action")
        }),
        (format!(r#"{{"Statment": {{{statement}}}}}"#), |e| {
            matches!(e, PolicyError::UnknownElement { suggestion: Some(s), .. } if s == "Statement")
        }),
        (r#"{"Statement": {"Effect": "Allow", "Action": []}}"#.into(), |e| {
            matches!(e, PolicyError::Empty { .. })
        }),
        (r#"{"Statement": {"Effect": "Allow", "Action": "AssumeRoleWithSAML"}}"#.into(), |e| {
            matches!(e, PolicyError::InvalidAction { .. })
        }),
        (r#"{"Statement": {"Effect": "Allow", "Action": ["sts:*", 7]}}"#.into(), |e| {
            matches!(e, PolicyError::WrongType { path, .. } if path == "Statement.Action[1]")
        }),
        (r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "bucket/*"}}"#.into(), |e| {
            matches!(e, PolicyError::InvalidResource { .. })
        }),
        (format!(r#"{{"Statement": {{{statement}, "Principal": {{"Saml": "x"}}}}}}"#), |e| {
            matches!(e, PolicyError::UnknownPrincipalType { kind, .. } if kind == "Saml")
        }),
        (
            format!(
                r#"{{"Statement": {{{statement}, "Principal": {{"AWS": "arn:aws:iam::123456789012:role/*"}}}}}}"#
            ),
            |e| matches!(e, PolicyError::InvalidPrincipal { .. }),
        ),
        (format!(r#"{{"Statement": {{{statement}, "Principal": "everyone"}}}}"#), |e| {
            matches!(e, PolicyError::InvalidPrincipal { .. })
        }),
        (format!(r#"{{"Statement": {{{statement}, "Principal": {{}}}}}}"#), |e| {
            matches!(e, PolicyError::Empty { .. })
        }),
        (format!(r#"{{"Statement": {{{statement}, "Condition": []}}}}"#), |e| {
            matches!(e, PolicyError::WrongType { .. })
        }),
        (
            format!(r#"{{"Statement": {{{statement}, "Condition": {{"StringEquals": {{"aud": "x"}}}}}}}}"#),
            |e| matches!(e, PolicyError::InvalidConditionKey { .. }),
        ),
        (
            format!(r#"{{"Statement": {{{statement}, "Condition": {{"StringEquals": {{"SAML:aud": null}}}}}}}}"#),
            |e| matches!(e, PolicyError::InvalidConditionValue { found: "null", .. }),
        ),
        (
            format!(r#"{{"Statement": {{{statement}, "Condition": {{"StringEquals": {{"SAML:aud": []}}}}}}}}"#),
            |e| matches!(e, PolicyError::Empty { .. }),
        ),
        (
            format!(
                r#"{{"Statement": {{{statement}, "Condition": {{"Bool": {{"aws:x": "true", "aws:x": "false"}}}}}}}}"#
            ),
            |e| matches!(e, PolicyError::DuplicateKey { key, .. } if key == "aws:x"),
        ),
        (
            format!(r#"{{"Statement": [{{"Sid": "A", {statement}}}, {{"Sid": "A", {statement}}}]}}"#),
            |e| matches!(e, PolicyError::DuplicateSid { first: 0, second: 1, .. }),
        ),
    ];
    for (json, expected) in &cases {
        let error = refuse(json);
        assert!(expected(&error), "{json}\n gave {error:?}");
    }
}

#[test]
fn error_messages_say_where() {
    let error = refuse(
        r#"{"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "Allow", "Action": ["sts:*", "x"]}]}"#,
    );
    assert!(
        error
            .to_string()
            .starts_with(r#"Statement[1].Action[1]: "x" is not an action"#),
        "{error}"
    );
    let error = refuse(r#"{"Statement": {"Effect": "Permit", "Action": "*"}}"#);
    assert_eq!(
        error.to_string(),
        r#"Statement.Effect: invalid effect "Permit" (must be "Allow" or "Deny")"#
    );
    let error = refuse(r#"{"Statement": {"Effect": "Allow", "action": "*"}}"#);
    assert_eq!(
        error.to_string(),
        r#"Statement: unknown element "action" (did you mean Action?)"#
    );
}

#[test]
fn principal_and_resource_may_be_absent() {
    // A permission policy has no Principal, a trust policy no Resource.
    let permission = parse(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
    );
    assert!(!permission.statements()[0].has_principal());
    assert!(permission.statements()[0].has_resource());
    let trust = parse(TRUST);
    assert!(trust.statements()[0].has_principal());
    assert!(!trust.statements()[0].has_resource());
    assert_eq!(trust.statements()[0].effect(), Effect::Allow);
    assert_eq!(trust.version(), Version::V2012_10_17);
    assert_eq!(
        parse(SCP_DENY_EU_WEST_1).statements()[1].sid(),
        Some("DenySamlInIreland")
    );
}

#[test]
fn json_scalars_are_condition_values() {
    let policy = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "*",
            "Condition": {"Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"s3:max-keys": 10}}}}"#,
    );
    let context = Context::new()
        .with("aws:securetransport", "true")
        .with("s3:max-keys", "9");
    assert!(decide(&policy, "s3:ListBucket", None, &context).is_allow());
}

// --- Version and policy variables ------------------------------------------------

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

// --- Wildcards ------------------------------------------------------------

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
    let policy = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:*3:::b"}}"#,
    );
    assert!(allows(&policy, "s3:X", "arn:aws:s3:::b"));
    assert!(!allows(&policy, "s3:X", "arn:aws:x:s3:::b"));
    let policy = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s*:::b"}}"#,
    );
    assert!(allows(&policy, "s3:X", "arn:aws:s3:::b"));
    assert!(allows(&policy, "s3:X", "arn:aws:s3:x:::b"));
    let policy = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:logs:*"}}"#,
    );
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
    let arn = parse(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::*"}}"#,
    );
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
    // Many stars against a long near-miss stay fast (quadratic, not exponential).
    let pattern = tokens(&"*a".repeat(200));
    assert!(!glob(&pattern, &"a".repeat(199), Wildcards::Anywhere));
}

// --- Principals --------------------------------------------------------------

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
    let anyone =
        parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*"}}"#);
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

// --- Conditions ---------------------------------------------------------------

fn condition_holds(condition: &str, context: &Context) -> bool {
    let policy = parse(&format!(
        r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "*", "Condition": {condition}}}}}"#
    ));
    decide(&policy, "s3:GetObject", None, context).is_allow()
}

#[test]
fn keys_are_case_insensitive_values_case_sensitive() {
    let context = Context::new().with("AWS:RequestedRegion", "us-east-1");
    assert_eq!(
        context.get("aws:requestedregion"),
        Some(&["us-east-1".to_owned()][..])
    );
    for (condition, holds) in [
        (
            r#"{"StringEquals": {"aws:requestedRegion": "us-east-1"}}"#,
            true,
        ),
        (
            r#"{"StringEquals": {"aws:RequestedRegion": "US-EAST-1"}}"#,
            false,
        ),
        (
            r#"{"StringEqualsIgnoreCase": {"aws:RequestedRegion": "US-EAST-1"}}"#,
            true,
        ),
        (
            r#"{"StringNotEqualsIgnoreCase": {"aws:RequestedRegion": "US-EAST-1"}}"#,
            false,
        ),
        // StringEquals has no wildcards.
        (
            r#"{"StringEquals": {"aws:RequestedRegion": "us-*"}}"#,
            false,
        ),
        (r#"{"StringLike": {"aws:RequestedRegion": "us-*"}}"#, true),
        (
            r#"{"StringLike": {"aws:RequestedRegion": "us-east-?"}}"#,
            true,
        ),
        (
            r#"{"StringNotLike": {"aws:RequestedRegion": "us-*"}}"#,
            false,
        ),
    ] {
        assert_eq!(condition_holds(condition, &context), holds, "{condition}");
    }
}

#[test]
fn keys_are_anded_values_ored_negations_nored() {
    let context = Context::new().with("aws:a", "1").with("aws:b", "2");
    for (condition, holds) in [
        (
            r#"{"StringEquals": {"aws:a": ["0", "1"], "aws:b": "2"}}"#,
            true,
        ),
        (r#"{"StringEquals": {"aws:a": "1", "aws:b": "3"}}"#, false),
        (
            r#"{"StringEquals": {"aws:a": "1"}, "StringLike": {"aws:b": "3*"}}"#,
            false,
        ),
        (r#"{"StringNotEquals": {"aws:a": ["0", "1"]}}"#, false),
        (r#"{"StringNotEquals": {"aws:a": ["0", "5"]}}"#, true),
    ] {
        assert_eq!(condition_holds(condition, &context), holds, "{condition}");
    }
}

#[test]
fn a_missing_key_fails_positive_operators_and_passes_negated_ones() {
    let empty = Context::new();
    for (condition, holds) in [
        (r#"{"StringEquals": {"aws:missing": "x"}}"#, false),
        (r#"{"ArnLike": {"aws:SourceArn": "arn:*"}}"#, false),
        (r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#, false),
        (r#"{"StringNotEquals": {"aws:missing": "x"}}"#, true),
        (r#"{"StringNotLike": {"aws:missing": "x"}}"#, true),
        (r#"{"ArnNotLike": {"aws:SourceArn": "arn:*"}}"#, true),
        (r#"{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#, true),
    ] {
        assert_eq!(condition_holds(condition, &empty), holds, "{condition}");
    }
    // A key with no values counts as missing.
    let no_values = Context::new().with_values("aws:missing", Vec::<String>::new());
    assert!(!condition_holds(
        r#"{"StringEquals": {"aws:missing": "x"}}"#,
        &no_values
    ));
}

#[test]
fn if_exists_passes_missing_keys_only() {
    let missing = Context::new();
    let matching = Context::new().with("ec2:InstanceType", "t2.micro");
    let other = Context::new().with("ec2:InstanceType", "m5.large");
    let condition = r#"{"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*"]}}"#;
    assert!(condition_holds(condition, &missing));
    assert!(condition_holds(condition, &matching));
    assert!(!condition_holds(condition, &other));
    let negated = r#"{"StringNotEqualsIfExists": {"ec2:InstanceType": "t2.micro"}}"#;
    assert!(condition_holds(negated, &missing));
    assert!(!condition_holds(negated, &matching));
    assert!(condition_holds(negated, &other));
}

#[test]
fn set_operators() {
    let any = r#"{"ForAnyValue:StringLike": {"aws:TagKeys": ["ID", "PostDate*"]}}"#;
    let all =
        r#"{"ForAllValues:StringLike": {"aws:TagKeys": ["PostDateTime", "Message", "Tags"]}}"#;
    let some = Context::new().with_values("aws:TagKeys", ["UserName", "PostDateTime"]);
    let listed = Context::new().with_values("aws:TagKeys", ["Message", "PostDateTime"]);
    let user_name = Context::new().with_values("aws:TagKeys", ["UserName"]);
    let none = Context::new();
    assert!(condition_holds(any, &some));
    assert!(!condition_holds(any, &user_name));
    assert!(!condition_holds(all, &some));
    assert!(condition_holds(all, &listed));
    // A missing key: ForAllValues holds, ForAnyValue does not.
    assert!(condition_holds(all, &none));
    assert!(!condition_holds(any, &none));
    // Negated set operators decide each request value against all policy values.
    let none_forbidden =
        r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["ID", "UserName"]}}"#;
    assert!(!condition_holds(none_forbidden, &some));
    assert!(condition_holds(none_forbidden, &listed));
    let one_other = r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["UserName"]}}"#;
    assert!(condition_holds(one_other, &some));
    assert!(!condition_holds(one_other, &user_name));
}

#[test]
fn null_tests_presence() {
    let temporary = Context::new().with("aws:TokenIssueTime", "2024-01-01T00:00:00Z");
    let long_term = Context::new();
    let absent = r#"{"Null": {"aws:TokenIssueTime": "true"}}"#;
    let present = r#"{"Null": {"aws:TokenIssueTime": false}}"#;
    assert!(condition_holds(absent, &long_term));
    assert!(!condition_holds(absent, &temporary));
    assert!(condition_holds(present, &temporary));
    assert!(!condition_holds(present, &long_term));
}

#[test]
fn bool_matches_true_and_false() {
    let https = Context::new().with("aws:SecureTransport", "true");
    let http = Context::new().with("aws:SecureTransport", "false");
    let condition = r#"{"Bool": {"aws:SecureTransport": "false"}}"#;
    assert!(!condition_holds(condition, &https));
    assert!(condition_holds(condition, &http));
    assert!(!condition_holds(condition, &Context::new()));
    let if_exists = r#"{"BoolIfExists": {"aws:SecureTransport": "false"}}"#;
    assert!(condition_holds(if_exists, &Context::new()));
    assert!(!condition_holds(if_exists, &https));
    assert!(condition_holds(
        r#"{"Bool": {"aws:SecureTransport": true}}"#,
        &https
    ));
}

#[test]
fn arn_operators_compare_segment_by_segment() {
    // The user guide's own example: StringLike matches, ArnLike does not.
    let context = Context::new().with(
        "aws:SourceArn",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
    );
    let pattern = "arn:aws:someservice:*:111122223333:finance/*";
    let with =
        |operator: &str| format!(r#"{{"{operator}": {{"aws:SourceArn": "{pattern}"}}}}"#);
    assert!(condition_holds(&with("StringLike"), &context));
    assert!(!condition_holds(&with("ArnLike"), &context));
    assert!(condition_holds(&with("ArnNotLike"), &context));

    let provider = Context::new().with("aws:SourceArn", PROVIDER);
    let not_an_arn = Context::new().with("aws:SourceArn", "not-an-arn");
    let like_providers = r#"{"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:saml-provider/*"}}"#;
    assert!(condition_holds(like_providers, &provider));
    assert!(!condition_holds(like_providers, &not_an_arn));
    let equals = format!(r#"{{"ArnEquals": {{"aws:SourceArn": "{PROVIDER}"}}}}"#);
    assert!(condition_holds(&equals, &provider));
    let short = r#"{"ArnEquals": {"aws:SourceArn": "arn:aws:iam::123456789012"}}"#;
    assert!(!condition_holds(short, &provider));
    let wrong_case = r#"{"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:SAML-provider/*"}}"#;
    assert!(!condition_holds(wrong_case, &provider));
}

#[test]
fn numeric_date_ip_and_binary_operators() {
    let context = Context::new()
        .with("s3:max-keys", "10")
        .with("aws:CurrentTime", "2024-06-01T12:00:00Z")
        .with("aws:EpochTime", "1717243200")
        .with("aws:SourceIp", "203.0.113.7")
        .with("aws:SourceIpV6", "2001:db8:1234:5678::1")
        .with("aws:Blob", "QmluYXJ5");
    for (condition, holds) in [
        (r#"{"NumericLessThanEquals": {"s3:max-keys": "10"}}"#, true),
        (r#"{"NumericLessThan": {"s3:max-keys": "10"}}"#, false),
        (r#"{"NumericGreaterThan": {"s3:max-keys": 9.5}}"#, true),
        (
            r#"{"NumericNotEquals": {"s3:max-keys": ["10", "11"]}}"#,
            false,
        ),
        (r#"{"NumericEquals": {"s3:max-keys": "ten"}}"#, false),
        (
            r#"{"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}"#,
            true,
        ),
        (
            r#"{"DateLessThan": {"aws:CurrentTime": "2024-06-01"}}"#,
            false,
        ),
        (
            r#"{"DateEquals": {"aws:CurrentTime": "2024-06-01T14:00:00+02:00"}}"#,
            true,
        ),
        (
            r#"{"DateEquals": {"aws:EpochTime": "2024-06-01T12:00:00.000Z"}}"#,
            true,
        ),
        (
            r#"{"DateLessThanEquals": {"aws:EpochTime": "1717243200"}}"#,
            true,
        ),
        (
            r#"{"DateNotEquals": {"aws:CurrentTime": "2024-06-01T12:00:00Z"}}"#,
            false,
        ),
        (r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#, true),
        (
            r#"{"IpAddress": {"aws:SourceIp": "203.0.114.0/24"}}"#,
            false,
        ),
        (r#"{"IpAddress": {"aws:SourceIp": "203.0.113.7"}}"#, true),
        (r#"{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#, true),
        (
            r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}"#,
            false,
        ),
        (
            r#"{"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}"#,
            true,
        ),
        (
            r#"{"IpAddress": {"aws:SourceIpV6": "2001:DB8:1234:5678::/64"}}"#,
            true,
        ),
        (
            r#"{"IpAddress": {"aws:SourceIpV6": "203.0.113.0/24"}}"#,
            false,
        ),
        (r#"{"BinaryEquals": {"aws:Blob": "QmluYXJ5"}}"#, true),
        (r#"{"BinaryEquals": {"aws:Blob": "QmluYXJZ"}}"#, false),
    ] {
        assert_eq!(condition_holds(condition, &context), holds, "{condition}");
    }
}

#[test]
fn dates_parse() {
    let seconds = |s| parse_date(s).map(|n| n / 1_000_000_000);
    assert_eq!(seconds("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(seconds("2000-03-01"), Some(951_868_800));
    assert_eq!(seconds("2024-06-01T12:00Z"), Some(1_717_243_200));
    assert_eq!(seconds("1717243200"), Some(1_717_243_200));
    assert_eq!(seconds("1969-12-31T23:59:59Z"), Some(-1));
    for bad in [
        "",
        "2024-13-01",
        "2024-06-01T25:00:00Z",
        "2024-06-01T12",
        "June",
        "99999999999999999999999",
        "2024-06-01T12:00:00Zjunk",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}

// --- Robustness -------------------------------------------------------------------

/// Parses `json` and, if accepted, evaluates requests against it; neither may panic.
fn exercise(json: &str) {
    if let Ok(policy) = Policy::parse(json) {
        let context = saml_context(GLOBAL_AUDIENCE, "eu-west-1").with("aws:userid", USER_ID);
        for principal in [
            Some(Principal::Federated(PROVIDER)),
            Some(Principal::Aws(ROLE)),
            None,
        ] {
            let request = Request {
                principal,
                ..assume_request(Principal::Federated(PROVIDER), &context)
            };
            let _ = policy.evaluate(&request);
            let _ = evaluate_all(&[&policy, &policy], &request);
        }
    }
}

#[test]
fn no_prefix_or_mutation_of_a_valid_policy_panics() {
    let policies = [TRUST, TRUST_REGIONAL, SCP_DENY_EU_WEST_1];
    for valid in policies {
        for (end, _) in valid.char_indices() {
            exercise(&valid[..end]);
        }
    }
    // Deterministic random edits (xorshift), with the characters that matter most.
    let alphabet = br#"{}[]":,*?$\ 'aAzZ09-_.${}"#;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for valid in policies {
        for _ in 0..2_000 {
            let mut bytes = valid.as_bytes().to_vec();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() % bytes.len() as u64) as usize;
                let byte = alphabet[(next() % alphabet.len() as u64) as usize];
                match next() % 3 {
                    0 => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            exercise(&String::from_utf8_lossy(&bytes));
        }
    }
}

#[test]
fn hostile_documents_do_not_panic() {
    exercise(&"[".repeat(10_000));
    exercise(&format!(r#"{{"Statement": {}"#, "{\"a\":".repeat(5_000)));
    exercise(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:${",
            "Condition": {"StringLike": {"SAML:aud": "${${${}}}"}}}}"#,
    );
    exercise(
        r#"{"Statement": {"Effect": "Allow", "Action": "*", "Condition": {
            "DateEquals": {"SAML:aud": "9999-99-99T99:99:99+99:99"},
            "IpAddress": {"SAML:aud": "1.2.3.4/4294967295"}}}}"#,
    );
    exercise(&format!(
        r#"{{"Statement": {{"Effect": "Allow", "Action": "*", "Condition": {{"{}": {{"aws:x": "1"}}}}}}}}"#,
        "X".repeat(100_000)
    ));
}
