//! Well-known development keys: the sr25519 development accounts (`//Alice` ... of the
//! Substrate development phrase, as polkadot.js knows them), the X25519 keys and the custody
//! keys that the `development` and `local_testnet` genesis presets of the runtime register.
//!
//! Everything here is public knowledge and protects nothing: use it on development chains
//! only. The runtime's preset holds the public halves as constants; a test in `tests/` checks
//! that they equal what this module derives.

use curve25519_dalek::Scalar;
use sha2::{Digest, Sha256, Sha512};
use subxt_signer::{sr25519, SecretUri};

use crate::crypto::{
	custody::{deal_polynomial, deal_secret, CustodyError, Dealing},
	identity::Identity,
};

/// The development accounts that the `development` preset registers, by name.
pub const DEV_ACCOUNTS: [&str; 5] = ["Alice", "Bob", "Charlie", "Dave", "Eve"];

/// The development identity named `name` (e.g. "Alice"): the sr25519 account `//name` of the
/// Substrate development phrase, with the X25519 key derived from the seed
/// `SHA-256("ehr/dev/" || name)`, which the dev preset registers for that account. Such an
/// identity is not storable in a keystore: it is rebuilt from its name.
pub fn dev_identity(name: &str) -> Identity {
	let seed: [u8; 32] = Sha256::new_with_prefix(b"ehr/dev/").chain_update(name).finalize().into();
	let uri: SecretUri = format!("//{name}").parse().expect("a hard derivation of the dev phrase");
	let keypair = sr25519::Keypair::from_uri(&uri).expect("the dev phrase is a valid phrase");
	Identity::with_sr25519_key(keypair, &seed)
}

/// Patients that the node's benchmark chain spec (`--chain bench`) registers by default.
pub const BENCH_ACCOUNTS: u32 = 6000;

/// Benchmark patient `i` of the node's `bench` chain spec: the ed25519 identity of the seed
/// `SHA-256("ehr/bench/" || i as 4 little-endian bytes)`. Public knowledge, like every key in
/// this module.
pub fn bench_identity(i: u32) -> Identity {
	let seed: [u8; 32] =
		Sha256::new_with_prefix(b"ehr/bench/").chain_update(i.to_le_bytes()).finalize().into();
	Identity::from_seed(seed)
}

/// Shares needed to release a key under the development custody key.
pub const DEV_CUSTODY_THRESHOLD: usize = 1;

/// The development custody key, 1-of-1, held by Alice's node: the secret is
/// `SHA-512("ehr/dev/custody")` reduced modulo the group order.
pub fn dev_custody() -> Result<Dealing, CustodyError> {
	let wide: [u8; 64] = Sha512::digest(b"ehr/dev/custody").into();
	deal_secret(&Scalar::from_bytes_mod_order_wide(&wide), DEV_CUSTODY_THRESHOLD, 1)
}

/// The hospitals (validators and custodians) of the local testnet, in custodian order.
pub const LOCAL_CUSTODIANS: [&str; 4] = ["Alice", "Bob", "Dave", "Eve"];

/// Shares needed to release a key on the local testnet: 3 of its 4 hospitals (GRANDPA
/// finalizes with 3 of 4 too, so one hospital may be down; docs/custody.md, "Choosing t").
pub const LOCAL_CUSTODY_THRESHOLD: usize = 3;

/// The local testnet's custody key, 3-of-4: the polynomial's coefficients are
/// `SHA-512("ehr/dev/custody/local/" || k)` reduced modulo the group order, `k = 0, 1, 2`
/// (the secret is `k = 0`). Public, like every development key.
pub fn local_custody() -> Result<Dealing, CustodyError> {
	let coefficients: Vec<Scalar> = (0..LOCAL_CUSTODY_THRESHOLD)
		.map(|k| {
			let wide: [u8; 64] = Sha512::new_with_prefix(b"ehr/dev/custody/local/")
				.chain_update([k as u8])
				.finalize()
				.into();
			Scalar::from_bytes_mod_order_wide(&wide)
		})
		.collect();
	deal_polynomial(&coefficients, LOCAL_CUSTODIANS.len())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dev_keys_are_distinct_and_stable() {
		let keys: Vec<[u8; 32]> =
			DEV_ACCOUNTS.iter().map(|n| dev_identity(n).x25519_public()).collect();
		for (i, a) in keys.iter().enumerate() {
			assert!(keys.iter().skip(i + 1).all(|b| a != b), "duplicate dev key");
		}
		assert_eq!(dev_identity("Alice").x25519_public(), keys[0]);
		assert_eq!(dev_identity("Alice").public(), sr25519::dev::alice().public_key().0);
		assert_eq!(dev_identity("Ferdie").public(), sr25519::dev::ferdie().public_key().0);
		assert!(!dev_identity("Bob").is_storable());
		let custody = dev_custody().expect("1-of-1 dealing");
		assert_eq!(custody.verification_keys.len(), 1);
		assert_eq!(dev_custody().expect("dealing").group_key, custody.group_key);
		let local = local_custody().expect("3-of-4 dealing");
		assert_eq!(local.verification_keys, local_custody().expect("dealing").verification_keys);
		assert_ne!(local.group_key, custody.group_key);
	}
}
