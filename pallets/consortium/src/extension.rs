//! The [`CheckRegistered`] transaction extension: the permissioning of the chain.

use crate::{AccountStatus, Accounts, Call, Config, Invitations, TxWindow};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	pallet_prelude::TransactionSource,
	traits::{Contains, Get, IsSubType, OriginTrait},
	DefaultNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{DispatchInfoOf, Saturating, TransactionExtension, ValidateResult},
	transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
	Weight,
};

/// `InvalidTransaction::Custom` code: the signer is not a registered account and the call is
/// not an open call (nor the acceptance of a live invitation). Ask a manager to invite the
/// account.
pub const INVALID_NOT_REGISTERED: u8 = 170;

/// `InvalidTransaction::Custom` code: the signer already submitted `MaxTxPerWindow`
/// transactions in the current rate window. Retry in a later block.
pub const INVALID_RATE_LIMITED: u8 = 171;

/// `InvalidTransaction::Custom` code: the signer's account is frozen. A manager of its
/// organisation, or governance, must re-activate it.
pub const INVALID_ACCOUNT_FROZEN: u8 = 172;

/// `InvalidTransaction::Custom` code: the signer's account is deregistered, for good.
pub const INVALID_ACCOUNT_DEREGISTERED: u8 = 173;

/// Rejects every signed transaction
/// - of a `Config::UnsignedOnly` call (`InvalidTransaction::Call`);
/// - whose signer is a frozen or deregistered account, whatever the call;
/// - whose signer is not a registered account, unless the call is one of `Config::OpenCalls`
///   or the signer's own answer to a live invitation (`accept_invitation`,
///   `decline_invitation`);
///
/// and limits every signer to `Config::MaxTxPerWindow` transactions per `Config::RateWindow`
/// blocks.
///
/// Unsigned and general (non-signed) transactions pass through untouched: their own
/// validation (e.g. `ValidateUnsigned`, inherents) applies.
///
/// Add it to the runtime's `TxExtension` tuple. It carries no data in the transaction (its
/// encoding is empty), so clients only need to know its identifier, `CheckRegistered`.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckRegistered<T>(PhantomData<T>);

impl<T> CheckRegistered<T> {
	/// A new instance (there is only one).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for CheckRegistered<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckRegistered")
	}
}

impl<T: Config> CheckRegistered<T> {
	/// The rate window state of `who` as of the current block: `(window start, count)`.
	pub(crate) fn current_window(who: &T::AccountId) -> (BlockNumberFor<T>, u32) {
		let now = frame_system::Pallet::<T>::block_number();
		match TxWindow::<T>::get(who) {
			Some((start, count))
				if start <= now && now < start.saturating_add(T::RateWindow::get()) =>
			{
				(start, count)
			}
			_ => (now, 0),
		}
	}
}

impl<T: Config> CheckRegistered<T>
where
	<T as frame_system::Config>::RuntimeCall: IsSubType<Call<T>>,
{
	/// Whether `who` may submit `call` at all (before the rate limit).
	fn admits(
		who: &T::AccountId,
		call: &<T as frame_system::Config>::RuntimeCall,
	) -> Result<(), TransactionValidityError> {
		match Accounts::<T>::get(who).map(|a| a.status) {
			Some(AccountStatus::Active) => Ok(()),
			Some(AccountStatus::Frozen) => {
				Err(InvalidTransaction::Custom(INVALID_ACCOUNT_FROZEN).into())
			}
			Some(AccountStatus::Deregistered) => {
				Err(InvalidTransaction::Custom(INVALID_ACCOUNT_DEREGISTERED).into())
			}
			None if T::OpenCalls::contains(call) => Ok(()),
			None if matches!(
				call.is_sub_type(),
				Some(Call::accept_invitation { .. } | Call::decline_invitation {})
			) =>
			{
				let now = frame_system::Pallet::<T>::block_number();
				match Invitations::<T>::get(who) {
					Some(i) if i.expires_at >= now => Ok(()),
					_ => Err(InvalidTransaction::Custom(INVALID_NOT_REGISTERED).into()),
				}
			}
			None => Err(InvalidTransaction::Custom(INVALID_NOT_REGISTERED).into()),
		}
	}
}

impl<T: Config + Send + Sync> TransactionExtension<<T as frame_system::Config>::RuntimeCall>
	for CheckRegistered<T>
where
	<T as frame_system::Config>::RuntimeCall: IsSubType<Call<T>>,
{
	const IDENTIFIER: &'static str = "CheckRegistered";
	type Implicit = ();
	/// The signer to count in the rate limit, if the transaction is signed.
	type Val = Option<T::AccountId>;
	type Pre = ();

	fn weight(&self, _call: &<T as frame_system::Config>::RuntimeCall) -> Weight {
		// Reads: Accounts, Invitations, TxWindow, block number. Writes: TxWindow.
		T::DbWeight::get().reads_writes(4, 1)
	}

	fn validate(
		&self,
		origin: <T as frame_system::Config>::RuntimeOrigin,
		call: &<T as frame_system::Config>::RuntimeCall,
		_info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, <T as frame_system::Config>::RuntimeCall> {
		let Some(who) = origin.as_signer().cloned() else {
			return Ok((ValidTransaction::default(), None, origin));
		};
		if T::UnsignedOnly::contains(call) {
			return Err(InvalidTransaction::Call.into());
		}
		Self::admits(&who, call)?;
		let (_, count) = Self::current_window(&who);
		if count >= T::MaxTxPerWindow::get() {
			return Err(InvalidTransaction::Custom(INVALID_RATE_LIMITED).into());
		}
		Ok((ValidTransaction::default(), Some(who), origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		_origin: &<T as frame_system::Config>::RuntimeOrigin,
		_call: &<T as frame_system::Config>::RuntimeCall,
		_info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		if let Some(who) = val {
			// `validate` ran against this same state just before (block building and import
			// call validate then prepare), so the count is below the limit here.
			let (start, count) = Self::current_window(&who);
			TxWindow::<T>::insert(&who, (start, count.saturating_add(1)));
		}
		Ok(())
	}
}
