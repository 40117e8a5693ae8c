//! X.509 certificates carrying RSA public keys, and signature verification.

use std::fmt;
use std::sync::{Arc, OnceLock};

use aws_lc_rs::signature::ParsedPublicKey;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};
use x509_cert::der::{Decode, Encode};

use crate::key::MIN_RSA_BITS;
use crate::{CryptoError, DigestAlgorithm, RsaBackend, SignatureAlgorithm, SigningKey, pem};

/// The largest RSA modulus aws-lc-rs's verifier accepts.
const MAX_RSA_BITS: usize = 8192;

/// A parsed X.509 certificate with an RSA public key.
///
/// Only what XML-DSig needs is extracted, once, at parse time; the
/// certificate's own signature and extensions are not checked, because SAML
/// trust comes from metadata pinning the certificate, not from a CA chain.
///
/// Cloning is cheap (the parts are shared), and the aws-lc-rs form of the key is
/// parsed once per algorithm and kept: setting up the key (its Montgomery
/// context) costs about a tenth of an RSA-2048 verification, and a trusted
/// certificate verifies many signatures.
#[derive(Clone)]
pub struct Certificate {
    parts: Arc<Parts>,
}

struct Parts {
    der: Vec<u8>,
    subject: String,
    not_before: i64,
    not_after: i64,
    /// PKCS#1 `RSAPublicKey` DER, the form aws-lc-rs's verifier takes.
    public_key_pkcs1: Vec<u8>,
    /// X.509 `SubjectPublicKeyInfo` DER, the form aws-lc-rs's RSA encryption takes.
    spki_der: Vec<u8>,
    public_key: RsaPublicKey,
    public_key_bits: usize,
    /// aws-lc-rs's parsed key, one per [`SignatureAlgorithm`] (its parameters carry
    /// the digest), made on first use.
    verifiers: [OnceLock<Option<ParsedPublicKey>>; SignatureAlgorithm::ALL.len()],
}

