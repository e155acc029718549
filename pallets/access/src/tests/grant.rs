//! Rule family: a patient creates grants; periods, grantees and scopes are checked.

use super::*;
use crate::{Error, Event, Grant, GrantStatus, GranteeGrants, Grants, NextGrantId, PatientGrants};
use codec::MaxEncodedLen;
use frame_support::assert_noop;

#[test]
fn grant_max_encoded_len_fits_256_bytes() {
	// Test runtime: AccountId = u64. The production runtime uses 32-byte AccountId32:
	// 2 account ids more = +48 bytes (reported in docs/pallets.md).
	let len = Grant::<Test>::max_encoded_len();
	println!("MaxEncodedLen of Grant<Test> (u64 accounts) = {len}");
	assert!(len <= 256);
	let request_len = crate::AccessRequest::<Test>::max_encoded_len();
	println!("MaxEncodedLen of AccessRequest<Test> = {request_len}");
}

#[test]
fn purpose_codes_are_fhir_act_reasons() {
	for p in [Purpose::Treatment, Purpose::Research, Purpose::Audit, Purpose::Emergency] {
		assert_eq!(Purpose::from_code(p.code()), Some(p));
	}
	assert_eq!(Purpose::Treatment.code(), "TREAT");
	assert_eq!(Purpose::Research.code(), "HRESCH");
	assert_eq!(Purpose::Audit.code(), "HOPERAT");
	assert_eq!(Purpose::Emergency.code(), "ETREAT");
	assert_eq!(Purpose::from_code("FOO"), None);
}

#[test]
fn a_patient_grants_access() {
	new_test_ext().execute_with(|| {
		let id = simple_grant(role(ORG_A, Role::Doctor), READ, false);
		assert_eq!(id, 0);
		let g = Grants::<Test>::get(0).unwrap();
		assert_eq!(g.patient, PATIENT);
		assert_eq!(g.status, GrantStatus::Active);
		assert_eq!(g.granted_by, PATIENT);
		assert_eq!(g.created_at, T0);
		assert!(PatientGrants::<Test>::contains_key(PATIENT, 0));
		assert!(GranteeGrants::<Test>::contains_key(role(ORG_A, Role::Doctor), 0));
		assert_eq!(
			last_event(),
			Event::GrantCreated {
				grant: 0,
				patient: PATIENT,
				grantee: role(ORG_A, Role::Doctor),
				scope: Scope::AllRecords,
				purpose: Purpose::Treatment,
				actions: READ,
				not_before: T0,
				expires_at: T0 + DAY,
				at: T0
			}
		);
		assert_eq!(simple_grant(acct(DOCTOR), READ, false), 1);
		assert_eq!(NextGrantId::<Test>::get(), 2);
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn only_patients_grant() {
	new_test_ext().execute_with(|| {
		for who in [DOCTOR, MANAGER, AUDITOR, STRANGER, CUSTODIAN] {
			assert_noop!(
				grant_full(
					who,
					Scope::AllRecords,
					acct(DOCTOR),
					Purpose::Treatment,
					READ,
					T0,
					T0 + DAY,
					false
				),
				Error::<Test>::NotPatient
			);
		}
	});
}

#[test]
fn periods_are_checked() {
	new_test_ext().execute_with(|| {
		let g = |nb, exp| {
			grant_full(
				PATIENT,
				Scope::AllRecords,
				acct(DOCTOR),
				Purpose::Treatment,
				READ,
				nb,
				exp,
				false,
			)
		};
		assert_noop!(g(T0 + DAY, T0 + DAY), Error::<Test>::EmptyPeriod);
		assert_noop!(g(T0 + DAY, T0), Error::<Test>::EmptyPeriod);
		assert_noop!(g(T0 - 2 * DAY, T0 - DAY), Error::<Test>::PeriodInPast);
		assert_noop!(g(T0 - 2 * DAY, T0), Error::<Test>::PeriodInPast);
		assert_noop!(g(T0, T0 + 365 * DAY + 1), Error::<Test>::PeriodTooLong);
		assert_noop!(g(T0 + DAY, T0 + 366 * DAY + 1), Error::<Test>::PeriodTooLong);
		// A period that started in the past counts from now.
		assert_ok!(g(T0 - 10 * DAY, T0 + 365 * DAY));
		assert_ok!(g(T0, T0 + 365 * DAY));
		assert_ok!(g(T0 + DAY, T0 + 2 * DAY));
	});
}

#[test]
fn grantees_must_exist() {
	new_test_ext().execute_with(|| {
		let g = |grantee| {
			grant_full(
				PATIENT,
				Scope::AllRecords,
				grantee,
				Purpose::Treatment,
				READ,
				T0,
				T0 + DAY,
				false,
			)
		};
		assert_noop!(g(acct(STRANGER)), Error::<Test>::UnknownGrantee);
		assert_noop!(g(role(9, Role::Doctor)), Error::<Test>::UnknownGrantee);
		assert_ok!(g(acct(OTHER_PATIENT)));
		assert_ok!(g(role(ORG_B, Role::Researcher)));
	});
}

#[test]
fn scopes_actions_and_purposes_are_checked() {
	new_test_ext().execute_with(|| {
		let mine = record_of(PATIENT, b"Observation");
		let theirs = record_of(OTHER_PATIENT, b"Observation");
		let g = |scope, purpose, actions| {
			grant_full(PATIENT, scope, acct(DOCTOR), purpose, actions, T0, T0 + DAY, false)
		};
		assert_noop!(
			g(Scope::Record(theirs), Purpose::Treatment, READ),
			Error::<Test>::NotRecordOwner
		);
		assert_noop!(g(Scope::Record(99), Purpose::Treatment, READ), Error::<Test>::UnknownRecord);
		assert_noop!(
			g(Scope::ContentType(ct(b"")), Purpose::Treatment, READ),
			Error::<Test>::EmptyContentType
		);
		assert_noop!(
			g(Scope::AllRecords, Purpose::Treatment, Actions::default()),
			Error::<Test>::NoActions
		);
		assert_noop!(
			g(Scope::AllRecords, Purpose::Emergency, READ),
			Error::<Test>::EmergencyPurpose
		);
		assert_ok!(g(Scope::Record(mine), Purpose::Research, READ));
		assert_ok!(g(Scope::ContentType(ct(b"Observation")), Purpose::Audit, APPEND));
	});
}
