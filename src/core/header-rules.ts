// What a header hookd sends may be named and hold. One rule for every field that becomes a request
// header (custom `headers`, `auth` of type header or bearer), checked when the endpoint is saved and
// again when the request is built, so a row written before a rule tightened cannot smuggle either.

/**
 * Names hookd owns. Framing and routing headers (host, content-length, transfer-encoding, connection
 * and the other hop-by-hop names) would let a stored value re-target or re-frame the request; the
 * signature, content type and user agent are hookd's contract with the receiver.
 */
/** Framing and hop-by-hop names: never copied from stored or captured headers (bin replay uses this too). */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'http2-settings',
]);

export const HOOKD_OWNED_HEADERS: ReadonlySet<string> = new Set([
  ...FRAMING_HEADERS,
  'content-type',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'webhook-key-id',
]);

/**
 * Custom headers may not set `authorization` either: the endpoint's `auth` owns it. An auth of type
 * `header` may name it (a receiver's own scheme, `Authorization: Token ...`), since that is the auth.
 */
export function reservedHeaderProblem(name: string, field: 'headers' | 'auth'): string | null {
  const lower = name.toLowerCase();
  if (HOOKD_OWNED_HEADERS.has(lower)) return `${lower} is set by hookd and cannot be set by an endpoint`;
  if (field === 'headers' && lower === 'authorization') return 'authorization is set by the endpoint auth; use auth instead';
  return null;
}

/**
 * A value HTTP/1.1 can carry (RFC 9110 field-value): visible ASCII, space, tab and obs-text up to
 * U+00FF. A control character, DEL or a code point above U+00FF cannot be sent at all (Node refuses
 * it), so such a value would fail every attempt as a network error; it is refused when saved instead.
 */
export function headerValueProblem(value: string): string | null {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 9) continue;
    if (c < 32 || c === 127) return `must not contain control characters (found U+${c.toString(16).toUpperCase().padStart(4, '0')} at position ${i})`;
    if (c > 255) return `must hold only characters up to U+00FF (found U+${c.toString(16).toUpperCase().padStart(4, '0')} at position ${i})`;
  }
  return null;
}

/**
 * Names that hold credentials: masked in API answers (custom headers) and redacted in the audit log.
 * One list for both, so a header the API hides is never kept in clear elsewhere.
 */
export const CREDENTIAL_NAME = /authorization|cookie|token|secret|password|passwd|passphrase|api[-_]?key|credential|signature|hmac|private/i;
