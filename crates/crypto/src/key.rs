//! RSA private keys and signing.

use std::fmt;

use aws_lc_rs::error::KeyRejected;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RSA_PKCS1_SHA512, RsaEncoding, RsaKeyPair};
use rand::rngs::OsRng;
use rsa::RsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::{EncodePrivateKey, PrivateKeyInfo, SecretDocument};
use rsa::traits::PublicKeyParts;

use crate::{CryptoError, RsaBackend, SignatureAlgorithm, pem};

/// The smallest RSA modulus accepted anywhere in this crate. AWS still
/// accepts 1024-bit IdP keys, so refusing them would make the emulator
/// stricter than the thing it emulates.
pub(crate) const MIN_RSA_BITS: usize = 1024;

/// An RSA private key that signs with PKCS#1 v1.5 padding.
///
/// The key is held by both backends: `aws-lc-rs` for fast SHA-256/SHA-512 signing
/// and the `rsa` crate for SHA-1 (which `aws-lc-rs` cannot sign) and for keys
/// `aws-lc-rs` refuses (it only signs with two-prime keys of 2048–4096 bits and
/// public exponent ≥ 65537).
pub struct SigningKey {
    aws_lc: Result<RsaKeyPair, KeyRejected>,
    rsa: RsaPrivateKey,
    pkcs8: SecretDocument,
}

