//! The [`Membership`] trait: what other pallets may ask the consortium.

#[cfg(feature = "runtime-benchmarks")]
use crate::types::AccountKind;
use crate::types::{CustodianIndex, OrgId, Role, Roles};

/// Read access to the consortium's organisations, members, registered accounts and custody
/// configuration.
///
/// `pallet-records` and `pallet-access` take an implementation of this trait in their `Config`
/// (`type Consortium`), so that they do not depend on the concrete consortium pallet. The
/// consortium [`Pallet`](crate::Pallet) implements it.
///
/// Role queries only see active accounts' memberships of *active* organisations: suspending
/// an organisation suspends every role its members hold there, and freezing an account every
/// role it holds anywhere.
pub trait Membership<AccountId> {
	/// Whether `who` is an active registered account (patient or staff).
	fn is_registered(who: &AccountId) -> bool;
	/// Whether `who` is a registered account that is frozen or deregistered.
	fn is_inactive(who: &AccountId) -> bool;
	/// Whether `who` is an active registered patient.
	fn is_patient(who: &AccountId) -> bool;
	/// The X25519 public key of an active registered account.
	fn x25519_of(who: &AccountId) -> Option<[u8; 32]>;
	/// Whether `who` holds `role` in the active organisation `org`.
	fn has_role(org: OrgId, who: &AccountId, role: Role) -> bool;
	/// Whether `who` is a member (any role) of the active organisation `org`.
	fn is_member(org: OrgId, who: &AccountId) -> bool;
	/// Whether `who` is a member of the active organisation `org` with the emergency flag.
	fn emergency_flag(org: OrgId, who: &AccountId) -> bool;
	/// Whether `who` is a manager or an auditor of the active organisation `org`.
	fn is_manager_or_auditor(org: OrgId, who: &AccountId) -> bool {
		Self::has_role(org, who, Role::Manager) || Self::has_role(org, who, Role::Auditor)
	}
	/// Whether `org` exists and is active.
	fn org_exists(org: OrgId) -> bool;
	/// The custodian index `who` submits key shares for, if any.
	fn custodian_of(who: &AccountId) -> Option<CustodianIndex>;
	/// The account registered for custodian `index`, if any.
	fn custodian_account(index: CustodianIndex) -> Option<AccountId>;
	/// How many key shares recover a data key (0 when no custody configuration is set).
	fn threshold() -> u16;
	/// How many custodians the custody configuration has (0 when none is set).
	fn custodians() -> u16;
	/// The most custodians a custody configuration may have (`Config::MaxCustodians`), for
	/// other pallets' `integrity_test`.
	fn max_custodians() -> u32;
	/// The custody group key `S` capsules are sealed to, if a configuration is set.
	fn custody_key() -> Option<[u8; 32]>;
	/// The organisations `who` is a member of, with the roles held there (active organisations
	/// only). Iterates the account's memberships: for runtime APIs, not for extrinsics.
	fn memberships_of(who: &AccountId) -> alloc::vec::Vec<(OrgId, Roles)>;

	/// Benchmark helper: make `org` an active organisation.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_add_org(org: OrgId);
	/// Benchmark helper: register `who` as `kind` with a fixed X25519 key.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_register(who: &AccountId, kind: AccountKind);
	/// Benchmark helper: make `who` a member of `org` with `roles` and the emergency flag.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_add_member(org: OrgId, who: &AccountId, roles: Roles, emergency: bool);
	/// Benchmark helper: set a custody configuration whose custodians are `accounts`.
	#[cfg(feature = "runtime-benchmarks")]
	fn bench_set_custody(accounts: alloc::vec::Vec<AccountId>, threshold: u16);
}
