//! Plain data types of the records pallet.

use crate::Config;
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use pallet_consortium::OrgId;
use scale_info::TypeInfo;
use sp_runtime::DispatchError;

/// Identifier of a record version (a counter, never reused).
pub type RecordId = u64;

/// Identifier of a grant of `pallet-access` (a counter, never reused).
pub type GrantId = u64;

/// A content identifier (CID string bytes, e.g. `Qm...` or `bafy...`).
pub type CidOf<T> = BoundedVec<u8, <T as Config>::MaxCidLen>;
/// A FHIR resource type name, e.g. `Observation`.
pub type ContentTypeOf<T> = BoundedVec<u8, <T as Config>::MaxContentTypeLen>;
/// A capsule: a data key wrapped to a public key.
pub type CapsuleOf<T> = BoundedVec<u8, <T as Config>::MaxCapsuleLen>;
/// A payload provider (e.g. a gateway URL or a peer id) named in a tamper report.
pub type ProviderOf<T> = BoundedVec<u8, <T as Config>::MaxProviderLen>;

/// One version of a health record. The payload itself is encrypted off chain.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Record<T: Config> {
	/// The record id.
	pub id: RecordId,
	/// The patient the record is about and who owns it.
	pub patient: T::AccountId,
	/// The organisation that keeps (pins) the payload.
	pub custodian_org: OrgId,
	/// Where the ciphertext is (IPFS CID).
	pub cid: CidOf<T>,
	/// blake2-256 of the ciphertext: every download is checked against it.
	pub ciphertext_hash: [u8; 32],
	/// Ciphertext size in bytes.
	pub size: u64,
	/// FHIR resource type of the plaintext.
	pub content_type: ContentTypeOf<T>,
	/// When the record was registered (chain time, milliseconds since the Unix epoch).
	pub created_at: u64,
	/// The previous version, if this one replaces it.
	pub previous: Option<RecordId>,
	/// The data key wrapped to the patient (HPKE).
	pub patient_capsule: CapsuleOf<T>,
	/// The data key wrapped to the consortium custody key (ElGamal KEM).
	pub custody_capsule: CapsuleOf<T>,
	/// Who registered it: the patient, or a staff member under an Append grant.
	pub registered_by: T::AccountId,
}

/// What `pallet-access` needs to know about a record.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RecordMeta<AccountId> {
	/// The record's patient.
	pub patient: AccountId,
	/// The record's FHIR resource type.
	pub content_type: alloc::vec::Vec<u8>,
}

/// Decides whether an account may read a record now under a grant. Implemented by
/// `pallet-access` (its one authority check); the records pallet asks it whether a tamper
/// reporter is a current grantee.
pub trait ReadPermission<AccountId> {
	/// `Ok` if `who` may read `record` at chain time `now_ms` under `grant`; otherwise the
	/// precise reason (the implementer's own error, e.g. `pallet_access::Error::GrantExpired`).
	fn may_read(
		who: &AccountId,
		record: RecordId,
		grant: GrantId,
		now_ms: u64,
	) -> Result<(), DispatchError>;
}

/// Decides whether a staff member may register a record for a patient. Implemented by
/// `pallet-access` (Append grants); defined here so that records does not depend on access.
pub trait AppendPermission<AccountId> {
	/// `Ok` if `who` may, at chain time `now_ms`, append a record of `content_type` to
	/// `patient`'s records under `grant`; otherwise the precise reason as a `DispatchError`
	/// (the implementer's own error, e.g. `pallet_access::Error::GrantExpired`).
	fn may_append(
		who: &AccountId,
		patient: &AccountId,
		content_type: &[u8],
		grant: GrantId,
		now_ms: u64,
	) -> Result<(), DispatchError>;

	/// Benchmark helper: make `who` hold an Append grant of `patient` (for any content type)
	/// and return its id.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_allow(who: &AccountId, patient: &AccountId) -> GrantId;
}

/// Nobody but the patient may register records.
impl<AccountId> AppendPermission<AccountId> for () {
	fn may_append(
		_: &AccountId,
		_: &AccountId,
		_: &[u8],
		_: GrantId,
		_: u64,
	) -> Result<(), DispatchError> {
		Err(DispatchError::Other("no append permission configured"))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_allow(_: &AccountId, _: &AccountId) -> GrantId {
		0
	}
}

/// Read access to records for other pallets (implemented by this pallet's `Pallet`).
pub trait RecordProvider<AccountId> {
	/// The patient and content type of a record, if it exists.
	fn record_meta(id: RecordId) -> Option<RecordMeta<AccountId>>;

	/// The longest content type a record may have (`Config::MaxContentTypeLen`), for other
	/// pallets' `integrity_test`.
	fn max_content_type_len() -> u32;

	/// Benchmark helper: create a record of `patient` with `content_type`.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_create_record(patient: &AccountId, content_type: &[u8]) -> RecordId;
}
