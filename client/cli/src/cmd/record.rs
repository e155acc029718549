//! `ehr record`: put a file as a record (encrypt, store, register), list and show records.

use std::{path::PathBuf, time::Instant};

use anyhow::{anyhow, Context, Result};
use clap::Subcommand;
use ehr_client::{
	chain::account_of,
	consortium,
	crypto::identity::{ss58_encode, SS58_PREFIX},
	grants, read,
	records::{self, Record},
	upload::{self, NewRecord},
};
use serde_json::{json, Value};

use crate::{
	context::{address, date, paged, Global, PAGE},
	progress::{Counted, Progress},
	stores::Stores,
};

#[derive(Subcommand)]
pub enum RecordCmd {
	/// Encrypt a file, keep it in the store and register it as your record.
	Put {
		/// The file (a FHIR resource, JSON).
		file: PathBuf,
		/// Its FHIR resource type, e.g. Observation.
		#[arg(long = "type", value_name = "TYPE")]
		content_type: String,
		/// The hospital (organisation id) that keeps the ciphertext.
		#[arg(long, default_value_t = 1)]
		org: u32,
		/// The payload stores: directories of embedded stores or kubo:HOST:PORT, comma-separated
		/// (an upload goes to each; a read takes the first good copy and repairs the others).
		#[arg(long, env = "EHR_STORE", value_delimiter = ',', required = true)]
		store: Vec<String>,
	},
	/// List a patient's records (yours by default), newest last.
	List {
		/// The patient's address.
		#[arg(long)]
		patient: Option<String>,
	},
	/// Show one record's metadata.
	Show {
		/// The record id.
		id: u64,
	},
	/// Everything that happened to one record: registration, requests, key releases,
	/// refusals, tamper reports (from the audit index).
	History {
		/// The record id.
		id: u64,
	},
	/// Read a record into a file: your own through your patient capsule, anyone else's under
	/// a grant (the custodians release the key for an on-chain request).
	Get {
		/// The record id.
		id: u64,
		/// Where to write the decrypted record (written only once it is complete and
		/// verified).
		#[arg(short, long)]
		output: PathBuf,
		/// The payload stores: directories of embedded stores or kubo:HOST:PORT, comma-separated
		/// (an upload goes to each; a read takes the first good copy and repairs the others).
		#[arg(long, env = "EHR_STORE", value_delimiter = ',', required = true)]
		store: Vec<String>,
		/// The grant to read under (default: the one the chain finds for you).
		#[arg(long)]
		grant: Option<u64>,
		/// How long to wait for the custodians' key shares, in seconds.
		#[arg(long, default_value_t = 60)]
		wait: u64,
	},
}

pub async fn run(global: &Global, cmd: RecordCmd) -> Result<()> {
	match cmd {
		RecordCmd::Put { file, content_type, org, store } => {
			put(global, file, &content_type, org, store).await
		}
		RecordCmd::List { patient } => list(global, patient).await,
		RecordCmd::Show { id } => show(global, id).await,
		RecordCmd::History { id } => {
			let select = crate::cmd::audit::Selection { record: Some(id), ..Default::default() };
			crate::cmd::audit::log(global, &select, false).await
		}
		RecordCmd::Get { id, output, store, grant, wait } => {
			get(global, id, output, store, grant, wait).await
		}
	}
}

