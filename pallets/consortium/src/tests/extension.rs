//! Rule family: only active registered accounts transact (an invited one only accepts), at
//! most MaxTxPerWindow per window.

use crate::{
	mock::*, AccountKind, AccountStatus, CheckRegistered, INVALID_ACCOUNT_DEREGISTERED,
	INVALID_ACCOUNT_FROZEN, INVALID_NOT_REGISTERED, INVALID_RATE_LIMITED,
};
use frame_support::{assert_ok, dispatch::DispatchInfo};
use sp_runtime::{
	traits::{DispatchTransaction, TransactionExtension, TxBaseImplication},
	transaction_validity::{
		InvalidTransaction, TransactionSource::External, TransactionValidityError,
	},
};

fn rotate() -> RuntimeCall {
	RuntimeCall::Consortium(crate::Call::rotate_key { x25519: [1; 32] })
}

fn remark() -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: vec![] })
}

fn custom(code: u8) -> TransactionValidityError {
	TransactionValidityError::Invalid(InvalidTransaction::Custom(code))
}

/// Validate and prepare like block building does (state changes of `prepare` are kept).
fn apply(who: u64, call: RuntimeCall) -> Result<(), TransactionValidityError> {
	let info = DispatchInfo::default();
	CheckRegistered::<Test>::new()
		.validate_and_prepare(Some(who).into(), &call, &info, 0, 0)
		.map(|_| ())
}

#[test]
fn unregistered_signers_are_rejected() {
	new_test_ext().execute_with(|| {
		let info = DispatchInfo::default();
		assert_eq!(
			CheckRegistered::<Test>::new()
				.validate_only(Some(STRANGER).into(), &rotate(), &info, 0, External, 0)
				.unwrap_err(),
			custom(INVALID_NOT_REGISTERED)
		);
		assert_ok!(CheckRegistered::<Test>::new().validate_only(
			Some(PATIENT).into(),
			&rotate(),
			&info,
			0,
			External,
			0
		));
	});
}

#[test]
fn unsigned_only_calls_are_refused_from_any_signer() {
	new_test_ext().execute_with(|| {
		let call = RuntimeCall::System(frame_system::Call::remark_with_event { remark: vec![] });
		for who in [PATIENT, MANAGER, STRANGER] {
			assert_eq!(apply(who, call.clone()), Err(InvalidTransaction::Call.into()), "{who}");
		}
		// Unsigned and general transactions pass on to their own validation.
		let info = DispatchInfo::default();
		let passed = CheckRegistered::<Test>::new().validate(
			None.into(),
			&call,
			&info,
			0,
			(),
			&TxBaseImplication(()),
			External,
		);
		assert!(passed.is_ok_and(|(_, signer, _)| signer.is_none()));
		assert_ok!(apply(PATIENT, remark()));
	});
}

fn accept() -> RuntimeCall {
	RuntimeCall::Consortium(crate::Call::accept_invitation {
		x25519: x25519_key(7),
		org: 1,
		kind: AccountKind::Staff,
	})
}

#[test]
fn an_invited_account_may_only_accept_and_only_in_time() {
	new_test_ext().execute_with(|| {
		// Without an invitation, accepting is refused at the pool like any other call.
		assert_eq!(apply(STRANGER, accept()).unwrap_err(), custom(INVALID_NOT_REGISTERED));
		assert_ok!(Consortium::invite_account(
			RuntimeOrigin::signed(MANAGER),
			1,
			STRANGER,
			AccountKind::Staff
		));
		assert_eq!(apply(STRANGER, rotate()).unwrap_err(), custom(INVALID_NOT_REGISTERED));
		assert_ok!(apply(STRANGER, accept()));
		let decline = RuntimeCall::Consortium(crate::Call::decline_invitation {});
		assert_ok!(apply(STRANGER, decline.clone()));
		// The invitation can be answered in its last block (11), not after.
		System::set_block_number(11);
		assert_ok!(apply(STRANGER, accept()));
		System::set_block_number(12);
		assert_eq!(apply(STRANGER, accept()).unwrap_err(), custom(INVALID_NOT_REGISTERED));
		assert_eq!(apply(STRANGER, decline).unwrap_err(), custom(INVALID_NOT_REGISTERED));
	});
}

#[test]
fn frozen_and_deregistered_accounts_are_refused_whatever_the_call() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::set_account_status(
			RuntimeOrigin::root(),
			PATIENT,
			AccountStatus::Frozen
		));
		assert_ok!(Consortium::set_account_status(
			RuntimeOrigin::root(),
			DOCTOR,
			AccountStatus::Deregistered
		));
		// Open calls and invitations included: the status is checked first.
		for call in [rotate(), remark(), accept()] {
			assert_eq!(apply(PATIENT, call.clone()).unwrap_err(), custom(INVALID_ACCOUNT_FROZEN));
			assert_eq!(apply(DOCTOR, call).unwrap_err(), custom(INVALID_ACCOUNT_DEREGISTERED));
		}
		assert_ok!(Consortium::set_account_status(
			RuntimeOrigin::root(),
			PATIENT,
			AccountStatus::Active
		));
		assert_ok!(apply(PATIENT, rotate()));
	});
}

#[test]
fn open_calls_pass_for_anyone() {
	new_test_ext().execute_with(|| {
		assert_ok!(apply(STRANGER, remark()));
	});
}

