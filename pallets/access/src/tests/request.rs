//! Rule family: a request succeeds only under an active, in-period grant that covers the
//! record, allows read, and names the requester (directly or by a role held now).

use super::*;
use crate::{Error, Event, PendingRequests, RequestExpiry, Requests};
use frame_support::assert_noop;

fn request(who: u64, record: RecordId, grant: GrantId) -> sp_runtime::DispatchResult {
	Access::request(RuntimeOrigin::signed(who), record, grant, [7; 32])
}

#[test]
fn a_grantee_requests_access() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(acct(DOCTOR), READ, false);
		assert_ok!(request(DOCTOR, r, g));
		let req = Requests::<Test>::get(0).unwrap();
		assert_eq!((req.requester, req.record, req.grant), (DOCTOR, r, g));
		assert_eq!(req.reply_key, [7; 32]);
		assert_eq!(req.created_at, T0);
		assert_eq!(req.expires_at_block, 11);
		assert!(req.shares.is_empty());
		assert_eq!(
			last_event(),
			Event::AccessRequested {
				request: 0,
				requester: DOCTOR,
				record: r,
				grant: g,
				patient: PATIENT,
				at: T0
			}
		);
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn each_request_names_its_own_reply_key() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(acct(DOCTOR), READ, false);
		assert_noop!(
			Access::request(RuntimeOrigin::signed(DOCTOR), r, g, [0; 32]),
			Error::<Test>::BadReplyKey
		);
		assert_ok!(Access::request(RuntimeOrigin::signed(DOCTOR), r, g, [1; 32]));
		assert_ok!(Access::request(RuntimeOrigin::signed(DOCTOR), r, g, [2; 32]));
		let keys: Vec<[u8; 32]> =
			(0..2).map(|i| Requests::<Test>::get(i).unwrap().reply_key).collect();
		assert_eq!(keys, vec![[1; 32], [2; 32]]);
	});
}

#[test]
fn a_role_holder_requests_access_while_it_holds_the_role() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(role(ORG_A, Role::Doctor), READ, false);
		assert_ok!(request(DOCTOR, r, g));
		assert_noop!(request(NURSE, r, g), Error::<Test>::NotGrantee);
		assert_noop!(request(DOCTOR_B, r, g), Error::<Test>::NotGrantee);
		// Role removal takes effect for every later request.
		assert_ok!(Consortium::remove_member(RuntimeOrigin::signed(MANAGER), ORG_A, DOCTOR));
		assert_noop!(request(DOCTOR, r, g), Error::<Test>::NotGrantee);
		// So does the suspension of the organisation.
		assert_ok!(Consortium::add_member(
			RuntimeOrigin::signed(MANAGER),
			ORG_A,
			DOCTOR,
			pallet_consortium::Roles::from_roles(&[Role::Doctor]),
			false
		));
		assert_ok!(request(DOCTOR, r, g));
		assert_ok!(Consortium::set_organisation_status(
			RuntimeOrigin::root(),
			ORG_A,
			pallet_consortium::OrgStatus::Suspended
		));
		assert_noop!(request(DOCTOR, r, g), Error::<Test>::NotGrantee);
	});
}

#[test]
fn the_period_is_half_open_in_chain_time() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		assert_ok!(grant_full(
			PATIENT,
			Scope::AllRecords,
			acct(DOCTOR),
			Purpose::Treatment,
			READ,
			T0 + HOUR,
			T0 + 2 * HOUR,
			false
		));
		set_time(T0 + HOUR - 1);
		assert_noop!(request(DOCTOR, r, 0), Error::<Test>::GrantNotYetValid);
		set_time(T0 + HOUR);
		assert_ok!(request(DOCTOR, r, 0));
		set_time(T0 + 2 * HOUR - 1);
		assert_ok!(request(DOCTOR, r, 0));
		set_time(T0 + 2 * HOUR);
		assert_noop!(request(DOCTOR, r, 0), Error::<Test>::GrantExpired);
	});
}

