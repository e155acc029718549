//! `ehr-node --chain local`: two validators (Alice's and Bob's hospitals) on loopback author
//! and finalize blocks together.

use std::time::Duration;

use ehr_tests::{run_node, Node};

#[tokio::test]
async fn two_validators_finalize_blocks() {
	// Alice's node has a fixed network key so that Bob can name it as his boot node.
	let dir = tempfile::tempdir().expect("tempdir");
	let key_file = dir.path().join("alice.key");
	std::fs::write(&key_file, "0000000000000000000000000000000000000000000000000000000000000001")
		.expect("write node key");
	let key_path = key_file.to_str().expect("utf-8 path");
	let inspect = run_node(&["key", "inspect-node-key", "--file", key_path]).expect("inspect");
	assert!(inspect.status.success(), "{}", String::from_utf8_lossy(&inspect.stderr));
	let peer_id = String::from_utf8_lossy(&inspect.stdout).trim().to_string();

	let alice =
		Node::start(&["--chain", "local", "--alice", "--validator", "--node-key-file", key_path])
			.await
			.expect("alice starts");
	let boot = format!("/ip4/127.0.0.1/tcp/{}/p2p/{peer_id}", alice.p2p_port);
	let bob = Node::start(&[
		"--chain",
		"local",
		"--bob",
		"--validator",
		"--unsafe-force-node-key-generation",
		"--bootnodes",
		&boot,
	])
	.await
	.expect("bob starts");

	// Both see finality advance: GRANDPA needs both votes (2 of 2 authorities).
	for node in [&alice, &bob] {
		node.wait_for("finalized block", 3, Duration::from_secs(120), || node.finalized_number())
			.await
			.expect("blocks finalized");
	}
}
