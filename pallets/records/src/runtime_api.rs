//! Runtime API of the records pallet.
//!
//! Implement it in the runtime by calling [`crate::Pallet::record`] and
//! [`crate::Pallet::records_of`].

#![allow(missing_docs)] // decl_runtime_apis! generates undocumented items.

use crate::RecordId;
use alloc::vec::Vec;

sp_api::decl_runtime_apis! {
	/// Read records without decoding storage by hand.
	///
	/// `Record` is `pallet_records::Record<Runtime>`.
	pub trait RecordsApi<AccountId, Record>
	where
		AccountId: codec::Codec,
		Record: codec::Codec,
	{
		/// A record version by id.
		fn record(id: RecordId) -> Option<Record>;
		/// Up to `limit` record ids of `patient` after the cursor `start_after` (the last id
		/// of the previous page; `None` for the first page).
		fn records_of(patient: AccountId, start_after: Option<RecordId>, limit: u32) -> Vec<RecordId>;
	}
}
