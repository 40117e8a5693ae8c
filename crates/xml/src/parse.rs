//! A strict, bounded parser from text to [`Document`].
//!
//! SAML messages arrive from browsers, i.e. from anyone, so the parser accepts the
//! subset of XML 1.0 that a SAML message can legitimately use and refuses the rest
//! by name: no DOCTYPE at all (so no entity declarations, no external entities, no
//! entity expansion bombs), only the five predefined entities and character
//! references, UTF-8 only, and hard caps on size, depth and node count.
//!
//! The normalisations the XML recommendation requires of a parser are done here,
//! because canonicalisation is defined over their result: line ends (XML 1.0 §2.11)
//! and attribute values (§3.3.3).

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Position, XmlError};

/// A place in the input, turned into a line and column only when an error is
/// reported: counting lines for every element would make parsing quadratic.
#[derive(Clone, Copy)]
struct At<'i> {
    input: &'i str,
    offset: usize,
}

impl At<'_> {
    fn pos(self) -> Position {
        Position::at(self.input, self.offset)
    }
}
use crate::tree::{
    Attribute, Document, Element, NamespaceDeclaration, NodeId, NodeKind, Str, XML_NAMESPACE,
};

const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";

/// Bounds on what [`parse`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Input size in bytes.
    pub max_bytes: usize,
    /// Element nesting depth. A SAML Response is about 8 deep.
    pub max_depth: usize,
    /// Nodes of any kind.
    pub max_nodes: usize,
    /// Attributes and namespace declarations on one element.
    pub max_attributes: usize,
}

impl Default for Limits {
    /// Generous for any SAML message or metadata document, small enough that a
    /// hostile input costs milliseconds: STS itself caps an assertion at 100,000
    /// characters.
    fn default() -> Self {
        Limits {
            max_bytes: 1024 * 1024,
            max_depth: 64,
            max_nodes: 50_000,
            max_attributes: 256,
        }
    }
}

/// Parses UTF-8 bytes (an optional byte-order mark is skipped) with default limits.
/// The document borrows its names and text from `input`.
pub fn parse_bytes(input: &[u8]) -> Result<Document<'_>, XmlError> {
    parse_bytes_with(input, &Limits::default())
}

/// Parses UTF-8 bytes with the given limits.
pub fn parse_bytes_with<'i>(input: &'i [u8], limits: &Limits) -> Result<Document<'i>, XmlError> {
    check_size(input.len(), limits)?;
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let text = std::str::from_utf8(input).map_err(|e| XmlError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    parse_with(text, limits)
}

/// Parses a string with default limits. The document borrows its names and text
/// from `input`.
pub fn parse(input: &str) -> Result<Document<'_>, XmlError> {
    parse_with(input, &Limits::default())
}

/// Parses a string with the given limits.
pub fn parse_with<'i>(input: &'i str, limits: &Limits) -> Result<Document<'i>, XmlError> {
    check_size(input.len(), limits)?;
    let input = input.strip_prefix('\u{FEFF}').unwrap_or(input);
    Parser::new(input, limits).run()
}

fn check_size(len: usize, limits: &Limits) -> Result<(), XmlError> {
    if len > limits.max_bytes {
        return Err(XmlError::TooLarge {
            size: len,
            limit: limits.max_bytes,
        });
    }
    Ok(())
}

struct Parser<'i, 'l> {
    input: &'i str,
    reader: Reader<&'i [u8]>,
    limits: &'l Limits,
    doc: Document<'i>,
    /// The open elements, innermost last.
    open: Vec<NodeId>,
    /// The namespace declarations in scope, innermost last (`None`: the default
    /// namespace), so that resolving a prefix never walks the tree.
    scope: Vec<(Option<Str<'i>>, Str<'i>)>,
    /// Where each open element's declarations start in `scope`.
    scope_marks: Vec<usize>,
    /// The attributes (name, value) of the element being started, before their
    /// prefixes can be resolved: kept to reuse its allocation.
    pending_attributes: Vec<(Str<'i>, Str<'i>)>,
    seen_root: bool,
}

