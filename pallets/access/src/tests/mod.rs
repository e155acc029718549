//! Behaviour tests of the access pallet, one file per rule family, and the authorization
//! matrix.

mod append;
mod authority;
mod config;
mod delegate;
mod emergency;
mod grant;
mod matrix;
mod release;
mod request;
mod revoke;
mod runtime_api;
mod tamper;

use crate::mock::*;
use crate::{
	Actions, ContentTypeOf, GrantId, Grantee, GranteeOf, Purpose, RecordId, Scope, ScopeOf,
};
use frame_support::{assert_ok, BoundedVec};
use pallet_consortium::Role;

/// A valid CIDv0.
pub const CID: &[u8] = b"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";

/// Read only.
pub const READ: Actions = Actions { read: true, append: false };
/// Read and append.
pub const READ_APPEND: Actions = Actions { read: true, append: true };
/// Append only.
pub const APPEND: Actions = Actions { read: false, append: true };

pub fn ct(t: &[u8]) -> ContentTypeOf<Test> {
	BoundedVec::try_from(t.to_vec()).unwrap()
}

pub fn role(org: u32, r: Role) -> GranteeOf<Test> {
	Grantee::Role(org, r)
}

pub fn acct(a: u64) -> GranteeOf<Test> {
	Grantee::Account(a)
}

/// Register a record of `patient` (content type `t`, custodian org A), by the patient.
pub fn record_of(patient: u64, t: &[u8]) -> RecordId {
	register_by(patient, patient, t, None).unwrap();
	pallet_records::NextRecordId::<Test>::get() - 1
}

/// `who` registers an `Observation`-like record of type `t` for `patient`.
pub fn register_by(
	who: u64,
	patient: u64,
	t: &[u8],
	grant: Option<GrantId>,
) -> sp_runtime::DispatchResult {
	Records::register(
		RuntimeOrigin::signed(who),
		patient,
		ORG_A,
		BoundedVec::try_from(CID.to_vec()).unwrap(),
		[0xab; 32],
		1000,
		BoundedVec::try_from(t.to_vec()).unwrap(),
		BoundedVec::try_from(vec![1u8; 80]).unwrap(),
		custody_capsule(
			patient,
			ORG_A,
			t,
			&[0xab; 32],
			1000,
			NEXT_CAPSULE.fetch_add(1, core::sync::atomic::Ordering::Relaxed),
		),
		None,
		grant,
	)
}

/// Seeds of the custody capsules `register_by` files: every record gets its own point.
static NEXT_CAPSULE: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);

/// The custody capsule a client seals for a record of `patient` with these fields (CID
/// [`CID`]) under the mock's custody key, with ephemeral scalar `seed`.
pub fn custody_capsule(
	patient: u64,
	org: u32,
	content_type: &[u8],
	ciphertext_hash: &[u8; 32],
	size: u64,
	seed: u64,
) -> pallet_records::CapsuleOf<Test> {
	use codec::Encode;
	use ehr_primitives::capsule::{prove, RecordLabel, Scalar};
	use pallet_consortium::Membership;
	let key = <Consortium as Membership<u64>>::custody_key().unwrap();
	let patient = patient.encode();
	let label = RecordLabel {
		patient: &patient,
		custodian_org: org,
		content_type,
		ciphertext_hash,
		size,
		cid: CID,
	}
	.digest();
	let r = Scalar::from(seed);
	let capsule = prove(&key, &label, &r, &Scalar::from(seed.wrapping_add(1 << 40)), &[3; 48]);
	BoundedVec::try_from(capsule.to_vec()).unwrap()
}

/// `patient` grants `grantee` access for a purpose, within `[nb, exp)`.
#[allow(clippy::too_many_arguments)] // extrinsic parameters, documented above
pub fn grant_full(
	patient: u64,
	scope: ScopeOf<Test>,
	grantee: GranteeOf<Test>,
	purpose: Purpose,
	actions: Actions,
	nb: u64,
	exp: u64,
	delegable: bool,
) -> sp_runtime::DispatchResult {
	Access::grant(
		RuntimeOrigin::signed(patient),
		scope,
		grantee,
		purpose,
		actions,
		nb,
		exp,
		[7; 32],
		delegable,
	)
}

