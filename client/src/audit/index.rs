//! The audit index: a local SQLite database of every audit event of the finalized chain, so
//! that questions about a year of blocks ("who read this patient's records since March?")
//! are answered without rescanning the chain.
//!
//! [`AuditIndex::sync`] reads the blocks after the last one it indexed up to the finalized
//! head, a batch at a time, each batch in one database transaction together with the number
//! of the next block to read: an interrupted sync loses nothing and resumes where it stopped.
//! Only finalized blocks are indexed, so nothing indexed is ever reorganised away. Events live
//! in the chain's state, which a node prunes after 256 blocks by default: the node the index
//! reads from must keep archive state (`ehr-node --state-pruning archive`) for an index that
//! fell behind to catch up.
//!
//! Events that do not name a patient (a revocation, a key release) are filed under the
//! patient of their grant or record, as learnt from earlier events.

use std::path::{Path, PathBuf};

use futures::{stream, StreamExt, TryStreamExt};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use serde_json::Value;
use subxt::utils::{AccountId32, H256};

use super::{events_at, facts::facts, Facts};
use crate::chain::{runtime, Chain, ChainError};

/// Blocks fetched concurrently while catching up.
const PARALLEL_FETCHES: usize = 8;
/// Blocks per database transaction.
const BATCH: u64 = 256;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
	block INTEGER NOT NULL,
	idx INTEGER NOT NULL,
	block_hash TEXT NOT NULL,
	time_ms INTEGER NOT NULL,
	extrinsic INTEGER,
	pallet TEXT NOT NULL,
	name TEXT NOT NULL,
	patient TEXT,
	record INTEGER,
	grant_id INTEGER,
	request INTEGER,
	details TEXT NOT NULL,
	PRIMARY KEY (block, idx)
);
CREATE TABLE IF NOT EXISTS event_accounts (
	block INTEGER NOT NULL,
	idx INTEGER NOT NULL,
	account TEXT NOT NULL,
	PRIMARY KEY (account, block, idx)
);
CREATE TABLE IF NOT EXISTS grant_patients (grant_id INTEGER PRIMARY KEY, patient TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS record_patients (record INTEGER PRIMARY KEY, patient TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_patient ON events (patient, block);
CREATE INDEX IF NOT EXISTS events_record ON events (record, block);
CREATE INDEX IF NOT EXISTS events_grant ON events (grant_id, block);
CREATE INDEX IF NOT EXISTS events_delegated_from ON events (json_extract(details, '$.parent'))
	WHERE name = 'GrantDelegated';
CREATE INDEX IF NOT EXISTS events_cascaded_from ON events (json_extract(details, '$.cascade_from'))
	WHERE name = 'GrantRevoked';
CREATE INDEX IF NOT EXISTS events_superseding ON events (json_extract(details, '$.previous'))
	WHERE name = 'RecordRegistered';
CREATE INDEX IF NOT EXISTS events_time ON events (time_ms);
";

/// Why the index could not be opened, filled or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
	/// The database file could not be opened or created.
	#[error("cannot open the audit index {path}: {source}")]
	Open {
		/// The file.
		path: PathBuf,
		/// Why.
		source: rusqlite::Error,
	},
	/// The index was built from another chain.
	#[error(
		"the audit index {path} belongs to the chain with genesis {indexed}, not to this node's \
		 chain ({node}); use another index file for this chain"
	)]
	OtherChain {
		/// The file.
		path: PathBuf,
		/// The genesis hash the index was built from.
		indexed: String,
		/// The node's genesis hash.
		node: String,
	},
	/// The chain's history differs from what the index read (e.g. a new development chain,
	/// which has the same genesis as the last one).
	#[error(
		"the audit index {path} does not match this chain's history at block {block} (a new \
		 development chain has the same genesis as the last one): delete the file or pass \
		 another one with --index"
	)]
	Diverged {
		/// The file.
		path: PathBuf,
		/// The last block the index read.
		block: u64,
	},
	/// The node no longer has the state of a block the index needs.
	#[error(
		"the node no longer has the events of block {block} (it prunes old state): read from \
		 an archive node (`ehr-node --state-pruning archive`) to catch up ({reason})"
	)]
	Pruned {
		/// The block.
		block: u64,
		/// The node's answer.
		reason: String,
	},
	/// The database failed.
	#[error("the audit index failed: {0}")]
	Database(#[from] rusqlite::Error),
	/// The chain could not be read.
	#[error(transparent)]
	Chain(#[from] ChainError),
}

/// Which events a query returns (all conditions must hold).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
	/// Events about this patient's records.
	pub patient: Option<AccountId32>,
	/// Events that name this account in any role.
	pub account: Option<AccountId32>,
	/// Events about this record, with the registration of the version that superseded it.
	pub record: Option<u64>,
	/// Events about this grant, with its delegations and the revocations that cascaded from
	/// it (a delegation's own history is under its own id).
	pub grant: Option<u64>,
	/// Events with these names only (e.g. `KeyReleased`); empty: every event.
	pub names: Vec<String>,
	/// Events at or after this chain time (ms since the epoch).
	pub since_ms: Option<u64>,
	/// Events before this chain time (ms since the epoch).
	pub until_ms: Option<u64>,
	/// Events after this position (block, event index): for following new events.
	pub after: Option<(u64, u32)>,
}

