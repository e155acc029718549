//! `ehr-metadata [FILE]`: writes the runtime's metadata to FILE (default: the checked-in
//! `ehr.scale` that `ehr-client` is generated from).

use std::process::ExitCode;

fn main() -> ExitCode {
	let path =
		std::env::args_os().nth(1).map(Into::into).unwrap_or_else(ehr_metadata::checked_in_path);
	let bytes = ehr_metadata::current();
	match std::fs::write(&path, &bytes) {
		Ok(()) => {
			println!(
				"wrote {} bytes of metadata V{} to {}",
				bytes.len(),
				ehr_metadata::VERSION,
				path.display()
			);
			ExitCode::SUCCESS
		}
		Err(e) => {
			eprintln!("Error: cannot write {}: {e}", path.display());
			ExitCode::FAILURE
		}
	}
}
