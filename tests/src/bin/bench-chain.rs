//! `bench-chain [ACCOUNTS [REQUESTS]]`: many registered accounts submit grant transactions,
//! then request transactions, at once to a development node; reports for each the sustained
//! included transactions per second, p50 and p99 inclusion latency, transactions per block,
//! how full the blocks' weight was and how long the author took to build them, and the
//! node's RSS.
//!
//! The accounts are pre-registered in the genesis of the node's benchmark chain spec
//! (`--chain bench-ACCOUNTS`: the dev chain with ACCOUNTS more patients, the identities
//! `ehr_client::dev::bench_identity`). Each phase's transactions are signed first, then
//! submitted concurrently with `author_submitExtrinsic` (no watch subscription), and
//! inclusion is read from the best blocks.
//!
//! 1. Set-up: patients `0..REQUESTS` each register a small record (sealed for real).
//! 2. Grants: every patient grants all its records, read, for an hour: patient `i` below
//!    REQUESTS to patient `REQUESTS + i`, the others to Bob.
//! 3. Requests: patient `REQUESTS + i` requests the key of patient `i`'s record. The chain
//!    takes at most `MaxRequestsPerBlock` (less the emergency reserve) per block and refuses
//!    the rest with `TooManyRequests`; the refusals are counted, not retried.
//!
//! Run it with release binaries: `scripts/bench-chain.sh` (`EHR_NODE` names the node).
//! Target (issue "the ehr wallet"): at least 1,000 grant transactions per second sustained.

