//! `ehr patient invite`, `ehr staff invite`, `ehr member add|remove|freeze|activate|deregister`:
//! what a manager of a hospital (or governance) does to the accounts of the consortium.

use anyhow::Result;
use clap::{Args, Subcommand};
use ehr_client::consortium::{self, AccountKind, AccountStatus, Authority, Role};
use serde_json::json;

use crate::context::{address, Global};

/// Who acts: the signer as a manager of the organisation, or as governance (the sudo key on
/// development chains).
#[derive(Args)]
pub struct As {
	/// Act as the consortium's governance instead of as a manager.
	#[arg(long)]
	governance: bool,
}

impl As {
	fn authority(&self) -> Authority {
		if self.governance {
			Authority::Governance
		} else {
			Authority::Manager
		}
	}
}

#[derive(Subcommand)]
pub enum InviteCmd {
	/// Invite an account; it then accepts with `ehr account accept`.
	Invite {
		/// The account's address.
		address: String,
		/// The hospital (organisation id) under whose authority it is onboarded.
		#[arg(long)]
		org: u32,
		#[command(flatten)]
		by: As,
	},
}

/// The kind the `patient` and `staff` commands invite.
pub enum Kind {
	Patient,
	Staff,
}

pub async fn invite(global: &Global, cmd: InviteCmd, kind: Kind) -> Result<()> {
	let InviteCmd::Invite { address: text, org, by } = cmd;
	let who = address(&text)?;
	let (kind, name) = match kind {
		Kind::Patient => (AccountKind::Patient, "patient"),
		Kind::Staff => (AccountKind::Staff, "staff"),
	};
	let signer = global.identity()?;
	let chain = global.chain().await?;
	let invited =
		consortium::invite_account(&chain, &signer, by.authority(), org, who, kind).await?;
	if global.json {
		println!(
			"{}",
			json!({ "invited": text, "org": org, "expires_at_block": invited.expires_at })
		);
	} else {
		println!(
			"invited {text} as {name} of hospital {org}; it accepts before block {} with \
			 `ehr account accept --org {org} --kind {name}`",
			invited.expires_at
		);
	}
	Ok(())
}

/// A role at a hospital.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
	/// Manages members and onboards accounts.
	Manager,
	/// A doctor.
	Doctor,
	/// A nurse.
	Nurse,
	/// A researcher.
	Researcher,
	/// An auditor.
	Auditor,
}

impl From<RoleArg> for Role {
	fn from(r: RoleArg) -> Role {
		match r {
			RoleArg::Manager => Role::Manager,
			RoleArg::Doctor => Role::Doctor,
			RoleArg::Nurse => Role::Nurse,
			RoleArg::Researcher => Role::Researcher,
			RoleArg::Auditor => Role::Auditor,
		}
	}
}

#[derive(Subcommand)]
pub enum StatusCmd {
	/// Make a registered staff account a member of a hospital with roles.
	Add {
		/// The account's address.
		address: String,
		/// The hospital (organisation id).
		#[arg(long)]
		org: u32,
		/// Its roles (repeat the flag or separate with commas).
		#[arg(long = "role", value_enum, value_delimiter = ',', required = true)]
		roles: Vec<RoleArg>,
		/// Allow it to open emergency (break-glass) access.
		#[arg(long)]
		emergency: bool,
		#[command(flatten)]
		by: As,
	},
	/// Remove a member from a hospital: its roles there end at once.
	Remove {
		/// The account's address.
		address: String,
		/// The hospital (organisation id).
		#[arg(long)]
		org: u32,
		#[command(flatten)]
		by: As,
	},
	/// Freeze an account: its transactions and every grant to it stop working.
	Freeze {
		/// The account's address.
		address: String,
		#[command(flatten)]
		by: As,
	},
	/// Re-activate a frozen account.
	Activate {
		/// The account's address.
		address: String,
		#[command(flatten)]
		by: As,
	},
	/// Deregister an account, for good.
	Deregister {
		/// The account's address.
		address: String,
		#[command(flatten)]
		by: As,
	},
}

pub async fn status(global: &Global, cmd: StatusCmd) -> Result<()> {
	let (text, by, status, done) = match cmd {
		StatusCmd::Add { address: text, org, roles, emergency, by } => {
			let who = address(&text)?;
			let roles: Vec<Role> = roles.into_iter().map(Role::from).collect();
			let set = consortium::roles(&roles);
			let (signer, chain) = (global.identity()?, global.chain().await?);
			consortium::add_member(&chain, &signer, by.authority(), org, who, set, emergency)
				.await?;
			println!("{text} is a member of hospital {org}");
			return Ok(());
		}
		StatusCmd::Remove { address: text, org, by } => {
			let who = address(&text)?;
			let (signer, chain) = (global.identity()?, global.chain().await?);
			consortium::remove_member(&chain, &signer, by.authority(), org, who).await?;
			println!("{text} is no longer a member of hospital {org}");
			return Ok(());
		}
		StatusCmd::Freeze { address, by } => (address, by, AccountStatus::Frozen, "frozen"),
		StatusCmd::Activate { address, by } => (address, by, AccountStatus::Active, "active"),
		StatusCmd::Deregister { address, by } => {
			(address, by, AccountStatus::Deregistered, "deregistered")
		}
	};
	let who = address(&text)?;
	let signer = global.identity()?;
	let chain = global.chain().await?;
	consortium::set_account_status(&chain, &signer, by.authority(), who, status).await?;
	if global.json {
		println!("{}", json!({ "account": text, "status": done }));
	} else {
		println!("{text} is {done}");
	}
	Ok(())
}
