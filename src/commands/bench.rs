//! `samlsim bench`: throughput of the signature core on a typical AWS SAML Response,
//! whole and by stage, on one core; and the flows in process (also two at once)
//! and over HTTP. Figures go to docs/benchmarks.md beside
//! `openssl speed rsa2048` from the same sitting.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use samlsim_crypto::{IdentityParams, RsaBackend, SignatureAlgorithm, generate_identity};
use samlsim_dsig::{VerifyOptions, sign_enveloped, verify_enveloped_owned};
use samlsim_saml::signature::sign_options;
use samlsim_xml::{Canonicalization, canonicalize, parse, to_xml};

/// The unsigned response the figures are measured on (tests/data/README.md).
const RESPONSE: &str = include_str!("../../tests/data/aws-saml-response.xml");

pub fn bench(seconds: f64, only: Option<&str>) -> Result<ExitCode> {
    let budget = Duration::from_secs_f64(seconds.max(0.1));
    let identity = generate_identity(&IdentityParams {
        common_name: "samlsim bench",
        not_before: 0,
        not_after: 4_102_444_800,
        key_bits: 2048,
    })?;
    let (key, cert) = (&identity.key, &identity.certificate);
    let options = sign_options(SignatureAlgorithm::RsaSha256);
    let trusted = std::slice::from_ref(cert);

    let sign_whole = || -> Result<String> {
        let mut doc = parse(RESPONSE)?;
        let root = doc.root_element().context("no root")?;
        sign_enveloped(&mut doc, root, key, Some(cert), &options)?;
        Ok(to_xml(&doc, doc.document_node()))
    };
    let signed = sign_whole()?;
    let verify_whole = || -> Result<()> {
        let doc = parse(&signed)?;
        let root = doc.root_element().context("no root")?;
        // As a verifier that keeps only the signed copy: its nodes are moved.
        verify_enveloped_owned(doc, root, trusted, &VerifyOptions::default())?;
        Ok(())
    };
    verify_whole()?;

    let doc = parse(RESPONSE)?;
    let root = doc.root_element().context("no root")?;
    let c14n = Canonicalization::exclusive();
    let canonical = canonicalize(&doc, root, None, &c14n);
    let rsa_signature = key.sign(SignatureAlgorithm::RsaSha256, &canonical)?;

    println!(
        "samlsim bench: {} byte AWS SAML Response, RSA-2048, one thread unless a row says, {seconds} s each",
        RESPONSE.len()
    );
    // Per CPU-second of the measuring thread (of the process, for rows on several
    // threads or over HTTP) too: on a shared machine the wall
    // rate follows the other tenants' load, the CPU rate much less.
    println!("{:<56} {:>12} {:>14}", "measurement", "ops/s", "ops/CPU-s");
    let row = |name: &str, f: &mut dyn FnMut()| {
        if only.is_none_or(|o| name.contains(o)) {
            let (wall, cpu) = rate(budget, f);
            let cpu = cpu.map_or("n/a".into(), |c| format!("{c:.0}"));
            println!("{name:<56} {wall:>12.0} {cpu:>14}");
        }
    };
    row(
        "sign whole response (parse+c14n+digest+RSA+write)",
        &mut || {
            black_box(sign_whole().ok());
        },
    );
    row("verify whole response (parse+c14n+digest+RSA)", &mut || {
        black_box(verify_whole().ok());
    });
    row("  parse", &mut || {
        black_box(parse(RESPONSE).ok());
    });
    row("  extract the signed node-set (copy)", &mut || {
        black_box(doc.extract(root, None, false));
    });
    row("  exclusive c14n of the response", &mut || {
        black_box(canonicalize(&doc, root, None, &c14n));
    });
    row("  SHA-256 of the canonical form", &mut || {
        black_box(samlsim_crypto::DigestAlgorithm::Sha256.digest(&canonical));
    });
    for (backend, label) in [
        (RsaBackend::AwsLc, "aws-lc-rs"),
        (RsaBackend::RustCrypto, "rsa crate"),
    ] {
        row(&format!("  RSA-2048 sign, SHA-256 ({label})"), &mut || {
            black_box(
                key.sign_using(backend, SignatureAlgorithm::RsaSha256, &canonical)
                    .ok(),
            );
        });
        row(
            &format!("  RSA-2048 verify, SHA-256 ({label})"),
            &mut || {
                black_box(
                    cert.verify_using(
                        backend,
                        SignatureAlgorithm::RsaSha256,
                        &canonical,
                        &rsa_signature,
                    )
                    .ok(),
                );
            },
        );
    }
    encryption(&row, key, cert)?;
    let parallel_row = |name: &str, threads: usize, f: &(dyn Fn() + Sync)| {
        if only.is_none_or(|o| name.contains(o)) {
            let (wall, cpu) = parallel_rate(budget, threads, f);
            let cpu = cpu.map_or("n/a".into(), |c| format!("{c:.0}"));
            println!("{name:<56} {wall:>12.0} {cpu:>14}");
        }
    };
    // A row beside the RSA-2048 signing rate, measured in turns with it (see
    // `rates_in_turns`): the limit for a flow is that rate.
    let turns_row = |name: &str, f: &mut dyn FnMut()| {
        if only.is_none_or(|o| name.contains(o)) {
            let (rate, signing) = rates_in_turns(budget, f, &mut || {
                black_box(key.sign(SignatureAlgorithm::RsaSha256, &canonical).ok());
            });
            println!("{name:<56} {rate:>12.0} {:>14}", "n/a");
            println!(
                "{:<56} {signing:>12.0} {:>14}",
                "  RSA-2048 sign (aws-lc-rs), in the same turns", "n/a"
            );
            println!(
                "{:<56} {:>12.3}",
                "  the row as a share of the signing rate",
                rate / signing
            );
        }
    };
    flows(&row, &parallel_row, &turns_row)?;
    Ok(ExitCode::SUCCESS)
}

