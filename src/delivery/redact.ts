// Header redaction for attempt logs, the dashboard and the doctor (spec section 6: attempt logs redact
// authorization and credential headers).
//
// Decisions:
// - Redacted: authorization, proxy-authorization, cookie, set-cookie, x-api-key, api-key, any name
//   containing token, secret, password, passwd, credential, session or key, and the header an
//   endpoint's `header` auth uses (passed in `extra`, since its name can be anything: "X-Tenant").
// - Not redacted: webhook-signature (and provider signatures). A signature is an HMAC of this one
//   payload; it does not reveal the secret, and support needs it to debug "signature mismatch".
//   webhook-id and webhook-timestamp are not secrets either.
// - idempotency-key contains "key" but is an identifier, not a credential: shown.
// - Over-redaction is the safe failure: an unknown header with "key" in its name is hidden.

export const REDACTED = '[redacted]';

const ALWAYS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key']);
const PATTERN = /token|secret|passw(or)?d|credential|session|key/;
const SAFE = new Set(['idempotency-key', 'x-idempotency-key', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);

export function isSensitiveHeader(name: string, extra: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  if (extra.some((n) => n.toLowerCase() === lower)) return true;
  if (ALWAYS.has(lower)) return true;
  if (SAFE.has(lower)) return false;
  return PATTERN.test(lower);
}

/** A copy of `headers` with credential values replaced by "[redacted]"; names are kept as given. */
export function redactHeaders(headers: Record<string, string>, extra: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) out[name] = isSensitiveHeader(name, extra) ? REDACTED : headers[name]!;
  return out;
}
