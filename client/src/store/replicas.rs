//! Reading a record's ciphertext from its replicas: the hospitals that pin it. The first copy
//! that hashes to the on-chain ciphertext hash is the answer; every replica that served no
//! such copy (missing, damaged, or different bytes) is named with what it served, so the
//! caller can report it on chain (`Records::report_tamper`), and is repaired from the good
//! copy.
//!
//! A copy is held in memory while it is checked, up to the record's on-chain size: a replica
//! that serves more is treated as serving different bytes.
//!
//! ```
//! # async fn demo() -> Result<(), ehr_client::store::StoreError> {
//! use ehr_client::store::{embedded::EmbeddedStore, replicas, PayloadStore};
//! let (a, b) = (tempfile::tempdir()?, tempfile::tempdir()?);
//! let (hospital_a, hospital_b) = (EmbeddedStore::open(a.path())?, EmbeddedStore::open(b.path())?);
//! let ciphertext = b"sealed record".to_vec();
//! let cid = hospital_b.put(&mut &ciphertext[..]).await?; // only hospital B has it
//! let hash = replicas::blake2_256(&ciphertext);
//! let found = replicas::fetch(
//!     &[("hospital-a", &hospital_a as &dyn PayloadStore), ("hospital-b", &hospital_b)],
//!     &cid,
//!     &hash,
//!     ciphertext.len() as u64,
//! )
//! .await?;
//! assert_eq!((found.ciphertext, found.from.as_str()), (ciphertext, "hospital-b"));
//! assert_eq!(found.failures[0].provider, "hospital-a");
//! assert!(found.failures[0].repaired && hospital_a.has(&cid).await?);
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```

use blake2::{digest::consts::U32, Blake2b, Digest};
use tokio::io::AsyncWrite;

use super::{Cid, PayloadStore, StoreError};

/// A replica: the provider name the chain knows it by, and its store.
pub type Replica<'a> = (&'a str, &'a dyn PayloadStore);

/// Blake2b-256, the hash the chain keeps of every ciphertext.
pub fn blake2_256(data: &[u8]) -> [u8; 32] {
	Blake2b::<U32>::digest(data).into()
}

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

/// The outcome of [`fetch`].
#[derive(Debug)]
pub struct Fetched {
	/// The ciphertext, matching the on-chain hash.
	pub ciphertext: Vec<u8>,
	/// The provider that served it.
	pub from: String,
	/// The replicas tried before it, in order.
	pub failures: Vec<Failure>,
}

/// Collects what a store writes, up to a limit.
struct Capped {
	bytes: Vec<u8>,
	limit: u64,
}

impl AsyncWrite for Capped {
	fn poll_write(
		mut self: std::pin::Pin<&mut Self>,
		_: &mut std::task::Context<'_>,
		buf: &[u8],
	) -> std::task::Poll<std::io::Result<usize>> {
		let room = self.limit.saturating_sub(self.bytes.len() as u64);
		if buf.len() as u64 > room {
			let error =
				std::io::Error::other(format!("more than the {} bytes expected", self.limit));
			return std::task::Poll::Ready(Err(error));
		}
		self.bytes.extend_from_slice(buf);
		std::task::Poll::Ready(Ok(buf.len()))
	}

	fn poll_flush(
		self: std::pin::Pin<&mut Self>,
		_: &mut std::task::Context<'_>,
	) -> std::task::Poll<std::io::Result<()>> {
		std::task::Poll::Ready(Ok(()))
	}

	fn poll_shutdown(
		self: std::pin::Pin<&mut Self>,
		_: &mut std::task::Context<'_>,
	) -> std::task::Poll<std::io::Result<()>> {
		std::task::Poll::Ready(Ok(()))
	}
}

/// Fetches `cid` from the first replica whose copy hashes to `expected_hash` (and is at most
/// `size` bytes), then writes that copy back to every replica tried before it. Errors only if
/// no replica has a good copy; the error names each replica and what went wrong there.
pub async fn fetch(
	replicas: &[Replica<'_>],
	cid: &Cid,
	expected_hash: &[u8; 32],
	size: u64,
) -> Result<Fetched, StoreError> {
	let mut failures: Vec<Failure> = Vec::new();
	for (provider, store) in replicas {
		let mut copy = Capped { bytes: Vec::new(), limit: size };
		let served = store.get(cid, &mut copy).await;
		let observed_hash = blake2_256(&copy.bytes);
		let error = match served {
			Ok(_) if observed_hash == *expected_hash => {
				// The failures are the replicas before this one, in order.
				for (failure, (_, failed)) in failures.iter_mut().zip(replicas) {
					let stored = failed.put(&mut &copy.bytes[..]).await;
					failure.repaired = matches!(stored, Ok(stored) if stored == *cid);
				}
				return Ok(Fetched {
					ciphertext: copy.bytes,
					from: provider.to_string(),
					failures,
				});
			}
			Ok(_) => StoreError::Corrupt {
				cid: *cid,
				detail: format!(
					"blake2-256 {} is not the on-chain hash",
					hex::encode(observed_hash)
				),
			},
			Err(error) => error,
		};
		failures.push(Failure {
			provider: provider.to_string(),
			error,
			observed_hash,
			repaired: false,
			served: copy.bytes.len() as u64,
		});
	}
	let detail = failures
		.iter()
		.map(|f| format!("{}: {}", f.provider, f.error))
		.collect::<Vec<_>>()
		.join("; ");
	Err(StoreError::NoGoodReplica { cid: *cid, detail })
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