/// XML Encryption of the whole response's assertion: AES-256-GCM content, RSA-OAEP
/// (SHA-256, MGF1-SHA256) key transport; encrypt includes parse and write, decrypt
/// includes parse and the strict re-parse of the decrypted assertion.
fn encryption(
    row: &dyn Fn(&str, &mut dyn FnMut()),
    key: &samlsim_crypto::SigningKey,
    cert: &samlsim_crypto::Certificate,
) -> Result<()> {
    use samlsim_xenc::{
        BlockCipher, DecryptOptions, EncryptOptions, KeyTransport, SAML_NS, decrypt_assertion,
        encrypt_assertion,
    };
    let options = EncryptOptions {
        block_cipher: BlockCipher::Aes256Gcm,
        key_transport: KeyTransport::RsaOaep,
    };
    let find = |doc: &samlsim_xml::Document, name: &str| {
        doc.descendants(doc.document_node())
            .find(|&n| doc.is_element(n, SAML_NS, name))
            .with_context(|| format!("no saml:{name}"))
    };
    let encrypt_whole = || -> Result<String> {
        let mut doc = parse(RESPONSE)?;
        let assertion = find(&doc, "Assertion")?;
        encrypt_assertion(&mut doc, assertion, cert, &options)?;
        Ok(to_xml(&doc, doc.document_node()))
    };
    let encrypted = encrypt_whole()?;
    let decrypt_whole = || -> Result<()> {
        let doc = parse(&encrypted)?;
        let node = find(&doc, "EncryptedAssertion")?;
        black_box(decrypt_assertion(
            &doc,
            node,
            key,
            &DecryptOptions::default(),
        )?);
        Ok(())
    };
    decrypt_whole()?;
    row(
        "encrypt assertion of the response (aes256-gcm, rsa-oaep)",
        &mut || {
            black_box(encrypt_whole().ok());
        },
    );
    row(
        "decrypt assertion of the response (aes256-gcm, rsa-oaep)",
        &mut || {
            black_box(decrypt_whole().ok());
        },
    );
    Ok(())
}

/// Prints a row measured on this many threads at once, per CPU-second of the
/// whole process.
type ParallelRow<'a> = dyn Fn(&str, usize, &(dyn Fn() + Sync)) + 'a;

