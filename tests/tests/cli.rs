//! The `ehr` wallet as its users run it: separate processes against `ehr-node --dev`, a
//! keystore in a temporary directory. A new patient creates an account; hospital A's manager
//! (Alice) invites it; it accepts with its own key, after refusing an invitation it did not
//! expect; it puts an encrypted FHIR Observation, lists, shows and reads it back, grants a
//! doctor an hour's read (the custodian releases the key), revokes it; governance freezes
//! it and its next transaction is refused. Bad input gets one
//! sentence and a non-zero exit, and changes nothing.

use std::process::{Command, Output};

use ehr_tests::{cli_binary, Node};
use serde_json::Value;

/// `ehr` run against one node and keystore, as one keystore account.
struct Wallet {
	node: String,
	keys: std::path::PathBuf,
	account: String,
}

impl Wallet {
	fn new(node: &Node, keys: &tempfile::TempDir) -> Wallet {
		Wallet { node: node.ws_url(), keys: keys.path().to_owned(), account: "default".into() }
	}

	/// The same wallet signing as keystore account `name`.
	fn as_account(&self, name: &str) -> Wallet {
		Wallet { node: self.node.clone(), keys: self.keys.clone(), account: name.into() }
	}

	fn run(&self, args: &[&str]) -> Output {
		Command::new(cli_binary().expect("the ehr binary"))
			.args(args)
			.env("EHR_NODE", &self.node)
			.env("EHR_KEYSTORE", &self.keys)
			.env("EHR_PASSWORD", "correct horse battery")
			.env("EHR_ACCOUNT", &self.account)
			.env("EHR_AUDIT_INDEX", self.keys.join("audit.sqlite"))
			.env("EHR_CONFIG", "/dev/null")
			.output()
			.expect("ehr runs")
	}

	/// Runs a command that must succeed; returns its standard output.
	fn ok(&self, args: &[&str]) -> String {
		let out = self.run(args);
		let stderr = String::from_utf8_lossy(&out.stderr);
		assert!(out.status.success(), "ehr {args:?} failed: {stderr}");
		String::from_utf8(out.stdout).expect("utf-8")
	}

	/// Runs a command that must fail; returns its one-line error.
	fn fails(&self, args: &[&str]) -> String {
		let out = self.run(args);
		assert_eq!(out.status.code(), Some(1), "ehr {args:?} must fail");
		assert!(out.stdout.is_empty(), "nothing on stdout when failing");
		let stderr = String::from_utf8(out.stderr).expect("utf-8");
		assert_eq!(stderr.lines().count(), 1, "one sentence: {stderr}");
		assert!(stderr.starts_with("error: "), "{stderr}");
		stderr
	}

	fn json(&self, args: &[&str]) -> Value {
		serde_json::from_str(&self.ok(args)).expect("JSON output")
	}
}

