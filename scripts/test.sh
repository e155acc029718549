#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests, end-to-end tests against real nodes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"

step() { printf '\n==> %s\n' "$*"; }
started=$SECONDS

step "cargo fmt --check"
cargo fmt --all -- --check

# One build of every target: the node binary, the tests and the examples share one feature
# resolution, so nothing is compiled twice (`cargo build -p ehr-node` alone would resolve the
# dependencies' features differently and rebuild most of Substrate for the tests).
step "build everything (debug, with the wasm runtime)"
cargo build --locked --workspace --all-targets

step "cargo clippy --workspace --all-targets -- -D warnings"
# The wasm blob is not needed to lint; clippy-driver cannot build it (it is not the web toolchain).
SKIP_WASM_BUILD=1 cargo clippy --locked --workspace --all-targets -- -D warnings

step "cargo test --workspace (unit, pallet and end-to-end tests)"
cargo test --locked --workspace

step "benchmarks of the pallets run once in their mock runtimes (what scripts/bench-weights.sh builds on)"
SKIP_WASM_BUILD=1 cargo test --locked -p pallet-consortium -p pallet-records -p pallet-access \
	--features runtime-benchmarks benchmark

step "all tests passed in $((SECONDS - started)) s"
