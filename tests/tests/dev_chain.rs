//! `ehr-node --dev`: produces blocks, answers the standard RPC methods, includes a signed
//! transfer, and stops cleanly.

use std::time::Duration;

use ehr_tests::{hex_bytes, Node};
use serde_json::json;
use subxt::{dynamic, OnlineClient, PolkadotConfig};
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

	// A signed balance transfer from Alice to Bob is included and succeeds.
	let api = OnlineClient::<PolkadotConfig>::from_insecure_url(node.ws_url())
		.await
		.expect("subxt connects");
	let amount = 12_345_000_000_000u128;
	let transfer = dynamic::transaction(
		"Balances",
		"transfer_keep_alive",
		(dev::bob().public_key().to_address::<()>(), amount),
	);
	let events = api
		.at_current_block()
		.await
		.expect("current block")
		.transactions()
		.sign_and_submit_then_watch_default(&transfer, &dev::alice())
		.await
		.expect("transfer submitted")
		.wait_for_finalized_success()
		.await
		.expect("transfer finalized and successful");
	let transferred = events
		.iter()
		.filter_map(Result::ok)
		.any(|e| e.pallet_name() == "Balances" && e.event_name() == "Transfer");
	assert!(transferred, "no Balances.Transfer event");

	// Clean shutdown: SIGTERM ends the process on its own.
	let pid = node.pid();
	assert!(node.stop(Duration::from_secs(20)).expect("stop"), "node ignored SIGTERM");
	assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "process {pid} left behind");
}
