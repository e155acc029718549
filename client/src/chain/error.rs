//! Why a chain operation failed, in words a user can act on.

use core::fmt;

/// `InvalidTransaction::Custom` code of the consortium's `CheckRegistered` extension: the
/// signer is not a registered account.
pub const INVALID_NOT_REGISTERED: u8 = 170;
/// `InvalidTransaction::Custom` code of `CheckRegistered`: the signer exceeded its rate limit.
pub const INVALID_RATE_LIMITED: u8 = 171;
/// `InvalidTransaction::Custom` code of `CheckRegistered`: the signer's account is frozen.
pub const INVALID_ACCOUNT_FROZEN: u8 = 172;
/// `InvalidTransaction::Custom` code of `CheckRegistered`: the signer's account is
/// deregistered.
pub const INVALID_ACCOUNT_DEREGISTERED: u8 = 173;

/// A call that the chain ran and refused: the pallet error, with the sentence the pallet
/// documents for it (why it happens and how to avoid it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DispatchFailure {
	/// The pallet, as the runtime names it (e.g. `Access`).
	pub pallet: String,
	/// The error variant (e.g. `GrantExpired`).
	pub error: String,
	/// The error's documentation (e.g. "The grant's period is over. Ask the patient to renew
	/// it."); empty for errors outside a pallet (e.g. `BadOrigin`).
	pub doc: String,
}

impl fmt::Display for DispatchFailure {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		if self.doc.is_empty() {
			write!(f, "the chain refused the call: {}.{}", self.pallet, self.error)
		} else {
			write!(f, "{} ({}.{})", self.doc, self.pallet, self.error)
		}
	}
}

/// Why the node refused a transaction before it reached a block.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
	/// The signer is not registered on this chain (only registered accounts transact).
	NotRegistered,
	/// The signer sent too many transactions in the current rate window.
	RateLimited,
	/// The signer's account is frozen.
	Frozen,
	/// The signer's account is deregistered, for good.
	Deregistered,
	/// The node refused these very bytes a while ago (it bans a transaction it found invalid,
	/// for 30 minutes by default).
	Banned,
	/// Another reason, as the node gave it.
	Other(String),
}

impl fmt::Display for Rejection {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Rejection::NotRegistered => f.write_str(
				"the signing account is not registered on this chain; ask a manager of a member \
				 hospital to invite it, then accept the invitation",
			),
			Rejection::RateLimited => f.write_str(
				"the signing account sent too many transactions in the current rate window; \
				 retry in a few blocks",
			),
			Rejection::Banned => f.write_str(
				"the node refused this same signed transaction a short while ago and will not \
				 look at it again for now; sign it again (the wallet does for every command) \
				 and submit that",
			),
			Rejection::Frozen => f.write_str(
				"the signing account is frozen; ask a manager of the hospital that onboarded it, \
				 or the consortium's governance, to re-activate it",
			),
			Rejection::Deregistered => f.write_str(
				"the signing account is deregistered and can no longer transact; use a new \
				 account",
			),
			Rejection::Other(reason) => write!(f, "the node refused the transaction: {reason}"),
		}
	}
}

impl Rejection {
	/// Classifies the node's message about an invalid transaction (the pool reports its
	/// reason as text, e.g. `Custom error: 170`).
	pub fn from_message(message: &str) -> Rejection {
		let lower = message.to_ascii_lowercase();
		let custom = lower
			.split("custom error: ")
			.nth(1)
			.and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
			.and_then(|code| code.parse::<u8>().ok());
		if lower.contains("temporarily banned") {
			return Rejection::Banned;
		}
		match custom {
			Some(INVALID_NOT_REGISTERED) => Rejection::NotRegistered,
			Some(INVALID_RATE_LIMITED) => Rejection::RateLimited,
			Some(INVALID_ACCOUNT_FROZEN) => Rejection::Frozen,
			Some(INVALID_ACCOUNT_DEREGISTERED) => Rejection::Deregistered,
			_ => Rejection::Other(message.to_owned()),
		}
	}
}

