// Which lease owners are dead, from their heartbeat rows. Pure: the clock and the "is this pid
// running?" test are given.
//
// Two kinds of evidence:
// - exited: the owner ran in this process's PID scope (same kernel boot and PID namespace) and its
//   pid is not running any more, or it had this very pid and registered before this process
//   started (an earlier process whose pid was reused). An owner with this pid registered since
//   this process started is another runtime in this same process (createRuntime is public), and
//   alive. This is what makes a restart on the same machine recover at once;
// - stale: no heartbeat for `deadAfterMs`. Covers other machines and frozen processes. A process
//   frozen this long is treated as dead too: its late results are refused by the lease token.
// A pid that is running is not proof of life (pids are reused), so a running pid only means "wait
// for the heartbeat to go stale", never "alive".

import type { LeaseOwner } from './types.js';

export interface LivenessContext {
  self: string;
  now: number;
  deadAfterMs: number;
  /** This process's pid scope and pid (see LeaseOwner.pidScope). */
  pidScope: string | null;
  pid: number;
  /** When this process started (epoch ms): an owner with our pid from before then is a dead namesake. */
  processStartedAt: number;
  pidRunning: (pid: number) => boolean;
}

export type DeadOwner = Pick<LeaseOwner, 'owner' | 'heartbeatAt'> & { reason: 'exited' | 'stale' };

export function deadOwners(owners: readonly LeaseOwner[], ctx: LivenessContext): DeadOwner[] {
  const dead: DeadOwner[] = [];
  for (const o of owners) {
    if (o.owner === ctx.self) continue;
    const sameScope = ctx.pidScope !== null && o.pidScope === ctx.pidScope;
    const earlierSelf = o.pid === ctx.pid && o.startedAt < ctx.processStartedAt;
    if (sameScope && (earlierSelf || (o.pid !== ctx.pid && !ctx.pidRunning(o.pid)))) dead.push({ owner: o.owner, heartbeatAt: o.heartbeatAt, reason: 'exited' });
    else if (ctx.now - o.heartbeatAt >= ctx.deadAfterMs) dead.push({ owner: o.owner, heartbeatAt: o.heartbeatAt, reason: 'stale' });
  }
  return dead;
}
