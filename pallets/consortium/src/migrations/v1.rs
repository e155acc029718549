//! Version 0 to 1: accounts gain an onboarding organisation and a status.
//!
//! Version 0 accounts were registered by a manager or governance with the key they chose, and
//! could not be frozen. They become active, with no onboarding organisation (so only
//! governance may freeze or deregister them); their keys stay as published, and an account
//! that wants to be sure of its key rotates it (`rotate_key`, signed by itself).

use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};

use crate::{AccountInfo, AccountKind, AccountStatus, Accounts, Config, Pallet};

/// The version 0 layout of [`AccountInfo`].
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
pub struct AccountInfoV0<AccountId> {
	/// Patient or staff.
	pub kind: AccountKind,
	/// The X25519 key.
	pub x25519: [u8; 32],
	/// Who registered it.
	pub registered_by: Option<AccountId>,
}

/// The unversioned step; use [`MigrateV0ToV1`].
pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
	fn on_runtime_upgrade() -> Weight {
		let mut count = 0u64;
		Accounts::<T>::translate::<AccountInfoV0<T::AccountId>, _>(|_, old| {
			count = count.saturating_add(1);
			Some(AccountInfo {
				kind: old.kind,
				x25519: old.x25519,
				registered_by: old.registered_by,
				org: None,
				status: AccountStatus::Active,
			})
		});
		T::DbWeight::get().reads_writes(count, count)
	}
}

/// Migrates [`Accounts`] and sets the storage version to 1, only when it is 0.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	InnerMigrateV0ToV1<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
