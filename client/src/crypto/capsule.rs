//! Patient capsules: the data key sealed to an X25519 public key with HPKE (RFC 9180), base
//! mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305. The HPKE `info` is
//! [`INFO_LABEL`] followed by the record id, so a capsule opens only for the record it was
//! made for.
//!
//! ```
//! use ehr_client::crypto::{capsule, identity::Identity, DataKey};
//! let patient = Identity::from_seed([7; 32]);
//! let dek = DataKey::generate();
//! let sealed = capsule::seal(&patient.x25519_public(), b"record-1", &dek)?;
//! assert_eq!(capsule::open(&patient, b"record-1", &sealed)?, dek);
//! assert!(capsule::open(&patient, b"record-2", &sealed).is_err());
//! # Ok::<(), ehr_client::Error>(())
//! ```

use hpke::{
	aead::ChaCha20Poly1305, kdf::HkdfSha256, kem::X25519HkdfSha256, Deserializable, Kem, OpModeR,
	OpModeS, Serializable,
};
use zeroize::Zeroizing;

use super::{identity::Identity, DataKey};

/// Prefix of the HPKE `info`; the record id follows it.
pub const INFO_LABEL: &[u8] = b"ehr/capsule/v1 record ";
/// Bytes of a serialized capsule: 32 (encapsulated key) + 32 (key) + 16 (tag).
pub const CAPSULE_SIZE: usize = 32 + 32 + 16;

/// Why a capsule could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CapsuleError {
	/// The recipient public key is not a valid X25519 key.
	#[error("invalid X25519 public key")]
	InvalidPublicKey,
	/// The capsule bytes have the wrong length.
	#[error("capsule has {0} bytes, expected {CAPSULE_SIZE}")]
	BadLength(usize),
	/// The capsule is not for this key or this record, or it was modified.
	#[error(
		"capsule does not open with this key for this record (wrong key, wrong record or tampered)"
	)]
	OpenFailed,
	/// The HPKE library failed for another reason.
	#[error("HPKE failure: {0}")]
	Hpke(String),
}

/// A data key sealed to one recipient: `enc || ciphertext` ([`CAPSULE_SIZE`] bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capsule {
	/// The HPKE encapsulated key (the sender's ephemeral X25519 public key).
	pub enc: [u8; 32],
	/// The sealed data key and its tag.
	pub ciphertext: Vec<u8>,
}

impl Capsule {
	/// The capsule as stored on chain.
	pub fn to_bytes(&self) -> Vec<u8> {
		[&self.enc[..], &self.ciphertext].concat()
	}

	/// Parses [`Capsule::to_bytes`] output.
	pub fn from_bytes(bytes: &[u8]) -> Result<Self, CapsuleError> {
		if bytes.len() != CAPSULE_SIZE {
			return Err(CapsuleError::BadLength(bytes.len()));
		}
		let mut enc = [0u8; 32];
		enc.copy_from_slice(&bytes[..32]);
		Ok(Self { enc, ciphertext: bytes[32..].to_vec() })
	}
}

/// The HPKE `info` for a record.
pub fn info(record_id: &[u8]) -> Vec<u8> {
	[INFO_LABEL, record_id].concat()
}

/// Seals `dek` to the X25519 public key `recipient` for `record_id`.
pub fn seal(
	recipient: &[u8; 32],
	record_id: &[u8],
	dek: &DataKey,
) -> Result<Capsule, CapsuleError> {
	seal_with_rng(recipient, record_id, dek, &mut hpke::rand_core::UnwrapErr(SysRng))
}

/// [`seal`] with a caller-chosen random generator (for test vectors).
pub fn seal_with_rng(
	recipient: &[u8; 32],
	record_id: &[u8],
	dek: &DataKey,
	rng: &mut impl hpke::rand_core::CryptoRng,
) -> Result<Capsule, CapsuleError> {
	let (enc, ciphertext) = seal_raw(recipient, &info(record_id), dek.as_bytes(), b"", rng)?;
	Ok(Capsule { enc, ciphertext })
}

/// Opens a capsule with the identity's X25519 key.
pub fn open(
	identity: &Identity,
	record_id: &[u8],
	capsule: &Capsule,
) -> Result<DataKey, CapsuleError> {
	open_with_secret(&identity.x25519_secret_bytes(), record_id, capsule)
}

/// Opens a capsule with a raw X25519 secret key.
pub fn open_with_secret(
	secret: &[u8; 32],
	record_id: &[u8],
	capsule: &Capsule,
) -> Result<DataKey, CapsuleError> {
	let plain =
		Zeroizing::new(open_raw(secret, &capsule.enc, &info(record_id), &capsule.ciphertext, b"")?);
	let key: [u8; 32] = plain.as_slice().try_into().map_err(|_| CapsuleError::OpenFailed)?;
	Ok(DataKey::from_bytes(key))
}

