//! Records on chain: register an encrypted record version, read its metadata, list a
//! patient's records, report a tampered copy.

use subxt::{tx::Signer, utils::AccountId32};

pub use crate::chain::runtime::types::Record;
use crate::chain::{
	runtime::{
		self, generated::runtime_types::bounded_collections::bounded_vec::BoundedVec,
		records::events,
	},
	At, Chain, ChainError, EhrConfig,
};
use crate::crypto::custody::RecordLabel;

/// A record version's id.
pub type RecordId = u64;
/// A grant's id.
pub type GrantId = u64;

/// What `Records::register` puts on chain for a new record version: nothing in clear but the
/// metadata needed to control access.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordDescriptor {
	/// Whose record it is.
	pub patient: AccountId32,
	/// The organisation that keeps (pins) the ciphertext.
	pub custodian_org: u32,
	/// The ciphertext's CID in the payload store.
	pub cid: String,
	/// BLAKE2b-256 of the ciphertext.
	pub ciphertext_hash: [u8; 32],
	/// The ciphertext's size in bytes.
	pub size: u64,
	/// The FHIR resource type (e.g. `Observation`).
	pub content_type: String,
	/// The data key wrapped to the patient.
	pub patient_capsule: Vec<u8>,
	/// The data key wrapped to the consortium custody key.
	pub custody_capsule: Vec<u8>,
	/// The version this one supersedes, if any.
	pub previous: Option<RecordId>,
	/// The Append grant a staff member registers under (`None` when the patient registers).
	pub grant: Option<GrantId>,
}

impl RecordDescriptor {
	/// The label its custody capsule is sealed and proved for (see
	/// [`crate::crypto::custody::RecordLabel`]).
	pub fn label(&self) -> [u8; 64] {
		RecordLabel {
			patient: &self.patient.0,
			custodian_org: self.custodian_org,
			content_type: self.content_type.as_bytes(),
			ciphertext_hash: &self.ciphertext_hash,
			size: self.size,
			cid: self.cid.as_bytes(),
		}
		.digest()
	}
}

/// The fields of `record` as the chain holds it that its custody capsule is bound to.
pub fn record_label(record: &Record) -> RecordLabel<'_> {
	RecordLabel {
		patient: &record.patient.0,
		custodian_org: record.custodian_org,
		content_type: &record.content_type.0,
		ciphertext_hash: &record.ciphertext_hash,
		size: record.size,
		cid: &record.cid.0,
	}
}

/// The label digest of `record` as the chain holds it: what a custodian checks its custody
/// capsule against before releasing a share.
pub fn label(record: &Record) -> [u8; 64] {
	record_label(record).digest()
}

/// `Records::register`: registers a record version, signed by its patient or by a staff
/// member under an Append grant.
pub async fn register<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	record: &RecordDescriptor,
) -> Result<events::RecordRegistered, ChainError> {
	chain.submit(&register_call(record), signer).await?.event()
}

/// The `Records::register` call of `record`, to sign and submit (see [`register`]).
pub fn register_call(record: &RecordDescriptor) -> impl subxt::tx::Payload {
	let r = record.clone();
	runtime::transactions().records().register(
		r.patient,
		r.custodian_org,
		BoundedVec(r.cid.into_bytes()),
		r.ciphertext_hash,
		r.size,
		BoundedVec(r.content_type.into_bytes()),
		BoundedVec(r.patient_capsule),
		BoundedVec(r.custody_capsule),
		r.previous,
		r.grant,
	)
}

/// `Records::report_tamper`: what `provider` served for `record` hashes to `observed_hash`,
/// not to the record's ciphertext hash. A reporter that is not the record's patient nor its
/// keeper names the `grant` it read the record under.
pub async fn report_tamper<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	record: RecordId,
	provider: &str,
	observed_hash: [u8; 32],
	grant: Option<GrantId>,
) -> Result<events::TamperReported, ChainError> {
	let call = runtime::transactions().records().report_tamper(
		record,
		BoundedVec(provider.as_bytes().to_vec()),
		observed_hash,
		grant,
	);
	chain.submit(&call, signer).await?.event()
}

/// A record version's on-chain metadata (runtime API `RecordsApi::record`).
pub async fn record(at: &At, id: RecordId) -> Result<Option<Record>, ChainError> {
	Ok(at.runtime_apis().call(runtime::runtime_apis().records_api().record(id)).await?)
}

/// Like [`record`], but a missing record is [`ChainError::NotFound`].
pub async fn existing(at: &At, id: RecordId) -> Result<Record, ChainError> {
	record(at, id).await?.ok_or(ChainError::NotFound { what: "record", id })
}

/// Up to `limit` record ids of `patient` after `start_after` (runtime API
/// `RecordsApi::records_of`).
pub async fn records_of(
	at: &At,
	patient: &AccountId32,
	start_after: Option<RecordId>,
	limit: u32,
) -> Result<Vec<RecordId>, ChainError> {
	let api = runtime::runtime_apis().records_api().records_of(*patient, start_after, limit);
	Ok(at.runtime_apis().call(api).await?)
}

/// The record that supersedes `id`, if any.
pub async fn superseded_by(at: &At, id: RecordId) -> Result<Option<RecordId>, ChainError> {
	crate::chain::read(at, runtime::storage().records().superseded_by(), (id,)).await
}

/// The accounts that reported a tampered copy of `id`.
pub async fn tamper_reports(at: &At, id: RecordId) -> Result<Vec<AccountId32>, ChainError> {
	let reports =
		crate::chain::read(at, runtime::storage().records().tamper_reports(), (id,)).await?;
	Ok(reports.map(|r| r.0).unwrap_or_default())
}
