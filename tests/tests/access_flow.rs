//! On `ehr-node --dev`: a patient registers an encrypted record, kept by two hospitals, and
//! grants a doctor read access for a confidentiality period; inside it the doctor's signed
//! request succeeds, the node's custodian service releases its key share, sealed to the
//! request's fresh reply key, and he decrypts the record,
//! reading around a tampered copy (repaired, and reported on chain); after it the request
//! fails with `GrantExpired`; a doctor of another hospital is refused with `NotGrantee`; an
//! unregistered account cannot even get a transaction into the pool.

use std::time::Duration;

use ehr_client::{
	chain::{account_of, Chain, ChainError, Rejection},
	crypto::release::ReplyKey,
	grants, read, records,
	store::{embedded::EmbeddedStore, replicas::Replica, PayloadStore, StoreError},
};
use ehr_tests::{
	scenario::{prepare_record, read_grant, reply_key, transfer, Cast, READ_WAIT},
	Node,
};

/// The confidentiality period of the test grant, in chain milliseconds.
const PERIOD_MS: u64 = 30_000;

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
	let record =
		prepare_record(&[&hospital_a, &hospital_b], &cast.patient, "Observation", plaintext)
			.await
			.expect("encrypt and store");
	let registered = records::register(&chain, &cast.patient, &record)
		.await
		.expect("patient registers the record");
	let record_id = registered.record;
	assert_eq!(registered.patient, record.patient);
	let at = chain.best().await.expect("best block");
	let on_chain = records::existing(&at, record_id).await.expect("the record is on chain");
	assert_eq!(on_chain.ciphertext_hash, record.ciphertext_hash);
	assert_eq!(on_chain.cid.0, record.cid.as_bytes());

	let now = chain.now_ms().await.expect("chain time");
	let terms =
		read_grant(record_id, &cast.doctor, now, now + PERIOD_MS, "treatment of the 2026 fracture");
	let created =
		grants::grant(&chain, &cast.patient, &terms).await.expect("patient grants the doctor");
	let grant = created.grant;
	assert_eq!((created.patient, created.expires_at), (record.patient, now + PERIOD_MS));

	// Hospital A's copy is altered on disk: the read detects it, takes hospital B's copy and
	// repairs A's; the doctor reports the tamper on chain.
	let cid = record.cid.parse().expect("cid");
	let block = hospital_a.block_path(&cid);
	let mut bytes = std::fs::read(&block).expect("block");
	bytes[20] ^= 1;
	std::fs::write(&block, bytes).expect("tamper");
	let read = read::read_record(&chain, &replicas, &cast.doctor, record_id, grant, READ_WAIT)
		.await
		.expect("the grantee reads inside the period");
	let request = read.request;
	assert!(read.faulty.is_empty(), "{:?}", read.faulty);
	let at = chain.best().await.expect("best block");
	let answered = grants::open_request(&at, request).await.expect("query").expect("open");
	assert_eq!((answered.record, answered.grant), (record_id, grant));
	assert_eq!(answered.requester, account_of(&cast.doctor));
	let released: Vec<u16> = answered.shares.0.iter().map(|(i, _)| *i).collect();
	assert_eq!(released, vec![0], "hospital A's node released custodian 0's share");
	assert_eq!(read.plaintext, plaintext, "the doctor decrypts the patient's record");
	assert_eq!(read.from, "hospital-b");
	let [failure] = &read.failures[..] else { panic!("one failure: {:?}", read.failures) };
	assert_eq!(failure.provider, "hospital-a");
	assert!(matches!(failure.error, StoreError::Corrupt { .. }), "{}", failure.error);
	assert!(failure.repaired);
	assert!(hospital_a.get(&cid, &mut Vec::new()).await.is_ok(), "hospital A's copy is repaired");
	let reported = records::report_tamper(
		&chain,
		&cast.doctor,
		record_id,
		&failure.provider,
		failure.observed_hash,
		Some(grant),
	)
	.await
	.expect("the doctor reports the tampered copy");
	assert_eq!((reported.record, reported.reports), (record_id, 1));
	let at = chain.best().await.expect("best block");
	let reporters = records::tamper_reports(&at, record_id).await.expect("reports");
	assert_eq!(reporters, vec![ehr_client::chain::account_of(&cast.doctor)]);

	// The release is sealed to the reply key Bob made for the request and forgot: any other
	// key (Eve's, or a key of Bob's that leaks later) opens nothing, and a read with another
	// key does not take the request for its own.
	let context = ehr_client::crypto::release::request_context(request);
	let sealed = &answered.shares.0[0].1 .0;
	let other = ehr_client::crypto::release::open(&ReplyKey::generate(), &context, sealed);
	assert!(other.is_err(), "another key opens the release");
	let eve =
		read::collect_key(&chain, &ReplyKey::generate(), request, Duration::from_secs(2)).await;
	assert!(matches!(eve, Err(read::ReadError::NotOurRequest { request: r }) if r == request));

	let denied = grants::request(&chain, &cast.other_doctor, record_id, grant, reply_key())
		.await
		.expect_err("a doctor who is not the grantee is refused");
	let failure = denied.dispatch().expect("a pallet error");
	assert_eq!((failure.pallet.as_str(), failure.error.as_str()), ("Access", "NotGrantee"));
	assert!(failure.doc.contains("Ask the patient for a grant"), "{denied}");

	let rejected = transfer(&chain, &cast.outsider, &cast.doctor, 1)
		.await
		.expect_err("an unregistered account is rejected before the pool");
	assert!(matches!(rejected, ChainError::Rejected(Rejection::NotRegistered)), "{rejected:?}");

	lifted_capsules_are_refused(&chain, &cast, &hospital_a, &record).await;

	// Wait until the chain's clock passes the end of the period: access ends by itself.
	chain.wait_until(now + PERIOD_MS).await.expect("chain time");
	let expired = grants::request(&chain, &cast.doctor, record_id, grant, reply_key())
		.await
		.expect_err("the request after the period fails");
	assert!(expired.is("GrantExpired"), "{expired}");
	assert_eq!(
		expired.to_string(),
		"The grant's period is over. Ask the patient to renew it. (Access.GrantExpired)"
	);
}

