//! The request context: the keys conditions and variables read.

use super::*;

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to the single `value`, replacing what it held.
    pub fn with(self, key: &str, value: impl Into<String>) -> Self {
        self.with_values(key, [value.into()])
    }

    /// Sets `key` to several values (a multivalued key), replacing what it held.
    pub fn with_values(
        mut self,
        key: &str,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.values.insert(
            key.to_lowercase(),
            values.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// The values of `key` (case-insensitive), if it is present.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values.get(&key.to_lowercase()).map(Vec::as_slice)
    }

    /// The values of `key`, treating a key without values as absent: "an empty data
    /// set" counts as missing for set operators (reference_policies_multi-value-conditions),
    /// and the mock applies that everywhere.
    pub(super) fn present(&self, key: &str) -> Option<&[String]> {
        self.get(key).filter(|values| !values.is_empty())
    }

    /// The value a policy variable `${key}` stands for: only a key with exactly one
    /// value can be substituted.
    pub(super) fn variable(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some([value]) => Some(value),
            _ => None,
        }
    }
}
