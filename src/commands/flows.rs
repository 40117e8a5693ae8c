//! `samlsim flows`: the inspector's timeline in a terminal, read from a running
//! samlsim through its loopback-only `/_inspect` JSON (the same views the page shows).

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use samlsim_emulator::inspect::{FlowView, text};

use super::up::admin_request;

pub fn flows(url: &str, last: bool, follow: bool, flow: Option<&str>) -> Result<ExitCode> {
    if follow {
        return follow_flows(url);
    }
    if let Some(flow) = flow {
        print!("{}", text(&one(url, flow)?));
        return Ok(ExitCode::SUCCESS);
    }
    let list = list(url)?;
    if last {
        let Some(newest) = list.first() else {
            bail!("samlsim at {url} has recorded no flow yet");
        };
        print!("{}", text(&one(url, &newest.flow)?));
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!("no flows yet: sign in at {url}/idp/portal");
    }
    for f in &list {
        println!("{}", summary(f));
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per flow: when, who, how it ended and where.
fn summary(f: &FlowView) -> String {
    format!(
        "{}  {}  user {}  {}{}",
        f.started,
        f.flow,
        f.user.as_deref().unwrap_or("-"),
        f.outcome,
        match (&f.stopped_at, &f.rule) {
            (Some(step), Some(rule)) if f.outcome != "ok" => format!(" at {step} ({rule})"),
            _ => String::new(),
        }
    )
}

fn get(url: &str, path: &str) -> Result<serde_json::Value> {
    let (status, body) = admin_request(url, "GET", path, None)?;
    if status != 200 {
        bail!("GET {path} answered {status}: {body}");
    }
    serde_json::from_str(&body).with_context(|| format!("GET {path} did not answer JSON"))
}

fn list(url: &str) -> Result<Vec<FlowView>> {
    let value = get(url, "/_inspect/flows.json")?;
    serde_json::from_value(value["flows"].clone())
        .map_err(|e| anyhow!("the flow list from {url} did not read: {e}"))
}

fn one(url: &str, flow: &str) -> Result<FlowView> {
    if !flow.bytes().all(|b| b.is_ascii_alphanumeric()) {
        bail!("{flow:?} is not a flow ID (`samlsim flows` lists them)");
    }
    let value = get(url, &format!("/_inspect/flow/{flow}.json"))?;
    serde_json::from_value(value).map_err(|e| anyhow!("flow {flow} did not read: {e}"))
}

/// Prints each flow's timeline as it grows: new flows whole, known flows' new
/// lines only. Polls once a second (the CLI edge may sleep on the wall clock).
fn follow_flows(url: &str) -> Result<ExitCode> {
    let mut printed: HashMap<String, usize> = HashMap::new();
    loop {
        // Oldest first, so the terminal reads in order; the newest five are enough
        // for a person or a CI log watching one run.
        for f in list(url)?.iter().take(5).rev() {
            let timeline = text(&one(url, &f.flow)?);
            let lines: Vec<&str> = timeline.lines().collect();
            let done = printed.entry(f.flow.clone()).or_default();
            if lines.len() > *done {
                for line in &lines[*done..] {
                    println!("{line}");
                }
                *done = lines.len();
            }
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}
