//! Rule family: break-glass access is opened by flagged members, is time-boxed, raises an
//! alarm, is reviewed by a manager or auditor of the opener's organisation, and is flagged
//! when the review is overdue.

use super::*;
use crate::{Emergencies, EmergencyReason, Error, Event, GrantStatus, Grants, ReviewQueue};
use frame_support::assert_noop;

fn review(who: u64, grant: GrantId, approved: bool) -> sp_runtime::DispatchResult {
	Access::emergency_review(RuntimeOrigin::signed(who), grant, approved, [4; 32])
}

#[test]
fn a_flagged_member_opens_emergency_access() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		assert_ok!(emergency_open_as(DOCTOR_B, ORG_B, PATIENT));
		let g = Grants::<Test>::get(0).unwrap();
		assert_eq!(g.purpose, Purpose::Emergency);
		assert_eq!(g.grantee, acct(DOCTOR_B));
		assert_eq!(g.scope, Scope::AllRecords);
		assert_eq!(g.actions, READ);
		assert_eq!((g.not_before, g.expires_at), (T0, T0 + DAY));
		assert_eq!(g.terms_hash, [3; 32]);
		assert_eq!(
			last_event(),
			Event::EmergencyAccessOpened {
				grant: 0,
				opener: DOCTOR_B,
				org: ORG_B,
				patient: PATIENT,
				reason: EmergencyReason::PatientUnconscious,
				justification_hash: [3; 32],
				expires_at: T0 + DAY,
				review_deadline: 101,
				at: T0
			}
		);
		assert_ok!(Access::request(RuntimeOrigin::signed(DOCTOR_B), r, 0, [7; 32]));
		// Time-boxed.
		set_time(T0 + DAY);
		assert_noop!(
			Access::request(RuntimeOrigin::signed(DOCTOR_B), r, 0, [7; 32]),
			Error::<Test>::GrantExpired
		);
		// Read only: no append under an emergency grant.
		set_time(T0);
		assert_noop!(
			register_by(DOCTOR_B, PATIENT, b"Observation", Some(0)),
			Error::<Test>::AppendNotAllowed
		);
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn only_flagged_members_of_active_orgs_open() {
	new_test_ext().execute_with(|| {
		for who in [NURSE, MANAGER, AUDITOR, PATIENT, STRANGER, CUSTODIAN] {
			assert_noop!(emergency_open_as(who, ORG_A, PATIENT), Error::<Test>::NotEmergencyMember);
		}
		// The flag is per organisation.
		assert_noop!(
			emergency_open_as(DOCTOR_B, ORG_A, PATIENT),
			Error::<Test>::NotEmergencyMember
		);
		assert_noop!(emergency_open_as(DOCTOR, ORG_A, NURSE), Error::<Test>::UnknownPatient);
		assert_ok!(Consortium::set_organisation_status(
			RuntimeOrigin::root(),
			ORG_B,
			pallet_consortium::OrgStatus::Suspended
		));
		assert_noop!(
			emergency_open_as(DOCTOR_B, ORG_B, PATIENT),
			Error::<Test>::NotEmergencyMember
		);
	});
}

#[test]
fn emergencies_per_block_are_bounded() {
	new_test_ext().execute_with(|| {
		assert_ok!(emergency_open_as(DOCTOR, ORG_A, PATIENT));
		assert_ok!(emergency_open_as(DOCTOR_B, ORG_B, PATIENT));
		assert_noop!(
			emergency_open_as(DOCTOR, ORG_A, OTHER_PATIENT),
			Error::<Test>::TooManyEmergencies
		);
		assert_eq!(ReviewQueue::<Test>::get(101).len(), 2);
	});
}

#[test]
fn a_manager_or_auditor_of_the_openers_org_reviews() {
	new_test_ext().execute_with(|| {
		assert_ok!(emergency_open_as(DOCTOR, ORG_A, PATIENT));
		assert_noop!(review(DOCTOR_B, 0, true), Error::<Test>::NotReviewer);
		assert_noop!(review(NURSE, 0, true), Error::<Test>::NotReviewer);
		assert_noop!(review(PATIENT, 0, true), Error::<Test>::NotReviewer);
		assert_noop!(review(AUDITOR, 5, true), Error::<Test>::NotEmergencyGrant);
		assert_ok!(review(AUDITOR, 0, true));
		assert_eq!(
			last_event(),
			Event::EmergencyReviewed {
				grant: 0,
				reviewer: AUDITOR,
				approved: true,
				note_hash: [4; 32],
				at: T0
			}
		);
		assert_eq!(Emergencies::<Test>::get(0).unwrap().review.unwrap().reviewer, AUDITOR);
		assert_noop!(review(MANAGER, 0, true), Error::<Test>::AlreadyReviewed);
		assert_eq!(Grants::<Test>::get(0).unwrap().status, GrantStatus::Active);
	});
}

#[test]
fn an_opener_cannot_review_itself() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::update_member(
			RuntimeOrigin::signed(MANAGER),
			ORG_A,
			DOCTOR,
			pallet_consortium::Roles::from_roles(&[Role::Doctor, Role::Manager]),
			true
		));
		assert_ok!(emergency_open_as(DOCTOR, ORG_A, PATIENT));
		assert_noop!(review(DOCTOR, 0, true), Error::<Test>::SelfReview);
	});
}

#[test]
fn a_rejected_emergency_is_revoked() {
	new_test_ext().execute_with(|| {
		let r = record_of(PATIENT, b"Observation");
		assert_ok!(emergency_open_as(DOCTOR, ORG_A, PATIENT));
		assert_ok!(review(MANAGER, 0, false));
		assert_eq!(Grants::<Test>::get(0).unwrap().status, GrantStatus::Revoked);
		assert_eq!(
			last_event(),
			Event::GrantRevoked { grant: 0, by: MANAGER, cascade_from: None, at: T0 }
		);
		assert_noop!(
			Access::request(RuntimeOrigin::signed(DOCTOR), r, 0, [7; 32]),
			Error::<Test>::GrantRevoked
		);
	});
}

#[test]
fn an_unreviewed_emergency_is_flagged_at_its_deadline() {
	new_test_ext().execute_with(|| {
		assert_ok!(emergency_open_as(DOCTOR, ORG_A, PATIENT));
		assert_ok!(emergency_open_as(DOCTOR_B, ORG_B, OTHER_PATIENT));
		assert_ok!(review(AUDITOR, 0, true));
		run_to_block(100);
		assert!(!access_events().iter().any(|e| matches!(e, Event::EmergencyReviewOverdue { .. })));
		run_to_block(101);
		let overdue: Vec<_> = access_events()
			.into_iter()
			.filter(|e| matches!(e, Event::EmergencyReviewOverdue { .. }))
			.collect();
		assert_eq!(
			overdue,
			vec![Event::EmergencyReviewOverdue {
				grant: 1,
				opener: DOCTOR_B,
				org: ORG_B,
				patient: OTHER_PATIENT,
				at: T0
			}]
		);
		assert!(!ReviewQueue::<Test>::contains_key(101));
		// Only the opener's organisation reviews, even late.
		assert_noop!(review(AUDITOR, 1, true), Error::<Test>::NotReviewer);
	});
}
