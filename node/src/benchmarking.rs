//! Transactions for `ehr-node benchmark overhead` and `benchmark extrinsic`: blocks full of
//! signed `System::remark` or `Access::grant` transactions, as the chain would include them.
//!
//! The signers are the patients of the `bench` chain spec, taken in turn: one sender may
//! submit only `MaxTxPerWindow` transactions per rate window, so a block of one sender's
//! transactions would measure the rate limit, not the transaction.

use std::sync::Arc;

use codec::Encode;
use ehr_client::{crypto::identity::Identity, dev};
use ehr_runtime::{
	AccountId, Address, Hash, RuntimeCall, Signature, SignedPayload, TxExtension,
	UncheckedExtrinsic, VERSION,
};
use frame_benchmarking_cli::ExtrinsicBuilder;
use pallet_access::types::{Actions, Grantee, Purpose, Scope};
use sp_blockchain::HeaderBackend;
use sp_core::ed25519;
use sp_runtime::{generic::Era, OpaqueExtrinsic};

use crate::service::FullClient;

/// Grants of the benchmark last an hour from the chain's start (the benchmark blocks have
/// the timestamp 0).
const GRANT_MS: u64 = 3_600_000;

/// Which transaction a [`TxBuilder`] builds.
#[derive(Clone, Copy)]
enum Kind {
	/// `System::remark` with no bytes: the overhead of any transaction.
	Remark,
	/// `Access::grant` of all records to Bob, for treatment, read-only, for an hour.
	Grant,
}

/// Builds signed benchmark transactions of one kind on the chain of `client`.
pub struct TxBuilder {
	kind: Kind,
	genesis: Hash,
	signers: Arc<Vec<Identity>>,
}

impl TxBuilder {
	/// The builders of the node's benchmarks, sharing the bench chain's `patients` as signers.
	pub fn all(client: &FullClient, patients: u32) -> Vec<Self> {
		let genesis = client.info().genesis_hash;
		let signers = Arc::new((0..patients).map(dev::bench_identity).collect());
		[Kind::Remark, Kind::Grant]
			.into_iter()
			.map(|kind| Self { kind, genesis, signers: Arc::clone(&signers) })
			.collect()
	}

	fn call(&self) -> RuntimeCall {
		match self.kind {
			Kind::Remark => RuntimeCall::System(frame_system::Call::remark { remark: Vec::new() }),
			Kind::Grant => RuntimeCall::Access(pallet_access::Call::grant {
				scope: Scope::AllRecords,
				grantee: Grantee::Account(AccountId::from(dev::dev_identity("Bob").public())),
				purpose: Purpose::Treatment,
				actions: Actions { read: true, append: false },
				not_before: 0,
				expires_at: GRANT_MS,
				terms_hash: [0; 32],
				delegable: false,
			}),
		}
	}
}

impl ExtrinsicBuilder for TxBuilder {
	fn pallet(&self) -> &str {
		match self.kind {
			Kind::Remark => "system",
			Kind::Grant => "access",
		}
	}

	fn extrinsic(&self) -> &str {
		match self.kind {
			Kind::Remark => "remark",
			Kind::Grant => "grant",
		}
	}

	/// Transaction `n` of the block: signer `n mod K` of the K benchmark patients, with the
	/// account nonce `n / K`.
	fn build(&self, n: u32) -> Result<OpaqueExtrinsic, &'static str> {
		let count = self.signers.len() as u32;
		let signer = &self.signers[(n % count) as usize];
		Ok(signed(self.call(), signer, n / count, self.genesis).into())
	}
}

/// `call` signed by `who` with `nonce`, immortal, as a wallet would sign it.
fn signed(call: RuntimeCall, who: &Identity, nonce: u32, genesis: Hash) -> UncheckedExtrinsic {
	let extension: TxExtension = ehr_runtime::tx_extension(Era::Immortal, nonce);
	let implicit = (
		(),
		(),
		(),
		VERSION.spec_version,
		VERSION.transaction_version,
		genesis,
		genesis,
		(),
		(),
		(),
		(),
	);
	let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
	let signature = payload.using_encoded(|bytes| who.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		Address::Id(AccountId::from(who.public())),
		Signature::Ed25519(ed25519::Signature::from_raw(signature)),
		extension,
	)
}

/// The inherent data of a benchmark block: the timestamp 0, which is slot 0 for Aura.
pub fn inherent_data() -> Result<sp_inherents::InherentData, sc_cli::Error> {
	let mut data = sp_inherents::InherentData::new();
	data.put_data(sp_timestamp::INHERENT_IDENTIFIER, &0u64)
		.map_err(|e| sc_cli::Error::Input(format!("the benchmark's timestamp inherent: {e}")))?;
	Ok(data)
}
