//! `ehr audit`: the audit trail from the local index of the finalized chain; `log` prints or
//! follows it, `export` writes it as a FHIR R4 Bundle of AuditEvent resources.

use std::{io::IsTerminal, path::PathBuf, time::Duration};

use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use ehr_client::{
	audit::{AuditIndex, AuditRow, Filter},
	chain::Chain,
	crypto::identity::{ss58_encode, SS58_PREFIX},
	fhir,
};
use serde_json::{json, Value};

use crate::context::{address, date, parse_date, write_output, Global};

/// Which events: every condition given must hold.
#[derive(Args, Clone, Default)]
pub struct Selection {
	/// Events about this patient's records.
	#[arg(long)]
	pub patient: Option<String>,
	/// Events that name this account (as requester, grantee, reviewer, ...).
	#[arg(long = "account", value_name = "ADDRESS")]
	pub named: Option<String>,
	/// Events about this record.
	#[arg(long)]
	pub record: Option<u64>,
	/// Events about this grant.
	#[arg(long)]
	pub grant: Option<u64>,
	/// From this date (UTC): 2027-01-31 or 2027-01-31T18:00:00Z.
	#[arg(long)]
	pub since: Option<String>,
	/// Before this date (UTC).
	#[arg(long)]
	pub until: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
	/// A FHIR R4 Bundle (collection) of AuditEvent resources.
	Fhir,
}

#[derive(Subcommand)]
pub enum AuditCmd {
	/// Print the audit trail (grants, revocations, delegations, requests, key releases,
	/// refusals, emergencies and their reviews, overdue reviews, tamper reports).
	Log {
		#[command(flatten)]
		select: Selection,
		/// Keep printing new events as blocks are finalized (Ctrl-C to stop).
		#[arg(long)]
		follow: bool,
	},
	/// Export the accesses (key releases, refused requests, emergency openings) as FHIR.
	Export {
		#[command(flatten)]
		select: Selection,
		/// The format.
		#[arg(long, value_enum)]
		format: Format,
		/// The file to write (default: standard output).
		#[arg(short, long)]
		output: Option<PathBuf>,
	},
}

pub async fn run(global: &Global, cmd: AuditCmd) -> Result<()> {
	match cmd {
		AuditCmd::Log { select, follow } => log(global, &select, follow).await,
		AuditCmd::Export { select, format: Format::Fhir, output } => {
			let chain = global.chain().await?;
			let (mut index, filter) = open(global, &chain, &select)?;
			sync(&mut index, &chain).await?;
			let rows = all_rows(&index, filter)?;
			let purpose_of = |grant| index.grant_purpose(grant).ok().flatten();
			let now = chain.now_ms().await?;
			let bundle = fhir::audit_bundle(&rows, chain.genesis_hash(), now, &purpose_of);
			write_output(output.as_deref(), &serde_json::to_string_pretty(&bundle)?)
		}
	}
}

