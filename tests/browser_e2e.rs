//! samlsim in a real browser: Debian's Chromium, driven by playwright-core from
//! `tests/browser/e2e.mjs`, walks the demo world end to end against an emulator
//! served on an ephemeral loopback port — IdP login and portal, the SAML POST to
//! AWS sign-in, Connect federation, the CCP, a name that differs only in case
//! (access denied, C23/C25), the CCP opened with no session (C28), and the session
//! running out in the middle of a call after the virtual clock moves 12 h 1 s.
//!
//! Needs `node` (with npm, once, to install playwright-core into
//! tests/browser/node_modules from the committed lock file) and `/usr/bin/chromium`
//! (or the browser named by `SAMLSIM_CHROMIUM`). Without them the test prints a note
//! and passes, unless `SAMLSIM_REQUIRE_INTEROP=1` (CI), where it fails. Screenshots
//! of every scenario's last page go to `target/browser-artifacts/`.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use samlsim_crypto::Identity;
use samlsim_emulator::server::Served;
use samlsim_emulator::{Config, Options};
use samlsim_service::{RandomIds, VirtualClock};

use crate::support::*;

/// Debian's Chromium; `SAMLSIM_CHROMIUM` names another binary.
const CHROMIUM: &str = "/usr/bin/chromium";
/// The harness, relative to the package root.
const HARNESS_DIR: &str = "tests/browser";
/// Where the screenshots go, relative to the package root.
const ARTIFACTS: &str = "target/browser-artifacts";
/// The scenarios take ~15 s; this only stops a hung browser from hanging the suite.
const HARNESS_TIMEOUT: Duration = Duration::from_secs(150);

/// The emulator's embedded demo world served on an ephemeral loopback port, with a
/// clock that follows the system's until the test moves it through the admin API.
/// Stops when dropped.
fn serve() -> Served {
    let identity = Identity::from_pem(&read_fixture(IDP_KEY), &read_fixture(IDP_CERT)).unwrap();
    let options = Options {
        data: None,
        clock: Arc::new(VirtualClock::system()),
        ids: Arc::new(RandomIds),
        identity: Some(identity),
        cognito_identities: None,
    };
    Served::start(Config::load(None).unwrap(), options).expect("the emulator starts")
}

/// Skips (a note on stderr) or, when interop tests are required, fails.
pub(crate) fn skip_or_fail(reason: &str) {
    if std::env::var(REQUIRE_INTEROP).is_ok_and(|v| v == "1") {
        panic!("browser tests: {reason}, and {REQUIRE_INTEROP}=1 (as in CI) requires them");
    }
    let _ = writeln!(
        std::io::stderr(),
        "note: skipping browser tests: {reason} (apt-get install chromium; npm) \
         (set {REQUIRE_INTEROP}=1 to make this a failure)"
    );
}

/// The browser binary, or None after [`skip_or_fail`].
pub(crate) fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("SAMLSIM_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(CHROMIUM));
    if path.is_file() {
        return Some(path);
    }
    skip_or_fail(&format!("{} not found", path.display()));
    None
}

/// Installs playwright-core from the committed lock file if it is not there yet
/// (`npm ci` never downloads a browser: playwright-core has no install script).
fn playwright_installed(harness: &Path) -> bool {
    if harness
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        return true;
    }
    let Some(npm) = require_tool("npm") else {
        return false;
    };
    let output = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(harness)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .output()
        .expect("running npm ci");
    if output.status.success() {
        return true;
    }
    skip_or_fail(&format!(
        "`npm ci` in {} failed:\n{}{}",
        harness.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ));
    false
}

/// Runs `command` to completion, killing it after `timeout`; returns (exit code or
/// None if killed, stdout, stderr).
pub(crate) fn run_with_timeout(
    command: &mut Command,
    timeout: Duration,
) -> (Option<i32>, String, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting node");
    let drain = |mut stream: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stream.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + timeout;
    let code = loop {
        if let Some(status) = child.try_wait().expect("waiting for node") {
            break status.code();
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (code, stdout.join().unwrap(), stderr.join().unwrap())
}

#[test]
fn browser_end_to_end_with_chromium() {
    let Some(node) = require_tool("node") else {
        return;
    };
    let Some(chromium) = chromium() else {
        return;
    };
    let harness = repo_path(HARNESS_DIR);
    if !playwright_installed(&harness) {
        return;
    }

    // One browser at a time (the Cognito browser tests write here too).
    let _serial = crate::cognito_support::browser_lock();
    // A fresh folder each run, so no screenshot of an earlier run is mistaken for this
    // one's: its files go (the Cognito tests' subfolders stay).
    let artifacts = repo_path(ARTIFACTS);
    std::fs::create_dir_all(&artifacts)
        .unwrap_or_else(|e| panic!("creating {}: {e}", artifacts.display()));
    for entry in std::fs::read_dir(&artifacts)
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }

    let served = serve();
    let started = Instant::now();
    let (code, stdout, stderr) = run_with_timeout(
        Command::new(node)
            .arg(harness.join("e2e.mjs"))
            .arg(served.url())
            .arg(&artifacts)
            .current_dir(repo_root())
            .env("SAMLSIM_CHROMIUM", &chromium),
        HARNESS_TIMEOUT,
    );
    let elapsed = started.elapsed();
    drop(served);

    // Straight to stderr, past the harness's capture: which scenarios ran, and where
    // their screenshots are, should be visible in every CI log.
    let _ = writeln!(
        std::io::stderr(),
        "browser e2e ({:.1} s):\n{}screenshots: {}",
        elapsed.as_secs_f64(),
        stdout,
        artifacts.display()
    );
    let report = format!(
        "node {HARNESS_DIR}/e2e.mjs\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}\n\
         screenshots: {}",
        artifacts.display()
    );
    let Some(code) = code else {
        panic!(
            "the browser harness did not finish within {} s and was killed\n{report}",
            HARNESS_TIMEOUT.as_secs()
        );
    };
    assert_eq!(
        code, 0,
        "browser scenarios failed (exit code {code})\n{report}"
    );
    for scenario in [
        "happy-path",
        "name-mismatch",
        "demo-switch",
        "direct-access",
        "expiry-mid-call",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("ok {scenario} "))),
            "scenario {scenario} did not report ok\n{report}"
        );
        let shot = artifacts.join(format!("{scenario}.png"));
        assert!(shot.is_file(), "no screenshot {}\n{report}", shot.display());
    }
    // The flow Chromium walked, saved from the inspector, replays in a fresh
    // emulator; and fails in a world where alice is disabled.
    let saved = artifacts.join("happy-path.scenario.toml");
    let toml = std::fs::read_to_string(&saved)
        .unwrap_or_else(|e| panic!("reading {}: {e}\n{report}", saved.display()));
    let run = |text: &str| {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("saved.toml");
        std::fs::write(&file, text).unwrap();
        samlsim_scenario::suite::run_suite(
            &[file],
            &samlsim_scenario::suite::SuiteOptions::default(),
            &|_| {},
        )
        .pop()
        .unwrap()
    };
    let replay = run(&toml);
    assert!(replay.passed(), "{toml}\n{:?}", replay.failure);
    let broken = toml.replacen(
        "\n[[step]]",
        "\n[[setup]]\nrequest = \"POST /_admin/idp/users/alice/disable\"\njson = '{}'\n\n[[step]]",
        1,
    );
    assert!(!run(&broken).passed(), "{broken}");
}
