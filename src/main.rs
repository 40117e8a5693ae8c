//! `samlsim`: the command line. Everything here is an edge: it reads files and the
//! wall clock, calls the libraries in `crates/`, and reports their errors with context.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "samlsim",
    version,
    about = "A local SAML federation emulator for AWS sign-in, STS, Amazon Connect and Cognito"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
        /// Raw XML, or the base64 SAMLResponse/SAMLRequest value of a POST or Redirect; - for standard input.
        file: PathBuf,
    },
    /// Decode a SAMLRequest/SAMLResponse (base64, DEFLATE for the Redirect binding) to indented XML.
    Decode {
        /// The encoded value (or a pasted query string), or - for standard input.
        file: PathBuf,
    },
    /// Measure signing and verifying a typical AWS SAML Response, whole and in parts.
    Bench {
        /// Seconds to run each measurement.
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
    },
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
    let cli = Cli::parse();
    let result = match cli.command {
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
        Command::Verify { certs, show, file } => commands::verify(&certs, show, &file),
        Command::Decode { file } => commands::decode(&file),
        Command::Bench { seconds } => commands::bench(seconds),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("samlsim: {error:#}");
            ExitCode::from(2)
        }
    }
}
