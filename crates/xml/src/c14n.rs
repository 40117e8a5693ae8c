//! Canonical XML 1.0 and Exclusive XML Canonicalization 1.0.
//!
//! - Canonical XML 1.0: <https://www.w3.org/TR/2001/REC-xml-c14n-20010315>
//! - Exclusive XML Canonicalization 1.0: <https://www.w3.org/TR/2002/REC-xml-exc-c14n-20020718/>
//!
//! Node-sets are limited to what XML-DSig over SAML needs: a whole document, or one
//! element's subtree, optionally minus one descendant subtree (the enveloped
//! `Signature`). Both algorithms then differ only in which namespace declarations an
//! element renders and in the `xml:` attributes the apex inherits.

use crate::tree::{Attribute, Document, NodeId, NodeKind};
use crate::write::{escape_attribute, escape_text, write_name};

/// `http://www.w3.org/2001/10/xml-exc-c14n#`
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// `http://www.w3.org/2001/10/xml-exc-c14n#WithComments`
pub const EXC_C14N_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
/// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`
pub const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments`
pub const C14N_WITH_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";

/// Which canonicalisation, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonicalization {
    /// Exclusive (namespaces rendered where visibly used) or inclusive (all in scope).
    pub exclusive: bool,
    pub with_comments: bool,
    /// Exclusive only: the `InclusiveNamespaces PrefixList`, prefixes treated as by
    /// inclusive canonicalisation. `#default` stands for the default namespace.
    pub inclusive_prefixes: Vec<String>,
}

impl Canonicalization {
    /// Exclusive C14N without comments, the algorithm SAML recommends (SAML core §5.4.3).
    pub fn exclusive() -> Self {
        Canonicalization {
            exclusive: true,
            with_comments: false,
            inclusive_prefixes: Vec::new(),
        }
    }

    /// Canonical XML 1.0 without comments.
    pub fn inclusive() -> Self {
        Canonicalization {
            exclusive: false,
            with_comments: false,
            inclusive_prefixes: Vec::new(),
        }
    }

    /// The algorithm an XML-DSig `Algorithm` URI names, if it is one of the four.
    pub fn from_uri(uri: &str) -> Option<Self> {
        let (exclusive, with_comments) = match uri {
            EXC_C14N => (true, false),
            EXC_C14N_WITH_COMMENTS => (true, true),
            C14N => (false, false),
            C14N_WITH_COMMENTS => (false, true),
            _ => return None,
        };
        Some(Canonicalization {
            exclusive,
            with_comments,
            inclusive_prefixes: Vec::new(),
        })
    }

    pub fn uri(&self) -> &'static str {
        match (self.exclusive, self.with_comments) {
            (true, false) => EXC_C14N,
            (true, true) => EXC_C14N_WITH_COMMENTS,
            (false, false) => C14N,
            (false, true) => C14N_WITH_COMMENTS,
        }
    }
}

/// Canonicalises `apex` (the document node or an element) and everything below it
/// except the subtree rooted at `exclude`.
pub fn canonicalize(
    doc: &Document,
    apex: NodeId,
    exclude: Option<NodeId>,
    method: &Canonicalization,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    canonicalize_into(doc, apex, exclude, method, &mut out);
    out
}

/// As [`canonicalize`], appending to `out`.
pub fn canonicalize_into(
    doc: &Document,
    apex: NodeId,
    exclude: Option<NodeId>,
    method: &Canonicalization,
    out: &mut Vec<u8>,
) {
    let inclusive_prefixes = method
        .inclusive_prefixes
        .iter()
        .map(|p| {
            if p == "#default" {
                None
            } else {
                Some(p.as_str())
            }
        })
        .collect();
    let mut c = Canonicalizer {
        doc,
        method,
        inclusive_prefixes,
        exclude,
        apex,
        out,
        rendered: Vec::new(),
        candidates: Vec::new(),
        attributes: Vec::new(),
    };
    match doc.kind(apex) {
        NodeKind::Document => c.document(apex),
        _ => c.node(apex),
    }
}

struct Canonicalizer<'a, 'o> {
    doc: &'a Document<'a>,
    method: &'a Canonicalization,
    inclusive_prefixes: Vec<Option<&'a str>>,
    exclude: Option<NodeId>,
    apex: NodeId,
    out: &'o mut Vec<u8>,
    /// Namespace declarations rendered by the output ancestors of the current element,
    /// innermost last: what a declaration must differ from to be rendered again.
    rendered: Vec<(Option<&'a str>, &'a str)>,
    /// Scratch space reused for every element (an element's own vectors would be
    /// most of canonicalisation's allocations): the prefixes it considers, and its
    /// attributes in the order they are written.
    candidates: Vec<Option<&'a str>>,
    attributes: Vec<&'a Attribute<'a>>,
}

