#!/usr/bin/env bash
# The mission end to end through the `ehr` wallet, each step a separate process, against a
# development chain (`scripts/dev.sh` starts one and runs this): a manager onboards a new
# patient and a new doctor (fresh keys); the patient uploads a FHIR Observation and grants
# the doctor read for a short period; the doctor reads it; the period ends and he is refused;
# he opens emergency access, which raises an alarm, and the manager reviews it; the audit log
# shows all of it and exports it as FHIR R4.
# Usage: scenario.sh [WS_URL]   (EHR=path/to/ehr to use another build of the wallet)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export EHR_NODE="${1:-ws://127.0.0.1:9944}"
EHR="${EHR:-${CARGO_TARGET_DIR:-/var/tmp/ehr-target}/debug/ehr}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export EHR_KEYSTORE="$WORK/keys" EHR_STORE="$WORK/hospital-a,$WORK/hospital-b"
export EHR_AUDIT_INDEX="$WORK/audit.sqlite" EHR_PASSWORD="$(head -c 18 /dev/urandom | base64)"
PERIOD="${PERIOD:-40s}"

step() { printf '\n==> %s\n' "$*"; }
# Runs the wallet and indents what it prints.
ehr() {
	printf '    $ ehr %s\n' "$*"
	"$EHR" "$@" 2>&1 | sed 's/^/      /'
	return "${PIPESTATUS[0]}"
}
# The same, for a step that must be refused: shows the sentence, fails if it was not refused.
refused() {
	if ehr "$@"; then
		echo "    expected a refusal" >&2
		exit 1
	fi
}
value() { "$EHR" "$@" --json | sed -n "s/.*\"$KEY\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -1; }

step "a new patient and a new doctor create their accounts (fresh keys, in $EHR_KEYSTORE)"
PATIENT="$(KEY=account value --as patient account new)"
DOCTOR="$(KEY=account value --as doctor account new)"
echo "    patient $PATIENT"
echo "    doctor  $DOCTOR"

step "Alice, manager of hospital A, invites them; each accepts with its own key"
ehr --dev Alice patient invite "$PATIENT" --org 1
ehr --as patient account accept --org 1 --kind patient
ehr --dev Alice staff invite "$DOCTOR" --org 1
ehr --as doctor account accept --org 1 --kind staff
ehr --dev Alice member add "$DOCTOR" --org 1 --role doctor --emergency

step "the patient uploads a FHIR Observation: encrypted, kept by hospitals A and B, registered"
cat >"$WORK/egfr.json" <<'JSON'
{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"33914-3","display":"eGFR"}]},"valueQuantity":{"value":78,"unit":"mL/min/1.73m2"}}
JSON
RECORD="$(KEY=record value --as patient record put "$WORK/egfr.json" --type Observation)"
ehr --as patient record show "$RECORD"

step "the patient grants the doctor read access to it for $PERIOD"
GRANT="$(KEY=grant value --as patient grant add --to "$DOCTOR" --purpose treatment --for "$PERIOD" --record "$RECORD")"
ehr --as patient grant list

step "the doctor reads it: the custodians release the key for his on-chain request"
ehr --as doctor record get "$RECORD" -o "$WORK/read.json"
cmp "$WORK/egfr.json" "$WORK/read.json"
echo "    the decrypted bytes equal the original"

step "the confidentiality period ends"
UNTIL="$(KEY=until value grant show "$GRANT")"
echo "    grant $GRANT is valid until $UNTIL; waiting"
while [ "$(date -u +%s)" -le "$(date -u -d "$UNTIL" +%s)" ]; do sleep 2; done
refused --as doctor record get "$RECORD" -o "$WORK/late.json"
if [ -e "$WORK/late.json" ]; then echo "    a refused read wrote a file" >&2; exit 1; fi
echo "    refused, and no file was written"

step "an emergency: the doctor opens break-glass access (time-boxed, raises an alarm)"
EMERGENCY="$(KEY=grant value --as doctor emergency open "$PATIENT" --org 1 --reason unconscious \
	--justification "admitted unconscious to the emergency room")"
echo "    emergency access $EMERGENCY opened"
ehr --as doctor record get "$RECORD" -o "$WORK/emergency.json"
refused --as doctor emergency review "$EMERGENCY" --approve --note "my own"
ehr --dev Alice emergency review "$EMERGENCY" --approve --note "ER admission confirmed"

step "the auditor's view: everything about the patient, from the index of the finalized chain"
# The index holds finalized blocks only: wait until the review's block is final.
for _ in $(seq 60); do
	"$EHR" audit log --patient "$PATIENT" --json | grep -q EmergencyReviewed && break
	sleep 2
done
ehr audit log --patient "$PATIENT"
ehr emergency list --org 1

step "exported as FHIR R4: the accesses as AuditEvents, the grants as Consents"
ehr audit export --format fhir --patient "$PATIENT" -o "$WORK/audit-events.json"
ehr --as patient grant export --format fhir -o "$WORK/consents.json"
if [ -d "$ROOT/tests/fhir/node_modules" ]; then
	node "$ROOT/tests/fhir/validate.js" "$WORK/audit-events.json" "$WORK/consents.json" | sed 's/^/    /'
fi
printf '    %s AuditEvent(s), %s Consent(s)\n' \
	"$(grep -c '"resourceType": "AuditEvent"' "$WORK/audit-events.json")" \
	"$(grep -c '"resourceType": "Consent"' "$WORK/consents.json")"
step "done"
