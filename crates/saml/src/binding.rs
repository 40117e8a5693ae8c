//! SAML 2.0 protocol bindings: the wire encodings of `SAMLRequest` and
//! `SAMLResponse` (OASIS saml-bindings-2.0-os).
//!
//! * HTTP-POST (section 3.5.4): the message is the base64 encoding of the XML,
//!   sent as a form field.
//! * HTTP-Redirect (section 3.4.4.1, "DEFLATE Encoding"): the message is
//!   compressed with raw DEFLATE (RFC 1951, no zlib header), base64-encoded and
//!   URL-encoded into the query string.
//!
//! The decoders sit on the path of hostile input (they receive whatever any
//! browser posts), so they are strict, bounded by [`Limits`], never panic, and
//! report errors that say what was wrong and which rule it broke. The result is
//! XML bytes; parsing it is left to the caller.

use std::borrow::Cow;
use std::fmt;
use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::write::DeflateEncoder;
use flate2::{Compression, Decompress, FlushDecompress, Status};

/// Bindings section that requires base64 for HTTP-POST messages.
const POST_SECTION: &str = "3.5.4";
/// Bindings section that requires DEFLATE + base64 for HTTP-Redirect messages.
const REDIRECT_SECTION: &str = "3.4.4.1";

/// First output buffer size when inflating; it doubles from here up to the cap.
/// Typical SAML requests inflate to a few KiB, so this is usually the only allocation.
const INITIAL_INFLATE_CAPACITY: usize = 16 * 1024;

/// Size bounds applied while decoding a binding-encoded message.
///
/// Both bounds are enforced before or during decoding, never after, so a
/// hostile message cannot make the decoder allocate much more than
/// `max_decoded_len` bytes (SAML bindings 3.4.4.1 / 3.5.4 set no size limit,
/// so this is our policy, not the spec's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted encoded value, in bytes of the base64 text including
    /// any line-wrapping whitespace. Checked before any decoding work.
    pub max_encoded_len: usize,
    /// Largest accepted decoded message, in bytes: the base64-decoded XML for
    /// HTTP-POST, or the inflated XML for HTTP-Redirect.
    pub max_decoded_len: usize,
}

impl Default for Limits {
    /// 256 KiB encoded, 1 MiB decoded.
    ///
    /// AWS STS caps `SAMLAssertion` at 100,000 characters, so anything that
    /// AWS would accept fits with room to spare; the headroom is for other
    /// service providers that accept larger responses, while still keeping
    /// every decode bounded.
    fn default() -> Self {
        Self {
            max_encoded_len: 256 * 1024,
            max_decoded_len: 1024 * 1024,
        }
    }
}

/// How a message handed to [`decode_any`] was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Plain XML, not encoded at all.
    RawXml,
    /// Base64 of the XML: the HTTP-POST binding (SAML bindings 3.5.4).
    Post,
    /// Base64 of raw-DEFLATE-compressed XML: the HTTP-Redirect binding
    /// (SAML bindings 3.4.4.1).
    Redirect,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RawXml => "raw XML",
            Self::Post => "HTTP-POST",
            Self::Redirect => "HTTP-Redirect",
        })
    }
}

