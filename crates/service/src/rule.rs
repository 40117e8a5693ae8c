//! Refusals as types: every rule an emulated service enforces is a variant of that
//! service's `Rule` enum, declared once with [`rules!`] together with everything a
//! refusal needs (the emulated service's error code, HTTP status and wording,
//! samlsim's explanation and fix, the seed behaviours it implements).
//!
//! Code decides on variants, never on names: the kebab-case name exists only for
//! what leaves the process (the `data-rule` attribute of a page, the event log,
//! scenario files), as rustls names its alerts.
//!
//! A refusal travels as a [`Refusal`] and is answered by one function,
//! [`Recorder::refuse`](crate::Recorder::refuse): it records the event and renders
//! the page or API error body the service chose.

use std::fmt;

use crate::events::Outcome;
use crate::http::StatusCode;
use crate::lang::Lang;

/// Everything a rule says about itself. Declared in one table per service by
/// [`rules!`]; fields not given take [`RuleSpec::DEFAULT`]'s value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSpec {
    /// Stable kebab-case name carried by pages (`data-rule`), events and scenarios.
    pub name: &'static str,
    /// The HTTP status the emulated service answers with.
    pub status: u16,
    /// The error code the emulated service gives (`InvalidIdentityToken`, a SAML
    /// status URI, `invalid_grant`); empty where it gives none.
    pub code: &'static str,
    /// The emulated service's own wording, as its users see it.
    pub headline: &'static str,
    /// samlsim's explanation: what the rule is and where it comes from.
    pub explanation: &'static str,
    /// What a developer should change.
    pub fix: &'static str,
    /// The explanation in Korean (the seed documents' terms; protocol names in
    /// Latin script). [`table_faults`] requires it wherever `explanation` is given.
    pub explanation_ko: &'static str,
    /// The fix in Korean; required.
    pub fix_ko: &'static str,
    /// The seed behaviours (`C5`, `G8`) the rule implements; see docs/behaviours.md.
    pub behaviours: &'static [&'static str],
    /// Refused (a rule of the emulated service), Invalid (input no such rule
    /// covers: malformed) or Failed (samlsim itself failed).
    pub outcome: Outcome,
}

impl RuleSpec {
    /// The values of the fields a declaration leaves out.
    pub const DEFAULT: RuleSpec = RuleSpec {
        name: "",
        status: 400,
        code: "",
        headline: "",
        explanation: "",
        fix: "",
        explanation_ko: "",
        fix_ko: "",
        behaviours: &[],
        outcome: Outcome::Refused,
    };

    /// samlsim's explanation in `lang`.
    pub fn explanation(&self, lang: Lang) -> &'static str {
        lang.pick(self.explanation, self.explanation_ko)
    }

    /// The fix in `lang`.
    pub fn fix(&self, lang: Lang) -> &'static str {
        lang.pick(self.fix, self.fix_ko)
    }

    /// The status as an HTTP status code (a declaration holds a valid one; a test
    /// per service checks it).
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// A service's rule enum (declared with [`rules!`]).
pub trait Rule: Copy + Eq + fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// The service that enforces these rules (`idp`, `aws`, `connect`, `cognito`).
    const SERVICE: &'static str;
    /// Every variant, in declaration order.
    const ALL: &'static [Self];
    /// The rule's table row.
    fn spec(self) -> &'static RuleSpec;
    /// The stable name.
    fn name(self) -> &'static str {
        self.spec().name
    }
    /// The variant with `name`, for what comes back in from outside (scenarios).
    fn named(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.name() == name)
    }
}

