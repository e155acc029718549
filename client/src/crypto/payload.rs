//! Payload encryption: a chunked AEAD stream (the STREAM construction of Hoang, Reyhanitabar,
//! Rogaway and Vizár), so a record of any size is encrypted and decrypted in constant memory.
//!
//! Layout: `header || chunk_0 || chunk_1 || ... || chunk_last`.
//!
//! - header: magic `"EHRP"`, version (1), algorithm id (1 = AES-256-GCM,
//!   2 = ChaCha20-Poly1305), a 7-byte random nonce prefix, the record id (1 length byte, then
//!   up to 255 bytes).
//! - chunk *i*: AEAD of 64 KiB of plaintext (the last chunk 0..=64 KiB; an empty payload is
//!   one empty last chunk) plus a 16-byte tag, under nonce
//!   `prefix (7) || i as u32 big-endian (4) || last flag (1)`, with the whole header as
//!   associated data.
//!
//! So every chunk is bound to its position, to being last or not, to the record id and to the
//! algorithm: reordered or swapped chunks fail as [`PayloadError::TamperedChunk`], a stream
//! cut at a chunk boundary as [`PayloadError::Truncated`], bytes after the last chunk as
//! [`PayloadError::TrailingData`], another record's id as [`PayloadError::WrongRecordId`].
//! A stream cut inside a chunk, or extended by bytes after a short last chunk, is
//! indistinguishable from a modified chunk and is reported as that chunk being tampered.
//!
//! Decryption writes each chunk only after its tag verified, but a later chunk can still fail:
//! treat the output as valid only when the call returns `Ok`.
//!
//! ```
//! use ehr_client::crypto::{payload, DataKey};
//! let key = DataKey::generate();
//! let mut sealed = Vec::new();
//! payload::encrypt(&key, b"record-7", &b"hello"[..], &mut sealed)?;
//! let mut opened = Vec::new();
//! payload::decrypt(&key, b"record-7", &sealed[..], &mut opened)?;
//! assert_eq!(opened, b"hello");
//! assert!(payload::decrypt(&key, b"record-8", &sealed[..], &mut Vec::new()).is_err());
//! # Ok::<(), ehr_client::Error>(())
//! ```

use std::io::{Read, Write};

use aes_gcm::{
	aead::{AeadInOut, KeyInit},
	Aes256Gcm,
};
use chacha20poly1305::ChaCha20Poly1305;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::DataKey;

/// Plaintext bytes per chunk.
pub const CHUNK_SIZE: usize = 64 * 1024;
/// Authentication tag bytes per chunk.
pub const TAG_SIZE: usize = 16;
/// Ciphertext bytes of a full chunk.
pub const SEALED_CHUNK_SIZE: usize = CHUNK_SIZE + TAG_SIZE;
/// The header's magic bytes.
pub const MAGIC: [u8; 4] = *b"EHRP";
/// The format version this library writes.
pub const VERSION: u8 = 1;
/// Bytes of the random nonce prefix.
pub const NONCE_PREFIX_SIZE: usize = 7;
/// Longest record id the header can carry.
pub const MAX_RECORD_ID: usize = 255;
const FIXED_HEADER: usize = 4 + 1 + 1 + NONCE_PREFIX_SIZE + 1;

