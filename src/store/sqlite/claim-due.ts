// claimDue: which endpoints can take work (enabled, not paused, below maxConcurrency counting live
// leases, with rate-limit slots left), their due rows in due order, and the claim itself. It all runs
// in one IMMEDIATE transaction: that write lock is what makes concurrency limits, pauses and rate
// slots hold across every process sharing the file.

import { DEFAULT_RATE_HOLD_MS, type Claim, type ClaimRequest } from '../store.js';
import { hydrate } from './claims.js';
import type { SqliteContext } from './context.js';
import { HEAD_OF_KEY } from './ordering.js';
import { slotAt, slotWindow } from './rate-slots.js';
import { DELIVERY_COLUMNS, deliveryRowFromValues, type DeliveryRow } from './rows.js';

/**
 * How many due rows (in due order) one call reads at most, as a multiple of the batch size, so that
 * a backlog of a million rows does not cost a million-row read per claim. Endpoints that cannot take
 * work (saturated, paused, out of slots) are filtered out inside the index walk, before this cut, so
 * their backlog cannot push other endpoints' work out of the window: at worst one call claims fewer
 * than `limit`, and the next call (with that endpoint now saturated) reaches the rest. Skipping
 * their rows reads the covering index only (no table row), and stops at the window's worth of rows
 * that can be taken.
 */
const CANDIDATE_WINDOW_FACTOR = 8;

interface OpenEndpointRow {
  id: string;
  free: number;
  rate: number | null;
  rate_next_at: number | null;
  timeout_ms: number;
}

// Live leases count against maxConcurrency; an expired one does not (its row is claimable again).
// The rate_next_at test only drops endpoints whose next slot is beyond the hold; the exact room is
// computed in slotWindow.
const OPEN_ENDPOINTS = `
  WITH live AS (
    SELECT endpoint_id, count(*) AS n FROM deliveries INDEXED BY deliveries_live_lease
    WHERE status = 'sending' AND lease_expires_at > @now
    GROUP BY endpoint_id
  )
  SELECT e.id, e.max_concurrency - coalesce(live.n, 0) AS free, e.rate_limit_per_second AS rate,
    e.rate_next_at, e.timeout_ms
  FROM endpoints e LEFT JOIN live ON live.endpoint_id = e.id
  WHERE e.enabled = 1 AND e.max_concurrency > coalesce(live.n, 0)
    AND (e.paused_until IS NULL OR e.paused_until <= @now)
    AND (e.rate_limit_per_second IS NULL OR e.rate_next_at IS NULL OR e.rate_next_at <= @slot_now + @hold)`;

/** [rowid, id, endpoint_id, next_attempt_at]: raw rows, read from the index alone. */
type Candidate = [rid: number, id: string, endpointId: string, dueAt: number | null];

const OPEN_IDS = 'SELECT value FROM json_each(@open)';
// Both walk a partial index in time order and stop at @window rows, so the cost does not grow with
// the backlog. Due = pending and due, or sending with an expired lease (its worker died). The
// rowid comes from the index too: the claim updates by it without a primary-key lookup.
// INDEXED BY because, without table statistics, the planner would rather seek an endpoint index
// for the `endpoint_id IN` term and sort every pending row of those endpoints.
// Ordered delivery: a keyed row is taken only as the head of its (endpoint, key) (HEAD_OF_KEY).
const DUE_PENDING = `SELECT rowid, id, endpoint_id, next_attempt_at FROM deliveries d INDEXED BY deliveries_pending_due
  WHERE status = 'pending' AND next_attempt_at <= @now AND endpoint_id IN (${OPEN_IDS}) AND ${HEAD_OF_KEY}
  ORDER BY next_attempt_at, id LIMIT +@window`;
const EXPIRED_LEASES = `SELECT rowid, id, endpoint_id, next_attempt_at FROM deliveries d INDEXED BY deliveries_live_lease
  WHERE status = 'sending' AND lease_expires_at <= @now AND endpoint_id IN (${OPEN_IDS}) AND ${HEAD_OF_KEY}
  ORDER BY lease_expires_at LIMIT +@window`;

// One statement per endpoint (they share the lease length).
const CLAIM_ROWS = `UPDATE deliveries SET
    status = 'sending',
    lease_token = lease_token + 1,
    lease_owner = @owner,
    lease_expires_at = @lease,
    updated_at = @now
  WHERE rowid IN (SELECT value FROM json_each(@rids))
  RETURNING ${DELIVERY_COLUMNS}`;
const MOVE_NEXT_SLOT = 'UPDATE endpoints SET rate_next_at = @next WHERE id = @id';