/// Declares a service's rule enum and its table:
///
/// ```
/// samlsim_service::rules! {
///     /// What the demo service refuses.
///     pub enum DemoRule for "demo" {
///         /// The password did not match.
///         Password {
///             name: "password",
///             status: 401,
///             headline: "Incorrect user name or password.",
///             fix: "Use the demo password.",
///             behaviours: &["C3"],
///         },
///     }
/// }
/// use samlsim_service::Rule;
/// assert_eq!(DemoRule::Password.spec().status, 401);
/// assert_eq!(DemoRule::named("password"), Some(DemoRule::Password));
/// ```
#[macro_export]
macro_rules! rules {
    (
        $(#[$meta:meta])*
        $vis:vis enum $Rule:ident for $service:literal {
            $(
                $(#[$vmeta:meta])*
                $Variant:ident { $($field:ident : $value:expr),* $(,)? }
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $Rule {
            $( $(#[$vmeta])* $Variant, )*
        }

        impl $Rule {
            // A row may give every field; the `..DEFAULT` the macro adds is then
            // needless, and harmless.
            #[allow(clippy::needless_update)]
            const SPECS: &'static [$crate::rule::RuleSpec] = &[
                $( $crate::rule::RuleSpec { $($field: $value,)* ..$crate::rule::RuleSpec::DEFAULT }, )*
            ];
        }

        impl $crate::rule::Rule for $Rule {
            const SERVICE: &'static str = $service;
            const ALL: &'static [Self] = &[ $( $Rule::$Variant, )* ];
            fn spec(self) -> &'static $crate::rule::RuleSpec {
                &Self::SPECS[self as usize]
            }
        }

        impl ::std::fmt::Display for $Rule {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::rule::Rule::name(*self))
            }
        }
    };
}

/// One refused request: the rule that decided, and what exactly was wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal<R: Rule> {
    pub rule: R,
    /// What was wrong with this request, with the values that broke the rule.
    pub detail: Option<String>,
    /// The emulated service's message where it carries values (e.g. an instance
    /// ID); the rule's headline otherwise.
    pub message: Option<String>,
    /// The seed behaviour this step belongs to, when the call site knows better
    /// than the rule's first behaviour (one rule can guard several steps).
    pub step: Option<&'static str>,
    /// Structured details for the event log (IDs, endpoint); never secrets.
    pub context: serde_json::Value,
}

impl<R: Rule> Refusal<R> {
    pub fn new(rule: R) -> Self {
        Refusal {
            rule,
            detail: None,
            message: None,
            step: None,
            context: serde_json::Value::Null,
        }
    }

    /// Adds samlsim's explanation of what exactly was wrong.
    pub fn because(mut self, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        self.detail = Some(crate::bounded(&detail).into_owned());
        self
    }

    /// Words the refusal as the emulated service does for this request.
    pub fn worded(mut self, message: impl Into<String>) -> Self {
        let message = message.into();
        self.message = Some(crate::bounded(&message).into_owned());
        self
    }

    /// Places the refusal at seed behaviour `step` in the event log.
    pub fn at_step(mut self, step: &'static str) -> Self {
        self.step = Some(step);
        self
    }

    /// Attaches structured details for the event log.
    pub fn context(mut self, context: serde_json::Value) -> Self {
        self.context = context;
        self
    }

    /// Adds one detail beside those already attached: a caller that knows more
    /// (the endpoint) must not wipe what the check knew (the value it refused).
    pub fn fact(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        match &mut self.context {
            serde_json::Value::Object(map) => {
                map.insert(key.to_owned(), value.into());
            }
            serde_json::Value::Null => {
                self.context = serde_json::json!({ key: value.into() });
            }
            other => {
                self.context = serde_json::json!({ "context": other.clone(), key: value.into() });
            }
        }
        self
    }

    pub fn spec(&self) -> &'static RuleSpec {
        self.rule.spec()
    }

    /// The emulated service's message: the per-request wording, or the headline.
    pub fn message(&self) -> &str {
        self.message.as_deref().unwrap_or(self.spec().headline)
    }

    pub fn status(&self) -> StatusCode {
        self.spec().status_code()
    }

    /// The whole story in one line (for event messages and plain-text answers).
    pub fn summary(&self) -> String {
        let spec = self.spec();
        let mut line = String::new();
        if !spec.code.is_empty() {
            line.push_str(spec.code);
            line.push_str(": ");
        }
        line.push_str(self.message());
        if let Some(detail) = &self.detail
            && detail != self.message()
        {
            line.push_str(" — ");
            line.push_str(detail);
        }
        line
    }
}

impl<R: Rule> From<R> for Refusal<R> {
    fn from(rule: R) -> Self {
        Refusal::new(rule)
    }
}

impl<R: Rule> fmt::Display for Refusal<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (rule {})", self.summary(), self.rule)
    }
}

