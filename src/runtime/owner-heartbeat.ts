// This process as a lease owner: it registers before it claims anything, refreshes its heartbeat
// every `intervalMs`, and on each beat looks for dead owners (core/owner-liveness.ts) and hands
// their deliveries back at once (Store.releaseDeadOwners: fenced by a bumped lease token). So a
// restart after kill -9 delivers again within a beat or two, not after lease lengths (issue 23):
// the restarted process sees that the previous owner's pid is gone; a worker on another machine
// sees its heartbeat go stale after `deadAfterMs`.

import { readFileSync, readlinkSync } from 'node:fs';
import type { Logger } from 'pino';
import { deadOwners } from '../core/owner-liveness.js';
import type { Store } from '../store/store.js';

export interface OwnerHeartbeatOptions {
  store: Store;
  owner: string;
  host: string;
  intervalMs: number;
  deadAfterMs: number;
  logger: Logger;
  now?: () => number;
  /** Dead owners' deliveries were handed back: look for work now. */
  onReleased?: (released: number) => void;
}

export interface OwnerHeartbeat {
  /** Register and reap once (before the dispatcher claims), then beat on a timer. */
  start(): Promise<void>;
  /** Stop beating and remove this owner's row (after its claims were finished or released). */
  stop(): Promise<void>;
  /** One beat now (tests). */
  beat(): Promise<void>;
}

/**
 * Where a pid names the same process for another hookd: the kernel boot and the PID namespace.
 * Containers on one host share the boot id but not the namespace; two hosts differ by boot id.
 * null off Linux: only heartbeats count there.
 */
export function currentPidScope(): string | null {
  try {
    return `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return null;
  }
}

/** Wall-clock time this process started (performance.timeOrigin is its start in epoch ms). */
const PROCESS_STARTED_AT = Math.floor(performance.timeOrigin);

function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is someone else's.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export function createOwnerHeartbeat(opts: OwnerHeartbeatOptions): OwnerHeartbeat {
  const now = opts.now ?? Date.now;
  const { store, logger } = opts;
  const self = { owner: opts.owner, host: opts.host, pid: process.pid, pidScope: currentPidScope(), startedAt: now() };
  let timer: NodeJS.Timeout | null = null;
  let beating: Promise<void> = Promise.resolve();
  let registered = false;
  let failing = false;

  async function beat(): Promise<void> {
    try {
      const state = await store.heartbeatOwner(self, now());
      if (state === 'registered' && registered) {
        logger.warn({ owner: self.owner, deadAfterMs: opts.deadAfterMs }, 'this process was presumed dead (no heartbeat in time): its in-flight deliveries were handed back, their results will be refused');
      }
      registered = true;
      const dead = deadOwners(await store.listLeaseOwners(), { self: self.owner, now: now(), deadAfterMs: opts.deadAfterMs, pidScope: self.pidScope, pid: self.pid, processStartedAt: PROCESS_STARTED_AT, pidRunning });
      if (dead.length > 0) {
        const out = await store.releaseDeadOwners(dead, now());
        if (out.owners.length > 0) {
          const reasons = Object.fromEntries(dead.filter((d) => out.owners.includes(d.owner)).map((d) => [d.owner, d.reason]));
          logger.warn({ owners: reasons, released: out.released }, 'released the deliveries of dead lease owners');
          if (out.released > 0) opts.onReleased?.(out.released);
        }
      }
      if (failing) logger.info('lease-owner heartbeat works again');
      failing = false;
    } catch (err) {
      // The database is down: the claims fail too and say so; one line per outage here.
      if (!failing) logger.warn({ err: (err as Error).message }, 'lease-owner heartbeat failed');
      failing = true;
    }
  }

  const tick = (): void => {
    // One beat at a time: a slow database must not pile them up.
    beating = beating.then(beat);
  };

  return {
    async start() {
      tick();
      await beating;
      timer = setInterval(tick, opts.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await beating;
      await store.retireOwner(self.owner).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'could not remove this lease owner; others will find it dead'));
    },
    beat: () => {
      tick();
      return beating;
    },
  };
}
