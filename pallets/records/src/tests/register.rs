//! Rule family: who may register a record, and what a record must look like.

use super::*;
use crate::{CapsulePoints, Error, Event, NextRecordId, PatientRecords, Records as RecordsStorage};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

#[test]
fn a_patient_registers_its_own_record() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_as(PATIENT, PATIENT, None, None));
		let r = RecordsStorage::<Test>::get(0).unwrap();
		assert_eq!(r.patient, PATIENT);
		assert_eq!(r.registered_by, PATIENT);
		assert_eq!(r.created_at, T0);
		assert_eq!(r.custodian_org, 1);
		assert!(PatientRecords::<Test>::contains_key(PATIENT, 0));
		assert_eq!(NextRecordId::<Test>::get(), 1);
		assert_eq!(
			last_event(),
			Event::RecordRegistered {
				record: 0,
				patient: PATIENT,
				custodian_org: 1,
				registered_by: PATIENT,
				grant: None,
				previous: None,
				at: T0
			}
		);
		assert_ok!(Records::do_try_state());
	});
}

#[test]
fn staff_register_under_an_append_grant() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_as(DOCTOR, PATIENT, None, Some(GOOD_GRANT)));
		assert_eq!(RecordsStorage::<Test>::get(0).unwrap().registered_by, DOCTOR);
		assert!(matches!(last_event(), Event::RecordRegistered { grant: Some(GOOD_GRANT), .. }));
	});
}

#[test]
fn staff_without_a_grant_are_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(register_as(DOCTOR, PATIENT, None, None), Error::<Test>::GrantRequired);
		assert_noop!(
			register_as(DOCTOR, PATIENT, None, Some(1)),
			DispatchError::Other("stub: no append grant")
		);
		assert_noop!(
			register_as(DOCTOR_B, PATIENT, None, Some(GOOD_GRANT)),
			DispatchError::Other("stub: no append grant")
		);
		// Another patient cannot register for this one.
		assert_noop!(
			register_as(OTHER_PATIENT, PATIENT, None, Some(1)),
			DispatchError::Other("stub: no append grant")
		);
	});
}

#[test]
fn staff_register_only_for_their_own_organisation() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Records::register(
				RuntimeOrigin::signed(DOCTOR),
				PATIENT,
				2,
				cid(CID_V0),
				[0xab; 32],
				1024,
				ct(b"Observation"),
				capsule(),
				custody_capsule_for(PATIENT, 2, CID_V0, 1024, b"Observation", next_seed()),
				None,
				Some(GOOD_GRANT),
			),
			Error::<Test>::NotMemberOfCustodianOrg
		);
	});
}

#[test]
fn the_patient_must_be_a_registered_patient() {
	new_test_ext().execute_with(|| {
		assert_noop!(register_as(DOCTOR, DOCTOR, None, None), Error::<Test>::UnknownPatient);
		assert_noop!(register_as(STRANGER, STRANGER, None, None), Error::<Test>::UnknownPatient);
	});
}

#[test]
fn records_are_validated() {
	new_test_ext().execute_with(|| {
		let call = |org, c: &[u8], size, t: &[u8], empty_capsule: bool| {
			Records::register(
				RuntimeOrigin::signed(PATIENT),
				PATIENT,
				org,
				cid(c),
				[0xab; 32],
				size,
				ct(t),
				if empty_capsule { Default::default() } else { capsule() },
				custody_capsule_for(PATIENT, org, c, size, t, next_seed()),
				None,
				None,
			)
		};
		assert_noop!(call(1, b"QmNotACid", 1, b"Observation", false), Error::<Test>::InvalidCid);
		assert_noop!(call(1, b"", 1, b"Observation", false), Error::<Test>::InvalidCid);
		assert_noop!(call(1, CID_V0, 1, b"observation", false), Error::<Test>::InvalidContentType);
		assert_noop!(call(1, CID_V0, 1, b"", false), Error::<Test>::InvalidContentType);
		assert_noop!(call(1, CID_V0, 1, b"Obs ervation", false), Error::<Test>::InvalidContentType);
		assert_noop!(call(1, CID_V0, 1, b"Observation", true), Error::<Test>::EmptyCapsule);
		assert_noop!(call(1, CID_V0, 0, b"Observation", false), Error::<Test>::EmptyPayload);
		assert_noop!(call(9, CID_V0, 1, b"Observation", false), Error::<Test>::UnknownOrg);
		assert_ok!(call(1, CID_V1, 1, b"DiagnosticReport", false));
	});
}

