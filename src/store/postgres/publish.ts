// Publishing: publishEvents (autocommit, for the store's publishEvents) and publishInTransaction
// (inside a transaction the caller owns: recordResults for emitted operational events, recordInbound),
// so all of them fan out the same way.
//
// Feed ordering: `seq` is a bigserial, and sequence values are handed out at INSERT time, not commit
// time. Two concurrent publishers could commit seq 11 before seq 10, and a feed reader that already
// moved past 11 would never see 10. We take a transaction-scoped advisory lock (one per schema) right
// before inserting events, so seq assignment and commit happen in the same order: whoever holds the
// lock commits (releasing it) before the next publisher can draw a seq. The lock covers only the tail
// of the transaction (event and delivery inserts); the endpoint read for fan-out happens before it.
// The alternative, hiding seqs above the oldest open transaction's from the feed, keeps publishers
// parallel but needs a snapshot query per feed read and delays every reader behind a slow writer.
//
// Round trips: the lock, the event insert, the delivery insert and the NOTIFY are one statement
// (WRITE_EVENTS below), so a publish costs the endpoint read plus that statement. Every round trip
// under the lock waits for a turn of the Node event loop, and at 1,000 single publishes/s on
// PostgreSQL (bench/ paced) the former BEGIN, lock, two inserts, NOTIFY and COMMIT were what every
// other publisher queued behind; on this machine each statement also costs a socket write that
// showed up as ~15% of hookd's time. In autocommit (publishEvents) the single statement is atomic on
// its own and the lock is held from the insert to the commit and no longer.

import type pg from 'pg';
import { contentFilterPasses, endpointMatches } from '../../core/endpoint-match.js';
import type { Endpoint } from '../../core/types.js';
import type { NewEvent, PublishResult } from '../store.js';
import { lockOrdering } from './ordering.js';
import { LOCK_EVENT_SEQ, query, withTransaction, type PgContext, type Queryable } from './pool.js';
import { EVENT_COLUMNS, eventFromRow } from './rows.js';

type FanOutEndpoint = Pick<Endpoint, 'id' | 'enabled' | 'tenant' | 'eventTypes' | 'filter'>;

export interface PublishOutcome {
  results: PublishResult[];
  /** Events newly written (not replays): the caller notifies listeners when > 0. */
  created: number;
}

// The lock is an uncorrelated sub-select in the WHERE clause, which PostgreSQL evaluates once, as a
// one-time filter, before the first row leaves unnest: so before any seq is drawn. Replays lose the
// ON CONFLICT race silently and are looked up afterwards; rows come back in insertion order, so seq
// follows the order of the events within a batch. Deliveries are computed for every event (the
// fan-out needs no database) and kept only for events that were inserted, so a replay draws delivery
// ids it never uses. Ordered delivery (ordering.ts): a keyed delivery is parked (next_attempt_at
// NULL) when an earlier one of its key, in this batch or committed, is still open. The NOTIFY is an
// uncorrelated sub-select in the output list: evaluated once, and only if an event was inserted;
// PostgreSQL delivers it on commit and drops it on rollback.
const WRITE_EVENTS = `
WITH inserted AS (
  INSERT INTO events (id, type, tenant, payload, raw_body, idempotency_key, request_hash, source_id, created_at, trace_context)
  SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[], $9::text[], $10::text[],
                       $11::text[], $12::bigint[], $13::text[])
  WHERE (SELECT true FROM pg_advisory_xact_lock($1, $2))
  ON CONFLICT ((coalesce(tenant, '')), idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING ${EVENT_COLUMNS}
), fanned_out AS (
  INSERT INTO deliveries (id, event_id, endpoint_id, tenant, event_type, status, next_attempt_at, created_at, updated_at,
                          ordering_key, ordering_seq)
  SELECT u.id, u.event_id, u.endpoint_id, u.tenant, u.event_type, 'pending',
         CASE WHEN u.okey IS NULL THEN u.due
              WHEN row_number() OVER (PARTITION BY u.endpoint_id, u.okey ORDER BY i.seq) > 1 THEN NULL
              WHEN EXISTS (SELECT 1 FROM deliveries p WHERE p.endpoint_id = u.endpoint_id AND p.ordering_key = u.okey
                             AND (p.status IN ('pending', 'sending') OR p.ordering_blocked)) THEN NULL
              ELSE u.due END,
         u.at, u.at, u.okey, CASE WHEN u.okey IS NOT NULL THEN i.seq END
  FROM unnest($14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::bigint[], $20::bigint[], $21::text[])
    AS u(id, event_id, endpoint_id, tenant, event_type, at, due, okey)
  JOIN inserted i ON i.id = u.event_id
)
SELECT ${EVENT_COLUMNS}, (SELECT true FROM pg_notify($3, '')) AS notified FROM inserted`;

