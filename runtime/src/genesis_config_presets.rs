//! Genesis presets: `development` (one validator, Alice: a consortium of one) and
//! `local_testnet` (four hospitals, each a validator and a custodian).
//!
//! The node builds its chain specs from these; nothing about genesis lives in the node.

use crate::{AccountId, BalancesConfig, ConsortiumConfig, RuntimeGenesisConfig, SudoConfig, UNIT};
use alloc::{string::String, vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_consortium::types::{AccountKind, GenesisCustody};
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_core::hex2array;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::traits::{BlakeTwo256, Hash};

/// Balance given to each well-known development account.
const ENDOWMENT: crate::Balance = 1_000_000 * UNIT;

/// Role bits of `pallet_consortium`: Manager 1, Doctor 2, Nurse 4, Researcher 8, Auditor 16.
const MANAGER: u8 = 1;
const DOCTOR: u8 = 2;
const AUDITOR: u8 = 16;

/// Hospital A (organisation 1) runs custodian 0; hospital B is organisation 2.
const HOSPITAL_A: u32 = 1;
const HOSPITAL_B: u32 = 2;

/// X25519 keys of the registered development accounts, in the order Alice, Bob, Charlie, Dave,
/// Eve: `ehr_client::dev::dev_identity(name)` (`cargo run -p ehr-client --example dev_keys`
/// prints them; a test checks they match).
pub const DEV_X25519: [(&str, [u8; 32]); 5] = [
	("Alice", hex2array!("4641b8590b9816eb4502df130870a69d2b95bc8e2f7a555236ec7d1f28875b05")),
	("Bob", hex2array!("2d19e7011c15f2e971c8b4431507663a9a617db455da207e3e8e711d45870f18")),
	("Charlie", hex2array!("6482a5c2bedfb329227a771da7ce8ffdcaa30d96115f3c49c4e22c21a9b6953b")),
	("Dave", hex2array!("f45a343ef9349827efb8bce511e3c2a79e8eb396746917a9f17ab15e93a57028")),
	("Eve", hex2array!("ca6d8336bc2ac0c47b2bd20395ccbc629b17ef508d3c51156084537eff79bf78")),
];

/// The development custody key (1-of-1, custodian 0 = Alice's node):
/// `ehr_client::dev::dev_custody()`. Its only verification key equals the group key.
pub const DEV_CUSTODY_KEY: [u8; 32] =
	hex2array!("26d3f122182683c1975d6621712319c52148bc04ecf5de23c63af81fc0977e38");

/// The local testnet's custody key, 3-of-4 (`ehr_client::dev::local_custody()`, printed by
/// the `dev_keys` example; a test checks it).
pub const LOCAL_CUSTODY_KEY: [u8; 32] =
	hex2array!("96cbde3ba4a8eaf27a117ab40176b44c9af50e5a7bcb08e7ef33c96139e2743d");

/// The verification keys of the local testnet's custodians 0..3 (the nodes of Alice, Bob,
/// Dave and Eve).
pub const LOCAL_VERIFICATION_KEYS: [[u8; 32]; 4] = [
	hex2array!("fa5c3913f0909f41db4d76fea417a0f1b2cf869844e9b7871f0e896914833818"),
	hex2array!("5c040a1da5d706026fc9f64013033ddde1dea07054f296d4dca3b64efd0e1649"),
	hex2array!("0667d2fd7ff8a71ffebc86e0fa0bdfac014a3e81cd139569287293c366fda02d"),
	hex2array!("4259418de54cf38da051570aa98d97c6fe3ffb1486c901de5663f14285e8d516"),
];

/// The development consortium: hospital A with Alice (manager), Bob (doctor) and Dave
/// (auditor); hospital B with Eve (doctor, emergency flag); Charlie is a patient; Ferdie is
/// not registered.
fn dev_consortium() -> ConsortiumConfig {
	let [alice, bob, charlie, dave, eve] = [
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
	]
	.map(|k| k.to_account_id());
	let [alice_x, bob_x, charlie_x, dave_x, eve_x] = DEV_X25519.map(|(_, key)| key);
	ConsortiumConfig {
		organisations: vec![
			(HOSPITAL_A, BlakeTwo256::hash(b"Hospital A").0, Some(0)),
			(HOSPITAL_B, BlakeTwo256::hash(b"Hospital B").0, None),
		],
		members: vec![
			(HOSPITAL_A, alice.clone(), MANAGER, false),
			(HOSPITAL_A, bob.clone(), DOCTOR, false),
			(HOSPITAL_A, dave.clone(), AUDITOR, false),
			(HOSPITAL_B, eve.clone(), DOCTOR, true),
		],
		accounts: vec![
			(alice.clone(), AccountKind::Staff, alice_x),
			(bob, AccountKind::Staff, bob_x),
			(charlie, AccountKind::Patient, charlie_x),
			(dave, AccountKind::Staff, dave_x),
			(eve, AccountKind::Staff, eve_x),
		],
		custody: Some(GenesisCustody {
			public_key: DEV_CUSTODY_KEY,
			verification_keys: vec![DEV_CUSTODY_KEY],
			custodian_accounts: vec![alice],
			threshold: 1,
		}),
	}
}

/// The local consortium: hospitals A, B, C and D, whose validators and custodians are the
/// nodes of Alice, Bob, Dave and Eve, each its hospital's manager; Charlie is a patient.
/// Custody is 3-of-4: GRANDPA finalizes with 3 of the 4 validators, and the custodians follow
/// finality, so one hospital may be down. Staff are onboarded by the managers.
fn local_consortium() -> ConsortiumConfig {
	let hospitals =
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Dave, Sr25519Keyring::Eve]
			.map(|k| k.to_account_id());
	let x25519 = |name: &str| DEV_X25519.iter().find(|(n, _)| *n == name).map(|(_, k)| *k);
	let names = ["Alice", "Bob", "Dave", "Eve"];
	let mut accounts: Vec<(AccountId, AccountKind, [u8; 32])> = hospitals
		.iter()
		.zip(names)
		.filter_map(|(a, n)| Some((a.clone(), AccountKind::Staff, x25519(n)?)))
		.collect();
	if let Some(k) = x25519("Charlie") {
		accounts.push((Sr25519Keyring::Charlie.to_account_id(), AccountKind::Patient, k));
	}
	let orgs =
		[(1u32, &b"Hospital A"[..]), (2, b"Hospital B"), (3, b"Hospital C"), (4, b"Hospital D")];
	ConsortiumConfig {
		organisations: orgs
			.iter()
			.zip(0u16..)
			.map(|((id, name), custodian)| (*id, BlakeTwo256::hash(name).0, Some(custodian)))
			.collect(),
		members: orgs
			.iter()
			.zip(&hospitals)
			.map(|((id, _), manager)| (*id, manager.clone(), MANAGER, false))
			.collect(),
		accounts,
		custody: Some(GenesisCustody {
			public_key: LOCAL_CUSTODY_KEY,
			verification_keys: LOCAL_VERIFICATION_KEYS.to_vec(),
			custodian_accounts: hospitals.to_vec(),
			threshold: 3,
		}),
	}
}

fn genesis(
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed: Vec<AccountId>,
	root: AccountId,
	consortium: ConsortiumConfig,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.iter().cloned().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: authorities.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: authorities.iter().map(|x| (x.1.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
		consortium,
	})
}

/// A validator's session keys: the sr25519 key authors (Aura), the ed25519 key of the same
/// development name finalizes (GRANDPA).
fn authority(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(aura.public().into(), grandpa.public().into())
}

/// The well-known development accounts (sr25519 keys of `//Alice` ... `//Ferdie`).
fn dev_accounts() -> Vec<AccountId> {
	[
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
		Sr25519Keyring::Ferdie,
	]
	.into_iter()
	.map(|k| k.to_account_id())
	.collect()
}

/// Single-validator development chain: Alice authors and finalizes every block.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		dev_consortium(),
	)
}

/// Local consortium testnet: four hospitals, each a validator (`--alice`, `--bob`, `--dave`,
/// `--eve`) and a custodian.
pub fn local_config_genesis() -> Value {
	genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
			authority(Sr25519Keyring::Eve, Ed25519Keyring::Eve),
		],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
		local_consortium(),
	)
}

/// The JSON patch of the preset named `id`, or `None` if there is no such preset.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(String::into_bytes)
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
