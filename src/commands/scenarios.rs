//! `samlsim run` and `samlsim scenarios coverage`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use samlsim_scenario::Report;
use samlsim_scenario::coverage::{behaviour_ids, coverage};
use samlsim_scenario::suite::{SuiteOptions, collect, junit, load, run_suite};

/// Where the seed behaviours are listed, from the repository root.
const BEHAVIOURS: &str = "../shared/docs/seed-behaviours.md";

pub fn run(
    paths: &[PathBuf],
    junit_file: Option<&Path>,
    keep: bool,
    against: Option<&str>,
    jobs: usize,
) -> Result<ExitCode> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        paths.to_vec()
    };
    let files = collect(&paths).map_err(anyhow::Error::msg)?;
    let keep_dir =
        keep.then(|| std::env::temp_dir().join(format!("samlsim-kept-{}", std::process::id())));
    let options = SuiteOptions {
        against: against.map(str::to_owned),
        keep: keep_dir.clone(),
        jobs,
    };
    let started = Instant::now();
    let print = |report: &Report| print_report(report, keep_dir.as_deref());
    let reports = run_suite(&files, &options, &print);
    let failed = reports.iter().filter(|r| !r.passed()).count();
    if let Some(file) = junit_file {
        std::fs::write(file, junit(&reports))
            .with_context(|| format!("writing {}", file.display()))?;
    }
    println!(
        "{} scenarios in {:.2} s{}",
        reports.len(),
        started.elapsed().as_secs_f64(),
        against.map(|u| format!(" against {u}")).unwrap_or_default()
    );
    println!("{} passed, {failed} failed", reports.len() - failed);
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_report(report: &Report, keep: Option<&Path>) {
    let ms = report.duration.as_secs_f64() * 1000.0;
    match &report.failure {
        None => println!(
            "ok    {} ({ms:.0} ms) [{}]",
            report.name,
            report.covers.join(", ")
        ),
        Some(failure) => {
            let mut text = format!(
                "FAIL  {} ({ms:.0} ms)\n      {}:{} {}\n      expected: {}\n      actual:   {}\n",
                report.name,
                report.file,
                failure.line,
                failure.at,
                failure.expected,
                failure.actual
            );
            if let Some(timeline) = &failure.timeline {
                text.push_str("      timeline of this flow (samlsim flows):\n");
                for line in timeline.lines() {
                    text.push_str(&format!("        {line}\n"));
                }
            } else if !failure.events.is_empty() {
                text.push_str("      events of this flow:\n");
                for event in &failure.events {
                    text.push_str(&format!("        {event}\n"));
                }
            }
            if let Some(dir) = keep {
                text.push_str(&format!("      data folder kept under {}\n", dir.display()));
            }
            print!("{text}");
        }
    }
}

/// Lists the seed behaviours no scenario covers.
pub fn coverage_report(paths: &[PathBuf], behaviours: Option<&Path>) -> Result<ExitCode> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        paths.to_vec()
    };
    let behaviours = behaviours.unwrap_or(Path::new(BEHAVIOURS));
    let markdown = std::fs::read_to_string(behaviours).with_context(|| {
        format!(
            "reading the seed behaviours from {} (give --behaviours FILE)",
            behaviours.display()
        )
    })?;
    let ids = behaviour_ids(&markdown);
    let files = collect(&paths).map_err(anyhow::Error::msg)?;
    let scenarios: Vec<_> = files.iter().filter_map(|f| load(f).ok()).collect();
    let map = coverage(
        &ids,
        scenarios
            .iter()
            .map(|s| (s.name.as_str(), s.covers.as_slice())),
    );
    let uncovered: Vec<&String> = ids
        .iter()
        .filter(|id| map.get(*id).is_none_or(Vec::is_empty))
        .collect();
    for id in &ids {
        let names = &map[id];
        println!(
            "{id:<4} {:>2} {}",
            names.len(),
            names.first().map(String::as_str).unwrap_or("-")
        );
    }
    let unknown: Vec<&String> = map.keys().filter(|k| !ids.contains(k)).collect();
    if !unknown.is_empty() {
        println!(
            "covered but not in {}: {}",
            behaviours.display(),
            unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    let c_uncovered: Vec<&&String> = uncovered.iter().filter(|id| id.starts_with('C')).collect();
    println!(
        "uncovered: {}",
        if uncovered.is_empty() {
            "none".to_owned()
        } else {
            uncovered
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }
    );
    Ok(if c_uncovered.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
