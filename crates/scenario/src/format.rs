//! The scenario file: TOML, one scenario per file (see `scenarios/README.md`).
//!
//! ```toml
//! name = "Regional sign-in with a trust policy that lists only the global audience"
//! covers = ["C18"]
//!
//! [[setup]]                    # admin API calls that shape the world
//! request = "POST /_admin/idp/service-providers"
//! json = '''{"id": "ro", ...}'''
//!
//! [[step]]                     # one action ...
//! open = "/idp/launch/ro"
//! [[step]]
//! sign_in = { user = "alice", password = "alice-pass" }
//! expect = { page = "aws-sign-in-error", status = 403, rule = "trust-policy" }   # ... and what must follow
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A parsed scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// Seed behaviour IDs (`C18`, `G6`, ...) this scenario shows.
    pub covers: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub setup: Vec<Spanned<Setup>>,
    #[serde(default, rename = "step")]
    pub steps: Vec<Spanned<Step>>,
    /// The file's text, for turning spans into line numbers.
    #[serde(skip)]
    pub source: String,
}

/// An admin API call made before the steps.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// `METHOD /_admin/...`.
    pub request: String,
    /// A JSON body, as text.
    #[serde(default)]
    pub json: Option<String>,
    /// A CSV body (Connect bulk import).
    #[serde(default)]
    pub csv: Option<String>,
    /// The status the call must answer with (default: any 2xx).
    #[serde(default)]
    pub status: Option<u16>,
}

