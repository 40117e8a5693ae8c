//! The `samlsim` command line end to end: exit codes (0 ok, 1 a signature failed or
//! none was found, 2 usage, I/O or parse errors), what it prints, and the files it
//! writes.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use samlsim_crypto::{Certificate, SigningKey};
use samlsim_saml::binding::{encode_post, encode_redirect};
use tempfile::TempDir;

use crate::support::*;

/// `samlsim sign --key IDP_KEY --cert IDP_CERT <extra> <input>`, its output written to
/// `dir/name`.
fn cli_sign(dir: &TempDir, name: &str, extra: &[&str], input: &Path) -> PathBuf {
    let mut args: Vec<OsString> = ["sign", "--key", IDP_KEY, "--cert", IDP_CERT]
        .iter()
        .chain(extra)
        .map(OsString::from)
        .collect();
    args.push(input.into());
    let out = samlsim(&args);
    assert_eq!(out.code, 0, "samlsim {args:?}\n{}", out.describe());
    assert!(
        out.stdout.contains("<ds:SignatureValue>"),
        "samlsim {args:?} printed no signature\n{}",
        out.describe()
    );
    write_file(dir, name, out.stdout)
}

/// `samlsim verify --cert <cert>... <file>`.
fn cli_verify(certs: &[&str], file: &Path) -> Output {
    let mut args = vec![OsString::from("verify")];
    for cert in certs {
        args.push("--cert".into());
        args.push(cert.into());
    }
    args.push(file.into());
    samlsim(args)
}

fn response_line(status: &str) -> String {
    format!("{status}<samlp:Response ID=\"{RESPONSE_ID}\">: ")
}

fn assertion_line(status: &str) -> String {
    format!("{status}<saml:Assertion ID=\"{ASSERTION_ID}\">: ")
}

/// Exactly one stdout line, starting with `prefix` and containing `text`.
fn assert_single_line(out: &Output, prefix: &str, text: &str, what: &str) {
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines.len() == 1 && lines[0].starts_with(prefix) && lines[0].contains(text),
        "{what}: expected one line {prefix:?}...{text:?}\n{}",
        out.describe()
    );
}

/// A Response signed by the CLI with the IdP test key.
fn signed_response(dir: &TempDir) -> PathBuf {
    cli_sign(dir, "signed.xml", &[], &repo_path(AWS_RESPONSE))
}

#[test]
fn certs_new_writes_an_owner_only_key_and_its_certificate_and_will_not_overwrite_them() {
    let dir = temp_dir();
    let out_dir = dir.path().join("idp"); // created by the command
    let new = |force: bool| {
        let mut args = vec![
            OsString::from("certs"),
            "new".into(),
            "--out".into(),
            out_dir.clone().into(),
            "--cn".into(),
            "samlsim cli test".into(),
            "--days".into(),
            "2".into(),
        ];
        if force {
            args.push("--force".into());
        }
        samlsim(args)
    };

    let out = new(false);
    assert_eq!(out.code, 0, "certs new\n{}", out.describe());
    let key_path = out_dir.join("key.pem");
    let cert_path = out_dir.join("cert.pem");
    let key_pem = std::fs::read_to_string(&key_path).expect("key.pem was written");
    let cert_pem = std::fs::read_to_string(&cert_path).expect("cert.pem was written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "key.pem should be readable by its owner only");
    }
    let key = SigningKey::from_pem(&key_pem).expect("key.pem is a private key");
    let cert = Certificate::from_pem(&cert_pem).expect("cert.pem is a certificate");
    assert!(
        cert.matches_key(&key),
        "cert.pem is not key.pem's certificate"
    );
    assert!(
        cert.subject().contains("samlsim cli test"),
        "the certificate's subject should carry --cn: {}",
        cert.subject()
    );
    assert_eq!(
        cert.not_after() - cert.not_before(),
        2 * 86_400,
        "the certificate should be valid for --days"
    );

    let again = new(false);
    assert_eq!(again.code, 2, "a second certs new\n{}", again.describe());
    assert!(
        again.stderr.contains("already exists"),
        "a second certs new should say the files exist\n{}",
        again.describe()
    );
    assert_eq!(
        std::fs::read_to_string(&key_path).unwrap(),
        key_pem,
        "a refused certs new must leave key.pem alone"
    );
    assert_eq!(std::fs::read_to_string(&cert_path).unwrap(), cert_pem);

    // --force over a world-readable key must still leave an owner-only one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let forced = new(true);
    assert_eq!(forced.code, 0, "certs new --force\n{}", forced.describe());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "--force must leave key.pem owner-only");
    }
    assert_ne!(
        std::fs::read_to_string(&key_path).unwrap(),
        key_pem,
        "--force should replace the key"
    );
}

