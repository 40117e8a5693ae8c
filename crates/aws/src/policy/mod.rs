//! IAM policy documents: a strict parser and an evaluator.
//!
//! The mock AWS decides three kinds of request with real IAM JSON policies, pasted
//! as they appear in the AWS documentation:
//! - role trust policies decide `sts:AssumeRoleWithSAML` (C18: `SAML:aud` must list
//!   the sign-in endpoint the assertion was posted to);
//! - role permission policies decide `connect:GetFederationToken` (C10: by resource
//!   ARN with `${aws:userid}`, or by `connect:InstanceId`);
//! - service control policies can deny a region through `aws:RequestedRegion` (C19).
//!
//! [`Policy::parse`] refuses what IAM refuses with `MalformedPolicyDocument`, saying
//! where the fault is; [`Policy::evaluate`] and [`evaluate_all`] decide a
//! [`Request`] the way IAM's evaluation logic does. Nothing here panics on any
//! input.
//!
//! The rules come from the IAM user guide, cited below by page name:
//! reference_policies_grammar, reference_policies_elements_version,
//! reference_policies_elements_resource, reference_policies_elements_principal,
//! reference_policies_elements_condition, reference_policies_elements_condition_operators,
//! reference_policies_multi-value-conditions, reference_policies_variables and
//! reference_policies_evaluation-logic. Where the guide is silent the choice made
//! here is said in a comment.
//!
//! # Layout
//! - `types`: the public types and [`PolicyError`];
//! - `json`: reading the JSON (duplicate keys kept, types checked, paths named);
//! - `document`: the grammar of a document and its statements, and evaluation;
//! - `principal`, `action`: the Principal, Action and Resource elements;
//! - `condition`: condition operators (String, Numeric, Date, Bool, Binary,
//!   IpAddress, Arn, Null; IfExists; ForAnyValue/ForAllValues);
//! - `variables`: wildcards and `${...}` policy variables;
//! - `context`: the request context conditions read;
//! - `tests/`: one file per concern.
//!
//! # Example
//!
//! ```
//! use samlsim_aws::policy::{Context, Decision, Policy, Principal, Request};
//!
//! let trust = Policy::parse(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [{
//!         "Effect": "Allow",
//!         "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP"},
//!         "Action": "sts:AssumeRoleWithSAML",
//!         "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
//!     }]
//! }"#)?;
//! let context = Context::new().with("SAML:aud", "https://signin.aws.amazon.com/saml");
//! let request = Request {
//!     action: "sts:AssumeRoleWithSAML",
//!     resource: None,
//!     principal: Some(Principal::Federated("arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP")),
//!     context: &context,
//! };
//! assert_eq!(trust.evaluate(&request), Decision::Allow { statement: 0 });
//! # Ok::<(), samlsim_aws::policy::PolicyError>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

mod action;
mod condition;
mod context;
mod document;
mod json;
mod principal;
#[cfg(test)]
mod tests;
mod types;
mod variables;

pub use self::document::evaluate_all;
pub use self::types::*;
use self::{action::*, condition::*, document::*, json::*, principal::*, variables::*};
