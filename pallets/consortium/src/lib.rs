//! # Consortium pallet
//!
//! Who is who on the health-record chain:
//! - **organisations** (hospitals), added and suspended by governance;
//! - **members**: `(organisation, account) -> roles + emergency flag`, managed by the
//!   organisation's managers (governance may add the first manager);
//! - **registered accounts**: `account -> {Patient | Staff, X25519 key, onboarding, status}`;
//!   a manager invites an account and the account accepts, publishing its own X25519 key;
//!   only active accounts may submit transactions, which the [`CheckRegistered`] transaction
//!   extension enforces together with a per-account rate limit; managers (for the staff they
//!   onboarded) and governance freeze, re-activate and deregister accounts;
//! - the **custody configuration**: the threshold-shared custody key and its custodians.
//!
//! Other pallets read all of it through the [`Membership`] trait.
//!
//! Every call of this pallet is feeless (`Pays::No`); spam is bounded by the rate limit of
//! [`CheckRegistered`].

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(
	test,
	allow(
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::panic,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects
	)
)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod custody;
mod extension;
pub mod migrations;
#[cfg(test)]
mod mock;
mod nonce;
#[cfg(test)]
mod tests;
pub mod traits;
pub mod types;
pub mod weights;
pub mod x25519;

pub use extension::{
	CheckRegistered, INVALID_ACCOUNT_DEREGISTERED, INVALID_ACCOUNT_FROZEN, INVALID_NOT_REGISTERED,
	INVALID_RATE_LIMITED,
};
pub use nonce::RateLimitedNonce;
pub use traits::Membership;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::pallet_prelude::*;

/// The custody configuration type of a runtime.
pub type CustodyConfigOf<T> =
	CustodyConfig<<T as frame_system::Config>::AccountId, <T as Config>::MaxCustodians>;

