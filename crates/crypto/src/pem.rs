//! PEM (RFC 7468) through the `pem` crate, which, unlike `pem-rfc7468`, reads
//! every block of a file and skips the text around them: real key and certificate
//! files hold several blocks (key + certificate, a chain) and explanatory text
//! (`openssl x509 -text` output, "Bag Attributes").
//!
//! Reading block by block rather than with `pem::parse_many` is what lets an error
//! name its block, and lets a block with no END line be an error: `parse_many`
//! stops quietly at the first block it cannot frame.

use pem::{EncodeConfig, LineEnding, Pem, PemError};

use crate::CryptoError;

const BEGIN: &str = "-----BEGIN ";

/// One decoded block.
#[derive(Debug)]
pub(crate) struct PemBlock(Pem);

impl PemBlock {
    pub(crate) fn label(&self) -> &str {
        self.0.tag()
    }

    /// Whether the block uses OpenSSL's legacy header-based encryption
    /// (`Proc-Type: 4,ENCRYPTED` in an "RSA PRIVATE KEY" block).
    pub(crate) fn is_encrypted(&self) -> bool {
        self.0
            .headers()
            .get("Proc-Type")
            .is_some_and(|v| v.contains("ENCRYPTED"))
    }

    pub(crate) fn der(&self) -> &[u8] {
        self.0.contents()
    }
}

/// Every PEM block of `text`, in order. Text outside blocks is ignored.
pub(crate) fn parse(text: &str) -> Result<Vec<PemBlock>, CryptoError> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let block_text = &rest[start..];
        let label = block_text[BEGIN.len()..]
            .split("-----")
            .next()
            .unwrap_or_default();
        let pem = pem::parse(block_text).map_err(|e| {
            CryptoError::Pem(match e {
                PemError::MalformedFraming | PemError::MissingEndTag => {
                    format!("block \"{label}\" has no \"-----END {label}-----\" line")
                }
                PemError::MismatchedTags(_, end) => {
                    format!("block \"{label}\" is closed by an END line for \"{end}\"")
                }
                PemError::InvalidData(e) => {
                    format!("block labelled \"{label}\" is not valid base64: {e}")
                }
                other => format!("block \"{label}\": {other}"),
            })
        })?;
        let end = format!("-----END {label}-----");
        // pem::parse found this END line, so the search cannot fail.
        let consumed = block_text
            .find(&end)
            .map_or(block_text.len(), |i| i + end.len());
        rest = &block_text[consumed..];
        blocks.push(PemBlock(pem));
    }
    Ok(blocks)
}

/// Encodes `der` as one PEM block with 64-character lines and `\n` line ends, as
/// OpenSSL writes it (the `pem` crate's default is `\r\n`).
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    pem::encode_config(
        &Pem::new(label, der),
        EncodeConfig::new().set_line_ending(LineEnding::LF),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_surrounding_text() {
        let der: Vec<u8> = (0..=255u8).collect();
        let pem = encode("CERTIFICATE", &der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(pem.ends_with("\n-----END CERTIFICATE-----\n"));
        assert!(!pem.contains('\r'));
        let text = format!(
            "Bag Attributes\n  friendlyName: x\n{pem}\r\n{}",
            encode("X", b"hi")
        );
        let blocks = parse(&text).expect("parses");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label(), "CERTIFICATE");
        assert_eq!(blocks[0].der(), der);
        assert_eq!(blocks[1].label(), "X");
        assert_eq!(blocks[1].der(), b"hi");
    }

    #[test]
    fn malformed_blocks_are_errors() {
        let message = |text: &str| parse(text).expect_err(text).to_string();
        assert_eq!(
            message("-----BEGIN A-----\nAAAA\n"),
            "malformed PEM: block \"A\" has no \"-----END A-----\" line"
        );
        assert_eq!(
            message("-----BEGIN A-----\nAAAA\n-----END B-----\n"),
            "malformed PEM: block \"A\" is closed by an END line for \"B\""
        );
        // A block after a good one is read too, and its faults named.
        let good = encode("OK", b"fine");
        assert!(
            message(&format!("{good}-----BEGIN C-----\nAAAA\n")).contains("block \"C\" has no")
        );
        // Bad base64 is a PEM error naming the block.
        let err = parse("-----BEGIN A-----\nA*AA\n-----END A-----\n").expect_err("not base64");
        assert!(matches!(err, CryptoError::Pem(_)));
        assert!(
            err.to_string()
                .contains("block labelled \"A\" is not valid base64"),
            "{err}"
        );
        assert!(parse("no pem here").expect("parses").is_empty());
    }

    #[test]
    fn legacy_encryption_headers_are_detected() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let blocks = parse(text).expect("parses");
        assert!(blocks[0].is_encrypted());
        assert_eq!(blocks[0].der(), [0, 0, 0]);
    }
}
