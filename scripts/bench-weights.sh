#!/usr/bin/env bash
# Regenerates every measured weight of the runtime in runtime/src/weights/:
#   paritydb_weights.rs     reading and writing one storage item (`benchmark storage`, on the
#                           genesis state of the `bench` chain: its thousands of accounts);
#   block_weights.rs,       executing an empty block and a no-op transaction
#   extrinsic_weights.rs    (`benchmark overhead`: a block of signed remarks);
#   frame_system_extensions.rs, pallet_{consortium,records,access}.rs
#                           (`benchmark pallet`).
# Then `benchmark extrinsic` prints what a block full of grants costs to import, per grant.
# Run it on the consortium's reference hardware, with the release build that the other
# benchmarks share (PROFILE=dev only to try the script: a debug node overestimates).
# PALLETS="frame_system_extensions pallet_access" limits `benchmark pallet` to those.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"
PROFILE="${PROFILE:-release}"
STEPS="${STEPS:-10}"
REPEAT="${REPEAT:-5}"
# frame-benchmarking-cli's storage test runtime is not needed here, and its wasm build cannot
# find itself in this workspace's metadata.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
cargo build --locked --profile "$PROFILE" -p ehr-node --features runtime-benchmarks
DIR=debug
[ "$PROFILE" = dev ] || DIR="$PROFILE"
NODE="$CARGO_TARGET_DIR/$DIR/ehr-node"
OUT=runtime/src/weights
DB="$(mktemp -d)"
trap 'rm -rf "$DB"' EXIT

# The generated files quote the command; keep the binary's name, not this machine's paths.
# The overhead and storage templates name sp_weights, which the runtime reaches through
# frame_support.
clean() {
	sed -i -e 's|^//   .*/ehr-node$|//   ehr-node|' -e 's|^// .*/ehr-node$|// ehr-node|' \
		-e "s|$DB|BASE|g" -e 's/sp_weights::/frame_support::weights::/g' "$@"
}

"$NODE" benchmark storage --chain bench --base-path "$DB" --database paritydb \
	--state-version 1 --batch-size 1000 --header scripts/weights-header.txt --weight-path "$OUT"
"$NODE" benchmark overhead --chain bench --base-path "$DB" \
	--header scripts/weights-header.txt --weight-path "$OUT"
for pallet in ${PALLETS:-frame_system_extensions pallet_consortium pallet_records pallet_access}; do
	"$NODE" benchmark pallet --chain dev --pallet "$pallet" \
		--extrinsic '*' --steps "$STEPS" --repeat "$REPEAT" \
		--header scripts/weights-header.txt --output "$OUT/$pallet.rs"
done
clean "$OUT"/*.rs
"$NODE" benchmark extrinsic --chain bench --base-path "$DB" --pallet access --extrinsic grant
