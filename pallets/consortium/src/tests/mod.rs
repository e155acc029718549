//! Behaviour tests of the consortium pallet, one file per rule family.

mod accounts;
mod custody;
mod extension;
mod genesis;
mod members;
mod membership;
mod organisations;

use crate::mock::System;

/// The last event deposited, as this pallet's event.
pub fn last_event() -> crate::Event<crate::mock::Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			crate::mock::RuntimeEvent::Consortium(e) => Some(e),
			_ => None,
		})
		.expect("an event")
}
