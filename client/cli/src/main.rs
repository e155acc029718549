//! `ehr`: the wallet of the EHR consortium chain. A thin layer over `ehr-client`: it parses
//! the command line, calls the library and prints; every error ends the process with one
//! sentence that says what was wrong and how to fix it, and a non-zero exit code.

mod cmd;
mod config;
mod context;
mod progress;
mod stores;

use clap::{Parser, Subcommand};

use crate::context::Global;

/// The wallet of the EHR consortium chain.
#[derive(Parser)]
#[command(name = "ehr", version, about, propagate_version = true)]
struct Cli {
	#[command(flatten)]
	global: Global,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Your accounts: create, import, show; answer an invitation.
	#[command(subcommand)]
	Account(cmd::account::AccountCmd),
	/// Invite a patient (as a manager of a hospital, or as governance).
	#[command(subcommand)]
	Patient(cmd::onboard::InviteCmd),
	/// Invite a staff member (as a manager of a hospital, or as governance).
	#[command(subcommand)]
	Staff(cmd::onboard::InviteCmd),
	/// Organisations (hospitals): add, suspend, re-activate (governance), show.
	#[command(subcommand)]
	Org(cmd::org::OrgCmd),
	/// Members of a hospital: add, remove; freeze, re-activate or deregister an account (a
	/// manager for its staff, or governance).
	#[command(subcommand)]
	Member(cmd::onboard::StatusCmd),
	/// Records: put a file (encrypt, store, register), list, show, get.
	#[command(subcommand)]
	Record(cmd::record::RecordCmd),
	/// Grants: give access to your records for a purpose and a period, list, revoke.
	#[command(subcommand)]
	Grant(cmd::grant::GrantCmd),
	/// Emergency (break-glass) access: open, review.
	#[command(subcommand)]
	Emergency(cmd::emergency::EmergencyCmd),
	/// The audit trail of the finalized chain, from a local index: log, follow, export as
	/// FHIR.
	#[command(subcommand)]
	Audit(cmd::audit::AuditCmd),
}

fn main() {
	// The configuration file fills in the variables that are not set, before any thread
	// starts (setting the environment is only sound while the process has one thread).
	match config::settings() {
		Ok(settings) => {
			for (var, value) in settings {
				std::env::set_var(var, value);
			}
		}
		Err(e) => {
			eprintln!("error: {}", context::sentence(&e));
			std::process::exit(1);
		}
	}
	let cli = Cli::parse();
	if cli.global.verbose > 0 {
		let level = if cli.global.verbose > 1 { "debug" } else { "info" };
		let filter = tracing_subscriber::EnvFilter::try_from_default_env()
			.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
		tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
	}
	let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
		Ok(runtime) => runtime,
		Err(e) => {
			eprintln!("error: cannot start the async runtime: {e}");
			std::process::exit(1);
		}
	};
	if let Err(e) = runtime.block_on(run(cli)) {
		eprintln!("error: {}", context::sentence(&e));
		std::process::exit(1);
	}
}

async fn run(cli: Cli) -> anyhow::Result<()> {
	match cli.command {
		Command::Account(c) => cmd::account::run(&cli.global, c).await,
		Command::Patient(c) => {
			cmd::onboard::invite(&cli.global, c, cmd::onboard::Kind::Patient).await
		}
		Command::Staff(c) => cmd::onboard::invite(&cli.global, c, cmd::onboard::Kind::Staff).await,
		Command::Org(c) => cmd::org::run(&cli.global, c).await,
		Command::Member(c) => cmd::onboard::status(&cli.global, c).await,
		Command::Record(c) => cmd::record::run(&cli.global, c).await,
		Command::Grant(c) => cmd::grant::run(&cli.global, c).await,
		Command::Emergency(c) => cmd::emergency::run(&cli.global, c).await,
		Command::Audit(c) => cmd::audit::run(&cli.global, c).await,
	}
}
