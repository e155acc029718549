//! The UnixFS file layout of `ipfs add --cid-version=1 --raw-leaves` (Kubo and js-ipfs
//! defaults otherwise): fixed-size 262144-byte chunks stored as raw blocks (codec 0x55,
//! sha2-256), joined by a balanced tree of dag-pb nodes (codec 0x70) of at most 174 links.
//! A file of one chunk or less (the empty file included) is a single raw block.
//!
//! Inner nodes are dag-pb `PBNode { Links, Data }`, links first (the canonical order), each
//! link `{ Hash: child CID, Name: "", Tsize: child's cumulative size }`, and `Data` a UnixFS
//! message `{ Type: File, filesize, blocksizes[] }`. The protobuf is written by hand.

use cid::Cid;
use multihash::Multihash;
use sha2::{Digest, Sha256};

use super::StoreError;

/// Bytes per leaf (Kubo's default `size-262144` chunker).
pub const CHUNK_SIZE: usize = 262_144;
/// Links per inner node (Kubo's and js-ipfs's balanced layout).
pub const MAX_LINKS: usize = 174;
/// Multicodec of raw blocks.
pub const RAW: u64 = 0x55;
/// Multicodec of dag-pb blocks.
pub const DAG_PB: u64 = 0x70;
/// Multihash code of sha2-256.
pub const SHA2_256: u64 = 0x12;

/// The CIDv1 of `data` under `codec` with sha2-256.
pub fn cid_of(codec: u64, data: &[u8]) -> Cid {
	let digest = Sha256::digest(data);
	Cid::new_v1(codec, Multihash::<64>::wrap(SHA2_256, &digest).expect("32 <= 64"))
}

/// The [`StoreError::Corrupt`] detail of a stored block that does not hash to its CID: the
/// store itself holds other bytes than the content (not a transfer that stopped short).
pub const BAD_BLOCK: &str = "block hash mismatch";

/// Checks that `data` hashes to `cid` (sha2-256 only).
pub fn verify_block(cid: &Cid, data: &[u8]) -> Result<(), StoreError> {
	let mh = cid.hash();
	if mh.code() != SHA2_256 {
		return Err(StoreError::Unsupported { cid: *cid, reason: "only sha2-256 is verified" });
	}
	if mh.digest() != Sha256::digest(data).as_slice() {
		return Err(StoreError::Corrupt { cid: *cid, detail: BAD_BLOCK.into() });
	}
	Ok(())
}

/// A link to a child of an inner node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
	/// The child's CID.
	pub cid: Cid,
	/// The child's cumulative serialized size (the dag-pb `Tsize`).
	pub tsize: u64,
	/// The file bytes under the child.
	pub filesize: u64,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
	while v >= 0x80 {
		out.push((v as u8) | 0x80);
		v >>= 7;
	}
	out.push(v as u8);
}

fn put_bytes(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
	out.push(tag);
	put_varint(out, bytes.len() as u64);
	out.extend_from_slice(bytes);
}

/// The dag-pb bytes of a UnixFS file node over `links`.
pub fn encode_file_node(links: &[Link]) -> Vec<u8> {
	let mut out = Vec::with_capacity(links.len() * 48 + 16);
	for link in links {
		let mut l = Vec::with_capacity(48);
		put_bytes(&mut l, 0x0a, &link.cid.to_bytes());
		put_bytes(&mut l, 0x12, b"");
		l.push(0x18);
		put_varint(&mut l, link.tsize);
		put_bytes(&mut out, 0x12, &l);
	}
	let mut data = vec![0x08, 0x02];
	data.push(0x18);
	put_varint(&mut data, links.iter().map(|l| l.filesize).sum());
	for link in links {
		data.push(0x20);
		put_varint(&mut data, link.filesize);
	}
	put_bytes(&mut out, 0x0a, &data);
	out
}

/// A parsed dag-pb node: its link CIDs in order and the UnixFS data bytes it carries inline.
#[derive(Debug, Default)]
pub struct Node {
	/// Child CIDs, in file order.
	pub links: Vec<Cid>,
	/// File bytes stored in the node itself (empty with raw leaves).
	pub data: Vec<u8>,
	/// The UnixFS type (2 = File, 0 = Raw).
	pub kind: u64,
}

struct Reader<'a> {
	buf: &'a [u8],
}

impl<'a> Reader<'a> {
	fn varint(&mut self) -> Option<u64> {
		let mut v = 0u64;
		for shift in (0..64).step_by(7) {
			let (&b, rest) = self.buf.split_first()?;
			self.buf = rest;
			v |= ((b & 0x7f) as u64) << shift;
			if b < 0x80 {
				return Some(v);
			}
		}
		None
	}

	fn bytes(&mut self) -> Option<&'a [u8]> {
		let n = usize::try_from(self.varint()?).ok()?;
		if n > self.buf.len() {
			return None;
		}
		let (head, rest) = self.buf.split_at(n);
		self.buf = rest;
		Some(head)
	}

	/// The next (field, wire type) and, for wire types 0 and 2, its value.
	fn field(&mut self) -> Option<Option<(u64, Field<'a>)>> {
		if self.buf.is_empty() {
			return Some(None);
		}
		let key = self.varint()?;
		let value = match key & 7 {
			0 => Field::Varint(self.varint()?),
			2 => Field::Bytes(self.bytes()?),
			_ => return None,
		};
		Some(Some((key >> 3, value)))
	}
}

enum Field<'a> {
	Varint(u64),
	Bytes(&'a [u8]),
}

fn malformed(detail: &str) -> StoreError {
	StoreError::Malformed { what: "dag-pb node", detail: detail.to_owned() }
}

