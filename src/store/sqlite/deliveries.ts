// Delivery reads and operator actions: lists, attempts, requeue/recover/cancel, stats and the
// queue gauges the dispatcher and /metrics read.

import { DELIVERY_STATUSES, type Attempt, type Delivery } from '../../core/types.js';
import type { DeliveryQuery, EndpointQueueDepth, EndpointStats, Page, PageRequest, RequeueHow, TenantFilter } from '../store.js';
import { CANCEL_PENDING } from './claims.js';
import { TENANT_CLAUSE, tenantParams, type SqliteContext } from './context.js';
import { decodeCursor, toPage } from './cursor.js';
import { attemptFromRow, deliveryFromRow, type AttemptRow, type DeliveryRow } from './rows.js';

const GET_DELIVERY = `SELECT * FROM deliveries WHERE id = @id AND ${TENANT_CLAUSE}`;

export function getDelivery(ctx: SqliteContext, id: string, tenant: TenantFilter): Delivery | null {
  const row = ctx.stmt(GET_DELIVERY).get({ id, ...tenantParams(tenant) }) as DeliveryRow | undefined;
  return row === undefined ? null : deliveryFromRow(row);
}

export function listDeliveries(ctx: SqliteContext, query: DeliveryQuery, page: PageRequest): Page<Delivery> {
  // Built from the filters present, so each combination gets a plain, index-friendly statement;
  // the statement cache keeps one prepared copy per combination.
  const where: string[] = [];
  const params: Record<string, string | number | null> = { limit: page.limit + 1 };
  if (query.tenant !== undefined) {
    where.push('tenant IS @tenant');
    params.tenant = query.tenant;
  }
  const equal: Array<[keyof DeliveryQuery, string]> = [
    ['status', 'status'],
    ['endpointId', 'endpoint_id'],
    ['eventId', 'event_id'],
    ['eventType', 'event_type'],
    ['lastStatus', 'last_status'],
    ['lastCode', 'last_code'],
  ];
  for (const [key, column] of equal) {
    const value = query[key];
    if (key === 'status' && typeof value === 'string' && (DELIVERY_STATUSES as readonly string[]).includes(value)) {
      // A known status goes in as a literal (one cached statement per status): only then can the
      // planner use the partial indexes (deliveries_unsuccessful for failed/cancelled), which a
      // bound parameter never matches.
      where.push(`status = '${value}'`);
    } else if (value !== undefined) {
      where.push(`${column} = @${column}`);
      params[column] = value;
    }
  }
  if (query.since !== undefined) {
    where.push('created_at >= @since');
    params.since = query.since;
  }
  if (query.until !== undefined) {
    where.push('created_at < @until');
    params.until = query.until;
  }
  const after = decodeCursor(page.cursor);
  if (after !== null) {
    where.push('id < @after');
    params.after = after;
  }
  // An endpoint's queue: its pending rows alone, where the planner would walk its whole history.
  const hint = query.status === 'pending' && query.endpointId !== undefined ? 'INDEXED BY deliveries_pending_endpoint' : '';
  const sql = `SELECT * FROM deliveries ${hint} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT +@limit`;
  const rows = ctx.stmt(sql).all(params) as DeliveryRow[];
  return toPage(rows, page.limit, deliveryFromRow, (r) => r.id);
}

export function listAttempts(ctx: SqliteContext, deliveryId: string): Attempt[] {
  const rows = ctx.stmt('SELECT * FROM attempts WHERE delivery_id = ? ORDER BY created_at, id').all(deliveryId) as AttemptRow[];
  return rows.map(attemptFromRow);
}

export function listRecentAttempts(ctx: SqliteContext, endpointId: string, limit: number): Attempt[] {
  const rows = ctx
    .stmt('SELECT * FROM attempts WHERE endpoint_id = ? ORDER BY created_at DESC, id DESC LIMIT +?')
    .all(endpointId, limit) as AttemptRow[];
  return rows.map(attemptFromRow);
}

// A re-queued keyed row still waits for its turn: the claim's head rule (ordering.ts) holds it back
// while an earlier row of its key is open or a later one is being sent.
const REQUEUE = `UPDATE deliveries SET status = 'pending', next_attempt_at = @now, run_attempts = 0,
  next_trigger = @trigger, run_limit = @run_limit, ordering_blocked = 0,
  lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
  WHERE id = @id AND NOT (status = 'sending' AND lease_expires_at > @now)
  RETURNING *`;

export function requeueDelivery(
  ctx: SqliteContext,
  id: string,
  tenant: TenantFilter,
  now: number,
  how: RequeueHow = {},
): Delivery | 'not_found' | 'in_flight' {
  const run = ctx.db.transaction(() => {
    const current = getDelivery(ctx, id, tenant);
    if (current === null) return 'not_found' as const;
    const row = ctx.stmt(REQUEUE).get({ id, now, trigger: how.trigger ?? 'manual', run_limit: how.freshSchedule ? null : 1 }) as DeliveryRow | undefined;
    return row === undefined ? ('in_flight' as const) : deliveryFromRow(row);
  });
  return run.immediate();
}

// A recovery gets a fresh schedule (no run limit); its first attempt records 'recover'.
const RECOVER = `UPDATE deliveries SET status = 'pending', next_attempt_at = @now, run_attempts = 0, updated_at = @now,
  next_trigger = 'recover', run_limit = NULL, ordering_blocked = 0
  WHERE endpoint_id = @endpoint_id AND status IN ('failed', 'cancelled')
    AND created_at >= @since AND created_at < @until`;

