//! Custody capsules and threshold key release over Ristretto255.
//!
//! The consortium's custody key is a scalar `s`, shared t-of-n among custodians with Shamir's
//! scheme (share `s_i = f(i)`, verification key `S_i = s_i*G`, group key `S = s*G`).
//!
//! - [`seal`]: the client wraps a data key to `S` with an ElGamal KEM: `E = r*G`,
//!   `K = HKDF-SHA256(salt = "ehr/custody/v2", ikm = r*S, info = E || S || label)`, and
//!   ChaCha20-Poly1305 under `K` seals the key (the label is the associated data). The capsule
//!   carries a Schnorr proof of knowledge of `r` whose challenge binds the label, `S`, `E` and
//!   the sealed key: the label is the digest of the record's on-chain fields
//!   ([`RecordLabel`]), so the capsule is bound to its record.
//! - [`release_share`]: a custodian first checks the capsule's proof against the label of the
//!   record that the request names ([`CustodyError::UnboundCapsule`] otherwise: a capsule
//!   copied into another record, re-filed under another patient or content type, or modified),
//!   then answers with `P_i = s_i*E` and a Chaum-Pedersen proof that `log_G S_i == log_E P_i`
//!   (Fiat-Shamir over a SHA-512 transcript that also binds the custodian index and the
//!   request context).
//! - [`combine`]: the requester checks the capsule and verifies the releases, interpolates
//!   `s*E = sum(l_i * P_i)` with Lagrange coefficients at 0, derives `K` and unwraps the key.
//!
//! Without the proof, anyone could copy a capsule's `E` into a record of his own, get it
//! multiplied by the custodians under his own grant, and read another patient's data key.
//! Labelled ElGamal with a Schnorr proof of knowledge of `r` (Schnorr-signed ElGamal, the
//! structure of Shoup and Gennaro's TDH1) closes it: its security against chosen-ciphertext
//! attacks holds in the random-oracle model together with the generic (or algebraic) group
//! model.
//!
//! ```
//! use ehr_client::crypto::{custody, DataKey};
//! let dealing = custody::deal(3, 5)?; // a test dealer; production uses a ceremony or DKG
//! let dek = DataKey::generate();
//! let capsule = custody::seal(&dealing.group_key, b"record-1", &dek)?;
//! let releases: Vec<_> = dealing.shares[1..4]
//!     .iter()
//!     .map(|share| {
//!         custody::release_share(share, &dealing.group_key, b"record-1", &capsule, b"request-9")
//!     })
//!     .collect::<Result<_, _>>()?;
//! // The same capsule filed under another record gets no share.
//! let lifted = custody::release_share(
//!     &dealing.shares[0], &dealing.group_key, b"record-2", &capsule, b"request-10");
//! assert!(matches!(lifted, Err(custody::CustodyError::UnboundCapsule)));
//! let got = custody::combine(
//!     &dealing.group_key,
//!     &dealing.verification_keys,
//!     3,
//!     b"record-1",
//!     &capsule,
//!     b"request-9",
//!     &releases,
//! )?;
//! assert_eq!(got, dek);
//! # Ok::<(), ehr_client::Error>(())
//! ```