// The code FRAME's macros generate for storage, errors and metadata calls `expect` (on
// values that are statically known); this module's own code never does (checked by grep in
// review), and every other lint of the crate-level list stays denied here.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		dispatch::DispatchClass,
		traits::{Contains, EnsureOrigin},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Saturating;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The consortium pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the consortium pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The origin that adds and suspends organisations, may add any member (e.g. the first
		/// manager) and sets the custody configuration. `EnsureRoot` on dev chains.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Calls that unregistered accounts may submit (checked by [`CheckRegistered`]).
		/// Use `Nothing` to close the chain completely.
		type OpenCalls: Contains<<Self as frame_system::Config>::RuntimeCall>;

		/// Calls that no signed transaction may carry: they are authorized by a proof of their
		/// own (e.g. `Access::release_shares`, signed inside the call). [`CheckRegistered`]
		/// refuses a signed one at the pool instead of letting it fail in a block.
		type UnsignedOnly: Contains<<Self as frame_system::Config>::RuntimeCall>;

		/// The largest number of key custodians.
		#[pallet::constant]
		type MaxCustodians: Get<u32>;

		/// At most this many transactions per account in one rate window.
		#[pallet::constant]
		type MaxTxPerWindow: Get<u32>;

		/// The length of a rate window, in blocks (at least 1).
		#[pallet::constant]
		type RateWindow: Get<BlockNumberFor<Self>>;

		/// How many blocks an invitation can be accepted in (at least 1).
		#[pallet::constant]
		type InvitationLifetime: Get<BlockNumberFor<Self>>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// The organisations of the consortium.
	#[pallet::storage]
	pub type Organisations<T: Config> = StorageMap<_, Twox64Concat, OrgId, Organisation>;

	/// Members: `(organisation, account) -> roles and emergency flag`.
	#[pallet::storage]
	pub type Members<T: Config> =
		StorageDoubleMap<_, Twox64Concat, OrgId, Blake2_128Concat, T::AccountId, MemberInfo>;

	/// Reverse index of [`Members`]: `(account, organisation) -> ()`.
	#[pallet::storage]
	pub type MemberOrgs<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, OrgId, ()>;

	/// Registered accounts: the only accounts that may submit transactions (while active).
	#[pallet::storage]
	pub type Accounts<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, AccountInfo<T::AccountId>>;

	/// Invitations not yet accepted: `account -> invitation`. An invited account may submit
	/// only `accept_invitation`.
	#[pallet::storage]
	pub type Invitations<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Invitation<T::AccountId, BlockNumberFor<T>>>;

	/// The custody configuration, if set.
	#[pallet::storage]
	pub type Custody<T: Config> = StorageValue<_, CustodyConfigOf<T>>;

	/// Rate limit state: `account -> (first block of the current window, transactions in it)`.
	#[pallet::storage]
	pub type TxWindow<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (BlockNumberFor<T>, u32)>;

	/// Genesis configuration: organisations, members, registered accounts, custody.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Organisations: `(id, name hash, custodian index)`; all start active.
		pub organisations: Vec<(OrgId, [u8; 32], Option<CustodianIndex>)>,
		/// Members: `(organisation, account, role bits, emergency flag)`; role bits as in
		/// [`Roles`] (1 Manager, 2 Doctor, 4 Nurse, 8 Researcher, 16 Auditor).
		pub members: Vec<(OrgId, T::AccountId, u8, bool)>,
		/// Registered accounts: `(account, kind, X25519 public key)`.
		pub accounts: Vec<(T::AccountId, AccountKind, [u8; 32])>,
		/// The custody configuration, if any.
		pub custody: Option<GenesisCustody<T::AccountId>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// Genesis is checked before the chain starts: a wrong config must stop it, so the
			// panics below are intentional and never reachable after genesis.
			#![allow(clippy::panic)]
			for (id, name_hash, custodian_index) in &self.organisations {
				assert!(!Organisations::<T>::contains_key(id), "duplicate organisation {id}");
				Organisations::<T>::insert(
					id,
					Organisation {
						id: *id,
						name_hash: *name_hash,
						custodian_index: *custodian_index,
						status: OrgStatus::Active,
					},
				);
			}
			for (who, kind, x25519) in &self.accounts {
				assert!(!Accounts::<T>::contains_key(who), "duplicate registered account");
				Pallet::<T>::do_register(who, *kind, *x25519, None, None);
			}
			for (org, who, roles, emergency) in &self.members {
				let roles = Roles(*roles);
				assert!(Organisations::<T>::contains_key(org), "member of unknown organisation");
				assert!(roles.is_valid() && !roles.is_empty(), "invalid role bits");
				Members::<T>::insert(org, who, MemberInfo { roles, emergency: *emergency });
				MemberOrgs::<T>::insert(who, org, ());
			}
			if let Some(c) = &self.custody {
				let config = Pallet::<T>::check_custody(
					c.public_key,
					c.verification_keys.clone(),
					c.custodian_accounts.clone(),
					c.threshold,
				)
				.unwrap_or_else(|_| panic!("invalid genesis custody configuration"));
				Custody::<T>::put(config);
			}
		}
	}

	/// Events of the consortium pallet. Each names who acted (`by`, `None` for governance),
	/// what changed, and when (`at`: the block number; this pallet does not read the clock).
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance added an organisation.
		OrganisationAdded {
			/// The new organisation.
			org: OrgId,
			/// Its custodian index.
			custodian_index: Option<CustodianIndex>,
			/// When.
			at: BlockNumberFor<T>,
		},
		/// Governance changed the status of an organisation.
		OrganisationStatusChanged {
			/// The organisation.
			org: OrgId,
			/// The new status.
			status: OrgStatus,
			/// When.
			at: BlockNumberFor<T>,
		},
		/// A member was added to an organisation.
		MemberAdded {
			/// The organisation.
			org: OrgId,
			/// The new member.
			who: T::AccountId,
			/// Roles granted.
			roles: Roles,
			/// Emergency flag.
			emergency: bool,
			/// The manager who added it; `None` for governance.
			by: Option<T::AccountId>,
			/// When.
			at: BlockNumberFor<T>,
		},
		/// A member's roles or emergency flag changed.
		MemberUpdated {
			/// The organisation.
			org: OrgId,
			/// The member.
			who: T::AccountId,
			/// New roles.
			roles: Roles,
			/// New emergency flag.
			emergency: bool,
			/// The manager who changed it; `None` for governance.
			by: Option<T::AccountId>,
			/// When.
			at: BlockNumberFor<T>,
		},
		/// A member was removed from an organisation.
		MemberRemoved {
			/// The organisation.
			org: OrgId,
			/// The former member.
			who: T::AccountId,
			/// The manager who removed it; `None` for governance.
			by: Option<T::AccountId>,
			/// When.
			at: BlockNumberFor<T>,
		},
		/// An account was invited to register.
		AccountInvited {
			/// The invited account.
			who: T::AccountId,
			/// Patient or staff.
			kind: AccountKind,
			/// The organisation under whose authority it is onboarded.
			org: OrgId,
			/// The manager who invited it; `None` for governance.
			by: Option<T::AccountId>,
			/// The last block in which it can accept.
			expires_at: BlockNumberFor<T>,
			/// When.
			at: BlockNumberFor<T>,
		},
		/// An invited account accepted, publishing its X25519 key: it is registered.
		AccountRegistered {
			/// The new account.
			who: T::AccountId,
			/// Patient or staff.
			kind: AccountKind,
			/// The organisation under whose authority it was onboarded.
			org: OrgId,
			/// The manager who invited it; `None` for governance.
			by: Option<T::AccountId>,
			/// The X25519 key it published.
			x25519: [u8; 32],
			/// When.
			at: BlockNumberFor<T>,
		},
		/// An invitation was withdrawn before it was accepted.
		InvitationCancelled {
			/// The account that had been invited.
			who: T::AccountId,
			/// The manager who cancelled it; `None` for governance.
			by: Option<T::AccountId>,
			/// When.
			at: BlockNumberFor<T>,
		},
		/// An account was frozen, re-activated or deregistered.
		AccountStatusChanged {
			/// The account.
			who: T::AccountId,
			/// Its new status.
			status: AccountStatus,
			/// The manager who changed it; `None` for governance.
			by: Option<T::AccountId>,
			/// When.
			at: BlockNumberFor<T>,
		},
		/// Governance corrected the kind of an account.
		AccountKindChanged {
			/// The account.
			who: T::AccountId,
			/// Its new kind.
			kind: AccountKind,
			/// When.
			at: BlockNumberFor<T>,
		},
		/// A registered account replaced its X25519 public key.
		KeyRotated {
			/// The account.
			who: T::AccountId,
			/// The new key.
			x25519: [u8; 32],
			/// When.
			at: BlockNumberFor<T>,
		},
		/// Governance set the custody configuration.
		CustodyConfigSet {
			/// The custody public key.
			public_key: [u8; 32],
			/// Number of custodians.
			custodians: u16,
			/// Shares needed.
			threshold: u16,
			/// When.
			at: BlockNumberFor<T>,
		},
	}

	/// Errors of the consortium pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// An organisation with this id already exists. Pick an unused id.
		OrgExists,
		/// No organisation with this id. Check the id (governance adds organisations).
		UnknownOrg,
		/// The organisation is suspended. Governance must re-activate it first.
		OrgSuspended,
		/// The caller is not a manager of this (active) organisation. Only managers of an
		/// organisation (or governance) manage its members and onboard accounts.
		NotManagerOfOrg,
		/// The account is already a member of this organisation. Use `update_member`.
		AlreadyMember,
		/// The account is not a member of this organisation. Check the organisation and account.
		NotMember,
		/// The role set is empty or has undefined bits. Use the bits of `Roles` (1..=31).
		InvalidRoles,
		/// The account is already registered (or was, and is deregistered: an account id is
		/// registered once). Use `rotate_key` to change its key; onboard a new account otherwise.
		AlreadyRegistered,
		/// The account is not an active registered account. Ask a manager to invite it, and
		/// accept the invitation.
		NotRegistered,
		/// The account already has an invitation that has not expired. Wait for it to expire,
		/// or cancel it first.
		AlreadyInvited,
		/// The account has no invitation. Ask a manager of your organisation to invite it.
		NotInvited,
		/// The invitation's last block has passed. Ask for a new invitation.
		InvitationExpired,
		/// The X25519 key is not a valid public key (it is of small order, e.g. all zeros).
		/// Publish the key the wallet derived (`ehr account show`).
		InvalidX25519Key,
		/// The caller may not change this account: only governance, or a manager of the
		/// organisation a staff account was onboarded under and is still a member of, for an
		/// account that is not a manager there.
		NotAccountAuthority,
		/// The account is a custodian of the active custody configuration: it cannot be frozen
		/// or deregistered until governance replaces the configuration without it.
		CustodianAccount,
		/// The account is deregistered, which is final.
		AccountDeregistered,
		/// The invitation is not the one the account expected (another organisation, or
		/// another kind): nothing was accepted. Decline it (`decline_invitation`) if it is not
		/// wanted.
		InvitationMismatch,
		/// Only staff accounts hold roles in an organisation. Invite the person's staff
		/// account (a patient account stays a patient's).
		NotStaff,
		/// The account still holds memberships: a member is staff. Remove its memberships
		/// first.
		HasMemberships,
		/// The custody configuration is inconsistent: as many verification keys as custodian
		/// accounts, no duplicate account, and `1 <= threshold <= custodians` are required.
		InvalidCustodyConfig,
		/// A custody key is not a valid, non-identity Ristretto255 point. Publish the keys the
		/// key ceremony wrote (`ehr-node custody keygen`).
		InvalidCustodyKey,
		/// The verification keys do not lie on one polynomial of degree below the threshold
		/// whose value at zero is the group key (keys of another ceremony, in another order,
		/// or another threshold). Publish one ceremony's keys, in custodian order.
		InconsistentCustodyKeys,
		/// A custodian account is not an active registered account. Invite it (and have it
		/// accept) first, or re-activate it.
		CustodianNotRegistered,
		/// The new status (or kind) equals the current one. Nothing to do.
		StatusUnchanged,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn integrity_test() {
			assert!(T::MaxTxPerWindow::get() > 0, "MaxTxPerWindow must be positive");
			assert!(T::MaxCustodians::get() > 0, "MaxCustodians must be positive");
			assert!(T::MaxCustodians::get() <= u32::from(u16::MAX), "MaxCustodians fits u16");
			assert!(
				T::InvitationLifetime::get() > BlockNumberFor::<T>::from(0u32),
				"InvitationLifetime must be positive"
			);
			assert!(
				T::RateWindow::get() > BlockNumberFor::<T>::from(0u32),
				"RateWindow must be positive"
			);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add an organisation (hospital) to the consortium.
		///
		/// - Origin: `GovernanceOrigin`.
		/// - Changes: inserts an active [`Organisation`].
		/// - Events: [`Event::OrganisationAdded`].
		/// - Errors: [`Error::OrgExists`]; `BadOrigin`.
		#[pallet::call_index(0)]
		#[pallet::weight((T::WeightInfo::add_organisation(), DispatchClass::Normal, Pays::No))]
		pub fn add_organisation(
			origin: OriginFor<T>,
			org: OrgId,
			name_hash: [u8; 32],
			custodian_index: Option<CustodianIndex>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(!Organisations::<T>::contains_key(org), Error::<T>::OrgExists);
			Organisations::<T>::insert(
				org,
				Organisation { id: org, name_hash, custodian_index, status: OrgStatus::Active },
			);
			Self::deposit_event(Event::OrganisationAdded { org, custodian_index, at: Self::now() });
			Ok(())
		}

		/// Suspend or re-activate an organisation. While suspended its members hold no role.
		///
		/// - Origin: `GovernanceOrigin`.
		/// - Changes: the organisation's status.
		/// - Events: [`Event::OrganisationStatusChanged`].
		/// - Errors: [`Error::UnknownOrg`], [`Error::StatusUnchanged`]; `BadOrigin`.
		#[pallet::call_index(1)]
		#[pallet::weight((T::WeightInfo::set_organisation_status(), DispatchClass::Normal, Pays::No))]
		pub fn set_organisation_status(
			origin: OriginFor<T>,
			org: OrgId,
			status: OrgStatus,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Organisations::<T>::try_mutate(org, |o| -> DispatchResult {
				let o = o.as_mut().ok_or(Error::<T>::UnknownOrg)?;
				ensure!(o.status != status, Error::<T>::StatusUnchanged);
				o.status = status;
				Ok(())
			})?;
			Self::deposit_event(Event::OrganisationStatusChanged { org, status, at: Self::now() });
			Ok(())
		}

		/// Add a member to an organisation.
		///
		/// - Origin: a manager of `org` (signed), or `GovernanceOrigin` (e.g. the first manager).
		/// - Changes: inserts the membership.
		/// - Events: [`Event::MemberAdded`].
		/// - Errors: [`Error::UnknownOrg`], [`Error::OrgSuspended`], [`Error::NotManagerOfOrg`],
		///   [`Error::InvalidRoles`], [`Error::NotRegistered`] (the account must have accepted
		///   its invitation and be active), [`Error::NotStaff`], [`Error::AlreadyMember`];
		///   `BadOrigin`.
		#[pallet::call_index(2)]
		#[pallet::weight((T::WeightInfo::add_member(), DispatchClass::Normal, Pays::No))]
		pub fn add_member(
			origin: OriginFor<T>,
			org: OrgId,
			who: T::AccountId,
			roles: Roles,
			emergency: bool,
		) -> DispatchResult {
			let by = Self::ensure_manager_or_governance(origin, org)?;
			ensure!(roles.is_valid() && !roles.is_empty(), Error::<T>::InvalidRoles);
			let account = Self::active_account(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(account.kind == AccountKind::Staff, Error::<T>::NotStaff);
			ensure!(!Members::<T>::contains_key(org, &who), Error::<T>::AlreadyMember);
			Members::<T>::insert(org, &who, MemberInfo { roles, emergency });
			MemberOrgs::<T>::insert(&who, org, ());
			Self::deposit_event(Event::MemberAdded {
				org,
				who,
				roles,
				emergency,
				by,
				at: Self::now(),
			});
			Ok(())
		}

		/// Change a member's roles and emergency flag.
		///
		/// - Origin: a manager of `org` (signed), or `GovernanceOrigin`.
		/// - Changes: the membership.
		/// - Events: [`Event::MemberUpdated`].
		/// - Errors: [`Error::UnknownOrg`], [`Error::OrgSuspended`], [`Error::NotManagerOfOrg`],
		///   [`Error::NotMember`], [`Error::InvalidRoles`]; `BadOrigin`.
		#[pallet::call_index(3)]
		#[pallet::weight((T::WeightInfo::update_member(), DispatchClass::Normal, Pays::No))]
		pub fn update_member(
			origin: OriginFor<T>,
			org: OrgId,
			who: T::AccountId,
			roles: Roles,
			emergency: bool,
		) -> DispatchResult {
			let by = Self::ensure_manager_or_governance(origin, org)?;
			ensure!(roles.is_valid() && !roles.is_empty(), Error::<T>::InvalidRoles);
			Members::<T>::try_mutate(org, &who, |m| -> DispatchResult {
				let m = m.as_mut().ok_or(Error::<T>::NotMember)?;
				*m = MemberInfo { roles, emergency };
				Ok(())
			})?;
			Self::deposit_event(Event::MemberUpdated {
				org,
				who,
				roles,
				emergency,
				by,
				at: Self::now(),
			});
			Ok(())
		}

		/// Remove a member from an organisation. Its roles there end at once: later access
		/// requests through role grants fail.
		///
		/// - Origin: a manager of `org` (signed), or `GovernanceOrigin`.
		/// - Changes: removes the membership.
		/// - Events: [`Event::MemberRemoved`].
		/// - Errors: [`Error::UnknownOrg`], [`Error::OrgSuspended`], [`Error::NotManagerOfOrg`],
		///   [`Error::NotMember`]; `BadOrigin`.
		#[pallet::call_index(4)]
		#[pallet::weight((T::WeightInfo::remove_member(), DispatchClass::Normal, Pays::No))]
		pub fn remove_member(
			origin: OriginFor<T>,
			org: OrgId,
			who: T::AccountId,
		) -> DispatchResult {
			let by = Self::ensure_manager_or_governance(origin, org)?;
			ensure!(Members::<T>::contains_key(org, &who), Error::<T>::NotMember);
			Members::<T>::remove(org, &who);
			MemberOrgs::<T>::remove(&who, org);
			Self::deposit_event(Event::MemberRemoved { org, who, by, at: Self::now() });
			Ok(())
		}

		/// Replace the caller's X25519 public key. Capsules sealed later use the new key.
		///
		/// - Origin: an active registered account (signed).
		/// - Changes: the account's `x25519`.
		/// - Events: [`Event::KeyRotated`].
		/// - Errors: [`Error::NotRegistered`], [`Error::InvalidX25519Key`]; `BadOrigin`.
		#[pallet::call_index(6)]
		#[pallet::weight((T::WeightInfo::rotate_key(), DispatchClass::Normal, Pays::No))]
		pub fn rotate_key(origin: OriginFor<T>, x25519: [u8; 32]) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(x25519::is_valid(&x25519), Error::<T>::InvalidX25519Key);
			Accounts::<T>::try_mutate(&who, |a| -> DispatchResult {
				let a = a.as_mut().filter(|a| a.is_active()).ok_or(Error::<T>::NotRegistered)?;
				a.x25519 = x25519;
				Ok(())
			})?;
			Self::deposit_event(Event::KeyRotated { who, x25519, at: Self::now() });
			Ok(())
		}

		/// Set the consortium custody configuration (after a dealer ceremony or a DKG).
		///
		/// - Origin: `GovernanceOrigin`.
		/// - Changes: replaces the [`CustodyConfig`].
		/// - Events: [`Event::CustodyConfigSet`].
		/// - Errors: [`Error::InvalidCustodyConfig`], [`Error::CustodianNotRegistered`],
		///   [`Error::InvalidCustodyKey`], [`Error::InconsistentCustodyKeys`]; `BadOrigin`.
		#[pallet::call_index(7)]
		#[pallet::weight((T::WeightInfo::set_custody_config(T::MaxCustodians::get()), DispatchClass::Normal, Pays::No))]
		pub fn set_custody_config(
			origin: OriginFor<T>,
			public_key: [u8; 32],
			verification_keys: BoundedVec<[u8; 32], T::MaxCustodians>,
			custodian_accounts: BoundedVec<T::AccountId, T::MaxCustodians>,
			threshold: u16,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let config = Self::check_custody(
				public_key,
				verification_keys.into_inner(),
				custodian_accounts.into_inner(),
				threshold,
			)?;
			let custodians = u16::try_from(config.custodian_accounts.len())
				.map_err(|_| Error::<T>::InvalidCustodyConfig)?;
			Custody::<T>::put(config);
			Self::deposit_event(Event::CustodyConfigSet {
				public_key,
				custodians,
				threshold,
				at: Self::now(),
			});
			Ok(())
		}

		/// Invite an account to register as a patient or a staff member. The account then
		/// exists on chain (it gets a provider reference, so it needs no balance) and may submit
		/// one kind of transaction: [`Pallet::accept_invitation`], within
		/// `InvitationLifetime` blocks. An expired invitation may be replaced by a new one.
		///
		/// - Origin: a manager of `org` (signed), or `GovernanceOrigin`. `org` names the
		///   organisation under whose authority the account is onboarded; its managers may
		///   later freeze, re-activate and deregister a staff account.
		/// - Changes: inserts the [`Invitation`]; increments the account's providers once.
		/// - Events: [`Event::AccountInvited`].
		/// - Errors: [`Error::UnknownOrg`], [`Error::OrgSuspended`], [`Error::NotManagerOfOrg`],
		///   [`Error::AlreadyRegistered`], [`Error::AlreadyInvited`]; `BadOrigin`.
		#[pallet::call_index(8)]
		#[pallet::weight((T::WeightInfo::invite_account(), DispatchClass::Normal, Pays::No))]
		pub fn invite_account(
			origin: OriginFor<T>,
			org: OrgId,
			who: T::AccountId,
			kind: AccountKind,
		) -> DispatchResult {
			let by = Self::ensure_manager_or_governance(origin, org)?;
			ensure!(!Accounts::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			let now = Self::now();
			let replaced = match Invitations::<T>::get(&who) {
				Some(i) if i.expires_at >= now => return Err(Error::<T>::AlreadyInvited.into()),
				Some(_) => true,
				None => false,
			};
			let expires_at = now.saturating_add(T::InvitationLifetime::get());
			Invitations::<T>::insert(
				&who,
				Invitation { kind, org, invited_by: by.clone(), expires_at },
			);
			if !replaced {
				frame_system::Pallet::<T>::inc_providers(&who);
			}
			Self::deposit_event(Event::AccountInvited { who, kind, org, by, expires_at, at: now });
			Ok(())
		}

		/// Accept one's invitation, publishing one's own X25519 public key: the account is
		/// registered, active, with the kind and organisation of the invitation. The
		/// transaction is signed by the account itself, which is the proof that the key was
		/// chosen by the key's owner, not by the manager who invited it.
		///
		/// - Origin: the invited account (signed; [`CheckRegistered`] lets an invited account
		///   submit this call and nothing else).
		/// - Changes: removes the [`Invitation`], inserts the [`AccountInfo`] (the provider
		///   reference stays).
		/// - Events: [`Event::AccountRegistered`].
		/// The account names the organisation and the kind it expects, so it cannot be made
		/// the staff of another hospital (whose managers could then freeze it) by an
		/// invitation that got there first.
		///
		/// - Errors: [`Error::NotInvited`], [`Error::InvitationExpired`],
		///   [`Error::InvitationMismatch`], [`Error::InvalidX25519Key`]; `BadOrigin`.
		#[pallet::call_index(9)]
		#[pallet::weight((T::WeightInfo::accept_invitation(), DispatchClass::Normal, Pays::No))]
		pub fn accept_invitation(
			origin: OriginFor<T>,
			x25519: [u8; 32],
			org: OrgId,
			kind: AccountKind,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let invitation = Invitations::<T>::get(&who).ok_or(Error::<T>::NotInvited)?;
			let now = Self::now();
			ensure!(invitation.expires_at >= now, Error::<T>::InvitationExpired);
			ensure!(
				invitation.org == org && invitation.kind == kind,
				Error::<T>::InvitationMismatch
			);
			ensure!(x25519::is_valid(&x25519), Error::<T>::InvalidX25519Key);
			Invitations::<T>::remove(&who);
			let Invitation { kind, org, invited_by: by, .. } = invitation;
			Accounts::<T>::insert(
				&who,
				AccountInfo {
					kind,
					x25519,
					registered_by: by.clone(),
					org: Some(org),
					status: AccountStatus::Active,
				},
			);
			Self::deposit_event(Event::AccountRegistered { who, kind, org, by, x25519, at: now });
			Ok(())
		}

		/// Withdraw an invitation that was not accepted (also an expired one, to free its
		/// state).
		///
		/// - Origin: a manager of the invitation's organisation (signed), or
		///   `GovernanceOrigin`.
		/// - Changes: removes the [`Invitation`]; decrements the account's providers.
		/// - Events: [`Event::InvitationCancelled`].
		/// - Errors: [`Error::NotInvited`], [`Error::UnknownOrg`], [`Error::OrgSuspended`],
		///   [`Error::NotManagerOfOrg`]; `BadOrigin`.
		#[pallet::call_index(10)]
		#[pallet::weight((T::WeightInfo::cancel_invitation(), DispatchClass::Normal, Pays::No))]
		pub fn cancel_invitation(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			let invitation = Invitations::<T>::get(&who).ok_or(Error::<T>::NotInvited)?;
			let by = Self::ensure_manager_or_governance(origin, invitation.org)?;
			Invitations::<T>::remove(&who);
			// The provider was added by the invitation and nothing else can have consumed the
			// account (it could only accept); if something did, the reference stays.
			let _ = frame_system::Pallet::<T>::dec_providers(&who);
			Self::deposit_event(Event::InvitationCancelled { who, by, at: Self::now() });
			Ok(())
		}

		/// Decline one's own invitation (an unwanted one, or one from the wrong organisation,
		/// so that the right one can be sent).
		///
		/// - Origin: the invited account (signed; [`CheckRegistered`] admits it like
		///   `accept_invitation`).
		/// - Changes: removes the [`Invitation`]; decrements the account's providers.
		/// - Events: [`Event::InvitationCancelled`] (`by` is the account).
		/// - Errors: [`Error::NotInvited`]; `BadOrigin`.
		#[pallet::call_index(13)]
		#[pallet::weight((T::WeightInfo::cancel_invitation(), DispatchClass::Normal, Pays::No))]
		pub fn decline_invitation(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Invitations::<T>::contains_key(&who), Error::<T>::NotInvited);
			Invitations::<T>::remove(&who);
			let _ = frame_system::Pallet::<T>::dec_providers(&who);
			Self::deposit_event(Event::InvitationCancelled {
				who: who.clone(),
				by: Some(who),
				at: Self::now(),
			});
			Ok(())
		}

		/// Freeze, re-activate or deregister an account. A frozen or deregistered account's
		/// transactions are refused before the pool, it holds no role in any organisation, and
		/// no grant to it works, delegations included, from this block on (the access pallet's
		/// authority check reads the status at every use). Deregistration is final; the
		/// memberships stay in storage without effect until a manager removes them.
		///
		/// - Origin: `GovernanceOrigin` for any account; a manager (signed) of the active
		///   organisation a **staff** account was onboarded under, while the account is still a
		///   member there and is not a manager there (managers do not freeze each other).
		/// - Changes: the account's status.
		/// - Events: [`Event::AccountStatusChanged`].
		/// - Errors: [`Error::NotRegistered`] (no such account), [`Error::NotAccountAuthority`],
		///   [`Error::UnknownOrg`], [`Error::OrgSuspended`], [`Error::NotManagerOfOrg`],
		///   [`Error::AccountDeregistered`], [`Error::StatusUnchanged`],
		///   [`Error::CustodianAccount`]; `BadOrigin`.
		#[pallet::call_index(11)]
		#[pallet::weight((T::WeightInfo::set_account_status(), DispatchClass::Normal, Pays::No))]
		pub fn set_account_status(
			origin: OriginFor<T>,
			who: T::AccountId,
			status: AccountStatus,
		) -> DispatchResult {
			let account = Accounts::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			let by = match T::GovernanceOrigin::try_origin(origin) {
				Ok(_) => None,
				Err(origin) => {
					let org = account
						.org
						.filter(|_| account.kind == AccountKind::Staff)
						.ok_or(Error::<T>::NotAccountAuthority)?;
					let by = Self::ensure_manager_or_governance(origin, org)?;
					let membership = Members::<T>::get(org, &who);
					ensure!(
						membership.is_some_and(|m| !m.roles.contains(Role::Manager)),
						Error::<T>::NotAccountAuthority
					);
					by
				}
			};
			ensure!(account.status != AccountStatus::Deregistered, Error::<T>::AccountDeregistered);
			ensure!(account.status != status, Error::<T>::StatusUnchanged);
			if status != AccountStatus::Active {
				ensure!(Self::custodian_of(&who).is_none(), Error::<T>::CustodianAccount);
			}
			Accounts::<T>::insert(&who, AccountInfo { status, ..account });
			let now = Self::now();
			Self::deposit_event(Event::AccountStatusChanged { who, status, by, at: now });
			Ok(())
		}

		/// Correct the kind (patient or staff) of a registered account.
		///
		/// - Origin: `GovernanceOrigin`.
		/// - Changes: the account's `kind`.
		/// - Events: [`Event::AccountKindChanged`].
		/// - Errors: [`Error::NotRegistered`], [`Error::AccountDeregistered`],
		///   [`Error::StatusUnchanged`], [`Error::HasMemberships`] (a member cannot become a
		///   patient); `BadOrigin`.
		#[pallet::call_index(12)]
		#[pallet::weight((T::WeightInfo::set_account_kind(), DispatchClass::Normal, Pays::No))]
		pub fn set_account_kind(
			origin: OriginFor<T>,
			who: T::AccountId,
			kind: AccountKind,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Accounts::<T>::try_mutate(&who, |a| -> DispatchResult {
				let a = a.as_mut().ok_or(Error::<T>::NotRegistered)?;
				ensure!(a.status != AccountStatus::Deregistered, Error::<T>::AccountDeregistered);
				ensure!(a.kind != kind, Error::<T>::StatusUnchanged);
				ensure!(
					kind == AccountKind::Staff
						|| MemberOrgs::<T>::iter_key_prefix(&who).next().is_none(),
					Error::<T>::HasMemberships
				);
				a.kind = kind;
				Ok(())
			})?;
			Self::deposit_event(Event::AccountKindChanged { who, kind, at: Self::now() });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The current block number (the "when" of events).
	fn now() -> frame_system::pallet_prelude::BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// Governance, or a signed manager of the active organisation `org`. Returns the manager,
	/// `None` for governance.
	fn ensure_manager_or_governance(
		origin: T::RuntimeOrigin,
		org: OrgId,
	) -> Result<Option<T::AccountId>, DispatchError> {
		let organisation = Organisations::<T>::get(org);
		match T::GovernanceOrigin::try_origin(origin) {
			Ok(_) => {
				ensure!(organisation.is_some(), Error::<T>::UnknownOrg);
				Ok(None)
			}
			Err(origin) => {
				let who = frame_system::ensure_signed(origin)?;
				let organisation = organisation.ok_or(Error::<T>::UnknownOrg)?;
				ensure!(organisation.status == OrgStatus::Active, Error::<T>::OrgSuspended);
				ensure!(
					Self::active_member(org, &who).is_some_and(|m| m.roles.contains(Role::Manager)),
					Error::<T>::NotManagerOfOrg
				);
				Ok(Some(who))
			}
		}
	}

	/// Insert an active registered account and give it a provider reference (genesis and
	/// benchmarks; on a running chain accounts are invited and accept).
	fn do_register(
		who: &T::AccountId,
		kind: AccountKind,
		x25519: [u8; 32],
		registered_by: Option<T::AccountId>,
		org: Option<OrgId>,
	) {
		let status = AccountStatus::Active;
		Accounts::<T>::insert(who, AccountInfo { kind, x25519, registered_by, org, status });
		frame_system::Pallet::<T>::inc_providers(who);
	}

	/// The account `who`, if it is registered and active.
	fn active_account(who: &T::AccountId) -> Option<AccountInfo<T::AccountId>> {
		Accounts::<T>::get(who).filter(|a| a.is_active())
	}

	/// Validate and build a custody configuration.
	pub fn check_custody(
		public_key: [u8; 32],
		verification_keys: Vec<[u8; 32]>,
		custodian_accounts: Vec<T::AccountId>,
		threshold: u16,
	) -> Result<CustodyConfigOf<T>, Error<T>> {
		let n = custodian_accounts.len();
		ensure!(n == verification_keys.len(), Error::<T>::InvalidCustodyConfig);
		ensure!(threshold >= 1 && usize::from(threshold) <= n, Error::<T>::InvalidCustodyConfig);
		for (i, a) in custodian_accounts.iter().enumerate() {
			ensure!(
				!custodian_accounts.iter().skip(i.saturating_add(1)).any(|b| b == a),
				Error::<T>::InvalidCustodyConfig
			);
			ensure!(Self::active_account(a).is_some(), Error::<T>::CustodianNotRegistered);
		}
		custody::check_keys(&public_key, &verification_keys, usize::from(threshold)).map_err(
			|p| match p {
				custody::KeyProblem::InvalidPoint => Error::<T>::InvalidCustodyKey,
				custody::KeyProblem::Inconsistent => Error::<T>::InconsistentCustodyKeys,
			},
		)?;
		Ok(CustodyConfig {
			public_key,
			verification_keys: BoundedVec::try_from(verification_keys)
				.map_err(|_| Error::<T>::InvalidCustodyConfig)?,
			custodian_accounts: BoundedVec::try_from(custodian_accounts)
				.map_err(|_| Error::<T>::InvalidCustodyConfig)?,
			threshold,
		})
	}

	/// The active organisation `org`, if any.
	fn active_org(org: OrgId) -> Option<Organisation> {
		Organisations::<T>::get(org).filter(|o| o.status == OrgStatus::Active)
	}

	/// The membership of the active account `who` in the active organisation `org`: a
	/// frozen or deregistered account holds no role anywhere.
	fn active_member(org: OrgId, who: &T::AccountId) -> Option<MemberInfo> {
		Self::active_org(org)?;
		Self::active_account(who)?;
		Members::<T>::get(org, who)
	}

	/// Check the pallet's invariants (`try_state`; also called by tests of other pallets).
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		for (org, who, info) in Members::<T>::iter() {
			ensure!(Organisations::<T>::contains_key(org), "member of an unknown organisation");
			ensure!(MemberOrgs::<T>::contains_key(&who, org), "reverse member index missing");
			ensure!(info.roles.is_valid() && !info.roles.is_empty(), "invalid roles");
		}
		for (who, org, ()) in MemberOrgs::<T>::iter() {
			ensure!(Members::<T>::contains_key(org, &who), "stale reverse member index");
		}
		for (id, o) in Organisations::<T>::iter() {
			ensure!(o.id == id, "organisation id mismatch");
		}
		for (who, _) in Invitations::<T>::iter() {
			ensure!(!Accounts::<T>::contains_key(&who), "invitation of a registered account");
		}

		if let Some(c) = Custody::<T>::get() {
			ensure!(
				c.custodian_accounts.len() == c.verification_keys.len(),
				"custody key and account counts differ"
			);
			ensure!(
				c.threshold >= 1 && usize::from(c.threshold) <= c.custodian_accounts.len(),
				"custody threshold out of range"
			);
		}
		Ok(())
	}
}

