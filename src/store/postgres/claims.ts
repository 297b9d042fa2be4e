// Claiming due deliveries. Several processes claim at once, so these must hold:
//
// 1. No delivery is handed out twice: the rows claimed are taken FOR UPDATE SKIP LOCKED, and the
//    claim bumps lease_token, so even a row re-claimed after its lease expired fences the old holder out.
// 2. An endpoint's maxConcurrency holds across processes. Counting live leases inside the claiming
//    statement is not enough: two claimers with overlapping snapshots both count 0 and both claim. So
//    a claim runs in two statements in one transaction: the first locks the endpoint rows it will work
//    on (FOR NO KEY UPDATE SKIP LOCKED: another claimer busy with an endpoint is skipped, not waited
//    for); the second, with a snapshot taken after those locks were granted, counts live leases and
//    claims at most the remaining room per endpoint. Every writer that creates leases for an endpoint
//    holds its row lock until commit, so the second statement always sees their leases. Writers that
//    only end leases need not: a lease ended early only leaves more room (results.ts relies on this).
// 3. Rate-limit send slots hold across processes the same way: the second statement reads the
//    endpoint's rate_next_at committed by the previous holder of its lock, hands out slots from it and
//    moves it past the last slot before the lock is released.
//
// Global lock order (to stay deadlock-free): endpoint rows before delivery rows, everywhere.
//
// Statement 2 needs statement 1's locked ids: statement 1 leaves them in a transaction-local
// setting (claim-sql.ts), so BEGIN, the two statements and COMMIT go out together in one round trip
// (pool.ts: pipelinedTransaction) whatever the batch size; it used to be four, one after another.
// Each statement is bounded by the batch and the number of endpoints with due work (claim-sql.ts),
// not the backlog.

import type pg from 'pg';
import { DEFAULT_RATE_HOLD_MS, type Claim, type ClaimRequest } from '../store.js';
import { CLAIM_ONE, CLAIM_ROWS, ENDPOINT_FIRST, ENDPOINT_PREFIX, EVENT_FIRST, EVENT_PREFIX, LOCK_ENDPOINTS } from './claim-sql.js';
import { pipelinedTransaction, query, withTransaction, type PgContext } from './pool.js';
import { ENDPOINT_COLUMNS, EVENT_COLUMNS, deliveryFromRow, endpointFromRow, eventFromRow, unprefixed } from './rows.js';

export async function claimDue(ctx: PgContext, req: ClaimRequest): Promise<Claim[]> {
  if (req.limit <= 0) return [];
  // Whole ms: the hold is bound as a bigint, and slots fall on whole ms anyway.
  const hold = Math.floor(req.rateHoldMs ?? DEFAULT_RATE_HOLD_MS);
  const results = await pipelinedTransaction(ctx.pool, () => {
    // Read with the connection in hand, as the claim is written: a claim that waited for the pool
    // or a first connection must not hand out slots already in the past, which would all go out
    // at once. The two statements then run back to back in the server, with no client turn between
    // them. Never earlier than `now`, should the clock step back.
    const slotNow = req.slotClock === undefined ? req.now : Math.max(req.now, Math.floor(req.slotClock()));
    return [
      { text: LOCK_ENDPOINTS, values: [req.now, req.limit, hold] },
      { text: CLAIM_ROWS, values: [req.now, req.limit, req.owner, req.leaseGraceMs, hold, slotNow] },
    ];
  });
  const claimed = results[1]?.rows ?? [];
  // UPDATE ... RETURNING has no order: restore due order (the contract's claim order).
  const rows = [...claimed].sort((a, b) => a.claim_due_at - b.claim_due_at || (a.id < b.id ? -1 : 1));
  return toClaims(ctx, rows);
}

/**
 * Claim one delivery now, whatever its due time (endpoint test, retry now). It is an explicit operator
 * action, so it does not wait for a concurrency slot, a rate slot or a pause; the endpoint must still
 * be enabled.
 */
export async function claimById(ctx: PgContext, id: string, req: ClaimRequest): Promise<Claim | null> {
  return withTransaction(ctx.pool, async (client) => {
    const ep = await query(
      client,
      `SELECT e.id FROM endpoints e JOIN deliveries d ON d.endpoint_id = e.id
       WHERE d.id = $1 AND e.enabled FOR NO KEY UPDATE OF e`,
      [id],
    );
    if (ep.rows.length === 0) return null;
    const claimed = await query(client, CLAIM_ONE, [id, req.now, req.owner, req.leaseGraceMs]);
    return toClaims(ctx, claimed.rows)[0] ?? null;
  });
}

/**
 * Rows of CLAIM_ROWS / CLAIM_ONE: the delivery's columns, its event's and its endpoint's (prefixed).
 * CLAIM_ROWS sends an event's and an endpoint's columns on one row each (EVENT_FIRST,
 * ENDPOINT_FIRST), so they are read from those rows first, whatever order the rows are in.
 */
function toClaims(ctx: PgContext, rows: pg.QueryResultRow[]): Claim[] {
  const events = new Map<string, Claim['event']>();
  const endpoints = new Map<string, Claim['endpoint']>();
  for (const row of rows) {
    // A CLAIM_ONE row has no flags and carries both.
    if (row[EVENT_FIRST] !== false && !events.has(row.event_id)) {
      events.set(row.event_id, eventFromRow(unprefixed(row, EVENT_PREFIX, EVENT_COLUMNS)));
    }
    // Opens the endpoint's sealed columns once per batch.
    if (row[ENDPOINT_FIRST] !== false && !endpoints.has(row.endpoint_id)) {
      endpoints.set(row.endpoint_id, endpointFromRow(unprefixed(row, ENDPOINT_PREFIX, ENDPOINT_COLUMNS), ctx.box));
    }
  }
  return rows.map((row) => {
    const delivery = deliveryFromRow(row);
    const event = events.get(delivery.eventId);
    const endpoint = endpoints.get(delivery.endpointId);
    // CLAIM_ROWS gives every event and endpoint of the batch one full row (its `locked` keeps only
    // rows whose event exists); a miss is a bug in it. The batch is then not sent: its leases expire
    // and its deliveries are claimed again, rather than going out with a wrong event or endpoint.
    if (event === undefined || endpoint === undefined) {
      throw new Error(`claim returned delivery ${delivery.id} without its ${event === undefined ? 'event' : 'endpoint'} columns`);
    }
    return { delivery, event, endpoint, sendAt: row.claim_send_at };
  });
}
