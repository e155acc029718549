#!/usr/bin/env bash
# Request-to-plaintext latency (p50, p99), custodian CPU per release and releases per second
# on the 4-hospital local consortium, with release binaries (the one release build that the
# benchmarks share). `READS=100 scripts/bench-custody.sh` for more samples.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"
cargo build --locked --release -p ehr-node -p ehr-tests --bin ehr-node --bin bench-custody
EHR_NODE="$CARGO_TARGET_DIR/release/ehr-node" \
	"$CARGO_TARGET_DIR/release/bench-custody" "${READS:-40}"
