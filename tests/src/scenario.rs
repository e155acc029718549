//! The patient -> grant -> doctor read -> expiry -> denial scenario on a development chain,
//! through the client library's typed chain module. Used by the end-to-end test and by
//! `ehr-demo` (what `scripts/dev.sh` shows).

use anyhow::{anyhow, Context, Result};
use ehr_client::{
	chain::{account_of, runtime, Chain, ChainError},
	crypto::{
		capsule,
		custody::{self, CustodyCapsule},
		identity::Identity,
		payload, release, DataKey,
	},
	dev::{dev_custody, dev_identity, DEV_CUSTODY_THRESHOLD},
	grants::{self, Actions, GrantTerms, Grantee, Purpose, RequestId, Scope},
	records::{self, RecordDescriptor, RecordId},
	store::{
		embedded::EmbeddedStore,
		replicas::{self, Failure, Replica},
		Cid, PayloadStore,
	},
};

/// Organisation id of hospital A in the development preset.
pub const HOSPITAL_A: u32 = 1;

/// Blake2b-256, the hash the chain stores for every ciphertext.
pub use ehr_client::store::replicas::blake2_256;

/// Encrypts `plaintext` for `patient`, stores the ciphertext in every store of `replicas`
/// (the hospitals that pin it), and wraps the data key to the patient and to the dev custody
/// key: the descriptor of a record of `content_type` kept by hospital A. The payload is bound
/// to the patient's account; the capsules to the ciphertext hash that goes on chain.
pub async fn prepare_record(
	replicas: &[&EmbeddedStore],
	patient: &Identity,
	content_type: &str,
	plaintext: &[u8],
) -> Result<RecordDescriptor> {
	let dek = DataKey::generate();
	let mut ciphertext = Vec::new();
	payload::encrypt(&dek, &patient.public(), plaintext, &mut ciphertext)?;
	let hash = blake2_256(&ciphertext);
	let mut cid = None;
	for store in replicas {
		cid = Some(store.put(&mut ciphertext.as_slice()).await?);
	}
	let cid = cid.context("no store to keep the record")?;
	let mut record = RecordDescriptor {
		patient: account_of(patient),
		custodian_org: HOSPITAL_A,
		cid: cid.to_string(),
		ciphertext_hash: hash,
		size: ciphertext.len() as u64,
		content_type: content_type.to_owned(),
		patient_capsule: capsule::seal(&patient.x25519_public(), &hash, &dek)?.to_bytes(),
		custody_capsule: Vec::new(),
		previous: None,
		grant: None,
	};
	let custody = custody::seal(&dev_custody()?.group_key, &record.label(), &dek)?;
	record.custody_capsule = custody.to_bytes();
	Ok(record)
}

/// Read access to one record for one account, for treatment, in the confidentiality period
/// `[not_before, expires_at)` (chain milliseconds), under the contract text `terms`.
pub fn read_grant(
	record: RecordId,
	grantee: &Identity,
	not_before: u64,
	expires_at: u64,
	terms: &str,
) -> GrantTerms {
	GrantTerms {
		scope: Scope::Record(record),
		grantee: Grantee::Account(account_of(grantee)),
		purpose: Purpose::Treatment,
		actions: Actions { read: true, append: false },
		not_before,
		expires_at,
		terms_hash: blake2_256(terms.as_bytes()),
		delegable: false,
	}
}