impl<'i, 'l> Parser<'i, 'l> {
    fn new(input: &'i str, limits: &'l Limits) -> Self {
        let mut reader = Reader::from_str(input);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Parser {
            input,
            reader,
            limits,
            // A SAML message has a node for about every 30 bytes; the cap keeps a
            // hostile input from reserving more than it could fill cheaply.
            doc: Document::with_capacity((input.len() / 30).clamp(16, 4096).min(limits.max_nodes)),
            open: Vec::new(),
            scope: Vec::new(),
            scope_marks: Vec::new(),
            pending_attributes: Vec::new(),
            seen_root: false,
        }
    }

    fn position(&self, offset: u64) -> At<'i> {
        At {
            input: self.input,
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
        }
    }

    fn here(&self) -> At<'i> {
        self.position(self.reader.buffer_position())
    }

    /// `s` as a borrow of the input, which it is a slice of whenever quick-xml
    /// reads from a slice (as here); a copy otherwise.
    fn borrow(&self, s: &str) -> Str<'i> {
        let start = (s.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        match self.input.get(start..start.wrapping_add(s.len())) {
            Some(inside) if inside.as_ptr() == s.as_ptr() => Cow::Borrowed(inside),
            _ => Cow::Owned(s.to_owned()),
        }
    }

    fn run(mut self) -> Result<Document<'i>, XmlError> {
        let mut first_event = true;
        loop {
            let event_start = self.reader.buffer_position();
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    return Err(XmlError::Malformed {
                        at: self.position(self.reader.error_position()).pos(),
                        reason: e.to_string(),
                    });
                }
            };
            match event {
                Event::Decl(decl) => {
                    if !first_event {
                        return Err(XmlError::Malformed {
                            at: self.position(event_start).pos(),
                            reason: "the XML declaration must come first".into(),
                        });
                    }
                    check_declaration(&decl, self.position(event_start))?;
                }
                Event::DocType(_) => {
                    return Err(XmlError::DoctypeForbidden {
                        at: self.position(event_start).pos(),
                    });
                }
                Event::Start(start) => {
                    let mark = self.scope.len();
                    let id = self.start_element(&start, event_start)?;
                    self.open.push(id);
                    self.scope_marks.push(mark);
                    if self.open.len() > self.limits.max_depth {
                        return Err(XmlError::TooDeep {
                            at: self.position(event_start).pos(),
                            limit: self.limits.max_depth,
                        });
                    }
                }
                Event::Empty(start) => {
                    let mark = self.scope.len();
                    self.start_element(&start, event_start)?;
                    self.scope.truncate(mark);
                }
                Event::End(_) => {
                    self.open.pop();
                    if let Some(mark) = self.scope_marks.pop() {
                        self.scope.truncate(mark);
                    }
                }
                Event::Text(text) => {
                    let text = text.xml10_content();
                    if text.contains("]]>") {
                        // XML 1.0 §2.4: "]]>" may not appear literally in content.
                        return Err(XmlError::Malformed {
                            at: self.position(event_start).pos(),
                            reason: "\"]]>\" is not allowed in text (escape the '>')".into(),
                        });
                    }
                    self.add_text(text, event_start)?;
                }
                Event::CData(cdata) => {
                    let text = cdata.xml10_content();
                    if self.open.is_empty() {
                        return Err(self.outside_root(event_start));
                    }
                    self.add_text(text, event_start)?;
                }
                Event::GeneralRef(reference) => {
                    if self.open.is_empty() {
                        // XML 1.0 §2.1: outside the root only comments, PIs and white space.
                        return Err(self.outside_root(event_start));
                    }
                    let at = self.position(event_start);
                    let ch = resolve_reference(&reference, at)?;
                    self.add_text(Cow::Owned(ch.into()), event_start)?;
                }
                Event::Comment(comment) => {
                    let text = comment.xml10_content();
                    check_chars(&text, self.position(event_start))?;
                    self.add_node(NodeKind::Comment(text), event_start)?;
                }
                Event::PI(pi) => {
                    let target = pi.target();
                    if !is_ncname(target) {
                        return Err(XmlError::Malformed {
                            at: self.position(event_start).pos(),
                            reason: format!(
                                "'{target}' is not a valid processing-instruction target"
                            ),
                        });
                    }
                    if target.eq_ignore_ascii_case("xml") {
                        return Err(XmlError::Malformed {
                            at: self.position(event_start).pos(),
                            reason: "the XML declaration must come first".into(),
                        });
                    }
                    let data = pi.content().trim_start();
                    let data = if data.contains('\r') {
                        Cow::Owned(normalize_line_ends(data))
                    } else {
                        self.borrow(data)
                    };
                    let target = self.borrow(target);
                    self.add_node(
                        NodeKind::ProcessingInstruction { target, data },
                        event_start,
                    )?;
                }
                Event::Eof => break,
            }
            first_event = false;
        }
        if !self.open.is_empty() {
            return Err(XmlError::Malformed {
                at: self.here().pos(),
                reason: "the document ends before its elements are closed".into(),
            });
        }
        if !self.seen_root {
            return Err(XmlError::NoRootElement);
        }
        Ok(self.doc)
    }

    fn outside_root(&self, offset: u64) -> XmlError {
        XmlError::Malformed {
            at: self.position(offset).pos(),
            reason: "text outside the root element".into(),
        }
    }

    fn parent(&self) -> NodeId {
        self.open
            .last()
            .copied()
            .unwrap_or(self.doc.document_node())
    }

    fn add_node(&mut self, kind: NodeKind<'i>, offset: u64) -> Result<NodeId, XmlError> {
        if self.doc.node_count() >= self.limits.max_nodes {
            return Err(XmlError::TooManyNodes {
                at: self.position(offset).pos(),
                limit: self.limits.max_nodes,
            });
        }
        let id = self.doc.create(kind);
        let parent = self.parent();
        self.doc.append_child(parent, id);
        Ok(id)
    }

    /// Adds character data, merging it with a preceding text node: text, CDATA and
    /// references are one run of characters to the data model.
    fn add_text(&mut self, text: Str<'i>, offset: u64) -> Result<(), XmlError> {
        if self.open.is_empty() {
            if text.chars().all(is_xml_whitespace) {
                return Ok(());
            }
            return Err(self.outside_root(offset));
        }
        check_chars(&text, self.position(offset))?;
        let parent = self.parent();
        if let Some(&last) = self.doc.children(parent).last()
            && self.doc.extend_text(last, &text)
        {
            return Ok(());
        }
        self.add_node(NodeKind::Text(text), offset)?;
        Ok(())
    }

    /// The namespace `prefix` is bound to at the element being started (`None`:
    /// the default namespace, `Some("")` when undeclared).
    fn lookup(&self, prefix: Option<&str>) -> Option<&Str<'i>> {
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| p.as_deref() == prefix)
            .map(|(_, uri)| uri)
    }

    /// The namespace `prefix` is bound to at the element being started.
    fn resolve(&self, prefix: &str, at: At<'_>) -> Result<Str<'i>, XmlError> {
        if prefix == "xml" {
            return Ok(Cow::Borrowed(XML_NAMESPACE));
        }
        self.lookup(Some(prefix))
            .cloned()
            .ok_or_else(|| XmlError::UndeclaredPrefix {
                at: at.pos(),
                prefix: prefix.to_owned(),
            })
    }

    fn start_element(&mut self, start: &BytesStart<'_>, offset: u64) -> Result<NodeId, XmlError> {
        let at = self.position(offset);
        if self.open.is_empty() {
            if self.seen_root {
                return Err(XmlError::Malformed {
                    at: at.pos(),
                    reason: "a second root element".into(),
                });
            }
            self.seen_root = true;
        }
        let qname = start.name();
        let (prefix, local_name) = split_qname(self.borrow(qname.into_inner()), at)?;
        check_attribute_separation(start.attributes_raw(), at)?;

        let mut namespace_declarations = Vec::new();
        let mut raw_attributes = std::mem::take(&mut self.pending_attributes);
        raw_attributes.clear();
        for attribute in start.attributes().with_checks(true) {
            let attribute = attribute.map_err(|e| XmlError::Malformed {
                at: at.pos(),
                reason: e.to_string(),
            })?;
            if namespace_declarations.len() + raw_attributes.len() >= self.limits.max_attributes {
                return Err(XmlError::TooManyAttributes {
                    at: at.pos(),
                    limit: self.limits.max_attributes,
                });
            }
            let name: &str = attribute.key.into_inner();
            let value = normalize_attribute_value(self.borrow(&attribute.value), at)?;
            if name == "xmlns" {
                namespace_declarations.push(NamespaceDeclaration {
                    prefix: None,
                    uri: value,
                });
            } else if let Some(declared) = name.strip_prefix("xmlns:") {
                if !is_ncname(declared) {
                    return Err(XmlError::Malformed {
                        at: at.pos(),
                        reason: format!("'{declared}' is not a valid namespace prefix"),
                    });
                }
                check_prefix_binding(declared, &value, at)?;
                namespace_declarations.push(NamespaceDeclaration {
                    prefix: Some(self.borrow(declared)),
                    uri: value,
                });
            } else {
                raw_attributes.push((self.borrow(name), value));
            }
        }

        // Namespaces are resolved once the element's own declarations are known.
        for d in &namespace_declarations {
            self.scope.push((d.prefix.clone(), d.uri.clone()));
        }
        // Resolved after the node is counted, as the limit is checked first.
        let resolve_prefix = prefix.clone();
        let element_id = self.add_node(
            NodeKind::Element(Element {
                prefix,
                local_name,
                namespace: None,
                namespace_declarations,
                attributes: Vec::new(),
            }),
            offset,
        )?;
        let namespace = match resolve_prefix.as_deref() {
            Some(p) => Some(self.resolve(p, at)?),
            None => self.lookup(None).filter(|uri| !uri.is_empty()).cloned(),
        };

        let mut attributes = Vec::with_capacity(raw_attributes.len());
        for (name, value) in raw_attributes.drain(..) {
            let (prefix, local_name) = split_qname(name.clone(), at)?;
            let namespace = match prefix.as_deref() {
                Some(p) => Some(self.resolve(p, at)?),
                None => None,
            };
            let attribute = Attribute {
                prefix,
                local_name,
                namespace,
                value,
            };
            // Namespaces in XML §6.3: no two attributes with the same expanded name.
            if attributes.iter().any(|a: &Attribute| {
                a.local_name == attribute.local_name && a.namespace == attribute.namespace
            }) {
                return Err(XmlError::DuplicateAttribute {
                    at: at.pos(),
                    name: name.into_owned(),
                });
            }
            attributes.push(attribute);
        }
        self.pending_attributes = raw_attributes;

        if let Some(element) = self.doc.element_mut(element_id) {
            element.namespace = namespace;
            element.attributes = attributes;
        }
        Ok(element_id)
    }
}