impl Certificate {
    /// Reads the first `CERTIFICATE` block of PEM text; other blocks are skipped.
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        let blocks = pem::parse(pem)?;
        let block = blocks
            .iter()
            .find(|b| b.label() == "CERTIFICATE")
            .ok_or_else(|| CryptoError::PemBlockNotFound {
                expected: "CERTIFICATE",
                found: blocks.iter().map(|b| b.label().to_owned()).collect(),
            })?;
        Self::from_der(block.der())
    }

    /// Reads the base64 text of a `ds:X509Certificate` element or a metadata
    /// `KeyDescriptor`. XML whitespace (space, tab, CR, LF) anywhere in it is
    /// ignored, because metadata files wrap and indent it freely.
    pub fn from_base64(b64: &str) -> Result<Self, CryptoError> {
        let compact: Vec<u8> = b64
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .collect();
        let der = STANDARD
            .decode(compact)
            .map_err(|e| CryptoError::CertificateBase64(e.to_string()))?;
        Self::from_der(&der)
    }

    /// Parses a DER-encoded certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|e| CryptoError::InvalidCertificate(e.to_string()))?;
        let tbs = &cert.tbs_certificate;
        let spki = &tbs.subject_public_key_info;
        if spki.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
            return Err(CryptoError::NotRsaPublicKey {
                oid: spki.algorithm.oid.to_string(),
            });
        }
        let public_key_pkcs1 = spki.subject_public_key.as_bytes().ok_or_else(|| {
            CryptoError::InvalidPublicKey("subjectPublicKey is not a whole number of bytes".into())
        })?;
        let parsed = rsa::pkcs1::RsaPublicKey::from_der(public_key_pkcs1)
            .map_err(|e| CryptoError::InvalidPublicKey(e.to_string()))?;
        let n = BigUint::from_bytes_be(parsed.modulus.as_bytes());
        let e = BigUint::from_bytes_be(parsed.public_exponent.as_bytes());
        let public_key_bits = n.bits();
        if public_key_bits > MAX_RSA_BITS {
            return Err(CryptoError::Unsupported(format!(
                "certificate has a {public_key_bits}-bit RSA key; at most {MAX_RSA_BITS} bits are supported"
            )));
        }
        // The rsa crate's default ceiling is 4096 bits; aws-lc-rs verifies up to
        // 8192, so both backends get the same range.
        let public_key = RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS)
            .map_err(|e| CryptoError::InvalidPublicKey(e.to_string()))?;
        let spki_der = spki
            .to_der()
            .map_err(|e| CryptoError::InvalidPublicKey(e.to_string()))?;
        let unix = |t: x509_cert::time::Time| {
            i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
        };
        Ok(Self {
            parts: Arc::new(Parts {
                der: der.to_vec(),
                subject: tbs.subject.to_string(),
                not_before: unix(tbs.validity.not_before),
                not_after: unix(tbs.validity.not_after),
                public_key_pkcs1: public_key_pkcs1.to_vec(),
                spki_der,
                public_key,
                public_key_bits,
                verifiers: Default::default(),
            }),
        })
    }

    /// The certificate as a PEM `CERTIFICATE` block with 64-character lines.
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE", &self.parts.der)
    }

    /// The DER encoding, exactly as it was read.
    pub fn der(&self) -> &[u8] {
        &self.parts.der
    }

    /// Standard base64 of the DER without line breaks, for `ds:X509Certificate`.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.parts.der)
    }

    /// The subject as an RFC 4514 string, e.g. `CN=samlsim IdP`.
    pub fn subject(&self) -> String {
        self.parts.subject.clone()
    }

    /// Start of the validity period, in unix seconds.
    pub fn not_before(&self) -> i64 {
        self.parts.not_before
    }

    /// End of the validity period (inclusive), in unix seconds.
    pub fn not_after(&self) -> i64 {
        self.parts.not_after
    }

    /// Whether `now` (unix seconds, supplied by the caller) lies within the
    /// validity period, bounds included as RFC 5280 specifies.
    pub fn is_valid_at(&self, now: i64) -> bool {
        (self.parts.not_before..=self.parts.not_after).contains(&now)
    }

    /// SHA-256 of the DER as colon-separated uppercase hex, the form
    /// `openssl x509 -fingerprint -sha256` prints.
    pub fn sha256_fingerprint(&self) -> String {
        let digest = DigestAlgorithm::Sha256.digest(&self.parts.der);
        let hex: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
        hex.join(":")
    }

    /// The length of the RSA modulus in bits.
    pub fn public_key_bits(&self) -> usize {
        self.parts.public_key_bits
    }

    /// Checks that `signature` is a valid PKCS#1 v1.5 signature of `data` (the
    /// message, not its digest) under this certificate's key, using `aws-lc-rs`.
    ///
    /// Keys below 1024 bits are refused with [`CryptoError::KeyTooSmall`].
    pub fn verify(
        &self,
        alg: SignatureAlgorithm,
        data: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        self.verify_using(RsaBackend::AwsLc, alg, data, signature)
    }

    /// Like [`Self::verify`] with a chosen backend (for benchmarks and
    /// cross-checks); both accept exactly the same signatures.
    pub fn verify_using(
        &self,
        backend: RsaBackend,
        alg: SignatureAlgorithm,
        data: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        if self.parts.public_key_bits < MIN_RSA_BITS {
            return Err(CryptoError::KeyTooSmall {
                bits: self.parts.public_key_bits,
                min: MIN_RSA_BITS,
            });
        }
        let valid = match backend {
            RsaBackend::AwsLc => match self.verifier(alg) {
                Some(key) => key.verify_sig(data, signature).is_ok(),
                // A key aws-lc-rs will not parse verifies nothing, as before.
                None => false,
            },
            RsaBackend::RustCrypto => {
                let digest = alg.digest_algorithm().digest(data);
                self.parts
                    .public_key
                    .verify(alg.rsa_crate_scheme(), &digest, signature)
                    .is_ok()
            }
        };
        if valid {
            Ok(())
        } else {
            Err(CryptoError::SignatureMismatch)
        }
    }

    /// aws-lc-rs's parsed key for `alg`, parsed on first use.
    fn verifier(&self, alg: SignatureAlgorithm) -> Option<&ParsedPublicKey> {
        let slot = SignatureAlgorithm::ALL
            .iter()
            .position(|&a| a == alg)
            .and_then(|i| self.parts.verifiers.get(i))?;
        slot.get_or_init(|| {
            ParsedPublicKey::new(alg.verification_parameters(), &self.parts.public_key_pkcs1).ok()
        })
        .as_ref()
    }

    /// The public key as X.509 `SubjectPublicKeyInfo` DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.parts.spki_der
    }

    /// Whether `key` is the private half of this certificate's public key.
    pub fn matches_key(&self, key: &SigningKey) -> bool {
        let private = key.rsa_key();
        self.parts.public_key.n() == private.n() && self.parts.public_key.e() == private.e()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.parts.der == other.parts.der
    }
}

