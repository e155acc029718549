//! The embedded payload store: blocks in files under one directory, addressed by the same CIDs
//! Kubo computes for `ipfs add --cid-version=1 --raw-leaves`.
//!
//! Layout: `blocks/<2-char shard>/<cid>` (one file per block), `pins/<cid>`, `tmp/`. Every
//! block is written to `tmp/`, fsynced, then renamed into place, and the touched shard
//! directories are fsynced before `put` returns, so a crash never leaves a partial block
//! under a CID. `get` re-hashes every block it reads.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use ehr_client::store::{embedded::EmbeddedStore, PayloadStore};
//! let dir = tempfile::tempdir()?;
//! let store = EmbeddedStore::open(dir.path())?;
//! let cid = store.put(&mut &b"hello world\n"[..]).await?;
//! assert_eq!(cid.to_string(), "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
//! let mut out = Vec::new();
//! store.get(&cid, &mut out).await?;
//! assert_eq!(out, b"hello world\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

use std::{
	collections::BTreeSet,
	path::{Path, PathBuf},
};

use async_trait::async_trait;
use cid::Cid;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::{
	car, read_full,
	unixfs::{self, FileDag, CHUNK_SIZE, DAG_PB, RAW},
	PayloadStore, StoreError,
};

/// An on-disk content-addressed block store.
#[derive(Clone, Debug)]
pub struct EmbeddedStore {
	root: PathBuf,
}

impl EmbeddedStore {
	/// Opens (creating if needed) the store in directory `root`.
	pub fn open(root: impl AsRef<Path>) -> Result<Self, StoreError> {
		let root = root.as_ref().to_owned();
		for d in ["blocks", "pins", "tmp"] {
			std::fs::create_dir_all(root.join(d))?;
		}
		Ok(Self { root })
	}

	/// The store's directory.
	pub fn root(&self) -> &Path {
		&self.root
	}

	fn shard_dir(&self, cid: &Cid) -> PathBuf {
		let s = cid.to_string();
		self.root.join("blocks").join(&s[s.len() - 3..s.len() - 1])
	}

	/// The file that holds block `cid` (whether or not it is there). A record of at most
	/// 256 KiB is one block, whose CID is the record's.
	pub fn block_path(&self, cid: &Cid) -> PathBuf {
		self.shard_dir(cid).join(cid.to_string())
	}

	/// Stores one block (after checking its hash) unless an intact copy is already there; a
	/// damaged copy is replaced, which is how a good replica repairs a tampered one. Returns
	/// the shard directory it went to.
	pub async fn put_block(&self, cid: &Cid, data: Vec<u8>) -> Result<PathBuf, StoreError> {
		unixfs::verify_block(cid, &data)?;
		let dir = self.shard_dir(cid);
		let path = self.block_path(cid);
		let cid = *cid;
		let tmp = self.root.join("tmp").join(format!(
			"{}.{}",
			cid,
			hex::encode(crate::crypto::random_array::<6>())
		));
		tokio::task::spawn_blocking(move || -> std::io::Result<()> {
			match std::fs::read(&path) {
				Ok(existing) if unixfs::verify_block(&cid, &existing).is_ok() => return Ok(()),
				Ok(_) => {}
				Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
				Err(e) => return Err(e),
			}
			std::fs::create_dir_all(path.parent().expect("shard"))?;
			let result = (|| {
				use std::io::Write;
				let mut f = std::fs::File::create(&tmp)?;
				f.write_all(&data)?;
				f.sync_data()?;
				std::fs::rename(&tmp, &path)
			})();
			if result.is_err() {
				let _ = std::fs::remove_file(&tmp);
			}
			result
		})
		.await
		.map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
		Ok(dir)
	}