/// A qualified name split into its prefix and local part, borrowed as `name` is.
#[allow(clippy::type_complexity)]
fn split_qname<'i>(name: Str<'i>, at: At<'_>) -> Result<(Option<Str<'i>>, Str<'i>), XmlError> {
    Ok(match name {
        Cow::Borrowed(name) => {
            let (prefix, local) = split_name(name, at)?;
            (prefix.map(Cow::Borrowed), Cow::Borrowed(local))
        }
        Cow::Owned(name) => {
            let (prefix, local) = split_name(&name, at)?;
            (
                prefix.map(|p| Cow::Owned(p.to_owned())),
                Cow::Owned(local.to_owned()),
            )
        }
    })
}

fn split_name<'n>(name: &'n str, at: At<'_>) -> Result<(Option<&'n str>, &'n str), XmlError> {
    let invalid = || XmlError::Malformed {
        at: at.pos(),
        reason: format!("'{name}' is not a valid qualified name"),
    };
    match name.split_once(':') {
        None if is_ncname(name) => Ok((None, name)),
        Some((prefix, local)) if is_ncname(prefix) && is_ncname(local) => Ok((Some(prefix), local)),
        _ => Err(invalid()),
    }
}

/// The `NCName` production of Namespaces in XML 1.0 (an XML `Name` without
/// colons). quick-xml takes anything up to whitespace as a name, so `<a/ >` or a
/// quote inside a name would otherwise slip through and serialise into
/// something no parser reads back.
fn is_ncname(name: &str) -> bool {
    // Names are nearly always ASCII: letters, '_' first, then digits, '-', '.' too.
    let bytes = name.as_bytes();
    if let Some((&first, rest)) = bytes.split_first()
        && (first.is_ascii_alphabetic() || first == b'_')
        && rest
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return true;
    }
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    is_name_start(first) && chars.all(|c| {
        is_name_start(c)
            || c.is_ascii_digit()
            || matches!(c, '-' | '.' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
    })
}