#[test]
fn unsigned_transactions_pass_through() {
	new_test_ext().execute_with(|| {
		let info = DispatchInfo::default();
		// Only this extension: the full pipeline would reject an unauthorized None origin.
		let (_, val, _) = CheckRegistered::<Test>::new()
			.validate(
				RuntimeOrigin::none(),
				&rotate(),
				&info,
				0,
				(),
				&TxBaseImplication(()),
				External,
			)
			.unwrap();
		assert_eq!(val, None);
	});
}

#[test]
fn the_rate_limit_holds_per_window() {
	new_test_ext().execute_with(|| {
		// MaxTxPerWindow = 3, RateWindow = 5 blocks, window starts at block 1.
		for _ in 0..3 {
			assert_ok!(apply(PATIENT, rotate()));
		}
		assert_eq!(apply(PATIENT, rotate()).unwrap_err(), custom(INVALID_RATE_LIMITED));
		// Another account has its own budget.
		assert_ok!(apply(DOCTOR, rotate()));
		System::set_block_number(5);
		assert_eq!(apply(PATIENT, rotate()).unwrap_err(), custom(INVALID_RATE_LIMITED));
		System::set_block_number(6);
		assert_ok!(apply(PATIENT, rotate()));
	});
}

#[test]
fn the_extension_carries_no_data() {
	use codec::Encode;
	use scale_info::{TypeDef, TypeInfo};
	// Clients (subxt) can skip an unknown extension only if its types are empty.
	assert!(CheckRegistered::<Test>::new().encode().is_empty());
	match CheckRegistered::<Test>::type_info().type_def {
		TypeDef::Composite(c) => assert!(c.fields.is_empty()),
		other => panic!("unexpected type {other:?}"),
	}
}

mod nonce {
	//! `RateLimitedNonce`: the rate limit holds at the pool, by the transaction's nonce.

	use super::*;
	use crate::RateLimitedNonce;
	use codec::Encode;

	/// Validates like the pool does (nothing is kept) and returns how many blocks the
	/// transaction may stay in the pool.
	fn pool(who: u64, nonce: u32) -> Result<u64, TransactionValidityError> {
		let info = DispatchInfo::default();
		RateLimitedNonce::<Test>::from(nonce)
			.validate_only(Some(who).into(), &rotate(), &info, 0, External, 0)
			.map(|(validity, _, _)| validity.longevity)
	}

	/// Includes a transaction of `who` the way a block does: both extensions as a tuple, in
	/// the runtime's order (every `validate`, then every `prepare`), state changes kept.
	fn include(who: u64) {
		let nonce = System::account_nonce(who);
		let info = DispatchInfo::default();
		let extensions = (CheckRegistered::<Test>::new(), RateLimitedNonce::<Test>::from(nonce));
		assert_ok!(extensions.validate_and_prepare(Some(who).into(), &rotate(), &info, 0, 0));
	}

	#[test]
	fn one_sender_cannot_queue_more_than_the_window_admits() {
		new_test_ext().execute_with(|| {
			// MaxTxPerWindow = 3, RateWindow = 5 blocks: nonces 0, 1, 2 fit this window.
			System::inc_providers(&PATIENT);
			// The next transaction lives as long as the nonce check says; the ones queued
			// behind it for one window of 5 blocks.
			assert_eq!(pool(PATIENT, 0), Ok(u64::MAX));
			assert_eq!(pool(PATIENT, 1), Ok(5));
			assert_eq!(pool(PATIENT, 2), Ok(5));
			assert_eq!(pool(PATIENT, 3).unwrap_err(), custom(INVALID_RATE_LIMITED));
			assert_eq!(pool(PATIENT, 1_000).unwrap_err(), custom(INVALID_RATE_LIMITED));
			// Two are included: the account nonce is 2 and one place is left, for nonce 2.
			include(PATIENT);
			include(PATIENT);
			assert_eq!(System::account_nonce(PATIENT), 2);
			assert_eq!(pool(PATIENT, 2), Ok(u64::MAX));
			assert_eq!(pool(PATIENT, 3).unwrap_err(), custom(INVALID_RATE_LIMITED));
			// The third is included as a block would: the window is then full.
			include(PATIENT);
			assert_eq!(pool(PATIENT, 3).unwrap_err(), custom(INVALID_RATE_LIMITED));
			System::set_block_number(4);
			assert_eq!(pool(PATIENT, 3).unwrap_err(), custom(INVALID_RATE_LIMITED));
			// Another sender has its own budget.
			System::inc_providers(&DOCTOR);
			assert_eq!(pool(DOCTOR, 2), Ok(5));
			// The next window (blocks 6 to 10) admits three again, from the account nonce on,
			// and a stale nonce is still the nonce check's refusal.
			System::set_block_number(6);
			assert_eq!(pool(PATIENT, 1).unwrap_err(), InvalidTransaction::Stale.into());
			assert_eq!(pool(PATIENT, 3), Ok(u64::MAX));
			assert_eq!(pool(PATIENT, 4), Ok(5));
			assert_eq!(pool(PATIENT, 5), Ok(5));
			assert_eq!(pool(PATIENT, 6).unwrap_err(), custom(INVALID_RATE_LIMITED));
		});
	}

	#[test]
	fn it_is_check_nonce_to_wallets() {
		use sp_runtime::traits::TransactionExtension;
		type Call = RuntimeCall;
		assert_eq!(
			<RateLimitedNonce<Test> as TransactionExtension<Call>>::IDENTIFIER,
			"CheckNonce"
		);
		for nonce in [0, 63, 64, 1 << 20, u32::MAX] {
			assert_eq!(
				RateLimitedNonce::<Test>::from(nonce).encode(),
				frame_system::CheckNonce::<Test>::from(nonce).encode(),
				"{nonce}"
			);
		}
	}
}
