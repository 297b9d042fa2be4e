// Turns verified body bytes into the JSON text and value the event carries, with the same precise
// errors as the publish route (core/json-syntax.ts: line, column, what was expected).
//
// Hazards:
// - Invalid UTF-8 would decode to U+FFFD, so the parsed data (routing, schema checks) and the raw
//   bytes forwarded to "raw" endpoints would disagree. Such bodies are refused, with the position of
//   the first bad byte.
// - A UTF-8 BOM makes JSON.parse fail; it is reported as a syntax error at line 1, column 1, not
//   stripped (stripping would again make the forwarded bytes differ from what was validated).
// - Depth is capped by parseJson (MAX_JSON_DEPTH), so later walkers cannot exhaust the stack.

import { lineColumn, parseJson } from '../core/json-syntax.js';
import { firstInvalidUtf8 } from '../core/utf8.js';
import type { BodyKind } from './content-type.js';

export type DecodedBody =
  | { ok: true; text: string; value: unknown }
  | { ok: false; code: 'invalid_json'; reason: string; line: number; column: number }
  | { ok: false; code: 'unsupported_media_type'; reason: string };

const EMPTY: DecodedBody = { ok: false, code: 'invalid_json', reason: 'The body is empty: expected a JSON value at line 1, column 1.', line: 1, column: 1 };

function decodeJson(bytes: Buffer, what: string): DecodedBody {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const before = bytes.subarray(0, bad).toString('utf8');
    const { line, column } = lineColumn(before, before.length);
    return { ok: false, code: 'invalid_json', reason: `${what} is not valid UTF-8: invalid byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at line ${line}, column ${column}.`, line, column };
  }
  const text = bytes.toString('utf8');
  if (text.length === 0) return EMPTY;
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, code: 'invalid_json', reason: `Malformed JSON: ${parsed.error.message}.`, line: parsed.error.line, column: parsed.error.column };
  return { ok: true, text, value: parsed.value };
}

/** The JSON inside a form's single `payload` field (GitHub's form content type). */
function decodeForm(bytes: Buffer): DecodedBody {
  const text = bytes.toString('latin1');
  let payload: string | null = null;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (name !== 'payload') continue;
    if (payload !== null) return { ok: false, code: 'unsupported_media_type', reason: 'The form has more than one "payload" field.' };
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    try {
      // decodeURIComponent throws on malformed escapes and on escapes that are not UTF-8.
      payload = decodeURIComponent(value.replaceAll('+', ' '));
    } catch {
      return { ok: false, code: 'invalid_json', reason: 'The form field "payload" is not valid percent-encoded UTF-8.', line: 1, column: 1 };
    }
  }
  if (payload === null) return { ok: false, code: 'unsupported_media_type', reason: 'A form-encoded body must carry the JSON in a "payload" field.' };
  return decodeJson(Buffer.from(payload, 'utf8'), 'The form field "payload"');
}

export function decodeBody(kind: BodyKind, bytes: Buffer): DecodedBody {
  return kind === 'json' ? decodeJson(bytes, 'The body') : decodeForm(bytes);
}
