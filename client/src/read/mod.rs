//! The read path: a grantee obtains a record's data key from the custodians and reads the
//! record.
//!
//! 1. [`request_key`] makes a fresh [`ReplyKey`] for the request (so a key that leaks later
//!    opens no past release) and submits `Access::request` with its public half, waiting
//!    until the request is final (custodians answer only final requests).
//! 2. It waits for the custodians' releases on the best chain (they are sealed to the reply
//!    key, so reading them before finality reveals nothing to anyone else), opens each,
//!    checks that it comes from the custodian index it was released under and verifies its
//!    DLEQ proof against that custodian's verification key. A bad release is reported in
//!    [`KeyRelease::faulty`] with the custodian that sent it, and skipped.
//! 3. With `threshold` valid releases it combines them and unwraps the data key (the custody
//!    capsule's proof is checked against the record as the chain holds it).
//! 4. [`read_record`] (into memory) or [`read_record_to`] (into a file, streaming) then
//!    fetches the ciphertext from the first replica whose copy matches the on-chain hash,
//!    decrypting it as it arrives (the payload header's key commitment is checked before the
//!    first chunk).
//!
//! Emergency grants use the same path.

use std::time::{Duration, Instant};

use subxt::utils::AccountId32;

use crate::{
	chain::{At, Chain, ChainError, Wait},
	consortium,
	crypto::{
		capsule,
		custody::{self, CustodyCapsule, CustodyError, ShareRelease},
		identity::Identity,
		payload,
		release::{self, ReplyKey},
		DataKey,
	},
	grants::{self, RequestId},
	records::{self, GrantId, RecordId},
	store::replicas::{Failure, Replica},
};

mod fetch;

use fetch::fetch_and_decrypt;
pub use fetch::Output;

/// How often the best block's hash is read while waiting for releases (the request and its
/// releases are read again only when it changed). A release lands in the block after the
/// request is final, so this adds at most 100 ms to a read of about two blocks.
const POLL: Duration = Duration::from_millis(100);

