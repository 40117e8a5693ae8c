//! The XML layer of samlsim: a strict parser, a namespace-aware tree, serialisation,
//! and canonicalisation (Canonical XML 1.0 and Exclusive XML Canonicalization 1.0).
//!
//! It knows nothing of SAML, signatures, HTTP or storage.
//!
//! # Layout
//! - [`parse`]: text → [`Document`], refusing DOCTYPEs, undefined entities and
//!   oversized or over-deep input, and doing the XML 1.0 normalisations.
//! - [`tree`]: the arena [`Document`] with [`NodeId`] handles, navigation and editing.
//! - [`write`]: [`Document`] → text that parses back to the same tree.
//! - [`c14n`]: the canonical byte form that digests and signatures are computed over.

pub mod c14n;
mod error;
pub mod parse;
pub mod tree;
pub mod write;

pub use c14n::{Canonicalization, canonicalize};
pub use error::{Position, XmlError};
pub use parse::{Limits, parse, parse_bytes};
pub use tree::{
    Attribute, Document, Element, NamespaceDeclaration, NodeId, NodeKind, XML_NAMESPACE,
};
pub use write::{to_pretty_xml, to_xml};