/// Custodian 0 of the development consortium (hospital A's node, signing as Alice) answers
/// access request `request`: reads the request and the record from the chain, asks the chain
/// whether the requester may still read it (`may_release`), checks that the record's custody
/// capsule is bound to it, computes its key share with a proof for this
/// request, seals it to the requester's X25519 key recorded with the request, and submits
/// it. The development custody is 1-of-1, so the share completes the release.
pub async fn release_dev_share(chain: &Chain, request: RequestId) -> Result<()> {
	let at = chain.best().await?;
	let req = grants::open_request(&at, request)
		.await?
		.ok_or_else(|| anyhow!("no open access request #{request}"))?;
	if let Err(reason) = grants::may_release(&at, request).await? {
		anyhow::bail!("the chain says no share may be released for request #{request}: {reason:?}");
	}
	let record = records::existing(&at, req.record).await?;
	let capsule = CustodyCapsule::from_bytes(&record.custody_capsule.0)?;
	let context = release::request_context(request);
	let custody = dev_custody()?;
	let share = custody.shares.first().context("the dev custody has one share")?;
	let label = records::label(&record);
	let released = custody::release_share(share, &custody.group_key, &label, &capsule, &context)?;
	let sealed = release::seal(&released, &req.requester_x25519, &context)?;
	let released = grants::release_share(chain, &dev_identity("Alice"), request, 0, sealed).await?;
	anyhow::ensure!(released.request == request, "the share was released for request #{request}");
	Ok(())
}

/// What a read gave: the plaintext, the replica that served it and the ones that did not.
pub struct ReadOutcome {
	/// The decrypted record.
	pub plaintext: Vec<u8>,
	/// The provider whose copy matched the on-chain hash.
	pub from: String,
	/// Replicas tried before it: missing or tampered copies, repaired from the good one.
	pub failures: Vec<Failure>,
}

/// The requester of `request` reads its record: opens the released shares with their
/// identity, verifies and combines them into the data key (the custody configuration is the
/// development preset's), fetches the ciphertext by CID from the first replica whose copy
/// matches the on-chain hash (repairing the others) and decrypts it.
pub async fn read_record(
	chain: &Chain,
	replicas: &[Replica<'_>],
	requester: &Identity,
	request: RequestId,
) -> Result<ReadOutcome> {
	let at = chain.best().await?;
	let req = grants::open_request(&at, request)
		.await?
		.ok_or_else(|| anyhow!("no open access request #{request}"))?;
	let record = records::existing(&at, req.record).await?;
	let context = release::request_context(request);
	let releases = req
		.shares
		.0
		.iter()
		.map(|(_, sealed)| release::open(requester, &context, &sealed.0))
		.collect::<Result<Vec<_>, _>>()?;
	let custody = dev_custody()?;
	let dek = custody::combine(
		&custody.group_key,
		&custody.verification_keys,
		DEV_CUSTODY_THRESHOLD,
		&records::label(&record),
		&CustodyCapsule::from_bytes(&record.custody_capsule.0)?,
		&context,
		&releases,
	)?;
	let cid: Cid = std::str::from_utf8(&record.cid.0)?.parse()?;
	let fetched = replicas::fetch(replicas, &cid, &record.ciphertext_hash, record.size).await?;
	let mut plaintext = Vec::new();
	payload::decrypt(&dek, &record.patient.0, &fetched.ciphertext[..], &mut plaintext)?;
	Ok(ReadOutcome { plaintext, from: fetched.from, failures: fetched.failures })
}

/// `Balances::transfer_keep_alive` of `amount` from `from` to `to`, included in a block.
pub async fn transfer(
	chain: &Chain,
	from: &Identity,
	to: &Identity,
	amount: u128,
) -> Result<(), ChainError> {
	let call = runtime::transactions()
		.balances()
		.transfer_keep_alive(subxt::utils::MultiAddress::Id(account_of(to)), amount);
	let included = chain.submit(&call, from).await?;
	included.event::<runtime::balances::events::Transfer>().map(|_| ())
}

/// The development accounts by their role in the dev preset.
pub struct Cast {
	/// Alice: sudo, manager of hospital A and the dev custodian.
	pub manager: Identity,
	/// Charlie, a patient.
	pub patient: Identity,
	/// Bob, doctor at hospital A.
	pub doctor: Identity,
	/// Eve, doctor at hospital B (emergency flag).
	pub other_doctor: Identity,
	/// Ferdie, not registered.
	pub outsider: Identity,
}

impl Default for Cast {
	fn default() -> Self {
		Cast {
			manager: dev_identity("Alice"),
			patient: dev_identity("Charlie"),
			doctor: dev_identity("Bob"),
			other_doctor: dev_identity("Eve"),
			outsider: dev_identity("Ferdie"),
		}
	}
}