/// HPKE single-shot seal of any plaintext (base mode, this module's suite).
pub fn seal_raw(
	recipient: &[u8; 32],
	info: &[u8],
	plaintext: &[u8],
	aad: &[u8],
	rng: &mut impl hpke::rand_core::CryptoRng,
) -> Result<([u8; 32], Vec<u8>), CapsuleError> {
	let pk = <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(recipient)
		.map_err(|_| CapsuleError::InvalidPublicKey)?;
	let (enc, ct) =
		hpke::single_shot_seal_with_rng::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
			&OpModeS::Base,
			&pk,
			info,
			plaintext,
			aad,
			rng,
		)
		.map_err(|e| CapsuleError::Hpke(e.to_string()))?;
	let enc: [u8; 32] = enc.to_bytes().as_slice().try_into().expect("X25519 enc is 32 bytes");
	Ok((enc, ct))
}

/// HPKE single-shot open of any ciphertext (base mode, this module's suite).
pub fn open_raw(
	secret: &[u8; 32],
	enc: &[u8; 32],
	info: &[u8],
	ciphertext: &[u8],
	aad: &[u8],
) -> Result<Vec<u8>, CapsuleError> {
	let sk = <X25519HkdfSha256 as Kem>::PrivateKey::from_bytes(secret)
		.map_err(|e| CapsuleError::Hpke(e.to_string()))?;
	let enc = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(enc)
		.map_err(|_| CapsuleError::OpenFailed)?;
	hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
		&OpModeR::Base,
		&sk,
		&enc,
		info,
		ciphertext,
		aad,
	)
	.map_err(|_| CapsuleError::OpenFailed)
}

/// The operating system's generator in the `rand_core` version the HPKE crate uses.
struct SysRng;

impl hpke::rand_core::TryRng for SysRng {
	type Error = getrandom::Error;
	fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
		let mut b = [0u8; 4];
		getrandom::fill(&mut b)?;
		Ok(u32::from_le_bytes(b))
	}
	fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
		let mut b = [0u8; 8];
		getrandom::fill(&mut b)?;
		Ok(u64::from_le_bytes(b))
	}
	fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
		getrandom::fill(dst)
	}
}

impl hpke::rand_core::TryCryptoRng for SysRng {}

#[cfg(test)]
mod tests {
	use super::*;

	fn h(s: &str) -> Vec<u8> {
		hex::decode(s).unwrap()
	}

	/// Yields fixed bytes: the RFC's ikmE, so the ephemeral key is the RFC's.
	struct FixedRng(Vec<u8>);
	impl hpke::rand_core::TryRng for FixedRng {
		type Error = core::convert::Infallible;
		fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
			unreachable!()
		}
		fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
			unreachable!()
		}
		fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
			let rest = self.0.split_off(dst.len());
			dst.copy_from_slice(&self.0);
			self.0 = rest;
			Ok(())
		}
	}
	impl hpke::rand_core::TryCryptoRng for FixedRng {}

	/// RFC 9180 Appendix A.2.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305,
	/// base mode; the values are copied from the RFC text.
	#[test]
	fn rfc9180_a_2_1_base_vector() {
		let info = h("4f6465206f6e2061204772656369616e2055726e");
		let ikm_e = h("909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b");
		let ikm_r = h("1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df");
		let pk_rm = h("4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a");
		let sk_rm = h("8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb");
		let enc = h("1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a");
		let pt = h("4265617574792069732074727574682c20747275746820626561757479");
		let aad = h("436f756e742d30");
		let ct = h("1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28");

		let (sk, pk) = X25519HkdfSha256::derive_keypair(&ikm_r);
		assert_eq!(pk.to_bytes().as_slice(), &pk_rm[..]);
		// The RFC prints DeriveKeyPair's output; the crate serializes it clamped (RFC 7748).
		let mut clamped = sk_rm.clone();
		clamped[0] &= 248;
		clamped[31] = (clamped[31] & 127) | 64;
		assert_eq!(sk.to_bytes().as_slice(), &clamped[..]);

		let recipient: [u8; 32] = pk_rm.clone().try_into().unwrap();
		let (got_enc, got_ct) =
			seal_raw(&recipient, &info, &pt, &aad, &mut FixedRng(ikm_e)).unwrap();
		assert_eq!(&got_enc[..], &enc[..]);
		assert_eq!(got_ct, ct);

		let secret: [u8; 32] = sk_rm.try_into().unwrap();
		let enc: [u8; 32] = enc.try_into().unwrap();
		assert_eq!(open_raw(&secret, &enc, &info, &ct, &aad).unwrap(), pt);
	}

	#[test]
	fn capsule_round_trip_and_binding() {
		let alice = Identity::from_seed([1; 32]);
		let bob = Identity::from_seed([2; 32]);
		let dek = DataKey::generate();
		let c = seal(&alice.x25519_public(), b"rec-1", &dek).unwrap();
		let c = Capsule::from_bytes(&c.to_bytes()).unwrap();
		assert_eq!(open(&alice, b"rec-1", &c).unwrap(), dek);
		assert!(matches!(open(&alice, b"rec-2", &c), Err(CapsuleError::OpenFailed)));
		assert!(matches!(open(&bob, b"rec-1", &c), Err(CapsuleError::OpenFailed)));
		let mut bad = c.to_bytes();
		bad[40] ^= 1;
		let bad = Capsule::from_bytes(&bad).unwrap();
		assert!(matches!(open(&alice, b"rec-1", &bad), Err(CapsuleError::OpenFailed)));
		assert!(matches!(Capsule::from_bytes(&[0; 3]), Err(CapsuleError::BadLength(3))));
	}
}
