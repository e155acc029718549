//! `ehr org`: the consortium's organisations (hospitals). Adding, suspending and re-activating
//! one is governance's (signed by the sudo key on development and local chains); anyone shows
//! one.

use anyhow::{anyhow, Result};
use clap::Subcommand;
use ehr_client::{
	consortium::{self, OrgStatus},
	store::replicas::blake2_256,
};
use serde_json::json;

use crate::context::Global;

#[derive(Subcommand)]
pub enum OrgCmd {
	/// Add an organisation (governance). Its legal name stays off chain; its hash goes on.
	Add {
		/// The new organisation's id.
		org: u32,
		/// Its legal name.
		#[arg(long)]
		name: String,
		/// The custodian index its node runs, if it is a key custodian.
		#[arg(long)]
		custodian: Option<u16>,
	},
	/// Suspend an organisation (governance): its members hold no role until re-activated.
	Suspend {
		/// The organisation's id.
		org: u32,
	},
	/// Re-activate a suspended organisation (governance).
	Activate {
		/// The organisation's id.
		org: u32,
	},
	/// Show an organisation.
	Show {
		/// The organisation's id.
		org: u32,
	},
}

pub async fn run(global: &Global, cmd: OrgCmd) -> Result<()> {
	let status_name = |s: &OrgStatus| match s {
		OrgStatus::Active => "active",
		OrgStatus::Suspended => "suspended",
	};
	match cmd {
		OrgCmd::Add { org, name, custodian } => {
			let signer = global.identity()?;
			let chain = global.chain().await?;
			consortium::add_organisation(
				&chain,
				&signer,
				org,
				blake2_256(name.as_bytes()),
				custodian,
			)
			.await?;
			println!("organisation {org} added ({name})");
		}
		OrgCmd::Suspend { org } | OrgCmd::Activate { org } => {
			let status = if matches!(cmd, OrgCmd::Suspend { .. }) {
				OrgStatus::Suspended
			} else {
				OrgStatus::Active
			};
			let signer = global.identity()?;
			let chain = global.chain().await?;
			let changed = consortium::set_organisation_status(&chain, &signer, org, status).await?;
			println!("organisation {org} is now {}", status_name(&changed.status));
		}
		OrgCmd::Show { org } => {
			let chain = global.chain().await?;
			let at = chain.best().await?;
			let o = consortium::organisation(&at, org)
				.await?
				.ok_or_else(|| anyhow!("there is no organisation {org} on this chain"))?;
			let shown = json!({
				"id": o.id,
				"status": status_name(&o.status),
				"name_hash": format!("0x{}", hex::encode(o.name_hash)),
				"custodian_index": o.custodian_index,
			});
			if global.json {
				println!("{shown}");
			} else {
				println!(
					"organisation {}: {}, custodian {}, name hash {}",
					o.id,
					status_name(&o.status),
					o.custodian_index.map_or_else(|| "none".to_owned(), |i| i.to_string()),
					shown["name_hash"].as_str().unwrap_or("")
				);
			}
		}
	}
	Ok(())
}
