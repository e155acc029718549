//! A Kubo (go-ipfs) or js-ipfs daemon as payload store, through its HTTP RPC API.
//!
//! `add` goes through the `ipfs-api-backend-hyper` crate (`cid-version=1`, `raw-leaves=true`,
//! the 256 KiB chunker), while the bytes stream to it the CID is also computed locally, and the
//! daemon's answer must equal it. Calls that name a CID (`cat`, `pin/add`, `pin/rm`,
//! `block/stat`, `dag/export`) go over plain HTTP because they need `timeout=` (a daemon
//! without the content waits for the network, and js-ipfs waits forever when offline) and
//! `dag/export`/`dag/import` are missing from the crate. Idempotent calls are retried on
//! connection failures; a daemon that is not listening is reported as
//! [`StoreError::Unreachable`].

use std::time::Duration;

use async_trait::async_trait;
use cid::{Cid, Version};
use futures::StreamExt;
use ipfs_api_backend_hyper::{IpfsApi, IpfsClient, TryFromUri};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio_util::compat::TokioAsyncReadCompatExt;

use super::{
	read_full,
	unixfs::{FileDag, CHUNK_SIZE},
	PayloadStore, StoreError,
};

/// Where and how to reach the daemon.
#[derive(Clone, Debug)]
pub struct KuboConfig {
	/// `host:port` of the RPC API (default `127.0.0.1:5001`).
	pub address: String,
	/// Bound on calls that name a CID; also sent to the daemon as `timeout=`.
	pub timeout: Duration,
	/// Bound on one `add` (the whole upload).
	pub add_timeout: Duration,
	/// How often idempotent calls are retried after a connection failure.
	pub retries: u32,
}

impl Default for KuboConfig {
	fn default() -> Self {
		Self {
			address: "127.0.0.1:5001".into(),
			timeout: Duration::from_secs(30),
			add_timeout: Duration::from_secs(600),
			retries: 2,
		}
	}
}

/// A payload store backed by an IPFS daemon.
#[derive(Clone)]
pub struct KuboStore {
	config: KuboConfig,
	base: String,
	client: IpfsClient,
	http: reqwest::Client,
}

impl core::fmt::Debug for KuboStore {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.debug_struct("KuboStore").field("config", &self.config).finish_non_exhaustive()
	}
}

impl KuboStore {
	/// A client of the daemon at `config.address` (no request is made yet).
	pub fn new(config: KuboConfig) -> Result<Self, StoreError> {
		let base = format!("http://{}", config.address);
		let client = IpfsClient::from_str(&base).map_err(|e| StoreError::Unreachable {
			url: base.clone(),
			detail: format!("invalid address: {e}"),
		})?;
		let http = reqwest::Client::builder()
			.connect_timeout(Duration::from_secs(5))
			.build()
			.map_err(|e| StoreError::Unreachable { url: base.clone(), detail: e.to_string() })?;
		Ok(Self { config, base, client, http })
	}

	/// The daemon's version string; the cheapest way to check it is reachable.
	pub async fn version(&self) -> Result<String, StoreError> {
		let v = tokio::time::timeout(self.config.timeout, self.client.version())
			.await
			.map_err(|_| self.timeout_err("version"))?
			.map_err(|e| self.crate_err("version", e))?;
		Ok(v.version)
	}

	fn timeout_err(&self, op: &str) -> StoreError {
		StoreError::Timeout {
			url: self.base.clone(),
			op: op.into(),
			secs: self.config.timeout.as_secs(),
		}
	}

	fn crate_err(&self, op: &str, e: ipfs_api_backend_hyper::Error) -> StoreError {
		match e {
			ipfs_api_backend_hyper::Error::Client(e) if e.is_connect() => {
				StoreError::Unreachable { url: self.base.clone(), detail: e.to_string() }
			}
			ipfs_api_backend_hyper::Error::Api(e) => {
				StoreError::Daemon { op: op.into(), detail: e.message }
			}
			other => StoreError::Daemon { op: op.into(), detail: other.to_string() },
		}
	}

