//! `ehr account`: create, import and show the accounts of the keystore; answer an invitation.

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use ehr_client::{
	chain::account_of,
	consortium::{self, AccountKind, AccountStatus},
	crypto::identity::{Identity, Scheme},
	keystore::{self, KdfParams},
};
use serde_json::json;

use crate::context::Global;

/// The signature scheme of a new account.
#[derive(Clone, Copy, ValueEnum)]
pub enum SchemeArg {
	/// ed25519 (the default; import the phrase into polkadot.js as an ed25519 account).
	Ed25519,
	/// sr25519 (as Substrate's development accounts).
	Sr25519,
}

impl From<SchemeArg> for Scheme {
	fn from(s: SchemeArg) -> Scheme {
		match s {
			SchemeArg::Ed25519 => Scheme::Ed25519,
			SchemeArg::Sr25519 => Scheme::Sr25519,
		}
	}
}

/// Which kind of account an invitation is for.
#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
	/// A patient.
	Patient,
	/// A staff member of a hospital.
	Staff,
}

impl From<KindArg> for AccountKind {
	fn from(k: KindArg) -> AccountKind {
		match k {
			KindArg::Patient => AccountKind::Patient,
			KindArg::Staff => AccountKind::Staff,
		}
	}
}

#[derive(Subcommand)]
pub enum AccountCmd {
	/// Create an account with a fresh 12-word phrase and store it encrypted in the keystore.
	New {
		/// Its signature scheme.
		#[arg(long, value_enum, default_value = "ed25519")]
		scheme: SchemeArg,
	},
	/// Import an account from its phrase (read from the EHR_PHRASE variable), or from a file
	/// that `ehr account export` wrote (same password).
	Import {
		/// Its signature scheme (for a phrase).
		#[arg(long, value_enum, default_value = "ed25519")]
		scheme: SchemeArg,
		/// An exported account file instead of a phrase.
		#[arg(long, value_name = "FILE")]
		file: Option<std::path::PathBuf>,
	},
	/// Write the account, encrypted under its password, to FILE (mode 0600), to move it to
	/// another machine (`ehr account import --file FILE` there).
	Export {
		/// Where to write it.
		#[arg(short, long)]
		output: std::path::PathBuf,
	},
	/// Show the account: address, encryption key, and where it stands on chain.
	Show,
	/// Accept your invitation, publishing your own encryption key (signed by you).
	Accept {
		/// The hospital (organisation id) you expect the invitation from.
		#[arg(long)]
		org: u32,
		/// The kind of account you expect to become.
		#[arg(long, value_enum)]
		kind: KindArg,
	},
	/// Decline the invitation you hold.
	Decline,
}

pub async fn run(global: &Global, cmd: AccountCmd) -> Result<()> {
	match cmd {
		AccountCmd::New { scheme } => {
			let (identity, phrase) = Identity::generate(scheme.into());
			store(global, &identity)?;
			if global.json {
				println!("{}", json!({ "account": identity.ss58(), "phrase": phrase.as_str() }));
			} else {
				println!("created account {} ({})", global.account, identity.ss58());
				println!("recovery phrase (write it down; it is shown only now):\n  {}", *phrase);
			}
			Ok(())
		}
		AccountCmd::Import { scheme, file } => {
			let identity = match file {
				Some(file) => keystore::load(&file, &global.password()?)
					.with_context(|| format!("cannot import {}", file.display()))?,
				None => {
					let phrase = std::env::var("EHR_PHRASE").map_err(|_| {
						anyhow::anyhow!(
							"no phrase: set EHR_PHRASE to the 12 or 24 words, or pass --file FILE"
						)
					})?;
					Identity::from_phrase_with(scheme.into(), phrase.trim(), None)?
				}
			};
			store(global, &identity)?;
			println!("imported account {} ({})", global.account, identity.ss58());
			Ok(())
		}
		AccountCmd::Export { output } => {
			let identity = global.identity()?;
			if output.exists() {
				bail!("{} exists: choose a new file", output.display());
			}
			keystore::save(&output, &identity, &global.password()?, KdfParams::MODERATE)?;
			println!(
				"exported account {} ({}) to {}",
				global.account,
				identity.ss58(),
				output.display()
			);
			Ok(())
		}
		AccountCmd::Show => show(global).await,
		AccountCmd::Accept { org, kind } => {
			let identity = global.identity()?;
			let chain = global.chain().await?;
			let registered =
				consortium::accept_invitation(&chain, &identity, org, kind.into()).await?;
			if global.json {
				println!("{}", json!({ "account": identity.ss58(), "org": registered.org }));
			} else {
				println!(
					"{} is registered under hospital {}; its encryption key {} is on chain",
					identity.ss58(),
					registered.org,
					hex::encode(registered.x25519)
				);
			}
			Ok(())
		}
		AccountCmd::Decline => {
			let identity = global.identity()?;
			let chain = global.chain().await?;
			consortium::decline_invitation(&chain, &identity).await?;
			println!("{} declined its invitation", identity.ss58());
			Ok(())
		}
	}
}

