//! What every command shares: where the node and the keystore are, which account signs, how
//! the output looks.

use std::{io::IsTerminal, path::PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use ehr_client::{
	chain::{AccountId32, Chain},
	crypto::identity::{ss58_decode, Identity},
	dev::dev_identity,
	keystore,
};

/// Options of every command (also from the environment).
#[derive(Args)]
pub struct Global {
	/// The node's WebSocket RPC URL.
	#[arg(long, global = true, env = "EHR_NODE", default_value = "ws://127.0.0.1:9944")]
	pub node: String,
	/// The directory of the keystore (one encrypted file per account).
	#[arg(long, global = true, env = "EHR_KEYSTORE")]
	pub keystore: Option<PathBuf>,
	/// The account to sign with: the name of its keystore file.
	#[arg(
		long = "as",
		global = true,
		env = "EHR_ACCOUNT",
		default_value = "default",
		value_name = "NAME"
	)]
	pub account: String,
	/// Sign with a well-known development account instead (Alice, Bob, ...): insecure, for
	/// development chains only.
	#[arg(long, global = true, value_name = "NAME")]
	pub dev: Option<String>,
	/// A file holding the keystore password (otherwise the EHR_PASSWORD variable).
	#[arg(long, global = true, value_name = "FILE")]
	pub password_file: Option<PathBuf>,
	/// The audit index file (default: ~/.ehr/audit/<chain>.sqlite).
	#[arg(long = "index", global = true, env = "EHR_AUDIT_INDEX", value_name = "FILE")]
	pub audit_index: Option<PathBuf>,
	/// Print JSON instead of text.
	#[arg(long, global = true)]
	pub json: bool,
	/// The password once read, and whether it was asked on the terminal.
	#[arg(skip)]
	pub password_cache: std::sync::OnceLock<(String, bool)>,
	/// Log what the wallet does on standard error (-v: info, -vv: debug; RUST_LOG overrides).
	#[arg(short, long, global = true, action = clap::ArgAction::Count)]
	pub verbose: u8,
}

impl Global {
	/// The wallet's own directory, `~/.ehr`.
	pub fn ehr_dir(&self) -> Result<PathBuf> {
		let home = std::env::var_os("HOME").ok_or_else(|| {
			anyhow!("HOME is not set: set it, or pass the file or directory to use explicitly")
		})?;
		Ok(PathBuf::from(home).join(".ehr"))
	}

	/// The keystore directory: `--keystore`, or `~/.ehr/keys`.
	pub fn keystore_dir(&self) -> Result<PathBuf> {
		if let Some(dir) = &self.keystore {
			return Ok(dir.clone());
		}
		Ok(self.ehr_dir()?.join("keys"))
	}

	/// The keystore file of the selected account.
	pub fn key_path(&self) -> Result<PathBuf> {
		let name = &self.account;
		if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
			bail!("`{name}` is not an account name: use letters, digits, `-` or `_`");
		}
		Ok(self.keystore_dir()?.join(format!("{name}.key")))
	}

	/// The keystore password: `--password-file`, the EHR_PASSWORD variable, or asked on the
	/// terminal (once per command).
	pub fn password(&self) -> Result<String> {
		if let Some((password, _)) = self.password_cache.get() {
			return Ok(password.clone());
		}
		let (password, asked) = self.read_password()?;
		let _ = self.password_cache.set((password.clone(), asked));
		Ok(password)
	}

	/// The password for a key file about to be written: as [`Global::password`], and when it
	/// was asked on the terminal, asked again to confirm it.
	pub fn new_password(&self) -> Result<String> {
		let password = self.password()?;
		if self.password_cache.get().is_some_and(|(_, asked)| *asked) {
			let again = rpassword::prompt_password("the same password again: ")
				.context("cannot read the password from the terminal")?;
			if again != password {
				bail!("the two passwords differ: run the command again");
			}
		}
		Ok(password)
	}

	fn read_password(&self) -> Result<(String, bool)> {
		if let Some(file) = &self.password_file {
			let text = std::fs::read_to_string(file)
				.with_context(|| format!("cannot read the password file {}", file.display()))?;
			return Ok((text.trim_end_matches(['\r', '\n']).to_owned(), false));
		}
		if let Ok(password) = std::env::var("EHR_PASSWORD") {
			return Ok((password, false));
		}
		if std::io::stdin().is_terminal() {
			let password =
				rpassword::prompt_password(format!("keystore password for `{}`: ", self.account))
					.context("cannot read the password from the terminal")?;
			return Ok((password, true));
		}
		bail!(
			"no keystore password: set EHR_PASSWORD, pass --password-file FILE, or run in a \
			 terminal"
		)
	}

	/// The identity that signs: `--dev NAME`, or the selected account from the keystore.
	pub fn identity(&self) -> Result<Identity> {
		if let Some(name) = &self.dev {
			return Ok(dev_identity(name));
		}
		let path = self.key_path()?;
		if !path.exists() {
			bail!(
				"no account `{}` in {}: create one with `ehr account new` or import one with \
				 `ehr account import`",
				self.account,
				self.keystore_dir()?.display()
			);
		}
		Ok(keystore::load(&path, &self.password()?)?)
	}

	/// A connection to the node.
	pub async fn chain(&self) -> Result<Chain> {
		Ok(Chain::connect(&self.node).await?)
	}
}