/// Why a payload could not be encrypted or decrypted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
	/// The stream does not start with a valid header.
	#[error("bad payload header: {0}")]
	BadHeader(&'static str),
	/// The header's format version is not one this library reads.
	#[error("unsupported payload format version {0} (this library reads version {VERSION})")]
	UnsupportedVersion(u8),
	/// The header names an unknown algorithm.
	#[error("unsupported payload algorithm id {0}")]
	UnsupportedAlgorithm(u8),
	/// The payload was encrypted for another record.
	#[error("payload belongs to record 0x{found}, not to record 0x{expected}")]
	WrongRecordId {
		/// The record id asked for, hex.
		expected: String,
		/// The record id in the header, hex.
		found: String,
	},
	/// A chunk failed authentication: modified, reordered, swapped or cut inside.
	#[error("payload chunk {index} is tampered with (authentication failed)")]
	TamperedChunk {
		/// Zero-based chunk index.
		index: u64,
	},
	/// The stream ends at a chunk boundary before the last chunk.
	#[error("payload is truncated: it ends after {chunks} chunk(s) without its final chunk")]
	Truncated {
		/// Chunks that were read and authenticated.
		chunks: u64,
	},
	/// Bytes follow the authenticated last chunk.
	#[error("payload has trailing data after its final chunk {last_chunk}")]
	TrailingData {
		/// Index of the final chunk.
		last_chunk: u64,
	},
	/// The record id is longer than [`MAX_RECORD_ID`] bytes.
	#[error("record id of {0} bytes is longer than {MAX_RECORD_ID}")]
	RecordIdTooLong(usize),
	/// More than 2^32 chunks (256 TiB).
	#[error("payload too large for one stream (more than 2^32 chunks)")]
	TooLarge,
	/// Reading the input or writing the output failed.
	#[error("payload I/O: {0}")]
	Io(#[from] std::io::Error),
}

/// The AEAD that seals the chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Algorithm {
	/// AES-256-GCM (id 1): the default; fast with AES-NI.
	#[default]
	Aes256Gcm,
	/// ChaCha20-Poly1305 (id 2): for machines without AES instructions.
	ChaCha20Poly1305,
}

impl Algorithm {
	/// The id written in the header.
	pub fn id(self) -> u8 {
		match self {
			Algorithm::Aes256Gcm => 1,
			Algorithm::ChaCha20Poly1305 => 2,
		}
	}

	fn from_id(id: u8) -> Result<Self, PayloadError> {
		match id {
			1 => Ok(Algorithm::Aes256Gcm),
			2 => Ok(Algorithm::ChaCha20Poly1305),
			other => Err(PayloadError::UnsupportedAlgorithm(other)),
		}
	}
}

/// The parsed header of an encrypted payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
	/// The chunk AEAD.
	pub algorithm: Algorithm,
	/// The random nonce prefix of this payload.
	pub nonce_prefix: [u8; NONCE_PREFIX_SIZE],
	/// The record the payload belongs to.
	pub record_id: Vec<u8>,
}

impl Header {
	/// The serialized header (also the associated data of every chunk).
	pub fn to_bytes(&self) -> Vec<u8> {
		let mut out = Vec::with_capacity(FIXED_HEADER + self.record_id.len());
		out.extend_from_slice(&MAGIC);
		out.push(VERSION);
		out.push(self.algorithm.id());
		out.extend_from_slice(&self.nonce_prefix);
		out.push(self.record_id.len() as u8);
		out.extend_from_slice(&self.record_id);
		out
	}

	fn check_fixed(
		fixed: &[u8; FIXED_HEADER],
	) -> Result<(Algorithm, [u8; 7], usize), PayloadError> {
		if fixed[..4] != MAGIC {
			return Err(PayloadError::BadHeader("not an EHR payload (bad magic)"));
		}
		if fixed[4] != VERSION {
			return Err(PayloadError::UnsupportedVersion(fixed[4]));
		}
		let algorithm = Algorithm::from_id(fixed[5])?;
		let mut prefix = [0u8; NONCE_PREFIX_SIZE];
		prefix.copy_from_slice(&fixed[6..6 + NONCE_PREFIX_SIZE]);
		Ok((algorithm, prefix, fixed[FIXED_HEADER - 1] as usize))
	}

	/// Reads a header from the start of a payload.
	pub fn read_from<R: Read>(mut reader: R) -> Result<Self, PayloadError> {
		let mut fixed = [0u8; FIXED_HEADER];
		read_exact_or_bad_header(&mut reader, &mut fixed)?;
		let (algorithm, nonce_prefix, len) = Self::check_fixed(&fixed)?;
		let mut record_id = vec![0u8; len];
		read_exact_or_bad_header(&mut reader, &mut record_id)?;
		Ok(Self { algorithm, nonce_prefix, record_id })
	}

	async fn read_from_async<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Self, PayloadError> {
		let mut fixed = [0u8; FIXED_HEADER];
		map_header_eof(reader.read_exact(&mut fixed).await)?;
		let (algorithm, nonce_prefix, len) = Self::check_fixed(&fixed)?;
		let mut record_id = vec![0u8; len];
		map_header_eof(reader.read_exact(&mut record_id).await)?;
		Ok(Self { algorithm, nonce_prefix, record_id })
	}
}

