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

/// A custody capsule of the current length with an ephemeral point no other call of this
/// function returns.
pub fn custody_capsule() -> CapsuleOf<Test> {
	use core::sync::atomic::{AtomicU64, Ordering};
	static NEXT: AtomicU64 = AtomicU64::new(1);
	custody_capsule_with(NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A custody capsule of the current length whose ephemeral point starts with `seed`.
pub fn custody_capsule_with(seed: u64) -> CapsuleOf<Test> {
	let mut v = vec![3u8; 144];
	v[..8].copy_from_slice(&seed.to_le_bytes());
	BoundedVec::try_from(v).unwrap()
}

/// Register an `Observation` for `patient` signed by `who`.
pub fn register_as(
	who: u64,
	patient: u64,
	previous: Option<RecordId>,
	grant: Option<u64>,
) -> DispatchResult {
	register_full(who, patient, b"Observation", custody_capsule(), previous, grant)
}

/// Register a record of `content_type` with the custody capsule `custody` for `patient`,
/// signed by `who`, kept by organisation 1.
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
