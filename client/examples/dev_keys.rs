//! Prints the public development keys as the runtime's `development` and `local_testnet`
//! presets declare them.
//!
//! `cargo run -p ehr-client --example dev_keys`

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
	for name in ehr_client::dev::DEV_ACCOUNTS {
		let key = ehr_client::dev::dev_identity(name).x25519_public();
		println!("{name}: x25519 0x{}", hex(&key));
	}
	let custody = ehr_client::dev::dev_custody()?;
	println!("custody public key: 0x{}", hex(&custody.group_key));
	for (i, key) in &custody.verification_keys {
		println!("custodian {i} verification key: 0x{}", hex(key));
	}
	let local = ehr_client::dev::local_custody()?;
	println!("local custody public key: 0x{}", hex(&local.group_key));
	for (i, key) in &local.verification_keys {
		println!("local custodian {i} verification key: 0x{}", hex(key));
	}
	Ok(())
}
