//! Throughput of the client's hot paths, next to references measured in the same run:
//! chunked payload encryption vs one-shot AES-256-GCM of the same backend (ring) and
//! `openssl speed`,
//! HPKE capsules, threshold share combination, the embedded store vs `sha256sum` of the same
//! file. Ends with a table of the figures, their ratios and the targets (`report.rs`).

mod report;

use criterion::{BenchmarkId, Criterion, Throughput};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};

use ehr_client::{
	crypto::{capsule, custody, identity::Identity, payload, DataKey},
	store::{embedded::EmbeddedStore, PayloadStore},
};

fn payload_vs_raw_aes(c: &mut Criterion) {
	let mut g = c.benchmark_group("payload");
	let key = DataKey::generate();
	for size in [16 * 1024, 1024 * 1024] {
		let plain = vec![7u8; size];
		g.throughput(Throughput::Bytes(size as u64));
		g.bench_with_input(BenchmarkId::new("encrypt", size), &plain, |b, p| {
			let mut out = Vec::with_capacity(size + 4096);
			b.iter(|| {
				out.clear();
				payload::encrypt(&key, b"bench", &p[..], &mut out).unwrap()
			})
		});
		let mut sealed = Vec::new();
		payload::encrypt(&key, b"bench", &plain[..], &mut sealed).unwrap();
		g.bench_with_input(BenchmarkId::new("decrypt", size), &sealed, |b, s| {
			let mut out = Vec::with_capacity(size);
			b.iter(|| {
				out.clear();
				payload::decrypt(&key, b"bench", &s[..], &mut out).unwrap()
			})
		});
		let aes = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key.as_bytes()).unwrap());
		g.bench_with_input(BenchmarkId::new("raw_aes256gcm", size), &plain, |b, p| {
			let mut buf = p.clone();
			b.iter(|| {
				let nonce = Nonce::assume_unique_for_key([1; 12]);
				aes.seal_in_place_separate_tag(nonce, Aad::empty(), &mut buf).unwrap()
			})
		});
	}
	g.finish();
}

fn capsules(c: &mut Criterion) {
	let mut g = c.benchmark_group("capsule");
	let patient = Identity::from_seed([5; 32]);
	let dek = DataKey::generate();
	g.bench_function("hpke_wrap", |b| {
		b.iter(|| capsule::seal(&patient.x25519_public(), b"rec", &dek).unwrap())
	});
	let sealed = capsule::seal(&patient.x25519_public(), b"rec", &dek).unwrap();
	g.bench_function("hpke_unwrap", |b| {
		b.iter(|| capsule::open(&patient, b"rec", &sealed).unwrap())
	});

	let dealing = custody::deal(3, 5).unwrap();
	let cc = custody::seal(&dealing.group_key, b"rec", &dek).unwrap();
	let releases: Vec<_> = dealing.shares[..3]
		.iter()
		.map(|s| custody::release_share(s, &dealing.group_key, b"rec", &cc, b"req").unwrap())
		.collect();
	// The custodian's whole step: check the capsule's binding, compute and prove the share.
	g.bench_function("custody_release_share", |b| {
		b.iter(|| {
			custody::release_share(&dealing.shares[0], &dealing.group_key, b"rec", &cc, b"req")
				.unwrap()
		})
	});
	g.bench_function("custody_combine_3_of_5", |b| {
		b.iter(|| {
			custody::combine(
				&dealing.group_key,
				&dealing.verification_keys,
				3,
				b"rec",
				&cc,
				b"req",
				&releases,
			)
			.unwrap()
		})
	});
	g.finish();
}

/// Bytes of the embedded store benchmark.
const STORE_SIZE: usize = 100 << 20;

fn store_data() -> Vec<u8> {
	(0..STORE_SIZE).map(|i: usize| (i.wrapping_mul(2654435761) >> 13) as u8).collect()
}

fn store(c: &mut Criterion, data: &[u8]) {
	let rt = tokio::runtime::Runtime::new().unwrap();
	let mut g = c.benchmark_group("embedded_store");
	g.sample_size(10);
	g.throughput(Throughput::Bytes(data.len() as u64));
	g.bench_function("put_100MiB", |b| {
		b.iter_with_setup(
			|| tempfile::tempdir().unwrap(),
			|dir| {
				let store = EmbeddedStore::open(dir.path()).unwrap();
				rt.block_on(store.put(&mut &data[..])).unwrap();
				dir
			},
		)
	});
	let dir = tempfile::tempdir().unwrap();
	let store = EmbeddedStore::open(dir.path()).unwrap();
	let cid = rt.block_on(store.put(&mut &data[..])).unwrap();
	g.bench_function("get_100MiB", |b| {
		b.iter(|| rt.block_on(store.get(&cid, &mut tokio::io::sink())).unwrap())
	});
	g.finish();
}

fn main() {
	let started = std::time::SystemTime::now();
	let mut c = Criterion::default().configure_from_args();
	payload_vs_raw_aes(&mut c);
	capsules(&mut c);
	let data = store_data();
	store(&mut c, &data);
	c.final_summary();
	report::print(started, &data);
}
