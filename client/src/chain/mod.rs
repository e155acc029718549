//! Typed access to the chain: connect to a node, submit signed calls and wait for their
//! inclusion or finality, read storage and call the runtime APIs. Calls, events, storage and
//! runtime APIs are the types subxt generates from the runtime's metadata ([`runtime`]); a
//! refused call comes back as the pallet error's name with the sentence its pallet documents
//! ([`DispatchFailure`]).
//!
//! ```no_run
//! use ehr_client::{chain::{runtime, Chain, Wait}, dev::dev_identity};
//! # async fn run() -> Result<(), ehr_client::chain::ChainError> {
//! let chain = Chain::connect("ws://127.0.0.1:9944").await?;
//! let alice = dev_identity("Alice");
//! let call = runtime::transactions().consortium().rotate_key(alice.x25519_public());
//! let included = chain.submit_waiting(&call, &alice, Wait::Finalized).await?;
//! let event: runtime::consortium::events::KeyRotated = included.event()?;
//! assert_eq!(event.x25519, alice.x25519_public());
//! # Ok(()) }
//! ```

mod error;
pub mod runtime;
mod signer;

use std::time::Duration;

use subxt::{
	client::{OnlineClientAtBlock, OnlineClientAtBlockImpl},
	config::{DefaultExtrinsicParamsBuilder, RpcConfigFor},
	events::DecodeAsEvent,
	extrinsics::ExtrinsicEvents,
	rpcs::{LegacyRpcMethods, RpcClient},
	tx::{Payload, Signer, TransactionProgress, TransactionStatus},
	utils::H256,
	OnlineClient,
};

pub use error::{
	ChainError, DispatchFailure, Rejection, INVALID_ACCOUNT_DEREGISTERED, INVALID_ACCOUNT_FROZEN,
	INVALID_NOT_REGISTERED, INVALID_RATE_LIMITED,
};
pub use signer::account_of;
pub use subxt::utils::AccountId32;

/// The chain's configuration for subxt: 32-byte account ids, `MultiAddress<AccountId32, ()>`,
/// `MultiSignature`, BLAKE2-256 hashes and `u32` block numbers, as Polkadot's.
pub type EhrConfig = subxt::PolkadotConfig;

/// How many blocks a transaction signed by [`Chain::sign_encoded`] stays valid (about 8.5
/// minutes of 2-second blocks).
pub const MORTALITY: u64 = 256;

/// A view of the chain at one block: its storage, runtime APIs and events.
pub type At = OnlineClientAtBlock<EhrConfig>;

/// How long to wait for a submitted transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
	/// Until it is in a block of the best chain (one block; may still be reorganised away).
	InBlock,
	/// Until the block that holds it is finalized (GRANDPA; final).
	Finalized,
}

/// A transaction in a block: where it is and the events it emitted.
pub struct Included {
	/// The hash of the block that holds it.
	pub block_hash: H256,
	/// The number of that block.
	pub block_number: u64,
	/// The transaction's hash.
	pub extrinsic_hash: H256,
	/// The call, as `Pallet.call`.
	pub call: String,
	events: ExtrinsicEvents<EhrConfig>,
}

impl Included {
	/// The first event of type `E` that the transaction emitted.
	pub fn event<E: DecodeAsEvent>(&self) -> Result<E, ChainError> {
		match self.events.find_first::<E>() {
			Some(event) => Ok(event?),
			None => Err(ChainError::MissingEvent {
				call: self.call.clone(),
				event: std::any::type_name::<E>().rsplit("::").next().unwrap_or("").to_owned(),
			}),
		}
	}

	/// Every event of type `E` that the transaction emitted.
	pub fn events<E: DecodeAsEvent>(&self) -> Result<Vec<E>, ChainError> {
		self.events.find::<E>().map(|e| e.map_err(ChainError::from)).collect()
	}

	/// The transaction's events, undecoded.
	pub fn raw_events(&self) -> &ExtrinsicEvents<EhrConfig> {
		&self.events
	}
}

