//! What the runtime and the client compute alike, in one place so that they cannot drift
//! apart: the label that binds a custody capsule to its record, and the capsule's proof of
//! knowledge of its ephemeral scalar. `ehr_client::crypto::custody` seals and proves;
//! `pallet_records` verifies the proof when a record is registered, and every custodian again
//! before it computes a share.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

pub mod capsule;

/// Whether `t` is a FHIR resource type name as the chain accepts it (an ASCII capital, then
/// letters and digits: `Observation`, `DiagnosticReport`).
pub fn is_fhir_type(t: &[u8]) -> bool {
	matches!(t.first(), Some(c) if c.is_ascii_uppercase())
		&& t.iter().all(|c| c.is_ascii_alphanumeric())
}
