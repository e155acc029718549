//! The local consortium (`--chain local`): four hospitals, the nodes of Alice, Bob, Dave and
//! Eve, each a validator and a custodian (3-of-4), on loopback. Fixed node keys and reserved
//! peers make the network the same in every run; the four nodes start in parallel from one
//! built binary.

use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use codec::{Decode, Encode};
use ehr_client::{
	chain::{account_of, Chain},
	consortium::{self as onboarding, AccountKind, Authority, Role},
	crypto::{
		custody::{self, CustodyCapsule, KeyShare, RecordLabel},
		identity::{Identity, Scheme},
		release,
	},
	dev::LOCAL_CUSTODIANS,
};
use serde_json::json;

use crate::{free_port, hex_bytes, run_node, scenario::HOSPITAL_A, Node};

/// One hospital's node.
pub struct Hospital {
	/// The development name of its validator, custodian and manager account.
	pub name: &'static str,
	/// Its node.
	pub node: Node,
}

/// The four running hospitals.
pub struct Consortium {
	/// In custodian order: Alice's (custodian 0), Bob's, Dave's, Eve's (custodian 3).
	pub hospitals: Vec<Hospital>,
	_keys: tempfile::TempDir,
}

impl Consortium {
	/// Starts the four nodes at once and waits until each answers RPC and has finalized a
	/// block (GRANDPA needs 3 of the 4).
	pub async fn start() -> Result<Consortium> {
		let keys = tempfile::tempdir()?;
		let mut plan = Vec::new();
		for (i, name) in LOCAL_CUSTODIANS.iter().enumerate() {
			let key = keys.path().join(format!("{name}.key"));
			std::fs::write(&key, format!("{:064x}", i + 1))?;
			let key = key.to_string_lossy().into_owned();
			let inspect = run_node(&["key", "inspect-node-key", "--file", &key])?;
			anyhow::ensure!(inspect.status.success(), "inspect-node-key failed");
			let peer = String::from_utf8_lossy(&inspect.stdout).trim().to_string();
			plan.push((*name, key, free_port(), peer));
		}
		let mut hospitals = Vec::new();
		for (name, key, port, _) in &plan {
			let peers: Vec<String> = plan
				.iter()
				.filter(|(other, ..)| other != name)
				.map(|(_, _, p, id)| format!("/ip4/127.0.0.1/tcp/{p}/p2p/{id}"))
				.collect();
			let seed = format!("--{}", name.to_lowercase());
			let mut args =
				vec!["--chain", "local", &seed, "--node-key-file", key, "--reserved-only"];
			args.push("--reserved-nodes");
			args.extend(peers.iter().map(String::as_str));
			let node = Node::spawn(*port, &args)?;
			hospitals.push(Hospital { name, node });
		}
		for h in &mut hospitals {
			h.node.wait_ready().await.with_context(|| format!("{}'s node", h.name))?;
		}
		for h in &hospitals {
			let node = &h.node;
			node.wait_for("finalized block", 1, Duration::from_secs(180), || {
				node.finalized_number()
			})
			.await?;
		}
		Ok(Consortium { hospitals, _keys: keys })
	}

	/// Waits until every hospital has finalized the block that is best at Alice's node now:
	/// after an outage, the voters that were stopped have caught up with GRANDPA's round, so
	/// that finality does not depend on the one that goes down next.
	pub async fn wait_all_finalized(&self, timeout: Duration) -> Result<()> {
		let target = self.node("Alice").best_number().await?;
		for h in &self.hospitals {
			let node = &h.node;
			node.wait_for("finalized block", target, timeout, || node.finalized_number())
				.await
				.with_context(|| format!("{}'s node", h.name))?;
		}
		Ok(())
	}

	/// The node of hospital `name` ("Alice", "Bob", "Dave" or "Eve").
	pub fn node(&self, name: &str) -> &Node {
		&self.hospital(name).node
	}

	/// The node of hospital `name`, to stop or restart it.
	pub fn node_mut(&mut self, name: &str) -> &mut Node {
		let i = self.index(name);
		&mut self.hospitals[i].node
	}

	fn index(&self, name: &str) -> usize {
		self.hospitals.iter().position(|h| h.name == name).unwrap_or_else(|| panic!("{name}?"))
	}

	fn hospital(&self, name: &str) -> &Hospital {
		&self.hospitals[self.index(name)]
	}
}

