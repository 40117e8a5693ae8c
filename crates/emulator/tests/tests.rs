//! The emulator's integration tests, one binary: each module used to be its own
//! binary linking the whole stack, which on two cores cost more than the tests.

mod fixture;

mod aws;
mod connect;
mod i18n;
mod idp;
mod inspect;
mod refusals;
