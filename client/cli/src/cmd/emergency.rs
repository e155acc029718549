//! `ehr emergency`: break-glass access (time-boxed, raises an alarm, reviewed afterwards).

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use ehr_client::{
	grants::{self, EmergencyReason},
	store::replicas::blake2_256,
};
use serde_json::json;

use crate::context::{address, Global};

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
	}
}
