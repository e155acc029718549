//! Client library of the EHR consortium chain: everything a wallet needs that is not the chain.
//!
//! - [`crypto`]: identities (ed25519 + X25519 from one BIP-39 phrase), chunked payload
//!   encryption, HPKE key capsules to patients, custody capsules to the consortium's threshold key.
//! - [`keystore`]: identities at rest, encrypted with a password (argon2id + ChaCha20-Poly1305).
//! - [`store`]: content-addressed payload stores (an embedded on-disk store with Kubo-identical
//!   CIDs, and the Kubo HTTP RPC API), CAR export and import.
//!
//! The library never prints; every fallible call returns a module error that converts into
//! [`Error`].
#![deny(missing_docs)]

pub mod crypto;
pub mod dev;
mod error;
pub mod keystore;
pub mod store;

pub use error::{Error, Result};