export function recoverDeliveries(ctx: SqliteContext, endpointId: string, since: number, until: number, now: number): number {
  return ctx.stmt(RECOVER).run({ endpoint_id: endpointId, since, until, now }).changes;
}

export function cancelPendingDeliveries(ctx: SqliteContext, endpointId: string, code: string, now: number): number {
  return ctx.stmt(CANCEL_PENDING).run({ endpoint_id: endpointId, code, at: now }).changes;
}

const STATS_DELIVERIES = `SELECT
    coalesce(sum(status = 'succeeded'), 0) AS succeeded,
    coalesce(sum(status = 'failed'), 0) AS failed
  FROM deliveries WHERE endpoint_id = @id AND created_at >= @since AND created_at < @until
    AND status IN ('succeeded', 'failed')`;
const STATS_BY_CODE = `SELECT code, count(*) AS n FROM attempts
  WHERE endpoint_id = @id AND created_at >= @since AND created_at < @until GROUP BY code`;
const STATS_NTH_DURATION = `SELECT duration_ms FROM attempts
  WHERE endpoint_id = @id AND created_at >= @since AND created_at < @until
  ORDER BY duration_ms LIMIT 1 OFFSET @offset`;

/**
 * Deliveries created in [since, until) by final status, attempts made in the window by code, and
 * nearest-rank latency percentiles (the same value PostgreSQL's percentile_disc returns), read
 * with an indexed seek per percentile instead of loading every duration into memory.
 */
export function endpointStats(ctx: SqliteContext, endpointId: string, since: number, until: number): EndpointStats {
  const window = { id: endpointId, since, until };
  const run = ctx.db.transaction(() => {
    const counts = ctx.stmt(STATS_DELIVERIES).get(window) as { succeeded: number; failed: number };
    const byCodeRows = ctx.stmt(STATS_BY_CODE).all(window) as Array<{ code: string; n: number }>;
    const byCode: Record<string, number> = {};
    let attempts = 0;
    for (const row of byCodeRows) {
      byCode[row.code] = row.n;
      attempts += row.n;
    }
    const percentile = (p: number): number | null => {
      if (attempts === 0) return null;
      const offset = Math.max(0, Math.ceil((p / 100) * attempts) - 1);
      const row = ctx.stmt(STATS_NTH_DURATION).get({ ...window, offset }) as { duration_ms: number } | undefined;
      return row?.duration_ms ?? null;
    };
    return {
      succeeded: counts.succeeded,
      failed: counts.failed,
      attempts,
      p50: percentile(50),
      p95: percentile(95),
      p99: percentile(99),
      byCode,
    };
  });
  // A read transaction: the counts and percentiles come from one snapshot.
  return run.deferred();
}

// Both read deliveries_pending_endpoint alone (covering, the smaller of the two pending indexes);
// by endpoint it is already in GROUP BY order, so the scan needs no sort. INDEXED BY, because the
// planner would otherwise walk deliveries_endpoint_created: every delivery ever made.
const QUEUE_DEPTH = `SELECT count(*) AS pending,
    coalesce(sum(next_attempt_at <= @now), 0) AS due,
    min(next_attempt_at) AS oldest
  FROM deliveries INDEXED BY deliveries_pending_endpoint WHERE status = 'pending'`;

export function queueDepth(ctx: SqliteContext, now: number): { pending: number; due: number; oldestDueAt: number | null } {
  const row = ctx.stmt(QUEUE_DEPTH).get({ now }) as { pending: number; due: number; oldest: number | null };
  return { pending: row.pending, due: row.due, oldestDueAt: row.oldest };
}

const QUEUE_DEPTH_BY_ENDPOINT = `SELECT endpoint_id, count(*) AS pending,
    coalesce(sum(next_attempt_at <= @now), 0) AS due,
    min(CASE WHEN next_attempt_at <= @now THEN next_attempt_at END) AS oldest
  FROM deliveries INDEXED BY deliveries_pending_endpoint WHERE status = 'pending'
  GROUP BY endpoint_id ORDER BY due DESC, pending DESC, endpoint_id LIMIT +@limit`;

export function queueDepthByEndpoint(ctx: SqliteContext, now: number, limit: number): EndpointQueueDepth[] {
  const rows = ctx.stmt(QUEUE_DEPTH_BY_ENDPOINT).all({ now, limit }) as Array<{ endpoint_id: string; pending: number; due: number; oldest: number | null }>;
  return rows.map((r) => ({ endpointId: r.endpoint_id, pending: r.pending, due: r.due, oldestDueAt: r.oldest }));
}

// Two index walks in time order, each stopping at the first row whose endpoint can take work.
const NEXT_DUE = `SELECT min(t) AS t FROM (
    SELECT * FROM (SELECT d.next_attempt_at AS t FROM deliveries d INDEXED BY deliveries_pending_due
      JOIN endpoints e ON e.id = d.endpoint_id
      WHERE d.status = 'pending' AND d.next_attempt_at IS NOT NULL AND e.enabled = 1 ORDER BY d.next_attempt_at LIMIT 1)
    UNION ALL
    SELECT * FROM (SELECT d.lease_expires_at AS t FROM deliveries d INDEXED BY deliveries_live_lease
      JOIN endpoints e ON e.id = d.endpoint_id
      WHERE d.status = 'sending' AND e.enabled = 1 ORDER BY d.lease_expires_at LIMIT 1)
  )`;

export function nextDueAt(ctx: SqliteContext): number | null {
  const row = ctx.stmt(NEXT_DUE).get() as { t: number | null };
  return row.t;
}
