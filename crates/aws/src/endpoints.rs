//! Where the emulated AWS hosts live on this machine.
//!
//! Every AWS URL maps to the emulator by keeping its host as the first path
//! segment under `/aws/`:
//!
//! | public URL | local URL |
//! |---|---|
//! | `https://signin.aws.amazon.com/saml` | `<base>/aws/signin.aws.amazon.com/saml` |
//! | `https://us-west-2.signin.aws.amazon.com/saml` | `<base>/aws/us-west-2.signin.aws.amazon.com/saml` |
//! | `https://us-east-1.console.aws.amazon.com/connect/federate/<id>` | `<base>/aws/us-east-1.console.aws.amazon.com/connect/federate/<id>` |
//! | `https://console.amazonaws-us-gov.com/connect/federate/<id>` | `<base>/aws/console.amazonaws-us-gov.com/connect/federate/<id>` |
//! | `https://sts.amazonaws.com/` | `<base>/aws/sts.amazonaws.com/` |
//!
//! The mapping is reversible, so the mock sign-in endpoint knows the public URL it
//! stands for (AWS compares the assertion's `Recipient` with it, and the trust
//! policy's `SAML:aud` takes that value, C18), and a person reading a local URL
//! can see which AWS URL it is.

/// IAM's one global endpoint (signed for us-east-1).
pub const IAM_HOST: &str = "iam.amazonaws.com";

/// The path prefix the emulated AWS hosts live under.
pub const PREFIX: &str = "/aws/";

/// The parent domains of the hosts samlsim emulates.
const DOMAINS: &[&str] = &[
    "amazon.com",
    "amazonaws.com",
    "amazonaws-us-gov.com",
    "connect.aws",
    "awsapps.com",
];

/// Whether samlsim emulates `host` (host names compare without regard to ASCII
/// case). Asked for every URL a page links to, so it allocates nothing.
pub fn is_emulated_host(host: &str) -> bool {
    host.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && DOMAINS
            .iter()
            .any(|domain| is_domain_or_below(host, domain))
}

/// Whether `host` is `domain` or a name under it, ignoring ASCII case.
fn is_domain_or_below(host: &str, domain: &str) -> bool {
    let Some(start) = host.len().checked_sub(domain.len()) else {
        return false;
    };
    let (above, tail) = host.as_bytes().split_at(start);
    tail.eq_ignore_ascii_case(domain.as_bytes()) && (above.is_empty() || above.ends_with(b"."))
}

