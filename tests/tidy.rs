//! Conventions kept by a test rather than by memory: `docs/behaviours.md` agrees
//! with the seed list, the scenarios and the code it names; and storage or serde
//! results are not dropped without a word.

use std::path::{Path, PathBuf};

use samlsim_scenario::coverage::behaviour_ids;
use samlsim_scenario::format::is_behaviour_id;
use samlsim_scenario::suite::load;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One row of the table in `docs/behaviours.md`.
struct Row {
    line: usize,
    id: String,
    meaning: String,
    implemented: String,
    scenarios: String,
    tests: String,
}

fn behaviour_rows() -> Vec<Row> {
    let text = std::fs::read_to_string(root().join("docs/behaviours.md"))
        .expect("docs/behaviours.md exists");
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let cells: Vec<&str> = line
                .trim()
                .strip_prefix('|')?
                .strip_suffix('|')?
                .split('|')
                .map(str::trim)
                .collect();
            if !is_behaviour_id(cells.first()?) {
                return None;
            }
            let cell = |n: usize| cells.get(n).copied().unwrap_or("").to_owned();
            Some(Row {
                line: i + 1,
                id: cell(0),
                meaning: cell(1),
                implemented: cell(2),
                scenarios: cell(3),
                tests: cell(4),
            })
        })
        .collect()
}

/// Whether `word` stands in `text` as a whole identifier, not inside a longer one.
fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(ident)
            && !text[i + word.len()..].chars().next().is_some_and(ident)
    })
}

/// The `code spans` of a cell.
fn spans(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

#[test]
fn behaviours_doc_lists_exactly_the_seed_ids() {
    let seed = root().join("../shared/docs/seed-behaviours.md");
    let Ok(markdown) = std::fs::read_to_string(&seed) else {
        eprintln!(
            "note: skipping the seed comparison: {} not found",
            seed.display()
        );
        return;
    };
    let seed_ids = behaviour_ids(&markdown);
    assert!(
        seed_ids.len() >= 40,
        "read {} IDs from {}",
        seed_ids.len(),
        seed.display()
    );
    let doc_ids: Vec<String> = behaviour_rows().into_iter().map(|r| r.id).collect();
    let missing: Vec<&String> = seed_ids.iter().filter(|id| !doc_ids.contains(id)).collect();
    let unknown: Vec<&String> = doc_ids.iter().filter(|id| !seed_ids.contains(id)).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "docs/behaviours.md lacks rows for {missing:?} and has rows the seed list does not know: {unknown:?}"
    );
}

#[test]
fn behaviours_doc_names_real_code_scenarios_and_tests() {
    let root = root();
    let cognito_exists = root.join("crates/cognito").exists();
    let rows = behaviour_rows();
    assert!(rows.len() >= 41, "only {} rows read", rows.len());
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for row in &rows {
        let at = format!("docs/behaviours.md:{} ({})", row.line, row.id);
        if seen.contains(&row.id) {
            problems.push(format!("{at}: a second row for {}", row.id));
        }
        seen.push(row.id.clone());
        if row.meaning.is_empty() {
            problems.push(format!("{at}: no meaning"));
        }
        // Code and tests: `path` or `path::item`; the item must appear in the file.
        for place in spans(&row.implemented).into_iter().chain(spans(&row.tests)) {
            let (path, item) = place.split_once("::").unwrap_or((place, ""));
            match std::fs::read_to_string(root.join(path)) {
                Err(_) => problems.push(format!("{at}: {path} does not exist")),
                Ok(text) if !item.is_empty() && !has_word(&text, item) => {
                    problems.push(format!("{at}: {path} has no {item}"))
                }
                Ok(_) => {}
            }
        }
        let scenarios = spans(&row.scenarios);
        for name in &scenarios {
            let file = root.join("scenarios").join(format!("{name}.toml"));
            match load(&file) {
                Err(_) if !file.exists() => {
                    problems.push(format!("{at}: scenarios/{name}.toml does not exist"))
                }
                Err(report) => problems.push(format!(
                    "{at}: scenarios/{name}.toml does not parse: {:?}",
                    report.failure
                )),
                Ok(scenario) if !scenario.covers.contains(&row.id) => problems.push(format!(
                    "{at}: scenarios/{name}.toml does not list {} in `covers`",
                    row.id
                )),
                Ok(_) => {}
            }
        }
        let pending = row.implemented.contains("not yet implemented");
        let may_wait = row.id.starts_with('G') && !cognito_exists;
        if scenarios.is_empty() && !may_wait {
            problems.push(format!("{at}: no scenario covers it"));
        }
        if pending && !may_wait {
            problems.push(format!(
                "{at}: says \"not yet implemented\" (only G rows may, and only while crates/cognito does not exist)"
            ));
        }
        if !pending && spans(&row.implemented).is_empty() {
            problems.push(format!("{at}: names no code"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Lines of non-test code under `crates/*/src` that drop a storage or serde result
/// (`.ok()`, `.unwrap_or_default()`) with no comment saying why, as `path:line: text`.
fn swallowed_results(root: &Path) -> Vec<String> {
    const SOURCES: [&str; 5] = ["from_str", "from_slice", "from_value", "store.", ".with("];
    const DROPS: [&str; 2] = [".ok()", "unwrap_or_default()"];
    let mut offenders = Vec::new();
    let mut above: (String, String) = (String::new(), String::new());
    for (file, number, line) in source_lines(root) {
        let commented =
            line.contains("//") || (above.0 == file && above.1.trim_start().starts_with("//"));
        if !commented
            && DROPS.iter().any(|d| line.contains(d))
            && SOURCES.iter().any(|s| line.contains(s))
        {
            offenders.push(format!("{file}:{number}: {}", line.trim()));
        }
        above = (file, line);
    }
    offenders
}

#[test]
fn no_swallowed_storage_or_serde_results() {
    let offenders = swallowed_results(&root());
    assert!(
        offenders.is_empty(),
        "{} storage or serde results dropped without a comment saying why:\n{}",
        offenders.len(),
        offenders.join("\n")
    );
}

/// Non-test source lines of `crates/*/src`, as `(path relative to the root, line
/// number, text)`; a file's test module (from `#[cfg(test)]` on), files named
/// `*tests.rs` and `tests/` folders are left out.
fn source_lines(root: &Path) -> Vec<(String, usize, String)> {
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .flatten()
        .map(|e| e.path().join("src"))
        .collect();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(
                std::fs::read_dir(&path)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path()),
            );
        } else if path.extension().is_some_and(|e| e == "rs")
            && !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with("tests.rs"))
            && !path.components().any(|c| c.as_os_str() == "tests")
        {
            files.push(path);
        }
    }
    files.sort();
    let mut lines = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let name = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            lines.push((name.clone(), i + 1, line.to_owned()));
        }
    }
    lines
}

