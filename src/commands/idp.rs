//! `samlsim idp sps ...`: the mock IdP's service providers, through the admin API
//! of a running emulator.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::up::admin_request;

fn report(status: u16, body: &str) -> ExitCode {
    println!("{body}");
    if (200..300).contains(&status) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Registers an SP from its metadata. A URL is handed to the emulator, which
/// fetches it with its one outbound client; a file is read here and sent as
/// `application/samlmetadata+xml` (or inside the JSON when fields come with it).
pub fn add_sp(
    url: &str,
    metadata: &str,
    id: Option<&str>,
    label: Option<&str>,
) -> Result<ExitCode> {
    let source = if metadata.starts_with("http://") || metadata.starts_with("https://") {
        metadata.to_owned()
    } else {
        std::fs::read_to_string(metadata).with_context(|| format!("reading {metadata}"))?
    };
    let mut body = serde_json::json!({ "metadata": source });
    if let Some(id) = id {
        body["id"] = id.into();
    }
    if let Some(label) = label {
        body["label"] = label.into();
    }
    let (status, answer) = admin_request(
        url,
        "POST",
        "/_admin/idp/service-providers",
        Some(("application/json", body.to_string().into_bytes())),
    )?;
    Ok(report(status, &answer))
}

pub fn list_sps(url: &str) -> Result<ExitCode> {
    let (status, body) = admin_request(url, "GET", "/_admin/idp/service-providers", None)?;
    Ok(report(status, &body))
}

pub fn delete_sp(url: &str, id: &str) -> Result<ExitCode> {
    let (status, body) = admin_request(
        url,
        "DELETE",
        &format!(
            "/_admin/idp/service-providers/{}",
            samlsim_service::http::encode_component(id)
        ),
        None,
    )?;
    Ok(report(status, &body))
}

/// `samlsim idp keys show|stage|promote`.
pub fn keys(url: &str, action: Option<&str>) -> Result<ExitCode> {
    let (status, body) = match action {
        None => admin_request(url, "GET", "/_admin/idp/keys", None)?,
        Some(action) => admin_request(
            url,
            "POST",
            &format!("/_admin/idp/keys/{action}"),
            Some(("application/json", b"{}".to_vec())),
        )?,
    };
    Ok(report(status, &body))
}
