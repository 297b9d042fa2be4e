// Deriving an accepted request's event type: a fixed name, a header (`x-github-event`), or a JSON
// pointer into the body (RFC 6901, `/type`, `/data~1kind` for the key "data/kind").
//
// Decisions:
// - A source without a rule reads `/type`: Stripe, Standard Webhooks senders and hookd's own envelope
//   all carry the type there.
// - The pointer reads the parsed body. JSON.parse keeps the last of duplicate keys, so does the
//   pointer; the forwarded bytes are never re-serialised, so no consumer sees a different document.
// - Only own properties are followed: `/__proto__` or `/constructor` must not reach Object.prototype.
// - The derived name must match the catalogue's pattern (it ends up in a header of every delivery).

import type { FieldError } from '../core/errors.js';
import type { EventTypeRule } from '../core/inbound-types.js';
import { EVENT_TYPE_PATTERN } from '../delivery/publisher.js';

export const DEFAULT_EVENT_TYPE_RULE: EventTypeRule = { pointer: '/type' };

/** Reference tokens of a pointer, unescaped; null when it is not a valid RFC 6901 pointer. */
export function parsePointer(pointer: string): string[] | null {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return null;
  // `~` must be followed by 0 or 1; anything else is an invalid escape.
  if (/~[^01]|~$/.test(pointer)) return null;
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The value at `pointer` in `document`, or undefined when it does not resolve. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens === null) return undefined;
  let current: unknown = document;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      // Array indexes are decimal without leading zeros; `-` (past the end) never resolves on read.
      if (!/^(0|[1-9][0-9]{0,9})$/.test(token)) return undefined;
      const index = Number(token);
      if (index >= current.length) return undefined;
      current = current[index];
    } else if (typeof current === 'object' && current !== null) {
      if (!Object.hasOwn(current, token)) return undefined;
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}

/** Problems with a rule given to the API (empty when it is usable). */
export function validateEventTypeRule(rule: EventTypeRule, path: string): FieldError[] {
  if (typeof rule === 'string') {
    return EVENT_TYPE_PATTERN.test(rule) ? [] : [{ path, message: 'must match ^[a-zA-Z0-9_.-]{1,128}$' }];
  }
  if ('header' in rule) {
    return /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/.test(rule.header) ? [] : [{ path: `${path}/header`, message: 'must be an HTTP header name' }];
  }
  return parsePointer(rule.pointer) === null ? [{ path: `${path}/pointer`, message: 'must be a JSON pointer (RFC 6901), e.g. /type' }] : [];
}

export type EventTypeResult =
  | { ok: true; type: string }
  | { ok: false; code: 'validation_failed' | 'schema_mismatch'; reason: string; errors: FieldError[] };

/** `headers` are node's lower-cased request headers. */
export function deriveEventType(rule: EventTypeRule | null, headers: Readonly<Record<string, string | string[] | undefined>>, body: unknown): EventTypeResult {
  const effective = rule ?? DEFAULT_EVENT_TYPE_RULE;
  if (typeof effective === 'string') return { ok: true, type: effective };
  if ('header' in effective) {
    const name = effective.header.toLowerCase();
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const path = `/headers/${name}`;
    if (value === undefined || value === '') {
      return { ok: false, code: 'validation_failed', reason: `The ${name} header names the event type and is missing.`, errors: [{ path, message: 'is required (it names the event type)' }] };
    }
    if (!EVENT_TYPE_PATTERN.test(value)) {
      return { ok: false, code: 'validation_failed', reason: `The ${name} header is not a valid event type name.`, errors: [{ path, message: 'must match ^[a-zA-Z0-9_.-]{1,128}$' }] };
    }
    return { ok: true, type: value };
  }
  const value = resolvePointer(body, effective.pointer);
  const path = effective.pointer === '' ? '/' : effective.pointer;
  if (value === undefined) {
    return { ok: false, code: 'schema_mismatch', reason: `The body has no ${path}, which names the event type.`, errors: [{ path, message: 'is required (it names the event type)' }] };
  }
  if (typeof value !== 'string' || !EVENT_TYPE_PATTERN.test(value)) {
    return { ok: false, code: 'schema_mismatch', reason: `The body's ${path} is not a valid event type name.`, errors: [{ path, message: 'must be a string matching ^[a-zA-Z0-9_.-]{1,128}$' }] };
  }
  return { ok: true, type: value };
}
