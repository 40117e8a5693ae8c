//! Keys shared by all test modules: RSA key generation is slow, so each is
//! made once per test binary.

use std::sync::OnceLock;

use rand::rngs::OsRng;
use rsa::RsaPrivateKey;

use crate::identity::self_signed_certificate;
use crate::{Certificate, Identity, IdentityParams, SigningKey, generate_identity};

/// 2025-01-01T00:00:00Z .. 2035-01-01T00:00:00Z.
pub(crate) fn test_params() -> IdentityParams<'static> {
    IdentityParams::new("samlsim IdP", 1_735_689_600, 2_051_222_400)
}

/// The main 2048-bit identity, `CN=samlsim IdP`.
pub(crate) fn identity() -> &'static Identity {
    static ID: OnceLock<Identity> = OnceLock::new();
    ID.get_or_init(|| generate_identity(&test_params()).expect("keygen"))
}

/// A second 2048-bit identity, for "wrong key" checks.
pub(crate) fn other_identity() -> &'static Identity {
    static ID: OnceLock<Identity> = OnceLock::new();
    ID.get_or_init(|| generate_identity(&IdentityParams::new("other IdP", 0, 1)).expect("keygen"))
}

/// A 1024-bit identity: the smallest accepted, and too small for aws-lc-rs to sign.
pub(crate) fn small_identity() -> &'static Identity {
    static ID: OnceLock<Identity> = OnceLock::new();
    ID.get_or_init(|| {
        let params = IdentityParams {
            common_name: "legacy IdP, with comma",
            key_bits: 1024,
            ..test_params()
        };
        generate_identity(&params).expect("keygen")
    })
}

/// A certificate for a 512-bit key, which verification must refuse.
pub(crate) fn tiny_certificate() -> Certificate {
    let rsa = RsaPrivateKey::new(&mut OsRng, 512).expect("keygen");
    let key = SigningKey::from_rsa_unchecked(rsa).expect("wraps");
    self_signed_certificate(&key, &test_params()).expect("issues")
}