impl<'a> Canonicalizer<'a, '_> {
    /// C14N §2.1: nodes outside the document element are separated from it by a line feed.
    fn document(&mut self, document: NodeId) {
        let mut after_root = false;
        for &child in self.doc.children(document) {
            match self.doc.kind(child) {
                NodeKind::Element(_) => {
                    self.node(child);
                    after_root = true;
                }
                NodeKind::Comment(_) if !self.method.with_comments => {}
                _ => {
                    if after_root {
                        self.out.push(b'\n');
                    }
                    self.node(child);
                    if !after_root {
                        self.out.push(b'\n');
                    }
                }
            }
        }
    }

    fn node(&mut self, id: NodeId) {
        if Some(id) == self.exclude {
            return;
        }
        match self.doc.kind(id) {
            NodeKind::Element(_) => self.element(id),
            NodeKind::Text(text) => escape_text(text, self.out),
            NodeKind::Comment(text) => {
                if self.method.with_comments {
                    self.out.extend_from_slice(b"<!--");
                    self.out.extend_from_slice(text.as_bytes());
                    self.out.extend_from_slice(b"-->");
                }
            }
            NodeKind::ProcessingInstruction { target, data } => {
                self.out.extend_from_slice(b"<?");
                self.out.extend_from_slice(target.as_bytes());
                if !data.is_empty() {
                    self.out.push(b' ');
                    self.out.extend_from_slice(data.as_bytes());
                }
                self.out.extend_from_slice(b"?>");
            }
            NodeKind::Document => self.document(id),
        }
    }

    fn element(&mut self, id: NodeId) {
        let doc = self.doc;
        let Some(element) = doc.element(id) else {
            return;
        };
        let scope_mark = self.rendered.len();

        self.out.push(b'<');
        write_name(element.prefix.as_deref(), &element.local_name, self.out);

        // This element's declarations go on `rendered` (its scope, dropped at its
        // end tag), sorted there.
        self.namespaces_to_render(id);
        self.rendered[scope_mark..].sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for &(prefix, uri) in &self.rendered[scope_mark..] {
            match prefix {
                None => self.out.extend_from_slice(b" xmlns=\""),
                Some(p) => {
                    self.out.extend_from_slice(b" xmlns:");
                    self.out.extend_from_slice(p.as_bytes());
                    self.out.extend_from_slice(b"=\"");
                }
            }
            escape_attribute(uri, self.out);
            self.out.push(b'"');
        }

        let mut attributes = std::mem::take(&mut self.attributes);
        attributes.clear();
        attributes.extend(element.attributes.iter());
        if !self.method.exclusive && id == self.apex {
            self.inherit_xml_attributes(id, &mut attributes);
        }
        attributes.sort_unstable_by(|a, b| {
            (a.namespace.as_deref().unwrap_or(""), &*a.local_name)
                .cmp(&(b.namespace.as_deref().unwrap_or(""), &*b.local_name))
        });
        for attribute in &attributes {
            self.out.push(b' ');
            write_name(attribute.prefix.as_deref(), &attribute.local_name, self.out);
            self.out.extend_from_slice(b"=\"");
            escape_attribute(&attribute.value, self.out);
            self.out.push(b'"');
        }
        self.out.push(b'>');
        self.attributes = attributes;

        for &child in doc.children(id) {
            self.node(child);
        }

        self.out.extend_from_slice(b"</");
        write_name(element.prefix.as_deref(), &element.local_name, self.out);
        self.out.push(b'>');
        self.rendered.truncate(scope_mark);
    }

    /// Pushes onto `rendered` the namespace declarations element `id` renders: of
    /// the prefixes it must consider, those whose in-scope binding differs from what
    /// the nearest output ancestor rendered. An unrendered default namespace counts
    /// as empty, so `xmlns=""` appears only to undo a non-empty one.
    fn namespaces_to_render(&mut self, id: NodeId) {
        let doc = self.doc;
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        let Some(element) = doc.element(id) else {
            return;
        };
        if self.method.exclusive {
            // Exc-C14N §3: a prefix is visibly utilised by the element's own name and
            // by its prefixed attributes; unprefixed attributes use no namespace.
            candidates.push(element.prefix.as_deref());
            candidates.extend(
                element
                    .attributes
                    .iter()
                    .filter_map(|a| a.prefix.as_deref().map(Some)),
            );
            candidates.extend(self.inclusive_prefixes.iter().copied());
        } else if id == self.apex {
            // C14N: the apex renders every namespace in scope, ancestors' included.
            let mut current = Some(id);
            while let Some(n) = current {
                if let Some(e) = doc.element(n) {
                    candidates.extend(e.namespace_declarations.iter().map(|d| d.prefix.as_deref()));
                }
                current = doc.parent(n);
            }
        } else {
            // Below the apex, only the element's own declarations can differ from
            // what its parent already rendered.
            candidates.extend(
                element
                    .namespace_declarations
                    .iter()
                    .map(|d| d.prefix.as_deref()),
            );
        }

        let mark = self.rendered.len();
        for &prefix in &candidates {
            if prefix == Some("xml") || self.rendered[mark..].iter().any(|&(p, _)| p == prefix) {
                continue;
            }
            let in_scope = doc.lookup_namespace(id, prefix);
            let uri = match (prefix, in_scope) {
                (Some(_), None) => continue, // a listed prefix that is not in scope here
                (Some(_), Some(uri)) => uri,
                (None, uri) => uri.unwrap_or(""),
            };
            let rendered = self.rendered[..mark]
                .iter()
                .rev()
                .find(|&&(p, _)| p == prefix)
                .map(|&(_, u)| u);
            let differs = match prefix {
                None => rendered.unwrap_or("") != uri,
                Some(_) => rendered != Some(uri),
            };
            if differs {
                self.rendered.push((prefix, uri));
            }
        }
        self.candidates = candidates;
    }

    /// C14N §2.4: the apex of a document subset carries the `xml:` attributes
    /// (xml:lang, xml:space, ...) of its ancestors, the nearest winning.
    fn inherit_xml_attributes(&self, apex: NodeId, attributes: &mut Vec<&'a Attribute<'a>>) {
        let mut current = self.doc.parent(apex);
        while let Some(n) = current {
            if let Some(e) = self.doc.element(n) {
                for a in &e.attributes {
                    if a.prefix.as_deref() == Some("xml")
                        && !attributes.iter().any(|b| {
                            b.prefix.as_deref() == Some("xml") && b.local_name == a.local_name
                        })
                    {
                        attributes.push(a);
                    }
                }
            }
            current = self.doc.parent(n);
        }
    }
}
