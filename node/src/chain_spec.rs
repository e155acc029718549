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
