//! Fetch, verify and decrypt in one stream: the ciphertext flows from a replica through a
//! hashing tap into the decryptor, and the plaintext into the caller's [`Output`]; neither is
//! held in memory whole. A copy counts only if it hashes to the on-chain ciphertext hash (the
//! AEAD authenticates each chunk as it is written; the hash binds the whole to the chain), so
//! [`Output`] is emptied before each replica is tried and holds the record only on success.

use std::{
	pin::Pin,
	task::{Context, Poll},
};

use blake2::{digest::consts::U32, Blake2b, Digest};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::ReadError;
use crate::{
	crypto::{payload, DataKey},
	records::{self, RecordId},
	store::{
		replicas::{self, Failure, Replica},
		Cid, StoreError,
	},
};

/// Bytes in flight between the store and the decryptor.
const PIPE: usize = 256 * 1024;

/// Where a read writes the record. It is emptied before each replica is tried, so what a bad
/// copy wrote never mixes with the good one.
#[async_trait::async_trait]
pub trait Output: AsyncWrite + Unpin + Send {
	/// Empties it.
	async fn reset(&mut self) -> std::io::Result<()>;
}

#[async_trait::async_trait]
impl Output for Vec<u8> {
	async fn reset(&mut self) -> std::io::Result<()> {
		self.clear();
		Ok(())
	}
}

#[async_trait::async_trait]
impl Output for tokio::fs::File {
	async fn reset(&mut self) -> std::io::Result<()> {
		use tokio::io::AsyncSeekExt;
		self.set_len(0).await?;
		self.rewind().await?;
		Ok(())
	}
}

/// Where the good copy came from, and what the replicas before it served.
pub(super) struct Fetched {
	pub from: String,
	pub failures: Vec<Failure>,
	pub bytes: u64,
}

/// Hashes what a store serves (up to `limit` bytes) and passes it on; once the reader on the
/// other side is gone (the decryptor refused a chunk) it keeps hashing and drops the bytes, so
/// the hash is of the whole copy served.
struct Tap<W> {
	inner: W,
	hasher: Blake2b<U32>,
	written: u64,
	limit: u64,
	oversize: bool,
	downstream_failed: bool,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Tap<W> {
	fn poll_write(
		mut self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &[u8],
	) -> Poll<std::io::Result<usize>> {
		if self.written + buf.len() as u64 > self.limit {
			self.oversize = true;
			let limit = self.limit;
			return Poll::Ready(Err(std::io::Error::other(format!(
				"more than the {limit} bytes expected"
			))));
		}
		let n = if self.downstream_failed {
			buf.len()
		} else {
			match Pin::new(&mut self.inner).poll_write(cx, buf) {
				Poll::Pending => return Poll::Pending,
				Poll::Ready(Ok(n)) => n,
				Poll::Ready(Err(_)) => {
					self.downstream_failed = true;
					buf.len()
				}
			}
		};
		self.hasher.update(&buf[..n]);
		self.written += n as u64;
		Poll::Ready(Ok(n))
	}

	fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
		if self.downstream_failed {
			return Poll::Ready(Ok(()));
		}
		Pin::new(&mut self.inner).poll_flush(cx).map(|_| Ok(()))
	}

	fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
		if self.downstream_failed {
			return Poll::Ready(Ok(()));
		}
		Pin::new(&mut self.inner).poll_shutdown(cx).map(|_| Ok(()))
	}
}

/// Streams `rec`'s ciphertext from the first of `replicas` whose copy matches the on-chain
/// hash, decrypting it with `key` into `out`, then writes that copy back to every replica
/// tried before it.
pub(super) async fn fetch_and_decrypt(
	replicas: &[Replica<'_>],
	record: RecordId,
	rec: &records::Record,
	key: &DataKey,
	out: &mut dyn Output,
) -> Result<Fetched, ReadError> {
	let cid: Cid = std::str::from_utf8(&rec.cid.0)
		.ok()
		.and_then(|s| s.parse().ok())
		.ok_or(ReadError::BadCid { record })?;
	let mut failures: Vec<Failure> = Vec::new();
	for (provider, store) in replicas {
		out.reset().await.map_err(StoreError::from)?;
		let (pipe_in, pipe_out) = tokio::io::duplex(PIPE);
		let mut tap = Tap {
			inner: pipe_in,
			hasher: Blake2b::new(),
			written: 0,
			limit: rec.size,
			oversize: false,
			downstream_failed: false,
		};
		let serve = async {
			let served = store.get(&cid, &mut tap).await;
			let _ = tap.shutdown().await;
			served
		};
		let open = payload::decrypt_async(key, &rec.patient.0, pipe_out, &mut *out);
		let (served, opened) = tokio::join!(serve, open);
		let observed_hash: [u8; 32] = tap.hasher.finalize().into();
		let error = match (served, opened) {
			(Ok(_), opened) if observed_hash == rec.ciphertext_hash => {
				// The copy the chain names: if it does not decrypt, no replica will help.
				let bytes = match opened {
					Ok(bytes) => bytes,
					Err(e) => {
						out.reset().await.map_err(StoreError::from)?;
						return Err(e.into());
					}
				};
				out.flush().await.map_err(StoreError::from)?;
				repair(*store, replicas, &mut failures, &cid).await;
				return Ok(Fetched { from: provider.to_string(), failures, bytes });
			}
			// The store verified the bytes against the CID, yet they do not hash to the
			// record's ciphertext hash: the record's own fields disagree (its uploader's doing),
			// and every replica would serve the same.
			(Ok(_), _) => {
				out.reset().await.map_err(StoreError::from)?;
				return Err(ReadError::InconsistentRecord { record });
			}
			(Err(_), _) if tap.oversize => StoreError::Io(std::io::Error::other(format!(
				"it serves more than the record's {} bytes",
				rec.size
			))),
			(Err(error), _) => error,
		};
		failures.push(Failure {
			provider: provider.to_string(),
			error,
			observed_hash,
			repaired: false,
			served: tap.written,
		});
	}
	out.reset().await.map_err(StoreError::from)?;
	let detail = failures
		.iter()
		.map(|f| format!("{}: {}", f.provider, f.error))
		.collect::<Vec<_>>()
		.join("; ");
	Err(StoreError::NoGoodReplica { cid, detail }.into())
}

/// How long writing the good copy back to one failed replica may take.
const REPAIR_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Writes the good copy from `good` back to each replica that failed (the first
/// `failures.len()` of `replicas`), each within [`REPAIR_TIMEOUT`]; best effort.
async fn repair(
	good: &dyn crate::store::PayloadStore,
	replicas: &[Replica<'_>],
	failures: &mut [Failure],
	cid: &Cid,
) {
	for (failure, (_, failed)) in failures.iter_mut().zip(replicas) {
		let copied = tokio::time::timeout(REPAIR_TIMEOUT, replicas::copy(good, *failed, cid)).await;
		failure.repaired = matches!(copied, Ok(Ok(stored)) if stored == *cid);
	}
}
