//! Behaviour tests of the records pallet, one file per rule family.

mod register;
mod tamper;
mod versions;

use crate::mock::*;
use crate::{CapsuleOf, CidOf, ContentTypeOf, RecordId};
use frame_support::BoundedVec;
use sp_runtime::DispatchResult;

/// A valid CIDv0.
pub const CID_V0: &[u8] = b"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
/// A valid CIDv1 (raw, sha2-256).
pub const CID_V1: &[u8] = b"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";

pub fn cid(c: &[u8]) -> CidOf<Test> {
	BoundedVec::try_from(c.to_vec()).unwrap()
}

pub fn ct(c: &[u8]) -> ContentTypeOf<Test> {
	BoundedVec::try_from(c.to_vec()).unwrap()
}

/// A patient capsule.
pub fn capsule() -> CapsuleOf<Test> {
	BoundedVec::try_from(vec![1u8; 80]).unwrap()
}

/// A seed no other call of this function returns: every record gets its own point.
pub fn next_seed() -> u64 {
	use core::sync::atomic::{AtomicU64, Ordering};
	static NEXT: AtomicU64 = AtomicU64::new(1);
	NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The custody capsule a client seals for the record with these fields (ciphertext hash
/// `[0xab; 32]`) under the mock's custody key, with ephemeral scalar `seed`: one seed, one
/// point.
pub fn custody_capsule_for(
	patient: u64,
	org: u32,
	cid: &[u8],
	size: u64,
	content_type: &[u8],
	seed: u64,
) -> CapsuleOf<Test> {
	use codec::Encode;
	use ehr_primitives::capsule::{prove, RecordLabel, Scalar};
	use pallet_consortium::Membership;
	let key = <Consortium as Membership<u64>>::custody_key().unwrap();
	let patient = patient.encode();
	let label = RecordLabel {
		patient: &patient,
		custodian_org: org,
		content_type,
		ciphertext_hash: &[0xab; 32],
		size,
		cid,
	}
	.digest();
	let capsule = prove(
		&key,
		&label,
		&Scalar::from(seed),
		&Scalar::from(seed.wrapping_add(1 << 40)),
		&[3; 48],
	);
	BoundedVec::try_from(capsule.to_vec()).unwrap()
}

/// Register an `Observation` for `patient` signed by `who`.
pub fn register_as(
	who: u64,
	patient: u64,
	previous: Option<RecordId>,
	grant: Option<u64>,
) -> DispatchResult {
	let custody = custody_capsule_for(patient, 1, CID_V0, 1024, b"Observation", next_seed());
	register_full(who, patient, b"Observation", custody, previous, grant)
}

/// Register a record of `content_type` with the custody capsule `custody` for `patient`,
/// signed by `who`, kept by organisation 1 (CID `CID_V0`, 1024 bytes).
pub fn register_full(
	who: u64,
	patient: u64,
	content_type: &[u8],
	custody: CapsuleOf<Test>,
	previous: Option<RecordId>,
	grant: Option<u64>,
) -> DispatchResult {
	Records::register(
		RuntimeOrigin::signed(who),
		patient,
		1,
		cid(CID_V0),
		[0xab; 32],
		1024,
		ct(content_type),
		capsule(),
		custody,
		previous,
		grant,
	)
}

/// The last event of this pallet.
pub fn last_event() -> crate::Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Records(e) => Some(e),
			_ => None,
		})
		.expect("an event")
}