fn map_header_eof<T>(r: std::io::Result<T>) -> Result<T, PayloadError> {
	r.map_err(|e| match e.kind() {
		std::io::ErrorKind::UnexpectedEof => {
			PayloadError::BadHeader("stream ends inside the header")
		}
		_ => PayloadError::Io(e),
	})
}

fn read_exact_or_bad_header<R: Read>(reader: &mut R, buf: &mut [u8]) -> Result<(), PayloadError> {
	map_header_eof(reader.read_exact(buf))
}

/// The size of the encrypted payload of `plaintext_len` bytes for a record id of
/// `record_id_len` bytes.
pub fn sealed_len(plaintext_len: u64, record_id_len: usize) -> u64 {
	let chunks = (plaintext_len / CHUNK_SIZE as u64) + 1;
	let chunks = if plaintext_len > 0 && plaintext_len.is_multiple_of(CHUNK_SIZE as u64) {
		chunks - 1
	} else {
		chunks
	};
	(FIXED_HEADER + record_id_len) as u64 + plaintext_len + chunks * TAG_SIZE as u64
}

enum Cipher {
	Aes(Box<Aes256Gcm>),
	ChaCha(Box<ChaCha20Poly1305>),
}

/// Seals or opens the chunks of one payload.
struct ChunkCipher {
	cipher: Cipher,
	prefix: [u8; NONCE_PREFIX_SIZE],
	aad: Vec<u8>,
	index: u64,
}

impl ChunkCipher {
	fn new(key: &DataKey, header: &Header) -> Self {
		let cipher = match header.algorithm {
			Algorithm::Aes256Gcm => Cipher::Aes(Box::new(
				Aes256Gcm::new_from_slice(key.as_bytes()).expect("32-byte key"),
			)),
			Algorithm::ChaCha20Poly1305 => Cipher::ChaCha(Box::new(
				ChaCha20Poly1305::new_from_slice(key.as_bytes()).expect("32-byte key"),
			)),
		};
		Self { cipher, prefix: header.nonce_prefix, aad: header.to_bytes(), index: 0 }
	}

	fn nonce(&self, last: bool) -> Result<[u8; 12], PayloadError> {
		let counter = u32::try_from(self.index).map_err(|_| PayloadError::TooLarge)?;
		let mut n = [0u8; 12];
		n[..NONCE_PREFIX_SIZE].copy_from_slice(&self.prefix);
		n[7..11].copy_from_slice(&counter.to_be_bytes());
		n[11] = last as u8;
		Ok(n)
	}

	/// Encrypts `buf` in place and appends the tag.
	fn seal(&mut self, buf: &mut Vec<u8>, last: bool) -> Result<(), PayloadError> {
		let nonce = self.nonce(last)?;
		let tag: [u8; TAG_SIZE] = match &self.cipher {
			Cipher::Aes(c) => c
				.encrypt_inout_detached(&nonce.into(), &self.aad, buf.as_mut_slice().into())
				.expect("chunk within AES-GCM limits")
				.into(),
			Cipher::ChaCha(c) => c
				.encrypt_inout_detached(&nonce.into(), &self.aad, buf.as_mut_slice().into())
				.expect("chunk within ChaCha20-Poly1305 limits")
				.into(),
		};
		buf.extend_from_slice(&tag);
		self.index += 1;
		Ok(())
	}

	/// Decrypts the sealed chunk `buf` (ciphertext || tag) in place, trying `last` as given;
	/// returns the plaintext length, or `None` if authentication failed.
	fn try_open(&self, buf: &mut [u8], last: bool) -> Result<Option<usize>, PayloadError> {
		let nonce = self.nonce(last)?;
		let n = buf.len() - TAG_SIZE;
		let (ct, tag) = buf.split_at_mut(n);
		let tag: [u8; TAG_SIZE] = (&*tag).try_into().expect("TAG_SIZE bytes");
		let ok = match &self.cipher {
			Cipher::Aes(c) => {
				c.decrypt_inout_detached(&nonce.into(), &self.aad, ct.into(), &tag.into()).is_ok()
			}
			Cipher::ChaCha(c) => {
				c.decrypt_inout_detached(&nonce.into(), &self.aad, ct.into(), &tag.into()).is_ok()
			}
		};
		Ok(ok.then_some(n))
	}

