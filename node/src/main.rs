//! `ehr-node`: validator and RPC node of the EHR consortium chain.
//!
//! The node is thin: command line, service wiring, chain specs built from the runtime's
//! genesis presets, and RPC. All business rules live in the runtime.

#![warn(missing_docs)]
// sc_cli::Error and sc_service::Error are Substrate's types; the node only passes them on.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod custodian;
mod custody;
mod rpc;
mod service;

fn main() {
	if let Err(error) = command::run() {
		eprintln!("Error: {}", command::explain(&error));
		std::process::exit(1);
	}
}
