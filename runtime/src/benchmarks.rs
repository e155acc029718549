//! The pallets whose calls `ehr-node benchmark pallet` measures (feature `runtime-benchmarks`).

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_consortium, Consortium]
	[pallet_records, Records]
	[pallet_access, Access]
);
