//! `ehr-node --dev`: produces blocks, answers the standard RPC methods, includes a signed
//! transfer, and stops cleanly.

use std::time::Duration;

use ehr_client::{
	chain::{runtime, Chain},
	dev::dev_identity,
};
use ehr_tests::{hex_bytes, scenario::transfer, Node};
use serde_json::json;

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

	// The client's generated types match the runtime the node runs (the checked-in metadata
	// is the wasm runtime's, not only the native build's).
	let chain = Chain::connect(&node.ws_url()).await.expect("subxt connects");
	let at = chain.finalized().await.expect("finalized block");
	assert!(runtime::is_codegen_valid_for(&at.metadata()), "client generated for another runtime");

	// A signed balance transfer from Alice to Bob is finalized and emits Balances.Transfer.
	let chain = chain.waiting(ehr_client::chain::Wait::Finalized);
	transfer(&chain, &dev_identity("Alice"), &dev_identity("Bob"), 12_345_000_000_000)
		.await
		.expect("transfer finalized and successful");

	// Clean shutdown: SIGTERM ends the process on its own.
	let pid = node.pid();
	assert!(node.stop(Duration::from_secs(20)).expect("stop"), "node ignored SIGTERM");
	assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "process {pid} left behind");
}
