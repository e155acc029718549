//! # Records pallet
//!
//! The registry of encrypted health records. Each record version names its patient, the
//! organisation keeping the payload, the payload's CID and ciphertext hash, its size and FHIR
//! resource type, two capsules of its data key (to the patient, to the consortium custody key)
//! and the version it replaces. Payloads never touch the chain.
//!
//! A patient registers its own records; a staff member registers records for a patient under
//! an Append grant, checked through [`AppendPermission`] (implemented by `pallet-access`).
//! Anyone registered may report a payload that does not match its on-chain hash.
//!
//! Every call is feeless (`Pays::No`); the consortium's `CheckRegistered` extension limits
//! the rate.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(
	test,
	allow(
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::panic,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects
	)
)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod cid;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Time};
use pallet_consortium::{Membership, OrgId};
use sp_runtime::SaturatedConversion;

// The code FRAME's macros generate for storage, errors and metadata calls `expect` (on
// values that are statically known); this module's own code never does (checked by grep in
// review), and every other lint of the crate-level list stays denied here.
// `too_many_arguments`: the generated call constructors take every extrinsic parameter.
#[allow(clippy::expect_used, clippy::too_many_arguments)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::dispatch::DispatchClass;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version. 1: [`CapsulePoints`] indexes every custody capsule's
	/// ephemeral point ([`migrations::v1`] builds it from the records of version 0).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The records pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the records pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The consortium: registered accounts, organisations, members.
		type Consortium: Membership<Self::AccountId>;

		/// Decides whether a staff member may register a record for a patient (Append
		/// grants): `pallet_access::Pallet<Runtime>` in the runtime.
		type AppendPermission: AppendPermission<Self::AccountId>;

		/// Decides whether an account may read a record under a grant (a tamper reporter that
		/// is neither the patient nor the keeper): `pallet_access::Pallet<Runtime>` in the
		/// runtime.
		type ReadPermission: ReadPermission<Self::AccountId>;

		/// Chain time (`pallet_timestamp::Pallet<Runtime>`; milliseconds).
		type Time: Time;

		/// The longest CID string, in bytes (64 fits every CIDv0 and base32 CIDv1 with a
		/// 32-byte digest).
		#[pallet::constant]
		type MaxCidLen: Get<u32>;

		/// The longest FHIR resource type name, in bytes.
		#[pallet::constant]
		type MaxContentTypeLen: Get<u32>;

		/// The longest capsule, in bytes.
		#[pallet::constant]
		type MaxCapsuleLen: Get<u32>;

		/// The length of a custody capsule of the current format (`E || proof || sealed key`;
		/// 144 bytes for the client's format 2): any other length is an old or foreign format
		/// and is refused.
		#[pallet::constant]
		type CustodyCapsuleLen: Get<u32>;

		/// The longest provider name in a tamper report, in bytes.
		#[pallet::constant]
		type MaxProviderLen: Get<u32>;

		/// The most tamper reports kept per record (one per reporter).
		#[pallet::constant]
		type MaxTamperReports: Get<u32>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// The id the next record gets.
	#[pallet::storage]
	pub type NextRecordId<T> = StorageValue<_, RecordId, ValueQuery>;

	/// Every record version by id.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Twox64Concat, RecordId, Record<T>>;

	/// Index of the records of a patient: `(patient, record) -> ()`.
	#[pallet::storage]
	pub type PatientRecords<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, RecordId, ()>;

	/// The version that replaced a record (versions form chains, never trees).
	#[pallet::storage]
	pub type SupersededBy<T: Config> = StorageMap<_, Twox64Concat, RecordId, RecordId>;

	/// The record whose custody capsule carries an ephemeral point `E` (its first 32 bytes).
	/// A capsule is bound to its record by a proof over the record's fields; this index
	/// refuses a second record with the same `E` outright, so a copied capsule cannot even be
	/// registered.
	#[pallet::storage]
	pub type CapsulePoints<T: Config> = StorageMap<_, Blake2_128Concat, [u8; 32], RecordId>;

	/// Who reported a record as tampered (at most `MaxTamperReports`, one per reporter).
	#[pallet::storage]
	pub type TamperReports<T: Config> = StorageMap<
		_,
		Twox64Concat,
		RecordId,
		BoundedVec<T::AccountId, T::MaxTamperReports>,
		ValueQuery,
	>;

	/// Events of the records pallet: who, what, when (`at`: chain time in ms), under which
	/// grant.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A record version was registered.
		RecordRegistered {
			/// The new record.
			record: RecordId,
			/// Its patient.
			patient: T::AccountId,
			/// The organisation keeping the payload.
			custodian_org: OrgId,
			/// Who registered it.
			registered_by: T::AccountId,
			/// The Append grant it was registered under (`None`: by the patient).
			grant: Option<GrantId>,
			/// The version it replaces.
			previous: Option<RecordId>,
			/// Chain time, ms.
			at: u64,
		},
		/// Alarm: a payload did not match the record's ciphertext hash.
		TamperReported {
			/// The record.
			record: RecordId,
			/// Who reported it.
			reporter: T::AccountId,
			/// Where the bad payload came from.
			provider: ProviderOf<T>,
			/// blake2-256 of what was received.
			observed_hash: [u8; 32],
			/// The hash on chain.
			expected_hash: [u8; 32],
			/// Reports of this record so far, this one included.
			reports: u32,
			/// Chain time, ms.
			at: u64,
		},
	}

	/// Errors of the records pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The CID is not a CIDv0 (`Qm...`, sha2-256) or a base32 CIDv1 (`b...`, raw, dag-pb or
		/// dag-cbor, sha2-256 or blake2b-256). Send the CID string the store returned.
		InvalidCid,
		/// The content type is empty or not a FHIR resource type name (ASCII letters and
		/// digits, starting with an upper-case letter). Send e.g. `Observation`.
		InvalidContentType,
		/// A capsule is empty. Send both wrapped data keys.
		EmptyCapsule,
		/// The custody capsule is not `CustodyCapsuleLen` bytes: an old or foreign format.
		/// Seal the data key with the current client.
		BadCustodyCapsule,
		/// Another record's custody capsule already uses this ephemeral point (a copy, or a
		/// registration that got in first with the same bytes). Seal the data key afresh (a
		/// new capsule has a new point) and register again.
		CapsuleReused,
		/// The custody capsule's proof does not verify for this record's fields (patient,
		/// organisation, content type, ciphertext hash, size, CID) under the consortium's
		/// custody key: it was sealed for another record, re-filed, or modified. Seal the
		/// data key for this record with the current client.
		UnboundCustodyCapsule,
		/// No custody configuration is set, so no custody capsule can be checked. Governance
		/// must set one first.
		NoCustody,
		/// The size is zero. Register the ciphertext's size in bytes.
		EmptyPayload,
		/// The custodian organisation does not exist or is suspended. Pick an active one.
		UnknownOrg,
		/// The named patient is not a registered patient. Onboard the patient first.
		UnknownPatient,
		/// A staff member registers for a patient only under an Append grant; none was given.
		/// Pass the grant id.
		GrantRequired,
		/// A staff member registers records only for an organisation it is a member of. Use
		/// your own organisation as the custodian.
		NotMemberOfCustodianOrg,
		/// The previous version does not exist. Check the id.
		UnknownPrevious,
		/// The previous version belongs to another patient. Versions stay with one patient.
		PreviousOfAnotherPatient,
		/// The previous version is of another content type: a version replaces a record of
		/// its own type only (an Append grant for one type cannot supersede another's).
		PreviousOfAnotherType,
		/// The previous version was already replaced. Replace the latest version instead.
		PreviousAlreadySuperseded,
		/// Record ids are exhausted (after 2^64 records).
		RecordIdOverflow,
		/// No record with this id. Check the id.
		UnknownRecord,
		/// The caller is not a registered account. Ask a manager to register it.
		NotRegistered,
		/// The caller already reported this record. One report per reporter and record.
		AlreadyReported,
		/// The record already has `MaxTamperReports` reports; the alarm was raised already.
		TooManyReports,
		/// The observed hash equals the on-chain one: the payload is not tampered.
		HashMatches,
		/// Only an account with a stake in the record reports it tampered: its patient, a
		/// member of its custodian organisation, a custodian, or a grantee who names the grant
		/// it may read the record under now.
		NoStake,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a record version: the encrypted payload is already in the store.
		///
		/// - Origin: signed by `patient`, or by a staff member holding an active Append grant
		///   of `patient` covering `content_type` (pass it as `grant`; `grant` is ignored when
		///   the patient registers). A staff member must be a member of `custodian_org`.
		/// - Changes: inserts the record, indexes it under the patient and its custody capsule's
		///   ephemeral point; links `previous`.
		/// - Events: [`Event::RecordRegistered`].
		/// - Errors: [`Error::InvalidCid`], [`Error::InvalidContentType`],
		///   [`Error::EmptyCapsule`], [`Error::BadCustodyCapsule`] (length),
		///   [`Error::EmptyPayload`], [`Error::UnknownOrg`],
		///   [`Error::UnknownPatient`], [`Error::GrantRequired`], the access pallet's grant
		///   errors (e.g. `GrantExpired`, `NotGrantee`, `AppendNotAllowed`),
		///   [`Error::NotMemberOfCustodianOrg`], [`Error::UnknownPrevious`],
		///   [`Error::PreviousOfAnotherPatient`], [`Error::PreviousOfAnotherType`],
		///   [`Error::PreviousAlreadySuperseded`], [`Error::NoCustody`],
		///   [`Error::BadCustodyCapsule`] (`E` not a point), [`Error::UnboundCustodyCapsule`],
		///   [`Error::CapsuleReused`], [`Error::RecordIdOverflow`]; `BadOrigin`.
		///
		/// The custody capsule's proof of knowledge is verified against the record's own
		/// fields and the custody key ([`ehr_primitives::capsule::verify`]), so a capsule copied
		/// from another record, or re-filed under another patient or content type, is refused
		/// here (and would get no share from any custodian, which checks again).
		#[pallet::call_index(0)]
		#[pallet::weight((T::WeightInfo::register(), DispatchClass::Normal, Pays::No))]
		#[allow(clippy::too_many_arguments)] // extrinsic parameters, documented above
		pub fn register(
			origin: OriginFor<T>,
			patient: T::AccountId,
			custodian_org: OrgId,
			cid: CidOf<T>,
			ciphertext_hash: [u8; 32],
			size: u64,
			content_type: ContentTypeOf<T>,
			patient_capsule: CapsuleOf<T>,
			custody_capsule: CapsuleOf<T>,
			previous: Option<RecordId>,
			grant: Option<GrantId>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(cid::validate(&cid).is_ok(), Error::<T>::InvalidCid);
			ensure!(ehr_primitives::is_fhir_type(&content_type), Error::<T>::InvalidContentType);
			ensure!(
				!patient_capsule.is_empty() && !custody_capsule.is_empty(),
				Error::<T>::EmptyCapsule
			);
			ensure!(
				u32::try_from(custody_capsule.len()).ok() == Some(T::CustodyCapsuleLen::get()),
				Error::<T>::BadCustodyCapsule
			);
			ensure!(size > 0, Error::<T>::EmptyPayload);
			ensure!(T::Consortium::org_exists(custodian_org), Error::<T>::UnknownOrg);
			ensure!(T::Consortium::is_patient(&patient), Error::<T>::UnknownPatient);
			let now = Self::now_ms();
			let grant = if who == patient {
				None
			} else {
				let grant = grant.ok_or(Error::<T>::GrantRequired)?;
				T::AppendPermission::may_append(&who, &patient, &content_type, grant, now)?;
				ensure!(
					T::Consortium::is_member(custodian_org, &who),
					Error::<T>::NotMemberOfCustodianOrg
				);
				Some(grant)
			};
			if let Some(prev) = previous {
				let p = Records::<T>::get(prev).ok_or(Error::<T>::UnknownPrevious)?;
				ensure!(p.patient == patient, Error::<T>::PreviousOfAnotherPatient);
				ensure!(p.content_type == content_type, Error::<T>::PreviousOfAnotherType);
				ensure!(
					!SupersededBy::<T>::contains_key(prev),
					Error::<T>::PreviousAlreadySuperseded
				);
			}
			let point = Self::check_custody_capsule(
				&patient,
				custodian_org,
				&content_type,
				&ciphertext_hash,
				size,
				&cid,
				&custody_capsule,
			)?;
			ensure!(!CapsulePoints::<T>::contains_key(point), Error::<T>::CapsuleReused);
			let id = NextRecordId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::RecordIdOverflow)?;

			NextRecordId::<T>::put(next);
			if let Some(prev) = previous {
				SupersededBy::<T>::insert(prev, id);
			}
			Records::<T>::insert(
				id,
				Record {
					id,
					patient: patient.clone(),
					custodian_org,
					cid,
					ciphertext_hash,
					size,
					content_type,
					created_at: now,
					previous,
					patient_capsule,
					custody_capsule,
					registered_by: who.clone(),
				},
			);
			PatientRecords::<T>::insert(&patient, id, ());
			CapsulePoints::<T>::insert(point, id);
			Self::deposit_event(Event::RecordRegistered {
				record: id,
				patient,
				custodian_org,
				registered_by: who,
				grant,
				previous,
				at: now,
			});
			Ok(())
		}

		/// Report that the payload of a record, as received from `provider`, does not match
		/// the record's ciphertext hash. Raises an alarm; the client recovers from another
		/// replica.
		///
		/// - Origin: a registered account with a stake in the record (signed): its patient, a
		///   member of its custodian organisation, a custodian of the active configuration, or
		///   a grantee that names in `grant` a grant it may read the record under now (checked
		///   by `ReadPermission`). Nobody else can fill the record's `MaxTamperReports` places.
		/// - Changes: adds the reporter to the record's reports.
		/// - Events: [`Event::TamperReported`].
		/// - Errors: [`Error::NotRegistered`], [`Error::UnknownRecord`], [`Error::NoStake`] (or
		///   the access pallet's reason the named grant does not let the reporter read),
		///   [`Error::HashMatches`], [`Error::AlreadyReported`], [`Error::TooManyReports`];
		///   `BadOrigin`.
		#[pallet::call_index(1)]
		#[pallet::weight((T::WeightInfo::report_tamper(), DispatchClass::Normal, Pays::No))]
		pub fn report_tamper(
			origin: OriginFor<T>,
			record: RecordId,
			provider: ProviderOf<T>,
			observed_hash: [u8; 32],
			grant: Option<GrantId>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Consortium::is_registered(&who), Error::<T>::NotRegistered);
			let r = Records::<T>::get(record).ok_or(Error::<T>::UnknownRecord)?;
			let keeper = r.patient == who
				|| T::Consortium::is_member(r.custodian_org, &who)
				|| T::Consortium::custodian_of(&who).is_some();
			if !keeper {
				let grant = grant.ok_or(Error::<T>::NoStake)?;
				T::ReadPermission::may_read(&who, record, grant, Self::now_ms())?;
			}
			ensure!(r.ciphertext_hash != observed_hash, Error::<T>::HashMatches);
			let reports =
				TamperReports::<T>::try_mutate(record, |list| -> Result<u32, DispatchError> {
					ensure!(!list.contains(&who), Error::<T>::AlreadyReported);
					list.try_push(who.clone()).map_err(|_| Error::<T>::TooManyReports)?;
					Ok(u32::try_from(list.len()).unwrap_or(u32::MAX))
				})?;
			Self::deposit_event(Event::TamperReported {
				record,
				reporter: who,
				provider,
				observed_hash,
				expected_hash: r.ciphertext_hash,
				reports,
				at: Self::now_ms(),
			});
			Ok(())
		}
	}
}