#[tokio::test]
async fn a_manager_onboards_a_patient_from_the_terminal() {
	let node = Node::start(&["--dev"]).await.expect("node starts");
	let keys = tempfile::tempdir().expect("tempdir");
	let wallet = Wallet::new(&node, &keys);

	let created = wallet.json(&["account", "new", "--json"]);
	let address = created["account"].as_str().expect("address").to_owned();
	assert_eq!(created["phrase"].as_str().expect("phrase").split(' ').count(), 12);
	let err = wallet.fails(&["account", "new"]);
	assert!(err.contains("already holds an account `default`"), "{err}");

	let shown = wallet.json(&["account", "show", "--json"]);
	assert_eq!(shown["account"], address.as_str());
	assert_eq!(shown["scheme"], "ed25519");
	assert_eq!(shown["chain"]["registered"], false);
	// Not invited: the node refuses the transaction before the pool.
	let err = wallet.fails(&["account", "accept", "--org", "1", "--kind", "patient"]);
	assert!(err.contains("not registered on this chain"), "{err}");

	let invited = wallet.ok(&["--dev", "Alice", "patient", "invite", &address, "--org", "1"]);
	assert!(invited.contains(&format!("invited {address} as patient of hospital 1")), "{invited}");
	let shown = wallet.json(&["account", "show", "--json"]);
	assert_eq!(shown["chain"]["invited"]["org"], 1);
	// The account names what it expects: not staff, not of hospital 2.
	let err = wallet.fails(&["account", "accept", "--org", "1", "--kind", "staff"]);
	assert!(err.contains("InvitationMismatch"), "{err}");
	let err = wallet.fails(&["account", "accept", "--org", "2", "--kind", "patient"]);
	assert!(err.contains("InvitationMismatch"), "{err}");
	assert_eq!(wallet.json(&["account", "show", "--json"])["chain"]["registered"], false);

	let accepted = wallet.ok(&["account", "accept", "--org", "1", "--kind", "patient"]);
	assert!(accepted.contains(&format!("{address} is registered under hospital 1")), "{accepted}");
	let shown = wallet.json(&["account", "show", "--json"]);
	assert_eq!(shown["chain"]["registered"], true);
	assert_eq!(shown["chain"]["kind"], "patient");
	assert_eq!(shown["chain"]["status"], "active");
	assert_eq!(shown["chain"]["org"], 1);

	// The patient puts a FHIR Observation: encrypted, kept in the store, registered.
	let store = tempfile::tempdir().expect("store dir");
	let store = store.path().to_str().expect("utf-8 path").to_owned();
	let file = wallet.keys.join("egfr.json");
	std::fs::write(&file, br#"{"resourceType":"Observation","code":{"text":"eGFR"}}"#).unwrap();
	let file = file.to_str().expect("utf-8 path");
	let put =
		wallet.json(&["record", "put", file, "--type", "Observation", "--store", &store, "--json"]);
	let id = put["record"].as_u64().expect("record id");
	let listed = wallet.json(&["record", "list", "--json"]);
	assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
	assert_eq!(listed[0]["id"], id);
	assert_eq!(listed[0]["type"], "Observation");
	assert_eq!(listed[0]["cid"], put["cid"]);
	let shown = wallet.json(&["record", "show", &id.to_string(), "--json"]);
	assert_eq!(shown["patient"], address.as_str());
	assert_eq!(shown["size"], put["size"]);
	assert_eq!(shown["superseded_by"], Value::Null);
	assert!(shown["created"].as_str().is_some_and(|d| d.ends_with(" UTC")), "{shown}");
	// A missing file and a type that is not FHIR: refused, nothing registered.
	let err = wallet.fails(&[
		"record",
		"put",
		"/nonexistent.json",
		"--type",
		"Observation",
		"--store",
		&store,
	]);
	assert!(err.contains("cannot read /nonexistent.json"), "{err}");
	let err = wallet.fails(&["record", "put", file, "--type", "observation", "--store", &store]);
	assert!(err.contains("is not a FHIR resource type"), "{err}");
	let err = wallet.fails(&["record", "show", "999"]);
	assert!(err.contains("999"), "{err}");
	assert_eq!(wallet.json(&["record", "list", "--json"]).as_array().map(Vec::len), Some(1));

	// The patient reads it back through the patient capsule.
	let out = wallet.keys.join("mine.json");
	let mine = out.to_str().expect("utf-8 path");
	wallet.ok(&["record", "get", &id.to_string(), "-o", mine, "--store", &store]);
	assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(file).unwrap());

	// Bob, a doctor, may read it for an hour: the custodian releases the key for his request.
	let bob = ehr_client::dev::dev_identity("Bob").ss58();
	let given = wallet.json(&[
		"grant",
		"add",
		"--to",
		&bob,
		"--purpose",
		"treatment",
		"--for",
		"1h",
		"--record",
		&id.to_string(),
		"--json",
	]);
	let grant = given["grant"].as_u64().expect("grant id").to_string();
	let listed = wallet.json(&["grant", "list", "--json"]);
	assert_eq!(listed[0]["grantee"], bob.as_str());
	assert_eq!(listed[0]["status"], "active");
	let theirs = wallet.keys.join("bob.json");
	let theirs = theirs.to_str().expect("utf-8 path");
	let read = wallet.ok(&[
		"--dev",
		"Bob",
		"record",
		"get",
		&id.to_string(),
		"-o",
		theirs,
		"--store",
		&store,
	]);
	assert!(read.contains(&format!("grant {grant}")), "{read}");
	assert_eq!(std::fs::read(theirs).unwrap(), std::fs::read(file).unwrap());
	// Revoked, the grant gives him nothing more, and no file is written.
	wallet.ok(&["grant", "revoke", &grant]);
	std::fs::remove_file(theirs).unwrap();
	let err = wallet.fails(&[
		"--dev",
		"Bob",
		"record",
		"get",
		&id.to_string(),
		"-o",
		theirs,
		"--store",
		&store,
	]);
	assert!(err.contains(&format!("you may not read record {id}")), "{err}");
	assert!(!std::path::Path::new(theirs).exists());
	// Periods and grantees that make no sense.
	let err =
		wallet.fails(&["grant", "add", "--to", &bob, "--purpose", "treatment", "--for", "10x"]);
	assert!(err.contains("is not a duration"), "{err}");
	let err = wallet.fails(&[
		"grant",
		"add",
		"--to",
		&bob,
		"--purpose",
		"treatment",
		"--until",
		"2020-01-01",
	]);
	assert!(err.contains("is not after now"), "{err}");
	let err = wallet.fails(&[
		"grant",
		"add",
		"--role",
		"x:doctor",
		"--purpose",
		"treatment",
		"--for",
		"1h",
	]);
	assert!(err.contains("is not ORG:ROLE"), "{err}");

	// A manager does not freeze a patient; governance does, and the account is then refused.
	let err = wallet.fails(&["--dev", "Alice", "member", "freeze", &address]);
	assert!(err.contains("NotAccountAuthority"), "{err}");
	wallet.ok(&["--dev", "Alice", "member", "freeze", &address, "--governance"]);
	assert_eq!(wallet.json(&["account", "show", "--json"])["chain"]["status"], "frozen");
	let err = wallet.fails(&["account", "decline"]);
	assert!(err.contains("frozen"), "{err}");

	// Governance adds a hospital and suspends it; nobody else may.
	wallet.ok(&["--dev", "Alice", "org", "add", "3", "--name", "Hospital C"]);
	let err = wallet.fails(&["--dev", "Bob", "org", "add", "4", "--name", "Hospital D"]);
	assert!(err.contains("Sudo.RequireSudo") || err.contains("RequireSudo"), "{err}");
	let shown = wallet.json(&["org", "show", "3", "--json"]);
	assert_eq!(
		(shown["status"].as_str(), shown["custodian_index"].as_u64()),
		(Some("active"), None)
	);
	wallet.ok(&["--dev", "Alice", "org", "suspend", "3"]);
	assert_eq!(wallet.json(&["org", "show", "3", "--json"])["status"], "suspended");
	let err = wallet.fails(&["org", "show", "4"]);
	assert!(err.contains("no organisation 4"), "{err}");

	// Bad input.
	let err =
		wallet.fails(&["--dev", "Alice", "patient", "invite", "5Gnot-an-address", "--org", "1"]);
	assert!(err.contains("is not an account address"), "{err}");
	let out = Command::new(cli_binary().expect("ehr"))
		.args(["account", "show"])
		.env("EHR_NODE", node.ws_url())
		.env("EHR_KEYSTORE", &wallet.keys)
		.env("EHR_PASSWORD", "wrong")
		.output()
		.expect("ehr runs");
	assert_eq!(out.status.code(), Some(1));
	assert!(String::from_utf8_lossy(&out.stderr).contains("wrong password"), "{out:?}");
	let err = wallet.fails(&["--as", "nobody", "account", "show"]);
	assert!(err.contains("no account `nobody`"), "{err}");
	// Moving the account: export it (encrypted), import it under another name.
	let exported = wallet.keys.join("exported-account.ehr");
	let exported = exported.to_str().expect("utf-8 path");
	wallet.ok(&["account", "export", "-o", exported]);
	let err = wallet.fails(&["account", "export", "-o", exported]);
	assert!(err.contains("exists"), "{err}");
	wallet.as_account("moved").ok(&["account", "import", "--file", exported]);
	assert_eq!(
		wallet.as_account("moved").json(&["account", "show", "--json"])["account"],
		address.as_str()
	);
	// A configuration file names the node and the account; a variable still wins over it.
	let config = wallet.keys.join("config");
	std::fs::write(
		&config,
		format!("# the wallet's defaults\nnode = {}\naccount = moved\n", node.ws_url()),
	)
	.unwrap();
	let configured = |extra: &[(&str, &str)]| {
		let mut cmd = Command::new(cli_binary().expect("ehr"));
		cmd.args(["account", "show", "--json"])
			.env_remove("EHR_NODE")
			.env_remove("EHR_ACCOUNT")
			.env("EHR_CONFIG", &config)
			.env("EHR_KEYSTORE", &wallet.keys)
			.env("EHR_PASSWORD", "correct horse battery");
		for (k, v) in extra {
			cmd.env(k, v);
		}
		cmd.output().expect("ehr runs")
	};
	let out = configured(&[]);
	assert!(out.status.success(), "{out:?}");
	let shown: Value = serde_json::from_slice(&out.stdout).expect("JSON");
	assert_eq!(shown["account"], address.as_str());
	assert_eq!(shown["chain"]["status"], "frozen", "read from the configured node");
	let out = configured(&[("EHR_ACCOUNT", "nobody")]);
	assert!(String::from_utf8_lossy(&out.stderr).contains("no account `nobody`"), "{out:?}");
	std::fs::write(&config, "nod = ws://x\n").unwrap();
	let out = configured(&[]);
	assert!(String::from_utf8_lossy(&out.stderr).contains("unknown key `nod`"), "{out:?}");
	let err = wallet.fails(&["--node", "ws://127.0.0.1:1", "account", "show"]);
	assert!(err.contains("cannot reach the node"), "{err}");
}

