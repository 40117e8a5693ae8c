//! One function per command. Errors carry the file or step they came from.

mod bench;
pub mod connect;
pub mod flows;
pub mod idp;
pub mod scenarios;
mod soak;
mod up;

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use samlsim_crypto::{
    Certificate, IdentityParams, SignatureAlgorithm, SigningKey, generate_identity,
};
use samlsim_dsig::{VerifyOptions, sign_enveloped, verify_every_signature};
use samlsim_saml::binding::{self, Limits};
use samlsim_saml::signature::sign_options;
use samlsim_xml::{Document, NodeId, parse_bytes, to_pretty_xml, to_xml};

pub use bench::bench;
pub use soak::{SoakArgs, soak};
pub use up::{UpArgs, clock, config_check, config_print, up};

pub fn certs_new(out: &Path, common_name: &str, days: u32, force: bool) -> Result<ExitCode> {
    let key_path = out.join("key.pem");
    let cert_path = out.join("cert.pem");
    for path in [&key_path, &cert_path] {
        if path.exists() && !force {
            bail!(
                "{} already exists (use --force to replace it)",
                path.display()
            );
        }
    }
    let now = unix_now()?;
    let identity = generate_identity(&IdentityParams {
        common_name,
        not_before: now,
        not_after: now + i64::from(days) * 86_400,
        key_bits: 2048,
    })?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    samlsim_emulator::data::write_private(&key_path, &identity.key.to_pkcs8_pem())?;
    std::fs::write(&cert_path, identity.certificate.to_pem())
        .with_context(|| format!("writing {}", cert_path.display()))?;
    println!("wrote {} and {}", key_path.display(), cert_path.display());
    println!("subject      {}", identity.certificate.subject());
    println!(
        "fingerprint  SHA-256 {}",
        identity.certificate.sha256_fingerprint()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn sign(
    key: &Path,
    cert: &Path,
    id: Option<&str>,
    sha1: bool,
    file: &Path,
) -> Result<ExitCode> {
    let key = SigningKey::from_pem(&read_text(key)?)
        .with_context(|| format!("reading key {}", key.display()))?;
    let certificate = read_certificate(cert)?;
    if !certificate.matches_key(&key) {
        bail!("{} is not the certificate of this key", cert.display());
    }
    let input = read_input(file)?;
    let mut doc = parse_bytes(&input).with_context(|| format!("parsing {}", file.display()))?;
    let element = match id {
        Some(id) => find_by_id(&doc, id).with_context(|| format!("no element has ID=\"{id}\""))?,
        None => doc
            .root_element()
            .context("the document has no root element")?,
    };
    let algorithm = if sha1 {
        SignatureAlgorithm::RsaSha1
    } else {
        SignatureAlgorithm::RsaSha256
    };
    sign_enveloped(
        &mut doc,
        element,
        &key,
        Some(&certificate),
        &sign_options(algorithm),
    )?;
    println!("{}", to_xml(&doc, doc.document_node()));
    Ok(ExitCode::SUCCESS)
}

pub fn verify(
    certs: &[impl AsRef<Path>],
    show: bool,
    xmldsig_only: bool,
    file: &Path,
) -> Result<ExitCode> {
    let trusted = certs
        .iter()
        .map(|c| read_certificate(c.as_ref()))
        .collect::<Result<Vec<_>>>()?;
    let doc = decode_document(file)?;
    let results = verify_every_signature(&doc, &trusted, &VerifyOptions::default());
    if results.is_empty() {
        println!("FAIL  no ds:Signature anywhere in the document: nothing is signed");
        return Ok(ExitCode::FAILURE);
    }
    let mut failed = false;
    let mut covered = Vec::new();
    for (element, result) in results {
        let name = describe(&doc, element);
        match result {
            Ok(verified) => {
                covered.push(element);
                println!(
                    "ok    {name}: {} with {} digests, signed by {} (SHA-256 fingerprint {})",
                    verified.signature_algorithm.name(),
                    verified.digest_algorithm.name(),
                    verified.certificate.subject(),
                    verified.certificate.sha256_fingerprint(),
                );
                if show {
                    println!("{}", to_pretty_xml(&verified.document, verified.element()));
                }
            }
            Err(error) => {
                failed = true;
                println!("FAIL  {name}: {error}");
            }
        }
    }
    // Once every signature verifies: a bad one already fails the document.
    if !xmldsig_only && !failed {
        for (rule, message) in saml_response_checks(&doc, &covered) {
            failed = true;
            println!("FAIL  SAML rule {rule}: {message}");
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

/// What a SAML consumer needs beyond valid signatures, for a `samlp:Response`:
/// signatures that each verify prove nothing about an Assertion no verified
/// signature covers, which is how signature wrapping (XSW) forges one beside,
/// around or outside the signed one. Each finding is (rule, message):
///
/// - `saml-several-assertions`: the document holds more than one Assertion
///   (clear or encrypted) anywhere; consumers that take "the" assertion differ
///   in which one they read;
/// - `saml-assertion-misplaced`: the Assertion is not a child of the Response
///   root, where a SAML consumer reads it (SAML core 3.3.3);
/// - `saml-assertion-unsigned`: an Assertion is within no verified node-set
///   (neither signed itself nor inside a verified signed Response).
fn saml_response_checks(doc: &Document, covered: &[NodeId]) -> Vec<(&'static str, String)> {
    let Some(root) = doc.root_element() else {
        return Vec::new();
    };
    if !doc.is_element(root, PROTOCOL_NS, "Response") {
        return Vec::new();
    }
    let assertions: Vec<NodeId> = doc
        .descendants(root)
        .filter(|&n| {
            doc.is_element(n, ASSERTION_NS, "Assertion")
                || doc.is_element(n, ASSERTION_NS, "EncryptedAssertion")
        })
        .collect();
    let mut findings = Vec::new();
    if assertions.len() > 1 {
        let ids: Vec<String> = assertions.iter().map(|&a| describe(doc, a)).collect();
        findings.push((
            "saml-several-assertions",
            format!(
                "the Response holds {} assertions ({}); a Response for Web Browser SSO carries one, and consumers differ in which they read",
                assertions.len(),
                ids.join(", ")
            ),
        ));
    }
    let within = |node: NodeId| {
        let mut at = Some(node);
        while let Some(n) = at {
            if covered.contains(&n) {
                return true;
            }
            at = doc.parent(n);
        }
        false
    };
    for &assertion in &assertions {
        let name = describe(doc, assertion);
        if doc.parent(assertion) != Some(root) {
            findings.push((
                "saml-assertion-misplaced",
                format!(
                    "{name} is not a child of the Response root, where a SAML consumer reads it (SAML core 3.3.3)"
                ),
            ));
        }
        if doc.is_element(assertion, ASSERTION_NS, "Assertion") && !within(assertion) {
            findings.push((
                "saml-assertion-unsigned",
                format!(
                    "{name} is within no verified signature: its claims are not the IdP's (signature wrapping?)"
                ),
            ));
        }
    }
    findings
}

pub fn decode(file: &Path, key: Option<&Path>, allow_rsa_1_5: bool) -> Result<ExitCode> {
    let mut doc = decode_document(file)?;
    if let Some(key) = key {
        decrypt_assertions(&mut doc, key, allow_rsa_1_5, file)?;
    }
    print!("{}", to_pretty_xml(&doc, doc.document_node()));
    Ok(ExitCode::SUCCESS)
}

pub fn encrypt(cert: &Path, algorithm: &str, key_transport: &str, file: &Path) -> Result<ExitCode> {
    let certificate = read_certificate(cert)?;
    let options = samlsim_xenc::EncryptOptions {
        block_cipher: samlsim_xenc::BlockCipher::from_name(algorithm)
            .with_context(|| format!("unknown block cipher {algorithm}"))?,
        key_transport: samlsim_xenc::KeyTransport::from_name(key_transport)
            .with_context(|| format!("unknown key transport {key_transport}"))?,
    };
    let input = read_input(file)?;
    let mut doc = parse_bytes(&input).with_context(|| format!("parsing {}", file.display()))?;
    let assertion = doc
        .descendants(doc.document_node())
        .find(|&n| doc.is_element(n, samlsim_xenc::SAML_NS, "Assertion"))
        .with_context(|| format!("{} holds no saml:Assertion to encrypt", file.display()))?;
    samlsim_xenc::encrypt_assertion(&mut doc, assertion, &certificate, &options)
        .with_context(|| format!("encrypting the assertion of {}", file.display()))?;
    println!("{}", to_xml(&doc, doc.document_node()));
    Ok(ExitCode::SUCCESS)
}

pub fn decrypt(key: &Path, allow_rsa_1_5: bool, file: &Path) -> Result<ExitCode> {
    let mut doc = decode_document(file)?;
    decrypt_assertions(&mut doc, key, allow_rsa_1_5, file)?;
    println!("{}", to_xml(&doc, doc.document_node()));
    Ok(ExitCode::SUCCESS)
}

/// Replaces every saml:EncryptedAssertion of `doc` with its decryption, for display.
fn decrypt_assertions(
    doc: &mut Document,
    key: &Path,
    allow_rsa_1_5: bool,
    file: &Path,
) -> Result<()> {
    let key = SigningKey::from_pem(&read_text(key)?)
        .with_context(|| format!("reading key {}", key.display()))?;
    let options = samlsim_xenc::DecryptOptions {
        allow_rsa_1_5,
        ..Default::default()
    };
    let encrypted: Vec<NodeId> = doc
        .descendants(doc.document_node())
        .filter(|&n| doc.is_element(n, samlsim_xenc::SAML_NS, "EncryptedAssertion"))
        .collect();
    if encrypted.is_empty() {
        bail!(
            "{} holds no saml:EncryptedAssertion to decrypt",
            file.display()
        );
    }
    for (i, node) in encrypted.into_iter().enumerate() {
        let assertion =
            samlsim_xenc::decrypt_assertion(doc, node, &key, &options).with_context(|| {
                format!(
                    "decrypting EncryptedAssertion #{} of {}",
                    i + 1,
                    file.display()
                )
            })?;
        samlsim_xenc::replace_with_decrypted(doc, node, &assertion);
    }
    Ok(())
}

/// Whatever a user pastes: raw XML, a POST value, a Redirect value or query string.
fn decode_document(file: &Path) -> Result<Document<'static>> {
    let input = read_input(file)?;
    let text = std::str::from_utf8(&input).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (invalid byte at offset {}): SAML messages, their base64 and query strings are UTF-8",
            file.display(),
            e.valid_up_to()
        )
    })?;
    let (encoding, xml) = binding::decode_any(text, &Limits::default())
        .with_context(|| format!("decoding {}", file.display()))?;
    // The decoded XML is this function's.
    Ok(parse_bytes(&xml)
        .with_context(|| format!("parsing the XML ({encoding}) from {}", file.display()))?
        .into_owned())
}

fn find_by_id(doc: &Document, id: &str) -> Option<NodeId> {
    doc.descendants(doc.document_node())
        .find(|&n| doc.element(n).and_then(|e| e.attribute("ID")) == Some(id))
}

fn describe(doc: &Document, element: NodeId) -> String {
    match doc.element(element) {
        Some(e) => match e.attribute("ID") {
            Some(id) => format!("<{} ID=\"{id}\">", e.qualified_name()),
            None => format!("<{}>", e.qualified_name()),
        },
        None => "?".into(),
    }
}

fn read_certificate(path: &Path) -> Result<Certificate> {
    Certificate::from_pem(&read_text(path)?)
        .with_context(|| format!("reading certificate {}", path.display()))
}

fn read_text(path: &Path) -> Result<String> {
    String::from_utf8(read_input(path)?)
        .with_context(|| format!("{} is not UTF-8 text", path.display()))
}

/// The most any input file is read: far above a SAML message (the emulator takes
/// bodies of 1 MiB), far below what would exhaust memory (`verify /dev/zero`).
const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

fn read_input(path: &Path) -> Result<Vec<u8>> {
    let (name, reader): (String, Box<dyn Read>) = if path.as_os_str() == "-" {
        ("standard input".into(), Box::new(std::io::stdin()))
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
        (path.display().to_string(), Box::new(file))
    };
    let mut buf = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)
        .with_context(|| format!("reading {name}"))?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        bail!(
            "{name} is larger than {} MiB: not a SAML message (is it the right file?)",
            MAX_INPUT_BYTES / (1024 * 1024)
        );
    }
    Ok(buf)
}

/// The wall clock, read here at the edge and passed into the libraries.
fn unix_now() -> Result<i64> {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970")?;
    Ok(i64::try_from(since.as_secs()).unwrap_or(i64::MAX))
}
