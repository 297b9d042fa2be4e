// Bulk retry tasks: stored whole, scoped by tenant, leased to one owner at a time, fenced updates,
// cancel requests, and the running ones listed for a restart to resume.

import { describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import type { BulkRetry } from '../store.js';
import type { StoreFactory } from './fixtures.js';
import { T0, useStore } from './fixtures.js';

function makeTask(over: Partial<BulkRetry> = {}): BulkRetry {
  return {
    id: newId('bulkRetry'),
    tenant: null,
    filter: { status: 'failed', endpointId: 'ep_1', since: T0 - 1000 },
    status: 'running',
    total: null,
    processed: 0,
    requeued: 0,
    skipped: 0,
    cursor: null,
    cancelRequested: false,
    owner: null,
    leaseExpiresAt: null,
    error: null,
    createdAt: T0,
    updatedAt: T0,
    finishedAt: null,
    ...over,
  };
}

export function bulkRetriesSuite(factory: StoreFactory): void {
  describe('bulk retries', () => {
    const store = useStore(factory);

    it('stores a task whole and scopes reads by tenant', async () => {
      const admin = makeTask();
      const acme = makeTask({ tenant: 'acme', createdAt: T0 + 1 });
      await store().insertBulkRetry(admin);
      await store().insertBulkRetry(acme);
      expect(await store().getBulkRetry(admin.id, undefined)).toEqual(admin);
      expect(await store().getBulkRetry(acme.id, 'acme')).toEqual(acme);
      expect(await store().getBulkRetry(admin.id, 'acme')).toBeNull();
      expect(await store().getBulkRetry(acme.id, 'globex')).toBeNull();
      expect((await store().listRunningBulkRetries()).map((t) => t.id)).toEqual([admin.id, acme.id]);
    });

    it('leases a task to one owner; another takes it over only after the lease expires', async () => {
      const task = makeTask();
      await store().insertBulkRetry(task);
      const mine = await store().claimBulkRetry(task.id, 'p1', T0, 1_000);
      expect(mine).toMatchObject({ owner: 'p1', leaseExpiresAt: T0 + 1_000 });
      expect(await store().claimBulkRetry(task.id, 'p2', T0 + 500, 1_000)).toBeNull();
      expect(await store().claimBulkRetry(task.id, 'p1', T0 + 500, 1_000)).toMatchObject({ leaseExpiresAt: T0 + 1_500 });
      // Progress is fenced by the owner: p2 cannot write while p1 holds it.
      expect(await store().updateBulkRetry(task.id, 'p2', { processed: 5 }, T0 + 600)).toBeNull();
      expect(await store().updateBulkRetry(task.id, 'p1', { total: 10, processed: 4, requeued: 3, skipped: 1, cursor: 'c1' }, T0 + 600)).toMatchObject({ total: 10, processed: 4, requeued: 3, skipped: 1, cursor: 'c1', updatedAt: T0 + 600 });
      // p1 went quiet: after the lease p2 resumes from the stored cursor.
      const taken = await store().claimBulkRetry(task.id, 'p2', T0 + 1_500, 1_000);
      expect(taken).toMatchObject({ owner: 'p2', cursor: 'c1', processed: 4 });
      expect(await store().updateBulkRetry(task.id, 'p1', { processed: 9 }, T0 + 1_600)).toBeNull();
      const done = await store().updateBulkRetry(task.id, 'p2', { status: 'completed', finishedAt: T0 + 1_700, processed: 10, cursor: null }, T0 + 1_700);
      expect(done).toMatchObject({ status: 'completed', finishedAt: T0 + 1_700, processed: 10 });
      // A finished task is not claimed again, nor listed as running.
      expect(await store().claimBulkRetry(task.id, 'p2', T0 + 9_000, 1_000)).toBeNull();
      expect(await store().listRunningBulkRetries()).toEqual([]);
    });

    it('records a cancel request on a running task, for its tenant only', async () => {
      const task = makeTask({ tenant: 'acme' });
      await store().insertBulkRetry(task);
      expect((await store().cancelBulkRetry(task.id, 'globex', T0 + 1))).toBeNull();
      expect((await store().getBulkRetry(task.id, undefined))?.cancelRequested).toBe(false);
      expect(await store().cancelBulkRetry(task.id, 'acme', T0 + 2)).toMatchObject({ cancelRequested: true, status: 'running' });
      expect(await store().cancelBulkRetry('bulk_missing', undefined, T0 + 3)).toBeNull();
    });
  });
}
