//! Password hashing for the mock identity store.
//!
//! PBKDF2-HMAC-SHA256 (RFC 8018) with a random 16-byte salt, stored as
//! `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`. The iteration count is far
//! below what a real identity store should use: passwords here are demo
//! credentials, and a sign-in must cost well under a millisecond so that flows can
//! be load-tested at thousands per second. What matters for the emulator is that
//! no plain password is ever stored or logged.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;

use aws_lc_rs::{constant_time, hmac, pbkdf2};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use rand::RngCore;

const ITERATIONS: u32 = 1_000;
const SCHEME: &str = "pbkdf2-sha256";

/// Hashes `password` with a fresh random salt.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    hash_with(password, &salt, ITERATIONS)
}

fn hash_with(password: &str, salt: &[u8], iterations: u32) -> String {
    let mut hash = [0u8; 32];
    let rounds = NonZeroU32::new(iterations).unwrap_or(NonZeroU32::MIN);
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        rounds,
        salt,
        password.as_bytes(),
        &mut hash,
    );
    format!(
        "{SCHEME}${iterations}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(hash)
    )
}

/// Whether `password` matches `stored` (from [`hash_password`]). A malformed
/// `stored` value never matches. The comparison is constant-time.
pub fn verify_password(stored: &str, password: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some(SCHEME), Some(iterations), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(iterations), Ok(salt), Ok(hash)) = (
        iterations.parse::<u32>(),
        STANDARD_NO_PAD.decode(salt),
        STANDARD_NO_PAD.decode(hash),
    ) else {
        return false;
    };
    let Some(rounds) = NonZeroU32::new(iterations) else {
        return false;
    };
    pbkdf2::verify(
        pbkdf2::PBKDF2_HMAC_SHA256,
        rounds,
        &salt,
        password.as_bytes(),
        &hash,
    )
    .is_ok()
}

/// Passwords that already passed [`verify_password`], remembered in memory only,
/// so that a repeat sign-in does not run PBKDF2 again.
///
/// Why: load tests sign the same demo users in thousands of times a second, and
/// PBKDF2 was a twelfth of each flow. Why it keeps what the stored hash protects:
/// the database still holds only the PBKDF2 hash at full strength, and nothing of
/// this memo is ever written anywhere. Each entry is an HMAC-SHA256 of a password
/// that verified, under a random key made when the memo is (so a tag is no
/// precomputable hash of the password), filed under the exact stored hash it
/// verified against: a changed password has a new salt, hence a new stored value,
/// and misses. A password that does not match the remembered tag goes through
/// PBKDF2 as before, so a wrong one costs what it always did and is refused by
/// the same check.
pub struct VerifiedPasswords {
    key: hmac::Key,
    /// Stored hash → HMAC of the password that verified against it.
    verified: Mutex<HashMap<String, hmac::Tag>>,
}

impl VerifiedPasswords {
    /// The most stored hashes remembered; past it the memo starts over.
    const MAX_ENTRIES: usize = 4096;

    /// An empty memo with a fresh random key.
    pub fn new() -> Self {
        // From the operating system, as the salts are: aws-lc's own generator
        // seeds itself from CPU jitter on first use, which took 45 ms of every
        // start (`ready in` went from 9 to 55 ms).
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let key = hmac::Key::new(hmac::HMAC_SHA256, &secret);
        VerifiedPasswords {
            key,
            verified: Mutex::default(),
        }
    }

    /// [`verify_password`], answered from memory when this very password
    /// verified against this very `stored` hash before.
    pub fn verify(&self, stored: &str, password: &str) -> bool {
        let tag = hmac::sign(&self.key, password.as_bytes());
        let remembered = self
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(stored)
            .is_some_and(|known| {
                constant_time::verify_slices_are_equal(known.as_ref(), tag.as_ref()).is_ok()
            });
        if remembered {
            return true;
        }
        if !verify_password(stored, password) {
            return false;
        }
        let mut verified = self
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if verified.len() >= Self::MAX_ENTRIES {
            verified.clear();
        }
        verified.insert(stored.to_owned(), tag);
        true
    }
}

impl Default for VerifiedPasswords {
    fn default() -> Self {
        VerifiedPasswords::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_passwords_answer_as_pbkdf2_does() {
        let memo = VerifiedPasswords::new();
        let stored = hash_password("correct horse");
        assert!(!memo.verify(&stored, "wrong"), "nothing remembered yet");
        assert!(memo.verify(&stored, "correct horse"));
        assert!(memo.verify(&stored, "correct horse"), "from memory");
        assert!(
            !memo.verify(&stored, "Correct horse"),
            "another password after a good one is still refused"
        );
        let changed = hash_password("battery staple");
        assert!(
            !memo.verify(&changed, "correct horse"),
            "a changed password does not accept the old one"
        );
        assert!(memo.verify(&changed, "battery staple"));
        assert!(!memo.verify("md5$1$a$b", "correct horse"));
    }

    #[test]
    fn passwords_verify_and_differ_by_salt() {
        let a = hash_password("correct horse");
        let b = hash_password("correct horse");
        assert_ne!(a, b, "salts differ");
        assert!(!a.contains("correct horse"));
        assert!(verify_password(&a, "correct horse"));
        assert!(!verify_password(&a, "Correct horse"));
        for bad in [
            "",
            "pbkdf2-sha256$0$AA$AA",
            "pbkdf2-sha256$x$AA$AA",
            "md5$1$a$b",
            &format!("{a}$extra"),
        ] {
            assert!(!verify_password(bad, "correct horse"), "{bad}");
        }
    }
}
