//! CAR v1 (Content Addressable aRchive): how a DAG moves between this store and IPFS
//! (`ipfs dag import` / `ipfs dag export`).
//!
//! `varint(len) || dag-cbor {"roots": [CID], "version": 1}`, then per block
//! `varint(len(cid) + len(data)) || cid || data`. The header's dag-cbor is written by hand.

use cid::Cid;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::StoreError;

/// Largest block accepted on import (Kubo's limit is 2 MiB; leave room).
pub const MAX_BLOCK: usize = 4 * 1024 * 1024;

fn varint(mut v: u64) -> Vec<u8> {
	let mut out = Vec::with_capacity(10);
	while v >= 0x80 {
		out.push((v as u8) | 0x80);
		v >>= 7;
	}
	out.push(v as u8);
	out
}

fn cbor_head(major: u8, n: u64, out: &mut Vec<u8>) {
	let m = major << 5;
	match n {
		0..=23 => out.push(m | n as u8),
		24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
		0x100..=0xffff => {
			out.push(m | 25);
			out.extend_from_slice(&(n as u16).to_be_bytes());
		}
		_ => {
			out.push(m | 26);
			out.extend_from_slice(&(n as u32).to_be_bytes());
		}
	}
}

/// The dag-cbor header block of a CAR v1 with `roots`.
pub fn header(roots: &[Cid]) -> Vec<u8> {
	let mut h = Vec::new();
	cbor_head(5, 2, &mut h); // map of 2; keys sorted by length: "roots" < "version"
	cbor_head(3, 5, &mut h);
	h.extend_from_slice(b"roots");
	cbor_head(4, roots.len() as u64, &mut h);
	for root in roots {
		let bytes = root.to_bytes();
		h.extend_from_slice(&[0xd8, 42]); // tag 42: CID
		cbor_head(2, bytes.len() as u64 + 1, &mut h);
		h.push(0); // the multibase identity prefix
		h.extend_from_slice(&bytes);
	}
	cbor_head(3, 7, &mut h);
	h.extend_from_slice(b"version");
	cbor_head(0, 1, &mut h);
	h
}

/// Writes the CAR header.
pub async fn write_header<W: AsyncWrite + Unpin + ?Sized>(
	w: &mut W,
	roots: &[Cid],
) -> std::io::Result<()> {
	let h = header(roots);
	w.write_all(&varint(h.len() as u64)).await?;
	w.write_all(&h).await
}

/// Writes one block section.
pub async fn write_block<W: AsyncWrite + Unpin + ?Sized>(
	w: &mut W,
	cid: &Cid,
	data: &[u8],
) -> std::io::Result<()> {
	let c = cid.to_bytes();
	w.write_all(&varint((c.len() + data.len()) as u64)).await?;
	w.write_all(&c).await?;
	w.write_all(data).await
}

fn bad(detail: impl Into<String>) -> StoreError {
	StoreError::Malformed { what: "CAR file", detail: detail.into() }
}

async fn read_varint<R: AsyncRead + Unpin + ?Sized>(r: &mut R) -> Result<Option<u64>, StoreError> {
	let mut v = 0u64;
	for (i, shift) in (0..64).step_by(7).enumerate() {
		let mut b = [0u8; 1];
		if r.read(&mut b).await? == 0 {
			return if i == 0 { Ok(None) } else { Err(bad("truncated varint")) };
		}
		v |= ((b[0] & 0x7f) as u64) << shift;
		if b[0] < 0x80 {
			return Ok(Some(v));
		}
	}
	Err(bad("varint too long"))
}

/// Reads a CAR v1 stream: the roots first, then blocks one at a time.
pub struct CarReader<'a, R: AsyncRead + Unpin + ?Sized> {
	reader: &'a mut R,
	/// The roots named in the header.
	pub roots: Vec<Cid>,
}

/// Parses the roots out of a dag-cbor CAR header (only the shapes CAR v1 uses).
fn parse_header(h: &[u8]) -> Result<Vec<Cid>, StoreError> {
	// Find every tag-42 byte string and take it as a root; check the version key is 1.
	let mut roots = Vec::new();
	let mut i = 0;
	while i + 2 < h.len() {
		if h[i] == 0xd8 && h[i + 1] == 42 {
			let (len, skip) = match h[i + 2] {
				b @ 0x40..=0x57 => ((b - 0x40) as usize, 1),
				0x58 => (*h.get(i + 3).ok_or_else(|| bad("header"))? as usize, 2),
				_ => return Err(bad("unexpected CID encoding in header")),
			};
			let start = i + 2 + skip;
			let bytes = h.get(start..start + len).ok_or_else(|| bad("header"))?;
			if bytes.first() != Some(&0) {
				return Err(bad("CID without identity multibase prefix"));
			}
			roots.push(Cid::try_from(&bytes[1..]).map_err(|_| bad("bad root CID"))?);
			i = start + len;
		} else {
			i += 1;
		}
	}
	let version_at =
		h.windows(8).position(|w| w == b"gversion").ok_or_else(|| bad("no version"))?;
	if h.get(version_at + 8) != Some(&0x01) {
		return Err(bad("not a CAR v1"));
	}
	Ok(roots)
}

impl<'a, R: AsyncRead + Unpin + ?Sized> CarReader<'a, R> {
	/// Reads the header.
	pub async fn new(reader: &'a mut R) -> Result<Self, StoreError> {
		let len = read_varint(reader).await?.ok_or_else(|| bad("empty"))? as usize;
		if len > 64 * 1024 {
			return Err(bad("header too large"));
		}
		let mut h = vec![0u8; len];
		reader.read_exact(&mut h).await.map_err(|_| bad("truncated header"))?;
		let roots = parse_header(&h)?;
		Ok(Self { reader, roots })
	}

	/// The next block, or `None` at the end; the block's hash is not yet verified.
	pub async fn next_block(&mut self) -> Result<Option<(Cid, Vec<u8>)>, StoreError> {
		let Some(len) = read_varint(self.reader).await? else { return Ok(None) };
		let len = len as usize;
		if len > MAX_BLOCK + 128 {
			return Err(bad("block too large"));
		}
		let mut section = vec![0u8; len];
		self.reader.read_exact(&mut section).await.map_err(|_| bad("truncated block"))?;
		let mut cursor = std::io::Cursor::new(&section[..]);
		let cid = Cid::read_bytes(&mut cursor).map_err(|_| bad("bad block CID"))?;
		let at = cursor.position() as usize;
		Ok(Some((cid, section[at..].to_vec())))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn header_round_trip() {
		let cid = super::super::unixfs::file_cid(b"x");
		assert_eq!(parse_header(&header(&[cid])).unwrap(), vec![cid]);
	}
}
