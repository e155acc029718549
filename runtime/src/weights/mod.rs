//! Weights of the runtime: database costs and block execution overheads.

pub mod db;
