//! Rule family: governance adds and suspends organisations.

use crate::{mock::*, Error, Event, Membership, OrgStatus, Organisations, Role};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

#[test]
fn governance_adds_an_organisation() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::add_organisation(RuntimeOrigin::root(), 3, [3; 32], None));
		assert!(Consortium::org_exists(3));
		assert_eq!(
			super::last_event(),
			Event::OrganisationAdded { org: 3, custodian_index: None, at: 1 }
		);
	});
}

#[test]
fn a_signed_account_cannot_add_an_organisation() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::add_organisation(RuntimeOrigin::signed(MANAGER), 3, [3; 32], None),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn an_organisation_id_is_used_once() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::add_organisation(RuntimeOrigin::root(), 1, [3; 32], None),
			Error::<Test>::OrgExists
		);
	});
}

#[test]
fn suspending_an_organisation_suspends_its_roles() {
	new_test_ext().execute_with(|| {
		assert!(Consortium::has_role(1, &DOCTOR, Role::Doctor));
		assert_ok!(Consortium::set_organisation_status(
			RuntimeOrigin::root(),
			1,
			OrgStatus::Suspended
		));
		assert!(!Consortium::has_role(1, &DOCTOR, Role::Doctor));
		assert!(!Consortium::org_exists(1));
		assert!(!Consortium::is_member(1, &DOCTOR));
		assert_eq!(Organisations::<Test>::get(1).unwrap().status, OrgStatus::Suspended);
		// Its managers cannot manage members while suspended.
		assert_noop!(
			Consortium::remove_member(RuntimeOrigin::signed(MANAGER), 1, DOCTOR),
			Error::<Test>::OrgSuspended
		);
		assert_ok!(Consortium::set_organisation_status(
			RuntimeOrigin::root(),
			1,
			OrgStatus::Active
		));
		assert!(Consortium::has_role(1, &DOCTOR, Role::Doctor));
	});
}

#[test]
fn status_changes_are_checked() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::set_organisation_status(RuntimeOrigin::root(), 9, OrgStatus::Suspended),
			Error::<Test>::UnknownOrg
		);
		assert_noop!(
			Consortium::set_organisation_status(RuntimeOrigin::root(), 1, OrgStatus::Active),
			Error::<Test>::StatusUnchanged
		);
	});
}