/// The services in process (no sockets): what one emulator can do per second.
fn flows(
    row: &dyn Fn(&str, &mut dyn FnMut()),
    parallel_row: &ParallelRow,
    turns_row: &dyn Fn(&str, &mut dyn FnMut()),
) -> Result<()> {
    use std::sync::Arc;

    use samlsim_emulator::browser::Browser;
    use samlsim_emulator::{Config, Emulator, Options};
    use samlsim_service::http::Method;
    use samlsim_service::{Request, VirtualClock};

    let emulator = Emulator::start(
        Config::load(None)?,
        Options {
            clock: Arc::new(VirtualClock::frozen(1_768_467_600)),
            ..Options::default()
        },
    )?;
    // A signed-in browser, for the IdP-initiated response alone.
    let mut signed_in = Browser::new(&emulator);
    signed_in.scripts = false;
    let login = signed_in.open("/idp/portal");
    signed_in.sign_in(&login, "alice", "alice-pass");
    let assertion = signed_in
        .open("/idp/launch/connect-us-east-1")
        .form()
        .and_then(|f| f.get("SAMLResponse").map(str::to_owned))
        .context("no SAMLResponse")?;

    row("IdP-initiated signed response (in process)", &mut || {
        black_box(signed_in.open("/idp/launch/connect-us-east-1"));
    });
    row(
        "STS AssumeRoleWithSAML, full validation (in process)",
        &mut || {
            let request = Request::new(Method::POST, "/aws/sts.amazonaws.com/").with_form(&[
                ("Action", "AssumeRoleWithSAML"),
                ("Version", "2011-06-15"),
                (
                    "RoleArn",
                    "arn:aws:iam::123456789012:role/ConnectFederation",
                ),
                (
                    "PrincipalArn",
                    "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP",
                ),
                ("SAMLAssertion", &assertion),
            ]);
            black_box(emulator.handle(&request));
        },
    );
    let six_step = |transport: &dyn samlsim_emulator::browser::Transport| {
        let mut browser = Browser::new(transport);
        let login = browser.open("/idp/launch/connect-us-east-1");
        black_box(browser.sign_in(&login, "alice", "alice-pass"));
    };
    row("six-step flow, portal to CCP (in process)", &mut || {
        six_step(&emulator);
    });
    turns_row(
        "six-step flow in turns with RSA signing (in process)",
        &mut || six_step(&emulator),
    );
    // Two browsers at once on one emulator, each on its own thread: what a second
    // core adds (the store is one connection behind a lock; RSA runs outside it).
    parallel_row(
        "six-step flow, 2 threads in parallel (in process)",
        2,
        &|| six_step(&emulator),
    );

    // Cognito: token issuance alone (a refresh grant: an ID and an access token,
    // two RS256 signatures), and a whole SP-initiated sign-in through the example
    // app (authorize, AuthnRequest, IdP login and post, the pool's checks, code
    // exchange with PKCE, userInfo).
    let added = emulator.handle(
        &Request::new(
            Method::POST,
            "/_admin/cognito/pools/us-east-1_SamlSim01/clients",
        )
        .with_json(&serde_json::json!({
            "id": "benchclient00000000000001",
            "callback_urls": ["http://localhost/cb"],
            "identity_providers": ["ExampleCorpIdP"],
        })),
    );
    anyhow::ensure!(
        added.status.is_success(),
        "bench client: {}",
        added.text_body()
    );
    let mut browser = Browser::new(&emulator);
    let login = browser.open(
        "/aws/samlsim-demo.auth.us-east-1.amazoncognito.com/oauth2/authorize?response_type=code\
         &client_id=benchclient00000000000001&redirect_uri=http%3A%2F%2Flocalhost%2Fcb\
         &identity_provider=ExampleCorpIdP",
    );
    let callback = browser.sign_in(&login, "carlos", "carlos-pass");
    let code = callback
        .url
        .split_once("code=")
        .map(|(_, rest)| rest.split('&').next().unwrap_or_default().to_owned())
        .context("no code")?;
    let token_endpoint = "/aws/samlsim-demo.auth.us-east-1.amazoncognito.com/oauth2/token";
    let tokens = emulator.handle(&Request::new(Method::POST, token_endpoint).with_form(&[
        ("grant_type", "authorization_code"),
        ("client_id", "benchclient00000000000001"),
        ("code", &code),
        ("redirect_uri", "http://localhost/cb"),
    ]));
    let tokens: serde_json::Value = serde_json::from_slice(&tokens.body)?;
    let refresh = tokens["refresh_token"]
        .as_str()
        .context("no refresh token")?
        .to_owned();
    row(
        "Cognito token issuance, refresh grant (in process)",
        &mut || {
            black_box(
                emulator.handle(&Request::new(Method::POST, token_endpoint).with_form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", "benchclient00000000000001"),
                    ("refresh_token", &refresh),
                ])),
            );
        },
    );
    row(
        "Cognito sign-in, example app to tokens (in process)",
        &mut || {
            let mut browser = Browser::new(&emulator);
            let login = browser.open("https://example-app.samlsim.test/login");
            black_box(browser.sign_in(&login, "carlos", "carlos-pass"));
        },
    );

    // The same flow through a real server on loopback: nine HTTP exchanges per
    // flow over connections kept alive and reused, as a browser keeps them.
    let served = samlsim_emulator::server::Served::start(
        Config::load(None)?,
        Options {
            clock: Arc::new(VirtualClock::frozen(1_768_467_600)),
            ..Options::default()
        },
    )?;
    let transport = samlsim_emulator::http_client::HttpTransport::new(&served.url())
        .map_err(anyhow::Error::msg)?;
    // One browser, one thread; the CPU column counts the server's threads too.
    parallel_row(
        "six-step flow, portal to CCP (HTTP keep-alive, loopback)",
        1,
        &|| six_step(&transport),
    );
    // One browser walks one flow at a time, so the row above waits on every
    // answer and leaves a core idle. A test suite runs its tests in parallel, and
    // a browser's tabs share its connections: four flows at once through one
    // transport (up to six kept connections, as Chromium keeps per host) say what
    // the server does when it is kept busy.
    parallel_row(
        "six-step flow, 4 at once (HTTP keep-alive, loopback)",
        4,
        &|| six_step(&transport),
    );
    Ok(())
}

