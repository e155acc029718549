//! Well-known development keys: the sr25519 development accounts (`//Alice` ... of the
//! Substrate development phrase, as polkadot.js knows them), the X25519 keys and the custody
//! key that the `development` genesis preset of the runtime registers for Alice ... Eve.
//!
//! Everything here is public knowledge and protects nothing: use it on development chains
//! only. The runtime's preset holds the public halves as constants; a test in `tests/` checks
//! that they equal what this module derives.

use curve25519_dalek::Scalar;
use sha2::{Digest, Sha256, Sha512};
use subxt_signer::{sr25519, SecretUri};

use crate::crypto::{
	custody::{deal_secret, CustodyError, Dealing},
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

/// Shares needed to release a key under the development custody key.
pub const DEV_CUSTODY_THRESHOLD: usize = 1;

/// The development custody key, 1-of-1, held by Alice's node: the secret is
/// `SHA-512("ehr/dev/custody")` reduced modulo the group order.
pub fn dev_custody() -> Result<Dealing, CustodyError> {
	let wide: [u8; 64] = Sha512::digest(b"ehr/dev/custody").into();
	deal_secret(&Scalar::from_bytes_mod_order_wide(&wide), DEV_CUSTODY_THRESHOLD, 1)
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
	}
}
