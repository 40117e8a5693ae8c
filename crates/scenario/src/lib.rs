//! Scripted scenarios: the six-step flow and every way it fails, from a file.
//!
//! # Layout
//! - [`format`]: the TOML scenario file and its errors (file, line, what was expected);
//! - [`run`]: one scenario against a [`Transport`](samlsim_emulator::browser::Transport);
//! - [`suite`]: many scenarios in parallel, each on its own fresh in-process emulator,
//!   or all against one running samlsim; summaries and JUnit XML;
//! - [`coverage`]: which seed behaviours no scenario covers.

pub mod coverage;
pub mod format;
pub mod run;
pub mod suite;

pub use format::{Scenario, ScenarioError};
pub use run::{Failure, Report, run};