#[test]
fn sign_then_verify_round_trips() {
    let dir = temp_dir();
    let input = repo_path(AWS_RESPONSE);
    for (name, flags, algorithm) in [
        ("sha256.xml", &[][..], "RSA-SHA256 with SHA-256 digests"),
        ("sha1.xml", &["--sha1"][..], "RSA-SHA1 with SHA-1 digests"),
    ] {
        let signed = cli_sign(&dir, name, flags, &input);
        let out = cli_verify(&[IDP_CERT], &signed);
        assert_eq!(out.code, 0, "verify {name}\n{}", out.describe());
        assert_single_line(&out, &response_line("ok    "), algorithm, name);
        assert!(
            out.stdout.contains("signed by CN=samlsim test-only IdP"),
            "verify should name the signer\n{}",
            out.describe()
        );
    }

    // The Assertion, then the Response: two ok lines in document order.
    let assertion = cli_sign(&dir, "assertion.xml", &["--id", ASSERTION_ID], &input);
    let both = cli_sign(&dir, "both.xml", &[], &assertion);
    let out = cli_verify(&[IDP_CERT], &both);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        out.code == 0
            && lines.len() == 2
            && lines[0].starts_with(&response_line("ok    "))
            && lines[1].starts_with(&assertion_line("ok    ")),
        "verify of a Response with both signed\n{}",
        out.describe()
    );
}

#[test]
fn verify_with_another_certificate_reports_an_untrusted_key() {
    let dir = temp_dir();
    let signed = signed_response(&dir);
    let out = cli_verify(&[ATTACKER_CERT], &signed);
    assert_eq!(out.code, 1, "{}", out.describe());
    assert_single_line(
        &out,
        &response_line("FAIL  "),
        "untrusted key",
        "verify with the attacker certificate",
    );
    // Any one trusted certificate that matches is enough.
    let out = cli_verify(&[ATTACKER_CERT, IDP_CERT], &signed);
    assert_eq!(out.code, 0, "{}", out.describe());
    assert_single_line(
        &out,
        &response_line("ok    "),
        "CN=samlsim test-only IdP",
        "verify trusting both certificates",
    );
}

#[test]
fn verify_of_a_name_id_changed_after_signing_reports_a_digest_mismatch() {
    let dir = temp_dir();
    let signed = std::fs::read_to_string(signed_response(&dir)).unwrap();
    let tampered = write_file(&dir, "tampered.xml", tamper_name_id(&signed));
    let out = cli_verify(&[IDP_CERT], &tampered);
    assert_eq!(out.code, 1, "{}", out.describe());
    assert_single_line(
        &out,
        &response_line("FAIL  "),
        "digest mismatch",
        "verify of a tampered Response",
    );
}

#[test]
fn verify_accepts_the_base64_post_form_and_a_pasted_form_body() {
    let dir = temp_dir();
    let signed = std::fs::read(signed_response(&dir)).unwrap();
    let encoded = encode_post(&signed);
    let form = format!(
        "SAMLResponse={}&RelayState=https%3A%2F%2Fconsole.example%2F",
        encoded
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    );
    for (name, contents) in [("post.b64", encoded), ("form.txt", form)] {
        let file = write_file(&dir, name, contents);
        let out = cli_verify(&[IDP_CERT], &file);
        assert_eq!(out.code, 0, "verify {name}\n{}", out.describe());
        assert_single_line(&out, &response_line("ok    "), "RSA-SHA256", name);
    }
}