/// A fresh ed25519 staff member of hospital A with `role`, made from `seed` and onboarded by
/// its manager (invited as Staff, accepted with its own key, then added as a member with
/// that role).
pub async fn staff(chain: &Chain, manager: &Identity, seed: u8, role: Role) -> Result<Identity> {
	let who = Identity::from_seed_with(Scheme::Ed25519, [seed; 32])?;
	let account = account_of(&who);
	let kind = AccountKind::Staff;
	onboarding::onboard(chain, manager, Authority::Manager, HOSPITAL_A, &who, kind)
		.await
		.context("the manager invites the account and it accepts")?;
	let roles = onboarding::roles(&[role]);
	onboarding::add_member(chain, manager, Authority::Manager, HOSPITAL_A, account, roles, false)
		.await
		.context("the manager adds the member")?;
	Ok(who)
}

/// A `release_shares` call found in a block body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseInBlock {
	/// The block number.
	pub block: u64,
	/// The custodian index the batch was released under.
	pub custodian_index: u16,
	/// The requests it answers.
	pub requests: Vec<u64>,
}

/// Every `release_shares` extrinsic in the bodies of blocks `from..=to` of `node`'s best chain.
pub async fn releases_in_blocks(node: &Node, from: u64, to: u64) -> Result<Vec<ReleaseInBlock>> {
	let mut found = Vec::new();
	for n in from..=to {
		let hash = node.rpc("chain_getBlockHash", json!([n])).await?;
		let block = node.rpc("chain_getBlock", json!([hash])).await?;
		let extrinsics = block["block"]["extrinsics"]
			.as_array()
			.ok_or_else(|| anyhow!("block {n} has no extrinsics list"))?;
		for xt in extrinsics {
			let bytes = hex_bytes(xt)?;
			let xt = ehr_runtime::UncheckedExtrinsic::decode(&mut &bytes[..])
				.with_context(|| format!("an extrinsic of block {n}"))?;
			if let ehr_runtime::RuntimeCall::Access(pallet_access::Call::release_shares {
				custodian_index,
				releases,
				..
			}) = xt.function
			{
				let requests = releases.iter().map(|(r, _)| *r).collect();
				found.push(ReleaseInBlock { block: n, custodian_index, requests });
			}
		}
	}
	Ok(found)
}

/// A custodian that sends a wrong share: an external signer holding the account key of
/// custodian `index` (the development account `name`), not the node. It computes a share with
/// a random scalar instead of its own, with a proof that is valid for that scalar, seals it to
/// the request's reply key and submits it through `node`. Returns the transaction hash.
#[allow(clippy::too_many_arguments)]
pub async fn submit_wrong_share(
	node: &Node,
	name: &str,
	index: u16,
	request: u64,
	reply_key: &[u8; 32],
	group_key: &[u8; 32],
	label: &RecordLabel<'_>,
	capsule: &[u8],
) -> Result<String> {
	use sp_core::Pair;
	// A random secret: the only share of a fresh 1-of-1 dealing.
	let random = *custody::deal(1, 1)?.shares[0].to_bytes();
	let fake = KeyShare::from_bytes(u32::from(index) + 1, random).context("a random scalar")?;
	let capsule = CustodyCapsule::from_bytes(capsule)?;
	let context = release::request_context(request);
	let share = custody::release_share(&fake, group_key, &label.digest(), &capsule, &context)?;
	let sealed = release::seal(&share, reply_key, &context)?;
	let releases: Vec<(u64, pallet_access::ShareOf<ehr_runtime::Runtime>)> =
		vec![(request, sealed.try_into().map_err(|_| anyhow!("share too long"))?)];
	let genesis = hex_bytes(&node.rpc("chain_getBlockHash", json!([0])).await?)?;
	let genesis = sp_core::H256::from_slice(&genesis);
	let signed: Vec<_> = releases.iter().map(|(r, s)| (*r, *reply_key, s)).collect();
	let payload = pallet_access::release_signing_payload(&genesis, index, &signed);
	let pair = sp_core::sr25519::Pair::from_string(&format!("//{name}"), None)
		.map_err(|e| anyhow!("dev key: {e:?}"))?;
	let signature = ehr_runtime::Signature::from(pair.sign(&payload));
	let call = ehr_runtime::RuntimeCall::Access(pallet_access::Call::release_shares {
		custodian_index: index,
		releases: releases.try_into().map_err(|_| anyhow!("batch too long"))?,
		signature,
	});
	let xt = ehr_runtime::UncheckedExtrinsic::new_transaction(
		call,
		ehr_runtime::authorized_tx_extension(),
	);
	let hash = node
		.rpc("author_submitExtrinsic", json!([format!("0x{}", hex::encode(xt.encode()))]))
		.await?;
	Ok(hash.to_string())
}
