//! Runtime API of the access pallet.
//!
//! Implement it in the runtime by calling the matching `pub fn`s of [`crate::Pallet`]:
//! `grant_by_id`, `grants_of_patient`, `grants_held_by`, `can_read`, `request_by_id`,
//! `open_requests_for_custodian`.

#![allow(missing_docs)] // decl_runtime_apis! generates undocumented items.

use crate::{DenialReason, GrantId, RecordId, RequestId};
use alloc::vec::Vec;
use pallet_consortium::CustodianIndex;

sp_api::decl_runtime_apis! {
	/// Query grants and access requests.
	///
	/// `Grant` is `pallet_access::Grant<Runtime>`, `Request` is
	/// `pallet_access::AccessRequest<Runtime>`. Paged calls return items ordered by id, at
	/// most `limit`, after the cursor `start_after` (the last id of the previous page).
	pub trait AccessApi<AccountId, Grant, Request>
	where
		AccountId: codec::Codec,
		Grant: codec::Codec,
		Request: codec::Codec,
	{
		/// A grant by id.
		fn grant(id: GrantId) -> Option<Grant>;
		/// The grants a patient gave (all states).
		fn grants_of_patient(patient: AccountId, start_after: Option<GrantId>, limit: u32) -> Vec<Grant>;
		/// The grants an account holds, directly or through a role it currently holds.
		fn grants_held_by(account: AccountId, start_after: Option<GrantId>, limit: u32) -> Vec<Grant>;
		/// Whether `account` may read `record` now: the grant to use, or why not.
		fn can_read(account: AccountId, record: RecordId) -> Result<GrantId, DenialReason>;
		/// An open access request by id.
		fn request(id: RequestId) -> Option<Request>;
		/// Open requests still waiting for the key share of custodian `index` (every custodian
		/// answers every request, also after the threshold is reached).
		fn open_requests_for_custodian(index: CustodianIndex, start_after: Option<RequestId>, limit: u32) -> Vec<Request>;
		/// Whether a share may be released for open request `request` now: the requester's
		/// whole authority under its grant, checked as `release_shares` checks it. Custodians
		/// ask this at the latest finalized block before a share leaves them.
		fn may_release(request: RequestId) -> Result<(), DenialReason>;
	}
}
