//! Robustness.

use super::*;

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
