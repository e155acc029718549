//! Grants on chain (the virtual contracts of the access pallet): give, revoke and delegate
//! access; request a record's key under a grant; release a custodian's key share; open and
//! review emergency (break-glass) access; and read grants and requests back.
//!
//! Every call returns the event it emits on success; a refused call returns
//! [`ChainError::Dispatch`] with the pallet error (e.g. `GrantExpired`) and its sentence.

use subxt::{tx::Signer, utils::AccountId32};

pub use crate::chain::runtime::types::{
	AccessRequest, Actions, DenialReason, Emergency, EmergencyReason, Grant, GrantStatus, Grantee,
	Purpose, Review, Scope,
};
use crate::{
	chain::{
		read,
		runtime::{
			self, access::events,
			generated::runtime_types::bounded_collections::bounded_vec::BoundedVec,
		},
		At, Chain, ChainError, EhrConfig,
	},
	consortium::{CustodianIndex, OrgId},
	records::{GrantId, RecordId},
};

/// An access request's id.
pub type RequestId = u64;

/// A grant's scope in the chain's encoding.
pub type GrantScope = Scope<BoundedVec<u8>>;

/// The scope "every record of the patient of FHIR resource type `content_type`".
pub fn content_type_scope(content_type: &str) -> GrantScope {
	Scope::ContentType(BoundedVec(content_type.as_bytes().to_vec()))
}

/// Who a grant is for, as text: an SS58 address, or `ORG:role` (e.g. `1:doctor`).
pub fn grantee_text(grantee: &Grantee) -> String {
	match grantee {
		Grantee::Account(a) => {
			crate::crypto::identity::ss58_encode(&a.0, crate::crypto::identity::SS58_PREFIX)
		}
		Grantee::Role(org, role) => format!("{org}:{}", format!("{role:?}").to_lowercase()),
	}
}

/// What a grant covers, as text: `record 4`, `all records` or `type Observation`.
pub fn scope_text(scope: &GrantScope) -> String {
	match scope {
		Scope::Record(id) => format!("record {id}"),
		Scope::AllRecords => "all records".to_owned(),
		Scope::ContentType(t) => format!("type {}", String::from_utf8_lossy(&t.0)),
	}
}

/// Why the chain refuses an access, as a sentence that says what to do.
pub fn denial_sentence(reason: &DenialReason) -> &'static str {
	match reason {
		DenialReason::UnknownGrant => "there is no such grant; `ehr grant list` shows yours",
		DenialReason::UnknownRecord => "there is no such record; `ehr record list` shows a patient's",
		DenialReason::NotGrantee => "the grant is not yours (nor your role's); ask the patient for one",
		DenialReason::GrantRevoked => "the grant was revoked; ask the patient for a new one",
		DenialReason::GrantNotYetValid => "the grant's period has not started yet; wait for it",
		DenialReason::GrantExpired => {
			"the grant's period is over (or ends within the release margin); ask the patient to renew it"
		}
		DenialReason::RecordNotCovered => "the grant does not cover this record; ask for one that does",
		DenialReason::ReadNotAllowed => "the grant does not allow reading",
		DenialReason::NoGrant => "no grant of the patient names you; ask the patient for one",
		DenialReason::ParentRevoked => "the grant it was delegated from was revoked",
		DenialReason::ParentExpired => "the grant it was delegated from is not in force",
		DenialReason::DelegatorLostStanding => {
			"whoever delegated it to you no longer holds the grant it came from"
		}
		DenialReason::EmergencyStandingLost => {
			"the emergency access's opener no longer may open emergency access"
		}
		DenialReason::UnknownRequest => "there is no open request with this id",
		DenialReason::AccountInactive => "the account is frozen or deregistered",
	}
}

/// The terms of a new grant: what `Access::grant` puts on chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantTerms {
	/// Which of the patient's records.
	pub scope: GrantScope,
	/// For whom: an account, or whoever holds a role in an organisation at each use.
	pub grantee: Grantee,
	/// Why (FHIR v3-ActReason).
	pub purpose: Purpose,
	/// Read, append, or both.
	pub actions: Actions,
	/// Start of the confidentiality period (chain time, ms since the Unix epoch).
	pub not_before: u64,
	/// End of the confidentiality period (exclusive; chain time, ms).
	pub expires_at: u64,
	/// BLAKE2b-256 of the human-readable contract text.
	pub terms_hash: [u8; 32],
	/// Whether the grantee may delegate it.
	pub delegable: bool,
}

/// `Access::grant`: the patient signing it gives access to its records.
pub async fn grant<S: Signer<EhrConfig>>(
	chain: &Chain,
	patient: &S,
	terms: &GrantTerms,
) -> Result<events::GrantCreated, ChainError> {
	let t = terms.clone();
	let call = runtime::transactions().access().grant(
		t.scope,
		t.grantee,
		t.purpose,
		t.actions,
		t.not_before,
		t.expires_at,
		t.terms_hash,
		t.delegable,
	);
	chain.submit(&call, patient).await?.event()
}

