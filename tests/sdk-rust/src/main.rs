//! aws-sdk-rust against samlsim (issue 14): serves the default world on an
//! ephemeral loopback port, then with `aws-sdk-iam` and `aws-sdk-connect` (signed
//! with the world's administrator key, AWS's documentation example) creates a
//! SAML provider from the IdP's metadata, a role trusting it with `SAML:aud`, a
//! permission policy for `connect:GetFederationToken` and a Connect user; adds
//! the IdP's side through its admin API; redeems the new agent's assertion with
//! `aws-sdk-sts` AssumeRoleWithSAML; and calls GetFederationToken with the
//! session. Errors are checked to arrive as the SDK's typed errors. Exits 0 and
//! prints a JSON summary when all of it holds.

use std::sync::Arc;

use aws_credential_types::Credentials;
use aws_sdk_connect::config::Region;
use aws_sdk_connect::error::ProvideErrorMetadata;
use samlsim_crypto::Identity;
use samlsim_emulator::browser::Browser;
use samlsim_emulator::server::Served;
use samlsim_emulator::{Config, Options};
use samlsim_service::http::Method;
use samlsim_service::{Request, SequentialIds, VirtualClock};

const ACCOUNT: &str = "123456789012";
const INSTANCE: &str = "178c75e4-b3de-4839-a6aa-e321ab3f3770";
const REGION: &str = "us-east-1";
const ADMIN_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const ADMIN_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let identity = Identity::from_pem(
        include_str!("../../../certs/test-only-idp-key.pem"),
        include_str!("../../../certs/test-only-idp-cert.pem"),
    )?;
    let served = Served::start(
        Config::load(None)?,
        Options {
            data: None,
            clock: Arc::new(VirtualClock::system()),
            ids: Arc::new(SequentialIds::default()),
            identity: Some(identity),
            cognito_identities: None,
        },
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let summary = runtime.block_on(drive(&served))?;
    println!("{summary}");
    Ok(())
}

fn check(ok: bool, what: &str) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(what.into()) }
}

