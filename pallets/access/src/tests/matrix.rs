//! The AUTHORIZATION MATRIX: every role x every call x every grant state, table-driven.
//!
//! Each cell runs in fresh externalities: the grant state is set up, then the role submits
//! the call through the real dispatch path. The table says, for each (call, state), which
//! roles succeed or get a specific error, and what every other role gets. Every cell asserts
//! `Ok` or the exact error; failing cells leave storage untouched. For the unregistered
//! account every call is also rejected by the `CheckRegistered` extension. Every call is
//! feeless.

use super::*;
use crate::{EmergencyReason, Error};
use frame_support::{
	assert_noop,
	dispatch::{GetDispatchInfo, Pays},
};
use pallet_consortium::{CheckRegistered, INVALID_NOT_REGISTERED};
use sp_runtime::{
	traits::{DispatchTransaction, Dispatchable},
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	DispatchError, DispatchResult,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
	Patient,
	OtherPatient,
	DoctorOfGranteeOrg,
	DoctorOfOtherOrg,
	Nurse,
	Researcher,
	Auditor,
	Manager,
	Unregistered,
	Custodian,
}

const WHO: [Who; 10] = [
	Who::Patient,
	Who::OtherPatient,
	Who::DoctorOfGranteeOrg,
	Who::DoctorOfOtherOrg,
	Who::Nurse,
	Who::Researcher,
	Who::Auditor,
	Who::Manager,
	Who::Unregistered,
	Who::Custodian,
];

impl Who {
	fn account(self) -> u64 {
		match self {
			Who::Patient => PATIENT,
			Who::OtherPatient => OTHER_PATIENT,
			Who::DoctorOfGranteeOrg => DOCTOR,
			Who::DoctorOfOtherOrg => DOCTOR_B,
			Who::Nurse => NURSE,
			Who::Researcher => RESEARCHER,
			Who::Auditor => AUDITOR,
			Who::Manager => MANAGER,
			Who::Unregistered => STRANGER,
			Who::Custodian => CUSTODIAN,
		}
	}

	/// The organisation the role acts for in `emergency_open`.
	fn org(self) -> u32 {
		if self == Who::DoctorOfOtherOrg {
			ORG_B
		} else {
			ORG_A
		}
	}
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CallKind {
	Grant,
	Revoke,
	Delegate,
	Request,
	ReleaseShare,
	EmergencyOpen,
	EmergencyReview,
	RegisterRecord,
	ReportTamper,
}

const CALLS: [CallKind; 9] = [
	CallKind::Grant,
	CallKind::Revoke,
	CallKind::Delegate,
	CallKind::Request,
	CallKind::ReleaseShare,
	CallKind::EmergencyOpen,
	CallKind::EmergencyReview,
	CallKind::RegisterRecord,
	CallKind::ReportTamper,
];

/// The state of the grant under test (`G`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
	/// G: Role(A, Doctor), read+append, delegable, [T0, T0+DAY); now T0.
	Active,
	/// As Active but [T0+HOUR, T0+DAY); now T0. No request exists.
	NotYetValid,
	/// As Active, requested by the doctor at T0; now T0+DAY.
	Expired,
	/// As Active, requested by the doctor, then revoked by the patient.
	Revoked,
	/// G: the doctor's delegation of the Active grant to the nurse, until T0+HOUR; requested
	/// by the nurse.
	Delegated,
	/// G: the doctor's emergency grant (org A) on the patient; requested by the doctor.
	Emergency,
}

const STATES: [State; 6] = [
	State::Active,
	State::NotYetValid,
	State::Expired,
	State::Revoked,
	State::Delegated,
	State::Emergency,
];

struct Ctx {
	record: RecordId,
	grant: GrantId,
	request: u64,
}