	/// Opens the next chunk. `more` says whether bytes follow it in the stream. Returns the
	/// plaintext length and whether the chunk was the last one.
	fn open(&mut self, buf: &mut [u8], more: bool) -> Result<usize, PayloadError> {
		let index = self.index;
		if buf.len() < TAG_SIZE {
			return if buf.is_empty() {
				Err(PayloadError::Truncated { chunks: index })
			} else {
				Err(PayloadError::TamperedChunk { index })
			};
		}
		let full = buf.len() == SEALED_CHUNK_SIZE;
		// The decryption is in place, so keep a copy only when a second try may be needed.
		if !full {
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
		let backup = buf.to_vec();
		if let Some(n) = self.try_open(buf, !more)? {
			self.index += 1;
			return Ok(n);
		}
		buf.copy_from_slice(&backup);
		match self.try_open(buf, more)? {
			Some(_) if more => Err(PayloadError::TrailingData { last_chunk: index }),
			Some(_) => Err(PayloadError::Truncated { chunks: index + 1 }),
			None => Err(PayloadError::TamperedChunk { index }),
		}
	}
}

fn new_header(record_id: &[u8], algorithm: Algorithm) -> Result<Header, PayloadError> {
	if record_id.len() > MAX_RECORD_ID {
		return Err(PayloadError::RecordIdTooLong(record_id.len()));
	}
	Ok(Header { algorithm, nonce_prefix: super::random_array(), record_id: record_id.to_vec() })
}

fn check_record(header: &Header, record_id: &[u8]) -> Result<(), PayloadError> {
	if header.record_id != record_id {
		return Err(PayloadError::WrongRecordId {
			expected: hex::encode(record_id),
			found: hex::encode(&header.record_id),
		});
	}
	Ok(())
}

/// Reads until `buf` holds `want` bytes or the input ends.
fn fill<R: Read>(reader: &mut R, buf: &mut Vec<u8>, want: usize) -> std::io::Result<()> {
	let start = buf.len();
	buf.resize(want, 0);
	let mut got = start;
	while got < want {
		match reader.read(&mut buf[got..]) {
			Ok(0) => break,
			Ok(n) => got += n,
			Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
			Err(e) => return Err(e),
		}
	}
	buf.truncate(got);
	Ok(())
}

async fn fill_async<R: AsyncRead + Unpin>(
	reader: &mut R,
	buf: &mut Vec<u8>,
	want: usize,
) -> std::io::Result<()> {
	let start = buf.len();
	buf.resize(want, 0);
	let mut got = start;
	while got < want {
		match reader.read(&mut buf[got..]).await? {
			0 => break,
			n => got += n,
		}
	}
	buf.truncate(got);
	Ok(())
}

/// Encrypts everything `reader` yields for `record_id` with AES-256-GCM and writes the payload
/// to `writer`. Returns the payload's size in bytes. Memory use is two chunks.
pub fn encrypt<R: Read, W: Write>(
	key: &DataKey,
	record_id: &[u8],
	reader: R,
	writer: W,
) -> Result<u64, PayloadError> {
	encrypt_with(key, record_id, Algorithm::default(), reader, writer)
}

/// [`encrypt`] with a chosen algorithm.
pub fn encrypt_with<R: Read, W: Write>(
	key: &DataKey,
	record_id: &[u8],
	algorithm: Algorithm,
	mut reader: R,
	mut writer: W,
) -> Result<u64, PayloadError> {
	let header = new_header(record_id, algorithm)?;
	let mut cipher = ChunkCipher::new(key, &header);
	writer.write_all(&cipher.aad)?;
	let mut written = cipher.aad.len() as u64;
	let mut cur = Vec::with_capacity(SEALED_CHUNK_SIZE);
	let mut next = Vec::with_capacity(SEALED_CHUNK_SIZE);
	fill(&mut reader, &mut cur, CHUNK_SIZE)?;
	loop {
		let last = if cur.len() < CHUNK_SIZE {
			true
		} else {
			next.clear();
			fill(&mut reader, &mut next, CHUNK_SIZE)?;
			next.is_empty()
		};
		cipher.seal(&mut cur, last)?;
		writer.write_all(&cur)?;
		written += cur.len() as u64;
		if last {
			break;
		}
		std::mem::swap(&mut cur, &mut next);
	}
	writer.flush()?;
	Ok(written)
}

/// Decrypts the payload `reader` yields, checks it belongs to `record_id`, and writes the
/// plaintext to `writer`. Returns the plaintext size.
pub fn decrypt<R: Read, W: Write>(
	key: &DataKey,
	record_id: &[u8],
	mut reader: R,
	mut writer: W,
) -> Result<u64, PayloadError> {
	let header = Header::read_from(&mut reader)?;
	check_record(&header, record_id)?;
	let mut cipher = ChunkCipher::new(key, &header);
	let mut buf = Vec::with_capacity(SEALED_CHUNK_SIZE + 1);
	let mut carry: Option<u8> = None;
	let mut total = 0u64;
	loop {
		buf.clear();
		buf.extend(carry.take());
		fill(&mut reader, &mut buf, SEALED_CHUNK_SIZE + 1)?;
		let more = buf.len() > SEALED_CHUNK_SIZE;
		if more {
			carry = buf.pop();
		}
		let n = cipher.open(&mut buf, more)?;
		writer.write_all(&buf[..n])?;
		total += n as u64;
		if !more {
			break;
		}
	}
	writer.flush()?;
	Ok(total)
}

/// The async form of [`encrypt`] (tokio I/O), for piping a file into a payload store.
pub async fn encrypt_async<R, W>(
	key: &DataKey,
	record_id: &[u8],
	mut reader: R,
	mut writer: W,
) -> Result<u64, PayloadError>
where
	R: AsyncRead + Unpin,
	W: AsyncWrite + Unpin,
{
	let header = new_header(record_id, Algorithm::default())?;
	let mut cipher = ChunkCipher::new(key, &header);
	writer.write_all(&cipher.aad).await?;
	let mut written = cipher.aad.len() as u64;
	let mut cur = Vec::with_capacity(SEALED_CHUNK_SIZE);
	let mut next = Vec::with_capacity(SEALED_CHUNK_SIZE);
	fill_async(&mut reader, &mut cur, CHUNK_SIZE).await?;
	loop {
		let last = if cur.len() < CHUNK_SIZE {
			true
		} else {
			next.clear();
			fill_async(&mut reader, &mut next, CHUNK_SIZE).await?;
			next.is_empty()
		};
		cipher.seal(&mut cur, last)?;
		writer.write_all(&cur).await?;
		written += cur.len() as u64;
		if last {
			break;
		}
		std::mem::swap(&mut cur, &mut next);
	}
	writer.flush().await?;
	Ok(written)
}

/// The async form of [`decrypt`] (tokio I/O).
pub async fn decrypt_async<R, W>(
	key: &DataKey,
	record_id: &[u8],
	mut reader: R,
	mut writer: W,
) -> Result<u64, PayloadError>
where
	R: AsyncRead + Unpin,
	W: AsyncWrite + Unpin,
{
	let header = Header::read_from_async(&mut reader).await?;
	check_record(&header, record_id)?;
	let mut cipher = ChunkCipher::new(key, &header);
	let mut buf = Vec::with_capacity(SEALED_CHUNK_SIZE + 1);
	let mut carry: Option<u8> = None;
	let mut total = 0u64;
	loop {
		buf.clear();
		buf.extend(carry.take());
		fill_async(&mut reader, &mut buf, SEALED_CHUNK_SIZE + 1).await?;
		let more = buf.len() > SEALED_CHUNK_SIZE;
		if more {
			carry = buf.pop();
		}
		let n = cipher.open(&mut buf, more)?;
		writer.write_all(&buf[..n]).await?;
		total += n as u64;
		if !more {
			break;
		}
	}
	writer.flush().await?;
	Ok(total)
}