impl<T: Config> Membership<T::AccountId> for Pallet<T> {
	fn max_custodians() -> u32 {
		T::MaxCustodians::get()
	}

	fn is_registered(who: &T::AccountId) -> bool {
		Self::active_account(who).is_some()
	}

	fn is_inactive(who: &T::AccountId) -> bool {
		Accounts::<T>::get(who).is_some_and(|a| !a.is_active())
	}

	fn is_patient(who: &T::AccountId) -> bool {
		Self::active_account(who).is_some_and(|a| a.kind == AccountKind::Patient)
	}

	fn x25519_of(who: &T::AccountId) -> Option<[u8; 32]> {
		Self::active_account(who).map(|a| a.x25519)
	}

	fn has_role(org: OrgId, who: &T::AccountId, role: Role) -> bool {
		Self::active_member(org, who).is_some_and(|m| m.roles.contains(role))
	}

	fn is_member(org: OrgId, who: &T::AccountId) -> bool {
		Self::active_member(org, who).is_some()
	}

	fn emergency_flag(org: OrgId, who: &T::AccountId) -> bool {
		Self::active_member(org, who).is_some_and(|m| m.emergency)
	}

	fn is_manager_or_auditor(org: OrgId, who: &T::AccountId) -> bool {
		Self::active_member(org, who)
			.is_some_and(|m| m.roles.contains(Role::Manager) || m.roles.contains(Role::Auditor))
	}

