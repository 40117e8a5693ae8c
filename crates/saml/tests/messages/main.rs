//! Build → parse round trips and refusals for every message type. One test
//! binary, so the crate links once.

mod authn_request;
mod logout;
mod metadata;
mod redirect;
mod response;
mod support;
