//! Rule family: tamper reports are alarms, bounded and one per reporter.

use super::*;
use crate::{Error, Event, TamperReports};
use frame_support::{assert_noop, assert_ok, BoundedVec};

fn report(who: u64, record: u64, hash: [u8; 32]) -> sp_runtime::DispatchResult {
	Records::report_tamper(
		RuntimeOrigin::signed(who),
		record,
		BoundedVec::try_from(b"https://ipfs.hospital-b.example".to_vec()).unwrap(),
		hash,
	)
}

#[test]
fn a_registered_account_reports_tampering() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_as(PATIENT, PATIENT, None, None));
		assert_ok!(report(DOCTOR, 0, [1; 32]));
		assert_eq!(
			last_event(),
			Event::TamperReported {
				record: 0,
				reporter: DOCTOR,
				provider: BoundedVec::try_from(b"https://ipfs.hospital-b.example".to_vec())
					.unwrap(),
				observed_hash: [1; 32],
				expected_hash: [0xab; 32],
				reports: 1,
				at: T0,
			}
		);
		assert_ok!(Records::do_try_state());
	});
}

#[test]
fn reports_are_checked() {
	new_test_ext().execute_with(|| {
		assert_noop!(report(DOCTOR, 0, [1; 32]), Error::<Test>::UnknownRecord);
		assert_ok!(register_as(PATIENT, PATIENT, None, None));
		assert_noop!(report(STRANGER, 0, [1; 32]), Error::<Test>::NotRegistered);
		assert_noop!(report(DOCTOR, 0, [0xab; 32]), Error::<Test>::HashMatches);
		assert_ok!(report(DOCTOR, 0, [1; 32]));
		assert_noop!(report(DOCTOR, 0, [2; 32]), Error::<Test>::AlreadyReported);
	});
}

#[test]
fn reports_per_record_are_capped() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_as(PATIENT, PATIENT, None, None));
		for who in [DOCTOR, PATIENT, OTHER_PATIENT] {
			assert_ok!(report(who, 0, [1; 32]));
		}
		assert_eq!(TamperReports::<Test>::get(0).len(), 3);
		assert_noop!(report(DOCTOR_B, 0, [1; 32]), Error::<Test>::TooManyReports);
	});
}
