//! Storage migrations of the records pallet, one module per storage version.

pub mod v1;
