//! Password hashing for the mock identity store.
//!
//! PBKDF2-HMAC-SHA256 (RFC 8018) with a random 16-byte salt, stored as
//! `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`. The iteration count is far
//! below what a real identity store should use: passwords here are demo
//! credentials, and a sign-in must cost well under a millisecond so that flows can
//! be load-tested at thousands per second. What matters for the emulator is that
//! no plain password is ever stored or logged.

use std::num::NonZeroU32;

use aws_lc_rs::pbkdf2;
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

#[cfg(test)]
mod tests {
    use super::*;

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
