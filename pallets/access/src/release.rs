//! Key-share release by the custodians.
//!
//! A custodian releases its shares with [`crate::Call::release_shares`], an *authorized*
//! transaction: it has no signer and no nonce; the custodian signs the batch inside the call
//! and `frame_system::AuthorizeCall` lets the pool and the block builder ask
//! [`Pallet::authorize_release`] whether it may be included. So:
//! - the pool refuses an invalid release at validation, and the block builder (and every
//!   importing node) again at the block it is in: a release that is no longer authorized
//!   never reaches a block body or the audit trail (a failed dispatch would still carry it
//!   there). Confidentiality does not rest on this: a release accepted by a pool is gossiped
//!   and can be read from any pool before a block drops it, so the cut-off that protects
//!   the key is the custodian's own `may_release` check before its share leaves it;
//! - the pool keeps one release per (request, custodian): each release *provides* the tag
//!   [`release_tag`], so a second batch naming the same request is not taken while the first
//!   is pending, and a release already on chain is stale;
//! - releases are not counted by the per-account rate limit (they are bounded by the open
//!   requests) and are operational: ordinary transactions cannot crowd them out of a block.
//!
//! Every release in a batch must be valid for the batch to be valid. A custodian builds its
//! batches from the `may_release` runtime API; when a batch is refused (a grant that expired
//! or was revoked between the check and the block), it releases those requests one per
//! transaction, so one such request cannot hold the others back.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_consortium::{CustodianIndex, Membership};
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto, Verify, Zero},
	transaction_validity::{InvalidTransaction, TransactionPriority, ValidTransaction},
};

use crate::{
	AccessRequest, Config, Error, Event, Pallet, RequestId, Requests, ShareOf, WeightInfo,
};

/// Domain of the bytes a custodian signs for a batch of releases.
pub const RELEASE_SIGNING_DOMAIN: &[u8] = b"ehr/release-shares/v1";

/// Priority of a release batch in the pool: above every ordinary (feeless, tipless)
/// transaction, so block space goes to the releases of open requests first.
pub const RELEASE_PRIORITY: TransactionPriority = TransactionPriority::MAX / 2;

/// The bytes custodian `custodian_index` signs for `releases` on the chain with genesis hash
/// `genesis`: SCALE of `(RELEASE_SIGNING_DOMAIN, genesis, custodian_index, releases)`, each
/// release as `(request, the request's reply key, sealed share)`. The reply key binds the
/// signature to the request as the custodian saw it (a request of the same id on a fork or a
/// copied chain has another key). The custodian service and any other signer build the same
/// bytes.
pub fn release_signing_payload<H: Encode, S: Encode>(
	genesis: &H,
	custodian_index: CustodianIndex,
	releases: &[(RequestId, [u8; 32], S)],
) -> Vec<u8> {
	(RELEASE_SIGNING_DOMAIN, genesis, custodian_index, releases).encode()
}

/// The pool tag a release of custodian `custodian_index` for `request` provides.
pub fn release_tag(request: RequestId, custodian_index: CustodianIndex) -> Vec<u8> {
	(b"ehr/release", request, custodian_index).encode()
}

/// `InvalidTransaction::Custom` code of a release refused by the pallet: the index of the
/// access pallet's error that says why (e.g. `GrantExpired`), as metadata lists them.
pub fn refusal<T: Config>(e: Error<T>) -> TransactionValidityError {
	let code = e.encode().first().copied().unwrap_or(u8::MAX);
	InvalidTransaction::Custom(code).into()
}

impl<T: Config> Pallet<T> {
	/// May custodian `index` release `share` for `request` now? The request is open, this
	/// custodian has not released for it yet, the share is not empty, and the requester's
	/// whole authority holds ([`Pallet::check_read`] now). Returns the request.
	pub(crate) fn check_release(
		index: CustodianIndex,
		request: RequestId,
		share: &ShareOf<T>,
		now: u64,
	) -> Result<AccessRequest<T>, Error<T>> {
		let r = Requests::<T>::get(request).ok_or(Error::<T>::UnknownRequest)?;
		ensure!(!r.shares.iter().any(|(i, _)| *i == index), Error::<T>::ShareAlreadyReleased);
		ensure!(!share.is_empty(), Error::<T>::EmptyShare);
		Self::check_read(&r.requester, r.record, r.grant, now).map_err(Error::<T>::from)?;
		ensure!(
			r.shares.len() < usize::try_from(T::MaxShares::get()).unwrap_or(usize::MAX),
			Error::<T>::TooManyShares
		);
		Ok(r)
	}