use std::{
	collections::{BTreeMap, HashMap},
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use ehr_client::{
	chain::{account_of, inner_failure, runtime, AccountId32, At, Chain},
	dev::{bench_identity, dev_custody, dev_identity},
	grants::{Actions, Grantee, Purpose, Scope},
	store::{embedded::EmbeddedStore, replicas::blake2_256},
	upload::{seal_into_store, NewRecord},
};
use ehr_tests::Node;
use futures::{stream, StreamExt};

const TARGET_TPS: f64 = 1000.0;
/// Transactions in flight at once on the RPC connection.
const IN_FLIGHT: usize = 256;
/// Chain time between two blocks.
const SLOT_MS: f64 = 2000.0;

type Event<'a> = subxt::events::Event<'a, ehr_client::chain::EhrConfig>;

fn percentile(sorted: &[f64], p: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
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

/// What one event says about a phase's transactions.
enum Outcome {
	/// The transaction of this account succeeded, creating the item with this id.
	Done([u8; 32], u64),
	/// A transaction failed with this error.
	Failed(String),
}

/// Reads the outcome of a phase's transaction from an event, if it is one.
type Classify = for<'a> fn(&At, &Event<'a>) -> Option<Outcome>;

/// The name of the error of an `ExtrinsicFailed` event.
fn failure(at: &At, event: &Event) -> Option<Outcome> {
	let failed = event.decode_fields_as::<runtime::system::events::ExtrinsicFailed>()?.ok()?;
	Some(Outcome::Failed(inner_failure(at, &failed.dispatch_error).error))
}

fn registered(at: &At, event: &Event) -> Option<Outcome> {
	match event.decode_fields_as::<runtime::records::events::RecordRegistered>() {
		Some(e) => e.ok().map(|e| Outcome::Done(e.patient.0, e.record)),
		None => failure(at, event),
	}
}

fn granted(at: &At, event: &Event) -> Option<Outcome> {
	match event.decode_fields_as::<runtime::access::events::GrantCreated>() {
		Some(e) => e.ok().map(|e| Outcome::Done(e.patient.0, e.grant)),
		None => failure(at, event),
	}
}

fn requested(at: &At, event: &Event) -> Option<Outcome> {
	match event.decode_fields_as::<runtime::access::events::AccessRequested>() {
		Some(e) => e.ok().map(|e| Outcome::Done(e.requester.0, e.request)),
		None => failure(at, event),
	}
}

/// The account of a signed transaction's address (`MultiAddress::Id`, variant 0).
fn signer_of(address: &[u8]) -> Option<[u8; 32]> {
	address.strip_prefix(&[0u8]).and_then(|a| <[u8; 32]>::try_from(a).ok())
}

/// One block that held transactions of the phase.
struct Seen {
	number: u64,
	time_ms: u64,
	done: usize,
	failed: usize,
	normal_weight_ms: f64,
}

/// What a phase measured.
struct Phase {
	blocks: Vec<Seen>,
	/// The id each account's transaction created.
	created: HashMap<[u8; 32], u64>,
	/// Failures by error name.
	failures: BTreeMap<String, usize>,
	latencies: Vec<f64>,
	submit_secs: f64,
	refused_by_pool: Vec<String>,
}

impl Phase {
	fn done(&self) -> usize {
		self.blocks.iter().map(|b| b.done).sum()
	}

	/// Chain time from the block before the first that held the phase's transactions to the
	/// last: the slots that built them.
	fn span_s(&self) -> f64 {
		match (self.blocks.first(), self.blocks.last()) {
			(Some(first), Some(last)) => ((last.time_ms - first.time_ms) as f64 + SLOT_MS) / 1e3,
			_ => f64::NAN,
		}
	}

	fn per_second(&self) -> f64 {
		self.done() as f64 / self.span_s()
	}
}

/// The phase's outcomes in block `number` of the best chain, with the latency of each
/// success from its submission to now; `None` if the block could not be read (yet).
async fn inspect(
	chain: &Chain,
	number: u64,
	classify: Classify,
	submitted: &Mutex<HashMap<[u8; 32], Instant>>,
	phase: &Mutex<Phase>,
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
	let mut seen = Seen { number, time_ms, done: 0, failed: 0, normal_weight_ms: weight };
	let mut body = None;
	for event in events.iter().flatten() {
		match classify(&block, &event) {
			Some(Outcome::Done(who, id)) => {
				if let Some(sent) = submitted.lock().unwrap().get(&who) {
					let mut phase = phase.lock().unwrap();
					phase.latencies.push((seen_at - *sent).as_secs_f64());
					phase.created.insert(who, id);
					seen.done += 1;
				}
			}
			Some(Outcome::Failed(name)) => {
				// Only the phase's own transactions count: the failure is the phase's if its
				// transaction's signer is one of the phase's senders.
				let subxt::events::Phase::ApplyExtrinsic(i) = event.phase() else { continue };
				if body.is_none() {
					body = Some(block.extrinsics().fetch().await.ok()?);
				}
				let signer = body
					.as_ref()
					.and_then(|b| b.iter().nth(i as usize))
					.and_then(Result::ok)
					.and_then(|ext| signer_of(ext.address_bytes()?));
				if signer.is_some_and(|who| submitted.lock().unwrap().contains_key(&who)) {
					*phase.lock().unwrap().failures.entry(name).or_default() += 1;
					seen.failed += 1;
				}
			}
			None => {}
		}
	}
	Some(seen)
}

/// Submits `signed` (each with the account its event names) all at once and follows the
/// best blocks until each transaction the pool accepted is included, succeeded or failed (or
/// 120 s pass).
async fn run_phase(
	chain: &Chain,
	signed: Vec<(AccountId32, Vec<u8>)>,
	classify: Classify,
) -> Result<Phase> {
	let total = signed.len();
	let submitted: Arc<Mutex<HashMap<[u8; 32], Instant>>> = Arc::default();
	let refused = Arc::new(AtomicUsize::new(0));
	let phase = Arc::new(Mutex::new(Phase {
		blocks: Vec::new(),
		created: HashMap::new(),
		failures: BTreeMap::new(),
		latencies: Vec::new(),
		submit_secs: 0.0,
		refused_by_pool: Vec::new(),
	}));
	let first = chain.best().await?.block_number() + 1;
	let mut watcher = {
		let (chain, submitted, phase) = (chain.clone(), submitted.clone(), phase.clone());
		let refused = refused.clone();
		tokio::spawn(async move {
			let mut next = first;
			let mut included = 0usize;
			// A transaction the pool refused is never included; the count grows while the
			// phase submits.
			while included + refused.load(Ordering::Acquire) < total {
				tokio::time::sleep(Duration::from_millis(20)).await;
				let Ok(best) = chain.best().await.map(|b| b.block_number()) else { continue };
				// Every block up to the best one, in order: none is skipped when two arrive
				// between polls; a block whose reads fail is read again.
				while next <= best {
					let Some(seen) = inspect(&chain, next, classify, &submitted, &phase).await
					else {
						break;
					};
					next += 1;
					if seen.done + seen.failed > 0 {
						included += seen.done + seen.failed;
						phase.lock().unwrap().blocks.push(seen);
					}
				}
			}
		})
	};
	let started = Instant::now();
	let results: Vec<Result<(), String>> = stream::iter(signed)
		.map(|(who, tx)| {
			let (chain, submitted, refused) = (chain.clone(), submitted.clone(), refused.clone());
			async move {
				submitted.lock().unwrap().insert(who.0, Instant::now());
				let sent = chain.submit_encoded(&tx).await.map(|_| ()).map_err(|e| e.to_string());
				if sent.is_err() {
					refused.fetch_add(1, Ordering::Release);
				}
				sent
			}
		})
		.buffer_unordered(IN_FLIGHT)
		.collect()
		.await;
	let submit_secs = started.elapsed().as_secs_f64();
	if tokio::time::timeout(Duration::from_secs(120), &mut watcher).await.is_err() {
		println!("  not every transaction was included within 120 s");
		watcher.abort();
		// Once the aborted task is awaited, it no longer holds the phase.
		let _ = watcher.await;
	}
	let mut phase = Arc::try_unwrap(phase)
		.map_err(|_| anyhow::anyhow!("the watcher still holds the phase"))?
		.into_inner()
		.unwrap();
	phase.submit_secs = submit_secs;
	phase.refused_by_pool = results.into_iter().filter_map(Result::err).collect();
	phase.latencies.sort_by(f64::total_cmp);
	Ok(phase)
}

/// Prints a phase's blocks and figures.
fn report(name: &str, phase: &Phase, log: &str, target: Option<f64>) {
	let build_ms: HashMap<u64, f64> = log
		.lines()
		.filter_map(|l| {
			// The author's own account of building each block: "Prepared block for
			// proposing at N (T ms)".
			let rest = l.split("Prepared block for proposing at ").nth(1)?;
			let number: u64 = rest.split_whitespace().next()?.parse().ok()?;
			let ms: f64 = rest.split('(').nth(1)?.split(" ms").next()?.trim().parse().ok()?;
			Some((number, ms))
		})
		.collect();
	println!(
		"\n{name}: submitted in {:.2} s; refused by the pool: {}{}",
		phase.submit_secs,
		phase.refused_by_pool.len(),
		phase.refused_by_pool.first().map(|e| format!(" (first: {e:?})")).unwrap_or_default()
	);
	for b in &phase.blocks {
		let built = build_ms.get(&b.number).map_or("-".to_owned(), |ms| format!("{ms:.0} ms"));
		println!(
			"  #{:<5} {:>5} included {:>5} failed  normal weight {:>6.1} ms of 750 ms  built in {built}",
			b.number, b.done, b.failed, b.normal_weight_ms
		);
	}
	for (error, count) in &phase.failures {
		println!("  failed with {error}: {count}");
	}
	let tps = phase.per_second();
	let verdict = target.map_or(String::new(), |t| {
		format!(" (target >= {t:.0}: {})", if tps >= t { "met" } else { "NOT met" })
	});
	println!(
		"  sustained:         {tps:.0}/s{verdict}: {} in {:.1} s of chain time ({} blocks)",
		phase.done(),
		phase.span_s(),
		phase.blocks.len()
	);
	println!(
		"  inclusion latency: p50 {:.2} s, p99 {:.2} s (submission to the best block that holds it; all submitted at once, so this is queueing)",
		percentile(&phase.latencies, 50.0),
		percentile(&phase.latencies, 99.0)
	);
}

#[tokio::main]
async fn main() -> Result<()> {
	let mut args = std::env::args().skip(1).map(|a| a.parse::<u32>());
	let accounts = args.next().transpose()?.unwrap_or(ehr_client::dev::BENCH_ACCOUNTS);
	let requests = args.next().transpose()?.unwrap_or(600).min(accounts / 2);
	let spec = format!("bench-{accounts}");
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
	println!("bench-chain: {accounts} registered patients on {}", node.ws_url());
	let ids: Vec<_> = (0..accounts).map(bench_identity).collect();

	// 1. Records for the requests, sealed for real into a scratch store.
	let store_dir = tempfile::tempdir()?;
	let store = EmbeddedStore::open(store_dir.path())?;
	let custody_key = dev_custody()?.group_key;
	let at = chain.finalized().await?;
	let mut signed = Vec::new();
	for id in &ids[..requests as usize] {
		let new = NewRecord {
			patient: account_of(id),
			patient_x25519: id.x25519_public(),
			custody_key,
			custodian_org: 1,
			content_type: "Observation",
		};
		let plain = br#"{"resourceType":"Observation","code":{"text":"bench"}}"#;
		let record = seal_into_store(&store, &new, &plain[..]).await?;
		let call = ehr_client::records::register_call(&record);
		signed.push((account_of(id), chain.sign_encoded(&at, &call, id, 0)?));
	}
	let records = run_phase(&chain, signed, registered).await?;
	if records.done() != requests as usize {
		bail!(
			"set-up: {} of {requests} records registered ({:?})",
			records.done(),
			records.failures
		);
	}
	println!("set-up: {requests} records registered in {:.1} s of chain time", records.span_s());

	// 2. Grants, signed first so that the submission measures the node, not the signer.
	let now = chain.now_ms().await?;
	let bob = account_of(&dev_identity("Bob"));
	let at = chain.finalized().await?;
	let signing = Instant::now();
	let mut signed = Vec::with_capacity(accounts as usize);
	for (i, id) in ids.iter().enumerate() {
		let (grantee, nonce) = match ids.get(i + requests as usize) {
			Some(requester) if i < requests as usize => (account_of(requester), 1),
			_ => (bob, 0),
		};
		let call = runtime::transactions().access().grant(
			Scope::AllRecords,
			Grantee::Account(grantee),
			Purpose::Treatment,
			Actions { read: true, append: false },
			now,
			now + 3_600_000,
			blake2_256(b"bench"),
			false,
		);
		signed.push((account_of(id), chain.sign_encoded(&at, &call, id, nonce)?));
	}
	println!("signed {accounts} grants in {:.2} s", signing.elapsed().as_secs_f64());
	let grants = run_phase(&chain, signed, granted).await?;
	report("grants", &grants, &node.log(), Some(TARGET_TPS));

	// 3. Requests of the grantees, for their grantor's record.
	let at = chain.finalized().await?;
	let mut signed = Vec::with_capacity(requests as usize);
	for i in 0..requests as usize {
		let (patient, requester) = (&ids[i], &ids[i + requests as usize]);
		let record = records.created.get(&account_of(patient).0).context("a record")?;
		let grant = grants.created.get(&account_of(patient).0).context("a grant")?;
		let call =
			runtime::transactions().access().request(*record, *grant, requester.x25519_public());
		// Its grant phase transaction was its first.
		signed.push((account_of(requester), chain.sign_encoded(&at, &call, requester, 1)?));
	}
	let asked = run_phase(&chain, signed, requested).await?;
	report("requests", &asked, &node.log(), None);

	let (hwm, rss) = rss_mib(node.pid());
	println!("\nnode RSS: {rss:.0} MiB now, {hwm:.0} MiB peak");
	Ok(())
}
