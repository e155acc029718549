//! The custodian service: this hospital's share of the consortium custody key, answering the
//! open access requests of the chain.
//!
//! Enabled by `--custodian-share FILE` (on a `--dev` chain, by default, with the insecure
//! development share). The key that signs releases is the custodian account's, in the node's
//! keystore under the key type `ehrc` (`ehr-node key insert --key-type ehrc --scheme sr25519`;
//! a development seed such as `--alice` inserts its own).
//!
//! On every finality notification, and once at start (so that no request made while the node
//! was down is missed), the service:
//! 1. reads the custody configuration at the latest finalized block and stops releasing if
//!    its share no longer matches it;
//! 2. lists, through the `open_requests_for_custodian` runtime API at that block, the open
//!    requests that still lack its share (requests in blocks that are not final are not seen);
//! 3. asks `may_release` at the finalized block and at the best block (the whole authority of
//!    the requester, now), and skips a request its own release already answers on the best
//!    chain;
//! 4. checks the record's custody capsule against the record (`custodian::seal_share`),
//!    computes the share with its DLEQ proof and seals it to the request's reply key;
//! 5. signs the batch and submits one `release_shares` transaction to the local pool.
//!
//! Idempotent: the pool keeps one release per (request, custodian) and the chain refuses a
//! second, so a restart re-answers only requests whose share is not on chain; a submitted
//! batch is watched and not resubmitted for `RESUBMIT_AFTER` blocks unless the pool drops
//! it. A batch that does not land (a request in it lost its authority between the check
//! and the block) is released again one request per transaction, so one request cannot
//! hold the others back.

use std::{
	collections::{HashMap, HashSet},
	path::PathBuf,
	sync::Arc,
};

use codec::{Decode, Encode};
use ehr_client::{crypto::custody::RecordLabel, custodian::ShareFile};
use ehr_runtime::{opaque::Block, AccountId, Runtime, RuntimeCall, Signature};
use futures::{channel::mpsc, StreamExt};
use pallet_access::runtime_api::AccessApi;
use pallet_records::runtime_api::RecordsApi;
use sc_client_api::{BlockchainEvents, StorageProvider};
use sc_transaction_pool_api::{TransactionPool, TransactionSource};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{crypto::KeyTypeId, storage::StorageKey};
use sp_keystore::KeystorePtr;
use sp_runtime::traits::Get;

use crate::service::FullClient;

/// Key type of the custodian's release-signing key in the node's keystore.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"ehrc");

/// Log target of the service.
const TARGET: &str = "custodian";

/// Blocks after which a submitted but still unanswered release is submitted again.
const RESUBMIT_AFTER: u32 = 10;

/// Open requests read per runtime API call.
const PAGE: u32 = 1024;

/// `--custodian-share`: run the custodian service.
#[derive(Debug, Clone, clap::Args)]
pub struct CustodianArgs {
	/// This hospital's custody share file (from `ehr-node custody keygen`, mode 0600). The
	/// node then releases its key shares for valid access requests, signed with the
	/// custodian account's key of type `ehrc` in its keystore. A `--dev` chain uses the
	/// insecure development share unless this is given.
	#[arg(long, value_name = "FILE")]
	pub custodian_share: Option<PathBuf>,

	/// Do not run the custodian service, not even on a `--dev` chain.
	#[arg(long, conflicts_with = "custodian_share")]
	pub no_custodian: bool,
}

type Pool = sc_transaction_pool::TransactionPoolHandle<Block, FullClient>;
type Hash = <Block as sp_runtime::traits::Block>::Hash;
type Request = pallet_access::AccessRequest<Runtime>;

/// The signing key of the custodian account, found in the keystore.
#[derive(Clone, Copy)]
enum SigningKey {
	Sr25519(sp_core::sr25519::Public),
	Ed25519(sp_core::ed25519::Public),
}

impl SigningKey {
	fn find(keystore: &KeystorePtr, account: &AccountId) -> Option<Self> {
		let raw: &[u8; 32] = account.as_ref();
		let sr = keystore.sr25519_public_keys(KEY_TYPE).into_iter().find(|k| &k.0 == raw);
		let ed = keystore.ed25519_public_keys(KEY_TYPE).into_iter().find(|k| &k.0 == raw);
		sr.map(SigningKey::Sr25519).or(ed.map(SigningKey::Ed25519))
	}

