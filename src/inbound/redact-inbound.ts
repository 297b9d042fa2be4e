// What of an ingress request goes into the request log: headers with credentials redacted, and a
// capped, display-only copy of the body.
//
// Redacted: Authorization, Proxy-Authorization, Cookie, the source's own api-key header (whatever
// its name), and any header whose name looks like a credential or a signature (the same rule as
// render.ts). Signatures are not secrets, but a logged signature next to a logged body is a
// ready-made replay for anyone who can read the log (GitHub signs no timestamp).
//
// Hazards:
// - PostgreSQL `text` refuses NUL bytes (22021), so a body with a NUL would make the log insert
//   fail, turning a 4xx into a 500 the provider retries forever. NULs become U+FFFD in the copy;
//   the event keeps the exact bytes separately.
// - Cutting at a byte cap can split a UTF-8 sequence; the decoder turns the tail into U+FFFD, which
//   is fine for a display copy.

import type { VerifyConfig } from '../core/inbound-types.js';

/** Bytes of the body kept in the request log. */
export const LOG_BODY_BYTES = 64 * 1024;
/** Characters kept of each header value. */
const LOG_HEADER_CHARS = 2048;
const LOG_MAX_HEADERS = 100;

const CREDENTIAL_HEADER = /authorization|cookie|token|secret|password|passwd|api[-_]?key|credential|signature|hmac/i;
export const REDACTED = '[redacted]';

export function redactHeaders(headers: Readonly<Record<string, string | string[] | undefined>>, verify: VerifyConfig): Record<string, string> {
  const apiKeyHeader = verify.scheme === 'api-key' ? verify.header.toLowerCase() : null;
  const out: Record<string, string> = {};
  let count = 0;
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    if (++count > LOG_MAX_HEADERS) break;
    const lower = name.toLowerCase();
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    out[lower] = CREDENTIAL_HEADER.test(lower) || lower === apiKeyHeader ? REDACTED : clean(value.slice(0, LOG_HEADER_CHARS));
  }
  return out;
}

function clean(text: string): string {
  return text.replaceAll('\0', '\uFFFD');
}

/** The display copy of a body for the log; null when nothing was read. */
export function logBody(body: Buffer | null): string | null {
  if (body === null) return null;
  const head = body.length > LOG_BODY_BYTES ? body.subarray(0, LOG_BODY_BYTES) : body;
  return clean(head.toString('utf8'));
}
