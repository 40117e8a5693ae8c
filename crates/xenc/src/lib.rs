//! XML Encryption 1.1 (W3C xmlenc-core1, <https://www.w3.org/TR/xmlenc-core1/>) as
//! SAML uses it (SAML core §2.3.4 `EncryptedAssertion`, §6.1).
//!
//! [`encrypt_assertion`] replaces a `saml:Assertion` with a `saml:EncryptedAssertion`
//! holding one `xenc:EncryptedData` (`Type` `#Element`) whose content key travels in
//! `ds:KeyInfo/xenc:EncryptedKey`, RSA-OAEP-encrypted to the recipient's certificate:
//! the layout Shibboleth, pysaml2, python3-saml and xmlsec1 produce and accept.
//!
//! [`decrypt_assertion`] (and [`decrypt_element`]) take the `EncryptedData` apart
//! strictly and hand back the decrypted element as a **new** [`Document`], parsed by
//! the same strict parser under the same limits. Nothing else of the message comes
//! with it: signature verification then runs on that element, so what is read is what
//! was signed inside what was decrypted.
//!
//! Supported: AES-128/256-GCM (`xmlenc11#aes128-gcm`, `#aes256-gcm`: 12-byte IV
//! first, 128-bit tag last, §5.2.4) and AES-128/256-CBC (`xmlenc#aes128-cbc`,
//! `#aes256-cbc`, §5.2.2) for content; RSA-OAEP for key transport
//! (`xmlenc#rsa-oaep-mgf1p`, and `xmlenc11#rsa-oaep` with matching `ds:DigestMethod`
//! and `xenc11:MGF`, §5.5.2). RSA PKCS#1 v1.5 (`xmlenc#rsa-1_5`) is refused unless
//! [`DecryptOptions::allow_rsa_1_5`] is set. All primitives are aws-lc-rs's.
//!
//! # Oracles
//!
//! Two published attacks turn a decryptor's error messages into a decryption
//! oracle: Bleichenbacher's on RSA PKCS#1 v1.5 (and Manger's on OAEP) and Jager and
//! Somorovsky's on CBC ("How To Break XML Encryption", CCS 2011). So every failure of
//! RSA key unwrapping is the one [`XencError::WrongKey`], and every failure after CBC
//! decryption — padding, UTF-8, XML — is the one [`XencError::BadCbcPadding`]. With
//! legacy PKCS#1 v1.5 opted in, a failed unwrap yields a random content key instead
//! of an error (the countermeasure xmlenc-core1 §5.5.1 and TLS use), so the failure
//! surfaces, indistinguishably, at content decryption. CBC has no integrity: a caller
//! that answers differently after decryption (for instance a signature error) still
//! differs, so services should prefer GCM and answer every failure of an encrypted
//! assertion with one refusal.

mod error;

use aws_lc_rs::aead::{AES_128_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher::{
    AES_128, AES_256, DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext,
    UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rand::SystemRandom;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlsim_crypto::{Certificate, CryptoError, OaepHash, SigningKey};
use samlsim_xml::parse::parse_with;
use samlsim_xml::{Document, Element, Limits, NodeId, NodeKind, to_xml};

pub use error::XencError;

/// `http://www.w3.org/2001/04/xmlenc#`
pub const XENC_NS: &str = "http://www.w3.org/2001/04/xmlenc#";
/// `http://www.w3.org/2009/xmlenc11#`
pub const XENC11_NS: &str = "http://www.w3.org/2009/xmlenc11#";
/// `http://www.w3.org/2000/09/xmldsig#`
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The SAML 2.0 assertion namespace.
pub const SAML_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// `EncryptedData/@Type` for an encrypted element (xmlenc-core1 §3.1, SAML core §6.1).
pub const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";
/// `xmlenc#rsa-1_5`: RSA PKCS#1 v1.5 key transport, refused by default.
pub const RSA_1_5: &str = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";

const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";
const MGF1_SHA1: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha1";
const MGF1_SHA256: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha256";
const MGF1_SHA384: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha384";
const MGF1_SHA512: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha512";

const BLOCK_CIPHERS: &str = "aes128-gcm, aes256-gcm, aes128-cbc, aes256-cbc";
const KEY_TRANSPORTS: &str = "rsa-oaep-mgf1p, rsa-oaep (rsa-1_5 only when opted in)";

/// The block cipher that encrypts the element (xmlenc-core1 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockCipher {
    Aes128Cbc,
    Aes256Cbc,
    Aes128Gcm,
    Aes256Gcm,
}

impl BlockCipher {
    pub const ALL: [BlockCipher; 4] = [
        BlockCipher::Aes128Cbc,
        BlockCipher::Aes256Cbc,
        BlockCipher::Aes128Gcm,
        BlockCipher::Aes256Gcm,
    ];

    pub fn uri(self) -> &'static str {
        match self {
            BlockCipher::Aes128Cbc => "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
            BlockCipher::Aes256Cbc => "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
            BlockCipher::Aes128Gcm => "http://www.w3.org/2009/xmlenc11#aes128-gcm",
            BlockCipher::Aes256Gcm => "http://www.w3.org/2009/xmlenc11#aes256-gcm",
        }
    }

    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.uri() == uri)
    }

    /// The short name, as in the URI's fragment (`aes256-gcm`).
    pub fn name(self) -> &'static str {
        match self {
            BlockCipher::Aes128Cbc => "aes128-cbc",
            BlockCipher::Aes256Cbc => "aes256-cbc",
            BlockCipher::Aes128Gcm => "aes128-gcm",
            BlockCipher::Aes256Gcm => "aes256-gcm",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The content key's length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            BlockCipher::Aes128Cbc | BlockCipher::Aes128Gcm => 16,
            BlockCipher::Aes256Cbc | BlockCipher::Aes256Gcm => 32,
        }
    }

    fn is_gcm(self) -> bool {
        matches!(self, BlockCipher::Aes128Gcm | BlockCipher::Aes256Gcm)
    }
}

