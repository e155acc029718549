//! Rule family: managers manage the members of their own organisation only.

use crate::{mock::*, Error, Event, MemberInfo, Members, Membership, Role, Roles};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

fn nurse() -> Roles {
	Roles::from_roles(&[Role::Nurse])
}

#[test]
fn a_manager_adds_a_member_to_its_organisation() {
	new_test_ext().execute_with(|| {
		register(20);
		assert_ok!(Consortium::add_member(RuntimeOrigin::signed(MANAGER), 1, 20, nurse(), true));
		assert_eq!(
			Members::<Test>::get(1, 20),
			Some(MemberInfo { roles: nurse(), emergency: true })
		);
		assert!(Consortium::has_role(1, &20, Role::Nurse));
		assert!(Consortium::emergency_flag(1, &20));
		assert_eq!(
			super::last_event(),
			Event::MemberAdded {
				org: 1,
				who: 20,
				roles: nurse(),
				emergency: true,
				by: Some(MANAGER),
				at: 1
			}
		);
		assert_ok!(Consortium::do_try_state());
	});
}

#[test]
fn a_manager_cannot_manage_another_organisation() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::signed(MANAGER), 2, 20, nurse(), false),
			Error::<Test>::NotManagerOfOrg
		);
		assert_noop!(
			Consortium::remove_member(RuntimeOrigin::signed(MANAGER), 2, DOCTOR_B),
			Error::<Test>::NotManagerOfOrg
		);
		assert_noop!(
			Consortium::update_member(RuntimeOrigin::signed(MANAGER), 2, DOCTOR_B, nurse(), false),
			Error::<Test>::NotManagerOfOrg
		);
	});
}

#[test]
fn a_non_manager_cannot_manage_members() {
	new_test_ext().execute_with(|| {
		for who in [DOCTOR, AUDITOR, PATIENT, STRANGER] {
			assert_noop!(
				Consortium::add_member(RuntimeOrigin::signed(who), 1, 20, nurse(), false),
				Error::<Test>::NotManagerOfOrg
			);
		}
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::none(), 1, 20, nurse(), false),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn governance_adds_the_first_manager() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::add_organisation(RuntimeOrigin::root(), 3, [3; 32], None));
		register(30);
		register(31);
		let manager = Roles::from_roles(&[Role::Manager]);
		assert_ok!(Consortium::add_member(RuntimeOrigin::root(), 3, 30, manager, false));
		assert_eq!(
			super::last_event(),
			Event::MemberAdded {
				org: 3,
				who: 30,
				roles: manager,
				emergency: false,
				by: None,
				at: 1
			}
		);
		assert_ok!(Consortium::add_member(RuntimeOrigin::signed(30), 3, 31, nurse(), false));
	});
}

#[test]
fn only_active_registered_accounts_become_members() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::signed(MANAGER), 1, 20, nurse(), false),
			Error::<Test>::NotRegistered
		);
		assert_ok!(Consortium::invite_account(
			RuntimeOrigin::signed(MANAGER),
			1,
			20,
			crate::AccountKind::Staff
		));
		// Invited is not enough: the account must have published its key.
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::signed(MANAGER), 1, 20, nurse(), false),
			Error::<Test>::NotRegistered
		);
		assert_ok!(Consortium::set_account_status(
			RuntimeOrigin::root(),
			PATIENT,
			crate::AccountStatus::Frozen
		));
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::signed(MANAGER), 1, PATIENT, nurse(), false),
			Error::<Test>::NotRegistered
		);
	});
}

#[test]
fn members_are_added_once_with_valid_roles() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::signed(MANAGER), 1, DOCTOR, nurse(), false),
			Error::<Test>::AlreadyMember
		);
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::signed(MANAGER), 1, 20, Roles(0), false),
			Error::<Test>::InvalidRoles
		);
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::signed(MANAGER), 1, 20, Roles(0b10_0000), false),
			Error::<Test>::InvalidRoles
		);
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::signed(MANAGER), 9, 20, nurse(), false),
			Error::<Test>::UnknownOrg
		);
	});
}

#[test]
fn a_manager_updates_and_removes_members() {
	new_test_ext().execute_with(|| {
		let both = Roles::from_roles(&[Role::Doctor, Role::Researcher]);
		assert_ok!(Consortium::update_member(
			RuntimeOrigin::signed(MANAGER),
			1,
			DOCTOR,
			both,
			true
		));
		assert!(Consortium::has_role(1, &DOCTOR, Role::Researcher));
		assert!(Consortium::emergency_flag(1, &DOCTOR));
		assert_ok!(Consortium::remove_member(RuntimeOrigin::signed(MANAGER), 1, DOCTOR));
		assert!(!Consortium::is_member(1, &DOCTOR));
		assert_eq!(
			super::last_event(),
			Event::MemberRemoved { org: 1, who: DOCTOR, by: Some(MANAGER), at: 1 }
		);
		assert_noop!(
			Consortium::remove_member(RuntimeOrigin::signed(MANAGER), 1, DOCTOR),
			Error::<Test>::NotMember
		);
		assert_noop!(
			Consortium::update_member(RuntimeOrigin::signed(MANAGER), 1, DOCTOR, both, true),
			Error::<Test>::NotMember
		);
		assert_ok!(Consortium::do_try_state());
	});
}
