//! Client-side cryptography: identities, payload encryption, key capsules, threshold custody.
//!
//! Nothing secret leaves the client: payloads are encrypted under a fresh data key
//! ([`DataKey`]) per record version, and the data key travels only inside capsules.

pub mod capsule;
pub mod custody;
pub mod identity;
pub mod payload;
pub mod release;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A 256-bit data encryption key (DEK): one per record version. Zeroized on drop; its
/// `Debug` output never shows the key.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct DataKey([u8; 32]);

impl DataKey {
	/// A fresh random key from the operating system's generator.
	pub fn generate() -> Self {
		Self(random_array())
	}

	/// Wraps existing key bytes (e.g. just unwrapped from a capsule).
	pub fn from_bytes(bytes: [u8; 32]) -> Self {
		Self(bytes)
	}

	/// The key bytes. Handle with care: copies are not zeroized.
	pub fn as_bytes(&self) -> &[u8; 32] {
		&self.0
	}
}

impl core::fmt::Debug for DataKey {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str("DataKey(<redacted>)")
	}
}

/// `N` random bytes from the operating system. Panics only if the OS has no randomness at
/// all, which no supported platform does.
pub(crate) fn random_array<const N: usize>() -> [u8; N] {
	let mut out = [0u8; N];
	getrandom::fill(&mut out).expect("the operating system's random generator failed");
	out
}

/// Bytes of the per-thread pool behind [`nonce_array`].
const NONCE_POOL: usize = 256;

std::thread_local! {
	/// Random bytes not handed out yet, and how many of the pool's bytes are used.
	static POOL: core::cell::RefCell<(zeroize::Zeroizing<[u8; NONCE_POOL]>, usize)> =
		core::cell::RefCell::new((zeroize::Zeroizing::new([0; NONCE_POOL]), NONCE_POOL));
}

/// `N` random bytes for a nonce, from a per-thread pool that the operating system's generator
/// refills 256 bytes at a time: a small payload would otherwise spend a tenth of its time in
/// the system call for its 7-byte nonce prefix. Bytes handed out are erased from the pool.
/// A forked child may hand out the bytes its parent still held; nonces only need to be unique
/// per key, and every payload has its own. Keys come from [`random_array`].
pub(crate) fn nonce_array<const N: usize>() -> [u8; N] {
	const { assert!(N <= NONCE_POOL) };
	POOL.with_borrow_mut(|(pool, used)| {
		if NONCE_POOL - *used < N {
			getrandom::fill(&mut pool[..]).expect("the operating system's random generator failed");
			*used = 0;
		}
		let mut out = [0u8; N];
		let taken = &mut pool[*used..*used + N];
		out.copy_from_slice(taken);
		taken.fill(0);
		*used += N;
		out
	})
}

#[cfg(test)]
mod tests {
	#[test]
	fn nonces_do_not_repeat_across_pool_refills() {
		let nonces: Vec<[u8; 7]> = (0..200).map(|_| super::nonce_array()).collect();
		let mut sorted = nonces.clone();
		sorted.sort();
		sorted.dedup();
		assert_eq!(sorted.len(), nonces.len());
		assert!(nonces.iter().all(|n| n != &[0; 7]));
	}
}
