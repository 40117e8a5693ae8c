//! Small helpers shared by the builders and readers: element constructors for
//! the SAML namespaces, checks that keep built messages schema-valid, and a
//! reading cursor whose errors name the element and the rule.

use samlsim_crypto::Certificate;
use samlsim_dsig::{DSIG_NS, Verified, VerifyOptions, verify_enveloped_owned};
use samlsim_xml::{Attribute, Document, Element, NodeId, parse_bytes};

use crate::error::SamlError;
use crate::signature::{ASSERTION_NS, PROTOCOL_NS, Signer};
use crate::time::DateTime;
use crate::uri::{METADATA_NS, XSI_NS};

// ---------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------

/// `saml:local` (SAML assertion namespace).
pub(crate) fn saml(local_name: &str) -> Element<'static> {
    Element::new(Some("saml"), local_name, Some(ASSERTION_NS))
}

/// `samlp:local` (SAML protocol namespace).
pub(crate) fn samlp(local_name: &str) -> Element<'static> {
    Element::new(Some("samlp"), local_name, Some(PROTOCOL_NS))
}

/// `md:local` (SAML metadata namespace).
pub(crate) fn md(local_name: &str) -> Element<'static> {
    Element::new(Some("md"), local_name, Some(METADATA_NS))
}

/// `ds:local` (XML-DSig namespace).
pub(crate) fn ds(local_name: &str) -> Element<'static> {
    Element::new(Some("ds"), local_name, Some(DSIG_NS))
}

/// Appends `element` holding `text` to `parent`.
pub(crate) fn append_text_element<'a>(
    doc: &mut Document<'a>,
    parent: NodeId,
    element: Element<'a>,
    text: &str,
) -> NodeId {
    let id = doc.append_element(parent, element);
    doc.append_text(id, text);
    id
}

/// Sets `name` to `value` if there is one.
pub(crate) fn with_optional<'a>(
    element: Element<'a>,
    name: &str,
    value: Option<&str>,
) -> Element<'a> {
    match value {
        Some(value) => element.with_attribute(name, value),
        None => element,
    }
}

/// Sets the time attribute `name` if there is one.
pub(crate) fn with_optional_time<'a>(
    element: Element<'a>,
    name: &str,
    value: Option<DateTime>,
) -> Element<'a> {
    match value {
        Some(value) => element.with_attribute(name, value.to_string()),
        None => element,
    }
}

/// `xsi:type="value"`; the `xsi` prefix must be declared by an ancestor.
pub(crate) fn xsi_type(value: &str) -> Attribute<'static> {
    Attribute {
        prefix: Some("xsi".into()),
        local_name: "type".into(),
        namespace: Some(XSI_NS.into()),
        value: value.to_owned().into(),
    }
}

/// `true` or `false`, the canonical `xs:boolean` lexical forms.
pub(crate) fn xs_boolean(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// Checks that `id` can be an `xs:ID` (SAML core 1.3.4): an NCName, i.e. a
/// letter or `_` first, then letters, digits, `.`, `-` and `_`. Non-ASCII
/// characters are let through (XML names allow most), so this only refuses
/// what is surely wrong: an empty ID, a leading digit, spaces, colons...
pub(crate) fn check_id(element: &'static str, id: &str) -> Result<(), SamlError> {
    let mut chars = id.chars();
    let valid_start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii());
    let valid_rest =
        chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') || !c.is_ascii());
    if valid_start && valid_rest {
        Ok(())
    } else {
        Err(SamlError::InvalidInput {
            element,
            reason: format!(
                "ID \"{id}\" is not an xs:ID: it must start with a letter or '_' and hold only \
                 letters, digits, '.', '-' and '_' (SAML core 1.3.4)"
            ),
        })
    }
}