/// How the content key is encrypted to the recipient (xmlenc-core1 §5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyTransport {
    /// `xmlenc#rsa-oaep-mgf1p`: OAEP with SHA-1 and MGF1-SHA1, what most SAML SPs accept.
    RsaOaepMgf1p,
    /// `xmlenc11#rsa-oaep` with `ds:DigestMethod` SHA-256 and `xenc11:MGF` MGF1-SHA256.
    RsaOaep,
}

impl KeyTransport {
    pub const ALL: [KeyTransport; 2] = [KeyTransport::RsaOaepMgf1p, KeyTransport::RsaOaep];

    pub fn uri(self) -> &'static str {
        match self {
            KeyTransport::RsaOaepMgf1p => "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
            KeyTransport::RsaOaep => "http://www.w3.org/2009/xmlenc11#rsa-oaep",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            KeyTransport::RsaOaepMgf1p => "rsa-oaep-mgf1p",
            KeyTransport::RsaOaep => "rsa-oaep",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// How to encrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptOptions {
    pub block_cipher: BlockCipher,
    pub key_transport: KeyTransport,
}

impl Default for EncryptOptions {
    /// AES-256-GCM with RSA-OAEP (SHA-1/MGF1-SHA1, the `mgf1p` URI every SAML stack knows).
    fn default() -> Self {
        EncryptOptions {
            block_cipher: BlockCipher::Aes256Gcm,
            key_transport: KeyTransport::RsaOaepMgf1p,
        }
    }
}

/// How to decrypt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecryptOptions {
    /// Accept RSA PKCS#1 v1.5 key transport (`xmlenc#rsa-1_5`), for legacy IdPs
    /// only: see [`XencError::Rsa15Refused`].
    pub allow_rsa_1_5: bool,
    /// The parser's limits for the decrypted element.
    pub limits: Limits,
}

/// Where content keys and IVs come from: [`SystemRandom`] in production, anything
/// in tests that want known keys. (OAEP's own randomness stays inside aws-lc.)
pub trait Random {
    fn fill(&self, dest: &mut [u8]) -> Result<(), XencError>;
}

impl Random for SystemRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), XencError> {
        aws_lc_rs::rand::SecureRandom::fill(self, dest).map_err(|_| XencError::Random)
    }
}

/// Replaces the `saml:Assertion` `assertion` with a `saml:EncryptedAssertion`
/// holding it encrypted to `recipient`. Returns the `EncryptedAssertion`.
pub fn encrypt_assertion(
    doc: &mut Document,
    assertion: NodeId,
    recipient: &Certificate,
    options: &EncryptOptions,
) -> Result<NodeId, XencError> {
    encrypt_assertion_with(doc, assertion, recipient, options, &SystemRandom::new())
}

/// [`encrypt_assertion`] with the content key and IV drawn from `random`.
pub fn encrypt_assertion_with(
    doc: &mut Document,
    assertion: NodeId,
    recipient: &Certificate,
    options: &EncryptOptions,
    random: &dyn Random,
) -> Result<NodeId, XencError> {
    let element = doc.element(assertion).ok_or(XencError::NotAnAssertion {
        action: "encrypt",
        found: "not an element".into(),
    })?;
    if !element.is(SAML_NS, "Assertion") {
        return Err(XencError::NotAnAssertion {
            action: "encrypt",
            found: element.qualified_name(),
        });
    }
    let prefix = element.prefix.clone();
    let parent = doc.parent(assertion).ok_or(XencError::NotAnAssertion {
        action: "encrypt",
        found: "the document node".into(),
    })?;
    let encrypted_data = encrypt_element_with(doc, assertion, recipient, options, random)?;
    let mut wrapper = Element::new(prefix.as_deref(), "EncryptedAssertion", Some(SAML_NS));
    if doc.lookup_namespace(parent, prefix.as_deref()) != Some(SAML_NS) {
        wrapper = wrapper.declare_namespace(prefix.as_deref(), SAML_NS);
    }
    let index = doc
        .children(parent)
        .iter()
        .position(|&c| c == assertion)
        .unwrap_or(usize::MAX);
    doc.detach(assertion);
    let wrapper = doc.create(NodeKind::Element(wrapper));
    doc.insert_child(parent, index, wrapper);
    doc.append_child(wrapper, encrypted_data);
    Ok(wrapper)
}