/// A connection to a node of the chain.
#[derive(Clone)]
pub struct Chain {
	api: OnlineClient<EhrConfig>,
	rpc: LegacyRpcMethods<RpcConfigFor<EhrConfig>>,
	url: String,
	wait: Wait,
}

impl Chain {
	/// Connects to the node's WebSocket RPC endpoint (`ws://` on loopback or a trusted
	/// network, `wss://` otherwise).
	pub async fn connect(url: &str) -> Result<Chain, ChainError> {
		let unreachable = |e: &dyn std::fmt::Display| ChainError::Connect {
			url: url.to_owned(),
			reason: e.to_string(),
		};
		let rpc = RpcClient::from_insecure_url(url).await.map_err(|e| unreachable(&e))?;
		let config = subxt::PolkadotConfig::builder().use_historic_types(false).build();
		let api = OnlineClient::from_rpc_client_with_config(config, rpc.clone())
			.await
			.map_err(|e| unreachable(&e))?;
		Ok(Chain { api, rpc: LegacyRpcMethods::new(rpc), url: url.to_owned(), wait: Wait::InBlock })
	}

	/// This connection, waiting as `wait` says in [`Chain::submit`] (the default is
	/// [`Wait::InBlock`]).
	pub fn waiting(mut self, wait: Wait) -> Chain {
		self.wait = wait;
		self
	}

	/// The node's URL.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// The subxt client, for what this module does not wrap.
	pub fn api(&self) -> &OnlineClient<EhrConfig> {
		&self.api
	}

	/// The chain at its best block (the newest, not yet final).
	pub async fn best(&self) -> Result<At, ChainError> {
		Ok(self.api.at_block(self.best_hash().await?).await?)
	}

	/// The hash of the best block: one RPC call, to tell whether the best block changed.
	pub async fn best_hash(&self) -> Result<H256, ChainError> {
		let hash = self.rpc.chain_get_block_hash(None).await.map_err(subxt::Error::from)?;
		hash.ok_or_else(|| ChainError::Connect {
			url: self.url.clone(),
			reason: "the node has no best block".into(),
		})
	}

	/// The hash of block `number` of the best chain; `None` if there is no such block yet.
	pub async fn block_hash(&self, number: u64) -> Result<Option<H256>, ChainError> {
		use subxt::rpcs::methods::legacy::NumberOrHex;
		Ok(self
			.rpc
			.chain_get_block_hash(Some(NumberOrHex::Number(number)))
			.await
			.map_err(subxt::Error::from)?)
	}

	/// The hash of the chain's genesis block: which chain this is.
	pub fn genesis_hash(&self) -> H256 {
		self.api.genesis_hash()
	}

	/// The chain at its latest finalized block.
	pub async fn finalized(&self) -> Result<At, ChainError> {
		Ok(self.api.at_current_block().await?)
	}

	/// The chain at block `hash`.
	pub async fn at(&self, hash: H256) -> Result<At, ChainError> {
		Ok(self.api.at_block(hash).await?)
	}

	/// Signs `call` with `signer`, submits it and waits as this connection is set to
	/// ([`Chain::waiting`]); see [`Chain::submit_waiting`].
	pub async fn submit<C, S>(&self, call: &C, signer: &S) -> Result<Included, ChainError>
	where
		C: Payload,
		S: Signer<EhrConfig>,
	{
		self.submit_waiting(call, signer, self.wait).await
	}

	/// Submits `call` as consortium governance: wrapped in `Sudo::sudo`, signed by the sudo
	/// key. The call's own failure (which `Sudo` reports in its `Sudid` event rather than as
	/// a failed transaction) is returned as [`ChainError::Dispatch`].
	pub async fn sudo<S: Signer<EhrConfig>>(
		&self,
		call: runtime::RuntimeCall,
		signer: &S,
	) -> Result<Included, ChainError> {
		let included = self.submit(&runtime::transactions().sudo().sudo(call), signer).await?;
		let sudid: runtime::sudo::events::Sudid = included.event()?;
		if let Err(e) = &sudid.sudo_result {
			let at = self.at(included.block_hash).await?;
			return Err(ChainError::Dispatch(inner_failure(&at, e)));
		}
		Ok(included)
	}

