//! A wallet [`Identity`] signs transactions: ed25519 accounts (the wallet's default) and
//! sr25519 accounts (polkadot.js' default, and the development accounts) alike.

use subxt::{
	tx::Signer,
	utils::{AccountId32, MultiSignature},
};

use super::EhrConfig;
use crate::crypto::identity::{Identity, Scheme};

impl Signer<EhrConfig> for Identity {
	fn account_id(&self) -> AccountId32 {
		AccountId32(self.public())
	}

	fn sign(&self, signer_payload: &[u8]) -> MultiSignature {
		let signature = Identity::sign(self, signer_payload);
		match self.scheme() {
			Scheme::Ed25519 => MultiSignature::Ed25519(signature),
			Scheme::Sr25519 => MultiSignature::Sr25519(signature),
		}
	}
}

/// The account id of an identity, as the chain module's types take it.
pub fn account_of(identity: &Identity) -> AccountId32 {
	AccountId32(identity.public())
}
