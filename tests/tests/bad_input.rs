//! Bad command-line input: the node exits non-zero with one line that says what to do.

use std::net::TcpListener;

use ehr_tests::run_node;

fn error_line(args: &[&str]) -> String {
	let out = run_node(args).expect("run ehr-node");
	assert!(!out.status.success(), "ehr-node {args:?} should fail");
	let stderr = String::from_utf8_lossy(&out.stderr);
	let line = stderr
		.lines()
		.rev()
		.find(|l| l.starts_with("Error: "))
		.unwrap_or_else(|| panic!("no `Error:` line in:\n{stderr}"))
		.to_string();
	line
}

#[test]
fn unknown_chain_names_the_accepted_values() {
	let line = error_line(&["--chain", "mainnet-please", "--tmp"]);
	assert!(line.contains("unknown chain `mainnet-please`"), "{line}");
	assert!(line.contains("--dev") && line.contains("local"), "{line}");
}

#[test]
fn unwritable_base_path_says_to_choose_another() {
	let dir = tempfile::tempdir().expect("tempdir");
	// A path below a regular file can never be created (whatever the user's privileges).
	let file = dir.path().join("file");
	std::fs::write(&file, b"not a directory").expect("write");
	let base = file.join("base");
	let line = error_line(&["--dev", "--base-path", base.to_str().expect("utf-8")]);
	assert!(line.contains("--base-path"), "{line}");
}

#[test]
fn rpc_port_in_use_says_to_pick_a_free_one() {
	let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
	let port = taken.local_addr().expect("addr").port().to_string();
	let line = error_line(&["--dev", "--tmp", "--rpc-port", &port, "--no-prometheus"]);
	assert!(line.contains("--rpc-port"), "{line}");
}