/// Encrypts `element` (with every namespace in scope declared on it, so that it
/// means the same on its own) into a new, detached `xenc:EncryptedData` of `Type`
/// `#Element`; the caller puts it where the element was.
pub fn encrypt_element_with(
    doc: &mut Document,
    element: NodeId,
    recipient: &Certificate,
    options: &EncryptOptions,
    random: &dyn Random,
) -> Result<NodeId, XencError> {
    let standalone = doc.extract(element, None, true);
    let root = standalone
        .root_element()
        .ok_or_else(|| XencError::Plaintext("nothing to encrypt".into()))?;
    let plaintext = to_xml(&standalone, root);

    let cipher = options.block_cipher;
    let mut key = vec![0; cipher.key_len()];
    random.fill(&mut key)?;
    let cipher_value = encrypt_content(cipher, &key, plaintext.as_bytes(), random)?;
    let (hash, digest_uri, mgf_uri) = match options.key_transport {
        KeyTransport::RsaOaepMgf1p => (OaepHash::Sha1, SHA1, None),
        KeyTransport::RsaOaep => (OaepHash::Sha256, SHA256, Some(MGF1_SHA256)),
    };
    let wrapped = recipient.oaep_encrypt(hash, &key, None)?;

    let data = doc.create(NodeKind::Element(
        xenc("EncryptedData")
            .declare_namespace(Some("xenc"), XENC_NS)
            .with_attribute("Type", TYPE_ELEMENT),
    ));
    doc.append_element(
        data,
        xenc("EncryptionMethod").with_attribute("Algorithm", cipher.uri()),
    );
    let key_info = doc.append_element(
        data,
        Element::new(Some("ds"), "KeyInfo", Some(DSIG_NS)).declare_namespace(Some("ds"), DSIG_NS),
    );
    let encrypted_key = doc.append_element(key_info, xenc("EncryptedKey"));
    let method = doc.append_element(
        encrypted_key,
        xenc("EncryptionMethod").with_attribute("Algorithm", options.key_transport.uri()),
    );
    doc.append_element(
        method,
        Element::new(Some("ds"), "DigestMethod", Some(DSIG_NS))
            .with_attribute("Algorithm", digest_uri),
    );
    if let Some(mgf) = mgf_uri {
        doc.append_element(
            method,
            Element::new(Some("xenc11"), "MGF", Some(XENC11_NS))
                .declare_namespace(Some("xenc11"), XENC11_NS)
                .with_attribute("Algorithm", mgf),
        );
    }
    append_cipher_data(doc, encrypted_key, &wrapped);
    append_cipher_data(doc, data, &cipher_value);
    Ok(data)
}

fn xenc(local_name: &str) -> Element<'static> {
    Element::new(Some("xenc"), local_name, Some(XENC_NS))
}

fn append_cipher_data(doc: &mut Document, parent: NodeId, bytes: &[u8]) {
    let cipher_data = doc.append_element(parent, xenc("CipherData"));
    let value = doc.append_element(cipher_data, xenc("CipherValue"));
    doc.append_text(value, STANDARD.encode(bytes));
}

/// IV ‖ ciphertext (‖ tag for GCM), as the CipherValue holds it (§5.2).
fn encrypt_content(
    cipher: BlockCipher,
    key: &[u8],
    plaintext: &[u8],
    random: &dyn Random,
) -> Result<Vec<u8>, XencError> {
    let primitive = |what: &str| CryptoError::Encryption(format!("{} {what}", cipher.name()));
    if cipher.is_gcm() {
        let mut iv = [0; 12];
        random.fill(&mut iv)?;
        let aead = if cipher == BlockCipher::Aes128Gcm {
            &AES_128_GCM
        } else {
            &AES_256_GCM
        };
        let key = LessSafeKey::new(UnboundKey::new(aead, key).map_err(|_| primitive("key"))?);
        let mut in_out = plaintext.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut in_out)
            .map_err(|_| primitive("sealing"))?;
        let mut out = iv.to_vec();
        out.extend_from_slice(&in_out);
        Ok(out)
    } else {
        let mut iv = [0; 16];
        random.fill(&mut iv)?;
        let algorithm = if cipher == BlockCipher::Aes128Cbc {
            &AES_128
        } else {
            &AES_256
        };
        let key = EncryptingKey::cbc(
            UnboundCipherKey::new(algorithm, key).map_err(|_| primitive("key"))?,
        )
        .map_err(|_| primitive("key"))?;
        // xmlenc padding (§5.2): 1–16 bytes, the last one their count, the others
        // arbitrary. Writing the count in each (PKCS#7's form) is one valid choice.
        let pad = 16 - plaintext.len() % 16;
        let mut in_out = plaintext.to_vec();
        in_out.resize(plaintext.len() + pad, pad as u8);
        key.less_safe_encrypt(&mut in_out, EncryptionContext::Iv128(FixedLength::from(iv)))
            .map_err(|_| primitive("encryption"))?;
        let mut out = iv.to_vec();
        out.extend_from_slice(&in_out);
        Ok(out)
    }
}

