// The `match` of an event search (GET /v1/events?match=...): a JSON object the event's data must
// contain. Checked here, before any store sees it, so both stores get the same well-formed input
// and PostgreSQL never fails a ::jsonb cast with a 500: jsonb refuses \u0000 and lone surrogates,
// and a number JSON.parse turns into Infinity would silently mean something else.

import { HookdError } from './errors.js';

/** Nesting levels of a match object (the object itself is level 1). */
export const MATCH_MAX_DEPTH = 16;
/** Values (objects, arrays, scalars) in one match, a bound on the per-row containment work. */
export const MATCH_MAX_NODES = 256;
/** Characters of the match text; the query string schema enforces it. */
export const MATCH_MAX_LENGTH = 4096;

// A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function invalid(message: string): HookdError {
  return new HookdError('validation_failed', `match ${message}.`, { errors: [{ path: '/query/match', message }] });
}

/** The match text, validated and re-serialised compactly (what the stores compare with). */
export function parseEventMatch(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('must be JSON, for example {"customer":{"tier":"vip"}}');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('must be a JSON object');
  let nodes = 0;
  const walk = (v: unknown, depth: number): void => {
    nodes += 1;
    if (nodes > MATCH_MAX_NODES) throw invalid(`must have at most ${MATCH_MAX_NODES} values`);
    if (depth > MATCH_MAX_DEPTH) throw invalid(`must nest at most ${MATCH_MAX_DEPTH} levels`);
    if (typeof v === 'string') checkText(v);
    else if (typeof v === 'number' && !Number.isFinite(v)) throw invalid('numbers must be finite');
    else if (Array.isArray(v)) for (const item of v) walk(item, depth + 1);
    else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        checkText(key);
        walk(item, depth + 1);
      }
    }
  };
  const checkText = (s: string): void => {
    if (s.includes('\u0000')) throw invalid('strings must not contain \\u0000');
    if (LONE_SURROGATE.test(s)) throw invalid('strings must not contain lone surrogates');
  };
  walk(value, 1);
  return JSON.stringify(value);
}
