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

pub fn capsule() -> CapsuleOf<Test> {
	BoundedVec::try_from(vec![1u8; 80]).unwrap()
}

/// Register an `Observation` for `patient` signed by `who`.
pub fn register_as(
	who: u64,
	patient: u64,
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
		ct(b"Observation"),
		capsule(),
		capsule(),
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
