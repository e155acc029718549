//! Storage migrations of the consortium pallet, one module per storage version.

pub mod v1;
