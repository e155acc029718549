#!/usr/bin/env bash
# Installs what is missing, builds the node and the wallet, runs a development chain on
# 127.0.0.1:9944 (archive state, for the audit index) and walks the scenario through `ehr`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"

RPC_PORT="${RPC_PORT:-9944}"
echo "==> building (the first build takes about 25 minutes on 2 cores)"
# The same build as scripts/test.sh, so that the two commands share every artifact.
cargo build --locked --workspace --all-targets
NODE="$CARGO_TARGET_DIR/debug/ehr-node"
BASE="$(mktemp -d)"
LOG="$BASE/node.log"
"$NODE" --dev --state-pruning archive --base-path "$BASE/data" --rpc-port "$RPC_PORT" --no-prometheus \
	>"$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$BASE"' EXIT

rpc() {
	curl -s -H 'Content-Type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":${2:-[]}}" \
		"http://127.0.0.1:$RPC_PORT"
}
echo "==> starting ehr-node --dev (log: $LOG)"
for _ in $(seq 1 180); do
	if ! kill -0 $PID 2>/dev/null; then echo "ehr-node exited:"; tail -5 "$LOG"; exit 1; fi
	rpc system_health | grep -q '"result"' && break
	sleep 1
done
echo "==> chain: $(rpc system_chain | sed 's/.*"result":"\([^"]*\)".*/\1/')"
for _ in 1 2 3; do
	best=$(rpc chain_getHeader | sed 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/')
	final=$(rpc chain_getHeader "[$(rpc chain_getFinalizedHead | sed 's/.*"result":\("[^"]*"\).*/\1/')]" |
		sed 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/')
	echo "    best block #$((best)), finalized #$((final))"
	sleep 2
done
"$ROOT/scripts/scenario.sh" "ws://127.0.0.1:$RPC_PORT"
if [ "${KEEP_RUNNING:-0}" = "1" ]; then
	echo "==> node running on ws://127.0.0.1:$RPC_PORT; Ctrl-C to stop"
	wait $PID
fi
echo "==> stopping the node"
