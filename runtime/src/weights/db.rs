//! Database read and write costs of ParityDb, the node's database.

/// Costs of reading and writing a storage item in ParityDb, as measured on this chain's
/// benchmark state by `ehr-node benchmark storage` (`scripts/bench-weights.sh`).
pub use super::paritydb_weights::constants::ParityDbWeight as DbWeight;
