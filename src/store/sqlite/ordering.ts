// Ordered delivery per key (docs/routing.md, "Ordering"). Three parts:
// - the head rule, which the claim applies to every keyed row it takes (HEAD_OF_KEY): no earlier
//   open row of its (endpoint, key), and no other row of the key being sent under a live lease. It
//   alone makes "in order, one at a time" hold, whatever else re-queues rows;
// - parking, for cost: a keyed delivery published while its key has an open row waits with
//   next_attempt_at NULL, outside every due index range, and the end of the head wakes the next row
//   (wakeKeys). Every write here runs under the database's one write lock, so a publish and the end
//   of a head cannot miss each other;
// - blocking: an exhausted head of an endpoint with ordering.onExhausted "block" keeps its key
//   (ordering_blocked = 1) until it is retried, skipped or the key released.

import type { BlockedKey, OrderingAction, OrderingActionResult, Page, PageRequest } from '../store.js';
import type { SqliteContext } from './context.js';
import { decodeCursor, toPage } from './cursor.js';

/** The head rule for the row named `d` (a table name or alias); `@now` is the claim's time. */
export function headOfKey(d: string): string {
  return `(${d}.ordering_key IS NULL OR (
    NOT EXISTS (SELECT 1 FROM deliveries p INDEXED BY deliveries_ordering_open
      WHERE p.endpoint_id = ${d}.endpoint_id AND p.ordering_key = ${d}.ordering_key AND p.ordering_seq < ${d}.ordering_seq
        AND (p.status IN ('pending', 'sending') OR p.ordering_blocked = 1))
    AND NOT EXISTS (SELECT 1 FROM deliveries s INDEXED BY deliveries_ordering_sending
      WHERE s.endpoint_id = ${d}.endpoint_id AND s.ordering_key = ${d}.ordering_key AND s.status = 'sending'
        AND s.lease_expires_at > @now AND s.id <> ${d}.id)))`;
}

export const HEAD_OF_KEY = headOfKey('d');

// The first open row of a key, if it is parked, becomes due now.
const WAKE_KEY = `UPDATE deliveries SET next_attempt_at = @now
  WHERE id = (SELECT id FROM deliveries INDEXED BY deliveries_ordering_open
              WHERE endpoint_id = @endpoint_id AND ordering_key = @key
                AND (status IN ('pending', 'sending') OR ordering_blocked = 1)
              ORDER BY ordering_seq LIMIT 1)
    AND status = 'pending' AND next_attempt_at IS NULL`;
const BLOCK_IF_EXHAUSTED = `UPDATE deliveries SET ordering_blocked = 1
  WHERE id = @id AND status = 'failed' AND ordering_key IS NOT NULL
    AND (SELECT ordering_on_exhausted FROM endpoints WHERE endpoints.id = deliveries.endpoint_id) = 'block'`;
const KEY_OF = 'SELECT endpoint_id, ordering_key, status FROM deliveries WHERE id = ?';

/**
 * After deliveries changed state (results): a keyed one that failed for good on a "block" endpoint
 * blocks its key; any other end of a keyed row wakes the key's next row. Run inside the writer's
 * transaction.
 */
export function settleKeys(ctx: SqliteContext, deliveryIds: readonly string[], now: number): void {
  for (const id of deliveryIds) {
    const row = ctx.stmt(KEY_OF).get(id) as { endpoint_id: string; ordering_key: string | null; status: string } | undefined;
    if (row === undefined || row.ordering_key === null) continue;
    if (row.status === 'pending' || row.status === 'sending') continue;
    if (row.status === 'failed') ctx.stmt(BLOCK_IF_EXHAUSTED).run({ id });
    ctx.stmt(WAKE_KEY).run({ endpoint_id: row.endpoint_id, key: row.ordering_key, now });
  }
}

export function wakeKey(ctx: SqliteContext, endpointId: string, key: string, now: number): void {
  ctx.stmt(WAKE_KEY).run({ endpoint_id: endpointId, key, now });
}

