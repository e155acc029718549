#!/usr/bin/env bash
# Regenerates runtime/src/weights/pallet_{consortium,records,access}.rs with the node's
# `benchmark pallet` command. Run it on the reference hardware of the consortium, with
# PROFILE=release for weights fit for production (a debug node overestimates them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"
PROFILE="${PROFILE:-dev}"
STEPS="${STEPS:-10}"
REPEAT="${REPEAT:-5}"
# frame-benchmarking-cli's storage test runtime is not needed for pallet benchmarks, and its
# wasm build cannot find itself in this workspace's metadata.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
cargo build --locked --profile "$PROFILE" -p ehr-node --features runtime-benchmarks
DIR=debug
[ "$PROFILE" = dev ] || DIR="$PROFILE"
for pallet in pallet_consortium pallet_records pallet_access; do
	"$CARGO_TARGET_DIR/$DIR/ehr-node" benchmark pallet --chain dev --pallet "$pallet" \
		--extrinsic '*' --steps "$STEPS" --repeat "$REPEAT" \
		--header scripts/weights-header.txt --output "runtime/src/weights/$pallet.rs"
	# The generated file quotes the command; keep the binary's name, not this machine's path.
	sed -i 's|^// .*/ehr-node$|// ehr-node|' "runtime/src/weights/$pallet.rs"
done
