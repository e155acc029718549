//! `ehr-node custody keygen`: the dealer ceremony of the consortium custody key.
//!
//! A dealer draws the custody secret `s`, splits it `t`-of-`n` with Shamir's scheme and writes
//! one share file per custodian (mode 0600, never printed) and the public configuration: the
//! group key `S`, the verification keys `S_1..S_n` and `t`, in the shape of the chain spec's
//! `consortium.custody` (add the custodian accounts). The dealer sees `s`: run the ceremony on
//! an offline machine, hand each file to its hospital, and erase the machine; docs/custody.md
//! says how a distributed key generation replaces the dealer.

use std::{
	fs::OpenOptions,
	io::Write,
	path::{Path, PathBuf},
};

use ehr_client::{crypto::custody, custodian::ShareFile};
use zeroize::Zeroizing;

/// Generate the consortium custody key, split among the custodians.
#[derive(Debug, clap::Parser)]
pub struct KeygenCmd {
	/// Shares needed to release a record key (1..=custodians).
	#[arg(long)]
	pub threshold: usize,
	/// Number of custodians (hospitals), one share each.
	#[arg(long)]
	pub custodians: usize,
	/// Directory for `custodian-<i>.share` (0600) and `custody.json`; created if missing,
	/// and must not already hold a ceremony's files.
	#[arg(long)]
	pub out: PathBuf,
}

/// Custody key subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum CustodyCmd {
	/// Dealer ceremony: write one share per custodian and the public configuration.
	Keygen(KeygenCmd),
}

fn write_new(path: &Path, data: &[u8], mode: u32) -> Result<(), String> {
	let mut opts = OpenOptions::new();
	opts.write(true).create_new(true);
	std::os::unix::fs::OpenOptionsExt::mode(&mut opts, mode);
	let mut file = opts.open(path).map_err(|e| match e.kind() {
		std::io::ErrorKind::AlreadyExists => format!(
			"{} already exists: run the ceremony into an empty directory (never overwrite \
			 shares that may be in use)",
			path.display()
		),
		_ => format!("cannot create {}: {e}", path.display()),
	})?;
	file.write_all(data).and_then(|()| file.sync_all()).map_err(|e| {
		// A partly written share must not stay on disk.
		let _ = std::fs::remove_file(path);
		format!("cannot write {}: {e}", path.display())
	})
}

impl KeygenCmd {
	/// Runs the ceremony; returns what to tell the operator (no secret in it).
	pub fn run(&self) -> Result<String, String> {
		let dealing = custody::deal(self.threshold, self.custodians)
			.map_err(|e| format!("{e}: choose 1 <= --threshold <= --custodians <= 65535"))?;
		// A fresh directory only its owner can enter: nobody else can read the shares or swap
		// the public configuration for one of their own.
		let mut dir = std::fs::DirBuilder::new();
		std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
		dir.recursive(true)
			.create(&self.out)
			.map_err(|e| format!("cannot create {}: {e}", self.out.display()))?;
		let mode = std::fs::metadata(&self.out)
			.map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()))
			.map_err(|e| format!("cannot read {}: {e}", self.out.display()))?;
		if mode & 0o077 != 0 {
			return Err(format!(
				"{} is open to other users (mode {:o}): use a new directory, or `chmod 700` it",
				self.out.display(),
				mode & 0o777
			));
		}
		let public = serde_json::json!({
			"publicKey": dealing.group_key,
			"verificationKeys": dealing.verification_keys.iter().map(|(_, k)| k).collect::<Vec<_>>(),
			"custodianAccounts": [],
			"threshold": self.threshold,
		});
		let public =
			(self.out.join("custody.json"), Zeroizing::new(format!("{public:#}\n")), 0o644);
		let mut files = Vec::new();
		for index in 0..self.custodians {
			let index = u16::try_from(index).map_err(|_| "too many custodians".to_string())?;
			let share = ShareFile::from_dealing(&dealing, index)
				.ok_or_else(|| "the dealing has fewer shares than custodians".to_string())?;
			let path = self.out.join(format!("custodian-{index}.share"));
			let text = share.to_json(self.threshold, self.custodians);
			files.push((path, text, 0o600));
		}
		// The public configuration last, so that its presence means the ceremony completed.
		files.push(public);
		// All files or none: a half-written ceremony is removed (files of an earlier ceremony
		// are never touched: `write_new` refuses to overwrite them).
		let mut written = Vec::new();
		for (path, text, mode) in &files {
			if let Err(e) = write_new(path, text.as_bytes(), *mode) {
				for done in &written {
					let _ = std::fs::remove_file(done);
				}
				return Err(e);
			}
			written.push(path.clone());
		}
		Ok(format!(
			"custody key 0x{} split {}-of-{}: shares custodian-0.share .. custodian-{}.share and \
			 the public configuration custody.json in {} (add the custodian accounts, in \
			 custodian order, to custodianAccounts)",
			hex::encode(dealing.group_key),
			self.threshold,
			self.custodians,
			self.custodians - 1,
			self.out.display()
		))
	}
}