	/// Signs `call` with `signer`, submits it and waits as `wait` says. The nonce is the
	/// node's next index for the signer, which counts the signer's transactions already in
	/// its pool, so several calls can be submitted one after the other without waiting for
	/// finality in between.
	///
	/// Errors: [`ChainError::Rejected`] if the node refuses the transaction (e.g. the signer
	/// is not registered); [`ChainError::Dispatch`] if the chain ran it and refused it.
	pub async fn submit_waiting<C, S>(
		&self,
		call: &C,
		signer: &S,
		wait: Wait,
	) -> Result<Included, ChainError>
	where
		C: Payload,
		S: Signer<EhrConfig>,
	{
		let progress = self.submit_only(call, signer).await?;
		let name = format!("{}.{}", call.pallet_name(), call.call_name());
		self.wait(progress, wait, name).await
	}

	/// Signs and submits `call` without waiting for a block: returns the transaction's
	/// progress once the node accepted it into its pool. One signer should submit from one
	/// task at a time: two concurrent submissions read the same next nonce and one of them is
	/// refused.
	pub async fn submit_only<C, S>(
		&self,
		call: &C,
		signer: &S,
	) -> Result<TransactionProgress<EhrConfig, OnlineClientAtBlockImpl<EhrConfig>>, ChainError>
	where
		C: Payload,
		S: Signer<EhrConfig>,
	{
		let nonce = self
			.rpc
			.system_account_next_index(&signer.account_id())
			.await
			.map_err(subxt::Error::from)?;
		let params = DefaultExtrinsicParamsBuilder::new().nonce(nonce).build();
		let at = self.api.at_current_block().await?;
		Ok(at.transactions().sign_and_submit_then_watch(call, signer, params).await?)
	}

	/// Signs `call` with `signer` and `nonce` at block `at`, offline (no RPC call), without
	/// submitting it: the encoded transaction, for tools that submit many at once
	/// ([`Chain::submit_encoded`]). The transaction is mortal: valid for [`MORTALITY`] blocks
	/// from `at`, so it cannot be replayed later (an account whose nonce restarts, a new chain
	/// with the same genesis).
	pub fn sign_encoded<C, S>(
		&self,
		at: &At,
		call: &C,
		signer: &S,
		nonce: u64,
	) -> Result<Vec<u8>, ChainError>
	where
		C: Payload,
		S: Signer<EhrConfig>,
	{
		let params = DefaultExtrinsicParamsBuilder::new()
			.nonce(nonce)
			.mortal_from_unchecked(MORTALITY, at.block_number(), at.block_hash())
			.build();
		let signed = at.transactions().create_signable_offline(call, params)?.sign(signer)?;
		Ok(signed.into_encoded())
	}

	/// Submits an encoded transaction with `author_submitExtrinsic`: no watch subscription;
	/// the node answers once the transaction is in its pool (or refuses it). Inclusion is
	/// then seen in the blocks.
	pub async fn submit_encoded(&self, encoded: &[u8]) -> Result<H256, ChainError> {
		self.rpc.author_submit_extrinsic(encoded).await.map_err(|e| {
			let message = e.to_string();
			ChainError::Rejected(Rejection::from_message(&message))
		})
	}

