//! The namespace-aware document tree.
//!
//! It keeps exactly what canonicalisation needs and nothing a SAML message cannot
//! contain: elements (with namespace declarations and attributes in the order they
//! were written), text (line ends and attribute values already normalised as the XML
//! 1.0 recommendation requires of a parser), comments and processing instructions.
//! Nodes live in one arena and are addressed by [`NodeId`]; that keeps the tree cheap
//! to build, to walk both ways, and to edit in place when a signature is inserted.

use std::borrow::Cow;

/// The namespace that the `xml` prefix is bound to by definition (Namespaces in XML 1.0, §3).
pub const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// A handle to a node of one [`Document`]. Handles are only meaningful for the
/// document that issued them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// A string of a [`Document`]: borrowed from the text a parsed document was read
/// from (names always; values and text unless normalising them changed them, e.g. a
/// reference was resolved), owned when built or when normalised. Parsing and
/// extracting the signed node-set then copy no names or text.
pub type Str<'a> = Cow<'a, str>;

/// A namespace declaration as written on an element: `xmlns="uri"` (prefix `None`) or
/// `xmlns:p="uri"`. An empty `uri` with no prefix undeclares the default namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceDeclaration<'a> {
    pub prefix: Option<Str<'a>>,
    pub uri: Str<'a>,
}

/// An attribute other than a namespace declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute<'a> {
    pub prefix: Option<Str<'a>>,
    pub local_name: Str<'a>,
    /// The namespace the prefix resolves to; unprefixed attributes are in no namespace.
    /// Borrowed from the declaration's value when that was.
    pub namespace: Option<Str<'a>>,
    /// The normalised value (entity and character references resolved).
    pub value: Str<'a>,
}

/// An element: its name as written, its resolved namespace, and what it declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element<'a> {
    pub prefix: Option<Str<'a>>,
    pub local_name: Str<'a>,
    /// The namespace the element's prefix (or the default namespace) resolves to.
    pub namespace: Option<Str<'a>>,
    pub namespace_declarations: Vec<NamespaceDeclaration<'a>>,
    pub attributes: Vec<Attribute<'a>>,
}

/// `s` owned, whatever it borrowed.
fn owned(s: Str<'_>) -> Str<'static> {
    Cow::Owned(s.into_owned())
}

impl NamespaceDeclaration<'_> {
    fn into_owned(self) -> NamespaceDeclaration<'static> {
        NamespaceDeclaration {
            prefix: self.prefix.map(owned),
            uri: owned(self.uri),
        }
    }
}

impl Attribute<'_> {
    fn into_owned(self) -> Attribute<'static> {
        Attribute {
            prefix: self.prefix.map(owned),
            local_name: owned(self.local_name),
            namespace: self.namespace.map(owned),
            value: owned(self.value),
        }
    }
}

impl Element<'_> {
    /// The element owning all its strings, free of the text it was parsed from.
    pub fn into_owned(self) -> Element<'static> {
        Element {
            prefix: self.prefix.map(owned),
            local_name: owned(self.local_name),
            namespace: self.namespace.map(owned),
            namespace_declarations: self
                .namespace_declarations
                .into_iter()
                .map(NamespaceDeclaration::into_owned)
                .collect(),
            attributes: self
                .attributes
                .into_iter()
                .map(Attribute::into_owned)
                .collect(),
        }
    }
}

impl<'a> Element<'a> {
    /// A new element in `namespace`, written with `prefix`. The caller declares the
    /// prefix (with [`Element::declare_namespace`]) unless an ancestor already does.
    pub fn new(prefix: Option<&str>, local_name: &str, namespace: Option<&str>) -> Self {
        Element {
            prefix: prefix.map(|p| Cow::Owned(p.to_owned())),
            local_name: Cow::Owned(local_name.to_owned()),
            namespace: namespace.map(|n| Cow::Owned(n.to_owned())),
            namespace_declarations: Vec::new(),
            attributes: Vec::new(),
        }
    }