async fn put(
	global: &Global,
	file: PathBuf,
	content_type: &str,
	org: u32,
	store: Vec<String>,
) -> Result<()> {
	let patient = global.identity()?;
	let input = tokio::fs::File::open(&file)
		.await
		.with_context(|| format!("cannot read {}", file.display()))?;
	let size = input.metadata().await.map(|m| m.len()).unwrap_or(0);
	let input = Counted { inner: input, progress: Progress::new("encrypting", size, global.json) };
	let chain = global.chain().await?;
	let at = chain.best().await?;
	let custody = consortium::custody(&at).await?.ok_or_else(|| {
		anyhow!("the chain has no custody configuration yet: ask governance to set one")
	})?;
	let stores = Stores::open(&store)?;
	let new = NewRecord {
		patient: account_of(&patient),
		patient_x25519: patient.x25519_public(),
		custody_key: custody.public_key,
		custodian_org: org,
		content_type,
	};
	let started = Instant::now();
	let descriptor = upload::seal_into_store(stores.first(), &new, input).await?;
	stores.replicate(&descriptor.cid.parse()?).await?;
	let data = started.elapsed();
	let from_block = chain.best().await?.block_number();
	let registered = records::register(&chain, &patient, &descriptor).await?;
	let chain_wait = started.elapsed() - data;
	let blocks = chain.best().await?.block_number().saturating_sub(from_block);
	if global.json {
		println!(
			"{}",
			json!({
				"record": registered.record,
				"cid": descriptor.cid,
				"size": descriptor.size,
				"data_seconds": data.as_secs_f64(),
				"chain_seconds": chain_wait.as_secs_f64(),
				"chain_blocks": blocks,
			})
		);
	} else {
		println!(
			"registered record {}: {content_type}, {} bytes encrypted, CID {} (encrypt and \
			 store {:.2} s; chain {:.1} s, {} block(s))",
			registered.record,
			descriptor.size,
			descriptor.cid,
			data.as_secs_f64(),
			chain_wait.as_secs_f64(),
			blocks
		);
	}
	Ok(())
}

fn describe(id: u64, r: &Record) -> Value {
	json!({
		"id": id,
		"patient": ss58_encode(&r.patient.0, SS58_PREFIX),
		"type": String::from_utf8_lossy(&r.content_type.0),
		"custodian_org": r.custodian_org,
		"size": r.size,
		"cid": String::from_utf8_lossy(&r.cid.0),
		"ciphertext_hash": hex::encode(r.ciphertext_hash),
		"created": date(r.created_at),
		"previous": r.previous,
	})
}

async fn list(global: &Global, patient: Option<String>) -> Result<()> {
	let who = match patient {
		Some(text) => address(&text)?,
		None => account_of(&global.identity()?),
	};
	let chain = global.chain().await?;
	let at = chain.best().await?;
	let ids = paged(|after| records::records_of(&at, &who, after, PAGE), |id| *id).await?;
	let mut rows = Vec::new();
	for id in ids {
		if let Some(r) = records::record(&at, id).await? {
			rows.push(describe(id, &r));
		}
	}
	if global.json {
		println!("{}", Value::Array(rows));
		return Ok(());
	}
	if rows.is_empty() {
		println!("no records");
	}
	for r in rows {
		println!(
			"{:>6}  {:<20} {:>10} B  {}  {}",
			r["id"],
			r["type"].as_str().unwrap_or(""),
			r["size"],
			r["created"].as_str().unwrap_or(""),
			r["cid"].as_str().unwrap_or("")
		);
	}
	Ok(())
}

async fn show(global: &Global, id: u64) -> Result<()> {
	let chain = global.chain().await?;
	let at = chain.best().await?;
	let r = records::existing(&at, id).await?;
	let mut shown = describe(id, &r);
	shown["superseded_by"] = json!(records::superseded_by(&at, id).await?);
	let reports = records::tamper_reports(&at, id).await?;
	shown["tamper_reports"] =
		json!(reports.iter().map(|a| ss58_encode(&a.0, SS58_PREFIX)).collect::<Vec<_>>());
	if global.json {
		println!("{shown}");
		return Ok(());
	}
	if let Some(fields) = shown.as_object() {
		for (k, v) in fields {
			let v = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
			println!("{k:<16}{v}");
		}
	}
	Ok(())
}

