//! Rule family: every use of a grant re-checks the whole authority at that moment (the one
//! function in `rules.rs`): the role held now, the organisation active now, the delegator's
//! standing now, the emergency opener's flag now. What a member who lost his standing would
//! try: use a grant he (or his delegator) no longer has, or have a request made before the
//! change served after it.

use super::*;
use crate::{DenialReason, Error, Requests};
use frame_support::assert_noop;
use pallet_consortium::{AccountStatus, OrgStatus, Roles};

fn request(who: u64, record: RecordId, grant: GrantId) -> sp_runtime::DispatchResult {
	Access::request(RuntimeOrigin::signed(who), record, grant, [7; 32])
}

/// A role grant to the doctors of hospital A, delegable, and a request by `DOCTOR` under it.
fn doctors_of_a_read() -> (RecordId, GrantId) {
	let r = record_of(PATIENT, b"Observation");
	let g = simple_grant(role(ORG_A, Role::Doctor), READ, true);
	assert_ok!(request(DOCTOR, r, g));
	(r, g)
}

fn no_share_released(request: u64) {
	assert!(Requests::<Test>::get(request).unwrap().shares.is_empty(), "no share was stored");
}

#[test]
fn removal_from_the_role_stops_releases_for_requests_made_before() {
	new_test_ext().execute_with(|| {
		let (r, g) = doctors_of_a_read();
		assert_eq!(Access::may_release(0), Ok(()));
		assert_ok!(Consortium::remove_member(RuntimeOrigin::root(), ORG_A, DOCTOR));
		assert_eq!(Access::may_release(0), Err(DenialReason::NotGrantee));
		assert_eq!(release(CUSTODIAN, 0, 0), refused(Error::<Test>::NotGrantee));
		no_share_released(0);
		assert_noop!(request(DOCTOR, r, g), Error::<Test>::NotGrantee);
		assert_eq!(Access::can_read(DOCTOR, r), Err(DenialReason::NoGrant));
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn a_suspended_organisation_holds_no_role() {
	new_test_ext().execute_with(|| {
		let (r, g) = doctors_of_a_read();
		assert_ok!(Consortium::set_organisation_status(
			RuntimeOrigin::root(),
			ORG_A,
			OrgStatus::Suspended
		));
		assert_eq!(Access::may_release(0), Err(DenialReason::NotGrantee));
		assert_eq!(release(CUSTODIAN, 0, 0), refused(Error::<Test>::NotGrantee));
		no_share_released(0);
		assert_noop!(request(DOCTOR, r, g), Error::<Test>::NotGrantee);
		// Re-activated, the role works again: the rule is the state now, not a flag set once.
		assert_ok!(Consortium::set_organisation_status(
			RuntimeOrigin::root(),
			ORG_A,
			OrgStatus::Active
		));
		assert_eq!(release(CUSTODIAN, 0, 0), Ok(()));
	});
}

#[test]
fn a_delegation_ends_when_its_delegator_loses_the_role() {
	new_test_ext().execute_with(|| {
		let (r, g) = doctors_of_a_read();
		assert_ok!(Access::delegate(RuntimeOrigin::signed(DOCTOR), g, NURSE, T0 + HOUR));
		let d = crate::NextGrantId::<Test>::get() - 1;
		assert_ok!(request(NURSE, r, d));
		let nurse_request = crate::NextRequestId::<Test>::get() - 1;
		assert_eq!(Access::may_release(nurse_request), Ok(()));
		// The doctor leaves the role the grant was given to: his delegation goes with it.
		assert_ok!(Consortium::update_member(
			RuntimeOrigin::root(),
			ORG_A,
			DOCTOR,
			Roles::from_roles(&[Role::Nurse]),
			true
		));
		assert_eq!(Access::may_release(nurse_request), Err(DenialReason::DelegatorLostStanding));
		assert_eq!(
			release(CUSTODIAN, nurse_request, 0),
			refused(Error::<Test>::DelegatorLostStanding)
		);
		no_share_released(nurse_request);
		assert_noop!(request(NURSE, r, d), Error::<Test>::DelegatorLostStanding);
		assert_eq!(Access::can_read(NURSE, r), Err(DenialReason::DelegatorLostStanding));
	});
}

#[test]
fn an_emergency_grant_ends_with_its_openers_flag() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		assert_ok!(emergency_open_as(DOCTOR_B, ORG_B, PATIENT));
		let g = crate::NextGrantId::<Test>::get() - 1;
		assert_ok!(request(DOCTOR_B, r, g));
		assert_ok!(Consortium::update_member(
			RuntimeOrigin::root(),
			ORG_B,
			DOCTOR_B,
			Roles::from_roles(&[Role::Doctor]),
			false
		));
		assert_eq!(Access::may_release(0), Err(DenialReason::EmergencyStandingLost));
		assert_eq!(release(CUSTODIAN, 0, 0), refused(Error::<Test>::EmergencyStandingLost));
		no_share_released(0);
		assert_noop!(request(DOCTOR_B, r, g), Error::<Test>::EmergencyStandingLost);
	});
	new_test_ext().execute_with(|| {
		// Leaving the organisation ends it too.
		let r = record_of(PATIENT, b"Observation");
		assert_ok!(emergency_open_as(DOCTOR_B, ORG_B, PATIENT));
		assert_ok!(Consortium::remove_member(RuntimeOrigin::root(), ORG_B, DOCTOR_B));
		assert_noop!(request(DOCTOR_B, r, 0), Error::<Test>::EmergencyStandingLost);
	});
}