#[test]
fn verify_of_an_unsigned_document_says_nothing_is_signed() {
    let out = cli_verify(&[IDP_CERT], Path::new(AWS_RESPONSE));
    assert_eq!(out.code, 1, "{}", out.describe());
    assert_single_line(
        &out,
        "FAIL  ",
        "nothing is signed",
        "verify of an unsigned Response",
    );
}

#[test]
fn verify_refuses_a_doctype() {
    let dir = temp_dir();
    let response = read_fixture(AWS_RESPONSE);
    let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    assert!(response.starts_with(declaration));
    let with_doctype = response.replacen(
        declaration,
        &format!("{declaration}<!DOCTYPE samlp:Response [<!ENTITY who \"alice\">]>\n"),
        1,
    );
    let file = write_file(&dir, "doctype.xml", with_doctype);
    let out = cli_verify(&[IDP_CERT], &file);
    assert_eq!(out.code, 2, "{}", out.describe());
    assert!(
        out.stderr.contains("DOCTYPE is not allowed") && out.stdout.is_empty(),
        "{}",
        out.describe()
    );
}

#[test]
fn verify_of_truncated_base64_is_an_error_about_base64() {
    let dir = temp_dir();
    let signed = std::fs::read(signed_response(&dir)).unwrap();
    let encoded = encode_post(&signed);
    // Cut at an odd length, so it cannot be whole base64 quanta.
    let truncated = &encoded[..(encoded.len() / 2) | 1];
    let file = write_file(&dir, "truncated.b64", truncated);
    let out = cli_verify(&[IDP_CERT], &file);
    assert_eq!(out.code, 2, "{}", out.describe());
    assert!(
        out.stderr.contains("base64") && out.stdout.is_empty(),
        "the error should say the base64 is broken\n{}",
        out.describe()
    );
}

#[test]
fn decode_of_a_redirect_encoded_authn_request_prints_indented_xml() {
    // Written on one line, so any indentation in the output is decode's.
    let request = concat!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" "#,
        r#"xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_4fe2a9c1b7d3" "#,
        r#"Version="2.0" IssueInstant="2026-11-23T10:00:00Z" "#,
        r#"AssertionConsumerServiceURL="https://signin.aws.amazon.com/saml">"#,
        r#"<saml:Issuer>urn:amazon:webservices</saml:Issuer>"#,
        r#"<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" AllowCreate="true"/>"#,
        r#"</samlp:AuthnRequest>"#,
    );
    let encoded = encode_redirect(request.as_bytes());
    assert!(
        !encoded.contains("AuthnRequest"),
        "the encoded form should hide the XML"
    );
    let dir = temp_dir();
    let file = write_file(&dir, "request.b64", &encoded);
    let out = samlsim([OsString::from("decode"), file.into()]);
    assert_eq!(out.code, 0, "{}", out.describe());
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines.first().is_some_and(
            |l| l.starts_with("<samlp:AuthnRequest ") && l.contains("ID=\"_4fe2a9c1b7d3\"")
        ),
        "decode should print the AuthnRequest\n{}",
        out.describe()
    );
    for child in [
        "<saml:Issuer>urn:amazon:webservices</saml:Issuer>",
        "<samlp:NameIDPolicy ",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("  ") && l.trim_start().starts_with(child)),
            "decode should print {child} on its own, indented line\n{}",
            out.describe()
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.trim_end() == "</samlp:AuthnRequest>"),
        "decode should close the AuthnRequest on its own line\n{}",
        out.describe()
    );
}

#[test]
fn sign_refuses_a_certificate_that_is_not_the_keys() {
    let out = samlsim([
        "sign",
        "--key",
        IDP_KEY,
        "--cert",
        ATTACKER_CERT,
        AWS_RESPONSE,
    ]);
    assert_eq!(out.code, 2, "{}", out.describe());
    assert!(
        out.stderr.contains("is not the certificate of this key") && out.stdout.is_empty(),
        "{}",
        out.describe()
    );
}

