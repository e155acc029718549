//! A minimal test runtime for the consortium pallet.

use crate as pallet_consortium;
use crate::{AccountKind, GenesisCustody, Role, Roles};
use frame_support::{construct_runtime, derive_impl, parameter_types, traits::Contains};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

construct_runtime!(
	pub enum Test {
		System: frame_system,
		Consortium: pallet_consortium,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// Open calls of the mock: `System::remark` only.
pub struct RemarkOnly;
impl Contains<RuntimeCall> for RemarkOnly {
	fn contains(call: &RuntimeCall) -> bool {
		matches!(call, RuntimeCall::System(frame_system::Call::remark { .. }))
	}
}

/// The mock's call that only an authorized transaction may carry.
pub struct RemarkWithEventOnly;
impl Contains<RuntimeCall> for RemarkWithEventOnly {
	fn contains(call: &RuntimeCall) -> bool {
		matches!(call, RuntimeCall::System(frame_system::Call::remark_with_event { .. }))
	}
}

parameter_types! {
	pub const MaxCustodians: u32 = 5;
	pub const MaxTxPerWindow: u32 = 3;
	pub const RateWindow: u64 = 5;
	pub const InvitationLifetime: u64 = 10;
}

impl pallet_consortium::Config for Test {
	type GovernanceOrigin = EnsureRoot<u64>;
	type OpenCalls = RemarkOnly;
	type UnsignedOnly = RemarkWithEventOnly;
	type MaxCustodians = MaxCustodians;
	type MaxTxPerWindow = MaxTxPerWindow;
	type RateWindow = RateWindow;
	type InvitationLifetime = InvitationLifetime;
	type WeightInfo = ();
}

/// Manager of org 1.
pub const MANAGER: u64 = 1;
/// Doctor of org 1.
pub const DOCTOR: u64 = 2;
/// A patient.
pub const PATIENT: u64 = 3;
/// Auditor of org 1.
pub const AUDITOR: u64 = 4;
/// Doctor of org 2 with the emergency flag.
pub const DOCTOR_B: u64 = 5;
/// Not registered.
pub const STRANGER: u64 = 6;
/// Custodian accounts.
pub const CUSTODIAN_0: u64 = 10;
/// Custodian accounts.
pub const CUSTODIAN_1: u64 = 11;

/// Externalities with two organisations, a few members and accounts, and a 2-of-2 custody.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let (public_key, verification_keys) = custody_keys();
	pallet_consortium::GenesisConfig::<Test> {
		organisations: vec![(1, [1; 32], Some(0)), (2, [2; 32], Some(1))],
		members: vec![
			(1, MANAGER, Roles::from_roles(&[Role::Manager]).0, false),
			(1, DOCTOR, Roles::from_roles(&[Role::Doctor]).0, false),
			(1, AUDITOR, Roles::from_roles(&[Role::Auditor]).0, false),
			(2, DOCTOR_B, Roles::from_roles(&[Role::Doctor]).0, true),
		],
		accounts: vec![
			(MANAGER, AccountKind::Staff, [1; 32]),
			(DOCTOR, AccountKind::Staff, [2; 32]),
			(PATIENT, AccountKind::Patient, [3; 32]),
			(AUDITOR, AccountKind::Staff, [4; 32]),
			(DOCTOR_B, AccountKind::Staff, [5; 32]),
			(CUSTODIAN_0, AccountKind::Staff, [10; 32]),
			(CUSTODIAN_1, AccountKind::Staff, [11; 32]),
		],
		custody: Some(GenesisCustody {
			public_key,
			verification_keys,
			custodian_accounts: vec![CUSTODIAN_0, CUSTODIAN_1],
			threshold: 2,
		}),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// The public keys of the mock's 2-of-2 custody (a dealer's polynomial 9 + 8x).
pub fn custody_keys() -> ([u8; 32], Vec<[u8; 32]>) {
	crate::custody::public_keys(&[9, 8], 2)
}

/// A valid X25519 public key (`n` times the base point): keys of small order, and points on
/// the twist, are refused.
pub fn x25519_key(n: u8) -> [u8; 32] {
	(curve25519_dalek::constants::X25519_BASEPOINT * curve25519_dalek::Scalar::from(n)).0
}

/// Registers `who` as a staff account the way a running chain does: governance invites it
/// under organisation 1 and the account accepts with its own key.
pub fn register(who: u64) {
	frame_support::assert_ok!(Consortium::invite_account(
		RuntimeOrigin::root(),
		1,
		who,
		AccountKind::Staff
	));
	frame_support::assert_ok!(Consortium::accept_invitation(
		RuntimeOrigin::signed(who),
		x25519_key(who as u8),
		1,
		AccountKind::Staff
	));
}
