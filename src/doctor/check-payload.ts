// The `payload` step and `doctor payload`: JSON syntax with line, column and what was expected, then
// the event type's schema with every missing field and wrong type by path. It is core/payload-check,
// the checker of the publish route and the ingress, so the messages match everywhere.
//
// For an endpoint (no payload given) it re-checks the latest event delivered to it against its type's
// schema as it is now: a schema tightened after publishing is a common "it worked yesterday".

import { checkPayload, type SchemaChecker } from '../core/payload-check.js';
import type { Endpoint } from '../core/types.js';
import type { Store } from '../store/store.js';
import { found, passed, skipped, type StepResult } from './report.js';

export interface PayloadInput {
  text: string;
  type?: string | undefined;
}

/** Check a payload text against a schema (null: syntax only). */
export function checkPayloadText(checker: SchemaChecker, input: PayloadInput, schema: Record<string, unknown> | null): StepResult {
  const result = checkPayload(checker, input.text, schema);
  const type = input.type ?? null;
  if (!result.ok && result.code === 'invalid_json') {
    const s = result.syntax;
    return found('payload', 'fail', 'invalid_json', `The payload is not valid JSON: ${s.message}.`, { type, line: s.line, column: s.column, expected: s.expected, found: s.found });
  }
  if (!result.ok) {
    const list = result.errors.map((e) => `${e.path} ${e.message}`).join('; ');
    return found('payload', 'fail', 'schema_mismatch', `The payload does not match the schema of ${type ?? 'its type'} (${result.errors.length} problem(s)): ${list}.`, { type, errors: result.errors });
  }
  if (schema === null) {
    const why = type === null ? 'no event type was given' : `the catalogue has no schema for ${type}`;
    return passed('payload', `The payload is valid JSON; its schema was not checked because ${why}.`, { type, schemaChecked: false });
  }
  return passed('payload', `The payload is valid JSON and matches the schema of ${type}.`, { type, schemaChecked: true });
}

/** Look the type's schema up in the catalogue, then check. */
export async function checkPayloadOfType(store: Store | undefined, checker: SchemaChecker, input: PayloadInput): Promise<StepResult> {
  const schema = input.type !== undefined && store ? ((await store.getEventType(input.type))?.schema ?? null) : null;
  return checkPayloadText(checker, input, schema);
}

export async function checkLatestPayload(store: Store, checker: SchemaChecker, endpoint: Endpoint): Promise<StepResult> {
  const latest = (await store.listDeliveries({ tenant: undefined, endpointId: endpoint.id }, { limit: 1 })).data[0];
  if (!latest) return skipped('payload', 'No event has been delivered to this endpoint yet, so there is no payload to check.', {});
  const event = await store.getEvent(latest.eventId, undefined);
  if (!event) return skipped('payload', 'The latest delivered event has been pruned.', { eventId: latest.eventId });
  const checked = await checkPayloadOfType(store, checker, { text: event.payload, type: event.type });
  return { ...checked, detail: { ...checked.detail, eventId: event.id } };
}
