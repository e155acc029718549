//! One chunk at a time: the AEAD with the chunk nonces, and the page-aligned buffer the
//! chunks are read into.

use std::io::Read;

use hkdf::Hkdf;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, CHACHA20_POLY1305};
use sha2::Sha256;
use tokio::io::{AsyncRead, AsyncReadExt};
use zeroize::Zeroizing;

use super::{
	Algorithm, Header, PayloadError, COMMITMENT_SIZE, NONCE_PREFIX_SIZE, SEALED_CHUNK_SIZE,
	TAG_SIZE,
};
use crate::crypto::DataKey;

/// The salt of the payload key schedule.
const KEY_SCHEDULE_SALT: &[u8] = b"ehr/payload/v2";

/// The chunk key and the key commitment of a payload with nonce prefix `prefix` under the data
/// key `key` (see the module documentation).
pub(super) fn key_schedule(
	key: &DataKey,
	prefix: &[u8; NONCE_PREFIX_SIZE],
) -> (Zeroizing<[u8; 32]>, [u8; COMMITMENT_SIZE]) {
	let hk = Hkdf::<Sha256>::new(Some(KEY_SCHEDULE_SALT), key.as_bytes());
	let mut chunk_key = Zeroizing::new([0u8; 32]);
	let mut commitment = [0u8; COMMITMENT_SIZE];
	hk.expand_multi_info(&[b"key", prefix], &mut chunk_key[..])
		.expect("32 bytes is a valid HKDF-SHA256 output length");
	hk.expand_multi_info(&[b"commit", prefix], &mut commitment)
		.expect("32 bytes is a valid HKDF-SHA256 output length");
	(chunk_key, commitment)
}

