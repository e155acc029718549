//! Rule family: a grantee delegates a delegable grant, never wider nor longer.

use super::*;
use crate::{Delegations, Error, Event, Grants};
use frame_support::assert_noop;

fn delegate(who: u64, parent: GrantId, to: u64, exp: u64) -> sp_runtime::DispatchResult {
	Access::delegate(RuntimeOrigin::signed(who), parent, to, exp)
}

#[test]
fn a_grantee_delegates() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(role(ORG_A, Role::Doctor), READ_APPEND, true);
		set_time(T0 + MINUTE);
		assert_ok!(delegate(DOCTOR, g, NURSE, T0 + HOUR));
		let d = Grants::<Test>::get(g + 1).unwrap();
		assert_eq!(d.parent, Some(g));
		assert_eq!(d.grantee, acct(NURSE));
		assert_eq!(d.granted_by, DOCTOR);
		assert_eq!(
			(d.scope.clone(), d.purpose, d.actions),
			(Scope::AllRecords, Purpose::Treatment, READ_APPEND)
		);
		assert!(!d.delegable);
		assert_eq!((d.not_before, d.expires_at), (T0 + MINUTE, T0 + HOUR));
		assert_eq!(Delegations::<Test>::get(g).into_inner(), vec![g + 1]);
		assert_eq!(
			last_event(),
			Event::GrantDelegated {
				grant: g + 1,
				parent: g,
				by: DOCTOR,
				grantee: NURSE,
				expires_at: T0 + HOUR,
				at: T0 + MINUTE
			}
		);
		assert_ok!(Access::request(RuntimeOrigin::signed(NURSE), r, g + 1, [7; 32]));
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn a_delegation_never_outlives_its_parent() {
	new_test_ext().execute_with(|| {
		let g = simple_grant(acct(DOCTOR), READ, true);
		assert_noop!(
			delegate(DOCTOR, g, NURSE, T0 + DAY + 1),
			Error::<Test>::DelegationOutlivesParent
		);
		assert_noop!(delegate(DOCTOR, g, NURSE, T0), Error::<Test>::PeriodInPast);
		assert_ok!(delegate(DOCTOR, g, NURSE, T0 + DAY));
	});
}

#[test]
fn only_delegable_parents_are_delegated() {
	new_test_ext().execute_with(|| {
		let fixed = simple_grant(acct(DOCTOR), READ, false);
		assert_noop!(delegate(DOCTOR, fixed, NURSE, T0 + HOUR), Error::<Test>::NotDelegable);
		let g = simple_grant(acct(DOCTOR), READ, true);
		assert_ok!(delegate(DOCTOR, g, NURSE, T0 + HOUR));
		// Depth is 1: a delegation is not delegated further.
		assert_noop!(delegate(NURSE, g + 1, RESEARCHER, T0 + HOUR), Error::<Test>::NotDelegable);
		assert_noop!(delegate(NURSE, g, RESEARCHER, T0 + HOUR), Error::<Test>::NotGrantee);
		assert_noop!(delegate(DOCTOR, g, STRANGER, T0 + HOUR), Error::<Test>::UnknownGrantee);
		assert_noop!(delegate(DOCTOR, 99, NURSE, T0 + HOUR), Error::<Test>::UnknownGrant);
	});
}

#[test]
fn delegation_needs_a_usable_parent() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_full(
			PATIENT,
			Scope::AllRecords,
			acct(DOCTOR),
			Purpose::Treatment,
			READ,
			T0 + HOUR,
			T0 + DAY,
			true
		));
		assert_noop!(delegate(DOCTOR, 0, NURSE, T0 + DAY), Error::<Test>::GrantNotYetValid);
		set_time(T0 + DAY);
		assert_noop!(delegate(DOCTOR, 0, NURSE, T0 + DAY), Error::<Test>::GrantExpired);
		set_time(T0 + 2 * HOUR);
		assert_ok!(Access::revoke(RuntimeOrigin::signed(PATIENT), 0));
		assert_noop!(delegate(DOCTOR, 0, NURSE, T0 + DAY), Error::<Test>::GrantRevoked);
	});
}

#[test]
fn delegations_per_grant_are_bounded() {
	new_test_ext().execute_with(|| {
		let g = simple_grant(acct(DOCTOR), READ, true);
		for to in [NURSE, RESEARCHER, AUDITOR] {
			assert_ok!(delegate(DOCTOR, g, to, T0 + HOUR));
		}
		assert_noop!(delegate(DOCTOR, g, MANAGER, T0 + HOUR), Error::<Test>::TooManyDelegations);
	});
}
