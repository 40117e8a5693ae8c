//! Patterns: wildcards and policy variables (reference_policies_variables).

use super::*;

/// A pattern character once variables are substituted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Token {
    Lit(char),
    /// `*`: any run of characters.
    Star,
    /// `?`: any one character.
    One,
}

/// A policy string as written: literal characters, wildcards and policy variables.
#[derive(Debug, Clone)]
pub(super) struct Template(pub(super) Vec<Part>);

#[derive(Debug, Clone)]
pub(super) enum Part {
    Token(Token),
    /// `${key}` or `${key, 'default'}`; `key` is stored lower-cased.
    Variable {
        key: String,
        default: Option<String>,
    },
}

impl Template {
    /// Reads `raw`; with `variables` (policy version 2012-10-17) `${...}` is a
    /// policy variable, and `${*}`, `${?}`, `${$}` stand for a literal `*`, `?`, `$`.
    /// A `${` that does not form a variable is literal text.
    pub(super) fn parse(raw: &str, variables: bool) -> Template {
        let mut parts = Vec::new();
        let mut rest = raw;
        while let Some(c) = rest.chars().next() {
            if variables
                && rest.starts_with("${")
                && let Some((part, after)) = parse_variable(&rest[2..])
            {
                parts.push(part);
                rest = after;
                continue;
            }
            parts.push(Part::Token(match c {
                '*' => Token::Star,
                '?' => Token::One,
                c => Token::Lit(c),
            }));
            rest = &rest[c.len_utf8()..];
        }
        Template(parts)
    }

    /// The pattern with its variables substituted from `context`; substituted text
    /// is literal (a `*` in a user name is not a wildcard). `None` when a variable
    /// has no value and no default: the pattern then matches nothing.
    pub(super) fn resolve(&self, context: &Context) -> Option<Vec<Token>> {
        let mut tokens = Vec::with_capacity(self.0.len());
        for part in &self.0 {
            match part {
                Part::Token(token) => tokens.push(*token),
                Part::Variable { key, default } => {
                    let value = context.variable(key).or(default.as_deref())?;
                    tokens.extend(value.chars().map(Token::Lit));
                }
            }
        }
        Some(tokens)
    }

    /// The tokens of a template without variables.
    pub(super) fn literal_tokens(&self) -> Vec<Token> {
        self.0
            .iter()
            .filter_map(|part| match part {
                Part::Token(token) => Some(*token),
                Part::Variable { .. } => None,
            })
            .collect()
    }
}

/// Reads the inside of `${...}` (after `${`): the part, and what follows the `}`.
pub(super) fn parse_variable(inside: &str) -> Option<(Part, &str)> {
    let end = inside.find(['}', ','])?;
    let name = inside[..end].trim();
    if inside[end..].starts_with('}') {
        let after = &inside[end + 1..];
        let part = match name {
            "*" => Part::Token(Token::Lit('*')),
            "?" => Part::Token(Token::Lit('?')),
            "$" => Part::Token(Token::Lit('$')),
            "" => return None,
            key => Part::Variable {
                key: key.to_lowercase(),
                default: None,
            },
        };
        return Some((part, after));
    }
    // `${key, 'default'}`: the default is single-quoted, `''` standing for one quote.
    let mut rest = inside[end + 1..].trim_start().strip_prefix('\'')?;
    let mut default = String::new();
    loop {
        let quote = rest.find('\'')?;
        default.push_str(&rest[..quote]);
        rest = &rest[quote + 1..];
        match rest.strip_prefix('\'') {
            Some(after) => {
                default.push('\'');
                rest = after;
            }
            None => break,
        }
    }
    let after = rest.trim_start().strip_prefix('}')?;
    if name.is_empty() {
        return None;
    }
    Some((
        Part::Variable {
            key: name.to_lowercase(),
            default: Some(default),
        },
        after,
    ))
}

/// The tokens as plain text, wildcards as the characters they were written with
/// (`StringEquals` has no wildcards).
pub(super) fn as_text(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            Token::Lit(c) => *c,
            Token::Star => '*',
            Token::One => '?',
        })
        .collect()
}

/// Where the wildcards of a pattern may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wildcards {
    /// `*` and `?` match any character (actions, `StringLike`).
    Anywhere,
    /// `*` and `?` stay within a colon-separated ARN segment, except that a `*`
    /// ending a segment (or the pattern) may run on past colons
    /// (reference_policies_elements_resource).
    WithinArnSegments,
}

/// Whether `text` matches `pattern`. Runs in O(pattern × text) time whatever the
/// input, so hostile patterns cannot make evaluation slow.
pub(super) fn glob(pattern: &[Token], text: &str, wildcards: Wildcards) -> bool {
    // Leading literals match one character each, whatever follows: read them off
    // before the table, which then covers only what is left. A resource ARN with
    // its variables resolved is usually all literal (or a literal prefix and a
    // final `*`), and the table over every character showed in the flow's profile.
    let mut rest = text.chars();
    let mut literals = 0;
    for token in pattern {
        let Token::Lit(l) = token else { break };
        let mut ahead = rest.clone();
        if ahead.next() != Some(*l) {
            return false;
        }
        rest = ahead;
        literals += 1;
    }
    let pattern = &pattern[literals..];
    if pattern.is_empty() {
        return rest.as_str().is_empty();
    }
    let text: Vec<char> = rest.collect();
    // reachable[j]: the pattern read so far matches text[..j].
    let mut reachable = vec![false; text.len() + 1];
    reachable[0] = true;
    for (i, token) in pattern.iter().enumerate() {
        match token {
            Token::Star => {
                let crosses_colons = wildcards == Wildcards::Anywhere
                    || matches!(pattern.get(i + 1), None | Some(Token::Lit(':')));
                for j in 1..=text.len() {
                    if !reachable[j] && reachable[j - 1] && (crosses_colons || text[j - 1] != ':') {
                        reachable[j] = true;
                    }
                }
            }
            Token::One | Token::Lit(_) => {
                for j in (1..=text.len()).rev() {
                    let c = text[j - 1];
                    let fits = match token {
                        Token::Lit(l) => *l == c,
                        _ => wildcards == Wildcards::Anywhere || c != ':',
                    };
                    reachable[j] = reachable[j - 1] && fits;
                }
                reachable[0] = false;
            }
        }
        if !reachable.contains(&true) {
            return false;
        }
    }
    reachable[text.len()]
}
