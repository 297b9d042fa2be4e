// Claiming due deliveries. Several processes claim at once, so two things must hold:
//
// 1. No delivery is handed out twice: candidate rows are taken FOR UPDATE SKIP LOCKED, and the claim
//    bumps lease_token, so even a row re-claimed after its lease expired fences the old holder out.
// 2. An endpoint's maxConcurrency holds across processes. Counting live leases inside the claiming
//    statement is not enough: two claimers with overlapping snapshots both count 0 and both claim. So
//    a claim runs in two statements in one transaction: the first locks the endpoint rows it will work
//    on (FOR NO KEY UPDATE SKIP LOCKED: another claimer busy with an endpoint is skipped, not waited
//    for); the second, with a snapshot taken after those locks were granted, counts live leases and
//    claims at most the remaining room per endpoint. Every writer that creates leases for an endpoint
//    holds its row lock until commit, so the second statement always sees their leases.
//
// Global lock order (to stay deadlock-free): endpoint rows before delivery rows, everywhere.

import type pg from 'pg';
import type { Claim, ClaimRequest } from '../store.js';
import { query, withTransaction, type PgContext } from './pool.js';
import { DELIVERY_COLUMNS, ENDPOINT_COLUMNS, EVENT_COLUMNS, deliveryFromRow, endpointFromRow, eventFromRow } from './rows.js';

const DUE = `((d.status = 'pending' AND d.next_attempt_at <= $1) OR (d.status = 'sending' AND d.lease_expires_at <= $1))`;
// The contract orders claims by nextAttemptAt. A claim keeps next_attempt_at, so an expired lease
// sorts by its original due time: work that was already due longest goes first.
const DUE_AT = `coalesce(d.next_attempt_at, d.lease_expires_at)`;

export async function claimDue(ctx: PgContext, req: ClaimRequest): Promise<Claim[]> {
  if (req.limit <= 0) return [];
  return withTransaction(ctx.pool, async (client) => {
    // Statement 1: endpoints with due work and room (by this snapshot), earliest due first.
    const locked = await query<{ id: string }>(
      client,
      `WITH due AS (
         SELECT d.endpoint_id, min(${DUE_AT}) AS first_due FROM deliveries d WHERE ${DUE} GROUP BY d.endpoint_id
       ), live AS (
         SELECT d.endpoint_id, count(*) AS n FROM deliveries d
         WHERE d.status = 'sending' AND d.lease_expires_at > $1 GROUP BY d.endpoint_id
       )
       SELECT e.id FROM endpoints e
         JOIN due ON due.endpoint_id = e.id
         LEFT JOIN live ON live.endpoint_id = e.id
       WHERE e.enabled AND coalesce(live.n, 0) < e.max_concurrency
       ORDER BY due.first_due, e.id
       LIMIT $2
       FOR NO KEY UPDATE OF e SKIP LOCKED`,
      [req.now, req.limit],
    );
    if (locked.rows.length === 0) return [];

    // Statement 2: fresh snapshot; per endpoint at most (maxConcurrency - live leases) rows.
    const claimed = await query(
      client,
      `WITH eps AS (
         SELECT e.id, e.timeout_ms,
                e.max_concurrency - (SELECT count(*) FROM deliveries l
                                     WHERE l.endpoint_id = e.id AND l.status = 'sending' AND l.lease_expires_at > $1) AS room
         FROM endpoints e WHERE e.id = ANY($2::text[]) AND e.enabled
       ), picked AS (
         SELECT c.id, c.due_at, eps.timeout_ms FROM eps CROSS JOIN LATERAL (
           SELECT d.id, ${DUE_AT} AS due_at FROM deliveries d
           WHERE d.endpoint_id = eps.id AND ${DUE}
           ORDER BY due_at, d.id
           LIMIT greatest(eps.room, 0)
           FOR UPDATE OF d SKIP LOCKED
         ) c
         ORDER BY c.due_at, c.id
         LIMIT $3
       )
       UPDATE deliveries d SET status = 'sending', lease_token = d.lease_token + 1, lease_owner = $4,
              lease_expires_at = $1 + p.timeout_ms + $5, updated_at = $1
       FROM picked p WHERE d.id = p.id
       RETURNING ${prefixed('d', DELIVERY_COLUMNS)}, p.due_at AS claim_due_at`,
      [req.now, locked.rows.map((r) => r.id), req.limit, req.owner, req.leaseGraceMs],
    );
    const rows = [...claimed.rows].sort((a, b) => a.claim_due_at - b.claim_due_at || (a.id < b.id ? -1 : 1));
    return hydrate(ctx, client, rows);
  });
}

/**
 * Claim one delivery now, whatever its due time (endpoint test, retry now). It is an explicit operator
 * action, so it does not wait for a concurrency slot; the endpoint must still be enabled.
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
    const claimed = await query(
      client,
      `UPDATE deliveries d SET status = 'sending', lease_token = d.lease_token + 1, lease_owner = $3,
              lease_expires_at = $2 + e.timeout_ms + $4, updated_at = $2
       FROM endpoints e
       WHERE d.id = $1 AND e.id = d.endpoint_id
         AND (d.status = 'pending' OR (d.status = 'sending' AND d.lease_expires_at <= $2))
       RETURNING ${prefixed('d', DELIVERY_COLUMNS)}`,
      [id, req.now, req.owner, req.leaseGraceMs],
    );
    const [claim] = await hydrate(ctx, client, claimed.rows);
    return claim ?? null;
  });
}

async function hydrate(ctx: PgContext, client: pg.PoolClient, rows: pg.QueryResultRow[]): Promise<Claim[]> {
  if (rows.length === 0) return [];
  const deliveries = rows.map(deliveryFromRow);
  // Sequential on purpose: one client runs one query at a time (pg deprecates queued queries).
  const events = await query(client, `SELECT ${EVENT_COLUMNS} FROM events WHERE id = ANY($1::text[])`, [
    [...new Set(deliveries.map((d) => d.eventId))],
  ]);
  const endpoints = await query(client, `SELECT ${ENDPOINT_COLUMNS} FROM endpoints WHERE id = ANY($1::text[])`, [
    [...new Set(deliveries.map((d) => d.endpointId))],
  ]);
  const eventById = new Map(events.rows.map((r) => [r.id as string, eventFromRow(r)]));
  const endpointById = new Map(endpoints.rows.map((r) => [r.id as string, endpointFromRow(r, ctx.box)]));
  const claims: Claim[] = [];
  for (const delivery of deliveries) {
    const event = eventById.get(delivery.eventId);
    const endpoint = endpointById.get(delivery.endpointId);
    // Both exist: the endpoint row is locked by this transaction and prune never removes an event
    // with a non-terminal delivery. Guard anyway rather than hand out a half claim.
    if (event && endpoint) claims.push({ delivery, event, endpoint });
  }
  return claims;
}

export function prefixed(alias: string, columns: string): string {
  return columns
    .split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');
}
