//! The custodian's side of a key release: its share file, the check of that share against
//! the custody configuration on chain, and the computation that turns one open access
//! request into a share sealed to the requester. The node's custodian service
//! (`ehr-node --custodian-share FILE`) asks the chain whether a release is allowed
//! (`may_release`) and submits the result; nothing here talks to a chain.
//!
//! A share file is what `ehr-node custody keygen` writes: JSON with `custodianIndex`
//! (0-based), `x` (the 1-based evaluation point), `share`, `verificationKey`, `groupKey`,
//! `threshold` and `custodians`. It must be readable by its owner only.

use std::path::Path;

use crate::crypto::{
	custody::{self, CustodyCapsule, CustodyError, KeyShare, RecordLabel},
	release::{self, ReleaseError},
};

/// Why a share file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShareFileError {
	/// The file could not be read.
	#[error("cannot read the custody share {path}: {source}")]
	Io {
		/// The file.
		path: String,
		/// Why.
		source: std::io::Error,
	},
	/// Other users may read the file.
	#[error("the custody share {path} is readable by other users (mode {mode:o}): `chmod 600` it")]
	OpenToOthers {
		/// The file.
		path: String,
		/// Its permission bits.
		mode: u32,
	},
	/// The file is not a share file.
	#[error(
		"{path} is not a custody share file ({what}): use a file from `ehr-node custody keygen`"
	)]
	Malformed {
		/// The file.
		path: String,
		/// What is wrong.
		what: String,
	},
	/// The share does not match the custody configuration on chain.
	#[error(
		"custody share of custodian {index} does not match the chain's custody configuration \
		 ({what}): use this hospital's share of the configuration in force"
	)]
	NotOnChain {
		/// The custodian index the file claims.
		index: u16,
		/// What differs.
		what: &'static str,
	},
}

/// One custodian's share of the consortium custody key.
pub struct ShareFile {
	/// The custodian index (0-based, as on chain).
	pub custodian_index: u16,
	/// The secret share (its index is the 1-based evaluation point).
	pub share: KeyShare,
	/// The custody public key S the share belongs to.
	pub group_key: [u8; 32],
}

impl core::fmt::Debug for ShareFile {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		f.debug_struct("ShareFile")
			.field("custodian_index", &self.custodian_index)
			.field("verification_key", &hex::encode(self.share.verification_key()))
			.finish_non_exhaustive()
	}
}

fn hex32(v: &serde_json::Value, field: &str) -> Result<[u8; 32], String> {
	let s = v.get(field).and_then(|s| s.as_str()).ok_or_else(|| format!("no `{field}`"))?;
	let bytes =
		hex::decode(s.trim_start_matches("0x")).map_err(|_| format!("`{field}` is not hex"))?;
	bytes.try_into().map_err(|_| format!("`{field}` is not 32 bytes"))
}

fn number(v: &serde_json::Value, field: &str) -> Result<u64, String> {
	v.get(field).and_then(|n| n.as_u64()).ok_or_else(|| format!("no number `{field}`"))
}

