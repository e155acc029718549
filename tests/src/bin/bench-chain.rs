//! `bench-chain [ACCOUNTS]`: many registered accounts submit grant transactions at once to a
//! development node; reports sustained included transactions per second, p50 and p99
//! inclusion latency, grants per block, how full the blocks' weight was, and the node's RSS.
//!
//! The accounts are pre-registered in the genesis of a benchmark chain spec: the `dev` spec
//! (`ehr-node build-spec --chain dev`) with ACCOUNTS extra patients added to the consortium
//! (ed25519 keys from fixed seeds). Each patient signs one grant (to Bob, read, an hour); the
//! transactions are signed first, then submitted concurrently with `author_submitExtrinsic`
//! (no watch subscription), and inclusion is read from the best blocks.
//!
//! Run it with release binaries: `scripts/bench-chain.sh` (`EHR_NODE` names the node).
//! Target (issue "the ehr wallet"): at least 1,000 grant transactions per second sustained.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use ehr_client::{
	chain::{account_of, runtime, AccountId32, Chain},
	crypto::identity::Identity,
	dev::dev_identity,
	grants::{Actions, GrantTerms, Grantee, Purpose, Scope},
	store::replicas::blake2_256,
};
use ehr_tests::{node_binary, Node};
use futures::{stream, StreamExt};

const TARGET_TPS: f64 = 1000.0;
/// Transactions in flight at once on the RPC connection.
const IN_FLIGHT: usize = 256;

fn bench_identity(i: u32) -> Identity {
	let mut seed = b"ehr bench-chain account".to_vec();
	seed.extend_from_slice(&i.to_le_bytes());
	Identity::from_seed(blake2_256(&seed))
}

