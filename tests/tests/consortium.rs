//! `ehr-node --chain local`: four hospitals, each a validator and a custodian (3-of-4), on
//! loopback. One consortium, its scenarios in sequence:
//! 1. a doctor with a valid role grant reads a record, and every custodian answers;
//! 2. with one hospital down (SIGSTOP) the read works;
//! 3. with two down, finality stalls and the request waits; it completes when one is back;
//! 4. a doctor removed from the role between request and release (finality stalled while
//!    both land) gets no share: none in storage, none in any block body;
//! 5. a removed doctor, a suspended organisation, and a delegate whose delegator lost the
//!    role are refused at the request;
//! 6. a custodian stopped while a request is made answers it after its restart, and nothing
//!    is ever released twice;
//! 7. a wrong share from an external signer with a custodian's account is named by the
//!    client and skipped, and the read succeeds from the honest shares;
//! 8. after expiry and after revocation the request is refused.

use std::time::Duration;

use ehr_client::{
	chain::{account_of, read, runtime, Chain, ChainError},
	consortium::{self, Authority, OrgStatus, Role},
	crypto::release::ReplyKey,
	dev::{dev_identity, local_custody},
	grants::{self, Actions, GrantTerms, Grantee, Purpose, Scope},
	read as reading, records,
	store::{embedded::EmbeddedStore, replicas::Replica},
};
use ehr_tests::{
	consortium::{releases_in_blocks, staff, submit_wrong_share, Consortium},
	scenario::{prepare_record_for, read_grant, HOSPITAL_A, READ_WAIT},
};

const PLAINTEXT: &[u8] = br#"{"resourceType":"Observation","code":{"text":"eGFR"}}"#;

/// The next access request id at the best block.
async fn next_request(chain: &Chain) -> u64 {
	let at = chain.best().await.expect("best block");
	read(&at, runtime::storage().access().next_request_id(), ()).await.expect("read").unwrap_or(0)
}

/// The custodian indexes that released a share for `request`, at the best block.
async fn shares_of(chain: &Chain, request: u64) -> Vec<u16> {
	let at = chain.best().await.expect("best block");
	let open = grants::open_request(&at, request).await.expect("query").expect("open request");
	let mut indexes: Vec<u16> = open.shares.0.iter().map(|(i, _)| *i).collect();
	indexes.sort_unstable();
	indexes
}

