#!/usr/bin/env bash
# Measures the client library (ehr-client): the criterion benches, which end with a table of
# ratios against references measured in the same run (raw AES-256-GCM of the same crate,
# `openssl speed -evp aes-256-gcm` at 16 KiB, `sha256sum` of the same 100 MiB), then the peak
# memory of encrypting + storing a 1 GiB file through examples/put_file.rs.
# Usage: scripts/bench-client.sh [--quick]   (--quick: skip criterion, only the peak memory)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/ehr-target}"
WORK="$(mktemp -d /var/tmp/ehr-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
say() { printf '\n== %s\n' "$*"; }

if [ "${1:-}" != "--quick" ]; then
	say "criterion: cargo bench -p ehr-client"
	(cd "$ROOT" && cargo bench -p ehr-client --bench client -- --noplot 2>&1 |
		grep -E '^[a-z_]+/|time:|thrpt:|^report:' | grep -v '%' || true)
fi

say "peak memory: encrypt + store 1 GiB (examples/put_file.rs, release)"
(cd "$ROOT" && cargo build --release -p ehr-client --example put_file 2>&1 | tail -n 1)
head -c $((1 << 30)) /dev/urandom >"$WORK/1g"
/usr/bin/time -v "$CARGO_TARGET_DIR/release/examples/put_file" "$WORK/1g" "$WORK/store" 2>"$WORK/time.txt"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)' "$WORK/time.txt"
rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
echo "peak RSS: $((rss_kb / 1024)) MiB (target < 64 MiB)"