/// A member who wants another patient's key files a copy of that record's custody capsule
/// under a record of his own (or re-files it as another content type, mauls it, or sends an
/// old-format capsule): the capsule's proof does not verify for his record, the chain refuses
/// it, and nothing is stored. Nor can he front-run the victim with a junk capsule carrying the
/// victim's point: without its scalar he has no proof for it.
#[test]
fn a_custody_capsule_is_bound_to_its_record_and_registered_once() {
	new_test_ext().execute_with(|| {
		let call = |who: u64, patient: u64, t: &[u8], custody: CapsuleOf<Test>| {
			register_full(who, patient, t, custody, None, None)
		};
		let for_record = |patient: u64, t: &[u8], seed: u64| {
			custody_capsule_for(patient, 1, CID_V0, 1024, t, seed)
		};
		let victims = for_record(PATIENT, b"Observation", 7_000);
		assert_ok!(call(PATIENT, PATIENT, b"Observation", victims.clone()));
		let id = NextRecordId::<Test>::get() - 1;
		assert_eq!(CapsulePoints::<Test>::get(crate::capsule_point(&victims).unwrap()), Some(id));
		// Copied into another patient's record, or re-filed as another content type.
		assert_noop!(
			call(OTHER_PATIENT, OTHER_PATIENT, b"Observation", victims.clone()),
			Error::<Test>::UnboundCustodyCapsule
		);
		assert_noop!(
			call(PATIENT, PATIENT, b"Condition", victims.clone()),
			Error::<Test>::UnboundCustodyCapsule
		);
		// Mauled: the proof covers the sealed key too.
		let mut mauled = victims.clone().into_inner();
		mauled[100] ^= 1;
		assert_noop!(
			call(OTHER_PATIENT, OTHER_PATIENT, b"Observation", mauled.try_into().unwrap()),
			Error::<Test>::UnboundCustodyCapsule
		);
		// Only the sealer, who knows the scalar, can prove the same point for another record:
		// the point is still registered once.
		assert_noop!(
			call(PATIENT, PATIENT, b"Condition", for_record(PATIENT, b"Condition", 7_000)),
			Error::<Test>::CapsuleReused
		);
		// Not a point, the format before the capsule carried its proof (E || sealed key, 80
		// bytes), and a longer one.
		let junk: CapsuleOf<Test> = vec![0xffu8; 144].try_into().unwrap();
		assert_noop!(
			call(OTHER_PATIENT, OTHER_PATIENT, b"Observation", junk),
			Error::<Test>::BadCustodyCapsule
		);
		let old: CapsuleOf<Test> = vec![5u8; 80].try_into().unwrap();
		assert_noop!(
			call(OTHER_PATIENT, OTHER_PATIENT, b"Observation", old),
			Error::<Test>::BadCustodyCapsule
		);
		let long: CapsuleOf<Test> = vec![5u8; 145].try_into().unwrap();
		assert_noop!(
			call(OTHER_PATIENT, OTHER_PATIENT, b"Observation", long),
			Error::<Test>::BadCustodyCapsule
		);
		let own = for_record(OTHER_PATIENT, b"Observation", 7_001);
		assert_ok!(call(OTHER_PATIENT, OTHER_PATIENT, b"Observation", own));
		Records::do_try_state().unwrap();
	});
}

#[test]
fn the_migration_to_v1_indexes_existing_capsules() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		assert_ok!(register_as(PATIENT, PATIENT, None, None));
		assert_ok!(register_as(OTHER_PATIENT, OTHER_PATIENT, None, None));
		// Back to version 0: no index.
		let _ = CapsulePoints::<Test>::clear(u32::MAX, None);
		StorageVersion::new(0).put::<Records>();
		assert!(Records::do_try_state().is_err(), "records without their index");
		crate::migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Records::on_chain_storage_version(), 1);
		assert_eq!(CapsulePoints::<Test>::iter().count(), 2);
		Records::do_try_state().unwrap();
		// Idempotent: a second run at version 1 does nothing.
		let _ = CapsulePoints::<Test>::clear(u32::MAX, None);
		crate::migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(CapsulePoints::<Test>::iter().count(), 0);
	});
}

#[test]
fn record_ids_never_overflow() {
	new_test_ext().execute_with(|| {
		NextRecordId::<Test>::put(u64::MAX);
		assert_noop!(register_as(PATIENT, PATIENT, None, None), Error::<Test>::RecordIdOverflow);
	});
}

#[test]
fn records_of_a_patient_are_paged() {
	new_test_ext().execute_with(|| {
		for _ in 0..5 {
			assert_ok!(register_as(PATIENT, PATIENT, None, None));
		}
		assert_ok!(register_as(OTHER_PATIENT, OTHER_PATIENT, None, None));
		let mut seen = vec![];
		let mut cursor = None;
		loop {
			let page = Records::records_of(PATIENT, cursor, 2);
			if page.is_empty() {
				break;
			}
			assert!(page.len() <= 2);
			cursor = page.last().copied();
			seen.extend(page);
		}
		seen.sort();
		assert_eq!(seen, vec![0, 1, 2, 3, 4]);
		assert_eq!(Records::records_of(OTHER_PATIENT, None, 10), vec![5]);
		assert_eq!(Records::record(5).unwrap().patient, OTHER_PATIENT);
	});
}

#[test]
fn record_max_encoded_len() {
	use codec::MaxEncodedLen;
	// Test runtime: AccountId = u64; the production AccountId32 adds 2 x 24 bytes.
	let len = crate::Record::<Test>::max_encoded_len();
	println!("MaxEncodedLen of Record<Test> (u64 accounts, capsules 192, cid 64) = {len}");
	assert!(len <= 640);
}

#[test]
fn no_capsule_is_registered_without_a_custody_key_to_check_it_against() {
	new_test_ext().execute_with(|| {
		let custody = custody_capsule_for(PATIENT, 1, CID_V0, 1024, b"Observation", next_seed());
		pallet_consortium::Custody::<Test>::kill();
		assert_noop!(
			register_full(PATIENT, PATIENT, b"Observation", custody, None, None),
			Error::<Test>::NoCustody
		);
	});
}
