//! The audit trail: the events of the project's pallets (consortium, records, access) in a
//! block, with where and when they happened. Every state change of these pallets emits an
//! event naming who, what and under which grant, so the chain's events are the audit log.

use subxt::utils::H256;

use crate::chain::{runtime, At, ChainError};

/// An event of one of the project's pallets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditEvent {
	/// Organisations, members, accounts, custody.
	Consortium(runtime::consortium::Event),
	/// Record registrations and tamper reports.
	Records(runtime::records::Event),
	/// Grants, requests, key releases, emergencies.
	Access(runtime::access::Event),
}

/// One audit event and where it is on chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
	/// The block's number.
	pub block_number: u64,
	/// The block's hash.
	pub block_hash: H256,
	/// The event's index among the block's events.
	pub index: u32,
	/// The index of the transaction that emitted it, if a transaction did (not a block hook).
	pub extrinsic: Option<u32>,
	/// The event.
	pub event: AuditEvent,
}

/// The audit events of the block `at`, in order.
pub async fn events_at(at: &At) -> Result<Vec<AuditEntry>, ChainError> {
	let events = at.events().fetch().await?;
	let mut out = Vec::new();
	for event in events.iter() {
		let event = event?;
		if !matches!(event.pallet_name(), "Consortium" | "Records" | "Access") {
			continue;
		}
		let decoded = match event.decode_as::<runtime::Event>()? {
			runtime::Event::Consortium(e) => AuditEvent::Consortium(e),
			runtime::Event::Records(e) => AuditEvent::Records(e),
			runtime::Event::Access(e) => AuditEvent::Access(e),
			_ => continue,
		};
		let extrinsic = match event.phase() {
			subxt::events::Phase::ApplyExtrinsic(i) => Some(i),
			_ => None,
		};
		out.push(AuditEntry {
			block_number: at.block_number(),
			block_hash: at.block_hash(),
			index: event.index(),
			extrinsic,
			event: decoded,
		});
	}
	Ok(out)
}
