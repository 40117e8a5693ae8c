//! A signing key together with its certificate, and generating such a pair.

use std::time::Duration;

use rand::RngCore as _;
use rand::rngs::OsRng;
use rsa::RsaPrivateKey;

use crate::key::MIN_RSA_BITS;
use crate::{Certificate, CryptoError, SignatureAlgorithm, SigningKey};

/// The key size [`IdentityParams::new`] picks.
pub const DEFAULT_KEY_BITS: usize = 2048;

/// The rsa crate generates (and loads) keys of at most this many bits.
const MAX_GENERATED_KEY_BITS: usize = 4096;

/// 9999-12-31T23:59:59Z, the last instant an X.509 time can express.
const MAX_CERT_TIME: i64 = 253_402_300_799;

/// A private key and the certificate for its public key, as an IdP or SP holds them.
#[derive(Debug)]
pub struct Identity {
    /// The private key.
    pub key: SigningKey,
    /// The certificate published for `key` (e.g. in metadata).
    pub certificate: Certificate,
}

impl Identity {
    /// Reads a key and its certificate from PEM text, checking they belong
    /// together. Both may be the same text (a combined key+certificate file).
    pub fn from_pem(key_pem: &str, certificate_pem: &str) -> Result<Self, CryptoError> {
        let key = SigningKey::from_pem(key_pem)?;
        let certificate = Certificate::from_pem(certificate_pem)?;
        if !certificate.matches_key(&key) {
            return Err(CryptoError::KeyCertificateMismatch {
                subject: certificate.subject(),
            });
        }
        Ok(Self { key, certificate })
    }
}

/// What [`generate_identity`] should make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityParams<'a> {
    /// The subject's common name; the subject is exactly `CN=<common_name>`.
    pub common_name: &'a str,
    /// Start of validity, unix seconds (from 0, 1970-01-01, on).
    pub not_before: i64,
    /// End of validity, unix seconds (at most 253402300799, 9999-12-31T23:59:59Z).
    pub not_after: i64,
    /// RSA modulus length, 1024 to 4096; [`DEFAULT_KEY_BITS`] normally.
    pub key_bits: usize,
}

impl<'a> IdentityParams<'a> {
    /// Parameters for a [`DEFAULT_KEY_BITS`]-bit key.
    pub fn new(common_name: &'a str, not_before: i64, not_after: i64) -> Self {
        Self {
            common_name,
            not_before,
            not_after,
            key_bits: DEFAULT_KEY_BITS,
        }
    }

    fn validate(&self) -> Result<(), CryptoError> {
        if self.key_bits < MIN_RSA_BITS {
            return Err(CryptoError::KeyTooSmall {
                bits: self.key_bits,
                min: MIN_RSA_BITS,
            });
        }
        if self.key_bits > MAX_GENERATED_KEY_BITS {
            return Err(CryptoError::Unsupported(format!(
                "generating {}-bit RSA keys (at most {MAX_GENERATED_KEY_BITS})",
                self.key_bits
            )));
        }
        for (name, value) in [
            ("not_before", self.not_before),
            ("not_after", self.not_after),
        ] {
            if !(0..=MAX_CERT_TIME).contains(&value) {
                return Err(CryptoError::InvalidIdentityParams(format!(
                    "{name} is {value}; it must lie between 0 (1970-01-01) and \
                     {MAX_CERT_TIME} (9999-12-31T23:59:59Z) unix seconds"
                )));
            }
        }
        if self.not_before > self.not_after {
            return Err(CryptoError::InvalidIdentityParams(format!(
                "not_before ({}) is after not_after ({})",
                self.not_before, self.not_after
            )));
        }
        Ok(())
    }
}

/// Generates a fresh RSA key and a self-signed sha256WithRSAEncryption
/// certificate for it with subject `CN=<common_name>`, the given validity
/// and a random serial number.
///
/// This is slow (an RSA key generation: around a second for 2048 bits in
/// release builds, longer in debug builds).
pub fn generate_identity(params: &IdentityParams) -> Result<Identity, CryptoError> {
    params.validate()?;
    let rsa = RsaPrivateKey::new(&mut OsRng, params.key_bits)
        .map_err(|e| CryptoError::KeyGeneration(e.to_string()))?;
    let key = SigningKey::from_rsa(rsa)?;
    let certificate = self_signed_certificate(&key, params)?;
    Ok(Identity { key, certificate })
}

/// Issues the certificate for `key` without checking `params` (callers do),
/// so tests can certify keys `generate_identity` would refuse.
pub(crate) fn self_signed_certificate(
    key: &SigningKey,
    params: &IdentityParams,
) -> Result<Certificate, CryptoError> {
    let mut cert_params = rcgen::CertificateParams::default();
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, params.common_name);
    cert_params.distinguished_name = name;
    // rcgen takes `time` values; adding std Durations to the epoch avoids a
    // direct dependency on `time`. The casts are lossless after validation,
    // which bounds both values to 0..=MAX_CERT_TIME.
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let since_epoch = |secs: i64| Duration::from_secs(u64::try_from(secs).unwrap_or(0));
    cert_params.not_before = epoch + since_epoch(params.not_before);
    cert_params.not_after = epoch + since_epoch(params.not_after);
    let mut serial = [0u8; 16];
    OsRng.fill_bytes(&mut serial);
    // Positive (top bit clear) with a non-zero top byte, so every serial
    // encodes as exactly 16 bytes, well inside RFC 5280's 20-byte limit.
    serial[0] = (serial[0] & 0x7f) | 0x40;
    cert_params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));

    let signer = RcgenSigner {
        key,
        public_key_pkcs1: key.public_key_pkcs1_der()?,
    };
    let cert = cert_params
        .self_signed(&signer)
        .map_err(|e| CryptoError::CertificateGeneration(e.to_string()))?;
    Certificate::from_der(cert.der())
}