use chacha20poly1305::{
	aead::{Aead, KeyInit, Payload},
	ChaCha20Poly1305,
};
use curve25519_dalek::{
	constants::RISTRETTO_BASEPOINT_POINT as G, ristretto::CompressedRistretto, RistrettoPoint,
	Scalar,
};
use hkdf::Hkdf;
use sha2::{Digest, Sha256, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::DataKey;

/// Salt of the key derivation from the shared point.
pub const KDF_SALT: &[u8] = b"ehr/custody/v2";
/// Domain separator of the DLEQ transcript.
pub const DLEQ_LABEL: &[u8] = b"ehr/custody/dleq/v1";
pub use ehr_primitives::capsule::{RecordLabel, POK_LABEL, RECORD_LABEL};

/// Why custody sealing, a share release or the combination failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CustodyError {
	/// Bytes that should be a Ristretto255 point are not one.
	#[error("{0} is not a valid Ristretto255 point")]
	InvalidPoint(&'static str),
	/// A threshold outside 1..=n, or n above 65535.
	#[error("invalid threshold {threshold} of {custodians} custodians")]
	BadThreshold {
		/// t
		threshold: usize,
		/// n
		custodians: usize,
	},
	/// Custodian indices start at 1.
	#[error("custodian index 0 is invalid (indices start at 1)")]
	ZeroIndex,
	/// Two releases carry the same custodian index.
	#[error("duplicate share release from custodian {0}")]
	DuplicateIndex(u32),
	/// A release comes from an index without a known verification key.
	#[error("share release from unknown custodian {0} (no verification key)")]
	UnknownCustodian(u32),
	/// A release's DLEQ proof does not verify.
	#[error("invalid DLEQ proof in the share release of custodian {0}")]
	InvalidProof(u32),
	/// Fewer releases than the threshold.
	#[error("{got} share release(s), but {threshold} are needed")]
	NotEnoughShares {
		/// Releases given.
		got: usize,
		/// Releases needed.
		threshold: usize,
	},
	/// The capsule's proof does not verify against the record it is used for: it was copied
	/// from another record, re-filed under another patient, organisation or content type, or
	/// modified. No share is released for it.
	#[error("the custody capsule is not bound to this record (copied, re-filed or modified)")]
	UnboundCapsule,
	/// The combined key does not open the capsule: the capsule is for another record or key,
	/// or was modified.
	#[error("custody capsule does not open (wrong record, wrong custody key or tampered)")]
	UnwrapFailed,
	/// Serialized data has the wrong length.
	#[error("{what} has {got} bytes, expected {expected}")]
	BadLength {
		/// What was parsed.
		what: &'static str,
		/// Its length.
		got: usize,
		/// The expected length.
		expected: usize,
	},
}

/// A data key wrapped to the consortium custody key, with the proof that binds it to one
/// record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustodyCapsule {
	/// `E = r*G`, compressed.
	pub e: [u8; 32],
	/// The Schnorr proof of knowledge of `r`: challenge `c` and response `z = k + c*r`.
	pub proof: DleqProof,
	/// The data key sealed under `K` (32 bytes + 16-byte tag).
	pub ciphertext: Vec<u8>,
}

/// Serialized size of a [`CustodyCapsule`]: `E || c || z || sealed key`.
pub const CUSTODY_CAPSULE_SIZE: usize = ehr_primitives::capsule::CAPSULE_SIZE;

impl CustodyCapsule {
	/// `E || c || z || ciphertext`, as stored on chain.
	pub fn to_bytes(&self) -> Vec<u8> {
		[&self.e[..], &self.proof.c, &self.proof.z, &self.ciphertext].concat()
	}

	/// Parses [`CustodyCapsule::to_bytes`] output.
	pub fn from_bytes(bytes: &[u8]) -> Result<Self, CustodyError> {
		if bytes.len() != CUSTODY_CAPSULE_SIZE {
			return Err(CustodyError::BadLength {
				what: "custody capsule",
				got: bytes.len(),
				expected: CUSTODY_CAPSULE_SIZE,
			});
		}
		let a = |r: core::ops::Range<usize>| -> [u8; 32] { bytes[r].try_into().expect("32") };
		Ok(Self {
			e: a(0..32),
			proof: DleqProof { c: a(32..64), z: a(64..96) },
			ciphertext: bytes[96..].to_vec(),
		})
	}
}

/// Checks that `capsule` was sealed to `group_key` for the record labelled `label` by
/// someone who knew its `r`: [`CustodyError::UnboundCapsule`] otherwise
/// ([`CustodyError::InvalidPoint`] if its `E` is not a point at all).
pub fn check_capsule(
	group_key: &[u8; 32],
	label: &[u8],
	capsule: &CustodyCapsule,
) -> Result<(), CustodyError> {
	use ehr_primitives::capsule::{verify, CapsuleProblem};
	verify(group_key, label, &capsule.to_bytes()).map_err(|p| match p {
		CapsuleProblem::Point => CustodyError::InvalidPoint("capsule point E"),
		CapsuleProblem::Length | CapsuleProblem::Unbound => CustodyError::UnboundCapsule,
	})
}

/// One custodian's secret share `s_i`. Zeroized on drop; `Debug` hides the secret.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyShare {
	/// The custodian index (1-based).
	pub index: u32,
	secret: Scalar,
}

impl KeyShare {
	/// A share from its index and 32-byte canonical scalar encoding.
	pub fn from_bytes(index: u32, secret: [u8; 32]) -> Option<Self> {
		Option::from(Scalar::from_canonical_bytes(secret)).map(|secret| Self { index, secret })
	}

