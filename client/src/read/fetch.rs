//! Fetch, verify and decrypt in one stream: the ciphertext flows from a replica through a
//! hashing tap into the decryptor, and the plaintext into the caller's [`Output`]; neither is
//! held in memory whole. A copy counts only if it hashes to the on-chain ciphertext hash (the
//! AEAD authenticates each chunk as it is written; the hash binds the whole to the chain), so
//! [`Output`] is emptied before each replica is tried and holds the record only on success.

use std::{
	pin::Pin,
	task::{Context, Poll},
};

use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::ReadError;
use crate::{
	crypto::{payload, DataKey},
	hash::HashingWriter,
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
	inner: HashingWriter<W>,
	limit: u64,
	oversize: bool,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Tap<W> {
	fn poll_write(
		mut self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &[u8],
	) -> Poll<std::io::Result<usize>> {
		if self.inner.written() + buf.len() as u64 > self.limit {
			self.oversize = true;
			let limit = self.limit;
			return Poll::Ready(Err(std::io::Error::other(format!(
				"more than the {limit} bytes expected"
			))));
		}
		Pin::new(&mut self.inner).poll_write(cx, buf)
	}

	fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
		Pin::new(&mut self.inner).poll_flush(cx)
	}

	fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
		Pin::new(&mut self.inner).poll_shutdown(cx)
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
		let mut tap =
			Tap { inner: HashingWriter::draining(pipe_in), limit: rec.size, oversize: false };
		let serve = async {
			let served = store.get(&cid, &mut tap).await;
			let _ = tap.shutdown().await;
			served
		};
		let open = payload::decrypt_async(key, &rec.patient.0, pipe_out, &mut *out);
		let (served, opened) = tokio::join!(serve, open);
		let oversize = tap.oversize;
		let (observed_hash, served_bytes) = tap.inner.finish().await.map_err(StoreError::from)?;
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
			(Err(_), _) if oversize => StoreError::Io(std::io::Error::other(format!(
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
			served: served_bytes,
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

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{
		chain::{
			account_of,
			runtime::generated::runtime_types::bounded_collections::bounded_vec::BoundedVec,
		},
		crypto::{capsule, identity::Identity},
		dev::dev_custody,
		store::{embedded::EmbeddedStore, PayloadStore},
		upload::{seal_into_store, NewRecord},
	};

	/// Flips a byte in the middle of the largest block file under `dir`: a 256 KiB leaf.
	fn tamper_a_leaf(dir: &std::path::Path) {
		let mut files: Vec<_> = walkdir(dir.join("blocks"));
		files.sort_by_key(|f| std::fs::metadata(f).unwrap().len());
		let leaf = files.last().unwrap();
		let mut bytes = std::fs::read(leaf).unwrap();
		let middle = bytes.len() / 2;
		bytes[middle] ^= 1;
		std::fs::write(leaf, bytes).unwrap();
	}

	fn walkdir(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
		let mut out = Vec::new();
		for entry in std::fs::read_dir(dir).unwrap() {
			let path = entry.unwrap().path();
			if path.is_dir() {
				out.extend(walkdir(path));
			} else {
				out.push(path);
			}
		}
		out
	}

	#[tokio::test]
	async fn a_tampered_replica_is_passed_over_repaired_and_named_with_what_it_served() {
		let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
		let a = EmbeddedStore::open(a_dir.path()).unwrap();
		let b = EmbeddedStore::open(b_dir.path()).unwrap();
		let patient = Identity::from_seed([5; 32]);
		let new = NewRecord {
			patient: account_of(&patient),
			patient_x25519: patient.x25519_public(),
			custody_key: dev_custody().unwrap().group_key,
			custodian_org: 1,
			content_type: "Observation",
		};
		let plaintext: Vec<u8> = (0..700_000u32).map(|i| (i % 249) as u8).collect();
		let sealed = seal_into_store(&a, &new, &plaintext[..]).await.unwrap();
		let cid: Cid = sealed.cid.parse().unwrap();
		assert_eq!(replicas::copy(&a, &b, &cid).await.unwrap(), cid);
		let capsule = capsule::Capsule::from_bytes(&sealed.patient_capsule).unwrap();
		let key = capsule::open(&patient, &sealed.ciphertext_hash, &capsule).unwrap();
		let mut rec = records::Record {
			id: 7,
			patient: sealed.patient,
			custodian_org: 1,
			cid: BoundedVec(sealed.cid.clone().into_bytes()),
			ciphertext_hash: sealed.ciphertext_hash,
			size: sealed.size,
			content_type: BoundedVec(b"Observation".to_vec()),
			created_at: 0,
			previous: None,
			patient_capsule: BoundedVec(sealed.patient_capsule.clone()),
			custody_capsule: BoundedVec(sealed.custody_capsule.clone()),
			registered_by: sealed.patient,
		};
		let both: [Replica; 2] = [("hospital-a", &a), ("hospital-b", &b)];

		tamper_a_leaf(a_dir.path());
		let mut out = Vec::new();
		let fetched = fetch_and_decrypt(&both, 7, &rec, &key, &mut out).await.unwrap();
		assert_eq!((out.as_slice(), fetched.from.as_str()), (&plaintext[..], "hospital-b"));
		let [failure] = &fetched.failures[..] else { panic!("{:?}", fetched.failures) };
		assert_eq!(failure.provider, "hospital-a");
		assert!(matches!(failure.error, StoreError::Corrupt { .. }), "{}", failure.error);
		// The store stopped at the bad block: a prefix was served, which is evidence enough.
		assert!(failure.served < rec.size && failure.is_tamper_evidence(rec.size));
		assert!(failure.repaired);
		let mut repaired = Vec::new();
		a.get(&cid, &mut repaired).await.unwrap();
		let good = replicas::blake2_256(&repaired);
		assert_eq!(good, rec.ciphertext_hash, "hospital A serves a good copy");

		// A copy longer than the record's on-chain size is refused, and leaves nothing behind.
		rec.size -= 1;
		let err = fetch_and_decrypt(&both[1..], 7, &rec, &key, &mut out).await.err().unwrap();
		assert!(err.to_string().contains(&format!("more than the record's {} bytes", rec.size)));
		assert!(out.is_empty());
		rec.size += 1;

		// No good copy anywhere: one error that names every replica.
		tamper_a_leaf(a_dir.path());
		tamper_a_leaf(b_dir.path());
		let err = fetch_and_decrypt(&both, 7, &rec, &key, &mut out).await.err().unwrap();
		let said = err.to_string();
		assert!(said.contains("hospital-a: ") && said.contains("hospital-b: "), "{said}");
		assert!(out.is_empty());
	}
}
