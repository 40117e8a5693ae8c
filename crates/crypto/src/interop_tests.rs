//! Cross-checks against the `openssl` command, the implementation SAML
//! peers (and their operators) most often compare with.
//!
//! A bare machine may lack openssl, so the test skips itself there, unless
//! `SAMLSIM_REQUIRE_INTEROP=1` says skipping would hide a real gap (CI).

use std::path::Path;
use std::process::Command;

use crate::test_support::identity;
use crate::{Certificate, SignatureAlgorithm, SigningKey};

const DATA: &[u8] = b"<samlp:Response ID=\"_1\">interop</samlp:Response>";

fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Runs `openssl args…` in `dir` and returns its stdout, failing the test
/// with openssl's stderr if it exits unsuccessfully.
fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `(subject, sha256 fingerprint)` as openssl prints them for `cert`.
fn openssl_subject_and_fingerprint(dir: &Path, cert: &str) -> (String, String) {
    let out = openssl(
        dir,
        &[
            "x509",
            "-in",
            cert,
            "-noout",
            "-subject",
            "-fingerprint",
            "-sha256",
            "-nameopt",
            "RFC2253",
        ],
    );
    let field = |prefix: &str| {
        out.lines()
            .find_map(|l| {
                let (key, value) = l.split_once('=')?;
                key.to_ascii_lowercase()
                    .contains(prefix)
                    .then(|| value.to_owned())
            })
            .unwrap_or_else(|| panic!("no {prefix} in openssl output:\n{out}"))
    };
    (field("subject"), field("fingerprint"))
}

fn openssl_digest_flag(alg: SignatureAlgorithm) -> &'static str {
    match alg {
        SignatureAlgorithm::RsaSha1 => "-sha1",
        SignatureAlgorithm::RsaSha256 => "-sha256",
        SignatureAlgorithm::RsaSha512 => "-sha512",
    }
}

#[test]
fn openssl_interop() {
    if !openssl_available() {
        assert!(
            std::env::var("SAMLSIM_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "SAMLSIM_REQUIRE_INTEROP=1 but openssl is not on PATH"
        );
        eprintln!("skipped: openssl not found");
        return;
    }
    let id = identity();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let write =
        |name: &str, contents: &[u8]| std::fs::write(dir.join(name), contents).expect("write");
    write("cert.pem", id.certificate.to_pem().as_bytes());
    write("key.pem", id.key.to_pkcs8_pem().as_bytes());
    write("data.bin", DATA);

    // Our certificate as openssl reads it.
    let (subject, fingerprint) = openssl_subject_and_fingerprint(dir, "cert.pem");
    assert_eq!(subject, id.certificate.subject());
    assert_eq!(fingerprint, id.certificate.sha256_fingerprint());

    openssl(
        dir,
        &[
            "x509", "-in", "cert.pem", "-noout", "-pubkey", "-out", "pub.pem",
        ],
    );
    for alg in SignatureAlgorithm::ALL {
        let flag = openssl_digest_flag(alg);
        // openssl signs with our key; we verify.
        openssl(
            dir,
            &[
                "dgst",
                flag,
                "-sign",
                "key.pem",
                "-out",
                "theirs.sig",
                "data.bin",
            ],
        );
        let theirs = std::fs::read(dir.join("theirs.sig")).expect("read signature");
        id.certificate
            .verify(alg, DATA, &theirs)
            .unwrap_or_else(|e| panic!("{alg}: openssl's signature: {e}"));
        // We sign; openssl verifies.
        write("ours.sig", &id.key.sign(alg, DATA).expect("signs"));
        let verdict = openssl(
            dir,
            &[
                "dgst",
                flag,
                "-verify",
                "pub.pem",
                "-signature",
                "ours.sig",
                "data.bin",
            ],
        );
        assert_eq!(verdict.trim(), "Verified OK", "{alg}");
    }

    // openssl's PKCS#1 ("traditional") rendering of our key reads back.
    let pkcs1 = openssl(dir, &["pkey", "-in", "key.pem", "-traditional"]);
    assert!(
        pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"),
        "{pkcs1}"
    );
    let key = SigningKey::from_pem(&pkcs1).expect("reads openssl's PKCS#1 PEM");
    assert_eq!(key.to_pkcs8_pem(), id.key.to_pkcs8_pem());

    // A certificate openssl made, with a two-attribute subject, parses the
    // same way openssl reads it.
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-key",
            "key.pem",
            "-subj",
            "/CN=openssl made/O=Example, Inc.",
            "-days",
            "1",
            "-sha256",
            "-out",
            "theirs.pem",
        ],
    );
    let theirs_pem = std::fs::read_to_string(dir.join("theirs.pem")).expect("read cert");
    let theirs = Certificate::from_pem(&theirs_pem).expect("parses openssl's certificate");
    let (subject, fingerprint) = openssl_subject_and_fingerprint(dir, "theirs.pem");
    assert_eq!(theirs.subject(), subject);
    assert_eq!(theirs.sha256_fingerprint(), fingerprint);
    assert_eq!(theirs.not_after() - theirs.not_before(), 86_400);
    assert!(theirs.matches_key(&id.key));
}
