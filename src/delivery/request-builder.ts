// Builds the exact HTTP request of an attempt (spec section 4). The body bytes depend only on the
// event and the endpoint's payload format, so every attempt and every manual redelivery sends the
// same bytes under the same webhook-id; only webhook-timestamp and the signatures change.

import type { Endpoint, EventRecord } from '../core/types.js';
import { KEY_ID_HEADER, signatureHeader, signStandardWebhookV1a } from '../signature/index.js';
import type { Signer } from './signing-key-service.js';
import { headerValueProblem, reservedHeaderProblem } from '../core/header-rules.js';

/**
 * Bodies already built, per event object: a claim hydrates one EventRecord per event and every
 * endpoint it fans out to shares it, so a batch builds each body once, not once per endpoint. Held
 * weakly: the cache lives exactly as long as the claims that hold the event. Nothing writes into a
 * body after it is built (senders and transforms only read it).
 */
const builtBodies = new WeakMap<EventRecord, { envelope?: Buffer; raw?: Buffer }>();

export function buildBody(event: EventRecord, format: Endpoint['payloadFormat']): Buffer {
  // Inbound bytes are the body as they are: nothing to build or remember.
  if (format === 'raw' && event.rawBody !== null) return event.rawBody;
  let built = builtBodies.get(event);
  if (built === undefined) {
    built = {};
    builtBodies.set(event, built);
  }
  if (format === 'raw') return (built.raw ??= Buffer.from(event.payload, 'utf8'));
  // String assembly keeps the accepted data text byte-for-byte (no parse/re-serialise round trip).
  built.envelope ??= Buffer.from(
    `{"type":${JSON.stringify(event.type)},"timestamp":${JSON.stringify(new Date(event.createdAt).toISOString())},"data":${event.payload}}`,
    'utf8',
  );
  return built.envelope;
}

/** Secrets that sign now: the current one and older ones still inside their rotation grace period. */
export function activeSecrets(endpoint: Endpoint, now: number): string[] {
  return endpoint.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
}

export function buildHeaders(opts: {
  endpoint: Endpoint;
  /** The headers to send instead of the endpoint's own (a transform's); default endpoint.headers. */
  headers?: Record<string, string> | undefined;
  event: EventRecord;
  body: Buffer;
  now: number;
  userAgent: string;
  authHeaders: Record<string, string>;
  /** The tenant's ed25519 keys signing now; needed when the endpoint signs with 'ed25519' or 'both'. */
  signers?: readonly Signer[] | undefined;
}): Record<string, string> {
  const { endpoint, event, body, now } = opts;
  const timestamp = Math.floor(now / 1000);
  const mode = endpoint.signing ?? 'hmac';
  const signatures: string[] = [];
  // 'ed25519' never signs with (so never exposes the use of) the HMAC secret.
  if (mode !== 'ed25519') signatures.push(signatureHeader(activeSecrets(endpoint, now), event.id, timestamp, body));
  const signers = mode === 'hmac' ? [] : (opts.signers ?? []);
  // Sending such a delivery unsigned, or HMAC-only, would be a silent downgrade: refuse instead.
  if (mode !== 'hmac' && signers.length === 0) throw new Error(`No ed25519 signing key for tenant ${endpoint.tenant ?? '(none)'}`);
  for (const signer of signers) signatures.push(signStandardWebhookV1a({ id: event.id, timestamp, body, secretKey: signer.key }));
  // One object, filled in order (later names win, as spreads would): built for every attempt.
  const out: Record<string, string> = {};
  addSendable(out, opts.headers ?? endpoint.headers, 'headers');
  addSendable(out, opts.authHeaders, 'auth');
  out['content-type'] = 'application/json';
  out['user-agent'] = opts.userAgent;
  out['webhook-id'] = event.id;
  out['webhook-timestamp'] = String(timestamp);
  out['webhook-signature'] = signatures.join(' ');
  if (signers.length > 0) out[KEY_ID_HEADER] = signers.map((s) => s.kid).join(' ');
  return out;
}

/** The API refuses these at save time; a row stored before that rule is filtered here, not sent. */
function addSendable(out: Record<string, string>, headers: Record<string, string>, field: 'headers' | 'auth'): void {
  for (const name in headers) {
    const value = headers[name]!;
    if (reservedHeaderProblem(name, field) === null && headerValueProblem(value) === null) out[name.toLowerCase()] = value;
  }
}