/// The local URL for a public AWS URL, if samlsim emulates its host.
pub fn public_to_local(base: &str, url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let (host, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    is_emulated_host(host).then(|| format!("{base}{PREFIX}{}{path}", host.to_ascii_lowercase()))
}

/// The public URL a local path (`/aws/<host>/...`) stands for.
pub fn local_path_to_public(path: &str) -> Option<String> {
    let rest = path.strip_prefix(PREFIX)?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    is_emulated_host(host).then(|| format!("https://{host}/{path}"))
}

/// The region a sign-in host serves: `signin.aws.amazon.com` is the global
/// endpoint, hosted in us-east-1 (C16); `<region>.signin.aws.amazon.com` a regional
/// one; `signin.amazonaws-us-gov.com` GovCloud's.
pub fn sign_in_region(host: &str) -> Option<String> {
    match host {
        "signin.aws.amazon.com" => Some("us-east-1".into()),
        "signin.amazonaws-us-gov.com" => Some("us-gov-west-1".into()),
        _ => host
            .strip_suffix(".signin.aws.amazon.com")
            .or_else(|| host.strip_suffix(".signin.amazonaws-us-gov.com"))
            .filter(|r| is_region(r))
            .map(str::to_owned),
    }
}

/// The region an STS host serves (`sts.amazonaws.com` is us-east-1).
pub fn sts_region(host: &str) -> Option<String> {
    match host {
        "sts.amazonaws.com" => Some("us-east-1".into()),
        _ => host
            .strip_prefix("sts.")
            .and_then(|rest| rest.strip_suffix(".amazonaws.com"))
            .filter(|r| is_region(r))
            .map(str::to_owned),
    }
}

/// The region of a console host (`console.aws.amazon.com` is global: us-east-1).
pub fn console_region(host: &str) -> Option<String> {
    match host {
        "console.aws.amazon.com" => Some("us-east-1".into()),
        "console.amazonaws-us-gov.com" => Some("us-gov-west-1".into()),
        _ => host
            .strip_suffix(".console.aws.amazon.com")
            .filter(|r| is_region(r))
            .map(str::to_owned),
    }
}

/// Whether `url` is an AWS sign-in SAML endpoint (global, regional or GovCloud).
pub fn is_sign_in_endpoint(url: &str) -> bool {
    url.strip_prefix("https://")
        .and_then(|rest| rest.strip_suffix("/saml"))
        .is_some_and(|host| sign_in_region(host).is_some())
}

/// The AWS regions (commercial, GovCloud, China, European Sovereign Cloud), for
/// configuration: a host only has to look like one (`is_region`), but a region
/// configured for an instance or an account must exist (`mars-1` does not).
pub const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Whether `region` is one of [`REGIONS`].
pub fn is_known_region(region: &str) -> bool {
    REGIONS.contains(&region)
}

/// `us-east-1`, `eu-west-2`, `us-gov-west-1`, `ap-southeast-3`...: letters and
/// dashes ending in a number.
pub fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// The host and the rest of a local `/aws/<host>/<rest>` path.
pub fn split_local_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix(PREFIX)?;
    let (host, rest) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    is_emulated_host(host).then_some((host, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:7575";

    #[test]
    fn emulated_hosts_are_the_aws_domains_and_the_names_under_them_in_any_case() {
        for host in [
            "amazonaws.com",
            "sts.amazonaws.com",
            "STS.AmazonAWS.com",
            "us-west-2.signin.aws.amazon.com",
            "console.amazonaws-us-gov.com",
            "example.my.connect.aws",
            "example.awsapps.com",
        ] {
            assert!(is_emulated_host(host), "{host}");
        }
        for host in [
            "",
            "com",
            "evilamazonaws.com",
            "sts.amazonaws.com.example.org",
            "amazonaws.com.",
            "sts.amazonaws.com:443",
            "st_s.amazonaws.com",
            "stś.amazonaws.com",
            "example.org",
        ] {
            assert!(!is_emulated_host(host), "{host}");
        }
    }

    #[test]
    fn aws_urls_map_both_ways() {
        for (public, local) in [
            (
                "https://signin.aws.amazon.com/saml",
                "http://127.0.0.1:7575/aws/signin.aws.amazon.com/saml",
            ),
            (
                "https://us-west-2.signin.aws.amazon.com/saml",
                "http://127.0.0.1:7575/aws/us-west-2.signin.aws.amazon.com/saml",
            ),
            (
                "https://console.amazonaws-us-gov.com/connect/federate/abc?destination=%2Fccp-v2",
                "http://127.0.0.1:7575/aws/console.amazonaws-us-gov.com/connect/federate/abc?destination=%2Fccp-v2",
            ),
            (
                "https://sts.amazonaws.com",
                "http://127.0.0.1:7575/aws/sts.amazonaws.com/",
            ),
        ] {
            assert_eq!(
                public_to_local(BASE, public).as_deref(),
                Some(local),
                "{public}"
            );
        }
        assert_eq!(
            local_path_to_public("/aws/us-east-1.signin.aws.amazon.com/saml").as_deref(),
            Some("https://us-east-1.signin.aws.amazon.com/saml")
        );
    }

    #[test]
    fn hosts_name_their_regions() {
        assert_eq!(
            sign_in_region("signin.aws.amazon.com").as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            sign_in_region("eu-west-2.signin.aws.amazon.com").as_deref(),
            Some("eu-west-2")
        );
        assert_eq!(sign_in_region("evil.signin.aws.amazon.com"), None);
        assert_eq!(
            sts_region("sts.ap-southeast-2.amazonaws.com").as_deref(),
            Some("ap-southeast-2")
        );
        assert_eq!(
            console_region("console.amazonaws-us-gov.com").as_deref(),
            Some("us-gov-west-1")
        );
        assert!(is_sign_in_endpoint(
            "https://us-east-1.signin.aws.amazon.com/saml"
        ));
        assert!(!is_sign_in_endpoint(
            "https://us-east-1.signin.aws.amazon.com/other"
        ));
        assert_eq!(
            split_local_path("/aws/sts.amazonaws.com/"),
            Some(("sts.amazonaws.com", "/"))
        );
    }

    #[test]
    fn other_hosts_are_left_alone() {
        assert_eq!(
            public_to_local(BASE, "https://your-custom-website.com/x"),
            None
        );
        assert_eq!(public_to_local(BASE, "https://evilamazon.com/x"), None);
        assert_eq!(
            public_to_local(BASE, "http://signin.aws.amazon.com/saml"),
            None
        );
        assert_eq!(local_path_to_public("/aws/example.org/x"), None);
    }
}