/// One indexed event.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditRow {
	/// The block's number.
	pub block: u64,
	/// The block's hash.
	pub block_hash: H256,
	/// The event's index in the block.
	pub index: u32,
	/// The block's time (ms since the epoch).
	pub time_ms: u64,
	/// The transaction that emitted it, if one did.
	pub extrinsic: Option<u32>,
	/// The pallet.
	pub pallet: String,
	/// The event's name (`Refused` for a refused transaction).
	pub name: String,
	/// The patient it concerns (named by the event, or the patient of its grant or record).
	pub patient: Option<AccountId32>,
	/// The record it is about.
	pub record: Option<u64>,
	/// The grant it is about.
	pub grant: Option<u64>,
	/// The request it is about.
	pub request: Option<u64>,
	/// The event's fields ([`Facts::details`]).
	pub details: Value,
}

/// What one sync did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncReport {
	/// Blocks read.
	pub blocks: u64,
	/// Events filed.
	pub events: u64,
	/// The next block the index will read.
	pub next_block: u64,
}

/// The audit index of one chain, in one SQLite file.
pub struct AuditIndex {
	db: Connection,
	path: PathBuf,
}

impl AuditIndex {
	/// Opens (or creates) the index at `path` for the chain whose genesis is `genesis`.
	pub fn open(path: &Path, genesis: H256) -> Result<AuditIndex, IndexError> {
		if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
			let _ = std::fs::create_dir_all(dir);
		}
		let open = |source| IndexError::Open { path: path.to_owned(), source };
		let db = Connection::open(path).map_err(open)?;
		db.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
			.map_err(open)?;
		// Two wallets may sync the same index (`audit log --follow` beside `grant show`).
		db.busy_timeout(std::time::Duration::from_secs(10)).map_err(open)?;
		db.execute_batch(SCHEMA).map_err(open)?;
		let index = AuditIndex { db, path: path.to_owned() };
		let genesis = format!("{genesis:?}");
		match index.meta("genesis")? {
			Some(indexed) if indexed != genesis => {
				return Err(IndexError::OtherChain {
					path: path.to_owned(),
					indexed,
					node: genesis,
				})
			}
			Some(_) => {}
			None => index.set_meta("genesis", &genesis)?,
		}
		Ok(index)
	}

	fn meta(&self, key: &str) -> Result<Option<String>, rusqlite::Error> {
		self.db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()
	}

	fn set_meta(&self, key: &str, value: &str) -> Result<(), rusqlite::Error> {
		self.db.execute(
			"INSERT INTO meta (key, value) VALUES (?1, ?2)
			 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			[key, value],
		)?;
		Ok(())
	}

	/// The next block the index will read (0 for a new index).
	pub fn next_block(&self) -> Result<u64, IndexError> {
		Ok(self.meta("next_block")?.and_then(|v| v.parse().ok()).unwrap_or(0))
	}

	/// Reads the finalized blocks the index does not have yet and files their events;
	/// `progress(done, total)` is called after each batch.
	pub async fn sync(
		&mut self,
		chain: &Chain,
		mut progress: impl FnMut(u64, u64),
	) -> Result<SyncReport, IndexError> {
		let head = chain.finalized().await?.block_number();
		let start = self.next_block()?;
		if start > 0 {
			let last = self.meta("last_hash")?;
			let on_chain = chain.block_hash(start - 1).await?.map(|h| format!("{h:?}"));
			if on_chain.is_none() || on_chain != last {
				return Err(IndexError::Diverged { path: self.path.clone(), block: start - 1 });
			}
		}
		let mut report = SyncReport { blocks: 0, events: 0, next_block: start };
		let total = (head + 1).saturating_sub(start);
		while report.next_block <= head {
			let end = (report.next_block + BATCH).min(head + 1);
			let blocks: Vec<IndexedBlock> = stream::iter(report.next_block..end)
				.map(|n| fetch_block(chain, n))
				.buffered(PARALLEL_FETCHES)
				.try_collect()
				.await?;
			let tx = self.db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
			// Another sync may have filed these blocks meanwhile.
			let done: Option<String> = tx
				.query_row("SELECT value FROM meta WHERE key = 'next_block'", [], |r| r.get(0))
				.optional()?;
			if done.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) > report.next_block {
				tx.commit()?;
				report.next_block = self.next_block()?;
				continue;
			}
			for block in &blocks {
				for (index, extrinsic, facts) in &block.entries {
					file(&tx, block, *index, *extrinsic, facts)?;
					report.events += 1;
				}
			}
			let last = blocks.last().map(|b| format!("{:?}", b.hash)).unwrap_or_default();
			for (key, value) in [("next_block", end.to_string()), ("last_hash", last)] {
				tx.execute(
					"INSERT INTO meta (key, value) VALUES (?1, ?2)
					 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
					[key, value.as_str()],
				)?;
			}
			tx.commit()?;
			report.blocks += end - report.next_block;
			report.next_block = end;
			progress(report.blocks, total);
		}
		Ok(report)
	}

	/// The purpose of grant `grant` (`treatment`, `research`, `audit`, `emergency`) as the
	/// event that created it says; a delegation has the purpose of the grant it delegates.
	pub fn grant_purpose(&self, grant: u64) -> Result<Option<String>, IndexError> {
		let mut id = grant;
		// A bounded walk up the delegation chain.
		for _ in 0..4 {
			let found: Option<(String, String)> = self
				.db
				.query_row(
					"SELECT name, details FROM events WHERE grant_id = ?1 AND name IN \
					 ('GrantCreated', 'GrantDelegated', 'EmergencyAccessOpened') ORDER BY block, idx LIMIT 1",
					[id as i64],
					|r| Ok((r.get(0)?, r.get(1)?)),
				)
				.optional()?;
			let Some((name, details)) = found else { return Ok(None) };
			let details: Value = serde_json::from_str(&details).unwrap_or(Value::Null);
			match name.as_str() {
				"EmergencyAccessOpened" => return Ok(Some("emergency".into())),
				"GrantCreated" => return Ok(details["purpose"].as_str().map(str::to_owned)),
				_ => match details["parent"].as_u64() {
					Some(parent) => id = parent,
					None => return Ok(None),
				},
			}
		}
		Ok(None)
	}

	/// The indexed events that `filter` selects, oldest first, at most `limit`.
	pub fn query(&self, filter: &Filter, limit: u32) -> Result<Vec<AuditRow>, IndexError> {
		let mut sql = String::from(
			"SELECT block, block_hash, idx, time_ms, extrinsic, pallet, name, patient, record, \
			 grant_id, request, details FROM events e WHERE 1 = 1",
		);
		let mut args: Vec<rusqlite::types::Value> = Vec::new();
		let mut arg = |sql: &mut String, clause: &str, value: rusqlite::types::Value| {
			args.push(value);
			sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
		};
		let text = |a: &AccountId32| rusqlite::types::Value::Text(super::address(a));
		let int = |v: u64| rusqlite::types::Value::Integer(v as i64);
		if let Some(p) = &filter.patient {
			arg(&mut sql, " AND e.patient = ?", text(p));
		}
		if let Some(a) = &filter.account {
			arg(
				&mut sql,
				" AND EXISTS (SELECT 1 FROM event_accounts a WHERE a.account = ? \
				 AND a.block = e.block AND a.idx = e.idx)",
				text(a),
			);
		}
		if let Some(r) = filter.record {
			// The record's own events and the registration of the version that superseded it.
			arg(&mut sql, " AND (e.record = ?", int(r));
			arg(
				&mut sql,
				" OR (e.name = 'RecordRegistered' AND json_extract(e.details, '$.previous') = ?))",
				int(r),
			);
		}
		if let Some(g) = filter.grant {
			// The grant's own events, its delegations and the revocations that cascaded from it.
			arg(&mut sql, " AND (e.grant_id = ?", int(g));
			arg(
				&mut sql,
				" OR (e.name = 'GrantDelegated' AND json_extract(e.details, '$.parent') = ?)",
				int(g),
			);
			arg(
				&mut sql,
				" OR (e.name = 'GrantRevoked' AND json_extract(e.details, '$.cascade_from') = ?))",
				int(g),
			);
		}
		if !filter.names.is_empty() {
			sql.push_str(" AND e.name IN (");
			for (i, name) in filter.names.iter().enumerate() {
				let sep = if i == 0 { "?" } else { ", ?" };
				arg(&mut sql, sep, rusqlite::types::Value::Text(name.clone()));
			}
			sql.push(')');
		}
		if let Some(t) = filter.since_ms {
			arg(&mut sql, " AND e.time_ms >= ?", int(t));
		}
		if let Some(t) = filter.until_ms {
			arg(&mut sql, " AND e.time_ms < ?", int(t));
		}
		if let Some((block, idx)) = filter.after {
			arg(&mut sql, " AND (e.block > ?", int(block));
			arg(&mut sql, " OR (e.block = ?", int(block));
			arg(&mut sql, " AND e.idx > ?))", int(idx.into()));
		}
		arg(&mut sql, " ORDER BY e.block, e.idx LIMIT ?", int(limit.into()));
		let mut statement = self.db.prepare(&sql)?;
		let rows = statement.query_map(params_from_iter(args.iter()), row)?;
		Ok(rows.collect::<Result<Vec<_>, _>>()?)
	}
}