/** An endpoint that can take work in this claim, and what it has taken so far. */
interface Taker {
  room: number;
  leaseMs: number;
  /** Rate-limited: its slot window; otherwise null (sendAt = now). */
  paced: { rate: number; start: number } | null;
  /** Picked rows (rowids) and their send slots, in due order. */
  rids: number[];
  sendAt: Map<string, number>;
}

export function claimDue(ctx: SqliteContext, req: ClaimRequest): Claim[] {
  if (req.limit <= 0) return [];
  const run = ctx.db.transaction(() => {
    // Read only now that the write lock is held: the wait for it must not turn into slots that are
    // already past (they would all go out at once).
    const slotNow = req.slotClock?.() ?? req.now;
    const takers = openEndpoints(ctx, req, slotNow);
    if (takers.size === 0 || pickDue(ctx, req, takers) === 0) return [];
    const rows: DeliveryRow[] = [];
    const claim = ctx.stmt(CLAIM_ROWS).raw(true);
    const move = ctx.stmt(MOVE_NEXT_SLOT);
    for (const [id, taker] of takers) {
      if (taker.rids.length === 0) continue;
      const lease = req.now + taker.leaseMs;
      const claimed = claim.all({ rids: JSON.stringify(taker.rids), owner: req.owner, lease, now: req.now }) as unknown[][];
      for (const values of claimed) rows.push(deliveryRowFromValues(values));
      // The next free slot moves past the last one handed out, before the lock is released.
      if (taker.paced !== null) move.run({ id, next: slotAt(taker.paced.start, taker.paced.rate, taker.rids.length) });
    }
    return hydrate(ctx, rows, (row) => takers.get(row.endpoint_id)?.sendAt.get(row.id) ?? req.now);
  });
  // IMMEDIATE: take the write lock up front so two processes never pick the same rows or slots.
  return run.immediate();
}

/** `slotNow`: the earliest send slot (ClaimRequest.slotClock); the hold counts from it. */
function openEndpoints(ctx: SqliteContext, req: ClaimRequest, slotNow: number): Map<string, Taker> {
  const hold = req.rateHoldMs ?? DEFAULT_RATE_HOLD_MS;
  const rows = ctx.stmt(OPEN_ENDPOINTS).all({ now: req.now, slot_now: slotNow, hold }) as OpenEndpointRow[];
  const takers = new Map<string, Taker>();
  for (const row of rows) {
    // The lease covers the endpoint's own timeout plus grace, so a slow endpoint is not re-claimed
    // mid-request.
    const leaseMs = row.timeout_ms + req.leaseGraceMs;
    if (row.rate === null || !(row.rate > 0)) {
      takers.set(row.id, { room: row.free, leaseMs, paced: null, rids: [], sendAt: new Map() });
      continue;
    }
    const slots = slotWindow(row.rate, row.rate_next_at, slotNow, hold);
    const room = Math.min(row.free, slots.room);
    const paced = { rate: row.rate, start: slots.start };
    if (room > 0) takers.set(row.id, { room, leaseMs, paced, rids: [], sendAt: new Map() });
  }
  return takers;
}

/**
 * Walk the due rows in due order (next_attempt_at, id), giving each to its endpoint while it has
 * room, until `limit` rows are picked, every endpoint is full, or the window is read. Streams the
 * index (iterate) so that a typical call reads about as many rows as it claims, not the window.
 * Returns how many were picked.
 */
function pickDue(ctx: SqliteContext, req: ClaimRequest, takers: Map<string, Taker>): number {
  const params = { now: req.now, open: JSON.stringify([...takers.keys()]), window: req.limit * CANDIDATE_WINDOW_FACTOR };
  let wanted = 0;
  for (const taker of takers.values()) wanted += taker.room;
  wanted = Math.min(wanted, req.limit);
  let picked = 0;
  const take = (c: Candidate): boolean => {
    const taker = takers.get(c[2]);
    if (taker !== undefined && taker.rids.length < taker.room) {
      taker.sendAt.set(c[1], taker.paced === null ? req.now : slotAt(taker.paced.start, taker.paced.rate, taker.rids.length));
      taker.rids.push(c[0]);
      picked += 1;
    }
    return picked < wanted;
  };

  // Expired leases are rare (a worker died): read them whole and merge them into the stream.
  const expired = (ctx.stmt(EXPIRED_LEASES).raw(true).all(params) as Candidate[]).sort(dueOrder);
  let e = 0;
  for (const c of ctx.stmt(DUE_PENDING).raw(true).iterate(params) as IterableIterator<Candidate>) {
    while (e < expired.length && dueOrder(expired[e]!, c) < 0) if (!take(expired[e++]!)) return picked;
    if (!take(c)) return picked;
  }
  while (e < expired.length) if (!take(expired[e++]!)) break;
  return picked;
}

function dueOrder(a: Candidate, b: Candidate): number {
  return (a[3] ?? 0) - (b[3] ?? 0) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}
