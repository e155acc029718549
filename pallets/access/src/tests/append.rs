//! Rule family: staff register records for a patient only under a usable Append grant that
//! covers the content type (the AppendPermission implemented for pallet-records).

use super::*;
use crate::Error;
use frame_support::assert_noop;

#[test]
fn staff_append_under_an_append_grant() {
	new_test_ext().execute_with(|| {
		let g = simple_grant(role(ORG_A, Role::Doctor), READ_APPEND, false);
		assert_ok!(register_by(DOCTOR, PATIENT, b"Observation", Some(g)));
		let r = pallet_records::Records::<Test>::get(0).unwrap();
		assert_eq!((r.patient, r.registered_by), (PATIENT, DOCTOR));
		assert!(matches!(
			System::events().last().unwrap().event,
			RuntimeEvent::Records(pallet_records::Event::RecordRegistered { grant: Some(0), .. })
		));
	});
}

#[test]
fn append_is_checked_like_read() {
	new_test_ext().execute_with(|| {
		let read_only = simple_grant(acct(DOCTOR), READ, false);
		assert_noop!(
			register_by(DOCTOR, PATIENT, b"Observation", Some(read_only)),
			Error::<Test>::AppendNotAllowed
		);
		assert_ok!(grant_full(
			PATIENT,
			Scope::ContentType(ct(b"Observation")),
			acct(DOCTOR),
			Purpose::Treatment,
			APPEND,
			T0,
			T0 + DAY,
			false
		));
		let obs_only = read_only + 1;
		assert_noop!(
			register_by(DOCTOR, PATIENT, b"Condition", Some(obs_only)),
			Error::<Test>::RecordNotCovered
		);
		assert_ok!(register_by(DOCTOR, PATIENT, b"Observation", Some(obs_only)));
		let one = record_of(PATIENT, b"Observation");
		assert_ok!(grant_full(
			PATIENT,
			Scope::Record(one),
			acct(DOCTOR),
			Purpose::Treatment,
			APPEND,
			T0,
			T0 + DAY,
			false
		));
		assert_noop!(
			register_by(DOCTOR, PATIENT, b"Observation", Some(obs_only + 1)),
			Error::<Test>::RecordNotCovered
		);
		// A grant of this patient does not cover another patient.
		assert_noop!(
			register_by(DOCTOR, OTHER_PATIENT, b"Observation", Some(obs_only)),
			Error::<Test>::RecordNotCovered
		);
		assert_noop!(
			register_by(NURSE, PATIENT, b"Observation", Some(obs_only)),
			Error::<Test>::NotGrantee
		);
		assert_noop!(
			register_by(DOCTOR, PATIENT, b"Observation", Some(99)),
			Error::<Test>::UnknownGrant
		);
		set_time(T0 + DAY);
		assert_noop!(
			register_by(DOCTOR, PATIENT, b"Observation", Some(obs_only)),
			Error::<Test>::GrantExpired
		);
	});
}
