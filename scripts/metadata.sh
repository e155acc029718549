#!/usr/bin/env bash
# Regenerates client/metadata/ehr.scale, the runtime metadata from which ehr-client's typed
# chain module is generated, from the runtime as built. Run it after every runtime change that
# touches calls, events, errors, storage or runtime APIs, then rebuild and commit the file;
# the test `checked_in_metadata_matches_the_runtime` fails until then.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/env.sh"
cargo run --quiet -p ehr-metadata -- "$ROOT/client/metadata/ehr.scale"