/// Where `needles` appear in non-test code outside the files `allowed`.
fn used_outside(needles: &[&str], allowed: &[&str]) -> Vec<String> {
    source_lines(&root())
        .into_iter()
        .filter(|(file, _, line)| {
            !allowed.contains(&file.as_str())
                && !line.trim_start().starts_with("//")
                && needles.iter().any(|n| line.contains(n))
        })
        .map(|(file, number, line)| format!("{file}:{number}: {}", line.trim()))
        .collect()
}

/// Architecture invariant (ARCHITECTURE.md, `service`): time is injected; only the
/// virtual clock reads the wall clock (the CLI edge in `src/` may too).
#[test]
fn invariant_only_the_virtual_clock_reads_the_wall_clock() {
    let offenders = used_outside(
        &["SystemTime::now", "SystemTime::UNIX_EPOCH.elapsed"],
        &["crates/service/src/clock.rs"],
    );
    assert!(
        offenders.is_empty(),
        "the wall clock read outside VirtualClock:\n{}",
        offenders.join("\n")
    );
}

/// Architecture invariant (`emulator`): only the server, the client to a running
/// samlsim and the metadata fetcher touch sockets.
#[test]
fn invariant_sockets_only_in_the_server_and_the_two_clients() {
    let offenders = used_outside(
        &[
            "TcpStream",
            "TcpListener",
            "UdpSocket",
            "UnixStream",
            "hyper::client",
        ],
        &[
            "crates/emulator/src/server.rs",
            "crates/emulator/src/http_client.rs",
            "crates/emulator/src/fetch.rs",
        ],
    );
    assert!(
        offenders.is_empty(),
        "socket code outside emulator::server/http_client/fetch:\n{}",
        offenders.join("\n")
    );
}

/// The `samlsim-*` and outside dependencies a crate's Cargo.toml declares (normal
/// dependencies only).
fn dependencies(krate: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let manifest: toml::Table = text.parse().unwrap();
    manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default()
}

/// Architecture invariants (`xml`, `crypto`, `dsig`, `saml`): pure layers know no
/// HTTP, SQLite, async runtime or service; and dependencies point one way:
/// core ← services ← emulator ← scenario.
#[test]
fn invariant_dependencies_point_one_way_and_the_core_stays_pure() {
    let crates: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let layer = |krate: &str| match krate {
        "xml" | "crypto" | "dsig" | "saml" | "xenc" => 0,
        "service" => 1,
        "emulator" => 3,
        "scenario" => 4,
        _ => 2, // an emulated service
    };
    let mut wrong = Vec::new();
    for krate in &crates {
        for dependency in dependencies(krate) {
            if layer(krate) == 0
                && ["hyper", "hyper-util", "tokio", "rusqlite", "http", "askama"]
                    .contains(&dependency.as_str())
            {
                wrong.push(format!("{krate} (pure core) depends on {dependency}"));
            }
            if let Some(other) = dependency.strip_prefix("samlsim-") {
                let (from, to) = (layer(krate), layer(other));
                // Services may use one another (Connect is an AWS service), never a
                // layer above them; the core never a service.
                if to > from || (from == 0 && to != 0) {
                    wrong.push(format!(
                        "{krate} depends on samlsim-{other}, a layer above it"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
