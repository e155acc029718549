//! Payload encryption: round trips and every way a stream can be damaged.

use ehr_client::crypto::{
	payload::{self, Algorithm, PayloadError, CHUNK_SIZE, SEALED_CHUNK_SIZE},
	DataKey,
};
use proptest::prelude::*;

const RID: &[u8] = b"record-42";

fn data(n: usize) -> Vec<u8> {
	(0..n).map(|i| (i * 31 + i / 7) as u8).collect()
}

const ALGORITHMS: [Algorithm; 2] = [Algorithm::Aes256Gcm, Algorithm::ChaCha20Poly1305];

fn seal(key: &DataKey, plain: &[u8]) -> Vec<u8> {
	seal_with(key, Algorithm::default(), plain)
}

fn seal_with(key: &DataKey, algorithm: Algorithm, plain: &[u8]) -> Vec<u8> {
	let mut out = Vec::new();
	let n = payload::encrypt_with(key, RID, algorithm, plain, &mut out).unwrap();
	assert_eq!(n as usize, out.len());
	assert_eq!(payload::sealed_len(plain.len() as u64, RID.len()), n);
	out
}

fn open(key: &DataKey, sealed: &[u8]) -> Result<Vec<u8>, PayloadError> {
	let mut out = Vec::new();
	payload::decrypt(key, RID, sealed, &mut out)?;
	Ok(out)
}

fn header_len() -> usize {
	4 + 1 + 1 + 7 + 32 + 1 + RID.len()
}

/// Where the nonce prefix and the key commitment are in the header.
const PREFIX_AND_COMMITMENT: std::ops::Range<usize> = 6..6 + 7 + 32;

#[test]
fn round_trips_at_chunk_boundaries() {
	let key = DataKey::generate();
	for n in [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 10 << 20] {
		let plain = data(n);
		assert_eq!(open(&key, &seal(&key, &plain)).unwrap(), plain, "size {n}");
	}
}

#[test]
fn chacha_round_trip() {
	let key = DataKey::generate();
	let plain = data(CHUNK_SIZE + 5);
	let sealed = seal_with(&key, Algorithm::ChaCha20Poly1305, &plain);
	assert_eq!(open(&key, &sealed).unwrap(), plain);
}

#[tokio::test]
async fn async_round_trip_matches_sync_format() {
	let key = DataKey::generate();
	let plain = data(2 * CHUNK_SIZE + 3);
	let mut sealed = Vec::new();
	payload::encrypt_async(&key, RID, &plain[..], &mut sealed).await.unwrap();
	assert_eq!(open(&key, &sealed).unwrap(), plain);
	let mut out = Vec::new();
	payload::decrypt_async(&key, RID, &sealed[..], &mut out).await.unwrap();
	assert_eq!(out, plain);
	let err = payload::decrypt_async(&key, b"x", &sealed[..], &mut Vec::new()).await.unwrap_err();
	assert!(matches!(err, PayloadError::WrongRecordId { .. }));
}

/// Yields at most `step` bytes per read, as pipes and sockets do.
struct Trickle<'a> {
	data: &'a [u8],
	step: usize,
}

impl std::io::Read for Trickle<'_> {
	fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
		let n = self.step.min(buf.len()).min(self.data.len());
		buf[..n].copy_from_slice(&self.data[..n]);
		self.data = &self.data[n..];
		Ok(n)
	}
}

#[test]
fn short_reads_give_the_same_stream() {
	let key = DataKey::generate();
	for n in [0, CHUNK_SIZE, 2 * CHUNK_SIZE + 3] {
		let plain = data(n);
		let sealed = seal(&key, &plain);
		for step in [1, 4097] {
			let mut resealed = Vec::new();
			payload::encrypt(&key, RID, Trickle { data: &plain, step }, &mut resealed).unwrap();
			assert_eq!(resealed.len(), sealed.len(), "size {n}, step {step}");
			let mut out = Vec::new();
			payload::decrypt(&key, RID, Trickle { data: &resealed, step }, &mut out).unwrap();
			assert_eq!(out, plain, "size {n}, step {step}");
		}
	}
}

#[tokio::test]
async fn async_errors_are_as_precise_as_sync_ones() {
	let key = DataKey::generate();
	let mut sealed = Vec::new();
	let plain = data(2 * CHUNK_SIZE);
	let alg = Algorithm::ChaCha20Poly1305;
	payload::encrypt_async_with(&key, RID, alg, &plain[..], &mut sealed).await.unwrap();
	let h = header_len();
	let key = &key;
	let decrypt = |bytes: Vec<u8>| async move {
		let mut out = Vec::new();
		payload::decrypt_async(key, RID, &bytes[..], &mut out).await.map(|_| out)
	};
	assert_eq!(decrypt(sealed.clone()).await.unwrap(), plain);
	let cut = sealed[..h + SEALED_CHUNK_SIZE].to_vec();
	assert!(matches!(decrypt(cut).await, Err(PayloadError::Truncated { chunks: 1 })));
	let mut longer = sealed.clone();
	longer.push(0);
	assert!(matches!(decrypt(longer).await, Err(PayloadError::TrailingData { last_chunk: 1 })));
	let mut flipped = sealed.clone();
	flipped[h + SEALED_CHUNK_SIZE + 5] ^= 1;
	assert!(matches!(decrypt(flipped).await, Err(PayloadError::TamperedChunk { index: 1 })));
}

