//! Stored policies, parsed once per text.
//!
//! Every sign-in and STS call reads its role (trust and permission policies) and
//! its account (SCPs) from the store, and parsing those JSON documents again on
//! each request showed in the profile of the six-step flow. A parsed policy
//! depends on nothing but its text, so the cache is keyed by the exact text: a
//! role changed through the admin API has new text and misses, and nothing is
//! ever stale. Bounded: past [`MAX_ENTRIES`] texts it starts over.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::policy::{Policy, PolicyError};

/// The most distinct policy texts kept.
const MAX_ENTRIES: usize = 512;

fn cache() -> &'static Mutex<HashMap<String, Policy>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Policy>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// `Policy::parse(text)`, from the cache when this text parsed before.
pub(crate) fn parse_stored(text: &str) -> Result<Policy, PolicyError> {
    if let Some(policy) = cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(text)
    {
        return Ok(policy.clone());
    }
    let policy = Policy::parse(text)?;
    let mut cache = cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if cache.len() >= MAX_ENTRIES {
        cache.clear();
    }
    cache.insert(text.to_owned(), policy.clone());
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_policy_is_the_policy_its_text_parses_to() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/P"}}]}"#;
        let first = parse_stored(text).unwrap();
        let second = parse_stored(text).unwrap();
        assert_eq!(
            format!("{first:?}"),
            format!("{:?}", Policy::parse(text).unwrap())
        );
        assert_eq!(format!("{first:?}"), format!("{second:?}"));
        assert!(
            parse_stored("{").is_err(),
            "a text that does not parse is refused every time"
        );
        assert!(parse_stored("{").is_err());
    }
}
