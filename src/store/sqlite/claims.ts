// Leases: claiming one delivery by id, turning claimed rows into Claims, and giving claims back.
// claimDue is in claim-due.ts, results in record-results.ts. Releases are fenced by the lease token
// (`lease_token = ? AND status = 'sending'`): a worker whose lease expired and was re-claimed holds
// an old token, so it cannot put back a delivery someone else now holds.

import type { Claim, ClaimRequest } from '../store.js';
import type { SqliteContext } from './context.js';
import { headOfKey } from './ordering.js';
import {
  deliveryFromRow,
  endpointFromRow,
  EVENT_COLUMNS,
  eventFromRow,
  eventRowFromValues,
  type DeliveryRow,
  type EndpointRow,
} from './rows.js';

// An explicit "send now": ignores the due time, the concurrency limit and the enabled flag (the
// caller asked for this one delivery), but never steals a live lease, and never sends a keyed
// delivery out of its key's order (ordering.ts).
const CLAIM_BY_ID = `
  UPDATE deliveries SET
    status = 'sending',
    lease_token = lease_token + 1,
    lease_owner = @owner,
    lease_expires_at = @now + @grace + (SELECT timeout_ms FROM endpoints WHERE endpoints.id = deliveries.endpoint_id),
    updated_at = @now
  WHERE id = @id
    AND EXISTS (SELECT 1 FROM endpoints WHERE endpoints.id = deliveries.endpoint_id AND endpoints.enabled = 1)
    AND (status = 'pending' OR (status = 'sending' AND lease_expires_at <= @now))
    AND ${headOfKey('deliveries')}
  RETURNING *`;

const EVENTS_BY_IDS = `SELECT ${EVENT_COLUMNS} FROM events WHERE id IN (SELECT value FROM json_each(?))`;
const ENDPOINTS_BY_IDS = 'SELECT * FROM endpoints WHERE id IN (SELECT value FROM json_each(?))';

export function claimById(ctx: SqliteContext, id: string, req: ClaimRequest): Claim | null {
  const run = ctx.db.transaction(() => {
    const row = ctx.stmt(CLAIM_BY_ID).get({ id, now: req.now, owner: req.owner, grace: req.leaseGraceMs }) as
      | DeliveryRow
      | undefined;
    // An explicit action: it ignores pacing like it ignores the due time, so it may go at once.
    return row === undefined ? null : (hydrate(ctx, [row], () => req.now)[0] ?? null);
  });
  return run.immediate();
}

/**
 * Attach events and endpoints with one query each (not one per claim), ordered by due time, each
 * claim with its send slot.
 */
export function hydrate(ctx: SqliteContext, rows: DeliveryRow[], sendAt: (row: DeliveryRow) => number): Claim[] {
  if (rows.length === 0) return [];
  rows.sort((a, b) => (a.next_attempt_at ?? 0) - (b.next_attempt_at ?? 0) || (a.id < b.id ? -1 : 1));
  const eventIds = [...new Set(rows.map((r) => r.event_id))];
  const endpointIds = [...new Set(rows.map((r) => r.endpoint_id))];
  const events = new Map(
    (ctx.stmt(EVENTS_BY_IDS).raw(true).all(JSON.stringify(eventIds)) as unknown[][]).map((v) => {
      const event = eventFromRow(eventRowFromValues(v));
      return [event.id, event];
    }),
  );
  const endpoints = new Map(
    (ctx.stmt(ENDPOINTS_BY_IDS).all(JSON.stringify(endpointIds)) as EndpointRow[]).map((r) => [
      r.id,
      endpointFromRow(r, ctx.box),
    ]),
  );
  const claims: Claim[] = [];
  for (const row of rows) {
    const event = events.get(row.event_id);
    const endpoint = endpoints.get(row.endpoint_id);
    // Both exist: deliveries reference events by foreign key, and the claim queries join endpoints.
    if (event === undefined || endpoint === undefined) throw new Error(`claim ${row.id} lost its event or endpoint`);
    claims.push({ delivery: deliveryFromRow(row), event, endpoint, sendAt: sendAt(row) });
  }
  return claims;
}

// INDEXED BY: the endpoint's pending rows alone, not every row it ever had (deliveries_endpoint_created).
export const CANCEL_PENDING = `UPDATE deliveries INDEXED BY deliveries_pending_endpoint SET status = 'cancelled',
  last_code = @code, next_attempt_at = NULL, updated_at = @at
  WHERE endpoint_id = @endpoint_id AND status = 'pending'`;
/** Deleting an endpoint also ends its in-flight deliveries (and their leases). */
export const CANCEL_SENDING = `UPDATE deliveries INDEXED BY deliveries_live_lease SET status = 'cancelled',
  last_code = @code, next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = @at
  WHERE endpoint_id = @endpoint_id AND status = 'sending'`;

const RELEASE = `UPDATE deliveries SET status = 'pending', next_attempt_at = @at, lease_owner = NULL,
  lease_expires_at = NULL, updated_at = @at
  WHERE id = @id AND lease_token = @token AND status = 'sending'`;

export function releaseClaims(
  ctx: SqliteContext,
  claims: ReadonlyArray<{ deliveryId: string; leaseToken: number }>,
  at: number,
): number {
  const run = ctx.db.transaction(() => {
    let released = 0;
    const statement = ctx.stmt(RELEASE);
    for (const claim of claims) released += statement.run({ id: claim.deliveryId, token: claim.leaseToken, at }).changes;
    return released;
  });
  return run.immediate();
}
