// Builds the exact HTTP request of an attempt (spec section 4). The body bytes depend only on the
// event and the endpoint's payload format, so every attempt and every manual redelivery sends the
// same bytes under the same webhook-id; only webhook-timestamp and the signatures change.

import type { Endpoint, EventRecord } from '../core/types.js';
import { signatureHeader } from '../signature/index.js';
import { headerValueProblem, reservedHeaderProblem } from '../core/header-rules.js';

export function buildBody(event: EventRecord, format: Endpoint['payloadFormat']): Buffer {
  if (format === 'raw') return event.rawBody ?? Buffer.from(event.payload, 'utf8');
  // String assembly keeps the accepted data text byte-for-byte (no parse/re-serialise round trip).
  const head = `{"type":${JSON.stringify(event.type)},"timestamp":${JSON.stringify(new Date(event.createdAt).toISOString())},"data":`;
  return Buffer.from(`${head}${event.payload}}`, 'utf8');
}

/** Secrets that sign now: the current one and older ones still inside their rotation grace period. */
export function activeSecrets(endpoint: Endpoint, now: number): string[] {
  return endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
}

export function buildHeaders(opts: {
  endpoint: Endpoint;
  event: EventRecord;
  body: Buffer;
  now: number;
  userAgent: string;
  authHeaders: Record<string, string>;
}): Record<string, string> {
  const { endpoint, event, body, now } = opts;
  const timestamp = Math.floor(now / 1000);
  return {
    ...sendable(endpoint.headers, 'headers'),
    ...sendable(opts.authHeaders, 'auth'),
    'content-type': 'application/json',
    'user-agent': opts.userAgent,
    'webhook-id': event.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(activeSecrets(endpoint, now), event.id, timestamp, body),
  };
}

/** The API refuses these at save time; a row stored before that rule is filtered here, not sent. */
function sendable(headers: Record<string, string>, field: 'headers' | 'auth'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (reservedHeaderProblem(name, field) === null && headerValueProblem(value) === null) out[name.toLowerCase()] = value;
  }
  return out;
}
