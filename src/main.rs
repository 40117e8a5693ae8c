//! `samlsim`: the command line. Everything here is an edge: it reads files and the
//! wall clock, calls the libraries in `crates/`, and reports their errors with context.

mod commands;

/// Why jemalloc: see the root `Cargo.toml`.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use samlsim_service::Lang;

#[derive(Parser)]
#[command(
    name = "samlsim",
    version,
    about = "A local SAML federation emulator: mock IdP, AWS sign-in, STS and IAM, Amazon Connect"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the emulator (IdP, AWS sign-in/STS/IAM, Connect) on loopback.
    Up {
        /// A configuration file; default: the embedded demo world (`samlsim config print`).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Where state lives (SQLite database, IdP signing key).
        #[arg(long, default_value = ".samlsim")]
        data: PathBuf,
        /// Address to listen on (default from the config: 127.0.0.1:7575).
        #[arg(long)]
        listen: Option<String>,
        /// Start over: remove the database and keys from the data folder first.
        #[arg(long)]
        fresh: bool,
        /// Keep all state in memory; only the keys are kept, in the cache folder
        /// (the IdP's, so SPs and IAM providers set up earlier still trust it, and
        /// the user pools'); with --fresh, new ones are made.
        #[arg(long)]
        in_memory: bool,
        /// Where --in-memory keeps its keys (default: $SAMLSIM_CACHE_DIR,
        /// else $XDG_CACHE_HOME/samlsim, else ~/.cache/samlsim).
        #[arg(long)]
        cache_dir: Option<PathBuf>,
        /// Mean it when --listen names a non-loopback address: no warning, and the
        /// start page shows the demo passwords to other machines too.
        #[arg(long)]
        expose: bool,
        /// Training demo: the flow inspector opens in its presenter layout (large
        /// type, one step at a time) and the start page points to it.
        #[arg(long)]
        demo: bool,
    },
    /// Run scenarios (default: the scenarios/ folder); ends with "N passed, N failed".
    Run {
        /// Scenario files or folders.
        paths: Vec<PathBuf>,
        /// Write JUnit XML here.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Keep the data folder of failed scenarios.
        #[arg(long)]
        keep: bool,
        /// Drive the samlsim running at this URL instead of fresh in-process ones.
        #[arg(long)]
        against: Option<String>,
        /// Scenarios at once (default: one per core).
        #[arg(long, default_value_t = 0)]
        jobs: usize,
    },
    /// Scenario tools.
    #[command(subcommand)]
    Scenarios(ScenariosCommand),
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The mock Amazon Connect's users, in a running emulator.
    #[command(subcommand)]
    Connect(ConnectCommand),
    /// The mock IdP's service providers, in a running emulator.
    #[command(subcommand)]
    Idp(IdpCommand),
    /// Read or move the virtual clock of a running emulator.
    Clock {
        #[command(subcommand)]
        action: ClockCommand,
        /// The running emulator.
        #[arg(long, global = true, default_value = "http://127.0.0.1:7575")]
        url: String,
    },
    /// Print flows of a running emulator as the inspector's timeline (for CI logs).
    Flows {
        /// The newest flow's whole timeline (without it: one line per flow).
        #[arg(long)]
        last: bool,
        /// Keep printing as flows go on (Ctrl-C stops).
        #[arg(long)]
        follow: bool,
        /// One flow's whole timeline, by its ID.
        flow: Option<String>,
        /// The running emulator.
        #[arg(long, default_value = "http://127.0.0.1:7575")]
        url: String,
    },
    /// Make and inspect keys and certificates.
    #[command(subcommand)]
    Certs(CertsCommand),
    /// Sign an XML document with an enveloped XML signature (RSA-SHA256, exc-c14n).
    Sign {
        /// PEM private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY").
        #[arg(long)]
        key: PathBuf,
        /// PEM certificate to put in KeyInfo.
        #[arg(long)]
        cert: PathBuf,
        /// ID of the element to sign (its `ID` attribute); default: the root element.
        #[arg(long)]
        id: Option<String>,
        /// Sign with RSA-SHA1 and SHA-1 digests, as legacy IdPs do.
        #[arg(long)]
        sha1: bool,
        /// The XML file, or - for standard input.
        file: PathBuf,
    },
    /// Verify every enveloped signature in a document against trusted certificates.
    Verify {
        /// A trusted PEM certificate; repeat for several. The certificate inside the
        /// message is never trusted.
        #[arg(long = "cert", required = true)]
        certs: Vec<PathBuf>,
        /// Also print each verified element as it was signed.
        #[arg(long)]
        show: bool,
        /// Only check the XML signatures; for a samlp:Response, skip the SAML
        /// checks (every Assertion signed, where a consumer reads it, only one).
        #[arg(long)]
        xmldsig_only: bool,
        /// Raw XML, or the base64 SAMLResponse/SAMLRequest value of a POST or Redirect; - for standard input.
        file: PathBuf,
    },
    /// Decode a SAMLRequest/SAMLResponse (base64, DEFLATE for the Redirect binding) to indented XML.
    Decode {
        /// A PEM private key: show encrypted assertions decrypted with it.
        #[arg(long)]
        key: Option<PathBuf>,
        /// With --key: accept RSA PKCS#1 v1.5 key transport (legacy IdPs; Bleichenbacher-prone).
        #[arg(long, requires = "key")]
        allow_rsa_1_5: bool,
        /// The encoded value (or a pasted query string), or - for standard input.
        file: PathBuf,
    },
    /// Encrypt the first saml:Assertion of a Response to a certificate (XML Encryption 1.1)
    /// and print the Response with a saml:EncryptedAssertion in its place.
    Encrypt {
        /// The recipient's (SP's) PEM certificate; its RSA key wraps the content key.
        #[arg(long)]
        cert: PathBuf,
        /// The block cipher for the assertion.
        #[arg(long, default_value = "aes256-gcm",
              value_parser = ["aes256-gcm", "aes128-gcm", "aes256-cbc", "aes128-cbc"])]
        algorithm: String,
        /// How the content key is encrypted: rsa-oaep-mgf1p (SHA-1) or rsa-oaep (SHA-256, MGF1-SHA256).
        #[arg(long, default_value = "rsa-oaep-mgf1p", value_parser = ["rsa-oaep-mgf1p", "rsa-oaep"])]
        key_transport: String,
        /// The XML file, or - for standard input.
        file: PathBuf,
    },
    /// Decrypt every saml:EncryptedAssertion of a message and print it with the assertions in clear.
    Decrypt {
        /// The recipient's PEM private key.
        #[arg(long)]
        key: PathBuf,
        /// Accept RSA PKCS#1 v1.5 key transport (legacy IdPs; Bleichenbacher-prone).
        #[arg(long)]
        allow_rsa_1_5: bool,
        /// Raw XML, or the base64 SAMLResponse value of a POST; - for standard input.
        file: PathBuf,
    },
    /// The catalogue of every rule samlsim's services enforce, as Markdown (docs/rules.md).
    Rules {
        /// The language of samlsim's explanations and fixes: en (docs/rules.md) or
        /// ko, which adds each rule's explanation; what the services say stays
        /// in their own words.
        #[arg(long, default_value = "en", value_parser = parse_lang)]
        lang: Lang,
    },
    /// Measure signing and verifying a typical AWS SAML Response, whole and in parts.
    #[command(args_conflicts_with_subcommands = true)]
    Bench {
        /// A long run instead of the throughput rows.
        #[command(subcommand)]
        soak: Option<BenchCommand>,
        /// Seconds to run each measurement (more than 0, at most 3600).
        #[arg(long, default_value_t = 3.0, value_parser = parse_bench_seconds)]
        seconds: f64,
        /// Only the measurements whose name contains this text.
        #[arg(long)]
        only: Option<String>,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Soak a `samlsim up --in-memory` child over loopback: mixed flows, IdP
    /// launches and STS calls from C clients, the virtual clock running fast; RSS
    /// and file descriptors every 10 s, errors and p50/p99 at the end.
    Soak {
        /// How long (at most 600 minutes).
        #[arg(long, default_value_t = 1.0, value_parser = parse_soak_minutes)]
        minutes: f64,
        /// Clients at once, each one request at a time (one connection each).
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Kinds of request each client cycles through: flow, idp, sts.
        #[arg(long, value_delimiter = ',', default_value = "flow,idp,sts")]
        mix: Vec<String>,
        /// Virtual seconds per real second (0: wall time), so expiry and sweeps run.
        #[arg(long, default_value_t = 600)]
        clock_speed: u64,
        /// `[retention] keep_expired` of the emulator under load.
        #[arg(long, default_value = "10m")]
        keep_expired: String,
        /// Stop after this many requests in all.
        #[arg(long, default_value_t = 10_000_000)]
        max_requests: u64,
        /// `[events] max_events` of the emulator under load (default: its default).
        #[arg(long)]
        max_events: Option<u64>,
    },
}

