//! Test runtime for the access pallet: the real consortium and records pallets and
//! pallet_timestamp (time moves with `pallet_timestamp::Now::<Test>::put`).

use crate as pallet_access;
use frame_support::{
	construct_runtime, derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks, Nothing},
};
use frame_system::EnsureRoot;
use pallet_consortium::{AccountKind, GenesisCustody, Role, Roles};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Consortium: pallet_consortium,
		Records: pallet_records,
		Access: pallet_access,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

impl pallet_consortium::Config for Test {
	type GovernanceOrigin = EnsureRoot<u64>;
	type OpenCalls = Nothing;
	type UnsignedOnly = Nothing;
	type MaxCustodians = ConstU32<5>;
	type MaxTxPerWindow = ConstU32<100>;
	type RateWindow = ConstU64<10>;
	type InvitationLifetime = ConstU64<10>;
	type WeightInfo = ();
}

parameter_types! {
	pub const MaxContentTypeLen: u32 = 32;
	/// 0 unless a test sets it (`ReleaseMargin::set`).
	pub static ReleaseMargin: u64 = 0;
	/// The access pallet's bounds that `integrity_test` checks; a test may set them.
	pub static AccessContentTypeLen: u32 = 32;
	pub static RequestLifetime: u64 = 10;
	pub static EmergencyReviewDeadline: u64 = 100;
	pub static MaxShares: u32 = 5;
}

impl pallet_records::Config for Test {
	type Consortium = Consortium;
	type AppendPermission = Access;
	type ReadPermission = Access;
	type Time = Timestamp;
	type MaxCidLen = ConstU32<64>;
	type MaxContentTypeLen = MaxContentTypeLen;
	type MaxCapsuleLen = ConstU32<192>;
	type CustodyCapsuleLen = ConstU32<144>;
	type MaxProviderLen = ConstU32<64>;
	type MaxTamperReports = ConstU32<8>;
	type WeightInfo = ();
}

/// One minute, one hour, one day, in milliseconds.
pub const MINUTE: u64 = 60_000;
/// One hour in ms.
pub const HOUR: u64 = 60 * MINUTE;
/// One day in ms.
pub const DAY: u64 = 24 * HOUR;

parameter_types! {
	pub const MaxGrantDuration: u64 = 365 * DAY;
	pub const MaxEmergencyDuration: u64 = DAY;
}

impl pallet_access::Config for Test {
	type Consortium = Consortium;
	type Records = Records;
	type Time = Timestamp;
	type MaxContentTypeLen = AccessContentTypeLen;
	type MaxGrantDuration = MaxGrantDuration;
	type MaxEmergencyDuration = MaxEmergencyDuration;
	type EmergencyReviewDeadline = EmergencyReviewDeadline;
	type RequestLifetime = RequestLifetime;
	type ReleaseMargin = ReleaseMargin;
	type MaxRequestsPerBlock = ConstU32<4>;
	type EmergencyRequestReserve = ConstU32<1>;
	type MaxPendingRequests = ConstU32<3>;
	type MaxEmergenciesPerBlock = ConstU32<2>;
	type MaxDelegations = ConstU32<3>;
	type MaxShares = MaxShares;
	type MaxShareLen = ConstU32<256>;
	type MaxReleaseBatch = ConstU32<4>;
	type CustodianSignature = sp_runtime::testing::TestSignature;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestSigner;
	type WeightInfo = ();
}

/// A patient (owner of the records in most tests).
pub const PATIENT: u64 = 1;
/// Another patient.
pub const OTHER_PATIENT: u64 = 2;
/// Doctor of org 1 (the grantee org in most tests), emergency flag.
pub const DOCTOR: u64 = 3;
/// Doctor of org 2, emergency flag.
pub const DOCTOR_B: u64 = 4;
/// Nurse of org 1.
pub const NURSE: u64 = 5;
/// Researcher of org 1.
pub const RESEARCHER: u64 = 6;
/// Auditor of org 1.
pub const AUDITOR: u64 = 7;
/// Manager of org 1.
pub const MANAGER: u64 = 8;
/// Not registered.
pub const STRANGER: u64 = 9;
/// Custodian 0 (registered staff of org 1).
pub const CUSTODIAN: u64 = 10;
/// Custodian 1 (registered staff of org 2).
pub const CUSTODIAN_1: u64 = 11;

/// Organisation 1 (hospital A).
pub const ORG_A: u32 = 1;
/// Organisation 2 (hospital B).
pub const ORG_B: u32 = 2;

/// Chain time at the start of every test (ms).
pub const T0: u64 = 1_700_000_000_000;

fn roles(r: &[Role]) -> u8 {
	Roles::from_roles(r).0
}

/// Externalities: two hospitals, the accounts above, a 2-of-2 custody, block 1, time T0.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let (public_key, verification_keys) = custody_keys();
	let staff = [DOCTOR, DOCTOR_B, NURSE, RESEARCHER, AUDITOR, MANAGER, CUSTODIAN, CUSTODIAN_1];
	let mut accounts: Vec<(u64, AccountKind, [u8; 32])> =
		staff.iter().map(|a| (*a, AccountKind::Staff, [*a as u8; 32])).collect();
	accounts.push((PATIENT, AccountKind::Patient, [PATIENT as u8; 32]));
	accounts.push((OTHER_PATIENT, AccountKind::Patient, [OTHER_PATIENT as u8; 32]));
	pallet_consortium::GenesisConfig::<Test> {
		organisations: vec![(ORG_A, [1; 32], Some(0)), (ORG_B, [2; 32], Some(1))],
		members: vec![
			(ORG_A, DOCTOR, roles(&[Role::Doctor]), true),
			(ORG_B, DOCTOR_B, roles(&[Role::Doctor]), true),
			(ORG_A, NURSE, roles(&[Role::Nurse]), false),
			(ORG_A, RESEARCHER, roles(&[Role::Researcher]), false),
			(ORG_A, AUDITOR, roles(&[Role::Auditor]), false),
			(ORG_A, MANAGER, roles(&[Role::Manager]), false),
		],
		accounts,
		custody: Some(GenesisCustody {
			public_key,
			verification_keys,
			custodian_accounts: vec![CUSTODIAN, CUSTODIAN_1],
			threshold: 2,
		}),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		set_time(T0);
	});
	ext
}

/// Set the chain time (ms).
pub fn set_time(ms: u64) {
	pallet_timestamp::Now::<Test>::put(ms);
}

/// Run blocks up to `n`, calling the access pallet's `on_initialize` for each.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Access::on_initialize(next);
	}
}

/// The public keys of the mock's 2-of-2 custody (a dealer's polynomial 9 + 8x).
pub fn custody_keys() -> ([u8; 32], Vec<[u8; 32]>) {
	pallet_consortium::custody::public_keys(&[9, 8], 2)
}

/// Test signatures: `TestSignature(who, payload)` verifies for `who`.
#[cfg(feature = "runtime-benchmarks")]
pub struct TestSigner;

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<u64, sp_runtime::testing::TestSignature> for TestSigner {
	fn custodian() -> u64 {
		4_000
	}
	fn sign(who: &u64, payload: &[u8]) -> sp_runtime::testing::TestSignature {
		sp_runtime::testing::TestSignature(*who, payload.to_vec())
	}
}