	fn http_err(&self, op: &str, e: reqwest::Error) -> StoreError {
		if e.is_connect() {
			StoreError::Unreachable { url: self.base.clone(), detail: e.to_string() }
		} else if e.is_timeout() {
			self.timeout_err(op)
		} else {
			StoreError::Daemon { op: op.into(), detail: e.to_string() }
		}
	}

	/// POSTs `/api/v0/{op}` with `args` and `timeout=`, retrying connection failures; returns
	/// the response once its status is success.
	async fn call(
		&self,
		op: &str,
		args: &[(&str, String)],
		timeout: Duration,
	) -> Result<reqwest::Response, StoreError> {
		let url = format!("{}/api/v0/{}", self.base, op);
		let mut query: Vec<(&str, String)> = args.to_vec();
		query.push(("timeout", format!("{}s", timeout.as_secs().max(1))));
		let mut attempt = 0;
		loop {
			let sent = self
				.http
				.post(&url)
				.query(&query)
				.timeout(timeout + Duration::from_secs(2))
				.send()
				.await;
			match sent {
				Ok(resp) if resp.status().is_success() => return Ok(resp),
				Ok(resp) => {
					let status = resp.status();
					let body = resp.text().await.unwrap_or_default();
					let detail =
						serde_message(&body).unwrap_or_else(|| format!("HTTP {status}: {body}"));
					return Err(StoreError::Daemon { op: op.into(), detail });
				}
				Err(e) if e.is_connect() && attempt < self.config.retries => {
					attempt += 1;
					tokio::time::sleep(Duration::from_millis(200 * attempt as u64)).await;
				}
				Err(e) => return Err(self.http_err(op, e)),
			}
		}
	}

	/// Streams the DAG under `cid` as a CAR v1 into `writer` (`dag/export`).
	pub async fn export_car(
		&self,
		cid: &Cid,
		writer: &mut (dyn AsyncWrite + Send + Unpin),
	) -> Result<u64, StoreError> {
		let resp =
			self.call("dag/export", &[("arg", cid.to_string())], self.config.timeout).await?;
		let mut total = 0;
		let mut body = resp.bytes_stream();
		while let Some(piece) = body.next().await {
			let piece = piece.map_err(|e| self.http_err("dag/export", e))?;
			writer.write_all(&piece).await?;
			total += piece.len() as u64;
		}
		writer.flush().await?;
		Ok(total)
	}

	/// Imports a CAR v1 (`dag/import`, roots pinned); returns the daemon's answer.
	pub async fn import_car(&self, car: Vec<u8>) -> Result<String, StoreError> {
		let url = format!("{}/api/v0/dag/import", self.base);
		let part = reqwest::multipart::Part::bytes(car)
			.file_name("data.car")
			.mime_str("application/octet-stream")
			.expect("valid mime");
		let form = reqwest::multipart::Form::new().part("file", part);
		let resp = self
			.http
			.post(&url)
			.multipart(form)
			.timeout(self.config.add_timeout)
			.send()
			.await
			.map_err(|e| self.http_err("dag/import", e))?;
		let status = resp.status();
		let body = resp.text().await.map_err(|e| self.http_err("dag/import", e))?;
		if !status.is_success() {
			return Err(StoreError::Daemon { op: "dag/import".into(), detail: body });
		}
		Ok(body)
	}
}

/// The `Message` of a daemon's JSON error answer.
fn serde_message(body: &str) -> Option<String> {
	let at = body.find("\"Message\":\"")? + 11;
	let end = body[at..].find('"')?;
	Some(body[at..at + end].to_owned())
}