/// The audit entries of one block, with its time.
struct IndexedBlock {
	number: u64,
	hash: H256,
	time_ms: u64,
	entries: Vec<(u32, Option<u32>, Facts)>,
}

async fn fetch_block(chain: &Chain, number: u64) -> Result<IndexedBlock, IndexError> {
	let hash = chain.block_hash(number).await?.ok_or_else(|| IndexError::Pruned {
		block: number,
		reason: "the node has no such block".into(),
	})?;
	let pruned = |e: ChainError| {
		let reason = e.to_string();
		if reason.contains("discarded") || reason.contains("pruned") || reason.contains("State") {
			IndexError::Pruned { block: number, reason }
		} else {
			IndexError::Chain(e)
		}
	};
	let at = chain.at(hash).await.map_err(pruned)?;
	let entries = events_at(&at).await.map_err(pruned)?;
	let time_ms = if entries.is_empty() {
		0
	} else {
		let now = at.storage().fetch(runtime::storage().timestamp().now(), ()).await;
		now.map_err(ChainError::from)
			.and_then(|v| v.decode().map_err(ChainError::from))
			.map_err(pruned)?
	};
	Ok(IndexedBlock {
		number,
		hash,
		time_ms,
		entries: entries.iter().map(|e| (e.index, e.extrinsic, facts(&e.event))).collect(),
	})
}

