//! Rule family: every use of a grant re-checks the whole authority at that moment (the one
//! function in `rules.rs`): the role held now, the organisation active now, the delegator's
//! standing now, the emergency opener's flag now. What a member who lost his standing would
//! try: use a grant he (or his delegator) no longer has, or have a request made before the
//! change served after it.

use super::*;
use crate::{DenialReason, Error, Requests};
use frame_support::assert_noop;
use pallet_consortium::{OrgStatus, Roles};

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