	fn sign(&self, keystore: &KeystorePtr, payload: &[u8]) -> Option<Signature> {
		match self {
			SigningKey::Sr25519(k) => {
				keystore.sr25519_sign(KEY_TYPE, k, payload).ok().flatten().map(Signature::from)
			}
			SigningKey::Ed25519(k) => {
				keystore.ed25519_sign(KEY_TYPE, k, payload).ok().flatten().map(Signature::from)
			}
		}
	}
}

/// The running service.
struct Custodian {
	client: Arc<FullClient>,
	pool: Arc<Pool>,
	keystore: KeystorePtr,
	share: ShareFile,
	genesis: Hash,
	/// Requests submitted, with the best block number at submission.
	in_flight: HashMap<u64, u32>,
	/// Requests refused for a reason that does not change (revoked or expired at the
	/// finalized block, a capsule not bound to its record).
	refused: HashSet<u64>,
	/// Requests of a batch that did not land: released one per transaction.
	solo: HashSet<u64>,
	/// Outcomes of submitted transactions, reported by their watchers.
	outcomes: (mpsc::UnboundedSender<Outcome>, mpsc::UnboundedReceiver<Outcome>),
	spawner: sc_service::SpawnTaskHandle,
	/// Whether the share matched the configuration last time (to log a change once).
	matched: bool,
}

fn custody_at(
	client: &FullClient,
	at: Hash,
) -> Result<Option<pallet_consortium::CustodyConfigOf<Runtime>>, String> {
	use frame_support::storage::generator::StorageValue;
	let key = StorageKey(pallet_consortium::Custody::<Runtime>::storage_value_final_key().to_vec());
	let Some(data) = client.storage(at, &key).map_err(|e| e.to_string())? else {
		return Ok(None);
	};
	Decode::decode(&mut &data.0[..]).map(Some).map_err(|e| e.to_string())
}

/// The custody configuration at `at`, and the account and `ehrc` key that custodian `share`
/// signs with under it, if the share is the one the configuration holds; why not otherwise.
fn signer_at(
	client: &FullClient,
	keystore: &KeystorePtr,
	share: &ShareFile,
	at: Hash,
) -> Result<(pallet_consortium::CustodyConfigOf<Runtime>, AccountId, SigningKey), String> {
	let custody = custody_at(client, at)?.ok_or(
		"the chain has no custody configuration: governance must set one before a custodian \
		 can run (or start without --custodian-share)",
	)?;
	share
		.check_against(&custody.public_key, &custody.verification_keys)
		.map_err(|e| e.to_string())?;
	let account = custody
		.custodian_accounts
		.get(usize::from(share.custodian_index))
		.cloned()
		.ok_or("the custody configuration has no account for this custodian index")?;
	let key = SigningKey::find(keystore, &account).ok_or_else(|| {
		format!(
			"the keystore holds no `ehrc` key of custodian account {account}: insert it with \
			 `ehr-node key insert --key-type ehrc --scheme sr25519 --suri <phrase>`"
		)
	})?;
	Ok((custody, account, key))
}

impl Custodian {
	/// Checks the share against the chain and finds the signing key: the node refuses to
	/// start a custodian whose share is not the one on chain, or whose key it does not hold.
	fn new(
		client: Arc<FullClient>,
		pool: Arc<Pool>,
		keystore: KeystorePtr,
		share: ShareFile,
		spawner: sc_service::SpawnTaskHandle,
	) -> Result<Self, String> {
		let info = client.info();
		let (custody, account, _) = signer_at(&client, &keystore, &share, info.finalized_hash)?;
		log::info!(
			target: TARGET,
			"custodian {} of {} (threshold {}), account {account}",
			share.custodian_index,
			custody.verification_keys.len(),
			custody.threshold,
		);
		Ok(Self {
			genesis: info.genesis_hash,
			client,
			pool,
			keystore,
			share,
			in_flight: HashMap::new(),
			refused: HashSet::new(),
			solo: HashSet::new(),
			outcomes: mpsc::unbounded(),
			spawner,
			matched: true,
		})
	}

	/// Follows finality until the node stops.
	async fn run(mut self) {
		let mut finality = self.client.finality_notification_stream();
		self.answer().await;
		while finality.next().await.is_some() {
			self.answer().await;
		}
	}

