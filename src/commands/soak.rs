//! `samlsim bench soak`: a release `samlsim up --in-memory` in a child process,
//! driven over loopback by C concurrent clients (one connection per request, as
//! the scripted browser makes them) with a mix of whole six-step flows, IdP
//! launches of a signed-in user and STS AssumeRoleWithSAML calls, while the
//! virtual clock runs fast so sessions, credentials and replay records expire and
//! the sweeps run as they would over a day. Every 10 s it prints the child's RSS
//! and open file descriptors; at the end the error count and p50/p99 latency of
//! each kind of request. Bounded in time (`--minutes`) and in count
//! (`--max-requests`); it stops by itself and stops the child.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use samlsim_emulator::browser::{Browser, Page};
use samlsim_emulator::http_client::HttpTransport;
use samlsim_service::Request;
use samlsim_service::http::Method;

/// What the soak runs.
pub struct SoakArgs {
    pub minutes: f64,
    pub connections: usize,
    /// Kinds of request, cycled by each client: `flow`, `idp`, `sts`.
    pub mix: Vec<String>,
    /// Virtual seconds per real second (0: the clock follows wall time).
    pub clock_speed: u64,
    /// `[retention] keep_expired` of the child.
    pub keep_expired: String,
    /// Stop after this many requests in all.
    pub max_requests: u64,
    /// `[events] max_events` of the child (its default when `None`).
    pub max_events: Option<u64>,
}

const ROLE: &str = "arn:aws:iam::123456789012:role/ConnectFederation";
const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP";
/// Latency samples kept per kind (the first ones; enough for p99).
const MAX_SAMPLES: usize = 2_000_000;

#[derive(Default)]
struct Tally {
    /// Microseconds, per kind.
    samples: Mutex<Vec<Vec<u32>>>,
    errors: AtomicU64,
    requests: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Tally {
    fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut first = self
            .first_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if first.is_none() {
            *first = Some(what);
        }
    }
}

struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        // The child is ours; it has no reason to outlive the soak.
        if let Err(error) = self.child.kill() {
            eprintln!("soak: stopping the emulator: {error}");
        }
        if let Err(error) = self.child.wait() {
            eprintln!("soak: waiting for the emulator: {error}");
        }
    }
}

fn start_child(keep_expired: &str, max_events: Option<u64>) -> Result<Running> {
    let mut config = format!(
        "{}\n[retention]\nkeep_expired = {keep_expired:?}\n",
        samlsim_emulator::config::DEFAULT_CONFIG
    );
    if let Some(max_events) = max_events {
        config.push_str(&format!("\n[events]\nmax_events = {max_events}\n"));
    }
    let path = std::env::temp_dir().join(format!("samlsim-soak-{}.toml", std::process::id()));
    std::fs::write(&path, config).with_context(|| format!("writing {}", path.display()))?;
    // The child reads it once, at start: gone once the child is up (or failed).
    let _config_file = RemovedOnDrop(path.clone());
    // A port of its own, so soaks side by side do not meet.
    let listen = format!("127.0.0.1:{}", 20_000 + std::process::id() % 20_000);
    let mut child = Command::new(std::env::current_exe()?)
        .args(["up", "--in-memory", "--listen", &listen, "--config"])
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting samlsim up")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let Some(line) = lines.next() else {
            bail!("samlsim up ended before it was up");
        };
        if line?.starts_with("samlsim is up at ") {
            break;
        }
    }
    let base = format!("http://{listen}");
    // Keep draining its stdout so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok(Running { child, base })
}

/// A file removed when this is dropped; a failure to remove it is said, not hidden.
struct RemovedOnDrop(std::path::PathBuf);

impl Drop for RemovedOnDrop {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_file(&self.0) {
            eprintln!("soak: removing {}: {error}", self.0.display());
        }
    }
}

/// Resident set size of `pid` in KiB, and its open file descriptors (Linux).
fn rss_and_fds(pid: u32) -> (Option<u64>, Option<usize>) {
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        });
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()
        .map(Iterator::count);
    (rss, fds)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// A signed-in browser's fresh assertion from an IdP-initiated launch; signs in
