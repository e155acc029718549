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

/// The audit index follows the finalized chain from an archive node, a batch at a time:
/// a second sync reads only the new blocks, files a revocation under the patient of the grant
/// an earlier sync saw created, files nothing twice after a reopen, and refuses another
/// chain's index file.
#[tokio::test]
async fn the_audit_index_resumes_and_files_events_under_their_patient() {
	use ehr_client::{
		audit::{AuditIndex, Filter, IndexError},
		chain::{account_of, Wait},
		grants::{self, Actions, GrantTerms, Grantee, Purpose, Scope},
	};
	use ehr_tests::scenario::Cast;

	let node = Node::start(&["--dev", "--state-pruning", "archive"]).await.expect("node starts");
	let chain = Chain::connect(&node.ws_url()).await.expect("connect").waiting(Wait::Finalized);
	let cast = Cast::default();
	chain.wait_until(1).await.expect("a first block");
	let now = chain.now_ms().await.expect("chain time");
	let terms = GrantTerms {
		scope: Scope::AllRecords,
		grantee: Grantee::Account(account_of(&cast.doctor)),
		purpose: Purpose::Research,
		actions: Actions { read: true, append: false },
		not_before: now,
		expires_at: now + 3_600_000,
		terms_hash: [7; 32],
		delegable: false,
	};
	let grant = grants::grant(&chain, &cast.patient, &terms).await.expect("grant").grant;

	let dir = tempfile::tempdir().expect("tempdir");
	let path = dir.path().join("audit.sqlite");
	let mut index = AuditIndex::open(&path, chain.genesis_hash()).expect("open");
	assert_eq!(index.next_block().expect("next"), 0);
	let first = index.sync(&chain, |_, _| {}).await.expect("first sync");
	assert_eq!(first.blocks, first.next_block, "a new index reads from genesis");
	let by_grant = Filter { grant: Some(grant), ..Filter::default() };
	let rows = index.query(&by_grant, 10).expect("query");
	assert_eq!(rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["GrantCreated"]);
	assert_eq!(rows[0].patient, Some(account_of(&cast.patient)));
	assert_eq!(rows[0].details["purpose"], "research");
	assert!(rows[0].time_ms >= now);
	assert_eq!(index.grant_purpose(grant).expect("purpose").as_deref(), Some("research"));

	grants::revoke(&chain, &cast.patient, grant).await.expect("revoke");
	let second = index.sync(&chain, |_, _| {}).await.expect("second sync");
	assert_eq!(second.blocks, second.next_block - first.next_block, "only the new blocks");
	let patient_only = Filter { patient: Some(account_of(&cast.patient)), ..Filter::default() };
	let rows = index.query(&patient_only, 10).expect("query");
	let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
	assert_eq!(names, ["GrantCreated", "GrantRevoked"], "the revocation names no patient");
	assert_eq!(rows[1].grant, Some(grant));
	let doctor_only = Filter { account: Some(account_of(&cast.doctor)), ..Filter::default() };
	assert_eq!(index.query(&doctor_only, 10).expect("query").len(), 1, "named as grantee");

	drop(index);
	let mut index = AuditIndex::open(&path, chain.genesis_hash()).expect("reopen");
	assert_eq!(index.next_block().expect("next"), second.next_block);
	let third = index.sync(&chain, |_, _| {}).await.expect("third sync");
	assert_eq!(third.blocks, third.next_block - second.next_block, "only the new blocks");
	assert_eq!(third.events, 0, "nothing happened since");
	assert_eq!(index.query(&by_grant, 10).expect("query").len(), 2);

	// A grant's history holds its delegations and the revocations that cascade from it; the
	// delegation's own history is its own.
	let parent = GrantTerms { delegable: true, ..terms.clone() };
	let parent = grants::grant(&chain, &cast.patient, &parent).await.expect("grant").grant;
	let child = grants::delegate(
		&chain,
		&cast.doctor,
		parent,
		account_of(&cast.other_doctor),
		now + 1_800_000,
	)
	.await
	.expect("delegate")
	.grant;
	grants::revoke(&chain, &cast.patient, parent).await.expect("revoke");
	index.sync(&chain, |_, _| {}).await.expect("fourth sync");
	let of = |grant| {
		let rows = index.query(&Filter { grant: Some(grant), ..Filter::default() }, 10);
		rows.expect("query").into_iter().map(|r| (r.name, r.grant)).collect::<Vec<_>>()
	};
	let named = |name: &str, grant| (name.to_owned(), Some(grant));
	assert_eq!(
		of(parent),
		[
			named("GrantCreated", parent),
			named("GrantDelegated", child),
			named("GrantRevoked", parent),
			named("GrantRevoked", child),
		]
	);
	assert_eq!(of(child), [named("GrantDelegated", child), named("GrantRevoked", child)]);

	// A record's history ends with the registration of the version that superseded it.
	let store_dir = tempfile::tempdir().expect("tempdir");
	let store = ehr_client::store::embedded::EmbeddedStore::open(store_dir.path()).expect("store");
	let new = ehr_client::upload::NewRecord {
		patient: account_of(&cast.patient),
		patient_x25519: cast.patient.x25519_public(),
		custody_key: ehr_client::dev::dev_custody().expect("custody").group_key,
		custodian_org: 1,
		content_type: "Observation",
	};
	let mut versions = Vec::new();
	for text in [&b"version 1"[..], b"version 2"] {
		let mut sealed =
			ehr_client::upload::seal_into_store(&store, &new, text).await.expect("sealed");
		sealed.previous = versions.last().copied();
		let registered = ehr_client::records::register(&chain, &cast.patient, &sealed);
		versions.push(registered.await.expect("registered").record);
	}
	index.sync(&chain, |_, _| {}).await.expect("fifth sync");
	let of = |record| {
		let rows = index.query(&Filter { record: Some(record), ..Filter::default() }, 10);
		rows.expect("query").into_iter().map(|r| (r.name, r.record)).collect::<Vec<_>>()
	};
	let registered = |record| ("RecordRegistered".to_owned(), Some(record));
	assert_eq!(of(versions[0]), [registered(versions[0]), registered(versions[1])]);
	assert_eq!(of(versions[1]), [registered(versions[1])]);
	let after = Filter { after: Some((rows[0].block, rows[0].index)), ..by_grant.clone() };
	assert_eq!(index.query(&after, 10).expect("query")[0].name, "GrantRevoked");
	drop(index);

	// A new development chain has the same genesis but another history: refused.
	let other = Node::start(&["--dev"]).await.expect("second node starts");
	let other = Chain::connect(&other.ws_url()).await.expect("connect");
	assert_eq!(other.genesis_hash(), chain.genesis_hash(), "dev chains share their genesis");
	other.wait_until(1).await.expect("a first block");
	let mut index = AuditIndex::open(&path, chain.genesis_hash()).expect("reopen");
	match index.sync(&other, |_, _| {}).await {
		Err(e @ IndexError::Diverged { .. }) => {
			assert!(e.to_string().contains("does not match this chain's history"), "{e}")
		}
		other => panic!("another history must be refused: {:?}", other.err()),
	}
	drop(index);
	match AuditIndex::open(&path, subxt::utils::H256::repeat_byte(7)) {
		Err(e @ IndexError::OtherChain { .. }) => {
			assert!(e.to_string().contains("use another index file"), "{e}")
		}
		other => panic!("another chain's index must be refused: {:?}", other.err()),
	}
}
