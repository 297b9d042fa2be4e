// Reading deliveries and attempts, and the numbers the dispatcher and dashboard need.

import type { Attempt, Delivery } from '../../core/types.js';
import type { DeliveryQuery, EndpointQueueDepth, EndpointStats, Page, PageRequest, TenantFilter } from '../store.js';
import { PENDING_HEADS } from './claim-sql.js';
import { query, type PgContext } from './pool.js';
import { ATTEMPT_COLUMNS, DELIVERY_COLUMNS, attemptFromRow, deliveryFromRow } from './rows.js';
import { Where, newestFirst } from './sql-builder.js';

export async function getDelivery(ctx: PgContext, id: string, tenant: TenantFilter): Promise<Delivery | null> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE ${where.sql()}`, where.params);
  return rows[0] ? deliveryFromRow(rows[0]) : null;
}

export async function listDeliveries(ctx: PgContext, q: DeliveryQuery, page: PageRequest): Promise<Page<Delivery>> {
  const where = new Where().tenant('tenant', q.tenant);
  if (q.status !== undefined) where.add(`status = ${where.param(q.status)}`);
  if (q.endpointId !== undefined) where.add(`endpoint_id = ${where.param(q.endpointId)}`);
  if (q.eventId !== undefined) where.add(`event_id = ${where.param(q.eventId)}`);
  if (q.eventType !== undefined) where.add(`event_type = ${where.param(q.eventType)}`);
  if (q.since !== undefined) where.add(`created_at >= ${where.param(q.since)}`);
  if (q.until !== undefined) where.add(`created_at < ${where.param(q.until)}`);
  if (q.lastStatus !== undefined) where.add(`last_status = ${where.param(q.lastStatus)}`);
  if (q.lastCode !== undefined) where.add(`last_code = ${where.param(q.lastCode)}`);
  const p = newestFirst<Delivery>(where, 'created_at', 'id', page);
  const { rows } = await query(ctx.pool, `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE ${where.sql()} ${p.tail}`, where.params);
  return p.finish(rows.map(deliveryFromRow), (d) => [d.createdAt, d.id]);
}

/** A delivery's attempts in the order they were made. */
export async function listAttempts(ctx: PgContext, deliveryId: string): Promise<Attempt[]> {
  const { rows } = await query(
    ctx.pool,
    `SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE delivery_id = $1 ORDER BY created_at, id`,
    [deliveryId],
  );
  return rows.map(attemptFromRow);
}

/** An endpoint's latest attempts, newest first. */
export async function listRecentAttempts(ctx: PgContext, endpointId: string, limit: number): Promise<Attempt[]> {
  const { rows } = await query(
    ctx.pool,
    `SELECT ${ATTEMPT_COLUMNS} FROM attempts WHERE endpoint_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [endpointId, Math.max(0, Math.floor(limit))],
  );
  return rows.map(attemptFromRow);
}

/**
 * succeeded/failed count the endpoint's deliveries created in the window by final status; attempts,
 * codes and latency look at attempts made in the window. Percentiles are nearest-rank
 * (percentile_disc): a latency that was actually observed, the same figure SQLite computes.
 */
export async function endpointStats(ctx: PgContext, endpointId: string, since: number, until: number): Promise<EndpointStats> {
  const { rows } = await query(
    ctx.pool,
    `SELECT count(*) AS attempts,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
            percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
            percentile_disc(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99,
            (SELECT coalesce(jsonb_object_agg(code, n), '{}'::jsonb) FROM (
               SELECT code, count(*) AS n FROM attempts
               WHERE endpoint_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY code) c) AS by_code,
            (SELECT count(*) FROM deliveries
             WHERE endpoint_id = $1 AND created_at >= $2 AND created_at < $3 AND status = 'succeeded') AS succeeded,
            (SELECT count(*) FROM deliveries
             WHERE endpoint_id = $1 AND created_at >= $2 AND created_at < $3 AND status = 'failed') AS failed
     FROM attempts WHERE endpoint_id = $1 AND created_at >= $2 AND created_at < $3`,
    [endpointId, since, until],
  );
  const r = rows[0]!;
  return {
    succeeded: r.succeeded,
    failed: r.failed,
    attempts: r.attempts,
    p50: r.p50,
    p95: r.p95,
    p99: r.p99,
    byCode: r.by_code,
  };
}

/** `due` and `oldestDueAt` look at pending deliveries whose time has come (what lag is made of). */
export async function queueDepth(ctx: PgContext, now: number): Promise<{ pending: number; due: number; oldestDueAt: number | null }> {
  const { rows } = await query(
    ctx.pool,
    `SELECT count(*) AS pending,
            count(*) FILTER (WHERE next_attempt_at <= $1) AS due,
            min(next_attempt_at) FILTER (WHERE next_attempt_at <= $1) AS oldest
     FROM deliveries WHERE status = 'pending'`,
    [now],
  );
  const r = rows[0]!;
  return { pending: r.pending, due: r.due, oldestDueAt: r.oldest };
}

export async function queueDepthByEndpoint(ctx: PgContext, now: number, limit: number): Promise<EndpointQueueDepth[]> {
  const { rows } = await query(
    ctx.pool,
    `SELECT endpoint_id, count(*) AS pending,
            count(*) FILTER (WHERE next_attempt_at <= $1) AS due,
            min(next_attempt_at) FILTER (WHERE next_attempt_at <= $1) AS oldest
     FROM deliveries WHERE status = 'pending'
     GROUP BY endpoint_id ORDER BY due DESC, pending DESC, endpoint_id LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => ({ endpointId: r.endpoint_id, pending: r.pending, due: r.due, oldestDueAt: r.oldest }));
}

/**
 * Includes lease expiries: an expired lease makes a delivery claimable again at that moment.
 *
 * Bounded, not a min() over the backlog (that read every pending row on each idle poll): usually the
 * earliest pending rows belong to enabled endpoints and the first few entries of deliveries_due_idx
 * answer. A disabled endpoint keeps its pending rows (they go out when it is re-enabled), so when the
 * first window holds none of an enabled endpoint, the answer comes from one probe per endpoint with
 * pending rows instead (the loose index scan of claim-sql.ts). Leases are in-flight work: few rows.
 */
export async function nextDueAt(ctx: PgContext): Promise<number | null> {
  const { rows } = await query<{ at: number | null }>(
    ctx.pool,
    `SELECT least(
       coalesce(
         (SELECT w.next_attempt_at FROM (
            SELECT d.next_attempt_at, d.endpoint_id FROM deliveries d WHERE d.status = 'pending'
            ORDER BY d.next_attempt_at LIMIT 256) w
          WHERE EXISTS (SELECT 1 FROM endpoints e WHERE e.id = w.endpoint_id AND e.enabled)
          ORDER BY w.next_attempt_at LIMIT 1),
         (WITH RECURSIVE ${PENDING_HEADS}
          SELECT min(h.next_attempt_at) FROM heads h JOIN endpoints e ON e.id = h.endpoint_id AND e.enabled)),
       (SELECT d.lease_expires_at FROM deliveries d
        WHERE d.status = 'sending' AND EXISTS (SELECT 1 FROM endpoints e WHERE e.id = d.endpoint_id AND e.enabled)
        ORDER BY d.lease_expires_at LIMIT 1)) AS at`,
  );
  return rows[0]?.at ?? null;
}
