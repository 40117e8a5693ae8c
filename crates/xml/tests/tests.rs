//! The crate's one integration-test binary (see `[[test]]` in Cargo.toml).

mod c14n_vectors;
mod parse;
mod tree;