/// Constant-time equality of two commitments.
fn same(a: &[u8; COMMITMENT_SIZE], b: &[u8; COMMITMENT_SIZE]) -> bool {
	a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Seals or opens the chunks of one payload.
///
/// The AEADs are ring's (the assembly of BoringSSL: VAES and VPCLMULQDQ where the CPU has them),
/// about 2.4 times OpenSSL 3.0's AES-256-GCM on this project's reference machine; see
/// docs/client.md ("Payload speed") for the choice and its alternatives.
pub(super) struct ChunkCipher {
	key: LessSafeKey,
	prefix: [u8; NONCE_PREFIX_SIZE],
	/// The serialized header: the associated data of every chunk.
	pub(super) aad: Vec<u8>,
	index: u64,
	/// A copy of the full chunk being opened, so that a chunk which fails under the expected
	/// last flag can be tried under the other one (ring zeroes a chunk that fails); made at
	/// the first full chunk opened.
	spare: Option<PageBuf>,
}

impl ChunkCipher {
	/// The cipher of a new payload of `record_id` under the data key `key`, with a fresh
	/// nonce prefix; its header (with the key commitment) is [`ChunkCipher::aad`].
	pub(super) fn for_sealing(
		key: &DataKey,
		record_id: &[u8],
		algorithm: Algorithm,
	) -> Result<Self, PayloadError> {
		let prefix = crate::crypto::nonce_array();
		let (chunk_key, commitment) = key_schedule(key, &prefix);
		Ok(Self::with_chunk_key(
			&chunk_key,
			&Header::new(prefix, commitment, record_id, algorithm)?,
		))
	}

	/// The cipher of `header`'s payload under the data key `key`; [`PayloadError::WrongKey`]
	/// if the header does not commit to `key`.
	pub(super) fn for_opening(key: &DataKey, header: &Header) -> Result<Self, PayloadError> {
		let (chunk_key, commitment) = key_schedule(key, header.nonce_prefix());
		if !same(&commitment, header.commitment()) {
			return Err(PayloadError::WrongKey);
		}
		Ok(Self::with_chunk_key(&chunk_key, header))
	}

	fn with_chunk_key(chunk_key: &[u8; 32], header: &Header) -> Self {
		let algorithm = match header.algorithm() {
			Algorithm::Aes256Gcm => &AES_256_GCM,
			Algorithm::ChaCha20Poly1305 => &CHACHA20_POLY1305,
		};
		let key = LessSafeKey::new(UnboundKey::new(algorithm, chunk_key).expect("32-byte key"));
		Self { key, prefix: *header.nonce_prefix(), aad: header.to_bytes(), index: 0, spare: None }
	}

	fn nonce(&self, last: bool) -> Result<Nonce, PayloadError> {
		let counter = u32::try_from(self.index).map_err(|_| PayloadError::TooLarge)?;
		let mut n = [0u8; 12];
		n[..NONCE_PREFIX_SIZE].copy_from_slice(&self.prefix);
		n[NONCE_PREFIX_SIZE..11].copy_from_slice(&counter.to_be_bytes());
		n[11] = last as u8;
		Ok(Nonce::assume_unique_for_key(n))
	}

	/// Encrypts `buf` in place and returns the tag.
	pub(super) fn seal(
		&mut self,
		buf: &mut [u8],
		last: bool,
	) -> Result<[u8; TAG_SIZE], PayloadError> {
		let nonce = self.nonce(last)?;
		let tag = self
			.key
			.seal_in_place_separate_tag(nonce, Aad::from(&self.aad[..]), buf)
			.expect("chunk within the AEAD's limits");
		self.index += 1;
		Ok(tag.as_ref().try_into().expect("TAG_SIZE bytes"))
	}

	/// Decrypts the sealed chunk `buf` (ciphertext || tag) in place, trying `last` as given;
	/// returns the plaintext length, or `None` if authentication failed (`buf` is then zeroed).
	fn try_open(&self, buf: &mut [u8], last: bool) -> Result<Option<usize>, PayloadError> {
		let nonce = self.nonce(last)?;
		Ok(self.key.open_in_place(nonce, Aad::from(&self.aad[..]), buf).ok().map(|p| p.len()))
	}

	/// Opens the next chunk. `more` says whether bytes follow it in the stream. Returns the
	/// plaintext length.
	pub(super) fn open(&mut self, buf: &mut [u8], more: bool) -> Result<usize, PayloadError> {
		let index = self.index;
		if buf.len() < TAG_SIZE {
			return if buf.is_empty() {
				Err(PayloadError::Truncated { chunks: index })
			} else {
				Err(PayloadError::TamperedChunk { index })
			};
		}
		if buf.len() < SEALED_CHUNK_SIZE {
			// A short chunk can only be the last one.
			return match self.try_open(buf, true)? {
				Some(n) if !more => {
					self.index += 1;
					Ok(n)
				}
				Some(_) => Err(PayloadError::TrailingData { last_chunk: index }),
				None => Err(PayloadError::TamperedChunk { index }),
			};
		}
		let mut spare = self.spare.take().unwrap_or_else(PageBuf::new);
		spare.set(buf);
		let opened = self.try_open(buf, !more)?;
		// On failure, try the other flag on the copy to say why: a full last chunk with bytes
		// after it, a stream cut at a chunk boundary, or a chunk that is not authentic.
		let other = if opened.is_none() { self.try_open(spare.get(), more)? } else { None };
		self.spare = Some(spare);
		if let Some(n) = opened {
			self.index += 1;
			return Ok(n);
		}
		match other {
			Some(_) if more => Err(PayloadError::TrailingData { last_chunk: index }),
			Some(_) => Err(PayloadError::Truncated { chunks: index + 1 }),
			None => Err(PayloadError::TamperedChunk { index }),
		}
	}
}

const PAGE: usize = 4096;

/// A buffer whose bytes start on a 4 KiB boundary inside the allocation.
///
/// glibc copies large blocks with `rep movsb`, which AMD Zen CPUs run about 30x slower when
/// the destination is 1 to 31 bytes past the source modulo 4 KiB; two heap buffers often are.
/// Page-aligned buffers make that case depend on the caller's buffer sitting in the last or
/// first 31 bytes of a page.
struct PageBuf {
	/// `pad` filler bytes, then the contents.
	vec: Vec<u8>,
	pad: usize,
}

impl PageBuf {
	/// An empty buffer for up to [`SEALED_CHUNK_SIZE`] + 1 bytes without reallocation.
	fn new() -> Self {
		let vec: Vec<u8> = Vec::with_capacity(PAGE + SEALED_CHUNK_SIZE + 1);
		let pad = vec.as_ptr().align_offset(PAGE).min(PAGE);
		Self { vec, pad }
	}

	/// Replaces the contents by `bytes`.
	fn set(&mut self, bytes: &[u8]) {
		self.clear();
		self.vec.extend_from_slice(bytes);
	}

	/// Empties the contents.
	fn clear(&mut self) {
		self.vec.resize(self.pad, 0);
	}

	fn get(&mut self) -> &mut [u8] {
		&mut self.vec[self.pad..]
	}
}

/// The buffer one chunk is read into and processed in place, with one byte of look-ahead
/// that tells whether more input follows. Every chunk is copied twice (reader into the buffer,
/// buffer into the writer), so it is a [`PageBuf`].
pub(super) struct ChunkBuf {
	buf: PageBuf,
	carry: Option<u8>,
}

impl ChunkBuf {
	/// A buffer for chunks of up to [`SEALED_CHUNK_SIZE`] bytes.
	pub(super) fn new() -> Self {
		Self { buf: PageBuf::new(), carry: None }
	}

	/// Starts the next chunk with the look-ahead byte of the previous one, if any.
	fn start(&mut self) {
		self.buf.clear();
		self.buf.vec.extend(self.carry.take());
	}

	/// Ends a read of up to `size` bytes: keeps the byte beyond them as look-ahead and says
	/// whether there was one.
	fn finish(&mut self, size: usize) -> bool {
		let more = self.buf.vec.len() > self.buf.pad + size;
		if more {
			self.carry = self.buf.vec.pop();
		}
		more
	}

	/// Bytes still to read for a chunk of `size` and its look-ahead byte.
	fn missing(&self, size: usize) -> u64 {
		(self.buf.pad + size + 1 - self.buf.vec.len()) as u64
	}

	/// Reads the next chunk of up to `size` bytes (at most [`SEALED_CHUNK_SIZE`]); returns
	/// whether input follows it. Reads into the spare capacity, which readers with their own
	/// `read_buf` (slices, files) fill without zeroing it first.
	pub(super) fn read<R: Read>(&mut self, reader: &mut R, size: usize) -> std::io::Result<bool> {
		self.start();
		reader.take(self.missing(size)).read_to_end(&mut self.buf.vec)?;
		Ok(self.finish(size))
	}

	/// [`ChunkBuf::read`] from an async reader.
	pub(super) async fn read_async<R: AsyncRead + Unpin>(
		&mut self,
		reader: &mut R,
		size: usize,
	) -> std::io::Result<bool> {
		self.start();
		reader.take(self.missing(size)).read_to_end(&mut self.buf.vec).await?;
		Ok(self.finish(size))
	}

	/// The chunk read.
	pub(super) fn chunk(&mut self) -> &mut [u8] {
		self.buf.get()
	}

	/// Appends a tag to the chunk (it fits: the capacity covers a sealed chunk).
	pub(super) fn push_tag(&mut self, tag: &[u8; TAG_SIZE]) {
		self.buf.vec.extend_from_slice(tag);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// The key schedule pinned by a known answer, computed independently (Python's `hmac`
	/// and `hashlib`, RFC 5869 by hand): changing it changes the format.
	#[test]
	fn key_schedule_known_answer() {
		let key = DataKey::from_bytes([7; 32]);
		let (chunk_key, commitment) = key_schedule(&key, &[1, 2, 3, 4, 5, 6, 7]);
		assert_eq!(
			hex::encode(&chunk_key[..]),
			"bbbe29b8c18ccc7db79dc9b80989a5aad1d384ad522019675220d55f94f5ff5f"
		);
		assert_eq!(
			hex::encode(commitment),
			"da4caaae0a133ee6de283e085b16fc46ff5d4ed8480dcb0e822ff5ab8ddef758"
		);
		let (other_key, other_commitment) = key_schedule(&key, &[1, 2, 3, 4, 5, 6, 8]);
		assert_ne!((&chunk_key[..], commitment), (&other_key[..], other_commitment));
		let (_, third) = key_schedule(&DataKey::from_bytes([8; 32]), &[1, 2, 3, 4, 5, 6, 7]);
		assert_ne!(commitment, third);
	}
}
