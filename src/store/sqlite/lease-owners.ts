// Lease owners and their heartbeats (Store contract: "Lease owners"). Releasing a dead owner's
// deliveries bumps their lease token, so its late results are refused like any stale result.

import type { LeaseOwner } from '../../core/types.js';
import type { SqliteContext } from './context.js';

interface OwnerRow {
  owner: string;
  host: string;
  pid: number;
  pid_scope: string | null;
  started_at: number;
  heartbeat_at: number;
}

const REFRESH = 'UPDATE lease_owners SET heartbeat_at = @now WHERE owner = @owner';
const REGISTER = `INSERT INTO lease_owners (owner, host, pid, pid_scope, started_at, heartbeat_at)
  VALUES (@owner, @host, @pid, @pid_scope, @started_at, @now)`;
const DELETE_IF_UNCHANGED = 'DELETE FROM lease_owners WHERE owner = @owner AND heartbeat_at = @heartbeat_at';
// The live-lease index holds only 'sending' rows: a short scan however large the table.
const RELEASE_OWNED = `UPDATE deliveries INDEXED BY deliveries_live_lease SET status = 'pending',
  next_attempt_at = @now, lease_token = lease_token + 1, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
  WHERE status = 'sending' AND lease_owner = @owner`;

export function heartbeatOwner(ctx: SqliteContext, owner: Omit<LeaseOwner, 'heartbeatAt'>, now: number): 'registered' | 'refreshed' {
  const run = ctx.db.transaction(() => {
    if (ctx.stmt(REFRESH).run({ owner: owner.owner, now }).changes > 0) return 'refreshed' as const;
    ctx.stmt(REGISTER).run({ owner: owner.owner, host: owner.host, pid: owner.pid, pid_scope: owner.pidScope, started_at: owner.startedAt, now });
    return 'registered' as const;
  });
  return run.immediate();
}

export function listLeaseOwners(ctx: SqliteContext): LeaseOwner[] {
  return (ctx.stmt('SELECT * FROM lease_owners').all() as OwnerRow[]).map((r) => ({
    owner: r.owner,
    host: r.host,
    pid: r.pid,
    pidScope: r.pid_scope,
    startedAt: r.started_at,
    heartbeatAt: r.heartbeat_at,
  }));
}

export function releaseDeadOwners(
  ctx: SqliteContext,
  owners: ReadonlyArray<{ owner: string; heartbeatAt: number }>,
  now: number,
): { owners: string[]; released: number } {
  const run = ctx.db.transaction(() => {
    const removed: string[] = [];
    let released = 0;
    for (const o of owners) {
      if (ctx.stmt(DELETE_IF_UNCHANGED).run({ owner: o.owner, heartbeat_at: o.heartbeatAt }).changes === 0) continue;
      removed.push(o.owner);
      released += ctx.stmt(RELEASE_OWNED).run({ owner: o.owner, now }).changes;
    }
    return { owners: removed, released };
  });
  return run.immediate();
}

export function retireOwner(ctx: SqliteContext, owner: string): void {
  ctx.stmt('DELETE FROM lease_owners WHERE owner = ?').run(owner);
}