/// `NameStartChar` of XML 1.0 (fifth edition) §2.3, colon excluded.
fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | 'a'..='z' | '_'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}'
        | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}'
        | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 §3.1 wants white space between attributes; quick-xml accepts
/// `<a b="1"c="2"/>`.
fn check_attribute_separation(raw: &str, at: At<'_>) -> Result<(), XmlError> {
    // Bytes, not chars: the quotes, white space and '/' looked for are ASCII, and
    // no byte of a multi-byte UTF-8 character is ASCII. Quote to quote, so the
    // value between is skipped by one search rather than looked at byte by byte.
    let bytes = raw.as_bytes();
    let mut rest = 0;
    while let Some(open) = bytes[rest..].iter().position(|&b| b == b'"' || b == b'\'') {
        let quote = bytes[rest + open];
        let value = rest + open + 1;
        let Some(close) = bytes[value..].iter().position(|&b| b == quote) else {
            return Ok(());
        };
        let after = value + close + 1;
        if let Some(&next) = bytes.get(after)
            && !(next.is_ascii_whitespace() || next == b'/')
        {
            return Err(XmlError::Malformed {
                at: at.pos(),
                reason: "attributes must be separated by white space".into(),
            });
        }
        rest = after;
    }
    Ok(())
}

/// Namespaces in XML 1.0 §3: `xml` and `xmlns` are reserved, and in XML 1.0
/// (unlike 1.1) a prefix cannot be undeclared.
fn check_prefix_binding(prefix: &str, uri: &str, at: At<'_>) -> Result<(), XmlError> {
    let reason = if uri.is_empty() {
        format!("xmlns:{prefix}=\"\" undeclares a prefix, which XML 1.0 namespaces forbid")
    } else if prefix == "xmlns" {
        "the prefix xmlns must not be declared".into()
    } else if prefix == "xml" && uri != XML_NAMESPACE {
        "the prefix xml must not be bound to any other namespace".into()
    } else if prefix != "xml" && (uri == XML_NAMESPACE || uri == XMLNS_NAMESPACE) {
        format!("the prefix {prefix} must not be bound to a reserved namespace")
    } else {
        return Ok(());
    };
    Err(XmlError::Malformed {
        at: at.pos(),
        reason,
    })
}

