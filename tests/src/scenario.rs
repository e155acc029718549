//! The patient -> grant -> doctor read -> expiry -> denial scenario, driven through a node's
//! RPC with signed transactions of the development accounts. Used by the end-to-end test and
//! by `ehr-demo` (what `scripts/dev.sh` shows).

use anyhow::{anyhow, bail, Context, Result};
use codec::{Decode, Encode};
use ehr_client::{
	crypto::{
		capsule,
		custody::{self, CustodyCapsule},
		identity::Identity,
		payload, release, DataKey,
	},
	dev::{dev_custody, dev_identity, DEV_CUSTODY_THRESHOLD},
	store::{
		embedded::EmbeddedStore,
		replicas::{self, Failure, Replica},
		Cid, PayloadStore,
	},
};
use ehr_runtime::Runtime;
use pallet_access::AccessRequest;
use pallet_records::Record;
use subxt::{
	dynamic::{self, Value},
	tx::Payload,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::{dev, Keypair};

/// Organisation id of hospital A in the development preset.
pub const HOSPITAL_A: u128 = 1;

/// A connection to a node.
pub struct Chain {
	api: OnlineClient<PolkadotConfig>,
}

/// Blake2b-256, the hash the chain stores for every ciphertext.
pub use ehr_client::store::replicas::blake2_256;

fn account(key: &Keypair) -> Value {
	Value::from_bytes(key.public_key().0)
}

fn first_u64(fields: &[u8]) -> Result<u64> {
	let bytes: [u8; 8] = fields
		.get(..8)
		.and_then(|b| b.try_into().ok())
		.ok_or_else(|| anyhow!("event too short for an id"))?;
	Ok(u64::from_le_bytes(bytes))
}

impl Chain {
	/// Connects to the node's WebSocket RPC.
	pub async fn connect(url: &str) -> Result<Chain> {
		let api = OnlineClient::<PolkadotConfig>::from_insecure_url(url)
			.await
			.with_context(|| format!("connecting to {url}"))?;
		Ok(Chain { api })
	}

	/// Signs and submits `call`, waits until it is finalized, and returns the first `u64`
	/// field of the event the call emits on success. A failed dispatch is an error whose text
	/// names the pallet error (e.g. `GrantExpired`).
	pub async fn submit<P: Payload>(&self, call: &Call<P>, signer: &Keypair) -> Result<u64> {
		let Call { payload: tx, pallet, event } = call;
		let events = self
			.api
			.at_current_block()
			.await?
			.transactions()
			.sign_and_submit_then_watch_default(tx, signer)
			.await?
			.wait_for_finalized_success()
			.await
			.map_err(|e| anyhow!("{e}"))?;
		for ev in events.iter() {
			let ev = ev?;
			if ev.pallet_name() == *pallet && ev.event_name() == *event {
				return first_u64(ev.field_bytes());
			}
		}
		bail!("no {pallet}.{event} event")
	}

	/// The chain's clock (`Timestamp::Now`, milliseconds) at the best block.
	pub async fn now_ms(&self) -> Result<u64> {
		let at = self.api.at_current_block().await?;
		let now = at.storage().fetch(dynamic::storage::<(), u64>("Timestamp", "Now"), ()).await?;
		Ok(now.decode()?)
	}

	/// Calls the runtime API `function` (e.g. `AccessApi_request`) at the best block and
	/// decodes its answer.
	async fn runtime_call<R: Decode>(&self, function: &str, args: impl Encode) -> Result<R> {
		let at = self.api.at_current_block().await?;
		let bytes = at.runtime_apis().call_raw(function, Some(&args.encode())).await?;
		R::decode(&mut &bytes[..]).with_context(|| format!("decoding the answer of {function}"))
	}

	/// An access request as the chain holds it, with the shares released so far.
	pub async fn request(&self, id: u64) -> Result<AccessRequest<Runtime>> {
		let request: Option<_> = self.runtime_call("AccessApi_request", id).await?;
		request.ok_or_else(|| anyhow!("no open access request #{id}"))
	}

	/// A record's on-chain metadata.
	pub async fn record(&self, id: u64) -> Result<Record<Runtime>> {
		let record: Option<_> = self.runtime_call("RecordsApi_record", id).await?;
		record.ok_or_else(|| anyhow!("no record #{id}"))
	}

	/// Waits until the chain's clock has passed `ms`.
	pub async fn wait_until(&self, ms: u64) -> Result<()> {
		while self.now_ms().await? < ms {
			tokio::time::sleep(std::time::Duration::from_secs(1)).await;
		}
		Ok(())
	}
}

/// A transaction payload together with the event (`pallet`, `event`) it emits on success.
pub struct Call<P> {
	payload: P,
	pallet: &'static str,
	event: &'static str,
}

fn call<P: Payload>(payload: P, pallet: &'static str, event: &'static str) -> Call<P> {
	Call { payload, pallet, event }
}

/// A record as the patient's wallet prepared it: encrypted, stored, capsules made.
pub struct PreparedRecord {
	/// CID of the ciphertext in the payload store.
	pub cid: String,
	/// Blake2-256 of the ciphertext.
	pub hash: [u8; 32],
	/// Ciphertext size in bytes.
	pub size: u64,
	/// The data key wrapped to the patient (HPKE).
	pub patient_capsule: Vec<u8>,
	/// The data key wrapped to the consortium custody key.
	pub custody_capsule: Vec<u8>,
}

/// Encrypts `plaintext` for the patient named `patient` (a dev account), stores the ciphertext
/// in every store of `replicas` (the hospitals that pin it), and wraps the data key to the
/// patient and to the dev custody key. The payload is bound to the patient's account; the
/// capsules to the ciphertext hash that goes on chain.
pub async fn prepare_record(
	replicas: &[&EmbeddedStore],
	patient: &Keypair,
	patient_name: &str,
	plaintext: &[u8],
) -> Result<PreparedRecord> {
	let dek = DataKey::generate();
	let mut ciphertext = Vec::new();
	payload::encrypt(&dek, &patient.public_key().0, plaintext, &mut ciphertext)?;
	let hash = blake2_256(&ciphertext);
	let mut cid = None;
	for store in replicas {
		cid = Some(store.put(&mut ciphertext.as_slice()).await?);
	}
	let cid = cid.context("no store to keep the record")?;
	let patient_key = dev_identity(patient_name).x25519_public();
	let patient_capsule = capsule::seal(&patient_key, &hash, &dek)?.to_bytes();
	let custody_capsule = custody::seal(&dev_custody()?.group_key, &hash, &dek)?.to_bytes();
	Ok(PreparedRecord {
		cid: cid.to_string(),
		hash,
		size: ciphertext.len() as u64,
		patient_capsule,
		custody_capsule,
	})
}

/// `Records::register` of a prepared record by its patient, kept by hospital A.
pub fn register_tx(
	patient: &Keypair,
	record: &PreparedRecord,
	content_type: &str,
) -> Call<impl Payload> {
	let tx = dynamic::transaction(
		"Records",
		"register",
		vec![
			account(patient),
			Value::u128(HOSPITAL_A),
			Value::from_bytes(record.cid.as_bytes()),
			Value::from_bytes(record.hash),
			Value::u128(record.size.into()),
			Value::from_bytes(content_type.as_bytes()),
			Value::from_bytes(&record.patient_capsule),
			Value::from_bytes(&record.custody_capsule),
			Value::unnamed_variant("None", []),
			Value::unnamed_variant("None", []),
		],
	);
	call(tx, "Records", "RecordRegistered")
}

/// `Access::grant`: read access to one record for one account, for a treatment purpose, in
/// the confidentiality period `[not_before, expires_at)` (chain milliseconds).
pub fn grant_tx(
	record: u64,
	grantee: &Keypair,
	not_before: u64,
	expires_at: u64,
	terms: &str,
) -> Call<impl Payload> {
	let tx = dynamic::transaction(
		"Access",
		"grant",
		vec![
			Value::unnamed_variant("Record", [Value::u128(record.into())]),
			Value::unnamed_variant("Account", [account(grantee)]),
			Value::unnamed_variant("Treatment", []),
			Value::named_composite([("read", Value::bool(true)), ("append", Value::bool(false))]),
			Value::u128(not_before.into()),
			Value::u128(expires_at.into()),
			Value::from_bytes(blake2_256(terms.as_bytes())),
			Value::bool(false),
		],
	);
	call(tx, "Access", "GrantCreated")
}

/// `Access::request`: ask for the key of `record` under `grant`.
pub fn request_tx(record: u64, grant: u64) -> Call<impl Payload> {
	let tx = dynamic::transaction(
		"Access",
		"request",
		vec![Value::u128(record.into()), Value::u128(grant.into())],
	);
	call(tx, "Access", "AccessRequested")
}

/// `Access::release_share`: custodian `custodian_index`'s sealed key share for `request`. The
/// development custody is 1-of-1, so the share completes the release (`KeyReleased`).
pub fn release_share_tx(request: u64, custodian_index: u16, sealed: &[u8]) -> Call<impl Payload> {
	let tx = dynamic::transaction(
		"Access",
		"release_share",
		vec![
			Value::u128(request.into()),
			Value::u128(custodian_index.into()),
			Value::from_bytes(sealed),
		],
	);
	call(tx, "Access", "KeyReleased")
}

/// Custodian 0 of the development consortium (hospital A's node, signing as Alice) answers
/// access request `request`: reads the request and the record's custody capsule from the
/// chain, computes its key share with a proof for this request, seals it to the requester's
/// X25519 key recorded with the request, and submits it.
pub async fn release_dev_share(chain: &Chain, request: u64) -> Result<u64> {
	let req = chain.request(request).await?;
	let record = chain.record(req.record).await?;
	let capsule = CustodyCapsule::from_bytes(&record.custody_capsule)?;
	let context = release::request_context(request);
	let custody = dev_custody()?;
	let share = custody.shares.first().context("the dev custody has one share")?;
	let released = custody::release_share(share, &capsule.e, &context)?;
	let sealed = release::seal(&released, &req.requester_x25519, &context)?;
	chain.submit(&release_share_tx(request, 0, &sealed), &dev::alice()).await
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
	request: u64,
) -> Result<ReadOutcome> {
	let req = chain.request(request).await?;
	let record = chain.record(req.record).await?;
	let context = release::request_context(request);
	let releases = req
		.shares
		.iter()
		.map(|(_, sealed)| release::open(requester, &context, sealed))
		.collect::<Result<Vec<_>, _>>()?;
	let custody = dev_custody()?;
	let dek = custody::combine(
		&custody.group_key,
		&custody.verification_keys,
		DEV_CUSTODY_THRESHOLD,
		&record.ciphertext_hash,
		&CustodyCapsule::from_bytes(&record.custody_capsule)?,
		&context,
		&releases,
	)?;
	let cid: Cid = std::str::from_utf8(&record.cid)?.parse()?;
	let fetched = replicas::fetch(replicas, &cid, &record.ciphertext_hash, record.size).await?;
	let mut plaintext = Vec::new();
	payload::decrypt(&dek, record.patient.as_ref(), &fetched.ciphertext[..], &mut plaintext)?;
	Ok(ReadOutcome { plaintext, from: fetched.from, failures: fetched.failures })
}

/// `Records::report_tamper`: what `provider` served for `record` hashes to `observed_hash`,
/// not to the on-chain hash.
pub fn report_tamper_tx(record: u64, failure: &Failure) -> Call<impl Payload> {
	let tx = dynamic::transaction(
		"Records",
		"report_tamper",
		vec![
			Value::u128(record.into()),
			Value::from_bytes(failure.provider.as_bytes()),
			Value::from_bytes(failure.observed_hash),
		],
	);
	call(tx, "Records", "TamperReported")
}

/// `Balances::transfer_keep_alive` of `amount` to `to`.
pub fn transfer_tx(to: &Keypair, amount: u128) -> Call<impl Payload> {
	let tx = dynamic::transaction(
		"Balances",
		"transfer_keep_alive",
		(to.public_key().to_address::<()>(), amount),
	);
	call(tx, "Balances", "Transfer")
}

/// The development accounts by their role in the dev preset.
pub struct Cast {
	/// Charlie, a patient.
	pub patient: Keypair,
	/// Bob, doctor at hospital A.
	pub doctor: Keypair,
	/// Eve, doctor at hospital B (emergency flag).
	pub other_doctor: Keypair,
	/// Ferdie, not registered.
	pub outsider: Keypair,
}

impl Default for Cast {
	fn default() -> Self {
		Cast {
			patient: dev::charlie(),
			doctor: dev::bob(),
			other_doctor: dev::eve(),
			outsider: dev::ferdie(),
		}
	}
}