/// Decrypts the `saml:EncryptedAssertion` `encrypted_assertion` with `key` and
/// returns the `saml:Assertion` as a new document (its root element). The content
/// key is taken from the `EncryptedData`'s `ds:KeyInfo/xenc:EncryptedKey` or, as
/// SAML core §2.3.4 also allows, from an `xenc:EncryptedKey` beside the
/// `EncryptedData`.
pub fn decrypt_assertion(
    doc: &Document,
    encrypted_assertion: NodeId,
    key: &SigningKey,
    options: &DecryptOptions,
) -> Result<Document<'static>, XencError> {
    const WHAT: &str = "saml:EncryptedAssertion";
    const SECTION: &str = "§3, SAML core §2.3.4";
    let malformed = |reason: String| XencError::Malformed {
        element: WHAT,
        section: SECTION,
        reason,
    };
    if !doc.is_element(encrypted_assertion, SAML_NS, "EncryptedAssertion") {
        return Err(malformed(
            "the element is not a saml:EncryptedAssertion".into(),
        ));
    }
    let mut data = None;
    let mut keys = Vec::new();
    for child in structural_children(doc, encrypted_assertion, WHAT, SECTION)? {
        if doc.is_element(child, XENC_NS, "EncryptedData") && data.is_none() {
            data = Some(child);
        } else if doc.is_element(child, XENC_NS, "EncryptedKey") {
            keys.push(child);
        } else {
            return Err(malformed(format!(
                "unexpected child {} (it holds one xenc:EncryptedData and optional \
                 xenc:EncryptedKey elements)",
                describe(doc, child)
            )));
        }
    }
    let data = data.ok_or_else(|| malformed("it holds no xenc:EncryptedData".into()))?;
    if keys.len() > 1 {
        return Err(malformed(format!(
            "{} xenc:EncryptedKey elements beside the EncryptedData; samlsim takes one",
            keys.len()
        )));
    }
    let decrypted = decrypt_with(doc, data, keys.first().copied(), key, options)?;
    let root = decrypted.document.root_element();
    match root.and_then(|r| decrypted.document.element(r)) {
        Some(e) if e.is(SAML_NS, "Assertion") => Ok(decrypted.document),
        // For CBC, which decrypted octets came out is itself an oracle (§ Oracles).
        _ if !decrypted.cipher.is_gcm() => Err(XencError::BadCbcPadding),
        other => Err(XencError::NotAnAssertion {
            action: "decrypt",
            found: other.map_or_else(|| "nothing".into(), |e| e.qualified_name()),
        }),
    }
}

/// Decrypts the `xenc:EncryptedData` `encrypted_data` (its key in
/// `ds:KeyInfo/xenc:EncryptedKey`) and returns the element as a new document.
pub fn decrypt_element(
    doc: &Document,
    encrypted_data: NodeId,
    key: &SigningKey,
    options: &DecryptOptions,
) -> Result<Document<'static>, XencError> {
    Ok(decrypt_with(doc, encrypted_data, None, key, options)?.document)
}

struct Decrypted {
    document: Document<'static>,
    cipher: BlockCipher,
}

/// The parts of an `EncryptedData` or `EncryptedKey`: `EncryptionMethod`,
/// `ds:KeyInfo`, the CipherValue's bytes.
struct Parts {
    method: NodeId,
    algorithm: String,
    key_info: Option<NodeId>,
    cipher_value: Vec<u8>,
}

