//! Version 0 to 1: index every custody capsule's ephemeral point in
//! [`CapsulePoints`](crate::CapsulePoints).
//!
//! Version 0 kept no such index. The migration walks the records in one block (a consortium
//! chain upgraded before it holds production data; with many records, run it as a
//! multi-block migration instead) and keeps the first record of a point seen twice: those
//! later copies are exactly what the index now refuses, and their capsules are of the old
//! format that custodians no longer serve. Records whose capsule is shorter than a point are
//! left out; `try_state` accepts both leftovers.

use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};

use crate::{capsule_point, CapsulePoints, Config, Pallet, Records};

/// The unversioned step; use [`MigrateV0ToV1`].
pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
	fn on_runtime_upgrade() -> Weight {
		let mut writes = 0u64;
		let mut ids: alloc::vec::Vec<_> = Records::<T>::iter_keys().collect();
		ids.sort_unstable();
		// The key walk reads every record once, then each is read again with its index.
		let mut reads = u64::try_from(ids.len()).unwrap_or(u64::MAX);
		for id in ids {
			reads = reads.saturating_add(2);
			let Some(point) = Records::<T>::get(id).and_then(|r| capsule_point(&r.custody_capsule))
			else {
				continue;
			};
			if !CapsulePoints::<T>::contains_key(point) {
				CapsulePoints::<T>::insert(point, id);
				writes = writes.saturating_add(1);
			}
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}
}

/// Builds [`CapsulePoints`] and sets the storage version to 1, only when it is 0.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	InnerMigrateV0ToV1<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
