//! `bench-custody [READS]`: the latency of a read on the 4-hospital local consortium, from
//! the access request to the plaintext (p50 and p99, in milliseconds and in blocks), the
//! custodian's CPU time per release, and the releases per second one custodian sustains.
//!
//! Run it with release binaries: `scripts/bench-custody.sh` (`EHR_NODE` names the node).
//! Targets (issue "threshold key release"): p50 <= 4 s and p99 <= 8 s with 2 s blocks.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ehr_client::{
	chain::Chain,
	consortium::Role,
	crypto::{
		custody::{self, RecordLabel},
		identity::Identity,
		release::ReplyKey,
		DataKey,
	},
	custodian::{self as custodian_side, ShareFile},
	dev::{dev_identity, local_custody},
	grants::{self, Actions, GrantTerms, Grantee, Purpose, Scope},
	read, records,
	store::{embedded::EmbeddedStore, replicas::Replica},
};
use ehr_tests::{
	consortium::{staff, Consortium},
	scenario::{prepare_record_for, HOSPITAL_A},
};

const TARGET_P50: Duration = Duration::from_secs(4);
const TARGET_P99: Duration = Duration::from_secs(8);

fn percentile(sorted: &[f64], p: f64) -> f64 {
	let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
	sorted[rank.clamp(1, sorted.len()) - 1]
}

/// CPU seconds (user + system) the process `pid` has used, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: u32) -> Result<f64> {
	let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
	let fields: Vec<&str> = stat.rsplit_once(')').context("stat")?.1.split_whitespace().collect();
	let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
	Ok(ticks / 100.0)
}

#[tokio::main]
async fn main() -> Result<()> {
	let reads: usize = std::env::args().nth(1).map(|n| n.parse()).transpose()?.unwrap_or(40);
	println!("starting the 4-hospital local consortium ...");
	let c = Consortium::start().await?;
	let chain = Chain::connect(&c.node("Alice").ws_url()).await?;
	let manager = dev_identity("Alice");
	let patient = dev_identity("Charlie");
	let dir = tempfile::tempdir()?;
	let store = EmbeddedStore::open(dir.path())?;
	let replicas: [Replica; 1] = [("hospital-a", &store)];
	let custody_key = local_custody()?.group_key;
	let doctor = staff(&chain, &manager, 1, Role::Doctor).await?;
	let record =
		prepare_record_for(&custody_key, &[&store], &patient, "Observation", &[7; 4096]).await?;
	let record_id = records::register(&chain, &patient, &record).await?.record;
	let now = chain.now_ms().await?;
	let terms = GrantTerms {
		scope: Scope::AllRecords,
		grantee: Grantee::Role(HOSPITAL_A, Role::Doctor),
		purpose: Purpose::Treatment,
		actions: Actions { read: true, append: false },
		not_before: now,
		expires_at: now + 3_600_000,
		terms_hash: [1; 32],
		delegable: false,
	};
	let grant = grants::grant(&chain, &patient, &terms).await?.grant;

	// Latency: one read after the other, request to plaintext.
	let alice_pid = c.node("Alice").pid();
	let cpu_before = cpu_seconds(alice_pid)?;
	let mut ms = Vec::new();
	let mut blocks = Vec::new();
	for i in 0..reads {
		let start_block = c.node("Alice").best_number().await?;
		let start = Instant::now();
		let got = read::read_record(
			&chain,
			&replicas,
			&doctor,
			record_id,
			grant,
			Duration::from_secs(60),
		)
		.await
		.with_context(|| format!("read {i}"))?;
		ms.push(start.elapsed().as_secs_f64() * 1000.0);
		blocks.push((c.node("Alice").best_number().await? - start_block) as f64);
		anyhow::ensure!(got.plaintext == [7; 4096], "read {i} gave other bytes");
	}
	let cpu_reads = cpu_seconds(alice_pid)? - cpu_before;
	ms.sort_by(f64::total_cmp);
	blocks.sort_by(f64::total_cmp);
	let (p50, p99) = (percentile(&ms, 50.0), percentile(&ms, 99.0));

	// Throughput: several doctors fill their pending quotas at once; time until every
	// custodian has answered every request.
	let doctors: Vec<Identity> = {
		let mut v = Vec::new();
		for seed in 2..8 {
			v.push(staff(&chain, &manager, seed, Role::Doctor).await?);
		}
		v
	};
	let burst_start = Instant::now();
	let mut ids = Vec::new();
	for _ in 0..8 {
		// One request per doctor at a time (each account's nonces are sequential).
		let round = doctors.iter().map(|d| {
			let reply = ReplyKey::generate().public();
			grants::request(&chain, d, record_id, grant, reply)
		});
		for requested in futures::future::join_all(round).await {
			ids.push(requested?.request);
		}
	}
	loop {
		let at = chain.best().await?;
		let mut done = 0;
		for id in &ids {
			if grants::open_request(&at, *id).await?.is_some_and(|r| r.shares.0.len() == 4) {
				done += 1;
			}
		}
		if done == ids.len() {
			break;
		}
		anyhow::ensure!(
			burst_start.elapsed() < Duration::from_secs(300),
			"the burst did not finish"
		);
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	let burst = burst_start.elapsed().as_secs_f64();

	// The custodian's computation per release, in this process: capsule check, share, DLEQ
	// proof, HPKE seal.
	let share = ShareFile::local_dev(0)?.context("share 0")?;
	let patient_key = [1u8; 32];
	let label = RecordLabel {
		patient: &patient_key,
		custodian_org: 1,
		content_type: b"Observation",
		ciphertext_hash: &[2; 32],
		size: 100,
		cid: b"bafk",
	};
	let capsule = custody::seal(&custody_key, &label.digest(), &DataKey::generate())?.to_bytes();
	let reply = ReplyKey::generate().public();
	let n = 500;
	let start = Instant::now();
	for i in 0..n {
		custodian_side::seal_share(&share, &label, &capsule, i, &reply)?;
	}
	let per_release = start.elapsed().as_secs_f64() / n as f64;

	println!("\nrequest to plaintext, {reads} reads, 4 hospitals, t = 3, 2 s blocks:");
	println!(
		"  p50 {p50:.0} ms ({:.1} blocks), p99 {p99:.0} ms ({:.1} blocks); target p50 <= {} ms, p99 <= {} ms: {}",
		percentile(&blocks, 50.0),
		percentile(&blocks, 99.0),
		TARGET_P50.as_millis(),
		TARGET_P99.as_millis(),
		if p50 <= TARGET_P50.as_millis() as f64 && p99 <= TARGET_P99.as_millis() as f64 {
			"met"
		} else {
			"NOT met"
		}
	);
	println!("  ratio to the block time: p50 {:.2}, p99 {:.2}", p50 / 2000.0, p99 / 2000.0);
	println!("custodian CPU per release:");
	println!(
		"  share computation (capsule check, share, DLEQ proof, seal): {:.0} us",
		per_release * 1e6
	);
	println!(
		"  whole node of hospital A during the reads (authoring, import, custodian): {:.1} ms per read",
		cpu_reads * 1000.0 / reads as f64
	);
	println!("releases one custodian sustains:");
	println!(
		"  burst of {} requests (6 doctors x 8 pending), every custodian answered all in {burst:.1} s: {:.1} releases/s per custodian",
		ids.len(),
		ids.len() as f64 / burst
	);
	println!("  share computation alone: {:.0} releases/s on one core", 1.0 / per_release);
	Ok(())
}