/// A newly onboarded patient (invited by hospital A's manager, accepting with his own key)
/// files a copy of Charlie's custody capsule under a record of his own, then a capsule with a
/// valid proof made for another record (the same record under another content type): the
/// chain verifies each capsule's proof against the record's own fields and refuses both, so
/// no custodian is ever asked; nothing is registered half-way, and his honestly sealed record
/// registers. Frozen by governance, he cannot transact any more.
async fn lifted_capsules_are_refused(
	chain: &Chain,
	cast: &Cast,
	store: &EmbeddedStore,
	victim: &records::RecordDescriptor,
) {
	use ehr_client::{
		consortium::{self, AccountKind, Authority},
		crypto::identity::Identity,
	};
	let mallory = Identity::from_seed([0x4d; 32]);
	let onboarded = consortium::onboard(
		chain,
		&cast.manager,
		Authority::Manager,
		ehr_tests::scenario::HOSPITAL_A,
		&mallory,
		AccountKind::Patient,
	)
	.await
	.expect("the manager invites a new patient, who accepts");
	assert_eq!(onboarded.x25519, mallory.x25519_public());
	assert_eq!(onboarded.who, account_of(&mallory));

	let own = prepare_record(&[store], &mallory, "Observation", b"{}").await.expect("record");
	let copied = records::RecordDescriptor {
		custody_capsule: victim.custody_capsule.clone(),
		..own.clone()
	};
	let refused = records::register(chain, &mallory, &copied).await.expect_err("a copied capsule");
	assert!(refused.is("UnboundCustodyCapsule"), "{refused}");

	let elsewhere = records::RecordDescriptor { content_type: "Condition".into(), ..own.clone() };
	let custody = ehr_client::dev::dev_custody().expect("dev custody");
	let dek = ehr_client::crypto::DataKey::generate();
	let refiled = ehr_client::crypto::custody::seal(&custody.group_key, &elsewhere.label(), &dek)
		.expect("seal")
		.to_bytes();
	let filed = records::RecordDescriptor { custody_capsule: refiled, ..own.clone() };
	let refused = records::register(chain, &mallory, &filed).await.expect_err("a refiled capsule");
	assert!(refused.is("UnboundCustodyCapsule"), "{refused}");
	let at = chain.best().await.expect("best block");
	let mine = records::records_of(&at, &account_of(&mallory), None, 10).await.expect("records");
	assert!(mine.is_empty(), "nothing is registered half-way: {mine:?}");

	records::register(chain, &mallory, &own).await.expect("his own capsule is bound to his record");

	// Frozen by governance, the account cannot even get a transaction into the pool.
	let status = consortium::AccountStatus::Frozen;
	let who = account_of(&mallory);
	consortium::set_account_status(chain, &cast.manager, Authority::Governance, who, status)
		.await
		.expect("governance freezes the account");
	let again = prepare_record(&[store], &mallory, "Observation", b"{}").await.expect("record");
	let refused = records::register(chain, &mallory, &again).await.expect_err("a frozen account");
	assert!(matches!(refused, ChainError::Rejected(Rejection::Frozen)), "{refused:?}");
}