	/// The account and key this custodian signs with, if the share still matches the
	/// configuration at `at`.
	fn standing(&mut self, at: Hash) -> Option<(AccountId, SigningKey)> {
		match signer_at(&self.client, &self.keystore, &self.share, at) {
			Ok((_, account, key)) => {
				self.matched = true;
				Some((account, key))
			}
			Err(e) => {
				if std::mem::replace(&mut self.matched, false) {
					log::error!(target: TARGET, "releases stopped: {e}");
				}
				None
			}
		}
	}

	/// The open requests at `at` that lack this custodian's share.
	fn open_requests(&self, at: Hash) -> Result<Vec<Request>, sp_api::ApiError> {
		let api = self.client.runtime_api();
		let mut all = Vec::new();
		let mut cursor = None;
		loop {
			let page =
				api.open_requests_for_custodian(at, self.share.custodian_index, cursor, PAGE)?;
			cursor = page.last().map(|r| r.id);
			let done = page.len() < PAGE as usize;
			all.extend(page);
			if done {
				return Ok(all);
			}
		}
	}

	/// Why not release for `request` now, if not: `may_release` at the finalized and at the
	/// best block, and this custodian's share not already on the best chain.
	fn refusal(&self, finalized: Hash, best: Hash, request: &Request) -> Option<NotNow> {
		use pallet_access::DenialReason::*;
		// One runtime API instance per block: an instance must not serve two blocks.
		let id = request.id;
		for (name, at) in [("finalized", finalized), ("best", best)] {
			match self.client.runtime_api().may_release(at, id) {
				Ok(Ok(())) => {}
				// What the finalized chain says is revoked or over stays so.
				Ok(Err(
					reason @ (GrantRevoked | ParentRevoked | GrantExpired | ParentExpired
					| UnknownGrant | UnknownRecord),
				)) if name == "finalized" => {
					return Some(NotNow::Never(format!("{reason:?} at the finalized block")))
				}
				Ok(Err(reason)) => {
					return Some(NotNow::Later(format!("{reason:?} at the {name} block")))
				}
				Err(e) => {
					return Some(NotNow::Later(format!(
						"runtime API error at the {name} block: {e}"
					)))
				}
			}
		}
		match self.client.runtime_api().request(best, id) {
			Ok(Some(r)) if r.shares.iter().any(|(i, _)| *i == self.share.custodian_index) => {
				Some(NotNow::Later("already released on the best chain".into()))
			}
			Ok(_) => None,
			Err(e) => Some(NotNow::Later(format!("runtime API error: {e}"))),
		}
	}

	/// The sealed share for `request`, or why the record gets none.
	fn compute(&self, at: Hash, request: &Request) -> Result<Vec<u8>, NotNow> {
		let record = self
			.client
			.runtime_api()
			.record(at, request.record)
			.map_err(|e| NotNow::Later(format!("runtime API error: {e}")))?
			.ok_or_else(|| NotNow::Never("the record is gone".into()))?;
		let label = RecordLabel {
			patient: record.patient.as_ref(),
			custodian_org: record.custodian_org,
			content_type: &record.content_type,
			ciphertext_hash: &record.ciphertext_hash,
			size: record.size,
			cid: &record.cid,
		};
		// A capsule not bound to its record, or a reply key no share can be sealed to, stays
		// so.
		ehr_client::custodian::seal_share(
			&self.share,
			&label,
			&record.custody_capsule,
			request.id,
			&request.reply_key,
		)
		.map_err(|e| NotNow::Never(e.to_string()))
	}

	/// What became of the batches submitted earlier.
	fn collect_outcomes(&mut self) {
		while let Ok(outcome) = self.outcomes.1.try_recv() {
			match outcome {
				Outcome::InBlock { releases, block } => {
					for r in releases {
						log::info!(
							target: TARGET,
							"released share {} for request {} of {} (record {}, grant {}) in block {block:?}",
							self.share.custodian_index,
							r.id,
							r.requester,
							r.record,
							r.grant
						);
					}
				}
				Outcome::Failed { releases, why } => {
					let ids: Vec<u64> = releases.iter().map(|r| r.id).collect();
					for id in &ids {
						self.in_flight.remove(id);
					}
					if ids.len() > 1 {
						// One request of the batch lost its authority between the check and
						// the block: release these one per transaction from now on.
						self.solo.extend(ids.iter().copied());
					}
					// The pool may have gossiped the sealed shares already: this log line is
					// then the only record of them (see docs/custody.md, "What the chain
					// records").
					log::warn!(
						target: TARGET,
						"the shares for requests {ids:?} left this node but did not land ({why}): \
						 no block records them; retrying {}",
						if ids.len() > 1 { "one by one" } else { "next round" }
					);
				}
			}
		}
	}