fn check_declaration(decl: &quick_xml::events::BytesDecl<'_>, at: At<'_>) -> Result<(), XmlError> {
    let version = decl.version().map_err(|e| XmlError::Malformed {
        at: at.pos(),
        reason: e.to_string(),
    })?;
    if version.as_ref() != "1.0" {
        return Err(XmlError::Malformed {
            at: at.pos(),
            reason: format!("XML version {version} is not supported (only 1.0)"),
        });
    }
    if let Some(encoding) = decl.encoding() {
        let encoding = encoding.map_err(|e| XmlError::Malformed {
            at: at.pos(),
            reason: e.to_string(),
        })?;
        if !encoding.eq_ignore_ascii_case("utf-8") {
            return Err(XmlError::UnsupportedEncoding {
                encoding: encoding.into_owned(),
            });
        }
    }
    Ok(())
}

/// The five predefined entities and character references; anything else would need
/// a DTD, and DTDs are refused.
fn resolve_reference(name: &str, at: At<'_>) -> Result<char, XmlError> {
    let ch = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            if let Some(number) = name.strip_prefix('#') {
                let (digits, radix) = match number.strip_prefix('x') {
                    Some(hex) => (hex, 16),
                    None => (number, 10),
                };
                // from_str_radix would take a sign; XML's CharRef has none.
                let well_formed = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
                u32::from_str_radix(digits, radix)
                    .ok()
                    .filter(|_| well_formed)
                    .and_then(char::from_u32)
                    .filter(|&c| is_xml_char(c))
                    .ok_or_else(|| XmlError::BadCharacterReference {
                        at: at.pos(),
                        reference: format!("&{name};"),
                    })?
            } else {
                return Err(XmlError::UndefinedEntity {
                    at: at.pos(),
                    name: name.to_owned(),
                });
            }
        }
    };
    Ok(ch)
}

