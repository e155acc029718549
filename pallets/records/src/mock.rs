//! A minimal test runtime for the records pallet: the real consortium pallet, timestamp, and
//! a stub Append permission.

use crate as pallet_records;
use crate::{AppendPermission, GrantId, ReadPermission, RecordId};
use frame_support::{
	construct_runtime, derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Nothing},
};
use frame_system::EnsureRoot;
use pallet_consortium::{AccountKind, Role, Roles};
use sp_runtime::{BuildStorage, DispatchError};

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Consortium: pallet_consortium,
		Records: pallet_records,
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

/// The grant id the stub accepts for [`DOCTOR`].
pub const GOOD_GRANT: GrantId = 7;

parameter_types! {
	/// The account the stub lets append (benchmarks change it).
	pub static Appender: u64 = DOCTOR;
}

/// Stub: [`Appender`] (`DOCTOR`) may append records under [`GOOD_GRANT`]; anything else
/// is refused.
pub struct StubAppend;
impl AppendPermission<u64> for StubAppend {
	fn may_append(
		who: &u64,
		_patient: &u64,
		content_type: &[u8],
		grant: GrantId,
		_now: u64,
	) -> Result<(), DispatchError> {
		if *who == Appender::get() && grant == GOOD_GRANT && !content_type.is_empty() {
			Ok(())
		} else {
			Err(DispatchError::Other("stub: no append grant"))
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_allow(who: &u64, _patient: &u64) -> GrantId {
		Appender::set(*who);
		GOOD_GRANT
	}
}

/// Stub: [`Appender`] may also read any record under [`GOOD_GRANT`]; anyone else is refused.
pub struct StubRead;
impl ReadPermission<u64> for StubRead {
	fn may_read(
		who: &u64,
		_record: RecordId,
		grant: GrantId,
		_now: u64,
	) -> Result<(), DispatchError> {
		if *who == Appender::get() && grant == GOOD_GRANT {
			Ok(())
		} else {
			Err(DispatchError::Other("stub: no read grant"))
		}
	}
}

parameter_types! {
	pub const MaxCidLen: u32 = 64;
	pub const MaxContentTypeLen: u32 = 32;
	pub const MaxCapsuleLen: u32 = 192;
	pub const CustodyCapsuleLen: u32 = 144;
	pub const MaxProviderLen: u32 = 64;
	pub const MaxTamperReports: u32 = 3;
}

impl pallet_records::Config for Test {
	type Consortium = Consortium;
	type AppendPermission = StubAppend;
	type ReadPermission = StubRead;
	type Time = Timestamp;
	type MaxCidLen = MaxCidLen;
	type MaxContentTypeLen = MaxContentTypeLen;
	type MaxCapsuleLen = MaxCapsuleLen;
	type CustodyCapsuleLen = CustodyCapsuleLen;
	type MaxProviderLen = MaxProviderLen;
	type MaxTamperReports = MaxTamperReports;
	type WeightInfo = ();
}

/// Manager of org 1.
pub const MANAGER: u64 = 1;
/// Doctor of org 1.
pub const DOCTOR: u64 = 2;
/// A patient.
pub const PATIENT: u64 = 3;
/// Another patient.
pub const OTHER_PATIENT: u64 = 4;
/// Doctor of org 2.
pub const DOCTOR_B: u64 = 5;
/// Not registered.
pub const STRANGER: u64 = 6;

/// Chain time at the start of every test (ms).
pub const T0: u64 = 1_700_000_000_000;

/// Externalities with two organisations, a few members and accounts, time [`T0`].
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_consortium::GenesisConfig::<Test> {
		organisations: vec![(1, [1; 32], None), (2, [2; 32], None)],
		members: vec![
			(1, MANAGER, Roles::from_roles(&[Role::Manager]).0, false),
			(1, DOCTOR, Roles::from_roles(&[Role::Doctor]).0, false),
			(2, DOCTOR_B, Roles::from_roles(&[Role::Doctor]).0, true),
		],
		accounts: vec![
			(MANAGER, AccountKind::Staff, [1; 32]),
			(DOCTOR, AccountKind::Staff, [2; 32]),
			(PATIENT, AccountKind::Patient, [3; 32]),
			(OTHER_PATIENT, AccountKind::Patient, [4; 32]),
			(DOCTOR_B, AccountKind::Staff, [5; 32]),
		],
		// A 1-of-1 custody held by the manager's account: capsules are checked against its
		// group key.
		custody: Some({
			let (public_key, verification_keys) = pallet_consortium::custody::public_keys(&[9], 1);
			pallet_consortium::GenesisCustody {
				public_key,
				verification_keys,
				custodian_accounts: vec![MANAGER],
				threshold: 1,
			}
		}),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		pallet_timestamp::Now::<Test>::put(T0);
	});
	ext
}
