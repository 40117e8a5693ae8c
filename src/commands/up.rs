//! `samlsim up`: start the emulator and serve until interrupted; and the commands
//! that talk to a running one (`clock`).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use samlsim_emulator::http_client::HttpTransport;
use samlsim_emulator::{Config, DataFolder, Emulator, Options};
use samlsim_service::Request;
use samlsim_service::http::{Method, header};

pub struct UpArgs<'a> {
    pub config: Option<&'a Path>,
    pub data: &'a Path,
    pub listen: Option<&'a str>,
    pub fresh: bool,
    pub in_memory: bool,
    pub cache_dir: Option<&'a Path>,
    pub expose: bool,
    pub demo: bool,
}

/// Where `--in-memory` keeps the IdP signing key.
fn cache_dir(given: Option<&Path>) -> Result<std::path::PathBuf> {
    if let Some(dir) = given {
        return Ok(dir.to_owned());
    }
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = env("SAMLSIM_CACHE_DIR") {
        return Ok(dir.into());
    }
    if let Some(dir) = env("XDG_CACHE_HOME") {
        return Ok(std::path::PathBuf::from(dir).join("samlsim"));
    }
    env("HOME")
        .map(|home| {
            std::path::PathBuf::from(home)
                .join(".cache")
                .join("samlsim")
        })
        .ok_or_else(|| {
            anyhow!("no cache folder for the IdP key: set SAMLSIM_CACHE_DIR or pass --cache-dir")
        })
}

pub fn up(args: UpArgs<'_>, started: Instant) -> Result<ExitCode> {
    let mut config = Config::load(args.config)?;
    if let Some(listen) = args.listen {
        config.server.listen = listen.to_owned();
    }
    config.server.expose |= args.expose;
    config.server.demo |= args.demo;
    if !config.listens_on_loopback() && !config.server.expose {
        eprintln!(
            "samlsim: WARNING: listening on {} puts this emulator on a network. Anyone who can reach it can sign in as the demo users, move the clock and read the event log through pages (the admin API still answers this machine only). Demo passwords are hidden from other machines; pass --expose if this is what you want.",
            config.server.listen
        );
    }
    let (data, keys, key_note) = if args.in_memory {
        let dir = cache_dir(args.cache_dir)?;
        let keys = samlsim_emulator::data::cached_keys(
            &dir,
            args.fresh,
            &samlsim_service::VirtualClock::system(),
        )?;
        let note = if keys.idp_is_new {
            format!("made a new IdP signing key in {}", dir.display())
        } else {
            format!(
                "IdP signing key from {} (--fresh makes a new one)",
                dir.display()
            )
        };
        (None, Some(keys), note)
    } else {
        let folder = DataFolder::open(args.data, args.fresh)?;
        let note = if folder.has_signing_identity() {
            format!("IdP signing key from {}", folder.path().display())
        } else {
            format!("made a new IdP signing key in {}", folder.path().display())
        };
        (Some(folder), None, note)
    };
    let limits = samlsim_emulator::server::Limits::from_config(&config.server)
        .map_err(anyhow::Error::msg)?;
    let data_path = data.as_ref().map(|d| d.path().display().to_string());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = samlsim_emulator::server::bind(&config.server.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.server.listen))?;
        // Before seeding: a Ctrl-C during a first start waits for the seeding
        // transaction to finish rather than killing it half-way.
        let stop = stop_signal()?;
        let (identity, cognito_identities) = match keys {
            Some(keys) => (Some(keys.idp), Some(keys.cognito)),
            None => (None, None),
        };
        let emulator = Arc::new(Emulator::start(
            config,
            Options {
                data,
                identity,
                cognito_identities,
                ..Options::default()
            },
        )?);
        print_banner(&emulator, data_path.as_deref(), started);
        println!("{key_note}; IdP entity ID {}", emulator.idp().entity_id());
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
    if emulator.config().server.demo {
        println!("Demo mode: open {base}/_inspect beside it (presenter layout, failure switches).");
    }
}

/// `samlsim config print`: refuses exactly what `up` (and `config check`) refuse.
pub fn config_print(config: Option<&Path>) -> Result<ExitCode> {
    let config = checked_config(config)?;
    print!("{}", config.to_toml());
    Ok(ExitCode::SUCCESS)
}

/// `samlsim config check FILE`: every check `up` makes before it serves.
pub fn config_check(file: &Path) -> Result<ExitCode> {
    match checked_config(Some(file)) {
        Ok(_) => {
            println!("{}: ok", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("{}", crate::report(&error));
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The configuration, checked by the code `up` runs: parse and semantic checks
/// (`Config::load`), the server limits, the event retention, and a start of an
/// in-memory emulator from it (policies, metadata files and URLs, seeding).
fn checked_config(path: Option<&Path>) -> Result<Config> {
    let config = Config::load(path)?;
    let name = path.map_or_else(
        || "<embedded default config>".into(),
        |p| p.display().to_string(),
    );
    samlsim_emulator::server::Limits::from_config(&config.server)
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    config
        .events
        .retention()
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    Emulator::start(config.clone(), Options::default())
        .with_context(|| format!("{name}: samlsim up would not start"))?;
    Ok(config)
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

/// One request to the admin API of the emulator at `base` (through the same
/// client as `samlsim run --against`). Returns the status and the body.
pub fn admin_request(
    base: &str,
    method: &str,
    path: &str,
    body: Option<(&str, Vec<u8>)>,
) -> Result<(u16, String)> {
    // A samlsim answers its admin API in milliseconds; ten seconds is a dead one.
    let transport = HttpTransport::new(base)
        .map_err(|e| anyhow!(e))?
        .with_timeout(std::time::Duration::from_secs(10));
    let method =
        Method::from_bytes(method.as_bytes()).with_context(|| format!("method {method}"))?;
    let mut request = Request::new(method, path);
    if let Some((content_type, bytes)) = body {
        request = request.with_header(header::CONTENT_TYPE, content_type);
        request.body = bytes.into();
    }
    let response = transport.exchange(&request)?;
    Ok((response.status.as_u16(), response.text_body()))
}
