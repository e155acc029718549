//! Plain data types of the access pallet.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_consortium::{CustodianIndex, OrgId, Role};
pub use pallet_records::{GrantId, RecordId};
use scale_info::TypeInfo;

/// Identifier of an access request (a counter, never reused).
pub type RequestId = u64;

/// A FHIR resource type name in a grant scope.
pub type ContentTypeOf<T> = BoundedVec<u8, <T as Config>::MaxContentTypeLen>;
/// What a grant covers, in a runtime.
pub type ScopeOf<T> = Scope<ContentTypeOf<T>>;
/// Who a grant is for, in a runtime.
pub type GranteeOf<T> = Grantee<<T as frame_system::Config>::AccountId>;
/// An encrypted key share with its DLEQ proof (opaque to the chain).
pub type ShareOf<T> = BoundedVec<u8, <T as Config>::MaxShareLen>;

/// A custodian's batch of releases: `(request, sealed share)`, at most `MaxReleaseBatch`.
pub type ReleasesOf<T> = BoundedVec<(RequestId, ShareOf<T>), <T as Config>::MaxReleaseBatch>;

/// Which records of the patient a grant covers.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub enum Scope<ContentType> {
	/// One record version.
	Record(RecordId),
	/// Every record of the patient, present and future.
	AllRecords,
	/// Every record of the patient of one FHIR resource type (e.g. `Observation`).
	ContentType(ContentType),
}

/// Who a grant is for.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub enum Grantee<AccountId> {
	/// One account.
	Account(AccountId),
	/// Whoever holds `role` in organisation `org` at the time of each request.
	Role(OrgId, Role),
}

/// Why access is granted (FHIR v3-ActReason).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum Purpose {
	/// Treatment (`TREAT`).
	Treatment,
	/// Healthcare research (`HRESCH`).
	Research,
	/// Healthcare operations, e.g. audit (`HOPERAT`).
	Audit,
	/// Emergency treatment (`ETREAT`); only `emergency_open` creates these.
	Emergency,
}

impl Purpose {
	/// The FHIR v3-ActReason code (system `http://terminology.hl7.org/CodeSystem/v3-ActReason`).
	pub const fn code(self) -> &'static str {
		match self {
			Purpose::Treatment => "TREAT",
			Purpose::Research => "HRESCH",
			Purpose::Audit => "HOPERAT",
			Purpose::Emergency => "ETREAT",
		}
	}

	/// The purpose of a FHIR v3-ActReason code.
	pub fn from_code(code: &str) -> Option<Self> {
		match code {
			"TREAT" => Some(Purpose::Treatment),
			"HRESCH" => Some(Purpose::Research),
			"HOPERAT" => Some(Purpose::Audit),
			"ETREAT" => Some(Purpose::Emergency),
			_ => None,
		}
	}
}

/// What a grant allows.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Debug,
)]
pub struct Actions {
	/// Request the data key of covered records.
	pub read: bool,
	/// Register new records for the patient (within the scope's content type).
	pub append: bool,
}

/// Whether a grant is still in force (expiry is a property of time, not of the status).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum GrantStatus {
	/// In force during its period.
	Active,
	/// Revoked by the patient, the delegator, a cascade, or a rejecting emergency review.
	Revoked,
}

/// A grant: the virtual contract giving a person or a role access to a patient's records for a
/// purpose and a confidentiality period.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Grant<T: Config> {
	/// The grant id.
	pub id: GrantId,
	/// Whose records.
	pub patient: T::AccountId,
	/// Which records.
	pub scope: ScopeOf<T>,
	/// For whom.
	pub grantee: GranteeOf<T>,
	/// Why.
	pub purpose: Purpose,
	/// What.
	pub actions: Actions,
	/// Start of the period (chain time, ms, inclusive).
	pub not_before: u64,
	/// End of the period (chain time, ms, exclusive).
	pub expires_at: u64,
	/// Hash of the human-readable terms (or, for emergencies, of the justification).
	pub terms_hash: [u8; 32],
	/// Whether the grantee may delegate it (delegations are never delegable).
	pub delegable: bool,
	/// The grant this one was delegated from.
	pub parent: Option<GrantId>,
	/// Active or revoked.
	pub status: GrantStatus,
	/// Who created it: the patient, the delegator, or the emergency opener.
	pub granted_by: T::AccountId,
	/// When it was created (chain time, ms).
	pub created_at: u64,
}

/// An access request: a grantee asks the custodians for the data key of one record.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct AccessRequest<T: Config> {
	/// The request id.
	pub id: RequestId,
	/// Who asks.
	pub requester: T::AccountId,
	/// For which record.
	pub record: RecordId,
	/// Under which grant.
	pub grant: GrantId,
	/// The X25519 key the requester made for this request: shares are sealed to it.
	pub reply_key: [u8; 32],
	/// When (chain time, ms).
	pub created_at: u64,
	/// The block after which the request is pruned.
	pub expires_at_block: BlockNumberFor<T>,
	/// The key shares released so far, by custodian index.
	pub shares: BoundedVec<(CustodianIndex, ShareOf<T>), <T as Config>::MaxShares>,
}

/// Why an emergency access was opened.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum EmergencyReason {
	/// The patient is unconscious or otherwise unable to consent.
	PatientUnconscious,
	/// A life-threatening condition requires the records now.
	LifeThreatening,
	/// Urgent treatment while the patient cannot be reached.
	PatientUnreachable,
	/// Another reason, explained in the justification.
	Other,
}

/// The review of an emergency access.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Review<AccountId> {
	/// The manager or auditor who reviewed it.
	pub reviewer: AccountId,
	/// Whether the access was justified (a rejection revokes the grant).
	pub approved: bool,
	/// Hash of the review note.
	pub note_hash: [u8; 32],
	/// When (chain time, ms).
	pub at: u64,
}

/// An emergency (break-glass) access and its review.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Emergency<T: Config> {
	/// Who opened it.
	pub opener: T::AccountId,
	/// The organisation under whose authority it was opened; its managers and auditors review.
	pub org: OrgId,
	/// Whose records.
	pub patient: T::AccountId,
	/// Why.
	pub reason: EmergencyReason,
	/// Hash of the written justification.
	pub justification_hash: [u8; 32],
	/// The block by which it must be reviewed.
	pub review_deadline: BlockNumberFor<T>,
	/// The review, once done.
	pub review: Option<Review<T::AccountId>>,
}

/// Why an account may not read a record (the `can_read` runtime API).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum DenialReason {
	/// No grant with this id.
	UnknownGrant,
	/// No record with this id.
	UnknownRecord,
	/// The account is not the grantee (nor holds the grantee role).
	NotGrantee,
	/// The grant was revoked.
	GrantRevoked,
	/// The grant's period has not started.
	GrantNotYetValid,
	/// The grant's period is over.
	GrantExpired,
	/// The grant does not cover the record.
	RecordNotCovered,
	/// The grant does not allow reading.
	ReadNotAllowed,
	/// No grant of the patient names the account at all.
	NoGrant,
	/// The delegated (parent) grant was revoked.
	ParentRevoked,
	/// The delegated (parent) grant's period is over (or not started).
	ParentExpired,
	/// The delegator no longer holds the parent grant (e.g. it lost the role it was granted
	/// to).
	DelegatorLostStanding,
	/// The emergency grant's opener no longer has the emergency flag in an active
	/// organisation (or left it).
	EmergencyStandingLost,
	/// No open request with this id.
	UnknownRequest,
	/// The account is frozen or deregistered: no grant to it works.
	AccountInactive,
}
