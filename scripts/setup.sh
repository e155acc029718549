#!/usr/bin/env bash
# Installs everything the build and the tests need on a Debian 12 machine.
# Idempotent: every step checks first and says what it did or skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[setup] %s\n' "$*"; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# 1. Debian packages: protoc, clang, OpenSSL headers (litep2p), and Debian's Rust built for web
#    targets with its std sources (rustup cannot fetch wasm targets on this machine).
APT_PKGS=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22 protobuf-compiler clang
	libclang-dev libssl-dev pkg-config time openssl)
missing=()
for p in "${APT_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	say "installing apt packages: ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	say "apt packages present"
fi

# 2. The web toolchain as a rustup toolchain named `web`.
if ! rustup toolchain list | grep -q '^web'; then
	say "linking /usr as rustup toolchain 'web'"
	rustup toolchain link web /usr
else
	say "rustup toolchain 'web' present"
fi

# 3. Prebuilt core/alloc/compiler_builtins for wasm32v1-none (what `rustup target add` would
#    install). Rebuilt when rustc-web changes.
SYSROOT="$(rustup run web rustc --print sysroot)"
LIBDIR="$SYSROOT/lib/rustlib/wasm32v1-none/lib"
STAMP="$LIBDIR/.ehr-stamp"
WANT="$(rustup run web rustc --version)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
	say "wasm32v1-none std libraries present ($WANT)"
else
	say "building core/alloc for wasm32v1-none with $WANT"
	TMP="$(mktemp -d)"
	trap 'rm -rf "$TMP"' EXIT
	mkdir -p "$TMP/src"
	cat >"$TMP/Cargo.toml" <<'TOML'
[package]
name = "wasm-sysroot-seed"
version = "0.0.0"
edition = "2021"
[lib]
path = "src/lib.rs"
[profile.release]
panic = "abort"
TOML
	echo '#![no_std]' >"$TMP/src/lib.rs"
	(cd "$TMP" && RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes CARGO_TARGET_DIR="$TMP/target" \
		rustup run web cargo build -q --release --target wasm32v1-none -Z build-std=core,alloc)
	$SUDO mkdir -p "$LIBDIR"
	find "$TMP/target/wasm32v1-none/release/deps" -name 'lib*.rlib' ! -name 'libwasm_sysroot_seed*' \
		-exec $SUDO cp {} "$LIBDIR/" \;
	echo "$WANT" | $SUDO tee "$STAMP" >/dev/null
	say "installed $(ls "$LIBDIR"/*.rlib | wc -l) rlibs into $LIBDIR"
fi

# 4. rustfmt and clippy for the host toolchain.
for c in rustfmt clippy; do
	if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
		say "adding rustup component $c"
		rustup component add "$c"
	fi
done

# 5. The IPFS daemon used by the store tests (js-ipfs with the Kubo RPC API).
if [ -f "$ROOT/tests/ipfs/package-lock.json" ]; then
	if [ ! -x "$ROOT/tests/ipfs/node_modules/.bin/jsipfs" ]; then
		say "installing the test IPFS daemon (npm ci in tests/ipfs)"
		(cd "$ROOT/tests/ipfs" && npm ci --no-audit --no-fund --loglevel=error)
	fi
	"$ROOT/tests/ipfs/patch.sh"
fi

# 6. The independent FHIR R4 checks of the wallet's exports (HL7's JSON schema, FHIR.js,
#    fhirpath.js).
if [ ! -d "$ROOT/tests/fhir/node_modules/fhirpath" ]; then
	say "installing the FHIR validators (npm ci in tests/fhir)"
	(cd "$ROOT/tests/fhir" && npm ci --no-audit --no-fund --loglevel=error)
else
	say "FHIR validators present"
fi
say "done"