#[test]
fn every_flipped_byte_is_detected() {
	let key = DataKey::generate();
	let plain = data(2 * CHUNK_SIZE + 100);
	let sealed = seal(&key, &plain);
	let h = header_len();
	// Every header byte, and a sample of chunk bytes including each chunk's first and last.
	let mut positions: Vec<usize> = (0..h).collect();
	for c in 0..3 {
		let start = h + c * SEALED_CHUNK_SIZE;
		let end = (start + SEALED_CHUNK_SIZE).min(sealed.len());
		positions.extend([start, start + 1, (start + end) / 2, end - 17, end - 1]);
	}
	for at in positions {
		let mut bad = sealed.clone();
		bad[at] ^= 0x01;
		let err = open(&key, &bad).unwrap_err();
		let chunk = (at.saturating_sub(h) / SEALED_CHUNK_SIZE) as u64;
		match at {
			0..=3 => assert!(matches!(err, PayloadError::BadHeader(_)), "{at}: {err}"),
			4 => assert!(matches!(err, PayloadError::UnsupportedVersion(3)), "{at}: {err}"),
			5 => assert!(matches!(err, PayloadError::UnsupportedAlgorithm(0)), "{at}: {err}"),
			_ if PREFIX_AND_COMMITMENT.contains(&at) => {
				assert!(matches!(err, PayloadError::WrongKey), "{at}: {err}")
			}
			_ if at == h - RID.len() - 1 => assert!(
				matches!(err, PayloadError::BadHeader(_) | PayloadError::WrongRecordId { .. }),
				"{at}: {err}"
			),
			_ if at >= h - RID.len() && at < h => {
				assert!(matches!(err, PayloadError::WrongRecordId { .. }), "{at}: {err}")
			}
			_ if at < h => {
				assert!(matches!(err, PayloadError::TamperedChunk { index: 0 }), "{at}: {err}")
			}
			_ => assert!(
				matches!(err, PayloadError::TamperedChunk { index } if index == chunk),
				"{at}: {err}"
			),
		}
	}
}

#[test]
fn wrong_record_id_and_key() {
	let key = DataKey::generate();
	let sealed = seal(&key, b"secret");
	let err = payload::decrypt(&key, b"record-43", &sealed[..], &mut Vec::new()).unwrap_err();
	assert!(matches!(err, PayloadError::WrongRecordId { .. }));
	assert!(err.to_string().contains(&hex::encode(b"record-43")));
	let other = DataKey::generate();
	assert!(matches!(open(&other, &sealed), Err(PayloadError::WrongKey)));
}

/// AES-GCM and ChaCha20-Poly1305 do not commit to their key, so a ciphertext can be crafted
/// to open under two keys. The header commits to one data key and the commitment is checked
/// before any chunk: under any other key, nothing is decrypted, whatever the chunks hold.
#[test]
fn a_payload_opens_under_the_one_key_it_commits_to() {
	for alg in ALGORITHMS {
		let (a, b) = (DataKey::generate(), DataKey::generate());
		let sealed_a = seal_with(&a, alg, &data(CHUNK_SIZE + 1));
		let sealed_b = seal_with(&b, alg, &data(CHUNK_SIZE + 1));
		let h = header_len();
		// A's header (and commitment) in front of chunks made under B: neither key opens it,
		// and B is refused at the commitment, before its chunks are tried.
		let mut spliced = sealed_a[..h].to_vec();
		spliced.extend_from_slice(&sealed_b[h..]);
		let mut out = Vec::new();
		let err = payload::decrypt(&b, RID, &spliced[..], &mut out).unwrap_err();
		assert!(matches!(err, PayloadError::WrongKey), "{err}");
		assert!(out.is_empty(), "no byte is written under a key the payload does not commit to");
		assert!(matches!(open(&a, &spliced), Err(PayloadError::TamperedChunk { index: 0 })));
		assert!(err.to_string().contains("key commitment"));
	}
}

#[test]
fn version_1_payloads_are_refused() {
	let key = DataKey::generate();
	let mut sealed = seal(&key, b"secret");
	sealed[4] = 1;
	assert!(matches!(open(&key, &sealed), Err(PayloadError::UnsupportedVersion(1))));
}

#[test]
fn truncation_is_detected() {
	for alg in ALGORITHMS {
		truncation_is_detected_with(alg);
	}
}

