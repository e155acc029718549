//! Rule family: managers register accounts; an account rotates its own key.

use crate::{mock::*, AccountInfo, AccountKind, Accounts, Error, Event, Membership};
use frame_support::{assert_noop, assert_ok};

#[test]
fn a_manager_onboards_a_patient() {
	new_test_ext().execute_with(|| {
		assert_eq!(System::providers(&20), 0);
		assert_ok!(Consortium::register_account(
			RuntimeOrigin::signed(MANAGER),
			1,
			20,
			AccountKind::Patient,
			[7; 32]
		));
		assert_eq!(
			Accounts::<Test>::get(20),
			Some(AccountInfo {
				kind: AccountKind::Patient,
				x25519: [7; 32],
				registered_by: Some(MANAGER)
			})
		);
		assert!(Consortium::is_patient(&20));
		assert!(Consortium::is_registered(&20));
		// The account exists without any balance, so its nonce can be checked.
		assert_eq!(System::providers(&20), 1);
		assert_eq!(
			super::last_event(),
			Event::AccountRegistered {
				who: 20,
				kind: AccountKind::Patient,
				by: Some(MANAGER),
				at: 1
			}
		);
	});
}

#[test]
fn only_managers_or_governance_register_accounts() {
	new_test_ext().execute_with(|| {
		for who in [DOCTOR, AUDITOR, PATIENT, STRANGER, DOCTOR_B] {
			assert_noop!(
				Consortium::register_account(
					RuntimeOrigin::signed(who),
					1,
					20,
					AccountKind::Staff,
					[7; 32]
				),
				Error::<Test>::NotManagerOfOrg
			);
		}
		assert_ok!(Consortium::register_account(
			RuntimeOrigin::root(),
			2,
			20,
			AccountKind::Staff,
			[7; 32]
		));
		assert!(Consortium::is_registered(&20));
		assert!(!Consortium::is_patient(&20));
	});
}

#[test]
fn an_account_is_registered_once() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::register_account(
				RuntimeOrigin::signed(MANAGER),
				1,
				PATIENT,
				AccountKind::Patient,
				[7; 32]
			),
			Error::<Test>::AlreadyRegistered
		);
	});
}

#[test]
fn an_account_rotates_its_own_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::rotate_key(RuntimeOrigin::signed(PATIENT), [8; 32]));
		assert_eq!(Consortium::x25519_of(&PATIENT), Some([8; 32]));
		assert_eq!(super::last_event(), Event::KeyRotated { who: PATIENT, x25519: [8; 32], at: 1 });
		assert_noop!(
			Consortium::rotate_key(RuntimeOrigin::signed(STRANGER), [8; 32]),
			Error::<Test>::NotRegistered
		);
	});
}
