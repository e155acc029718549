//! Weights of the records pallet.
//!
//! The runtime uses the weights generated from `benchmarking.rs` by the node's benchmark CLI
//! (`runtime/src/weights/pallet_records.rs`, `scripts/bench-weights.sh`). The `()` impl below,
//! used by the mock runtime of the tests, is hand-written and conservative: a fixed 50 µs of
//! execution plus the worst-case database reads and writes of each call (including the
//! Append-grant check done by `pallet-access`), priced at RocksDB costs.

#![allow(missing_docs)]

use frame_support::weights::{constants::RocksDbWeight, Weight};

/// Weight functions needed by the records pallet.
pub trait WeightInfo {
	fn register() -> Weight;
	fn report_tamper() -> Weight;
}

fn base(reads: u64, writes: u64, proof: u64) -> Weight {
	Weight::from_parts(50_000_000, proof)
		.saturating_add(RocksDbWeight::get().reads_writes(reads, writes))
}

impl WeightInfo for () {
	fn register() -> Weight {
		// org, patient, grant, role membership x2, account, previous, superseded, counter,
		// timestamp; writes: counter, record, index, superseded.
		base(10, 4, 8_000)
	}
	fn report_tamper() -> Weight {
		base(4, 1, 6_000)
	}
}
