//! Rule family: tamper reports are alarms, bounded, one per reporter, and only from accounts
//! with a stake in the record (its patient, its keeper's members, the custodians, a grantee
//! under a grant it may read by).

use super::*;
use crate::{Error, Event, TamperReports};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::DispatchError;

fn report_under(
	who: u64,
	record: u64,
	hash: [u8; 32],
	grant: Option<u64>,
) -> sp_runtime::DispatchResult {
	Records::report_tamper(
		RuntimeOrigin::signed(who),
		record,
		BoundedVec::try_from(b"https://ipfs.hospital-b.example".to_vec()).unwrap(),
		hash,
		grant,
	)
}

fn report(who: u64, record: u64, hash: [u8; 32]) -> sp_runtime::DispatchResult {
	report_under(who, record, hash, None)
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
fn only_accounts_with_a_stake_report() {
	new_test_ext().execute_with(|| {
		// Record 0 of the patient, kept by organisation 1 (the manager, custodian too, and
		// the doctor); the doctor of organisation 2 and the other patient have no stake.
		assert_ok!(register_as(PATIENT, PATIENT, None, None));
		for who in [OTHER_PATIENT, DOCTOR_B] {
			assert_noop!(report(who, 0, [1; 32]), Error::<Test>::NoStake);
			// A grant it cannot read the record by is refused with the reason.
			assert_noop!(
				report_under(who, 0, [1; 32], Some(GOOD_GRANT)),
				DispatchError::Other("stub: no read grant")
			);
		}
		// The doctor of organisation 2 becomes a grantee (the stub's reader): under the
		// grant it reports; without naming it, it still has no stake.
		Appender::set(DOCTOR_B);
		assert_noop!(report(DOCTOR_B, 0, [1; 32]), Error::<Test>::NoStake);
		assert_noop!(
			report_under(DOCTOR_B, 0, [1; 32], Some(8)),
			DispatchError::Other("stub: no read grant")
		);
		assert_ok!(report_under(DOCTOR_B, 0, [1; 32], Some(GOOD_GRANT)));
		// The patient and the keeper's members need no grant.
		assert_ok!(report(PATIENT, 0, [1; 32]));
		assert_ok!(report(DOCTOR, 0, [1; 32]));
		assert_eq!(TamperReports::<Test>::get(0).into_inner(), vec![DOCTOR_B, PATIENT, DOCTOR]);
	});
}

#[test]
fn reports_per_record_are_capped() {
	new_test_ext().execute_with(|| {
		assert_ok!(register_as(PATIENT, PATIENT, None, None));
		for who in [DOCTOR, PATIENT, MANAGER] {
			assert_ok!(report(who, 0, [1; 32]));
		}
		assert_eq!(TamperReports::<Test>::get(0).len(), 3);
		Appender::set(DOCTOR_B);
		assert_noop!(
			report_under(DOCTOR_B, 0, [1; 32], Some(GOOD_GRANT)),
			Error::<Test>::TooManyReports
		);
	});
}
