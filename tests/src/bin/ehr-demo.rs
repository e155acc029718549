//! `ehr-demo [WS_URL]`: walks the patient -> grant -> doctor read -> expiry -> denied scenario
//! against a development chain and says what happens at each step.

use anyhow::Result;
use ehr_client::{
	chain::{Chain, ChainError},
	grants, read, records,
	store::{embedded::EmbeddedStore, replicas::Replica},
};
use ehr_tests::scenario::{prepare_record, read_grant, reply_key, transfer, Cast, READ_WAIT};

/// The confidentiality period of the demo grant, in chain milliseconds.
const PERIOD_MS: u64 = 30_000;

/// Chain time (ms since the Unix epoch) as a UTC date.
fn date(ms: u64) -> String {
	i64::try_from(ms)
		.ok()
		.and_then(chrono::DateTime::from_timestamp_millis)
		.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
		.unwrap_or_else(|| format!("{ms} ms"))
}

fn step(text: &str) {
	println!("\n--- {text}");
}

fn outcome<T>(result: Result<T, ChainError>, what: &str, id: impl Fn(&T) -> u64) {
	match result {
		Ok(value) => println!("    ok: {what} #{}", id(&value)),
		Err(e) => println!("    DENIED: {e}"),
	}
}

#[tokio::main]
async fn main() -> Result<()> {
	let url = std::env::args().nth(1).unwrap_or_else(|| "ws://127.0.0.1:9944".into());
	let chain = Chain::connect(&url).await?;
	let cast = Cast::default();
	let dirs = [tempfile::tempdir()?, tempfile::tempdir()?];
	let hospital_a = EmbeddedStore::open(dirs[0].path())?;
	let hospital_b = EmbeddedStore::open(dirs[1].path())?;
	let replicas: [Replica; 2] = [("hospital-a", &hospital_a), ("hospital-b", &hospital_b)];

	step("Charlie (patient) encrypts a lab result; hospitals A and B keep the ciphertext (embedded IPFS stores)");
	let plaintext = br#"{"resourceType":"Observation","code":{"text":"HbA1c"},"valueQuantity":{"value":6.1,"unit":"%"}}"#;
	let record =
		prepare_record(&[&hospital_a, &hospital_b], &cast.patient, "Observation", plaintext)
			.await?;
	println!("    CID {} ({} bytes of ciphertext)", record.cid, record.size);
	let record_id = records::register(&chain, &cast.patient, &record).await?.record;
	println!("    registered on chain as record #{record_id}: CID, hash and key capsules, nothing in clear");

	let now = chain.now_ms().await?;
	step(&format!(
		"Charlie grants Bob (doctor, hospital A) read access for {} s",
		PERIOD_MS / 1000
	));
	let terms =
		read_grant(record_id, &cast.doctor, now, now + PERIOD_MS, "HbA1c follow-up, Dr Bob");
	let grant = grants::grant(&chain, &cast.patient, &terms).await?.grant;
	println!(
		"    grant #{grant}: purpose TREAT, read only, from {} until {}",
		date(now),
		date(now + PERIOD_MS)
	);

	step("Someone alters hospital A's copy of the ciphertext on disk");
	let block = hospital_a.block_path(&record.cid.parse()?);
	let mut bytes = std::fs::read(&block)?;
	bytes[20] ^= 1;
	std::fs::write(&block, bytes)?;
	println!("    one bit flipped in {}", block.display());

	step("Bob reads the record under the grant");
	let read =
		read::read_record(&chain, &replicas, &cast.doctor, record_id, grant, READ_WAIT).await?;
	println!(
		"    access request #{}: made with a fresh reply key; hospital A's node checked it at the \
		 latest finalized block and released its key share, sealed to that key, with a proof",
		read.request
	);
	println!("    Bob verified the share, unwrapped the key and fetched the ciphertext by CID");
	for failure in &read.failures {
		println!("    {}: {}", failure.provider, failure.error);
		let repaired =
			if failure.repaired { "repaired from the good copy" } else { "NOT repaired" };
		println!("    {}: {repaired}", failure.provider);
		records::report_tamper(
			&chain,
			&cast.doctor,
			record_id,
			&failure.provider,
			failure.observed_hash,
		)
		.await?;
		println!("    reported on chain: Records.TamperReported for record #{record_id}");
	}
	println!("    ok: {}'s copy matches the on-chain hash; plaintext:", read.from);
	println!("    {}", String::from_utf8_lossy(&read.plaintext));

	step("Eve (doctor, hospital B) tries the same grant");
	let eve = grants::request(&chain, &cast.other_doctor, record_id, grant, reply_key()).await;
	outcome(eve, "access request", |e| e.request);

	step("Ferdie (not registered) tries to send any transaction");
	outcome(transfer(&chain, &cast.outsider, &cast.doctor, 1).await, "transfer", |_| 0);

	step("waiting for the confidentiality period to end");
	chain.wait_until(now + PERIOD_MS).await?;
	println!("    the chain's clock is past {}", date(now + PERIOD_MS));

	step("Bob requests again after the period");
	let late = grants::request(&chain, &cast.doctor, record_id, grant, reply_key()).await;
	outcome(late, "access request", |e| e.request);
	println!("\nEvery step above is an event on chain: the chain is the audit log.");
	Ok(())
}
