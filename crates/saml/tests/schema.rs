//! Schema validity: the messages and metadata we build validate against the
//! OASIS SAML 2.0 XML schemas, as a third-party implementation would check.
//!
//! The schemas and the validator are Python packages: `pysaml2` ships the
//! OASIS schemas (and the XML-DSig, XML-Enc and xml.xsd schemas they import),
//! and `xmlschema` (a dependency of pysaml2) validates offline.
//! `validate_schema.py`, next to this file, maps every schema import to those
//! local copies, so nothing is fetched.
//!
//! The interpreter is `$SAMLSIM_PYTHON` if set, else `python3` on `PATH`. When
//! it cannot `import xmlschema, saml2`, the test prints a note and passes,
//! unless `SAMLSIM_REQUIRE_INTEROP=1`, in which case it fails: CI sets that
//! so a missing install cannot pass silently.

#[path = "messages/support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use samlsim_saml::authn_request::build_authn_request;
use samlsim_saml::logout::{build_logout_request, build_logout_response};
use samlsim_saml::metadata::{build_idp_metadata, build_sp_metadata};
use samlsim_saml::response::{ResponseSigning, build_error_response, build_response};
use samlsim_saml::uri::status;
use samlsim_saml::{SamlError, Status};

use support::*;

const SKIP_NOTE: &str =
    "note: skipping schema validation: python3 with pysaml2 not found (pip install pysaml2)";

/// The Python interpreter to use, if it has both packages.
fn python_with_pysaml2() -> Option<String> {
    let python = std::env::var("SAMLSIM_PYTHON").unwrap_or_else(|_| "python3".into());
    let status = Command::new(&python)
        .args(["-c", "import xmlschema, saml2"])
        .output()
        .ok()?
        .status;
    status.success().then_some(python)
}

fn write(dir: &Path, name: &str, xml: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, xml).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

fn validate(python: &str, kind: &str, files: &[PathBuf]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate_schema.py");
    let output = Command::new(python)
        .arg(&script)
        .arg(kind)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    print!("{stdout}");
    assert!(
        output.status.success(),
        "schema validation ({kind}) failed:\n{stdout}{stderr}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        files.len(),
        "{stdout}"
    );
}

#[test]
fn built_messages_and_metadata_are_schema_valid() -> Result<(), SamlError> {
    let Some(python) = python_with_pysaml2() else {
        if std::env::var("SAMLSIM_REQUIRE_INTEROP").as_deref() == Ok("1") {
            panic!("{SKIP_NOTE}");
        }
        println!("{SKIP_NOTE}");
        return Ok(());
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (key, cert) = (key(), cert());
    let signer = signer(&key, &cert);

    let mut protocol = Vec::new();
    for signing in ResponseSigning::ALL {
        let built = build_response(&response_spec(), &assertion_spec(), signing, &signer)?;
        protocol.push(write(
            dir.path(),
            &format!("response-{signing}.xml"),
            &built.xml,
        ));
    }
    let mut error_spec = response_spec();
    error_spec.status = Status::error(
        status::REQUESTER,
        Some(status::INVALID_NAMEID_POLICY),
        Some("unsupported NameID format"),
    );
    let built = build_error_response(&error_spec, Some(&signer))?;
    protocol.push(write(dir.path(), "response-error.xml", &built.xml));
    for (name, signer) in [("unsigned", None), ("signed", Some(&signer))] {
        let built = build_authn_request(&full_request(), signer)?;
        protocol.push(write(
            dir.path(),
            &format!("authn-request-{name}.xml"),
            &built.xml,
        ));
        let built = build_logout_request(&logout_request(), signer)?;
        protocol.push(write(
            dir.path(),
            &format!("logout-request-{name}.xml"),
            &built.xml,
        ));
        let built = build_logout_response(&logout_response(), signer)?;
        protocol.push(write(
            dir.path(),
            &format!("logout-response-{name}.xml"),
            &built.xml,
        ));
    }
    // The hand-written fixture too, so the reading tests use realistic input.
    protocol.push(write(
        dir.path(),
        "response-many.xml",
        &sign_first_assertion(include_str!("data/response-many.xml")),
    ));
    validate(&python, "protocol", &protocol);

    let metadata = vec![
        write(
            dir.path(),
            "idp-metadata.xml",
            &build_idp_metadata(&idp_metadata())?,
        ),
        write(
            dir.path(),
            "sp-metadata.xml",
            &build_sp_metadata(&sp_metadata())?,
        ),
        write(
            dir.path(),
            "idp-metadata-foreign.xml",
            include_str!("data/idp-metadata-foreign.xml"),
        ),
        write(
            dir.path(),
            "aws-sp-metadata.xml",
            include_str!("data/aws-sp-metadata.xml"),
        ),
    ];
    validate(&python, "metadata", &metadata);
    Ok(())
}
