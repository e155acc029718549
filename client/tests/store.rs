//! The embedded store: CIDs, round trips, verification, pins, CAR.

mod common;

use common::random_bytes;
use ehr_client::store::{
	embedded::EmbeddedStore, replicas::Failure, unixfs, PayloadStore, StoreError,
};

/// The raw-leaf block files of an embedded store.
fn leaf_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
	let mut leaves = Vec::new();
	for shard in std::fs::read_dir(root.join("blocks")).unwrap() {
		for f in std::fs::read_dir(shard.unwrap().path()).unwrap() {
			let p = f.unwrap().path();
			if p.file_name().unwrap().to_str().unwrap().starts_with("bafkrei") {
				leaves.push(p);
			}
		}
	}
	leaves
}

fn flip_a_byte(path: &std::path::Path) {
	let mut bytes = std::fs::read(path).unwrap();
	bytes[100] ^= 1;
	std::fs::write(path, &bytes).unwrap();
}

#[tokio::test]
async fn known_cids() {
	let dir = tempfile::tempdir().unwrap();
	let store = EmbeddedStore::open(dir.path()).unwrap();
	let cid = store.put(&mut &b"hello world\n"[..]).await.unwrap();
	assert_eq!(cid.to_string(), "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
	let cid = store.put(&mut &b""[..]).await.unwrap();
	assert_eq!(cid.to_string(), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
	let mut out = Vec::new();
	assert_eq!(store.get(&cid, &mut out).await.unwrap(), 0);
}

#[tokio::test]
async fn round_trips() {
	let dir = tempfile::tempdir().unwrap();
	let store = EmbeddedStore::open(dir.path()).unwrap();
	for (i, n) in [1, 1024, 262_144, 262_145, 3 * 262_144 + 5, 10 << 20].into_iter().enumerate() {
		let data = random_bytes(n, i as u64 + 1);
		let cid = store.put(&mut &data[..]).await.unwrap();
		assert_eq!(cid, unixfs::file_cid(&data));
		assert!(store.has(&cid).await.unwrap());
		let mut out = Vec::new();
		assert_eq!(store.get(&cid, &mut out).await.unwrap(), n as u64);
		assert_eq!(out, data);
	}
	assert_eq!(std::fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
}

#[tokio::test]
async fn corrupted_and_missing_blocks_are_reported() {
	let dir = tempfile::tempdir().unwrap();
	let store = EmbeddedStore::open(dir.path()).unwrap();
	let data = random_bytes(600_000, 9);
	let cid = store.put(&mut &data[..]).await.unwrap();
	let leaves = leaf_files(dir.path());
	assert_eq!(leaves.len(), 3);
	flip_a_byte(&leaves[0]);
	let err = store.get(&cid, &mut Vec::new()).await.unwrap_err();
	assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
	std::fs::remove_file(&leaves[0]).unwrap();
	let err = store.get(&cid, &mut Vec::new()).await.unwrap_err();
	assert!(matches!(err, StoreError::NotFound(_)), "{err}");
}

#[tokio::test]
async fn pins() {
	let dir = tempfile::tempdir().unwrap();
	let store = EmbeddedStore::open(dir.path()).unwrap();
	let cid = store.put(&mut &b"pin me"[..]).await.unwrap();
	store.pin(&cid).await.unwrap();
	assert!(dir.path().join("pins").join(cid.to_string()).exists());
	store.unpin(&cid).await.unwrap();
	assert!(!dir.path().join("pins").join(cid.to_string()).exists());
	let missing = unixfs::file_cid(b"never stored");
	assert!(!store.has(&missing).await.unwrap());
	assert!(matches!(store.pin(&missing).await, Err(StoreError::NotFound(_))));
}

#[tokio::test]
async fn car_moves_a_dag_between_stores() {
	let a = tempfile::tempdir().unwrap();
	let b = tempfile::tempdir().unwrap();
	let from = EmbeddedStore::open(a.path()).unwrap();
	let to = EmbeddedStore::open(b.path()).unwrap();
	let data = random_bytes(5 * 262_144 + 17, 4);
	let cid = from.put(&mut &data[..]).await.unwrap();
	let mut car = Vec::new();
	from.export_car(&cid, &mut car).await.unwrap();
	assert_eq!(to.import_car(&mut &car[..]).await.unwrap(), vec![cid]);
	let mut out = Vec::new();
	to.get(&cid, &mut out).await.unwrap();
	assert_eq!(out, data);
	// A modified block in the CAR is refused.
	let mut bad = car.clone();
	let last = bad.len() - 10;
	bad[last] ^= 1;
	let c = tempfile::tempdir().unwrap();
	let err = EmbeddedStore::open(c.path()).unwrap().import_car(&mut &bad[..]).await.unwrap_err();
	assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
}

#[tokio::test]
async fn unreachable_daemon_is_a_clear_error() {
	use ehr_client::store::kubo::{KuboConfig, KuboStore};
	let store = KuboStore::new(KuboConfig {
		address: "127.0.0.1:9".into(),
		retries: 0,
		..Default::default()
	})
	.unwrap();
	let err = store.version().await.unwrap_err();
	assert!(matches!(err, StoreError::Unreachable { .. }), "{err}");
	let err = store.has(&unixfs::file_cid(b"x")).await.unwrap_err();
	assert!(matches!(err, StoreError::Unreachable { .. }), "{err}");
	assert!(err.to_string().contains("127.0.0.1:9"));
}

/// Only a replica that holds other bytes is evidence of tampering: a bad stored block, or a
/// full-length copy whose content does not match its CID; not a copy that stopped short (a
/// daemon that timed out mid-stream) nor a missing or unreachable one.
#[test]
fn only_other_bytes_are_tamper_evidence() {
	let cid = unixfs::cid_of(unixfs::RAW, b"x");
	let failure = |error: StoreError, served: u64| Failure {
		provider: "hospital-a".into(),
		error,
		observed_hash: [0; 32],
		repaired: false,
		served,
	};
	let corrupt = |detail: &str| StoreError::Corrupt { cid, detail: detail.into() };
	assert!(failure(corrupt(unixfs::BAD_BLOCK), 10).is_tamper_evidence(100));
	assert!(failure(corrupt("the daemon's bytes hash to bafk..."), 100).is_tamper_evidence(100));
	assert!(!failure(corrupt("the daemon's bytes hash to bafk..."), 99).is_tamper_evidence(100));
	assert!(!failure(StoreError::NotFound(cid), 0).is_tamper_evidence(100));
	let down =
		StoreError::Unreachable { url: "http://127.0.0.1:1".into(), detail: "refused".into() };
	assert!(!failure(down, 0).is_tamper_evidence(100));
}
