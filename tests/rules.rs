//! The rule catalogue kept honest: docs/rules.md is what the enums say, every rule a
//! scenario expects exists, and every rule is triggered by a scenario or a test.

use std::collections::BTreeSet;
use std::path::Path;

use samlsim_emulator::rules::{catalogue, markdown};
use samlsim_service::Lang;

use crate::support::repo_path;

#[test]
fn rules_doc_is_generated_from_the_enums() {
    let expected = markdown(&catalogue(), Lang::En);
    let path = repo_path("docs/rules.md");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date: run `UPDATE_EXPECT=1 cargo test --test integration rules`"
    );
}

#[test]
fn rules_named_by_scenarios_exist() {
    let known: BTreeSet<&str> = catalogue().iter().map(|e| e.spec.name).collect();
    let mut unknown = Vec::new();
    for (file, text) in scenario_files() {
        for name in quoted_after(&text, "rule") {
            if !known.contains(name.as_str()) {
                unknown.push(format!("{file}: rule {name:?}"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "scenarios expect rules no service declares:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn rules_are_each_triggered_by_a_scenario_or_a_test() {
    let mut corpus = String::new();
    for (_, text) in scenario_files() {
        corpus.push_str(&text);
    }
    for root in ["tests", "crates"] {
        collect_test_code(&repo_path(root), &mut corpus);
    }
    let untriggered: Vec<String> = catalogue()
        .iter()
        .filter(|entry| {
            !contains_token(&corpus, entry.spec.name)
                && !corpus.contains(&format!("::{}", entry.variant))
        })
        .map(|entry| format!("{} {} ({})", entry.service, entry.spec.name, entry.variant))
        .collect();
    assert!(
        untriggered.is_empty(),
        "rules no scenario or test names (write one that triggers each):\n{}",
        untriggered.join("\n")
    );
}

/// Whether `name` stands in `text` as a whole rule name (not inside a longer one).
fn contains_token(text: &str, name: &str) -> bool {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(is_name_char) && !after.is_some_and(is_name_char)
    })
}

fn scenario_files() -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(repo_path("scenarios"))
        .unwrap()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path.display().to_string(), text)
        })
        .collect();
    files.sort();
    files
}

/// The values of `key = "…"` (inline tables included) in TOML text.
fn quoted_after(text: &str, key: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(key) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + key.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let Some(value) = value.trim_start().strip_prefix('"') else {
            continue;
        };
        if let Some(end) = value.find('"') {
            values.push(value[..end].to_owned());
        }
    }
    values
}

/// Test code: files under a `tests` folder or named `tests.rs`, and what follows
/// `#[cfg(test)]` in other sources.
fn collect_test_code(dir: &Path, out: &mut String) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != "node_modules" {
                collect_test_code(&path, out);
            }
        } else if path
            .extension()
            .is_some_and(|e| e == "rs" || e == "mjs" || e == "py")
        {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let in_tests_folder = path.components().any(|c| c.as_os_str() == "tests")
                || name == "tests.rs"
                || name.to_string_lossy().ends_with("_tests.rs");
            if in_tests_folder {
                out.push_str(&text);
            } else if let Some(at) = text.find("#[cfg(test)]") {
                out.push_str(&text[at..]);
            }
        }
    }
}
