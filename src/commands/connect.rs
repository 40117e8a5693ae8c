//! `samlsim connect users ...`: the mock Connect's users, through the admin API of
//! a running emulator.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::up::admin_request;

/// The instance to act on: the one given, or the only one there is.
fn instance(url: &str, given: Option<&str>) -> Result<String> {
    if let Some(id) = given {
        return Ok(id.to_owned());
    }
    let (status, body) = admin_request(url, "GET", "/_admin/connect/instances", None)?;
    if status != 200 {
        bail!("listing instances failed ({status}): {body}");
    }
    let instances: Vec<serde_json::Value> =
        serde_json::from_str(&body).context("reading the instance list")?;
    match instances.as_slice() {
        [one] => Ok(one["id"].as_str().unwrap_or_default().to_owned()),
        [] => bail!("the emulator has no Connect instance"),
        many => bail!(
            "the emulator has {} Connect instances; name one with --instance ({})",
            many.len(),
            many.iter()
                .filter_map(|i| i["id"].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn report(status: u16, body: &str) -> ExitCode {
    println!("{body}");
    if (200..300).contains(&status) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// C26: imports a CSV file in the SAML template, all rows or none.
pub fn import(url: &str, instance_id: Option<&str>, file: &Path) -> Result<ExitCode> {
    let csv = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let id = instance(url, instance_id)?;
    let (status, body) = admin_request(
        url,
        "POST",
        &format!("/_admin/connect/instances/{id}/users/import"),
        Some(("text/csv", csv)),
    )?;
    Ok(report(status, &body))
}

pub fn list(url: &str, instance_id: Option<&str>) -> Result<ExitCode> {
    let id = instance(url, instance_id)?;
    let (status, body) = admin_request(
        url,
        "GET",
        &format!("/_admin/connect/instances/{id}/users"),
        None,
    )?;
    Ok(report(status, &body))
}

pub fn create(
    url: &str,
    instance_id: Option<&str>,
    username: &str,
    profiles: &[String],
    first: Option<&str>,
    last: Option<&str>,
) -> Result<ExitCode> {
    let id = instance(url, instance_id)?;
    let user = serde_json::json!({
        "username": username, "security_profiles": profiles, "first_name": first, "last_name": last,
    });
    let (status, body) = admin_request(
        url,
        "POST",
        &format!("/_admin/connect/instances/{id}/users"),
        Some(("application/json", user.to_string().into_bytes())),
    )?;
    Ok(report(status, &body))
}

pub fn delete(url: &str, instance_id: Option<&str>, username: &str) -> Result<ExitCode> {
    let id = instance(url, instance_id)?;
    let path = format!(
        "/_admin/connect/instances/{id}/users/{}",
        samlsim_service::http::encode_component(username)
    );
    let (status, body) = admin_request(url, "DELETE", &path, None)?;
    Ok(report(status, &body))
}
