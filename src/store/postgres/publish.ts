// Publishing inside a transaction the caller owns: used by publishEvents, by recordResults (emitted
// operational events) and by recordInbound, so all three fan out the same way.
//
// Feed ordering: `seq` is a bigserial, and sequence values are handed out at INSERT time, not commit
// time. Two concurrent publishers could commit seq 11 before seq 10, and a feed reader that already
// moved past 11 would never see 10. We take a transaction-scoped advisory lock (one per schema) right
// before inserting events, so seq assignment and commit happen in the same order: whoever holds the
// lock commits (releasing it) before the next publisher can draw a seq. The lock covers only the tail
// of the transaction (event and delivery inserts); the endpoint read for fan-out happens before it.
// The alternative, hiding seqs above the oldest open transaction's from the feed, keeps publishers
// parallel but needs a snapshot query per feed read and delays every reader behind a slow writer.

import type pg from 'pg';
import { endpointMatches } from '../../core/endpoint-match.js';
import type { Endpoint } from '../../core/types.js';
import type { NewEvent, PublishResult } from '../store.js';
import { LOCK_EVENT_SEQ, query, type PgContext } from './pool.js';
import { EVENT_COLUMNS, eventFromRow } from './rows.js';

type FanOutEndpoint = Pick<Endpoint, 'id' | 'enabled' | 'tenant' | 'eventTypes'>;

export interface PublishOutcome {
  results: PublishResult[];
  /** Events newly written (not replays): the caller notifies listeners when > 0. */
  created: number;
}

export async function publishInTransaction(
  ctx: PgContext,
  client: pg.PoolClient,
  events: NewEvent[],
): Promise<PublishOutcome> {
  if (events.length === 0) return { results: [], created: 0 };
  const endpoints = await loadFanOutEndpoints(client, events);

  await query(client, 'SELECT pg_advisory_xact_lock($1, $2)', [LOCK_EVENT_SEQ, ctx.schemaKey]);

  // Replays lose the ON CONFLICT race silently and are looked up afterwards; rows come back in
  // insertion order, so seq follows the order of `events` within a batch.
  const inserted = await query(
    client,
    `INSERT INTO events (id, type, tenant, payload, raw_body, idempotency_key, request_hash, source_id, created_at, trace_context)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::text[], $7::text[],
                          $8::text[], $9::bigint[], $10::text[])
     ON CONFLICT ((coalesce(tenant, '')), idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING ${EVENT_COLUMNS}`,
    [
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
    ],
  );
  const createdById = new Map(inserted.rows.map((r) => [r.id as string, eventFromRow(r)]));

  // Fan-out for the events that were written, as one multi-row insert.
  const rows = { id: [] as string[], event: [] as string[], endpoint: [] as string[], tenant: [] as (string | null)[], type: [] as string[], at: [] as number[] };
  const counts = new Map<string, number>();
  for (const e of events) {
    if (!createdById.has(e.id)) continue;
    let n = 0;
    for (const ep of targetsFor(e, endpoints)) {
      rows.id.push(e.deliveryIds());
      rows.event.push(e.id);
      rows.endpoint.push(ep.id);
      rows.tenant.push(e.tenant);
      rows.type.push(e.type);
      rows.at.push(e.createdAt);
      n++;
    }
    counts.set(e.id, n);
  }
  if (rows.id.length > 0) {
    await query(
      client,
      `INSERT INTO deliveries (id, event_id, endpoint_id, tenant, event_type, status, next_attempt_at, created_at, updated_at)
       SELECT u.id, u.event_id, u.endpoint_id, u.tenant, u.event_type, 'pending', u.at, u.at, u.at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
         AS u(id, event_id, endpoint_id, tenant, event_type, at)`,
      [rows.id, rows.event, rows.endpoint, rows.tenant, rows.type, rows.at],
    );
  }

  const existing = await loadReplays(client, events.filter((e) => !createdById.has(e.id)));
  const results = events.map((e): PublishResult => {
    const created = createdById.get(e.id);
    if (created) return { kind: 'created', event: created, deliveries: counts.get(e.id) ?? 0 };
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

  if (createdById.size > 0) await notifyWork(ctx, client);
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
  return endpoints.filter((ep) => endpointMatches(ep, e));
}

async function loadFanOutEndpoints(client: pg.PoolClient, events: NewEvent[]): Promise<FanOutEndpoint[]> {
  const tenants = [...new Set(events.flatMap((e) => (e.tenant === null ? [] : [e.tenant])))];
  const anyNull = events.some((e) => e.tenant === null);
  const only = [...new Set(events.flatMap((e) => (e.onlyEndpointId === undefined ? [] : [e.onlyEndpointId])))];
  const broadcast = events.some((e) => e.onlyEndpointId === undefined);
  const { rows } = await query(
    client,
    `SELECT id, tenant, event_types, enabled FROM endpoints
     WHERE ($4 AND enabled AND (tenant = ANY($1::text[]) OR ($2 AND tenant IS NULL))) OR id = ANY($3::text[])
     ORDER BY created_at, id`,
    [tenants, anyNull, only, broadcast],
  );
  return rows.map((r) => ({ id: r.id, tenant: r.tenant, eventTypes: r.event_types, enabled: r.enabled }));
}

function replayKey(tenant: string | null, key: string): string {
  return JSON.stringify([tenant ?? '', key]);
}

async function loadReplays(
  client: pg.PoolClient,
  events: NewEvent[],
): Promise<Map<string, { event: ReturnType<typeof eventFromRow>; deliveries: number }>> {
  const keyed = events.filter((e) => e.idempotencyKey !== null);
  const found = new Map<string, { event: ReturnType<typeof eventFromRow>; deliveries: number }>();
  if (keyed.length === 0) return found;
  const { rows } = await query(
    client,
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
