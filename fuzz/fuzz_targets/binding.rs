//! Fuzzes the SAML binding decoder (`decode_any`: raw XML, HTTP-POST base64,
//! HTTP-Redirect DEFLATE+base64, URL-encoded values and pasted query strings), then
//! parses what it yields.
//!
//! Invariants: nothing panics, and the decoded message never exceeds
//! `max_decoded_len` (run with `-rss_limit_mb` to also bound memory).
#![no_main]

use libfuzzer_sys::fuzz_target;
use samlsim_saml::binding::{Limits, decode_any};

const LIMITS: Limits = Limits {
    max_encoded_len: 64 * 1024,
    max_decoded_len: 256 * 1024,
};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok((encoding, xml)) = decode_any(input, &LIMITS) else {
        return;
    };
    assert!(
        xml.len() <= LIMITS.max_decoded_len,
        "decode_any ({encoding}) returned {} bytes, over max_decoded_len {}",
        xml.len(),
        LIMITS.max_decoded_len
    );
    let _ = samlsim_xml::parse_bytes(&xml);
});