/// again when the session expired by the virtual clock.
fn launch(browser: &mut Browser<'_>) -> Result<String, String> {
    let page = browser.open("/idp/launch/connect-us-east-1");
    let page = match page
        .form()
        .and_then(|f| f.get("SAMLResponse").map(str::to_owned))
    {
        Some(saml) => return Ok(saml),
        None => browser.sign_in(&page, "alice", "alice-pass"),
    };
    page.form()
        .and_then(|f| f.get("SAMLResponse").map(str::to_owned))
        .ok_or_else(|| format!("IdP launch: no SAMLResponse ({})", page.status()))
}

fn sts(transport: &HttpTransport, assertion: &str) -> Result<(), String> {
    let request = Request::new(Method::POST, "/aws/sts.amazonaws.com/").with_form(&[
        ("Action", "AssumeRoleWithSAML"),
        ("Version", "2011-06-15"),
        ("RoleArn", ROLE),
        ("PrincipalArn", PROVIDER),
        ("SAMLAssertion", assertion),
    ]);
    let response = transport.exchange(&request).map_err(|e| e.to_string())?;
    if response.status.is_success() {
        Ok(())
    } else {
        Err(format!(
            "STS {}: {}",
            response.status,
            samlsim_service::bounded(&response.text_body())
        ))
    }
}

