#!/usr/bin/env bash
# Grant transactions per second sustained by a release development node, with inclusion
# latency and node RSS (the one release build that the benchmarks share).
# `ACCOUNTS=10000 scripts/bench-chain.sh` for a longer run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"
cargo build --locked --release -p ehr-node -p ehr-tests --bin ehr-node --bin bench-chain
EHR_NODE="$CARGO_TARGET_DIR/release/ehr-node" \
	"$CARGO_TARGET_DIR/release/bench-chain" "${ACCOUNTS:-6000}"
