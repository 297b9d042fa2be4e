// Runs bulk retry tasks in the background: count the matching deliveries, then re-queue them in
// batches, writing progress (and where the next batch starts) to the task's row after each batch.
// The row is the only state: a cancel request is read back with each write, a lost lease (another
// process took over) stops this runner, and on start-up every running task whose lease is free is
// resumed from its cursor, so a restart does not lose a task.

import { randomUUID } from 'node:crypto';
import { outsideAuditScope } from '../../core/audit.js';
import type { BulkRetry, Store, TenantFilter } from '../../store/store.js';

export const BULK_BATCH = 100;
/** Counting stops here; a task over more deliveries still runs, its total shown as at least this. */
export const BULK_COUNT_CAP = 100_000;
export const BULK_LEASE_MS = 30_000;

export interface BulkRetryRunner {
  /** Start (or resume) a task in the background. */
  run(id: string): void;
  /** Resume every running task whose lease is free (after a restart). */
  resumeAll(): Promise<void>;
  /** Stop after the current batch and release the leases, so another process resumes at once. */
  stop(): Promise<void>;
  /** Resolves when the tasks running now have stopped (tests). */
  idle(): Promise<void>;
}

export function createBulkRetryRunner(opts: { store: Store; wake: () => void; now: () => number; logger: { error: (obj: object, msg: string) => void }; batch?: number }): BulkRetryRunner {
  const { store, now, logger } = opts;
  const batch = opts.batch ?? BULK_BATCH;
  const owner = `bulk-${randomUUID()}`;
  const running = new Map<string, Promise<void>>();
  let stopping = false;

  const scopeOf = (task: BulkRetry): TenantFilter => (task.tenant === null ? undefined : task.tenant);

  async function work(id: string): Promise<void> {
    let task = await store.claimBulkRetry(id, owner, now(), BULK_LEASE_MS);
    if (!task) return;
    const query = { ...task.filter, tenant: scopeOf(task) };
    try {
      if (task.total === null) {
        let total = 0;
        let cursor: string | undefined;
        for (;;) {
          const page = await store.listDeliveries(query, { limit: 250, cursor });
          total += page.data.length;
          if (!page.nextCursor || total >= BULK_COUNT_CAP || stopping) break;
          cursor = page.nextCursor;
        }
        task = await store.updateBulkRetry(id, owner, { total, leaseExpiresAt: now() + BULK_LEASE_MS }, now());
        if (!task) return;
      }
      while (!stopping) {
        if (task.cancelRequested) {
          await store.updateBulkRetry(id, owner, { status: 'cancelled', finishedAt: now(), owner: null, leaseExpiresAt: null }, now());
          return;
        }
        const page = await store.listDeliveries(query, { limit: batch, cursor: task.cursor ?? undefined });
        let requeued = 0;
        let skipped = 0;
        // A disabled endpoint's deliveries are skipped, as a single retry refuses them: nothing
        // would ever send them, and they would sit pending with their next attempt in the past.
        const enabled = new Map<string, boolean>();
        for (const id of new Set(page.data.map((d) => d.endpointId))) enabled.set(id, (await store.getEndpoint(id, scopeOf(task)))?.enabled === true);
        for (const d of page.data) {
          // A delivery being sent right now is left alone (its own attempt is the retry).
          const result = d.status === 'sending' || !enabled.get(d.endpointId) ? 'skipped' : await store.requeueDelivery(d.id, scopeOf(task), now(), { trigger: 'bulk' });
          if (typeof result === 'string') skipped += 1;
          else requeued += 1;
        }
        if (requeued > 0) opts.wake();
        const done = page.nextCursor === null;
        const next: BulkRetry | null = await store.updateBulkRetry(
          id,
          owner,
          {
            processed: task.processed + page.data.length,
            requeued: task.requeued + requeued,
            skipped: task.skipped + skipped,
            cursor: page.nextCursor,
            leaseExpiresAt: now() + BULK_LEASE_MS,
            ...(done ? { status: 'completed' as const, finishedAt: now(), owner: null, leaseExpiresAt: null } : {}),
          },
          now(),
        );
        if (!next) return; // another process holds it now
        task = next;
        if (done) return;
      }
      // Stopping: give the task back so the next process resumes it without waiting for the lease.
      await store.updateBulkRetry(id, owner, { owner: null, leaseExpiresAt: null }, now());
    } catch (err) {
      logger.error({ err, bulkRetryId: id }, 'bulk retry failed');
      await store.updateBulkRetry(id, owner, { status: 'failed', error: err instanceof Error ? err.message : String(err), finishedAt: now(), owner: null, leaseExpiresAt: null }, now()).catch(() => undefined);
    }
  }

  return {
    run(id) {
      if (stopping || running.has(id)) return;
      // Started by a request (create, cancel) but not part of it: outside its audit scope, or a
      // requeue transaction of this loop takes the record of whatever request is open at the time.
      const p = outsideAuditScope(() => work(id))
        .catch((err: unknown) => logger.error({ err, bulkRetryId: id }, 'bulk retry runner error'))
        .finally(() => running.delete(id));
      running.set(id, p);
    },
    async resumeAll() {
      for (const task of await store.listRunningBulkRetries()) this.run(task.id);
    },
    async stop() {
      stopping = true;
      await Promise.all(running.values());
    },
    async idle() {
      await Promise.all(running.values());
    },
  };
}
