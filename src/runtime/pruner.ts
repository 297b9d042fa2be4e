// Retention: delete what is older than HOOKD_RETENTION_DAYS in small batches, pausing between them,
// so pruning never holds a long write lock in front of delivery.

import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

export const PRUNE_BATCH = 500;
const PRUNE_EVERY_MS = 10 * 60_000;
const PAUSE_BETWEEN_BATCHES_MS = 50;

export interface Pruner {
  start(): void;
  stop(): void;
  /** One full pass (every batch until nothing is left); returns totals. */
  runOnce(): Promise<{ events: number; deliveries: number; attempts: number; inboundRequests: number; auditRecords: number; alertNotifications: number; bins: number }>;
}

export function createPruner(opts: { store: Store; logger: Logger; retentionDays: number; auditRetentionDays?: number; now: () => number }): Pruner {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const runOnce: Pruner['runOnce'] = async () => {
    const before = opts.now() - opts.retentionDays * 86_400_000;
    const total = { events: 0, deliveries: 0, attempts: 0, inboundRequests: 0, auditRecords: 0, alertNotifications: 0, bins: 0 };
    for (;;) {
      const r = await opts.store.prune(before, PRUNE_BATCH);
      total.events += r.events;
      total.deliveries += r.deliveries;
      total.attempts += r.attempts;
      total.inboundRequests += r.inboundRequests;
      if (stopped || (r.events < PRUNE_BATCH && r.inboundRequests < PRUNE_BATCH)) break;
      await new Promise((res) => setTimeout(res, PAUSE_BETWEEN_BATCHES_MS));
    }
    // The audit log has its own, longer retention (HOOKD_AUDIT_RETENTION_DAYS).
    const auditBefore = opts.now() - (opts.auditRetentionDays ?? 365) * 86_400_000;
    for (let n = PRUNE_BATCH; n === PRUNE_BATCH && !stopped; ) {
      n = await opts.store.pruneAudit(auditBefore, PRUNE_BATCH);
      total.auditRecords += n;
      if (n === PRUNE_BATCH) await new Promise((res) => setTimeout(res, PAUSE_BETWEEN_BATCHES_MS));
    }
    // Alert notifications follow the general retention: they are history, like attempts.
    for (let n = PRUNE_BATCH; n === PRUNE_BATCH && !stopped; ) {
      n = await opts.store.pruneAlertNotifications(before, PRUNE_BATCH);
      total.alertNotifications += n;
      if (n === PRUNE_BATCH) await new Promise((res) => setTimeout(res, PAUSE_BETWEEN_BATCHES_MS));
    }
    // Request bins go when they expire (their own expiresAt), with every request they captured.
    for (let n = PRUNE_BATCH; n === PRUNE_BATCH && !stopped; ) {
      n = await opts.store.pruneBins(opts.now(), PRUNE_BATCH);
      total.bins += n;
      if (n === PRUNE_BATCH) await new Promise((res) => setTimeout(res, PAUSE_BETWEEN_BATCHES_MS));
    }
    if (total.events + total.inboundRequests + total.auditRecords + total.alertNotifications + total.bins > 0) opts.logger.info(total, 'pruned old data');
    return total;
  };
  const tick = (): void => {
    runOnce()
      .catch((err: unknown) => opts.logger.warn({ err: (err as Error).message }, 'pruning failed; will try again'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, PRUNE_EVERY_MS).unref();
      });
  };
  return {
    start() {
      stopped = false;
      timer = setTimeout(tick, 5000).unref();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    runOnce,
  };
}
