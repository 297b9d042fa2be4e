// Domain objects -> API JSON. Credentials never leave through here: auth configs are rendered
// without their secret parts, and custom headers that look like credentials are masked.

import type { Attempt, Delivery, Endpoint, EndpointAuth, EventRecord, EventType, ApiKey } from '../core/types.js';
import type { InboundRequest, Source, VerifyConfig } from '../core/inbound-types.js';
import { RawJson } from './raw-json.js';

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const CREDENTIAL_HEADER = /authorization|cookie|token|secret|password|passwd|api[-_]?key|credential|signature/i;

export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = CREDENTIAL_HEADER.test(k) ? '[redacted]' : v;
  return out;
}

export function renderAuth(auth: EndpointAuth): Record<string, unknown> {
  switch (auth.type) {
    case 'none':
      return { type: 'none' };
    case 'basic':
      return { type: 'basic', username: auth.username, password: '[redacted]' };
    case 'bearer':
      return { type: 'bearer', token: '[redacted]' };
    case 'header':
      return { type: 'header', name: auth.name, value: '[redacted]' };
    case 'oauth2':
      return { type: 'oauth2', tokenUrl: auth.tokenUrl, clientId: auth.clientId, clientSecret: '[redacted]', scope: auth.scope ?? null, audience: auth.audience ?? null };
    case 'mtls':
      return { type: 'mtls', cert: auth.cert, key: '[redacted]', ca: auth.ca ?? null };
  }
}

export function renderEndpoint(e: Endpoint): Record<string, unknown> {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    tenant: e.tenant,
    eventTypes: e.eventTypes,
    auth: renderAuth(e.auth),
    headers: maskHeaders(e.headers),
    timeoutMs: e.timeoutMs,
    rateLimitPerSecond: e.rateLimitPerSecond,
    maxConcurrency: e.maxConcurrency,
    retrySchedule: e.retrySchedule,
    payloadFormat: e.payloadFormat,
    signing: e.signing ?? 'hmac',
    ordering: { onExhausted: e.ordering?.onExhausted ?? 'block' },
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    failingSince: iso(e.failingSince),
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

export function renderEvent(e: EventRecord): Record<string, unknown> {
  return {
    id: e.id,
    type: e.type,
    tenant: e.tenant,
    data: new RawJson(e.payload),
    idempotencyKey: e.idempotencyKey,
    sourceId: e.sourceId,
    createdAt: iso(e.createdAt),
  };
}

export function renderDelivery(d: Delivery): Record<string, unknown> {
  return {
    id: d.id,
    eventId: d.eventId,
    endpointId: d.endpointId,
    tenant: d.tenant,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: iso(d.status === 'pending' ? d.nextAttemptAt : null),
    lastCode: d.lastCode,
    lastStatus: d.lastStatus,
    orderingKey: d.orderingKey ?? null,
    orderingBlocked: d.orderingBlocked ?? false,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}

export function renderAttempt(a: Attempt): Record<string, unknown> {
  return {
    id: a.id,
    deliveryId: a.deliveryId,
    endpointId: a.endpointId,
    eventId: a.eventId,
    createdAt: iso(a.createdAt),
    durationMs: a.durationMs,
    responseStatus: a.responseStatus,
    code: a.code,
    outcome: a.outcome,
    trigger: a.trigger,
    message: a.message,
    request: { headers: a.requestHeaders },
    response: a.responseStatus === null ? null : { headers: a.responseHeaders ?? {}, body: a.responseBody },
  };
}

export function renderEventType(t: EventType): Record<string, unknown> {
  return { name: t.name, description: t.description, schema: t.schema, example: t.example ?? null, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) };
}

export function renderApiKey(k: ApiKey): Record<string, unknown> {
  return { id: k.id, name: k.name, role: k.role, tenant: k.tenant, prefix: k.prefix, createdAt: iso(k.createdAt), revokedAt: iso(k.revokedAt), lastUsedAt: iso(k.lastUsedAt) };
}

export function renderVerify(v: VerifyConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...v };
  for (const k of ['secret', 'value', 'token', 'password']) if (k in out) out[k] = '[redacted]';
  return out;
}

export function renderSource(s: Source, ingressUrl: string): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    tenant: s.tenant,
    ingressUrl,
    verify: renderVerify(s.verify),
    allowIps: s.allowIps,
    eventType: s.eventType,
    orderingKey: s.orderingKey ?? null,
    maxBodyBytes: s.maxBodyBytes,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export function renderInboundRequest(r: InboundRequest): Record<string, unknown> {
  return {
    id: r.id,
    sourceId: r.sourceId,
    receivedAt: iso(r.receivedAt),
    verdict: r.verdict,
    code: r.code,
    reason: r.reason,
    status: r.status,
    remoteAddress: r.remoteAddress,
    headers: r.headers,
    body: r.body,
    dedupeKey: r.dedupeKey,
    eventId: r.eventId,
  };
}
