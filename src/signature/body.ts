// Signatures cover the exact bytes on the wire.
//
// Hazard: the Standard Webhooks JS reference calls `payload.toString()` on Buffers, so bodies that
// differ only in invalid UTF-8 bytes (0xff vs 0xfe) decode to the same U+FFFD string and share one
// HMAC. We never decode: Uint8Array bodies are hashed as they are, strings are encoded as UTF-8.

export type RawBody = Uint8Array | string;

export function bodyBytes(body: RawBody): Uint8Array {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  // A parsed JSON object here means the caller verified a re-serialisation, which breaks on any
  // whitespace or key-order difference and invites differential attacks. Fail loudly at the call site.
  throw new TypeError('Signature verification needs the raw request body (Buffer or string), not parsed JSON.');
}