/// A release that did not verify, and who sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultyShare {
	/// The custodian index it was released under.
	pub custodian_index: u16,
	/// The custodian's account, as the custody configuration names it.
	pub custodian: Option<AccountId32>,
	/// What was wrong with it.
	pub reason: String,
}

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
	/// The chain refused the request, or could not be reached.
	#[error(transparent)]
	Chain(#[from] ChainError),
	/// The request with this id on the chain is not the one this read made (its reply key
	/// differs: a reorganisation replaced the block that held ours).
	#[error(
		"request #{request} on chain is not the one this read made (a chain reorganisation \
		 replaced it): read again"
	)]
	NotOurRequest {
		/// The request id.
		request: RequestId,
	},
	/// The chain has no custody configuration, so no key can be released.
	#[error("the chain has no custody configuration: governance must set one")]
	NoCustody,
	/// The request was pruned before enough valid shares arrived.
	#[error(
		"request #{request} expired with {valid} of {threshold} valid shares: the custodians \
		 refused it (is the grant still valid?); request again"
	)]
	Expired {
		/// The request.
		request: RequestId,
		/// Valid shares seen.
		valid: usize,
		/// Shares needed.
		threshold: usize,
	},
	/// Not enough valid shares arrived in time.
	#[error(
		"request #{request} has {valid} of {threshold} valid shares after {waited:?}: the \
		 custodians may be down or refusing it (finality may be stalled); wait and run \
		 the read again"
	)]
	Timeout {
		/// The request.
		request: RequestId,
		/// Valid shares seen.
		valid: usize,
		/// Shares needed.
		threshold: usize,
		/// How long the read waited.
		waited: Duration,
		/// The releases that did not verify.
		faulty: Vec<FaultyShare>,
	},
	/// The custody capsule or the shares did not give the key.
	#[error(transparent)]
	Custody(#[from] CustodyError),
	/// The record's CID on chain is not a CID.
	#[error("record #{record} has an invalid CID on chain")]
	BadCid {
		/// The record.
		record: RecordId,
	},
	/// No replica served a copy matching the on-chain hash.
	#[error(transparent)]
	Store(#[from] crate::store::StoreError),
	/// The ciphertext did not decrypt with the released key.
	#[error(transparent)]
	Payload(#[from] payload::PayloadError),
	/// A replica served the record's CID (verified by the store) but it does not hash to the
	/// record's on-chain ciphertext hash: the record itself is inconsistent, as registered; no
	/// replica is to blame.
	#[error(
		"record #{record} is inconsistent on chain: its CID's content does not match its \
		 ciphertext hash (the uploader registered mismatching fields); ask for a new version"
	)]
	InconsistentRecord {
		/// The record.
		record: RecordId,
	},
	/// The record is another patient's: its patient capsule is not sealed to this account.
	#[error("record #{record} is another patient's: read it under a grant")]
	NotOurRecord {
		/// The record.
		record: RecordId,
	},
	/// The patient capsule did not open with this account's key.
	#[error(transparent)]
	Capsule(#[from] crate::crypto::capsule::CapsuleError),
}

/// A data key released by the custodians.
pub struct KeyRelease {
	/// The on-chain access request.
	pub request: RequestId,
	/// The record's data key.
	pub key: DataKey,
	/// Releases that did not verify (skipped).
	pub faulty: Vec<FaultyShare>,
}

/// What a read gave.
pub struct ReadOutcome {
	/// The decrypted record.
	pub plaintext: Vec<u8>,
	/// The on-chain access request it was read under.
	pub request: RequestId,
	/// The provider whose copy matched the on-chain hash.
	pub from: String,
	/// Replicas tried before it (missing or tampered copies, repaired from the good one).
	pub failures: Vec<Failure>,
	/// Releases that did not verify (skipped).
	pub faulty: Vec<FaultyShare>,
}

/// Requests the data key of `record` under `grant` as `requester` and waits up to `wait` for
/// the custodians' shares. The request is submitted and waited for until final: custodians
/// answer only final requests, so this costs no time, and the request id cannot change.
pub async fn request_key(
	chain: &Chain,
	requester: &Identity,
	record: RecordId,
	grant: GrantId,
	wait: Duration,
) -> Result<KeyRelease, ReadError> {
	let reply = ReplyKey::generate();
	let finalized = chain.clone().waiting(Wait::Finalized);
	let requested = grants::request(&finalized, requester, record, grant, reply.public()).await?;
	collect_key(chain, &reply, requested.request, wait).await
}

/// Opens and checks one release made under custodian index `index`.
fn check_release(
	reply: &ReplyKey,
	context: &[u8],
	capsule: &CustodyCapsule,
	index: u16,
	verification_key: Option<&[u8; 32]>,
	sealed: &[u8],
) -> Result<ShareRelease, String> {
	let vk = verification_key.ok_or("no such custodian in the custody configuration")?;
	let share = release::open(reply, context, sealed).map_err(|e| e.to_string())?;
	if share.index != u32::from(index) + 1 {
		return Err(format!("it claims the share of custodian {}", share.index.wrapping_sub(1)));
	}
	custody::verify_release(vk, &capsule.e, context, &share).map_err(|e| e.to_string())?;
	Ok(share)
}

/// What the releases of a request at one block give.
enum Collected {
	/// The data key, combined from `threshold` valid shares.
	Key { key: DataKey, faulty: Vec<FaultyShare> },
	/// Fewer than `threshold` valid shares so far.
	Short { valid: usize, threshold: usize, faulty: Vec<FaultyShare> },
	/// The request is no longer open (expired, or answered and pruned).
	Closed { threshold: usize },
}

/// Checks the releases of `request` (made with `reply`) at block `at` and combines them if
/// there are enough valid ones.
async fn releases_at(
	at: &At,
	reply: &ReplyKey,
	request: RequestId,
	context: &[u8],
) -> Result<Collected, ReadError> {
	let custody = consortium::custody(at).await?.ok_or(ReadError::NoCustody)?;
	let threshold = usize::from(custody.threshold);
	let Some(req) = grants::open_request(at, request).await? else {
		return Ok(Collected::Closed { threshold });
	};
	if req.reply_key != reply.public() {
		return Err(ReadError::NotOurRequest { request });
	}
	let record = records::existing(at, req.record).await?;
	let capsule = CustodyCapsule::from_bytes(&record.custody_capsule.0)?;
	let keys = &custody.verification_keys.0;
	let (mut good, mut faulty) = (Vec::new(), Vec::new());
	for (index, sealed) in &req.shares.0 {
		let vk = keys.get(usize::from(*index));
		match check_release(reply, context, &capsule, *index, vk, &sealed.0) {
			Ok(share) => good.push(share),
			Err(reason) => faulty.push(FaultyShare {
				custodian_index: *index,
				custodian: custody.custodian_accounts.0.get(usize::from(*index)).copied(),
				reason,
			}),
		}
	}
	if good.len() < threshold {
		return Ok(Collected::Short { valid: good.len(), threshold, faulty });
	}
	let indexed: Vec<(u32, [u8; 32])> = (1..).zip(keys.iter().copied()).collect();
	let key = custody::combine(
		&custody.public_key,
		&indexed,
		threshold,
		&records::label(&record),
		&capsule,
		context,
		&good[..threshold],
	)?;
	Ok(Collected::Key { key, faulty })
}

/// Waits up to `wait` for `threshold` valid releases of `request` (made with `reply`) and
/// combines them into the data key.
pub async fn collect_key(
	chain: &Chain,
	reply: &ReplyKey,
	request: RequestId,
	wait: Duration,
) -> Result<KeyRelease, ReadError> {
	let start = Instant::now();
	let context = release::request_context(request);
	let mut last = (0, 0, Vec::new());
	let mut seen = None;
	loop {
		let best = chain.best_hash().await?;
		if seen != Some(best) {
			seen = Some(best);
			let at = chain.at(best).await?;
			match releases_at(&at, reply, request, &context).await? {
				Collected::Key { key, faulty } => return Ok(KeyRelease { request, key, faulty }),
				Collected::Short { valid, threshold, faulty } => last = (valid, threshold, faulty),
				Collected::Closed { threshold } => {
					return Err(ReadError::Expired { request, valid: last.0, threshold })
				}
			}
		}
		if start.elapsed() >= wait {
			let (valid, threshold, faulty) = last;
			return Err(ReadError::Timeout { request, valid, threshold, waited: wait, faulty });
		}
		tokio::time::sleep(POLL).await;
	}
}

/// Reads `record` under `grant` into memory: [`request_key`], then [`fetch_and_decrypt`]
/// from the first of `replicas` whose copy matches the on-chain hash (repairing the others).
pub async fn read_record(
	chain: &Chain,
	replicas: &[Replica<'_>],
	requester: &Identity,
	record: RecordId,
	grant: GrantId,
	wait: Duration,
) -> Result<ReadOutcome, ReadError> {
	let mut plaintext = Vec::new();
	let report =
		read_record_to(chain, replicas, requester, record, grant, wait, &mut plaintext).await?;
	Ok(ReadOutcome {
		plaintext,
		request: report.request.unwrap_or_default(),
		from: report.from,
		failures: report.failures,
		faulty: report.faulty,
	})
}

/// What a read into an [`Output`] did.
pub struct ReadReport {
	/// Plaintext bytes written.
	pub bytes: u64,
	/// The on-chain access request it was read under (`None` for a patient's own read).
	pub request: Option<RequestId>,
	/// The provider whose copy matched the on-chain hash.
	pub from: String,
	/// Replicas tried before it (missing or tampered copies, repaired from the good one).
	pub failures: Vec<Failure>,
	/// Releases that did not verify (skipped).
	pub faulty: Vec<FaultyShare>,
	/// How long the read waited for the chain: the request to be final and the custodians'
	/// shares to land.
	pub chain_wait: Duration,
}

/// Reads `record` under `grant` into `out`, streaming: [`request_key`], then the ciphertext
/// of the first of `replicas` whose copy matches the on-chain hash is decrypted into `out` as
/// it arrives (the others are repaired from it). On error `out` is left empty.
#[allow(clippy::too_many_arguments)]
pub async fn read_record_to(
	chain: &Chain,
	replicas: &[Replica<'_>],
	requester: &Identity,
	record: RecordId,
	grant: GrantId,
	wait: Duration,
	out: &mut dyn Output,
) -> Result<ReadReport, ReadError> {
	let started = Instant::now();
	let released = request_key(chain, requester, record, grant, wait).await?;
	let chain_wait = started.elapsed();
	let at = chain.best().await?;
	let rec = records::existing(&at, record).await?;
	let fetched = fetch_and_decrypt(replicas, record, &rec, &released.key, out).await?;
	Ok(ReadReport {
		bytes: fetched.bytes,
		request: Some(released.request),
		from: fetched.from,
		failures: fetched.failures,
		faulty: released.faulty,
		chain_wait,
	})
}

/// Reads one of the patient's own records into memory through its patient capsule (no
/// request, no custodian); see [`read_own_to`].
pub async fn read_own(
	chain: &Chain,
	replicas: &[Replica<'_>],
	patient: &Identity,
	record: RecordId,
) -> Result<Vec<u8>, ReadError> {
	let mut plaintext = Vec::new();
	read_own_to(chain, replicas, patient, record, &mut plaintext).await?;
	Ok(plaintext)
}

/// Reads one of the patient's own records into `out` through its patient capsule: the
/// ciphertext of the first of `replicas` whose copy matches the on-chain hash is decrypted
/// into `out` as it arrives. On error `out` is left empty.
pub async fn read_own_to(
	chain: &Chain,
	replicas: &[Replica<'_>],
	patient: &Identity,
	record: RecordId,
	out: &mut dyn Output,
) -> Result<ReadReport, ReadError> {
	let at = chain.best().await?;
	let rec = records::existing(&at, record).await?;
	if rec.patient != crate::chain::account_of(patient) {
		return Err(ReadError::NotOurRecord { record });
	}
	let sealed = capsule::Capsule::from_bytes(&rec.patient_capsule.0)?;
	let key = capsule::open(patient, &rec.ciphertext_hash, &sealed)?;
	let fetched = fetch_and_decrypt(replicas, record, &rec, &key, out).await?;
	Ok(ReadReport {
		bytes: fetched.bytes,
		request: None,
		from: fetched.from,
		failures: fetched.failures,
		faulty: Vec::new(),
		chain_wait: Duration::ZERO,
	})
}
