// Row <-> domain mapping. Column lists live next to their mappers so a query and its mapper cannot
// drift apart. Sealed columns are opened here, and only here.

import type { QueryResultRow } from 'pg';
import type { SecretBox } from '../../core/secret-box.js';
import type {
  ApiKey,
  Attempt,
  Delivery,
  Endpoint,
  EventRecord,
  EventType,
} from '../../core/types.js';
import type { InboundRequest, Source } from '../../core/inbound-types.js';
import { deliveryFromRow as sharedDeliveryFromRow, eventFromRow as sharedEventFromRow, type DeliveryRow, type EventRow } from '../row-mapping.js';

// pg's own row type: columns are untyped at this edge, and the mappers below are where they get types.
type Row = QueryResultRow;

export const API_KEY_COLUMNS = 'id, name, role, tenant, hash, prefix, created_at, revoked_at, last_used_at';
export function apiKeyFromRow(r: Row): ApiKey {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    tenant: r.tenant,
    hash: r.hash,
    prefix: r.prefix,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

export const EVENT_TYPE_COLUMNS = 'name, description, schema, example, created_at, updated_at';
export function eventTypeFromRow(r: Row): EventType {
  return {
    name: r.name,
    description: r.description,
    schema: r.schema === null ? null : JSON.parse(r.schema),
    example: r.example === null ? null : JSON.parse(r.example),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export const ENDPOINT_COLUMNS =
  'id, tenant, url, description, event_types, auth_sealed, secrets_sealed, headers, timeout_ms, ' +
  'rate_limit_per_second, max_concurrency, retry_schedule, payload_format, enabled, disabled_reason, ' +
  'failing_since, created_at, updated_at, signing, filter, transform, transform_history, ordering_on_exhausted';
export function endpointFromRow(r: Row, box: SecretBox): Endpoint {
  return {
    id: r.id,
    tenant: r.tenant,
    url: r.url,
    description: r.description,
    eventTypes: r.event_types,
    auth: JSON.parse(box.open(r.auth_sealed)),
    secrets: JSON.parse(box.open(r.secrets_sealed)),
    headers: r.headers,
    timeoutMs: r.timeout_ms,
    rateLimitPerSecond: r.rate_limit_per_second,
    maxConcurrency: r.max_concurrency,
    retrySchedule: r.retry_schedule,
    payloadFormat: r.payload_format,
    signing: r.signing,
    // Present only when set, so endpoints without them look as they did before these columns.
    ...(r.filter == null ? {} : { filter: r.filter }),
    ...(r.transform == null ? {} : { transform: r.transform }),
    ...(r.transform_history == null ? {} : { transformHistory: r.transform_history }),
    ordering: { onExhausted: r.ordering_on_exhausted === 'skip' ? 'skip' : 'block' },
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    failingSince: r.failing_since,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
/** Parameters for ENDPOINT_COLUMNS, in order. JSON columns are passed as text: pg would otherwise
 * turn a JS array into a PostgreSQL array literal. */
export function endpointParams(e: Endpoint, box: SecretBox): unknown[] {
  return [
    e.id,
    e.tenant,
    e.url,
    e.description,
    e.eventTypes === null ? null : JSON.stringify(e.eventTypes),
    box.seal(JSON.stringify(e.auth)),
    box.seal(JSON.stringify(e.secrets)),
    JSON.stringify(e.headers),
    e.timeoutMs,
    e.rateLimitPerSecond,
    e.maxConcurrency,
    e.retrySchedule === null ? null : JSON.stringify(e.retrySchedule),
    e.payloadFormat,
    e.enabled,
    e.disabledReason,
    e.failingSince,
    e.createdAt,
    e.updatedAt,
    e.signing ?? 'hmac',
    e.filter == null ? null : JSON.stringify(e.filter),
    e.transform == null ? null : JSON.stringify(e.transform),
    e.transformHistory === undefined || e.transformHistory.length === 0 ? null : JSON.stringify(e.transformHistory),
    e.ordering?.onExhausted ?? 'block',
  ];
}

export const EVENT_COLUMNS =
  'seq, id, type, tenant, payload, raw_body, idempotency_key, request_hash, source_id, created_at, trace_context';
/** pg rows are untyped at this edge; the shared mapper gives them their types. */
export const eventFromRow = (r: Row): EventRecord => sharedEventFromRow(r as EventRow);

export const DELIVERY_COLUMNS =
  'id, event_id, endpoint_id, tenant, event_type, status, attempts, run_attempts, next_attempt_at, ' +
  'lease_token, lease_expires_at, lease_owner, last_code, last_status, created_at, updated_at, next_trigger, run_limit, ordering_key, ordering_blocked';
export const deliveryFromRow = (r: Row): Delivery => sharedDeliveryFromRow(r as DeliveryRow);

export const ATTEMPT_COLUMNS =
  'id, delivery_id, endpoint_id, event_id, tenant, created_at, duration_ms, response_status, code, ' +
  'outcome, message, request_headers, response_headers, response_body, triggered_by';
export function attemptFromRow(r: Row): Attempt {
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
    outcome: r.outcome,
    message: r.message,
    requestHeaders: r.request_headers,
    responseHeaders: r.response_headers,
    responseBody: r.response_body,
    trigger: r.triggered_by,
  };
}
export const SOURCE_COLUMNS =
  'id, name, tenant, verify_sealed, allow_ips, event_type, max_body_bytes, created_at, updated_at, ordering_key_rule, consume_sealed';
export function sourceFromRow(r: Row, box: SecretBox): Source {
  return {
    id: r.id,
    name: r.name,
    tenant: r.tenant,
    verify: JSON.parse(box.open(r.verify_sealed)),
    allowIps: r.allow_ips,
    eventType: r.event_type,
    orderingKey: r.ordering_key_rule ?? null,
    consume: r.consume_sealed === null || r.consume_sealed === undefined ? null : JSON.parse(box.open(r.consume_sealed)),
    maxBodyBytes: r.max_body_bytes,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
export function sourceParams(s: Source, box: SecretBox): unknown[] {
  return [
    s.id,
    s.name,
    s.tenant,
    box.seal(JSON.stringify(s.verify)),
    s.allowIps === null ? null : JSON.stringify(s.allowIps),
    s.eventType === null ? null : JSON.stringify(s.eventType),
    s.maxBodyBytes,
    s.createdAt,
    s.updatedAt,
    s.orderingKey === undefined || s.orderingKey === null ? null : JSON.stringify(s.orderingKey),
    s.consume === undefined || s.consume === null ? null : box.seal(JSON.stringify(s.consume)),
  ];
}

export const INBOUND_COLUMNS =
  'id, source_id, tenant, received_at, verdict, code, reason, status, remote_address, headers, body, ' +
  'dedupe_key, event_id';
export function inboundFromRow(r: Row): InboundRequest {
  return {
    id: r.id,
    sourceId: r.source_id,
    tenant: r.tenant,
    receivedAt: r.received_at,
    verdict: r.verdict,
    code: r.code,
    reason: r.reason,
    status: r.status,
    remoteAddress: r.remote_address,
    headers: r.headers,
    body: r.body,
    dedupeKey: r.dedupe_key,
    eventId: r.event_id,
  };
}
/** `$1, $2, ... $n` starting after `offset` placeholders. */
export function placeholders(count: number, offset = 0): string {
  return Array.from({ length: count }, (_, i) => `$${i + offset + 1}`).join(', ');
}

/**
 * `alias.column` for each of `columns`, renamed `prefix + column` when a prefix is given: lets one
 * statement return several tables' rows side by side (a claim returns delivery, event and endpoint).
 */
export function aliasedColumns(alias: string, columns: string, prefix = ''): string {
  return columnNames(columns)
    .map((c) => (prefix === '' ? `${alias}.${c}` : `${alias}.${c} AS ${prefix}${c}`))
    .join(', ');
}

/**
 * Like aliasedColumns with a prefix, each column NULL unless `condition` holds: a claim batch repeats
 * an event (fan-out) and an endpoint on many rows, and sends their columns on the first row only.
 */
export function aliasedColumnsWhen(alias: string, columns: string, prefix: string, condition: string): string {
  return columnNames(columns)
    .map((c) => `CASE WHEN ${condition} THEN ${alias}.${c} END AS ${prefix}${c}`)
    .join(', ');
}

/** The columns named `prefix + column` in `row`, under their own names (see aliasedColumns). */
export function unprefixed(row: Row, prefix: string, columns: string): Row {
  const out: Row = {};
  for (const c of columnNames(columns)) out[c] = row[prefix + c];
  return out;
}

// Split once per list: unprefixed runs for every event and endpoint a claim returns.
const splitLists = new Map<string, string[]>();
function columnNames(columns: string): string[] {
  let names = splitLists.get(columns);
  if (names === undefined) {
    names = columns.split(',').map((c) => c.trim());
    splitLists.set(columns, names);
  }
  return names;
}