/// Writes `identity` to the selected account's keystore file, refusing to overwrite one.
fn store(global: &Global, identity: &Identity) -> Result<()> {
	let path = global.key_path()?;
	if path.exists() {
		bail!(
			"the keystore already holds an account `{}` ({}): choose another name with --as NAME",
			global.account,
			path.display()
		);
	}
	if let Some(dir) = path.parent() {
		std::fs::create_dir_all(dir)?;
	}
	keystore::save(&path, identity, &global.new_password()?, KdfParams::MODERATE)?;
	Ok(())
}

fn status_name(status: &AccountStatus) -> &'static str {
	match status {
		AccountStatus::Active => "active",
		AccountStatus::Frozen => "frozen",
		AccountStatus::Deregistered => "deregistered",
	}
}

fn kind_name(kind: &AccountKind) -> &'static str {
	match kind {
		AccountKind::Patient => "patient",
		AccountKind::Staff => "staff",
	}
}

async fn show(global: &Global) -> Result<()> {
	let identity = global.identity()?;
	let chain = global.chain().await?;
	let at = chain.best().await?;
	let who = account_of(&identity);
	let account = consortium::account(&at, &who).await?;
	let invitation = consortium::invitation(&at, &who).await?;
	let standing = match (&account, &invitation) {
		(Some(a), _) => json!({
			"registered": true,
			"kind": kind_name(&a.kind),
			"status": status_name(&a.status),
			"org": a.org,
		}),
		(None, Some(i)) => json!({
			"registered": false,
			"invited": { "org": i.org, "kind": kind_name(&i.kind), "expires_at_block": i.expires_at },
		}),
		(None, None) => json!({ "registered": false }),
	};
	if global.json {
		println!(
			"{}",
			json!({
				"account": identity.ss58(),
				"scheme": identity.scheme().name(),
				"x25519": hex::encode(identity.x25519_public()),
				"chain": standing,
			})
		);
		return Ok(());
	}
	println!("account     {}", identity.ss58());
	println!("scheme      {}", identity.scheme().name());
	println!("encryption  {}", hex::encode(identity.x25519_public()));
	match (account, invitation) {
		(Some(a), _) => println!(
			"on chain    {} {}, onboarded under {}",
			status_name(&a.status),
			kind_name(&a.kind),
			a.org.map_or("governance".to_owned(), |o| format!("hospital {o}"))
		),
		(None, Some(i)) => println!(
			"on chain    invited as {} by hospital {} (accept before block {}: `ehr account accept --org {} --kind {}`)",
			kind_name(&i.kind),
			i.org,
			i.expires_at,
			i.org,
			kind_name(&i.kind)
		),
		(None, None) => println!("on chain    not registered: ask a manager of a hospital to invite it"),
	}
	Ok(())
}