fn flow(transport: &HttpTransport, expected: &str) -> Result<(), String> {
    let mut browser = Browser::new(transport);
    let login = browser.open("/idp/launch/connect-us-east-1");
    let page: Page = browser.sign_in(&login, "alice", "alice-pass");
    if page.status().is_success() && page.role().as_deref() == Some(expected) {
        Ok(())
    } else {
        Err(format!(
            "flow ended at {} {} ({:?}, rule {:?})",
            page.status(),
            page.url,
            page.role(),
            page.rule()
        ))
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

pub fn soak(args: &SoakArgs) -> Result<ExitCode> {
    const KINDS: [&str; 3] = ["flow", "idp", "sts"];
    let kinds: Vec<usize> = args
        .mix
        .iter()
        .map(|m| {
            KINDS
                .iter()
                .position(|k| k == m)
                .with_context(|| format!("--mix: {m:?} is none of flow, idp, sts"))
        })
        .collect::<Result<_>>()?;
    if kinds.is_empty() || args.connections == 0 {
        bail!("--mix and --connections must name at least one");
    }
    let started = Instant::now();
    let child = start_child(&args.keep_expired, args.max_events)?;
    let pid = child.child.id();
    let base = child.base.clone();
    let transport = HttpTransport::new(&base).map_err(anyhow::Error::msg)?;
    // The flow's last page, as a healthy emulator ends it.
    let expected = {
        let mut browser = Browser::new(&transport);
        let login = browser.open("/idp/launch/connect-us-east-1");
        browser
            .sign_in(&login, "alice", "alice-pass")
            .role()
            .context("the first flow ended on a page without a role")?
    };
    println!(
        "samlsim bench soak: {} at {base} (ready {} ms), {} min, {} connections, mix {}, clock ×{}, keep_expired {}, max_events {}, load {}",
        pid,
        started.elapsed().as_millis(),
        args.minutes,
        args.connections,
        args.mix.join(","),
        args.clock_speed,
        args.keep_expired,
        args.max_events.map_or("default".into(), |n| n.to_string()),
        load_average()
    );
    let tally = Arc::new(Tally {
        samples: Mutex::new(vec![Vec::new(); KINDS.len()]),
        ..Tally::default()
    });
    let stop = Arc::new(AtomicBool::new(false));
    let deadline = Duration::from_secs_f64(args.minutes * 60.0);
    let start = Instant::now();

    std::thread::scope(|scope| -> Result<()> {
        // The clock: forward in steps of a tenth of a second's worth.
        if args.clock_speed > 0 {
            let (stop, base) = (stop.clone(), base.clone());
            let step = (args.clock_speed / 10).max(1);
            let tally = tally.clone();
            scope.spawn(move || {
                let Ok(admin) = HttpTransport::new(&base) else {
                    return;
                };
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    let request = Request::new(Method::POST, "/_admin/clock")
                        .with_json(&serde_json::json!({ "advance": format!("{step}s") }));
                    match admin.exchange(&request) {
                        Ok(r) if r.status.is_success() => {}
                        Ok(r) => tally.error(format!("clock: {}", r.status)),
                        Err(e) => tally.error(format!("clock: {e}")),
                    }
                }
            });
        }
        for worker in 0..args.connections {
            let (stop, tally, kinds, base) =
                (stop.clone(), tally.clone(), kinds.clone(), base.clone());
            let expected = expected.clone();
            let max = args.max_requests;
            scope.spawn(move || {
                let Ok(transport) = HttpTransport::new(&base) else {
                    return;
                };
                let mut signed_in = Browser::new(&transport);
                signed_in.scripts = false;
                let mut assertion: Option<String> = None;
                let mut mine: Vec<Vec<u32>> = vec![Vec::new(); KINDS.len()];
                let mut i = worker;
                while !stop.load(Ordering::Relaxed) {
                    if tally.requests.fetch_add(1, Ordering::Relaxed) >= max {
                        stop.store(true, Ordering::Relaxed);
                        break;
                    }
                    let kind = kinds[i % kinds.len()];
                    i += 1;
                    let t = Instant::now();
                    let result = match KINDS[kind] {
                        "flow" => flow(&transport, &expected),
                        "idp" => launch(&mut signed_in).map(|a| assertion = Some(a)),
                        _ => {
                            // STS needs an assertion valid now: take a fresh one
                            // first when the clock runs fast, outside the timing.
                            if assertion.is_none() || args.clock_speed > 0 {
                                match launch(&mut signed_in) {
                                    Ok(a) => assertion = Some(a),
                                    Err(e) => {
                                        tally.error(e);
                                        continue;
                                    }
                                }
                            }
                            let t = Instant::now();
                            let r = sts(&transport, assertion.as_deref().unwrap_or_default());
                            let us = u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX);
                            if r.is_ok() && mine[kind].len() < MAX_SAMPLES {
                                mine[kind].push(us);
                            }
                            if let Err(e) = r {
                                tally.error(e);
                            }
                            continue;
                        }
                    };
                    let us = u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX);
                    match result {
                        Ok(()) if mine[kind].len() < MAX_SAMPLES => mine[kind].push(us),
                        Ok(()) => {}
                        Err(e) => tally.error(e),
                    }
                }
                let mut all = tally
                    .samples
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                for (into, from) in all.iter_mut().zip(mine) {
                    into.extend(from);
                }
            });
        }
        // The sampler, on this thread.
        println!(
            "{:>6} {:>9} {:>5} {:>10} {:>7}  load",
            "t (s)", "RSS (MB)", "fds", "requests", "errors"
        );
        let mut next = Duration::ZERO;
        while !stop.load(Ordering::Relaxed) && start.elapsed() < deadline {
            if start.elapsed() >= next {
                let (rss, fds) = rss_and_fds(pid);
                println!(
                    "{:>6} {:>9} {:>5} {:>10} {:>7}  {}",
                    next.as_secs(),
                    rss.map_or("n/a".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
                    fds.map_or("n/a".into(), |n| n.to_string()),
                    tally.requests.load(Ordering::Relaxed),
                    tally.errors.load(Ordering::Relaxed),
                    load_average()
                );
                // A line that cannot be flushed now is printed with the next one.
                std::io::stdout().flush().ok();
                next += Duration::from_secs(10);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        stop.store(true, Ordering::Relaxed);
        Ok(())
    })?;
    let elapsed = start.elapsed().as_secs_f64();
    let (rss, fds) = rss_and_fds(pid);
    println!(
        "end {elapsed:.0} s: RSS {} MB, fds {}, load {}",
        rss.map_or("n/a".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
        fds.map_or("n/a".into(), |n| n.to_string()),
        load_average()
    );
    let errors = tally.errors.load(Ordering::Relaxed);
    let mut samples = tally
        .samples
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    println!(
        "{:<6} {:>9} {:>9} {:>10} {:>10} {:>10}",
        "kind", "count", "per s", "p50 (ms)", "p99 (ms)", "max (ms)"
    );
    for (kind, sorted) in KINDS.iter().zip(samples.iter_mut()) {
        if sorted.is_empty() {
            continue;
        }
        sorted.sort_unstable();
        println!(
            "{kind:<6} {:>9} {:>9.0} {:>10.2} {:>10.2} {:>10.2}",
            sorted.len(),
            sorted.len() as f64 / elapsed,
            percentile(sorted, 0.5),
            percentile(sorted, 0.99),
            percentile(sorted, 1.0)
        );
    }
    println!("errors: {errors}");
    if let Some(first) = tally
        .first_error
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .as_deref()
    {
        println!("first error: {first}");
    }
    drop(child);
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
