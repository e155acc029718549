//! Payload stores: where encrypted records live, addressed by IPFS CIDs.
//!
//! - [`embedded::EmbeddedStore`] (the default): an on-disk block store that computes exactly
//!   the CIDs `ipfs add --cid-version=1 --raw-leaves` computes (256 KiB chunks, balanced DAG,
//!   at most 174 links per node), so a newcomer needs no daemon; [`car`] moves DAGs to and from a
//!   real IPFS network.
//! - [`kubo::KuboStore`]: a Kubo (or js-ipfs) daemon through its HTTP RPC API.
//!
//! Every `get` verifies the content against its CID while streaming.

pub mod car;
pub mod embedded;
pub mod kubo;
pub mod replicas;
pub mod unixfs;

use std::path::Path;

use async_trait::async_trait;
pub use cid::Cid;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
	/// The content is not in the store.
	#[error("{0} is not in the store")]
	NotFound(Cid),
	/// Bytes read do not hash to the CID they were asked for.
	#[error("content does not match its CID {cid}: {detail}")]
	Corrupt {
		/// The CID asked for.
		cid: Cid,
		/// What did not match.
		detail: String,
	},
	/// A CID this store cannot verify or serve (codec or hash function).
	#[error("unsupported CID {cid}: {reason}")]
	Unsupported {
		/// The CID.
		cid: Cid,
		/// Why.
		reason: &'static str,
	},
	/// No replica served a copy that matches the on-chain hash.
	#[error("no replica has a good copy of {cid}: {detail}")]
	NoGoodReplica {
		/// The CID asked for.
		cid: Cid,
		/// Each replica and what went wrong there.
		detail: String,
	},
	/// A string is not a CID.
	#[error("invalid CID `{0}`")]
	InvalidCid(String),
	/// A block or CAR file is malformed.
	#[error("malformed {what}: {detail}")]
	Malformed {
		/// What was parsed.
		what: &'static str,
		/// What is wrong.
		detail: String,
	},
	/// The IPFS daemon is not reachable.
	#[error("IPFS daemon at {url} is not reachable ({detail}); start it or set the store address")]
	Unreachable {
		/// The API address.
		url: String,
		/// The underlying error.
		detail: String,
	},
	/// The IPFS daemon did not answer in time.
	#[error("IPFS daemon at {url}: `{op}` timed out after {secs} s")]
	Timeout {
		/// The API address.
		url: String,
		/// The call.
		op: String,
		/// The timeout.
		secs: u64,
	},
	/// The IPFS daemon answered with an error.
	#[error("IPFS daemon: `{op}` failed: {detail}")]
	Daemon {
		/// The call.
		op: String,
		/// The daemon's message.
		detail: String,
	},
	/// Local I/O failed.
	#[error("store I/O: {0}")]
	Io(#[from] std::io::Error),
}

/// Parses a CID string (any multibase, v0 or v1).
pub fn parse_cid(s: &str) -> Result<Cid, StoreError> {
	Cid::try_from(s).map_err(|_| StoreError::InvalidCid(s.to_owned()))
}

/// The CID as Kubo prints v1 CIDs (base32); v0 CIDs stay base58btc.
pub fn cid_string(cid: &Cid) -> String {
	cid.to_string()
}

/// A content-addressed store of (encrypted) payloads.
#[async_trait]
pub trait PayloadStore: Send + Sync {
	/// Stores everything `reader` yields and returns its CID. The caller's bytes never sit in
	/// memory at once: they are chunked as they stream.
	async fn put(&self, reader: &mut (dyn AsyncRead + Send + Unpin)) -> Result<Cid, StoreError>;

	/// Stores the file at `path`.
	async fn put_file(&self, path: &Path) -> Result<Cid, StoreError> {
		let mut f = tokio::fs::File::open(path).await?;
		self.put(&mut f).await
	}

	/// Streams the content of `cid` to `writer`, verifying it against the CID as it goes.
	/// On error the writer may hold a prefix of the content: discard it.
	async fn get(
		&self,
		cid: &Cid,
		writer: &mut (dyn AsyncWrite + Send + Unpin),
	) -> Result<u64, StoreError>;

	/// Keeps `cid` (and its whole DAG) from garbage collection.
	async fn pin(&self, cid: &Cid) -> Result<(), StoreError>;

	/// Lets `cid` be garbage collected.
	async fn unpin(&self, cid: &Cid) -> Result<(), StoreError>;

	/// Whether the store holds the root block of `cid`.
	async fn has(&self, cid: &Cid) -> Result<bool, StoreError>;
}

/// Reads until `buf` is full or the input ends; returns how many bytes were read (fewer than
/// `buf.len()` only at the end of the input).
pub(crate) async fn read_full<R: AsyncRead + Unpin + ?Sized>(
	reader: &mut R,
	buf: &mut [u8],
) -> std::io::Result<usize> {
	let mut got = 0;
	while got < buf.len() {
		match reader.read(&mut buf[got..]).await? {
			0 => break,
			n => got += n,
		}
	}
	Ok(got)
}