/// `PATIENT` grants `grantee` Treatment access to all records, now for a day; returns its id.
pub fn simple_grant(grantee: GranteeOf<Test>, actions: Actions, delegable: bool) -> GrantId {
	assert_ok!(grant_full(
		PATIENT,
		Scope::AllRecords,
		grantee,
		Purpose::Treatment,
		actions,
		T0,
		T0 + DAY,
		delegable
	));
	crate::NextGrantId::<Test>::get() - 1
}

/// A sealed key share as a custodian submits it (opaque to the chain).
pub fn share() -> crate::ShareOf<Test> {
	BoundedVec::try_from(vec![5u8; 160]).unwrap()
}

/// Why a release did not land: the pool (and the block builder) refused it, or its dispatch
/// failed.
#[derive(Debug, PartialEq)]
pub enum Refused {
	/// `authorize_release` refused the transaction.
	Pool(sp_runtime::transaction_validity::TransactionValidityError),
	/// The call failed.
	Dispatch(sp_runtime::DispatchError),
}

/// The pool's refusal naming the access pallet error `e`.
pub fn refused(e: crate::Error<Test>) -> Result<(), Refused> {
	Err(Refused::Pool(crate::refusal::<Test>(e)))
}

/// The pool's refusal of a release already on chain or of a pruned request.
pub fn stale() -> Result<(), Refused> {
	Err(Refused::Pool(sp_runtime::transaction_validity::InvalidTransaction::Stale.into()))
}

/// The `release_shares` call of custodian `index` for `releases`, signed by `signer`.
pub fn release_call(
	signer: u64,
	index: u16,
	releases: Vec<(u64, crate::ShareOf<Test>)>,
) -> RuntimeCall {
	let genesis = frame_system::Pallet::<Test>::block_hash(0);
	let signed: Vec<_> = releases
		.iter()
		.map(|(r, share)| {
			let reply = crate::Requests::<Test>::get(r).map(|q| q.reply_key).unwrap_or_default();
			(*r, reply, share.clone())
		})
		.collect();
	let payload = crate::release_signing_payload(&genesis, index, &signed);
	RuntimeCall::Access(crate::Call::release_shares {
		custodian_index: index,
		releases: BoundedVec::try_from(releases).unwrap(),
		signature: sp_runtime::testing::TestSignature(signer, payload),
	})
}

/// Submits `call` as the pool and the block builder take an authorized transaction:
/// `authorize` (which must not write storage), then dispatch with the `Authorized` origin.
pub fn submit_authorized(call: RuntimeCall) -> Result<(), Refused> {
	use frame_support::traits::{Authorize, UnfilteredDispatchable};
	let before = sp_io::storage::root(sp_runtime::StateVersion::V1);
	let authorized = call.authorize(sp_runtime::transaction_validity::TransactionSource::External);
	if let Some(Err(e)) = authorized {
		assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), before, "a refusal writes");
		return Err(Refused::Pool(e));
	}
	assert!(authorized.is_some(), "release_shares is an authorized call");
	call.dispatch_bypass_filter(frame_system::RawOrigin::Authorized.into())
		.map(|_| ())
		.map_err(|e| Refused::Dispatch(e.error))
}

/// `who` releases `share()` for request `req` as custodian `index`, through the pool.
pub fn release(who: u64, req: u64, index: u16) -> Result<(), Refused> {
	submit_authorized(release_call(who, index, vec![(req, share())]))
}

/// `who` opens emergency access to `patient` under `org` (patient unconscious).
pub fn emergency_open_as(who: u64, org: u32, patient: u64) -> sp_runtime::DispatchResult {
	Access::emergency_open(
		RuntimeOrigin::signed(who),
		org,
		patient,
		crate::EmergencyReason::PatientUnconscious,
		[3; 32],
	)
}

/// The events of the access pallet so far.
pub fn access_events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Access(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// The last event of the access pallet.
pub fn last_event() -> crate::Event<Test> {
	access_events().pop().expect("an access event")
}