	/// The secret scalar, for storing the share (handle with care).
	pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
		Zeroizing::new(self.secret.to_bytes())
	}

	/// The public verification key `S_i = s_i*G`.
	pub fn verification_key(&self) -> [u8; 32] {
		(self.secret * G).compress().to_bytes()
	}
}

impl core::fmt::Debug for KeyShare {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.debug_struct("KeyShare").field("index", &self.index).finish_non_exhaustive()
	}
}

/// The output of a dealer: the group key, each custodian's verification key and share.
pub struct Dealing {
	/// `S = s*G`.
	pub group_key: [u8; 32],
	/// `(i, S_i)` for i in 1..=n.
	pub verification_keys: Vec<(u32, [u8; 32])>,
	/// The secret shares, to hand to custodian i in private.
	pub shares: Vec<KeyShare>,
}

fn random_scalar() -> Scalar {
	let mut wide: [u8; 64] = super::random_array();
	let s = Scalar::from_bytes_mod_order_wide(&wide);
	wide.zeroize();
	s
}

fn decompress(bytes: &[u8; 32], what: &'static str) -> Result<RistrettoPoint, CustodyError> {
	CompressedRistretto(*bytes).decompress().ok_or(CustodyError::InvalidPoint(what))
}

/// A trusted dealer for tests and dev chains: a fresh random secret split `threshold`-of-`n`.
/// The dealer sees the secret; production key generation is a ceremony or a DKG.
pub fn deal(threshold: usize, n: usize) -> Result<Dealing, CustodyError> {
	deal_secret(&random_scalar(), threshold, n)
}

/// Splits a given secret scalar `threshold`-of-`n` with Shamir's scheme.
pub fn deal_secret(secret: &Scalar, threshold: usize, n: usize) -> Result<Dealing, CustodyError> {
	if threshold == 0 || threshold > n {
		return Err(CustodyError::BadThreshold { threshold, custodians: n });
	}
	let mut coefficients = vec![*secret];
	coefficients.extend((1..threshold).map(|_| random_scalar()));
	let dealing = deal_polynomial(&coefficients, n);
	coefficients.zeroize();
	dealing
}

/// The shares of the polynomial with `coefficients` (the secret first; as many as the
/// threshold) at `x = 1..=n`. Only for deterministic development keys and tests: a real
/// dealer draws the coefficients at random ([`deal_secret`]).
pub fn deal_polynomial(coefficients: &[Scalar], n: usize) -> Result<Dealing, CustodyError> {
	let threshold = coefficients.len();
	if threshold == 0 || threshold > n || n > u16::MAX as usize {
		return Err(CustodyError::BadThreshold { threshold, custodians: n });
	}
	let shares: Vec<KeyShare> = (1..=n as u32)
		.map(|i| {
			let x = Scalar::from(i as u64);
			// Horner's rule.
			let secret = coefficients.iter().rev().fold(Scalar::ZERO, |acc, c| acc * x + c);
			KeyShare { index: i, secret }
		})
		.collect();
	Ok(Dealing {
		group_key: (coefficients[0] * G).compress().to_bytes(),
		verification_keys: shares.iter().map(|s| (s.index, s.verification_key())).collect(),
		shares,
	})
}

fn derive_key(
	shared: &RistrettoPoint,
	e: &[u8; 32],
	group_key: &[u8; 32],
	label: &[u8],
) -> Zeroizing<[u8; 32]> {
	let ikm = Zeroizing::new(shared.compress().to_bytes());
	let info = [&e[..], &group_key[..], label].concat();
	let mut k = Zeroizing::new([0u8; 32]);
	Hkdf::<Sha256>::new(Some(KDF_SALT), &ikm[..])
		.expand(&info, &mut k[..])
		.expect("32 bytes is a valid HKDF output length");
	k
}

fn aead(key: &[u8; 32]) -> ChaCha20Poly1305 {
	ChaCha20Poly1305::new_from_slice(key).expect("32-byte key")
}

