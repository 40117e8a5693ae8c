//! Reading policy JSON: duplicate keys kept (IAM refuses them), types checked
//! with the path of the offending element.

use super::*;

/// A JSON value that keeps object members in order and keeps duplicate keys, which
/// `serde_json::Value` silently merges and IAM refuses.
pub(super) enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "a list",
            Json::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

pub(super) struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, Json>()? {
            members.push(member);
        }
        Ok(Json::Object(members))
    }
}

/// The members of a JSON object, refusing other types and duplicate keys
/// ("Individual elements must not contain multiple instances of the same key",
/// reference_policies_grammar).
pub(super) fn object<'j>(json: &'j Json, path: &str) -> Result<&'j [(String, Json)], PolicyError> {
    let Json::Object(members) = json else {
        return Err(wrong_type(path, "an object", json));
    };
    let mut keys = HashSet::new();
    for (key, _) in members {
        if !keys.insert(key.as_str()) {
            return Err(PolicyError::DuplicateKey {
                path: path.to_owned(),
                key: key.clone(),
            });
        }
    }
    Ok(members)
}

pub(super) fn string<'j>(json: &'j Json, path: &str) -> Result<&'j str, PolicyError> {
    match json {
        Json::String(s) => Ok(s),
        other => Err(wrong_type(path, "a string", other)),
    }
}

/// A string or a non-empty list of strings ("if the element takes an array but only
/// one value is included, the brackets are optional"), each with its path.
pub(super) fn string_list<'j>(
    json: &'j Json,
    path: &str,
) -> Result<Vec<(&'j str, String)>, PolicyError> {
    match json {
        Json::String(s) => Ok(vec![(s.as_str(), path.to_owned())]),
        Json::Array(items) if items.is_empty() => Err(PolicyError::Empty {
            path: path.to_owned(),
        }),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let here = format!("{path}[{i}]");
                Ok((string(item, &here)?, here))
            })
            .collect(),
        other => Err(wrong_type(path, "a string or a list of strings", other)),
    }
}

pub(super) fn wrong_type(path: &str, expected: &'static str, found: &Json) -> PolicyError {
    PolicyError::WrongType {
        path: path.to_owned(),
        expected,
        found: found.kind(),
    }
}

pub(super) fn parse_version(json: &Json) -> Result<Version, PolicyError> {
    match string(json, "Version")? {
        "2012-10-17" => Ok(Version::V2012_10_17),
        "2008-10-17" => Ok(Version::V2008_10_17),
        other => Err(PolicyError::UnsupportedVersion {
            version: other.to_owned(),
        }),
    }
}

pub(super) fn parse_effect(json: &Json, path: &str) -> Result<Effect, PolicyError> {
    match string(json, path)? {
        "Allow" => Ok(Effect::Allow),
        "Deny" => Ok(Effect::Deny),
        other => Err(PolicyError::InvalidEffect {
            path: path.to_owned(),
            effect: other.to_owned(),
        }),
    }
}

pub(super) fn unknown_element(path: &str, element: &str, known: &[&str]) -> PolicyError {
    PolicyError::UnknownElement {
        path: path.to_owned(),
        element: element.to_owned(),
        suggestion: closest(element, known).map(str::to_owned),
    }
}

/// The candidate nearest to `word` (ignoring case), if it is near enough to be a
/// likely typo.
pub(super) fn closest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    // Long words are not typos of short names; this also bounds the work.
    if word.len() > 64 {
        return None;
    }
    let word = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), *c))
        .filter(|(distance, c)| *distance <= (c.len() / 4).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Levenshtein distance.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}