/// Why a chain operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
	/// The node could not be reached.
	#[error("cannot reach the node at {url}: {reason}; check that it is running and the URL")]
	Connect {
		/// The node's URL.
		url: String,
		/// What the connection attempt reported.
		reason: String,
	},
	/// The chain ran the call and refused it.
	#[error("{0}")]
	Dispatch(DispatchFailure),
	/// The node refused the transaction before it reached a block.
	#[error("{0}")]
	Rejected(Rejection),
	/// The transaction was in a block of the best chain, but then left the node's view before
	/// the wait ended (the block was not finalized in time or was reorganised away): it may
	/// or may not take effect. Look at the block before submitting again, or the call may
	/// happen twice.
	#[error(
		"the transaction was included in block {block_hash:?} but its outcome is not final 		 ({reason}); check that block before submitting it again"
	)]
	Uncertain {
		/// The block it was seen in.
		block_hash: subxt::utils::H256,
		/// What the node said.
		reason: String,
	},
	/// The call succeeded but did not emit the event it emits on success (a client and
	/// runtime mismatch).
	#[error(
		"{call} succeeded but emitted no {event} event; is the client built for this runtime?"
	)]
	MissingEvent {
		/// The call, as `Pallet.call`.
		call: String,
		/// The event expected.
		event: String,
	},
	/// The chain holds no such item.
	#[error("no {what} #{id} on chain")]
	NotFound {
		/// What was looked up (e.g. `record`).
		what: &'static str,
		/// Its id.
		id: u64,
	},
	/// The chain's metadata does not match the client's generated types.
	#[error(
		"this client was built for another runtime version ({0}); update the client or the node"
	)]
	Incompatible(String),
	/// Another error of the chain client (RPC, decoding).
	#[error("chain client: {0}")]
	Client(Box<subxt::Error>),
}

impl ChainError {
	/// The pallet error, if the chain ran the call and refused it.
	pub fn dispatch(&self) -> Option<&DispatchFailure> {
		match self {
			ChainError::Dispatch(d) => Some(d),
			_ => None,
		}
	}

	/// Whether this is the pallet error `error` (e.g. `"GrantExpired"`).
	pub fn is(&self, error: &str) -> bool {
		self.dispatch().is_some_and(|d| d.error == error)
	}
}

impl From<subxt::Error> for ChainError {
	fn from(e: subxt::Error) -> Self {
		let text = e.to_string();
		if text.contains("not compatible with the live chain") {
			return ChainError::Incompatible(text);
		}
		if text.contains("The transaction is not valid") || text.contains("Invalid Transaction") {
			return ChainError::Rejected(Rejection::from_message(&text));
		}
		ChainError::Client(Box::new(e))
	}
}

/// Every error of subxt's that the chain module meets goes through [`subxt::Error`].
macro_rules! from_subxt {
	($($t:ident),* $(,)?) => {$(
		impl From<subxt::error::$t> for ChainError {
			fn from(e: subxt::error::$t) -> Self {
				subxt::Error::from(e).into()
			}
		}
	)*};
}

from_subxt!(
	OnlineClientError,
	OnlineClientAtBlockError,
	ExtrinsicError,
	TransactionProgressError,
	TransactionEventsError,
	StorageError,
	RuntimeApiError,
	EventsError,
	BlocksError,
	BlockError,
	StorageValueError,
);

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn pool_messages_are_classified() {
		let node = "Transaction is invalid: Invalid Transaction (1010): Custom error: 170";
		assert_eq!(Rejection::from_message(node), Rejection::NotRegistered);
		assert_eq!(Rejection::from_message("custom error: 171 "), Rejection::RateLimited);
		assert_eq!(Rejection::from_message("Transaction is temporarily banned"), Rejection::Banned);
		assert_eq!(Rejection::from_message("Custom error: 172"), Rejection::Frozen);
		assert_eq!(Rejection::from_message("Custom error: 173"), Rejection::Deregistered);
		assert_eq!(
			Rejection::from_message("Transaction is outdated"),
			Rejection::Other("Transaction is outdated".into())
		);
		assert!(Rejection::NotRegistered.to_string().contains("ask a manager"));
	}

	#[test]
	fn a_dispatch_failure_reads_as_its_doc() {
		let f = DispatchFailure {
			pallet: "Access".into(),
			error: "GrantExpired".into(),
			doc: "The grant's period is over. Ask the patient to renew it.".into(),
		};
		assert_eq!(
			f.to_string(),
			"The grant's period is over. Ask the patient to renew it. (Access.GrantExpired)"
		);
		assert!(ChainError::Dispatch(f).is("GrantExpired"));
	}
}