impl SigningKey {
    /// Reads the first RSA private key from PEM text.
    ///
    /// Accepts `PRIVATE KEY` (PKCS#8) and `RSA PRIVATE KEY` (PKCS#1) blocks;
    /// other blocks in the text (e.g. a certificate in a combined file) are
    /// skipped. Encrypted keys and non-RSA keys are refused with an error
    /// that says so.
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        let blocks = pem::parse(pem)?;
        let Some(block) = blocks
            .iter()
            .find(|b| matches!(b.label, "PRIVATE KEY" | "RSA PRIVATE KEY"))
        else {
            if blocks.iter().any(|b| b.label == "ENCRYPTED PRIVATE KEY") {
                return Err(CryptoError::EncryptedPrivateKey);
            }
            // Name the block most likely meant as the key ("EC PRIVATE KEY"
            // rather than a certificate sitting next to it).
            let wrong = blocks
                .iter()
                .find(|b| b.label.contains("PRIVATE KEY"))
                .or(blocks.first());
            return Err(match wrong {
                Some(b) => CryptoError::NotRsaPrivateKeyPem {
                    label: b.label.to_owned(),
                },
                None => CryptoError::PemBlockNotFound {
                    expected: "PRIVATE KEY",
                    found: Vec::new(),
                },
            });
        };
        if block.is_encrypted() {
            return Err(CryptoError::EncryptedPrivateKey);
        }
        let der = block.decode()?;
        if block.label == "RSA PRIVATE KEY" {
            let key = RsaPrivateKey::from_pkcs1_der(&der)
                .map_err(|e| CryptoError::InvalidPrivateKey(e.to_string()))?;
            Self::from_rsa(key)
        } else {
            Self::from_pkcs8_der(&der)
        }
    }

    /// Reads an unencrypted PKCS#8 `PrivateKeyInfo` holding an RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        let info = PrivateKeyInfo::try_from(der)
            .map_err(|e| CryptoError::InvalidPrivateKey(e.to_string()))?;
        if info.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
            return Err(CryptoError::NotRsaPrivateKey {
                oid: info.algorithm.oid.to_string(),
            });
        }
        let key = RsaPrivateKey::try_from(info)
            .map_err(|e| CryptoError::InvalidPrivateKey(e.to_string()))?;
        Self::from_rsa(key)
    }

    /// Wraps an `rsa` crate key, refusing ones below [`MIN_RSA_BITS`].
    pub(crate) fn from_rsa(key: RsaPrivateKey) -> Result<Self, CryptoError> {
        let bits = key.n().bits();
        if bits < MIN_RSA_BITS {
            return Err(CryptoError::KeyTooSmall {
                bits,
                min: MIN_RSA_BITS,
            });
        }
        Self::from_rsa_unchecked(key)
    }

    /// Like [`Self::from_rsa`] without the size floor, so tests can build the
    /// undersized keys that verification must refuse.
    pub(crate) fn from_rsa_unchecked(key: RsaPrivateKey) -> Result<Self, CryptoError> {
        // Re-encoding (rather than keeping the caller's bytes) gives aws-lc-rs one
        // canonical PKCS#8 form whether the key came in as PKCS#1 or PKCS#8.
        let pkcs8 = key
            .to_pkcs8_der()
            .map_err(|e| CryptoError::InvalidPrivateKey(e.to_string()))?;
        let aws_lc = RsaKeyPair::from_pkcs8(pkcs8.as_bytes());
        Ok(Self {
            aws_lc,
            rsa: key,
            pkcs8,
        })
    }

    /// The key as PEM `PRIVATE KEY` (unencrypted PKCS#8), as
    /// `openssl genpkey` writes it.
    pub fn to_pkcs8_pem(&self) -> String {
        pem::encode("PRIVATE KEY", self.pkcs8.as_bytes())
    }

    /// The public modulus and exponent as unsigned big-endian bytes, for a JSON
    /// Web Key (`n`, `e`) such as a user pool's `jwks.json` publishes.
    pub fn public_components(&self) -> (Vec<u8>, Vec<u8>) {
        (self.rsa.n().to_bytes_be(), self.rsa.e().to_bytes_be())
    }

    /// The length of the RSA modulus in bits, e.g. 2048.
    pub fn modulus_bits(&self) -> usize {
        self.rsa.n().bits()
    }

    /// Signs `data` (the message, not its digest) with the fastest backend
    /// that can: `aws-lc-rs` for RSA-SHA256/512, the `rsa` crate for RSA-SHA1 and
    /// for keys `aws-lc-rs` does not accept.
    pub fn sign(&self, alg: SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let backend = match (alg, &self.aws_lc) {
            (SignatureAlgorithm::RsaSha1, _) | (_, Err(_)) => RsaBackend::RustCrypto,
            _ => RsaBackend::AwsLc,
        };
        self.sign_using(backend, alg, data)
    }

    /// Signs `data` with a chosen backend (for benchmarks and cross-checks).
    ///
    /// [`RsaBackend::AwsLc`] fails with [`CryptoError::Unsupported`] for
    /// RSA-SHA1 and for keys `aws-lc-rs` refuses.
    pub fn sign_using(
        &self,
        backend: RsaBackend,
        alg: SignatureAlgorithm,
        data: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        match backend {
            RsaBackend::AwsLc => self.sign_aws_lc(alg, data),
            RsaBackend::RustCrypto => self.sign_rust_crypto(alg, data),
        }
    }

    fn sign_aws_lc(&self, alg: SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let encoding: &'static dyn RsaEncoding = match alg {
            SignatureAlgorithm::RsaSha1 => {
                return Err(CryptoError::Unsupported(
                    "aws-lc-rs cannot create RSA-SHA1 signatures; use the RustCrypto backend"
                        .into(),
                ));
            }
            SignatureAlgorithm::RsaSha256 => &RSA_PKCS1_SHA256,
            SignatureAlgorithm::RsaSha512 => &RSA_PKCS1_SHA512,
        };
        let key = self.aws_lc.as_ref().map_err(|rejected| {
            CryptoError::Unsupported(format!(
                "aws-lc-rs cannot sign with this {}-bit key ({rejected}); it needs a two-prime key \
                 of 2048 to 4096 bits with public exponent at least 65537",
                self.modulus_bits()
            ))
        })?;
        let mut signature = vec![0; key.public_modulus_len()];
        key.sign(encoding, &SystemRandom::new(), data, &mut signature)
            .map_err(|_| CryptoError::Signing("aws-lc-rs could not sign".into()))?;
        Ok(signature)
    }

    fn sign_rust_crypto(
        &self,
        alg: SignatureAlgorithm,
        data: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let digest = alg.digest_algorithm().digest(data);
        // The rng enables blinding, so the private-key operation's timing
        // does not depend on the key (plain `sign` skips it).
        self.rsa
            .sign_with_rng(&mut OsRng, alg.rsa_crate_scheme(), &digest)
            .map_err(|e| CryptoError::Signing(e.to_string()))
    }

    /// The public half as PKCS#1 `RSAPublicKey` DER.
    pub(crate) fn public_key_pkcs1_der(&self) -> Result<Vec<u8>, CryptoError> {
        self.rsa
            .to_public_key()
            .to_pkcs1_der()
            .map(|doc| doc.into_vec())
            .map_err(|e| CryptoError::InvalidPrivateKey(e.to_string()))
    }

    pub(crate) fn rsa_key(&self) -> &RsaPrivateKey {
        &self.rsa
    }
}

impl fmt::Debug for SigningKey {
    // Never print key material, not even by accident in a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("modulus_bits", &self.modulus_bits())
            .field("aws_lc_can_sign", &self.aws_lc.is_ok())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::LineEnding;

    use super::*;
    use crate::test_support::{identity, small_identity};

    #[test]
    fn pkcs8_pem_round_trip() {
        let key = &identity().key;
        let pem = key.to_pkcs8_pem();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let again = SigningKey::from_pem(&pem).expect("re-reads its own PEM");
        assert_eq!(again.to_pkcs8_pem(), pem);
        assert_eq!(again.modulus_bits(), 2048);
        assert!(identity().certificate.matches_key(&again));
    }

