//! Identifiers: SAML message IDs, session tokens, flow IDs.
//!
//! Injected like the clock, so a test can make a run byte-for-byte repeatable.

use std::sync::atomic::{AtomicU64, Ordering};

use rand::RngCore;

/// A source of fresh identifiers.
pub trait Ids: Send + Sync {
    /// `bytes` of randomness as lowercase hex.
    fn token(&self, bytes: usize) -> String;

    /// A SAML ID: an `xs:ID` (an NCName, so it must not start with a digit), 160
    /// bits of randomness as SAML core §1.3.4 asks.
    fn saml_id(&self) -> String {
        format!("_{}", self.token(20))
    }
}

/// Cryptographically random identifiers (the default).
#[derive(Debug, Default)]
pub struct RandomIds;

impl Ids for RandomIds {
    fn token(&self, bytes: usize) -> String {
        let mut buf = vec![0u8; bytes];
        rand::rngs::OsRng.fill_bytes(&mut buf);
        hex(&buf)
    }
}

/// Counting identifiers (`0000…01`, `0000…02`, ...), for reproducible tests.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
}

impl Ids for SequentialIds {
    fn token(&self, bytes: usize) -> String {
        let n = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        format!("{n:0width$x}", width = bytes * 2)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_promised_shape() {
        let id = RandomIds.saml_id();
        assert_eq!(id.len(), 41);
        assert!(id.starts_with('_'));
        assert_ne!(RandomIds.token(16), RandomIds.token(16));
        let seq = SequentialIds::default();
        assert_eq!(seq.token(2), "0001");
        assert_eq!(seq.saml_id(), format!("_{}02", "0".repeat(38)));
    }
}
