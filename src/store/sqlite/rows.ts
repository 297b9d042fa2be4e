// Row <-> domain mapping for the SQLite adapter. Rows are what better-sqlite3 returns (snake_case,
// 0/1 booleans, JSON as TEXT); the domain objects are the types in core/. Secrets are sealed and
// opened here and nowhere else, so a code path cannot forget to encrypt.

import type { SecretBox } from '../../core/secret-box.js';
import type {
  ApiKey,
  Attempt,
  DisabledReason,
  Endpoint,
  EventType,
} from '../../core/types.js';
import type { InboundRequest, InboundVerdict, Source } from '../../core/inbound-types.js';
import type { DeliveryRow, EventRow } from '../row-mapping.js';

export interface ApiKeyRow {
  id: string;
  name: string | null;
  role: string;
  tenant: string | null;
  hash: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export function apiKeyFromRow(r: ApiKeyRow): ApiKey {
  return {
    id: r.id,
    name: r.name,
    role: r.role as ApiKey['role'],
    tenant: r.tenant,
    hash: r.hash,
    prefix: r.prefix,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

export interface EventTypeRow {
  name: string;
  description: string | null;
  schema: string | null;
  example: string | null;
  created_at: number;
  updated_at: number;
}

export function eventTypeFromRow(r: EventTypeRow): EventType {
  return {
    name: r.name,
    description: r.description,
    schema: r.schema === null ? null : (JSON.parse(r.schema) as Record<string, unknown>),
    // No example reads as null on every store (Store.getEventType), so JSON null is no example too.
    example: r.example === null ? null : JSON.parse(r.example),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function eventTypeToParams(t: EventType): EventTypeRow {
  return {
    name: t.name,
    description: t.description,
    schema: t.schema === null ? null : JSON.stringify(t.schema),
    example: t.example === undefined || t.example === null ? null : JSON.stringify(t.example),
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

export interface EndpointRow {
  id: string;
  tenant: string | null;
  url: string;
  description: string | null;
  event_types: string | null;
  auth_sealed: string;
  secrets_sealed: string;
  headers: string;
  timeout_ms: number;
  rate_limit_per_second: number | null;
  max_concurrency: number;
  retry_schedule: string | null;
  payload_format: string;
  signing: string;
  filter: string | null;
  transform: string | null;
  transform_history: string | null;
  ordering_on_exhausted: string;
  enabled: number;
  disabled_reason: string | null;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

export function endpointFromRow(r: EndpointRow, box: SecretBox): Endpoint {
  return {
    id: r.id,
    tenant: r.tenant,
    url: r.url,
    description: r.description,
    eventTypes: r.event_types === null ? null : (JSON.parse(r.event_types) as string[]),
    auth: JSON.parse(box.open(r.auth_sealed)) as Endpoint['auth'],
    secrets: JSON.parse(box.open(r.secrets_sealed)) as Endpoint['secrets'],
    headers: JSON.parse(r.headers) as Record<string, string>,
    timeoutMs: r.timeout_ms,
    rateLimitPerSecond: r.rate_limit_per_second,
    maxConcurrency: r.max_concurrency,
    retrySchedule: r.retry_schedule === null ? null : (JSON.parse(r.retry_schedule) as number[]),
    payloadFormat: r.payload_format as Endpoint['payloadFormat'],
    signing: r.signing as NonNullable<Endpoint['signing']>,
    // Present only when set, so endpoints without them look as they did before these columns.
    ...(r.filter === null ? {} : { filter: JSON.parse(r.filter) as Endpoint['filter'] }),
    ...(r.transform === null ? {} : { transform: JSON.parse(r.transform) as Endpoint['transform'] }),
    ...(r.transform_history === null ? {} : { transformHistory: JSON.parse(r.transform_history) as NonNullable<Endpoint['transformHistory']> }),
    ordering: { onExhausted: r.ordering_on_exhausted === 'skip' ? 'skip' : 'block' },
    enabled: r.enabled === 1,
    disabledReason: r.disabled_reason as DisabledReason | null,
    failingSince: r.failing_since,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function endpointToParams(e: Endpoint, box: SecretBox): EndpointRow {
  return {
    id: e.id,
    tenant: e.tenant,
    url: e.url,
    description: e.description,
    event_types: e.eventTypes === null ? null : JSON.stringify(e.eventTypes),
    // Sealed whole: the JSON shape (which auth type, how many secrets) is not leaked either.
    auth_sealed: box.seal(JSON.stringify(e.auth)),
    secrets_sealed: box.seal(JSON.stringify(e.secrets)),
    headers: JSON.stringify(e.headers),
    timeout_ms: e.timeoutMs,
    rate_limit_per_second: e.rateLimitPerSecond,
    max_concurrency: e.maxConcurrency,
    retry_schedule: e.retrySchedule === null ? null : JSON.stringify(e.retrySchedule),
    payload_format: e.payloadFormat,
    signing: e.signing ?? 'hmac',
    filter: e.filter == null ? null : JSON.stringify(e.filter),
    transform: e.transform == null ? null : JSON.stringify(e.transform),
    transform_history: e.transformHistory === undefined || e.transformHistory.length === 0 ? null : JSON.stringify(e.transformHistory),
    ordering_on_exhausted: e.ordering?.onExhausted ?? 'block',
    enabled: e.enabled ? 1 : 0,
    disabled_reason: e.disabledReason,
    failing_since: e.failingSince,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

export interface AttemptRow {
  id: string;
  delivery_id: string;
  endpoint_id: string;
  event_id: string;
  tenant: string | null;
  created_at: number;
  duration_ms: number;
  response_status: number | null;
  code: string;
  outcome: string;
  message: string | null;
  request_headers: string;
  response_headers: string | null;
  response_body: string | null;
  triggered_by: string;
}

export function attemptFromRow(r: AttemptRow): Attempt {
  return {
    id: r.id,
    deliveryId: r.delivery_id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    tenant: r.tenant,
    createdAt: r.created_at,
    durationMs: r.duration_ms,
    responseStatus: r.response_status,
    code: r.code,
    outcome: r.outcome as Attempt['outcome'],
    message: r.message,
    requestHeaders: JSON.parse(r.request_headers) as Record<string, string>,
    responseHeaders: r.response_headers === null ? null : (JSON.parse(r.response_headers) as Record<string, string>),
    responseBody: r.response_body,
    trigger: r.triggered_by as Attempt['trigger'],
  };
}

/** The attempts columns in the order attemptValues() gives them (positional binding: one insert per attempt). */
export const ATTEMPT_COLUMNS =
  'id, delivery_id, endpoint_id, event_id, tenant, created_at, duration_ms, response_status, code, outcome, message, request_headers, response_headers, response_body, triggered_by';

export function attemptValues(a: Attempt): unknown[] {
  return [
    a.id,
    a.deliveryId,
    a.endpointId,
    a.eventId,
    a.tenant,
    a.createdAt,
    Math.round(a.durationMs),
    a.responseStatus,
    a.code,
    a.outcome,
    a.message,
    JSON.stringify(a.requestHeaders),
    a.responseHeaders === null ? null : JSON.stringify(a.responseHeaders),
    a.responseBody,
    a.trigger,
  ];
}

export interface SourceRow {
  id: string;
  name: string;
  tenant: string | null;
  verify_sealed: string;
  allow_ips: string | null;
  event_type: string | null;
  ordering_key_rule: string | null;
  consume_sealed: string | null;
  max_body_bytes: number | null;
  created_at: number;
  updated_at: number;
}

export function sourceFromRow(r: SourceRow, box: SecretBox): Source {
  return {
    id: r.id,
    name: r.name,
    tenant: r.tenant,
    verify: JSON.parse(box.open(r.verify_sealed)) as Source['verify'],
    allowIps: r.allow_ips === null ? null : (JSON.parse(r.allow_ips) as string[]),
    eventType: r.event_type === null ? null : (JSON.parse(r.event_type) as Source['eventType']),
    orderingKey: r.ordering_key_rule === null ? null : (JSON.parse(r.ordering_key_rule) as Source['eventType']),
    maxBodyBytes: r.max_body_bytes,
    consume: r.consume_sealed === null ? null : (JSON.parse(box.open(r.consume_sealed)) as Source['consume']),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function sourceToParams(s: Source, box: SecretBox): SourceRow {
  return {
    id: s.id,
    name: s.name,
    tenant: s.tenant,
    verify_sealed: box.seal(JSON.stringify(s.verify)),
    allow_ips: s.allowIps === null ? null : JSON.stringify(s.allowIps),
    event_type: s.eventType === null ? null : JSON.stringify(s.eventType),
    ordering_key_rule: s.orderingKey === undefined || s.orderingKey === null ? null : JSON.stringify(s.orderingKey),
    consume_sealed: s.consume === undefined || s.consume === null ? null : box.seal(JSON.stringify(s.consume)),
    max_body_bytes: s.maxBodyBytes,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

export interface InboundRow {
  id: string;
  source_id: string;
  tenant: string | null;
  received_at: number;
  verdict: string;
  code: string | null;
  reason: string | null;
  status: number;
  remote_address: string | null;
  headers: string;
  body: string | null;
  dedupe_key: string | null;
  event_id: string | null;
  duplicate_of: string | null;
}

export function inboundFromRow(r: InboundRow): InboundRequest {
  return {
    id: r.id,
    sourceId: r.source_id,
    tenant: r.tenant,
    receivedAt: r.received_at,
    verdict: r.verdict as InboundVerdict,
    code: r.code,
    reason: r.reason,
    status: r.status,
    remoteAddress: r.remote_address,
    headers: JSON.parse(r.headers) as Record<string, string>,
    body: r.body,
    dedupeKey: r.dedupe_key,
    eventId: r.event_id,
  };
}

export function inboundToParams(q: InboundRequest, duplicateOf: string | null): InboundRow {
  return {
    id: q.id,
    source_id: q.sourceId,
    tenant: q.tenant,
    received_at: q.receivedAt,
    verdict: q.verdict,
    code: q.code,
    reason: q.reason,
    status: q.status,
    remote_address: q.remoteAddress,
    headers: JSON.stringify(q.headers),
    body: q.body,
    dedupe_key: q.dedupeKey,
    event_id: q.eventId,
    duplicate_of: duplicateOf,
  };
}

export { deliveryFromRow, eventFromRow, type DeliveryRow, type EventRow } from '../row-mapping.js';

/** The events columns in the order eventRowFromValues() reads them (as DELIVERY_COLUMNS below). */
export const EVENT_COLUMNS =
  'seq, id, type, tenant, payload, raw_body, idempotency_key, request_hash, source_id, created_at, trace_context';

export function eventRowFromValues(v: unknown[]): EventRow {
  return {
    seq: v[0] as number,
    id: v[1] as string,
    type: v[2] as string,
    tenant: v[3] as string | null,
    payload: v[4] as string,
    raw_body: v[5] as Buffer | null,
    idempotency_key: v[6] as string | null,
    request_hash: v[7] as string | null,
    source_id: v[8] as string | null,
    created_at: v[9] as number,
    trace_context: v[10] as string | null,
  };
}

/**
 * The deliveries columns in the order deliveryRowFromValues() reads them. For the claim, which
 * returns hundreds of rows per call: better-sqlite3 builds a row as an array (`.raw()`) in about half
 * the time it takes to build it as an object, even with the object made here afterwards.
 */
export const DELIVERY_COLUMNS =
  'id, event_id, endpoint_id, tenant, event_type, status, attempts, run_attempts, next_attempt_at, lease_token, lease_expires_at, lease_owner, last_code, last_status, created_at, updated_at, next_trigger, run_limit, ordering_key, ordering_blocked';

export function deliveryRowFromValues(v: unknown[]): DeliveryRow {
  return {
    id: v[0] as string,
    event_id: v[1] as string,
    endpoint_id: v[2] as string,
    tenant: v[3] as string | null,
    event_type: v[4] as string,
    status: v[5] as string,
    attempts: v[6] as number,
    run_attempts: v[7] as number,
    next_attempt_at: v[8] as number | null,
    lease_token: v[9] as number,
    lease_expires_at: v[10] as number | null,
    lease_owner: v[11] as string | null,
    last_code: v[12] as string | null,
    last_status: v[13] as number | null,
    created_at: v[14] as number,
    updated_at: v[15] as number,
    next_trigger: v[16] as string,
    run_limit: v[17] as number | null,
    ordering_key: v[18] as string | null,
    ordering_blocked: v[19] as number,
  };
}