impl ShareFile {
	/// Reads a share file; refuses one that other users could read, and one whose secret
	/// does not give its own `verificationKey`.
	pub fn load(path: &Path) -> Result<Self, ShareFileError> {
		let shown = path.display().to_string();
		let io = |source| ShareFileError::Io { path: shown.clone(), source };
		let meta = std::fs::metadata(path).map_err(io)?;
		let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777;
		if mode & 0o077 != 0 {
			return Err(ShareFileError::OpenToOthers { path: shown, mode });
		}
		let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(io)?);
		Self::parse(&text).map_err(|what| ShareFileError::Malformed { path: shown, what })
	}

	fn parse(text: &str) -> Result<Self, String> {
		let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
		let custodian_index = u16::try_from(number(&v, "custodianIndex")?)
			.map_err(|_| "`custodianIndex` is too large".to_string())?;
		let x = u32::try_from(number(&v, "x")?).map_err(|_| "`x` is too large".to_string())?;
		if u64::from(x) != u64::from(custodian_index) + 1 {
			return Err("`x` is not `custodianIndex` + 1".into());
		}
		let secret = zeroize::Zeroizing::new(hex32(&v, "share")?);
		let share = KeyShare::from_bytes(x, *secret)
			.ok_or_else(|| "`share` is not a canonical scalar".to_string())?;
		if share.verification_key() != hex32(&v, "verificationKey")? {
			return Err("`share` does not match `verificationKey`".into());
		}
		Ok(Self { custodian_index, share, group_key: hex32(&v, "groupKey")? })
	}

	/// Custodian `index`'s share of `dealing` (0-based), if there is one.
	pub fn from_dealing(dealing: &custody::Dealing, index: u16) -> Option<Self> {
		let share = dealing.shares.get(usize::from(index))?.clone();
		Some(Self { custodian_index: index, share, group_key: dealing.group_key })
	}

	/// The insecure development share: custodian 0 of the 1-of-1 development custody key
	/// ([`crate::dev::dev_custody`]), which every `--dev` chain uses.
	pub fn dev() -> Result<Self, CustodyError> {
		Self::from_dealing(&crate::dev::dev_custody()?, 0).ok_or(CustodyError::ZeroIndex)
	}

	/// The insecure share of the local testnet's hospital `index` (0 = Alice's ... 3 = Eve's)
	/// of [`crate::dev::local_custody`]; `None` for another index.
	pub fn local_dev(index: u16) -> Result<Option<Self>, CustodyError> {
		Ok(Self::from_dealing(&crate::dev::local_custody()?, index))
	}

	/// The share file's JSON, as `ehr-node custody keygen` writes it (`threshold` and
	/// `custodians` describe the ceremony). It holds the secret: write it with mode 0600.
	pub fn to_json(&self, threshold: usize, custodians: usize) -> zeroize::Zeroizing<String> {
		let hex = |b: &[u8]| format!("0x{}", hex::encode(b));
		let secret = zeroize::Zeroizing::new(hex(&self.share.to_bytes()[..]));
		let value = serde_json::json!({
			"custodianIndex": self.custodian_index,
			"x": self.share.index,
			"share": *secret,
			"verificationKey": hex(&self.share.verification_key()),
			"groupKey": hex(&self.group_key),
			"threshold": threshold,
			"custodians": custodians,
		});
		zeroize::Zeroizing::new(format!("{value:#}\n"))
	}

	/// Checks the share against the chain's custody configuration: the same custody key S,
	/// and this custodian's verification key S_i at its index.
	pub fn check_against(
		&self,
		group_key: &[u8; 32],
		verification_keys: &[[u8; 32]],
	) -> Result<(), ShareFileError> {
		let index = self.custodian_index;
		if &self.group_key != group_key {
			return Err(ShareFileError::NotOnChain { index, what: "another custody key" });
		}
		match verification_keys.get(usize::from(index)) {
			None => Err(ShareFileError::NotOnChain { index, what: "no such custodian index" }),
			Some(k) if *k != self.share.verification_key() => {
				Err(ShareFileError::NotOnChain { index, what: "another verification key" })
			}
			Some(_) => Ok(()),
		}
	}
}

