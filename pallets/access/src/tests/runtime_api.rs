//! Rule family: the runtime API helpers page by id and explain denials.

use super::*;
use crate::DenialReason;

#[test]
fn grants_are_listed_by_patient_and_holder() {
	new_test_ext().execute_with(|| {
		let a = simple_grant(acct(DOCTOR), READ, false);
		let b = simple_grant(role(ORG_A, Role::Doctor), READ, false);
		let c = simple_grant(role(ORG_A, Role::Nurse), READ, false);
		let d = simple_grant(role(ORG_B, Role::Doctor), READ, false);
		let ids = |v: Vec<crate::Grant<Test>>| v.into_iter().map(|g| g.id).collect::<Vec<_>>();
		assert_eq!(ids(Access::grants_of_patient(PATIENT, None, 10)), vec![a, b, c, d]);
		assert_eq!(ids(Access::grants_of_patient(PATIENT, None, 2)), vec![a, b]);
		assert_eq!(ids(Access::grants_of_patient(PATIENT, Some(b), 2)), vec![c, d]);
		assert_eq!(ids(Access::grants_of_patient(PATIENT, Some(d), 2)), Vec::<u64>::new());
		assert_eq!(ids(Access::grants_held_by(DOCTOR, None, 10)), vec![a, b]);
		assert_eq!(ids(Access::grants_held_by(DOCTOR, Some(a), 10)), vec![b]);
		assert_eq!(ids(Access::grants_held_by(NURSE, None, 10)), vec![c]);
		assert_eq!(ids(Access::grants_held_by(DOCTOR_B, None, 10)), vec![d]);
		assert!(Access::grants_held_by(STRANGER, None, 10).is_empty());
		assert_eq!(Access::grant_by_id(a).unwrap().grantee, acct(DOCTOR));
	});
}

#[test]
fn can_read_names_the_grant_or_the_reason() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		assert_eq!(Access::can_read(DOCTOR, 99), Err(DenialReason::UnknownRecord));
		assert_eq!(Access::can_read(DOCTOR, r), Err(DenialReason::NoGrant));
		let late = {
			assert_ok!(grant_full(
				PATIENT,
				Scope::AllRecords,
				acct(DOCTOR),
				Purpose::Treatment,
				READ,
				T0 + HOUR,
				T0 + DAY,
				false
			));
			crate::NextGrantId::<Test>::get() - 1
		};
		assert_eq!(Access::can_read(DOCTOR, r), Err(DenialReason::GrantNotYetValid));
		set_time(T0 + HOUR);
		assert_eq!(Access::can_read(DOCTOR, r), Ok(late));
		let by_role = simple_grant(role(ORG_A, Role::Nurse), READ, false);
		assert_eq!(Access::can_read(NURSE, r), Ok(by_role));
		assert_eq!(Access::can_read(RESEARCHER, r), Err(DenialReason::NoGrant));
	});
}

#[test]
fn open_requests_are_paged() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(acct(DOCTOR), READ, false);
		for _ in 0..3 {
			assert_ok!(Access::request(RuntimeOrigin::signed(DOCTOR), r, g, [7; 32]));
		}
		let ids =
			|v: Vec<crate::AccessRequest<Test>>| v.into_iter().map(|q| q.id).collect::<Vec<_>>();
		assert_eq!(ids(Access::open_requests_for_custodian(0, None, 2)), vec![0, 1]);
		assert_eq!(ids(Access::open_requests_for_custodian(0, Some(1), 2)), vec![2]);
		assert_eq!(Access::request_by_id(1).unwrap().requester, DOCTOR);
	});
}