/// The dev chain spec with `accounts` extra registered patients.
fn bench_spec(accounts: u32, path: &std::path::Path) -> Result<()> {
	let out = std::process::Command::new(node_binary()?)
		.args(["build-spec", "--chain", "dev"])
		.output()
		.context("ehr-node build-spec")?;
	if !out.status.success() {
		bail!("build-spec failed: {}", String::from_utf8_lossy(&out.stderr));
	}
	let mut spec: serde_json::Value = serde_json::from_slice(&out.stdout)?;
	let list = spec["genesis"]["runtimeGenesis"]["patch"]["consortium"]["accounts"]
		.as_array_mut()
		.context("the dev spec lists consortium accounts")?;
	let ids: Vec<Identity> = (0..accounts).map(bench_identity).collect();
	for id in &ids {
		list.push(serde_json::json!([id.ss58(), "Patient", id.x25519_public().to_vec()]));
	}
	// A balance gives each account its provider reference (the nonce check needs one); the
	// grants themselves pay no fee.
	let balances = spec["genesis"]["runtimeGenesis"]["patch"]["balances"]["balances"]
		.as_array_mut()
		.context("the dev spec endows accounts")?;
	for id in &ids {
		balances.push(serde_json::json!([id.ss58(), 1_000_000_000_000_000_000u64]));
	}
	std::fs::write(path, serde_json::to_vec(&spec)?)?;
	Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
	let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
	sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Peak and current resident set of process `pid`, in MiB.
fn rss_mib(pid: u32) -> (f64, f64) {
	let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
	let field = |name: &str| {
		status
			.lines()
			.find_map(|l| l.strip_prefix(name))
			.and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
			.map_or(f64::NAN, |kib| kib / 1024.0)
	};
	(field("VmHWM:"), field("VmRSS:"))
}

/// One block that held benchmark grants.
struct Seen {
	number: u64,
	time_ms: u64,
	grants: usize,
	normal_weight_ms: f64,
}

/// The benchmark grants of block `number` of the best chain, each one's latency from its
/// submission to now; `None` if the block could not be read (yet).
async fn inspect(
	chain: &Chain,
	number: u64,
	submitted: &Mutex<HashMap<[u8; 32], Instant>>,
	latencies: &Mutex<Vec<f64>>,
) -> Option<Seen> {
	let hash = chain.block_hash(number).await.ok()??;
	let seen_at = Instant::now();
	let block = chain.at(hash).await.ok()?;
	let events = block.events().fetch().await.ok()?;
	let time_ms: u64 = block
		.storage()
		.fetch(runtime::storage().timestamp().now(), ())
		.await
		.ok()?
		.decode()
		.ok()?;
	let weight = block
		.storage()
		.fetch(runtime::storage().system().block_weight(), ())
		.await
		.ok()
		.and_then(|v| v.decode().ok())
		.map_or(f64::NAN, |w| w.normal.ref_time as f64 / 1e9);
	let mut grants = 0;
	for event in events.iter().flatten() {
		if let Ok(Some(created)) =
			event.decode_fields_as::<runtime::access::events::GrantCreated>().transpose()
		{
			if let Some(sent) = submitted.lock().unwrap().get(&created.patient.0) {
				latencies.lock().unwrap().push((seen_at - *sent).as_secs_f64());
			}
			grants += 1;
		}
	}
	Some(Seen { number, time_ms, grants, normal_weight_ms: weight })
}

#[tokio::main]
async fn main() -> Result<()> {
	let accounts: u32 = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(6000);
	let dir = tempfile::tempdir()?;
	let spec = dir.path().join("bench-spec.json");
	bench_spec(accounts, &spec)?;
	let spec = spec.to_string_lossy().into_owned();
	let node = Node::start(&[
		"--chain",
		&spec,
		"--alice",
		"--validator",
		"--force-authoring",
		"--node-key",
		"0000000000000000000000000000000000000000000000000000000000000001",
		"--pool-limit",
		"20000",
		"--pool-kbytes",
		"65536",
		"--rpc-max-connections",
		"1000",
	])
	.await?;
	let chain = Chain::connect(&node.ws_url()).await?;
	chain.wait_until(1).await?;
	println!(
		"bench-chain: {accounts} registered patients each submit one grant to {}",
		node.ws_url()
	);

	// Sign everything first, so that the submission measures the node, not the signer.
	let now = chain.now_ms().await?;
	let bob = account_of(&dev_identity("Bob"));
	let terms = GrantTerms {
		scope: Scope::AllRecords,
		grantee: Grantee::Account(bob),
		purpose: Purpose::Treatment,
		actions: Actions { read: true, append: false },
		not_before: now,
		expires_at: now + 3_600_000,
		terms_hash: blake2_256(b"bench"),
		delegable: false,
	};
	let call = runtime::transactions().access().grant(
		terms.scope.clone(),
		terms.grantee.clone(),
		terms.purpose.clone(),
		terms.actions.clone(),
		terms.not_before,
		terms.expires_at,
		terms.terms_hash,
		terms.delegable,
	);
	let at = chain.finalized().await?;
	let signing = Instant::now();
	let mut signed: Vec<(AccountId32, Vec<u8>)> = Vec::with_capacity(accounts as usize);
	for i in 0..accounts {
		let id = bench_identity(i);
		signed.push((account_of(&id), chain.sign_encoded(&at, &call, &id, 0)?));
	}
	println!("signed {accounts} transactions in {:.2} s", signing.elapsed().as_secs_f64());

	// Watch the best blocks: every GrantCreated of a benchmark patient, when it was seen.
	let submitted: Arc<Mutex<HashMap<[u8; 32], Instant>>> = Arc::default();
	let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
	let blocks: Arc<Mutex<Vec<Seen>>> = Arc::default();
	let watcher = {
		let (chain, submitted, latencies, blocks) =
			(chain.clone(), submitted.clone(), latencies.clone(), blocks.clone());
		let total = accounts as usize;
		tokio::spawn(async move {
			let mut next = 1u64;
			let mut included = 0usize;
			while included < total {
				tokio::time::sleep(Duration::from_millis(20)).await;
				let Ok(best) = chain.best().await.map(|b| b.block_number()) else { continue };
				// Every block up to the best one, in order: none is skipped when two arrive
				// between polls; a block whose reads fail is read again.
				while next <= best {
					let Some(seen) = inspect(&chain, next, &submitted, &latencies).await else {
						break;
					};
					next += 1;
					if seen.grants > 0 {
						included += seen.grants;
						blocks.lock().unwrap().push(seen);
					}
				}
			}
		})
	};

	let started = Instant::now();
	let results: Vec<Result<(), String>> = stream::iter(signed)
		.map(|(who, tx)| {
			let (chain, submitted) = (chain.clone(), submitted.clone());
			async move {
				submitted.lock().unwrap().insert(who.0, Instant::now());
				chain.submit_encoded(&tx).await.map(|_| ()).map_err(|e| e.to_string())
			}
		})
		.buffer_unordered(IN_FLIGHT)
		.collect()
		.await;
	let submit_secs = started.elapsed().as_secs_f64();
	let refused: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
	println!(
		"submitted {} in {submit_secs:.2} s ({:.0}/s); refused by the pool: {}{}",
		results.len(),
		results.len() as f64 / submit_secs,
		refused.len(),
		refused.first().map(|e| format!(" (first: {e:?})")).unwrap_or_default()
	);
	if tokio::time::timeout(Duration::from_secs(120), watcher).await.is_err() {
		println!("not every grant was included within 120 s");
	}
	let blocks = blocks.lock().unwrap();
	let mut latencies = latencies.lock().unwrap().clone();
	latencies.sort_by(f64::total_cmp);
	let (Some(first), Some(last)) = (blocks.first(), blocks.last()) else {
		bail!("no grant was included");
	};
	let included: usize = blocks.iter().map(|b| b.grants).sum();
	// From the block before the first that held grants to the last: the slots that built them.
	let slot_ms = 2000.0;
	let span_s = ((last.time_ms - first.time_ms) as f64 + slot_ms) / 1000.0;
	let tps = included as f64 / span_s;
	let (hwm, rss) = rss_mib(node.pid());
	// The author's own account of building each block: "Prepared block for proposing at N
	// (T ms)".
	let log = node.log();
	let build_ms: Vec<(u64, f64)> = log
		.lines()
		.filter_map(|l| {
			let rest = l.split("Prepared block for proposing at ").nth(1)?;
			let number: u64 = rest.split_whitespace().next()?.parse().ok()?;
			let ms: f64 = rest.split('(').nth(1)?.split(" ms").next()?.trim().parse().ok()?;
			Some((number, ms))
		})
		.collect();
	println!("\nblocks #{}..#{}:", first.number, last.number);
	for b in blocks.iter() {
		let built = build_ms
			.iter()
			.find(|(n, _)| *n == b.number)
			.map_or_else(|| "-".to_owned(), |(_, ms)| format!("{ms:.0} ms"));
		println!(
			"  #{:<5} {:>5} grants  normal weight {:>6.1} ms of 750 ms  built in {built}",
			b.number, b.grants, b.normal_weight_ms
		);
	}
	println!(
		"\nincluded:            {included} grants in {span_s:.1} s of chain time ({} blocks)",
		blocks.len()
	);
	println!(
		"sustained:           {tps:.0} grants/s (target >= {TARGET_TPS:.0}: {})",
		if tps >= TARGET_TPS { "met" } else { "NOT met" }
	);
	println!(
		"inclusion latency:   p50 {:.2} s, p99 {:.2} s (submission to the best block that holds it; a burst of all transactions at once, so this is queueing)",
		percentile(&latencies, 50.0),
		percentile(&latencies, 99.0)
	);
	println!("node RSS:            {rss:.0} MiB now, {hwm:.0} MiB peak");
	Ok(())
}
