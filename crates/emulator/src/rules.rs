//! The catalogue of every rule samlsim's services enforce: what `samlsim rules`
//! prints and `docs/rules.md` holds (a test keeps the file current).

use samlsim_service::rule::CatalogueEntry;

/// Every rule of every service, service by service in declaration order.
pub fn catalogue() -> Vec<CatalogueEntry> {
    let services: [Vec<CatalogueEntry>; 1] =
        [samlsim_service::rule::catalogue::<samlsim_cognito::CognitoRule>().collect()];
    services.into_iter().flatten().collect()
}

/// The rule called `name` in any service (names are what scenarios and pages carry).
pub fn find(name: &str) -> Vec<CatalogueEntry> {
    catalogue()
        .into_iter()
        .filter(|entry| entry.spec.name == name)
        .collect()
}

/// The catalogue as Markdown: one table per service.
pub fn markdown(entries: &[CatalogueEntry]) -> String {
    let mut out = String::from(
        "# Rules\n\n\
         Every refusal samlsim makes names one of these rules: pages carry it as\n\
         `data-rule`, the event log as `rule`, scenarios expect it by name. Generated\n\
         from the services' `Rule` enums by `samlsim rules`; do not edit by hand\n\
         (`UPDATE_EXPECT=1 cargo test --test integration rules` rewrites it).\n",
    );
    let mut service = "";
    for entry in entries {
        if entry.service != service {
            service = entry.service;
            out.push_str(&format!(
                "\n## {service}\n\n| rule | status | code | what the service says | behaviours | fix |\n|---|---|---|---|---|---|\n"
            ));
        }
        let spec = entry.spec;
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            spec.name,
            spec.status,
            cell(spec.code),
            cell(spec.headline),
            spec.behaviours.join(", "),
            cell(spec.fix),
        ));
    }
    out
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_well_formed_and_named_once_per_service() {
        let entries = catalogue();
        let mut seen = std::collections::HashSet::new();
        for entry in &entries {
            let spec = entry.spec;
            assert!(
                seen.insert((entry.service, spec.name)),
                "{}: rule {} declared twice",
                entry.service,
                spec.name
            );
            assert!(
                !spec.name.is_empty()
                    && spec
                        .name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}: rule name {:?} is not kebab-case",
                entry.service,
                spec.name
            );
            assert!(
                samlsim_service::http::StatusCode::from_u16(spec.status).is_ok()
                    && spec.status >= 400,
                "{}: rule {} has status {}",
                entry.service,
                spec.name,
                spec.status
            );
            assert!(
                !spec.headline.is_empty(),
                "{}: rule {} has no headline",
                entry.service,
                spec.name
            );
        }
    }
}