	/// The pool's and the block builder's check of a `release_shares` call: the batch is not
	/// empty, names no request twice and only open requests this custodian has not answered;
	/// the signature is custodian `index`'s over [`release_signing_payload`] (with each
	/// request's reply key as stored); then every release passes [`Self::check_release`]
	/// (so only the custodian learns why a requester may not have a share). Valid until the first of its requests expires;
	/// provides one [`release_tag`] per release; the authorization weight of the releases the
	/// batch does not have is refunded.
	///
	/// Refusals: `BadSigner` (no custodian `index`), `Stale` (a share already released, or a
	/// request gone), `BadProof` (signature), `Custom(error index)` otherwise ([`refusal`]).
	pub fn authorize_release(
		index: CustodianIndex,
		releases: &[(RequestId, ShareOf<T>)],
		signature: &T::CustodianSignature,
	) -> Result<(ValidTransaction, Weight), TransactionValidityError> {
		let custodian =
			T::Consortium::custodian_account(index).ok_or(InvalidTransaction::BadSigner)?;
		if releases.is_empty() {
			return Err(refusal::<T>(Error::<T>::EmptyBatch));
		}
		let now = Self::now_ms();
		let block = frame_system::Pallet::<T>::block_number();
		let stale = |e| match e {
			Error::<T>::ShareAlreadyReleased | Error::<T>::UnknownRequest => {
				TransactionValidityError::from(InvalidTransaction::Stale)
			}
			e => refusal::<T>(e),
		};
		// The requests, as the signature covers them: the signer is checked before anything
		// is said about the requester's authority.
		let mut open = Vec::with_capacity(releases.len());
		for (n, (request, share)) in releases.iter().enumerate() {
			if releases.iter().take(n).any(|(earlier, _)| earlier == request) {
				return Err(refusal::<T>(Error::<T>::DuplicateRelease));
			}
			let r = Requests::<T>::get(request).ok_or(Error::<T>::UnknownRequest).map_err(stale)?;
			if r.shares.iter().any(|(i, _)| *i == index) {
				return Err(InvalidTransaction::Stale.into());
			}
			open.push((*request, r.reply_key, share));
		}
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let payload = release_signing_payload(&genesis, index, &open);
		if !signature.verify(&payload[..], &custodian) {
			return Err(InvalidTransaction::BadProof.into());
		}
		let mut provides = Vec::with_capacity(releases.len());
		let mut longevity = u64::MAX;
		for (request, share) in releases {
			let r = Self::check_release(index, *request, share, now).map_err(stale)?;
			let left: u64 = r.expires_at_block.saturating_sub(block).unique_saturated_into();
			longevity = longevity.min(left.max(1));
			provides.push(release_tag(*request, index));
		}
		let valid = ValidTransaction {
			priority: RELEASE_PRIORITY,
			requires: Vec::new(),
			provides,
			longevity,
			propagate: true,
		};
		let len = u32::try_from(releases.len()).unwrap_or(u32::MAX);
		let unspent = T::WeightInfo::authorize_release_shares(T::MaxReleaseBatch::get())
			.saturating_sub(T::WeightInfo::authorize_release_shares(len));
		Ok((valid, unspent))
	}

	/// Store one release that [`Self::check_release`] accepted, and say so.
	pub(crate) fn do_release(
		index: CustodianIndex,
		custodian: &T::AccountId,
		request: RequestId,
		share: ShareOf<T>,
		now: u64,
	) -> Result<(), Error<T>> {
		let mut r = Self::check_release(index, request, &share, now)?;
		r.shares.try_push((index, share)).map_err(|_| Error::<T>::TooManyShares)?;
		let released = r.shares.len();
		Self::deposit_event(Event::KeyShareReleased {
			request,
			custodian_index: index,
			custodian: custodian.clone(),
			grant: r.grant,
			record: r.record,
			at: now,
		});
		if released == usize::from(T::Consortium::threshold()) {
			Self::settle(&r.requester, request);
			Self::deposit_event(Event::KeyReleased {
				request,
				requester: r.requester.clone(),
				grant: r.grant,
				record: r.record,
				at: now,
			});
		}
		Requests::<T>::insert(request, r);
		Ok(())
	}
}
