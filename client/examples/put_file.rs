//! Encrypts a file and stores it in the embedded store, streaming: memory stays flat whatever
//! the file size (used by scripts/bench-client.sh to measure peak RSS).
//!
//! `cargo run --release -p ehr-client --example put_file -- <file> <store-dir>`

use std::time::Instant;

use ehr_client::{
	crypto::{payload, DataKey},
	store::{embedded::EmbeddedStore, PayloadStore},
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
	let mut args = std::env::args().skip(1);
	let (Some(file), Some(dir)) = (args.next(), args.next()) else {
		eprintln!("usage: put_file <file> <store-dir>");
		std::process::exit(2);
	};
	let store = EmbeddedStore::open(&dir)?;
	let key = DataKey::generate();
	let started = Instant::now();
	let input = tokio::fs::File::open(&file).await?;
	let size = input.metadata().await?.len();
	// Encrypt into one end of an in-memory pipe while the store reads the other end.
	let (tx, mut rx) = tokio::io::duplex(256 * 1024);
	let encrypt = payload::encrypt_async(&key, b"example-record", input, tx);
	let (sealed, cid) = tokio::join!(encrypt, store.put(&mut rx));
	let (sealed, cid) = (sealed?, cid?);
	let secs = started.elapsed().as_secs_f64();
	println!(
		"{cid} plaintext {size} B, stored {sealed} B in {secs:.2} s ({:.0} MiB/s)",
		size as f64 / secs / (1 << 20) as f64
	);
	Ok(())
}