/// `samlsim clock` and `samlsim connect users` reach a running samlsim through the
/// emulator's HTTP client (the only client socket code), and say so when none runs.
#[test]
fn commands_for_a_running_samlsim_go_through_its_admin_api() {
    use samlsim_emulator::server::Served;
    use samlsim_emulator::{Config, Options};

    let served = Served::start(Config::load(None).unwrap(), Options::default()).unwrap();
    let url = served.url();
    let out = samlsim(["clock", "advance", "90m", "--url", &url]);
    assert_eq!(out.code, 0, "{}", out.describe());
    let out = samlsim(["clock", "show", "--url", &url]);
    assert_eq!(out.code, 0, "{}", out.describe());
    assert!(out.stdout.contains('{'), "{}", out.describe());
    let out = samlsim(["connect", "users", "list", "--url", &url]);
    assert_eq!(out.code, 0, "{}", out.describe());
    assert!(out.stdout.contains("alice"), "{}", out.describe());
    // An SP from its metadata file, and the IdP's keys.
    let dir = temp_dir();
    let metadata = write_file(
        &dir,
        "sp.xml",
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://cli.sp.test/metadata"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://cli.sp.test/acs" index="0"/></md:SPSSODescriptor></md:EntityDescriptor>"#,
    );
    let metadata = metadata.display().to_string();
    let out = samlsim(["idp", "sps", "add", "--metadata", &metadata, "--url", &url]);
    assert_eq!(out.code, 0, "{}", out.describe());
    assert!(
        out.stdout
            .contains("\"acs_url\": \"https://cli.sp.test/acs\""),
        "{}",
        out.describe()
    );
    let out = samlsim(["idp", "sps", "list", "--url", &url]);
    assert!(
        out.stdout.contains("cli-sp-test-metadata"),
        "{}",
        out.describe()
    );
    let out = samlsim(["idp", "keys", "promote", "--url", &url]);
    assert_eq!(out.code, 1, "nothing staged: {}", out.describe());
    assert!(out.stdout.contains("NoStagedKey"), "{}", out.describe());
    let out = samlsim(["idp", "keys", "show", "--url", &url]);
    assert_eq!(out.code, 0, "{}", out.describe());
    assert!(
        out.stdout.contains("\"staged\": null"),
        "{}",
        out.describe()
    );

    drop(served);
    let out = samlsim(["clock", "show", "--url", &url]);
    assert_ne!(out.code, 0, "{}", out.describe());
    assert!(
        out.stderr.contains("cannot reach samlsim at"),
        "{}",
        out.describe()
    );
}

/// `samlsim flows` prints the inspector's timeline of a running samlsim: the list,
/// the newest flow whole (`--last`), and the failed check with the value sent.
#[test]
fn flows_prints_the_timeline_of_a_running_samlsim() {
    use samlsim_emulator::browser::Browser;
    use samlsim_emulator::http_client::HttpTransport;
    use samlsim_emulator::server::Served;
    use samlsim_emulator::{Config, Options};

    let served = Served::start(Config::load(None).unwrap(), Options::default()).unwrap();
    let url = served.url();
    let out = samlsim(["flows", "--url", &url]);
    assert_eq!(out.code, 0, "{}", out.describe());
    assert!(out.stdout.contains("no flows yet"), "{}", out.describe());

    let transport = HttpTransport::new(&url).unwrap();
    let mut browser = Browser::new(&transport);
    let login = browser.open("/idp/launch/connect-us-east-1");
    browser.sign_in(&login, "JDoe", "JDoe-pass");

    let out = samlsim(["flows", "--url", &url]);
    assert_eq!(out.code, 0, "{}", out.describe());
    assert!(
        out.stdout
            .contains("user JDoe  refused at C6 (user-not-onboarded)"),
        "{}",
        out.describe()
    );
    let out = samlsim(["flows", "--last", "--url", &url]);
    assert_eq!(out.code, 0, "{}", out.describe());
    for expected in [
        "POST https://us-east-1.signin.aws.amazon.com/saml",
        "SAMLResponse Response (HTTP-POST) RoleSessionName \"JDoe\"",
        "FAIL connect federate",
        "actual \"JDoe\", expected \"jdoe\" (exactly, case included)",
        "fix: ",
    ] {
        assert!(
            out.stdout.contains(expected),
            "{expected}\n{}",
            out.describe()
        );
    }
    let out = samlsim(["flows", "nope!", "--url", &url]);
    assert_ne!(out.code, 0, "{}", out.describe());
}

