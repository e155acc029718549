//! Building blocks of the end-to-end tests that drive the client library directly (the
//! wallet's own scenario, what `scripts/dev.sh` shows, is `scripts/scenario.sh` through the
//! `ehr` binary).

use anyhow::{Context, Result};
use ehr_client::{
	chain::{account_of, runtime, Chain, ChainError},
	crypto::{capsule, custody, identity::Identity, payload, release, DataKey},
	dev::{dev_custody, dev_identity},
	grants::{Actions, GrantTerms, Grantee, Purpose, Scope},
	records::{RecordDescriptor, RecordId},
	store::{embedded::EmbeddedStore, PayloadStore},
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
	let key = dev_custody()?.group_key;
	prepare_record_for(&key, replicas, patient, content_type, plaintext).await
}

/// [`prepare_record`] for the chain whose custody key is `custody_key`.
pub async fn prepare_record_for(
	custody_key: &[u8; 32],
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
	let custody = custody::seal(custody_key, &record.label(), &dek)?;
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

/// How long a read waits for the custodians' shares: a request is final after about two
/// blocks, the custodian answers at once and its release is in the next block.
pub const READ_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// A reply key for a request that is expected to be refused (its shares are never read).
pub fn reply_key() -> [u8; 32] {
	release::ReplyKey::generate().public()
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
