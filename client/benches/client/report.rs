//! The bench's closing table: each figure from criterion's estimates of this run, next to the
//! references measured here (raw AES-256-GCM of the same backend, `openssl speed`, `sha256sum`
//! of the same bytes), with the ratio and the target it is held to.

use std::{
	path::{Path, PathBuf},
	process::Command,
	time::{Instant, SystemTime},
};

const GIB: f64 = (1u64 << 30) as f64;
const MIB: f64 = (1u64 << 20) as f64;

/// Where criterion keeps its results, looked up the way criterion does.
fn criterion_home() -> PathBuf {
	if let Some(home) = std::env::var_os("CRITERION_HOME") {
		return home.into();
	}
	if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
		return PathBuf::from(target).join("criterion");
	}
	std::env::var_os("CARGO")
		.and_then(|cargo| {
			Command::new(cargo)
				.args(["metadata", "--format-version", "1", "--no-deps"])
				.output()
				.ok()
		})
		.and_then(|out| serde_json::from_slice::<serde_json::Value>(&out.stdout).ok())
		.and_then(|meta| meta["target_directory"].as_str().map(PathBuf::from))
		.map_or_else(|| "target/criterion".into(), |target| target.join("criterion"))
}

/// Mean seconds per iteration of benchmark `id` (e.g. `payload/encrypt/16384`), if it ran
/// after `since` (a filtered run leaves older results behind).
fn mean_seconds(home: &Path, id: &str, since: SystemTime) -> Option<f64> {
	let path = home.join(id).join("new/estimates.json");
	if std::fs::metadata(&path).ok()?.modified().ok()? < since {
		return None;
	}
	let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
	Some(estimates["mean"]["point_estimate"].as_f64()? / 1e9)
}

/// `openssl speed -evp aes-256-gcm` on blocks of `size` bytes, in bytes per second.
fn openssl_aes_gcm(size: usize) -> Option<f64> {
	let out = Command::new("openssl")
		.args(["speed", "-evp", "aes-256-gcm", "-bytes", &size.to_string(), "-seconds", "2"])
		.output()
		.ok()?;
	let text = String::from_utf8_lossy(&out.stdout);
	let line = text.lines().rev().find(|l| l.to_ascii_lowercase().starts_with("aes-256-gcm"))?;
	let thousands: f64 = line.split_whitespace().last()?.strip_suffix('k')?.parse().ok()?;
	Some(thousands * 1000.0)
}

/// `sha256sum` of `data` written to a file, page cache warm: the best of three runs, in bytes
/// per second.
fn sha256sum_rate(data: &[u8]) -> Option<f64> {
	let dir = tempfile::tempdir().ok()?;
	let path = dir.path().join("data");
	std::fs::write(&path, data).ok()?;
	let once = || {
		let start = Instant::now();
		let ok = Command::new("sha256sum").arg(&path).output().ok()?.status.success();
		ok.then(|| data.len() as f64 / start.elapsed().as_secs_f64())
	};
	(0..3).filter_map(|_| once()).reduce(f64::max)
}

/// One line of the table; `target` is the target's text and whether it is met, if any.
fn row(what: &str, figure: &str, reference: &str, target: Option<(&str, bool)>) {
	let target = match target {
		Some((text, true)) => format!("target {text}: met"),
		Some((text, false)) => format!("target {text}: MISSED"),
		None => String::new(),
	};
	let line = format!("report: {what:<26} {figure:>12}  {reference:<58} {target}");
	println!("{}", line.trim_end());
}

/// Prints the table for the benchmarks that ran after `since`; `store_data` are the bytes the
/// embedded store benchmark stored.
pub fn print(since: SystemTime, store_data: &[u8]) {
	let home = criterion_home();
	let seconds = |id: &str| mean_seconds(&home, id, since);
	println!("\nreport: figures of this run (criterion means) and references measured just now");

	for (size, label) in [(16usize << 10, "16 KiB"), (1 << 20, "1 MiB")] {
		let raw = seconds(&format!("payload/raw_aes256gcm/{size}")).map(|s| size as f64 / s);
		let openssl =
			seconds(&format!("payload/encrypt/{size}")).and_then(|_| openssl_aes_gcm(size));
		for op in ["encrypt", "decrypt"] {
			let Some(s) = seconds(&format!("payload/{op}/{size}")) else { continue };
			let rate = size as f64 / s;
			let mut reference = raw.map_or(String::new(), |raw| {
				format!("{:.2} x raw aes-gcm ({:.2} GiB/s)", rate / raw, raw / GIB)
			});
			if let Some(openssl) = openssl {
				reference +=
					&format!(", {:.2} x openssl ({:.2} GiB/s)", rate / openssl, openssl / GIB);
			}
			row(
				&format!("payload {op} {label}"),
				&format!("{:.2} GiB/s", rate / GIB),
				&reference,
				Some((">= 0.8 x openssl", openssl.is_some_and(|o| rate >= 0.8 * o))),
			);
		}
	}

	for (id, what, limit_us) in [
		("capsule/hpke_wrap", "HPKE wrap", Some(100.0)),
		("capsule/hpke_unwrap", "HPKE unwrap", Some(100.0)),
		("capsule/custody_release_share", "custody share release", None),
		("capsule/custody_combine_3_of_5", "combine 3 of 5 shares", Some(1000.0)),
	] {
		if let Some(s) = seconds(id) {
			let us = s * 1e6;
			let target = limit_us.map(|limit| (format!("<= {limit} us"), us <= limit));
			let target = target.as_ref().map(|(text, met)| (text.as_str(), *met));
			row(what, &format!("{us:.0} us"), "", target);
		}
	}

	let store = [("embedded put", "put_100MiB"), ("embedded get", "get_100MiB")]
		.map(|(what, id)| (what, seconds(&format!("embedded_store/{id}"))));
	if store.iter().any(|(_, s)| s.is_some()) {
		let sha = sha256sum_rate(store_data);
		let mib = store_data.len() >> 20;
		for (what, s) in store {
			let Some(s) = s else { continue };
			let rate = store_data.len() as f64 / s;
			let reference = sha.map_or("sha256sum not available".into(), |sha| {
				format!("{:.2} x sha256sum of the same file ({:.0} MiB/s)", rate / sha, sha / MIB)
			});
			let met = sha.is_some_and(|sha| rate >= 0.5 * sha);
			row(
				&format!("{what} {mib} MiB"),
				&format!("{:.0} MiB/s", rate / MIB),
				&reference,
				Some((">= 0.5 x sha256sum", met)),
			);
		}
	}
}