/// Wraps `dek` to the custody group key `S` for the record labelled `label` (the
/// [`RecordLabel::digest`] of its on-chain fields), with the proof that binds it there.
pub fn seal(
	group_key: &[u8; 32],
	label: &[u8],
	dek: &DataKey,
) -> Result<CustodyCapsule, CustodyError> {
	let s_point = decompress(group_key, "custody group key")?;
	let r = Zeroizing::new(random_scalar());
	let e = (*r * G).compress().to_bytes();
	let k = derive_key(&(*r * s_point), &e, group_key, label);
	// K is fresh for every capsule, so a fixed nonce is safe.
	let ciphertext = aead(&k)
		.encrypt(&[0u8; 12].into(), Payload { msg: dek.as_bytes(), aad: label })
		.expect("32-byte message");
	let nonce = Zeroizing::new(random_scalar());
	let a = (*nonce * G).compress().to_bytes();
	let c = ehr_primitives::capsule::challenge(label, group_key, &e, &a, &ciphertext);
	let z = *nonce + c * *r;
	Ok(CustodyCapsule { e, proof: DleqProof { c: c.to_bytes(), z: z.to_bytes() }, ciphertext })
}

fn unwrap_with_point(
	shared: &RistrettoPoint,
	group_key: &[u8; 32],
	label: &[u8],
	capsule: &CustodyCapsule,
) -> Result<DataKey, CustodyError> {
	let k = derive_key(shared, &capsule.e, group_key, label);
	let plain = Zeroizing::new(
		aead(&k)
			.decrypt(&[0u8; 12].into(), Payload { msg: &capsule.ciphertext, aad: label })
			.map_err(|_| CustodyError::UnwrapFailed)?,
	);
	let key: [u8; 32] = plain.as_slice().try_into().map_err(|_| CustodyError::UnwrapFailed)?;
	Ok(DataKey::from_bytes(key))
}

/// Unwraps with the whole custody secret (recovery, tests); normal reads use [`combine`].
pub fn open_with_secret(
	secret: &Scalar,
	label: &[u8],
	capsule: &CustodyCapsule,
) -> Result<DataKey, CustodyError> {
	let e = decompress(&capsule.e, "capsule point E")?;
	let group_key = (secret * G).compress().to_bytes();
	check_capsule(&group_key, label, capsule)?;
	unwrap_with_point(&(secret * e), &group_key, label, capsule)
}

/// A Fiat-Shamir proof (challenge `c`, response `z`): a Chaum-Pedersen proof that
/// `log_G S_i == log_E P_i` in a share release, a Schnorr proof of knowledge of `r` in a
/// capsule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DleqProof {
	/// Challenge scalar.
	pub c: [u8; 32],
	/// Response scalar `z = k + c*s_i`.
	pub z: [u8; 32],
}

/// A custodian's answer to one access request. `Debug` does not show the point: `t` of them
/// open the record's key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ShareRelease {
	/// The custodian index.
	pub index: u32,
	/// `P_i = s_i*E`, compressed.
	pub point: [u8; 32],
	/// The proof that `P_i` used the share behind `S_i`.
	pub proof: DleqProof,
}

/// Serialized size of a [`ShareRelease`].
pub const SHARE_RELEASE_SIZE: usize = 4 + 32 + 64;

impl core::fmt::Debug for ShareRelease {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.debug_struct("ShareRelease").field("index", &self.index).finish_non_exhaustive()
	}
}

impl ShareRelease {
	/// `index (u32 BE) || P_i || c || z`.
	pub fn to_bytes(&self) -> [u8; SHARE_RELEASE_SIZE] {
		let mut out = [0u8; SHARE_RELEASE_SIZE];
		out[..4].copy_from_slice(&self.index.to_be_bytes());
		out[4..36].copy_from_slice(&self.point);
		out[36..68].copy_from_slice(&self.proof.c);
		out[68..].copy_from_slice(&self.proof.z);
		out
	}

	/// Parses [`ShareRelease::to_bytes`] output.
	pub fn from_bytes(bytes: &[u8]) -> Result<Self, CustodyError> {
		if bytes.len() != SHARE_RELEASE_SIZE {
			return Err(CustodyError::BadLength {
				what: "share release",
				got: bytes.len(),
				expected: SHARE_RELEASE_SIZE,
			});
		}
		let a = |r: core::ops::Range<usize>| -> [u8; 32] { bytes[r].try_into().expect("32") };
		Ok(Self {
			index: u32::from_be_bytes(bytes[..4].try_into().expect("4")),
			point: a(4..36),
			proof: DleqProof { c: a(36..68), z: a(68..100) },
		})
	}
}

