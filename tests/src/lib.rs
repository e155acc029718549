//! Helpers of the end-to-end tests: start real `ehr-node` processes on free loopback ports,
//! talk to them over JSON-RPC, and stop them when the test ends (also when it fails).

pub mod consortium;
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
	built_binary("ehr-node")
}

/// The `ehr` wallet binary under test: `$EHR_CLI` or the one next to the test executable.
pub fn cli_binary() -> Result<PathBuf> {
	if let Some(path) = std::env::var_os("EHR_CLI") {
		return Ok(PathBuf::from(path));
	}
	built_binary("ehr")
}

/// Runs the independent FHIR R4 checks (`tests/fhir/validate.js`: HL7's JSON schema,
/// FHIR.js, the specification's invariants in fhirpath.js) on `files`; `Ok(())` if they
/// pass, the checker's report otherwise.
pub fn fhir_validate(files: &[&Path]) -> Result<(), String> {
	let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fhir/validate.js");
	let out = Command::new("node").arg(&script).args(files).output().map_err(|e| {
		format!("cannot run node {}: {e} (scripts/setup.sh installs it)", script.display())
	})?;
	if out.status.success() {
		Ok(())
	} else {
		Err(format!(
			"{}{}",
			String::from_utf8_lossy(&out.stdout),
			String::from_utf8_lossy(&out.stderr)
		))
	}
}

/// The workspace binary `name` of the profile the tests were built with.
fn built_binary(name: &str) -> Result<PathBuf> {
	// target/<profile>/deps/<test> -> target/<profile>/<name>
	let exe = std::env::current_exe()?;
	let profile_dir = exe
		.parent()
		.and_then(Path::parent)
		.ok_or_else(|| anyhow!("cannot locate the target directory from {}", exe.display()))?;
	let bin = profile_dir.join(name);
	if !bin.exists() {
		bail!(
			"{} is missing: run `cargo build --workspace` first (scripts/test.sh does)",
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
	base: tempfile::TempDir,
	args: Vec<String>,
	log: PathBuf,
	http: reqwest::Client,
}

impl Node {
	/// Starts `ehr-node` with a temporary base path, free ports and `extra` arguments, and waits
	/// until it answers `system_health`.
	pub async fn start(extra: &[&str]) -> Result<Node> {
		let mut node = Self::spawn(free_port(), extra)?;
		node.wait_ready().await?;
		Ok(node)
	}

	/// Starts `ehr-node` on the peer-to-peer port `p2p_port` (with a temporary base path, a free
	/// RPC port and `extra` arguments) without waiting for it: start several, then
	/// [`Node::wait_ready`] each.
	pub fn spawn(p2p_port: u16, extra: &[&str]) -> Result<Node> {
		let base = tempfile::tempdir()?;
		let rpc_port = free_port();
		let mut args: Vec<String> = vec!["--base-path".into()];
		args.push(base.path().join("data").to_string_lossy().into_owned());
		args.extend([
			"--rpc-port".into(),
			rpc_port.to_string(),
			"--port".into(),
			p2p_port.to_string(),
		]);
		args.extend(["--no-prometheus", "--no-telemetry", "--no-mdns"].map(String::from));
		args.extend(extra.iter().map(|a| a.to_string()));
		let log = base.path().join("node.log");
		let child = Self::launch(&args, &log)?;
		Ok(Node { child, rpc_port, p2p_port, base, args, log, http: reqwest::Client::new() })
	}

	fn launch(args: &[String], log: &Path) -> Result<Child> {
		let log_file = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
		Command::new(node_binary()?)
			.args(args)
			.stdin(Stdio::null())
			.stdout(log_file.try_clone()?)
			.stderr(log_file)
			.spawn()
			.context("spawning ehr-node")
	}

	/// Stops the node (SIGTERM) and starts it again with the same database, ports and
	/// arguments; waits until it answers RPC.
	pub async fn restart(&mut self) -> Result<()> {
		self.stop(Duration::from_secs(20))?;
		self.relaunch().await
	}

	/// Starts a stopped node again with the same database, ports and arguments; waits until
	/// it answers RPC.
	pub async fn relaunch(&mut self) -> Result<()> {
		anyhow::ensure!(self.child.try_wait()?.is_some(), "the node is still running");
		self.child = Self::launch(&self.args, &self.log)?;
		self.wait_ready().await
	}

	/// Freezes the process (SIGSTOP): an outage that keeps its state, undone by
	/// [`Node::resume`].
	pub fn pause(&self) -> Result<()> {
		self.signal("-STOP")
	}

	/// Lets a paused process run again (SIGCONT).
	pub fn resume(&self) -> Result<()> {
		self.signal("-CONT")
	}

	fn signal(&self, signal: &str) -> Result<()> {
		let status = Command::new("kill").args([signal, &self.child.id().to_string()]).status()?;
		anyhow::ensure!(status.success(), "kill {signal} {} failed", self.child.id());
		Ok(())
	}

	/// The node's base path (its database and keystore live under `data/`).
	pub fn base_path(&self) -> &Path {
		self.base.path()
	}

	/// The node's log so far (for failure messages).
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log).unwrap_or_default()
	}

	/// WebSocket URL of the node's RPC server.
	pub fn ws_url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// Waits until the node answers `system_health` (fails if it exits first).
	pub async fn wait_ready(&mut self) -> Result<()> {
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
		// A paused process handles SIGTERM only once it runs again.
		let _ = self.resume();
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
