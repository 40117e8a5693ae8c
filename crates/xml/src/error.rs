use std::fmt;

/// A place in the input, 1-based, counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The line and column of byte `offset` of `input`.
    pub fn at(input: &str, offset: usize) -> Self {
        let mut end = offset.min(input.len());
        while !input.is_char_boundary(end) {
            end -= 1;
        }
        let before = &input[..end];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a document was refused. Every message names the rule that was broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    #[error("the document is {size} bytes, over the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("the document is not UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error("the document declares encoding \"{encoding}\"; only UTF-8 is accepted")]
    UnsupportedEncoding { encoding: String },
    #[error(
        "{at}: DOCTYPE is not allowed (SAML messages have none; a DTD could declare entities for XXE or expansion-bomb attacks)"
    )]
    DoctypeForbidden { at: Position },
    #[error(
        "{at}: undefined entity &{name}; (only &lt; &gt; &amp; &apos; &quot; and character references are allowed, since DTDs are refused)"
    )]
    UndefinedEntity { at: Position, name: String },
    #[error("{at}: {reference} does not name a character allowed in XML 1.0")]
    BadCharacterReference { at: Position, reference: String },
    #[error("{at}: character U+{code:04X} is not allowed in XML 1.0")]
    IllegalCharacter { at: Position, code: u32 },
    #[error("{at}: namespace prefix \"{prefix}\" is used but never declared")]
    UndeclaredPrefix { at: Position, prefix: String },
    #[error("{at}: attribute {name} appears twice on one element")]
    DuplicateAttribute { at: Position, name: String },
    #[error("{at}: elements nest deeper than the limit of {limit}")]
    TooDeep { at: Position, limit: usize },
    #[error("{at}: the document has more than {limit} nodes")]
    TooManyNodes { at: Position, limit: usize },
    #[error("{at}: an element has more than {limit} attributes")]
    TooManyAttributes { at: Position, limit: usize },
    #[error("the document has no root element")]
    NoRootElement,
    #[error("{at}: malformed XML: {reason}")]
    Malformed { at: Position, reason: String },
}
