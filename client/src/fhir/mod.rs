//! FHIR R4 (4.0.1) views of the chain's access control, for auditors and for other systems
//! of a hospital: grants as `Consent` resources ([`consent_bundle`]) and accesses as
//! `AuditEvent` resources in the manner of the IHE Basic Audit Log Patterns
//! ([`audit_bundle`]), each set in a `Bundle` of type `collection`. docs/fhir.md says how
//! each field maps and where the mapping is an analogy rather than a conformance claim.
//!
//! Accounts, records and grants are named by logical identifiers (`urn:ehr:account` with
//! the SS58 address, `urn:ehr:record`, `urn:ehr:grant` with the chain's id), since the chain
//! is not a FHIR server: nothing here has a resolvable URL.

mod audit_event;
mod consent;

pub use audit_event::{audit_bundle, audit_event};
pub use consent::{consent, consent_bundle};

use serde_json::{json, Value};
use subxt::utils::{AccountId32, H256};

use crate::crypto::identity::{ss58_encode, SS58_PREFIX};

/// The identifier system of account addresses (SS58, this chain's prefix).
pub const ACCOUNT_SYSTEM: &str = "urn:ehr:account";
/// The identifier system of record ids.
pub const RECORD_SYSTEM: &str = "urn:ehr:record";
/// The identifier system of grant ids.
pub const GRANT_SYSTEM: &str = "urn:ehr:grant";
/// The identifier system of chains (the genesis block's hash).
pub const CHAIN_SYSTEM: &str = "urn:ehr:chain";

/// A chain time (ms since the epoch) as a FHIR `instant`/`dateTime`, e.g.
/// `2026-12-01T14:42:04.250Z`.
pub fn instant(ms: u64) -> String {
	let secs = (ms / 1000) as i64;
	let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
	// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
	let z = days + 719_468;
	let era = z.div_euclid(146_097);
	let doe = z - era * 146_097;
	let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
	let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	let mp = (5 * doy + 2) / 153;
	let day = doy - (153 * mp + 2) / 5 + 1;
	let month = if mp < 10 { mp + 3 } else { mp - 9 };
	let year = yoe + era * 400 + i64::from(month <= 2);
	format!(
		"{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
		rem / 3600,
		rem % 3600 / 60,
		rem % 60,
		ms % 1000
	)
}

/// A reference to an account by its address, as `resource_type` (`Patient`, `Practitioner`).
pub fn account_reference(account: &AccountId32, resource_type: &str) -> Value {
	json!({
		"type": resource_type,
		"identifier": { "system": ACCOUNT_SYSTEM, "value": ss58_encode(&account.0, SS58_PREFIX) },
	})
}

/// A reference to a record (a `DocumentReference` in FHIR terms: an encrypted payload).
pub fn record_reference(record: u64) -> Value {
	json!({
		"type": "DocumentReference",
		"identifier": { "system": RECORD_SYSTEM, "value": record.to_string() },
	})
}

/// A reference to a grant's `Consent`.
pub fn grant_reference(grant: u64) -> Value {
	json!({
		"type": "Consent",
		"identifier": { "system": GRANT_SYSTEM, "value": grant.to_string() },
	})
}

/// A `urn:uuid:` for a resource of this chain, the same on every export (a name-based id
/// from BLAKE2b of the chain, the kind and the id, laid out as a version-8 UUID).
pub fn full_url(chain: H256, kind: &str, id: &str) -> String {
	let mut input = chain.0.to_vec();
	input.extend_from_slice(kind.as_bytes());
	input.push(0);
	input.extend_from_slice(id.as_bytes());
	let mut h = crate::store::replicas::blake2_256(&input);
	h[6] = (h[6] & 0x0f) | 0x80;
	h[8] = (h[8] & 0x3f) | 0x80;
	let x = hex::encode(&h[..16]);
	format!("urn:uuid:{}-{}-{}-{}-{}", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}

/// A `Bundle` of type `collection` holding `entries` (each a `(fullUrl, resource)`), stamped
/// `now` and identified by the chain and `kind`.
pub fn bundle(chain: H256, kind: &str, now_ms: u64, entries: Vec<(String, Value)>) -> Value {
	json!({
		"resourceType": "Bundle",
		"identifier": { "system": CHAIN_SYSTEM, "value": format!("{chain:?}") },
		"type": "collection",
		"timestamp": instant(now_ms),
		"meta": { "tag": [{ "system": "urn:ehr:export", "code": kind }] },
		"entry": entries
			.into_iter()
			.map(|(full_url, resource)| json!({ "fullUrl": full_url, "resource": resource }))
			.collect::<Vec<_>>(),
	})
}

/// The v3-ActReason code of a purpose.
pub fn purpose_coding(purpose: &str) -> Value {
	let (code, display) = match purpose {
		"treatment" => ("TREAT", "treatment"),
		"research" => ("HRESCH", "healthcare research"),
		"audit" => ("HOPERAT", "healthcare operations"),
		"emergency" => ("ETREAT", "Emergency Treatment"),
		other => return json!({ "display": other }),
	};
	json!({
		"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
		"code": code,
		"display": display,
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn instants_are_utc_dates() {
		assert_eq!(instant(0), "1970-01-01T00:00:00.000Z");
		assert_eq!(instant(1_796_136_124_250), "2026-12-01T14:42:04.250Z");
		assert_eq!(instant(951_782_400_000), "2000-02-29T00:00:00.000Z");
	}

	#[test]
	fn full_urls_are_stable_uuids() {
		let a = full_url(H256::zero(), "Consent", "4");
		assert_eq!(a, full_url(H256::zero(), "Consent", "4"));
		assert_ne!(a, full_url(H256::zero(), "Consent", "5"));
		assert_ne!(a, full_url(H256::repeat_byte(1), "Consent", "4"));
		let uuid = a.strip_prefix("urn:uuid:").unwrap();
		assert_eq!(uuid.len(), 36);
		assert_eq!(&uuid[14..15], "8");
	}
}
