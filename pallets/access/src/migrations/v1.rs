//! Version 0 to 1: count every open request that still waits for its key in
//! [`PendingRequests`](crate::PendingRequests).
//!
//! Version 0 kept no such list. Requests live `RequestLifetime` blocks, so there are at most
//! `RequestLifetime * MaxRequestsPerBlock` of them: the migration walks them in one block.
//! An account with more than `MaxPendingRequests` waiting requests (possible before the cap)
//! keeps the lowest ids listed; the others still get their shares and are pruned as usual.

use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};
use pallet_consortium::Membership;

use crate::{Config, Pallet, PendingRequests, Requests};

/// The unversioned step; use [`MigrateV0ToV1`].
pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
	fn on_runtime_upgrade() -> Weight {
		let threshold = usize::from(T::Consortium::threshold());
		let mut waiting: alloc::vec::Vec<_> = Requests::<T>::iter()
			.filter(|(_, r)| r.shares.len() < threshold)
			.map(|(id, r)| (id, r.requester))
			.collect();
		let reads = u64::try_from(waiting.len()).unwrap_or(u64::MAX).saturating_add(1);
		waiting.sort_unstable_by_key(|(id, _)| *id);
		let mut writes = 0u64;
		for (id, requester) in waiting {
			PendingRequests::<T>::mutate(&requester, |list| {
				if list.try_push(id).is_ok() {
					writes = writes.saturating_add(1);
				}
			});
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}
}

/// Builds [`PendingRequests`] and sets the storage version to 1, only when it is 0.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	InnerMigrateV0ToV1<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
