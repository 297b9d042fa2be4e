// Ordered delivery per key (docs/routing.md, "Ordering"); the SQLite store's ordering.ts explains the
// head rule, parking and blocking. What differs here is concurrency: several processes publish and
// record results at once. A parked row must never miss its wake-up, so "publish parks a row behind
// an open head" and "a head ends and wakes the next row" are serialized by the publish lock
// (LOCK_EVENT_SEQ, publish.ts): a keyed publish takes it in a statement of its own before the insert,
// and an ending head takes it before its wake statement, each statement then reading a snapshot taken
// after the other side committed. The head rule in the claim does not depend on this: it is what
// keeps order even when a row is re-queued at any time.

import type { BlockedKey, OrderingAction, OrderingActionResult, Page, PageRequest } from '../store.js';
import type pg from 'pg';
import { LOCK_EVENT_SEQ, query, withTransaction, type PgContext, type Queryable } from './pool.js';
import { decodeCursor, encodeCursor } from './sql-builder.js';

/** The head rule for the row named `d`, `now` a parameter reference such as `$1`. */
export function headOfKey(d: string, now: string): string {
  return `(${d}.ordering_key IS NULL OR (
    NOT EXISTS (SELECT 1 FROM deliveries p
      WHERE p.endpoint_id = ${d}.endpoint_id AND p.ordering_key = ${d}.ordering_key AND p.ordering_seq < ${d}.ordering_seq
        AND (p.status IN ('pending', 'sending') OR p.ordering_blocked))
    AND NOT EXISTS (SELECT 1 FROM deliveries s
      WHERE s.endpoint_id = ${d}.endpoint_id AND s.ordering_key = ${d}.ordering_key AND s.status = 'sending'
        AND s.lease_expires_at > ${now} AND s.id <> ${d}.id)))`;
}

/** The first open row of each given key; parked ones become due at $3. */
const WAKE_KEYS = `
UPDATE deliveries d SET next_attempt_at = $3
FROM (SELECT (SELECT h.id FROM deliveries h
              WHERE h.endpoint_id = k.endpoint_id AND h.ordering_key = k.okey
                AND (h.status IN ('pending', 'sending') OR h.ordering_blocked)
              ORDER BY h.ordering_seq LIMIT 1) AS id
      FROM unnest($1::text[], $2::text[]) AS k(endpoint_id, okey)) n
WHERE d.id = n.id AND d.status = 'pending' AND d.next_attempt_at IS NULL
RETURNING d.id`;

/** Take the publish lock (a statement of its own: what follows reads a snapshot taken after it). */
export async function lockOrdering(ctx: PgContext, db: Queryable): Promise<void> {
  await query(db, 'SELECT pg_advisory_xact_lock($1, $2)', [LOCK_EVENT_SEQ, ctx.schemaKey]);
}

/**
 * Inside the caller's transaction, after results changed these deliveries: keyed ones that failed
 * for good on a "block" endpoint block their key; every other end of a keyed row wakes the next one.
 */
export async function settleKeys(ctx: PgContext, client: pg.PoolClient, deliveryIds: string[], now: number): Promise<void> {
  if (deliveryIds.length === 0) return;
  await lockOrdering(ctx, client);
  const { rows } = await query<{ endpoint_id: string; ordering_key: string }>(
    client,
    `WITH ended AS (
       SELECT d.id, d.endpoint_id, d.ordering_key, d.status, e.ordering_on_exhausted FROM deliveries d
       LEFT JOIN endpoints e ON e.id = d.endpoint_id
       WHERE d.id = ANY($1::text[]) AND d.ordering_key IS NOT NULL AND d.status IN ('succeeded', 'failed', 'cancelled')
     ), blocked AS (
       UPDATE deliveries d SET ordering_blocked = true FROM ended
       WHERE d.id = ended.id AND ended.status = 'failed' AND ended.ordering_on_exhausted = 'block'
     )
     SELECT DISTINCT endpoint_id, ordering_key FROM ended
     WHERE NOT (status = 'failed' AND ordering_on_exhausted = 'block')`,
    [deliveryIds],
  );
  if (rows.length === 0) return;
  const woken = await query(client, WAKE_KEYS, [rows.map((r) => r.endpoint_id), rows.map((r) => r.ordering_key), now]);
  if ((woken.rowCount ?? 0) > 0) await query(client, 'SELECT pg_notify($1, $2)', [ctx.channel, '']);
}