/** Publish in autocommit: two round trips (endpoint read, WRITE_EVENTS), one implicit transaction. */
export async function publishEvents(ctx: PgContext, events: NewEvent[]): Promise<PublishResult[]> {
  return (await publishInTransaction(ctx, ctx.pool, events)).results;
}

/**
 * Publish with `db`: a client inside the caller's transaction (results, inbound), or the pool, where
 * each statement commits on its own (publishEvents).
 */
export async function publishInTransaction(ctx: PgContext, db: Queryable, events: NewEvent[]): Promise<PublishOutcome> {
  if (events.length === 0) return { results: [], created: 0 };
  const endpoints = await loadFanOutEndpoints(db, events);

  const rows = { id: [] as string[], event: [] as string[], endpoint: [] as string[], tenant: [] as (string | null)[], type: [] as string[], at: [] as number[], due: [] as number[], key: [] as (string | null)[] };
  const fanOut = new Map<string, string[]>();
  for (const e of events) {
    const targets = targetsFor(e, endpoints);
    const ids: string[] = [];
    for (const ep of targets) {
      const id = e.deliveryIds();
      ids.push(id);
      rows.id.push(id);
      rows.event.push(e.id);
      rows.endpoint.push(ep.id);
      rows.tenant.push(e.tenant);
      rows.type.push(e.type);
      rows.at.push(e.createdAt);
      rows.due.push(e.createdAt + Math.max(0, e.holdMs ?? 0));
      rows.key.push(e.orderingKey ?? null);
    }
    fanOut.set(e.id, ids);
  }

  const params = [
    LOCK_EVENT_SEQ,
    ctx.schemaKey,
    ctx.channel,
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => e.tenant),
    events.map((e) => e.payload),
    events.map((e) => e.rawBody),
    events.map((e) => e.idempotencyKey),
    events.map((e) => e.requestHash),
    events.map((e) => e.sourceId),
    events.map((e) => e.createdAt),
    events.map((e) => e.traceContext ?? null),
    rows.id,
    rows.event,
    rows.endpoint,
    rows.tenant,
    rows.type,
    rows.at,
    rows.due,
    rows.key,
  ];
  // Keyed: the publish lock first, in a statement of its own, so that WRITE_EVENTS's snapshot sees
  // every head that ended before it (ordering.ts); autocommit becomes a short transaction.
  const keyed = rows.key.some((k) => k !== null);
  const inserted = !keyed
    ? await query(db, WRITE_EVENTS, params)
    : db === ctx.pool
      ? await withTransaction(ctx.pool, async (client) => {
          await lockOrdering(ctx, client);
          return query(client, WRITE_EVENTS, params);
        })
      : await lockOrdering(ctx, db).then(() => query(db, WRITE_EVENTS, params));
  const createdById = new Map(inserted.rows.map((r) => [r.id as string, eventFromRow(r)]));

  const existing = await loadReplays(db, events.filter((e) => !createdById.has(e.id)));
  const results = events.map((e): PublishResult => {
    const created = createdById.get(e.id);
    if (created) {
      const deliveryIds = fanOut.get(e.id) ?? [];
      return { kind: 'created', event: created, deliveries: deliveryIds.length, deliveryIds };
    }
    const original = e.idempotencyKey === null ? undefined : existing.get(replayKey(e.tenant, e.idempotencyKey));
    if (!original) {
      // Only the idempotency index is a tolerated conflict; reaching here means a lookup bug.
      throw new Error(`event ${e.id} was neither inserted nor found by its idempotency key`);
    }
    if (original.event.requestHash === e.requestHash) {
      return { kind: 'replayed', event: original.event, deliveries: original.deliveries };
    }
    return { kind: 'conflict', event: original.event };
  });
  return { results, created: createdById.size };
}

