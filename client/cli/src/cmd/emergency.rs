//! `ehr emergency`: break-glass access (time-boxed, raises an alarm, reviewed afterwards).

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use ehr_client::{
	grants::{self, EmergencyReason},
	store::replicas::blake2_256,
};
use serde_json::{json, Value};

use crate::{
	cmd::audit,
	context::{address, date, Global},
};

/// Why the records are needed now.
#[derive(Clone, Copy, ValueEnum)]
pub enum ReasonArg {
	/// The patient is unconscious or otherwise unable to consent.
	Unconscious,
	/// A life-threatening condition requires the records now.
	LifeThreatening,
	/// Urgent treatment while the patient cannot be reached.
	Unreachable,
	/// Another reason, explained in the justification.
	Other,
}

#[derive(Subcommand)]
pub enum EmergencyCmd {
	/// Open emergency access to a patient's records (members with the emergency flag).
	Open {
		/// The patient's address.
		patient: String,
		/// Your hospital (organisation id).
		#[arg(long)]
		org: u32,
		/// Why.
		#[arg(long, value_enum)]
		reason: ReasonArg,
		/// The justification; its BLAKE2b-256 goes on chain.
		#[arg(long)]
		justification: String,
	},
	/// Approve or reject an emergency access (a manager or auditor of the opener's hospital;
	/// not the opener). A rejection ends it at once.
	Review {
		/// The emergency grant's id.
		grant: u64,
		/// Approve it (otherwise it is rejected).
		#[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
		approve: bool,
		/// Reject it.
		#[arg(long)]
		reject: bool,
		/// The review note; its BLAKE2b-256 goes on chain.
		#[arg(long, default_value = "")]
		note: String,
	},
	/// List emergency accesses and where their review stands (from the audit index of the
	/// finalized chain).
	List {
		/// Only those opened under this organisation.
		#[arg(long)]
		org: Option<u32>,
		/// Only those not reviewed yet.
		#[arg(long)]
		pending: bool,
	},
}

pub async fn run(global: &Global, cmd: EmergencyCmd) -> Result<()> {
	match cmd {
		EmergencyCmd::Open { patient, org, reason, justification } => {
			let patient_id = address(&patient)?;
			let reason = match reason {
				ReasonArg::Unconscious => EmergencyReason::PatientUnconscious,
				ReasonArg::LifeThreatening => EmergencyReason::LifeThreatening,
				ReasonArg::Unreachable => EmergencyReason::PatientUnreachable,
				ReasonArg::Other => EmergencyReason::Other,
			};
			let (opener, chain) = (global.identity()?, global.chain().await?);
			let opened = grants::emergency_open(
				&chain,
				&opener,
				org,
				patient_id,
				reason,
				blake2_256(justification.as_bytes()),
			)
			.await
			.context("emergency access was not opened")?;
			if global.json {
				println!("{}", json!({ "grant": opened.grant }));
			} else {
				println!(
					"EMERGENCY ACCESS OPENED: grant {} to the records of {patient}; the alarm is on \
					 chain and a manager or auditor of hospital {org} must review it",
					opened.grant
				);
			}
			Ok(())
		}
		EmergencyCmd::Review { grant, approve, reject: _, note } => {
			let (reviewer, chain) = (global.identity()?, global.chain().await?);
			grants::emergency_review(
				&chain,
				&reviewer,
				grant,
				approve,
				blake2_256(note.as_bytes()),
			)
			.await?;
			let verdict = if approve { "approved" } else { "rejected (the access ended)" };
			if global.json {
				println!("{}", json!({ "grant": grant, "approved": approve }));
			} else {
				println!("emergency access {grant} {verdict}");
			}
			Ok(())
		}
		EmergencyCmd::List { org, pending } => list(global, org, pending).await,
	}
}

/// The emergency accesses, each with its review: `pending` (by block N), `approved` or
/// `rejected` (by whom), and `overdue` once the deadline passed unreviewed.
async fn list(global: &Global, org: Option<u32>, pending: bool) -> Result<()> {
	let names = ["EmergencyAccessOpened", "EmergencyReviewed", "EmergencyReviewOverdue"];
	let rows = audit::named_history(global, &audit::Selection::default(), &names).await?;
	let mut out: Vec<Value> = Vec::new();
	for row in &rows {
		let d = &row.details;
		match row.name.as_str() {
			"EmergencyAccessOpened" => {
				if org.is_some_and(|o| d["org"] != o) {
					continue;
				}
				out.push(json!({
					"grant": row.grant,
					"opener": d["opener"],
					"org": d["org"],
					"patient": d["patient"],
					"reason": d["reason"],
					"opened": date(row.time_ms),
					"until": date(d["expires_at"].as_u64().unwrap_or(0)),
					"review": format!("pending, by block {}", d["review_deadline_block"]),
					"reviewed": false,
					"overdue": false,
				}));
			}
			name => {
				let Some(entry) = out.iter_mut().find(|e| e["grant"] == json!(row.grant)) else {
					continue;
				};
				if name == "EmergencyReviewed" {
					let verdict = if d["approved"] == true { "approved" } else { "rejected" };
					let late =
						if entry["overdue"] == true { " late (after its deadline)" } else { "" };
					let reviewer = d["reviewer"].as_str().unwrap_or("");
					entry["review"] =
						json!(format!("{verdict}{late} by {reviewer} on {}", date(row.time_ms)));
					entry["reviewed"] = json!(true);
				} else {
					entry["overdue"] = json!(true);
					if entry["reviewed"] == false {
						entry["review"] = json!("OVERDUE: not reviewed by its deadline");
					}
				}
			}
		}
	}
	out.retain(|e| !pending || e["reviewed"] == false);
	if global.json {
		println!("{}", Value::Array(out));
		return Ok(());
	}
	if out.is_empty() {
		println!("no emergency accesses");
	}
	for e in &out {
		let t = |k: &str| e[k].as_str().map_or_else(|| e[k].to_string(), str::to_owned);
		println!(
			"{:>6}  {} by {} (org {}) for {}: {} .. {}; review {}",
			e["grant"],
			t("reason"),
			t("opener"),
			e["org"],
			t("patient"),
			t("opened"),
			t("until"),
			t("review")
		);
	}
	Ok(())
}
