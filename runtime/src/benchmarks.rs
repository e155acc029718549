//! The pallets whose calls `ehr-node benchmark pallet` measures (feature `runtime-benchmarks`).

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_consortium, Consortium]
	[pallet_records, Records]
	[pallet_access, Access]
);

/// Signs release batches in the access pallet's benchmarks with an sr25519 key of the
/// benchmark keystore.
pub struct CustodianSigner;

const BENCH_KEY: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"ehrb");

impl pallet_access::benchmarking::BenchmarkHelper<crate::AccountId, crate::Signature>
	for CustodianSigner
{
	fn custodian() -> crate::AccountId {
		let public = sp_io::crypto::sr25519_generate(BENCH_KEY, Some(b"//Custodian".to_vec()));
		public.into()
	}
	fn sign(who: &crate::AccountId, payload: &[u8]) -> crate::Signature {
		let public = sp_core::sr25519::Public::from_raw(*who.as_ref());
		sp_io::crypto::sr25519_sign(BENCH_KEY, &public, payload)
			.map(crate::Signature::Sr25519)
			.unwrap_or_else(|| crate::Signature::Sr25519(sp_core::sr25519::Signature::default()))
	}
}
