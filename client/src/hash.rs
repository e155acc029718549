//! Blake2b-256, the hash the chain keeps of every ciphertext, computed with SIMD where the CPU
//! has it (`blake2b_simd`: AVX2, else SSE4.1, else portable code). A stream of a large record
//! is hashed on a thread of its own beside the stream ([`HashingWriter`]), so that the hash
//! costs the read and the upload a copy rather than a pass on their own thread.

use std::{
	pin::Pin,
	task::{Context, Poll},
};

use tokio::{
	io::AsyncWrite,
	sync::{mpsc, oneshot},
};
use tokio_util::sync::PollSender;

/// Chunks the hashing thread may be behind the stream: at most this many times the stream's
/// write size (the stores write blocks of 256 KiB) is held in memory.
const QUEUE: usize = 8;

fn params() -> blake2b_simd::Params {
	let mut params = blake2b_simd::Params::new();
	params.hash_length(32);
	params
}

/// Blake2b-256 of `data`.
pub fn blake2_256(data: &[u8]) -> [u8; 32] {
	to_array(params().hash(data))
}

fn to_array(hash: blake2b_simd::Hash) -> [u8; 32] {
	let mut out = [0; 32];
	out.copy_from_slice(hash.as_bytes());
	out
}

/// A writer that passes everything on to `inner` and hashes and counts what `inner` took, on
/// a thread of its own that runs beside the writer's task.
pub(crate) struct HashingWriter<W> {
	inner: W,
	queue: PollSender<Vec<u8>>,
	hashed: oneshot::Receiver<[u8; 32]>,
	written: u64,
	/// Whether to go on hashing (and counting) what comes once `inner` failed, dropping it,
	/// so that the hash is of the whole stream the writer was given.
	drain: bool,
	inner_failed: bool,
}

fn stopped() -> std::io::Error {
	std::io::Error::other("the hashing thread has stopped")
}

impl<W: AsyncWrite + Unpin> HashingWriter<W> {
	/// A writer whose writes fail once `inner` failed. Starts the hashing thread.
	pub fn new(inner: W) -> Self {
		Self::start(inner, false)
	}

	/// A writer that, once `inner` failed, hashes and drops the rest of what it is given.
	pub fn draining(inner: W) -> Self {
		Self::start(inner, true)
	}

	fn start(inner: W, drain: bool) -> Self {
		let (tx, mut rx) = mpsc::channel::<Vec<u8>>(QUEUE);
		let (done, hashed) = oneshot::channel();
		// A thread of its own, not tokio's blocking pool: a stream holds it for its whole
		// life, and many slow streams must not starve the file reads the pool serves.
		let spawned = std::thread::Builder::new().name("ehr-hash".into()).spawn(move || {
			let mut state = params().to_state();
			while let Some(chunk) = rx.blocking_recv() {
				state.update(&chunk);
			}
			let _ = done.send(to_array(state.finalize()));
		});
		// Without a thread the result never comes: `finish` then reports it.
		drop(spawned);
		Self { inner, queue: PollSender::new(tx), hashed, written: 0, drain, inner_failed: false }
	}

	/// Whether `inner` failed a write (the bytes after it were hashed and dropped).
	#[cfg(test)]
	pub fn inner_failed(&self) -> bool {
		self.inner_failed
	}

	/// Bytes hashed so far.
	pub fn written(&self) -> u64 {
		self.written
	}

	/// Waits for the hashing thread and returns the hash of everything written, and its length.
	pub async fn finish(self) -> std::io::Result<([u8; 32], u64)> {
		let Self { queue, hashed, written, .. } = self;
		// Dropped, not closed: a place reserved for a write that `inner` then failed still
		// holds a sender, and the thread stops only once every sender is gone.
		drop(queue);
		let hash = hashed.await.map_err(|_| stopped())?;
		Ok((hash, written))
	}
}

impl<W: AsyncWrite + Unpin> AsyncWrite for HashingWriter<W> {
	fn poll_write(
		mut self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &[u8],
	) -> Poll<std::io::Result<usize>> {
		let this = &mut *self;
		// A place in the queue first, so that a write `inner` took is always hashed; once
		// reserved, the place stays ours while `inner` is pending.
		match this.queue.poll_reserve(cx) {
			Poll::Pending => return Poll::Pending,
			Poll::Ready(Err(_)) => return Poll::Ready(Err(stopped())),
			Poll::Ready(Ok(())) => {}
		}
		let n = if this.inner_failed {
			buf.len()
		} else {
			match Pin::new(&mut this.inner).poll_write(cx, buf) {
				Poll::Pending => return Poll::Pending,
				Poll::Ready(Ok(n)) => n,
				Poll::Ready(Err(e)) if !this.drain => return Poll::Ready(Err(e)),
				Poll::Ready(Err(_)) => {
					this.inner_failed = true;
					buf.len()
				}
			}
		};
		if this.queue.send_item(buf[..n].to_vec()).is_err() {
			return Poll::Ready(Err(stopped()));
		}
		this.written += n as u64;
		Poll::Ready(Ok(n))
	}

	fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
		if self.inner_failed {
			return Poll::Ready(Ok(()));
		}
		Pin::new(&mut self.inner).poll_flush(cx)
	}

	fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
		if self.inner_failed {
			return Poll::Ready(Ok(()));
		}
		Pin::new(&mut self.inner).poll_shutdown(cx)
	}
}

#[cfg(test)]
mod tests {
	use tokio::io::AsyncWriteExt;

	use super::*;

	#[test]
	fn blake2_256_is_blake2b_with_a_32_byte_output() {
		// RFC 7693's parameters with an output length of 32: the hash `b2sum -l 256` prints.
		assert_eq!(
			hex::encode(blake2_256(b"")),
			"0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
		);
		assert_eq!(
			hex::encode(blake2_256(b"abc")),
			"bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
		);
	}

	#[tokio::test]
	async fn the_writer_hashes_exactly_what_it_passed_on() {
		let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
		let (pipe_in, mut pipe_out) = tokio::io::duplex(64 * 1024);
		let mut writer = HashingWriter::new(pipe_in);
		let write = async {
			for chunk in data.chunks(100_000) {
				writer.write_all(chunk).await.unwrap();
			}
			writer.shutdown().await.unwrap();
		};
		let mut received = Vec::new();
		let read = tokio::io::AsyncReadExt::read_to_end(&mut pipe_out, &mut received);
		let ((), read) = tokio::join!(write, read);
		read.unwrap();
		assert_eq!(received, data);
		assert_eq!(writer.finish().await.unwrap(), (blake2_256(&data), data.len() as u64));
	}

	#[tokio::test]
	async fn a_draining_writer_hashes_what_comes_after_its_reader_left() {
		let (pipe_in, pipe_out) = tokio::io::duplex(1024);
		drop(pipe_out);
		let mut strict = HashingWriter::new(pipe_in);
		assert!(strict.write_all(b"record").await.is_err());
		assert_eq!(strict.finish().await.unwrap(), (blake2_256(b""), 0));

		let (pipe_in, pipe_out) = tokio::io::duplex(1024);
		drop(pipe_out);
		let mut draining = HashingWriter::draining(pipe_in);
		draining.write_all(b"tampered ").await.unwrap();
		draining.write_all(b"record").await.unwrap();
		assert!(draining.inner_failed());
		assert_eq!(draining.finish().await.unwrap(), (blake2_256(b"tampered record"), 15));
	}
}
