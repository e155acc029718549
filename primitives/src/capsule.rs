//! The record label and the custody capsule's Schnorr proof of knowledge.
//!
//! A custody capsule is `E || c || z || sealed key` ([`CAPSULE_SIZE`] bytes): the ephemeral
//! point `E = r*G` (compressed Ristretto255), the proof `(c, z)` that its sealer knew `r`, and
//! the data key sealed under a key derived from `r*S`. The proof's challenge hashes the label
//! of the record the capsule is filed under (its on-chain fields), the custody group key `S`,
//! `E`, the proof's commitment `A = k*G` and the sealed key:
//!
//! `c = SHA-512("ehr/custody/pok/v2" || len(L) as u64 BE || L || S || E || A || sealed key)`
//! reduced mod the group order, `z = k + c*r`; a verifier recomputes `A = z*G - c*E`.
//!
//! Nobody without `r` can make a proof for another label, so a capsule copied into another
//! record, re-filed under another patient or content type, or modified, does not verify.

// Scalar and point arithmetic is modular: it cannot overflow.
#![allow(clippy::arithmetic_side_effects)]

pub use curve25519_dalek::Scalar;
use curve25519_dalek::{
	constants::RISTRETTO_BASEPOINT_POINT as G, ristretto::CompressedRistretto, traits::IsIdentity,
};
use sha2::{Digest, Sha512};

/// Domain separator of the capsule's proof of knowledge.
pub const POK_LABEL: &[u8] = b"ehr/custody/pok/v2";
/// Domain separator of a record label.
pub const RECORD_LABEL: &[u8] = b"ehr/record-label/v1";
/// Bytes of the sealed data key (32 bytes and a 16-byte tag).
pub const SEALED_KEY_SIZE: usize = 48;
/// Bytes of a custody capsule: `E (32) || c (32) || z (32) || sealed key (48)`.
pub const CAPSULE_SIZE: usize = 96 + SEALED_KEY_SIZE;

/// The on-chain fields of a record that its custody capsule is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordLabel<'a> {
	/// The patient's account id, as encoded on chain (32 bytes).
	pub patient: &'a [u8],
	/// The organisation that keeps the ciphertext.
	pub custodian_org: u32,
	/// The FHIR resource type.
	pub content_type: &'a [u8],
	/// BLAKE2b-256 of the ciphertext.
	pub ciphertext_hash: &'a [u8; 32],
	/// The ciphertext's size in bytes.
	pub size: u64,
	/// The ciphertext's CID, as on chain.
	pub cid: &'a [u8],
}

/// A length as the label encodes it (the fields are bounded far below 4 GiB on chain).
fn len32(field: &[u8]) -> [u8; 4] {
	u32::try_from(field.len()).unwrap_or(u32::MAX).to_be_bytes()
}

impl RecordLabel<'_> {
	/// `SHA-512("ehr/record-label/v1" || patient || org (u32 BE) || len || content type ||
	/// len || ciphertext hash || size (u64 BE) || len || CID)`, lengths as u32 BE: what a
	/// capsule of the record is sealed and proved for.
	pub fn digest(&self) -> [u8; 64] {
		let mut h = Sha512::new();
		h.update(RECORD_LABEL);
		h.update(self.patient);
		h.update(self.custodian_org.to_be_bytes());
		for field in [self.content_type, &self.ciphertext_hash[..]] {
			h.update(len32(field));
			h.update(field);
		}
		h.update(self.size.to_be_bytes());
		h.update(len32(self.cid));
		h.update(self.cid);
		h.finalize().into()
	}
}

/// The challenge of a capsule's proof of knowledge (see the module documentation).
pub fn challenge(
	label: &[u8],
	group_key: &[u8; 32],
	e: &[u8; 32],
	a: &[u8; 32],
	sealed_key: &[u8],
) -> Scalar {
	let mut h = Sha512::new();
	h.update(POK_LABEL);
	h.update(u64::try_from(label.len()).unwrap_or(u64::MAX).to_be_bytes());
	h.update(label);
	for p in [group_key, e, a] {
		h.update(p);
	}
	h.update(sealed_key);
	let wide: [u8; 64] = h.finalize().into();
	Scalar::from_bytes_mod_order_wide(&wide)
}

/// The capsule for ephemeral scalar `r`, proof nonce `k` and `sealed_key` under `group_key`
/// and `label` (the sealer draws `r` and `k` at random, and seals the key under `r*S`).
pub fn prove(
	group_key: &[u8; 32],
	label: &[u8],
	r: &Scalar,
	k: &Scalar,
	sealed_key: &[u8; SEALED_KEY_SIZE],
) -> [u8; CAPSULE_SIZE] {
	let e = (r * G).compress().to_bytes();
	let a = (k * G).compress().to_bytes();
	let c = challenge(label, group_key, &e, &a, sealed_key);
	let z = k + c * r;
	let mut out = [0u8; CAPSULE_SIZE];
	for (chunk, part) in out.chunks_mut(32).zip([&e, c.as_bytes(), z.as_bytes()]) {
		chunk.copy_from_slice(part);
	}
	if let Some(tail) = out.get_mut(96..) {
		tail.copy_from_slice(sealed_key);
	}
	out
}