#[test]
fn no_grant_to_oneself_and_no_delegation_to_oneself() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		assert_noop!(
			grant_full(
				PATIENT,
				Scope::Record(r),
				acct(PATIENT),
				Purpose::Treatment,
				READ,
				T0,
				T0 + DAY,
				true
			),
			Error::<Test>::SelfGrant
		);
		let g = simple_grant(acct(DOCTOR), READ, true);
		assert_noop!(
			Access::delegate(RuntimeOrigin::signed(DOCTOR), g, DOCTOR, T0 + HOUR),
			Error::<Test>::SelfDelegation
		);
		assert!(crate::Delegations::<Test>::get(g).is_empty());
	});
}

#[test]
fn every_custodian_is_asked_also_after_the_threshold() {
	new_test_ext().execute_with(|| {
		pallet_consortium::Custody::<Test>::mutate(|c| c.as_mut().unwrap().threshold = 1);
		doctors_of_a_read();
		assert_eq!(release(CUSTODIAN, 0, 0), Ok(()));
		assert!(matches!(last_event(), crate::Event::KeyReleased { request: 0, .. }));
		// The threshold is reached, yet custodian 1 still answers: one faulty custodian among
		// the first t cannot block the read.
		let open = Access::open_requests_for_custodian(1, None, 10);
		assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), vec![0]);
		assert_eq!(release(CUSTODIAN_1, 0, 1), Ok(()));
		assert_eq!(Requests::<Test>::get(0).unwrap().shares.len(), 2);
		assert!(Access::open_requests_for_custodian(1, None, 10).is_empty());
	});
}

fn set_status(who: u64, status: AccountStatus) {
	assert_ok!(Consortium::set_account_status(RuntimeOrigin::root(), who, status));
}

#[test]
fn a_frozen_account_uses_no_grant_and_its_delegations_end() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		let by_name = simple_grant(acct(DOCTOR), READ, false);
		assert_ok!(request(DOCTOR, r, by_name));
		let by_role = simple_grant(role(ORG_A, Role::Doctor), READ, true);
		assert_ok!(Access::delegate(RuntimeOrigin::signed(DOCTOR), by_role, NURSE, T0 + HOUR));
		let delegation = crate::NextGrantId::<Test>::get() - 1;
		assert_ok!(request(NURSE, r, delegation));
		let nurse_request = crate::NextRequestId::<Test>::get() - 1;

		set_status(DOCTOR, AccountStatus::Frozen);
		// His own request, made before the freeze: no share leaves a custodian, none lands.
		assert_eq!(Access::may_release(0), Err(DenialReason::AccountInactive));
		assert_eq!(release(CUSTODIAN, 0, 0), refused(Error::<Test>::AccountInactive));
		no_share_released(0);
		// A grant by name and a role grant alike (the extension refuses his transactions;
		// the dispatch refuses them too).
		assert_noop!(request(DOCTOR, r, by_name), Error::<Test>::AccountInactive);
		assert_noop!(request(DOCTOR, r, by_role), Error::<Test>::AccountInactive);
		assert_eq!(Access::can_read(DOCTOR, r), Err(DenialReason::AccountInactive));
		// The delegation he made ends with his standing.
		assert_eq!(Access::may_release(nurse_request), Err(DenialReason::DelegatorLostStanding));
		assert_noop!(request(NURSE, r, delegation), Error::<Test>::DelegatorLostStanding);

		// Re-activated, everything works again: the status is read at every use.
		set_status(DOCTOR, AccountStatus::Active);
		assert_eq!(release(CUSTODIAN, 0, 0), Ok(()));
		assert_eq!(Access::may_release(nurse_request), Ok(()));
		// Deregistered, for good.
		set_status(DOCTOR, AccountStatus::Deregistered);
		assert_eq!(release(CUSTODIAN_1, 0, 1), refused(Error::<Test>::AccountInactive));
		assert_eq!(Access::may_release(nurse_request), Err(DenialReason::DelegatorLostStanding));
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn an_emergency_grant_ends_when_its_opener_is_frozen() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		assert_ok!(emergency_open_as(DOCTOR_B, ORG_B, PATIENT));
		let g = crate::NextGrantId::<Test>::get() - 1;
		assert_ok!(request(DOCTOR_B, r, g));
		set_status(DOCTOR_B, AccountStatus::Frozen);
		assert_eq!(Access::may_release(0), Err(DenialReason::AccountInactive));
		assert_eq!(release(CUSTODIAN, 0, 0), refused(Error::<Test>::AccountInactive));
		no_share_released(0);
	});
}

#[test]
fn a_grant_that_ends_within_the_release_margin_gives_no_new_request_or_share() {
	new_test_ext().execute_with(|| {
		ReleaseMargin::set(MINUTE);
		let r = record_of(PATIENT, b"Observation");
		let g = simple_grant(acct(DOCTOR), READ, false); // valid [T0, T0 + DAY)
		assert_ok!(request(DOCTOR, r, g));
		// Half a minute before the end: inside the margin.
		set_time(T0 + DAY - MINUTE / 2);
		assert_noop!(request(DOCTOR, r, g), Error::<Test>::GrantExpired);
		// A custodian computes no share for the open request any more ...
		assert_eq!(Access::may_release(0), Err(DenialReason::GrantExpired));
		// ... but a share computed before, still valid when its block includes it, lands:
		// the margin is for the custodians, the chain checks the authority at inclusion.
		assert_eq!(release(CUSTODIAN, 0, 0), Ok(()));
		set_time(T0 + DAY);
		assert_eq!(release(CUSTODIAN_1, 0, 1), refused(Error::<Test>::GrantExpired));
	});
}
