//! Regression tests for the findings of the adversarial test pass (issue 13) that
//! live at the command line. Every hostile-input test in the workspace has a name
//! starting `hostile_<area>_`, so `cargo test --workspace hostile` counts them by
//! area (server, clock, exposure, cli, ...).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::*;

#[test]
fn hostile_cli_bench_refuses_an_infinite_or_negative_length() {
    for bad in ["inf", "NaN", "-1", "0", "1e9"] {
        let out = samlsim(["bench".to_owned(), format!("--seconds={bad}")]);
        assert_eq!(out.code, 2, "{bad}: {}", out.describe());
        assert!(
            out.stderr.contains("at most 3600 seconds") || out.stderr.contains("not a number"),
            "{bad}: {}",
            out.describe()
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.describe());
    }
}

#[cfg(unix)]
#[test]
fn hostile_cli_verify_and_decode_stop_reading_an_endless_input() {
    for command in [
        vec!["verify", "--cert", IDP_CERT, "/dev/zero"],
        vec!["decode", "/dev/zero"],
    ] {
        let out = samlsim(&command);
        assert_eq!(out.code, 2, "{command:?}: {}", out.describe());
        assert!(
            out.stderr.contains("larger than 16 MiB"),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn hostile_cli_verify_names_invalid_utf8_instead_of_missing_signature() {
    let dir = temp_dir();
    let path = dir.path().join("latin1.xml");
    std::fs::write(&path, b"<a>caf\xe9</a>").unwrap();
    let out = samlsim([
        "verify".as_ref(),
        "--cert".as_ref(),
        IDP_CERT.as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(out.code, 2, "{}", out.describe());
    assert!(
        out.stderr
            .contains("not UTF-8 text (invalid byte at offset 6)"),
        "{}",
        out.describe()
    );
    assert!(
        !out.stdout.contains("no ds:Signature"),
        "{}",
        out.describe()
    );
}

#[test]
fn hostile_exposure_a_non_loopback_listen_address_is_warned_about() {
    // 192.0.2.1 (TEST-NET-1) is on no interface here, so the bind fails after the
    // warning: nothing ever listens beyond loopback.
    let out = samlsim(["up", "--in-memory", "--listen", "192.0.2.1:7575"]);
    assert_ne!(out.code, 0, "{}", out.describe());
    assert!(
        out.stderr
            .contains("WARNING: listening on 192.0.2.1:7575 puts this emulator on a network"),
        "{}",
        out.describe()
    );
    let out = samlsim([
        "up",
        "--in-memory",
        "--expose",
        "--listen",
        "192.0.2.1:7575",
    ]);
    assert!(!out.stderr.contains("WARNING"), "{}", out.describe());
}

#[cfg(unix)]
#[test]
fn hostile_cli_sigterm_stops_the_server_cleanly() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let cache = temp_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_samlsim"))
        .args([
            "up",
            "--in-memory",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .current_dir(repo_root())
        .env("SAMLSIM_CACHE_DIR", cache.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.starts_with("samlsim is up"), "{line}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "status {:?}: {stderr}",
        output.status
    );
    assert!(stderr.contains("samlsim: stopping"), "{stderr}");
}

/// `config check` refuses what `up` refuses, with file:line per cause and each
/// cause once; `config print --config` refuses the same files.
#[test]
fn hostile_config_check_refuses_what_up_refuses_each_cause_once() {
    let dir = temp_dir();
    let default = samlsim(["config", "print"]).stdout;
    let good = dir.path().join("good.toml");
    std::fs::write(&good, &default).unwrap();
    let out = samlsim(["config".as_ref(), "check".as_ref(), good.as_os_str()]);
    assert_eq!(out.code, 0, "{}", out.describe());

    let semantic = dir.path().join("semantic.toml");
    let text = default
        .replacen("region = \"us-east-1\"", "region = \"mars-1\"", 1)
        .replacen("session_lifetime = \"8h\"", "session_lifetime = \"-8h\"", 1);
    std::fs::write(&semantic, &text).unwrap();
    let line = text.lines().position(|l| l.contains("mars-1")).unwrap() + 1;
    let out = samlsim(["config".as_ref(), "check".as_ref(), semantic.as_os_str()]);
    assert_eq!(out.code, 1, "{}", out.describe());
    let wanted = format!(
        "{}:{line}: connect.instances[0].region: \"mars-1\" is not an AWS region",
        semantic.display()
    );
    assert_eq!(out.stderr.matches(&wanted).count(), 1, "{}", out.describe());
    assert_eq!(
        out.stderr.matches("session_lifetime").count(),
        1,
        "{}",
        out.describe()
    );
    let out = samlsim([
        "config".as_ref(),
        "print".as_ref(),
        "--config".as_ref(),
        semantic.as_os_str(),
    ]);
    assert_ne!(out.code, 0, "{}", out.describe());

    // Only a start finds it: the trust policy does not parse. Said once.
    let start = dir.path().join("start.toml");
    std::fs::write(
        &start,
        default.replacen("trust_policy = \"\"\"", "trust_policy = \"\"\"{\"x\": ", 1),
    )
    .unwrap();
    let out = samlsim(["config".as_ref(), "check".as_ref(), start.as_os_str()]);
    assert_eq!(out.code, 1, "{}", out.describe());
    assert_eq!(
        out.stderr.matches("is not valid JSON").count(),
        1,
        "{}",
        out.describe()
    );
    let out = samlsim([
        "config".as_ref(),
        "print".as_ref(),
        "--config".as_ref(),
        start.as_os_str(),
    ]);
    assert_ne!(out.code, 0, "{}", out.describe());
    let out = samlsim([
        "up".as_ref(),
        "--in-memory".as_ref(),
        "--listen".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--config".as_ref(),
        start.as_os_str(),
    ]);
    assert_ne!(out.code, 0, "{}", out.describe());
    assert_eq!(
        out.stderr.matches("is not valid JSON").count(),
        1,
        "{}",
        out.describe()
    );
}

/// A server that accepts and never answers: the CLI names it and says it timed out.
#[test]
fn hostile_cli_clock_show_against_a_silent_server_names_the_url_and_the_timeout() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let out = samlsim(["clock", "show", "--url", &url]);
    assert_ne!(out.code, 0, "{}", out.describe());
    assert!(out.stderr.contains(&url), "{}", out.describe());
    assert!(out.stderr.contains("timed out"), "{}", out.describe());
    assert!(
        !out.stderr.contains("temporarily unavailable"),
        "{}",
        out.describe()
    );
    drop(silent);
}
