#!/usr/bin/env bash
# A large record (100 MiB by default) put and read end to end through the `ehr` binary, next
# to the raw store put and get of the same bytes, with release binaries (the one release
# build that the benchmarks share). `MIB=20 scripts/bench-wallet.sh` for a smaller record.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"
cargo build --locked --release -p ehr-node -p ehr-cli -p ehr-tests --bin ehr-node --bin ehr --bin bench-wallet
EHR_NODE="$CARGO_TARGET_DIR/release/ehr-node" EHR_CLI="$CARGO_TARGET_DIR/release/ehr" \
	"$CARGO_TARGET_DIR/release/bench-wallet" "${MIB:-100}"