    #[test]
    fn pkcs1_pem_is_accepted() {
        let pkcs1 = identity()
            .key
            .rsa_key()
            .to_pkcs1_pem(LineEnding::LF)
            .expect("encodes");
        assert!(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let key = SigningKey::from_pem(&pkcs1).expect("reads PKCS#1");
        assert_eq!(key.to_pkcs8_pem(), identity().key.to_pkcs8_pem());
        let sig = key
            .sign(SignatureAlgorithm::RsaSha256, b"data")
            .expect("signs");
        identity()
            .certificate
            .verify(SignatureAlgorithm::RsaSha256, b"data", &sig)
            .expect("verifies");
    }

    #[test]
    fn key_after_certificate_in_one_file() {
        let combined = format!(
            "{}{}",
            identity().certificate.to_pem(),
            identity().key.to_pkcs8_pem()
        );
        let key = SigningKey::from_pem(&combined).expect("finds the key block");
        assert!(identity().certificate.matches_key(&key));
    }

    #[test]
    fn wrong_pem_labels_are_named() {
        let ec = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        let err = SigningKey::from_pem(ec).expect_err("EC is refused");
        assert_eq!(
            err.to_string(),
            "PEM block labelled \"EC PRIVATE KEY\" is not an RSA private key \
             (expected PRIVATE KEY or RSA PRIVATE KEY)"
        );
        let cert_only = identity().certificate.to_pem();
        assert!(matches!(
            SigningKey::from_pem(&cert_only),
            Err(CryptoError::NotRsaPrivateKeyPem { label }) if label == "CERTIFICATE"
        ));
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert!(matches!(
            SigningKey::from_pem(encrypted),
            Err(CryptoError::EncryptedPrivateKey)
        ));
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
                      DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(matches!(
            SigningKey::from_pem(legacy),
            Err(CryptoError::EncryptedPrivateKey)
        ));
        assert!(matches!(
            SigningKey::from_pem("just text"),
            Err(CryptoError::PemBlockNotFound { .. })
        ));
    }

    #[test]
    fn garbage_keys_are_errors() {
        for der in [&b""[..], b"\x30\x03\x02\x01\x00", &[0xff; 64]] {
            assert!(SigningKey::from_pkcs8_der(der).is_err());
        }
        let garbage = pem::encode("RSA PRIVATE KEY", b"\x30\x03\x02\x01\x00");
        assert!(matches!(
            SigningKey::from_pem(&garbage),
            Err(CryptoError::InvalidPrivateKey(_))
        ));
        // A PKCS#8 Ed25519 key (RFC 8410 example) is well-formed but not RSA.
        let ed25519 = "-----BEGIN PRIVATE KEY-----\n\
                       MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
                       -----END PRIVATE KEY-----\n";
        let err = SigningKey::from_pem(ed25519).expect_err("Ed25519 is refused");
        assert_eq!(
            err.to_string(),
            "private key is not RSA (algorithm OID 1.3.101.112)"
        );
    }

    #[test]
    fn corrupted_pkcs8_never_panics() {
        // The small key keeps the many failed parses cheap.
        let pem = small_identity().key.to_pkcs8_pem();
        let der = pem::parse(&pem).expect("parses")[0]
            .decode()
            .expect("decodes");
        for i in 0..der.len() {
            for mask in [0x01, 0x80] {
                let mut bad = der.clone();
                bad[i] ^= mask;
                let _ = SigningKey::from_pkcs8_der(&bad);
            }
        }
    }

    #[test]
    fn undersized_keys_are_refused() {
        let key = RsaPrivateKey::new(&mut OsRng, 512).expect("512-bit keygen");
        let err = SigningKey::from_rsa(key).expect_err("512 bits is refused");
        assert_eq!(
            err.to_string(),
            "RSA key of 512 bits is too small (at least 1024)"
        );
    }

    #[test]
    fn ring_limits_fall_back_to_rust_crypto() {
        // aws-lc-rs signs only with keys of 2048 bits or more.
        let key = &small_identity().key;
        assert_eq!(key.modulus_bits(), 1024);
        assert!(matches!(
            key.sign_using(RsaBackend::AwsLc, SignatureAlgorithm::RsaSha256, b"x"),
            Err(CryptoError::Unsupported(_))
        ));
        let sig = key
            .sign(SignatureAlgorithm::RsaSha256, b"x")
            .expect("falls back");
        assert_eq!(sig.len(), 128);
    }

    #[test]
    fn ring_cannot_sign_sha1() {
        let err = identity()
            .key
            .sign_using(RsaBackend::AwsLc, SignatureAlgorithm::RsaSha1, b"x")
            .expect_err("aws-lc-rs has no SHA-1 signing");
        assert!(matches!(err, CryptoError::Unsupported(_)));
        assert!(err.to_string().contains("RSA-SHA1"));
    }

    #[test]
    fn debug_hides_key_material() {
        let text = format!("{:?}", identity().key);
        assert_eq!(
            text,
            "SigningKey { modulus_bits: 2048, aws_lc_can_sign: true, .. }"
        );
    }
}