    /// Adds `xmlns:prefix="uri"` (or `xmlns="uri"` for no prefix).
    pub fn declare_namespace(mut self, prefix: Option<&str>, uri: &str) -> Self {
        self.namespace_declarations.push(NamespaceDeclaration {
            prefix: prefix.map(|p| Cow::Owned(p.to_owned())),
            uri: Cow::Owned(uri.to_owned()),
        });
        self
    }

    /// Adds an unqualified attribute.
    pub fn with_attribute(mut self, local_name: &str, value: impl Into<String>) -> Self {
        self.set_attribute(local_name, value);
        self
    }

    /// Sets an unqualified attribute, replacing any previous value.
    pub fn set_attribute(&mut self, local_name: &str, value: impl Into<String>) {
        let value = Cow::Owned(value.into());
        match self
            .attributes
            .iter_mut()
            .find(|a| a.namespace.is_none() && a.local_name == local_name)
        {
            Some(existing) => existing.value = value,
            None => self.attributes.push(Attribute {
                prefix: None,
                local_name: Cow::Owned(local_name.to_owned()),
                namespace: None,
                value,
            }),
        }
    }

    /// The value of the unqualified attribute `local_name`.
    pub fn attribute(&self, local_name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.local_name == local_name)
            .map(|a| &*a.value)
    }

    /// The value of the attribute `local_name` in `namespace`.
    pub fn attribute_ns(&self, namespace: &str, local_name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.as_deref() == Some(namespace) && a.local_name == local_name)
            .map(|a| &*a.value)
    }

    /// Whether this element is `{namespace}local_name`.
    pub fn is(&self, namespace: &str, local_name: &str) -> bool {
        self.local_name == local_name && self.namespace.as_deref() == Some(namespace)
    }

    /// The name as written, `prefix:local` or `local`.
    pub fn qualified_name(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local_name),
            None => self.local_name.clone().into_owned(),
        }
    }
}

/// What a node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind<'a> {
    /// The document itself: the parent of the root element and of any comments or
    /// processing instructions outside it.
    Document,
    Element(Element<'a>),
    Text(Str<'a>),
    Comment(Str<'a>),
    ProcessingInstruction {
        target: Str<'a>,
        data: Str<'a>,
    },
}

impl NodeKind<'_> {
    fn into_owned(self) -> NodeKind<'static> {
        match self {
            NodeKind::Document => NodeKind::Document,
            NodeKind::Element(e) => NodeKind::Element(e.into_owned()),
            NodeKind::Text(t) => NodeKind::Text(owned(t)),
            NodeKind::Comment(c) => NodeKind::Comment(owned(c)),
            NodeKind::ProcessingInstruction { target, data } => NodeKind::ProcessingInstruction {
                target: owned(target),
                data: owned(data),
            },
        }
    }
}

#[derive(Debug, Clone)]
struct Node<'a> {
    kind: NodeKind<'a>,
    parent: Option<NodeId>,
    children: Vec<NodeId>,
}

/// A parsed or built XML document. `'a` is the text a parsed document borrows its
/// names and text from (`'static` for a built one, or after
/// [`Document::into_owned`]).
#[derive(Debug, Clone)]
pub struct Document<'a> {
    nodes: Vec<Node<'a>>,
}

