//! `samlsim up`: start the emulator and serve until interrupted; and the commands
//! that talk to a running one (`clock`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use samlsim_emulator::{Config, DataFolder, Emulator, Options};

pub struct UpArgs<'a> {
    pub config: Option<&'a Path>,
    pub data: &'a Path,
    pub listen: Option<&'a str>,
    pub fresh: bool,
    pub in_memory: bool,
    pub expose: bool,
}

pub fn up(args: UpArgs<'_>, started: Instant) -> Result<ExitCode> {
    let mut config = Config::load(args.config)?;
    if let Some(listen) = args.listen {
        config.server.listen = listen.to_owned();
    }
    config.server.expose |= args.expose;
    if !config.listens_on_loopback() && !config.server.expose {
        eprintln!(
            "samlsim: WARNING: listening on {} puts this emulator on a network. Anyone who can reach it can sign in as the demo users, move the clock and read the event log through pages (the admin API still answers this machine only). Demo passwords are hidden from other machines; pass --expose if this is what you want.",
            config.server.listen
        );
    }
    let data = if args.in_memory {
        None
    } else {
        Some(DataFolder::open(args.data, args.fresh)?)
    };
    let limits = samlsim_emulator::server::Limits::from_config(&config.server)
        .map_err(anyhow::Error::msg)?;
    let data_path = data.as_ref().map(|d| d.path().display().to_string());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.server.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.server.listen))?;
        let emulator = Arc::new(Emulator::start(
            config,
            Options {
                data,
                ..Options::default()
            },
        )?);
        let stop = stop_signal()?;
        print_banner(&emulator, data_path.as_deref(), started);
        let shutdown = async {
            stop.await;
            eprintln!("\nsamlsim: stopping");
        };
        samlsim_emulator::server::serve(listener, emulator, limits, shutdown).await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Ctrl-C, or SIGTERM (what `kill`, systemd and container runtimes send), both
/// stop the server the same clean way. The handlers are installed when this is
/// called, before the banner says samlsim is up, so no signal can arrive unhandled.
#[cfg(unix)]
fn stop_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("handling Ctrl-C")?;
    let mut terminate = signal(SignalKind::terminate()).context("handling SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        // Without a handler there is nothing to wait for but the process's end.
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn print_banner(emulator: &Emulator, data: Option<&str>, started: Instant) {
    let base = emulator.urls().base();
    println!(
        "samlsim is up at {base}  (ready in {} ms)",
        started.elapsed().as_millis()
    );
    match data {
        Some(path) => println!("state: {path}/ (SQLite database and IdP signing key)"),
        None => println!("state: in memory (gone when samlsim stops)"),
    }
    println!();
    let rows = emulator.endpoints();
    let width = rows.iter().map(|(what, _)| what.len()).max().unwrap_or(0);
    for (what, url) in rows {
        println!("  {what:<width$}  {url}");
    }
    println!();
    println!("  AWS URLs map to local ones by host, for example:");
    for public in [
        "https://signin.aws.amazon.com/saml",
        "https://us-east-1.signin.aws.amazon.com/saml",
        "https://us-east-1.console.aws.amazon.com/connect/federate/<instance-id>",
    ] {
        println!("    {public}\n      -> {}", emulator.urls().local(public));
    }
    println!();
    println!("  Demo users (user name / password):");
    for user in &emulator.config().idp.users {
        let note = user.note.as_deref().unwrap_or("");
        println!("    {:<10} {:<14} {note}", user.username, user.password);
    }
    println!();
    println!("Open {base}/idp/portal in a browser. Ctrl-C stops.");
}

pub fn config_print(config: Option<&Path>) -> Result<ExitCode> {
    let config = Config::load(config)?;
    print!("{}", config.to_toml());
    Ok(ExitCode::SUCCESS)
}

/// `samlsim clock ...`: reads or moves the virtual clock of a running emulator.
pub fn clock(url: &str, body: Option<serde_json::Value>) -> Result<ExitCode> {
    let (status, text) = match body {
        Some(body) => admin_request(
            url,
            "POST",
            "/_admin/clock",
            Some(("application/json", body.to_string().into_bytes())),
        )?,
        None => admin_request(url, "GET", "/_admin/clock", None)?,
    };
    println!("{text}");
    Ok(if status == 200 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One HTTP/1.1 request to the admin API of the emulator at `base` (loopback only,
/// so plain TCP is all it takes). Returns the status and the body.
pub fn admin_request(
    base: &str,
    method: &str,
    path: &str,
    body: Option<(&str, Vec<u8>)>,
) -> Result<(u16, String)> {
    let authority = base
        .strip_prefix("http://")
        .with_context(|| format!("{base}: only http:// URLs of a local samlsim"))?
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(authority)
        .with_context(|| format!("cannot reach samlsim at {base} (is `samlsim up` running?)"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n")
            .into_bytes();
    match body {
        Some((content_type, bytes)) => {
            request.extend_from_slice(
                format!(
                    "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
                    bytes.len()
                )
                .as_bytes(),
            );
            request.extend_from_slice(&bytes);
        }
        None => request.extend_from_slice(b"\r\n"),
    }
    stream.write_all(&request)?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP response from {base}"))?;
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        bail!("unexpected chunked response from {base}");
    }
    Ok((status, body.to_owned()))
}
