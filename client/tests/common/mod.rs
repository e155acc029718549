//! Test helpers shared by the integration tests.
#![allow(dead_code)]

pub mod ipfs;

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
	let mut x = seed | 1;
	let mut out = Vec::with_capacity(n + 8);
	while out.len() < n {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		out.extend_from_slice(&x.to_le_bytes());
	}
	out.truncate(n);
	out
}
