//! Client library of the EHR consortium chain: everything a wallet needs.
//!
//! - [`crypto`]: identities (an ed25519 or sr25519 signing key + an X25519 key from one BIP-39
//!   phrase), chunked payload encryption, HPKE key capsules to patients, custody capsules to
//!   the consortium's threshold key.
//! - [`keystore`]: identities at rest, encrypted with a password (argon2id + ChaCha20-Poly1305).
//! - [`store`]: content-addressed payload stores (an embedded on-disk store with Kubo-identical
//!   CIDs, and the Kubo HTTP RPC API), CAR export and import.
//! - [`chain`]: a typed connection to a node (subxt, generated from the runtime's metadata):
//!   submit signed calls, wait for inclusion or finality, read storage and runtime APIs.
//! - [`custodian`]: a custodian's share file and the computation of a sealed key share for an
//!   access request (the node's custodian service runs it).
//! - [`consortium`], [`records`], [`grants`], [`audit`]: the project's pallets through
//!   [`chain`]: administration and onboarding; record registration; grants, requests, key
//!   releases and emergencies; the audit events of a block and the audit index.
//! - [`fhir`]: grants as FHIR R4 `Consent` and accesses as `AuditEvent` resources.
//! - [`read`]: the read path: request a record's key, collect and verify the custodians'
//!   shares, fetch and decrypt.
//!
//! The library never prints; every fallible call returns a module error that converts into
//! [`Error`].
#![deny(missing_docs)]

pub mod audit;
pub mod chain;
pub mod consortium;
pub mod crypto;
pub mod custodian;
pub mod dev;
mod error;
pub mod fhir;
pub mod grants;
mod hash;
pub mod keystore;
pub mod read;
pub mod records;
pub mod store;
pub mod upload;

pub use error::{Error, Result};
