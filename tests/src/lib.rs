//! Helpers of the end-to-end tests: start real `ehr-node` processes on free loopback ports,
//! talk to them over JSON-RPC, and stop them when the test ends (also when it fails).

pub mod scenario;

use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, Output, Stdio},
	time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

/// How long a debug node may take to start answering RPC.
pub const START_TIMEOUT: Duration = Duration::from_secs(180);

/// The `ehr-node` binary under test: `$EHR_NODE` or the one next to the test executable.
pub fn node_binary() -> Result<PathBuf> {
	if let Some(path) = std::env::var_os("EHR_NODE") {
		return Ok(PathBuf::from(path));
	}
	// target/<profile>/deps/<test> -> target/<profile>/ehr-node
	let exe = std::env::current_exe()?;
	let profile_dir = exe
		.parent()
		.and_then(Path::parent)
		.ok_or_else(|| anyhow!("cannot locate the target directory from {}", exe.display()))?;
	let bin = profile_dir.join("ehr-node");
	if !bin.exists() {
		bail!(
			"{} is missing: run `cargo build -p ehr-node` first (scripts/test.sh does)",
			bin.display()
		);
	}
	Ok(bin)
}

/// A TCP port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// Runs `ehr-node` with `args` to completion (for subcommands and start-up failures); kills it
/// and fails if it is still running after `START_TIMEOUT`.
pub fn run_node(args: &[&str]) -> Result<Output> {
	let mut child = Command::new(node_binary()?)
		.args(args)
		.stdin(Stdio::null())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.context("running ehr-node")?;
	let started = Instant::now();
	while child.try_wait()?.is_none() {
		if started.elapsed() > START_TIMEOUT {
			child.kill()?;
			let out = child.wait_with_output()?;
			bail!(
				"ehr-node {args:?} still running after {START_TIMEOUT:?}:\n{}",
				String::from_utf8_lossy(&out.stderr)
			);
		}
		std::thread::sleep(Duration::from_millis(100));
	}
	Ok(child.wait_with_output()?)
}

/// A running node process, killed when dropped.
pub struct Node {
	child: Child,
	/// Its JSON-RPC port on 127.0.0.1.
	pub rpc_port: u16,
	/// Its peer-to-peer port on 127.0.0.1.
	pub p2p_port: u16,
	_base: tempfile::TempDir,
	log: PathBuf,
	http: reqwest::Client,
}

impl Node {
	/// Starts `ehr-node` with a temporary base path, free ports and `extra` arguments, and waits
	/// until it answers `system_health`.
	pub async fn start(extra: &[&str]) -> Result<Node> {
		let base = tempfile::tempdir()?;
		let rpc_port = free_port();
		let p2p_port = free_port();
		let log = base.path().join("node.log");
		let log_file = std::fs::File::create(&log)?;
		let child = Command::new(node_binary()?)
			.arg("--base-path")
			.arg(base.path().join("data"))
			.args(["--rpc-port", &rpc_port.to_string(), "--port", &p2p_port.to_string()])
			.args(["--no-prometheus", "--no-telemetry", "--no-mdns"])
			.args(extra)
			.stdin(Stdio::null())
			.stdout(log_file.try_clone()?)
			.stderr(log_file)
			.spawn()
			.context("spawning ehr-node")?;
		let mut node =
			Node { child, rpc_port, p2p_port, _base: base, log, http: reqwest::Client::new() };
		node.wait_ready().await?;
		Ok(node)
	}

	/// The node's log so far (for failure messages).
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log).unwrap_or_default()
	}

	/// WebSocket URL of the node's RPC server.
	pub fn ws_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	async fn wait_ready(&mut self) -> Result<()> {
		let started = Instant::now();
		while started.elapsed() < START_TIMEOUT {
			if let Some(status) = self.child.try_wait()? {
				bail!("ehr-node exited with {status} during start-up:\n{}", self.log());
			}
			if self.rpc("system_health", json!([])).await.is_ok() {
				return Ok(());
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		bail!("ehr-node did not answer RPC within {START_TIMEOUT:?}:\n{}", self.log())
	}

	/// Calls a JSON-RPC method over HTTP and returns its `result`.
	pub async fn rpc(&self, method: &str, params: Value) -> Result<Value> {
		let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
		let reply: Value = self
			.http
			.post(format!("http://127.0.0.1:{}", self.rpc_port))
			.json(&body)
			.timeout(Duration::from_secs(30))
			.send()
			.await?
			.json()
			.await?;
		if let Some(error) = reply.get("error") {
			bail!("{method} failed: {error}");
		}
		reply.get("result").cloned().ok_or_else(|| anyhow!("{method}: no result in {reply}"))
	}

	/// Number of the best block.
	pub async fn best_number(&self) -> Result<u64> {
		let header = self.rpc("chain_getHeader", json!([])).await?;
		hex_number(&header["number"])
	}

	/// Number of the last finalized block.
	pub async fn finalized_number(&self) -> Result<u64> {
		let hash = self.rpc("chain_getFinalizedHead", json!([])).await?;
		let header = self.rpc("chain_getHeader", json!([hash])).await?;
		hex_number(&header["number"])
	}

	/// Waits until `probe` returns at least `target`, for at most `timeout`.
	pub async fn wait_for<F, Fut>(
		&self,
		what: &str,
		target: u64,
		timeout: Duration,
		probe: F,
	) -> Result<u64>
	where
		F: Fn() -> Fut,
		Fut: std::future::Future<Output = Result<u64>>,
	{
		let started = Instant::now();
		let mut last = 0;
		while started.elapsed() < timeout {
			last = probe().await?;
			if last >= target {
				return Ok(last);
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		bail!("{what} stayed at {last} < {target} for {timeout:?}:\n{}", self.log())
	}

	/// Stops the node with SIGTERM and waits for it to exit; returns whether it exited on its
	/// own within `grace`.
	pub fn stop(&mut self, grace: Duration) -> Result<bool> {
		if self.child.try_wait()?.is_some() {
			return Ok(true);
		}
		Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status()?;
		let started = Instant::now();
		while started.elapsed() < grace {
			if self.child.try_wait()?.is_some() {
				return Ok(true);
			}
			std::thread::sleep(Duration::from_millis(100));
		}
		self.child.kill()?;
		self.child.wait()?;
		Ok(false)
	}

	/// The process id, to check that nothing is left behind.
	pub fn pid(&self) -> u32 {
		self.child.id()
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		let _ = self.stop(Duration::from_secs(10));
	}
}

/// Parses a `0x`-prefixed hex number as JSON-RPC returns block numbers.
pub fn hex_number(value: &Value) -> Result<u64> {
	let text = value.as_str().ok_or_else(|| anyhow!("not a hex string: {value}"))?;
	Ok(u64::from_str_radix(text.trim_start_matches("0x"), 16)?)
}

/// Decodes a `0x`-prefixed hex string.
pub fn hex_bytes(value: &Value) -> Result<Vec<u8>> {
	let text = value.as_str().ok_or_else(|| anyhow!("not a hex string: {value}"))?;
	Ok(hex::decode(text.trim_start_matches("0x"))?)
}