impl Eq for Certificate {}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.parts.subject)
            .field("not_before", &self.parts.not_before)
            .field("not_after", &self.parts.not_after)
            .field("public_key_bits", &self.parts.public_key_bits)
            .field("sha256_fingerprint", &self.sha256_fingerprint())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{identity, other_identity, small_identity};

    const DATA: &[u8] = b"<ds:SignedInfo>canonical bytes</ds:SignedInfo>";

    #[test]
    fn every_algorithm_round_trips_across_backends() {
        let id = identity();
        for alg in SignatureAlgorithm::ALL {
            for signer in RsaBackend::ALL {
                let sig = match id.key.sign_using(signer, alg, DATA) {
                    Ok(sig) => sig,
                    // The one combination aws-lc-rs cannot do; covered elsewhere.
                    Err(CryptoError::Unsupported(_)) if signer == RsaBackend::AwsLc => continue,
                    Err(e) => panic!("{signer} {alg}: {e}"),
                };
                assert_eq!(sig.len(), 256);
                for verifier in RsaBackend::ALL {
                    id.certificate
                        .verify_using(verifier, alg, DATA, &sig)
                        .unwrap_or_else(|e| panic!("{signer} → {verifier} {alg}: {e}"));
                }
            }
            let sig = id.key.sign(alg, DATA).expect("default backend signs");
            id.certificate.verify(alg, DATA, &sig).expect("verifies");
        }
    }

    #[test]
    fn pkcs1_v15_signatures_are_deterministic_across_backends() {
        let key = &identity().key;
        for alg in [SignatureAlgorithm::RsaSha256, SignatureAlgorithm::RsaSha512] {
            assert_eq!(
                key.sign_using(RsaBackend::AwsLc, alg, DATA)
                    .expect("aws-lc-rs"),
                key.sign_using(RsaBackend::RustCrypto, alg, DATA)
                    .expect("rsa")
            );
        }
    }

    #[test]
    fn tampering_is_detected() {
        let id = identity();
        for alg in SignatureAlgorithm::ALL {
            let sig = id.key.sign(alg, DATA).expect("signs");
            let mut data = DATA.to_vec();
            data[5] ^= 1;
            let mut bad_sig = sig.clone();
            bad_sig[100] ^= 0x80;
            for backend in RsaBackend::ALL {
                let cert = &id.certificate;
                for (d, s) in [
                    (&data[..], &sig[..]),
                    (DATA, &bad_sig[..]),
                    (DATA, &sig[1..]),
                ] {
                    assert!(matches!(
                        cert.verify_using(backend, alg, d, s),
                        Err(CryptoError::SignatureMismatch)
                    ));
                }
                // Same bytes, but claimed under another hash.
                let other = if alg == SignatureAlgorithm::RsaSha256 {
                    SignatureAlgorithm::RsaSha512
                } else {
                    SignatureAlgorithm::RsaSha256
                };
                assert!(cert.verify_using(backend, other, DATA, &sig).is_err());
            }
        }
    }

    #[test]
    fn another_key_does_not_verify() {
        let sig = other_identity()
            .key
            .sign(SignatureAlgorithm::RsaSha256, DATA)
            .expect("signs");
        for backend in RsaBackend::ALL {
            let err = identity()
                .certificate
                .verify_using(backend, SignatureAlgorithm::RsaSha256, DATA, &sig)
                .expect_err("wrong key");
            assert_eq!(
                err.to_string(),
                "signature value does not verify with this certificate's public key"
            );
        }
        assert!(!identity().certificate.matches_key(&other_identity().key));
        assert!(identity().certificate.matches_key(&identity().key));
    }

    #[test]
    fn legacy_1024_bit_keys_verify() {
        let id = small_identity();
        assert_eq!(id.certificate.public_key_bits(), 1024);
        for alg in SignatureAlgorithm::ALL {
            let sig = id.key.sign(alg, DATA).expect("signs");
            for backend in RsaBackend::ALL {
                id.certificate
                    .verify_using(backend, alg, DATA, &sig)
                    .expect("1024-bit keys are accepted");
            }
        }
    }

    #[test]
    fn keys_under_1024_bits_are_refused() {
        let cert = crate::test_support::tiny_certificate();
        assert_eq!(cert.public_key_bits(), 512);
        for backend in RsaBackend::ALL {
            let err = cert
                .verify_using(backend, SignatureAlgorithm::RsaSha256, DATA, &[0; 64])
                .expect_err("512 bits is refused");
            assert_eq!(
                err.to_string(),
                "RSA key of 512 bits is too small (at least 1024)"
            );
        }
    }

    #[test]
    fn encodings_round_trip() {
        let cert = &identity().certificate;
        assert_eq!(&Certificate::from_der(cert.der()).expect("der"), cert);
        assert_eq!(&Certificate::from_pem(&cert.to_pem()).expect("pem"), cert);
        let b64 = cert.to_base64();
        assert!(!b64.contains(['\n', ' ']));
        assert_eq!(&Certificate::from_base64(&b64).expect("base64"), cert);
        // Another block first, as in a combined key+certificate file.
        let combined = format!("{}{}", identity().key.to_pkcs8_pem(), cert.to_pem());
        assert_eq!(&Certificate::from_pem(&combined).expect("pem"), cert);
    }

    #[test]
    fn base64_with_xml_whitespace() {
        let cert = &identity().certificate;
        let b64 = cert.to_base64();
        let wrapped: String = b64
            .as_bytes()
            .chunks(76)
            .map(|c| format!("\n\t\t  {}\r", String::from_utf8_lossy(c)))
            .collect();
        assert_eq!(&Certificate::from_base64(&wrapped).expect("wrapped"), cert);
        let spaced = b64.replace('A', " A ");
        assert_eq!(&Certificate::from_base64(&spaced).expect("spaced"), cert);
    }

    #[test]
    fn bad_base64_is_an_error_not_a_panic() {
        let b64 = identity().certificate.to_base64();
        let star = format!("{}*{}", &b64[..10], &b64[10..]);
        let err = Certificate::from_base64(&star).expect_err("'*' is not base64");
        assert!(
            err.to_string()
                .starts_with("certificate is not valid base64 DER: ")
        );
        // Non-breaking space is not XML whitespace.
        assert!(Certificate::from_base64(&format!("{b64}\u{a0}")).is_err());
        // Truncated at a 4-character boundary: valid base64, truncated DER.
        let truncated = &b64[..b64.len() / 2 / 4 * 4];
        assert!(matches!(
            Certificate::from_base64(truncated),
            Err(CryptoError::InvalidCertificate(_))
        ));
        // Truncated mid-quantum: invalid base64.
        assert!(matches!(
            Certificate::from_base64(&b64[..b64.len() - 3]),
            Err(CryptoError::CertificateBase64(_))
        ));
        assert!(Certificate::from_base64("").is_err());
        for len in 0..identity().certificate.der().len() {
            assert!(Certificate::from_der(&identity().certificate.der()[..len]).is_err());
        }
    }

    #[test]
    fn corrupted_der_never_panics() {
        let der = identity().certificate.der();
        for i in 0..der.len() {
            for mask in [0x01, 0x80, 0xff] {
                let mut bad = der.to_vec();
                bad[i] ^= mask;
                // Either outcome is fine; reaching the next iteration is the test.
                let _ = Certificate::from_der(&bad);
            }
        }
    }

    #[test]
    fn pem_without_certificate_names_what_it_found() {
        let err = Certificate::from_pem(&identity().key.to_pkcs8_pem()).expect_err("no cert");
        assert_eq!(
            err.to_string(),
            "no PEM block labelled \"CERTIFICATE\" found (found \"PRIVATE KEY\")"
        );
        let err = Certificate::from_pem("").expect_err("empty");
        assert_eq!(
            err.to_string(),
            "no PEM block labelled \"CERTIFICATE\" found (the text contains no PEM blocks)"
        );
    }

    #[test]
    fn non_rsa_certificates_are_refused() {
        let ec = rcgen::generate_simple_self_signed(vec!["ec.example".to_owned()])
            .expect("rcgen makes an ECDSA certificate");
        let err = Certificate::from_der(ec.cert.der()).expect_err("EC is refused");
        assert_eq!(
            err.to_string(),
            "certificate public key is not RSA (algorithm OID 1.2.840.10045.2.1)"
        );
    }

    #[test]
    fn fingerprint_format() {
        let fp = identity().certificate.sha256_fingerprint();
        assert_eq!(fp.len(), 32 * 3 - 1);
        assert!(fp.split(':').all(|h| {
            h.len() == 2
                && h.chars()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        }));
    }

    #[test]
    fn validity_window() {
        let cert = &identity().certificate;
        assert!(cert.is_valid_at(cert.not_before()));
        assert!(cert.is_valid_at(cert.not_after()));
        assert!(!cert.is_valid_at(cert.not_before() - 1));
        assert!(!cert.is_valid_at(cert.not_after() + 1));
    }
}
