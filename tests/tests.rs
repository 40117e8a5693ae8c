//! The one integration-test binary of the `samlsim` package (see `[[test]]` in
//! Cargo.toml: a single binary links once, which matters on a 2-core machine).
//!
//! - [`interop_xmlsec`]: our XML signatures against xmlsec1, an implementation nobody
//!   here wrote, both ways, with RSA-SHA1 and RSA-SHA256.
//! - [`interop_xenc`]: our XML Encryption against xmlsec1 (and openssl for RSA-OAEP
//!   SHA-256), both ways, every block cipher.
//! - [`aws_sdk`]: boto3 and the AWS CLI against the mock STS on loopback.
//! - [`sdk_control`]: boto3, the AWS CLI and the JavaScript SDK build a Connect
//!   federation through the mock IAM and Connect control planes; an agent signs in through it.
//! - [`browser_e2e`]: Chromium via playwright-core through IdP, AWS sign-in and Connect.
//! - [`cli`]: the `samlsim` command line end to end.
//! - [`cognito_sdk`]: boto3 and the AWS CLI against the mock Cognito user pool.
//! - [`cognito_oidc`]: openid-client (discovery, code + PKCE, userinfo) with Chromium
//!   walking the hosted UI, and aws-jwt-verify on the tokens.
//! - [`cognito_browser`]: Chromium through the demo app, hosted UI and IdP, and the
//!   NameID case change (G8) and its fix (G9).
//! - [`cognito_support`]: what the Cognito tests share.
//! - [`encrypted`]: encrypted assertions end to end: boto3 with an encrypted
//!   assertion, pysaml2 and python3-saml SPs decrypting the IdP's, and one answer for
//!   every failure.
//! - [`hostile`]: the command-line findings of the adversarial test pass.
//! - [`idp_interop`]: the mock IdP's Responses and metadata checked by xmlsec1 and
//!   the OASIS schemas.
//! - [`rules`]: the rule catalogue (docs/rules.md) against the enums, scenarios and tests.
//! - [`tidy`]: conventions checked mechanically (docs/behaviours.md, swallowed results).
//! - [`support`]: fixtures, running programs, and the gate for external tools.

mod aws_sdk;
mod browser_e2e;
mod cli;
mod cognito_browser;
mod cognito_oidc;
mod cognito_sdk;
mod cognito_support;
mod encrypted;
mod hostile;
mod idp_interop;
mod interop_xenc;
mod interop_xmlsec;
mod realsp;
mod rules;
mod sdk_control;
mod support;
mod tidy;