async fn get(
	global: &Global,
	id: u64,
	output: PathBuf,
	store: Vec<String>,
	grant: Option<u64>,
	wait: u64,
) -> Result<()> {
	let reader = global.identity()?;
	let chain = global.chain().await?;
	let stores = Stores::open(&store)?;
	let replicas = stores.replicas();
	let at = chain.best().await?;
	let record = records::existing(&at, id).await?;
	let me = account_of(&reader);
	// The record is decrypted into a temporary file (mode 0600) beside FILE, renamed once it
	// is complete and verified; a failed read leaves neither.
	let dir = match output.parent() {
		Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
		_ => PathBuf::from("."),
	};
	let partial = tempfile::Builder::new()
		.prefix(".ehr-read-")
		.suffix(".part")
		.tempfile_in(&dir)
		.with_context(|| format!("cannot write into {}", dir.display()))?;
	let file = tokio::fs::File::from_std(
		partial
			.as_file()
			.try_clone()
			.with_context(|| format!("cannot write into {}", dir.display()))?,
	);
	let mut file =
		Counted { inner: file, progress: Progress::new("decrypting", record.size, global.json) };
	let started = Instant::now();
	let from_block = at.block_number();
	let result = if record.patient == me {
		read::read_own_to(&chain, &replicas, &reader, id, &mut file).await.map(|r| (r, None))
	} else {
		let grant = match grant {
			Some(g) => Ok(g),
			None => grants::can_read(&at, &me, id).await?.map_err(|reason| {
				anyhow!("you may not read record {id}: {}", grants::denial_sentence(&reason))
			}),
		};
		match grant {
			Ok(grant) => {
				let wait = std::time::Duration::from_secs(wait);
				read::read_record_to(&chain, &replicas, &reader, id, grant, wait, &mut file)
					.await
					.map(|r| (r, Some(grant)))
			}
			Err(e) => return Err(e),
		}
	};
	let (report, grant) = match result {
		Ok(done) => done,
		Err(e) => return Err(e.into()),
	};
	file.inner.sync_all().await.with_context(|| format!("cannot write into {}", dir.display()))?;
	let total = started.elapsed();
	drop(file);
	// On failure the temporary file is dropped (deleted) here, not kept alive in the error.
	partial
		.persist(&output)
		.map_err(|e| e.error)
		.with_context(|| format!("cannot write {}", output.display()))?;
	let blocks = if report.request.is_some() {
		chain.best().await?.block_number().saturating_sub(from_block)
	} else {
		0
	};
	report_failures(&chain, &reader, id, grant, record.size, &report.failures).await;
	let how = match (grant, report.request) {
		(Some(g), Some(r)) => format!("grant {g}, request {r}, from {}", report.from),
		_ => format!("your patient capsule, from {}", report.from),
	};
	let data = total.saturating_sub(report.chain_wait);
	if global.json {
		println!(
			"{}",
			json!({
				"record": id,
				"bytes": report.bytes,
				"output": output,
				"grant": grant,
				"request": report.request,
				"data_seconds": data.as_secs_f64(),
				"chain_seconds": report.chain_wait.as_secs_f64(),
				"chain_blocks": blocks,
			})
		);
	} else {
		println!(
			"record {id}: {} bytes written to {} (read through {how}; fetch, verify and decrypt \
			 {:.2} s; chain {:.1} s, {blocks} block(s))",
			report.bytes,
			output.display(),
			data.as_secs_f64(),
			report.chain_wait.as_secs_f64()
		);
	}
	Ok(())
}

/// Reports on chain each replica that holds bytes other than the record's (a bad stored block,
/// or a full-length copy with other content; not one that was unavailable or stopped short),
/// once per reader; a report that fails is a warning, not a failed read.
async fn report_failures(
	chain: &ehr_client::chain::Chain,
	reader: &ehr_client::crypto::identity::Identity,
	id: u64,
	grant: Option<u64>,
	size: u64,
	failures: &[ehr_client::store::replicas::Failure],
) {
	for failure in failures {
		let repaired = if failure.repaired { "; repaired from the good copy" } else { "" };
		if !failure.is_tamper_evidence(size) {
			eprintln!(
				"warning: {} did not serve record {id} ({}){repaired}",
				failure.provider, failure.error
			);
			continue;
		}
		let me = account_of(reader);
		let already = match chain.best().await {
			Ok(at) => {
				records::tamper_reports(&at, id).await.map(|r| r.contains(&me)).unwrap_or(false)
			}
			Err(_) => false,
		};
		let outcome = if already {
			"you reported this record before".to_owned()
		} else {
			match records::report_tamper(
				chain,
				reader,
				id,
				&failure.provider,
				failure.observed_hash,
				grant,
			)
			.await
			{
				Ok(report) => {
					format!("reported on chain (report {} of this record)", report.reports)
				}
				Err(e) => format!("the tamper report failed: {e}"),
			}
		};
		eprintln!(
			"warning: {} served a copy of record {id} that is not the one on chain ({}); \
			 {outcome}{repaired}",
			failure.provider, failure.error
		);
	}
}
