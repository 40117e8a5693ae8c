//! C10: connect:GetFederationToken.

use super::*;

pub(super) fn connect_user(instance: &str, user_id: &str) -> String {
    format!("arn:aws:connect:us-east-1:{ACCOUNT}:instance/{instance}/user/{user_id}")
}

pub(super) fn federation_token(policy: &Policy, instance: &str, user_id: &str) -> Decision {
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
