//! Cross-checks against a real IPFS daemon (js-ipfs 0.66, Kubo RPC API): CIDs, CAR import and
//! export, and the Kubo backend. Fails, with the fix, if the daemon is not installed.

mod common;

use std::time::Duration;

use common::{ipfs::Daemon, random_bytes};
use ehr_client::store::{
	embedded::EmbeddedStore,
	kubo::{KuboConfig, KuboStore},
	unixfs, PayloadStore, StoreError,
};

const ADD_OPTS: &str = "cid-version=1&raw-leaves=true&cid-base=base32";

async fn check_cids(daemon: &Daemon, sizes: &[usize]) {
	let dir = tempfile::tempdir().unwrap();
	let store = EmbeddedStore::open(dir.path()).unwrap();
	for &n in sizes {
		let data = random_bytes(n, n as u64);
		let ours = store.put(&mut &data[..]).await.unwrap();
		let theirs = daemon.add(data, ADD_OPTS).await;
		assert_eq!(ours.to_string(), theirs, "CID of {n} random bytes");
	}
}

#[tokio::test]
async fn cids_equal_the_daemons() {
	let daemon = Daemon::start();
	assert_eq!(
		daemon.add(b"hello world\n".to_vec(), ADD_OPTS).await,
		"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"
	);
	assert_eq!(daemon.add(Vec::new(), ADD_OPTS).await, unixfs::file_cid(b"").to_string());
	check_cids(&daemon, &[1024, 262_144, 262_145, 10 << 20]).await;
}

/// Trees of two and three levels (more than 174 leaves), and 100 MiB: about 30 s in debug.
#[tokio::test]
async fn cids_of_large_files_equal_the_daemons() {
	let daemon = Daemon::start();
	check_cids(&daemon, &[174 * 262_144, 174 * 262_144 + 1, 100 << 20]).await;
}

#[tokio::test]
async fn embedded_car_imports_into_the_daemon() {
	let daemon = Daemon::start();
	let dir = tempfile::tempdir().unwrap();
	let store = EmbeddedStore::open(dir.path()).unwrap();
	let data = random_bytes(3 * 262_144 + 1000, 77);
	let cid = store.put(&mut &data[..]).await.unwrap();
	let mut car = Vec::new();
	store.export_car(&cid, &mut car).await.unwrap();

	let kubo =
		KuboStore::new(KuboConfig { address: daemon.address(), ..Default::default() }).unwrap();
	let answer = kubo.import_car(car).await.unwrap();
	assert!(answer.contains(&cid.to_string()), "dag/import answered {answer}");
	let mut out = Vec::new();
	kubo.get(&cid, &mut out).await.unwrap();
	assert_eq!(out, data);

	// And back: the daemon's export imports into a fresh embedded store.
	let mut car = Vec::new();
	kubo.export_car(&cid, &mut car).await.unwrap();
	let other = tempfile::tempdir().unwrap();
	let fresh = EmbeddedStore::open(other.path()).unwrap();
	assert_eq!(fresh.import_car(&mut &car[..]).await.unwrap(), vec![cid]);
	let mut out = Vec::new();
	fresh.get(&cid, &mut out).await.unwrap();
	assert_eq!(out, data);
}

#[tokio::test]
async fn kubo_backend_round_trip() {
	let daemon = Daemon::start();
	let kubo = KuboStore::new(KuboConfig {
		address: daemon.address(),
		timeout: Duration::from_secs(3),
		..Default::default()
	})
	.unwrap();
	assert!(!kubo.version().await.unwrap().is_empty());
	for (i, n) in [0usize, 5, 262_144, 700_000].into_iter().enumerate() {
		let data = random_bytes(n, 100 + i as u64);
		let cid = kubo.put(&mut &data[..]).await.unwrap();
		assert_eq!(cid, unixfs::file_cid(&data));
		assert!(kubo.has(&cid).await.unwrap());
		let mut out = Vec::new();
		assert_eq!(kubo.get(&cid, &mut out).await.unwrap(), n as u64);
		assert_eq!(out, data);
		kubo.pin(&cid).await.unwrap();
		kubo.unpin(&cid).await.unwrap();
	}
	let file = tempfile::NamedTempFile::new().unwrap();
	let data = random_bytes(300_000, 5);
	std::fs::write(file.path(), &data).unwrap();
	assert_eq!(kubo.put_file(file.path()).await.unwrap(), unixfs::file_cid(&data));

	// A CID the offline daemon does not have: no hang, a clear answer.
	let missing = unixfs::file_cid(b"nobody added this");
	let started = std::time::Instant::now();
	assert!(!kubo.has(&missing).await.unwrap());
	let err = kubo.get(&missing, &mut Vec::new()).await.unwrap_err();
	assert!(matches!(err, StoreError::Daemon { .. } | StoreError::Timeout { .. }), "{err}");
	assert!(started.elapsed() < Duration::from_secs(20));
}
