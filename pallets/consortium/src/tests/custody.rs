//! Rule family: governance sets a consistent custody configuration.

use crate::{mock::*, Custody, Error, Event, Membership};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use sp_runtime::DispatchError;

/// The verification keys of a 2-of-`n` ceremony (polynomial 4 + 7x), and its group key.
fn ceremony(n: usize) -> ([u8; 32], BoundedVec<[u8; 32], MaxCustodians>) {
	let (group, keys) = crate::custody::public_keys(&[4, 7], n);
	(group, BoundedVec::truncate_from(keys))
}

fn keys(n: usize) -> BoundedVec<[u8; 32], MaxCustodians> {
	ceremony(n).1
}

/// Registers the accounts 30.. that the tests make custodians (invited by governance,
/// accepted by themselves).
fn register_custodians() {
	for a in 30..=33u64 {
		assert_ok!(Consortium::invite_account(
			RuntimeOrigin::root(),
			1,
			a,
			crate::AccountKind::Staff
		));
		assert_ok!(Consortium::accept_invitation(
			RuntimeOrigin::signed(a),
			x25519_key(a as u8),
			1,
			crate::AccountKind::Staff
		));
	}
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
		register_custodians();
		let (group, vks) = ceremony(3);
		assert_ok!(Consortium::set_custody_config(
			RuntimeOrigin::root(),
			group,
			vks,
			accounts(vec![30, 31, 32]),
			2
		));
		assert_eq!(Consortium::custodian_of(&32), Some(2));
		assert_eq!(Custody::<Test>::get().unwrap().public_key, group);
		assert_eq!(
			super::last_event(),
			Event::CustodyConfigSet { public_key: group, custodians: 3, threshold: 2, at: 1 }
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
		register_custodians();
		let group = ceremony(3).0;
		for (k, a, t) in [
			(2, vec![30, 31, 32], 2), // key count differs
			(3, vec![30, 31, 32], 0), // zero threshold
			(3, vec![30, 31, 32], 4), // threshold above n
			(3, vec![30, 31, 30], 2), // duplicate account
		] {
			assert_noop!(
				Consortium::set_custody_config(
					RuntimeOrigin::root(),
					group,
					keys(k),
					accounts(a),
					t
				),
				Error::<Test>::InvalidCustodyConfig
			);
		}
	});
}

/// What governance (or a hospital pushing a configuration through it) must not get past the
/// chain: keys that are no points, keys of two ceremonies mixed, keys in another order, a
/// threshold other than the ceremony's, custodians that are not registered accounts.
#[test]
fn custody_keys_must_be_points_of_one_polynomial_held_by_registered_accounts() {
	new_test_ext().execute_with(|| {
		register_custodians();
		let set = |group: [u8; 32], keys: Vec<[u8; 32]>, who: Vec<u64>, t: u16| {
			Consortium::set_custody_config(
				RuntimeOrigin::root(),
				group,
				BoundedVec::truncate_from(keys),
				accounts(who),
				t,
			)
		};
		let (group, good) = crate::custody::public_keys(&[4, 7], 3);
		let before = Custody::<Test>::get();
		let mut not_a_point = good.clone();
		not_a_point[2] = [0xff; 32];
		assert_noop!(
			set(group, not_a_point, vec![30, 31, 32], 2),
			Error::<Test>::InvalidCustodyKey
		);
		assert_noop!(
			set([0; 32], good.clone(), vec![30, 31, 32], 2),
			Error::<Test>::InvalidCustodyKey
		);
		let mut reordered = good.clone();
		reordered.swap(0, 2);
		assert_noop!(
			set(group, reordered, vec![30, 31, 32], 2),
			Error::<Test>::InconsistentCustodyKeys
		);
		let other = crate::custody::public_keys(&[4, 8], 3).1;
		let mixed = vec![good[0], good[1], other[2]];
		assert_noop!(
			set(group, mixed, vec![30, 31, 32], 2),
			Error::<Test>::InconsistentCustodyKeys
		);
		// The ceremony was 2-of-3: claiming 1-of-3 would let one custodian read alone.
		assert_noop!(
			set(group, good.clone(), vec![30, 31, 32], 1),
			Error::<Test>::InconsistentCustodyKeys
		);
		assert_noop!(
			set(group, good.clone(), vec![30, 31, 99], 2),
			Error::<Test>::CustodianNotRegistered
		);
		assert_eq!(Custody::<Test>::get(), before, "nothing changed");
		assert_ok!(set(group, good, vec![30, 31, 32], 2));
	});
}
