# Recipes mirror the README; nothing requires `just`.

# Start the emulator with its embedded defaults.
up:
    cargo run --release -- up

# Run every test (interop tests skip with a note where their tools are missing).
test:
    cargo test --workspace

# What CI runs: installs xmlsec1 and makes interop tests mandatory.
ci:
    bash .ci/run

# Signature-core throughput (see docs/benchmarks.md).
bench:
    cargo run --release -- bench

# Fuzz parse + canonicalise + verify (needs nightly and cargo-fuzz).
fuzz seconds="60":
    cd fuzz && cargo +nightly fuzz run verify -- -max_total_time={{seconds}}
