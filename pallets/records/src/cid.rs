//! A tiny, allocation-free, panic-free CID validator (no_std).
//!
//! Accepted forms (what Kubo and the project's embedded store produce):
//! - **CIDv0**: 46 base58btc characters starting with `Qm`, decoding to the multihash
//!   `0x12 0x20` + 32-byte sha2-256 digest;
//! - **CIDv1**: multibase prefix `b` (base32, lowercase, no padding), then
//!   `varint(1) varint(codec) varint(hash code) varint(32) digest[32]`, with codec raw
//!   (0x55), dag-pb (0x70) or dag-cbor (0x71) and hash sha2-256 (0x12) or blake2b-256
//!   (0xb220).

/// Why a CID was rejected.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CidError {
	/// Not a CIDv0 (`Qm...`) nor a base32 CIDv1 (`b...`).
	UnknownForm,
	/// A character outside the alphabet of the multibase.
	BadCharacter,
	/// The decoded bytes are not a well-formed CID.
	Malformed,
	/// The multicodec is not raw, dag-pb or dag-cbor.
	UnsupportedCodec,
	/// The multihash is not sha2-256 or blake2b-256 with a 32-byte digest.
	UnsupportedHash,
}

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

const SHA2_256: u64 = 0x12;
const BLAKE2B_256: u64 = 0xb220;
const RAW: u64 = 0x55;
const DAG_PB: u64 = 0x70;
const DAG_CBOR: u64 = 0x71;

/// Validate a CID given as its string bytes.
pub fn validate(cid: &[u8]) -> Result<(), CidError> {
	match cid {
		[b'Q', b'm', ..] if cid.len() == 46 => validate_v0(cid),
		[b'b', rest @ ..] if !rest.is_empty() => validate_v1(rest),
		_ => Err(CidError::UnknownForm),
	}
}

fn validate_v0(s: &[u8]) -> Result<(), CidError> {
	// 46 base58 characters are at most 34 bytes plus one carry byte.
	let mut buf = [0u8; 35];
	for c in s {
		let digit = BASE58.iter().position(|a| a == c).ok_or(CidError::BadCharacter)?;
		let mut carry = u32::try_from(digit).map_err(|_| CidError::BadCharacter)?;
		for b in buf.iter_mut().rev() {
			carry = u32::from(*b).wrapping_mul(58).wrapping_add(carry);
			*b = (carry & 0xff) as u8;
			carry = carry.wrapping_shr(8);
		}
		if carry != 0 {
			return Err(CidError::Malformed);
		}
	}
	match buf {
		[0, 0x12, 0x20, ..] => Ok(()),
		_ => Err(CidError::UnsupportedHash),
	}
}

fn validate_v1(s: &[u8]) -> Result<(), CidError> {
	let mut bytes = [0u8; 64];
	let mut len = 0usize;
	let mut acc: u32 = 0;
	let mut bits: u32 = 0;
	for c in s {
		let v = BASE32.iter().position(|a| a == c).ok_or(CidError::BadCharacter)?;
		let v = u32::try_from(v).map_err(|_| CidError::BadCharacter)?;
		acc = (acc.wrapping_shl(5) | v) & 0xfff;
		bits = bits.wrapping_add(5);
		if bits >= 8 {
			bits = bits.wrapping_sub(8);
			let out = bytes.get_mut(len).ok_or(CidError::Malformed)?;
			*out = (acc.wrapping_shr(bits) & 0xff) as u8;
			len = len.wrapping_add(1);
		}
	}
	// Canonical unpadded base32: fewer than 5 leftover bits, all zero.
	if bits >= 5 || acc & (1u32.wrapping_shl(bits).wrapping_sub(1)) != 0 {
		return Err(CidError::Malformed);
	}
	let mut input = bytes.get(..len).ok_or(CidError::Malformed)?;
	if read_varint(&mut input)? != 1 {
		return Err(CidError::Malformed);
	}
	if !matches!(read_varint(&mut input)?, RAW | DAG_PB | DAG_CBOR) {
		return Err(CidError::UnsupportedCodec);
	}
	let code = read_varint(&mut input)?;
	let digest_len = read_varint(&mut input)?;
	if !matches!(code, SHA2_256 | BLAKE2B_256) || digest_len != 32 {
		return Err(CidError::UnsupportedHash);
	}
	if input.len() != 32 {
		return Err(CidError::Malformed);
	}
	Ok(())
}

/// Read an unsigned LEB128 varint of at most 9 bytes (the multiformats limit).
fn read_varint(input: &mut &[u8]) -> Result<u64, CidError> {
	let mut value: u64 = 0;
	for i in 0..9u32 {
		let (first, rest) = input.split_first().ok_or(CidError::Malformed)?;
		*input = rest;
		value |= u64::from(first & 0x7f).wrapping_shl(i.wrapping_mul(7));
		if first & 0x80 == 0 {
			// Minimal encoding: no trailing zero byte except for the value 0 itself.
			if *first == 0 && i > 0 {
				return Err(CidError::Malformed);
			}
			return Ok(value);
		}
	}
	Err(CidError::Malformed)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn kubo_cids_are_accepted() {
		// "hello world\n" added with Kubo defaults, and with cid-version=1 (raw leaves).
		assert_eq!(validate(b"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"), Ok(()));
		assert_eq!(
			validate(b"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"),
			Ok(())
		);
		// dag-pb v1 of the empty directory.
		assert_eq!(
			validate(b"bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354"),
			Ok(())
		);
	}

	#[test]
	fn malformed_cids_are_rejected() {
		assert_eq!(validate(b""), Err(CidError::UnknownForm));
		assert_eq!(validate(b"Qm"), Err(CidError::UnknownForm));
		assert_eq!(
			validate(b"zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA"),
			Err(CidError::UnknownForm)
		);
		// A base58 character that does not exist (0).
		assert_eq!(
			validate(b"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff50"),
			Err(CidError::BadCharacter)
		);
		// Upper case base32 is another multibase ('B').
		assert_eq!(
			validate(b"bAFKREIFJJCIE6LYPI6NY7AMXNFFTAGCLBUXNDQONFIPMB64F2KM2DEVEI4"),
			Err(CidError::BadCharacter)
		);
		// Truncated v1.
		assert_eq!(
			validate(b"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2deve"),
			Err(CidError::Malformed)
		);
		// A v0 that decodes with another prefix (all 'z').
		assert!(
			validate(&[b'Q', b'm'].iter().copied().chain([b'z'; 44]).collect::<Vec<_>>()).is_err()
		);
	}

	#[test]
	fn varints_are_minimal() {
		assert_eq!(read_varint(&mut &[0xa0, 0xe4, 0x02][..]), Ok(0xb220));
		assert_eq!(read_varint(&mut &[0x80, 0x00][..]), Err(CidError::Malformed));
		assert_eq!(read_varint(&mut &[0x80][..]), Err(CidError::Malformed));
	}
}