	async fn wait(
		&self,
		mut progress: TransactionProgress<EhrConfig, OnlineClientAtBlockImpl<EhrConfig>>,
		wait: Wait,
		call: String,
	) -> Result<Included, ChainError> {
		// Once the transaction was in a block, a later "dropped" or "invalid" does not mean it
		// was refused: it may have run.
		let mut seen_in: Option<H256> = None;
		while let Some(status) = progress.next().await {
			let in_block = match status? {
				TransactionStatus::InBestBlock(b) if wait == Wait::InBlock => b,
				TransactionStatus::InBestBlock(b) => {
					seen_in = Some(b.block_hash());
					continue;
				}
				TransactionStatus::InFinalizedBlock(b) => b,
				TransactionStatus::Invalid { message }
				| TransactionStatus::Dropped { message }
				| TransactionStatus::Error { message } => {
					return Err(match seen_in {
						Some(block_hash) => ChainError::Uncertain { block_hash, reason: message },
						None => ChainError::Rejected(Rejection::from_message(&message)),
					})
				}
				_ => continue,
			};
			let at = in_block.at().await?;
			let events = match in_block.wait_for_success().await {
				Ok(events) => events,
				Err(subxt::error::TransactionEventsError::ExtrinsicFailed(e)) => {
					return Err(ChainError::Dispatch(dispatch_failure(&e)))
				}
				Err(e) => return Err(e.into()),
			};
			return Ok(Included {
				block_hash: in_block.block_hash(),
				block_number: at.block_number(),
				extrinsic_hash: in_block.extrinsic_hash(),
				call,
				events,
			});
		}
		Err(subxt::error::TransactionProgressError::UnexpectedEndOfTransactionStatusStream.into())
	}

	/// The chain's clock (`Timestamp::Now`, milliseconds since the Unix epoch) at the best
	/// block.
	pub async fn now_ms(&self) -> Result<u64, ChainError> {
		let at = self.best().await?;
		Ok(at.storage().fetch(runtime::storage().timestamp().now(), ()).await?.decode()?)
	}

	/// Waits until the chain's clock at the best block has passed `ms`.
	pub async fn wait_until(&self, ms: u64) -> Result<(), ChainError> {
		while self.now_ms().await? < ms {
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		Ok(())
	}
}

/// Reads the storage entry `addr` under `keys` at `at`; `None` if it is absent.
pub async fn read<A>(at: &At, addr: A, keys: A::KeyParts) -> Result<Option<A::Value>, ChainError>
where
	A: subxt::storage::Address,
	A::Value: subxt::ext::scale_decode::DecodeAsType,
{
	Ok(match at.storage().try_fetch(addr, keys).await? {
		Some(value) => Some(value.decode()?),
		None => None,
	})
}

/// The pallet error of a call dispatched inside another (e.g. by `Sudo`), as the generated
/// `DispatchError` type holds it, with its documentation from the metadata at `at`.
pub fn inner_failure(
	at: &At,
	e: &runtime::generated::runtime_types::sp_runtime::DispatchError,
) -> DispatchFailure {
	use runtime::generated::runtime_types::sp_runtime::DispatchError;
	let DispatchError::Module(m) = e else {
		return DispatchFailure {
			pallet: "System".into(),
			error: format!("{e:?}"),
			doc: String::new(),
		};
	};
	let metadata = at.metadata();
	let pallet = metadata.pallet_by_error_index(m.index);
	let variant = pallet.as_ref().and_then(|p| p.error_variant_by_index(m.error[0]));
	match (pallet, variant) {
		(Some(p), Some(v)) => DispatchFailure {
			pallet: p.name().to_owned(),
			error: v.name.clone(),
			doc: v.docs.join(" ").trim().to_owned(),
		},
		_ => DispatchFailure {
			pallet: format!("pallet #{}", m.index),
			error: format!("error #{}", m.error[0]),
			doc: String::new(),
		},
	}
}

/// The pallet error of a failed dispatch, with its documentation from the chain's metadata.
pub fn dispatch_failure(e: &subxt::error::DispatchError) -> DispatchFailure {
	use subxt::error::DispatchError;
	match e {
		DispatchError::Module(m) => match m.details() {
			Ok(d) => DispatchFailure {
				pallet: d.pallet.name().to_owned(),
				error: d.variant.name.clone(),
				doc: d.variant.docs.join(" ").trim().to_owned(),
			},
			Err(_) => DispatchFailure {
				pallet: format!("pallet #{}", m.pallet_index()),
				error: format!("error #{}", m.error_index()),
				doc: String::new(),
			},
		},
		other => DispatchFailure {
			pallet: "System".into(),
			error: format!("{other:?}"),
			doc: other.to_string(),
		},
	}
}
