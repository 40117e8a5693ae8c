//! The catalogue of every rule samlsim's services enforce: what `samlsim rules`
//! prints and `docs/rules.md` holds (a test keeps the file current).

use samlsim_service::rule::{CatalogueEntry, catalogue as of};

/// Every rule of every service, service by service in declaration order.
pub fn catalogue() -> Vec<CatalogueEntry> {
    let services: [Vec<CatalogueEntry>; 4] = [
        of::<samlsim_idp::IdpRule>().collect(),
        of::<samlsim_aws::AwsRule>().collect(),
        of::<samlsim_connect::ConnectRule>().collect(),
        of::<samlsim_cognito::CognitoRule>().collect(),
    ];
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
    use samlsim_service::rule::table_faults;

    #[test]
    fn every_service_in_the_catalogue_has_a_sound_table() {
        let faults = [
            table_faults::<samlsim_idp::IdpRule>(),
            table_faults::<samlsim_aws::AwsRule>(),
            table_faults::<samlsim_connect::ConnectRule>(),
            table_faults::<samlsim_cognito::CognitoRule>(),
        ]
        .concat();
        assert!(faults.is_empty(), "{}", faults.join("\n"));
    }
}
