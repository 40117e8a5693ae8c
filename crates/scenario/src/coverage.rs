//! Which seed behaviours (`C1`…, `G1`…) the scenarios cover.

use std::collections::BTreeMap;

/// The behaviour IDs of `shared/docs/seed-behaviours.md`, read from its `**C1**`
/// markers, in document order.
pub fn behaviour_ids(markdown: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("**") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("**") else { break };
        let candidate = &after[..end];
        if crate::format::is_behaviour_id(candidate) && !ids.iter().any(|i| i == candidate) {
            ids.push(candidate.to_owned());
        }
        rest = &after[end + 2..];
    }
    ids
}

/// For each behaviour ID, the names of the scenarios covering it (empty: uncovered).
pub fn coverage<'s>(
    ids: &[String],
    scenarios: impl IntoIterator<Item = (&'s str, &'s [String])>,
) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> =
        ids.iter().map(|id| (id.clone(), Vec::new())).collect();
    for (name, covers) in scenarios {
        for id in covers {
            map.entry(id.clone()).or_default().push(name.to_owned());
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_from_the_markers() {
        let md =
            "- **C1** The user opens...\n- **C2** The federation...\n  (**not-an-id**) **G9** Fix.";
        assert_eq!(behaviour_ids(md), ["C1", "C2", "G9"]);
        let covers = vec!["C2".to_owned()];
        let map = coverage(&behaviour_ids(md), [("s", covers.as_slice())]);
        assert!(map["C1"].is_empty());
        assert_eq!(map["C2"], ["s"]);
    }
}