impl Default for Document<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Document<'a> {
    /// An empty document (just the document node).
    pub fn new() -> Self {
        Self::with_capacity(1)
    }

    /// An empty document with room for `nodes` nodes before the arena grows: a
    /// node is about 150 bytes, and growing by doubling copies them all each time.
    pub(crate) fn with_capacity(nodes: usize) -> Self {
        let mut arena = Vec::with_capacity(nodes.max(1));
        arena.push(Node {
            kind: NodeKind::Document,
            parent: None,
            children: Vec::new(),
        });
        Document { nodes: arena }
    }

    /// The document node.
    pub fn document_node(&self) -> NodeId {
        NodeId(0)
    }

    /// The root (document) element, if the document has one.
    pub fn root_element(&self) -> Option<NodeId> {
        self.children(self.document_node())
            .iter()
            .copied()
            .find(|&id| self.element(id).is_some())
    }

    /// How many nodes the document holds (for limits and statistics).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The document owning all its strings, free of the text it was parsed from
    /// (for keeping it beyond that text's life).
    pub fn into_owned(self) -> Document<'static> {
        Document {
            nodes: self
                .nodes
                .into_iter()
                .map(|n| Node {
                    kind: n.kind.into_owned(),
                    parent: n.parent,
                    children: n.children,
                })
                .collect(),
        }
    }

    pub fn kind(&self, id: NodeId) -> &NodeKind<'a> {
        &self.nodes[id.index()].kind
    }

    pub fn element(&self, id: NodeId) -> Option<&Element<'a>> {
        match &self.nodes[id.index()].kind {
            NodeKind::Element(e) => Some(e),
            _ => None,
        }
    }

    pub fn element_mut(&mut self, id: NodeId) -> Option<&mut Element<'a>> {
        match &mut self.nodes[id.index()].kind {
            NodeKind::Element(e) => Some(e),
            _ => None,
        }
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.nodes[id.index()].parent
    }

    pub fn children(&self, id: NodeId) -> &[NodeId] {
        &self.nodes[id.index()].children
    }

    /// The element children of `id`, in document order.
    pub fn child_elements(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.children(id)
            .iter()
            .copied()
            .filter(|&c| self.element(c).is_some())
    }

    /// The element children of `id` named `{namespace}local_name`.
    pub fn children_named<'d>(
        &'d self,
        id: NodeId,
        namespace: &'d str,
        local_name: &'d str,
    ) -> impl Iterator<Item = NodeId> + 'd {
        self.child_elements(id)
            .filter(move |&c| self.is_element(c, namespace, local_name))
    }

    /// The first element child of `id` named `{namespace}local_name`.
    pub fn first_child_named(
        &self,
        id: NodeId,
        namespace: &str,
        local_name: &str,
    ) -> Option<NodeId> {
        self.children_named(id, namespace, local_name).next()
    }

    /// Whether `id` is an element named `{namespace}local_name`.
    pub fn is_element(&self, id: NodeId, namespace: &str, local_name: &str) -> bool {
        self.element(id)
            .is_some_and(|e| e.is(namespace, local_name))
    }

    /// `id` and all nodes below it, in document order.
    pub fn descendants(&self, id: NodeId) -> Descendants<'_, 'a> {
        Descendants {
            doc: self,
            stack: vec![id],
        }
    }

    /// The concatenated text of all text nodes below `id`. Comments do not
    /// interrupt it: `alice@example.com<!---->.evil.com` reads as the whole string,
    /// never as `alice@example.com` (the comment-truncation attack, CVE-2017-11427).
    pub fn text_content(&self, id: NodeId) -> String {
        self.text_pieces(id).collect()
    }

    /// The text nodes below `id` in document order, whose concatenation is
    /// [`Document::text_content`], for readers that need not build the string.
    pub fn text_pieces(&self, id: NodeId) -> impl Iterator<Item = &str> + '_ {
        self.descendants(id)
            .filter_map(|node| match self.kind(node) {
                NodeKind::Text(t) => Some(&**t),
                _ => None,
            })
    }

    /// Whether `ancestor` is `node` or one of its ancestors.
    pub fn is_ancestor_or_self(&self, ancestor: NodeId, node: NodeId) -> bool {
        let mut current = Some(node);
        while let Some(n) = current {
            if n == ancestor {
                return true;
            }
            current = self.parent(n);
        }
        false
    }

    /// The namespace URI `prefix` is bound to at element `id` (`None` prefix: the
    /// default namespace). `Some("")` means the default namespace was undeclared.
    pub fn lookup_namespace(&self, id: NodeId, prefix: Option<&str>) -> Option<&str> {
        if prefix == Some("xml") {
            return Some(XML_NAMESPACE);
        }
        let mut current = Some(id);
        while let Some(n) = current {
            if let Some(e) = self.element(n)
                && let Some(d) = e
                    .namespace_declarations
                    .iter()
                    .find(|d| d.prefix.as_deref() == prefix)
            {
                return Some(&d.uri);
            }
            current = self.parent(n);
        }
        None
    }

    /// A new document holding a copy of the subtree at element `apex`, minus the
    /// subtree at `exclude` and, unless `keep_comments`, minus comments (text on
    /// either side of a dropped comment becomes one text node). The copy's root
    /// declares every namespace in scope at `apex`, so it means the same on its own.
    ///
    /// This is the node-set that a same-document XML-DSig reference with the
    /// enveloped-signature transform digests; handing out only this copy is how
    /// signature verification keeps unsigned content out of reach. Strings
    /// borrowed from the parsed text stay borrowed, so the copy is of nodes only;
    /// [`Document::into_extract`] does not even copy those.
    pub fn extract(
        &self,
        apex: NodeId,
        exclude: Option<NodeId>,
        keep_comments: bool,
    ) -> Document<'a> {
        let inherited = self.inherited_declarations(apex);
        extract_by(
            self.nodes.len(),
            apex,
            inherited,
            exclude,
            keep_comments,
            |id| {
                let node = &self.nodes[id.index()];
                (node.kind.clone(), node.children.clone())
            },
        )
    }

    /// [`Document::extract`] by moving the nodes out of this document rather than
    /// copying them. The result holds only the extracted nodes, renumbered: no
    /// handle into this document reaches anything else through it.
    pub fn into_extract(
        mut self,
        apex: NodeId,
        exclude: Option<NodeId>,
        keep_comments: bool,
    ) -> Document<'a> {
        let inherited = self.inherited_declarations(apex);
        let count = self.nodes.len();
        extract_by(count, apex, inherited, exclude, keep_comments, |id| {
            let node = &mut self.nodes[id.index()];
            (
                std::mem::replace(&mut node.kind, NodeKind::Document),
                std::mem::take(&mut node.children),
            )
        })
    }

    /// The namespace declarations of `apex`'s ancestors, nearest first, that an
    /// extracted `apex` must repeat to mean the same on its own.
    fn inherited_declarations(&self, apex: NodeId) -> Vec<NamespaceDeclaration<'a>> {
        let mut inherited: Vec<NamespaceDeclaration<'a>> = Vec::new();
        let mut ancestor = self.parent(apex);
        while let Some(n) = ancestor {
            if let Some(e) = self.element(n) {
                for d in &e.namespace_declarations {
                    if !inherited.iter().any(|r| r.prefix == d.prefix) {
                        inherited.push(d.clone());
                    }
                }
            }
            ancestor = self.parent(n);
        }
        inherited
    }

    /// Adds a node as the last child of `parent`.
    fn push(&mut self, kind: NodeKind<'a>, parent: NodeId) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(Node {
            kind,
            parent: Some(parent),
            children: Vec::new(),
        });
        self.nodes[parent.index()].children.push(id);
        id
    }

    /// Adds a node with no parent yet; attach it with [`Document::append_child`] or
    /// [`Document::insert_child`].
    pub fn create(&mut self, kind: NodeKind<'a>) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(Node {
            kind,
            parent: None,
            children: Vec::new(),
        });
        id
    }

    /// Creates an element and appends it to `parent`.
    pub fn append_element(&mut self, parent: NodeId, element: Element<'a>) -> NodeId {
        let id = self.create(NodeKind::Element(element));
        self.append_child(parent, id);
        id
    }

    /// Creates a text node and appends it to `parent`.
    pub fn append_text(&mut self, parent: NodeId, text: impl Into<String>) -> NodeId {
        let id = self.create(NodeKind::Text(Cow::Owned(text.into())));
        self.append_child(parent, id);
        id
    }

    /// Moves `child` (which must have no parent) to the end of `parent`'s children.
    pub fn append_child(&mut self, parent: NodeId, child: NodeId) {
        let at = self.nodes[parent.index()].children.len();
        self.insert_child(parent, at, child);
    }

    /// Inserts `child` (which must have no parent) among `parent`'s children at `index`.
    pub fn insert_child(&mut self, parent: NodeId, index: usize, child: NodeId) {
        debug_assert!(self.nodes[child.index()].parent.is_none());
        self.nodes[child.index()].parent = Some(parent);
        let children = &mut self.nodes[parent.index()].children;
        children.insert(index.min(children.len()), child);
    }

    /// Detaches `id` from its parent; the node stays in the arena, unreachable.
    pub fn detach(&mut self, id: NodeId) {
        if let Some(parent) = self.nodes[id.index()].parent.take() {
            self.nodes[parent.index()].children.retain(|&c| c != id);
        }
    }

    /// Appends to `id` if it is a text node; the parser merges adjacent character data.
    pub(crate) fn extend_text(&mut self, id: NodeId, more: &str) -> bool {
        match &mut self.nodes[id.index()].kind {
            NodeKind::Text(t) => {
                t.to_mut().push_str(more);
                true
            }
            _ => false,
        }
    }

    /// Replaces all children of `id` with one text node.
    pub fn set_text(&mut self, id: NodeId, text: impl Into<String>) {
        for child in std::mem::take(&mut self.nodes[id.index()].children) {
            self.nodes[child.index()].parent = None;
        }
        self.append_text(id, text);
    }
}

