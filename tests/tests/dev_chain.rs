//! `ehr-node --dev`: produces blocks, answers the standard RPC methods, includes a signed
//! transfer, and stops cleanly.

use std::time::Duration;

use ehr_tests::{
	hex_bytes,
	scenario::{transfer_tx, Chain},
	Node,
};
use serde_json::json;
use subxt_signer::sr25519::dev;

#[tokio::test]
async fn dev_chain_produces_blocks_serves_rpc_and_includes_a_transfer() {
	let mut node = Node::start(&["--dev"]).await.expect("node starts");

	// Blocks are produced on their own.
	let best = node
		.wait_for("best block", 3, Duration::from_secs(60), || node.best_number())
		.await
		.expect("three blocks");
	assert!(best >= 3);

	// Standard RPC methods.
	let health = node.rpc("system_health", json!([])).await.expect("system_health");
	assert_eq!(health["isSyncing"], json!(false), "{health}");
	let block = node.rpc("chain_getBlock", json!([])).await.expect("chain_getBlock");
	assert!(block["block"]["header"]["number"].is_string(), "{block}");
	let metadata = node.rpc("state_getMetadata", json!([])).await.expect("state_getMetadata");
	let metadata = hex_bytes(&metadata).expect("hex metadata");
	assert_eq!(metadata.get(..4), Some(&b"meta"[..]), "metadata magic");
	let version = metadata.get(4).copied().unwrap_or(0);
	assert!(version >= 14, "metadata V{version}: standard clients need V14 or later");

	// A signed balance transfer from Alice to Bob is finalized and emits Balances.Transfer.
	let chain = Chain::connect(&node.ws_url()).await.expect("subxt connects");
	chain
		.submit(&transfer_tx(&dev::bob(), 12_345_000_000_000), &dev::alice())
		.await
		.expect("transfer finalized and successful");

	// Clean shutdown: SIGTERM ends the process on its own.
	let pid = node.pid();
	assert!(node.stop(Duration::from_secs(20)).expect("stop"), "node ignored SIGTERM");
	assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "process {pid} left behind");
}
