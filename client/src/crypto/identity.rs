//! Identities: one secret seed, two keys.
//!
//! The seed comes from a BIP-39 phrase exactly as Substrate wallets derive it (PBKDF2-HMAC-SHA512
//! over the phrase's *entropy*, salt `"mnemonic" + password`, 2048 rounds; the first 32 bytes
//! are the secret seed), so the account id and the SS58 address equal what polkadot.js or
//! `subkey` show for the same phrase and [`Scheme`]: ed25519 (the wallet's default) uses the
//! seed as the ed25519 secret key, sr25519 as the schnorrkel mini secret key. The X25519 key
//! for capsules is derived from the same seed with HKDF-SHA256 and its own label, so one backup
//! restores both keys.
//!
//! ```
//! use ehr_client::crypto::identity::Identity;
//! let phrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";
//! let id = Identity::from_phrase(phrase, None)?;
//! assert!(id.ss58().starts_with('5'));
//! let signature = id.sign(b"remark");
//! assert!(id.verify(b"remark", &signature));
//! # Ok::<(), ehr_client::Error>(())
//! ```

use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use hkdf::Hkdf;
use sha2::Sha256;
use subxt_signer::sr25519;
use zeroize::{Zeroize, Zeroizing};

/// The SS58 address prefix of this chain (42, the generic Substrate prefix).
pub const SS58_PREFIX: u16 = 42;

/// The HKDF label of the X25519 key derived from an identity seed.
pub const X25519_LABEL: &[u8] = b"ehr/x25519/v1";

/// Why an identity or an address could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
	/// The phrase is not a valid English BIP-39 mnemonic.
	#[error("invalid mnemonic phrase: {0}")]
	Mnemonic(String),
	/// The seed is not a valid key of the scheme.
	#[error("invalid {0} secret seed")]
	Seed(Scheme),
	/// The string is not an SS58 address.
	#[error("invalid SS58 address `{address}`: {reason}")]
	Ss58 {
		/// The address as given.
		address: String,
		/// What is wrong with it.
		reason: &'static str,
	},
}

/// The signature scheme of an account: what its transactions are signed with. The chain
/// accepts both (its signature type is `MultiSignature`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
	/// Ed25519, the wallet's default for new accounts.
	Ed25519,
	/// Sr25519 (schnorrkel), the scheme of polkadot.js' default accounts and of the
	/// development accounts.
	Sr25519,
}

impl Scheme {
	/// The scheme's name, as `subkey --scheme` spells it.
	pub fn name(self) -> &'static str {
		match self {
			Scheme::Ed25519 => "ed25519",
			Scheme::Sr25519 => "sr25519",
		}
	}
}

impl core::fmt::Display for Scheme {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(self.name())
	}
}

impl core::str::FromStr for Scheme {
	type Err = String;
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		match s {
			"ed25519" => Ok(Scheme::Ed25519),
			"sr25519" => Ok(Scheme::Sr25519),
			other => Err(format!("unknown signature scheme `{other}`: use ed25519 or sr25519")),
		}
	}
}

/// The signing half of an identity.
enum Signing {
	Ed25519(SigningKey),
	Sr25519(sr25519::Keypair),
}

/// A wallet identity: a signing key (ed25519 or sr25519) and an X25519 key-agreement key from
/// one seed. Secrets are zeroized on drop and never shown by `Debug`.
pub struct Identity {
	seed: Zeroizing<[u8; 32]>,
	signing: Signing,
	/// The account id (the signing public key), cached.
	public: [u8; 32],
	/// Whether the signing key is the seed's own key (false for the development accounts,
	/// whose sr25519 key comes from a derivation path): only such identities can be stored.
	storable: bool,
	x25519: x25519_dalek::StaticSecret,
	/// Cached: every capsule opening needs it, and computing it is a scalar multiplication.
	x25519_public: [u8; 32],
}

impl Identity {
	/// The ed25519 identity of a BIP-39 phrase (English word list) and optional password,
	/// derived as Substrate derives ed25519 keys (`sp_core::ed25519::Pair::from_phrase`).
	pub fn from_phrase(phrase: &str, password: Option<&str>) -> Result<Self, IdentityError> {
		Self::from_phrase_with(Scheme::Ed25519, phrase, password)
	}