/// The ephemeral point `E` of a custody capsule: its first 32 bytes.
pub fn capsule_point(custody_capsule: &[u8]) -> Option<[u8; 32]> {
	ehr_primitives::capsule::ephemeral_point(custody_capsule)
}

impl<T: Config> Pallet<T> {
	/// Verifies the proof of `capsule` for the record with these fields under the custody
	/// key, and returns its ephemeral point.
	#[allow(clippy::too_many_arguments)] // the record's fields, as `register` takes them
	fn check_custody_capsule(
		patient: &T::AccountId,
		custodian_org: OrgId,
		content_type: &[u8],
		ciphertext_hash: &[u8; 32],
		size: u64,
		cid: &[u8],
		capsule: &[u8],
	) -> Result<[u8; 32], Error<T>> {
		use ehr_primitives::capsule::{verify, CapsuleProblem, RecordLabel};
		let group_key = T::Consortium::custody_key().ok_or(Error::<T>::NoCustody)?;
		let patient = patient.encode();
		let label = RecordLabel {
			patient: &patient,
			custodian_org,
			content_type,
			ciphertext_hash,
			size,
			cid,
		}
		.digest();
		verify(&group_key, &label, capsule).map_err(|p| match p {
			CapsuleProblem::Length | CapsuleProblem::Point => Error::<T>::BadCustodyCapsule,
			CapsuleProblem::Unbound => Error::<T>::UnboundCustodyCapsule,
		})?;
		capsule_point(capsule).ok_or(Error::<T>::BadCustodyCapsule)
	}