fn read_parts(
    doc: &Document,
    node: NodeId,
    what: &'static str,
    section: &'static str,
    allowed_extra: &[&str],
) -> Result<Parts, XencError> {
    let malformed = |reason: String| XencError::Malformed {
        element: what,
        section,
        reason,
    };
    let (mut method, mut key_info, mut cipher_data) = (None, None, None);
    for child in structural_children(doc, node, what, section)? {
        let e = doc
            .element(child)
            .expect("structural children are elements");
        let ns = e.namespace.as_deref();
        let slot = match (ns, &*e.local_name) {
            (Some(XENC_NS), "EncryptionMethod") => &mut method,
            (Some(DSIG_NS), "KeyInfo") => &mut key_info,
            (Some(XENC_NS), "CipherData") => &mut cipher_data,
            (Some(XENC_NS), name) if allowed_extra.contains(&name) => continue,
            _ => {
                return Err(malformed(format!(
                    "unexpected child {}",
                    describe(doc, child)
                )));
            }
        };
        if slot.replace(child).is_some() {
            return Err(malformed(format!("more than one {}", describe(doc, child))));
        }
    }
    let method = method.ok_or_else(|| {
        malformed("no xenc:EncryptionMethod: the algorithm must be named, not implied".into())
    })?;
    let algorithm = doc
        .element(method)
        .and_then(|e| e.attribute("Algorithm"))
        .ok_or_else(|| malformed("xenc:EncryptionMethod has no Algorithm attribute".into()))?
        .to_owned();
    let cipher_data = cipher_data.ok_or_else(|| malformed("no xenc:CipherData".into()))?;
    let mut value = None;
    for child in structural_children(doc, cipher_data, what, section)? {
        if doc.is_element(child, XENC_NS, "CipherValue") && value.is_none() {
            value = Some(child);
        } else if doc.is_element(child, XENC_NS, "CipherReference") {
            return Err(malformed(
                "xenc:CipherReference is not supported: samlsim never fetches ciphertext \
                 from a URI (§3.3.1)"
                    .into(),
            ));
        } else {
            return Err(malformed(format!(
                "xenc:CipherData holds {} (expected one xenc:CipherValue)",
                describe(doc, child)
            )));
        }
    }
    let value = value.ok_or_else(|| malformed("xenc:CipherData has no xenc:CipherValue".into()))?;
    if doc.child_elements(value).next().is_some() {
        return Err(malformed(
            "xenc:CipherValue holds elements, not base64 text".into(),
        ));
    }
    let cipher_value = decode_base64(&doc.text_content(value), what)?;
    Ok(Parts {
        method,
        algorithm,
        key_info,
        cipher_value,
    })
}

fn decrypt_with(
    doc: &Document,
    data: NodeId,
    sibling_key: Option<NodeId>,
    key: &SigningKey,
    options: &DecryptOptions,
) -> Result<Decrypted, XencError> {
    const WHAT: &str = "xenc:EncryptedData";
    const SECTION: &str = "§3.4";
    if !doc.is_element(data, XENC_NS, "EncryptedData") {
        return Err(XencError::Malformed {
            element: WHAT,
            section: SECTION,
            reason: format!("{} is not an xenc:EncryptedData", describe(doc, data)),
        });
    }
    if let Some(ty) = doc.element(data).and_then(|e| e.attribute("Type"))
        && ty != TYPE_ELEMENT
    {
        return Err(XencError::Malformed {
            element: WHAT,
            section: "§3.1, SAML core §6.1",
            reason: format!("Type is {ty}; SAML encrypts whole elements ({TYPE_ELEMENT})"),
        });
    }
    let parts = read_parts(doc, data, WHAT, SECTION, &["EncryptionProperties"])?;
    let cipher =
        BlockCipher::from_uri(&parts.algorithm).ok_or_else(|| XencError::UnsupportedAlgorithm {
            role: "block encryption",
            uri: parts.algorithm.clone(),
            supported: BLOCK_CIPHERS,
        })?;
    check_key_size(doc, parts.method, cipher)?;

    let encrypted_key = find_encrypted_key(doc, parts.key_info)?
        .or(sibling_key)
        .ok_or(XencError::MissingEncryptedKey)?;
    let content_key = unwrap_key(doc, encrypted_key, key, cipher, options)?;
    let document = decrypt_content(
        doc,
        data,
        cipher,
        &content_key,
        &parts.cipher_value,
        options,
    )?;
    Ok(Decrypted { document, cipher })
}

/// An optional `xenc:KeySize` (in bits) must agree with the algorithm (§5.2).
fn check_key_size(doc: &Document, method: NodeId, cipher: BlockCipher) -> Result<(), XencError> {
    if let Some(size) = doc.first_child_named(method, XENC_NS, "KeySize") {
        let text = doc.text_content(size);
        if text.trim().parse::<usize>().ok() != Some(cipher.key_len() * 8) {
            return Err(XencError::KeySizeMismatch {
                algorithm: cipher.name(),
                expected: cipher.key_len(),
                found: text.trim().parse::<usize>().map_or(0, |bits| bits / 8),
            });
        }
    }
    Ok(())
}

/// The one `xenc:EncryptedKey` in `ds:KeyInfo`, if any. A `ds:RetrievalMethod`
/// pointing at a sibling key is accepted and left to the caller's sibling lookup.
fn find_encrypted_key(
    doc: &Document,
    key_info: Option<NodeId>,
) -> Result<Option<NodeId>, XencError> {
    let Some(key_info) = key_info else {
        return Ok(None);
    };
    let keys: Vec<NodeId> = doc
        .children_named(key_info, XENC_NS, "EncryptedKey")
        .collect();
    if keys.len() > 1 {
        return Err(XencError::Malformed {
            element: "ds:KeyInfo",
            section: "§3.5.1",
            reason: format!(
                "{} xenc:EncryptedKey elements; samlsim takes one",
                keys.len()
            ),
        });
    }
    Ok(keys.first().copied())
}