/** Tell other processes (LISTEN) that events or due work exist. Delivered on commit, dropped on rollback. */
export async function notifyWork(ctx: PgContext, client: pg.PoolClient): Promise<void> {
  await query(client, 'SELECT pg_notify($1, $2)', [ctx.channel, '']);
}

/**
 * `onlyEndpointId` (endpoint tests) targets one endpoint explicitly, so the event-type filter does not
 * apply; it must still be enabled and in the event's tenant, otherwise nothing is created.
 */
function targetsFor(e: NewEvent, endpoints: FanOutEndpoint[]): FanOutEndpoint[] {
  if (e.onlyEndpointId !== undefined) {
    const ep = endpoints.find((x) => x.id === e.onlyEndpointId);
    return ep && ep.enabled && (ep.tenant ?? null) === (e.tenant ?? null) ? [ep] : [];
  }
  // The event's data, parsed once and only if some endpoint's content filter reads it.
  const parsed: { data?: unknown } = {};
  return endpoints.filter((ep) => endpointMatches(ep, e) && contentFilterPasses(ep.filter, e, parsed));
}

async function loadFanOutEndpoints(db: Queryable, events: NewEvent[]): Promise<FanOutEndpoint[]> {
  const tenants = [...new Set(events.flatMap((e) => (e.tenant === null ? [] : [e.tenant])))];
  const anyNull = events.some((e) => e.tenant === null);
  const only = [...new Set(events.flatMap((e) => (e.onlyEndpointId === undefined ? [] : [e.onlyEndpointId])))];
  const broadcast = events.some((e) => e.onlyEndpointId === undefined);
  const { rows } = await query(
    db,
    `SELECT id, tenant, event_types, enabled, filter FROM endpoints
     WHERE ($4 AND enabled AND (tenant = ANY($1::text[]) OR ($2 AND tenant IS NULL))) OR id = ANY($3::text[])
     ORDER BY created_at, id`,
    [tenants, anyNull, only, broadcast],
  );
  return rows.map((r) => ({ id: r.id, tenant: r.tenant, eventTypes: r.event_types, enabled: r.enabled, filter: r.filter }));
}

function replayKey(tenant: string | null, key: string): string {
  return JSON.stringify([tenant ?? '', key]);
}

async function loadReplays(
  db: Queryable,
  events: NewEvent[],
): Promise<Map<string, { event: ReturnType<typeof eventFromRow>; deliveries: number }>> {
  const keyed = events.filter((e) => e.idempotencyKey !== null);
  const found = new Map<string, { event: ReturnType<typeof eventFromRow>; deliveries: number }>();
  if (keyed.length === 0) return found;
  const { rows } = await query(
    db,
    `SELECT ${EVENT_COLUMNS}, (SELECT count(*) FROM deliveries d WHERE d.event_id = events.id) AS delivery_count
     FROM events
     WHERE idempotency_key IS NOT NULL
       AND (coalesce(tenant, ''), idempotency_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [keyed.map((e) => e.tenant ?? ''), keyed.map((e) => e.idempotencyKey)],
  );
  for (const r of rows) {
    found.set(replayKey(r.tenant, r.idempotency_key), { event: eventFromRow(r), deliveries: r.delivery_count });
  }
  return found;
}
