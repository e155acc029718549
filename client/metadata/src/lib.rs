//! The runtime metadata from which `ehr-client` generates its typed chain module (subxt's
//! static code generation reads `ehr.scale`, next to this crate's manifest, at compile time).
//!
//! `scripts/metadata.sh` rewrites that file from the runtime as built; the test
//! `checked_in_metadata_matches_the_runtime` fails when the file no longer matches, so a
//! runtime change cannot silently leave the client's types behind.
#![deny(missing_docs)]

use std::path::PathBuf;

/// The metadata version the client is generated from: V16, the newest the runtime serves and
/// the one subxt fetches from a node (calls, events, errors, storage, constants, runtime APIs
/// and view functions with their documentation). Code generated from V15 hashes differently
/// and fails subxt's check against a node serving V16.
pub const VERSION: u32 = 16;

/// The checked-in metadata file that `ehr-client` is generated from.
pub fn checked_in_path() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ehr.scale")
}

/// The runtime's metadata at [`VERSION`], SCALE-encoded as `RuntimeMetadataPrefixed` (the
/// bytes start with the magic `meta`), as the node's `Metadata_metadata_at_version` returns it.
pub fn current() -> Vec<u8> {
	ehr_runtime::Runtime::metadata_at_version(VERSION)
		.map(|m| m.to_vec())
		.unwrap_or_else(|| panic!("the runtime serves metadata V{VERSION}"))
}
