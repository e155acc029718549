//! Tamper reports by grantees: the records pallet asks this pallet's authority check whether a
//! reporter who is neither the patient nor the record's keeper may read the record now.

use super::*;
use crate::Error;
use frame_support::{assert_noop, assert_ok};

fn report(who: u64, record: RecordId, grant: Option<GrantId>) -> sp_runtime::DispatchResult {
	Records::report_tamper(
		RuntimeOrigin::signed(who),
		record,
		BoundedVec::try_from(b"gateway-b".to_vec()).unwrap(),
		[1; 32],
		grant,
	)
}

#[test]
fn a_grantee_of_another_organisation_reports_under_a_grant_it_may_read_by() {
	new_test_ext().execute_with(|| {
		// Kept by organisation A: the doctor of organisation B has no stake of its own.
		let record = record_of(PATIENT, b"Observation");
		assert_noop!(report(DOCTOR_B, record, None), pallet_records::Error::<Test>::NoStake);
		let grant = simple_grant(acct(DOCTOR_B), READ, false);
		// Another patient cannot borrow the doctor's grant.
		assert_noop!(report(OTHER_PATIENT, record, Some(grant)), Error::<Test>::NotGrantee);
		assert_ok!(report(DOCTOR_B, record, Some(grant)));
		assert_eq!(pallet_records::TamperReports::<Test>::get(record).into_inner(), vec![DOCTOR_B]);

		// A revoked grant gives no stake: a second record, reported after the revocation.
		let second = record_of(PATIENT, b"Observation");
		assert_ok!(Access::revoke(RuntimeOrigin::signed(PATIENT), grant));
		assert_noop!(report(DOCTOR_B, second, Some(grant)), Error::<Test>::GrantRevoked);
		// Nor does a grant of another patient's records.
		let others = record_of(OTHER_PATIENT, b"Observation");
		let grant = simple_grant(acct(DOCTOR_B), READ, false);
		assert_noop!(report(DOCTOR_B, others, Some(grant)), Error::<Test>::RecordNotCovered);
	});
}
