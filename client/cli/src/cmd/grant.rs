//! `ehr grant`: give, list and revoke access to one's records.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use ehr_client::{
	chain::{account_of, Chain},
	consortium::Role,
	crypto::identity::{ss58_encode, SS58_PREFIX},
	grants::{self, Actions, Grant, GrantTerms, Grantee, Purpose, Scope},
	store::replicas::blake2_256,
};
use serde_json::{json, Value};

use crate::context::{address, date, paged, parse_date, write_output, Global, PAGE};

/// Why access is given (FHIR v3-ActReason).
#[derive(Clone, Copy, ValueEnum)]
pub enum PurposeArg {
	/// Treatment (TREAT).
	Treatment,
	/// Healthcare research (HRESCH).
	Research,
	/// Healthcare operations, e.g. audit (HOPERAT).
	Audit,
}

/// A period's end, from now: `--for DURATION` or `--until DATE`.
#[derive(Args)]
pub struct Period {
	/// How long, from now: 30d, 12h, 45m or 90s.
	#[arg(
		long = "for",
		value_name = "DURATION",
		conflicts_with = "until",
		required_unless_present = "until"
	)]
	duration: Option<String>,
	/// Until when (UTC): 2027-01-31 or 2027-01-31T18:00:00Z.
	#[arg(long)]
	until: Option<String>,
}

#[derive(Subcommand)]
pub enum GrantCmd {
	/// Give an account, or whoever holds a role at a hospital, access to your records.
	Add {
		/// The grantee's address.
		#[arg(long, conflicts_with = "role", required_unless_present = "role")]
		to: Option<String>,
		/// A role at a hospital, as ORG:ROLE (e.g. 1:doctor).
		#[arg(long)]
		role: Option<String>,
		/// Why.
		#[arg(long, value_enum)]
		purpose: PurposeArg,
		#[command(flatten)]
		period: Period,
		/// Only this record.
		#[arg(long, conflicts_with = "content_type")]
		record: Option<u64>,
		/// Only records of this FHIR type.
		#[arg(long = "type", value_name = "TYPE")]
		content_type: Option<String>,
		/// The contract text; its BLAKE2b-256 goes on chain.
		#[arg(long)]
		terms: Option<PathBuf>,
		/// Let the grantee add records (new versions) too.
		#[arg(long)]
		append: bool,
		/// Let the grantee delegate it.
		#[arg(long)]
		delegable: bool,
	},
	/// List the grants you gave (as a patient) or hold.
	List,
	/// Show one grant, with its history from the audit index.
	Show {
		/// The grant id.
		id: u64,
	},
	/// Revoke a grant you gave (and its delegations).
	Revoke {
		/// The grant id.
		id: u64,
	},
	/// Pass a delegable grant you hold on to another account, for at most its own period.
	Delegate {
		/// The grant id.
		id: u64,
		/// The new grantee's address.
		#[arg(long)]
		to: String,
		#[command(flatten)]
		period: Period,
	},
	/// Export a patient's grants (yours by default) as a FHIR R4 Bundle of Consent resources.
	Export {
		/// The format.
		#[arg(long, value_enum)]
		format: crate::cmd::audit::Format,
		/// The patient's address.
		#[arg(long)]
		patient: Option<String>,
		/// The file to write (default: standard output).
		#[arg(short, long)]
		output: Option<PathBuf>,
	},
}

