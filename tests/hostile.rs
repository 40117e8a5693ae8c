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
    let mut child = Command::new(env!("CARGO_BIN_EXE_samlsim"))
        .args([
            "up",
            "--in-memory",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .current_dir(repo_root())
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
