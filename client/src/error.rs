//! The crate-wide error type.

use crate::{
	audit::IndexError,
	chain::ChainError,
	crypto::{
		capsule::CapsuleError, custody::CustodyError, identity::IdentityError,
		payload::PayloadError, release::ReleaseError,
	},
	keystore::KeystoreError,
	read::ReadError,
	store::StoreError,
	upload::UploadError,
};

/// Any error of this crate: one variant per module, each with its precise cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
	/// Identity derivation or an address failed.
	#[error(transparent)]
	Identity(#[from] IdentityError),
	/// Payload encryption or decryption failed.
	#[error(transparent)]
	Payload(#[from] PayloadError),
	/// A patient capsule (HPKE) could not be sealed or opened.
	#[error(transparent)]
	Capsule(#[from] CapsuleError),
	/// A custody capsule, key share or share release failed.
	#[error(transparent)]
	Custody(#[from] CustodyError),
	/// A key share sealed to its requester could not be opened.
	#[error(transparent)]
	Release(#[from] ReleaseError),
	/// The keystore could not be read or written.
	#[error(transparent)]
	Keystore(#[from] KeystoreError),
	/// The payload store failed.
	#[error(transparent)]
	Store(#[from] StoreError),
	/// The chain refused a call, or the node could not be reached.
	#[error(transparent)]
	Chain(#[from] ChainError),
	/// A read through a grant failed.
	#[error(transparent)]
	Read(#[from] ReadError),
	/// The audit index could not be opened, filled or read.
	#[error(transparent)]
	Audit(#[from] IndexError),
	/// A file could not be sealed into a record.
	#[error(transparent)]
	Upload(#[from] UploadError),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