/// The extraction of [`Document::extract`] and [`Document::into_extract`]: `take`
/// yields a node's kind and its children in the source (a vector the result reuses
/// for the node's own children, so a moved node costs no allocation).
fn extract_by<'a>(
    capacity: usize,
    apex: NodeId,
    inherited: Vec<NamespaceDeclaration<'a>>,
    exclude: Option<NodeId>,
    keep_comments: bool,
    mut take: impl FnMut(NodeId) -> (NodeKind<'a>, Vec<NodeId>),
) -> Document<'a> {
    // The result has at most as many nodes as the source.
    let mut copy = Document::with_capacity(capacity);
    let (NodeKind::Element(mut root), children) = take(apex) else {
        return copy;
    };
    for d in inherited {
        if !root
            .namespace_declarations
            .iter()
            .any(|r| r.prefix == d.prefix)
        {
            root.namespace_declarations.push(d);
        }
    }
    let document = copy.document_node();
    let root_id = copy.push(NodeKind::Element(root), document);
    // (node in the source, its parent in `copy`), children pushed in reverse.
    let mut stack: Vec<(NodeId, NodeId)> = Vec::with_capacity(64);
    stack.extend(children.iter().rev().map(|&c| (c, root_id)));
    copy.nodes[root_id.index()].children = reuse(children);
    while let Some((node, parent)) = stack.pop() {
        if Some(node) == exclude {
            continue;
        }
        let (kind, children) = take(node);
        match kind {
            NodeKind::Comment(_) if !keep_comments => {}
            NodeKind::Text(t) => {
                let last = copy.children(parent).last().copied();
                let merged = last.is_some_and(|last| copy.extend_text(last, &t));
                if !merged {
                    copy.push(NodeKind::Text(t), parent);
                }
            }
            kind => {
                let id = copy.push(kind, parent);
                stack.extend(children.iter().rev().map(|&c| (c, id)));
                copy.nodes[id.index()].children = reuse(children);
            }
        }
    }
    copy
}

/// `v`'s allocation, emptied, for a new list of children.
fn reuse(mut v: Vec<NodeId>) -> Vec<NodeId> {
    v.clear();
    v
}

/// Pre-order traversal; see [`Document::descendants`].
pub struct Descendants<'d, 'a> {
    doc: &'d Document<'a>,
    stack: Vec<NodeId>,
}

impl Iterator for Descendants<'_, '_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let id = self.stack.pop()?;
        self.stack
            .extend(self.doc.children(id).iter().rev().copied());
        Some(id)
    }
}
