//! `ehr-node custody keygen`: the dealer ceremony writes one private share per custodian and a
//! public configuration that the chain accepts, and refuses bad input without writing.

use std::os::unix::fs::PermissionsExt;

use ehr_client::crypto::custody::{self, KeyShare};
use ehr_tests::run_node;
use serde_json::Value;

fn key32(v: &Value) -> [u8; 32] {
	let bytes: Vec<u8> = match v {
		Value::String(s) => hex::decode(s.trim_start_matches("0x")).expect("hex"),
		Value::Array(a) => a.iter().map(|b| b.as_u64().expect("byte") as u8).collect(),
		other => panic!("not a key: {other}"),
	};
	bytes.try_into().expect("32 bytes")
}

#[test]
fn keygen_writes_private_shares_and_a_public_configuration_the_chain_accepts() {
	let dir = tempfile::tempdir().expect("tempdir");
	let out_dir = dir.path().join("ceremony");
	let out = out_dir.to_str().expect("utf-8");
	let run =
		run_node(&["custody", "keygen", "--threshold", "3", "--custodians", "4", "--out", out])
			.expect("run");
	assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
	let said = String::from_utf8_lossy(&run.stdout).to_string();

	let config: Value =
		serde_json::from_slice(&std::fs::read(out_dir.join("custody.json")).expect("config"))
			.expect("json");
	let group = key32(&config["publicKey"]);
	let keys: Vec<[u8; 32]> =
		config["verificationKeys"].as_array().expect("keys").iter().map(key32).collect();
	assert_eq!((keys.len(), config["threshold"].as_u64()), (4, Some(3)));
	// The chain's own check accepts it as a 3-of-4 configuration, and no other threshold.
	assert_eq!(pallet_consortium::custody::check_keys(&group, &keys, 3), Ok(()));
	assert!(pallet_consortium::custody::check_keys(&group, &keys, 2).is_err());

	let dir_mode = std::fs::metadata(&out_dir).expect("dir").permissions().mode();
	assert_eq!(dir_mode & 0o777, 0o700, "the ceremony directory is private");
	let mut shares = Vec::new();
	for i in 0..4 {
		let path = out_dir.join(format!("custodian-{i}.share"));
		let mode = std::fs::metadata(&path).expect("share file").permissions().mode();
		assert_eq!(mode & 0o777, 0o600, "{} is private", path.display());
		let file: Value =
			serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
		assert_eq!(file["custodianIndex"].as_u64(), Some(i));
		let secret = key32(&file["share"]);
		assert!(!said.contains(&hex::encode(secret)), "a share was printed");
		let share = KeyShare::from_bytes(i as u32 + 1, secret).expect("a canonical scalar");
		assert_eq!(share.verification_key(), keys[i as usize], "share {i} matches its key");
		shares.push(share);
	}
	// Any 3 shares open a capsule sealed to the group key; the whole ceremony is consistent.
	let dek = ehr_client::crypto::DataKey::generate();
	let capsule = custody::seal(&group, b"record", &dek).expect("seal");
	let vks: Vec<(u32, [u8; 32])> = (1..=4).zip(keys.iter().copied()).collect();
	let releases: Vec<_> = shares[1..]
		.iter()
		.map(|s| custody::release_share(s, &group, b"record", &capsule, b"req").expect("share"))
		.collect();
	let got = custody::combine(&group, &vks, 3, b"record", &capsule, b"req", &releases);
	assert_eq!(got.expect("combine"), dek);

	// A second ceremony into the same directory would overwrite shares: refused.
	let again =
		run_node(&["custody", "keygen", "--threshold", "3", "--custodians", "4", "--out", out])
			.expect("run");
	assert!(!again.status.success());
	let stderr = String::from_utf8_lossy(&again.stderr);
	assert!(stderr.contains("already exists") && stderr.contains("empty directory"), "{stderr}");
	let after = std::fs::read(out_dir.join("custody.json")).expect("config");
	assert_eq!(key32(&serde_json::from_slice::<Value>(&after).expect("json")["publicKey"]), group);
}

#[test]
fn keygen_refuses_a_directory_open_to_others() {
	let dir = tempfile::tempdir().expect("tempdir");
	let open = dir.path().join("shared");
	std::fs::create_dir(&open).expect("mkdir");
	std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).expect("chmod");
	let run = run_node(&[
		"custody",
		"keygen",
		"--threshold",
		"2",
		"--custodians",
		"3",
		"--out",
		open.to_str().expect("utf-8"),
	])
	.expect("run");
	assert!(!run.status.success());
	let stderr = String::from_utf8_lossy(&run.stderr);
	assert!(stderr.contains("open to other users") && stderr.contains("chmod 700"), "{stderr}");
	assert_eq!(std::fs::read_dir(&open).expect("dir").count(), 0, "nothing is written");
}

#[test]
fn keygen_refuses_a_threshold_above_the_custodians() {
	let dir = tempfile::tempdir().expect("tempdir");
	let out = dir.path().join("c");
	let run = run_node(&[
		"custody",
		"keygen",
		"--threshold",
		"5",
		"--custodians",
		"4",
		"--out",
		out.to_str().expect("utf-8"),
	])
	.expect("run");
	assert!(!run.status.success());
	let stderr = String::from_utf8_lossy(&run.stderr);
	assert!(
		stderr.contains("Error: ") && stderr.contains("--threshold <= --custodians"),
		"{stderr}"
	);
	assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_custodian_refuses_to_start_with_a_share_the_chain_does_not_hold() {
	let dir = tempfile::tempdir().expect("tempdir");
	let out_dir = dir.path().join("ceremony");
	let out = out_dir.to_str().expect("utf-8");
	let run =
		run_node(&["custody", "keygen", "--threshold", "1", "--custodians", "1", "--out", out])
			.expect("run");
	assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
	let share = out_dir.join("custodian-0.share");
	let start = |share: &std::path::Path| {
		let (rpc, p2p) = (ehr_tests::free_port().to_string(), ehr_tests::free_port().to_string());
		let share = share.to_str().expect("utf-8");
		let args =
			["--dev", "--tmp", "--rpc-port", &rpc, "--port", &p2p, "--custodian-share", share];
		let run = run_node(&args).expect("run");
		assert!(!run.status.success(), "the node must not start");
		String::from_utf8_lossy(&run.stderr).to_string()
	};
	// A share of another ceremony than the dev chain's custody key.
	let stderr = start(&share);
	assert!(
		stderr.contains("does not match the chain's custody configuration (another custody key)"),
		"{stderr}"
	);
	// A share other users can read.
	std::fs::set_permissions(&share, std::fs::Permissions::from_mode(0o644)).expect("chmod");
	let stderr = start(&share);
	assert!(stderr.contains("readable by other users") && stderr.contains("chmod 600"), "{stderr}");
}
