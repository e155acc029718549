//! Weights of the access pallet.
//!
//! The runtime uses the weights generated from `benchmarking.rs` by the node's benchmark CLI
//! (`runtime/src/weights/pallet_access.rs`, `scripts/bench-weights.sh`). The `()` impl below,
//! used by the mock runtime of the tests, is hand-written and conservative: a fixed 50 µs of
//! execution plus the worst-case database reads and writes of each call, priced at RocksDB
//! costs.

#![allow(missing_docs)]

use frame_support::weights::{constants::RocksDbWeight, Weight};

/// Weight functions needed by the access pallet.
pub trait WeightInfo {
	fn grant() -> Weight;
	fn revoke(d: u32) -> Weight;
	fn delegate() -> Weight;
	fn request() -> Weight;
	fn release_shares(n: u32) -> Weight;
	fn authorize_release_shares(n: u32) -> Weight;
	fn emergency_open() -> Weight;
	fn emergency_review() -> Weight;
	fn on_initialize(r: u32, e: u32) -> Weight;
}

fn base(reads: u64, writes: u64, proof: u64) -> Weight {
	Weight::from_parts(50_000_000, proof)
		.saturating_add(RocksDbWeight::get().reads_writes(reads, writes))
}

impl WeightInfo for () {
	fn grant() -> Weight {
		// account, grantee/org, record, counter, time; writes: counter, grant, 2 indexes.
		base(5, 4, 6_000)
	}
	fn revoke(d: u32) -> Weight {
		base(2, 1, 4_000).saturating_add(
			Weight::from_parts(10_000_000, 400)
				.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
				.saturating_mul(u64::from(d)),
		)
	}
	fn delegate() -> Weight {
		base(8, 5, 8_000)
	}
	fn request() -> Weight {
		// grant, record, role x2, account, custody, counter, queue, block, time, pending;
		// writes: counter, queue, request, pending.
		base(11, 4, 12_000)
	}
	fn release_shares(n: u32) -> Weight {
		// custody; per release: request, grant, record, roles, emergency, time; write request.
		base(2, 0, 2_000).saturating_add(
			Weight::from_parts(20_000_000, 16_000)
				.saturating_add(RocksDbWeight::get().reads_writes(6, 1))
				.saturating_mul(u64::from(n)),
		)
	}
	fn authorize_release_shares(n: u32) -> Weight {
		// custody, genesis hash, signature check; per release: the reads of `release_shares`.
		base(2, 0, 2_000).saturating_add(Weight::from_parts(60_000_000, 0)).saturating_add(
			Weight::from_parts(15_000_000, 16_000)
				.saturating_add(RocksDbWeight::get().reads(6))
				.saturating_mul(u64::from(n)),
		)
	}
	fn emergency_open() -> Weight {
		base(8, 6, 8_000)
	}
	fn emergency_review() -> Weight {
		base(5, 2, 6_000)
	}
	fn on_initialize(r: u32, e: u32) -> Weight {
		base(3, 2, 2_000)
			.saturating_add(RocksDbWeight::get().reads_writes(2 * u64::from(r), 2 * u64::from(r)))
			.saturating_add(
				Weight::from_parts(5_000_000, 600)
					.saturating_add(RocksDbWeight::get().reads(1))
					.saturating_mul(u64::from(e)),
			)
	}
}
