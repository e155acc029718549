//! Dispatches the command line to the node service or to a maintenance command.

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};
use ehr_runtime::opaque::Block;
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;
use std::net::{SocketAddr, TcpListener};

/// Chain names `--chain` accepts besides a path to a chain spec file.
const KNOWN_CHAINS: &str =
	"`dev` (or --dev), `local`, `bench` or `bench-N`, or the path of a chain spec JSON file";

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"EHR Consortium Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/ehr-consortium/ehr-chain/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		Ok(match id {
			"dev" => Box::new(chain_spec::development()?),
			"" | "local" => Box::new(chain_spec::local_testnet()?),
			"bench" => Box::new(chain_spec::bench(ehr_client::dev::BENCH_ACCOUNTS)?),
			path => {
				let file = std::path::PathBuf::from(path);
				if !file.exists() {
					if let Some(Ok(n)) = path.strip_prefix("bench-").map(str::parse::<u32>) {
						return Ok(Box::new(chain_spec::bench(n)?));
					}
					return Err(format!("unknown chain `{path}`: use {KNOWN_CHAINS}"));
				}
				Box::new(chain_spec::ChainSpec::from_json_file(file).map_err(|e| {
					format!("cannot read the chain spec `{path}`: {e}; use {KNOWN_CHAINS}")
				})?)
			}
		})
	}
}

/// Runs the command line.
pub fn run() -> sc_cli::Result<()> {
	let cli = Cli::from_args();

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::Custody(crate::custody::CustodyCmd::Keygen(cmd))) => {
			let said = cmd.run().map_err(sc_cli::Error::Input)?;
			println!("{said}");
			Ok(())
		}
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		}
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		}
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		}
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		}
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		}
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		}
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config)?;
				let aux_revert = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		}
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		}
		#[cfg(feature = "runtime-benchmarks")]
		Some(Subcommand::Benchmark(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| {
				use crate::benchmarking::{inherent_data, TxBuilder};
				use frame_benchmarking_cli::{BenchmarkCmd, ExtrinsicFactory};
				match cmd {
					BenchmarkCmd::Pallet(cmd) => cmd
						.run_with_spec::<sp_runtime::traits::HashingFor<Block>, ()>(Some(
							config.chain_spec,
						)),
					BenchmarkCmd::Storage(cmd) => {
						let PartialComponents { client, backend, .. } =
							service::new_partial(&config)?;
						let (db, storage) = (backend.expose_db(), backend.expose_storage());
						let cache = backend.expose_shared_trie_cache();
						cmd.run(config, client, db, storage, cache)
					}
					BenchmarkCmd::Overhead(cmd) => {
						let PartialComponents { client, .. } = service::new_partial(&config)?;
						let signers = chain_spec::bench_accounts(&*config.chain_spec)?;
						let remark = TxBuilder::all(&client, signers).swap_remove(0);
						let name = config.chain_spec.name().to_owned();
						cmd.run(name, client, inherent_data()?, Vec::new(), &remark, false)
					}
					BenchmarkCmd::Extrinsic(cmd) => {
						let PartialComponents { client, .. } = service::new_partial(&config)?;
						let signers = chain_spec::bench_accounts(&*config.chain_spec)?;
						let builders = TxBuilder::all(&client, signers)
							.into_iter()
							.map(|b| {
								Box::new(b) as Box<dyn frame_benchmarking_cli::ExtrinsicBuilder>
							})
							.collect();
						cmd.run(client, inherent_data()?, Vec::new(), &ExtrinsicFactory(builders))
					}
					_ => {
						Err("this node supports `benchmark pallet|storage|overhead|extrinsic`"
							.into())
					}
				}
			})
		}
		None => {
			let runner = cli.create_runner(&cli.run)?;
			let custodian = cli.custodian.clone();
			runner.run_node_until_exit(|config| async move {
				ensure_rpc_ports_free(&config)?;
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
						sc_network::NetworkWorker<
							Block,
							<Block as sp_runtime::traits::Block>::Hash,
						>,
					>(config, custodian)
					.map_err(sc_cli::Error::Service),
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(config, custodian)
							.map_err(sc_cli::Error::Service)
					}
				}
			})
		}
	}
}

/// Fails when an RPC address is taken. Substrate would otherwise move the RPC server to a
/// random port, and clients configured for the requested one would find nothing there.
fn ensure_rpc_ports_free(config: &sc_service::Configuration) -> sc_cli::Result<()> {
	let addrs: Vec<SocketAddr> = match &config.rpc.addr {
		Some(endpoints) => {
			endpoints.iter().filter(|e| !e.is_optional).map(|e| e.listen_addr).collect()
		}
		None => vec![SocketAddr::from(([127, 0, 0, 1], config.rpc.port))],
	};
	for addr in addrs.into_iter().filter(|a| a.port() != 0) {
		TcpListener::bind(addr)
			.map_err(|e| sc_cli::Error::Input(format!("cannot listen for RPC on {addr}: {e}")))?;
	}
	Ok(())
}

/// One line that says what went wrong and what to do about it.
pub fn explain(error: &sc_cli::Error) -> String {
	let text = error.to_string().replace('\n', " ");
	let debug = format!("{error:?}");
	const HINTS: &[(&[&str], &str)] = &[
		(
			&["AddrInUse", "in use"],
			"another process listens on that port: pick free ones with --rpc-port and --port",
		),
		(
			&[
				"PermissionDenied",
				"ermission denied",
				"Not a directory",
				"NotADirectory",
				"Read-only",
			],
			"the base path cannot be written: choose another one with --base-path",
		),
	];
	let hint = HINTS
		.iter()
		.find(|(needles, _)| needles.iter().any(|n| debug.contains(n) || text.contains(n)))
		.map(|(_, hint)| *hint);
	match hint {
		Some(hint) => format!("{text} ({hint})"),
		None => text,
	}
}