pub async fn run(global: &Global, cmd: GrantCmd) -> Result<()> {
	match cmd {
		GrantCmd::Add {
			to,
			role,
			purpose,
			period,
			record,
			content_type,
			terms,
			append,
			delegable,
		} => {
			let grantee = match (to, role) {
				(Some(to), _) => Grantee::Account(address(&to)?),
				(None, Some(role)) => parse_role(&role)?,
				(None, None) => bail!("say who gets access: --to ADDRESS or --role ORG:ROLE"),
			};
			let scope = match (record, content_type) {
				(Some(id), _) => Scope::Record(id),
				(None, Some(t)) => grants::content_type_scope(&t),
				(None, None) => Scope::AllRecords,
			};
			let terms_hash = match terms {
				Some(path) => blake2_256(
					&std::fs::read(&path)
						.with_context(|| format!("cannot read the terms {}", path.display()))?,
				),
				None => blake2_256(b""),
			};
			let patient = global.identity()?;
			let chain = global.chain().await?;
			let now = chain.now_ms().await?;
			let expires_at = period_end(now, period)?;
			let terms = GrantTerms {
				scope,
				grantee,
				purpose: match purpose {
					PurposeArg::Treatment => Purpose::Treatment,
					PurposeArg::Research => Purpose::Research,
					PurposeArg::Audit => Purpose::Audit,
				},
				actions: Actions { read: true, append },
				not_before: now,
				expires_at,
				terms_hash,
				delegable,
			};
			let created = grants::grant(&chain, &patient, &terms).await?;
			if global.json {
				println!("{}", json!({ "grant": created.grant, "expires": date(expires_at) }));
			} else {
				println!("grant {} given, valid until {}", created.grant, date(expires_at));
			}
			Ok(())
		}
		GrantCmd::List => list(global).await,
		GrantCmd::Show { id } => show(global, id).await,
		GrantCmd::Delegate { id, to, period } => {
			let grantee = address(&to)?;
			let signer = global.identity()?;
			let chain = global.chain().await?;
			let expires_at = period_end(chain.now_ms().await?, period)?;
			let made = grants::delegate(&chain, &signer, id, grantee, expires_at).await?;
			if global.json {
				println!(
					"{}",
					json!({ "grant": made.grant, "parent": id, "expires": date(expires_at) })
				);
			} else {
				println!(
					"grant {} delegated as grant {} to {to}, valid until {}",
					id,
					made.grant,
					date(expires_at)
				);
			}
			Ok(())
		}
		GrantCmd::Export { format: crate::cmd::audit::Format::Fhir, patient, output } => {
			let patient = match patient {
				Some(p) => address(&p)?,
				None => account_of(&global.identity()?),
			};
			let chain = global.chain().await?;
			let at = chain.best().await?;
			let all =
				paged(|after| grants::grants_of_patient(&at, &patient, after, PAGE), |g| g.id)
					.await?;
			let now = chain.now_ms().await?;
			let bundle = ehr_client::fhir::consent_bundle(&all, chain.genesis_hash(), now);
			write_output(output.as_deref(), &serde_json::to_string_pretty(&bundle)?)
		}
		GrantCmd::Revoke { id } => {
			let signer = global.identity()?;
			let chain = global.chain().await?;
			let revoked = grants::revoke(&chain, &signer, id).await?;
			let ids: Vec<u64> = revoked.iter().map(|e| e.grant).collect();
			if global.json {
				println!("{}", json!({ "revoked": ids }));
			} else {
				println!("revoked grant(s) {ids:?}");
			}
			Ok(())
		}
	}
}

/// The end of a period given as `--for DURATION` or `--until DATE`, which must be after
/// `now`.
fn period_end(now: u64, period: Period) -> Result<u64> {
	let expires_at = match (period.duration, period.until) {
		(Some(d), _) => now.saturating_add(parse_duration(&d)?),
		(None, Some(u)) => parse_date(&u)?,
		(None, None) => bail!("say how long: --for DURATION or --until DATE"),
	};
	if expires_at <= now {
		bail!(
			"the period ends {} which is not after now ({}): choose a later end",
			date(expires_at),
			date(now)
		);
	}
	Ok(expires_at)
}

async fn show(global: &Global, id: u64) -> Result<()> {
	let chain = global.chain().await?;
	let at = chain.best().await?;
	let g = grants::grant_by_id(&at, id).await?.ok_or_else(|| {
		anyhow!("there is no grant {id} on this chain: `ehr grant list` shows yours")
	})?;
	let mut d = describe(&g, chain.now_ms().await?);
	d["actions"] = json!({ "read": g.actions.read, "append": g.actions.append });
	d["delegable"] = json!(g.delegable);
	d["granted_by"] = json!(ss58_encode(&g.granted_by.0, SS58_PREFIX));
	d["created"] = json!(date(g.created_at));
	d["terms_hash"] = json!(format!("0x{}", hex::encode(g.terms_hash)));
	// The grant's history is the audit index's; the grant itself shows without it.
	let select = crate::cmd::audit::Selection { grant: Some(id), ..Default::default() };
	let history = crate::cmd::audit::history(global, &select).await;
	if global.json {
		match &history {
			Ok(rows) => d["history"] = rows.iter().map(crate::cmd::audit::row_json).collect(),
			Err(e) => d["history_error"] = json!(crate::context::sentence(e)),
		}
		println!("{d}");
		return Ok(());
	}
	for key in [
		"id",
		"status",
		"patient",
		"grantee",
		"scope",
		"purpose",
		"from",
		"until",
		"delegable",
		"granted_by",
		"created",
		"terms_hash",
		"delegated_from",
	] {
		println!(
			"{key:>15}: {}",
			d[key].as_str().map_or_else(|| d[key].to_string(), str::to_owned)
		);
	}
	println!("{:>15}: read {}, append {}", "actions", g.actions.read, g.actions.append);
	match history {
		Ok(rows) => {
			println!("history:");
			for row in &rows {
				println!(
					"  {}  #{:<6} {}",
					date(row.time_ms),
					row.block,
					crate::cmd::audit::summary(row)
				);
			}
		}
		Err(e) => println!("history: unavailable ({})", crate::context::sentence(&e)),
	}
	Ok(())
}

