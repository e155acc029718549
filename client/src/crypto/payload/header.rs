//! The payload header: magic, version, algorithm, nonce prefix, key commitment, record id.

use std::io::Read;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::{
	Algorithm, PayloadError, COMMITMENT_SIZE, FIXED_HEADER, MAGIC, MAX_RECORD_ID,
	NONCE_PREFIX_SIZE, VERSION,
};

/// The parsed header of an encrypted payload. Built only by this module, so the record id
/// always fits its length byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
	algorithm: Algorithm,
	nonce_prefix: [u8; NONCE_PREFIX_SIZE],
	commitment: [u8; COMMITMENT_SIZE],
	record_id: Vec<u8>,
}

impl Header {
	/// A header with nonce prefix `nonce_prefix` and key commitment `commitment` (both from
	/// the payload's key schedule).
	pub(super) fn new(
		nonce_prefix: [u8; NONCE_PREFIX_SIZE],
		commitment: [u8; COMMITMENT_SIZE],
		record_id: &[u8],
		algorithm: Algorithm,
	) -> Result<Self, PayloadError> {
		if record_id.len() > MAX_RECORD_ID {
			return Err(PayloadError::RecordIdTooLong(record_id.len()));
		}
		Ok(Header { algorithm, nonce_prefix, commitment, record_id: record_id.to_vec() })
	}

	/// The commitment to the data key.
	pub fn commitment(&self) -> &[u8; COMMITMENT_SIZE] {
		&self.commitment
	}

	/// The chunk AEAD.
	pub fn algorithm(&self) -> Algorithm {
		self.algorithm
	}

	/// The random nonce prefix of this payload.
	pub fn nonce_prefix(&self) -> &[u8; NONCE_PREFIX_SIZE] {
		&self.nonce_prefix
	}

	/// The record the payload belongs to.
	pub fn record_id(&self) -> &[u8] {
		&self.record_id
	}

	/// The serialized header (also the associated data of every chunk).
	pub fn to_bytes(&self) -> Vec<u8> {
		let mut out = Vec::with_capacity(FIXED_HEADER + self.record_id.len());
		out.extend_from_slice(&MAGIC);
		out.push(VERSION);
		out.push(self.algorithm.id());
		out.extend_from_slice(&self.nonce_prefix);
		out.extend_from_slice(&self.commitment);
		// At most MAX_RECORD_ID (255) bytes: checked by `new`, one length byte when read.
		out.push(self.record_id.len() as u8);
		out.extend_from_slice(&self.record_id);
		out
	}

	/// The header of the fixed part, with an empty record id, and the record id's length.
	fn check_fixed(fixed: &[u8; FIXED_HEADER]) -> Result<(Self, usize), PayloadError> {
		if fixed[..4] != MAGIC {
			return Err(PayloadError::BadHeader("not an EHR payload (bad magic)"));
		}
		if fixed[4] != VERSION {
			return Err(PayloadError::UnsupportedVersion(fixed[4]));
		}
		let algorithm = Algorithm::from_id(fixed[5])?;
		let (prefix, rest) = fixed[6..].split_at(NONCE_PREFIX_SIZE);
		let (commitment, len) = rest.split_at(COMMITMENT_SIZE);
		let header = Header {
			algorithm,
			nonce_prefix: prefix.try_into().expect("NONCE_PREFIX_SIZE bytes"),
			commitment: commitment.try_into().expect("COMMITMENT_SIZE bytes"),
			record_id: Vec::new(),
		};
		Ok((header, len[0] as usize))
	}

	/// Reads a header from the start of a payload.
	pub fn read_from<R: Read>(mut reader: R) -> Result<Self, PayloadError> {
		let mut fixed = [0u8; FIXED_HEADER];
		read_exact_or_bad_header(&mut reader, &mut fixed)?;
		let (mut header, len) = Self::check_fixed(&fixed)?;
		header.record_id = vec![0u8; len];
		read_exact_or_bad_header(&mut reader, &mut header.record_id)?;
		Ok(header)
	}

	pub(super) async fn read_from_async<R: AsyncRead + Unpin>(
		reader: &mut R,
	) -> Result<Self, PayloadError> {
		let mut fixed = [0u8; FIXED_HEADER];
		map_header_eof(reader.read_exact(&mut fixed).await)?;
		let (mut header, len) = Self::check_fixed(&fixed)?;
		header.record_id = vec![0u8; len];
		map_header_eof(reader.read_exact(&mut header.record_id).await)?;
		Ok(header)
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
