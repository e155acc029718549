//! Identities at rest: a file holding the identity seed encrypted under a password.
//!
//! Format (all integers big-endian): `"EHRK" || version (2) || scheme (0 ed25519, 1 sr25519) ||
//! argon2id m_cost KiB (u32) || t_cost (u32) || p_cost (u32) || salt (16) || nonce (12) ||
//! ChaCha20-Poly1305(seed)`; the key is argon2id(password, salt) and everything before the
//! ciphertext is associated data, so neither the parameters nor the scheme can be changed
//! unnoticed. Files are written atomically (temporary
//! file, fsync, rename, fsync of the directory) with mode 0600.
//!
//! ```
//! use ehr_client::{crypto::identity::Identity, keystore::{self, KdfParams}};
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("alice.key");
//! let id = Identity::from_seed([9; 32]);
//! keystore::save(&path, &id, "correct horse", KdfParams::INTERACTIVE)?;
//! assert_eq!(keystore::load(&path, "correct horse")?.public(), id.public());
//! assert!(keystore::load(&path, "wrong").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::{
	fs::{self, File, OpenOptions},
	io::Write,
	path::{Path, PathBuf},
};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::{
	aead::{Aead, KeyInit, Payload},
	ChaCha20Poly1305,
};
use zeroize::Zeroizing;

use crate::crypto::{
	identity::{Identity, Scheme},
	random_array,
};

const MAGIC: [u8; 4] = *b"EHRK";
const VERSION: u8 = 2;
const HEADER: usize = 4 + 1 + 1 + 12 + 16 + 12;
const FILE_SIZE: usize = HEADER + 32 + 16;

/// Why a keystore could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeystoreError {
	/// The password does not decrypt the keystore (or the file was modified).
	#[error("wrong password for keystore {}", path.display())]
	WrongPassword {
		/// The keystore file.
		path: PathBuf,
	},
	/// The file is not a keystore of a version this library reads.
	#[error("{} is not a valid keystore: {reason}", path.display())]
	Invalid {
		/// The file.
		path: PathBuf,
		/// What is wrong.
		reason: &'static str,
	},
	/// The identity is a development account rebuilt from its name, not from a seed.
	#[error("the development account {account} cannot be stored in a keystore: use it by name")]
	NotStorable {
		/// Its SS58 address.
		account: String,
	},
	/// The argon2 parameters are out of range.
	#[error("invalid argon2 parameters: {0}")]
	Params(String),
	/// Reading or writing the file failed.
	#[error("keystore {}: {source}", path.display())]
	Io {
		/// The file.
		path: PathBuf,
		/// The I/O error.
		source: std::io::Error,
	},
}

/// argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
	/// Memory in KiB.
	pub m_cost_kib: u32,
	/// Passes.
	pub t_cost: u32,
	/// Lanes.
	pub p_cost: u32,
}

impl KdfParams {
	/// The default: 64 MiB, 3 passes, 1 lane (RFC 9106's second recommendation).
	pub const MODERATE: Self = Self { m_cost_kib: 64 * 1024, t_cost: 3, p_cost: 1 };
	/// Cheap parameters for tests and examples (8 MiB, 1 pass): not for real keys.
	pub const INTERACTIVE: Self = Self { m_cost_kib: 8 * 1024, t_cost: 1, p_cost: 1 };
}

impl Default for KdfParams {
	fn default() -> Self {
		Self::MODERATE
	}
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeystoreError + '_ {
	move |source| KeystoreError::Io { path: path.to_owned(), source }
}

fn derive(password: &str, salt: &[u8], p: KdfParams) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
	let params = Params::new(p.m_cost_kib, p.t_cost, p.p_cost, Some(32))
		.map_err(|e| KeystoreError::Params(e.to_string()))?;
	let mut key = Zeroizing::new([0u8; 32]);
	Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
		.hash_password_into(password.as_bytes(), salt, &mut key[..])
		.map_err(|e| KeystoreError::Params(e.to_string()))?;
	Ok(key)
}

/// Encrypts the identity's seed under `password` and writes it to `path` atomically, mode 0600.
pub fn save(
	path: &Path,
	identity: &Identity,
	password: &str,
	params: KdfParams,
) -> Result<(), KeystoreError> {
	if !identity.is_storable() {
		return Err(KeystoreError::NotStorable { account: identity.ss58() });
	}
	let salt: [u8; 16] = random_array();
	let nonce: [u8; 12] = random_array();
	let mut data = Vec::with_capacity(FILE_SIZE);
	data.extend_from_slice(&MAGIC);
	data.push(VERSION);
	data.push(match identity.scheme() {
		Scheme::Ed25519 => 0,
		Scheme::Sr25519 => 1,
	});
	for v in [params.m_cost_kib, params.t_cost, params.p_cost] {
		data.extend_from_slice(&v.to_be_bytes());
	}
	data.extend_from_slice(&salt);
	data.extend_from_slice(&nonce);
	let key = derive(password, &salt, params)?;
	let ct = ChaCha20Poly1305::new_from_slice(&key[..])
		.expect("32-byte key")
		.encrypt(&nonce.into(), Payload { msg: identity.seed(), aad: &data })
		.expect("small message");
	data.extend_from_slice(&ct);
	write_atomic(path, &data, 0o600).map_err(io(path))
}

