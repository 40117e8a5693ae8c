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
//! [[step]]                     # an admin call mid-scenario, made as [[setup]] makes it
//! admin = { request = "POST /_admin/idp/users/alice/disable", status = 200 }
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A parsed scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// Seed behaviour IDs (`C18`, `G6`, ...) this scenario shows.
    pub covers: Vec<String>,
    pub summary: Option<String>,
    pub setup: Vec<Spanned<AdminCall>>,
    pub steps: Vec<Spanned<Step>>,
    /// The file's text, for turning spans into line numbers.
    pub source: String,
}

/// The file as TOML shapes it; [`Scenario::parse`] turns each step's keys into one
/// [`Action`] so that the runner never meets a step with none or two.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    covers: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    setup: Vec<Spanned<AdminCall>>,
    #[serde(default)]
    step: Vec<Spanned<StepFile>>,
}

/// An admin API call: a `[[setup]]` entry, or a step's `admin = { ... }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminCall {
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

/// One step: one action, then what must hold.
#[derive(Debug, Clone)]
pub struct Step {
    pub action: Action,
    pub expect: Option<Expect>,
}

/// What a step does (`scenarios/README.md`, "Actions").
#[derive(Debug, Clone)]
pub enum Action {
    /// Open a URL (local path, or a public AWS URL) and follow it like a browser.
    Open(String),
    /// Sign in on the login page the browser shows.
    SignIn(SignIn),
    /// Submit the form on the current page (or the tampered one), with fields set first.
    Submit(BTreeMap<String, String>),
    /// POST a form to a URL, as another site's form would.
    Post(Post),
    /// Post the last posted form again (a replay), to its own action or, if not
    /// empty, to this URL (a response sent to the wrong endpoint).
    Repost(String),
    /// Move the virtual clock forward (`12h1s`, `90m`).
    AdvanceClock(String),
    /// Change the SAMLResponse in the current page's form (decoded, edited, re-encoded).
    Tamper(Tamper),
    /// Stop (false) or go on (true) at auto-submitting SAML forms.
    Scripts(bool),
    /// Call STS AssumeRoleWithSAML with the last SAMLResponse the browser carried.
    Sts(Sts),
    /// Call Connect GetFederationToken with the credentials of the last STS call.
    GetFederationToken(String),
    /// Forget all cookies: a new browser.
    NewBrowser,
    /// An admin API call mid-scenario, made exactly as `[[setup]]` makes it.
    Admin(AdminCall),
}

impl Action {
    /// The action's key in the file.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Open(_) => "open",
            Action::SignIn(_) => "sign_in",
            Action::Submit(_) => "submit",
            Action::Post(_) => "post",
            Action::Repost(_) => "repost",
            Action::AdvanceClock(_) => "advance_clock",
            Action::Tamper(_) => "tamper",
            Action::Scripts(_) => "scripts",
            Action::Sts(_) => "sts",
            Action::GetFederationToken(_) => "get_federation_token",
            Action::NewBrowser => "new_browser",
            Action::Admin(_) => "admin",
        }
    }
}

/// A step as TOML shapes it: every action optional, so that a step with none or two
/// gets an error naming them rather than serde's "data did not match any variant".
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    #[serde(default)]
    open: Option<String>,
    #[serde(default)]
    sign_in: Option<SignIn>,
    #[serde(default)]
    submit: Option<BTreeMap<String, String>>,
    #[serde(default)]
    post: Option<Post>,
    #[serde(default)]
    repost: Option<String>,
    #[serde(default)]
    advance_clock: Option<String>,
    #[serde(default)]
    tamper: Option<Tamper>,
    #[serde(default)]
    scripts: Option<bool>,
    #[serde(default)]
    sts: Option<Sts>,
    #[serde(default)]
    get_federation_token: Option<String>,
    #[serde(default)]
    new_browser: Option<bool>,
    #[serde(default)]
    admin: Option<AdminCall>,
    #[serde(default)]
    expect: Option<Expect>,
}

impl StepFile {
    fn into_step(self) -> Result<Step, String> {
        let actions: Vec<Action> = [
            self.open.map(Action::Open),
            self.sign_in.map(Action::SignIn),
            self.submit.map(Action::Submit),
            self.post.map(Action::Post),
            self.repost.map(Action::Repost),
            self.advance_clock.map(Action::AdvanceClock),
            self.tamper.map(Action::Tamper),
            self.scripts.map(Action::Scripts),
            self.sts.map(Action::Sts),
            self.get_federation_token.map(Action::GetFederationToken),
            self.new_browser.map(|_| Action::NewBrowser),
            self.admin.map(Action::Admin),
        ]
        .into_iter()
        .flatten()
        .collect();
        if self.new_browser == Some(false) {
            return Err("`new_browser = false` does nothing; write `new_browser = true`".into());
        }
        let mut actions = actions.into_iter();
        match (actions.next(), actions.len()) {
            (Some(action), 0) => Ok(Step {
                action,
                expect: self.expect,
            }),
            (None, _) => Err(format!("a step needs one action: {}", ACTIONS.join(", "))),
            (Some(first), more) => {
                let names: Vec<&str> = std::iter::once(first.name())
                    .chain(actions.map(|a| a.name()))
                    .collect();
                Err(format!(
                    "a step has one action, this one has {}: {}",
                    more + 1,
                    names.join(", ")
                ))
            }
        }
    }
}

