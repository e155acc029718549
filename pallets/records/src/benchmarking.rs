//! Benchmarks of the records pallet (frame-benchmarking v2), worst case for every call.

use super::*;
use crate::Pallet as Records;
use ehr_primitives::capsule::Scalar;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;
use pallet_consortium::{AccountKind, Role, Roles};

/// The longest valid CID the parser accepts (base32 CIDv1, blake2b-256: 62 characters).
const LONG_CID: &[u8] = b"bafk2bzacedvbtnwbe5nbwbrhsfjsbk3mopxqjztc3vwpdiap6wvtnl4uoxh5e";

fn bounded<S: Get<u32>>(fill: u8, first: Option<u8>) -> BoundedVec<u8, S> {
	let len = usize::try_from(S::get()).unwrap_or(0);
	let mut v = alloc::vec![fill; len];
	if let (Some(f), Some(slot)) = (first, v.first_mut()) {
		*slot = f;
	}
	BoundedVec::truncate_from(v)
}

/// A custody capsule of the current length whose ephemeral point (its first 32 bytes) is
/// unique to `seed`.
pub fn custody_capsule<T: Config>(seed: u64) -> BoundedVec<u8, T::MaxCapsuleLen> {
	let len = usize::try_from(T::CustodyCapsuleLen::get()).unwrap_or(0);
	let mut v = alloc::vec![3u8; len];
	for (slot, b) in v.iter_mut().zip(seed.to_le_bytes()) {
		*slot = b;
	}
	BoundedVec::truncate_from(v)
}

/// A record with every bounded field at its maximum length.
pub fn worst_record<T: Config>(
	id: RecordId,
	patient: T::AccountId,
	content_type: &[u8],
) -> Record<T> {
	Record {
		id,
		patient: patient.clone(),
		custodian_org: 1,
		cid: BoundedVec::truncate_from(LONG_CID.to_vec()),
		ciphertext_hash: [0xab; 32],
		size: u64::MAX,
		content_type: BoundedVec::truncate_from(content_type.to_vec()),
		created_at: 0,
		previous: None,
		patient_capsule: bounded::<T::MaxCapsuleLen>(1, None),
		custody_capsule: custody_capsule::<T>(id),
		registered_by: patient,
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Worst case: a staff member under an Append grant, replacing a previous version, with
	/// a long CID, the longest content type and the longest capsules.
	#[benchmark]
	fn register() -> Result<(), BenchmarkError> {
		let org: OrgId = 1;
		let patient: T::AccountId = account("patient", 0, 0);
		let staff: T::AccountId = account("staff", 0, 0);
		T::Consortium::bench_add_org(org);
		T::Consortium::bench_register(&patient, AccountKind::Patient);
		T::Consortium::bench_register(&staff, AccountKind::Staff);
		T::Consortium::bench_add_member(org, &staff, Roles::from_roles(&[Role::Doctor]), false);
		let content_type = bounded::<T::MaxContentTypeLen>(b'a', Some(b'O'));
		let previous = <Records<T> as RecordProvider<T::AccountId>>::bench_create_record(
			&patient,
			&content_type,
		);
		let grant = T::AppendPermission::bench_allow(&staff, &patient);
		let cid =
			BoundedVec::try_from(LONG_CID.to_vec()).map_err(|_| BenchmarkError::Weightless)?;
		// The capsule's proof is verified: it must be one a client made for these fields.
		if T::Consortium::custody_key().is_none() {
			T::Consortium::bench_set_custody(alloc::vec![staff.clone()], 1);
		}
		let group_key = T::Consortium::custody_key().ok_or(BenchmarkError::Weightless)?;
		let patient_id = patient.encode();
		let label = ehr_primitives::capsule::RecordLabel {
			patient: &patient_id,
			custodian_org: org,
			content_type: &content_type,
			ciphertext_hash: &[1; 32],
			size: u64::MAX,
			cid: &cid,
		}
		.digest();
		let (r, k) = (Scalar::from(7u64), Scalar::from(11u64));
		let proved = ehr_primitives::capsule::prove(&group_key, &label, &r, &k, &[3; 48]);
		let custody =
			BoundedVec::try_from(proved.to_vec()).map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(
			RawOrigin::Signed(staff),
			patient,
			org,
			cid,
			[1; 32],
			u64::MAX,
			content_type,
			bounded::<T::MaxCapsuleLen>(1, None),
			custody,
			Some(previous),
			Some(grant),
		);
		assert!(SupersededBy::<T>::contains_key(previous));
		Ok(())
	}

	/// Worst case: a grantee reports (its grant is checked), and the record already has
	/// `MaxTamperReports - 1` reports.
	#[benchmark]
	fn report_tamper() {
		let patient: T::AccountId = account("patient", 0, 0);
		let reporter: T::AccountId = account("reporter", 0, 0);
		T::Consortium::bench_register(&reporter, AccountKind::Staff);
		let record = <Records<T> as RecordProvider<T::AccountId>>::bench_create_record(
			&patient,
			b"Observation",
		);
		let grant = T::AppendPermission::bench_allow(&reporter, &patient);
		let others = T::MaxTamperReports::get().saturating_sub(1);
		let list: Vec<T::AccountId> = (0..others).map(|i| account("other", i, 0)).collect();
		TamperReports::<T>::insert(record, BoundedVec::truncate_from(list));
		#[extrinsic_call]
		_(
			RawOrigin::Signed(reporter),
			record,
			bounded::<T::MaxProviderLen>(b'p', None),
			[9; 32],
			Some(grant),
		);
	}

	impl_benchmark_test_suite!(Records, crate::mock::new_test_ext(), crate::mock::Test);
}
