// A source's ordering-key rule (docs/routing.md, "Ordering"; docs/inbound.md): where the ordering
// key of an inbound event comes from. The same three forms as the event type rule: a fixed key (the
// whole source is one sequence), { header } or { pointer } into the body. A request whose rule finds
// no usable key is rejected like one without an event type: silently unordered would break the
// promise the source makes.

import { orderingKeyProblem } from '../core/ordering-key.js';
import type { FieldError } from '../core/errors.js';
import type { EventTypeRule } from '../core/inbound-types.js';
import { parsePointer, resolvePointer } from './event-type-rule.js';

export type OrderingKeyRule = EventTypeRule;

export function validateOrderingKeyRule(rule: OrderingKeyRule, path: string): FieldError[] {
  if (typeof rule === 'string') {
    const problem = orderingKeyProblem(rule);
    return problem === null ? [] : [{ path, message: problem }];
  }
  if ('header' in rule) {
    return /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/.test(rule.header) ? [] : [{ path: `${path}/header`, message: 'must be an HTTP header name' }];
  }
  return parsePointer(rule.pointer) === null ? [{ path: `${path}/pointer`, message: 'must be a JSON pointer (RFC 6901), e.g. /conversationId' }] : [];
}

export type OrderingKeyResult =
  | { ok: true; key: string | null }
  | { ok: false; code: 'validation_failed' | 'schema_mismatch'; reason: string; errors: FieldError[] };

export function deriveOrderingKey(rule: OrderingKeyRule | null | undefined, headers: Readonly<Record<string, string | string[] | undefined>>, body: unknown): OrderingKeyResult {
  if (rule === null || rule === undefined) return { ok: true, key: null };
  if (typeof rule === 'string') return { ok: true, key: rule };
  if ('header' in rule) {
    const name = rule.header.toLowerCase();
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const path = `/headers/${name}`;
    const problem = value === undefined ? 'is required (it names the ordering key)' : orderingKeyProblem(value);
    if (problem !== null) return { ok: false, code: 'validation_failed', reason: `The ${name} header gives the ordering key and ${problem}.`, errors: [{ path, message: problem }] };
    return { ok: true, key: value! };
  }
  let value = resolvePointer(body, rule.pointer);
  const path = rule.pointer === '' ? '/' : rule.pointer;
  // A number is a fine key (an order id); it is used as its JSON text.
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  const problem = value === undefined ? 'is required (it names the ordering key)' : orderingKeyProblem(value);
  if (problem !== null) return { ok: false, code: 'schema_mismatch', reason: `The body's ${path} gives the ordering key and ${problem}.`, errors: [{ path, message: problem }] };
  return { ok: true, key: value as string };
}
