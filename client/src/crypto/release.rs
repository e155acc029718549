//! Key shares in transit: a custodian's [`ShareRelease`] for an on-chain access request,
//! sealed to the request's reply key, which is what `Access::release_shares` carries.
//!
//! The reply key is a [`ReplyKey`] the requester makes for one request: the chain records its
//! public half with the request, and the requester forgets it after the read, so a key that
//! leaks later (a stolen wallet) opens no past release.
//!
//! The request context binds both layers to the request: the custodian's DLEQ proof is made
//! for it, and the HPKE `info` includes it, so a release cannot be replayed into another
//! request of the chain or opened by anyone but the requester. HPKE base mode does not say
//! who sealed a release: its authenticity comes from the DLEQ proof against the custodian's
//! verification key, checked by [`super::custody::combine`] (and on chain, only the
//! custodian's account can submit it).
//!
//! ```
//! use ehr_client::crypto::{custody, release, DataKey};
//! let dealing = custody::deal(1, 1)?;
//! let reply = release::ReplyKey::generate();
//! let dek = DataKey::generate();
//! let capsule = custody::seal(&dealing.group_key, b"record-1", &dek)?;
//!
//! // The custodian, for request 7 of the doctor:
//! let context = release::request_context(7);
//! let share =
//!     custody::release_share(&dealing.shares[0], &dealing.group_key, b"record-1", &capsule, &context)?;
//! let sealed = release::seal(&share, &reply.public(), &context)?;
//!
//! // The doctor, reading the request's shares from the chain:
//! let share = release::open(&reply, &context, &sealed)?;
//! let got = custody::combine(
//!     &dealing.group_key,
//!     &dealing.verification_keys,
//!     1,
//!     b"record-1",
//!     &capsule,
//!     &context,
//!     &[share],
//! )?;
//! assert_eq!(got, dek);
//! # Ok::<(), ehr_client::Error>(())
//! ```

use zeroize::Zeroizing;

use super::{
	capsule::{self, CapsuleError},
	custody::{CustodyError, ShareRelease, SHARE_RELEASE_SIZE},
};

/// The X25519 key of one access request. Zeroized on drop; `Debug` shows the public half.
pub struct ReplyKey {
	secret: x25519_dalek::StaticSecret,
	public: [u8; 32],
}

impl ReplyKey {
	/// A fresh random key.
	pub fn generate() -> Self {
		let secret = x25519_dalek::StaticSecret::from(super::random_array::<32>());
		let public = x25519_dalek::PublicKey::from(&secret).to_bytes();
		Self { secret, public }
	}

	/// The public half, sent with the request.
	pub fn public(&self) -> [u8; 32] {
		self.public
	}
}

impl core::fmt::Debug for ReplyKey {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		write!(f, "ReplyKey({})", hex::encode(self.public))
	}
}

/// Prefix of the request context; the request id (u64, little endian) follows.
pub const REQUEST_CONTEXT_LABEL: &[u8] = b"ehr/request/v1 ";
/// Prefix of the HPKE `info` of a sealed release; the request context follows.
pub const INFO_LABEL: &[u8] = b"ehr/release/v1 ";
/// Bytes of a sealed release: 32 (encapsulated key) + the release + 16 (tag).
pub const SEALED_RELEASE_SIZE: usize = 32 + SHARE_RELEASE_SIZE + 16;

/// Why a sealed release could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReleaseError {
	/// The HPKE layer failed: not for this requester or this request, or modified.
	#[error("sealed share release: {0}")]
	Sealed(#[from] CapsuleError),
	/// The opened bytes are not a share release.
	#[error("sealed share release: {0}")]
	Share(#[from] CustodyError),
}

/// The context of on-chain access request `request`.
pub fn request_context(request: u64) -> Vec<u8> {
	[REQUEST_CONTEXT_LABEL, &request.to_le_bytes()].concat()
}

fn info(context: &[u8]) -> Vec<u8> {
	[INFO_LABEL, context].concat()
}

/// Seals a custodian's release to the request's reply key (the key the chain recorded with
/// the request).
pub fn seal(
	release: &ShareRelease,
	requester: &[u8; 32],
	context: &[u8],
) -> Result<Vec<u8>, ReleaseError> {
	let plain = Zeroizing::new(release.to_bytes());
	Ok(capsule::seal_message(requester, &info(context), &plain[..])?)
}

/// Opens a sealed release with the request's reply key. The DLEQ proof is checked later,
/// by [`super::custody::verify_release`] or [`super::custody::combine`].
pub fn open(reply: &ReplyKey, context: &[u8], sealed: &[u8]) -> Result<ShareRelease, ReleaseError> {
	let bytes = capsule::open_message_with(&reply.secret, &reply.public, &info(context), sealed)?;
	Ok(ShareRelease::from_bytes(&bytes)?)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::crypto::custody;

	#[test]
	fn a_release_opens_only_for_its_requester_and_request() {
		let dealing = custody::deal(2, 3).unwrap();
		let doctor = ReplyKey::generate();
		let other = ReplyKey::generate();
		let capsule =
			custody::seal(&dealing.group_key, b"r", &crate::crypto::DataKey::generate()).unwrap();
		let context = request_context(7);
		let share = custody::release_share(
			&dealing.shares[1],
			&dealing.group_key,
			b"r",
			&capsule,
			&context,
		)
		.unwrap();
		let sealed = seal(&share, &doctor.public(), &context).unwrap();
		assert_eq!(sealed.len(), SEALED_RELEASE_SIZE);
		assert_eq!(open(&doctor, &context, &sealed).unwrap(), share);

		let wrong = [open(&other, &context, &sealed), open(&doctor, &request_context(8), &sealed)];
		for result in wrong {
			assert!(
				matches!(result, Err(ReleaseError::Sealed(CapsuleError::OpenFailed))),
				"{result:?}"
			);
		}
		for at in [0, 31, 32, SEALED_RELEASE_SIZE - 1] {
			let mut flipped = sealed.clone();
			flipped[at] ^= 1;
			let result = open(&doctor, &context, &flipped);
			assert!(matches!(result, Err(ReleaseError::Sealed(CapsuleError::OpenFailed))), "{at}");
		}
		for len in [0, 31, 47] {
			let result = open(&doctor, &context, &sealed[..len]);
			assert!(
				matches!(result, Err(ReleaseError::Sealed(CapsuleError::TooShort(l))) if l == len)
			);
		}
		// A patient capsule to the same key does not open as a release.
		let dek = crate::crypto::DataKey::generate();
		let capsule = capsule::seal(&doctor.public(), &context, &dek).unwrap();
		let result = open(&doctor, &context, &capsule.to_bytes());
		assert!(matches!(result, Err(ReleaseError::Sealed(CapsuleError::OpenFailed))));
		let short = capsule::seal_message(&doctor.public(), &info(&context), b"x").unwrap();
		assert!(matches!(
			open(&doctor, &context, &short),
			Err(ReleaseError::Share(CustodyError::BadLength { got: 1, .. }))
		));
	}
}
