//! The check of a published X25519 public key.

use curve25519_dalek::montgomery::MontgomeryPoint;

/// Whether `key` is an X25519 public key a capsule can be sealed to: not of small order.
///
/// A small-order key (all zeros, the other low-order u-coordinates, or their non-canonical
/// encodings) makes every Diffie-Hellman output with it one of eight values known to anyone,
/// so whatever is sealed to it could be opened by anybody; `u = -1` has no Edwards form and
/// is refused too.
pub fn is_valid(key: &[u8; 32]) -> bool {
	MontgomeryPoint(*key).to_edwards(0).is_some_and(|p| !p.is_small_order())
}

#[cfg(test)]
mod tests {
	use super::*;
	use curve25519_dalek::constants::X25519_BASEPOINT;

	#[test]
	fn small_order_keys_are_refused() {
		let mut one = [0u8; 32];
		one[0] = 1;
		// p - 1 (u = -1) and the two points of order 8 (RFC 7748 section 6.1 mentions them;
		// the values are the ones libsodium's blocklist holds).
		let minus_one = {
			let mut k = [0xff; 32];
			k[0] = 0xec;
			k[31] = 0x7f;
			k
		};
		let order8_a =
			hex_literal("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
		let order8_b =
			hex_literal("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157");
		for bad in [[0u8; 32], one, minus_one, order8_a, order8_b] {
			assert!(!is_valid(&bad), "{bad:?} must be refused");
		}
		assert!(is_valid(&X25519_BASEPOINT.0));
		assert!(is_valid(&(X25519_BASEPOINT * curve25519_dalek::Scalar::from(7u8)).0));
	}

	fn hex_literal(s: &str) -> [u8; 32] {
		let mut out = [0u8; 32];
		for (i, b) in out.iter_mut().enumerate() {
			*b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
		}
		out
	}
}
