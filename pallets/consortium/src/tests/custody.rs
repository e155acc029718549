//! Rule family: governance sets a consistent custody configuration.

use crate::{mock::*, Custody, Error, Event, Membership};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::DispatchError;

fn keys(n: usize) -> BoundedVec<[u8; 32], MaxCustodians> {
	BoundedVec::truncate_from(vec![[5; 32]; n])
}

fn accounts(a: Vec<u64>) -> BoundedVec<u64, MaxCustodians> {
	BoundedVec::truncate_from(a)
}

#[test]
fn genesis_custody_is_readable() {
	new_test_ext().execute_with(|| {
		assert_eq!(Consortium::threshold(), 2);
		assert_eq!(Consortium::custodian_of(&CUSTODIAN_1), Some(1));
		assert_eq!(Consortium::custodian_of(&DOCTOR), None);
		assert_eq!(Consortium::custodian_account(0), Some(CUSTODIAN_0));
		assert_eq!(Consortium::custodian_account(2), None);
	});
}

#[test]
fn governance_sets_custody() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::set_custody_config(
			RuntimeOrigin::root(),
			[1; 32],
			keys(3),
			accounts(vec![30, 31, 32]),
			2
		));
		assert_eq!(Consortium::custodian_of(&32), Some(2));
		assert_eq!(Custody::<Test>::get().unwrap().public_key, [1; 32]);
		assert_eq!(
			super::last_event(),
			Event::CustodyConfigSet { public_key: [1; 32], custodians: 3, threshold: 2, at: 1 }
		);
		assert_noop!(
			Consortium::set_custody_config(
				RuntimeOrigin::signed(MANAGER),
				[1; 32],
				keys(1),
				accounts(vec![30]),
				1
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn inconsistent_custody_is_rejected() {
	new_test_ext().execute_with(|| {
		for (k, a, t) in [
			(2, vec![30, 31, 32], 2), // key count differs
			(3, vec![30, 31, 32], 0), // zero threshold
			(3, vec![30, 31, 32], 4), // threshold above n
			(3, vec![30, 31, 30], 2), // duplicate account
		] {
			assert_noop!(
				Consortium::set_custody_config(
					RuntimeOrigin::root(),
					[1; 32],
					keys(k),
					accounts(a),
					t
				),
				Error::<Test>::InvalidCustodyConfig
			);
		}
	});
}