fn parse_role(text: &str) -> Result<Grantee> {
	let wrong = || {
		anyhow!("`{text}` is not ORG:ROLE: write e.g. 1:doctor (roles: manager, doctor, nurse, researcher, auditor)")
	};
	let (org, role) = text.split_once(':').ok_or_else(wrong)?;
	let org: u32 = org.parse().map_err(|_| wrong())?;
	let role = match role.to_ascii_lowercase().as_str() {
		"manager" => Role::Manager,
		"doctor" => Role::Doctor,
		"nurse" => Role::Nurse,
		"researcher" => Role::Researcher,
		"auditor" => Role::Auditor,
		_ => return Err(wrong()),
	};
	Ok(Grantee::Role(org, role))
}

/// `30d`, `12h`, `45m`, `90s` in milliseconds.
fn parse_duration(text: &str) -> Result<u64> {
	let wrong = || anyhow!("`{text}` is not a duration: write e.g. 30d, 12h, 45m or 90s");
	let (number, unit) = text.split_at(text.len().saturating_sub(1));
	let n: u64 = number.parse().map_err(|_| wrong())?;
	let ms = match unit {
		"d" => 86_400_000,
		"h" => 3_600_000,
		"m" => 60_000,
		"s" => 1_000,
		_ => return Err(wrong()),
	};
	n.checked_mul(ms).filter(|&v| v > 0).ok_or_else(wrong)
}

/// A grant as JSON; its status as of chain time `now` (`active`, `revoked`, `expired`,
/// `not yet valid`).
fn describe(g: &Grant, now: u64) -> Value {
	let grantee = grants::grantee_text(&g.grantee);
	let scope = grants::scope_text(&g.scope);
	json!({
		"id": g.id,
		"patient": ss58_encode(&g.patient.0, SS58_PREFIX),
		"grantee": grantee,
		"scope": scope,
		"purpose": format!("{:?}", g.purpose).to_lowercase(),
		"status": match g.status {
			grants::GrantStatus::Revoked => "revoked",
			_ if now < g.not_before => "not yet valid",
			_ if now >= g.expires_at => "expired",
			_ => "active",
		},
		"from": date(g.not_before),
		"until": date(g.expires_at),
		"delegated_from": g.parent,
	})
}

async fn list(global: &Global) -> Result<()> {
	let me = account_of(&global.identity()?);
	let chain: Chain = global.chain().await?;
	let at = chain.best().await?;
	let now = chain.now_ms().await?;
	let given = paged(|after| grants::grants_of_patient(&at, &me, after, PAGE), |g| g.id).await?;
	let held = paged(|after| grants::grants_held_by(&at, &me, after, PAGE), |g| g.id).await?;
	let mut rows: Vec<Value> = Vec::new();
	for g in given.iter().chain(&held) {
		if !rows.iter().any(|r| r["id"] == g.id) {
			rows.push(describe(g, now));
		}
	}
	if global.json {
		println!("{}", Value::Array(rows));
		return Ok(());
	}
	if rows.is_empty() {
		println!("no grants");
	}
	for r in rows {
		let text = |k: &str| r[k].as_str().unwrap_or("").to_owned();
		println!(
			"{:>6}  {}  to {}  {}  {}  {} .. {}",
			r["id"],
			text("status"),
			text("grantee"),
			text("scope"),
			text("purpose"),
			text("from"),
			text("until")
		);
	}
	Ok(())
}
