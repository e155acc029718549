//! `bench-wallet [MIB]`: upload and read of one large record end to end through the `ehr`
//! binary (separate processes, a `--dev` node, the embedded store), next to the raw store
//! put and get of the same bytes in the same run. Reports wall time and peak RSS of each
//! process, the wallet's data path (encrypt, hash, store; fetch, verify, decrypt) apart from
//! its chain waits (in seconds and blocks), and the ratios.
//!
//! Run it with release binaries: `scripts/bench-wallet.sh` (`EHR_NODE` and `EHR_CLI` name
//! them). Targets (issue "the ehr wallet"): data path within 1.5x of the raw put and get;
//! peak RSS under 64 MiB (development accounts: no keystore KDF).
//!
//! `bench-wallet raw-put DIR FILE` and `bench-wallet raw-get DIR CID OUT` are the raw store
//! operations it times in child processes.

use std::{
	path::Path,
	process::Command,
	time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use ehr_client::store::{embedded::EmbeddedStore, PayloadStore};
use ehr_tests::{cli_binary, Node};
use serde_json::Value;

const TARGET_RATIO: f64 = 1.5;
const TARGET_RSS_MIB: f64 = 64.0;

/// A child process's wall time and peak resident set, with its standard output.
struct Run {
	wall: Duration,
	rss_mib: f64,
	stdout: String,
}

/// Runs `program args` and measures it; the peak RSS is the child's `ru_maxrss` as
/// `wait4` reports it (through `/usr/bin/time`, which scripts/setup.sh installs).
fn measure(program: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<Run> {
	let started = Instant::now();
	let out = Command::new("/usr/bin/time")
		.arg("-f")
		.arg("EHR-BENCH-RSS %M")
		.arg(program)
		.args(args)
		.envs(env.iter().copied())
		.output()
		.with_context(|| format!("running {}", program.display()))?;
	let wall = started.elapsed();
	let stderr = String::from_utf8_lossy(&out.stderr);
	if !out.status.success() {
		bail!("{} {args:?} failed: {stderr}", program.display());
	}
	let kib: f64 = stderr
		.lines()
		.find_map(|l| l.strip_prefix("EHR-BENCH-RSS "))
		.and_then(|v| v.trim().parse().ok())
		.context("no RSS from /usr/bin/time")?;
	Ok(Run {
		wall,
		rss_mib: kib / 1024.0,
		stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
	})
}

async fn raw(args: &[String]) -> Result<()> {
	match args {
		// Each prints what it made and the seconds of the operation itself (after the process
		// started and the store opened, as the wallet's data path is timed).
		[op, dir, file] if op == "raw-put" => {
			let store = EmbeddedStore::open(dir)?;
			let started = Instant::now();
			let cid = store.put_file(Path::new(file)).await?;
			println!("{cid} {}", started.elapsed().as_secs_f64());
		}
		[op, dir, cid, out] if op == "raw-get" => {
			let store = EmbeddedStore::open(dir)?;
			let started = Instant::now();
			let mut file = tokio::fs::File::create(out).await?;
			store.get(&cid.parse()?, &mut file).await?;
			file.sync_all().await?;
			println!("- {}", started.elapsed().as_secs_f64());
		}
		_ => bail!("usage: bench-wallet [MIB] | raw-put DIR FILE | raw-get DIR CID OUT"),
	}
	Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
	let args: Vec<String> = std::env::args().skip(1).collect();
	if args.first().is_some_and(|a| a.starts_with("raw-")) {
		return raw(&args).await;
	}
	let mib: u64 = args.first().map(|a| a.parse()).transpose()?.unwrap_or(100);
	let me = std::env::current_exe()?;
	let ehr = cli_binary()?;
	let work = tempfile::tempdir()?;
	let path = |name: &str| work.path().join(name).to_string_lossy().into_owned();
	let input = path("record.json");
	{
		// Incompressible bytes, so no store or cipher can take a shortcut.
		use std::io::Write;
		let mut f = std::io::BufWriter::new(std::fs::File::create(&input)?);
		let mut block = vec![0u8; 1 << 20];
		for i in 0..mib {
			getrandom_fill(&mut block, i);
			f.write_all(&block)?;
		}
		f.flush()?;
	}

	let node = Node::start(&["--dev"]).await?;
	let ws = node.ws_url();
	println!("bench-wallet: {mib} MiB record, ehr {} against {}", ehr.display(), ws);

	// The raw store: put the plaintext, get it back (same bytes, same kind of store).
	let raw_put = measure(&me, &["raw-put", &path("raw-store"), &input], &[])?;
	let (cid, raw_put_s) = split_raw(&raw_put.stdout)?;
	let raw_get = measure(&me, &["raw-get", &path("raw-store"), &cid, &path("raw-out")], &[])?;
	let (_, raw_get_s) = split_raw(&raw_get.stdout)?;

	// The wallet: the patient puts it (encrypt, hash, store, register) and reads it back
	// (fetch, verify, decrypt); a doctor reads it under a grant (request, custodian release).
	let store = path("wallet-store");
	let env = [("EHR_NODE", ws.as_str()), ("EHR_STORE", store.as_str())];
	let put = measure(
		&ehr,
		&["--dev", "Charlie", "--json", "record", "put", &input, "--type", "Observation"],
		&env,
	)?;
	let put_json: Value = serde_json::from_str(&put.stdout)?;
	let record = put_json["record"].as_u64().context("record id")?.to_string();
	let own = measure(
		&ehr,
		&["--dev", "Charlie", "--json", "record", "get", &record, "-o", &path("own-out")],
		&env,
	)?;
	let bob = ehr_client::dev::dev_identity("Bob").ss58();
	measure(
		&ehr,
		&[
			"--dev",
			"Charlie",
			"grant",
			"add",
			"--to",
			&bob,
			"--purpose",
			"treatment",
			"--for",
			"1h",
			"--record",
			&record,
		],
		&env,
	)?;
	let doctor = measure(
		&ehr,
		&["--dev", "Bob", "--json", "record", "get", &record, "-o", &path("doctor-out")],
		&env,
	)?;
	for out in ["own-out", "doctor-out"] {
		if std::fs::read(path(out))? != std::fs::read(&input)? {
			bail!("{out} differs from the record put");
		}
	}

	let secs = |v: &Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
	let own_json: Value = serde_json::from_str(&own.stdout)?;
	let doctor_json: Value = serde_json::from_str(&doctor.stdout)?;
	let rate = |s: f64| mib as f64 / s;
	println!(
		"\n{:<34} {:>9} {:>9} {:>10} {:>12} {:>9}",
		"", "wall s", "data s", "MiB/s", "chain s (blk)", "RSS MiB"
	);
	let row = |name: &str, run: &Run, data: f64, chain: Option<(f64, u64)>| {
		let chain = chain.map_or_else(|| "-".to_owned(), |(s, b)| format!("{s:.1} ({b})"));
		println!(
			"{name:<34} {:>9.2} {:>9.2} {:>10.0} {:>12} {:>9.1}",
			run.wall.as_secs_f64(),
			data,
			rate(data),
			chain,
			run.rss_mib
		);
	};
	row("raw store put", &raw_put, raw_put_s, None);
	row("raw store get", &raw_get, raw_get_s, None);
	let blocks = |v: &Value| v["chain_blocks"].as_u64().unwrap_or(0);
	row(
		"ehr record put (patient)",
		&put,
		secs(&put_json, "data_seconds"),
		Some((secs(&put_json, "chain_seconds"), blocks(&put_json))),
	);
	row("ehr record get (patient)", &own, secs(&own_json, "data_seconds"), None);
	row(
		"ehr record get (doctor, grant)",
		&doctor,
		secs(&doctor_json, "data_seconds"),
		Some((secs(&doctor_json, "chain_seconds"), blocks(&doctor_json))),
	);

	let put_ratio = secs(&put_json, "data_seconds") / raw_put_s;
	let get_ratio = secs(&own_json, "data_seconds") / raw_get_s;
	let doctor_ratio = secs(&doctor_json, "data_seconds") / raw_get_s;
	let rss = put.rss_mib.max(own.rss_mib).max(doctor.rss_mib);
	let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
	println!(
		"\nput data path / raw put:            {put_ratio:.2}x (target <= {TARGET_RATIO}x: {})",
		verdict(put_ratio <= TARGET_RATIO)
	);
	println!(
		"get data path / raw get (patient):  {get_ratio:.2}x (target <= {TARGET_RATIO}x: {})",
		verdict(get_ratio <= TARGET_RATIO)
	);
	println!(
		"get data path / raw get (doctor):   {doctor_ratio:.2}x (target <= {TARGET_RATIO}x: {})",
		verdict(doctor_ratio <= TARGET_RATIO)
	);
	println!(
		"peak RSS of the wallet:             {rss:.1} MiB (target < {TARGET_RSS_MIB} MiB: {})",
		verdict(rss < TARGET_RSS_MIB)
	);
	println!("(each data path is timed inside its process, after start-up; the wallet's excludes the chain waits, shown apart; both gets include the fsync)");
	Ok(())
}

/// The `(what, seconds)` a raw operation printed.
fn split_raw(stdout: &str) -> Result<(String, f64)> {
	let (what, secs) = stdout.trim().split_once(' ').context("a raw operation's output")?;
	Ok((what.to_owned(), secs.parse()?))
}

/// Fills `block` with bytes that do not compress (a BLAKE2b counter stream seeded per block).
fn getrandom_fill(block: &mut [u8], seed: u64) {
	for (i, chunk) in block.chunks_mut(32).enumerate() {
		let mut input = seed.to_le_bytes().to_vec();
		input.extend_from_slice(&(i as u64).to_le_bytes());
		let digest = ehr_client::store::replicas::blake2_256(&input);
		chunk.copy_from_slice(&digest[..chunk.len()]);
	}
}
