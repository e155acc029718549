#!/usr/bin/env bash
# Measures the client library (ehr-client) and references taken on the same machine in the
# same run: criterion benches, `openssl speed` AES-256-GCM, `sha256sum` of 100 MiB, and the
# peak memory of encrypting + storing a 1 GiB file through examples/put_file.rs.
# Usage: scripts/bench-client.sh [--quick]   (--quick: skip criterion, only references + RSS)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/ehr-target}"
WORK="$(mktemp -d /var/tmp/ehr-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
say() { printf '\n== %s\n' "$*"; }

if [ "${1:-}" != "--quick" ]; then
	say "criterion: cargo bench -p ehr-client"
	(cd "$ROOT" && cargo bench -p ehr-client --bench client -- --noplot 2>&1 |
		grep -E '^[a-z_]+/|time:|thrpt:' | grep -v '%' || true)
fi

say "reference: openssl speed -evp aes-256-gcm -bytes 16384 -seconds 3"
openssl speed -evp aes-256-gcm -bytes 16384 -seconds 3 2>/dev/null | tail -n 2

say "reference: sha256sum of 100 MiB (page cache warm)"
head -c $((100 << 20)) /dev/urandom >"$WORK/100m"
cat "$WORK/100m" >/dev/null
/usr/bin/time -f "sha256sum 100 MiB: %e s" sha256sum "$WORK/100m" >/dev/null

say "peak memory: encrypt + store 1 GiB (examples/put_file.rs, release)"
(cd "$ROOT" && cargo build --release -p ehr-client --example put_file 2>&1 | tail -n 1)
head -c $((1 << 30)) /dev/urandom >"$WORK/1g"
/usr/bin/time -v "$CARGO_TARGET_DIR/release/examples/put_file" "$WORK/1g" "$WORK/store" 2>"$WORK/time.txt"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)' "$WORK/time.txt"
rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
echo "peak RSS: $((rss_kb / 1024)) MiB (target < 64 MiB)"