/// Lets rcgen sign with a [`SigningKey`]. rcgen's own `KeyPair` would only
/// take keys aws-lc-rs accepts (2048–4096 bits), but 1024-bit identities are
/// needed to emulate IdPs that AWS still accepts.
struct RcgenSigner<'a> {
    key: &'a SigningKey,
    public_key_pkcs1: Vec<u8>,
}

impl rcgen::PublicKeyData for RcgenSigner<'_> {
    fn der_bytes(&self) -> &[u8] {
        &self.public_key_pkcs1
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

impl rcgen::SigningKey for RcgenSigner<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.key
            .sign(SignatureAlgorithm::RsaSha256, msg)
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{identity, small_identity, test_params};

    #[test]
    fn generated_identity_has_the_requested_fields() {
        let id = identity();
        let params = test_params();
        assert_eq!(id.certificate.not_before(), params.not_before);
        assert_eq!(id.certificate.not_after(), params.not_after);
        assert_eq!(id.certificate.subject(), "CN=samlsim IdP");
        assert!(id.certificate.subject().contains(params.common_name));
        assert_eq!(id.certificate.public_key_bits(), params.key_bits);
        assert_eq!(id.key.modulus_bits(), params.key_bits);
        assert!(id.certificate.matches_key(&id.key));
    }

    #[test]
    fn certificate_is_self_signed_with_sha256_rsa() {
        use x509_cert::der::Decode as _;
        let id = identity();
        let cert = x509_cert::Certificate::from_der(id.certificate.der()).expect("parses");
        let sha256_with_rsa =
            x509_cert::der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
        assert_eq!(cert.signature_algorithm.oid, sha256_with_rsa);
        assert_eq!(cert.tbs_certificate.issuer, cert.tbs_certificate.subject);
        let serial = cert.tbs_certificate.serial_number.as_bytes();
        assert_eq!(serial.len(), 16);
        use x509_cert::der::Encode as _;
        let tbs = cert.tbs_certificate.to_der().expect("re-encodes");
        let signature = cert.signature.as_bytes().expect("whole bytes");
        id.certificate
            .verify(SignatureAlgorithm::RsaSha256, &tbs, signature)
            .expect("the certificate's own signature verifies");
    }

    #[test]
    fn small_identities_are_possible_and_serials_differ() {
        let small = small_identity();
        assert_eq!(small.certificate.public_key_bits(), 1024);
        // RFC 4514 escapes the comma.
        assert_eq!(small.certificate.subject(), r"CN=legacy IdP\, with comma");
        assert_ne!(small.certificate.der(), identity().certificate.der());
    }

    #[test]
    fn bad_params_are_refused_before_keygen() {
        let ok = test_params();
        let cases = [
            IdentityParams {
                key_bits: 512,
                ..ok
            },
            IdentityParams {
                key_bits: 8192,
                ..ok
            },
            IdentityParams {
                not_before: -1,
                ..ok
            },
            IdentityParams {
                not_after: MAX_CERT_TIME + 1,
                ..ok
            },
            IdentityParams {
                not_before: ok.not_after + 1,
                ..ok
            },
        ];
        for params in cases {
            assert!(generate_identity(&params).is_err(), "{params:?}");
        }
        let err = generate_identity(&IdentityParams {
            key_bits: 512,
            ..ok
        })
        .expect_err("small");
        assert_eq!(
            err.to_string(),
            "RSA key of 512 bits is too small (at least 1024)"
        );
    }

    #[test]
    fn extreme_validity_bounds_survive_the_round_trip() {
        let key = &small_identity().key;
        for (not_before, not_after) in [(0, MAX_CERT_TIME), (2_524_607_999, 2_524_608_000)] {
            let params = IdentityParams {
                not_before,
                not_after,
                ..test_params()
            };
            let cert = self_signed_certificate(key, &params).expect("issues");
            assert_eq!(
                (cert.not_before(), cert.not_after()),
                (not_before, not_after)
            );
        }
    }

    #[test]
    fn identity_from_pem_checks_the_pair() {
        let id = identity();
        let key_pem = id.key.to_pkcs8_pem();
        let cert_pem = id.certificate.to_pem();
        let loaded = Identity::from_pem(&key_pem, &cert_pem).expect("pair loads");
        assert_eq!(loaded.certificate, id.certificate);
        let combined = format!("{key_pem}{cert_pem}");
        Identity::from_pem(&combined, &combined).expect("combined file loads");
        let err = Identity::from_pem(&small_identity().key.to_pkcs8_pem(), &cert_pem)
            .expect_err("mismatch");
        assert_eq!(
            err.to_string(),
            "private key does not match the public key of the certificate \"CN=samlsim IdP\""
        );
    }
}
