#!/usr/bin/env bash
# Makes the js-ipfs HTTP server answer `add` the way Kubo does: `Size` as a JSON string, not a
# number (the ipfs-api crates parse Kubo's shape and fail on js-ipfs's). One line in
# ipfs-http-server/src/api/resources/files-regular.js; idempotent.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FILE="$HERE/node_modules/ipfs-http-server/src/api/resources/files-regular.js"
if [ ! -f "$FILE" ]; then
	echo "patch.sh: $FILE not found; run 'npm ci' in $HERE first (scripts/setup.sh does)" >&2
	exit 1
fi
if grep -q 'Size: String(file.size)' "$FILE"; then
	echo "[patch] js-ipfs add response already Kubo-shaped"
	exit 0
fi
if ! grep -q '^\s*Size: file\.size,$' "$FILE"; then
	echo "patch.sh: the expected line 'Size: file.size,' is not in $FILE (another ipfs-http-server version?)" >&2
	exit 1
fi
sed -i 's/^\(\s*\)Size: file\.size,$/\1Size: String(file.size),/' "$FILE"
echo "[patch] js-ipfs add response now returns Size as a string"
