//! On `ehr-node --dev`: a patient registers an encrypted record, kept by two hospitals, and
//! grants a doctor read access for a confidentiality period; inside it the doctor's signed
//! request succeeds, the custodian releases its key share to him and he decrypts the record,
//! reading around a tampered copy (repaired, and reported on chain); after it the request
//! fails with `GrantExpired`; a doctor of another hospital is refused with `NotGrantee`; an
//! unregistered account cannot even get a transaction into the pool.

use ehr_client::{
	dev::dev_identity,
	store::{embedded::EmbeddedStore, replicas::Replica, PayloadStore, StoreError},
};
use ehr_tests::{
	scenario::{
		grant_tx, prepare_record, read_record, register_tx, release_dev_share, report_tamper_tx,
		request_tx, transfer_tx, Cast, Chain,
	},
	Node,
};

/// The confidentiality period of the test grant, in chain milliseconds.
const PERIOD_MS: u64 = 40_000;

#[tokio::test]
async fn grant_request_expiry_and_denials_on_a_dev_chain() {
	let node = Node::start(&["--dev"]).await.expect("node starts");
	let chain = Chain::connect(&node.ws_url()).await.expect("connect");
	let cast = Cast::default();
	let dirs = [tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir")];
	let [hospital_a, hospital_b] =
		dirs.each_ref().map(|d| EmbeddedStore::open(d.path()).expect("store"));
	let replicas: [Replica; 2] = [("hospital-a", &hospital_a), ("hospital-b", &hospital_b)];

	let plaintext = br#"{"resourceType":"Observation"}"#;
	let record = prepare_record(&[&hospital_a, &hospital_b], &cast.patient, "Charlie", plaintext)
		.await
		.expect("encrypt and store");
	let record_id = chain
		.submit(&register_tx(&cast.patient, &record, "Observation"), &cast.patient)
		.await
		.expect("patient registers the record");

	let now = chain.now_ms().await.expect("chain time");
	let grant = chain
		.submit(
			&grant_tx(
				record_id,
				&cast.doctor,
				now,
				now + PERIOD_MS,
				"treatment of the 2026 fracture",
			),
			&cast.patient,
		)
		.await
		.expect("patient grants the doctor");

	let request = chain
		.submit(&request_tx(record_id, grant), &cast.doctor)
		.await
		.expect("the grantee's request inside the period succeeds");
	release_dev_share(&chain, request).await.expect("the custodian releases its share");

	// Hospital A's copy is altered on disk: the read detects it, takes hospital B's copy and
	// repairs A's; the doctor reports the tamper on chain.
	let cid = record.cid.parse().expect("cid");
	let block = hospital_a.block_path(&cid);
	let mut bytes = std::fs::read(&block).expect("block");
	bytes[20] ^= 1;
	std::fs::write(&block, bytes).expect("tamper");
	let read = read_record(&chain, &replicas, &dev_identity("Bob"), request).await.expect("read");
	assert_eq!(read.plaintext, plaintext, "the doctor decrypts the patient's record");
	assert_eq!(read.from, "hospital-b");
	let [failure] = &read.failures[..] else { panic!("one failure: {:?}", read.failures) };
	assert_eq!(failure.provider, "hospital-a");
	assert!(matches!(failure.error, StoreError::Corrupt { .. }), "{}", failure.error);
	assert!(failure.repaired);
	assert!(hospital_a.get(&cid, &mut Vec::new()).await.is_ok(), "hospital A's copy is repaired");
	let reported = chain
		.submit(&report_tamper_tx(record_id, failure), &cast.doctor)
		.await
		.expect("the doctor reports the tampered copy");
	assert_eq!(reported, record_id);

	let eve = read_record(&chain, &replicas, &dev_identity("Eve"), request).await;
	assert!(eve.is_err(), "the share is sealed to Bob: Eve cannot open it");

	let denied = chain
		.submit(&request_tx(record_id, grant), &cast.other_doctor)
		.await
		.expect_err("a doctor who is not the grantee is refused");
	assert!(denied.to_string().contains("NotGrantee"), "{denied}");

	let rejected = chain
		.submit(&transfer_tx(&cast.doctor, 1), &cast.outsider)
		.await
		.expect_err("an unregistered account is rejected before the pool");
	assert!(rejected.to_string().to_lowercase().contains("invalid"), "{rejected}");

	// Wait until the chain's clock passes the end of the period: access ends by itself.
	chain.wait_until(now + PERIOD_MS).await.expect("chain time");
	let expired = chain
		.submit(&request_tx(record_id, grant), &cast.doctor)
		.await
		.expect_err("the request after the period fails");
	assert!(expired.to_string().contains("GrantExpired"), "{expired}");
}

#[test]
fn dev_preset_x25519_keys_are_the_client_dev_keys() {
	let presets = ehr_runtime::genesis_config_presets::DEV_X25519;
	// The preset registers the keys in this order.
	assert_eq!(presets.map(|(name, _)| name), ["Alice", "Bob", "Charlie", "Dave", "Eve"]);
	for (name, key) in presets {
		assert_eq!(key, dev_identity(name).x25519_public(), "{name}");
	}
	let custody = ehr_client::dev::dev_custody().expect("dev custody");
	assert_eq!(ehr_runtime::genesis_config_presets::DEV_CUSTODY_KEY, custody.group_key);
}
