//! Rule family: the patient (or the delegator) revokes; revocation cascades to delegations.

use super::*;
use crate::{Error, Event, GrantStatus, Grants};
use frame_support::assert_noop;

#[test]
fn the_patient_revokes_a_grant() {
	new_test_ext().execute_with(|| {
		let g = simple_grant(acct(DOCTOR), READ, false);
		set_time(T0 + MINUTE);
		assert_ok!(Access::revoke(RuntimeOrigin::signed(PATIENT), g));
		assert_eq!(Grants::<Test>::get(g).unwrap().status, GrantStatus::Revoked);
		assert_eq!(
			last_event(),
			Event::GrantRevoked { grant: g, by: PATIENT, cascade_from: None, at: T0 + MINUTE }
		);
		assert_noop!(
			Access::revoke(RuntimeOrigin::signed(PATIENT), g),
			Error::<Test>::AlreadyRevoked
		);
		assert_noop!(
			Access::revoke(RuntimeOrigin::signed(PATIENT), 99),
			Error::<Test>::UnknownGrant
		);
	});
}

#[test]
fn others_cannot_revoke() {
	new_test_ext().execute_with(|| {
		let g = simple_grant(acct(DOCTOR), READ, true);
		for who in [DOCTOR, OTHER_PATIENT, MANAGER, STRANGER] {
			assert_noop!(Access::revoke(RuntimeOrigin::signed(who), g), Error::<Test>::NotGrantor);
		}
	});
}

#[test]
fn revocation_cascades_to_delegations() {
	new_test_ext().execute_with(|| {
		let g = simple_grant(role(ORG_A, Role::Doctor), READ, true);
		assert_ok!(Access::delegate(RuntimeOrigin::signed(DOCTOR), g, NURSE, T0 + HOUR));
		assert_ok!(Access::delegate(RuntimeOrigin::signed(DOCTOR), g, RESEARCHER, T0 + HOUR));
		// The delegator revokes one of its delegations itself.
		assert_ok!(Access::revoke(RuntimeOrigin::signed(DOCTOR), g + 2));
		assert_ok!(Access::revoke(RuntimeOrigin::signed(PATIENT), g));
		for id in [g, g + 1, g + 2] {
			assert_eq!(Grants::<Test>::get(id).unwrap().status, GrantStatus::Revoked);
		}
		let revoked: Vec<_> = access_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::GrantRevoked { grant, cascade_from, .. } => Some((grant, cascade_from)),
				_ => None,
			})
			.collect();
		// The already revoked delegation is not revoked twice.
		assert_eq!(revoked, vec![(g + 2, None), (g, None), (g + 1, Some(g))]);
		let r = record_of(PATIENT, b"Observation");
		assert_noop!(
			Access::request(RuntimeOrigin::signed(NURSE), r, g + 1, [7; 32]),
			Error::<Test>::GrantRevoked
		);
		assert_ok!(Access::do_try_state());
	});
}
