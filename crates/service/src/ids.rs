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
        // The thread's ChaCha12 generator, seeded from the operating system and
        // reseeded as it goes, is a cryptographically secure generator (rand 0.8,
        // `ThreadRng`), without a system call per identifier: a flow makes
        // a dozen of them.
        rand::thread_rng().fill_bytes(&mut buf);
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

/// Lowercase hex, a table look-up per digit (a `format!` per byte showed in the
/// flow's profile).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xF)]));
    }
    out
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
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        let seq = SequentialIds::default();
        assert_eq!(seq.token(2), "0001");
        assert_eq!(seq.saml_id(), format!("_{}02", "0".repeat(38)));
    }
}