#[test]
fn denials_are_precise() {
	new_test_ext().execute_with(|| {
		let obs = record_of(PATIENT, b"Observation");
		let rep = record_of(PATIENT, b"DiagnosticReport");
		let other = record_of(OTHER_PATIENT, b"Observation");
		let all = simple_grant(acct(DOCTOR), READ, false);
		assert_ok!(grant_full(
			PATIENT,
			Scope::ContentType(ct(b"Observation")),
			acct(DOCTOR),
			Purpose::Treatment,
			READ,
			T0,
			T0 + DAY,
			false
		));
		let by_type = all + 1;
		assert_ok!(grant_full(
			PATIENT,
			Scope::Record(obs),
			acct(DOCTOR),
			Purpose::Treatment,
			READ,
			T0,
			T0 + DAY,
			false
		));
		let one = all + 2;
		let append_only = simple_grant(acct(DOCTOR), APPEND, false);

		assert_noop!(request(DOCTOR, obs, 99), Error::<Test>::UnknownGrant);
		assert_noop!(request(DOCTOR, 99, all), Error::<Test>::UnknownRecord);
		assert_noop!(request(NURSE, obs, all), Error::<Test>::NotGrantee);
		assert_noop!(request(DOCTOR, other, all), Error::<Test>::RecordNotCovered);
		assert_noop!(request(DOCTOR, rep, by_type), Error::<Test>::RecordNotCovered);
		assert_noop!(request(DOCTOR, rep, one), Error::<Test>::RecordNotCovered);
		assert_noop!(request(DOCTOR, obs, append_only), Error::<Test>::ReadNotAllowed);
		assert_ok!(request(DOCTOR, obs, by_type));
		assert_ok!(request(DOCTOR, obs, one));
		assert_ok!(Access::revoke(RuntimeOrigin::signed(PATIENT), all));
		assert_noop!(request(DOCTOR, obs, all), Error::<Test>::GrantRevoked);
	});
}

#[test]
fn requests_need_a_custody_configuration() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(acct(DOCTOR), READ, false);
		pallet_consortium::Custody::<Test>::kill();
		assert_noop!(request(DOCTOR, r, g), Error::<Test>::NoCustody);
	});
}

#[test]
fn requests_per_block_are_bounded_and_pruned() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let by_doctor = simple_grant(acct(DOCTOR), READ, false);
		let by_nurse = simple_grant(acct(NURSE), READ, false);
		for _ in 0..3 {
			assert_ok!(request(DOCTOR, r, by_doctor));
		}
		// The fourth place of the block is kept for emergency grants.
		assert_noop!(request(NURSE, r, by_nurse), Error::<Test>::TooManyRequests);
		assert_eq!(RequestExpiry::<Test>::get(11).len(), 3);
		run_to_block(2);
		assert_ok!(request(NURSE, r, by_nurse));
		run_to_block(10);
		assert_eq!(Requests::<Test>::iter().count(), 4);
		run_to_block(11);
		assert_eq!(Requests::<Test>::iter().count(), 1);
		assert!(matches!(last_event(), Event::RequestsPruned { count: 3, .. }));
		assert!(!RequestExpiry::<Test>::contains_key(11));
		assert!(!PendingRequests::<Test>::contains_key(DOCTOR), "pruned requests stop counting");
		run_to_block(12);
		assert_eq!(Requests::<Test>::iter().count(), 0);
		assert!(PendingRequests::<Test>::iter().next().is_none());
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn the_emergency_reserve_is_left_to_emergency_grants() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(acct(DOCTOR), READ, false);
		for _ in 0..3 {
			assert_ok!(request(DOCTOR, r, g));
		}
		assert_noop!(request(DOCTOR_B, r, g), Error::<Test>::NotGrantee);
		assert_ok!(emergency_open_as(DOCTOR_B, ORG_B, PATIENT));
		let emergency = crate::NextGrantId::<Test>::get() - 1;
		assert_ok!(request(DOCTOR_B, r, emergency));
		assert_eq!(RequestExpiry::<Test>::get(11).len(), 4);
		// Now the block is full for everyone.
		assert_noop!(request(DOCTOR_B, r, emergency), Error::<Test>::TooManyRequests);
	});
}