#[test]
fn dev_preset_x25519_keys_are_the_client_dev_keys() {
	let presets = ehr_runtime::genesis_config_presets::DEV_X25519;
	// The preset registers the keys in this order.
	assert_eq!(presets.map(|(name, _)| name), ["Alice", "Bob", "Charlie", "Dave", "Eve"]);
	for (name, key) in presets {
		assert_eq!(key, ehr_client::dev::dev_identity(name).x25519_public(), "{name}");
	}
	assert_eq!(
		ehr_client::chain::INVALID_NOT_REGISTERED,
		pallet_consortium::INVALID_NOT_REGISTERED
	);
	assert_eq!(ehr_client::chain::INVALID_RATE_LIMITED, pallet_consortium::INVALID_RATE_LIMITED);
	assert_eq!(
		ehr_client::chain::INVALID_ACCOUNT_FROZEN,
		pallet_consortium::INVALID_ACCOUNT_FROZEN
	);
	assert_eq!(
		ehr_client::chain::INVALID_ACCOUNT_DEREGISTERED,
		pallet_consortium::INVALID_ACCOUNT_DEREGISTERED
	);
	use frame_support::traits::Get;
	assert_eq!(
		<<ehr_runtime::Runtime as pallet_records::Config>::CustodyCapsuleLen as Get<u32>>::get()
			as usize,
		ehr_client::crypto::custody::CUSTODY_CAPSULE_SIZE
	);
	let custody = ehr_client::dev::dev_custody().expect("dev custody");
	assert_eq!(ehr_runtime::genesis_config_presets::DEV_CUSTODY_KEY, custody.group_key);
	let local = ehr_client::dev::local_custody().expect("local custody");
	assert_eq!(ehr_runtime::genesis_config_presets::LOCAL_CUSTODY_KEY, local.group_key);
	let keys: Vec<[u8; 32]> = local.verification_keys.iter().map(|(_, k)| *k).collect();
	assert_eq!(ehr_runtime::genesis_config_presets::LOCAL_VERIFICATION_KEYS.to_vec(), keys);
	let names = ehr_client::dev::LOCAL_CUSTODIANS;
	assert_eq!(pallet_consortium::custody::check_keys(&local.group_key, &keys, 3), Ok(()));
	assert_eq!(names, ["Alice", "Bob", "Dave", "Eve"], "the local preset's custodian order");
}
