//! What every emulated service is built from, and nothing service-specific:
//!
//! - [`http`]: [`Request`] and [`Response`] as plain values, so a service is a
//!   function from one to the other, testable without a socket;
//! - [`clock`]: the injected [`Clock`] and the emulator's [`VirtualClock`];
//! - [`store`]: the SQLite database, with per-service migrations;
//! - [`events`]: the log of every step of every flow;
//! - [`exchanges`]: the log of every HTTP exchange and SAML message of every flow;
//! - [`sweep`]: retention of expired state by the virtual clock, one [`Sweeper`];
//! - [`ids`]: injected identifier generation;
//! - [`lang`]: English or Korean for samlsim's own words, one [`Lang::negotiate`];
//! - [`rule`]: every refusal a typed rule ([`rules!`]), answered through
//!   [`Recorder::refuse`] which records the event and renders the answer;
//! - [`problem`]: refusals rendered as pages that name the rule;
//! - [`url`]: [`check_url`], the one check of every configured URL;
//! - [`UrlMap`]: from the public URLs messages name to the local ones that serve them;
//! - [`assets`]: the shared stylesheet, embedded at build time.

pub mod clock;
pub mod events;
pub mod exchanges;
pub mod http;
pub mod ids;
pub mod lang;
pub mod problem;
pub mod recorder;
pub mod rule;
pub mod store;
pub mod sweep;
pub mod url;

pub use clock::{Clock, ClockRangeError, UnixTime, VirtualClock};
pub use events::{Event, EventFilter, EventLog, NewEvent, Outcome, RequestEvents, Retention};
pub use exchanges::{Exchange, ExchangeLog, NewExchange, SamlMessage};
pub use http::{Request, Response};
pub use ids::{Ids, RandomIds, SequentialIds};
pub use lang::{Lang, Negotiated};
pub use problem::{Problem, render};
pub use recorder::{Recorder, aws_json_error};
pub use rule::{Refusal, Rule, RuleSpec};
pub use store::{Store, StoreError};
pub use sweep::{Horizon, SweepPolicy, Sweeper};
pub use url::{UrlError, UrlUse, check_url};

/// The most of one request-derived text (a refusal's detail, an event's message,
/// a page's message) that is quoted back: a 1 MB Issuer must not become a 1 MB
/// page and a 1 MB event row (a 649x amplification the adversarial pass found).
pub const MAX_QUOTED_BYTES: usize = 2048;

/// `text`, or its first [`MAX_QUOTED_BYTES`] (at a character boundary) followed by
/// `… (N bytes)` naming the whole length.
pub fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_QUOTED_BYTES {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut end = MAX_QUOTED_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}… ({} bytes)", &text[..end], text.len()))
}

/// An emulated service mounted in the server.
pub trait Service: Send + Sync {
    /// Handles `request` if its path belongs to this service; `None` otherwise.
    fn handle(&self, request: &Request) -> Option<Response>;
}

/// Static files under `web/static`, embedded so the binary runs from anywhere.
pub mod assets {
    /// `(path under /static/, content type, bytes)`.
    pub const FILES: &[(&str, &str, &[u8])] = &[
        (
            "samlsim.css",
            "text/css; charset=utf-8",
            include_bytes!("../../../web/static/samlsim.css"),
        ),
        (
            "inspect.js",
            "text/javascript; charset=utf-8",
            include_bytes!("../../../web/static/inspect.js"),
        ),
    ];

    /// The file served at `/static/<name>`.
    pub fn get(name: &str) -> Option<(&'static str, &'static [u8])> {
        FILES
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, t, b)| (*t, *b))
    }
}

/// Where the emulated endpoints really live.
///
/// Messages name real endpoints (`https://signin.aws.amazon.com/saml`), exactly as
/// a real IdP configured for AWS would, because the receiving side checks them
/// (AWS compares the assertion's `Recipient` with its own URL). A browser on this
/// machine must be sent to the emulator instead. The map turns a public URL into
/// the local URL that serves it; each emulated service contributes a rewriter for
/// the hosts it stands in for.
pub struct UrlMap {
    base: String,
    rewriters: Vec<Rewriter>,
}

/// Given the emulator's base URL and a public URL, the local URL if the rewriter
/// knows the host.
type Rewriter = Box<dyn Fn(&str, &str) -> Option<String> + Send + Sync>;

impl UrlMap {
    /// A map for an emulator reachable at `base` (e.g. `http://127.0.0.1:7575`).
    pub fn new(base: &str) -> Self {
        UrlMap {
            base: base.trim_end_matches('/').to_owned(),
            rewriters: Vec::new(),
        }
    }

    /// Adds a rewriter: given the base and a public URL, the local URL if it is one
    /// of the rewriter's hosts.
    pub fn with_rewriter(
        mut self,
        rewriter: impl Fn(&str, &str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.rewriters.push(Box::new(rewriter));
        self
    }

    /// The emulator's own base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A local absolute URL for `path` (`/idp/metadata` → `http://127.0.0.1:7575/idp/metadata`).
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Where a browser should go for `url`: the emulator's URL for a host it
    /// emulates, `url` itself otherwise. A path-only URL is taken as local.
    pub fn local(&self, url: &str) -> String {
        if url.starts_with('/') {
            return self.absolute(url);
        }
        self.rewriters
            .iter()
            .find_map(|r| r(&self.base, url))
            .unwrap_or_else(|| url.to_owned())
    }
}
