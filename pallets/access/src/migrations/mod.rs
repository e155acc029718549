//! Storage migrations of the access pallet, one module per storage version.

pub mod v1;