/// Parses a dag-pb UnixFS node.
pub fn decode_node(bytes: &[u8]) -> Result<Node, StoreError> {
	let mut node = Node::default();
	let mut r = Reader { buf: bytes };
	while let Some((field, value)) = r.field().ok_or_else(|| malformed("bad protobuf"))? {
		match (field, value) {
			(2, Field::Bytes(link)) => {
				let mut lr = Reader { buf: link };
				while let Some((f, v)) = lr.field().ok_or_else(|| malformed("bad link"))? {
					if let (1, Field::Bytes(h)) = (f, v) {
						node.links.push(Cid::try_from(h).map_err(|_| malformed("bad link CID"))?);
					}
				}
			}
			(1, Field::Bytes(data)) => {
				let mut dr = Reader { buf: data };
				while let Some((f, v)) = dr.field().ok_or_else(|| malformed("bad UnixFS data"))? {
					match (f, v) {
						(1, Field::Varint(t)) => node.kind = t,
						(2, Field::Bytes(d)) => node.data = d.to_vec(),
						_ => {}
					}
				}
			}
			_ => return Err(malformed("unexpected field")),
		}
	}
	if node.kind != 2 && node.kind != 0 {
		return Err(malformed("not a UnixFS file"));
	}
	Ok(node)
}

/// Builds the balanced DAG of a file as its chunks arrive, in constant memory per level.
#[derive(Default)]
pub struct FileDag {
	levels: Vec<Vec<Link>>,
	leaves: u64,
}

/// A block the builder made, for the caller to store.
pub type Block = (Cid, Vec<u8>);

impl FileDag {
	/// An empty builder.
	pub fn new() -> Self {
		Self::default()
	}

	fn push(&mut self, level: usize, link: Link, out: &mut Vec<Block>) {
		if self.levels.len() <= level {
			self.levels.push(Vec::with_capacity(MAX_LINKS));
		}
		self.levels[level].push(link);
		if self.levels[level].len() == MAX_LINKS {
			let links = std::mem::take(&mut self.levels[level]);
			let parent = Self::node(&links, out);
			self.push(level + 1, parent, out);
		}
	}

	fn node(links: &[Link], out: &mut Vec<Block>) -> Link {
		let bytes = encode_file_node(links);
		let cid = cid_of(DAG_PB, &bytes);
		let link = Link {
			cid,
			tsize: bytes.len() as u64 + links.iter().map(|l| l.tsize).sum::<u64>(),
			filesize: links.iter().map(|l| l.filesize).sum(),
		};
		out.push((cid, bytes));
		link
	}

	/// Adds the next chunk (at most [`CHUNK_SIZE`] bytes); returns its CID and any inner nodes
	/// that became complete. The caller stores the chunk itself as a raw block.
	pub fn push_leaf(&mut self, chunk: &[u8]) -> (Cid, Vec<Block>) {
		let cid = cid_of(RAW, chunk);
		let mut out = Vec::new();
		let len = chunk.len() as u64;
		self.leaves += 1;
		self.push(0, Link { cid, tsize: len, filesize: len }, &mut out);
		(cid, out)
	}

	/// Closes the tree; returns the root link and the remaining inner nodes. A file that never
	/// got a chunk is the empty raw block (which the caller must store).
	pub fn finish(mut self) -> (Link, Vec<Block>) {
		let mut out = Vec::new();
		if self.leaves == 0 {
			let cid = cid_of(RAW, b"");
			return (Link { cid, tsize: 0, filesize: 0 }, out);
		}
		let mut level = 0;
		loop {
			let top = self.levels.iter().rposition(|l| !l.is_empty()).expect("one leaf at least");
			if level == top && self.levels[level].len() == 1 {
				return (self.levels[level].pop().expect("one"), out);
			}
			if !self.levels[level].is_empty() {
				let links = std::mem::take(&mut self.levels[level]);
				let parent = Self::node(&links, &mut out);
				if self.levels.len() <= level + 1 {
					self.levels.push(Vec::new());
				}
				// Never reaches MAX_LINKS here: a full level was already closed in `push`.
				self.levels[level + 1].push(parent);
			}
			level += 1;
		}
	}
}

/// The CID `ipfs add --cid-version=1 --raw-leaves` gives `data` (all in memory; for tests and
/// small payloads).
pub fn file_cid(data: &[u8]) -> Cid {
	let mut dag = FileDag::new();
	for chunk in data.chunks(CHUNK_SIZE) {
		dag.push_leaf(chunk);
	}
	dag.finish().0.cid
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn known_cids() {
		assert_eq!(
			file_cid(b"hello world\n").to_string(),
			"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
		);
		assert_eq!(
			file_cid(b"").to_string(),
			"bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
		);
	}

	#[test]
	fn node_round_trip() {
		let links: Vec<Link> =
			(0..3u8).map(|i| Link { cid: cid_of(RAW, &[i]), tsize: 1, filesize: 1 }).collect();
		let node = decode_node(&encode_file_node(&links)).unwrap();
		assert_eq!(node.links, links.iter().map(|l| l.cid).collect::<Vec<_>>());
		assert_eq!(node.kind, 2);
	}

	#[test]
	fn tree_shape() {
		// 175 leaves: a full node of 174 and a node holding the last leaf, under a root.
		let mut dag = FileDag::new();
		let mut nodes = 0;
		for i in 0..175u32 {
			nodes += dag.push_leaf(&i.to_be_bytes()).1.len();
		}
		let (root, rest) = dag.finish();
		nodes += rest.len();
		assert_eq!(nodes, 3);
		assert_eq!(root.filesize, 175 * 4);
		assert_eq!(decode_node(&rest.last().unwrap().1).unwrap().links.len(), 2);
	}
}