fn setup(state: State) -> Ctx {
	let record = record_of(PATIENT, b"Observation");
	let nb = if state == State::NotYetValid { T0 + HOUR } else { T0 };
	assert_ok!(grant_full(
		PATIENT,
		Scope::AllRecords,
		role(ORG_A, Role::Doctor),
		Purpose::Treatment,
		READ_APPEND,
		nb,
		T0 + DAY,
		true
	));
	let base = crate::NextGrantId::<Test>::get() - 1;
	let request = |who, grant| {
		assert_ok!(Access::request(RuntimeOrigin::signed(who), record, grant, [7; 32]));
		crate::NextRequestId::<Test>::get() - 1
	};
	match state {
		State::Active => Ctx { record, grant: base, request: request(DOCTOR, base) },
		State::NotYetValid => Ctx { record, grant: base, request: 0 },
		State::Expired => {
			let req = request(DOCTOR, base);
			set_time(T0 + DAY);
			Ctx { record, grant: base, request: req }
		}
		State::Revoked => {
			let req = request(DOCTOR, base);
			assert_ok!(Access::revoke(RuntimeOrigin::signed(PATIENT), base));
			Ctx { record, grant: base, request: req }
		}
		State::Delegated => {
			assert_ok!(Access::delegate(RuntimeOrigin::signed(DOCTOR), base, NURSE, T0 + HOUR));
			let g = crate::NextGrantId::<Test>::get() - 1;
			Ctx { record, grant: g, request: request(NURSE, g) }
		}
		State::Emergency => {
			assert_ok!(Access::emergency_open(
				RuntimeOrigin::signed(DOCTOR),
				ORG_A,
				PATIENT,
				EmergencyReason::LifeThreatening,
				[5; 32]
			));
			let g = crate::NextGrantId::<Test>::get() - 1;
			Ctx { record, grant: g, request: request(DOCTOR, g) }
		}
	}
}

fn build(call: CallKind, who: Who, ctx: &Ctx) -> RuntimeCall {
	let now = pallet_timestamp::Now::<Test>::get();
	match call {
		CallKind::Grant => RuntimeCall::Access(crate::Call::grant {
			scope: Scope::Record(ctx.record),
			grantee: acct(DOCTOR),
			purpose: Purpose::Treatment,
			actions: READ,
			not_before: now,
			expires_at: now + HOUR,
			terms_hash: [1; 32],
			delegable: false,
		}),
		CallKind::Revoke => RuntimeCall::Access(crate::Call::revoke { grant: ctx.grant }),
		CallKind::Delegate => RuntimeCall::Access(crate::Call::delegate {
			parent: ctx.grant,
			grantee: RESEARCHER,
			expires_at: now + MINUTE,
		}),
		CallKind::Request => RuntimeCall::Access(crate::Call::request {
			record: ctx.record,
			grant: ctx.grant,
			reply_key: [7; 32],
		}),
		CallKind::ReleaseShare => super::release_call(
			who.account(),
			0,
			vec![(ctx.request, BoundedVec::try_from(vec![1u8; 100]).unwrap())],
		),
		CallKind::EmergencyOpen => RuntimeCall::Access(crate::Call::emergency_open {
			org: who.org(),
			patient: PATIENT,
			reason: EmergencyReason::PatientUnconscious,
			justification_hash: [2; 32],
		}),
		CallKind::EmergencyReview => RuntimeCall::Access(crate::Call::emergency_review {
			grant: ctx.grant,
			approved: true,
			note_hash: [3; 32],
		}),
		CallKind::RegisterRecord => RuntimeCall::Records(pallet_records::Call::register {
			patient: PATIENT,
			custodian_org: ORG_A,
			cid: BoundedVec::try_from(CID.to_vec()).unwrap(),
			ciphertext_hash: [0xcd; 32],
			size: 10,
			content_type: BoundedVec::try_from(b"Observation".to_vec()).unwrap(),
			patient_capsule: BoundedVec::try_from(vec![1u8; 80]).unwrap(),
			custody_capsule: super::custody_capsule(
				PATIENT,
				ORG_A,
				b"Observation",
				&[0xcd; 32],
				10,
				u64::MAX,
			),
			previous: None,
			grant: Some(ctx.grant),
		}),
		CallKind::ReportTamper => RuntimeCall::Records(pallet_records::Call::report_tamper {
			record: ctx.record,
			provider: BoundedVec::try_from(b"gateway-b".to_vec()).unwrap(),
			observed_hash: [1; 32],
			grant: Some(ctx.grant),
		}),
	}
}

/// A release's outcome in the table's terms: the pallet error a pool refusal names; a
/// signature that is not the custodian's is `NotCustodian`, a stale release `UnknownRequest`.
fn pool_outcome(r: Result<(), super::Refused>) -> DispatchResult {
	use codec::Decode;
	match r {
		Ok(()) => Ok(()),
		Err(super::Refused::Dispatch(e)) => Err(e),
		Err(super::Refused::Pool(TransactionValidityError::Invalid(i))) => match i {
			InvalidTransaction::Custom(code) => {
				Err(Error::<Test>::decode(&mut &[code][..]).unwrap().into())
			}
			InvalidTransaction::BadProof => e(Error::NotCustodian),
			InvalidTransaction::Stale => e(Error::UnknownRequest),
			other => panic!("unexpected refusal {other:?}"),
		},
		Err(other) => panic!("unexpected refusal {other:?}"),
	}
}

fn e(err: Error<Test>) -> DispatchResult {
	Err(err.into())
}