/// A manager onboards a new doctor from the terminal (invite, accept, member with the doctor
/// role); a patient's role grant to hospital A's doctors lets him read; removed from the role,
/// he is refused. An emergency access is opened, used and reviewed.
#[tokio::test]
async fn a_role_grant_serves_whoever_holds_the_role_now() {
	let node = Node::start(&["--dev", "--state-pruning", "archive"]).await.expect("node starts");
	let keys = tempfile::tempdir().expect("tempdir");
	let wallet = Wallet::new(&node, &keys);
	let doctor = wallet.as_account("doctor");
	let created = doctor.json(&["account", "new", "--json"]);
	let address = created["account"].as_str().expect("address").to_owned();
	wallet.ok(&["--dev", "Alice", "staff", "invite", &address, "--org", "1"]);
	doctor.ok(&["account", "accept", "--org", "1", "--kind", "staff"]);
	wallet.ok(&["--dev", "Alice", "member", "add", &address, "--org", "1", "--role", "doctor"]);

	// Charlie, a development patient, puts a record and grants hospital A's doctors.
	let store = tempfile::tempdir().expect("store dir");
	let store = store.path().to_str().expect("utf-8 path").to_owned();
	let file = wallet.keys.join("note.json");
	std::fs::write(&file, br#"{"resourceType":"Observation","code":{"text":"HbA1c"}}"#).unwrap();
	let file = file.to_str().expect("utf-8 path");
	let put = wallet.json(&[
		"--dev",
		"Charlie",
		"record",
		"put",
		file,
		"--type",
		"Observation",
		"--store",
		&store,
		"--json",
	]);
	let id = put["record"].as_u64().expect("record id").to_string();
	let role_grant = wallet.json(&[
		"--dev",
		"Charlie",
		"grant",
		"add",
		"--role",
		"1:doctor",
		"--purpose",
		"treatment",
		"--for",
		"1h",
		"--type",
		"Observation",
		"--json",
	])["grant"]
		.as_u64()
		.expect("grant id")
		.to_string();
	let out = wallet.keys.join("read.json");
	let out = out.to_str().expect("utf-8 path");
	doctor.ok(&["record", "get", &id, "-o", out, "--store", &store]);
	assert_eq!(std::fs::read(out).unwrap(), std::fs::read(file).unwrap());

	wallet.ok(&["--dev", "Alice", "member", "remove", &address, "--org", "1"]);
	let err = doctor.fails(&["record", "get", &id, "-o", out, "--store", &store]);
	assert!(err.contains(&format!("you may not read record {id}")), "{err}");
	// Naming the grant himself, his request reaches the chain, which refuses it: on record.
	let err =
		doctor.fails(&["record", "get", &id, "-o", out, "--store", &store, "--grant", &role_grant]);
	assert!(err.contains("(Access."), "{err}");

	// Break-glass: Eve (hospital B, emergency flag) opens emergency access and reads; an
	// auditor of another hospital cannot review it; a manager of hospital B approves it.
	let charlie = ehr_client::dev::dev_identity("Charlie").ss58();
	let opened = wallet.json(&[
		"--dev",
		"Eve",
		"emergency",
		"open",
		&charlie,
		"--org",
		"2",
		"--reason",
		"unconscious",
		"--justification",
		"admitted unconscious to the emergency room",
		"--json",
	]);
	let emergency = opened["grant"].as_u64().expect("grant").to_string();
	let read = wallet.ok(&["--dev", "Eve", "record", "get", &id, "-o", out, "--store", &store]);
	assert!(read.contains(&format!("grant {emergency}")), "{read}");
	let err = wallet.fails(&["--dev", "Dave", "emergency", "review", &emergency, "--approve"]);
	assert!(err.contains("(Access."), "{err}");
	let manager = ehr_client::dev::dev_identity("Alice").ss58();
	wallet.ok(&[
		"--dev",
		"Alice",
		"member",
		"add",
		&manager,
		"--org",
		"2",
		"--role",
		"manager",
		"--governance",
	]);
	let reviewed = wallet.ok(&["--dev", "Alice", "emergency", "review", &emergency, "--approve"]);
	assert!(reviewed.contains("approved"), "{reviewed}");

	audit_trail(
		&wallet,
		&AuditCase { charlie, doctor: address, record: id, role_grant, emergency },
	);
}

/// What the audit checks look for.
struct AuditCase {
	charlie: String,
	doctor: String,
	record: String,
	role_grant: String,
	emergency: String,
}

/// The audit trail of the role-grant scenario, from the index of the finalized chain, and its
/// FHIR exports checked by independent validators.
fn audit_trail(wallet: &Wallet, case: &AuditCase) {
	let index = wallet.keys.join("audit.sqlite");
	let index = index.to_str().expect("utf-8 path");
	let log = |args: &[&str]| -> Vec<Value> {
		let mut all = vec!["audit", "log", "--json", "--index", index];
		all.extend_from_slice(args);
		wallet.ok(&all).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
	};
	// The index follows finality: wait until the review is final.
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
	let events = loop {
		let events = log(&["--patient", &case.charlie]);
		if events.iter().any(|e| e["event"] == "Access.EmergencyReviewed") {
			break events;
		}
		assert!(std::time::Instant::now() < deadline, "the review is not final: {events:?}");
		std::thread::sleep(std::time::Duration::from_secs(2));
	};
	let names: Vec<&str> = events
		.iter()
		.map(|e| e["event"].as_str().expect("event"))
		.filter(|n| *n != "Access.KeyShareReleased")
		.collect();
	assert_eq!(
		names,
		[
			"Records.RecordRegistered",
			"Access.GrantCreated",
			"Access.AccessRequested",
			"Access.KeyReleased",
			"Access.Refused",
			"Access.EmergencyAccessOpened",
			"Access.AccessRequested",
			"Access.KeyReleased",
			"Access.Refused",
			"Access.EmergencyReviewed",
		],
		"{events:#?}"
	);
	let released: Vec<&Value> =
		events.iter().filter(|e| e["event"] == "Access.KeyReleased").collect();
	assert_eq!(released[0]["details"]["requester"], case.doctor.as_str());
	assert_eq!(released[0]["grant"].to_string(), case.role_grant);
	assert_eq!(released[1]["details"]["requester"], ehr_client::dev::dev_identity("Eve").ss58());
	assert_eq!(released[1]["grant"].to_string(), case.emergency);
	let refused: Vec<&Value> = events.iter().filter(|e| e["event"] == "Access.Refused").collect();
	assert_eq!(refused[0]["details"]["call"], "Access.request");
	assert_eq!(refused[0]["details"]["signer"], case.doctor.as_str());
	assert_eq!(refused[0]["record"].to_string(), case.record);
	assert_eq!(refused[1]["details"]["call"], "Access.emergency_review");
	assert_eq!(refused[1]["details"]["signer"], ehr_client::dev::dev_identity("Dave").ss58());
	assert!(events.iter().all(|e| e["time"].as_str().is_some_and(|t| t.ends_with(" UTC"))));

	// One record's history; one account's trail (as grantee, requester, member).
	let history: Vec<Value> = wallet
		.ok(&["record", "history", &case.record, "--json", "--index", index])
		.lines()
		.map(|l| serde_json::from_str(l).expect("a JSON line"))
		.collect();
	let record: u64 = case.record.parse().expect("record id");
	assert!(history.iter().all(|e| e["record"] == record), "{history:?}");
	assert_eq!(history.iter().filter(|e| e["event"] == "Access.KeyReleased").count(), 2);
	let doctor: Vec<String> = log(&["--account", &case.doctor])
		.iter()
		.map(|e| e["event"].as_str().expect("event").to_owned())
		.collect();
	for expected in [
		"Consortium.AccountInvited",
		"Consortium.AccountRegistered",
		"Consortium.MemberAdded",
		"Access.KeyReleased",
		"Consortium.MemberRemoved",
		"Access.Refused",
	] {
		assert!(doctor.iter().any(|n| n == expected), "{expected} missing from {doctor:?}");
	}
	assert!(!doctor.iter().any(|n| n == "Access.EmergencyAccessOpened"), "{doctor:?}");
	let emergencies = wallet.json(&["emergency", "list", "--org", "2", "--json", "--index", index]);
	assert_eq!(emergencies.as_array().map(Vec::len), Some(1), "{emergencies}");
	assert_eq!(emergencies[0]["grant"].to_string(), case.emergency);
	assert_eq!(emergencies[0]["reviewed"], true);
	let alice = ehr_client::dev::dev_identity("Alice").ss58();
	let review = emergencies[0]["review"].as_str().expect("review");
	assert!(review.starts_with(&format!("approved by {alice}")), "{review}");
	let none = wallet.json(&["emergency", "list", "--pending", "--json", "--index", index]);
	assert_eq!(none, serde_json::json!([]));
	let later = wallet.ok(&["audit", "log", "--since", "2999-01-01", "--index", index]);
	assert_eq!(later.trim(), "no audit events match");
	let err = wallet.fails(&["audit", "log", "--since", "yesterday", "--index", index]);
	assert!(err.contains("is not a date"), "{err}");

	// FHIR: the accesses as AuditEvents, the grants as Consents; both valid R4 for checkers
	// that know nothing of this project.
	let audit_file = wallet.keys.join("audit-events.json");
	let consent_file = wallet.keys.join("consents.json");
	let path = |p: &std::path::Path| p.to_str().expect("utf-8 path").to_owned();
	wallet.ok(&[
		"audit",
		"export",
		"--format",
		"fhir",
		"--patient",
		&case.charlie,
		"--index",
		index,
		"-o",
		&path(&audit_file),
	]);
	wallet.ok(&[
		"--dev",
		"Charlie",
		"grant",
		"export",
		"--format",
		"fhir",
		"-o",
		&path(&consent_file),
	]);
	ehr_tests::fhir_validate(&[&audit_file, &consent_file]).expect("valid FHIR R4");
	let audit: Value = serde_json::from_slice(&std::fs::read(&audit_file).unwrap()).unwrap();
	assert_eq!(audit["type"], "collection");
	let events: Vec<&Value> =
		audit["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).collect();
	let kinds: Vec<(String, String, String)> = events
		.iter()
		.map(|e| {
			(
				e["subtype"][0]["code"].as_str().unwrap_or("").to_owned(),
				e["outcome"].as_str().unwrap_or("").to_owned(),
				e["purposeOfEvent"][0]["coding"][0]["code"].as_str().unwrap_or("").to_owned(),
			)
		})
		.collect();
	let k = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
	assert_eq!(
		kinds,
		[
			k("read", "0", "TREAT"),
			k("read", "4", "TREAT"),
			k("110127", "0", "ETREAT"),
			k("read", "0", "ETREAT")
		],
		"{audit:#}"
	);
	assert_eq!(events[0]["agent"][0]["who"]["identifier"]["value"], case.doctor.as_str());
	assert_eq!(events[0]["entity"][0]["what"]["identifier"]["value"], case.charlie.as_str());
	let consents: Value = serde_json::from_slice(&std::fs::read(&consent_file).unwrap()).unwrap();
	let by_id = |id: &str| {
		consents["entry"]
			.as_array()
			.unwrap()
			.iter()
			.map(|e| &e["resource"])
			.find(|c| c["identifier"][0]["value"] == id)
			.cloned()
			.unwrap_or_else(|| panic!("no Consent for grant {id}: {consents:#}"))
	};
	let role = by_id(&case.role_grant);
	assert_eq!(role["status"], "active");
	assert_eq!(role["provision"]["actor"][0]["reference"]["identifier"]["value"], "1:doctor");
	assert_eq!(role["provision"]["class"][0]["code"], "Observation");
	assert_eq!(role["provision"]["purpose"][0]["code"], "TREAT");
	assert_eq!(by_id(&case.emergency)["provision"]["purpose"][0]["code"], "ETREAT");
	// The checkers do fail: a Consent without its status is refused.
	let mut broken = consents.clone();
	broken["entry"][0]["resource"].as_object_mut().unwrap().remove("status");
	let broken_file = wallet.keys.join("broken.json");
	std::fs::write(&broken_file, broken.to_string()).unwrap();
	let report = ehr_tests::fhir_validate(&[&broken_file]).expect_err("a Consent needs a status");
	assert!(report.contains("status"), "{report}");
}

/// Two replicas, a tampered copy, a delegation with expiry, and a store that is down: a
/// patient's record is kept in two stores; a doctor delegates his grant to a colleague for a
/// short period (not to himself); hospital A's copy is altered on disk and the colleague's
/// read reports it on chain and reads the other copy, repairing the first; once the
/// delegation's period is over the colleague is refused, the doctor is not.
#[tokio::test]
async fn a_tampered_copy_is_reported_and_a_delegation_ends_by_itself() {
	let node = Node::start(&["--dev"]).await.expect("node starts");
	let keys = tempfile::tempdir().expect("tempdir");
	let wallet = Wallet::new(&node, &keys);
	let (a, b) = (tempfile::tempdir().expect("store a"), tempfile::tempdir().expect("store b"));
	let stores = format!("{},{}", a.path().display(), b.path().display());
	let file = wallet.keys.join("lab.json");
	std::fs::write(&file, br#"{"resourceType":"Observation","code":{"text":"ferritin"}}"#).unwrap();
	let file = file.to_str().expect("utf-8 path");
	let charlie = |args: &[&str]| {
		let mut all = vec!["--dev", "Charlie"];
		all.extend_from_slice(args);
		wallet.json(&all)
	};
	let put =
		charlie(&["record", "put", file, "--type", "Observation", "--store", &stores, "--json"]);
	let id = put["record"].as_u64().expect("record id").to_string();
	let cid: ehr_client::store::Cid = put["cid"].as_str().expect("cid").parse().expect("a CID");
	for dir in [&a, &b] {
		let store = ehr_client::store::embedded::EmbeddedStore::open(dir.path()).expect("store");
		assert!(store.block_path(&cid).exists(), "each replica holds the record");
	}
	// A store that is down: nothing registered.
	let err = wallet.fails(&[
		"--dev",
		"Charlie",
		"record",
		"put",
		file,
		"--type",
		"Observation",
		"--store",
		"kubo:127.0.0.1:1",
	]);
	assert!(err.contains("127.0.0.1:1"), "{err}");
	let listed = charlie(&["record", "list", "--json"]);
	assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");

	let bob = ehr_client::dev::dev_identity("Bob").ss58();
	let dave = ehr_client::dev::dev_identity("Dave").ss58();
	let grant = charlie(&[
		"grant",
		"add",
		"--to",
		&bob,
		"--purpose",
		"treatment",
		"--for",
		"1h",
		"--record",
		&id,
		"--delegable",
		"--json",
	])["grant"]
		.as_u64()
		.expect("grant")
		.to_string();
	let err =
		wallet.fails(&["--dev", "Bob", "grant", "delegate", &grant, "--to", &bob, "--for", "1m"]);
	assert!(err.contains("SelfDelegation"), "{err}");
	let err =
		wallet.fails(&["--dev", "Bob", "grant", "delegate", &grant, "--to", &dave, "--for", "2h"]);
	assert!(err.contains("DelegationOutlivesParent"), "{err}");
	let delegated = wallet.json(&[
		"--dev", "Bob", "grant", "delegate", &grant, "--to", &dave, "--for", "75s", "--json",
	]);
	let delegation = delegated["grant"].as_u64().expect("delegation").to_string();
	let shown = wallet.json(&["grant", "show", &delegation, "--json"]);
	assert_eq!(shown["delegated_from"].to_string(), grant);
	assert_eq!(shown["grantee"], dave.as_str());

	// Hospital A's copy is altered on disk.
	let store_a = ehr_client::store::embedded::EmbeddedStore::open(a.path()).expect("store a");
	let block = store_a.block_path(&cid);
	let mut bytes = std::fs::read(&block).expect("block");
	bytes[20] ^= 1;
	std::fs::write(&block, bytes).expect("tamper");
	let out = wallet.keys.join("dave.json");
	let out_path = out.to_str().expect("utf-8 path");
	let get = |who: &str| {
		wallet.run(&["--dev", who, "record", "get", &id, "-o", out_path, "--store", &stores])
	};
	let read = get("Dave");
	let stderr = String::from_utf8_lossy(&read.stderr);
	assert!(read.status.success(), "{stderr}");
	assert!(String::from_utf8_lossy(&read.stdout).contains(&format!("grant {delegation}")));
	assert!(
		stderr.contains("is not the one on chain") && stderr.contains("reported on chain"),
		"{stderr}"
	);
	assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(file).unwrap());
	let shown = wallet.json(&["record", "show", &id, "--json"]);
	assert_eq!(shown["tamper_reports"], serde_json::json!([dave]));
	// Repaired: the next read finds a good first copy and reports nothing.
	std::fs::remove_file(&out).unwrap();
	let again = get("Dave");
	assert!(again.status.success());
	assert!(!String::from_utf8_lossy(&again.stderr).contains("reported"), "{again:?}");
	// A replica that is down is not tampering: a warning, no report, and the read goes on.
	let down_first = format!("hospital-a=kubo:127.0.0.1:1,{}", b.path().display());
	std::fs::remove_file(&out).unwrap();
	let around = wallet.run(&[
		"--dev",
		"Dave",
		"record",
		"get",
		&id,
		"-o",
		out_path,
		"--store",
		&down_first,
	]);
	let stderr = String::from_utf8_lossy(&around.stderr);
	assert!(around.status.success(), "{stderr}");
	assert!(
		stderr.contains("hospital-a did not serve") && !stderr.contains("reported"),
		"{stderr}"
	);
	// Tampered again: the read still succeeds; Dave, who reported it before, does not again.
	let mut bytes = std::fs::read(&block).expect("block");
	bytes[20] ^= 1;
	std::fs::write(&block, bytes).expect("tamper");
	std::fs::remove_file(&out).unwrap();
	let twice = get("Dave");
	let stderr = String::from_utf8_lossy(&twice.stderr);
	assert!(twice.status.success(), "{stderr}");
	assert!(stderr.contains("you reported this record before"), "{stderr}");
	let shown = wallet.json(&["record", "show", &id, "--json"]);
	assert_eq!(shown["tamper_reports"], serde_json::json!([dave]), "one report per reader");

	// The delegation ends by itself; the grant it came from goes on.
	let until = chrono::DateTime::parse_from_str(
		shown_until(&wallet, &delegation).as_str(),
		"%Y-%m-%d %H:%M:%S UTC %z",
	)
	.expect("a date");
	let until =
		std::time::UNIX_EPOCH + std::time::Duration::from_millis(until.timestamp_millis() as u64);
	while std::time::SystemTime::now() < until {
		std::thread::sleep(std::time::Duration::from_secs(2));
	}
	std::fs::remove_file(&out).unwrap();
	let refused = get("Dave");
	assert_eq!(refused.status.code(), Some(1));
	let err = String::from_utf8_lossy(&refused.stderr);
	// Refused by the wallet's check or, at the edge of the period, by the chain itself.
	assert!(err.contains("period is over"), "{err}");
	assert!(!out.exists(), "no file from a refused read");
	assert!(get("Bob").status.success(), "the parent grant is still in force");

	// A hostile patient registers a record whose on-chain hash is not the hash of the bytes
	// its CID names. Hospital B serves exactly those bytes: the read fails as a bad
	// registration, and no hospital is reported.
	let id = inconsistent_record(&node, b.path()).await.to_string();
	std::fs::remove_file(&out).expect("Bob's copy");
	let err = wallet
		.fails(&["--dev", "Charlie", "record", "get", &id, "-o", out_path, "--store", &stores]);
	assert!(err.contains(&format!("record #{id} is inconsistent on chain")), "{err}");
	assert!(!out.exists(), "no file from a failed read");
	let shown = wallet.json(&["record", "show", &id, "--json"]);
	assert_eq!(shown["tamper_reports"], serde_json::json!([]), "nobody blamed");
}

/// Registers, as Charlie, a record stored in `store` whose ciphertext hash names other bytes
/// (its capsules are bound to that false hash, as its uploader made them); returns its id.
async fn inconsistent_record(node: &Node, store: &std::path::Path) -> u64 {
	use ehr_client::{
		chain::{account_of, Chain},
		crypto::{capsule, custody, payload, DataKey},
		records::{self, RecordDescriptor},
		store::{embedded::EmbeddedStore, replicas::blake2_256, PayloadStore},
	};
	let charlie = ehr_client::dev::dev_identity("Charlie");
	let patient = account_of(&charlie);
	let dek = DataKey::generate();
	let mut sealed = Vec::new();
	let plain = br#"{"resourceType":"Observation"}"#;
	payload::encrypt(&dek, &patient.0, &plain[..], &mut sealed).expect("sealed");
	let store = EmbeddedStore::open(store).expect("store");
	let cid = store.put(&mut &sealed[..]).await.expect("stored");
	let false_hash = blake2_256(b"other bytes");
	let mut record = RecordDescriptor {
		patient,
		custodian_org: 1,
		cid: cid.to_string(),
		ciphertext_hash: false_hash,
		size: sealed.len() as u64,
		content_type: "Observation".into(),
		patient_capsule: capsule::seal(&charlie.x25519_public(), &false_hash, &dek)
			.expect("capsule")
			.to_bytes(),
		custody_capsule: Vec::new(),
		previous: None,
		grant: None,
	};
	let custody_key = ehr_client::dev::dev_custody().expect("dev custody").group_key;
	record.custody_capsule =
		custody::seal(&custody_key, &record.label(), &dek).expect("custody capsule").to_bytes();
	let chain = Chain::connect(&node.ws_url()).await.expect("chain");
	records::register(&chain, &charlie, &record).await.expect("registered").record
}

/// The end of a grant's period as `ehr grant show` prints it, with a zone for parsing.
fn shown_until(wallet: &Wallet, grant: &str) -> String {
	format!(
		"{} +0000",
		wallet.json(&["grant", "show", grant, "--json"])["until"].as_str().expect("until")
	)
}