#[async_trait]
impl PayloadStore for KuboStore {
	async fn put(&self, reader: &mut (dyn AsyncRead + Send + Unpin)) -> Result<Cid, StoreError> {
		let (mut tx, rx) = tokio::io::duplex(CHUNK_SIZE);
		let options = ipfs_api_backend_hyper::request::Add {
			cid_version: Some(1),
			raw_leaves: Some(true),
			chunker: Some("size-262144"),
			..Default::default()
		};
		let upload = async {
			tokio::time::timeout(
				self.config.add_timeout,
				self.client.add_async_with_options(rx.compat(), options),
			)
			.await
			.map_err(|_| self.timeout_err("add"))?
			.map_err(|e| self.crate_err("add", e))
		};
		let feed = async move {
			let mut dag = FileDag::new();
			let mut chunk = vec![0u8; CHUNK_SIZE];
			loop {
				let got = read_full(reader, &mut chunk).await?;
				if got == 0 {
					break;
				}
				dag.push_leaf(&chunk[..got]);
				// The daemon may have hung up (its error comes from `upload`).
				if tx.write_all(&chunk[..got]).await.is_err() || got < CHUNK_SIZE {
					break;
				}
			}
			drop(tx);
			Ok::<_, StoreError>(dag.finish().0.cid)
		};
		let (answer, expected) = tokio::join!(upload, feed);
		let answer = answer?;
		let expected = expected?;
		let got = super::parse_cid(&answer.hash)?;
		if got != expected {
			return Err(StoreError::Corrupt {
				cid: expected,
				detail: format!("the daemon computed {got} for the bytes sent"),
			});
		}
		Ok(got)
	}

	async fn get(
		&self,
		cid: &Cid,
		writer: &mut (dyn AsyncWrite + Send + Unpin),
	) -> Result<u64, StoreError> {
		if cid.version() != Version::V1 {
			return Err(StoreError::Unsupported {
				cid: *cid,
				reason: "only CIDv1 raw-leaves files can be verified while streaming",
			});
		}
		let resp = self.call("cat", &[("arg", cid.to_string())], self.config.timeout).await?;
		let mut body = resp.bytes_stream();
		let mut dag = FileDag::new();
		let mut pending: Vec<u8> = Vec::with_capacity(CHUNK_SIZE);
		let mut total = 0u64;
		while let Some(piece) = body.next().await {
			let mut piece = &piece.map_err(|e| self.http_err("cat", e))?[..];
			while !piece.is_empty() {
				let take = (CHUNK_SIZE - pending.len()).min(piece.len());
				pending.extend_from_slice(&piece[..take]);
				piece = &piece[take..];
				if pending.len() == CHUNK_SIZE {
					dag.push_leaf(&pending);
					writer.write_all(&pending).await?;
					total += pending.len() as u64;
					pending.clear();
				}
			}
		}
		if !pending.is_empty() {
			dag.push_leaf(&pending);
			writer.write_all(&pending).await?;
			total += pending.len() as u64;
		}
		writer.flush().await?;
		let computed = dag.finish().0.cid;
		if computed != *cid {
			return Err(StoreError::Corrupt {
				cid: *cid,
				detail: format!("the daemon's bytes hash to {computed}"),
			});
		}
		Ok(total)
	}

	async fn pin(&self, cid: &Cid) -> Result<(), StoreError> {
		self.call("pin/add", &[("arg", cid.to_string())], self.config.timeout).await?;
		Ok(())
	}

	async fn unpin(&self, cid: &Cid) -> Result<(), StoreError> {
		self.call("pin/rm", &[("arg", cid.to_string())], self.config.timeout).await?;
		Ok(())
	}

	async fn has(&self, cid: &Cid) -> Result<bool, StoreError> {
		let args = [("arg", cid.to_string()), ("offline", "true".to_owned())];
		match self.call("block/stat", &args, Duration::from_secs(2)).await {
			Ok(_) => Ok(true),
			Err(StoreError::Daemon { .. }) | Err(StoreError::Timeout { .. }) => Ok(false),
			Err(e) => Err(e),
		}
	}
}
