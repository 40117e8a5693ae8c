//! The one integration-test binary of the `samlsim` package (see `[[test]]` in
//! Cargo.toml: a single binary links once, which matters on a 2-core machine).
//!
//! - [`interop_xmlsec`]: our XML signatures against xmlsec1, an implementation nobody
//!   here wrote, both ways, with RSA-SHA1 and RSA-SHA256.
//! - [`aws_sdk`]: boto3 and the AWS CLI against the mock STS on loopback.
//! - [`sdk_control`]: boto3, the AWS CLI and the JavaScript SDK build a Connect
//!   federation through the mock IAM and Connect control planes; an agent signs in through it.
//! - [`browser_e2e`]: Chromium via playwright-core through IdP, AWS sign-in and Connect.
//! - [`cli`]: the `samlsim` command line end to end.
//! - [`hostile`]: the command-line findings of the adversarial test pass.
//! - [`idp_interop`]: the mock IdP's Responses and metadata checked by xmlsec1 and
//!   the OASIS schemas.
//! - [`rules`]: the rule catalogue (docs/rules.md) against the enums, scenarios and tests.
//! - [`support`]: fixtures, running programs, and the gate for external tools.

mod aws_sdk;
mod browser_e2e;
mod cli;
mod hostile;
mod idp_interop;
mod interop_xmlsec;
mod rules;
mod sdk_control;
mod support;
