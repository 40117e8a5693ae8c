# Recipes mirror the README; nothing requires `just`.

# Start the emulator with its embedded defaults.
up:
    cargo run --release -- up

# Run every test (interop tests skip with a note where their tools are missing).
test:
    cargo test --workspace

# The lints CI runs before the tests.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# What CI runs: installs xmlsec1 and makes interop tests mandatory.
ci:
    bash .ci/run

# Signature-core throughput (see docs/benchmarks.md).
bench:
    cargo run --release -- bench

# Fuzz parse + canonicalise + verify (needs cargo-fuzz; see fuzz/README.md).
fuzz seconds="60":
    sh fuzz/seed.sh
    RUSTC_BOOTSTRAP=1 cargo fuzz run --target-dir fuzz/target verify -- -dict=fuzz/xml.dict -max_total_time={{seconds}}

# Every scenario in scenarios/.
scenarios:
    cargo run --release -- run scenarios