/// Runs `f` repeatedly for about `budget` after a short warm-up; operations per
/// second of wall time, and per second of this thread's CPU time where the system
/// says it (Linux).
fn rate(budget: Duration, f: &mut dyn FnMut()) -> (f64, Option<f64>) {
    let (count, wall, cpu) = measure(budget, None, thread_cpu_seconds, f);
    (
        count as f64 / wall.as_secs_f64(),
        cpu.map(|cpu| count as f64 / cpu),
    )
}

/// `f` and `g` in turns of about 20 ms each, for about `budget` in all after a
/// short warm-up: each one's operations per second of its own turns. This
/// machine's speed drifts by a third within seconds, so two rates measured one
/// after the other can disagree on their ratio by as much; turns this short put
/// both under the same conditions, and their ratio holds (the wall time of a
/// turn is its CPU time on a thread that never waits).
fn rates_in_turns(budget: Duration, f: &mut dyn FnMut(), g: &mut dyn FnMut()) -> (f64, f64) {
    const TURN: Duration = Duration::from_millis(20);
    let warm_up = Instant::now();
    while warm_up.elapsed() < budget / 10 {
        f();
        g();
    }
    let mut ops: [&mut dyn FnMut(); 2] = [f, g];
    let mut count = [0u64; 2];
    let mut spent = [Duration::ZERO; 2];
    let start = Instant::now();
    while start.elapsed() < budget {
        for (which, op) in ops.iter_mut().enumerate() {
            let turn = Instant::now();
            while turn.elapsed() < TURN {
                op();
                count[which] += 1;
            }
            spent[which] += turn.elapsed();
        }
    }
    let rate = |which: usize| count[which] as f64 / spent[which].as_secs_f64();
    (rate(0), rate(1))
}

/// `f` on `threads` threads at once for about `budget` each, from a common start
/// after the warm-up: operations per second of wall time, all threads together,
/// and per CPU-second of the whole process over the measurement (every thread's:
/// the measuring ones and, for a flow over HTTP, the server's answering them).
fn parallel_rate(budget: Duration, threads: usize, f: &(dyn Fn() + Sync)) -> (f64, Option<f64>) {
    // The main thread waits at the start line too, to read the process's CPU time
    // when the measuring threads start.
    let start_line = std::sync::Barrier::new(threads + 1);
    let mut cpu_start = None;
    let results: Vec<_> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| measure(budget, Some(&start_line), process_cpu_seconds, &mut || f()))
            })
            .collect();
        start_line.wait();
        cpu_start = process_cpu_seconds();
        workers
            .into_iter()
            .map(|w| w.join().expect("a bench thread panicked"))
            .collect()
    });
    let cpu = match (cpu_start, process_cpu_seconds()) {
        (Some(a), Some(b)) if b > a => Some(b - a),
        _ => None,
    };
    let count: u64 = results.iter().map(|r| r.0).sum();
    // The slowest thread's time is the wall time of the whole.
    let longest = results.iter().map(|r| r.1).max().unwrap_or(budget);
    (
        count as f64 / longest.as_secs_f64(),
        cpu.map(|cpu| count as f64 / cpu),
    )
}

/// Warms up for a tenth of `budget`, waits at `start_line` if given, then runs `f`
/// for `budget`: how many times, for how long, and the CPU seconds `cpu_clock`
/// counted meanwhile.
fn measure(
    budget: Duration,
    start_line: Option<&std::sync::Barrier>,
    cpu_clock: fn() -> Option<f64>,
    f: &mut dyn FnMut(),
) -> (u64, Duration, Option<f64>) {
    let warm_up = Instant::now();
    while warm_up.elapsed() < budget / 10 {
        f();
    }
    if let Some(start_line) = start_line {
        start_line.wait();
    }
    let cpu_start = cpu_clock();
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed() < budget {
        for _ in 0..16 {
            f();
        }
        count += 16;
    }
    let elapsed = start.elapsed();
    let cpu = match (cpu_start, cpu_clock()) {
        (Some(a), Some(b)) if b > a => Some(b - a),
        _ => None,
    };
    (count, elapsed, cpu)
}

/// User plus system CPU time of the calling thread, from `/proc/thread-self/stat`
/// (clock ticks of 1/100 s: over a measurement of seconds, within a percent).
fn thread_cpu_seconds() -> Option<f64> {
    cpu_seconds("/proc/thread-self/stat")
}

/// The same for the whole process, every thread.
fn process_cpu_seconds() -> Option<f64> {
    cpu_seconds("/proc/self/stat")
}

fn cpu_seconds(stat: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(stat).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}
