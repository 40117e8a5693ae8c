//! A small, lenient PEM (RFC 7468) reader and writer.
//!
//! Hand-rolled rather than taken from the `der`/`pem-rfc7468` crates because
//! those accept exactly one block with nothing around it, while real key and
//! certificate files often hold several blocks (key + certificate, a chain)
//! and explanatory text (`openssl x509 -text` output, "Bag Attributes").

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::CryptoError;

/// One `-----BEGIN label-----` … `-----END label-----` block, not yet decoded.
#[derive(Debug)]
pub(crate) struct PemBlock<'a> {
    pub(crate) label: &'a str,
    /// RFC 1421 headers such as `Proc-Type: 4,ENCRYPTED` (legacy OpenSSL
    /// encryption of "RSA PRIVATE KEY" blocks).
    pub(crate) headers: Vec<&'a str>,
    body: Vec<&'a str>,
}

impl PemBlock<'_> {
    /// Whether the block uses OpenSSL's legacy header-based encryption.
    pub(crate) fn is_encrypted(&self) -> bool {
        self.headers
            .iter()
            .any(|h| h.starts_with("Proc-Type:") && h.contains("ENCRYPTED"))
    }

    /// Decodes the base64 body.
    pub(crate) fn decode(&self) -> Result<Vec<u8>, CryptoError> {
        let text: String = self
            .body
            .iter()
            .flat_map(|line| line.chars())
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        STANDARD.decode(text).map_err(|e| {
            CryptoError::Pem(format!(
                "block labelled \"{}\" is not valid base64: {e}",
                self.label
            ))
        })
    }
}

/// Splits `text` into its PEM blocks, in order. Text outside blocks is ignored.
pub(crate) fn parse(text: &str) -> Result<Vec<PemBlock<'_>>, CryptoError> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = boundary(line, "BEGIN") else {
            continue;
        };
        let mut headers = Vec::new();
        let mut body = Vec::new();
        let mut closed = false;
        for line in lines.by_ref() {
            if let Some(end_label) = boundary(line, "END") {
                if end_label != label {
                    return Err(CryptoError::Pem(format!(
                        "block \"{label}\" is closed by an END line for \"{end_label}\""
                    )));
                }
                closed = true;
                break;
            }
            if boundary(line, "BEGIN").is_some() {
                break;
            }
            // Base64 never contains ':', so such a line can only be a header.
            if line.contains(':') {
                headers.push(line);
            } else {
                body.push(line);
            }
        }
        if !closed {
            return Err(CryptoError::Pem(format!(
                "block \"{label}\" has no \"-----END {label}-----\" line"
            )));
        }
        blocks.push(PemBlock {
            label,
            headers,
            body,
        });
    }
    Ok(blocks)
}

/// `-----BEGIN LABEL-----` → `Some("LABEL")` when `kind` is "BEGIN".
fn boundary<'a>(line: &'a str, kind: &str) -> Option<&'a str> {
    line.strip_prefix("-----")?
        .strip_prefix(kind)?
        .strip_prefix(' ')?
        .strip_suffix("-----")
}

/// Encodes `der` as one PEM block with 64-character lines, as OpenSSL writes it.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    // Base64 output is ASCII, so splitting bytes never splits a character.
    for chunk in b64.as_bytes().chunks(64) {
        out.extend(chunk.iter().map(|&b| char::from(b)));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_surrounding_text() {
        let der: Vec<u8> = (0..=255u8).collect();
        let pem = encode("CERTIFICATE", &der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        let text = format!(
            "Bag Attributes\n  friendlyName: x\n{pem}\r\n{}",
            encode("X", b"hi")
        );
        let blocks = parse(&text).expect("parses");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(blocks[0].decode().expect("decodes"), der);
        assert_eq!(blocks[1].label, "X");
        assert_eq!(blocks[1].decode().expect("decodes"), b"hi");
    }

    #[test]
    fn malformed_blocks_are_errors() {
        assert!(parse("-----BEGIN A-----\nAAAA\n").is_err());
        assert!(parse("-----BEGIN A-----\nAAAA\n-----END B-----\n").is_err());
        let blocks = parse("-----BEGIN A-----\nA*AA\n-----END A-----\n").expect("parses");
        assert!(matches!(blocks[0].decode(), Err(CryptoError::Pem(_))));
        assert!(parse("no pem here").expect("parses").is_empty());
    }

    #[test]
    fn legacy_encryption_headers_are_detected() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let blocks = parse(text).expect("parses");
        assert!(blocks[0].is_encrypted());
        assert_eq!(blocks[0].decode().expect("decodes"), [0, 0, 0]);
    }
}
