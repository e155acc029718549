//! The checks of a custody configuration's public keys: the group key `S` and the custodians'
//! verification keys `S_1..S_n` must be valid, non-identity Ristretto255 points, and the `S_i`
//! must lie on one polynomial of degree below the threshold whose value at zero is `S`
//! (checked by interpolation in the exponent: the first `t` keys interpolate to `S` at 0 and
//! to every other `S_j` at `j`), of degree exactly `t - 1` (the first `t - 1` keys must not
//! already give `S`), with no two custodians holding the same key. The dealer (or the DKG) is
//! trusted with the secret anyway; the check keeps a configuration from claiming a threshold
//! it does not have. A configuration that fails would let custodians release
//! shares that never combine into the key the records were sealed to, or hide that fewer
//! than `t` custodians suffice.
//!
//! Custodian index `i` (0-based, as on chain) holds the polynomial's value at `x = i + 1`.

// Scalar and point arithmetic is modular: it cannot overflow.
#![allow(clippy::arithmetic_side_effects)]

use alloc::vec::Vec;
use curve25519_dalek::{
	constants::RISTRETTO_BASEPOINT_POINT as G,
	ristretto::{CompressedRistretto, RistrettoPoint},
	scalar::Scalar,
	traits::{IsIdentity, VartimeMultiscalarMul},
};

/// Why a configuration's keys are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyProblem {
	/// A key is not the canonical encoding of a Ristretto255 point, or is the identity.
	InvalidPoint,
	/// The verification keys do not lie on one polynomial of degree below the threshold
	/// whose value at zero is the group key.
	Inconsistent,
}

fn point(bytes: &[u8; 32]) -> Result<RistrettoPoint, KeyProblem> {
	let p = CompressedRistretto(*bytes).decompress().ok_or(KeyProblem::InvalidPoint)?;
	if p.is_identity() {
		return Err(KeyProblem::InvalidPoint);
	}
	Ok(p)
}

/// The x coordinate of custodian index `i`.
fn x_of(i: usize) -> Scalar {
	Scalar::from(u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1))
}

/// The Lagrange coefficients at `at` of the points `xs`.
fn lagrange(xs: &[Scalar], at: Scalar) -> Vec<Scalar> {
	xs.iter()
		.enumerate()
		.map(|(i, xi)| {
			let (num, den) = xs
				.iter()
				.enumerate()
				.filter(|(j, _)| *j != i)
				.fold((Scalar::ONE, Scalar::ONE), |(num, den), (_, xj)| {
					(num * (at - xj), den * (xi - xj))
				});
			// The x coordinates are distinct and non-zero, so `den` is invertible.
			num * den.invert()
		})
		.collect()
}

/// Checks `group_key` and `verification_keys` (by custodian index) for a `threshold`-of-n
/// configuration; the caller has checked `1 <= threshold <= n`.
pub fn check_keys(
	group_key: &[u8; 32],
	verification_keys: &[[u8; 32]],
	threshold: usize,
) -> Result<(), KeyProblem> {
	let s = point(group_key)?;
	let keys = verification_keys.iter().map(point).collect::<Result<Vec<_>, _>>()?;
	let t = threshold.min(keys.len());
	let (base, rest) = keys.split_at(t);
	let xs: Vec<Scalar> = (0..t).map(x_of).collect();
	let at = |x: Scalar| RistrettoPoint::vartime_multiscalar_mul(lagrange(&xs, x), base);
	if at(Scalar::ZERO) != s {
		return Err(KeyProblem::Inconsistent);
	}
	// The polynomial must need all `t` points: if the first `t - 1` already give `S`, fewer
	// than `t` custodians can decrypt (e.g. every key equal to `S` claimed as 2-of-n).
	if let Some((_, fewer)) = base.split_last().filter(|(_, fewer)| !fewer.is_empty()) {
		let xs: Vec<Scalar> = (0..fewer.len()).map(x_of).collect();
		if RistrettoPoint::vartime_multiscalar_mul(lagrange(&xs, Scalar::ZERO), fewer) == s {
			return Err(KeyProblem::Inconsistent);
		}
	}
	if keys.iter().enumerate().any(|(i, k)| keys.iter().skip(i.saturating_add(1)).any(|o| o == k)) {
		return Err(KeyProblem::Inconsistent);
	}
	for (j, key) in rest.iter().enumerate() {
		if at(x_of(t.saturating_add(j))) != *key {
			return Err(KeyProblem::Inconsistent);
		}
	}
	Ok(())
}

/// The group key and the `n` verification keys of the polynomial with the given coefficients
/// (the secret first): what a dealer publishes. For tests, benchmarks and development chains;
/// it never sees a real share.
pub fn public_keys(coefficients: &[u64], n: usize) -> ([u8; 32], Vec<[u8; 32]>) {
	let coefficients: Vec<Scalar> = coefficients.iter().map(|c| Scalar::from(*c)).collect();
	let value = |x: Scalar| coefficients.iter().rev().fold(Scalar::ZERO, |acc, c| acc * x + c);
	let group = (value(Scalar::ZERO) * G).compress().to_bytes();
	let keys = (0..n).map(|i| (value(x_of(i)) * G).compress().to_bytes()).collect();
	(group, keys)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_dealers_keys_pass_and_any_change_fails() {
		let (s, keys) = public_keys(&[11, 22, 33], 5);
		assert_eq!(check_keys(&s, &keys, 3), Ok(()));
		// One key replaced by another custodian's: off the polynomial.
		let mut swapped = keys.clone();
		swapped.swap(3, 4);
		assert_eq!(check_keys(&s, &swapped, 3), Err(KeyProblem::Inconsistent));
		// Another group key for the same custodians.
		let (other, _) = public_keys(&[12, 22, 33], 5);
		assert_eq!(check_keys(&other, &keys, 3), Err(KeyProblem::Inconsistent));
		// A degree-2 polynomial claimed to be 2-of-5 (3 would be needed, not 2).
		assert_eq!(check_keys(&s, &keys, 2), Err(KeyProblem::Inconsistent));
		// Not points, or the identity.
		let mut bad = keys.clone();
		bad[1] = [0xff; 32];
		assert_eq!(check_keys(&s, &bad, 3), Err(KeyProblem::InvalidPoint));
		bad[1] = [0; 32];
		assert_eq!(check_keys(&s, &bad, 3), Err(KeyProblem::InvalidPoint));
		assert_eq!(check_keys(&[0; 32], &keys, 3), Err(KeyProblem::InvalidPoint));
		// A constant polynomial (every key equal to S) claimed as 2-of-3: one custodian alone
		// could decrypt. A degree-1 polynomial claimed as 3-of-3 likewise.
		let (c, constant) = public_keys(&[5], 3);
		assert_eq!(check_keys(&c, &constant, 2), Err(KeyProblem::Inconsistent));
		let (l, line) = public_keys(&[5, 6], 3);
		assert_eq!(check_keys(&l, &line, 3), Err(KeyProblem::Inconsistent));
		assert_eq!(check_keys(&l, &line, 2), Ok(()));
		// 1-of-1: S_1 = S.
		let (s1, k1) = public_keys(&[5], 1);
		assert_eq!(k1, vec![s1]);
		assert_eq!(check_keys(&s1, &k1, 1), Ok(()));
		// n-of-n: nothing left to cross-check but the value at zero.
		assert_eq!(check_keys(&s, &keys[..3], 3), Ok(()));
	}
}
