//! [`RateLimitedNonce`]: the nonce check that also holds the rate limit at the transaction
//! pool.
//!
//! [`CheckRegistered`](crate::CheckRegistered) counts a sender's transactions per rate window
//! as blocks include them, but the pool validates each transaction against the best block
//! alone: it would accept any number of one sender's transactions, queued by nonce, that
//! blocks then drop one by one. A transaction's nonce says how many of the sender's
//! transactions must come before it: with `count` already in this window, the transaction of
//! nonce `account nonce + ahead` is at best the `count + ahead + 1`-th, so it is refused
//! (`INVALID_RATE_LIMITED`) once that exceeds `MaxTxPerWindow`. A transaction queued behind
//! others of its sender (`ahead > 0`) lives in the pool for one window (`RateWindow` blocks),
//! so a nonce gap cannot park transactions there for good.
//!
//! The sender submits a refused transaction again in a later window, signed again: the pool
//! bans the bytes of a transaction it found invalid for a while (30 minutes by default), and a
//! new signature with a fresh mortality checkpoint gives new bytes.

use codec::{Decode, DecodeWithMemTracking, Encode};
use frame_support::{dispatch::DispatchInfo, pallet_prelude::TransactionSource, traits::Get};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, Dispatchable, Implication, PostDispatchInfoOf,
		Saturating, TransactionExtension, ValidateResult, Zero,
	},
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	DispatchResult, SaturatedConversion, Weight,
};

use crate::{extension::INVALID_RATE_LIMITED, CheckRegistered, Config};

type Inner<T> = frame_system::CheckNonce<T>;

/// `frame_system::CheckNonce` (replay protection: the account nonce, incremented by each
/// transaction) that also refuses, already at the pool, a transaction the rate limit could
/// not let into the current window. It takes `CheckNonce`'s place in the runtime's extension
/// tuple with the same identifier and the same encoding (the compact nonce), so wallets
/// (subxt, polkadot.js) build transactions as before.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct RateLimitedNonce<T: Config>(#[codec(compact)] pub T::Nonce);

impl<T: Config> RateLimitedNonce<T> {
	/// The extension of a transaction with `nonce`.
	pub fn from(nonce: T::Nonce) -> Self {
		Self(nonce)
	}

	fn inner(&self) -> Inner<T> {
		Inner::<T>::from(self.0)
	}
}

impl<T: Config> core::fmt::Debug for RateLimitedNonce<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "RateLimitedNonce({:?})", self.0)
	}
}

impl<T: Config + Send + Sync> TransactionExtension<<T as frame_system::Config>::RuntimeCall>
	for RateLimitedNonce<T>
where
	<T as frame_system::Config>::RuntimeCall: Dispatchable<Info = DispatchInfo>,
	<<T as frame_system::Config>::RuntimeCall as Dispatchable>::RuntimeOrigin:
		AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str =
		<Inner<T> as TransactionExtension<<T as frame_system::Config>::RuntimeCall>>::IDENTIFIER;
	type Implicit = ();
	type Val = <Inner<T> as TransactionExtension<<T as frame_system::Config>::RuntimeCall>>::Val;
	type Pre = <Inner<T> as TransactionExtension<<T as frame_system::Config>::RuntimeCall>>::Pre;

	fn weight(&self, call: &<T as frame_system::Config>::RuntimeCall) -> Weight {
		// The nonce check, and the sender's rate window (read again, from the cache, after
		// `CheckRegistered`).
		self.inner().weight(call).saturating_add(T::DbWeight::get().reads(1))
	}

	fn validate(
		&self,
		origin: <T as frame_system::Config>::RuntimeOrigin,
		call: &<T as frame_system::Config>::RuntimeCall,
		info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		len: usize,
		self_implicit: Self::Implicit,
		inherited_implication: &impl Implication,
		source: TransactionSource,
	) -> ValidateResult<Self::Val, <T as frame_system::Config>::RuntimeCall> {
		let Some(who) = origin.as_system_origin_signer() else {
			let inner = self.inner();
			return inner.validate(origin, call, info, len, (), inherited_implication, source);
		};
		let ahead = self.0.saturating_sub(frame_system::Pallet::<T>::account_nonce(who));
		let (_, count) = CheckRegistered::<T>::current_window(who);
		let room = T::MaxTxPerWindow::get().saturating_sub(count);
		if ahead >= T::Nonce::from(room) {
			return Err(InvalidTransaction::Custom(INVALID_RATE_LIMITED).into());
		}
		let (mut validity, val, origin) = self.inner().validate(
			origin,
			call,
			info,
			len,
			self_implicit,
			inherited_implication,
			source,
		)?;
		if !ahead.is_zero() {
			// Queued behind the sender's own transactions: it stays in the pool for one rate
			// window, so that queued transactions that never become ready (a nonce gap) do not
			// stay for good, while an honest queue has a whole window to be included.
			let window = T::RateWindow::get().saturated_into::<u64>().max(1);
			validity.longevity = validity.longevity.min(window);
		}
		Ok((validity, val, origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		origin: &<T as frame_system::Config>::RuntimeOrigin,
		call: &<T as frame_system::Config>::RuntimeCall,
		info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		self.inner().prepare(val, origin, call, info, len)
	}

	fn post_dispatch_details(
		pre: Self::Pre,
		info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		post_info: &PostDispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		len: usize,
		result: &DispatchResult,
	) -> Result<Weight, TransactionValidityError> {
		Inner::<T>::post_dispatch_details(pre, info, post_info, len, result)
	}
}