async fn drive(served: &Served) -> Result<serde_json::Value, Failure> {
    let base = served.url();
    let admin = Credentials::new(ADMIN_KEY, ADMIN_SECRET, None, None, "samlsim-admin");
    let iam = aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::Config::builder()
            .region(Region::new(REGION))
            .endpoint_url(format!("{base}/aws/iam.amazonaws.com"))
            .credentials_provider(admin.clone())
            .build(),
    );
    let connect_url = format!("{base}/aws/connect.{REGION}.amazonaws.com");
    let connect = aws_sdk_connect::Client::from_conf(
        aws_sdk_connect::Config::builder()
            .region(Region::new(REGION))
            .endpoint_url(&connect_url)
            .credentials_provider(admin)
            .build(),
    );

    // IAM: provider, role trusting it for us-east-1's sign-in endpoint, policy.
    let metadata = served.emulator().idp().metadata_xml()?;
    let provider_arn = iam
        .create_saml_provider()
        .name("RustIdP")
        .saml_metadata_document(metadata)
        .send()
        .await?
        .saml_provider_arn
        .ok_or("no SAMLProviderArn")?;
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": "https://us-east-1.signin.aws.amazon.com/saml"}},
        }],
    });
    let role = iam
        .create_role()
        .role_name("RustConnectFederation")
        .assume_role_policy_document(trust.to_string())
        .max_session_duration(43_200)
        .send()
        .await?
        .role
        .ok_or("no Role")?;
    let permission = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "connect:GetFederationToken",
            "Resource": format!("arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE}/user/${{aws:userid}}"),
        }],
    });
    iam.put_role_policy()
        .role_name("RustConnectFederation")
        .policy_name("ConnectFederation")
        .policy_document(permission.to_string())
        .send()
        .await?;
    let missing = iam.get_role().role_name("Nobody").send().await;
    check(
        missing
            .err()
            .map(|e| e.into_service_error())
            .is_some_and(|e| e.is_no_such_entity_exception()),
        "GetRole of a missing role is not NoSuchEntityException",
    )?;

    // Connect: the user named like the RoleSessionName.
    let profiles = connect
        .list_security_profiles()
        .instance_id(INSTANCE)
        .send()
        .await?;
    let agent = profiles
        .security_profile_summary_list()
        .iter()
        .find(|p| p.name() == Some("Agent"))
        .and_then(|p| p.id())
        .ok_or("no Agent security profile")?
        .to_owned();
    let routing = connect
        .list_routing_profiles()
        .instance_id(INSTANCE)
        .send()
        .await?;
    let routing = routing
        .routing_profile_summary_list()
        .first()
        .and_then(|p| p.id())
        .ok_or("no routing profile")?
        .to_owned();
    let user = connect
        .create_user()
        .instance_id(INSTANCE)
        .username("rust-agent")
        .security_profile_ids(agent.clone())
        .routing_profile_id(routing.clone())
        .send()
        .await?;
    let duplicate = connect
        .create_user()
        .instance_id(INSTANCE)
        .username("rust-agent")
        .security_profile_ids(agent)
        .routing_profile_id(routing)
        .send()
        .await;
    check(
        duplicate
            .err()
            .map(|e| e.into_service_error())
            .is_some_and(|e| e.is_duplicate_resource_exception()),
        "a second CreateUser is not DuplicateResourceException",
    )?;

    // The IdP's side, then the new agent's assertion.
    let emulator = served.emulator();
    for (path, body) in [
        (
            "/_admin/idp/users",
            serde_json::json!({"username": "rust-agent", "password": "rust-agent-pass",
                               "display_name": "Rust Agent", "email": "rust-agent@example.com"}),
        ),
        (
            "/_admin/idp/service-providers",
            serde_json::json!({
                "id": "rust-agent-connect", "label": "Connect (aws-sdk-rust)",
                "entity_id": "urn:amazon:webservices",
                "acs_url": "https://us-east-1.signin.aws.amazon.com/saml",
                "sign": "assertion",
                "aws": {
                    "roles": [format!("{},{provider_arn}", role.arn)],
                    "role_session_name_from": "username",
                },
            }),
        ),
    ] {
        let response = emulator.handle(&Request::new(Method::POST, path).with_json(&body));
        check(
            response.status.is_success(),
            &format!("{path}: {}", response.text_body()),
        )?;
    }
    let mut browser = Browser::new(emulator.as_ref());
    browser.scripts = false;
    let login = browser.open("/idp/launch/rust-agent-connect");
    let page = browser.sign_in(&login, "rust-agent", "rust-agent-pass");
    let assertion = page
        .form()
        .and_then(|f| f.get("SAMLResponse").map(str::to_owned))
        .ok_or("the IdP posted no SAMLResponse")?;

    // STS: AssumeRoleWithSAML (unsigned), then Connect with the session.
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .region(aws_sdk_sts::config::Region::new(REGION))
            .endpoint_url(format!("{base}/aws/sts.amazonaws.com"))
            .build(),
    );
    let assumed = sts
        .assume_role_with_saml()
        .role_arn(&role.arn)
        .principal_arn(&provider_arn)
        .saml_assertion(assertion)
        .send()
        .await?;
    let credentials = assumed.credentials.ok_or("no Credentials")?;
    let assumed_arn = assumed
        .assumed_role_user
        .map(|u| u.arn)
        .ok_or("no AssumedRoleUser")?;
    check(
        assumed_arn
            == format!("arn:aws:sts::{ACCOUNT}:assumed-role/RustConnectFederation/rust-agent"),
        &format!("assumed {assumed_arn}"),
    )?;
    let session = aws_sdk_connect::Client::from_conf(
        aws_sdk_connect::Config::builder()
            .region(Region::new(REGION))
            .endpoint_url(&connect_url)
            .credentials_provider(Credentials::new(
                credentials.access_key_id,
                credentials.secret_access_key,
                Some(credentials.session_token),
                None,
                "samlsim-sts",
            ))
            .build(),
    );
    let token = session
        .get_federation_token()
        .instance_id(INSTANCE)
        .send()
        .await?;
    let sign_in_url = token.sign_in_url().ok_or("no SignInUrl")?.to_owned();
    let denied = session.list_users().instance_id(INSTANCE).send().await;
    check(
        denied
            .err()
            .map(|e| e.into_service_error())
            .is_some_and(|e| e.code() == Some("AccessDeniedException")),
        "ListUsers by a role without connect:ListUsers is not AccessDeniedException",
    )?;
    Ok(serde_json::json!({
        "provider_arn": provider_arn,
        "role_arn": role.arn,
        "user_id": user.user_id,
        "assumed_role_arn": assumed_arn,
        "sign_in_url": sign_in_url,
    }))
}