fn unwrap_key(
    doc: &Document,
    encrypted_key: NodeId,
    key: &SigningKey,
    cipher: BlockCipher,
    options: &DecryptOptions,
) -> Result<Vec<u8>, XencError> {
    const WHAT: &str = "xenc:EncryptedKey";
    const SECTION: &str = "§3.5.1";
    let parts = read_parts(
        doc,
        encrypted_key,
        WHAT,
        SECTION,
        &["ReferenceList", "CarriedKeyName"],
    )?;
    let unsupported = |uri: &str| XencError::UnsupportedAlgorithm {
        role: "key transport",
        uri: uri.to_owned(),
        supported: KEY_TRANSPORTS,
    };
    let method = parts.method;
    let algorithm = parts.algorithm.as_str();
    if algorithm == RSA_1_5 {
        if !options.allow_rsa_1_5 {
            return Err(XencError::Rsa15Refused {
                uri: algorithm.into(),
            });
        }
        // Bleichenbacher countermeasure (§5.5.1): a failed unwrap, or a key of the
        // wrong length, becomes a random key, so that the failure shows only later,
        // at content decryption, exactly as a wrong key would.
        let mut fallback = vec![0; cipher.key_len()];
        SystemRandom::new().fill(&mut fallback)?;
        return Ok(match key.pkcs1_v15_decrypt(&parts.cipher_value) {
            Ok(k) if k.len() == cipher.key_len() => k,
            Ok(_) | Err(CryptoError::Decryption) => fallback,
            Err(other) => return Err(other.into()),
        });
    }
    let digest = doc
        .first_child_named(method, DSIG_NS, "DigestMethod")
        .map(|d| attribute(doc, d, "Algorithm", "ds:DigestMethod"))
        .transpose()?;
    let mgf = doc
        .first_child_named(method, XENC11_NS, "MGF")
        .map(|m| attribute(doc, m, "Algorithm", "xenc11:MGF"))
        .transpose()?;
    let hash_of = |uri: &str, role: &'static str, table: [&str; 4]| {
        [
            OaepHash::Sha1,
            OaepHash::Sha256,
            OaepHash::Sha384,
            OaepHash::Sha512,
        ]
        .into_iter()
        .zip(table)
        .find(|(_, u)| *u == uri)
        .map(|(h, _)| h)
        .ok_or_else(|| XencError::UnsupportedAlgorithm {
            role,
            uri: uri.to_owned(),
            supported: "SHA-1, SHA-256, SHA-384, SHA-512 (and MGF1 with the same hash)",
        })
    };
    let digests = [SHA1, SHA256, SHA384, SHA512];
    let mgfs = [MGF1_SHA1, MGF1_SHA256, MGF1_SHA384, MGF1_SHA512];
    // Defaults (§5.5.2): digest SHA-1; MGF1-SHA1 (the only MGF of rsa-oaep-mgf1p).
    let digest_hash = hash_of(digest.unwrap_or(SHA1), "OAEP digest", digests)?;
    let mgf_hash = if algorithm == KeyTransport::RsaOaepMgf1p.uri() {
        if let Some(mgf) = mgf {
            return Err(XencError::Malformed {
                element: WHAT,
                section: "§5.5.2",
                reason: format!(
                    "rsa-oaep-mgf1p fixes MGF1 with SHA-1; an xenc11:MGF ({mgf}) belongs to \
                     xmlenc11#rsa-oaep"
                ),
            });
        }
        OaepHash::Sha1
    } else if algorithm == KeyTransport::RsaOaep.uri() {
        hash_of(mgf.unwrap_or(MGF1_SHA1), "OAEP mask generation", mgfs)?
    } else {
        return Err(unsupported(algorithm));
    };
    if digest_hash != mgf_hash {
        return Err(XencError::UnsupportedAlgorithm {
            role: "OAEP digest and MGF pairing",
            uri: format!(
                "{} with {}",
                digest.unwrap_or(SHA1),
                mgf.unwrap_or(MGF1_SHA1)
            ),
            supported: "the same hash for the OAEP digest and MGF1 (aws-lc-rs offers only \
                        matching pairs)",
        });
    }
    let label = doc
        .first_child_named(method, XENC_NS, "OAEPparams")
        .map(|p| decode_base64(&doc.text_content(p), "xenc:OAEPparams"))
        .transpose()?;
    // Every failure inside the RSA operation is the same WrongKey: which check of
    // OAEP decoding failed is Manger's oracle (see the crate docs).
    let content_key = match key.oaep_decrypt(digest_hash, &parts.cipher_value, label.as_deref()) {
        Ok(k) => k,
        Err(CryptoError::Decryption) => return Err(XencError::WrongKey),
        Err(other) => return Err(other.into()),
    };
    // Past a successful OAEP decoding the key is authentic, so its length is no oracle.
    if content_key.len() != cipher.key_len() {
        return Err(XencError::KeySizeMismatch {
            algorithm: cipher.name(),
            expected: cipher.key_len(),
            found: content_key.len(),
        });
    }
    Ok(content_key)
}

