//! Rule family: custodians release one share each; the key is released at the threshold;
//! a grant revoked or expired since the request gets no more shares.

use super::*;
use crate::{Error, Event, Requests};
use frame_support::assert_noop;

fn setup() -> (RecordId, GrantId) {
	let r = record_of(PATIENT, b"Observation");
	let g = simple_grant(acct(DOCTOR), READ, false);
	assert_ok!(Access::request(RuntimeOrigin::signed(DOCTOR), r, g));
	(r, g)
}

#[test]
fn custodians_release_shares_up_to_the_threshold() {
	new_test_ext().execute_with(|| {
		let (r, g) = setup();
		assert_eq!(Access::open_requests_for_custodian(0, None, 10).len(), 1);
		assert_ok!(release(CUSTODIAN, 0, 0));
		assert_eq!(
			last_event(),
			Event::KeyShareReleased {
				request: 0,
				custodian_index: 0,
				custodian: CUSTODIAN,
				grant: g,
				record: r,
				at: T0
			}
		);
		assert!(Access::open_requests_for_custodian(0, None, 10).is_empty());
		assert_eq!(Access::open_requests_for_custodian(1, None, 10).len(), 1);
		assert_ok!(release(CUSTODIAN_1, 0, 1));
		assert_eq!(
			last_event(),
			Event::KeyReleased { request: 0, requester: DOCTOR, grant: g, record: r, at: T0 }
		);
		assert_eq!(Requests::<Test>::get(0).unwrap().shares.len(), 2);
		assert!(Access::open_requests_for_custodian(1, None, 10).is_empty());
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn each_custodian_releases_once_and_only_for_its_index() {
	new_test_ext().execute_with(|| {
		setup();
		assert_noop!(release(CUSTODIAN, 0, 1), Error::<Test>::NotCustodian);
		assert_noop!(release(DOCTOR, 0, 0), Error::<Test>::NotCustodian);
		assert_noop!(release(CUSTODIAN, 0, 7), Error::<Test>::NotCustodian);
		assert_noop!(release(CUSTODIAN, 9, 0), Error::<Test>::UnknownRequest);
		assert_noop!(
			Access::release_share(RuntimeOrigin::signed(CUSTODIAN), 0, 0, BoundedVec::new()),
			Error::<Test>::EmptyShare
		);
		assert_ok!(release(CUSTODIAN, 0, 0));
		assert_noop!(release(CUSTODIAN, 0, 0), Error::<Test>::ShareAlreadyReleased);
	});
}

#[test]
fn revocation_and_expiry_stop_pending_releases() {
	new_test_ext().execute_with(|| {
		let (_, g) = setup();
		assert_ok!(Access::revoke(RuntimeOrigin::signed(PATIENT), g));
		assert_noop!(release(CUSTODIAN, 0, 0), Error::<Test>::GrantRevoked);
	});
	new_test_ext().execute_with(|| {
		setup();
		set_time(T0 + DAY);
		assert_noop!(release(CUSTODIAN, 0, 0), Error::<Test>::GrantExpired);
	});
}

#[test]
fn pruned_requests_get_no_shares() {
	new_test_ext().execute_with(|| {
		setup();
		run_to_block(11);
		assert_noop!(release(CUSTODIAN, 0, 0), Error::<Test>::UnknownRequest);
	});
}