	/// One round: answer every open request this custodian may answer.
	async fn answer(&mut self) {
		self.collect_outcomes();
		let info = self.client.info();
		let (finalized, best) = (info.finalized_hash, info.best_hash);
		let Some((account, key)) = self.standing(finalized) else { return };
		let requests = match self.open_requests(finalized) {
			Ok(r) => r,
			Err(e) => {
				log::warn!(target: TARGET, "cannot list the open requests: {e}");
				return;
			}
		};
		let open: HashSet<u64> = requests.iter().map(|r| r.id).collect();
		self.in_flight
			.retain(|id, at| open.contains(id) && info.best_number < *at + RESUBMIT_AFTER);
		self.refused.retain(|id| open.contains(id));
		self.solo.retain(|id| open.contains(id));
		let max: u32 = <Runtime as pallet_access::Config>::MaxReleaseBatch::get();
		let max = max as usize;
		let mut batch = Vec::new();
		for r in &requests {
			if self.in_flight.contains_key(&r.id) || self.refused.contains(&r.id) {
				continue;
			}
			let sealed = match self.refusal(finalized, best, r) {
				None => self.compute(finalized, r),
				Some(not_now) => Err(not_now),
			};
			match sealed {
				Ok(sealed) if self.solo.contains(&r.id) => {
					self.submit(&account, key, vec![(r, sealed)], best, info.best_number).await
				}
				Ok(sealed) => batch.push((r, sealed)),
				Err(NotNow::Later(why)) => {
					log::debug!(target: TARGET, "request {} not answered now: {why}", r.id)
				}
				Err(NotNow::Never(why)) => {
					log::warn!(
						target: TARGET,
						"refused request {} of {} for record {}: {why}",
						r.id,
						r.requester,
						r.record
					);
					self.refused.insert(r.id);
				}
			}
			if batch.len() == max {
				self.submit(&account, key, std::mem::take(&mut batch), best, info.best_number)
					.await;
			}
		}
		if !batch.is_empty() {
			self.submit(&account, key, batch, best, info.best_number).await;
		}
	}

	/// Signs and submits one `release_shares` batch, and watches it.
	async fn submit(
		&mut self,
		account: &AccountId,
		key: SigningKey,
		batch: Vec<(&Request, Vec<u8>)>,
		best: Hash,
		best_number: u32,
	) {
		let index = self.share.custodian_index;
		let mut releases = Vec::with_capacity(batch.len());
		let mut signed = Vec::with_capacity(batch.len());
		let mut described = Vec::with_capacity(batch.len());
		for (r, sealed) in batch {
			let Ok(share) = pallet_access::ShareOf::<Runtime>::try_from(sealed) else {
				log::error!(target: TARGET, "a sealed share exceeds MaxShareLen");
				continue;
			};
			signed.push((r.id, r.reply_key, share.clone()));
			releases.push((r.id, share));
			described.push(Released {
				id: r.id,
				requester: r.requester.clone(),
				record: r.record,
				grant: r.grant,
			});
		}
		let payload = pallet_access::release_signing_payload(&self.genesis, index, &signed);
		let Some(signature) = key.sign(&self.keystore, &payload) else {
			log::error!(target: TARGET, "the keystore did not sign for {account}");
			return;
		};
		let ids: Vec<u64> = releases.iter().map(|(id, _)| *id).collect();
		let call = RuntimeCall::Access(pallet_access::Call::release_shares {
			custodian_index: index,
			releases: releases.try_into().unwrap_or_default(),
			signature,
		});
		let xt = ehr_runtime::UncheckedExtrinsic::new_transaction(
			call,
			ehr_runtime::authorized_tx_extension(),
		);
		let opaque = match sp_runtime::OpaqueExtrinsic::try_from_encoded_extrinsic(&xt.encode()) {
			Ok(opaque) => opaque,
			Err(e) => return log::error!(target: TARGET, "cannot encode a release: {e}"),
		};
		for id in &ids {
			self.in_flight.insert(*id, best_number);
		}
		let report = self.outcomes.0.clone();
		match self.pool.submit_and_watch(best, TransactionSource::Local, opaque).await {
			Ok(mut status) => {
				log::debug!(target: TARGET, "submitted share {index} for requests {ids:?}");
				self.spawner.spawn("custodian-watch", Some("custodian"), async move {
					use sc_transaction_pool_api::TransactionStatus as S;
					let outcome = loop {
						match status.next().await {
							Some(S::InBlock((block, _))) => {
								break Outcome::InBlock { releases: described, block }
							}
							Some(S::Invalid) => {
								break Outcome::Failed {
									releases: described,
									why: "invalid".into(),
								}
							}
							Some(S::Dropped | S::Usurped(_) | S::FinalityTimeout(_)) | None => {
								break Outcome::Failed {
									releases: described,
									why: "dropped".into(),
								}
							}
							Some(_) => {}
						}
					};
					let _ = report.unbounded_send(outcome);
				});
			}
			Err(e) => {
				let _ = report.unbounded_send(Outcome::Failed {
					releases: described,
					why: format!("refused by the pool: {e}"),
				});
			}
		}
	}
}