	/// Chain time in milliseconds.
	pub fn now_ms() -> u64 {
		T::Time::now().saturated_into::<u64>()
	}

	/// A record by id (runtime API).
	pub fn record(id: RecordId) -> Option<Record<T>> {
		Records::<T>::get(id)
	}

	/// Up to `limit` record ids of `patient`, after the cursor `start_after` (the last id of
	/// the previous page). The order is storage order, stable between calls.
	pub fn records_of(
		patient: T::AccountId,
		start_after: Option<RecordId>,
		limit: u32,
	) -> Vec<RecordId> {
		let limit = usize::try_from(limit).unwrap_or(usize::MAX);
		match start_after {
			Some(after) => {
				let raw = PatientRecords::<T>::hashed_key_for(&patient, after);
				PatientRecords::<T>::iter_key_prefix_from(&patient, raw).take(limit).collect()
			}
			None => PatientRecords::<T>::iter_key_prefix(&patient).take(limit).collect(),
		}
	}

	/// Check the pallet's invariants (`try_state`; also called by tests of other pallets).
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let next = NextRecordId::<T>::get();
		for (id, r) in Records::<T>::iter() {
			ensure!(r.id == id, "record id mismatch");
			ensure!(id < next, "record id not below the counter");
			ensure!(PatientRecords::<T>::contains_key(&r.patient, id), "record not indexed");
			if let Some(prev) = r.previous {
				let p = Records::<T>::get(prev).ok_or("previous version missing")?;
				ensure!(p.patient == r.patient, "previous version of another patient");
				ensure!(SupersededBy::<T>::get(prev) == Some(id), "version link missing");
			}
		}
		for (patient, id, ()) in PatientRecords::<T>::iter() {
			ensure!(
				Records::<T>::get(id).is_some_and(|r| r.patient == patient),
				"stale patient index"
			);
		}
		for (id, _) in TamperReports::<T>::iter() {
			ensure!(Records::<T>::contains_key(id), "tamper report of an unknown record");
		}
		for (point, id) in CapsulePoints::<T>::iter() {
			let r = Records::<T>::get(id).ok_or("capsule point of an unknown record")?;
			ensure!(capsule_point(&r.custody_capsule) == Some(point), "capsule point mismatch");
		}
		// Every point in use is indexed, to this record or to an older one that carried it
		// first (duplicates, and capsules too short to have a point, survive only from
		// storage version 0: `register` refuses both since).
		for (_, r) in Records::<T>::iter() {
			if let Some(point) = capsule_point(&r.custody_capsule) {
				ensure!(CapsulePoints::<T>::contains_key(point), "capsule point not indexed");
			}
		}
		Ok(())
	}
}

impl<T: Config> RecordProvider<T::AccountId> for Pallet<T> {
	fn max_content_type_len() -> u32 {
		T::MaxContentTypeLen::get()
	}

	fn record_meta(id: RecordId) -> Option<RecordMeta<T::AccountId>> {
		Records::<T>::get(id)
			.map(|r| RecordMeta { patient: r.patient, content_type: r.content_type.into_inner() })
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_create_record(patient: &T::AccountId, content_type: &[u8]) -> RecordId {
		let id = NextRecordId::<T>::get();
		NextRecordId::<T>::put(id.saturating_add(1));
		let record = benchmarking::worst_record::<T>(id, patient.clone(), content_type);
		if let Some(point) = capsule_point(&record.custody_capsule) {
			CapsulePoints::<T>::insert(point, id);
		}
		Records::<T>::insert(id, record);
		PatientRecords::<T>::insert(patient, id, ());
		id
	}
}