/// `samlsim flows --follow` prints flows as they happen: the one already there,
/// then a new flow's timeline once a browser walks it, each line once. The child
/// is killed when the test ends, however it ends.
#[test]
fn flows_follow_prints_a_new_flow_as_it_is_walked() {
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use samlsim_emulator::browser::Browser;
    use samlsim_emulator::http_client::HttpTransport;
    use samlsim_emulator::server::Served;
    use samlsim_emulator::{Config, Options};

    struct Killed(Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            // It runs until killed; an error here means it already exited.
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let served = Served::start(Config::load(None).unwrap(), Options::default()).unwrap();
    let url = served.url();
    let transport = HttpTransport::new(&url).unwrap();
    let mut before = Browser::new(&transport);
    let login = before.open("/idp/launch/connect-us-east-1");
    before.sign_in(&login, "JDoe", "JDoe-pass");

    let mut follow = Killed(
        Command::new(env!("CARGO_BIN_EXE_samlsim"))
            .args(["flows", "--follow", "--url", &url])
            .current_dir(repo_root())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = BufReader::new(follow.0.stdout.take().unwrap());
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed: Vec<String> = Vec::new();
    let mut wait_for = |wanted: &str| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !printed.iter().any(|l| l.contains(wanted)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match received.recv_timeout(left) {
                Ok(line) => printed.push(line),
                Err(e) => panic!(
                    "no line with {wanted:?} ({e:?}); printed:\n{}",
                    printed.join("\n")
                ),
            }
        }
        printed.clone()
    };
    wait_for("user JDoe  outcome refused  stopped at C6 by rule user-not-onboarded");

    let mut browser = Browser::new(&transport);
    let login = browser.open("/idp/launch/connect-us-east-1");
    let home = browser.sign_in(&login, "alice", "alice-pass");
    assert_eq!(home.role().as_deref(), Some("connect-home"));
    let flow = browser
        .cookie(samlsim_service::events::FLOW_COOKIE)
        .unwrap()
        .to_owned();
    // Its header may have been printed mid-walk (before the IdP knew the user);
    // the lines after it follow as they come.
    wait_for(&format!("flow {flow}  user "));
    let printed = wait_for("[connect-home]");
    let headers = |starting: &str| printed.iter().filter(|l| l.starts_with(starting)).count();
    assert_eq!(headers("flow "), 2, "{}", printed.join("\n"));
    assert_eq!(
        headers(&format!("flow {flow} ")),
        1,
        "{}",
        printed.join("\n")
    );
    assert!(
        printed
            .iter()
            .any(|l| l.contains("POST https://us-east-1.signin.aws.amazon.com/saml")),
        "{}",
        printed.join("\n")
    );
}

#[test]
fn rules_lang_ko_prints_the_korean_explanations_and_fixes() {
    let out = samlsim(["rules", "--lang", "ko"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rule = samlsim_emulator::rules::find("trust-policy")
        .pop()
        .unwrap()
        .spec;
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("| `trust-policy` |"))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(
        line.contains(rule.explanation_ko) && line.contains(rule.fix_ko),
        "{line}"
    );
    assert!(
        line.contains(rule.headline),
        "AWS's words stay AWS's: {line}"
    );
    let out = samlsim(["rules", "--lang", "fr"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
}