/// One row of the table: for `(call, state)`, the roles with a specific outcome, and the
/// outcome of every other role.
struct Row {
	call: CallKind,
	state: State,
	specific: Vec<(Who, DispatchResult)>,
	otherwise: DispatchResult,
}

fn table() -> Vec<Row> {
	use CallKind::*;
	use State::*;
	use Who::*;
	let mut rows = vec![];
	let mut row = |call, state, specific: Vec<(Who, DispatchResult)>, otherwise| {
		rows.push(Row { call, state, specific, otherwise })
	};
	for s in STATES {
		// Grant on the patient's record: only its patient; another patient does not own it.
		row(
			Grant,
			s,
			vec![(Patient, Ok(())), (OtherPatient, e(Error::NotRecordOwner))],
			e(Error::NotPatient),
		);
		// Emergency access: members with the emergency flag in their organisation.
		row(
			EmergencyOpen,
			s,
			vec![(DoctorOfGranteeOrg, Ok(())), (DoctorOfOtherOrg, Ok(()))],
			e(Error::NotEmergencyMember),
		);
		// Tampering is reported by the patient, the members of the record's custodian
		// organisation (A: the doctor, nurse, researcher, auditor, manager) and the custodians;
		// anyone else only under a grant it may read the record by, and nobody else is the
		// grantee of the state's grant.
		row(
			ReportTamper,
			s,
			vec![
				(Unregistered, Err(pallet_records::Error::<Test>::NotRegistered.into())),
				(OtherPatient, e(Error::NotGrantee)),
				(DoctorOfOtherOrg, e(Error::NotGrantee)),
			],
			Ok(()),
		);
	}

	// Revoke: the patient; for a delegation also the delegator.
	row(Revoke, Active, vec![(Patient, Ok(()))], e(Error::NotGrantor));
	row(Revoke, NotYetValid, vec![(Patient, Ok(()))], e(Error::NotGrantor));
	row(Revoke, Expired, vec![(Patient, Ok(()))], e(Error::NotGrantor));
	row(Revoke, Revoked, vec![(Patient, e(Error::AlreadyRevoked))], e(Error::NotGrantor));
	row(
		Revoke,
		Delegated,
		vec![(Patient, Ok(())), (DoctorOfGranteeOrg, Ok(()))],
		e(Error::NotGrantor),
	);
	row(Revoke, Emergency, vec![(Patient, Ok(()))], e(Error::NotGrantor));

	// Delegate: a grantee of a usable, delegable, non-delegated grant.
	row(Delegate, Active, vec![(DoctorOfGranteeOrg, Ok(()))], e(Error::NotGrantee));
	row(
		Delegate,
		NotYetValid,
		vec![(DoctorOfGranteeOrg, e(Error::GrantNotYetValid))],
		e(Error::NotGrantee),
	);
	row(
		Delegate,
		Expired,
		vec![(DoctorOfGranteeOrg, e(Error::GrantExpired))],
		e(Error::NotGrantee),
	);
	row(
		Delegate,
		Revoked,
		vec![(DoctorOfGranteeOrg, e(Error::GrantRevoked))],
		e(Error::NotGrantee),
	);
	row(Delegate, Delegated, vec![(Nurse, e(Error::NotDelegable))], e(Error::NotGrantee));
	row(
		Delegate,
		Emergency,
		vec![(DoctorOfGranteeOrg, e(Error::NotDelegable))],
		e(Error::NotGrantee),
	);

	// Request: the grantee of a usable grant covering the record with read.
	row(Request, Active, vec![(DoctorOfGranteeOrg, Ok(()))], e(Error::NotGrantee));
	row(
		Request,
		NotYetValid,
		vec![(DoctorOfGranteeOrg, e(Error::GrantNotYetValid))],
		e(Error::NotGrantee),
	);
	row(Request, Expired, vec![(DoctorOfGranteeOrg, e(Error::GrantExpired))], e(Error::NotGrantee));
	row(Request, Revoked, vec![(DoctorOfGranteeOrg, e(Error::GrantRevoked))], e(Error::NotGrantee));
	row(Request, Delegated, vec![(Nurse, Ok(()))], e(Error::NotGrantee));
	row(Request, Emergency, vec![(DoctorOfGranteeOrg, Ok(()))], e(Error::NotGrantee));

	// Release share (index 0): its custodian, while the grant is usable.
	row(ReleaseShare, Active, vec![(Custodian, Ok(()))], e(Error::NotCustodian));
	// No request exists in this state: stale for everyone (what requests exist is public).
	row(ReleaseShare, NotYetValid, vec![], e(Error::UnknownRequest));
	row(ReleaseShare, Expired, vec![(Custodian, e(Error::GrantExpired))], e(Error::NotCustodian));
	row(ReleaseShare, Revoked, vec![(Custodian, e(Error::GrantRevoked))], e(Error::NotCustodian));
	row(ReleaseShare, Delegated, vec![(Custodian, Ok(()))], e(Error::NotCustodian));
	row(ReleaseShare, Emergency, vec![(Custodian, Ok(()))], e(Error::NotCustodian));

	// Emergency review: a manager or auditor of the opener's org, of an emergency grant.
	for s in [Active, NotYetValid, Expired, Revoked, Delegated] {
		row(EmergencyReview, s, vec![], e(Error::NotEmergencyGrant));
	}
	row(
		EmergencyReview,
		Emergency,
		vec![(Manager, Ok(())), (Auditor, Ok(()))],
		e(Error::NotReviewer),
	);

	// Register a record for the patient: the patient, or a grantee of a usable grant with
	// append (member of the custodian org).
	row(
		RegisterRecord,
		Active,
		vec![(Patient, Ok(())), (DoctorOfGranteeOrg, Ok(()))],
		e(Error::NotGrantee),
	);
	row(
		RegisterRecord,
		NotYetValid,
		vec![(Patient, Ok(())), (DoctorOfGranteeOrg, e(Error::GrantNotYetValid))],
		e(Error::NotGrantee),
	);
	row(
		RegisterRecord,
		Expired,
		vec![(Patient, Ok(())), (DoctorOfGranteeOrg, e(Error::GrantExpired))],
		e(Error::NotGrantee),
	);
	row(
		RegisterRecord,
		Revoked,
		vec![(Patient, Ok(())), (DoctorOfGranteeOrg, e(Error::GrantRevoked))],
		e(Error::NotGrantee),
	);
	row(RegisterRecord, Delegated, vec![(Patient, Ok(())), (Nurse, Ok(()))], e(Error::NotGrantee));
	row(
		RegisterRecord,
		Emergency,
		vec![(Patient, Ok(())), (DoctorOfGranteeOrg, e(Error::AppendNotAllowed))],
		e(Error::NotGrantee),
	);
	rows
}