fn decrypt_content(
    doc: &Document,
    data: NodeId,
    cipher: BlockCipher,
    content_key: &[u8],
    value: &[u8],
    options: &DecryptOptions,
) -> Result<Document<'static>, XencError> {
    let malformed = |reason: String| XencError::Malformed {
        element: "xenc:CipherValue",
        section: "§5.2",
        reason,
    };
    let key_error = || XencError::KeySizeMismatch {
        algorithm: cipher.name(),
        expected: cipher.key_len(),
        found: content_key.len(),
    };
    if cipher.is_gcm() {
        if value.len() < 12 + 16 {
            return Err(malformed(format!(
                "{} bytes cannot hold the 12-byte IV and 16-byte tag of {}",
                value.len(),
                cipher.name()
            )));
        }
        let aead = if cipher == BlockCipher::Aes128Gcm {
            &AES_128_GCM
        } else {
            &AES_256_GCM
        };
        let key = LessSafeKey::new(UnboundKey::new(aead, content_key).map_err(|_| key_error())?);
        let (iv, sealed) = value.split_at(12);
        let nonce = Nonce::try_assume_unique_for_key(iv).map_err(|_| XencError::GcmTagMismatch)?;
        let mut in_out = sealed.to_vec();
        let plaintext = key
            .open_in_place(nonce, Aad::empty(), &mut in_out)
            .map_err(|_| XencError::GcmTagMismatch)?;
        // Authenticated: from here on, errors may say exactly what is wrong.
        parse_plaintext(doc, data, plaintext, options).map_err(|e| match e {
            PlaintextError::Utf8(reason) => XencError::Plaintext(reason),
            PlaintextError::Xml(e) => XencError::PlaintextXml(e),
            PlaintextError::Shape(reason) => XencError::Plaintext(reason),
        })
    } else {
        if value.len() < 32 || !value.len().is_multiple_of(16) {
            return Err(malformed(format!(
                "{} bytes is not a 16-byte IV and whole 16-byte blocks of {}",
                value.len(),
                cipher.name()
            )));
        }
        let algorithm = if cipher == BlockCipher::Aes128Cbc {
            &AES_128
        } else {
            &AES_256
        };
        let key = DecryptingKey::cbc(
            UnboundCipherKey::new(algorithm, content_key).map_err(|_| key_error())?,
        )
        .map_err(|_| key_error())?;
        let (iv, blocks) = value.split_at(16);
        let iv: [u8; 16] = iv.try_into().map_err(|_| XencError::BadCbcPadding)?;
        let mut in_out = blocks.to_vec();
        let padded = key
            .decrypt(&mut in_out, DecryptionContext::Iv128(FixedLength::from(iv)))
            .map_err(|_| XencError::BadCbcPadding)?;
        // xmlenc padding (§5.2), not PKCS#7: only the last byte (the count, 1–16) is
        // defined; xmlsec1 and Santuario fill the rest with random bytes.
        let pad = usize::from(*padded.last().unwrap_or(&0));
        if pad == 0 || pad > 16 || pad > padded.len() {
            return Err(XencError::BadCbcPadding);
        }
        let plaintext = &padded[..padded.len() - pad];
        // Unauthenticated: padding, UTF-8 and XML failures all read the same, or the
        // difference is Jager and Somorovsky's oracle (see the crate docs).
        parse_plaintext(doc, data, plaintext, options).map_err(|_| XencError::BadCbcPadding)
    }
}

enum PlaintextError {
    Utf8(String),
    Xml(samlsim_xml::XmlError),
    Shape(String),
}