/// Every action's key, in the order errors list them.
pub const ACTIONS: &[&str] = &[
    "open",
    "sign_in",
    "submit",
    "post",
    "repost",
    "advance_clock",
    "tamper",
    "scripts",
    "sts",
    "get_federation_token",
    "new_browser",
    "admin",
];

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
        let error = |line: usize, message: String| ScenarioError {
            file: file.to_owned(),
            line,
            message,
        };
        let parsed: ScenarioFile = toml::from_str(text).map_err(|e| {
            error(
                e.span().map_or(1, |s| line_of(s.start)),
                e.message().to_owned(),
            )
        })?;
        if parsed.covers.is_empty() {
            return Err(error(
                1,
                "`covers` must name at least one seed behaviour (e.g. covers = [\"C18\"])".into(),
            ));
        }
        for id in &parsed.covers {
            if !is_behaviour_id(id) {
                return Err(error(
                    1,
                    format!("`covers` holds \"{id}\", which is not a behaviour ID like C18 or G6"),
                ));
            }
        }
        for setup in &parsed.setup {
            setup
                .get_ref()
                .check_request("setup")
                .map_err(|message| error(line_of(setup.span().start), message))?;
        }
        let mut steps = Vec::with_capacity(parsed.step.len());
        for step in parsed.step {
            let span = step.span();
            let step = step
                .into_inner()
                .into_step()
                .map_err(|message| error(line_of(span.start), message))?;
            if let Action::Admin(call) = &step.action {
                call.check_request("admin")
                    .map_err(|message| error(line_of(span.start), message))?;
            }
            steps.push(Spanned::new(span, step));
        }
        Ok(Scenario {
            name: parsed.name,
            covers: parsed.covers,
            summary: parsed.summary,
            setup: parsed.setup,
            steps,
            source: text.to_owned(),
        })
    }
}

impl AdminCall {
    /// The request line must be `METHOD /_admin/...`: a scenario shapes the world
    /// only through the admin API, never by posting to a service behind its back.
    /// `what` (`setup`, `admin`) says where the call stands in the file.
    pub fn check_request(&self, what: &str) -> Result<(), String> {
        let ok = self.request.split_once(' ').is_some_and(|(m, p)| {
            matches!(m, "GET" | "POST" | "DELETE" | "PUT") && p.starts_with("/_admin/")
        });
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{what} request \"{}\" must be \"METHOD /_admin/...\"",
                self.request
            ))
        }
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

    #[test]
    fn each_step_is_one_action() {
        let scenario = Scenario::parse(
            "name = \"x\"\ncovers = [\"C3\"]\n[[step]]\nopen = \"/idp/portal\"\n[[step]]\nnew_browser = true\n[[step]]\nadmin = { request = \"POST /_admin/idp/users/alice/disable\", status = 200 }\nexpect = { status = 200 }\n",
            "s.toml",
        )
        .unwrap();
        let names: Vec<&str> = scenario
            .steps
            .iter()
            .map(|s| s.get_ref().action.name())
            .collect();
        assert_eq!(names, ["open", "new_browser", "admin"]);
        let Action::Admin(call) = &scenario.steps[2].get_ref().action else {
            panic!("{:?}", scenario.steps[2]);
        };
        assert_eq!(call.request, "POST /_admin/idp/users/alice/disable");
        assert_eq!(call.status, Some(200));
        assert!(scenario.steps[2].get_ref().expect.is_some());
        assert_eq!(scenario.line_of(scenario.steps[2].span().start), 7);

        let err = Scenario::parse(
            "name = \"x\"\ncovers = [\"C1\"]\n[[step]]\nexpect = { status = 200 }\n",
            "s.toml",
        )
        .unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(
            err.message
                .starts_with("a step needs one action: open, sign_in,"),
            "{err}"
        );
        assert!(err.message.ends_with("new_browser, admin"), "{err}");
    }

    #[test]
    fn admin_steps_and_setup_only_call_the_admin_api() {
        let err = Scenario::parse(
            "name = \"x\"\ncovers = [\"C1\"]\n[[step]]\nopen = \"/\"\n\n[[step]]\nadmin = { request = \"POST /idp/users\" }\n",
            "s.toml",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.toml:6: admin request \"POST /idp/users\" must be \"METHOD /_admin/...\""
        );
        let err = Scenario::parse(
            "name = \"x\"\ncovers = [\"C1\"]\n[[setup]]\nrequest = \"PATCH /_admin/idp/users\"\n",
            "s.toml",
        )
        .unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.message.starts_with("setup request"), "{err}");
        let err = Scenario::parse(
            "name = \"x\"\ncovers = [\"C1\"]\n[[step]]\nadmin = { request = \"GET /_admin/clock\", body = \"x\" }\n",
            "s.toml",
        )
        .unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.contains("unknown field `body`"), "{err}");
    }
}