#[allow(clippy::too_many_arguments)]
fn challenge(
	index: u32,
	context: &[u8],
	s_i: &[u8; 32],
	e: &[u8; 32],
	p_i: &[u8; 32],
	a1: &[u8; 32],
	a2: &[u8; 32],
) -> Scalar {
	let mut h = Sha512::new();
	h.update(DLEQ_LABEL);
	h.update(index.to_be_bytes());
	h.update((context.len() as u64).to_be_bytes());
	h.update(context);
	h.update(G.compress().as_bytes());
	for p in [s_i, e, p_i, a1, a2] {
		h.update(p);
	}
	let wide: [u8; 64] = h.finalize().into();
	Scalar::from_bytes_mod_order_wide(&wide)
}

/// The custodian side: checks that `capsule` is bound to the record labelled `label` (the
/// record the request names, as on chain now), then computes `P_i = s_i*E` with a DLEQ
/// proof. `context` names the request (e.g. its on-chain id) and must be the same in
/// [`combine`].
pub fn release_share(
	share: &KeyShare,
	group_key: &[u8; 32],
	label: &[u8],
	capsule: &CustodyCapsule,
	context: &[u8],
) -> Result<ShareRelease, CustodyError> {
	if share.index == 0 {
		return Err(CustodyError::ZeroIndex);
	}
	check_capsule(group_key, label, capsule)?;
	let e = &capsule.e;
	let e_point = decompress(e, "capsule point E")?;
	let p_i = (share.secret * e_point).compress().to_bytes();
	let s_i = share.verification_key();
	let k = Zeroizing::new(random_scalar());
	let a1 = (*k * G).compress().to_bytes();
	let a2 = (*k * e_point).compress().to_bytes();
	let c = challenge(share.index, context, &s_i, e, &p_i, &a1, &a2);
	let z = *k + c * share.secret;
	Ok(ShareRelease {
		index: share.index,
		point: p_i,
		proof: DleqProof { c: c.to_bytes(), z: z.to_bytes() },
	})
}

/// Checks one release against the custodian's verification key `S_i`.
pub fn verify_release(
	verification_key: &[u8; 32],
	e: &[u8; 32],
	context: &[u8],
	release: &ShareRelease,
) -> Result<RistrettoPoint, CustodyError> {
	let bad = || CustodyError::InvalidProof(release.index);
	let s_i = decompress(verification_key, "verification key")?;
	let e_point = decompress(e, "capsule point E")?;
	let p_i = decompress(&release.point, "released share point").map_err(|_| bad())?;
	let c: Scalar = Option::from(Scalar::from_canonical_bytes(release.proof.c)).ok_or_else(bad)?;
	let z: Scalar = Option::from(Scalar::from_canonical_bytes(release.proof.z)).ok_or_else(bad)?;
	let a1 = (z * G - c * s_i).compress().to_bytes();
	let a2 = (z * e_point - c * p_i).compress().to_bytes();
	if challenge(release.index, context, verification_key, e, &release.point, &a1, &a2) != c {
		return Err(bad());
	}
	Ok(p_i)
}

/// Lagrange coefficient at 0 of index `i` over `indices`.
fn lagrange_at_zero(i: u32, indices: &[u32]) -> Scalar {
	let xi = Scalar::from(i as u64);
	let (num, den) =
		indices.iter().filter(|&&j| j != i).fold((Scalar::ONE, Scalar::ONE), |(num, den), &j| {
			let xj = Scalar::from(j as u64);
			(num * xj, den * (xj - xi))
		});
	num * den.invert()
}