/// Parses the decrypted octets as one element in the context of the
/// `EncryptedData`'s parent (§4.4.3: the plaintext replaces the EncryptedData, so
/// prefixes declared by ancestors are in scope, and xmlsec1 relies on that).
fn parse_plaintext(
    doc: &Document,
    data: NodeId,
    plaintext: &[u8],
    options: &DecryptOptions,
) -> Result<Document<'static>, PlaintextError> {
    let text = std::str::from_utf8(plaintext).map_err(|e| {
        PlaintextError::Utf8(format!(
            "not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim_start().starts_with("<?xml") {
        return Err(PlaintextError::Shape(
            "an XML declaration: Type Element content is an element, not a document".into(),
        ));
    }
    // A context element declaring what is in scope at the EncryptedData.
    let mut context = String::from("<xenc-plaintext-context");
    let mut seen: Vec<Option<&str>> = Vec::new();
    let mut ancestor = doc.parent(data);
    while let Some(n) = ancestor {
        if let Some(e) = doc.element(n) {
            for d in &e.namespace_declarations {
                if !seen.contains(&d.prefix.as_deref()) {
                    seen.push(d.prefix.as_deref());
                    match &d.prefix {
                        Some(p) => context.push_str(&format!(" xmlns:{p}=\"{}\"", escape(&d.uri))),
                        None => context.push_str(&format!(" xmlns=\"{}\"", escape(&d.uri))),
                    }
                }
            }
        }
        ancestor = doc.parent(n);
    }
    context.push('>');
    context.push_str(text);
    context.push_str("</xenc-plaintext-context>");
    let limits = Limits {
        max_bytes: options
            .limits
            .max_bytes
            .saturating_add(context.len() - text.len()),
        max_depth: options.limits.max_depth.saturating_add(1),
        max_nodes: options.limits.max_nodes.saturating_add(1),
        ..options.limits
    };
    let parsed = parse_with(&context, &limits).map_err(PlaintextError::Xml)?;
    let wrapper = parsed
        .root_element()
        .ok_or_else(|| PlaintextError::Shape("no element".into()))?;
    let mut element = None;
    for &child in parsed.children(wrapper) {
        match parsed.kind(child) {
            NodeKind::Element(_) if element.is_none() => element = Some(child),
            NodeKind::Text(t) if t.trim().is_empty() => {}
            _ => {
                return Err(PlaintextError::Shape(
                    "more than one element, or text or comments beside the element".into(),
                ));
            }
        }
    }
    let element = element.ok_or_else(|| PlaintextError::Shape("no element".into()))?;
    // The plaintext is this function's: the element must own its strings.
    Ok(parsed.into_extract(element, None, true).into_owned())
}

fn escape(uri: &str) -> String {
    uri.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// The element children of `node`, refusing non-whitespace text (comments and
/// processing instructions are skipped, as any XML processor may).
fn structural_children(
    doc: &Document,
    node: NodeId,
    what: &'static str,
    section: &'static str,
) -> Result<Vec<NodeId>, XencError> {
    let mut out = Vec::new();
    for &child in doc.children(node) {
        match doc.kind(child) {
            NodeKind::Element(_) => out.push(child),
            NodeKind::Text(t) if !t.trim().is_empty() => {
                return Err(XencError::Malformed {
                    element: what,
                    section,
                    reason: format!("text {:?} inside {}", truncate(t), describe(doc, node)),
                });
            }
            _ => {}
        }
    }
    Ok(out)
}

fn attribute<'d>(
    doc: &'d Document,
    node: NodeId,
    name: &str,
    what: &'static str,
) -> Result<&'d str, XencError> {
    doc.element(node)
        .and_then(|e| e.attribute(name))
        .ok_or_else(|| XencError::Malformed {
            element: what,
            section: "§5.5.2",
            reason: format!("no {name} attribute"),
        })
}

fn decode_base64(text: &str, field: &'static str) -> Result<Vec<u8>, XencError> {
    let compact: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    STANDARD.decode(compact).map_err(|e| XencError::BadBase64 {
        field,
        reason: e.to_string(),
    })
}

fn describe(doc: &Document, node: NodeId) -> String {
    match doc.element(node) {
        Some(e) => format!("<{}>", e.qualified_name()),
        None => "a non-element node".into(),
    }
}

fn truncate(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_owned(),
    }
}

/// Copies the root element of `decrypted` into `doc` in place of `replaced` (an
/// `EncryptedAssertion`), for tools that show a message decrypted (the CLI).
/// Services read the decrypted [`Document`] itself, never a message patched with it.
pub fn replace_with_decrypted<'a>(
    doc: &mut Document<'a>,
    replaced: NodeId,
    decrypted: &Document<'a>,
) {
    let (Some(parent), Some(root)) = (doc.parent(replaced), decrypted.root_element()) else {
        return;
    };
    let index = doc
        .children(parent)
        .iter()
        .position(|&c| c == replaced)
        .unwrap_or(usize::MAX);
    doc.detach(replaced);
    let mut element = decrypted.kind(root).clone();
    // Declarations the decrypted root carries only because it stood alone.
    if let NodeKind::Element(e) = &mut element {
        e.namespace_declarations
            .retain(|d| doc.lookup_namespace(parent, d.prefix.as_deref()) != Some(&*d.uri));
    }
    let copy = doc.create(element);
    doc.insert_child(parent, index, copy);
    let mut stack: Vec<(NodeId, NodeId)> = decrypted
        .children(root)
        .iter()
        .rev()
        .map(|&c| (c, copy))
        .collect();
    while let Some((node, parent)) = stack.pop() {
        let id = doc.create(decrypted.kind(node).clone());
        doc.append_child(parent, id);
        stack.extend(decrypted.children(node).iter().rev().map(|&c| (c, id)));
    }
}

#[cfg(test)]
mod tests;