	/// Reads one block and checks its hash.
	pub async fn get_block(&self, cid: &Cid) -> Result<Vec<u8>, StoreError> {
		let data = match tokio::fs::read(self.block_path(cid)).await {
			Ok(d) => d,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
				return Err(StoreError::NotFound(*cid))
			}
			Err(e) => return Err(e.into()),
		};
		unixfs::verify_block(cid, &data)?;
		Ok(data)
	}

	async fn sync_dirs(dirs: BTreeSet<PathBuf>) -> Result<(), StoreError> {
		tokio::task::spawn_blocking(move || -> std::io::Result<()> {
			for d in dirs {
				std::fs::File::open(d)?.sync_all()?;
			}
			Ok(())
		})
		.await
		.map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
		Ok(())
	}

	/// A depth-first walk of the DAG under `cid`, in link order (for a UnixFS file, the file
	/// order of its leaves); every block is verified as it is read.
	fn walk(&self, cid: &Cid) -> Walk<'_> {
		Walk { store: self, stack: vec![vec![*cid].into_iter()] }
	}

	/// Writes the DAG under `root` as a CAR v1 (blocks in depth-first order).
	pub async fn export_car(
		&self,
		root: &Cid,
		writer: &mut (dyn AsyncWrite + Send + Unpin),
	) -> Result<(), StoreError> {
		car::write_header(writer, &[*root]).await?;
		let mut walk = self.walk(root);
		while let Some((cid, data, _)) = walk.next().await? {
			car::write_block(writer, &cid, &data).await?;
		}
		writer.flush().await?;
		Ok(())
	}

	/// Reads a CAR v1, checks every block against its CID, stores the blocks and returns the
	/// roots (which must then be present).
	pub async fn import_car(
		&self,
		reader: &mut (dyn AsyncRead + Send + Unpin),
	) -> Result<Vec<Cid>, StoreError> {
		let mut car = car::CarReader::new(reader).await?;
		let mut dirs = BTreeSet::new();
		while let Some((cid, data)) = car.next_block().await? {
			dirs.insert(self.put_block(&cid, data).await?);
		}
		Self::sync_dirs(dirs).await?;
		let roots = car.roots.clone();
		for root in &roots {
			if !self.has(root).await? {
				return Err(StoreError::Malformed {
					what: "CAR file",
					detail: format!("root {root} is not among its blocks"),
				});
			}
		}
		Ok(roots)
	}
}

/// The state of a depth-first DAG walk: one iterator of pending links per level.
struct Walk<'a> {
	store: &'a EmbeddedStore,
	stack: Vec<std::vec::IntoIter<Cid>>,
}

impl Walk<'_> {
	/// The next block: its CID, bytes and, for dag-pb, the parsed node.
	async fn next(&mut self) -> Result<Option<(Cid, Vec<u8>, Option<unixfs::Node>)>, StoreError> {
		while let Some(top) = self.stack.last_mut() {
			let Some(next) = top.next() else {
				self.stack.pop();
				continue;
			};
			let data = self.store.get_block(&next).await?;
			return match next.codec() {
				RAW => Ok(Some((next, data, None))),
				DAG_PB => {
					let node = unixfs::decode_node(&data)?;
					self.stack.push(node.links.clone().into_iter());
					Ok(Some((next, data, Some(node))))
				}
				_ => {
					Err(StoreError::Unsupported { cid: next, reason: "codec is not raw or dag-pb" })
				}
			};
		}
		Ok(None)
	}
}

#[async_trait]
impl PayloadStore for EmbeddedStore {
	async fn put(&self, reader: &mut (dyn AsyncRead + Send + Unpin)) -> Result<Cid, StoreError> {
		let mut dag = FileDag::new();
		let mut dirs = BTreeSet::new();
		loop {
			let mut chunk = vec![0u8; CHUNK_SIZE];
			let got = read_full(reader, &mut chunk).await?;
			if got == 0 {
				break;
			}
			chunk.truncate(got);
			let (cid, nodes) = dag.push_leaf(&chunk);
			dirs.insert(self.put_block(&cid, chunk).await?);
			for (cid, bytes) in nodes {
				dirs.insert(self.put_block(&cid, bytes).await?);
			}
			if got < CHUNK_SIZE {
				break;
			}
		}
		let (root, nodes) = dag.finish();
		if root.filesize == 0 {
			dirs.insert(self.put_block(&root.cid, Vec::new()).await?);
		}
		for (cid, bytes) in nodes {
			dirs.insert(self.put_block(&cid, bytes).await?);
		}
		Self::sync_dirs(dirs).await?;
		Ok(root.cid)
	}

	async fn get(
		&self,
		cid: &Cid,
		writer: &mut (dyn AsyncWrite + Send + Unpin),
	) -> Result<u64, StoreError> {
		let mut total = 0u64;
		let mut walk = self.walk(cid);
		while let Some((_, data, node)) = walk.next().await? {
			let bytes = match &node {
				None => &data[..],
				Some(node) => &node.data[..],
			};
			writer.write_all(bytes).await?;
			total += bytes.len() as u64;
		}
		writer.flush().await?;
		Ok(total)
	}

	async fn pin(&self, cid: &Cid) -> Result<(), StoreError> {
		if !self.has(cid).await? {
			return Err(StoreError::NotFound(*cid));
		}
		let path = self.root.join("pins").join(cid.to_string());
		tokio::fs::write(path, b"").await?;
		Ok(())
	}

	async fn unpin(&self, cid: &Cid) -> Result<(), StoreError> {
		match tokio::fs::remove_file(self.root.join("pins").join(cid.to_string())).await {
			Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
			_ => Ok(()),
		}
	}

	async fn has(&self, cid: &Cid) -> Result<bool, StoreError> {
		Ok(tokio::fs::try_exists(self.block_path(cid)).await?)
	}
}
