//! Database read and write costs of ParityDb, the node's database.

/// Costs of reading and writing a storage item in ParityDb, as measured by Substrate's storage
/// benchmark on reference hardware (`frame_support::weights::constants::ParityDbWeight`).
pub use frame_support::weights::constants::ParityDbWeight as DbWeight;