/// The account id of an SS58 address, with a sentence if it is not one.
pub fn address(text: &str) -> Result<AccountId32> {
	let (_, raw) = ss58_decode(text).map_err(|e| {
		anyhow!("`{text}` is not an account address ({e}): pass an SS58 address such as the one `ehr account show` prints")
	})?;
	Ok(AccountId32(raw))
}

/// The error as one sentence: its message and those of its causes, joined.
pub fn sentence(e: &anyhow::Error) -> String {
	let mut parts: Vec<String> = Vec::new();
	for cause in e.chain() {
		let text = cause.to_string();
		if !parts.iter().any(|p| p.contains(&text)) {
			parts.push(text);
		}
	}
	parts.join(": ")
}

/// Chain time (ms since the epoch) as a UTC date, e.g. `2026-12-01 14:42:04 UTC`.
pub fn date(ms: u64) -> String {
	i64::try_from(ms)
		.ok()
		.and_then(chrono::DateTime::from_timestamp_millis)
		.map_or_else(|| format!("{ms} ms"), |d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
}

/// `2027-01-31` (midnight UTC) or an RFC 3339 time, in milliseconds since the epoch.
pub fn parse_date(text: &str) -> Result<u64> {
	let wrong = || anyhow!("`{text}` is not a date: write e.g. 2027-01-31 or 2027-01-31T18:00:00Z");
	let at = if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
		d.and_hms_opt(0, 0, 0).ok_or_else(wrong)?.and_utc()
	} else {
		chrono::DateTime::parse_from_rfc3339(text).map_err(|_| wrong())?.to_utc()
	};
	u64::try_from(at.timestamp_millis()).map_err(|_| wrong())
}

/// Writes `text` to `path` (through a temporary file renamed into place, so that a failed
/// write leaves no half file), or to standard output.
pub fn write_output(path: Option<&std::path::Path>, text: &str) -> Result<()> {
	let Some(path) = path else {
		println!("{text}");
		return Ok(());
	};
	let part = path.with_extension("part");
	std::fs::write(&part, format!("{text}\n"))
		.and_then(|()| std::fs::rename(&part, path))
		.with_context(|| format!("cannot write {}", path.display()))?;
	Ok(())
}

/// Items asked for per call of a paged runtime API.
pub const PAGE: u32 = 100;

/// Every item of a paged runtime API: `page(after)` gives up to [`PAGE`] items after the key
/// `after`, and `key` gives an item's key.
pub async fn paged<T, Fut>(
	mut page: impl FnMut(Option<u64>) -> Fut,
	key: impl Fn(&T) -> u64,
) -> Result<Vec<T>>
where
	Fut: std::future::Future<Output = Result<Vec<T>, ehr_client::chain::ChainError>>,
{
	let mut all = Vec::new();
	let mut after = None;
	loop {
		let items = page(after).await?;
		let full = items.len() == PAGE as usize;
		after = items.last().map(&key);
		all.extend(items);
		if !full {
			return Ok(all);
		}
	}
}
