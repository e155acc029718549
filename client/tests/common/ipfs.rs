//! A real IPFS daemon for tests: js-ipfs 0.66 (Kubo RPC API) from `tests/ipfs/node_modules`,
//! in its own repository under a temporary directory, offline, on a free loopback port;
//! killed on drop.

use std::{
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// A running daemon.
pub struct Daemon {
	child: Child,
	dir: tempfile::TempDir,
	/// The RPC API port on 127.0.0.1.
	pub port: u16,
}

fn jsipfs() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/ipfs/node_modules/.bin/jsipfs")
}

fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Daemon {
	/// Starts a daemon and waits until its API answers. Panics (fails the test) when the
	/// daemon is not installed, with the command that installs it.
	pub fn start() -> Self {
		let bin = jsipfs();
		assert!(
			bin.exists(),
			"the test IPFS daemon is not installed ({} is missing): run scripts/setup.sh \
			 (or `npm ci && ./patch.sh` in tests/ipfs)",
			bin.display()
		);
		let dir = tempfile::tempdir().unwrap();
		let repo = dir.path().join("repo");
		let run = |args: &[&str]| {
			let out = Command::new(&bin)
				.args(args)
				.env("IPFS_PATH", &repo)
				.env("NO_UPDATE_NOTIFIER", "1")
				.output()
				.unwrap();
			assert!(
				out.status.success(),
				"jsipfs {args:?} failed: {}{}",
				String::from_utf8_lossy(&out.stdout),
				String::from_utf8_lossy(&out.stderr)
			);
		};
		run(&["init", "--profile", "test"]);
		let port = free_port();
		run(&["config", "Addresses.API", &format!("/ip4/127.0.0.1/tcp/{port}")]);
		run(&["config", "Addresses.Gateway", "/ip4/127.0.0.1/tcp/0"]);
		// An empty RPC address crashes its gRPC server setup; port 0 works.
		run(&["config", "Addresses.RPC", "/ip4/127.0.0.1/tcp/0/ws"]);
		let log = std::fs::File::create(dir.path().join("daemon.log")).unwrap();
		let child = Command::new(&bin)
			.args(["daemon", "--offline", "--enable-preload=false"])
			.env("IPFS_PATH", &repo)
			.env("NO_UPDATE_NOTIFIER", "1")
			.stdin(Stdio::null())
			.stdout(log.try_clone().unwrap())
			.stderr(log)
			.spawn()
			.unwrap();
		let mut daemon = Self { child, dir, port };
		daemon.wait_ready();
		daemon
	}

	fn wait_ready(&mut self) {
		let deadline = Instant::now() + Duration::from_secs(60);
		while Instant::now() < deadline {
			if let Some(status) = self.child.try_wait().unwrap() {
				panic!("the IPFS daemon exited ({status}): {}", self.log());
			}
			if self.api_answers() {
				return;
			}
			std::thread::sleep(Duration::from_millis(200));
		}
		panic!("the IPFS daemon did not answer within 60 s: {}", self.log());
	}

	fn api_answers(&self) -> bool {
		let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
		let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
		let req = format!(
			"POST /api/v0/version HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\r\n",
			self.port
		);
		if s.write_all(req.as_bytes()).is_err() {
			return false;
		}
		let mut resp = String::new();
		let _ = s.read_to_string(&mut resp);
		resp.starts_with("HTTP/1.1 200") || resp.starts_with("HTTP/1.0 200")
	}

	/// The daemon's output so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(self.dir.path().join("daemon.log")).unwrap_or_default()
	}

	/// `host:port` of the API.
	pub fn address(&self) -> String {
		format!("127.0.0.1:{}", self.port)
	}

	/// `ipfs add` of `data` with the given query options, straight over HTTP; returns the
	/// CID string the daemon reports.
	pub async fn add(&self, data: Vec<u8>, query: &str) -> String {
		let part = reqwest::multipart::Part::bytes(data)
			.file_name("data")
			.mime_str("application/octet-stream")
			.unwrap();
		let form = reqwest::multipart::Form::new().part("file", part);
		let url = format!("http://{}/api/v0/add?{query}", self.address());
		let body = reqwest::Client::new()
			.post(url)
			.multipart(form)
			.send()
			.await
			.unwrap()
			.text()
			.await
			.unwrap();
		let at = body.find("\"Hash\":\"").unwrap_or_else(|| panic!("add answered {body}")) + 8;
		body[at..at + body[at..].find('"').unwrap()].to_owned()
	}
}

impl Drop for Daemon {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}
