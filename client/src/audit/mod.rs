//! The audit trail: the events of the project's pallets (consortium, records, access) in a
//! block, with where and when they happened, and the project's transactions that the chain
//! ran and refused. Every state change of these pallets emits an event naming who, what and
//! under which grant, so the chain's events are the audit log; [`index`] keeps them in a
//! local database that follows the finalized chain.

mod facts;
pub mod index;

use subxt::utils::{AccountId32, H256};

pub use facts::{address, facts, Facts};
pub use index::{AuditIndex, AuditRow, Filter, IndexError};

use crate::chain::{inner_failure, runtime, At, ChainError, DispatchFailure};

/// An event of one of the project's pallets, or a refused transaction to one of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditEvent {
	/// Organisations, members, accounts, custody.
	Consortium(runtime::consortium::Event),
	/// Record registrations and tamper reports.
	Records(runtime::records::Event),
	/// Grants, requests, key releases, emergencies.
	Access(runtime::access::Event),
	/// A signed transaction to one of the project's pallets that the chain ran and refused
	/// (`System.ExtrinsicFailed`): it changed nothing, but it is on chain.
	Refused(Refusal),
	/// An event of the project's pallets that this client cannot decode (a newer runtime):
	/// kept by name so that the trail shows it, rather than stopping at it.
	Undecoded {
		/// The pallet.
		pallet: String,
		/// The event's name.
		name: String,
	},
}

/// A transaction that landed in a block and failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
	/// The call, as `Pallet.call`.
	pub call: String,
	/// Who signed it.
	pub signer: Option<AccountId32>,
	/// The patient the call named, if any (`register`, `emergency_open`).
	pub patient: Option<AccountId32>,
	/// The record the call named, if any.
	pub record: Option<u64>,
	/// The grant the call named, if any.
	pub grant: Option<u64>,
	/// Why the chain refused it.
	pub failure: DispatchFailure,
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
	let mut body = None;
	for event in events.iter() {
		let event = event?;
		let extrinsic = match event.phase() {
			subxt::events::Phase::ApplyExtrinsic(i) => Some(i),
			_ => None,
		};
		let decoded = match event.pallet_name() {
			"Consortium" | "Records" | "Access" => match event.decode_as::<runtime::Event>() {
				Ok(runtime::Event::Consortium(e)) => AuditEvent::Consortium(e),
				Ok(runtime::Event::Records(e)) => AuditEvent::Records(e),
				Ok(runtime::Event::Access(e)) => AuditEvent::Access(e),
				Ok(_) => continue,
				Err(_) => AuditEvent::Undecoded {
					pallet: event.pallet_name().to_owned(),
					name: event.event_name().to_owned(),
				},
			},
			"System" if event.event_name() == "ExtrinsicFailed" => {
				let (
					Some(i),
					runtime::Event::System(runtime::system::Event::ExtrinsicFailed {
						dispatch_error,
						..
					}),
				) = (extrinsic, event.decode_as::<runtime::Event>()?)
				else {
					continue;
				};
				if body.is_none() {
					body = Some(at.extrinsics().fetch().await?);
				}
				let Some(Ok(ext)) = body.as_ref().and_then(|b| b.iter().nth(i as usize)) else {
					continue;
				};
				match refusal(at, &ext, &dispatch_error) {
					Some(r) => AuditEvent::Refused(r),
					None => continue,
				}
			}
			_ => continue,
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

/// The refusal of `ext`, if it is a signed call to one of the project's pallets.
fn refusal<C>(
	at: &At,
	ext: &subxt::extrinsics::Extrinsic<'_, crate::chain::EhrConfig, C>,
	error: &runtime::generated::runtime_types::sp_runtime::DispatchError,
) -> Option<Refusal>
where
	C: subxt::client::OfflineClientAtBlockT<crate::chain::EhrConfig> + Clone,
{
	if !matches!(ext.pallet_name(), "Consortium" | "Records" | "Access") {
		return None;
	}
	// A signed extrinsic's address is `MultiAddress::Id` (variant 0) and the account id.
	let signer = ext
		.address_bytes()
		.and_then(|a| a.strip_prefix(&[0u8]))
		.and_then(|a| <[u8; 32]>::try_from(a).ok())
		.map(AccountId32);
	let (record, grant, patient) = match ext.decode_call_data_as::<runtime::RuntimeCall>() {
		Ok(runtime::RuntimeCall::Access(call)) => {
			use runtime::generated::runtime_types::pallet_access::pallet::Call as A;
			match call {
				A::request { record, grant, .. } => (Some(record), Some(grant), None),
				A::revoke { grant } | A::emergency_review { grant, .. } => {
					(None, Some(grant), None)
				}
				A::delegate { parent, .. } => (None, Some(parent), None),
				A::emergency_open { patient, .. } => (None, None, Some(patient)),
				_ => (None, None, None),
			}
		}
		Ok(runtime::RuntimeCall::Records(call)) => {
			use runtime::generated::runtime_types::pallet_records::pallet::Call as R;
			match call {
				R::register { patient, previous, grant, .. } => (previous, grant, Some(patient)),
				R::report_tamper { record, .. } => (Some(record), None, None),
			}
		}
		_ => (None, None, None),
	};
	Some(Refusal {
		call: format!("{}.{}", ext.pallet_name(), ext.call_name()),
		signer,
		patient,
		record,
		grant,
		failure: inner_failure(at, error),
	})
}
