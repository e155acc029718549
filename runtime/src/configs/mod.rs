//! The configuration of every pallet of the runtime: one `impl Config` per pallet.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, IdentityFee, Weight},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::One, Perbill};
use sp_version::RuntimeVersion;

use super::{
	weights::{
		block_weights::BlockExecutionWeight, db::DbWeight, extrinsic_weights::ExtrinsicBaseWeight,
	},
	Access, AccountId, Aura, Balance, Balances, Block, BlockNumber, Consortium, Hash, Nonce,
	PalletInfo, Records, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason,
	RuntimeHoldReason, RuntimeOrigin, RuntimeTask, System, Timestamp, EXISTENTIAL_DEPOSIT,
	SLOT_DURATION, VERSION,
};

/// Share of a block's weight and length that normal transactions may use; the rest is kept for
/// operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// The compute a block may take: one second (of its two).
const MAXIMUM_BLOCK_WEIGHT: Weight = Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX);

/// The share of [`MAXIMUM_BLOCK_WEIGHT`] that normal transactions may use.
fn normal_block_weight() -> Weight {
	Weight::from_parts(
		NORMAL_DISPATCH_RATIO.mul_floor(MAXIMUM_BLOCK_WEIGHT.ref_time()),
		NORMAL_DISPATCH_RATIO.mul_floor(MAXIMUM_BLOCK_WEIGHT.proof_size()),
	)
}

/// Share of a block's weight that `on_initialize` hooks are expected to take.
const AVERAGE_ON_INITIALIZE_RATIO: Perbill = Perbill::from_percent(5);

parameter_types! {
	/// Number of recent block hashes kept for mortal transactions.
	pub const BlockHashCount: BlockNumber = 2400;
	/// The runtime version.
	pub const Version: RuntimeVersion = VERSION;
	/// Block weight limit: one second of compute in a two-second block, with the costs of an
	/// empty block and of a transaction's envelope as measured on this chain
	/// (`scripts/bench-weights.sh`).
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
		.base_block(BlockExecutionWeight::get())
		.for_class(DispatchClass::all(), |class| {
			class.base_extrinsic = envelope_weight();
		})
		.for_class(DispatchClass::Normal, |class| {
			class.max_total = Some(normal_block_weight());
		})
		.for_class(DispatchClass::Operational, |class| {
			class.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
			// Operational transactions may use the whole block.
			class.reserved = Some(MAXIMUM_BLOCK_WEIGHT.saturating_sub(normal_block_weight()));
		})
		.avg_block_initialization(AVERAGE_ON_INITIALIZE_RATIO)
		.build_or_panic();
	/// Block length limit: 5 MiB.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO.mul_floor(*max)
		})
		.build();
	/// Generic Substrate address format.
	pub const SS58Prefix: u8 = 42;
}

/// Storage reads and writes that a transaction's extensions charge: `CheckRegistered` 4 and 1
/// (the account, its invitation, its rate window and the block number; the window),
/// `RateLimitedNonce` 2 and 1 (the rate window and `System::Account`; the account),
/// `ChargeTransactionPayment` 1 and 1 (the payer's account, in its reference weight); the
/// other extensions touch no storage.
const EXTENSION_DB_ACCESSES: (u64, u64) = (7, 3);