	/// The identity of a BIP-39 phrase and optional password for `scheme`, derived as
	/// Substrate derives keys of that scheme from a phrase without a derivation path.
	pub fn from_phrase_with(
		scheme: Scheme,
		phrase: &str,
		password: Option<&str>,
	) -> Result<Self, IdentityError> {
		let mnemonic = bip39::Mnemonic::parse_in(bip39::Language::English, phrase)
			.map_err(|e| IdentityError::Mnemonic(e.to_string()))?;
		let mut entropy = Zeroizing::new(mnemonic.to_entropy());
		let mut full = substrate_bip39::seed_from_entropy(&entropy, password.unwrap_or(""))
			.map_err(|e| IdentityError::Mnemonic(format!("{e:?}")))?;
		let mut seed = [0u8; 32];
		seed.copy_from_slice(&full[..32]);
		full.zeroize();
		entropy.zeroize();
		Self::from_seed_with(scheme, seed)
	}

	/// A new identity of `scheme` with a fresh random 12-word phrase; returns the phrase to
	/// show the user once for backup.
	pub fn generate(scheme: Scheme) -> (Self, Zeroizing<String>) {
		let entropy: Zeroizing<[u8; 16]> = Zeroizing::new(super::random_array());
		let mnemonic = bip39::Mnemonic::from_entropy_in(bip39::Language::English, &entropy[..])
			.expect("16 bytes is a valid BIP-39 entropy length");
		let phrase = Zeroizing::new(mnemonic.to_string());
		let id =
			Self::from_phrase_with(scheme, &phrase, None).expect("a generated phrase is valid");
		(id, phrase)
	}

	/// The ed25519 identity of a raw 32-byte secret seed (the ed25519 secret key).
	pub fn from_seed(seed: [u8; 32]) -> Self {
		Self::from_seed_with(Scheme::Ed25519, seed).expect("every 32-byte seed is an ed25519 key")
	}

	/// The identity of a raw 32-byte secret seed of `scheme` (the ed25519 secret key, or the
	/// sr25519 mini secret key).
	pub fn from_seed_with(scheme: Scheme, mut seed: [u8; 32]) -> Result<Self, IdentityError> {
		let signing = match scheme {
			Scheme::Ed25519 => Signing::Ed25519(SigningKey::from_bytes(&seed)),
			Scheme::Sr25519 => Signing::Sr25519(
				sr25519::Keypair::from_secret_key(seed).map_err(|_| IdentityError::Seed(scheme))?,
			),
		};
		let out = Self::assemble(signing, &seed, true);
		seed.zeroize();
		Ok(out)
	}

	/// An identity whose sr25519 key comes from elsewhere (a derivation path) and whose
	/// X25519 key from `seed`; it cannot be stored (see [`Identity::is_storable`]).
	pub(crate) fn with_sr25519_key(keypair: sr25519::Keypair, seed: &[u8; 32]) -> Self {
		Self::assemble(Signing::Sr25519(keypair), seed, false)
	}

	fn assemble(signing: Signing, seed: &[u8; 32], storable: bool) -> Self {
		let public = match &signing {
			Signing::Ed25519(k) => k.verifying_key().to_bytes(),
			Signing::Sr25519(k) => k.public_key().0,
		};
		let mut x_secret = Zeroizing::new([0u8; 32]);
		Hkdf::<Sha256>::new(None, seed)
			.expand(X25519_LABEL, &mut x_secret[..])
			.expect("32 bytes is a valid HKDF-SHA256 output length");
		let x25519 = x25519_dalek::StaticSecret::from(*x_secret);
		let x25519_public = x25519_dalek::PublicKey::from(&x25519).to_bytes();
		Self { seed: Zeroizing::new(*seed), signing, public, storable, x25519, x25519_public }
	}

	/// The signature scheme of the account.
	pub fn scheme(&self) -> Scheme {
		match self.signing {
			Signing::Ed25519(_) => Scheme::Ed25519,
			Signing::Sr25519(_) => Scheme::Sr25519,
		}
	}

