//! A record's replicas: the hospitals that pin its ciphertext. The read
//! (`read::fetch_and_decrypt`, streaming) takes the first copy that hashes to the on-chain
//! ciphertext hash; every replica that served no such copy (missing, damaged, or different
//! bytes) is named as a [`Failure`] with what it served, so that the reader can report it on
//! chain (`Records::report_tamper`), and is repaired from the good copy with [`copy`].
//!
//! ```
//! # async fn demo() -> Result<(), ehr_client::store::StoreError> {
//! use ehr_client::store::{embedded::EmbeddedStore, replicas, PayloadStore};
//! let (a, b) = (tempfile::tempdir()?, tempfile::tempdir()?);
//! let (hospital_a, hospital_b) = (EmbeddedStore::open(a.path())?, EmbeddedStore::open(b.path())?);
//! let cid = hospital_b.put(&mut &b"sealed record"[..]).await?; // only hospital B has it
//! assert_eq!(replicas::copy(&hospital_b, &hospital_a, &cid).await?, cid);
//! assert!(hospital_a.has(&cid).await?);
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```

use super::{Cid, PayloadStore, StoreError};

/// A replica: the provider name the chain knows it by, and its store.
pub type Replica<'a> = (&'a str, &'a dyn PayloadStore);

pub use crate::hash::blake2_256;

/// A replica that did not serve the record.
#[derive(Debug)]
pub struct Failure {
	/// The provider name.
	pub provider: String,
	/// What went wrong there.
	pub error: StoreError,
	/// Blake2b-256 of the bytes it served before the failure was seen (what a tamper report
	/// names as observed).
	pub observed_hash: [u8; 32],
	/// Whether the good copy was written back to it.
	pub repaired: bool,
	/// How many bytes it served.
	pub served: u64,
}

impl Failure {
	/// Whether this failure is evidence that the replica holds other bytes than the record
	/// (what a tamper report says), rather than that it was unavailable or stopped short: a
	/// stored block that does not hash to its CID, or a copy of the record's full `size` whose
	/// content does not match the CID.
	pub fn is_tamper_evidence(&self, size: u64) -> bool {
		match &self.error {
			StoreError::Corrupt { detail, .. } => {
				detail == super::unixfs::BAD_BLOCK || self.served == size
			}
			_ => false,
		}
	}
}

/// Copies `cid` from `from` to `to`, streaming (the whole DAG, re-chunked by `to` with the
/// default settings); returns the CID `to` stored it under, which is `cid` when both chunk
/// alike.
pub async fn copy(
	from: &dyn PayloadStore,
	to: &dyn PayloadStore,
	cid: &Cid,
) -> Result<Cid, StoreError> {
	let (mut writer, mut reader) = tokio::io::duplex(1 << 20);
	let source = async move {
		let copied = from.get(cid, &mut writer).await;
		drop(writer);
		copied
	};
	// Each side drops its end when it stops, so that a put that fails early ends the get (its
	// writes fail) instead of leaving it blocked on a full pipe.
	let sink = async move {
		let stored = to.put(&mut reader).await;
		drop(reader);
		stored
	};
	let (read, stored) = tokio::join!(source, sink);
	let stored = stored?;
	read?;
	Ok(stored)
}