/// Prints the audit trail that `select` picks; with `follow`, then every new event.
pub async fn log(global: &Global, select: &Selection, follow: bool) -> Result<()> {
	let chain = global.chain().await?;
	let (mut index, filter) = open(global, &chain, select)?;
	sync(&mut index, &chain).await?;
	let mut filter = filter;
	let mut printed = 0usize;
	loop {
		let rows = index.query(&filter, 1000)?;
		for row in &rows {
			print_row(global, row);
		}
		printed += rows.len();
		if let Some(last) = rows.last() {
			filter.after = Some((last.block, last.index));
		}
		if rows.len() == 1000 {
			continue;
		}
		if !follow {
			break;
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
		sync(&mut index, &chain).await?;
	}
	if printed == 0 && !global.json {
		println!("no audit events match");
	}
	Ok(())
}

/// Every event that `select` picks, after bringing the index up to the finalized head.
pub async fn history(global: &Global, select: &Selection) -> Result<Vec<AuditRow>> {
	named_history(global, select, &[]).await
}

/// The events named `names` (all if empty) that `select` picks, after bringing the index up
/// to the finalized head.
pub async fn named_history(
	global: &Global,
	select: &Selection,
	names: &[&str],
) -> Result<Vec<AuditRow>> {
	let chain = global.chain().await?;
	let (mut index, mut filter) = open(global, &chain, select)?;
	filter.names = names.iter().map(|n| n.to_string()).collect();
	sync(&mut index, &chain).await?;
	all_rows(&index, filter)
}

/// Every indexed event that `filter` picks, oldest first.
fn all_rows(index: &AuditIndex, mut filter: Filter) -> Result<Vec<AuditRow>> {
	let mut rows = Vec::new();
	loop {
		let page = index.query(&filter, 1000)?;
		let full = page.len() == 1000;
		if let Some(last) = page.last() {
			filter.after = Some((last.block, last.index));
		}
		rows.extend(page);
		if !full {
			return Ok(rows);
		}
	}
}

fn open(global: &Global, chain: &Chain, select: &Selection) -> Result<(AuditIndex, Filter)> {
	let genesis = chain.genesis_hash();
	let path = match &global.audit_index {
		Some(p) => p.clone(),
		None => {
			global.ehr_dir()?.join("audit").join(format!("{}.sqlite", hex::encode(&genesis.0[..8])))
		}
	};
	let index = AuditIndex::open(&path, genesis)?;
	let since_ms = select.since.as_deref().map(parse_date).transpose()?;
	let until_ms = select.until.as_deref().map(parse_date).transpose()?;
	if let (Some(s), Some(u)) = (since_ms, until_ms) {
		if u <= s {
			bail!("--until {} is not after --since {}: swap them", date(u), date(s));
		}
	}
	let filter = Filter {
		patient: select.patient.as_deref().map(address).transpose()?,
		account: select.named.as_deref().map(address).transpose()?,
		record: select.record,
		grant: select.grant,
		since_ms,
		until_ms,
		..Filter::default()
	};
	Ok((index, filter))
}

async fn sync(index: &mut AuditIndex, chain: &Chain) -> Result<()> {
	let tty = std::io::stderr().is_terminal();
	index
		.sync(chain, |done, total| {
			if tty && total > 256 {
				eprint!("\rindexing blocks: {done}/{total}");
			}
		})
		.await?;
	if tty {
		eprint!("\r\x1b[K");
	}
	Ok(())
}

/// An audit row as JSON.
pub fn row_json(row: &AuditRow) -> Value {
	json!({
				"block": row.block,
				"block_hash": format!("{:?}", row.block_hash),
				"index": row.index,
				"time": date(row.time_ms),
				"time_ms": row.time_ms,
				"event": format!("{}.{}", row.pallet, row.name),
				"patient": row.patient.as_ref().map(|p| ss58_encode(&p.0, SS58_PREFIX)),
				"record": row.record,
				"grant": row.grant,
				"request": row.request,
				"details": row.details,
	})
}

fn print_row(global: &Global, row: &AuditRow) {
	if global.json {
		println!("{}", row_json(row));
	} else {
		println!("{}  #{:<6} {}", date(row.time_ms), row.block, summary(row));
	}
}

/// One line saying what happened.
pub fn summary(row: &AuditRow) -> String {
	let d = &row.details;
	let s = |k: &str| printable(&d[k].as_str().map(short).unwrap_or_else(|| d[k].to_string()));
	let t = |k: &str| d[k].as_u64().map(date).unwrap_or_default();
	let g = row.grant.map(|g| g.to_string()).unwrap_or_default();
	let r = row.record.map(|r| r.to_string()).unwrap_or_default();
	match row.name.as_str() {
		"GrantCreated" => format!(
			"grant {g}: {} gave {} {} access to {} for {}, from {} until {}",
			s("patient"),
			s("grantee"),
			match (d["read"] == true, d["append"] == true) {
				(true, true) => "read and append",
				(true, false) => "read",
				(false, true) => "append-only",
				(false, false) => "no",
			},
			s("scope"),
			s("purpose"),
			t("not_before"),
			t("expires_at")
		),
		"GrantDelegated" => format!(
			"grant {g}: {} delegated grant {} to {}, until {}",
			s("by"),
			s("parent"),
			s("grantee"),
			t("expires_at")
		),
		"GrantRevoked" => match d["cascade_from"].as_u64() {
			Some(p) => format!("grant {g} ended with grant {p}, revoked by {}", s("by")),
			None => format!("grant {g} revoked by {}", s("by")),
		},
		"AccessRequested" => format!(
			"request {}: {} asked for the key of record {r} under grant {g}",
			s("request"),
			s("requester")
		),
		"KeyShareReleased" => format!(
			"request {}: custodian {} ({}) released its key share",
			s("request"),
			s("custodian_index"),
			s("custodian")
		),
		"KeyReleased" => format!(
			"request {}: key of record {r} released to {} under grant {g}",
			s("request"),
			s("requester")
		),
		"RequestsPruned" => format!("{} answered or expired requests pruned", s("count")),
		"EmergencyAccessOpened" => format!(
			"ALARM emergency access {g}: {} (organisation {}) opened {}'s records ({}), until {}, \
			 review by block {}",
			s("opener"),
			s("org"),
			s("patient"),
			s("reason"),
			t("expires_at"),
			s("review_deadline_block")
		),
		"EmergencyReviewed" => format!(
			"emergency access {g} {} by {}",
			if d["approved"] == true { "approved" } else { "rejected (it ends if still open)" },
			s("reviewer")
		),
		"EmergencyReviewOverdue" => format!(
			"ALARM emergency access {g} by {} was not reviewed in time (organisation {})",
			s("opener"),
			s("org")
		),
		"RecordRegistered" => format!(
			"record {r} of {} registered by {}{}{}",
			s("patient"),
			s("registered_by"),
			if row.grant.is_some() { format!(" under grant {g}") } else { String::new() },
			d["previous"]
				.as_u64()
				.map(|p| format!(", a new version of record {p}"))
				.unwrap_or_default()
		),
		"TamperReported" => format!(
			"ALARM tamper: {} got a payload of record {r} from {} that does not match its hash \
			 (report {})",
			s("reporter"),
			s("provider"),
			s("reports")
		),
		"Refused" => format!(
			"refused: {} by {}{}{}: {}",
			s("call"),
			s("signer"),
			row.record.map(|r| format!(", record {r}")).unwrap_or_default(),
			row.grant.map(|g| format!(", grant {g}")).unwrap_or_default(),
			s("reason")
		),
		"AccountInvited" => format!(
			"{} invited as {} of organisation {} by {}",
			s("who"),
			s("kind"),
			s("org"),
			s("by")
		),
		"AccountRegistered" => {
			format!("{} registered as {} of organisation {}", s("who"), s("kind"), s("org"))
		}
		"AccountStatusChanged" => {
			format!("account {} is now {} (by {})", s("who"), s("status"), s("by"))
		}
		"MemberAdded" | "MemberUpdated" => format!(
			"{} is a member of organisation {} with roles {}{}",
			s("who"),
			s("org"),
			d["roles"].as_array().map_or(String::new(), |r| {
				r.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
			}),
			if d["emergency"] == true { " (may open emergency access)" } else { "" }
		),
		"MemberRemoved" => format!("{} removed from organisation {}", s("who"), s("org")),
		other => format!("{}.{other} {}", row.pallet, d),
	}
}

/// `text` with control characters escaped, so that a string from the chain (a provider name,
/// a content type) cannot rewrite the terminal's lines.
pub fn printable(text: &str) -> String {
	text.chars()
		.map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
		.collect()
}

/// An address shortened for a line of text (`5GrwvaEF…utQY`); anything else as it is.
fn short(text: &str) -> String {
	if text.len() == 48 && text.starts_with('5') {
		format!("{}…{}", &text[..8], &text[44..])
	} else {
		text.to_owned()
	}
}
