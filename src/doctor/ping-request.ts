// The doctor's test request: a `hookd.ping` event, signed and authenticated exactly like a delivery
// (same body builder, same signature, same auth provider, same sender), so a receiver that accepts the
// ping accepts deliveries, and one that rejects it says why.

import { newId } from '../core/ids.js';
import type { Endpoint, EventRecord } from '../core/types.js';
import { buildBody, buildHeaders } from '../delivery/request-builder.js';
import { redactHeaders } from '../delivery/redact.js';
import { AuthError, type SendRequest, type SendResult } from '../delivery/sender-types.js';
import type { DoctorDeps } from './doctor-deps.js';
import { brokerCredentials, isHttpUrl } from '../delivery/destinations/destination.js';

export const PING_EVENT_TYPE = 'hookd.ping';
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024;

export interface PingContext {
  deps: DoctorDeps;
  /** The real endpoint, or a synthetic one for an ad-hoc URL (throwaway secret, no tenant). */
  endpoint: Endpoint;
  /** Key for the auth provider's token cache; unique per doctor run so a stale token is never reused. */
  authKey: string;
  timeoutMs: number;
  connectTimeoutMs: number;
  tls: SendRequest['tls'];
}

export interface PingOutcome {
  result: SendResult;
  /** Headers as sent, credentials redacted (for the report). */
  requestHeaders: Record<string, string>;
  /** Set when the endpoint's auth could not produce headers (OAuth2 token failure); sent without auth. */
  authError: AuthError | null;
  withAuth: boolean;
}

function pingEvent(endpoint: Endpoint, now: number): EventRecord {
  const data = { message: 'Connectivity check from hookd doctor; not a real event.', endpointId: endpoint.id.startsWith('ep_') ? endpoint.id : null, sentAt: new Date(now).toISOString() };
  return {
    id: newId('event'),
    type: PING_EVENT_TYPE,
    tenant: endpoint.tenant,
    payload: JSON.stringify(data),
    rawBody: null,
    idempotencyKey: null,
    requestHash: null,
    sourceId: null,
    seq: 0,
    createdAt: now,
  };
}

/** One signed ping; `withAuth: false` strips the endpoint's credentials (the signature stays). */
export async function sendPing(ctx: PingContext, options: { withAuth: boolean; forceRefresh?: boolean }): Promise<PingOutcome> {
  const { deps, endpoint } = ctx;
  const now = deps.now();
  const event = pingEvent(endpoint, now);
  const body = buildBody(event, endpoint.payloadFormat);
  let authHeaders: Record<string, string> = {};
  let authError: AuthError | null = null;
  // A broker takes the credentials at connect time (as deliveries do), never as message headers.
  const broker = !isHttpUrl(endpoint.url);
  if (options.withAuth && !broker) {
    try {
      authHeaders = await deps.auth.headersFor(ctx.authKey, endpoint.auth, { forceRefresh: options.forceRefresh ?? false });
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      authError = err;
    }
  }
  const signers = endpoint.signing === 'ed25519' || endpoint.signing === 'both' ? await deps.signingKeys?.signers(endpoint.tenant) : undefined;
  const headers = buildHeaders({ endpoint, event, body, now, userAgent: deps.userAgent, authHeaders, signers });
  const result = await deps.sender.send({
    url: endpoint.url,
    method: 'POST',
    headers,
    body,
    timeoutMs: ctx.timeoutMs,
    connectTimeoutMs: ctx.connectTimeoutMs,
    maxResponseBytes: deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    tls: ctx.tls,
    ...(broker ? { credentials: brokerCredentials(endpoint.auth), messageId: event.id } : {}),
  });
  const extra = endpoint.auth.type === 'header' ? [endpoint.auth.name] : [];
  return { result, requestHeaders: redactHeaders(headers, extra), authError, withAuth: options.withAuth };
}

/** A short, single-line excerpt of a response body for messages. */
export function excerpt(body: string | null, max = 200): string {
  if (!body) return '';
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}...` : line;
}