// Blocked heads of an endpoint, by key (one blocked row per key at most: only a head can block).
const LIST_BLOCKED = `SELECT b.ordering_key AS key, b.id AS delivery_id, b.event_id, b.last_code, b.last_status,
    b.updated_at AS blocked_at,
    (SELECT count(*) FROM deliveries w INDEXED BY deliveries_ordering_open
     WHERE w.endpoint_id = b.endpoint_id AND w.ordering_key = b.ordering_key
       AND (w.status IN ('pending', 'sending') OR w.ordering_blocked = 1) AND w.status = 'pending') AS waiting
  FROM deliveries b INDEXED BY deliveries_ordering_open
  WHERE b.endpoint_id = @endpoint_id AND b.ordering_key IS NOT NULL
    AND (b.status IN ('pending', 'sending') OR b.ordering_blocked = 1) AND b.ordering_blocked = 1
    AND (@after IS NULL OR b.ordering_key > @after)
  ORDER BY b.ordering_key LIMIT +@limit`;

interface BlockedRow {
  key: string;
  delivery_id: string;
  event_id: string;
  last_code: string | null;
  last_status: number | null;
  blocked_at: number;
  waiting: number;
}

export function listBlockedKeys(ctx: SqliteContext, endpointId: string, page: PageRequest): Page<BlockedKey> {
  const rows = ctx.stmt(LIST_BLOCKED).all({ endpoint_id: endpointId, after: decodeCursor(page.cursor), limit: page.limit + 1 }) as BlockedRow[];
  return toPage(rows, page.limit, blockedFromRow, (r) => r.key);
}

function blockedFromRow(r: BlockedRow): BlockedKey {
  return {
    key: r.key,
    deliveryId: r.delivery_id,
    eventId: r.event_id,
    lastCode: r.last_code,
    lastStatus: r.last_status,
    blockedAt: r.blocked_at,
    waiting: r.waiting,
  };
}

const HEAD = `SELECT id, status, ordering_blocked FROM deliveries INDEXED BY deliveries_ordering_open
  WHERE endpoint_id = @endpoint_id AND ordering_key = @key AND (status IN ('pending', 'sending') OR ordering_blocked = 1)
  ORDER BY ordering_seq LIMIT 1`;
const RETRY_HEAD = `UPDATE deliveries SET status = 'pending', next_attempt_at = @now, run_attempts = 0,
  next_trigger = 'manual', run_limit = NULL, ordering_blocked = 0, lease_owner = NULL, lease_expires_at = NULL,
  updated_at = @now
  WHERE id = @id AND ordering_blocked = 1`;
const SKIP_HEAD = 'UPDATE deliveries SET ordering_blocked = 0, updated_at = @now WHERE id = @id AND ordering_blocked = 1';
const RELEASE_KEY_BLOCK = `UPDATE deliveries SET ordering_blocked = 0, updated_at = @now
  WHERE endpoint_id = @endpoint_id AND ordering_key = @key AND ordering_blocked = 1`;
const RELEASE_KEY_PENDING = `UPDATE deliveries SET status = 'cancelled', last_code = 'ordering_released', next_attempt_at = NULL,
    updated_at = @now
  WHERE endpoint_id = @endpoint_id AND ordering_key = @key AND status = 'pending'`;

/**
 * retry / skip: only when the key's head is blocked ('not_blocked' otherwise). release: cancel every
 * waiting row of the key and drop its block (a row being sent finishes). null: the key has no open
 * or blocked row on this endpoint.
 */
export function orderingAction(ctx: SqliteContext, endpointId: string, key: string, action: OrderingAction, now: number): OrderingActionResult | null {
  const run = ctx.db.transaction((): OrderingActionResult | null => {
    const params = { endpoint_id: endpointId, key, now };
    const head = ctx.stmt(HEAD).get(params) as { id: string; status: string; ordering_blocked: number } | undefined;
    if (head === undefined) return null;
    if (action === 'release') {
      ctx.stmt(RELEASE_KEY_BLOCK).run(params);
      const cancelled = ctx.stmt(RELEASE_KEY_PENDING).run(params).changes;
      return { action, key, deliveryId: head.id, cancelled };
    }
    if (head.ordering_blocked !== 1) return { action, key, deliveryId: head.id, cancelled: 0, notBlocked: true };
    if (action === 'retry') ctx.stmt(RETRY_HEAD).run({ id: head.id, now });
    else {
      ctx.stmt(SKIP_HEAD).run({ id: head.id, now });
      wakeKey(ctx, endpointId, key, now);
    }
    return { action, key, deliveryId: head.id, cancelled: 0 };
  });
  return run.immediate();
}
