//! Chain specifications, built from the genesis presets of the runtime.

use sc_service::ChainType;

/// A chain specification of this chain.
pub type ChainSpec = sc_service::GenericChainSpec;

fn wasm() -> Result<&'static [u8], String> {
	ehr_runtime::WASM_BINARY.ok_or_else(|| {
		"the runtime was built without its wasm blob (SKIP_WASM_BUILD was set): rebuild \
		 ehr-node without SKIP_WASM_BUILD"
			.to_string()
	})
}

/// Single-validator development chain (`--dev`): Alice authors and finalizes.
pub fn development() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("EHR Development")
		.with_id("ehr_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.build())
}

/// Local consortium testnet (`--chain local`): Alice and Bob validate.
pub fn local_testnet() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("EHR Local Testnet")
		.with_id("ehr_local_testnet")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.build())
}

/// The largest bench chain: its genesis holds every patient in memory at start-up.
const MAX_BENCH_ACCOUNTS: u32 = 100_000;

/// The chain-spec property that records a bench chain's number of patients.
const BENCH_ACCOUNTS_PROPERTY: &str = "benchAccounts";

/// The benchmark chain (`--chain bench`, or `bench-N` for N patients): the development
/// chain with `accounts` more patients registered and endowed at genesis, the identities
/// `ehr_client::dev::bench_identity(0..accounts)`. `ehr-node benchmark overhead|extrinsic`
/// and `scripts/bench-chain.sh` sign with them, so the rate limit of one sender never binds.
pub fn bench(accounts: u32) -> Result<ChainSpec, String> {
	if accounts == 0 || accounts > MAX_BENCH_ACCOUNTS {
		return Err(format!(
			"the bench chain takes 1 to {MAX_BENCH_ACCOUNTS} patients, not {accounts}: \
			 use --chain bench-N with N in that range"
		));
	}
	let preset = ehr_runtime::genesis_config_presets::get_preset(
		&sp_genesis_builder::DEV_RUNTIME_PRESET.into(),
	)
	.ok_or("the runtime has no development preset")?;
	let mut patch: serde_json::Value =
		serde_json::from_slice(&preset).map_err(|e| format!("the development preset: {e}"))?;
	let ids: Vec<_> = (0..accounts).map(ehr_client::dev::bench_identity).collect();
	let list = |patch: &mut serde_json::Value, pallet: &str, field: &str| {
		patch[pallet][field].as_array_mut().map(std::mem::take).unwrap_or_default()
	};
	let mut registered = list(&mut patch, "consortium", "accounts");
	let mut endowed = list(&mut patch, "balances", "balances");
	for id in &ids {
		registered.push(serde_json::json!([id.ss58(), "Patient", id.x25519_public()]));
		// A balance gives the account the provider reference that the nonce check needs;
		// the project's calls themselves are feeless.
		endowed.push(serde_json::json!([id.ss58(), ehr_runtime::UNIT]));
	}
	patch["consortium"]["accounts"] = registered.into();
	patch["balances"]["balances"] = endowed.into();
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("EHR Benchmark")
		.with_id("ehr_bench")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_patch(patch)
		.with_properties(
			[(BENCH_ACCOUNTS_PROPERTY.to_owned(), accounts.into())].into_iter().collect(),
		)
		.build())
}

/// The number of patients of a bench chain, whom the node's transaction benchmarks sign
/// with; an error for any other chain.
#[cfg(feature = "runtime-benchmarks")]
pub fn bench_accounts(spec: &dyn sc_service::ChainSpec) -> Result<u32, String> {
	spec.properties()
		.get(BENCH_ACCOUNTS_PROPERTY)
		.and_then(serde_json::Value::as_u64)
		.and_then(|n| u32::try_from(n).ok())
		.ok_or_else(|| {
			format!(
				"`{}` has no benchmark patients to sign with: use --chain bench or bench-N",
				spec.id()
			)
		})
}
