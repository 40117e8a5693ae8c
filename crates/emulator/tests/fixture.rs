//! The one world every test here starts from: the embedded default configuration,
//! a frozen clock, sequential IDs and the test-only IdP key (so signatures repeat).

use std::sync::Arc;

use samlsim_crypto::Identity;
use samlsim_emulator::{Config, Emulator, Options};
use samlsim_service::{SequentialIds, VirtualClock};

pub const NOW: i64 = 1_795_435_200; // 2026-11-23T12:00:00Z
pub const IDP_KEY: &str = include_str!("../../../certs/test-only-idp-key.pem");
pub const IDP_CERT: &str = include_str!("../../../certs/test-only-idp-cert.pem");
pub const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/ExampleCorpIdP";
pub const CONNECT_ROLE: &str = "arn:aws:iam::123456789012:role/ConnectFederation";

pub fn options() -> Options {
    Options {
        data: None,
        clock: Arc::new(VirtualClock::frozen(NOW)),
        ids: Arc::new(SequentialIds::default()),
        identity: Some(Identity::from_pem(IDP_KEY, IDP_CERT).unwrap()),
        cognito_identities: None,
    }
}

pub fn emulator() -> Emulator {
    Emulator::start(Config::load(None).unwrap(), options()).unwrap()
}