	/// The secret seed (what the keystore stores).
	pub fn seed(&self) -> &[u8; 32] {
		&self.seed
	}

	/// Whether [`Identity::from_seed_with`] of this identity's scheme and seed gives it back,
	/// i.e. whether a keystore can hold it. False only for the development accounts.
	pub fn is_storable(&self) -> bool {
		self.storable
	}

	/// The signing public key: the on-chain account id.
	pub fn public(&self) -> [u8; 32] {
		self.public
	}

	/// The account's SS58 address (prefix [`SS58_PREFIX`]).
	pub fn ss58(&self) -> String {
		ss58_encode(&self.public(), SS58_PREFIX)
	}

	/// Signs `message` with the account's key (an ed25519 or an sr25519 signature, by
	/// [`Identity::scheme`]).
	pub fn sign(&self, message: &[u8]) -> [u8; 64] {
		match &self.signing {
			Signing::Ed25519(k) => k.sign(message).to_bytes(),
			Signing::Sr25519(k) => k.sign(message).0,
		}
	}

	/// Checks a signature of this identity (of its scheme).
	pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
		match self.scheme() {
			Scheme::Ed25519 => verify(&self.public(), message, signature),
			Scheme::Sr25519 => sr25519::verify(
				&sr25519::Signature(*signature),
				message,
				&sr25519::PublicKey(self.public),
			),
		}
	}

	/// The X25519 public key, published on chain when the account is registered.
	pub fn x25519_public(&self) -> [u8; 32] {
		self.x25519_public
	}

	/// The X25519 secret key (used to open patient capsules).
	pub(crate) fn x25519_secret(&self) -> &x25519_dalek::StaticSecret {
		&self.x25519
	}
}

impl core::fmt::Debug for Identity {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.debug_struct("Identity")
			.field("scheme", &self.scheme())
			.field("account", &self.ss58())
			.field("x25519_public", &hex::encode(self.x25519_public()))
			.finish_non_exhaustive()
	}
}

/// Checks an ed25519 signature by `public` over `message`.
pub fn verify(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
	let Ok(key) = VerifyingKey::from_bytes(public) else { return false };
	key.verify(message, &ed25519_dalek::Signature::from_bytes(signature)).is_ok()
}

fn ss58_checksum(payload: &[u8]) -> [u8; 64] {
	let mut h = blake2b_simd::State::new();
	h.update(b"SS58PRE");
	h.update(payload);
	let mut out = [0; 64];
	out.copy_from_slice(h.finalize().as_bytes());
	out
}

/// The SS58 address of a 32-byte account id: base58 of prefix, id and a 2-byte blake2b-512
/// checksum over `"SS58PRE" || prefix || id`. Prefixes 0..=63 take one byte, 64..=16383 two.
pub fn ss58_encode(account: &[u8; 32], prefix: u16) -> String {
	let mut v = Vec::with_capacity(35);
	if prefix < 64 {
		v.push(prefix as u8);
	} else {
		let p = prefix & 0x3fff;
		v.push((((p & 0b0000_0000_1111_1100) as u8) >> 2) | 0b0100_0000);
		v.push(((p >> 8) as u8) | (((p & 0b0000_0000_0000_0011) as u8) << 6));
	}
	v.extend_from_slice(account);
	let sum = ss58_checksum(&v);
	v.extend_from_slice(&sum[..2]);
	bs58::encode(v).into_string()
}

/// Parses an SS58 address of a 32-byte account id; returns (prefix, account id).
pub fn ss58_decode(address: &str) -> Result<(u16, [u8; 32]), IdentityError> {
	let err = |reason| IdentityError::Ss58 { address: address.to_owned(), reason };
	let data = bs58::decode(address).into_vec().map_err(|_| err("not base58"))?;
	let (prefix, prefix_len) = match data.first() {
		Some(&b) if b < 64 => (b as u16, 1),
		Some(&b) if b < 128 => {
			let b1 = *data.get(1).ok_or(err("too short"))?;
			let lower = (b << 2) | (b1 >> 6);
			let upper = b1 & 0b0011_1111;
			((lower as u16) | ((upper as u16) << 8), 2)
		}
		_ => return Err(err("reserved prefix")),
	};
	if data.len() != prefix_len + 32 + 2 {
		return Err(err("not a 32-byte account id"));
	}
	let body = &data[..prefix_len + 32];
	if ss58_checksum(body)[..2] != data[prefix_len + 32..] {
		return Err(err("bad checksum"));
	}
	let mut account = [0u8; 32];
	account.copy_from_slice(&body[prefix_len..]);
	Ok((prefix, account))
}

