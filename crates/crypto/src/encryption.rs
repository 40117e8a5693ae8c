//! RSA key transport for XML Encryption: OAEP (and legacy PKCS#1 v1.5) with the
//! private half of a [`SigningKey`] and the public half of a [`Certificate`],
//! through aws-lc-rs.

use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
    OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, Pkcs1PrivateDecryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey,
};

use crate::{Certificate, CryptoError, SigningKey};

/// The OAEP hash, used both for the label digest and for MGF1 (aws-lc-rs offers
/// only matching pairs; XML Encryption 1.1 §5.5.2 lets them differ, and a
/// mismatched pair is refused by the caller as unsupported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepHash {
    /// SHA-1 with MGF1-SHA1 (`xmlenc#rsa-oaep-mgf1p`, and the 1.1 default).
    Sha1,
    /// SHA-256 with MGF1-SHA256.
    Sha256,
    /// SHA-384 with MGF1-SHA384.
    Sha384,
    /// SHA-512 with MGF1-SHA512.
    Sha512,
}

impl OaepHash {
    fn algorithm(self) -> &'static OaepAlgorithm {
        match self {
            OaepHash::Sha1 => &OAEP_SHA1_MGF1SHA1,
            OaepHash::Sha256 => &OAEP_SHA256_MGF1SHA256,
            OaepHash::Sha384 => &OAEP_SHA384_MGF1SHA384,
            OaepHash::Sha512 => &OAEP_SHA512_MGF1SHA512,
        }
    }
}

impl SigningKey {
    fn decrypting_key(&self) -> Result<PrivateDecryptingKey, CryptoError> {
        let parsed = self.decrypting.get_or_init(|| {
            PrivateDecryptingKey::from_pkcs8(self.pkcs8_der()).map_err(|rejected| {
                format!(
                    "aws-lc-rs cannot decrypt with this {}-bit key ({rejected}); it needs an RSA \
                     key of 2048 to 8192 bits",
                    self.modulus_bits()
                )
            })
        });
        // A clone shares the parsed key (a reference count), it does not re-parse.
        parsed.clone().map_err(CryptoError::Unsupported)
    }

    /// RSA-OAEP decryption with `label` (the `xenc:OAEPparams`, if any).
    ///
    /// Every failure of the decryption itself is the one opaque
    /// [`CryptoError::Decryption`], so that callers cannot become an oracle.
    pub fn oaep_decrypt(
        &self,
        hash: OaepHash,
        ciphertext: &[u8],
        label: Option<&[u8]>,
    ) -> Result<Vec<u8>, CryptoError> {
        let key = OaepPrivateDecryptingKey::new(self.decrypting_key()?)
            .map_err(|_| CryptoError::Decryption)?;
        let mut out = vec![0; key.min_output_size()];
        let len = key
            .decrypt(hash.algorithm(), ciphertext, &mut out, label)
            .map_err(|_| CryptoError::Decryption)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    /// RSA PKCS#1 v1.5 decryption, for legacy key transport only (see the
    /// Bleichenbacher note of XML Encryption 1.1 §5.5.1). Failures are the one
    /// opaque [`CryptoError::Decryption`].
    pub fn pkcs1_v15_decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let key = Pkcs1PrivateDecryptingKey::new(self.decrypting_key()?)
            .map_err(|_| CryptoError::Decryption)?;
        let mut out = vec![0; key.min_output_size()];
        let len = key
            .decrypt(ciphertext, &mut out)
            .map_err(|_| CryptoError::Decryption)?
            .len();
        out.truncate(len);
        Ok(out)
    }
}

impl Certificate {
    /// RSA-OAEP encryption of `plaintext` (a content key) to this certificate's key.
    pub fn oaep_encrypt(
        &self,
        hash: OaepHash,
        plaintext: &[u8],
        label: Option<&[u8]>,
    ) -> Result<Vec<u8>, CryptoError> {
        let public = PublicEncryptingKey::from_der(self.spki_der()).map_err(|rejected| {
            CryptoError::Unsupported(format!(
                "aws-lc-rs cannot encrypt to this {}-bit key ({rejected})",
                self.public_key_bits()
            ))
        })?;
        let key = OaepPublicEncryptingKey::new(public)
            .map_err(|_| CryptoError::Encryption("not an RSA encryption key".into()))?;
        let mut out = vec![0; key.ciphertext_size()];
        let len = key
            .encrypt(hash.algorithm(), plaintext, &mut out, label)
            .map_err(|_| {
                CryptoError::Encryption(format!(
                    "{} bytes do not fit one OAEP block of a {}-bit key",
                    plaintext.len(),
                    self.public_key_bits()
                ))
            })?
            .len();
        out.truncate(len);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{identity, other_identity};

    #[test]
    fn oaep_round_trips_and_refuses_the_wrong_key_alike() {
        for hash in [OaepHash::Sha1, OaepHash::Sha256, OaepHash::Sha512] {
            let ct = identity()
                .certificate
                .oaep_encrypt(hash, &[7; 32], None)
                .expect("encrypts");
            assert_eq!(ct.len(), 256);
            let pt = identity()
                .key
                .oaep_decrypt(hash, &ct, None)
                .expect("decrypts");
            assert_eq!(pt, [7; 32]);
            let wrong = other_identity().key.oaep_decrypt(hash, &ct, None);
            assert!(matches!(wrong, Err(CryptoError::Decryption)));
            let mut bad = ct.clone();
            bad[0] ^= 1;
            let tampered = identity().key.oaep_decrypt(hash, &bad, None);
            assert!(matches!(tampered, Err(CryptoError::Decryption)));
            let short = identity().key.oaep_decrypt(hash, &ct[..10], None);
            assert!(matches!(short, Err(CryptoError::Decryption)));
        }
    }

    #[test]
    fn oaep_label_and_hash_must_match() {
        let cert = &identity().certificate;
        let ct = cert
            .oaep_encrypt(OaepHash::Sha256, b"key", Some(b"label"))
            .expect("encrypts");
        let key = &identity().key;
        assert_eq!(
            key.oaep_decrypt(OaepHash::Sha256, &ct, Some(b"label"))
                .expect("same label"),
            b"key"
        );
        assert!(key.oaep_decrypt(OaepHash::Sha256, &ct, None).is_err());
        assert!(
            key.oaep_decrypt(OaepHash::Sha1, &ct, Some(b"label"))
                .is_err()
        );
    }
}
