//! Many scenarios: each on a fresh in-process emulator (its own in-memory state,
//! its own frozen clock, in parallel), or one after another against a samlsim
//! that is already running (for demos).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use samlsim_crypto::Identity;
use samlsim_emulator::http_client::HttpTransport;
use samlsim_emulator::{Config, DataFolder, Emulator, Options};
use samlsim_service::{SequentialIds, VirtualClock};

use crate::format::Scenario;
use crate::run::{Failure, Report, run};

/// Where in-process scenarios start the clock: a fixed instant, so runs repeat.
pub const START: i64 = 1_768_467_600; // 2026-01-15T09:00:00Z

/// How to run a suite.
#[derive(Debug, Clone, Default)]
pub struct SuiteOptions {
    /// Drive the samlsim at this URL instead of fresh in-process emulators.
    pub against: Option<String>,
    /// Keep the data folder of failed scenarios under this directory.
    pub keep: Option<PathBuf>,
    /// Scenarios run at once (in process); 0 means one per core.
    pub jobs: usize,
}

/// The `.toml` files under `paths` (files as given, folders searched), sorted.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut stack = vec![path.clone()];
            while let Some(dir) = stack.pop() {
                let entries =
                    std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                for entry in entries.flatten() {
                    let p = entry.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|e| e == "toml") {
                        files.push(p);
                    }
                }
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(format!("{}: no such file or folder", path.display()));
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a scenario file into a scenario, or a failed report naming the problem
/// (boxed: a report is large next to the scenario).
pub fn load(file: &Path) -> Result<Scenario, Box<Report>> {
    let name = file.display().to_string();
    let failed = |line: usize, message: String| Report {
        name: name.clone(),
        file: name.clone(),
        covers: Vec::new(),
        duration: Duration::ZERO,
        failure: Some(Failure {
            timeline: None,
            at: "file".into(),
            line,
            expected: "a valid scenario file".into(),
            actual: message,
            events: Vec::new(),
        }),
    };
    let text = std::fs::read_to_string(file).map_err(|e| Box::new(failed(1, e.to_string())))?;
    Scenario::parse(&text, &name).map_err(|e| Box::new(failed(e.line, e.message)))
}

