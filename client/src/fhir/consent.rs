//! Grants as FHIR R4 `Consent` resources.

use serde_json::{json, Value};
use subxt::utils::H256;

use super::{
	account_reference, bundle, full_url, grant_reference, instant, purpose_coding,
	record_reference, GRANT_SYSTEM,
};
use crate::grants::{Grant, GrantStatus, Grantee, Purpose, Scope};

const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const CONSENT_ACTION: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
const PARTICIPATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

fn purpose_name(purpose: &Purpose) -> &'static str {
	match purpose {
		Purpose::Treatment => "treatment",
		Purpose::Research => "research",
		Purpose::Audit => "audit",
		Purpose::Emergency => "emergency",
	}
}

/// The `Consent` of `grant` as the chain holds it at time `now_ms`: `active` while in force,
/// `inactive` once revoked or past its period.
pub fn consent(grant: &Grant, now_ms: u64) -> Value {
	let in_force = grant.status == GrantStatus::Active && now_ms < grant.expires_at;
	let (scope, scope_display) = match grant.purpose {
		Purpose::Research => ("research", "Research"),
		Purpose::Audit => ("patient-privacy", "Privacy Consent"),
		Purpose::Treatment | Purpose::Emergency => ("treatment", "Treatment"),
	};
	let actor = match &grant.grantee {
		Grantee::Account(who) => account_reference(who, "Practitioner"),
		Grantee::Role(org, role) => {
			let role = format!("{role:?}").to_lowercase();
			json!({
				"type": "PractitionerRole",
				"identifier": { "system": "urn:ehr:role", "value": format!("{org}:{role}") },
				"display": format!("whoever holds the role {role} at organisation {org} when reading"),
			})
		}
	};
	let mut actions = Vec::new();
	if grant.actions.read {
		actions.push(
			json!({ "coding": [{ "system": CONSENT_ACTION, "code": "access", "display": "Access" }] }),
		);
	}
	if grant.actions.append {
		actions.push(json!({ "coding": [{ "system": CONSENT_ACTION, "code": "correct", "display": "Access and Correct" }] }));
	}
	let mut provision = json!({
		"type": "permit",
		"period": { "start": instant(grant.not_before), "end": instant(grant.expires_at) },
		"actor": [{
			"role": { "coding": [{ "system": PARTICIPATION, "code": "IRCP", "display": "information recipient" }] },
			"reference": actor,
		}],
		"action": actions,
		"purpose": [purpose_coding(purpose_name(&grant.purpose))],
	});
	match &grant.scope {
		Scope::Record(id) => {
			provision["data"] =
				json!([{ "meaning": "instance", "reference": record_reference(*id) }]);
		}
		Scope::ContentType(t) => {
			provision["class"] = json!([{
				"system": "http://hl7.org/fhir/resource-types",
				"code": String::from_utf8_lossy(&t.0),
			}]);
		}
		Scope::AllRecords => {}
	}
	// Break-glass access is not the patient's consent: it is marked as emergency-only.
	let category = if grant.purpose == Purpose::Emergency {
		json!({ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMRGONLY", "display": "emergency only" }] })
	} else {
		json!({ "coding": [{ "system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent" }] })
	};
	let mut consent = json!({
		"resourceType": "Consent",
		"id": format!("grant-{}", grant.id),
		"identifier": [{ "system": GRANT_SYSTEM, "value": grant.id.to_string() }],
		"status": if in_force { "active" } else { "inactive" },
		"scope": { "coding": [{ "system": CONSENT_SCOPE, "code": scope, "display": scope_display }] },
		"category": [category],
		"patient": account_reference(&grant.patient, "Patient"),
		"dateTime": instant(grant.created_at),
		"performer": [account_reference(&grant.granted_by, if grant.granted_by == grant.patient { "Patient" } else { "Practitioner" })],
		"policy": [{ "uri": format!("urn:ehr:terms:blake2b-256:0x{}", hex::encode(grant.terms_hash)) }],
		"provision": provision,
	});
	if let Some(parent) = grant.parent {
		// A delegation: the consent it derives from.
		consent["sourceReference"] = grant_reference(parent);
	}
	consent
}

/// A `Bundle` of the `Consent`s of `grants`.
pub fn consent_bundle(grants: &[Grant], chain: H256, now_ms: u64) -> Value {
	let entries = grants
		.iter()
		.map(|g| (full_url(chain, "Consent", &g.id.to_string()), consent(g, now_ms)))
		.collect();
	bundle(chain, "consents", now_ms, entries)
}
