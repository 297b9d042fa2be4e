// Operator and dispatcher actions on existing deliveries. Each one that makes work due issues a
// NOTIFY inside its transaction (delivered on commit), so idle dispatchers elsewhere wake up.

import type { Delivery } from '../../core/types.js';
import type { RequeueHow, TenantFilter } from '../store.js';
import { query, withTransaction, type PgContext } from './pool.js';
import { notifyWork } from './publish.js';
import { DELIVERY_COLUMNS, deliveryFromRow } from './rows.js';
import { Where } from './sql-builder.js';

export async function releaseClaims(
  ctx: PgContext,
  claims: Array<{ deliveryId: string; leaseToken: number }>,
  at: number,
): Promise<number> {
  if (claims.length === 0) return 0;
  return withTransaction(ctx.pool, async (client) => {
    const r = await query(
      client,
      `UPDATE deliveries d SET status = 'pending', next_attempt_at = $3, lease_owner = NULL, lease_expires_at = NULL,
              updated_at = greatest(d.updated_at, $3)
       FROM unnest($1::text[], $2::bigint[]) AS u(id, token)
       WHERE d.id = u.id AND d.lease_token = u.token AND d.status = 'sending'`,
      [claims.map((c) => c.deliveryId), claims.map((c) => c.leaseToken), at],
    );
    const released = r.rowCount ?? 0;
    if (released > 0) await notifyWork(ctx, client);
    return released;
  });
}

export async function requeueDelivery(
  ctx: PgContext,
  id: string,
  tenant: TenantFilter,
  now: number,
  how: RequeueHow = {},
): Promise<Delivery | 'not_found' | 'in_flight'> {
  return withTransaction(ctx.pool, async (client) => {
    const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
    const current = await query(client, `SELECT status, lease_expires_at FROM deliveries WHERE ${where.sql()} FOR UPDATE`, where.params);
    const row = current.rows[0];
    if (!row) return 'not_found';
    if (row.status === 'sending' && row.lease_expires_at !== null && row.lease_expires_at > now) return 'in_flight';
    // The lease token is kept: a late result from an expired lease is already fenced by status.
    const updated = await query(
      client,
      `UPDATE deliveries SET status = 'pending', next_attempt_at = $2, run_attempts = 0, lease_owner = NULL,
              lease_expires_at = NULL, updated_at = greatest(updated_at, $2), next_trigger = $3, run_limit = $4,
              ordering_blocked = false
       WHERE id = $1 RETURNING ${DELIVERY_COLUMNS}`,
      [id, now, how.trigger ?? 'manual', how.freshSchedule ? null : 1],
    );
    await notifyWork(ctx, client);
    return deliveryFromRow(updated.rows[0]!);
  });
}

export async function recoverDeliveries(
  ctx: PgContext,
  endpointId: string,
  since: number,
  until: number,
  now: number,
): Promise<number> {
  return withTransaction(ctx.pool, async (client) => {
    await lockEndpoint(client, endpointId);
    const r = await query(
      client,
      `UPDATE deliveries SET status = 'pending', next_attempt_at = $4, run_attempts = 0, lease_owner = NULL,
              lease_expires_at = NULL, updated_at = greatest(updated_at, $4), next_trigger = 'recover', run_limit = NULL,
              ordering_blocked = false
       WHERE endpoint_id = $1 AND status IN ('failed', 'cancelled') AND created_at >= $2 AND created_at < $3`,
      [endpointId, since, until, now],
    );
    const n = r.rowCount ?? 0;
    if (n > 0) await notifyWork(ctx, client);
    return n;
  });
}

export async function cancelPendingDeliveries(ctx: PgContext, endpointId: string, code: string, now: number): Promise<number> {
  return withTransaction(ctx.pool, async (client) => {
    await lockEndpoint(client, endpointId);
    const r = await query(
      client,
      `UPDATE deliveries SET status = 'cancelled', last_code = $2, next_attempt_at = NULL,
              updated_at = greatest(updated_at, $3)
       WHERE endpoint_id = $1 AND status = 'pending'`,
      [endpointId, code, now],
    );
    return r.rowCount ?? 0;
  });
}

/** Endpoint row before its delivery rows: the global lock order (claims.ts). Missing is fine. */
async function lockEndpoint(client: Parameters<typeof query>[0], endpointId: string): Promise<void> {
  await query(client, 'SELECT 1 FROM endpoints WHERE id = $1 FOR NO KEY UPDATE', [endpointId]);
}