/// Runs every file; `on_report` sees each report as it finishes.
pub fn run_suite(
    files: &[PathBuf],
    options: &SuiteOptions,
    on_report: &(dyn Fn(&Report) + Sync),
) -> Vec<Report> {
    if let Some(url) = &options.against {
        return match HttpTransport::new(url) {
            Ok(transport) => files
                .iter()
                .map(|file| {
                    let report = match load(file) {
                        Ok(scenario) => run(&scenario, &file.display().to_string(), &transport),
                        Err(report) => *report,
                    };
                    on_report(&report);
                    report
                })
                .collect(),
            Err(message) => files
                .iter()
                .map(|file| {
                    let mut report = load(file).err().map_or_else(|| blank(file), |r| *r);
                    report.failure = Some(Failure {
                        timeline: None,
                        at: "setup".into(),
                        line: 1,
                        expected: "a samlsim to run against".into(),
                        actual: message.clone(),
                        events: Vec::new(),
                    });
                    on_report(&report);
                    report
                })
                .collect(),
        };
    }

    // One signing identity for the whole run: RSA key generation is the slowest
    // part of starting an emulator, and scenarios do not depend on the key.
    let clock = VirtualClock::frozen(START);
    let identity = samlsim_emulator::data::generate_identity(&clock)
        .map(|i| (i.key.to_pkcs8_pem(), i.certificate.to_pem()));
    let jobs = if options.jobs == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        options.jobs
    };
    let queue = Mutex::new(files.iter().enumerate());
    let results: Mutex<Vec<(usize, Report)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                // The guard is moved into and dropped by the closure: no lock is
                // held while a scenario runs.
                while let Some((index, file)) = queue.lock().ok().and_then(|mut q| q.next()) {
                    let report = match (load(file), &identity) {
                        (Ok(scenario), Ok((key, cert))) => {
                            run_in_process(&scenario, file, key, cert, options.keep.as_deref())
                        }
                        (Ok(_), Err(e)) => {
                            let mut report = blank(file);
                            report.failure = Some(Failure {
                                timeline: None,
                                at: "setup".into(),
                                line: 1,
                                expected: "an IdP signing key".into(),
                                actual: e.to_string(),
                                events: Vec::new(),
                            });
                            report
                        }
                        (Err(report), _) => *report,
                    };
                    on_report(&report);
                    if let Ok(mut results) = results.lock() {
                        results.push((index, report));
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn blank(file: &Path) -> Report {
    Report {
        name: file.display().to_string(),
        file: file.display().to_string(),
        covers: Vec::new(),
        duration: Duration::ZERO,
        failure: None,
    }
}

fn run_in_process(
    scenario: &Scenario,
    file: &Path,
    key: &str,
    cert: &str,
    keep: Option<&Path>,
) -> Report {
    let folder = keep.map(|dir| dir.join(file.file_stem().unwrap_or_default()));
    let data = match &folder {
        Some(path) => match DataFolder::open(path, true) {
            Ok(folder) => Some(folder),
            Err(e) => return started_wrong(file, e.to_string()),
        },
        None => None,
    };
    let identity = match Identity::from_pem(key, cert) {
        Ok(identity) => identity,
        Err(e) => return started_wrong(file, e.to_string()),
    };
    let emulator = match Config::load(None)
        .map_err(|e| e.to_string())
        .and_then(|config| {
            Emulator::start(
                config,
                Options {
                    data: data.clone(),
                    clock: Arc::new(VirtualClock::frozen(START)),
                    ids: Arc::new(SequentialIds::default()),
                    identity: Some(identity),
                    cognito_identities: None,
                },
            )
            .map_err(|e| e.to_string())
        }) {
        Ok(emulator) => emulator,
        Err(e) => return started_wrong(file, e),
    };
    let report = run(scenario, &file.display().to_string(), &emulator);
    if report.passed()
        && let Some(path) = &folder
    {
        let _ = std::fs::remove_dir_all(path);
    }
    report
}

fn started_wrong(file: &Path, message: String) -> Report {
    let mut report = blank(file);
    report.failure = Some(Failure {
        timeline: None,
        at: "setup".into(),
        line: 1,
        expected: "an emulator to start".into(),
        actual: message,
        events: Vec::new(),
    });
    report
}

/// The reports as JUnit XML, one test case per scenario.
pub fn junit(reports: &[Report]) -> String {
    use samlsim_xml::{Document, Element, to_xml};
    let mut doc = Document::new();
    let failures = reports.iter().filter(|r| !r.passed()).count();
    let total: f64 = reports.iter().map(|r| r.duration.as_secs_f64()).sum();
    let suite = doc.append_element(
        doc.document_node(),
        Element::new(None, "testsuite", None)
            .with_attribute("name", "samlsim scenarios")
            .with_attribute("tests", reports.len().to_string())
            .with_attribute("failures", failures.to_string())
            .with_attribute("time", format!("{total:.3}")),
    );
    for report in reports {
        let case = doc.append_element(
            suite,
            Element::new(None, "testcase", None)
                .with_attribute("classname", report.file.as_str())
                .with_attribute("name", report.name.as_str())
                .with_attribute("time", format!("{:.3}", report.duration.as_secs_f64())),
        );
        if let Some(failure) = &report.failure {
            let node = doc.append_element(
                case,
                Element::new(None, "failure", None).with_attribute(
                    "message",
                    format!(
                        "{} (line {}): expected {}",
                        failure.at, failure.line, failure.expected
                    ),
                ),
            );
            doc.append_text(
                node,
                format!(
                    "expected: {}\nactual:   {}\nevents:\n  {}",
                    failure.expected,
                    failure.actual,
                    failure.events.join("\n  ")
                ),
            );
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n",
        to_xml(&doc, doc.document_node())
    )
}
