// Publishing: idempotency check, event insert and fan-out to deliveries. Synchronous and
// transaction-free on purpose: publishEvents, recordResults (operational events) and recordInbound
// all call it inside their own transaction, so an event never exists without its deliveries.

import { contentFilterPasses, endpointMatches } from '../../core/endpoint-match.js';
import type { EventFilter } from '../../core/event-filter.js';
import type { NewEvent, PublishResult } from '../store.js';
import type { SqliteContext } from './context.js';
import { eventFromRow, type EventRow } from './rows.js';

interface FanOutRow {
  id: string;
  tenant: string | null;
  enabled: number;
  event_types: string | null;
  filter: string | null;
}

const FIND_BY_IDEMPOTENCY = 'SELECT * FROM events WHERE idempotency_key = ? AND tenant IS ?';
const COUNT_DELIVERIES = 'SELECT count(*) AS n FROM deliveries WHERE event_id = ?';
const INSERT_EVENT = `INSERT INTO events
  (id, type, tenant, payload, raw_body, idempotency_key, request_hash, source_id, created_at, trace_context)
  VALUES (@id, @type, @tenant, @payload, @raw_body, @idempotency_key, @request_hash, @source_id, @created_at, @trace_context)
  RETURNING seq`;
const FAN_OUT_ENDPOINTS = 'SELECT id, tenant, enabled, event_types, filter FROM endpoints WHERE enabled = 1 AND tenant IS ?';
const ONLY_ENDPOINT = 'SELECT id, tenant, enabled, event_types, filter FROM endpoints WHERE id = ?';
const INSERT_DELIVERY = `INSERT INTO deliveries
  (id, event_id, endpoint_id, tenant, event_type, status, attempts, run_attempts, next_attempt_at,
   lease_token, lease_expires_at, lease_owner, last_code, last_status, created_at, updated_at,
   ordering_key, ordering_seq)
  VALUES (?, ?, ?, ?, ?, 'pending', 0, 0, ?, 0, NULL, NULL, NULL, NULL, ?, ?, ?, ?)`;
/**
 * A keyed delivery waits ("parked": pending, next_attempt_at NULL) while its key has an open row on
 * that endpoint; the end of that row wakes the next one (ordering.ts). One probe of
 * deliveries_ordering_open. The publish holds the write lock, so no head can end unseen meanwhile.
 */
export const KEY_HAS_OPEN_ROW = `SELECT 1 FROM deliveries INDEXED BY deliveries_ordering_open
  WHERE endpoint_id = ? AND ordering_key = ? AND (status IN ('pending', 'sending') OR ordering_blocked = 1) LIMIT 1`;

/** An enabled endpoint of a tenant, its type list and content filter parsed. */
interface FanOutEndpoint {
  id: string;
  tenant: string | null;
  eventTypes: string[] | null;
  filter: EventFilter | null;
}

/**
 * Endpoints by tenant, read once per call of publishInTransaction: a batch of 500 events to one
 * tenant read (and parsed) the same endpoint rows 500 times. The caller's write transaction holds
 * the lock for the whole batch and nothing in it changes endpoints, so one read is the same answer.
 */
type FanOutCache = Map<string | null, FanOutEndpoint[]>;

/** Publish each event in order. Must run inside a write transaction; throws to roll the batch back. */
export function publishInTransaction(ctx: SqliteContext, events: readonly NewEvent[]): PublishResult[] {
  const endpoints: FanOutCache = new Map();
  return events.map((event) => publishOne(ctx, event, endpoints));
}

function publishOne(ctx: SqliteContext, event: NewEvent, endpoints: FanOutCache): PublishResult {
  if (event.idempotencyKey !== null) {
    const seen = ctx.stmt(FIND_BY_IDEMPOTENCY).get(event.idempotencyKey, event.tenant) as EventRow | undefined;
    if (seen !== undefined) {
      const original = eventFromRow(seen);
      if (seen.request_hash !== event.requestHash) return { kind: 'conflict', event: original };
      const { n } = ctx.stmt(COUNT_DELIVERIES).get(seen.id) as { n: number };
      return { kind: 'replayed', event: original, deliveries: n };
    }
  }

  const { seq } = ctx.stmt(INSERT_EVENT).get({
    id: event.id,
    type: event.type,
    tenant: event.tenant,
    payload: event.payload,
    raw_body: event.rawBody,
    idempotency_key: event.idempotencyKey,
    request_hash: event.requestHash,
    source_id: event.sourceId,
    created_at: event.createdAt,
    trace_context: event.traceContext ?? null,
  }) as { seq: number };

  const targets = fanOutTargets(ctx, event, endpoints);
  const insert = ctx.stmt(INSERT_DELIVERY);
  const dueAt = event.createdAt + Math.max(0, event.holdMs ?? 0);
  const deliveryIds: string[] = [];
  const key = event.orderingKey ?? null;
  for (const endpointId of targets) {
    const id = event.deliveryIds();
    deliveryIds.push(id);
    const parked = key !== null && ctx.stmt(KEY_HAS_OPEN_ROW).get(endpointId, key) !== undefined;
    insert.run(id, event.id, endpointId, event.tenant, event.type, parked ? null : dueAt, event.createdAt, event.createdAt, key, key === null ? null : seq);
  }

  return {
    kind: 'created',
    event: {
      id: event.id,
      type: event.type,
      tenant: event.tenant,
      payload: event.payload,
      rawBody: event.rawBody,
      idempotencyKey: event.idempotencyKey,
      requestHash: event.requestHash,
      sourceId: event.sourceId,
      traceContext: event.traceContext ?? null,
      seq,
      createdAt: event.createdAt,
    },
    deliveries: targets.length,
    deliveryIds,
  };
}

function fanOutTargets(ctx: SqliteContext, event: NewEvent, endpoints: FanOutCache): string[] {
  if (event.onlyEndpointId !== undefined) {
    // An endpoint test: the named endpoint receives the event whatever its filter, but only while it
    // is enabled (a disabled endpoint's deliveries are never claimed) and never across tenants.
    const row = ctx.stmt(ONLY_ENDPOINT).get(event.onlyEndpointId) as FanOutRow | undefined;
    return row !== undefined && row.enabled === 1 && row.tenant === event.tenant ? [row.id] : [];
  }
  let candidates = endpoints.get(event.tenant);
  if (candidates === undefined) {
    candidates = (ctx.stmt(FAN_OUT_ENDPOINTS).all(event.tenant) as FanOutRow[]).map((row) => ({
      id: row.id,
      tenant: row.tenant,
      eventTypes: row.event_types === null ? null : (JSON.parse(row.event_types) as string[]),
      filter: row.filter === null ? null : (JSON.parse(row.filter) as EventFilter),
    }));
    endpoints.set(event.tenant, candidates);
  }
  const targets: string[] = [];
  // The event's data, parsed once and only if some endpoint's content filter reads it.
  const parsed: { data?: unknown } = {};
  for (const endpoint of candidates) {
    if (!endpointMatches({ enabled: true, tenant: endpoint.tenant, eventTypes: endpoint.eventTypes }, event)) continue;
    if (contentFilterPasses(endpoint.filter, event, parsed)) targets.push(endpoint.id);
  }
  return targets;
}
