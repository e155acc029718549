//! Sealing a file into a new record, streaming: the plaintext is encrypted into the payload
//! store while the ciphertext is hashed on its way, then the data key is wrapped to the
//! patient and to the consortium's custody key, bound to the record's on-chain fields.
//! Nothing is on chain yet: register the returned descriptor with
//! [`crate::records::register`]. Memory stays at a few chunks whatever the file size.

use subxt::utils::AccountId32;
use tokio::io::{AsyncRead, AsyncWriteExt};

use crate::{
	crypto::{capsule, custody, payload, DataKey},
	hash::HashingWriter,
	records::RecordDescriptor,
	store::PayloadStore,
};

/// What a new record is, apart from its bytes.
#[derive(Clone, Debug)]
pub struct NewRecord<'a> {
	/// Whose record it is.
	pub patient: AccountId32,
	/// The patient's X25519 key (on chain: `consortium::account`), for the patient capsule.
	pub patient_x25519: [u8; 32],
	/// The consortium's custody key (`consortium::custody`), for the custody capsule.
	pub custody_key: [u8; 32],
	/// The organisation that keeps the ciphertext.
	pub custodian_org: u32,
	/// The FHIR resource type, e.g. `Observation`.
	pub content_type: &'a str,
}

/// Why a file could not be sealed into a record.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
	/// The content type is not a FHIR resource type name.
	#[error(
		"`{0}` is not a FHIR resource type: use a name such as Observation or DiagnosticReport"
	)]
	ContentType(String),
	/// Encryption failed (or reading the input).
	#[error(transparent)]
	Payload(#[from] payload::PayloadError),
	/// The store did not take the ciphertext.
	#[error(transparent)]
	Store(#[from] crate::store::StoreError),
	/// A capsule could not be sealed (e.g. a custody key that is not a point).
	#[error(transparent)]
	Capsule(#[from] capsule::CapsuleError),
	/// The custody capsule could not be sealed.
	#[error(transparent)]
	Custody(#[from] custody::CustodyError),
	/// Closing the pipe to the store failed.
	#[error("streaming to the store: {0}")]
	Io(#[from] std::io::Error),
}

/// Encrypts everything `reader` yields into `store` and returns the descriptor of the new
/// record (not registered yet).
pub async fn seal_into_store<R>(
	store: &dyn PayloadStore,
	new: &NewRecord<'_>,
	reader: R,
) -> Result<RecordDescriptor, UploadError>
where
	R: AsyncRead + Unpin + Send,
{
	if !ehr_primitives::is_fhir_type(new.content_type.as_bytes()) {
		return Err(UploadError::ContentType(new.content_type.to_owned()));
	}
	let dek = DataKey::generate();
	let (tx, mut rx) = tokio::io::duplex(256 * 1024);
	let mut hashing = HashingWriter::new(tx);
	let encrypt = async {
		payload::encrypt_async(&dek, &new.patient.0, reader, &mut hashing).await?;
		hashing.shutdown().await?;
		Ok::<_, UploadError>(())
	};
	let (encrypted, stored) = tokio::join!(encrypt, store.put(&mut rx));
	encrypted?;
	let cid = stored?;
	let (ciphertext_hash, size) = hashing.finish().await?;
	let mut record = RecordDescriptor {
		patient: new.patient,
		custodian_org: new.custodian_org,
		cid: cid.to_string(),
		ciphertext_hash,
		size,
		content_type: new.content_type.to_owned(),
		patient_capsule: capsule::seal(&new.patient_x25519, &ciphertext_hash, &dek)?.to_bytes(),
		custody_capsule: Vec::new(),
		previous: None,
		grant: None,
	};
	record.custody_capsule = custody::seal(&new.custody_key, &record.label(), &dek)?.to_bytes();
	Ok(record)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{dev::dev_custody, store::embedded::EmbeddedStore, store::replicas};

	#[tokio::test]
	async fn a_sealed_file_is_in_the_store_with_the_hash_and_size_of_its_ciphertext() {
		let dir = tempfile::tempdir().unwrap();
		let store = EmbeddedStore::open(dir.path()).unwrap();
		let patient = crate::crypto::identity::Identity::from_seed([3; 32]);
		let new = NewRecord {
			patient: crate::chain::account_of(&patient),
			patient_x25519: patient.x25519_public(),
			custody_key: dev_custody().unwrap().group_key,
			custodian_org: 1,
			content_type: "Observation",
		};
		let plaintext: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
		let record = seal_into_store(&store, &new, &plaintext[..]).await.unwrap();
		let mut stored = Vec::new();
		store.get(&record.cid.parse().unwrap(), &mut stored).await.unwrap();
		assert_eq!(record.size, stored.len() as u64);
		assert_eq!(record.ciphertext_hash, replicas::blake2_256(&stored));
		let sealed = capsule::Capsule::from_bytes(&record.patient_capsule).unwrap();
		let dek = capsule::open(&patient, &record.ciphertext_hash, &sealed).unwrap();
		let mut opened = Vec::new();
		payload::decrypt(&dek, &new.patient.0, &stored[..], &mut opened).unwrap();
		assert_eq!(opened, plaintext);
		let custody = custody::CustodyCapsule::from_bytes(&record.custody_capsule).unwrap();
		custody::check_capsule(&new.custody_key, &record.label(), &custody).unwrap();

		let bad = NewRecord { content_type: "observation", ..new };
		let refused = seal_into_store(&store, &bad, &plaintext[..]).await.unwrap_err();
		assert!(matches!(refused, UploadError::ContentType(_)), "{refused}");
	}
}
