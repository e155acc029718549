//! The wallet's configuration file: `~/.ehr/config` (or the file `EHR_CONFIG` names), lines
//! of `key = value` (a line starting with `#` is a comment) for what the flags and environment variables also
//! set. A flag wins over the variable, the variable over the file.
//!
//! ```text
//! node = wss://node.hospital-a.example:443
//! store = hospital-a=kubo:10.0.0.5:5001,hospital-b=kubo:10.1.0.5:5001
//! keystore = /home/ana/.ehr/keys
//! account = ana
//! index = /home/ana/.ehr/audit.sqlite
//! ```

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

/// The file's keys and the variables they stand for.
const KEYS: [(&str, &str); 5] = [
	("node", "EHR_NODE"),
	("store", "EHR_STORE"),
	("keystore", "EHR_KEYSTORE"),
	("account", "EHR_ACCOUNT"),
	("index", "EHR_AUDIT_INDEX"),
];

/// The settings of the configuration file, as `(variable, value)`, for the variables that are
/// not set already. No file is no settings.
pub fn settings() -> Result<Vec<(&'static str, String)>> {
	let path = match std::env::var_os("EHR_CONFIG") {
		Some(p) => PathBuf::from(p),
		None => match std::env::var_os("HOME") {
			Some(home) => PathBuf::from(home).join(".ehr/config"),
			None => return Ok(Vec::new()),
		},
	};
	if !path.exists() {
		if std::env::var_os("EHR_CONFIG").is_some() {
			bail!("the configuration file {} (EHR_CONFIG) does not exist", path.display());
		}
		return Ok(Vec::new());
	}
	let text = std::fs::read_to_string(&path)
		.with_context(|| format!("cannot read the configuration file {}", path.display()))?;
	let mut out = Vec::new();
	for (n, line) in text.lines().enumerate() {
		let line = line.trim();
		if line.is_empty() || line.starts_with('#') {
			continue;
		}
		let Some((key, value)) = line.split_once('=') else {
			bail!("{} line {}: write `key = value`", path.display(), n + 1);
		};
		let (key, value) = (key.trim(), value.trim().trim_matches('"'));
		let Some((_, var)) = KEYS.iter().find(|(k, _)| *k == key) else {
			let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
			bail!(
				"{} line {}: unknown key `{key}` (known: {})",
				path.display(),
				n + 1,
				known.join(", ")
			);
		};
		if std::env::var_os(var).is_none() {
			out.push((*var, value.to_owned()));
		}
	}
	Ok(out)
}
