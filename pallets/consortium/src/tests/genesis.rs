//! Rule family: the genesis config builds the consortium and round-trips through JSON (the
//! runtime's genesis presets are JSON patches).

use crate::{mock::*, AccountKind, GenesisConfig, GenesisCustody, Membership, Role, Roles};

#[test]
fn genesis_builds_organisations_members_accounts_and_custody() {
	new_test_ext().execute_with(|| {
		assert!(Consortium::org_exists(1) && Consortium::org_exists(2));
		assert!(Consortium::has_role(1, &MANAGER, Role::Manager));
		assert!(Consortium::is_patient(&PATIENT));
		// Genesis accounts exist (provider reference) without any balance.
		assert_eq!(System::providers(&PATIENT), 1);
		assert_eq!(Consortium::threshold(), 2);
		assert!(Consortium::do_try_state().is_ok());
	});
}

#[test]
fn genesis_config_json_shape() {
	let g = GenesisConfig::<Test> {
		organisations: vec![(1, [1; 32], Some(0))],
		members: vec![(1, 7, Roles::from_roles(&[Role::Manager]).0, false)],
		accounts: vec![(7, AccountKind::Staff, [2; 32])],
		custody: Some(GenesisCustody {
			public_key: [3; 32],
			verification_keys: vec![[4; 32]],
			custodian_accounts: vec![7],
			threshold: 1,
		}),
	};
	let json = serde_json::to_string(&g).unwrap();
	println!("{json}");
	assert!(json.contains("\"organisations\":[[1,[1,1,"));
	assert!(json.contains("\"accounts\":[[7,\"Staff\",[2,"));
	assert!(json.contains("\"custody\":{\"publicKey\":[3,"));
	assert!(json.contains("\"verificationKeys\":[[4,"));
	assert!(json.contains("\"custodianAccounts\":[7],\"threshold\":1}"));
	let back: GenesisConfig<Test> = serde_json::from_str(&json).unwrap();
	assert_eq!(back.accounts, g.accounts);
	assert_eq!(back.custody, g.custody);
}