/// What every transaction costs apart from its extensions and its call: decoding, the
/// signature check, applying it. `benchmark overhead` measures a block of signed remarks, so
/// its figure includes the extensions' computation, which they charge again in their own
/// weights: that part is subtracted here so that it is not counted twice. Their storage
/// accesses are not: the overhead benchmark runs on a warm cache and never commits, so it
/// measured none of their database cost, which stays charged in the extensions' weights.
fn envelope_weight() -> Weight {
	use sp_runtime::traits::TransactionExtension;
	let remark = RuntimeCall::System(frame_system::Call::remark { remark: alloc::vec::Vec::new() });
	let extensions = crate::authorized_tx_extension().weight(&remark);
	let (reads, writes) = EXTENSION_DB_ACCESSES;
	let extensions_compute = extensions.saturating_sub(DbWeight::get().reads_writes(reads, writes));
	ExtrinsicBaseWeight::get().saturating_sub(extensions_compute)
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	type DbWeight = DbWeight;
	type ExtensionsWeightInfo = crate::weights::frame_system_extensions::WeightInfo<Runtime>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees do not follow block fullness: the chain is permissioned and its load predictable.
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

/// The consortium's governance. Root (the sudo key on development chains); a collective of the
/// member hospitals later.
type Governance = frame_system::EnsureRoot<AccountId>;

impl pallet_consortium::Config for Runtime {
	type GovernanceOrigin = Governance;
	/// No call is open to unregistered accounts.
	type OpenCalls = frame_support::traits::Nothing;
	type UnsignedOnly = AuthorizedCalls;
	type MaxCustodians = ConstU32<16>;
	/// At most 50 transactions per account in any window of 10 blocks (20 seconds).
	type MaxTxPerWindow = ConstU32<50>;
	type RateWindow = ConstU32<10>;
	/// An invitation can be accepted for 7 days (2-second blocks).
	type InvitationLifetime = ConstU32<{ 7 * 24 * 1800 }>;
	type WeightInfo = crate::weights::pallet_consortium::WeightInfo<Runtime>;
}

impl pallet_records::Config for Runtime {
	type Consortium = Consortium;
	type AppendPermission = Access;
	type ReadPermission = Access;
	type Time = Timestamp;
	type MaxCidLen = ConstU32<64>;
	type MaxContentTypeLen = ConstU32<32>;
	type MaxCapsuleLen = ConstU32<192>;
	// `E || proof || sealed key` of the client's custody capsule format 2
	// (`ehr_client::crypto::custody::CUSTODY_CAPSULE_SIZE`; a test in tests/ checks they agree).
	type CustodyCapsuleLen = ConstU32<144>;
	type MaxProviderLen = ConstU32<128>;
	type MaxTamperReports = ConstU32<16>;
	type WeightInfo = crate::weights::pallet_records::WeightInfo<Runtime>;
}

/// The calls only an authorized (general) transaction carries: a custodian's key-share
/// releases, signed inside the call. A signed transaction of one is refused at the pool.
pub struct AuthorizedCalls;
impl frame_support::traits::Contains<RuntimeCall> for AuthorizedCalls {
	fn contains(call: &RuntimeCall) -> bool {
		matches!(call, RuntimeCall::Access(pallet_access::Call::release_shares { .. }))
	}
}

impl pallet_access::Config for Runtime {
	type Consortium = Consortium;
	type Records = Records;
	type Time = Timestamp;
	type MaxContentTypeLen = ConstU32<32>;
	/// A grant lasts at most 365 days (milliseconds of chain time).
	type MaxGrantDuration = ConstU64<31_536_000_000>;
	/// Break-glass access lasts at most 24 hours.
	type MaxEmergencyDuration = ConstU64<86_400_000>;
	/// An emergency access unreviewed after 100 800 blocks (2.3 days at 2 s) is reported.
	type EmergencyReviewDeadline = ConstU32<100_800>;
	/// Access requests are pruned 100 blocks after they were made; their events remain.
	type RequestLifetime = ConstU32<100>;
	/// A grant must stay valid 12 s (6 slots) beyond the block's time for a request or a
	/// share: room for an honest author to include a share a custodian emits, even if one
	/// validator leaves it out of its blocks.
	type ReleaseMargin = ConstU64<12_000>;
	type MaxRequestsPerBlock = ConstU32<64>;
	/// 16 of the 64 places of every block are kept for break-glass requests.
	type EmergencyRequestReserve = ConstU32<16>;
	/// A requester waits for at most 8 keys at once (a read takes a few seconds).
	type MaxPendingRequests = ConstU32<8>;
	type MaxEmergenciesPerBlock = ConstU32<16>;
	type MaxDelegations = ConstU32<8>;
	type MaxShares = ConstU32<16>;
	type MaxShareLen = ConstU32<256>;
	/// A custodian answers at most 32 requests per release transaction.
	type MaxReleaseBatch = ConstU32<32>;
	/// Custodians sign their releases with their account key, like a transaction.
	type CustodianSignature = crate::Signature;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::CustodianSigner;
	type WeightInfo = crate::weights::pallet_access::WeightInfo<Runtime>;
}

#[cfg(test)]
mod tests {
	use super::*;
	use frame_support::dispatch::GetDispatchInfo;
	use sp_runtime::traits::TransactionExtension;

	/// The overhead benchmark's remark ran without committing to the database: what a remark
	/// is charged must cover that measurement and, on top, the extensions' storage accesses.
	#[test]
	fn a_remark_pays_the_measured_overhead_and_the_extensions_database_accesses() {
		let remark =
			RuntimeCall::System(frame_system::Call::remark { remark: alloc::vec::Vec::new() });
		let base = RuntimeBlockWeights::get().get(DispatchClass::Normal).base_extrinsic;
		let extensions = crate::authorized_tx_extension().weight(&remark);
		let charged = base + extensions + remark.get_dispatch_info().call_weight;
		let (reads, writes) = EXTENSION_DB_ACCESSES;
		let database = DbWeight::get().reads_writes(reads, writes);
		// The extensions that touch storage charge at least the accesses counted for them
		// (`CheckRegistered` nothing else), and the counts add up to the total subtracted.
		let db = |r, w| DbWeight::get().reads_writes(r, w).ref_time();
		let registered = pallet_consortium::CheckRegistered::<Runtime>::new().weight(&remark);
		assert_eq!(registered.ref_time(), db(4, 1));
		let nonce = pallet_consortium::RateLimitedNonce::<Runtime>::from(0).weight(&remark);
		assert!(nonce.ref_time() >= db(2, 1), "{nonce:?}");
		let payment = pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0);
		assert!(payment.weight(&remark).ref_time() >= db(1, 1));
		assert_eq!((4 + 2 + 1, 1 + 1 + 1), EXTENSION_DB_ACCESSES);
		assert!(
			charged.ref_time() >= ExtrinsicBaseWeight::get().ref_time() + database.ref_time(),
			"a remark is charged {charged:?}, measured {:?} plus {database:?} of storage",
			ExtrinsicBaseWeight::get()
		);
		// Nothing is counted twice either: the envelope is the measured overhead less only the
		// extensions' computation.
		assert_eq!(
			(base + extensions - database).ref_time(),
			ExtrinsicBaseWeight::get().ref_time()
		);
	}
}
