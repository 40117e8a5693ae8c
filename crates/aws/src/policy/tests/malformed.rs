//! Malformed documents.

use super::*;

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
