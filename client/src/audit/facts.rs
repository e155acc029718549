//! What an audit event says, in a form an index can file and a person can read: the
//! event's name, the patient and accounts it concerns, the record, grant and request it is
//! about, and its fields as JSON (addresses in SS58, hashes in hex, chain times in
//! milliseconds since the Unix epoch).

use serde_json::{json, Map, Value};
use subxt::utils::AccountId32;

use super::{AuditEvent, Refusal};
use crate::{
	chain::runtime::{access, consortium, records},
	crypto::identity::{ss58_encode, SS58_PREFIX},
	grants::{grantee_text, scope_text},
};

/// What one audit event is about.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
	/// The pallet that emitted it (`Consortium`, `Records`, `Access`).
	pub pallet: &'static str,
	/// The event's name, e.g. `GrantCreated`.
	pub name: &'static str,
	/// The patient whose records it concerns, when the event names one.
	pub patient: Option<AccountId32>,
	/// Every account the event names (patient, grantee, requester, custodian, reviewer...).
	pub accounts: Vec<AccountId32>,
	/// The record it is about.
	pub record: Option<u64>,
	/// The grant it is about.
	pub grant: Option<u64>,
	/// The access request it is about.
	pub request: Option<u64>,
	/// The event's fields.
	pub details: Value,
}

/// An account as an SS58 address.
pub fn address(account: &AccountId32) -> String {
	ss58_encode(&account.0, SS58_PREFIX)
}