/// One step: exactly one action, then expectations.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Open a URL (local path, or a public AWS URL) and follow it like a browser.
    #[serde(default)]
    pub open: Option<String>,
    /// Sign in on the login page the browser shows.
    #[serde(default)]
    pub sign_in: Option<SignIn>,
    /// Submit the form on the current page, with fields set first.
    #[serde(default)]
    pub submit: Option<BTreeMap<String, String>>,
    /// POST a form to a URL, as another site's form would.
    #[serde(default)]
    pub post: Option<Post>,
    /// Post the last posted form again (a replay), to its own action or, if not
    /// empty, to this URL (a response sent to the wrong endpoint).
    #[serde(default)]
    pub repost: Option<String>,
    /// Move the virtual clock forward (`12h1s`, `90m`).
    #[serde(default)]
    pub advance_clock: Option<String>,
    /// Change the SAMLResponse in the current page's form (decoded, edited, re-encoded).
    #[serde(default)]
    pub tamper: Option<Tamper>,
    /// Call STS AssumeRoleWithSAML with the last SAMLResponse the browser carried.
    #[serde(default)]
    pub sts: Option<Sts>,
    /// Call Connect GetFederationToken with the credentials of the last STS call.
    #[serde(default)]
    pub get_federation_token: Option<String>,
    /// Stop (false) or go on (true) at auto-submitting SAML forms.
    #[serde(default)]
    pub scripts: Option<bool>,
    /// Forget all cookies: a new browser.
    #[serde(default)]
    pub new_browser: Option<bool>,
    #[serde(default)]
    pub expect: Option<Expect>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub user: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Post {
    pub url: String,
    #[serde(default)]
    pub form: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tamper {
    pub replace: String,
    pub with: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sts {
    pub role: String,
    pub principal: String,
    /// `sts.amazonaws.com` by default; e.g. `sts.eu-west-1.amazonaws.com`.
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub duration_seconds: Option<u32>,
}

/// What must hold after a step. Every field given is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The page's role (`data-page`): `idp-portal`, `aws-sign-in-error`, `connect-ccp`, ...
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    /// The rule a refusal names (`data-rule`).
    #[serde(default)]
    pub rule: Option<String>,
    /// An AWS error code: STS's `<Code>`, the sign-in page's, or Connect API's.
    #[serde(default)]
    pub aws_error: Option<String>,
    /// The final URL's path starts with this.
    #[serde(default)]
    pub url: Option<String>,
    /// The page contains this text (prefer `page` and `rule`).
    #[serde(default)]
    pub text: Option<String>,
    /// A SAML attribute of the last SAMLResponse the browser carried.
    #[serde(default)]
    pub saml_attribute: Option<SamlAttribute>,
    /// An event of this browser's flow, recorded by this step.
    #[serde(default)]
    pub event: Option<EventExpect>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlAttribute {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventExpect {
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub rule: Option<String>,
    #[serde(default)]
    pub step: Option<String>,
}

/// A scenario file that could not be read: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ScenarioError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl Step {
    /// The name of the step's action, if it has exactly one.
    pub fn action(&self) -> Result<&'static str, String> {
        let actions: Vec<&'static str> = [
            ("open", self.open.is_some()),
            ("sign_in", self.sign_in.is_some()),
            ("submit", self.submit.is_some()),
            ("post", self.post.is_some()),
            ("repost", self.repost.is_some()),
            ("advance_clock", self.advance_clock.is_some()),
            ("tamper", self.tamper.is_some()),
            ("sts", self.sts.is_some()),
            ("get_federation_token", self.get_federation_token.is_some()),
            ("scripts", self.scripts.is_some()),
            ("new_browser", self.new_browser.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect();
        match actions.as_slice() {
            [one] => Ok(one),
            [] => Err("a step needs one action: open, sign_in, submit, post, repost, advance_clock, tamper, sts, get_federation_token, scripts or new_browser".into()),
            many => Err(format!("a step has one action, this one has {}: {}", many.len(), many.join(", "))),
        }
    }
}

impl Scenario {
    /// The line of byte `offset` of the scenario's text.
    pub fn line_of(&self, offset: usize) -> usize {
        self.source[..offset.min(self.source.len())]
            .matches('\n')
            .count()
            + 1
    }

    /// Parses `text`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let mut scenario: Scenario = toml::from_str(text).map_err(|e| ScenarioError {
            file: file.to_owned(),
            line: e.span().map_or(1, |s| line_of(s.start)),
            message: e.message().to_owned(),
        })?;
        scenario.source = text.to_owned();
        if scenario.covers.is_empty() {
            return Err(ScenarioError {
                file: file.to_owned(),
                line: 1,
                message: "`covers` must name at least one seed behaviour (e.g. covers = [\"C18\"])"
                    .into(),
            });
        }
        for id in &scenario.covers {
            if !is_behaviour_id(id) {
                return Err(ScenarioError {
                    file: file.to_owned(),
                    line: 1,
                    message: format!(
                        "`covers` holds \"{id}\", which is not a behaviour ID like C18 or G6"
                    ),
                });
            }
        }
        for step in &scenario.steps {
            step.get_ref().action().map_err(|message| ScenarioError {
                file: file.to_owned(),
                line: line_of(step.span().start),
                message,
            })?;
        }
        for setup in &scenario.setup {
            let request = &setup.get_ref().request;
            let ok = request.split_once(' ').is_some_and(|(m, p)| {
                matches!(m, "GET" | "POST" | "DELETE" | "PUT") && p.starts_with("/_admin/")
            });
            if !ok {
                return Err(ScenarioError {
                    file: file.to_owned(),
                    line: line_of(setup.span().start),
                    message: format!("setup request \"{request}\" must be \"METHOD /_admin/...\""),
                });
            }
        }
        Ok(scenario)
    }
}

/// `C1`…`C32`, `G1`…`G9`: a letter and a number.
pub fn is_behaviour_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && !id[1..].is_empty()
        && id[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file_and_the_line() {
        let err = Scenario::parse("name = \"x\"\ncovers = [\"C1\"]\n\n[[step]]\nopen = \"/\"\nsign_in = { user = \"a\", password = \"b\" }\n", "s.toml")
            .unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.contains("2: open, sign_in"), "{err}");
        let err = Scenario::parse(
            "name = \"x\"\ncovers = [\"C1\"]\n[[step]]\nopen = \"/\"\nexpect = { pgae = \"x\" }\n",
            "s.toml",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("s.toml:5: unknown field `pgae`"),
            "{err}"
        );
        let err = Scenario::parse("name = \"x\"\ncovers = [\"see C1\"]\n", "s.toml").unwrap_err();
        assert!(err.message.contains("not a behaviour ID"), "{err}");
    }
}