/// Waits until `request` holds `n` shares; returns their custodian indexes.
async fn wait_shares(chain: &Chain, request: u64, n: usize) -> Vec<u16> {
	let start = std::time::Instant::now();
	loop {
		let shares = shares_of(chain, request).await;
		if shares.len() >= n || start.elapsed() > READ_WAIT {
			return shares;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// Submits `request` and asserts that it is refused with the access pallet's `error` and
/// that no request is stored.
async fn assert_refused<T: std::fmt::Debug>(
	chain: &Chain,
	request: impl std::future::Future<Output = Result<T, ChainError>>,
	error: &str,
) {
	let before = next_request(chain).await;
	let err = request.await.expect_err(error);
	assert!(err.is(error), "{error}: {err}");
	assert_eq!(next_request(chain).await, before, "no request is stored");
}

/// Waits until the node's finalized block reaches `n`.
async fn wait_finalized(c: &Consortium, n: u64) {
	let node = c.node("Alice");
	node.wait_for("finalized block", n, READ_WAIT, || node.finalized_number())
		.await
		.expect("finality");
}

#[tokio::test]
async fn four_hospitals_release_keys_only_under_valid_grants() {
	let mut c = Consortium::start().await.expect("the consortium starts");
	let chain = Chain::connect(&c.node("Alice").ws_url()).await.expect("connect");
	let manager = dev_identity("Alice");
	let patient = dev_identity("Charlie");
	let dir = tempfile::tempdir().expect("tempdir");
	let store = EmbeddedStore::open(dir.path()).expect("store");
	let replicas: [Replica; 1] = [("hospital-a", &store)];
	let custody_key = local_custody().expect("local custody").group_key;

	let doctor = staff(&chain, &manager, 1, Role::Doctor).await.expect("onboarded");
	let leaving = staff(&chain, &manager, 2, Role::Doctor).await.expect("onboarded");
	let delegator = staff(&chain, &manager, 3, Role::Doctor).await.expect("onboarded");
	let nurse = staff(&chain, &manager, 4, Role::Nurse).await.expect("onboarded");

	let record = prepare_record_for(&custody_key, &[&store], &patient, "Observation", PLAINTEXT)
		.await
		.expect("encrypt and store");
	let record_id = records::register(&chain, &patient, &record).await.expect("register").record;
	let now = chain.now_ms().await.expect("chain time");
	let terms = GrantTerms {
		scope: Scope::Record(record_id),
		grantee: Grantee::Role(HOSPITAL_A, Role::Doctor),
		purpose: Purpose::Treatment,
		actions: Actions { read: true, append: false },
		not_before: now,
		expires_at: now + 3_600_000,
		terms_hash: [1; 32],
		delegable: true,
	};
	let grant = grants::grant(&chain, &patient, &terms).await.expect("role grant").grant;
	let short = read_grant(record_id, &doctor, now, now + 60_000, "one minute");
	let expiring = grants::grant(&chain, &patient, &short).await.expect("short grant").grant;

	// 1. A valid read; every custodian answers, not only the first three.
	let first = reading::read_record(&chain, &replicas, &doctor, record_id, grant, READ_WAIT)
		.await
		.expect("the doctor reads");
	assert_eq!(first.plaintext, PLAINTEXT);
	assert!(first.faulty.is_empty(), "{:?}", first.faulty);
	assert_eq!(wait_shares(&chain, first.request, 4).await, vec![0, 1, 2, 3]);

	// 2. One hospital down.
	c.node("Eve").pause().expect("pause Eve");
	let read = reading::read_record(&chain, &replicas, &doctor, record_id, grant, READ_WAIT)
		.await
		.expect("the read works with one hospital down");
	assert_eq!(read.plaintext, PLAINTEXT);
	assert_eq!(shares_of(&chain, read.request).await, vec![0, 1, 2]);
	c.node("Eve").resume().expect("resume Eve");

	// 3. Two hospitals down: no finality, so no custodian sees the request; it waits.
	c.node("Dave").pause().expect("pause Dave");
	c.node("Eve").pause().expect("pause Eve");
	let reply = ReplyKey::generate();
	let waiting = grants::request(&chain, &doctor, record_id, grant, reply.public())
		.await
		.expect("the request lands in a best block")
		.request;
	let stalled = reading::collect_key(&chain, &reply, waiting, Duration::from_secs(8)).await;
	assert!(
		matches!(stalled, Err(reading::ReadError::Timeout { valid: 0, .. })),
		"no share while finality stalls"
	);
	c.node("Dave").resume().expect("resume Dave");
	let released = reading::collect_key(&chain, &reply, waiting, READ_WAIT)
		.await
		.expect("the request completes once a third hospital is back");
	assert!(released.faulty.is_empty());
	c.node("Eve").resume().expect("resume Eve");

	// 4. Removal from the role between request and release: both land while finality is
	// stalled, so when the custodians see the request, the removal is there too.
	c.node("Dave").pause().expect("pause Dave");
	c.node("Eve").pause().expect("pause Eve");
	let from = c.node("Alice").best_number().await.expect("best");
	let reply = ReplyKey::generate();
	let orphan = grants::request(&chain, &leaving, record_id, grant, reply.public())
		.await
		.expect("the request is valid when made")
		.request;
	consortium::remove_member(
		&chain,
		&manager,
		Authority::Manager,
		HOSPITAL_A,
		account_of(&leaving),
	)
	.await
	.expect("the manager removes the doctor");
	let removed_at = c.node("Alice").best_number().await.expect("best");
	c.node("Dave").resume().expect("resume Dave");
	c.node("Eve").resume().expect("resume Eve");
	wait_finalized(&c, removed_at + 4).await;
	let to = c.node("Alice").best_number().await.expect("best");
	assert!(shares_of(&chain, orphan).await.is_empty(), "no share is stored");
	let at = chain.best().await.expect("best");
	let refusal = grants::may_release(&at, orphan).await.expect("query");
	assert!(refusal.is_err(), "{refusal:?}");
	let bodies = releases_in_blocks(c.node("Alice"), from, to).await.expect("blocks");
	assert!(
		bodies.iter().all(|r| !r.requests.contains(&orphan)),
		"no block carries a release for the request: {bodies:?}"
	);
	assert!(!bodies.is_empty(), "the custodians released for other requests meanwhile");

	// 5. Refused at the request.
	let refused = grants::request(&chain, &leaving, record_id, grant, reply.public());
	assert_refused(&chain, refused, "NotGrantee").await;
	let delegation = grants::delegate(&chain, &delegator, grant, account_of(&nurse), now + 600_000)
		.await
		.expect("the doctor delegates to the nurse")
		.grant;
	let delegated =
		reading::read_record(&chain, &replicas, &nurse, record_id, delegation, READ_WAIT)
			.await
			.expect("the delegate reads");
	assert_eq!(delegated.plaintext, PLAINTEXT);
	consortium::remove_member(
		&chain,
		&manager,
		Authority::Manager,
		HOSPITAL_A,
		account_of(&delegator),
	)
	.await
	.expect("the delegator leaves the role");
	let refused = grants::request(&chain, &nurse, record_id, delegation, reply.public());
	assert_refused(&chain, refused, "DelegatorLostStanding").await;
	consortium::set_organisation_status(&chain, &manager, HOSPITAL_A, OrgStatus::Suspended)
		.await
		.expect("governance suspends hospital A");
	let refused = grants::request(&chain, &doctor, record_id, grant, reply.public());
	assert_refused(&chain, refused, "NotGrantee").await;
	consortium::set_organisation_status(&chain, &manager, HOSPITAL_A, OrgStatus::Active)
		.await
		.expect("governance reinstates hospital A");

	// 6. Bob's node is down while a request is made; after its restart it answers it. Dave and
	// Eve were stopped twice above: first every hospital finalizes the current best block, so
	// the three left to vote are in the same GRANDPA round when Bob goes.
	c.wait_all_finalized(Duration::from_secs(120)).await.expect("every hospital caught up");
	c.node_mut("Bob").stop(Duration::from_secs(20)).expect("stop Bob");
	let during = reading::read_record(&chain, &replicas, &doctor, record_id, grant, READ_WAIT)
		.await
		.expect("the read works while Bob's node is down");
	assert_eq!(shares_of(&chain, during.request).await, vec![0, 2, 3]);
	c.node_mut("Bob").relaunch().await.expect("Bob's node restarts");
	assert_eq!(wait_shares(&chain, during.request, 4).await, vec![0, 1, 2, 3], "not missed");

	// 7. A wrong share under Eve's custodian index, from an external signer with her key. Eve's
	// node is paused only until the wrong share is in a best block (no finality needed), so
	// that it cannot answer first; then every custodian answers.
	c.node("Eve").pause().expect("pause Eve");
	let reply = ReplyKey::generate();
	let request = grants::request(&chain, &doctor, record_id, grant, reply.public())
		.await
		.expect("request")
		.request;
	let at = chain.best().await.expect("best");
	let on_chain = records::existing(&at, record_id).await.expect("record");
	let label = records::record_label(&on_chain);
	submit_wrong_share(
		c.node("Alice"),
		"Eve",
		3,
		request,
		&reply.public(),
		&custody_key,
		&label,
		&on_chain.custody_capsule.0,
	)
	.await
	.expect("the pool takes a well-formed, signed release");
	assert!(wait_shares(&chain, request, 1).await.contains(&3), "the wrong share is in a block");
	c.node("Eve").resume().expect("resume Eve");
	assert_eq!(wait_shares(&chain, request, 4).await, vec![0, 1, 2, 3]);
	let key = reading::collect_key(&chain, &reply, request, READ_WAIT)
		.await
		.expect("the read succeeds from the honest shares");
	let [bad] = &key.faulty[..] else { panic!("one faulty share: {:?}", key.faulty) };
	assert_eq!((bad.custodian_index, bad.custodian), (3, Some(account_of(&dev_identity("Eve")))));
	assert!(bad.reason.contains("proof"), "{}", bad.reason);

	// Nothing was ever released twice: one release per (request, custodian) in all blocks.
	let best = c.node("Alice").best_number().await.expect("best");
	let all = releases_in_blocks(c.node("Alice"), 1, best).await.expect("blocks");
	let mut pairs: Vec<(u64, u16)> =
		all.iter().flat_map(|r| r.requests.iter().map(|q| (*q, r.custodian_index))).collect();
	let total = pairs.len();
	pairs.sort_unstable();
	pairs.dedup();
	assert_eq!(pairs.len(), total, "a share was released twice: {all:?}");
	assert_eq!(pairs.iter().filter(|(q, i)| *q == during.request && *i == 1).count(), 1);

	// 8. Expiry and revocation end access by themselves.
	chain.wait_until(now + 60_000).await.expect("chain time");
	let refused = grants::request(&chain, &doctor, record_id, expiring, reply.public());
	assert_refused(&chain, refused, "GrantExpired").await;
	grants::revoke(&chain, &patient, grant).await.expect("the patient revokes");
	let refused = grants::request(&chain, &doctor, record_id, grant, reply.public());
	assert_refused(&chain, refused, "GrantRevoked").await;
}