/// Why a custodian refuses to compute a share for a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
	/// The record's custody capsule is not bound to the record (copied from another record,
	/// re-filed under another patient or content type, or mauled), or is malformed.
	#[error("the record's custody capsule is not bound to it: {0}")]
	Capsule(#[from] CustodyError),
	/// The share could not be sealed to the request's reply key.
	#[error("cannot seal the share to the reply key: {0}")]
	Seal(#[from] ReleaseError),
}

/// The share of `share` for open request `request`, whose record is labelled `label` and
/// carries `capsule` (the bytes on chain), sealed to the request's `reply_key`: what goes in
/// a `release_shares` call. Refuses a capsule that is not bound to the record.
pub fn seal_share(
	share: &ShareFile,
	label: &RecordLabel<'_>,
	capsule: &[u8],
	request: u64,
	reply_key: &[u8; 32],
) -> Result<Vec<u8>, Refusal> {
	let capsule = CustodyCapsule::from_bytes(capsule)?;
	let context = release::request_context(request);
	let released = custody::release_share(
		&share.share,
		&share.group_key,
		&label.digest(),
		&capsule,
		&context,
	)?;
	Ok(release::seal(&released, reply_key, &context)?)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::crypto::{release::ReplyKey, DataKey};

	fn label<'a>(patient: &'a [u8; 32], content_type: &'a [u8]) -> RecordLabel<'a> {
		RecordLabel {
			patient,
			custodian_org: 1,
			content_type,
			ciphertext_hash: &[3; 32],
			size: 10,
			cid: b"cid",
		}
	}

	fn write(dir: &Path, name: &str, text: &str, mode: u32) -> std::path::PathBuf {
		let path = dir.join(name);
		std::fs::write(&path, text).unwrap();
		std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(mode))
			.unwrap();
		path
	}

	fn share_json(d: &custody::Dealing, i: u16) -> serde_json::Value {
		let file = ShareFile::from_dealing(d, i).unwrap();
		serde_json::from_str(&file.to_json(2, 3)).unwrap()
	}

	#[test]
	fn a_share_file_loads_only_private_and_consistent() {
		let dir = std::env::temp_dir().join(format!("ehr-share-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let d = custody::deal(2, 3).unwrap();
		let good = share_json(&d, 1).to_string();
		let f = ShareFile::load(&write(&dir, "good", &good, 0o600)).unwrap();
		assert_eq!(f.custodian_index, 1);
		assert_eq!(f.share.verification_key(), d.verification_keys[1].1);
		let keys: Vec<[u8; 32]> = d.verification_keys.iter().map(|(_, k)| *k).collect();
		f.check_against(&d.group_key, &keys).unwrap();
		assert!(!format!("{f:?}").contains(&hex::encode(*d.shares[1].to_bytes())));

		let open = ShareFile::load(&write(&dir, "open", &good, 0o644));
		assert!(matches!(open, Err(ShareFileError::OpenToOthers { mode: 0o644, .. })));
		let mut wrong_vk = share_json(&d, 1);
		wrong_vk["verificationKey"] = share_json(&d, 2)["verificationKey"].clone();
		let mut wrong_x = share_json(&d, 1);
		wrong_x["x"] = 3.into();
		for (name, text) in
			[("vk", wrong_vk.to_string()), ("x", wrong_x.to_string()), ("junk", "{".into())]
		{
			let got = ShareFile::load(&write(&dir, name, &text, 0o600));
			assert!(matches!(got, Err(ShareFileError::Malformed { .. })), "{name}: {got:?}");
		}
		let other = custody::deal(2, 3).unwrap();
		let other_keys: Vec<[u8; 32]> = other.verification_keys.iter().map(|(_, k)| *k).collect();
		assert!(matches!(
			f.check_against(&other.group_key, &other_keys),
			Err(ShareFileError::NotOnChain { what: "another custody key", .. })
		));
		let mut swapped = keys.clone();
		swapped.swap(1, 2);
		assert!(matches!(
			f.check_against(&d.group_key, &swapped),
			Err(ShareFileError::NotOnChain { what: "another verification key", .. })
		));
		assert!(matches!(
			f.check_against(&d.group_key, &keys[..1]),
			Err(ShareFileError::NotOnChain { what: "no such custodian index", .. })
		));
		std::fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn a_sealed_share_opens_for_the_reply_key_and_only_for_a_bound_capsule() {
		let share = ShareFile::dev().unwrap();
		let dek = DataKey::generate();
		let patient = [1u8; 32];
		let record = label(&patient, b"Observation");
		let capsule = custody::seal(&share.group_key, &record.digest(), &dek).unwrap().to_bytes();
		let reply = ReplyKey::generate();
		let sealed = seal_share(&share, &record, &capsule, 4, &reply.public()).unwrap();
		let context = release::request_context(4);
		let opened = release::open(&reply, &context, &sealed).unwrap();
		let dev = crate::dev::dev_custody().unwrap();
		let got = custody::combine(
			&dev.group_key,
			&dev.verification_keys,
			1,
			&record.digest(),
			&CustodyCapsule::from_bytes(&capsule).unwrap(),
			&context,
			&[opened],
		)
		.unwrap();
		assert_eq!(got, dek);
		// The same capsule under another content type or patient gets no share.
		let other_patient = [2u8; 32];
		for lifted in [label(&patient, b"Condition"), label(&other_patient, b"Observation")] {
			let got = seal_share(&share, &lifted, &capsule, 4, &reply.public());
			assert!(matches!(got, Err(Refusal::Capsule(CustodyError::UnboundCapsule))), "{got:?}");
		}
		let got = seal_share(&share, &record, &capsule[..100], 4, &reply.public());
		assert!(matches!(got, Err(Refusal::Capsule(CustodyError::BadLength { .. }))));
	}
}
