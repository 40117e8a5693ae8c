//! The namespace-aware document tree.
//!
//! It keeps exactly what canonicalisation needs and nothing a SAML message cannot
//! contain: elements (with namespace declarations and attributes in the order they
//! were written), text (line ends and attribute values already normalised as the XML
//! 1.0 recommendation requires of a parser), comments and processing instructions.
//! Nodes live in one arena and are addressed by [`NodeId`]; that keeps the tree cheap
//! to build, to walk both ways, and to edit in place when a signature is inserted.

use std::sync::Arc;

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

/// A namespace declaration as written on an element: `xmlns="uri"` (prefix `None`) or
/// `xmlns:p="uri"`. An empty `uri` with no prefix undeclares the default namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceDeclaration {
    pub prefix: Option<String>,
    pub uri: String,
}

/// An attribute other than a namespace declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub prefix: Option<String>,
    pub local_name: String,
    /// The namespace the prefix resolves to; unprefixed attributes are in no namespace.
    /// Shared (`Arc`): a document names a handful of namespaces many times over.
    pub namespace: Option<Arc<str>>,
    /// The normalised value (entity and character references resolved).
    pub value: String,
}

/// An element: its name as written, its resolved namespace, and what it declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub prefix: Option<String>,
    pub local_name: String,
    /// The namespace the element's prefix (or the default namespace) resolves to.
    pub namespace: Option<Arc<str>>,
    pub namespace_declarations: Vec<NamespaceDeclaration>,
    pub attributes: Vec<Attribute>,
}

impl Element {
    /// A new element in `namespace`, written with `prefix`. The caller declares the
    /// prefix (with [`Element::declare_namespace`]) unless an ancestor already does.
    pub fn new(prefix: Option<&str>, local_name: &str, namespace: Option<&str>) -> Self {
        Element {
            prefix: prefix.map(str::to_owned),
            local_name: local_name.to_owned(),
            namespace: namespace.map(Arc::from),
            namespace_declarations: Vec::new(),
            attributes: Vec::new(),
        }
    }

    /// Adds `xmlns:prefix="uri"` (or `xmlns="uri"` for no prefix).
    pub fn declare_namespace(mut self, prefix: Option<&str>, uri: &str) -> Self {
        self.namespace_declarations.push(NamespaceDeclaration {
            prefix: prefix.map(str::to_owned),
            uri: uri.to_owned(),
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
        let value = value.into();
        match self
            .attributes
            .iter_mut()
            .find(|a| a.namespace.is_none() && a.local_name == local_name)
        {
            Some(existing) => existing.value = value,
            None => self.attributes.push(Attribute {
                prefix: None,
                local_name: local_name.to_owned(),
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
            .map(|a| a.value.as_str())
    }

    /// The value of the attribute `local_name` in `namespace`.
    pub fn attribute_ns(&self, namespace: &str, local_name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.as_deref() == Some(namespace) && a.local_name == local_name)
            .map(|a| a.value.as_str())
    }

    /// Whether this element is `{namespace}local_name`.
    pub fn is(&self, namespace: &str, local_name: &str) -> bool {
        self.local_name == local_name && self.namespace.as_deref() == Some(namespace)
    }

    /// The name as written, `prefix:local` or `local`.
    pub fn qualified_name(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local_name),
            None => self.local_name.clone(),
        }
    }
}

/// What a node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// The document itself: the parent of the root element and of any comments or
    /// processing instructions outside it.
    Document,
    Element(Element),
    Text(String),
    Comment(String),
    ProcessingInstruction {
        target: String,
        data: String,
    },
}

#[derive(Debug, Clone)]
struct Node {
    kind: NodeKind,
    parent: Option<NodeId>,
    children: Vec<NodeId>,
}

/// A parsed or built XML document.
#[derive(Debug, Clone)]
pub struct Document {
    nodes: Vec<Node>,
}

impl Default for Document {
    fn default() -> Self {
        Self::new()
    }
}

impl Document {
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

    pub fn kind(&self, id: NodeId) -> &NodeKind {
        &self.nodes[id.index()].kind
    }

    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match &self.nodes[id.index()].kind {
            NodeKind::Element(e) => Some(e),
            _ => None,
        }
    }

    pub fn element_mut(&mut self, id: NodeId) -> Option<&mut Element> {
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
    pub fn children_named<'a>(
        &'a self,
        id: NodeId,
        namespace: &'a str,
        local_name: &'a str,
    ) -> impl Iterator<Item = NodeId> + 'a {
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
    pub fn descendants(&self, id: NodeId) -> Descendants<'_> {
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
                NodeKind::Text(t) => Some(t.as_str()),
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
    /// signature verification keeps unsigned content out of reach.
    pub fn extract(&self, apex: NodeId, exclude: Option<NodeId>, keep_comments: bool) -> Document {
        // The copy has at most as many nodes as the original.
        let mut copy = Document::with_capacity(self.nodes.len());
        let mut root = match self.element(apex) {
            Some(e) => e.clone(),
            None => return copy,
        };
        let mut ancestor = self.parent(apex);
        while let Some(n) = ancestor {
            if let Some(e) = self.element(n) {
                for d in &e.namespace_declarations {
                    if !root
                        .namespace_declarations
                        .iter()
                        .any(|r| r.prefix == d.prefix)
                    {
                        root.namespace_declarations.push(d.clone());
                    }
                }
            }
            ancestor = self.parent(n);
        }
        let root_id = copy.append_element(copy.document_node(), root);
        // (node in self, its copy's parent in `copy`), children pushed in reverse.
        let mut stack: Vec<(NodeId, NodeId)> = self
            .children(apex)
            .iter()
            .rev()
            .map(|&c| (c, root_id))
            .collect();
        while let Some((node, parent)) = stack.pop() {
            if Some(node) == exclude {
                continue;
            }
            match self.kind(node) {
                NodeKind::Comment(_) if !keep_comments => {}
                NodeKind::Text(t) => {
                    let last = copy.children(parent).last().copied();
                    let merged = last.is_some_and(|last| copy.extend_text(last, t));
                    if !merged {
                        copy.append_text(parent, t.clone());
                    }
                }
                kind => {
                    let id = copy.create(kind.clone());
                    copy.append_child(parent, id);
                    stack.extend(self.children(node).iter().rev().map(|&c| (c, id)));
                }
            }
        }
        copy
    }

    /// Adds a node with no parent yet; attach it with [`Document::append_child`] or
    /// [`Document::insert_child`].
    pub fn create(&mut self, kind: NodeKind) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(Node {
            kind,
            parent: None,
            children: Vec::new(),
        });
        id
    }

    /// Creates an element and appends it to `parent`.
    pub fn append_element(&mut self, parent: NodeId, element: Element) -> NodeId {
        let id = self.create(NodeKind::Element(element));
        self.append_child(parent, id);
        id
    }

    /// Creates a text node and appends it to `parent`.
    pub fn append_text(&mut self, parent: NodeId, text: impl Into<String>) -> NodeId {
        let id = self.create(NodeKind::Text(text.into()));
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
                t.push_str(more);
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

/// Pre-order traversal; see [`Document::descendants`].
pub struct Descendants<'a> {
    doc: &'a Document,
    stack: Vec<NodeId>,
}

impl Iterator for Descendants<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let id = self.stack.pop()?;
        self.stack
            .extend(self.doc.children(id).iter().rev().copied());
        Some(id)
    }
}