/// Why a binding-encoded SAML message could not be decoded.
///
/// Offsets are byte offsets: into the value passed to the decoder for text
/// errors, and into the base64-decoded (compressed) bytes for DEFLATE errors.
/// Variants that break a spec rule carry the bindings `section` they cite.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BindingError {
    /// The encoded value is longer than [`Limits::max_encoded_len`].
    #[error("SAML message is {len} bytes encoded, over the limit of {limit} bytes")]
    EncodedTooLong {
        /// Length of the encoded value, in bytes.
        len: usize,
        /// The configured limit.
        limit: usize,
    },

    /// The decoded message would be longer than [`Limits::max_decoded_len`].
    #[error("SAML message is {len} bytes decoded, over the limit of {limit} bytes")]
    DecodedTooLong {
        /// Length of the decoded message, in bytes.
        len: usize,
        /// The configured limit.
        limit: usize,
    },

    /// Inflating an HTTP-Redirect message produced more than
    /// [`Limits::max_decoded_len`] bytes; inflation stopped at that point.
    #[error("inflated size exceeds {limit} bytes (possible DEFLATE bomb)")]
    InflatedTooLong {
        /// The configured limit.
        limit: usize,
    },

    /// The value is empty or only whitespace.
    #[error("SAML message is empty (SAML bindings {section} requires a base64-encoded message)")]
    Empty {
        /// The bindings section broken.
        section: &'static str,
    },

    /// A character outside the base64 alphabet (and not skippable whitespace).
    #[error(
        "SAML message is not valid base64: character {character:?} at offset {offset} \
         (SAML bindings {section} requires base64)"
    )]
    InvalidBase64Character {
        /// Byte offset of the character in the value.
        offset: usize,
        /// The offending character.
        character: char,
        /// The bindings section broken.
        section: &'static str,
    },

    /// The number of base64 characters is not a multiple of four.
    #[error(
        "SAML message is not valid base64: it has {symbols} base64 characters, which is not \
         a multiple of 4, so it is truncated or its '=' padding is missing \
         (SAML bindings {section} requires base64)"
    )]
    InvalidBase64Length {
        /// Number of base64 characters, whitespace excluded.
        symbols: usize,
        /// The bindings section broken.
        section: &'static str,
    },

    /// A `=` somewhere other than the last one or two positions.
    #[error(
        "SAML message is not valid base64: '=' at offset {offset} is misplaced; padding may \
         only be the last one or two characters (SAML bindings {section} requires base64)"
    )]
    MisplacedPadding {
        /// Byte offset of the first misplaced `=` in the value.
        offset: usize,
        /// The bindings section broken.
        section: &'static str,
    },

    /// The last character before the padding has bits set that encode
    /// nothing, which canonical base64 forbids.
    #[error(
        "SAML message is not valid base64: the character at offset {offset} has unused bits \
         set, so the data is corrupt or truncated (SAML bindings {section} requires base64)"
    )]
    TrailingBits {
        /// Byte offset of the character in the value.
        offset: usize,
        /// The bindings section broken.
        section: &'static str,
    },

    /// Any other base64 failure; the pre-checks make this unreachable in
    /// practice, but it is reported rather than assumed away.
    #[error("SAML message is not valid base64: {detail} (SAML bindings {section} requires base64)")]
    Base64 {
        /// The base64 decoder's description.
        detail: String,
        /// The bindings section broken.
        section: &'static str,
    },

    /// The compressed bytes are not a valid raw DEFLATE stream.
    #[error(
        "SAML message is not valid DEFLATE data: corrupt stream at or before compressed \
         byte {offset} (SAML bindings 3.4.4.1 requires raw DEFLATE, RFC 1951)"
    )]
    InvalidDeflate {
        /// Compressed bytes consumed when the inflater gave up.
        offset: usize,
    },

    /// The compressed bytes start with a zlib (RFC 1950) header: a common
    /// encoder mistake that the spec does not allow.
    #[error(
        "SAML message is zlib-wrapped DEFLATE (it starts with a zlib header); SAML bindings \
         3.4.4.1 requires raw DEFLATE (RFC 1951) with no zlib header or checksum"
    )]
    ZlibWrapped,

    /// The DEFLATE stream ends before its final block.
    #[error(
        "SAML message's DEFLATE data is truncated: all {len} compressed bytes were consumed \
         before the final block ended (SAML bindings 3.4.4.1 requires a complete DEFLATE stream)"
    )]
    TruncatedDeflate {
        /// Number of compressed bytes.
        len: usize,
    },

    /// Bytes follow the end of the DEFLATE stream.
    #[error(
        "SAML message has {extra} bytes of trailing data after the DEFLATE stream ends at \
         compressed byte {offset} (SAML bindings 3.4.4.1: the message is exactly one DEFLATE stream)"
    )]
    TrailingDeflateData {
        /// Compressed byte offset where the DEFLATE stream ended.
        offset: usize,
        /// Number of bytes after it.
        extra: usize,
    },

    /// A `%` not followed by two hex digits ([`decode_any`] only).
    #[error(
        "URL-encoded input has an invalid escape at offset {offset}: '%' must be followed by \
         two hex digits (RFC 3986 section 2.1)"
    )]
    InvalidPercentEscape {
        /// Byte offset of the `%` in the input.
        offset: usize,
    },

    /// A `%XX` escape that decodes to a non-ASCII byte, which cannot be part
    /// of base64 ([`decode_any`] only).
    #[error(
        "URL-encoded input has escape %{byte:02X} at offset {offset}, which decodes to a \
         non-ASCII byte and cannot be part of a base64 SAML message"
    )]
    NonAsciiPercentEscape {
        /// Byte offset of the `%` in the input.
        offset: usize,
        /// The decoded byte.
        byte: u8,
    },

    /// A pasted query or form string has more than one `SAMLRequest` /
    /// `SAMLResponse` parameter ([`decode_any`] only).
    #[error(
        "input has more than one SAMLRequest/SAMLResponse parameter; a binding carries exactly \
         one message (SAML bindings 3.4.4, 3.5.4), so paste only one"
    )]
    MultipleMessages,

    /// [`decode_any`] could not make sense of the input under any encoding.
    #[error(
        "input is neither XML, base64-encoded XML (HTTP-POST, SAML bindings 3.5.4), nor \
         base64-encoded DEFLATE-compressed XML (HTTP-Redirect, SAML bindings 3.4.4.1): {}",
        NotSamlReason(.cause.as_deref())
    )]
    NotSaml {
        /// Why the last attempted interpretation failed; `None` when the input
        /// decoded (and inflated) cleanly but the result does not start with `<`.
        cause: Option<Box<BindingError>>,
    },
}

/// Renders the tail of [`BindingError::NotSaml`]'s message. The cause is
/// printed inline rather than exposed as `source()`, so that a plain
/// `to_string()` already tells the user exactly what was wrong.
struct NotSamlReason<'a>(Option<&'a BindingError>);

impl fmt::Display for NotSamlReason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(cause) => cause.fmt(f),
            None => f.write_str(
                "it is valid base64, but the decoded bytes do not start with '<' \
                 and do not inflate to data that does",
            ),
        }
    }
}

/// Decodes an HTTP-POST `SAMLRequest` / `SAMLResponse` value (SAML bindings
/// 3.5.4): standard-alphabet base64 with required padding.
///
/// ASCII whitespace (space, tab, CR, LF) is skipped anywhere, because real
/// IdPs wrap the base64 at 64 or 76 columns. Everything else is strict: any
/// other character, a length that is not a multiple of four, misplaced
/// padding and non-zero trailing bits are errors.
///
/// # Errors
///
/// [`BindingError::EncodedTooLong`] or [`BindingError::DecodedTooLong`] when
/// `limits` are exceeded (checked before decoding), [`BindingError::Empty`],
/// or one of the base64 variants naming the offending offset.
pub fn decode_post(value: &str, limits: &Limits) -> Result<Vec<u8>, BindingError> {
    decode_base64(
        value,
        limits.max_encoded_len,
        limits.max_decoded_len,
        POST_SECTION,
    )
}

/// Decodes an HTTP-Redirect `SAMLRequest` / `SAMLResponse` value (SAML
/// bindings 3.4.4.1): base64 as in [`decode_post`], then raw DEFLATE.
///
/// `value` must already be URL-decoded (the HTTP layer does that for query
/// parameters). Inflation stops as soon as the output exceeds
/// [`Limits::max_decoded_len`], so a DEFLATE bomb costs at most about that much
/// memory.
///
/// # Errors
///
/// Everything [`decode_post`] reports, plus [`BindingError::InflatedTooLong`],
/// [`BindingError::InvalidDeflate`], [`BindingError::ZlibWrapped`],
/// [`BindingError::TruncatedDeflate`] and
/// [`BindingError::TrailingDeflateData`].
pub fn decode_redirect(value: &str, limits: &Limits) -> Result<Vec<u8>, BindingError> {
    // The compressed bytes are bounded by `max_encoded_len` alone; the decoded
    // limit applies to the inflated XML, which is where a bomb would show.
    let compressed = decode_base64(value, limits.max_encoded_len, usize::MAX, REDIRECT_SECTION)?;
    inflate_bounded(&compressed, limits.max_decoded_len)
}

