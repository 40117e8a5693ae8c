//! The catalogue of every rule samlsim's services enforce: what `samlsim rules`
//! prints and `docs/rules.md` holds (a test keeps the file current).

use samlsim_service::Lang;
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

/// The catalogue as Markdown: one table per service. In Korean (`samlsim rules
/// --lang ko`) each rule also carries samlsim's explanation; what the service
/// says stays in the service's own words. docs/rules.md is the English one.
pub fn markdown(entries: &[CatalogueEntry], lang: Lang) -> String {
    let mut out = String::from(lang.pick(
        "# Rules\n\n\
         Every refusal samlsim makes names one of these rules: pages carry it as\n\
         `data-rule`, the event log as `rule`, scenarios expect it by name. Generated\n\
         from the services' `Rule` enums by `samlsim rules`; do not edit by hand\n\
         (`UPDATE_EXPECT=1 cargo test --test integration rules` rewrites it).\n",
        "# 규칙\n\n\
         samlsim의 모든 거부는 이 규칙 중 하나를 가리킵니다. 페이지는 `data-rule`로,\n\
         이벤트 로그는 `rule`로 규칙을 담고, 시나리오는 이름으로 규칙을 기대합니다.\n\
         서비스의 `Rule` 열거형에서 `samlsim rules --lang ko`가 생성합니다.\n\
         \"서비스가 표시하는 문구\"는 에뮬레이션하는 서비스의 원래 문구 그대로입니다.\n",
    ));
    let mut service = "";
    for entry in entries {
        if entry.service != service {
            service = entry.service;
            out.push_str(&format!("\n## {service}\n\n"));
            out.push_str(lang.pick(
                "| rule | status | code | what the service says | behaviours | fix |\n|---|---|---|---|---|---|\n",
                "| 규칙 | 상태 | 코드 | 서비스가 표시하는 문구 | 동작 ID | 설명 | 해결 방법 |\n|---|---|---|---|---|---|---|\n",
            ));
        }
        let spec = entry.spec;
        let explanation = match lang {
            Lang::En => String::new(),
            Lang::Ko => format!("{} | ", cell(spec.explanation(lang))),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {explanation}{} |\n",
            spec.name,
            spec.status,
            cell(spec.code),
            cell(spec.headline),
            spec.behaviours.join(", "),
            cell(spec.fix(lang)),
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