/// Checks that every text and attribute value under `root` is made of
/// characters XML 1.0 can carry (its `Char` production, section 2.2). The
/// serialiser escapes markup characters, but no escape can carry, say, U+0001,
/// and a message holding one would be refused by every parser.
pub(crate) fn check_characters(
    doc: &Document,
    root: NodeId,
    element: &'static str,
) -> Result<(), SamlError> {
    let illegal = |s: &str| {
        s.chars().find(|&c| {
            !(matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'))
        })
    };
    for node in doc.descendants(root) {
        let found = match doc.kind(node) {
            samlsim_xml::NodeKind::Text(t) => illegal(t),
            samlsim_xml::NodeKind::Element(e) => e
                .attributes
                .iter()
                .find_map(|a| illegal(&a.value))
                .or_else(|| {
                    e.namespace_declarations
                        .iter()
                        .find_map(|d| illegal(&d.uri))
                }),
            _ => None,
        };
        if let Some(c) = found {
            return Err(SamlError::InvalidInput {
                element,
                reason: format!(
                    "a value holds U+{:04X}, which XML 1.0 cannot represent (XML 1.0 section 2.2)",
                    u32::from(c)
                ),
            });
        }
    }
    Ok(())
}

/// Signs `node` with `signer`, the signature placed after `saml:Issuer`.
pub(crate) fn sign(
    doc: &mut Document,
    node: NodeId,
    signer: &Signer<'_>,
    element: &'static str,
) -> Result<(), SamlError> {
    signer
        .sign(doc, node)
        .map(|_| ())
        .map_err(|source| SamlError::Sign { element, source })
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// An element being read, with the name its errors use.
#[derive(Clone, Copy)]
pub(crate) struct Node<'d> {
    pub(crate) doc: &'d Document<'d>,
    pub(crate) id: NodeId,
    pub(crate) name: &'static str,
}

impl<'d> Node<'d> {
    /// The document element, which must be `{namespace}local_name`.
    pub(crate) fn root(
        doc: &'d Document<'d>,
        namespace: &str,
        local_name: &str,
        name: &'static str,
        section: &'static str,
    ) -> Result<Self, SamlError> {
        let root = doc.root_element();
        match root {
            Some(id) if doc.is_element(id, namespace, local_name) => Ok(Node { doc, id, name }),
            _ => Err(SamlError::UnexpectedRoot {
                expected: name,
                found: root.map_or_else(|| "nothing".to_owned(), |id| describe(doc, id)),
                section,
            }),
        }
    }

    /// `id` of `doc`, known to be the element `name`.
    pub(crate) fn at(doc: &'d Document<'d>, id: NodeId, name: &'static str) -> Self {
        Node { doc, id, name }
    }

    /// The unqualified attribute `attribute`.
    pub(crate) fn attr(&self, attribute: &str) -> Option<&'d str> {
        self.doc
            .element(self.id)
            .and_then(|e| e.attribute(attribute))
    }

    /// The unqualified attribute `attribute`, owned.
    pub(crate) fn owned_attr(&self, attribute: &str) -> Option<String> {
        self.attr(attribute).map(str::to_owned)
    }

    /// The unqualified attribute `attribute`, which must be present and non-empty.
    pub(crate) fn required_attr(
        &self,
        attribute: &'static str,
        section: &'static str,
    ) -> Result<&'d str, SamlError> {
        self.attr(attribute)
            .filter(|v| !v.is_empty())
            .ok_or(SamlError::MissingAttribute {
                element: self.name,
                attribute,
                section,
            })
    }

    /// An optional `xs:dateTime` attribute.
    pub(crate) fn time(&self, attribute: &'static str) -> Result<Option<DateTime>, SamlError> {
        self.attr(attribute)
            // xs:dateTime's whitespace facet is "collapse": surrounding spaces are not data.
            .map(|v| DateTime::parse(v.trim_matches(is_xml_space)))
            .transpose()
            .map_err(|source| SamlError::InvalidTime {
                element: self.name,
                attribute,
                source,
            })
    }

    /// A required `xs:dateTime` attribute.
    pub(crate) fn required_time(
        &self,
        attribute: &'static str,
        section: &'static str,
    ) -> Result<DateTime, SamlError> {
        self.required_attr(attribute, section)?;
        self.time(attribute)?.ok_or(SamlError::MissingAttribute {
            element: self.name,
            attribute,
            section,
        })
    }

    /// An optional `xs:boolean` attribute.
    pub(crate) fn boolean(
        &self,
        attribute: &'static str,
        section: &'static str,
    ) -> Result<Option<bool>, SamlError> {
        self.attr(attribute)
            .map(|v| match v.trim_matches(is_xml_space) {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(SamlError::InvalidValue {
                    element: self.name,
                    attribute,
                    value: v.to_owned(),
                    expected: "xs:boolean (true, false, 1 or 0)",
                    section,
                }),
            })
            .transpose()
    }

    /// An optional `xs:unsignedShort` attribute (endpoint and service indexes).
    pub(crate) fn unsigned_short(
        &self,
        attribute: &'static str,
        section: &'static str,
    ) -> Result<Option<u16>, SamlError> {
        self.attr(attribute)
            .map(|v| {
                let digits = v.trim_matches(is_xml_space);
                // u16's parser takes a leading '+', as xs:unsignedShort does; nothing else.
                digits.parse::<u16>().map_err(|_| SamlError::InvalidValue {
                    element: self.name,
                    attribute,
                    value: v.to_owned(),
                    expected: "xs:unsignedShort (0 to 65535)",
                    section,
                })
            })
            .transpose()
    }

    /// Checks `Version="2.0"`.
    pub(crate) fn version(&self, section: &'static str) -> Result<(), SamlError> {
        let version = self.required_attr("Version", section)?;
        if version == "2.0" {
            Ok(())
        } else {
            Err(SamlError::UnsupportedVersion {
                element: self.name,
                version: version.to_owned(),
                section,
            })
        }
    }

    /// The element children named `{namespace}local_name`.
    pub(crate) fn children(
        &self,
        namespace: &'static str,
        local_name: &'static str,
        name: &'static str,
    ) -> impl Iterator<Item = Node<'d>> + 'd {
        let doc = self.doc;
        doc.children_named(self.id, namespace, local_name)
            .map(move |id| Node { doc, id, name })
    }

    /// The child `{namespace}local_name`, which may occur at most once.
    pub(crate) fn child(
        &self,
        namespace: &'static str,
        local_name: &'static str,
        name: &'static str,
        section: &'static str,
    ) -> Result<Option<Node<'d>>, SamlError> {
        let mut children = self.children(namespace, local_name, name);
        let first = children.next();
        let more = children.count();
        if more > 0 {
            return Err(SamlError::DuplicateElement {
                element: self.name,
                child: name,
                count: more + 1,
                section,
            });
        }
        Ok(first)
    }

    /// The child `{namespace}local_name`, which must occur exactly once.
    pub(crate) fn required_child(
        &self,
        namespace: &'static str,
        local_name: &'static str,
        name: &'static str,
        section: &'static str,
    ) -> Result<Node<'d>, SamlError> {
        self.child(namespace, local_name, name, section)?
            .ok_or(SamlError::MissingElement {
                element: self.name,
                child: name,
                section,
            })
    }

    /// Whether the element has a `ds:Signature` child.
    pub(crate) fn has_signature(&self) -> bool {
        self.doc
            .first_child_named(self.id, DSIG_NS, "Signature")
            .is_some()
    }

    /// All text below the element; comments do not split it.
    pub(crate) fn text(&self) -> String {
        self.doc.text_content(self.id)
    }

    /// The text of an `xs:anyURI` element, whose whitespace facet is "collapse":
    /// leading and trailing whitespace (pretty-printing) is not part of the value.
    pub(crate) fn uri_text(&self) -> String {
        self.text().trim_matches(is_xml_space).to_owned()
    }
}

/// XML's whitespace characters (XML 1.0 section 2.3, production `S`).
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// `{namespace}local` for an error message.
pub(crate) fn describe(doc: &Document, id: NodeId) -> String {
    match doc.element(id) {
        Some(e) => match &e.namespace {
            Some(ns) => format!("{{{ns}}}{}", e.local_name),
            None => e.local_name.to_string(),
        },
        None => "a non-element node".to_owned(),
    }
}

/// Parses `xml`, checks that its document element is `{namespace}local_name`
/// and verifies that element's enveloped signature: for protocol messages that
/// carry their own signature (HTTP-POST binding, SAML bindings 3.5.5.2).
pub(crate) fn verify_root<'x>(
    xml: &'x [u8],
    trusted: &[Certificate],
    namespace: &str,
    local_name: &str,
    name: &'static str,
    section: &'static str,
) -> Result<Verified<'x>, SamlError> {
    let doc = parse_bytes(xml)?;
    let root = Node::root(&doc, namespace, local_name, name, section)?.id;
    verify_enveloped_owned(doc, root, trusted, &VerifyOptions::default()).map_err(|source| {
        SamlError::Signature {
            element: name,
            source,
        }
    })
}