/// Why a custody capsule is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapsuleProblem {
	/// The capsule is not [`CAPSULE_SIZE`] bytes.
	Length,
	/// `E` is not the canonical encoding of a Ristretto255 point, or is the identity.
	Point,
	/// The proof does not verify for this label and group key: the capsule was made for
	/// another record, re-filed, or modified.
	Unbound,
}

/// The ephemeral point `E` of a capsule, if it is long enough to have one.
pub fn ephemeral_point(capsule: &[u8]) -> Option<[u8; 32]> {
	capsule.get(..32).and_then(|e| e.try_into().ok())
}

/// Checks that `capsule` was sealed to `group_key` for the record labelled `label` (its
/// [`RecordLabel::digest`]) by someone who knew its `r`.
pub fn verify(group_key: &[u8; 32], label: &[u8], capsule: &[u8]) -> Result<(), CapsuleProblem> {
	if capsule.len() != CAPSULE_SIZE {
		return Err(CapsuleProblem::Length);
	}
	let part = |from: usize| -> Result<[u8; 32], CapsuleProblem> {
		capsule.get(from..from + 32).and_then(|b| b.try_into().ok()).ok_or(CapsuleProblem::Length)
	};
	let (e_bytes, c, z) = (part(0)?, part(32)?, part(64)?);
	let sealed_key = capsule.get(96..).ok_or(CapsuleProblem::Length)?;
	let e = CompressedRistretto(e_bytes).decompress().ok_or(CapsuleProblem::Point)?;
	if e.is_identity() {
		return Err(CapsuleProblem::Point);
	}
	let scalar = |b: [u8; 32]| -> Result<Scalar, CapsuleProblem> {
		Option::from(Scalar::from_canonical_bytes(b)).ok_or(CapsuleProblem::Unbound)
	};
	let (c, z) = (scalar(c)?, scalar(z)?);
	let a = (z * G - c * e).compress().to_bytes();
	if challenge(label, group_key, &e_bytes, &a, sealed_key) != c {
		return Err(CapsuleProblem::Unbound);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
	use super::*;

	fn label(content_type: &[u8]) -> [u8; 64] {
		RecordLabel {
			patient: &[1; 32],
			custodian_org: 1,
			content_type,
			ciphertext_hash: &[2; 32],
			size: 100,
			cid: b"bafk",
		}
		.digest()
	}

	#[test]
	fn a_proof_verifies_only_for_its_label_key_and_bytes() {
		let s = (Scalar::from(7u8) * G).compress().to_bytes();
		let capsule =
			prove(&s, &label(b"Observation"), &Scalar::from(11u8), &Scalar::from(13u8), &[5; 48]);
		assert_eq!(verify(&s, &label(b"Observation"), &capsule), Ok(()));
		assert_eq!(verify(&s, &label(b"Condition"), &capsule), Err(CapsuleProblem::Unbound));
		let other = (Scalar::from(8u8) * G).compress().to_bytes();
		assert_eq!(verify(&other, &label(b"Observation"), &capsule), Err(CapsuleProblem::Unbound));
		for i in [0, 40, 70, 100, 143] {
			let mut mauled = capsule;
			mauled[i] ^= 1;
			assert_ne!(verify(&s, &label(b"Observation"), &mauled), Ok(()), "byte {i}");
		}
		assert_eq!(
			verify(&s, &label(b"Observation"), &capsule[..143]),
			Err(CapsuleProblem::Length)
		);
		let identity = prove(&s, &label(b"Observation"), &Scalar::ZERO, &Scalar::ONE, &[5; 48]);
		assert_eq!(verify(&s, &label(b"Observation"), &identity), Err(CapsuleProblem::Point));
	}

	/// The label digest pinned by a known answer computed independently (Python's
	/// `hashlib` over the documented layout): the client, which seals, and the chain, which
	/// verifies, must compute the same bytes; changing it changes the capsule format.
	#[test]
	fn label_digest_known_answer() {
		let expected = "f2fdcbf1cd7711752d60f2b96dd48cfd2328989c4e999189c50aa99277e0559a\
		                b77f50d6cc8a8ca2c20bd05bf1b95946fc8b57c58e34580e72b1e42928d62aef";
		let hex: String = label(b"Observation").iter().map(|b| format!("{b:02x}")).collect();
		assert_eq!(hex, expected);
	}
}
