//! Shared helpers: fixture paths, the committed test keys, running programs, temp
//! files, and [`require_tool`], the gate for tests that need an external program.

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use samlsim_crypto::{Certificate, SignatureAlgorithm, SigningKey};
use samlsim_dsig::{DsigError, Verified, VerifyOptions, sign_enveloped, verify_enveloped_owned};
use samlsim_saml::signature::sign_options;
use samlsim_xml::{Document, NodeId, parse, to_xml};
use tempfile::TempDir;

/// The signer of the fixtures (certs/README.md).
pub const IDP_KEY: &str = "certs/test-only-idp-key.pem";
pub const IDP_CERT: &str = "certs/test-only-idp-cert.pem";
/// An unrelated key pair: the "wrong key".
pub const ATTACKER_KEY: &str = "certs/test-only-attacker-key.pem";
pub const ATTACKER_CERT: &str = "certs/test-only-attacker-cert.pem";

/// An unsigned, typical AWS SAML Response.
pub const AWS_RESPONSE: &str = "tests/data/aws-saml-response.xml";
/// The `ID` of its `samlp:Response`.
pub const RESPONSE_ID: &str = "_8e8dc5f69a98cc4c1ff3427e5ce34606fd672f91e6";
/// The `ID` of the `saml:Assertion` inside it.
pub const ASSERTION_ID: &str = "_d71a3a8e9fcc45c9e9d248ef7049393fc8f04e5f75";
/// Its `saml:NameID`, exactly as it appears in the file.
pub const NAME_ID: &str = ">alice@example.com</saml:NameID>";

/// The package root, where `certs/` and `tests/data/` are.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path relative to the package root, made absolute.
pub fn repo_path(relative: &str) -> PathBuf {
    repo_root().join(relative)
}

/// The text of a fixture, by its path relative to the package root.
pub fn read_fixture(relative: &str) -> String {
    let path = repo_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn idp_key() -> SigningKey {
    SigningKey::from_pem(&read_fixture(IDP_KEY)).expect("the IdP test key parses")
}

pub fn idp_cert() -> Certificate {
    Certificate::from_pem(&read_fixture(IDP_CERT)).expect("the IdP test certificate parses")
}

pub fn attacker_key() -> SigningKey {
    SigningKey::from_pem(&read_fixture(ATTACKER_KEY)).expect("the attacker test key parses")
}

pub fn attacker_cert() -> Certificate {
    Certificate::from_pem(&read_fixture(ATTACKER_CERT))
        .expect("the attacker test certificate parses")
}

/// The element whose `ID` attribute is `id`.
pub fn element_by_id(doc: &Document, id: &str) -> NodeId {
    doc.descendants(doc.document_node())
        .find(|&n| doc.element(n).and_then(|e| e.attribute("ID")) == Some(id))
        .unwrap_or_else(|| panic!("no element has ID=\"{id}\""))
}

/// `xml` with the element whose ID is `id` signed by our library, as `samlsim sign`
/// does (signature after `saml:Issuer`, exc-c14n, certificate in KeyInfo).
pub fn sign_with(
    xml: &str,
    id: &str,
    algorithm: SignatureAlgorithm,
    key: &SigningKey,
    cert: &Certificate,
) -> String {
    let mut doc = parse(xml).expect("the document to sign parses");
    let element = element_by_id(&doc, id);
    sign_enveloped(&mut doc, element, key, Some(cert), &sign_options(algorithm))
        .expect("signing succeeds");
    to_xml(&doc, doc.document_node())
}

/// [`sign_with`] the IdP test key.
pub fn sign(xml: &str, id: &str, algorithm: SignatureAlgorithm) -> String {
    sign_with(xml, id, algorithm, &idp_key(), &idp_cert())
}

/// Verifies the signature of the element whose ID is `id` with our library, trusting
/// only the IdP test certificate.
pub fn verify<'x>(xml: &'x str, id: &str) -> Result<Verified<'x>, DsigError> {
    let doc = parse(xml).expect("the signed document parses");
    let element = element_by_id(&doc, id);
    verify_enveloped_owned(doc, element, &[idp_cert()], &VerifyOptions::default())
}

/// `xml` with its one `saml:NameID` changed from alice to mallory.
pub fn tamper_name_id(xml: &str) -> String {
    assert_eq!(
        xml.matches(NAME_ID).count(),
        1,
        "the document should hold the NameID {NAME_ID:?} exactly once"
    );
    xml.replace(NAME_ID, ">mallory@example.com</saml:NameID>")
}

/// The text between `<{tag}>` and `</{tag}>`, the first time `tag` appears.
pub fn text_of<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in the document"))
        + open.len();
    let end = start
        + xml[start..]
            .find(&format!("</{tag}>"))
            .unwrap_or_else(|| panic!("<{tag}> is not closed"));
    &xml[start..end]
}

/// How a program ended.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Both streams, for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "exit code {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `program` with `args` from the package root and waits for it.
pub fn run<I, S>(program: impl AsRef<OsStr>, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let program = program.as_ref();
    let cache = test_cache_dir();
    let output = Command::new(program)
        .args(args)
        .current_dir(repo_root())
        .env("SAMLSIM_CACHE_DIR", &cache)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", program.to_string_lossy()));
    // Made only by `up --in-memory`; absent otherwise.
    let _ = std::fs::remove_dir_all(&cache);
    Output {
        code: output.status.code().unwrap_or_else(|| {
            panic!(
                "{} was killed by a signal: {:?}",
                program.to_string_lossy(),
                output.status
            )
        }),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Where one `samlsim up --in-memory` run by these tests keeps its IdP key: never
/// the user's own cache folder, and one folder per run (runs in parallel threads
/// would otherwise race to make the key); the caller removes it.
pub fn test_cache_dir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("samlsim-test-cache-{}-{n}", std::process::id()))
}

/// Runs the `samlsim` binary built for these tests.
pub fn samlsim<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run(env!("CARGO_BIN_EXE_samlsim"), args)
}

/// A fresh temporary folder, removed when dropped.
pub fn temp_dir() -> TempDir {
    tempfile::tempdir().expect("creating a temporary folder")
}

/// Writes `contents` to `name` inside `dir` and returns the path.
pub fn write_file(dir: &TempDir, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

/// The environment variable that turns a missing external tool into a failure.
pub const REQUIRE_INTEROP: &str = "SAMLSIM_REQUIRE_INTEROP";

/// Finds the external program `name` on PATH.
///
/// If it is missing, the test either fails (when [`REQUIRE_INTEROP`] is `1`, as in
/// CI, so a broken install cannot turn the interop tests into silent passes) or, on a
/// developer's machine, prints a note to stderr and returns `None`, and the test
/// returns early.
pub fn require_tool(name: &str) -> Option<PathBuf> {
    if let Some(path) = find_on_path(name) {
        return Some(path);
    }
    let test = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .unwrap_or("this test")
        .to_owned();
    if std::env::var(REQUIRE_INTEROP).is_ok_and(|v| v == "1") {
        panic!(
            "{test}: {name} is required when {REQUIRE_INTEROP}=1 (as in CI) but is not on PATH; \
             install it with `apt-get install {name}`"
        );
    }
    // Straight to the process's stderr: the test harness captures `eprintln!` of
    // passing tests, and a skip nobody sees is as bad as a silent pass.
    let _ = writeln!(
        std::io::stderr(),
        "note: skipping {test}: {name} not found (set {REQUIRE_INTEROP}=1 to make this a failure)"
    );
    None
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}
