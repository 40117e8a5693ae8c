//! Conditions.

use super::*;

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
    let none_forbidden = r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["ID", "UserName"]}}"#;
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
    let with = |operator: &str| format!(r#"{{"{operator}": {{"aws:SourceArn": "{pattern}"}}}}"#);
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