export async function listBlockedKeys(ctx: PgContext, endpointId: string, page: PageRequest): Promise<Page<BlockedKey>> {
  const after = page.cursor !== undefined && page.cursor !== '' ? decodeCursor(page.cursor)[1] : null;
  const { rows } = await query(
    ctx.pool,
    `SELECT b.ordering_key AS key, b.id AS delivery_id, b.event_id, b.last_code, b.last_status, b.updated_at AS blocked_at,
            (SELECT count(*)::int FROM deliveries w
             WHERE w.endpoint_id = b.endpoint_id AND w.ordering_key = b.ordering_key
               AND (w.status IN ('pending', 'sending') OR w.ordering_blocked) AND w.status = 'pending') AS waiting
     FROM deliveries b
     WHERE b.endpoint_id = $1 AND b.ordering_key IS NOT NULL AND (b.status IN ('pending', 'sending') OR b.ordering_blocked)
       AND b.ordering_blocked AND ($2::text IS NULL OR b.ordering_key COLLATE "C" > $2)
     ORDER BY b.ordering_key COLLATE "C" LIMIT $3`,
    [endpointId, after, page.limit + 1],
  );
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  return {
    data: kept.map((r) => ({
      key: r.key,
      deliveryId: r.delivery_id,
      eventId: r.event_id,
      lastCode: r.last_code,
      lastStatus: r.last_status,
      blockedAt: r.blocked_at,
      waiting: r.waiting,
    })),
    nextCursor: more && kept.length > 0 ? encodeCursor(['', kept[kept.length - 1]!.key]) : null,
  };
}

export async function orderingAction(ctx: PgContext, endpointId: string, key: string, action: OrderingAction, now: number): Promise<OrderingActionResult | null> {
  return withTransaction(ctx.pool, async (client) => {
    // Endpoint row first (the global lock order), then the publish lock, then the key's rows.
    await query(client, 'SELECT 1 FROM endpoints WHERE id = $1 FOR NO KEY UPDATE', [endpointId]);
    await lockOrdering(ctx, client);
    const head = await query<{ id: string; ordering_blocked: boolean }>(
      client,
      `SELECT id, ordering_blocked FROM deliveries
       WHERE endpoint_id = $1 AND ordering_key = $2 AND (status IN ('pending', 'sending') OR ordering_blocked)
       ORDER BY ordering_seq LIMIT 1 FOR UPDATE`,
      [endpointId, key],
    );
    const row = head.rows[0];
    if (!row) return null;
    if (action === 'release') {
      await query(client, 'UPDATE deliveries SET ordering_blocked = false, updated_at = greatest(updated_at, $3) WHERE endpoint_id = $1 AND ordering_key = $2 AND ordering_blocked', [endpointId, key, now]);
      const cancelled = await query(
        client,
        `UPDATE deliveries SET status = 'cancelled', last_code = 'ordering_released', next_attempt_at = NULL,
                updated_at = greatest(updated_at, $3)
         WHERE endpoint_id = $1 AND ordering_key = $2 AND status = 'pending'`,
        [endpointId, key, now],
      );
      return { action, key, deliveryId: row.id, cancelled: cancelled.rowCount ?? 0 };
    }
    if (!row.ordering_blocked) return { action, key, deliveryId: row.id, cancelled: 0, notBlocked: true };
    if (action === 'retry') {
      await query(
        client,
        `UPDATE deliveries SET status = 'pending', next_attempt_at = $2, run_attempts = 0, next_trigger = 'manual',
                run_limit = NULL, ordering_blocked = false, lease_owner = NULL, lease_expires_at = NULL,
                updated_at = greatest(updated_at, $2)
         WHERE id = $1`,
        [row.id, now],
      );
    } else {
      await query(client, 'UPDATE deliveries SET ordering_blocked = false, updated_at = greatest(updated_at, $2) WHERE id = $1', [row.id, now]);
      await query(client, WAKE_KEYS, [[endpointId], [key], now]);
    }
    await query(client, 'SELECT pg_notify($1, $2)', [ctx.channel, '']);
    return { action, key, deliveryId: row.id, cancelled: 0 };
  });
}
