//! Accesses as FHIR R4 `AuditEvent` resources, in the manner of the IHE Basic Audit Log
//! Patterns (BALP): a key release is a read of patient data by the requester, for the
//! grant's purpose; a refused key request is the same read with a failed outcome; an
//! emergency opening is a security alert "emergency override started"; a tamper report is
//! a security alert about the record.

use serde_json::{json, Value};
use subxt::utils::H256;

use super::{
	account_reference, bundle, full_url, grant_reference, instant, purpose_coding,
	record_reference, CHAIN_SYSTEM,
};
use crate::audit::AuditRow;

const DCM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const ENTITY_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/object-role";
const PARTICIPATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

fn coding(system: &str, code: &str, display: &str) -> Value {
	json!({ "system": system, "code": code, "display": display })
}

/// The `AuditEvent` of one audit row, if the row is an access or an alarm. `purpose_of`
/// gives the purpose (`treatment`, `research`, `audit`, `emergency`) of a grant.
pub fn audit_event(
	row: &AuditRow,
	chain: H256,
	purpose_of: &dyn Fn(u64) -> Option<String>,
) -> Option<Value> {
	let d = &row.details;
	let account = |key: &str| {
		d[key]
			.as_str()
			.and_then(|a| crate::crypto::identity::ss58_decode(a).ok())
			.map(|(_, raw)| subxt::utils::AccountId32(raw))
	};
	let read = || {
		(
			coding(
				"http://terminology.hl7.org/CodeSystem/audit-event-type",
				"rest",
				"Restful Operation",
			),
			coding("http://hl7.org/fhir/restful-interaction", "read", "read"),
			"R",
		)
	};
	let alert = |code: Option<(&str, &str)>| {
		(
			coding(DCM, "110113", "Security Alert"),
			code.map_or(Value::Null, |(c, display)| coding(DCM, c, display)),
			"E",
		)
	};
	let (kind, agent_key, outcome, description) = match row.name.as_str() {
		"KeyReleased" => (read(), "requester", "0", None),
		"Refused" if d["call"] == "Access.request" => (
			read(),
			"signer",
			"4",
			Some(format!(
				"{}: {}",
				d["error"].as_str().unwrap_or(""),
				d["reason"].as_str().unwrap_or("")
			)),
		),
		"EmergencyAccessOpened" => (
			alert(Some(("110127", "Emergency Override Started"))),
			"opener",
			"0",
			Some(format!(
				"emergency access ({}) until {}",
				d["reason"].as_str().unwrap_or(""),
				instant(d["expires_at"].as_u64().unwrap_or(0))
			)),
		),
		"TamperReported" => (
			alert(None),
			"reporter",
			"8",
			Some(format!(
				"the payload of record {} from {} does not match its hash on chain",
				row.record.unwrap_or_default(),
				d["provider"].as_str().unwrap_or("")
			)),
		),
		_ => return None,
	};
	let ((type_, subtype, action), who) = (kind, account(agent_key)?);
	let purpose = if row.name == "EmergencyAccessOpened" {
		Some("emergency".to_owned())
	} else {
		row.grant.and_then(purpose_of)
	};
	let mut agent = json!({
		"type": { "coding": [coding(PARTICIPATION, "IRCP", "information recipient")] },
		"who": account_reference(&who, "Practitioner"),
		"requestor": true,
	});
	if let Some(p) = &purpose {
		agent["purposeOfUse"] = json!([{ "coding": [purpose_coding(p)] }]);
	}
	let mut entities = Vec::new();
	if let Some(patient) = &row.patient {
		entities.push(json!({
			"what": account_reference(patient, "Patient"),
			"type": coding(ENTITY_TYPE, "1", "Person"),
			"role": coding(OBJECT_ROLE, "1", "Patient"),
		}));
	}
	if let Some(record) = row.record {
		entities.push(json!({
			"what": record_reference(record),
			"type": coding(ENTITY_TYPE, "2", "System Object"),
			"role": coding(OBJECT_ROLE, "4", "Domain Resource"),
		}));
	}
	if let Some(grant) = row.grant {
		entities.push(json!({
			"what": grant_reference(grant),
			"type": coding(ENTITY_TYPE, "2", "System Object"),
			"role": coding(OBJECT_ROLE, "13", "Security Resource"),
		}));
	}
	let mut event = json!({
		"resourceType": "AuditEvent",
		"id": format!("ehr-{}-{}", row.block, row.index),
		"type": type_,
		"action": action,
		"recorded": instant(row.time_ms),
		"outcome": outcome,
		"agent": [agent],
		"source": {
			"site": format!("block {} ({:?})", row.block, row.block_hash),
			"observer": {
				"identifier": { "system": CHAIN_SYSTEM, "value": format!("{chain:?}") },
				"display": "EHR consortium chain",
			},
			"type": [coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")],
		},
		"entity": entities,
	});
	if !subtype.is_null() {
		event["subtype"] = json!([subtype]);
	}
	if let Some(p) = &purpose {
		event["purposeOfEvent"] = json!([{ "coding": [purpose_coding(p)] }]);
	}
	if let Some(text) = description {
		event["outcomeDesc"] = json!(text);
	}
	Some(event)
}

/// A `Bundle` of the `AuditEvent`s of the accesses and alarms among `rows`.
pub fn audit_bundle(
	rows: &[AuditRow],
	chain: H256,
	now_ms: u64,
	purpose_of: &dyn Fn(u64) -> Option<String>,
) -> Value {
	let entries = rows
		.iter()
		.filter_map(|row| {
			let event = audit_event(row, chain, purpose_of)?;
			let id = format!("{}-{}", row.block, row.index);
			Some((full_url(chain, "AuditEvent", &id), event))
		})
		.collect();
	bundle(chain, "audit-events", now_ms, entries)
}
