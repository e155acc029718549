//! Rule family: a new version links to the previous one of the same patient.

use super::*;
use crate::{Error, Records as RecordsStorage, SupersededBy};
use frame_support::{assert_noop, assert_ok};

#[test]
fn a_new_version_links_to_the_previous_one() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_as(PATIENT, PATIENT, None, None));
		assert_ok!(register_as(PATIENT, PATIENT, Some(0), None));
		assert_eq!(RecordsStorage::<Test>::get(1).unwrap().previous, Some(0));
		assert_eq!(SupersededBy::<Test>::get(0), Some(1));
		assert_ok!(Records::do_try_state());
	});
}

#[test]
fn the_previous_version_must_exist_and_be_the_patients_latest() {
	new_test_ext().execute_with(|| {
		assert_noop!(register_as(PATIENT, PATIENT, Some(0), None), Error::<Test>::UnknownPrevious);
		assert_ok!(register_as(OTHER_PATIENT, OTHER_PATIENT, None, None));
		assert_noop!(
			register_as(PATIENT, PATIENT, Some(0), None),
			Error::<Test>::PreviousOfAnotherPatient
		);
		assert_ok!(register_as(PATIENT, PATIENT, None, None));
		assert_ok!(register_as(PATIENT, PATIENT, Some(1), None));
		assert_noop!(
			register_as(PATIENT, PATIENT, Some(1), None),
			Error::<Test>::PreviousAlreadySuperseded
		);
	});
}

/// A staff member with an Append grant for one content type (or the patient) cannot make a
/// record of another type a "previous version" and so freeze it: versions keep their type.
#[test]
fn a_version_replaces_only_a_record_of_its_own_content_type() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_as(PATIENT, PATIENT, None, None));
		let other_type = register_full(
			DOCTOR,
			PATIENT,
			b"Condition",
			custody_capsule_for(PATIENT, 1, CID_V0, 1024, b"Condition", next_seed()),
			Some(0),
			Some(GOOD_GRANT),
		);
		assert_noop!(other_type, Error::<Test>::PreviousOfAnotherType);
		assert!(!SupersededBy::<Test>::contains_key(0), "the Observation stays the latest");
		assert_ok!(register_as(DOCTOR, PATIENT, Some(0), Some(GOOD_GRANT)));
		assert_eq!(SupersededBy::<Test>::get(0), Some(1));
	});
}
