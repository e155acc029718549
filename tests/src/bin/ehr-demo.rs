//! `ehr-demo [WS_URL]`: walks the patient -> grant -> doctor read -> expiry -> denied scenario
//! against a development chain and says what happens at each step.

use anyhow::Result;
use ehr_client::{
	dev::dev_identity,
	store::{embedded::EmbeddedStore, replicas::Replica},
};
use ehr_tests::scenario::{
	grant_tx, prepare_record, read_record, register_tx, release_dev_share, report_tamper_tx,
	request_tx, transfer_tx, Cast, Chain,
};
use pallet_consortium::INVALID_NOT_REGISTERED;

/// The confidentiality period of the demo grant, in chain milliseconds.
const PERIOD_MS: u64 = 30_000;

fn step(text: &str) {
	println!("\n--- {text}");
}

fn outcome<T: std::fmt::Display>(result: Result<T>, what: &str) {
	match result {
		Ok(id) => println!("    ok: {what} #{id}"),
		Err(e) => {
			let text = e.to_string();
			let why = match text.rsplit_once("Pallet error: ") {
				Some((_, error)) => error.to_string(),
				None if text.contains(&format!("custom error: {INVALID_NOT_REGISTERED}")) => {
					"rejected before the pool: the account is not registered".to_string()
				}
				None => text,
			};
			println!("    DENIED: {why}");
		}
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
		prepare_record(&[&hospital_a, &hospital_b], &cast.patient, "Charlie", plaintext).await?;
	println!("    CID {} ({} bytes of ciphertext)", record.cid, record.size);
	let record_id =
		chain.submit(&register_tx(&cast.patient, &record, "Observation"), &cast.patient).await?;
	println!("    registered on chain as record #{record_id}: CID, hash and key capsules, nothing in clear");

	let now = chain.now_ms().await?;
	step(&format!(
		"Charlie grants Bob (doctor, hospital A) read access for {} s",
		PERIOD_MS / 1000
	));
	let grant = chain
		.submit(
			&grant_tx(record_id, &cast.doctor, now, now + PERIOD_MS, "HbA1c follow-up, Dr Bob"),
			&cast.patient,
		)
		.await?;
	println!(
		"    grant #{grant}: purpose TREAT, read only, ends at chain time {} ms",
		now + PERIOD_MS
	);

	step("Bob requests the record's key under the grant");
	let request = chain.submit(&request_tx(record_id, grant), &cast.doctor).await?;
	println!("    ok: access request #{request}, recorded with Bob's X25519 key");

	step("Hospital A's custodian checks the request on chain and releases its key share to Bob");
	let released = release_dev_share(&chain, request).await?;
	println!(
		"    ok: KeyReleased for request #{released}: the share is sealed to Bob, with a proof"
	);

	step("Someone alters hospital A's copy of the ciphertext on disk");
	let block = hospital_a.block_path(&record.cid.parse()?);
	let mut bytes = std::fs::read(&block)?;
	bytes[20] ^= 1;
	std::fs::write(&block, bytes)?;
	println!("    one bit flipped in {}", block.display());

	step("Bob reads the record: combines the shares, fetches the ciphertext by CID, decrypts");
	let read = read_record(&chain, &replicas, &dev_identity("Bob"), request).await?;
	for failure in &read.failures {
		println!("    {}: {}", failure.provider, failure.error);
		let repaired =
			if failure.repaired { "repaired from the good copy" } else { "NOT repaired" };
		println!("    {}: {repaired}", failure.provider);
		chain.submit(&report_tamper_tx(record_id, failure), &cast.doctor).await?;
		println!("    reported on chain: Records.TamperReported for record #{record_id}");
	}
	println!("    ok: {}'s copy matches the on-chain hash; plaintext:", read.from);
	println!("    {}", String::from_utf8_lossy(&read.plaintext));

	step("Eve (doctor, hospital B) tries the same grant");
	outcome(
		chain.submit(&request_tx(record_id, grant), &cast.other_doctor).await,
		"access request",
	);

	step("Ferdie (not registered) tries to send any transaction");
	outcome(chain.submit(&transfer_tx(&cast.doctor, 1), &cast.outsider).await, "transfer");

	step("waiting for the confidentiality period to end");
	chain.wait_until(now + PERIOD_MS).await?;
	println!("    chain time is past {}", now + PERIOD_MS);

	step("Bob requests again after the period");
	outcome(chain.submit(&request_tx(record_id, grant), &cast.doctor).await, "access request");
	println!("\nEvery step above is an event in a finalized block: the chain is the audit log.");
	Ok(())
}