/// Reads and decrypts the keystore at `path`.
pub fn load(path: &Path, password: &str) -> Result<Identity, KeystoreError> {
	let data = fs::read(path).map_err(io(path))?;
	let invalid = |reason| KeystoreError::Invalid { path: path.to_owned(), reason };
	if data.len() < 5 || data[..4] != MAGIC {
		return Err(invalid("bad magic"));
	}
	if data[4] != VERSION {
		return Err(invalid("unsupported version"));
	}
	if data.len() != FILE_SIZE {
		return Err(invalid("wrong length"));
	}
	let scheme = match data[5] {
		0 => Scheme::Ed25519,
		1 => Scheme::Sr25519,
		_ => return Err(invalid("unknown signature scheme")),
	};
	let u = |at: usize| u32::from_be_bytes(data[at..at + 4].try_into().expect("4"));
	let params = KdfParams { m_cost_kib: u(6), t_cost: u(10), p_cost: u(14) };
	let salt = &data[18..34];
	let nonce: [u8; 12] = data[34..46].try_into().expect("12");
	let key = derive(password, salt, params)?;
	let seed = Zeroizing::new(
		ChaCha20Poly1305::new_from_slice(&key[..])
			.expect("32-byte key")
			.decrypt(&nonce.into(), Payload { msg: &data[HEADER..], aad: &data[..HEADER] })
			.map_err(|_| KeystoreError::WrongPassword { path: path.to_owned() })?,
	);
	let seed: [u8; 32] = seed.as_slice().try_into().map_err(|_| invalid("bad seed length"))?;
	Identity::from_seed_with(scheme, seed)
		.map_err(|_| invalid("the seed is not a key of its scheme"))
}

/// Writes `data` to `path` so that a crash leaves either the old or the new file: a
/// temporary file in the same directory, fsync, rename, fsync of the directory.
pub(crate) fn write_atomic(path: &Path, data: &[u8], mode: u32) -> std::io::Result<()> {
	let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
	let name = path.file_name().ok_or(std::io::ErrorKind::InvalidInput)?;
	let tmp =
		dir.join(format!(".{}.tmp-{}", name.to_string_lossy(), hex::encode(random_array::<6>())));
	let mut opts = OpenOptions::new();
	opts.write(true).create_new(true);
	#[cfg(unix)]
	std::os::unix::fs::OpenOptionsExt::mode(&mut opts, mode);
	let result = (|| {
		let mut f = opts.open(&tmp)?;
		f.write_all(data)?;
		f.sync_all()?;
		fs::rename(&tmp, path)?;
		File::open(dir)?.sync_all()
	})();
	if result.is_err() {
		let _ = fs::remove_file(&tmp);
	}
	result
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn round_trip_mode_and_wrong_password() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("k");
		let id = Identity::from_seed([3; 32]);
		save(&path, &id, "pw", KdfParams::INTERACTIVE).unwrap();
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
		}
		assert_eq!(load(&path, "pw").unwrap().public(), id.public());
		let err = load(&path, "nope").unwrap_err();
		assert_eq!(err.to_string(), format!("wrong password for keystore {}", path.display()));
		// Overwrite atomically; no temporary files remain.
		save(&path, &Identity::from_seed([4; 32]), "pw2", KdfParams::INTERACTIVE).unwrap();
		assert_eq!(load(&path, "pw2").unwrap().public(), Identity::from_seed([4; 32]).public());
		assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
	}

	#[test]
	fn the_scheme_is_kept_and_dev_accounts_are_refused() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("k");
		let sr = Identity::from_seed_with(Scheme::Sr25519, [6; 32]).unwrap();
		save(&path, &sr, "pw", KdfParams::INTERACTIVE).unwrap();
		let back = load(&path, "pw").unwrap();
		assert_eq!((back.scheme(), back.public()), (Scheme::Sr25519, sr.public()));
		assert_ne!(back.public(), Identity::from_seed([6; 32]).public());
		let alice = crate::dev::dev_identity("Alice");
		let other = dir.path().join("alice");
		assert!(matches!(
			save(&other, &alice, "pw", KdfParams::INTERACTIVE),
			Err(KeystoreError::NotStorable { .. })
		));
		assert!(!other.exists());
	}

	#[test]
	fn modified_parameters_are_detected() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("k");
		save(&path, &Identity::from_seed([3; 32]), "pw", KdfParams::INTERACTIVE).unwrap();
		let mut data = fs::read(&path).unwrap();
		data[9] ^= 1; // m_cost
		fs::write(&path, &data).unwrap();
		assert!(matches!(load(&path, "pw"), Err(KeystoreError::WrongPassword { .. })));
		data[9] ^= 1;
		data[5] = 1; // the scheme is authenticated too
		fs::write(&path, &data).unwrap();
		assert!(matches!(load(&path, "pw"), Err(KeystoreError::WrongPassword { .. })));
		fs::write(&path, b"garbage").unwrap();
		assert!(matches!(load(&path, "pw"), Err(KeystoreError::Invalid { .. })));
	}
}
