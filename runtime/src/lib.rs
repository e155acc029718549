//! The runtime of the EHR consortium chain.
//!
//! A FRAME runtime with Aura block production, GRANDPA finality and the project's consortium,
//! record registry and access-control pallets. The pallet configuration lives in [`configs`],
//! the runtime API implementations in [`apis`] and the genesis presets (`development`,
//! `local_testnet`) in [`genesis_config_presets`]. Clippy denies panicking shortcuts and
//! unchecked arithmetic here (the workspace lints).

#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod weights;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(feature = "std")]
pub use sp_runtime::BuildStorage;

/// Opaque types: what the node needs to know of blocks without knowing the runtime's calls.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Block with opaque extrinsics.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Block hash.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator: Aura for authoring, GRANDPA for finality.
	pub struct SessionKeys {
		/// Block authoring key.
		pub aura: Aura,
		/// Finality voting key.
		pub grandpa: Grandpa,
	}
}

/// Runtime version. Bump `spec_version` on every change of runtime logic.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("ehr-runtime"),
	impl_name: alloc::borrow::Cow::Borrowed("ehr-runtime"),
	authoring_version: 1,
	spec_version: 107,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 4,
	system_version: 1,
};

/// Target block time in milliseconds. Two seconds: hospitals of a consortium are few and
/// well connected, and a read (request, then key release) takes two blocks.
pub const MILLI_SECS_PER_BLOCK: u64 = 2000;
/// Aura slot duration: one block per slot.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Blocks per minute.
pub const MINUTES: BlockNumber = (60_000 / MILLI_SECS_PER_BLOCK) as BlockNumber;
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// One unit of the chain's balance (only used to pay for transactions of unregistered
/// accounts on development chains).
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a unit.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// The minimum balance an account must keep to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Transaction signature: sr25519, ed25519 or ECDSA.
pub type Signature = MultiSignature;
/// Account identifier: the 32-byte public key of the signer.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account.
pub type Balance = u128;
/// Transaction index of an account.
pub type Nonce = u32;
/// Block hash.
pub type Hash = sp_core::H256;
/// Block number.
pub type BlockNumber = u32;
/// Address format of a transaction's sender.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The transaction extensions, checked in this order for every transaction.
/// `CheckRegistered` makes the chain permissioned: it rejects signed transactions of accounts
/// that the consortium has not registered before they reach the pool, and rate-limits the rest;
/// `RateLimitedNonce` is `CheckNonce` (same identifier, same encoding) that also refuses at the
/// pool a transaction queued beyond what the sender's rate window admits.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	pallet_consortium::CheckRegistered<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	pallet_consortium::RateLimitedNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The extensions of an authorized (general) transaction, such as a custodian's
/// `Access::release_shares`: it has no signer, so no nonce and no fee, and it is immortal
/// (a release is stale once on chain). The custodian service and test signers build
/// `UncheckedExtrinsic::new_transaction(call, authorized_tx_extension())`.
pub fn authorized_tx_extension() -> TxExtension {
	tx_extension(generic::Era::Immortal, 0)
}

/// The extensions of a transaction with `era` and the sender's `nonce`, no tip.
pub fn tx_extension(era: generic::Era, nonce: Nonce) -> TxExtension {
	(
		frame_system::AuthorizeCall::new(),
		frame_system::CheckNonZeroSender::new(),
		pallet_consortium::CheckRegistered::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(era),
		pallet_consortium::RateLimitedNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_system::WeightReclaim::new(),
	)
}

/// Extrinsic as it arrives from outside.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload that is signed.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on runtime upgrade.
type Migrations = (
	pallet_consortium::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_records::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_access::migrations::v1::MigrateV0ToV1<Runtime>,
);

/// Dispatches transactions to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	/// The runtime.
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	/// Accounts, blocks, events.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	/// Chain time: the clock every grant's confidentiality period is compared with.
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	/// Block authoring by the hospitals' validators in turn.
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	/// Finality.
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	/// Balances (transaction fees of accounts that are not registered).
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	/// Transaction fees.
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	/// Consortium governance on development chains.
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	/// Hospitals, their staff and roles, registered accounts, custody configuration.
	#[runtime::pallet_index(7)]
	pub type Consortium = pallet_consortium;

	/// The record registry: owner, custodian, CID, ciphertext hash, key capsules.
	#[runtime::pallet_index(8)]
	pub type Records = pallet_records;

	/// Grants, access requests, key-share release, emergency access.
	#[runtime::pallet_index(9)]
	pub type Access = pallet_access;
}
