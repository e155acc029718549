//! The chain's calls, events, errors, storage and runtime APIs as Rust types, generated at
//! compile time by subxt from the checked-in runtime metadata (`client/metadata/ehr.scale`;
//! `scripts/metadata.sh` regenerates it, and the `ehr-metadata` test fails when it no longer
//! matches the runtime as built).
//!
//! The pallets' own data types are re-exported from [`types`] under their pallet names.
#![allow(missing_docs, clippy::all)] // generated code

#[subxt::subxt(
	runtime_metadata_path = "metadata/ehr.scale",
	derive_for_all_types = "Clone, PartialEq, Eq",
	generate_docs
)]
pub mod generated {}

pub use generated::*;

// subxt's macro does not tell cargo that it read the metadata file: without this, a
// regenerated `ehr.scale` would not rebuild the client.
const _: &[u8] = include_bytes!("../../metadata/ehr.scale");

/// The runtime's call enum (what `Sudo::sudo` dispatches).
pub use generated::runtime_types::ehr_runtime::RuntimeCall;

/// The data types of the project's pallets, as the chain encodes them (generic ones
/// instantiated with the chain's account id).
pub mod types {
	use super::generated::runtime_types as rt;
	use subxt::utils::AccountId32;

	pub use rt::{
		bounded_collections::bounded_vec::BoundedVec,
		pallet_access::types::{
			AccessRequest, Actions, DenialReason, Emergency, EmergencyReason, Grant, GrantStatus,
			Purpose, Scope,
		},
		pallet_consortium::types::{
			AccountKind, AccountStatus, MemberInfo, OrgStatus, Organisation, Role, Roles,
		},
		pallet_records::types::Record,
	};

	/// Who a grant is for.
	pub type Grantee = rt::pallet_access::types::Grantee<AccountId32>;
	/// The review of an emergency access.
	pub type Review = rt::pallet_access::types::Review<AccountId32>;
	/// A registered account.
	pub type AccountInfo = rt::pallet_consortium::types::AccountInfo<AccountId32>;
	/// An invitation to register, not yet accepted.
	pub type Invitation = rt::pallet_consortium::types::Invitation<AccountId32, u32>;
	/// The custody configuration.
	pub type CustodyConfig = rt::pallet_consortium::types::CustodyConfig<AccountId32>;
}
