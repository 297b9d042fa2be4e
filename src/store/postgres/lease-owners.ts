// Lease owners and their heartbeats (Store contract: "Lease owners"). Releasing a dead owner's
// deliveries bumps their lease token, so its late results are refused like any stale result, and
// NOTIFYs so idle workers elsewhere claim them at once.

import type { LeaseOwner } from '../../core/types.js';
import { query, withTransaction, type PgContext } from './pool.js';
import { notifyWork } from './publish.js';

export async function heartbeatOwner(ctx: PgContext, owner: Omit<LeaseOwner, 'heartbeatAt'>, now: number): Promise<'registered' | 'refreshed'> {
  // xmax = 0 only on a freshly inserted row: tells a registration from a refresh in one statement.
  const r = await query<{ inserted: boolean }>(
    ctx.pool,
    `INSERT INTO lease_owners (owner, host, pid, pid_scope, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (owner) DO UPDATE SET heartbeat_at = greatest(lease_owners.heartbeat_at, EXCLUDED.heartbeat_at)
     RETURNING (xmax = 0) AS inserted`,
    [owner.owner, owner.host, owner.pid, owner.pidScope, owner.startedAt, now],
  );
  return r.rows[0]?.inserted ? 'registered' : 'refreshed';
}

export async function listLeaseOwners(ctx: PgContext): Promise<LeaseOwner[]> {
  const r = await query(ctx.pool, 'SELECT owner, host, pid, pid_scope, started_at, heartbeat_at FROM lease_owners');
  return r.rows.map((row) => ({
    owner: String(row.owner),
    host: String(row.host),
    pid: Number(row.pid),
    pidScope: row.pid_scope === null ? null : String(row.pid_scope),
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
  }));
}

export async function releaseDeadOwners(
  ctx: PgContext,
  owners: ReadonlyArray<{ owner: string; heartbeatAt: number }>,
  now: number,
): Promise<{ owners: string[]; released: number }> {
  if (owners.length === 0) return { owners: [], released: 0 };
  return withTransaction(ctx.pool, async (client) => {
    // Only rows whose heartbeat is still the one that was judged: an owner that refreshed since
    // keeps its leases. The delete locks the rows, so a concurrent heartbeat waits and then finds
    // no row ('registered': it learns it was presumed dead).
    const removed = await query<{ owner: string }>(
      client,
      `DELETE FROM lease_owners o USING unnest($1::text[], $2::bigint[]) AS u(owner, heartbeat_at)
       WHERE o.owner = u.owner AND o.heartbeat_at = u.heartbeat_at RETURNING o.owner`,
      [owners.map((o) => o.owner), owners.map((o) => o.heartbeatAt)],
    );
    const names = removed.rows.map((r) => r.owner);
    if (names.length === 0) return { owners: [], released: 0 };
    const released = await query(
      client,
      `UPDATE deliveries SET status = 'pending', next_attempt_at = $2, lease_token = lease_token + 1, lease_owner = NULL,
              lease_expires_at = NULL, updated_at = greatest(updated_at, $2)
       WHERE status = 'sending' AND lease_owner = ANY($1::text[])`,
      [names, now],
    );
    const count = released.rowCount ?? 0;
    if (count > 0) await notifyWork(ctx, client);
    return { owners: names, released: count };
  });
}

export async function retireOwner(ctx: PgContext, owner: string): Promise<void> {
  await query(ctx.pool, 'DELETE FROM lease_owners WHERE owner = $1', [owner]);
}