/// Why a request is not answered in this round.
enum NotNow {
	/// It may be answered later (a state that is not final, a transient error).
	Later(String),
	/// It never will be (revoked or expired at the finalized block, a capsule not bound to its
	/// record): not asked again.
	Never(String),
}

/// A release submitted to the pool, for its log line.
struct Released {
	id: u64,
	requester: AccountId,
	record: u64,
	grant: u64,
}

/// What became of a submitted release transaction.
enum Outcome {
	/// It is in a block of the best chain.
	InBlock { releases: Vec<Released>, block: Hash },
	/// The pool refused or dropped it.
	Failed { releases: Vec<Released>, why: String },
}

/// The share this node's custodian service uses: `--custodian-share`; without it (and unless
/// `--no-custodian`), the insecure development shares: on a development chain the 1-of-1
/// share, on a local testnet the share of the hospital whose development seed the node runs
/// with (`--alice`, `--bob`, `--dave`, `--eve`); otherwise `None`, no custodian.
pub fn share_for(
	args: &CustodianArgs,
	chain_type: sc_service::ChainType,
	dev_seed: Option<&str>,
) -> Result<Option<ShareFile>, String> {
	use sc_service::ChainType;
	if let Some(path) = &args.custodian_share {
		return ShareFile::load(path).map(Some).map_err(|e| e.to_string());
	}
	let share = match (args.no_custodian, chain_type, dev_seed) {
		(false, ChainType::Development, _) => ShareFile::dev().map(Some),
		(false, ChainType::Local, Some(seed)) => {
			let name = seed.trim_start_matches("//");
			match ehr_client::dev::LOCAL_CUSTODIANS
				.iter()
				.position(|n| n.eq_ignore_ascii_case(name))
			{
				Some(index) => ShareFile::local_dev(index as u16),
				None => Ok(None),
			}
		}
		_ => Ok(None),
	}
	.map_err(|e| e.to_string())?;
	if share.is_some() {
		log::warn!(
			target: TARGET,
			"INSECURE: the development custody shares are public; use --custodian-share on any \
			 chain that holds real records"
		);
	}
	Ok(share)
}

/// Starts the custodian service with `share`. A development seed (`--dev`, `--alice`, ...)
/// puts its sr25519 key in the keystore as the `ehrc` key, as it does for the session keys.
pub fn start(
	task_manager: &sc_service::TaskManager,
	client: Arc<FullClient>,
	pool: Arc<Pool>,
	keystore: KeystorePtr,
	dev_seed: Option<&str>,
	share: ShareFile,
) -> Result<(), String> {
	if let Some(seed) = dev_seed {
		keystore.sr25519_generate_new(KEY_TYPE, Some(seed)).map_err(|e| {
			format!("cannot put the development custodian key in the keystore: {e}")
		})?;
	}
	let spawner = task_manager.spawn_handle();
	let custodian = Custodian::new(client, pool, keystore, share, spawner.clone())?;
	// Blocking: a round makes synchronous runtime calls and computes shares.
	spawner.spawn_blocking("custodian", Some("custodian"), custodian.run());
	Ok(())
}
