//! What every emulated service is built from, and nothing service-specific:
//!
//! - [`http`]: [`Request`] and [`Response`] as plain values, so a service is a
//!   function from one to the other, testable without a socket;
//! - [`clock`]: the injected [`Clock`] and the emulator's [`VirtualClock`];
//! - [`store`]: the SQLite database, with per-service migrations;
//! - [`events`]: the log of every step of every flow;
//! - [`problem`]: refusals rendered as pages that name the rule;
//! - [`assets`]: the shared stylesheet, embedded at build time.

pub mod clock;
pub mod events;
pub mod http;
pub mod problem;
pub mod store;

pub use clock::{Clock, UnixTime, VirtualClock};
pub use events::{Event, EventFilter, EventLog, NewEvent, Outcome};
pub use http::{Request, Response};
pub use problem::Problem;
pub use store::{Store, StoreError};

/// An emulated service mounted in the server.
pub trait Service: Send + Sync {
    /// Handles `request` if its path belongs to this service; `None` otherwise.
    fn handle(&self, request: &Request) -> Option<Response>;
}

/// Static files under `web/static`, embedded so the binary runs from anywhere.
pub mod assets {
    /// `(path under /static/, content type, bytes)`.
    pub const FILES: &[(&str, &str, &[u8])] = &[(
        "samlsim.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../web/static/samlsim.css"),
    )];

    /// The file served at `/static/<name>`.
    pub fn get(name: &str) -> Option<(&'static str, &'static [u8])> {
        FILES
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, t, b)| (*t, *b))
    }
}
