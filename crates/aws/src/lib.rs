//! The mock AWS. For now: the map from AWS URLs to the emulator's own.

pub mod endpoints;