/// Files one event: its row, the accounts it names, and what it teaches about patients.
fn file(
	tx: &rusqlite::Transaction<'_>,
	block: &IndexedBlock,
	index: u32,
	extrinsic: Option<u32>,
	facts: &Facts,
) -> Result<(), rusqlite::Error> {
	let lookup = |sql: &str, id: u64| -> Result<Option<String>, rusqlite::Error> {
		tx.query_row(sql, [id as i64], |r| r.get(0)).optional()
	};
	// The patient the event names; else the record's (what was touched); else the grant's.
	let mut patient = facts.patient.as_ref().map(super::address);
	if patient.is_none() {
		if let Some(r) = facts.record {
			patient = lookup("SELECT patient FROM record_patients WHERE record = ?1", r)?;
		}
	}
	if patient.is_none() {
		if let Some(g) = facts.grant {
			patient = lookup("SELECT patient FROM grant_patients WHERE grant_id = ?1", g)?;
		}
	}
	if patient.is_none() && facts.name == "GrantDelegated" {
		// A delegation belongs to the patient of the grant it delegates.
		if let Some(parent) = facts.details["parent"].as_u64() {
			patient = lookup("SELECT patient FROM grant_patients WHERE grant_id = ?1", parent)?;
		}
	}
	if let Some(p) = &patient {
		if let (Some(g), "GrantCreated" | "GrantDelegated" | "EmergencyAccessOpened") =
			(facts.grant, facts.name)
		{
			tx.execute(
				"INSERT OR REPLACE INTO grant_patients (grant_id, patient) VALUES (?1, ?2)",
				params![g as i64, p],
			)?;
		}
		if let (Some(r), "RecordRegistered") = (facts.record, facts.name) {
			tx.execute(
				"INSERT OR REPLACE INTO record_patients (record, patient) VALUES (?1, ?2)",
				params![r as i64, p],
			)?;
		}
	}
	tx.execute(
		"INSERT OR REPLACE INTO events (block, idx, block_hash, time_ms, extrinsic, pallet, name, \
		 patient, record, grant_id, request, details) \
		 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
		params![
			block.number as i64,
			index,
			format!("{:?}", block.hash),
			block.time_ms as i64,
			extrinsic,
			facts.pallet,
			facts.name,
			patient,
			facts.record.map(|v| v as i64),
			facts.grant.map(|v| v as i64),
			facts.request.map(|v| v as i64),
			facts.details.to_string(),
		],
	)?;
	for account in &facts.accounts {
		tx.execute(
			"INSERT OR IGNORE INTO event_accounts (block, idx, account) VALUES (?1, ?2, ?3)",
			params![block.number as i64, index, super::address(account)],
		)?;
	}
	Ok(())
}

fn row(r: &rusqlite::Row<'_>) -> Result<AuditRow, rusqlite::Error> {
	let account = |text: Option<String>| {
		text.and_then(|t| crate::crypto::identity::ss58_decode(&t).ok())
			.map(|(_, a)| AccountId32(a))
	};
	let hash: String = r.get(1)?;
	let details: String = r.get(11)?;
	Ok(AuditRow {
		block: r.get::<_, i64>(0)? as u64,
		block_hash: hash.parse().unwrap_or_default(),
		index: r.get(2)?,
		time_ms: r.get::<_, i64>(3)? as u64,
		extrinsic: r.get(4)?,
		pallet: r.get(5)?,
		name: r.get(6)?,
		patient: account(r.get(7)?),
		record: r.get::<_, Option<i64>>(8)?.map(|v| v as u64),
		grant: r.get::<_, Option<i64>>(9)?.map(|v| v as u64),
		request: r.get::<_, Option<i64>>(10)?.map(|v| v as u64),
		details: serde_json::from_str(&details).unwrap_or(Value::Null),
	})
}