/// `Access::revoke`: revokes a grant and, in cascade, its delegations; returns one event per
/// grant revoked, the grant's first.
pub async fn revoke<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	grant: GrantId,
) -> Result<Vec<events::GrantRevoked>, ChainError> {
	chain.submit(&runtime::transactions().access().revoke(grant), signer).await?.events()
}

/// `Access::delegate`: a grantee of a delegable grant passes it on to `grantee` until
/// `expires_at` (no later than the parent's end).
pub async fn delegate<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	parent: GrantId,
	grantee: AccountId32,
	expires_at: u64,
) -> Result<events::GrantDelegated, ChainError> {
	let call = runtime::transactions().access().delegate(parent, grantee, expires_at);
	chain.submit(&call, signer).await?.event()
}

/// `Access::request`: asks for the data key of `record` under `grant`; the custodians then
/// release their shares sealed to `reply_key`, the public half of a
/// [`crate::crypto::release::ReplyKey`] made for this request ([`crate::read`] does all of
/// it).
pub async fn request<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	record: RecordId,
	grant: GrantId,
	reply_key: [u8; 32],
) -> Result<events::AccessRequested, ChainError> {
	let call = runtime::transactions().access().request(record, grant, reply_key);
	chain.submit(&call, signer).await?.event()
}

/// `Access::emergency_open`: a member with the emergency flag of `org` opens break-glass
/// access to `patient`'s records (an alarm; reviewed later).
pub async fn emergency_open<S: Signer<EhrConfig>>(
	chain: &Chain,
	opener: &S,
	org: OrgId,
	patient: AccountId32,
	reason: EmergencyReason,
	justification_hash: [u8; 32],
) -> Result<events::EmergencyAccessOpened, ChainError> {
	let call =
		runtime::transactions().access().emergency_open(org, patient, reason, justification_hash);
	chain.submit(&call, opener).await?.event()
}

/// `Access::emergency_review`: a manager or auditor of the opener's organisation approves or
/// rejects an emergency access (a rejection revokes it).
pub async fn emergency_review<S: Signer<EhrConfig>>(
	chain: &Chain,
	reviewer: &S,
	grant: GrantId,
	approved: bool,
	note_hash: [u8; 32],
) -> Result<events::EmergencyReviewed, ChainError> {
	let call = runtime::transactions().access().emergency_review(grant, approved, note_hash);
	chain.submit(&call, reviewer).await?.event()
}

/// A grant by id (runtime API `AccessApi::grant`).
pub async fn grant_by_id(at: &At, id: GrantId) -> Result<Option<Grant>, ChainError> {
	Ok(at.runtime_apis().call(runtime::runtime_apis().access_api().grant(id)).await?)
}

/// Up to `limit` grants `patient` gave, in every state, ordered by id, after `start_after`.
pub async fn grants_of_patient(
	at: &At,
	patient: &AccountId32,
	start_after: Option<GrantId>,
	limit: u32,
) -> Result<Vec<Grant>, ChainError> {
	let api = runtime::runtime_apis().access_api().grants_of_patient(*patient, start_after, limit);
	Ok(at.runtime_apis().call(api).await?)
}

/// Up to `limit` grants `account` holds directly or through a role it holds now, ordered by
/// id, after `start_after`.
pub async fn grants_held_by(
	at: &At,
	account: &AccountId32,
	start_after: Option<GrantId>,
	limit: u32,
) -> Result<Vec<Grant>, ChainError> {
	let api = runtime::runtime_apis().access_api().grants_held_by(*account, start_after, limit);
	Ok(at.runtime_apis().call(api).await?)
}

/// Whether `account` may read `record` at `at`: the grant to use, or why not.
pub async fn can_read(
	at: &At,
	account: &AccountId32,
	record: RecordId,
) -> Result<Result<GrantId, DenialReason>, ChainError> {
	let api = runtime::runtime_apis().access_api().can_read(*account, record);
	Ok(at.runtime_apis().call(api).await?)
}

/// An open access request by id, with the shares released so far.
pub async fn open_request(at: &At, id: RequestId) -> Result<Option<AccessRequest>, ChainError> {
	Ok(at.runtime_apis().call(runtime::runtime_apis().access_api().request(id)).await?)
}

/// Up to `limit` open requests still waiting for the share of custodian `index`, ordered by
/// id, after `start_after`.
pub async fn open_requests_for_custodian(
	at: &At,
	index: CustodianIndex,
	start_after: Option<RequestId>,
	limit: u32,
) -> Result<Vec<AccessRequest>, ChainError> {
	let api =
		runtime::runtime_apis().access_api().open_requests_for_custodian(index, start_after, limit);
	Ok(at.runtime_apis().call(api).await?)
}

/// Whether a custodian may release a share for open request `id` at `at`: the requester's
/// whole authority under its grant, as `release_shares` checks it (runtime API
/// `AccessApi::may_release`).
pub async fn may_release(at: &At, id: RequestId) -> Result<Result<(), DenialReason>, ChainError> {
	Ok(at.runtime_apis().call(runtime::runtime_apis().access_api().may_release(id)).await?)
}

/// The emergency access behind emergency grant `grant`, with its review if any.
pub async fn emergency(at: &At, grant: GrantId) -> Result<Option<Emergency>, ChainError> {
	read(at, runtime::storage().access().emergencies(), (grant,)).await
}