	fn org_exists(org: OrgId) -> bool {
		Self::active_org(org).is_some()
	}

	fn custodian_of(who: &T::AccountId) -> Option<CustodianIndex> {
		let c = Custody::<T>::get()?;
		let i = c.custodian_accounts.iter().position(|a| a == who)?;
		CustodianIndex::try_from(i).ok()
	}

	fn custodian_account(index: CustodianIndex) -> Option<T::AccountId> {
		Custody::<T>::get()?.custodian_accounts.get(usize::from(index)).cloned()
	}

	fn threshold() -> u16 {
		Custody::<T>::get().map(|c| c.threshold).unwrap_or(0)
	}

	fn custody_key() -> Option<[u8; 32]> {
		Custody::<T>::get().map(|c| c.public_key)
	}

	fn custodians() -> u16 {
		Custody::<T>::get()
			.map(|c| u16::try_from(c.custodian_accounts.len()).unwrap_or(u16::MAX))
			.unwrap_or(0)
	}

	fn memberships_of(who: &T::AccountId) -> Vec<(OrgId, Roles)> {
		MemberOrgs::<T>::iter_key_prefix(who)
			.filter_map(|org| Self::active_member(org, who).map(|m| (org, m.roles)))
			.collect()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_add_org(org: OrgId) {
		Organisations::<T>::insert(
			org,
			Organisation {
				id: org,
				name_hash: [1; 32],
				custodian_index: None,
				status: OrgStatus::Active,
			},
		);
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_register(who: &T::AccountId, kind: AccountKind) {
		if !Accounts::<T>::contains_key(who) {
			Self::do_register(who, kind, [9; 32], None, None);
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_add_member(org: OrgId, who: &T::AccountId, roles: Roles, emergency: bool) {
		Members::<T>::insert(org, who, MemberInfo { roles, emergency });
		MemberOrgs::<T>::insert(who, org, ());
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_set_custody(accounts: Vec<T::AccountId>, threshold: u16) {
		let coefficients: Vec<u64> = (1..=u64::from(threshold)).collect();
		let (group, keys) = custody::public_keys(&coefficients, accounts.len());
		for a in &accounts {
			if !Accounts::<T>::contains_key(a) {
				Self::do_register(a, AccountKind::Staff, [9; 32], None, None);
			}
		}
		if let Ok(c) = Self::check_custody(group, keys, accounts, threshold) {
			Custody::<T>::put(c);
		}
	}
}
