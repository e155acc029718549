//! Plain data types of the consortium pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{BoundedVec, Get},
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;

/// Identifier of an organisation (a hospital) of the consortium.
pub type OrgId = u32;

/// Index of a key custodian in the consortium custody configuration (0-based).
pub type CustodianIndex = u16;

/// Whether an organisation currently takes part in the consortium.
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
pub enum OrgStatus {
	/// The organisation and its members act normally.
	Active,
	/// The organisation is suspended: its members hold no role until it is re-activated.
	Suspended,
}

/// An organisation (hospital) of the consortium.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Organisation {
	/// The organisation's identifier.
	pub id: OrgId,
	/// Hash of the organisation's legal name (the name itself stays off chain).
	pub name_hash: [u8; 32],
	/// Index of the key custodian the organisation runs, if it runs one.
	pub custodian_index: Option<CustodianIndex>,
	/// Active or suspended.
	pub status: OrgStatus,
}

/// A role a member can hold in an organisation.
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
	PartialOrd,
	Ord,
	Debug,
)]
pub enum Role {
	/// Hospital administrator: manages the organisation's members, onboards accounts, reviews
	/// emergency accesses.
	Manager,
	/// Physician.
	Doctor,
	/// Nurse.
	Nurse,
	/// Researcher (reads under Research grants).
	Researcher,
	/// Auditor: reviews emergency accesses and exports the audit log.
	Auditor,
}

impl Role {
	/// Every role, in bit order.
	pub const ALL: [Role; 5] =
		[Role::Manager, Role::Doctor, Role::Nurse, Role::Researcher, Role::Auditor];

	/// The bit of this role in a [`Roles`] set.
	pub const fn bit(self) -> u8 {
		match self {
			Role::Manager => 1,
			Role::Doctor => 2,
			Role::Nurse => 4,
			Role::Researcher => 8,
			Role::Auditor => 16,
		}
	}
}

/// A set of [`Role`]s stored as a bit set (bit 0 Manager, 1 Doctor, 2 Nurse, 3 Researcher,
/// 4 Auditor). Bits 5 to 7 must be zero.
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
pub struct Roles(pub u8);

impl Roles {
	/// Mask of the defined role bits.
	pub const VALID_MASK: u8 = 0b1_1111;

	/// The empty set.
	pub const fn none() -> Self {
		Roles(0)
	}

	/// A set holding exactly the given roles.
	pub fn from_roles(roles: &[Role]) -> Self {
		Roles(roles.iter().fold(0u8, |acc, r| acc | r.bit()))
	}

	/// Whether the set holds `role`.
	pub const fn contains(self, role: Role) -> bool {
		self.0 & role.bit() != 0
	}

	/// Whether the set holds no role.
	pub const fn is_empty(self) -> bool {
		self.0 == 0
	}

	/// Whether only defined bits are set.
	pub const fn is_valid(self) -> bool {
		self.0 & !Self::VALID_MASK == 0
	}
}

/// What a member is in an organisation.
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
pub struct MemberInfo {
	/// The roles the member holds in the organisation.
	pub roles: Roles,
	/// Whether the member may open emergency (break-glass) access.
	pub emergency: bool,
}

/// The kind of a registered account.
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
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde")]
pub enum AccountKind {
	/// A patient: owns records and grants access to them.
	Patient,
	/// A staff member of one or more organisations (roles are in the membership).
	Staff,
}

/// Where a registered account stands.
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
pub enum AccountStatus {
	/// The account acts normally.
	Active,
	/// Its transactions are refused before the pool and no grant to it works, until it is
	/// set active again.
	Frozen,
	/// For good: like frozen (its memberships stay in storage without effect), and the
	/// account id is never registered again (its nonce is kept, so its old transactions
	/// cannot be replayed).
	Deregistered,
}

/// A registered account: only active ones may submit transactions.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct AccountInfo<AccountId> {
	/// Patient or staff.
	pub kind: AccountKind,
	/// The account's X25519 public key, to which key shares and capsules are encrypted,
	/// published by the account itself.
	pub x25519: [u8; 32],
	/// The manager who invited the account; `None` for governance or genesis.
	pub registered_by: Option<AccountId>,
	/// The organisation under whose authority it was onboarded (`None` for governance at
	/// genesis): its managers may freeze, re-activate and deregister a staff account.
	pub org: Option<OrgId>,
	/// Active, frozen or deregistered.
	pub status: AccountStatus,
}

impl<AccountId> AccountInfo<AccountId> {
	/// Whether the account is active.
	pub fn is_active(&self) -> bool {
		self.status == AccountStatus::Active
	}
}

/// An invitation to register: the invited account accepts it itself, publishing its own
/// X25519 key in a transaction it signs, so nobody else chooses its encryption key.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Invitation<AccountId, BlockNumber> {
	/// Patient or staff.
	pub kind: AccountKind,
	/// The organisation under whose authority the account is onboarded.
	pub org: OrgId,
	/// The manager who invited it; `None` for governance.
	pub invited_by: Option<AccountId>,
	/// The last block in which it can be accepted.
	pub expires_at: BlockNumber,
}

/// The consortium custody configuration: the threshold-shared Ristretto255 custody key.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(S))]
#[codec(mel_bound(AccountId: MaxEncodedLen))]
pub struct CustodyConfig<AccountId: Clone + PartialEq + Eq + core::fmt::Debug, S: Get<u32>> {
	/// The custody public key S = s*G (compressed Ristretto255).
	pub public_key: [u8; 32],
	/// The verification key S_i = s_i*G of every custodian, by custodian index.
	pub verification_keys: BoundedVec<[u8; 32], S>,
	/// The account that submits the key shares of every custodian, by custodian index.
	pub custodian_accounts: BoundedVec<AccountId, S>,
	/// How many shares are needed to recover a data key.
	pub threshold: u16,
}

/// The custody configuration as written in a genesis config (plain vectors).
#[derive(Clone, PartialEq, Eq, Debug, frame_support::Serialize, frame_support::Deserialize)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase")]
pub struct GenesisCustody<AccountId> {
	/// See [`CustodyConfig::public_key`].
	pub public_key: [u8; 32],
	/// See [`CustodyConfig::verification_keys`].
	pub verification_keys: alloc::vec::Vec<[u8; 32]>,
	/// See [`CustodyConfig::custodian_accounts`].
	pub custodian_accounts: alloc::vec::Vec<AccountId>,
	/// See [`CustodyConfig::threshold`].
	pub threshold: u16,
}