/// Telling "truncated" or "trailing data" from "tampered" needs a second decryption try of
/// the same chunk, so these also check that a failed try leaves the chunk intact.
fn truncation_is_detected_with(alg: Algorithm) {
	let key = DataKey::generate();
	let sealed = seal_with(&key, alg, &data(3 * CHUNK_SIZE + 10));
	let h = header_len();
	// At chunk boundaries: precisely "truncated".
	for chunks in 0..3 {
		let cut = &sealed[..h + chunks * SEALED_CHUNK_SIZE];
		assert!(
			matches!(open(&key, cut), Err(PayloadError::Truncated { chunks: c }) if c == chunks as u64),
			"{chunks}"
		);
	}
	// Inside the header.
	assert!(matches!(open(&key, &sealed[..5]), Err(PayloadError::BadHeader(_))));
	// Inside a chunk: that chunk fails authentication.
	let cut = &sealed[..h + SEALED_CHUNK_SIZE + 100];
	assert!(matches!(open(&key, cut), Err(PayloadError::TamperedChunk { index: 1 })));
	// Exactly a multiple of the chunk size: dropping the last full chunk.
	let sealed = seal_with(&key, alg, &data(2 * CHUNK_SIZE));
	let cut = &sealed[..h + SEALED_CHUNK_SIZE];
	assert!(matches!(open(&key, cut), Err(PayloadError::Truncated { chunks: 1 })));
}

#[test]
fn trailing_data_is_detected() {
	for alg in ALGORITHMS {
		trailing_data_is_detected_with(alg);
	}
}

fn trailing_data_is_detected_with(alg: Algorithm) {
	let key = DataKey::generate();
	// After a full last chunk: precisely "trailing data".
	let mut sealed = seal_with(&key, alg, &data(CHUNK_SIZE));
	sealed.push(0);
	assert!(matches!(open(&key, &sealed), Err(PayloadError::TrailingData { last_chunk: 0 })));
	// After a short last chunk the extra byte reads as part of it: that chunk fails.
	let mut sealed = seal_with(&key, alg, &data(10));
	sealed.push(0);
	assert!(matches!(open(&key, &sealed), Err(PayloadError::TamperedChunk { index: 0 })));
	// A whole extra chunk copied after the end.
	let sealed = seal_with(&key, alg, &data(2 * CHUNK_SIZE));
	let h = header_len();
	let mut longer = sealed.clone();
	longer.extend_from_slice(&sealed[h..h + SEALED_CHUNK_SIZE]);
	assert!(matches!(open(&key, &longer), Err(PayloadError::TrailingData { last_chunk: 1 })));
}

#[test]
fn reordered_and_swapped_chunks_are_detected() {
	let key = DataKey::generate();
	let sealed = seal(&key, &data(3 * CHUNK_SIZE + 10));
	let h = header_len();
	let chunk = |i: usize| &sealed[h + i * SEALED_CHUNK_SIZE..h + (i + 1) * SEALED_CHUNK_SIZE];
	let mut swapped = sealed[..h].to_vec();
	swapped.extend_from_slice(chunk(1));
	swapped.extend_from_slice(chunk(0));
	swapped.extend_from_slice(&sealed[h + 2 * SEALED_CHUNK_SIZE..]);
	assert!(matches!(open(&key, &swapped), Err(PayloadError::TamperedChunk { index: 0 })));
	// A chunk of another payload with the same key at the same position.
	let other = seal(&key, &data(3 * CHUNK_SIZE + 10));
	let mut mixed = sealed.clone();
	let r = h + SEALED_CHUNK_SIZE..h + 2 * SEALED_CHUNK_SIZE;
	mixed[r.clone()].copy_from_slice(&other[r]);
	assert!(matches!(open(&key, &mixed), Err(PayloadError::TamperedChunk { index: 1 })));
	// Dropping a middle chunk.
	let mut dropped = sealed[..h + SEALED_CHUNK_SIZE].to_vec();
	dropped.extend_from_slice(&sealed[h + 2 * SEALED_CHUNK_SIZE..]);
	assert!(matches!(open(&key, &dropped), Err(PayloadError::TamperedChunk { index: 1 })));
}

#[test]
fn long_record_id_is_refused() {
	let key = DataKey::generate();
	let err = payload::encrypt(&key, &[0; 256], &b""[..], &mut Vec::new()).unwrap_err();
	assert!(matches!(err, PayloadError::RecordIdTooLong(256)));
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(24))]
	#[test]
	fn any_size_round_trips_and_any_flip_fails(n in 0usize..(3 * CHUNK_SIZE + 7), flip in any::<prop::sample::Index>()) {
		let key = DataKey::generate();
		let plain = data(n);
		let sealed = seal(&key, &plain);
		prop_assert_eq!(open(&key, &sealed).unwrap(), plain);
		let mut bad = sealed.clone();
		let at = flip.index(bad.len());
		bad[at] ^= 0x80;
		prop_assert!(open(&key, &bad).is_err());
	}
}
