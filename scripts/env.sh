# Sourced by the scripts: one target directory outside the clone, reused between runs, and the
# toolchain that builds the wasm runtime (see docs/toolchain.md).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/ehr-target}"
export WASM_BUILD_TOOLCHAIN="${WASM_BUILD_TOOLCHAIN:-web}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# The wasm build runs in the target directory; this tells it where Cargo.lock is.
WASM_BUILD_WORKSPACE_HINT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export WASM_BUILD_WORKSPACE_HINT