/// Encodes XML for the HTTP-POST binding (SAML bindings 3.5.4): standard
/// base64 with padding and no line breaks.
#[must_use]
pub fn encode_post(xml: &[u8]) -> String {
    STANDARD.encode(xml)
}

/// Encodes XML for the HTTP-Redirect binding (SAML bindings 3.4.4.1): raw
/// DEFLATE at the default level, then standard base64. The caller URL-encodes
/// the result into the query string.
#[must_use]
pub fn encode_redirect(xml: &[u8]) -> String {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    // Both calls only write into a Vec, which cannot fail.
    encoder
        .write_all(xml)
        .expect("compressing into a Vec cannot fail");
    let compressed = encoder
        .finish()
        .expect("compressing into a Vec cannot fail");
    STANDARD.encode(compressed)
}

/// Decodes whatever a user pastes into a CLI: raw XML, an HTTP-POST value, an
/// HTTP-Redirect value, either of those URL-encoded, or a whole query/form
/// string or URL containing a `SAMLRequest=` / `SAMLResponse=` parameter.
///
/// The steps, in order:
/// 1. Input whose trimmed text starts with `<` (after an optional BOM) is
///    [`Encoding::RawXml`] and is returned as is.
/// 2. If the input is a query or form string (optionally a URL with `?`)
///    with a `SAMLRequest` or `SAMLResponse` parameter, that parameter's value
///    is taken.
/// 3. A value containing `%` is percent-decoded as
///    `application/x-www-form-urlencoded`, so `+` means space. Every URL
///    encoder escapes base64's own `+` as `%2B`, so a literal `+` in encoded
///    text can only be a space. A value with no `%` is never URL-decoded,
///    because then it is plain base64 whose `+` must be kept.
/// 4. The value is base64-decoded; bytes starting with `<` (after an optional
///    UTF-8 BOM and whitespace) are [`Encoding::Post`], otherwise they are
///    inflated and, if that yields XML, the result is
///    [`Encoding::Redirect`].
///
/// # Errors
///
/// Limit errors, percent-escape errors, [`BindingError::Empty`],
/// [`BindingError::MultipleMessages`], [`BindingError::ZlibWrapped`] and
/// [`BindingError::InflatedTooLong`] are returned directly, since they say
/// exactly what is wrong. Every other failure is [`BindingError::NotSaml`],
/// whose message includes the underlying reason.
pub fn decode_any(input: &str, limits: &Limits) -> Result<(Encoding, Vec<u8>), BindingError> {
    let trimmed = input.trim().trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        if trimmed.len() > limits.max_decoded_len {
            return Err(BindingError::DecodedTooLong {
                len: trimmed.len(),
                limit: limits.max_decoded_len,
            });
        }
        return Ok((Encoding::RawXml, trimmed.as_bytes().to_vec()));
    }

    let value = saml_parameter(trimmed)?.unwrap_or(trimmed);
    let value = if value.contains('%') {
        Cow::Owned(percent_decode_form(value)?)
    } else {
        Cow::Borrowed(value)
    };

    let bytes = match decode_post(&value, limits) {
        Ok(bytes) => bytes,
        Err(e @ (BindingError::EncodedTooLong { .. } | BindingError::DecodedTooLong { .. })) => {
            return Err(e);
        }
        Err(e @ BindingError::Empty { .. }) => return Err(e),
        Err(e) => return Err(not_saml(e)),
    };
    if looks_like_xml(&bytes) {
        return Ok((Encoding::Post, bytes));
    }
    match inflate_bounded(&bytes, limits.max_decoded_len) {
        Ok(xml) if looks_like_xml(&xml) => Ok((Encoding::Redirect, xml)),
        Ok(_) => Err(BindingError::NotSaml { cause: None }),
        Err(e @ (BindingError::InflatedTooLong { .. } | BindingError::ZlibWrapped)) => Err(e),
        Err(e) => Err(not_saml(e)),
    }
}

fn not_saml(cause: BindingError) -> BindingError {
    BindingError::NotSaml {
        cause: Some(Box::new(cause)),
    }
}

/// The whitespace skipped inside base64: what line-wrapping IdPs insert.
fn is_base64_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Strict base64 decoding shared by both bindings; `section` is the spec rule
/// cited in errors.
fn decode_base64(
    value: &str,
    max_encoded_len: usize,
    max_decoded_len: usize,
    section: &'static str,
) -> Result<Vec<u8>, BindingError> {
    if value.len() > max_encoded_len {
        return Err(BindingError::EncodedTooLong {
            len: value.len(),
            limit: max_encoded_len,
        });
    }
    let symbols = without_whitespace(value.as_bytes());
    // The base64 crate refuses every byte outside the alphabet, so a value it
    // decodes has none, and the caller's text is searched for one only once
    // something failed. A character outside the alphabet is the first complaint,
    // before emptiness, length or padding, and is named whole at its offset in
    // the caller's text, which the crate (seeing bytes, whitespace gone) cannot do.
    decode_symbols(&symbols, value, max_decoded_len, section).map_err(|error| {
        match first_character_outside_base64(value) {
            Some((offset, character)) => BindingError::InvalidBase64Character {
                offset,
                character,
                section,
            },
            None => error,
        }
    })
}

/// The base64 symbols of `value`: `value` itself unless it is line-wrapped,
/// since HTTP-POST values usually arrive in one line.
fn without_whitespace(value: &[u8]) -> Cow<'_, [u8]> {
    // memchr3 takes three bytes; the tab gets a scan of its own, as cheap.
    let wrapped = memchr::memchr3(b' ', b'\r', b'\n', value).is_some()
        || memchr::memchr(b'\t', value).is_some();
    if !wrapped {
        return Cow::Borrowed(value);
    }
    let mut symbols = Vec::with_capacity(value.len());
    for run in value.split(|&byte| is_base64_whitespace(byte)) {
        symbols.extend_from_slice(run);
    }
    Cow::Owned(symbols)
}