/// What is wrong with a service's rule table, one line per fault (empty when it is
/// sound): every rule has a 4xx/5xx status, a headline and a fix, and a kebab-case
/// name no other rule of the service has, by which [`Rule::named`] finds it again.
/// Each service's tests assert it is empty.
pub fn table_faults<R: Rule>() -> Vec<String> {
    let mut faults = Vec::new();
    let mut names = std::collections::HashSet::new();
    for &rule in R::ALL {
        let spec = rule.spec();
        if StatusCode::from_u16(spec.status).is_err() || !(400..600).contains(&spec.status) {
            faults.push(format!(
                "{rule:?}: status {} is not a 4xx or 5xx",
                spec.status
            ));
        }
        if spec.headline.is_empty() {
            faults.push(format!("{rule:?}: no headline"));
        }
        if spec.fix.is_empty() {
            faults.push(format!("{rule:?}: no fix"));
        }
        // Trainers read these in Korean: a rule without its Korean words, or
        // with the English copied in, fails here.
        for (what, en, ko) in [
            ("fix", spec.fix, spec.fix_ko),
            ("explanation", spec.explanation, spec.explanation_ko),
        ] {
            if !en.is_empty() && (ko.trim().is_empty() || ko == en) {
                faults.push(format!("{rule:?}: no Korean {what} (`{what}_ko`)"));
            }
            if !ko.is_empty() && !ko.chars().any(|c| ('가'..='힣').contains(&c)) {
                faults.push(format!("{rule:?}: `{what}_ko` has no Korean in it"));
            }
        }
        let kebab = !spec.name.is_empty()
            && spec
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !kebab {
            faults.push(format!("{rule:?}: name {:?} is not kebab-case", spec.name));
        }
        if !names.insert(spec.name) {
            faults.push(format!("{rule:?}: name {} declared twice", spec.name));
        }
        if R::named(spec.name) != Some(rule) {
            faults.push(format!(
                "{rule:?}: named({:?}) finds another rule",
                spec.name
            ));
        }
    }
    faults
}

/// A row of the catalogue of every rule (`samlsim rules`, docs/rules.md).
#[derive(Debug, Clone)]
pub struct CatalogueEntry {
    pub service: &'static str,
    /// The variant's name in its enum (`IssuerMismatch`), as code names it.
    pub variant: String,
    pub spec: &'static RuleSpec,
}

/// The rows for one service's rules.
pub fn catalogue<R: Rule>() -> impl Iterator<Item = CatalogueEntry> {
    R::ALL.iter().map(|rule| CatalogueEntry {
        service: R::SERVICE,
        variant: format!("{rule:?}"),
        spec: rule.spec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::rules! {
        /// Test rules.
        enum TestRule for "test" {
            /// A refused thing.
            First { name: "first", status: 403, code: "AccessDenied", headline: "Denied." },
            /// A malformed thing.
            Second { name: "second", outcome: Outcome::Invalid },
        }
    }

    #[test]
    fn table_faults_name_each_broken_row() {
        crate::rules! {
            enum Broken for "broken" {
                NoWords { name: "no-words", status: 200 },
                Twice { name: "twice", headline: "x", fix: "y", fix_ko: "와이" },
                Again { name: "twice", headline: "x", fix: "y", fix_ko: "y" },
            }
        }
        let faults = table_faults::<Broken>();
        assert!(
            faults.iter().any(|f| f.contains("NoWords: status 200")),
            "{faults:?}"
        );
        assert!(
            faults.iter().any(|f| f.contains("NoWords: no headline")),
            "{faults:?}"
        );
        assert!(
            faults
                .iter()
                .any(|f| f.contains("Again: name twice declared twice")),
            "{faults:?}"
        );
        assert!(
            faults.iter().any(|f| f.contains("Again: no Korean fix")),
            "{faults:?}"
        );
        assert!(
            !faults.iter().any(|f| f.contains("Twice: no Korean")),
            "{faults:?}"
        );
        assert!(
            table_faults::<TestRule>()
                .iter()
                .all(|f| f.contains("no fix") || f.contains("no headline"))
        );
    }

    #[test]
    fn the_table_follows_the_declaration_and_defaults_fill_the_rest() {
        assert_eq!(TestRule::ALL, &[TestRule::First, TestRule::Second]);
        assert_eq!(TestRule::First.spec().status, 403);
        assert_eq!(TestRule::Second.spec().status, 400);
        assert_eq!(TestRule::Second.spec().outcome, Outcome::Invalid);
        assert_eq!(TestRule::named("second"), Some(TestRule::Second));
        assert_eq!(TestRule::named("third"), None);
        assert_eq!(TestRule::First.to_string(), "first");
    }

    #[test]
    fn hostile_echo_a_refusal_quotes_at_most_a_bounded_value() {
        let huge = format!("Issuer {} is unknown", "x".repeat(1_000_000));
        let refusal = Refusal::new(TestRule::First).because(&huge).worded(&huge);
        assert!(refusal.summary().len() < 3 * crate::MAX_QUOTED_BYTES);
        assert!(
            refusal
                .detail
                .as_deref()
                .unwrap()
                .ends_with("… (1000018 bytes)")
        );
    }

    #[test]
    fn a_refusal_summarises_code_message_and_detail() {
        let refusal = Refusal::new(TestRule::First).because("role X is not trusted");
        assert_eq!(
            refusal.summary(),
            "AccessDenied: Denied. — role X is not trusted"
        );
        assert_eq!(
            Refusal::new(TestRule::First).worded("Nope.").message(),
            "Nope."
        );
    }
}
