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