fn expected(rows: &[Row], call: CallKind, state: State, who: Who) -> DispatchResult {
	let matching: Vec<&Row> = rows.iter().filter(|r| r.call == call && r.state == state).collect();
	assert_eq!(matching.len(), 1, "exactly one row for {call:?} x {state:?}");
	let row = matching[0];
	row.specific.iter().find(|(w, _)| *w == who).map(|(_, r)| *r).unwrap_or(row.otherwise)
}

#[test]
fn authorization_matrix() {
	let rows = table();
	let mut cells = 0usize;
	let mut oks = 0usize;
	for state in STATES {
		for call in CALLS {
			for who in WHO {
				let want = expected(&rows, call, state, who);
				new_test_ext().execute_with(|| {
					let ctx = setup(state);
					let rc = build(call, who, &ctx);
					assert_eq!(rc.get_dispatch_info().pays_fee, Pays::No, "{call:?} is feeless");
					if who == Who::Unregistered {
						let info = rc.get_dispatch_info();
						assert_eq!(
							CheckRegistered::<Test>::new()
								.validate_only(
									Some(STRANGER).into(),
									&rc,
									&info,
									0,
									TransactionSource::External,
									0
								)
								.unwrap_err(),
							TransactionValidityError::Invalid(InvalidTransaction::Custom(
								INVALID_NOT_REGISTERED
							)),
							"the extension rejects {call:?} from an unregistered account"
						);
					}
					let run = || -> DispatchResult {
						if call == CallKind::ReleaseShare {
							return pool_outcome(super::submit_authorized(rc.clone()));
						}
						rc.clone()
							.dispatch(RuntimeOrigin::signed(who.account()))
							.map(|_| ())
							.map_err(|e| e.error)
					};
					match want {
						Ok(()) => {
							assert_eq!(run(), Ok(()), "{who:?} x {call:?} x {state:?}");
							assert_ok!(Access::do_try_state());
							assert_ok!(Records::do_try_state());
						}
						Err(err) => {
							let got: Result<(), DispatchError> = run();
							assert_eq!(got, Err(err), "{who:?} x {call:?} x {state:?}");
							assert_noop!(run(), err);
						}
					}
				});
				cells += 1;
				if want.is_ok() {
					oks += 1;
				}
			}
		}
	}
	println!(
		"authorization matrix: {} roles x {} calls x {} grant states = {cells} cells ({oks} Ok, {} errors)",
		WHO.len(),
		CALLS.len(),
		STATES.len(),
		cells - oks
	);
	assert_eq!(cells, 540);
}