#[cfg(test)]
mod tests {
	use super::*;

	const PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

	#[test]
	fn same_keys_as_substrate_ed25519() {
		use sp_core::{crypto::Ss58Codec, Pair};
		for (phrase, password) in [
			(PHRASE, None),
			(PHRASE, Some("secret")),
			("legal winner thank year wave sausage worth useful legal winner thank yellow", None),
		] {
			let ours = Identity::from_phrase(phrase, password).unwrap();
			let theirs = sp_core::ed25519::Pair::from_phrase(phrase, password).unwrap().0;
			assert_eq!(ours.public(), theirs.public().0);
			assert_eq!(ours.ss58(), theirs.public().to_ss58check());
			let sig = ours.sign(b"msg");
			assert!(sp_core::ed25519::Pair::verify(
				&sp_core::ed25519::Signature::from_raw(sig),
				b"msg",
				&theirs.public()
			));
		}
	}

	#[test]
	fn same_keys_as_substrate_sr25519() {
		use sp_core::Pair;
		for password in [None, Some("secret")] {
			let ours = Identity::from_phrase_with(Scheme::Sr25519, PHRASE, password).unwrap();
			let theirs = sp_core::sr25519::Pair::from_phrase(PHRASE, password).unwrap().0;
			assert_eq!(ours.scheme(), Scheme::Sr25519);
			assert_eq!(ours.public(), theirs.public().0);
			let sig = ours.sign(b"msg");
			assert!(sp_core::sr25519::Pair::verify(
				&sp_core::sr25519::Signature::from_raw(sig),
				b"msg",
				&theirs.public()
			));
			assert!(ours.verify(b"msg", &sig));
			assert!(!ours.verify(b"other", &sig));
			let again = Identity::from_seed_with(Scheme::Sr25519, *ours.seed()).unwrap();
			assert_eq!(again.public(), ours.public());
		}
		let ed = Identity::from_phrase(PHRASE, None).unwrap();
		let sr = Identity::from_phrase_with(Scheme::Sr25519, PHRASE, None).unwrap();
		assert_ne!(ed.public(), sr.public(), "one phrase, two accounts");
		assert_eq!(ed.x25519_public(), sr.x25519_public(), "one seed, one X25519 key");
	}

	#[test]
	fn ss58_round_trip_and_checksum() {
		let id = Identity::from_phrase(PHRASE, None).unwrap();
		let (prefix, account) = ss58_decode(&id.ss58()).unwrap();
		assert_eq!((prefix, account), (42, id.public()));
		let other = ss58_encode(&id.public(), 1000);
		assert_eq!(ss58_decode(&other).unwrap(), (1000, id.public()));
		let mut bad = id.ss58().into_bytes();
		let last = bad.len() - 1;
		bad[last] = if bad[last] == b'a' { b'b' } else { b'a' };
		assert!(matches!(
			ss58_decode(core::str::from_utf8(&bad).unwrap()),
			Err(IdentityError::Ss58 { .. })
		));
	}

	#[test]
	fn x25519_key_is_separate_and_deterministic() {
		let a = Identity::from_phrase(PHRASE, None).unwrap();
		let b = Identity::from_seed(*a.seed());
		assert_eq!(a.x25519_public(), b.x25519_public());
		assert_ne!(a.x25519_public(), a.public());
		assert!(!format!("{a:?}").contains(&hex::encode(a.seed())));
	}

	#[test]
	fn bad_phrase_is_rejected() {
		assert!(matches!(
			Identity::from_phrase("not a phrase", None),
			Err(IdentityError::Mnemonic(_))
		));
	}
}