/// The requester side: checks the capsule against the record labelled `label`, verifies the
/// releases (all of them: a bad proof or a repeated index is an error, not skipped), combines
/// the first `threshold` into `s*E` and unwraps the key.
pub fn combine(
	group_key: &[u8; 32],
	verification_keys: &[(u32, [u8; 32])],
	threshold: usize,
	label: &[u8],
	capsule: &CustodyCapsule,
	context: &[u8],
	releases: &[ShareRelease],
) -> Result<DataKey, CustodyError> {
	if threshold == 0 {
		return Err(CustodyError::BadThreshold { threshold, custodians: verification_keys.len() });
	}
	check_capsule(group_key, label, capsule)?;
	let mut seen = Vec::with_capacity(releases.len());
	let mut points = Vec::with_capacity(releases.len());
	for release in releases {
		if release.index == 0 {
			return Err(CustodyError::ZeroIndex);
		}
		if seen.contains(&release.index) {
			return Err(CustodyError::DuplicateIndex(release.index));
		}
		seen.push(release.index);
		let vk = verification_keys
			.iter()
			.find(|(i, _)| *i == release.index)
			.map(|(_, vk)| vk)
			.ok_or(CustodyError::UnknownCustodian(release.index))?;
		points.push(verify_release(vk, &capsule.e, context, release)?);
	}
	if releases.len() < threshold {
		return Err(CustodyError::NotEnoughShares { got: releases.len(), threshold });
	}
	let used = &seen[..threshold];
	let shared: RistrettoPoint =
		used.iter().zip(&points).map(|(&i, p)| lagrange_at_zero(i, used) * p).sum();
	unwrap_with_point(&shared, group_key, label, capsule)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn setup() -> (Dealing, DataKey, CustodyCapsule) {
		let d = deal(3, 5).unwrap();
		let dek = DataKey::generate();
		let c = seal(&d.group_key, b"rec", &dek).unwrap();
		(d, dek, c)
	}

	fn releases(d: &Dealing, c: &CustodyCapsule, idx: &[usize]) -> Vec<ShareRelease> {
		idx.iter()
			.map(|&i| release_share(&d.shares[i], &d.group_key, b"rec", c, b"req").unwrap())
			.collect()
	}

	#[test]
	fn any_three_of_five_unwrap() {
		let (d, dek, c) = setup();
		for set in [[0, 1, 2], [0, 2, 4], [4, 3, 1], [1, 2, 3]] {
			let r = releases(&d, &c, &set);
			let got =
				combine(&d.group_key, &d.verification_keys, 3, b"rec", &c, b"req", &r).unwrap();
			assert_eq!(got, dek);
		}
		// More than t releases: the first t are used.
		let r = releases(&d, &c, &[0, 1, 2, 3, 4]);
		assert_eq!(
			combine(&d.group_key, &d.verification_keys, 3, b"rec", &c, b"req", &r).unwrap(),
			dek
		);
		let c2 = CustodyCapsule::from_bytes(&c.to_bytes()).unwrap();
		assert_eq!(c2, c);
		let r2 = ShareRelease::from_bytes(&r[0].to_bytes()).unwrap();
		assert_eq!(r2, r[0]);
	}

	#[test]
	fn whole_secret_opens_and_wrong_record_fails() {
		let secret = random_scalar();
		let d = deal_secret(&secret, 2, 3).unwrap();
		let dek = DataKey::generate();
		let c = seal(&d.group_key, b"rec", &dek).unwrap();
		assert_eq!(open_with_secret(&secret, b"rec", &c).unwrap(), dek);
		assert!(matches!(
			open_with_secret(&secret, b"other", &c),
			Err(CustodyError::UnboundCapsule)
		));
	}

	/// What a registered member who wants another patient's key would try: file the victim's
	/// capsule (or a mauled copy of it) under a record of his own, and have it multiplied by
	/// the custodians under his own grant. None of it gets a share.
	#[test]
	fn a_capsule_lifted_to_another_record_or_mauled_gets_no_share() {
		let (d, _, c) = setup();
		let share = &d.shares[0];
		let release = |label: &[u8], capsule: &CustodyCapsule| {
			release_share(share, &d.group_key, label, capsule, b"req")
		};
		assert!(release(b"rec", &c).is_ok());
		assert!(matches!(release(b"another record", &c), Err(CustodyError::UnboundCapsule)));
		let mut mauled = c.clone();
		mauled.ciphertext[0] ^= 1;
		assert!(matches!(release(b"rec", &mauled), Err(CustodyError::UnboundCapsule)));
		let mut mauled = c.clone();
		mauled.proof.z[0] ^= 1;
		assert!(matches!(release(b"rec", &mauled), Err(CustodyError::UnboundCapsule)));
		let mut mauled = c.clone();
		mauled.proof.c[3] ^= 1;
		assert!(matches!(release(b"rec", &mauled), Err(CustodyError::UnboundCapsule)));
		// E re-randomised (E + G, or -E): the proof is for the old point.
		let e = CompressedRistretto(c.e).decompress().unwrap();
		for related in [e + G, -e] {
			let mut mauled = c.clone();
			mauled.e = related.compress().to_bytes();
			assert!(matches!(release(b"rec", &mauled), Err(CustodyError::UnboundCapsule)));
		}
		// Bytes that are no point at all are named as such.
		let mut mauled = c.clone();
		mauled.e[0] ^= 1;
		assert!(matches!(release(b"rec", &mauled), Err(CustodyError::InvalidPoint(_))));
		// A proof made for the capsule's own label under another custody key does not carry.
		let other = deal(1, 1).unwrap();
		assert!(matches!(
			check_capsule(&other.group_key, b"rec", &c),
			Err(CustodyError::UnboundCapsule)
		));
		// The old format (E || sealed key, 80 bytes) is refused.
		let old = [&c.e[..], &c.ciphertext].concat();
		assert!(matches!(CustodyCapsule::from_bytes(&old), Err(CustodyError::BadLength { .. })));
	}

	#[test]
	fn record_labels_bind_every_field() {
		let base = RecordLabel {
			patient: &[1; 32],
			custodian_org: 1,
			content_type: b"Observation",
			ciphertext_hash: &[2; 32],
			size: 100,
			cid: b"bafk",
		};
		let variants = [
			RecordLabel { patient: &[3; 32], ..base },
			RecordLabel { custodian_org: 2, ..base },
			RecordLabel { content_type: b"Condition", ..base },
			RecordLabel { ciphertext_hash: &[4; 32], ..base },
			RecordLabel { size: 101, ..base },
			RecordLabel { cid: b"bafl", ..base },
			// Length prefixes: moving a byte between two variable fields changes the label.
			RecordLabel { content_type: b"Observationb", cid: b"afk", ..base },
		];
		for v in variants {
			assert_ne!(v.digest(), base.digest(), "{v:?}");
		}
		assert_eq!(base.digest(), base.digest());
	}

	#[test]
	fn too_few_shares_fail() {
		let (d, _, c) = setup();
		let r = releases(&d, &c, &[0, 1]);
		assert!(matches!(
			combine(&d.group_key, &d.verification_keys, 3, b"rec", &c, b"req", &r),
			Err(CustodyError::NotEnoughShares { got: 2, threshold: 3 })
		));
	}

	#[test]
	fn bad_proofs_are_rejected() {
		let (d, _, c) = setup();
		let good = releases(&d, &c, &[0, 1, 2]);
		// A wrong point with the honest proof.
		let mut r = good.clone();
		r[1].point = (Scalar::from(7u64) * G).compress().to_bytes();
		assert!(matches!(
			combine(&d.group_key, &d.verification_keys, 3, b"rec", &c, b"req", &r),
			Err(CustodyError::InvalidProof(2))
		));
		// A tampered response.
		let mut r = good.clone();
		r[2].proof.z[0] ^= 1;
		assert!(matches!(
			combine(&d.group_key, &d.verification_keys, 3, b"rec", &c, b"req", &r),
			Err(CustodyError::InvalidProof(3))
		));
		// A proof made for another request context.
		assert!(matches!(
			combine(&d.group_key, &d.verification_keys, 3, b"rec", &c, b"other-req", &good),
			Err(CustodyError::InvalidProof(1))
		));
		// A release claiming another custodian's index.
		let mut r = good.clone();
		r[0].index = 5;
		assert!(matches!(
			combine(&d.group_key, &d.verification_keys, 3, b"rec", &c, b"req", &r),
			Err(CustodyError::InvalidProof(5))
		));
	}

	#[test]
	fn duplicate_and_unknown_indices_are_rejected() {
		let (d, _, c) = setup();
		let r = releases(&d, &c, &[0, 1, 1]);
		assert!(matches!(
			combine(&d.group_key, &d.verification_keys, 3, b"rec", &c, b"req", &r),
			Err(CustodyError::DuplicateIndex(2))
		));
		let mut r = releases(&d, &c, &[0, 1, 2]);
		r[2].index = 9;
		assert!(matches!(
			combine(&d.group_key, &d.verification_keys, 3, b"rec", &c, b"req", &r),
			Err(CustodyError::UnknownCustodian(9))
		));
		assert!(matches!(deal(4, 3), Err(CustodyError::BadThreshold { .. })));
	}
}