#[test]
fn an_account_waits_for_a_bounded_number_of_keys() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(acct(DOCTOR), READ, false);
		assert_ok!(request(DOCTOR, r, g));
		run_to_block(2);
		assert_ok!(request(DOCTOR, r, g));
		assert_ok!(request(DOCTOR, r, g));
		assert_eq!(PendingRequests::<Test>::get(DOCTOR).to_vec(), vec![0, 1, 2]);
		assert_noop!(request(DOCTOR, r, g), Error::<Test>::TooManyPendingRequests);
		// A request whose key is released (the threshold of 2 shares) stops counting.
		assert_eq!(release(CUSTODIAN, 1, 0), Ok(()));
		assert_noop!(request(DOCTOR, r, g), Error::<Test>::TooManyPendingRequests);
		assert_eq!(release(CUSTODIAN_1, 1, 1), Ok(()));
		assert_eq!(PendingRequests::<Test>::get(DOCTOR).to_vec(), vec![0, 2]);
		assert_ok!(request(DOCTOR, r, g));
		assert_eq!(PendingRequests::<Test>::get(DOCTOR).to_vec(), vec![0, 2, 3]);
		// A third share (every custodian answers) changes nothing; pruning frees the rest.
		assert_ok!(Access::do_try_state());
		run_to_block(11);
		assert_eq!(PendingRequests::<Test>::get(DOCTOR).to_vec(), vec![2, 3]);
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn a_request_stops_counting_at_the_threshold_while_the_others_still_answer() {
	new_test_ext().execute_with(|| {
		// A 2-of-3 configuration: the key is recoverable after 2 shares, so the request stops
		// counting against the requester (one custodian that is down cannot throttle every
		// reader), and the third custodian may still answer it.
		let (group, keys) = pallet_consortium::custody::public_keys(&[9, 8], 3);
		assert_ok!(Consortium::set_custody_config(
			RuntimeOrigin::root(),
			group,
			BoundedVec::truncate_from(keys),
			BoundedVec::truncate_from(vec![CUSTODIAN, CUSTODIAN_1, MANAGER]),
			2
		));
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(acct(DOCTOR), READ, false);
		assert_ok!(request(DOCTOR, r, g));
		assert_eq!(release(CUSTODIAN, 0, 0), Ok(()));
		assert_eq!(release(CUSTODIAN_1, 0, 1), Ok(()));
		assert!(System::events().iter().any(|e| matches!(
			e.event,
			RuntimeEvent::Access(crate::Event::KeyReleased { request: 0, .. })
		)));
		assert!(PendingRequests::<Test>::get(DOCTOR).is_empty());
		assert_eq!(release(MANAGER, 0, 2), Ok(()));
		assert_eq!(Requests::<Test>::get(0).map(|r| r.shares.len()), Some(3));
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn the_migration_to_v1_lists_the_waiting_requests() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(acct(DOCTOR), READ, false);
		let n = simple_grant(acct(NURSE), READ, false);
		assert_ok!(request(DOCTOR, r, g));
		assert_ok!(request(DOCTOR, r, g));
		assert_ok!(request(NURSE, r, n));
		assert_eq!(release(CUSTODIAN, 0, 0), Ok(()));
		assert_eq!(release(CUSTODIAN_1, 0, 1), Ok(()));
		// Back to version 0: no list.
		let _ = PendingRequests::<Test>::clear(u32::MAX, None);
		StorageVersion::new(0).put::<Access>();
		crate::migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Access::on_chain_storage_version(), 1);
		assert_eq!(PendingRequests::<Test>::get(DOCTOR).to_vec(), vec![1]);
		assert_eq!(PendingRequests::<Test>::get(NURSE).to_vec(), vec![2]);
		assert_ok!(Access::do_try_state());
		// Idempotent: a second run at version 1 does nothing.
		let _ = PendingRequests::<Test>::clear(u32::MAX, None);
		crate::migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert!(PendingRequests::<Test>::iter().next().is_none());
	});
}