/// XML 1.0 §3.3.3 for CDATA-typed attributes (without a DTD every attribute is
/// CDATA): line ends become one space, each literal whitespace character becomes a
/// space, references are replaced by the character they name — so `&#10;` survives
/// as a line feed while a literal line feed does not.
fn normalize_attribute_value<'i>(raw: Str<'i>, at: At<'_>) -> Result<Str<'i>, XmlError> {
    if !raw
        .bytes()
        .any(|b| matches!(b, b'&' | b'\r' | b'\n' | b'\t' | b'<'))
    {
        check_chars(&raw, at)?;
        return Ok(raw);
    }
    let mut value = String::with_capacity(raw.len());
    let mut rest = &*raw;
    while let Some(i) = rest.find(['&', '\r', '\n', '\t', '<']) {
        value.push_str(&rest[..i]);
        let tail = &rest[i..];
        match tail.as_bytes()[0] {
            b'&' => {
                let end = tail.find(';').ok_or_else(|| XmlError::Malformed {
                    at: at.pos(),
                    reason: "an '&' in an attribute value does not start a reference".into(),
                })?;
                value.push(resolve_reference(&tail[1..end], at)?);
                rest = &tail[end + 1..];
            }
            b'<' => {
                return Err(XmlError::Malformed {
                    at: at.pos(),
                    reason: "'<' is not allowed in an attribute value".into(),
                });
            }
            b'\r' => {
                value.push(' ');
                rest = tail.strip_prefix("\r\n").unwrap_or(&tail[1..]);
            }
            _ => {
                value.push(' ');
                rest = &tail[1..];
            }
        }
    }
    value.push_str(rest);
    check_chars(&value, at)?;
    Ok(Cow::Owned(value))
}

/// XML 1.0 §2.11 for the one construct quick-xml does not normalise for us.
fn normalize_line_ends(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn check_chars(text: &str, at: At<'_>) -> Result<(), XmlError> {
    // A byte scan first: in UTF-8 the only characters outside `Char` are ASCII
    // controls and U+FFFE/U+FFFF (EF BF BE/BF), so most text needs no decoding.
    // Each test is one byte at a time with no look-ahead and no early exit within
    // a chunk, which the compiler can vectorise (an early exit per byte it cannot);
    // the exact check below runs only when one fires.
    let suspicious = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') | (b == 0xEF);
    if !text
        .as_bytes()
        .chunks(32)
        .any(|chunk| chunk.iter().fold(false, |seen, &b| seen | suspicious(b)))
    {
        return Ok(());
    }
    match text.chars().find(|&c| !is_xml_char(c)) {
        Some(c) => Err(XmlError::IllegalCharacter {
            at: at.pos(),
            code: u32::from(c),
        }),
        None => Ok(()),
    }
}

/// The `Char` production of XML 1.0 §2.2.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn is_xml_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}
