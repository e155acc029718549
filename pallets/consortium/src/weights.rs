//! Weights of the consortium pallet.
//!
//! The runtime uses the weights generated from `benchmarking.rs` by the node's benchmark CLI
//! (`runtime/src/weights/pallet_consortium.rs`, `scripts/bench-weights.sh`). The `()` impl
//! below, used by the mock runtime of the tests, is hand-written and conservative: a fixed 50
//! µs of execution plus the worst-case database reads and writes of each call, priced at
//! RocksDB costs. Do not tune it by hand; regenerate it.

#![allow(missing_docs)]

use frame_support::weights::{constants::RocksDbWeight, Weight};

/// Weight functions needed by the consortium pallet.
pub trait WeightInfo {
	fn add_organisation() -> Weight;
	fn set_organisation_status() -> Weight;
	fn add_member() -> Weight;
	fn update_member() -> Weight;
	fn remove_member() -> Weight;
	fn invite_account() -> Weight;
	fn accept_invitation() -> Weight;
	fn cancel_invitation() -> Weight;
	fn set_account_status() -> Weight;
	fn set_account_kind() -> Weight;
	fn rotate_key() -> Weight;
	fn set_custody_config(n: u32) -> Weight;
}

fn base(reads: u64, writes: u64) -> Weight {
	Weight::from_parts(50_000_000, 4_000)
		.saturating_add(RocksDbWeight::get().reads_writes(reads, writes))
}

impl WeightInfo for () {
	fn add_organisation() -> Weight {
		base(1, 1)
	}
	fn set_organisation_status() -> Weight {
		base(1, 1)
	}
	fn add_member() -> Weight {
		base(3, 2)
	}
	fn update_member() -> Weight {
		base(3, 1)
	}
	fn remove_member() -> Weight {
		base(3, 2)
	}
	fn invite_account() -> Weight {
		base(6, 3)
	}
	fn accept_invitation() -> Weight {
		base(2, 2)
	}
	fn cancel_invitation() -> Weight {
		base(6, 2)
	}
	fn set_account_status() -> Weight {
		base(6, 1)
	}
	fn set_account_kind() -> Weight {
		base(1, 1)
	}
	fn rotate_key() -> Weight {
		base(1, 1)
	}
	fn set_custody_config(n: u32) -> Weight {
		base(1, 1).saturating_add(Weight::from_parts(2_000_000, 64).saturating_mul(u64::from(n)))
	}
}
