//! The XML-DSig digest and signature algorithms this crate implements.

use std::fmt;

use sha1::Sha1;
use sha2::{Digest as _, Sha256, Sha512};

/// A digest algorithm usable in `ds:DigestMethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// SHA-1, `http://www.w3.org/2000/09/xmldsig#sha1` (legacy, still seen in the wild).
    Sha1,
    /// SHA-256, `http://www.w3.org/2001/04/xmlenc#sha256`.
    Sha256,
    /// SHA-512, `http://www.w3.org/2001/04/xmlenc#sha512`.
    Sha512,
}

impl DigestAlgorithm {
    /// Every supported digest algorithm.
    pub const ALL: [Self; 3] = [Self::Sha1, Self::Sha256, Self::Sha512];

    /// Looks up the algorithm named by a `ds:DigestMethod/@Algorithm` URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.uri() == uri)
    }

    /// The algorithm's XML-DSig / XML-Enc URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            Self::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            Self::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    /// A human-readable name: "SHA-1", "SHA-256" or "SHA-512".
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha512 => "SHA-512",
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An RSA PKCS#1 v1.5 signature algorithm usable in `ds:SignatureMethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSA-SHA1, `http://www.w3.org/2000/09/xmldsig#rsa-sha1` (legacy).
    RsaSha1,
    /// RSA-SHA256, `http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`.
    RsaSha256,
    /// RSA-SHA512, `http://www.w3.org/2001/04/xmldsig-more#rsa-sha512`.
    RsaSha512,
}

impl SignatureAlgorithm {
    /// Every supported signature algorithm.
    pub const ALL: [Self; 3] = [Self::RsaSha1, Self::RsaSha256, Self::RsaSha512];

    /// Looks up the algorithm named by a `ds:SignatureMethod/@Algorithm` URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.uri() == uri)
    }

    /// The algorithm's XML-DSig URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            Self::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            Self::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        }
    }

    /// A human-readable name: "RSA-SHA1", "RSA-SHA256" or "RSA-SHA512".
    pub fn name(self) -> &'static str {
        match self {
            Self::RsaSha1 => "RSA-SHA1",
            Self::RsaSha256 => "RSA-SHA256",
            Self::RsaSha512 => "RSA-SHA512",
        }
    }

    /// The digest algorithm the signature is computed over.
    pub fn digest_algorithm(self) -> DigestAlgorithm {
        match self {
            Self::RsaSha1 => DigestAlgorithm::Sha1,
            Self::RsaSha256 => DigestAlgorithm::Sha256,
            Self::RsaSha512 => DigestAlgorithm::Sha512,
        }
    }
}

// Backend-specific parameters, kept next to the enum so that adding an
// algorithm is one edit.
impl SignatureAlgorithm {
    /// The `rsa` crate's PKCS#1 v1.5 scheme (DigestInfo prefix) for this algorithm.
    pub(crate) fn rsa_crate_scheme(self) -> rsa::Pkcs1v15Sign {
        match self {
            Self::RsaSha1 => rsa::Pkcs1v15Sign::new::<Sha1>(),
            Self::RsaSha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
            Self::RsaSha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
        }
    }

    /// aws-lc-rs's verification parameters. The legacy sets are the only ones
    /// that take 1024-bit keys, which AWS still accepts from IdPs.
    pub(crate) fn verification_parameters(self) -> &'static aws_lc_rs::signature::RsaParameters {
        use aws_lc_rs::signature as rs;
        match self {
            Self::RsaSha1 => &rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            Self::RsaSha256 => &rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            Self::RsaSha512 => &rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which RSA implementation performs a signing or verifying operation.
///
/// Normal callers use [`crate::SigningKey::sign`] and
/// [`crate::Certificate::verify`], which pick the right one; this exists so
/// the benchmark can compare the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RsaBackend {
    /// `aws-lc-rs` (assembly-optimised; the default for everything it supports).
    #[default]
    AwsLc,
    /// The pure-Rust `rsa` crate.
    RustCrypto,
}

impl RsaBackend {
    /// Both backends.
    pub const ALL: [Self; 2] = [Self::AwsLc, Self::RustCrypto];

    /// A short name for reports: "aws-lc-rs" or "RustCrypto".
    pub fn name(self) -> &'static str {
        match self {
            Self::AwsLc => "aws-lc-rs",
            Self::RustCrypto => "RustCrypto",
        }
    }
}

impl fmt::Display for RsaBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        for alg in DigestAlgorithm::ALL {
            assert_eq!(DigestAlgorithm::from_uri(alg.uri()), Some(alg));
        }
        for alg in SignatureAlgorithm::ALL {
            assert_eq!(SignatureAlgorithm::from_uri(alg.uri()), Some(alg));
        }
        assert_eq!(
            DigestAlgorithm::from_uri("http://www.w3.org/2001/04/xmlenc#sha384"),
            None
        );
        assert_eq!(SignatureAlgorithm::from_uri(""), None);
        assert_eq!(
            SignatureAlgorithm::RsaSha512.digest_algorithm(),
            DigestAlgorithm::Sha512
        );
        assert_eq!(SignatureAlgorithm::RsaSha1.to_string(), "RSA-SHA1");
        assert_eq!(DigestAlgorithm::Sha256.to_string(), "SHA-256");
    }

    #[test]
    fn digests_match_known_answers() {
        let hex = |b: Vec<u8>| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(
            hex(DigestAlgorithm::Sha1.digest(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(DigestAlgorithm::Sha256.digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(DigestAlgorithm::Sha512.digest(b"abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }
}
