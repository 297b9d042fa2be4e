// Domain objects -> API JSON, typed by the wire models (src/wire/) that the routes declare as their
// response schemas, so a field added here without the model fails to compile. Credentials never leave through here: auth configs are rendered
// without their secret parts, and custom headers that look like credentials are masked.

import type { Attempt, Delivery, Endpoint, EndpointAuth, EndpointTransform, EventRecord, EventType, ApiKey } from '../core/types.js';
import type { InboundRequest, Source, VerifyConfig } from '../core/inbound-types.js';
import { RawJson } from './raw-json.js';
import { CREDENTIAL_NAME } from '../core/header-rules.js';
import type { ApiKeyView, AttemptView, TransformView, DeliveryView, EndpointAuthView, EndpointView, EventTypeView, EventView, InboundRequestView, SourceView } from '../wire/index.js';

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}


export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = CREDENTIAL_NAME.test(k) ? '[redacted]' : v;
  return out;
}

export function renderAuth(auth: EndpointAuth): EndpointAuthView {
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

export function renderEndpoint(e: Endpoint): EndpointView {
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
    filter: e.filter ?? null,
    transform: renderTransform(e.transform ?? null),
    ordering: { onExhausted: e.ordering?.onExhausted ?? 'block' },
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    failingSince: iso(e.failingSince),
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

export function renderTransform(t: EndpointTransform | null): TransformView | null {
  if (t === null) return null;
  return t.preset !== undefined ? { version: t.version, preset: t.preset, createdAt: iso(t.createdAt) } : { version: t.version, code: t.code, createdAt: iso(t.createdAt) };
}

export function renderEvent(e: EventRecord): EventView {
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

export function renderDelivery(d: Delivery): DeliveryView {
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

export function renderAttempt(a: Attempt): AttemptView {
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

export function renderEventType(t: EventType): EventTypeView {
  return { name: t.name, description: t.description, schema: t.schema, example: t.example ?? null, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) };
}

export function renderApiKey(k: ApiKey): ApiKeyView {
  return { id: k.id, name: k.name, role: k.role, tenant: k.tenant, prefix: k.prefix, createdAt: iso(k.createdAt), revokedAt: iso(k.revokedAt), lastUsedAt: iso(k.lastUsedAt) };
}

export function renderVerify(v: VerifyConfig): SourceView['verify'] {
  const out: Record<string, unknown> = { ...v };
  for (const k of ['secret', 'value', 'token', 'password']) if (k in out) out[k] = '[redacted]';
  return { ...out, scheme: v.scheme };
}

export function renderSource(s: Source, ingressUrl: string): SourceView {
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
    // The password never reads back; the user name does (it names the account, like a URL's).
    consume: s.consume ? { url: s.consume.url, username: s.consume.username ?? null, password: s.consume.password !== undefined ? '[redacted]' : null } : null,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export function renderInboundRequest(r: InboundRequest): InboundRequestView {
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
