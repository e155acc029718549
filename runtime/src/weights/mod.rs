//! Weights of the runtime, all measured by `scripts/bench-weights.sh` (`ehr-node benchmark
//! storage|overhead|pallet`); never edit the generated files by hand.
//!
//! - `paritydb_weights.rs`: reading and writing one storage item (re-exported by [`db`]);
//! - `block_weights.rs`, `extrinsic_weights.rs`: an empty block, a no-op transaction;
//! - `frame_system_extensions.rs`: the system's transaction extensions;
//! - `pallet_*.rs`: the project's pallets' calls.

pub mod block_weights;
pub mod db;
pub mod extrinsic_weights;
pub mod frame_system_extensions;
pub mod pallet_access;
pub mod pallet_consortium;
pub mod pallet_records;
// The generated file documents the fields of a struct expression.
#[allow(unused_doc_comments)]
pub mod paritydb_weights;