/// The first character of `value` that is neither base64 nor whitespace, with
/// its byte offset. Only runs on the error path.
fn first_character_outside_base64(value: &str) -> Option<(usize, char)> {
    value.char_indices().find(|&(_, character)| {
        !u8::try_from(character).is_ok_and(|byte| {
            is_base64_whitespace(byte)
                || matches!(byte, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=')
        })
    })
}

/// Checks the shape of whitespace-free base64 `symbols` (taken from `value`,
/// where error offsets point), then decodes them.
fn decode_symbols(
    symbols: &[u8],
    value: &str,
    max_decoded_len: usize,
    section: &'static str,
) -> Result<Vec<u8>, BindingError> {
    if symbols.is_empty() {
        return Err(BindingError::Empty { section });
    }
    if !symbols.len().is_multiple_of(4) {
        return Err(BindingError::InvalidBase64Length {
            symbols: symbols.len(),
            section,
        });
    }
    let padding = symbols.iter().rev().take_while(|&&b| b == b'=').count();
    if let Some(first) = memchr::memchr(b'=', symbols)
        && (first < symbols.len() - padding || padding > 2)
    {
        return Err(BindingError::MisplacedPadding {
            offset: original_offset(value, first),
            section,
        });
    }

    // Exact, because the length and padding are now known to be well formed.
    let decoded_len = symbols.len() / 4 * 3 - padding;
    if decoded_len > max_decoded_len {
        return Err(BindingError::DecodedTooLong {
            len: decoded_len,
            limit: max_decoded_len,
        });
    }

    STANDARD.decode(symbols).map_err(|e| match e {
        base64::DecodeError::InvalidLastSymbol { offset, .. } => BindingError::TrailingBits {
            offset: original_offset(value, offset),
            section,
        },
        base64::DecodeError::InvalidByte(offset, byte) => BindingError::InvalidBase64Character {
            offset: original_offset(value, offset),
            character: char::from(byte),
            section,
        },
        base64::DecodeError::InvalidLength(_) => BindingError::InvalidBase64Length {
            symbols: symbols.len(),
            section,
        },
        base64::DecodeError::InvalidPadding => BindingError::Base64 {
            detail: e.to_string(),
            section,
        },
    })
}

/// Maps an index into the whitespace-free base64 symbols back to a byte
/// offset in the original text. Only runs on the error path.
fn original_offset(value: &str, symbol_index: usize) -> usize {
    value
        .bytes()
        .enumerate()
        .filter(|&(_, byte)| !is_base64_whitespace(byte))
        .nth(symbol_index)
        .map_or(value.len(), |(offset, _)| offset)
}

/// Inflates a raw DEFLATE stream (RFC 1951), producing at most `cap` bytes.
///
/// The output buffer never grows past `cap + 1` bytes: one byte over the cap
/// is how an oversized stream is detected, and inflation stops right there.
/// Driving [`Decompress`] directly (rather than a `Read` adapter) also tells us
/// exactly where the stream ended, which is how trailing data is detected.
fn inflate_bounded(compressed: &[u8], cap: usize) -> Result<Vec<u8>, BindingError> {
    let hard_limit = cap.saturating_add(1);
    let mut inflater = Decompress::new(false);
    let mut out = Vec::new();
    let mut remaining = compressed;

    loop {
        if out.len() == out.capacity() {
            // Double, but never past the hard limit. `len < hard_limit` here,
            // because reaching it returns an error below.
            let target = out
                .capacity()
                .saturating_mul(2)
                .max(INITIAL_INFLATE_CAPACITY)
                .min(hard_limit);
            out.reserve_exact(target - out.len());
        }

        let in_before = inflater.total_in();
        let out_before = out.len();
        let status = inflater
            .decompress_vec(remaining, &mut out, FlushDecompress::None)
            .map_err(|_| {
                deflate_failure(
                    compressed,
                    BindingError::InvalidDeflate {
                        offset: to_usize(inflater.total_in()),
                    },
                )
            })?;
        if out.len() > cap {
            return Err(BindingError::InflatedTooLong { limit: cap });
        }

        let consumed = to_usize(inflater.total_in());
        remaining = compressed.get(consumed..).unwrap_or_default();
        match status {
            Status::StreamEnd if remaining.is_empty() => return Ok(out),
            Status::StreamEnd => {
                return Err(BindingError::TrailingDeflateData {
                    offset: consumed,
                    extra: remaining.len(),
                });
            }
            Status::Ok | Status::BufError => {
                let progressed = inflater.total_in() != in_before || out.len() != out_before;
                // With output space available and no progress, the inflater
                // needs input we do not have: the stream is cut short.
                if !progressed && out.len() < out.capacity() {
                    return Err(deflate_failure(
                        compressed,
                        BindingError::TruncatedDeflate {
                            len: compressed.len(),
                        },
                    ));
                }
            }
        }
    }
}

/// Replaces a generic DEFLATE failure with [`BindingError::ZlibWrapped`] when
/// the data has a zlib header, since that is the likely cause and its fix is
/// specific. Only consulted after failing, because raw DEFLATE can begin with
/// bytes that happen to pass this check.
fn deflate_failure(compressed: &[u8], error: BindingError) -> BindingError {
    match compressed {
        // RFC 1950 section 2.2: CM = 8 (deflate), CINFO <= 7, and the header
        // as a big-endian u16 is a multiple of 31.
        [cmf, flg, ..]
            if cmf & 0x0f == 8 && cmf >> 4 <= 7 && u16::from_be_bytes([*cmf, *flg]) % 31 == 0 =>
        {
            BindingError::ZlibWrapped
        }
        _ => error,
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// True when `bytes` start with `<` after an optional UTF-8 BOM and ASCII
/// whitespace: enough to tell XML from compressed data without parsing it.
fn looks_like_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bytes.trim_ascii_start().starts_with(b"<")
}

/// Finds the value of a `SAMLRequest` or `SAMLResponse` parameter in a pasted
/// query string, form body or URL. Returns `None` when there is none, so that
/// a bare value is used as is.
fn saml_parameter(input: &str) -> Result<Option<&str>, BindingError> {
    // Base64 and percent-encoding never contain '?', so splitting at the first
    // one only ever strips a URL's scheme, host and path.
    let query = input.split_once('?').map_or(input, |(_, query)| query);
    let mut found = None;
    for (key, value) in query.split('&').filter_map(|pair| pair.split_once('=')) {
        if key == "SAMLRequest" || key == "SAMLResponse" {
            if found.is_some() {
                return Err(BindingError::MultipleMessages);
            }
            found = Some(value);
        }
    }
    Ok(found)
}

/// Strict `application/x-www-form-urlencoded` decoding: `+` is a space and
/// `%` must be followed by two hex digits. Escapes must decode to ASCII,
/// because the result is meant to be base64, and that keeps it valid UTF-8.
fn percent_decode_form(input: &str) -> Result<String, BindingError> {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            '+' => out.push(' '),
            '%' => {
                let byte = input
                    .get(offset + 1..offset + 3)
                    .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
                    // Cannot fail: both characters were just checked to be hex digits.
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .ok_or(BindingError::InvalidPercentEscape { offset })?;
                if !byte.is_ascii() {
                    return Err(BindingError::NonAsciiPercentEscape { offset, byte });
                }
                out.push(char::from(byte));
                // Skip the two hex digits, which are ASCII and so one char each.
                chars.nth(1);
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::{self, Read as _};

    use flate2::write::ZlibEncoder;

    use super::*;

    fn sample_xml(min_len: usize) -> String {
        let mut xml = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:AttributeStatement>"#,
        );
        let mut i = 0;
        while xml.len() < min_len {
            xml.push_str(&format!(
                r#"<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role{i}"><saml:AttributeValue>arn:aws:iam::123456789012:role/Role{i},arn:aws:iam::123456789012:saml-provider/Idp</saml:AttributeValue></saml:Attribute>"#
            ));
            i += 1;
        }
        xml.push_str("</saml:AttributeStatement></saml:Assertion></samlp:Response>");
        xml
    }

    fn compressed(xml: &[u8]) -> Vec<u8> {
        STANDARD.decode(encode_redirect(xml)).unwrap()
    }

    /// Form-encodes the way a browser does: base64's `+`, `/` and `=` become escapes.
    fn url_encode(value: &str) -> String {
        value
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    }

    fn wrap(base64: &str, width: usize) -> String {
        base64
            .as_bytes()
            .chunks(width)
            .map(|line| std::str::from_utf8(line).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n")
    }

    #[test]
    fn post_round_trips() {
        let limits = Limits::default();
        for xml in [sample_xml(0), sample_xml(10 * 1024)] {
            let encoded = encode_post(xml.as_bytes());
            assert!(!encoded.contains(['\r', '\n']));
            assert_eq!(decode_post(&encoded, &limits).unwrap(), xml.as_bytes());
        }
    }

    #[test]
    fn redirect_round_trips() {
        let limits = Limits::default();
        for xml in [sample_xml(0), sample_xml(10 * 1024)] {
            let encoded = encode_redirect(xml.as_bytes());
            assert!(encoded.len() < xml.len(), "DEFLATE should shrink the XML");
            assert_eq!(decode_redirect(&encoded, &limits).unwrap(), xml.as_bytes());
        }
    }

    #[test]
    fn line_wrapped_base64_decodes() {
        let xml = sample_xml(2000);
        let wrapped = wrap(&encode_post(xml.as_bytes()), 76);
        assert!(wrapped.contains("\r\n"));
        let wrapped = format!("  {wrapped}\n");
        assert_eq!(
            decode_post(&wrapped, &Limits::default()).unwrap(),
            xml.as_bytes()
        );

        let wrapped = wrap(&encode_redirect(xml.as_bytes()), 64).replace("\r\n", "\n\t");
        assert_eq!(
            decode_redirect(&wrapped, &Limits::default()).unwrap(),
            xml.as_bytes()
        );
    }

    #[test]
    fn truncated_base64_is_an_error() {
        let encoded = encode_post(sample_xml(500).as_bytes());
        let truncated = &encoded[..encoded.len() - 3];
        let err = decode_post(truncated, &Limits::default()).unwrap_err();
        assert!(
            matches!(
                err,
                BindingError::InvalidBase64Length {
                    section: "3.5.4",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("not a multiple of 4"), "{err}");
    }

    #[test]
    fn invalid_character_names_offset_and_character() {
        let mut encoded = encode_post(sample_xml(100).as_bytes());
        encoded.replace_range(17..18, "*");
        let err = decode_post(&encoded, &Limits::default()).unwrap_err();
        assert!(
            matches!(
                err,
                BindingError::InvalidBase64Character {
                    offset: 17,
                    character: '*',
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "SAML message is not valid base64: character '*' at offset 17 \
             (SAML bindings 3.5.4 requires base64)"
        );

        // Redirect errors cite the redirect binding's rule.
        let err = decode_redirect("AAAA*", &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("3.4.4.1"), "{err}");
    }

    /// `decode_base64` as it was before it worked on bytes: a char-by-char copy
    /// of the symbols, validated on the way. Kept as the oracle every refusal of
    /// the byte-wise decoder is compared with.
    fn char_wise_decode_base64(
        value: &str,
        max_encoded_len: usize,
        max_decoded_len: usize,
        section: &'static str,
    ) -> Result<Vec<u8>, BindingError> {
        fn is_whitespace(c: char) -> bool {
            matches!(c, ' ' | '\t' | '\r' | '\n')
        }
        fn original_offset(value: &str, symbol_index: usize) -> usize {
            value
                .char_indices()
                .filter(|&(_, c)| !is_whitespace(c))
                .nth(symbol_index)
                .map_or(value.len(), |(offset, _)| offset)
        }
        if value.len() > max_encoded_len {
            return Err(BindingError::EncodedTooLong {
                len: value.len(),
                limit: max_encoded_len,
            });
        }
        let mut symbols = Vec::with_capacity(value.len());
        for (offset, character) in value.char_indices() {
            match character {
                c if is_whitespace(c) => {}
                'A'..='Z' | 'a'..='z' | '0'..='9' | '+' | '/' | '=' => {
                    symbols.push(character as u8);
                }
                _ => {
                    return Err(BindingError::InvalidBase64Character {
                        offset,
                        character,
                        section,
                    });
                }
            }
        }
        if symbols.is_empty() {
            return Err(BindingError::Empty { section });
        }
        if symbols.len() % 4 != 0 {
            return Err(BindingError::InvalidBase64Length {
                symbols: symbols.len(),
                section,
            });
        }
        let padding = symbols.iter().rev().take_while(|&&b| b == b'=').count();
        if let Some(first) = symbols.iter().position(|&b| b == b'=')
            && (first < symbols.len() - padding || padding > 2)
        {
            return Err(BindingError::MisplacedPadding {
                offset: original_offset(value, first),
                section,
            });
        }
        let decoded_len = symbols.len() / 4 * 3 - padding;
        if decoded_len > max_decoded_len {
            return Err(BindingError::DecodedTooLong {
                len: decoded_len,
                limit: max_decoded_len,
            });
        }
        STANDARD.decode(&symbols).map_err(|e| match e {
            base64::DecodeError::InvalidLastSymbol { offset, .. } => BindingError::TrailingBits {
                offset: original_offset(value, offset),
                section,
            },
            base64::DecodeError::InvalidByte(offset, byte) => {
                BindingError::InvalidBase64Character {
                    offset: original_offset(value, offset),
                    character: char::from(byte),
                    section,
                }
            }
            base64::DecodeError::InvalidLength(_) => BindingError::InvalidBase64Length {
                symbols: symbols.len(),
                section,
            },
            base64::DecodeError::InvalidPadding => BindingError::Base64 {
                detail: e.to_string(),
                section,
            },
        })
    }

    /// Asserts that both decoders give the same answer for `value` under a few
    /// limits, and returns the answers rendered.
    fn same_as_char_wise(value: &str) -> Vec<String> {
        [(usize::MAX, usize::MAX), (16, 6), (7, 2)]
            .into_iter()
            .map(|(max_encoded_len, max_decoded_len)| {
                let new = decode_base64(value, max_encoded_len, max_decoded_len, POST_SECTION);
                let old =
                    char_wise_decode_base64(value, max_encoded_len, max_decoded_len, POST_SECTION);
                let (new, old) = (format!("{new:?}"), format!("{old:?}"));
                assert_eq!(
                    new, old,
                    "{value:?} at limits {max_encoded_len}, {max_decoded_len}"
                );
                new
            })
            .collect()
    }

    #[test]
    fn byte_wise_base64_refuses_as_the_char_wise_one_did() {
        let wrapped = wrap(&encode_post(sample_xml(300).as_bytes()), 64).replace('\n', "\r\n");
        let table = [
            "",
            " ",
            " \t\r\n \r\n",
            "QUJD",
            "QUJD\n",
            "\tQUJD",
            " Q U J D ",
            "QU\r\n\r\nJD",
            "QUJD\r\nRA==\r\n",
            "QUJD\r\nRA==\r\né",
            "é QUJD",
            "QUJD é",
            "QU é\nJD",
            "QU\né",
            "QUJD€",
            "QUJD😀=",
            "QUJD\u{0}",
            "QUJD\u{a0}",
            "QUJD\u{feff}",
            "\u{b}QUJD",
            "QUJ",
            "QUJ é",
            "QUJ*",
            "ab-_",
            "QQ==",
            "QQ= =",
            "QQ=\n=",
            "QQ==\nQUJD",
            "Q=JD",
            "QUJD====",
            "QUJD===",
            "====",
            "=",
            "QQ=A",
            "QR==",
            "QUJD QR==",
            "QUI=",
            "QUJ=",
            "QUK=",
            "QUJDRA==",
            "QUJDRA==\t\t",
            &wrapped,
            &wrapped.replace("\r\n", " é\n"),
        ];
        let answers: Vec<String> = table
            .iter()
            .flat_map(|value| same_as_char_wise(value))
            .collect();
        // The table must reach every outcome, or it proves less than it seems to.
        for outcome in [
            "Ok(",
            "Err(EncodedTooLong",
            "Err(DecodedTooLong",
            "Err(Empty",
            "Err(InvalidBase64Character",
            "Err(InvalidBase64Length",
            "Err(MisplacedPadding",
            "Err(TrailingBits",
        ] {
            assert!(
                answers.iter().any(|answer| answer.starts_with(outcome)),
                "no input in the table ends in {outcome}"
            );
        }

        // Then every arrangement of the troublesome pieces a fixed generator makes.
        let pieces = [
            "QUJD", "QQ==", "QR==", "A", "AB", "ABC", "=", "==", " ", "\t", "\r\n", "\n", "\r",
            "é", "€", "😀", "-", "*", "\u{0}",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            // xorshift64: deterministic, so a failure reproduces.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = next() % 9;
            let value: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            same_as_char_wise(&value);
        }
    }

    #[test]
    fn offsets_count_skipped_whitespace_and_multibyte_characters() {
        let err = decode_post("QUJD\r\nRA==\r\né", &Limits::default()).unwrap_err();
        assert!(
            matches!(
                err,
                BindingError::InvalidBase64Character {
                    offset: 12,
                    character: 'é',
                    ..
                }
            ),
            "{err:?}"
        );
        // '-' and '_' belong to base64url, not the standard alphabet.
        let err = decode_post("ab-_", &Limits::default()).unwrap_err();
        assert!(
            matches!(
                err,
                BindingError::InvalidBase64Character {
                    offset: 2,
                    character: '-',
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn padding_must_be_canonical() {
        let limits = Limits::default();
        let err = decode_post("QQ==\nQUJD", &limits).unwrap_err();
        assert!(
            matches!(err, BindingError::MisplacedPadding { offset: 2, .. }),
            "{err:?}"
        );
        let err = decode_post("QUJD====", &limits).unwrap_err();
        assert!(
            matches!(err, BindingError::MisplacedPadding { offset: 4, .. }),
            "{err:?}"
        );
        let err = decode_post("QQ=A", &limits).unwrap_err();
        assert!(
            matches!(err, BindingError::MisplacedPadding { offset: 2, .. }),
            "{err:?}"
        );
        // Padding is required.
        let err = decode_post("QQ", &limits).unwrap_err();
        assert!(
            matches!(err, BindingError::InvalidBase64Length { symbols: 2, .. }),
            "{err:?}"
        );
        // "QR==" has bits set in 'R' that encode nothing.
        let err = decode_post("QUJD QR==", &limits).unwrap_err();
        assert!(
            matches!(err, BindingError::TrailingBits { offset: 6, .. }),
            "{err:?}"
        );
        assert_eq!(decode_post("QQ==", &limits).unwrap(), b"A");
    }

    #[test]
    fn empty_input_is_an_error() {
        for value in ["", " \r\n\t "] {
            let err = decode_post(value, &Limits::default()).unwrap_err();
            assert!(matches!(err, BindingError::Empty { .. }), "{err:?}");
            let err = decode_redirect(value, &Limits::default()).unwrap_err();
            assert!(matches!(err, BindingError::Empty { .. }), "{err:?}");
        }
    }

    #[test]
    fn limits_are_checked_before_decoding() {
        let xml = sample_xml(1000);
        let encoded = encode_post(xml.as_bytes());
        let limits = Limits {
            max_encoded_len: encoded.len() - 1,
            ..Limits::default()
        };
        let err = decode_post(&encoded, &limits).unwrap_err();
        assert!(
            matches!(err, BindingError::EncodedTooLong { .. }),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .contains(&format!("limit of {}", limits.max_encoded_len))
        );

        let limits = Limits {
            max_decoded_len: xml.len() - 1,
            ..Limits::default()
        };
        let err = decode_post(&encoded, &limits).unwrap_err();
        assert!(
            matches!(err, BindingError::DecodedTooLong { len, limit } if len == xml.len() && limit == xml.len() - 1),
            "{err:?}"
        );
        let limits = Limits {
            max_decoded_len: xml.len(),
            ..Limits::default()
        };
        assert_eq!(decode_post(&encoded, &limits).unwrap(), xml.as_bytes());
    }

    #[test]
    fn inflate_cap_is_exact() {
        let xml = sample_xml(1000);
        let encoded = encode_redirect(xml.as_bytes());
        let at_cap = Limits {
            max_decoded_len: xml.len(),
            ..Limits::default()
        };
        assert_eq!(decode_redirect(&encoded, &at_cap).unwrap(), xml.as_bytes());
        let below = Limits {
            max_decoded_len: xml.len() - 1,
            ..Limits::default()
        };
        let err = decode_redirect(&encoded, &below).unwrap_err();
        assert!(
            matches!(err, BindingError::InflatedTooLong { .. }),
            "{err:?}"
        );
    }

    /// Peak resident set size of this process, where Linux reports it.
    fn peak_rss_bytes() -> Option<usize> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
        let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }

    #[test]
    fn deflate_bomb_is_stopped_at_the_cap() {
        const BOMB_LEN: u64 = 50 * 1024 * 1024;
        // Stream the zeros through the encoder so the test never holds 50 MB.
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
        io::copy(&mut io::repeat(0).take(BOMB_LEN), &mut encoder).unwrap();
        let bomb = encode_post(&encoder.finish().unwrap());
        let limits = Limits::default();
        assert!(
            bomb.len() <= limits.max_encoded_len,
            "bomb is {} bytes",
            bomb.len()
        );

        let peak_before = peak_rss_bytes();
        let err = decode_redirect(&bomb, &limits).unwrap_err();
        assert_eq!(
            err.to_string(),
            "inflated size exceeds 1048576 bytes (possible DEFLATE bomb)"
        );
        if let (Some(before), Some(after)) = (peak_before, peak_rss_bytes()) {
            // Other tests run concurrently, so allow slack, but nowhere near 50 MB.
            assert!(
                after < before + 16 * 1024 * 1024,
                "peak RSS grew from {before} to {after} bytes"
            );
        }

        // decode_any reports the bomb, not "not SAML".
        let err = decode_any(&bomb, &limits).unwrap_err();
        assert!(
            matches!(err, BindingError::InflatedTooLong { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn corrupt_deflate_is_an_error() {
        // 0xff: final block with the reserved block type 11.
        let err = decode_redirect(&encode_post(&[0xff; 16]), &Limits::default()).unwrap_err();
        assert!(
            matches!(err, BindingError::InvalidDeflate { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("RFC 1951"), "{err}");
    }

    #[test]
    fn truncated_deflate_is_an_error() {
        let data = compressed(sample_xml(2000).as_bytes());
        let truncated = &data[..data.len() / 2];
        let err = decode_redirect(&encode_post(truncated), &Limits::default()).unwrap_err();
        assert!(
            matches!(err, BindingError::TruncatedDeflate { len } if len == truncated.len()),
            "{err:?}"
        );
    }

    #[test]
    fn trailing_garbage_after_deflate_is_an_error() {
        let mut data = compressed(sample_xml(500).as_bytes());
        let end = data.len();
        data.extend_from_slice(b"garbage");
        let err = decode_redirect(&encode_post(&data), &Limits::default()).unwrap_err();
        assert!(
            matches!(err, BindingError::TrailingDeflateData { offset, extra: 7 } if offset == end),
            "{err:?}"
        );
    }

    #[test]
    fn zlib_wrapped_deflate_is_diagnosed() {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(sample_xml(500).as_bytes()).unwrap();
        let wrapped = encode_post(&encoder.finish().unwrap());
        let err = decode_redirect(&wrapped, &Limits::default()).unwrap_err();
        assert!(matches!(err, BindingError::ZlibWrapped), "{err:?}");
    }

    #[test]
    fn decode_any_raw_xml() {
        let xml = sample_xml(100);
        let pasted = format!("\u{feff}\n  {xml}\n");
        let (encoding, bytes) = decode_any(&pasted, &Limits::default()).unwrap();
        assert_eq!(encoding, Encoding::RawXml);
        assert_eq!(bytes, xml.as_bytes());
    }

    #[test]
    fn decode_any_post_and_redirect() {
        let limits = Limits::default();
        let xml = sample_xml(3000);

        let post = wrap(&encode_post(xml.as_bytes()), 76);
        assert_eq!(
            decode_any(&post, &limits).unwrap(),
            (Encoding::Post, xml.clone().into_bytes())
        );

        // A BOM and whitespace before the '<' still count as XML.
        let bom_xml = format!("\u{feff}\n{xml}");
        let (encoding, _) = decode_any(&encode_post(bom_xml.as_bytes()), &limits).unwrap();
        assert_eq!(encoding, Encoding::Post);

        let redirect = encode_redirect(xml.as_bytes());
        assert_eq!(
            decode_any(&redirect, &limits).unwrap(),
            (Encoding::Redirect, xml.clone().into_bytes())
        );

        let url_encoded = url_encode(&redirect);
        assert!(url_encoded.contains('%'));
        assert_eq!(
            decode_any(&url_encoded, &limits).unwrap(),
            (Encoding::Redirect, xml.into_bytes())
        );
    }

    #[test]
    fn decode_any_query_and_form_strings() {
        let limits = Limits::default();
        let xml = sample_xml(500);
        let redirect = url_encode(&encode_redirect(xml.as_bytes()));

        let query =
            format!("SAMLRequest={redirect}&RelayState=https%3A%2F%2Fexample.com%2F%3Fa%3Db");
        assert_eq!(
            decode_any(&query, &limits).unwrap(),
            (Encoding::Redirect, xml.clone().into_bytes())
        );

        let url = format!("https://idp.example/sso?RelayState=x&SAMLRequest={redirect}&SigAlg=y");
        assert_eq!(decode_any(&url, &limits).unwrap().0, Encoding::Redirect);

        let form = format!(
            "SAMLResponse={}&RelayState=",
            url_encode(&encode_post(xml.as_bytes()))
        );
        assert_eq!(
            decode_any(&form, &limits).unwrap(),
            (Encoding::Post, xml.clone().into_bytes())
        );

        // An unencoded parameter value keeps its '+' characters.
        let raw = encode_post(xml.as_bytes());
        assert!(raw.contains('+'));
        let form = format!("SAMLResponse={raw}");
        assert_eq!(
            decode_any(&form, &limits).unwrap(),
            (Encoding::Post, xml.into_bytes())
        );

        let both = format!("SAMLRequest={redirect}&SAMLResponse={redirect}");
        let err = decode_any(&both, &limits).unwrap_err();
        assert!(matches!(err, BindingError::MultipleMessages), "{err:?}");
    }

    #[test]
    fn decode_any_form_encoding_treats_plus_as_space() {
        // "PGE+" is base64 for "<a>"; in form encoding the '+' is a space,
        // which base64 skips, leaving a truncated value.
        let err = decode_any("PGE+%0A", &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("not a multiple of 4"), "{err}");
        assert_eq!(
            decode_any("PGE%2B%0A", &Limits::default()).unwrap().1,
            b"<a>"
        );
    }

    #[test]
    fn decode_any_rejects_bad_percent_escapes() {
        let limits = Limits::default();
        for (input, at) in [("PGE%2", 3), ("PG%zz", 2), ("P%+1GE", 1), ("PGE%", 3)] {
            let err = decode_any(input, &limits).unwrap_err();
            assert!(
                matches!(err, BindingError::InvalidPercentEscape { offset } if offset == at),
                "{input}: {err:?}"
            );
        }
        let err = decode_any("PGE%FF", &limits).unwrap_err();
        assert!(
            matches!(
                err,
                BindingError::NonAsciiPercentEscape {
                    offset: 3,
                    byte: 0xff
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn decode_any_rejects_garbage() {
        let limits = Limits::default();
        for garbage in [
            "hello, world!",
            "aGVsbG8gd29ybGQ=",
            &encode_redirect(b"not xml"),
        ] {
            let err = decode_any(garbage, &limits).unwrap_err();
            assert!(
                matches!(err, BindingError::NotSaml { .. }),
                "{garbage}: {err:?}"
            );
            assert!(
                err.to_string().starts_with(
                    "input is neither XML, base64-encoded XML (HTTP-POST, SAML bindings 3.5.4), \
                     nor base64-encoded DEFLATE-compressed XML"
                ),
                "{err}"
            );
        }
        let err = decode_any("hello, world!", &limits).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("character ',' at offset 5 (SAML bindings 3.5.4 requires base64)"),
            "{err}"
        );

        let err = decode_any("  \n", &limits).unwrap_err();
        assert!(matches!(err, BindingError::Empty { .. }), "{err:?}");
    }

    #[test]
    fn hostile_inputs_never_panic() {
        let limits = Limits {
            max_encoded_len: 64,
            max_decoded_len: 64,
        };
        // Every prefix of valid and invalid messages, at tiny limits.
        let samples = [
            encode_redirect(sample_xml(200).as_bytes()),
            encode_post(&[0x78, 0x9c, 0xff, 0x00, 0x01]),
            "%%%+==\u{feff}é<".to_owned(),
            "SAMLRequest=&SAMLResponse".to_owned(),
        ];
        for sample in &samples {
            for (end, _) in sample.char_indices() {
                let prefix = &sample[..end];
                let _ = decode_post(prefix, &limits);
                let _ = decode_redirect(prefix, &limits);
                let _ = decode_any(prefix, &limits);
            }
        }
    }
}