fn hex32(bytes: &[u8; 32]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// A unit enum variant as lower-case words: `PatientUnconscious` -> `patient unconscious`.
fn lower(debug: impl std::fmt::Debug) -> String {
	let mut out = String::new();
	for (i, c) in format!("{debug:?}").chars().enumerate() {
		if c.is_uppercase() && i > 0 {
			out.push(' ');
		}
		out.extend(c.to_lowercase());
	}
	out
}

/// Builds [`Facts`] field by field.
struct Builder {
	facts: Facts,
	details: Map<String, Value>,
}

impl Builder {
	fn new(pallet: &'static str, name: &'static str) -> Self {
		Builder {
			facts: Facts {
				pallet,
				name,
				patient: None,
				accounts: Vec::new(),
				record: None,
				grant: None,
				request: None,
				details: Value::Null,
			},
			details: Map::new(),
		}
	}
	fn field(mut self, key: &str, value: impl Into<Value>) -> Self {
		self.details.insert(key.to_owned(), value.into());
		self
	}
	fn account(mut self, key: &str, who: &AccountId32) -> Self {
		if !self.facts.accounts.contains(who) {
			self.facts.accounts.push(*who);
		}
		self.field(key, address(who))
	}
	fn maybe_account(self, key: &str, who: &Option<AccountId32>) -> Self {
		match who {
			Some(who) => self.account(key, who),
			None => self.field(key, "governance"),
		}
	}
	fn patient(mut self, who: &AccountId32) -> Self {
		self.facts.patient = Some(*who);
		self.account("patient", who)
	}
	fn record(mut self, id: u64) -> Self {
		self.facts.record = Some(id);
		self.field("record", id)
	}
	fn grant(mut self, id: u64) -> Self {
		self.facts.grant = Some(id);
		self.field("grant", id)
	}
	fn request(mut self, id: u64) -> Self {
		self.facts.request = Some(id);
		self.field("request", id)
	}
	fn done(mut self) -> Facts {
		self.facts.details = Value::Object(self.details);
		self.facts
	}
}

/// What `event` says.
pub fn facts(event: &AuditEvent) -> Facts {
	match event {
		AuditEvent::Consortium(e) => consortium_facts(e),
		AuditEvent::Records(e) => records_facts(e),
		AuditEvent::Access(e) => access_facts(e),
		AuditEvent::Refused(r) => refusal_facts(r),
		AuditEvent::Undecoded { pallet, name } => {
			let pallet = ["Consortium", "Records", "Access"]
				.into_iter()
				.find(|p| p == pallet)
				.unwrap_or("Access");
			Builder::new(pallet, "Undecoded").field("event", name.clone()).done()
		}
	}
}

fn refusal_facts(r: &Refusal) -> Facts {
	let pallet = ["Consortium", "Records", "Access"]
		.into_iter()
		.find(|p| r.call.split('.').next() == Some(*p))
		.unwrap_or("Access");
	let mut b = Builder::new(pallet, "Refused").field("call", r.call.clone());
	if let Some(who) = &r.signer {
		b = b.account("signer", who);
	}
	if let Some(who) = &r.patient {
		b = b.patient(who);
	}
	if let Some(id) = r.record {
		b = b.record(id);
	}
	if let Some(id) = r.grant {
		b = b.grant(id);
	}
	b.field("error", format!("{}.{}", r.failure.pallet, r.failure.error))
		.field("reason", r.failure.doc.clone())
		.done()
}

fn consortium_facts(event: &consortium::Event) -> Facts {
	use consortium::Event as E;
	let b = |name| Builder::new("Consortium", name);
	match event {
		E::OrganisationAdded { org, custodian_index, at } => b("OrganisationAdded")
			.field("org", *org)
			.field("custodian_index", json!(custodian_index))
			.field("at_block", *at),
		E::OrganisationStatusChanged { org, status, at } => b("OrganisationStatusChanged")
			.field("org", *org)
			.field("status", lower(status))
			.field("at_block", *at),
		E::MemberAdded { org, who, roles, emergency, by, at }
		| E::MemberUpdated { org, who, roles, emergency, by, at } => {
			let name = if matches!(event, E::MemberAdded { .. }) {
				"MemberAdded"
			} else {
				"MemberUpdated"
			};
			b(name)
				.field("org", *org)
				.account("who", who)
				.field("roles", crate::consortium::role_names(roles))
				.field("emergency", *emergency)
				.maybe_account("by", by)
				.field("at_block", *at)
		}
		E::MemberRemoved { org, who, by, at } => b("MemberRemoved")
			.field("org", *org)
			.account("who", who)
			.maybe_account("by", by)
			.field("at_block", *at),
		E::AccountInvited { who, kind, org, by, expires_at, at } => b("AccountInvited")
			.account("who", who)
			.field("kind", lower(kind))
			.field("org", *org)
			.maybe_account("by", by)
			.field("expires_at_block", *expires_at)
			.field("at_block", *at),
		E::AccountRegistered { who, kind, org, by, x25519, at } => b("AccountRegistered")
			.account("who", who)
			.field("kind", lower(kind))
			.field("org", *org)
			.maybe_account("invited_by", by)
			.field("x25519", hex32(x25519))
			.field("at_block", *at),
		E::InvitationCancelled { who, by, at } => b("InvitationCancelled")
			.account("who", who)
			.maybe_account("by", by)
			.field("at_block", *at),
		E::AccountStatusChanged { who, status, by, at } => b("AccountStatusChanged")
			.account("who", who)
			.field("status", lower(status))
			.maybe_account("by", by)
			.field("at_block", *at),
		E::AccountKindChanged { who, kind, at } => b("AccountKindChanged")
			.account("who", who)
			.field("kind", lower(kind))
			.field("at_block", *at),
		E::KeyRotated { who, x25519, at } => b("KeyRotated")
			.account("who", who)
			.field("x25519", hex32(x25519))
			.field("at_block", *at),
		E::CustodyConfigSet { public_key, custodians, threshold, at } => b("CustodyConfigSet")
			.field("public_key", hex32(public_key))
			.field("custodians", *custodians)
			.field("threshold", *threshold)
			.field("at_block", *at),
	}
	.done()
}

fn records_facts(event: &records::Event) -> Facts {
	use records::Event as E;
	let b = |name| Builder::new("Records", name);
	match event {
		E::RecordRegistered {
			record,
			patient,
			custodian_org,
			registered_by,
			grant,
			previous,
			at,
		} => {
			let built = b("RecordRegistered")
				.record(*record)
				.patient(patient)
				.field("custodian_org", *custodian_org)
				.account("registered_by", registered_by)
				.field("previous", json!(previous))
				.field("at", *at);
			match grant {
				Some(g) => built.grant(*g),
				None => built,
			}
		}
		E::TamperReported {
			record,
			reporter,
			provider,
			observed_hash,
			expected_hash,
			reports,
			at,
		} => b("TamperReported")
			.record(*record)
			.account("reporter", reporter)
			.field("provider", String::from_utf8_lossy(&provider.0).into_owned())
			.field("observed_hash", hex32(observed_hash))
			.field("expected_hash", hex32(expected_hash))
			.field("reports", *reports)
			.field("at", *at),
	}
	.done()
}

fn access_facts(event: &access::Event) -> Facts {
	use access::Event as E;
	let b = |name| Builder::new("Access", name);
	match event {
		E::GrantCreated {
			grant,
			patient,
			grantee,
			scope,
			purpose,
			actions,
			not_before,
			expires_at,
			at,
		} => {
			let built = b("GrantCreated").grant(*grant).patient(patient);
			let built = match grantee {
				crate::grants::Grantee::Account(who) => built.account("grantee", who),
				role => built.field("grantee", grantee_text(role)),
			};
			let built = match scope {
				crate::grants::Scope::Record(id) => built.record(*id),
				_ => built,
			};
			built
				.field("scope", scope_text(scope))
				.field("purpose", lower(purpose))
				.field("read", actions.read)
				.field("append", actions.append)
				.field("not_before", *not_before)
				.field("expires_at", *expires_at)
				.field("at", *at)
		}
		E::GrantDelegated { grant, parent, by, grantee, expires_at, at } => b("GrantDelegated")
			.grant(*grant)
			.field("parent", *parent)
			.account("by", by)
			.account("grantee", grantee)
			.field("expires_at", *expires_at)
			.field("at", *at),
		E::GrantRevoked { grant, by, cascade_from, at } => b("GrantRevoked")
			.grant(*grant)
			.account("by", by)
			.field("cascade_from", json!(cascade_from))
			.field("at", *at),
		E::AccessRequested { request, requester, record, grant, patient, at } => {
			b("AccessRequested")
				.request(*request)
				.account("requester", requester)
				.record(*record)
				.grant(*grant)
				.patient(patient)
				.field("at", *at)
		}
		E::KeyShareReleased { request, custodian_index, custodian, grant, record, at } => {
			b("KeyShareReleased")
				.request(*request)
				.field("custodian_index", *custodian_index)
				.account("custodian", custodian)
				.grant(*grant)
				.record(*record)
				.field("at", *at)
		}
		E::KeyReleased { request, requester, grant, record, at } => b("KeyReleased")
			.request(*request)
			.account("requester", requester)
			.grant(*grant)
			.record(*record)
			.field("at", *at),
		E::RequestsPruned { count, at } => {
			b("RequestsPruned").field("count", *count).field("at", *at)
		}
		E::EmergencyAccessOpened {
			grant,
			opener,
			org,
			patient,
			reason,
			justification_hash,
			expires_at,
			review_deadline,
			at,
		} => b("EmergencyAccessOpened")
			.grant(*grant)
			.account("opener", opener)
			.field("org", *org)
			.patient(patient)
			.field("reason", lower(reason))
			.field("justification_hash", hex32(justification_hash))
			.field("expires_at", *expires_at)
			.field("review_deadline_block", *review_deadline)
			.field("at", *at),
		E::EmergencyReviewed { grant, reviewer, approved, note_hash, at } => b("EmergencyReviewed")
			.grant(*grant)
			.account("reviewer", reviewer)
			.field("approved", *approved)
			.field("note_hash", hex32(note_hash))
			.field("at", *at),
		E::EmergencyReviewOverdue { grant, opener, org, patient, at } => {
			b("EmergencyReviewOverdue")
				.grant(*grant)
				.account("opener", opener)
				.field("org", *org)
				.patient(patient)
				.field("at", *at)
		}
	}
	.done()
}
