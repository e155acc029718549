//! Payload encryption: a chunked AEAD stream (the STREAM construction of Hoang, Reyhanitabar,
//! Rogaway and Vizár), so a record of any size is encrypted and decrypted in constant memory.
//!
//! Layout: `header || chunk_0 || chunk_1 || ... || chunk_last`.
//!
//! - header: magic `"EHRP"`, version (2), algorithm id (1 = AES-256-GCM,
//!   2 = ChaCha20-Poly1305), a 7-byte random nonce prefix, a 32-byte key commitment, the
//!   record id (1 length byte, then up to 255 bytes).
//! - keys: from the data key, `prk = HKDF-Extract(salt = "ehr/payload/v2", ikm = DEK)`; the
//!   chunk key is `HKDF-Expand(prk, "key" || prefix, 32)` and the commitment
//!   `HKDF-Expand(prk, "commit" || prefix, 32)`.
//! - chunk *i*: AEAD of 64 KiB of plaintext (the last chunk 0..=64 KiB; an empty payload is
//!   one empty last chunk) plus a 16-byte tag, under the chunk key and nonce
//!   `prefix (7) || i as u32 big-endian (4) || last flag (1)`, with the whole header as
//!   associated data.
//!
//! AES-GCM and ChaCha20-Poly1305 do not commit to their key: a ciphertext can be made to
//! open under two keys to two plaintexts. The commitment is checked before the first chunk
//! ([`PayloadError::WrongKey`]), so a payload opens under one data key only and every reader
//! (the patient through the patient capsule, a grantee through the custody capsule) reads the
//! same bytes.
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

mod chunk;
mod header;

use std::io::{Read, Write};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use self::chunk::{ChunkBuf, ChunkCipher};
pub use self::header::Header;
use super::DataKey;

/// Plaintext bytes per chunk.
pub const CHUNK_SIZE: usize = 64 * 1024;
/// Authentication tag bytes per chunk.
pub const TAG_SIZE: usize = 16;
/// Ciphertext bytes of a full chunk.
pub const SEALED_CHUNK_SIZE: usize = CHUNK_SIZE + TAG_SIZE;
/// The header's magic bytes.
pub const MAGIC: [u8; 4] = *b"EHRP";
/// The format version this library writes and reads (version 1 had no key commitment and is
/// refused).
pub const VERSION: u8 = 2;
/// Bytes of the random nonce prefix.
pub const NONCE_PREFIX_SIZE: usize = 7;
/// Bytes of the key commitment.
pub const COMMITMENT_SIZE: usize = 32;
/// Longest record id the header can carry.
pub const MAX_RECORD_ID: usize = 255;
const FIXED_HEADER: usize = 4 + 1 + 1 + NONCE_PREFIX_SIZE + COMMITMENT_SIZE + 1;

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
	/// The data key is not the one the payload commits to: the capsule it came from belongs
	/// to another payload, or the payload was crafted to open under more than one key.
	#[error("the data key does not match the payload's key commitment (wrong key, or a payload crafted to open under two keys)")]
	WrongKey,
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

fn check_record(header: &Header, record_id: &[u8]) -> Result<(), PayloadError> {
	if header.record_id() != record_id {
		return Err(PayloadError::WrongRecordId {
			expected: hex::encode(record_id),
			found: hex::encode(header.record_id()),
		});
	}
	Ok(())
}

/// Encrypts everything `reader` yields for `record_id` with AES-256-GCM and writes the payload
/// to `writer`. Returns the payload's size in bytes. Memory use is one chunk.
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
	let mut cipher = ChunkCipher::for_sealing(key, record_id, algorithm)?;
	writer.write_all(&cipher.aad)?;
	let mut written = cipher.aad.len() as u64;
	let mut buf = ChunkBuf::new();
	loop {
		let more = buf.read(&mut reader, CHUNK_SIZE)?;
		let tag = cipher.seal(buf.chunk(), !more)?;
		buf.push_tag(&tag);
		writer.write_all(buf.chunk())?;
		written += buf.chunk().len() as u64;
		if !more {
			break;
		}
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
	let mut cipher = ChunkCipher::for_opening(key, &header)?;
	let mut buf = ChunkBuf::new();
	let mut total = 0u64;
	loop {
		let more = buf.read(&mut reader, SEALED_CHUNK_SIZE)?;
		let n = cipher.open(buf.chunk(), more)?;
		writer.write_all(&buf.chunk()[..n])?;
		total += n as u64;
		if !more {
			break;
		}
	}
	writer.flush()?;
	Ok(total)
}

/// The async form of [`encrypt`] (tokio I/O), for piping a file into a payload store. The
/// writer is flushed, not shut down.
pub async fn encrypt_async<R, W>(
	key: &DataKey,
	record_id: &[u8],
	reader: R,
	writer: W,
) -> Result<u64, PayloadError>
where
	R: AsyncRead + Unpin,
	W: AsyncWrite + Unpin,
{
	encrypt_async_with(key, record_id, Algorithm::default(), reader, writer).await
}

/// [`encrypt_async`] with a chosen algorithm.
pub async fn encrypt_async_with<R, W>(
	key: &DataKey,
	record_id: &[u8],
	algorithm: Algorithm,
	mut reader: R,
	mut writer: W,
) -> Result<u64, PayloadError>
where
	R: AsyncRead + Unpin,
	W: AsyncWrite + Unpin,
{
	let mut cipher = ChunkCipher::for_sealing(key, record_id, algorithm)?;
	writer.write_all(&cipher.aad).await?;
	let mut written = cipher.aad.len() as u64;
	let mut buf = ChunkBuf::new();
	loop {
		let more = buf.read_async(&mut reader, CHUNK_SIZE).await?;
		let tag = cipher.seal(buf.chunk(), !more)?;
		buf.push_tag(&tag);
		writer.write_all(buf.chunk()).await?;
		written += buf.chunk().len() as u64;
		if !more {
			break;
		}
	}
	writer.flush().await?;
	Ok(written)
}

/// The async form of [`decrypt`] (tokio I/O). The writer is flushed, not shut down.
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
	let mut cipher = ChunkCipher::for_opening(key, &header)?;
	let mut buf = ChunkBuf::new();
	let mut total = 0u64;
	loop {
		let more = buf.read_async(&mut reader, SEALED_CHUNK_SIZE).await?;
		let n = cipher.open(buf.chunk(), more)?;
		writer.write_all(&buf.chunk()[..n]).await?;
		total += n as u64;
		if !more {
			break;
		}
	}
	writer.flush().await?;
	Ok(total)
}