fn parse_soak_minutes(text: &str) -> Result<f64, String> {
    let minutes: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of minutes"))?;
    if minutes.is_finite() && minutes > 0.0 && minutes <= 600.0 {
        Ok(minutes)
    } else {
        Err(format!("{text}: more than 0 and at most 600 minutes"))
    }
}

/// A measurement's length: finite, positive, and at most an hour (`inf` once made
/// the duration arithmetic panic).
fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::from_tag(text).ok_or_else(|| format!("{text:?} is not en or ko"))
}

fn parse_bench_seconds(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0 {
        Ok(seconds)
    } else {
        Err(format!(
            "{text:?}: give more than 0 and at most 3600 seconds"
        ))
    }
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the effective configuration (the embedded default, or FILE checked).
    Print {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Check FILE as `samlsim up` would (parse, every semantic check, an
    /// in-memory start); exit 0 when it would start, 1 with each cause otherwise.
    Check { file: PathBuf },
}

#[derive(Subcommand)]
enum ScenariosCommand {
    /// Which seed behaviours no scenario covers (exit 1 if any C behaviour is uncovered).
    Coverage {
        /// Scenario files or folders (default: scenarios/).
        paths: Vec<PathBuf>,
        /// The seed-behaviour list (default: ../shared/docs/seed-behaviours.md).
        #[arg(long)]
        behaviours: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ConnectCommand {
    /// Connect users.
    Users {
        #[command(subcommand)]
        action: UsersCommand,
        /// The instance ID (default: the only instance).
        #[arg(long, global = true)]
        instance: Option<String>,
        /// The running emulator.
        #[arg(long, global = true, default_value = "http://127.0.0.1:7575")]
        url: String,
    },
}

#[derive(Subcommand)]
enum IdpCommand {
    /// Service providers (applications) the IdP signs users in to.
    Sps {
        #[command(subcommand)]
        action: SpsCommand,
        /// The running emulator.
        #[arg(long, global = true, default_value = "http://127.0.0.1:7575")]
        url: String,
    },
    /// The IdP's signing keys: stage a next one, promote it (SP-side rollover).
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
        /// The running emulator.
        #[arg(long, global = true, default_value = "http://127.0.0.1:7575")]
        url: String,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// The signing key's and the staged next key's certificate fingerprints.
    Show,
    /// Make a next signing key; the IdP metadata lists it beside the current one.
    Stage,
    /// Sign with the staged key from now on (kept across restarts).
    Promote,
}

#[derive(Subcommand)]
enum SpsCommand {
    /// Register (or replace) an SP from its SAML metadata: a file, or an http:// URL
    /// the emulator fetches.
    Add {
        #[arg(long)]
        metadata: String,
        /// The SP's short ID (default: from its entity ID).
        #[arg(long)]
        id: Option<String>,
        /// The portal's link text (default: the entity ID).
        #[arg(long)]
        label: Option<String>,
    },
    /// List the SPs.
    List,
    /// Remove an SP.
    Delete { id: String },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Import users from a CSV file in the SAML template (C26); all rows or none.
    Import { file: PathBuf },
    /// List the users.
    List,
    /// Create (or replace) a user.
    Create {
        username: String,
        /// Security profile (repeat for several): Admin, Agent, CallCenterManager, QualityAnalyst.
        #[arg(long = "profile", default_value = "Agent")]
        profiles: Vec<String>,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
    },
    /// Delete a user.
    Delete { username: String },
}

#[derive(Subcommand)]
enum ClockCommand {
    /// Show the virtual time.
    Show,
    /// Move the clock forward (e.g. 12h1s, 90m, 1d).
    Advance { duration: String },
    /// Set the clock (e.g. 2026-01-01T00:00:00Z).
    Set { time: String },
    /// Back to wall time (undo every advance and set).
    Reset,
}

#[derive(Subcommand)]
enum CertsCommand {
    /// Generate an RSA-2048 key and a self-signed certificate for an IdP.
    New {
        /// Folder to write `key.pem` and `cert.pem` into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// The certificate's common name.
        #[arg(long, default_value = "samlsim IdP")]
        cn: String,
        /// How long the certificate is valid, in days.
        #[arg(long, default_value_t = 3650)]
        days: u32,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SAMLSIM_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in a piped or saved log.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let result = match cli.command {
        Command::Up {
            config,
            data,
            listen,
            fresh,
            in_memory,
            cache_dir,
            expose,
            demo,
        } => commands::up(
            commands::UpArgs {
                config: config.as_deref(),
                data: &data,
                listen: listen.as_deref(),
                fresh,
                in_memory,
                cache_dir: cache_dir.as_deref(),
                expose,
                demo,
            },
            started,
        ),
        Command::Config(ConfigCommand::Print { config }) => {
            commands::config_print(config.as_deref())
        }
        Command::Config(ConfigCommand::Check { file }) => commands::config_check(&file),
        Command::Run {
            paths,
            junit,
            keep,
            against,
            jobs,
        } => commands::scenarios::run(&paths, junit.as_deref(), keep, against.as_deref(), jobs),
        Command::Scenarios(ScenariosCommand::Coverage { paths, behaviours }) => {
            commands::scenarios::coverage_report(&paths, behaviours.as_deref())
        }
        Command::Connect(ConnectCommand::Users {
            action,
            instance,
            url,
        }) => {
            let instance = instance.as_deref();
            match action {
                UsersCommand::Import { file } => commands::connect::import(&url, instance, &file),
                UsersCommand::List => commands::connect::list(&url, instance),
                UsersCommand::Create {
                    username,
                    profiles,
                    first_name,
                    last_name,
                } => commands::connect::create(
                    &url,
                    instance,
                    &username,
                    &profiles,
                    first_name.as_deref(),
                    last_name.as_deref(),
                ),
                UsersCommand::Delete { username } => {
                    commands::connect::delete(&url, instance, &username)
                }
            }
        }
        Command::Idp(IdpCommand::Sps { action, url }) => match action {
            SpsCommand::Add {
                metadata,
                id,
                label,
            } => commands::idp::add_sp(&url, &metadata, id.as_deref(), label.as_deref()),
            SpsCommand::List => commands::idp::list_sps(&url),
            SpsCommand::Delete { id } => commands::idp::delete_sp(&url, &id),
        },
        Command::Idp(IdpCommand::Keys { action, url }) => commands::idp::keys(
            &url,
            match action {
                KeysCommand::Show => None,
                KeysCommand::Stage => Some("stage"),
                KeysCommand::Promote => Some("promote"),
            },
        ),
        Command::Clock { action, url } => commands::clock(
            &url,
            match action {
                ClockCommand::Show => None,
                ClockCommand::Advance { duration } => {
                    Some(serde_json::json!({ "advance": duration }))
                }
                ClockCommand::Set { time } => Some(serde_json::json!({ "set": time })),
                ClockCommand::Reset => Some(serde_json::json!({ "reset": true })),
            },
        ),
        Command::Flows {
            last,
            follow,
            flow,
            url,
        } => commands::flows::flows(&url, last, follow, flow.as_deref()),
        Command::Certs(CertsCommand::New {
            out,
            cn,
            days,
            force,
        }) => commands::certs_new(&out, &cn, days, force),
        Command::Sign {
            key,
            cert,
            id,
            sha1,
            file,
        } => commands::sign(&key, &cert, id.as_deref(), sha1, &file),
        Command::Verify {
            certs,
            show,
            xmldsig_only,
            file,
        } => commands::verify(&certs, show, xmldsig_only, &file),
        Command::Decode {
            key,
            allow_rsa_1_5,
            file,
        } => commands::decode(&file, key.as_deref(), allow_rsa_1_5),
        Command::Encrypt {
            cert,
            algorithm,
            key_transport,
            file,
        } => commands::encrypt(&cert, &algorithm, &key_transport, &file),
        Command::Decrypt {
            key,
            allow_rsa_1_5,
            file,
        } => commands::decrypt(&key, allow_rsa_1_5, &file),
        Command::Rules { lang } => {
            let catalogue = samlsim_emulator::rules::catalogue();
            print!("{}", samlsim_emulator::rules::markdown(&catalogue, lang));
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            soak: None,
            seconds,
            only,
        } => commands::bench(seconds, only.as_deref()),
        Command::Bench {
            soak:
                Some(BenchCommand::Soak {
                    minutes,
                    connections,
                    mix,
                    clock_speed,
                    keep_expired,
                    max_requests,
                    max_events,
                }),
            ..
        } => commands::soak(&commands::SoakArgs {
            minutes,
            connections,
            mix,
            clock_speed,
            keep_expired,
            max_requests,
            max_events,
        }),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("samlsim: {}", report(&error));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, each once: a wrapper that quotes its source in its
/// own message (`the IdP could not start: idp.x: …`) must not have the source
/// printed again after it, as `{:#}` would.
fn report(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let line = cause.to_string();
        if text.contains(&line) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(if line.contains('\n') { ":\n" } else { ": " });
        }
        text.push_str(&line);
    }
    text
}
