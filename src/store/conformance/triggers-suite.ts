// What triggered each attempt, and the run a re-queue starts: a plain re-queue is one 'manual'
// attempt (run limit 1), a fresh one has no limit, a recovery records 'recover', a bulk retry
// 'bulk'; once an attempt is recorded the next one is 'scheduled' again.

import { describe, expect, it } from 'vitest';
import type { StoreFactory } from './fixtures.js';
import { addEndpoint, claimOne, mustGetDelivery, publish, resultFor, T0, useStore } from './fixtures.js';

export function triggersSuite(factory: StoreFactory): void {
  describe('attempt triggers and run limits', () => {
    const store = useStore(factory);

    it('a new delivery runs on the schedule; its attempts record "scheduled"', async () => {
      await addEndpoint(store());
      await publish(store(), { createdAt: T0 });
      const claim = await claimOne(store(), T0);
      expect(claim.delivery).toMatchObject({ nextTrigger: 'scheduled', runLimit: null });
      await store().recordResults([{ ...resultFor(claim, { at: T0 + 1 }), attempt: { ...resultFor(claim, { at: T0 + 1 }).attempt, trigger: claim.delivery.nextTrigger } }]);
      expect((await store().listAttempts(claim.delivery.id)).map((a) => a.trigger)).toEqual(['scheduled']);
    });

    it('a re-queue sets the next trigger and the run limit; the attempt resets the trigger', async () => {
      await addEndpoint(store());
      await publish(store(), { createdAt: T0 });
      const first = await claimOne(store(), T0);
      await store().recordResults([resultFor(first, { at: T0 + 1, status: 'failed' })]);
      const requeued = await store().requeueDelivery(first.delivery.id, undefined, T0 + 10);
      expect(requeued).toMatchObject({ status: 'pending', nextTrigger: 'manual', runLimit: 1, runAttempts: 0 });
      const claim = await claimOne(store(), T0 + 10);
      expect(claim.delivery).toMatchObject({ nextTrigger: 'manual', runLimit: 1 });
      const result = resultFor(claim, { at: T0 + 11, status: 'failed' });
      await store().recordResults([{ ...result, attempt: { ...result.attempt, trigger: claim.delivery.nextTrigger } }]);
      expect(await mustGetDelivery(store(), first.delivery.id)).toMatchObject({ nextTrigger: 'scheduled', status: 'failed' });
      expect((await store().listAttempts(first.delivery.id)).map((a) => a.trigger)).toEqual(['scheduled', 'manual']);

      expect(await store().requeueDelivery(first.delivery.id, undefined, T0 + 20, { freshSchedule: true })).toMatchObject({ nextTrigger: 'manual', runLimit: null });
      expect(await store().requeueDelivery(first.delivery.id, undefined, T0 + 21, { trigger: 'bulk' })).toMatchObject({ nextTrigger: 'bulk', runLimit: 1 });
    });

    it('a recovery records "recover" and gets a fresh schedule', async () => {
      const endpoint = await addEndpoint(store());
      await publish(store(), { createdAt: T0 });
      const claim = await claimOne(store(), T0);
      await store().recordResults([resultFor(claim, { at: T0 + 1, status: 'failed' })]);
      await store().requeueDelivery(claim.delivery.id, undefined, T0 + 2); // leaves run_limit 1 ...
      expect(await store().recoverDeliveries(endpoint.id, T0 - 1, T0 + 1, T0 + 3)).toBe(0); // (pending now)
      const again = await claimOne(store(), T0 + 3);
      await store().recordResults([resultFor(again, { at: T0 + 4, status: 'failed' })]);
      expect(await store().recoverDeliveries(endpoint.id, T0 - 1, T0 + 1, T0 + 5)).toBe(1);
      // ... which the recovery clears.
      expect(await mustGetDelivery(store(), claim.delivery.id)).toMatchObject({ status: 'pending', nextTrigger: 'recover', runLimit: null, runAttempts: 0 });
    });
  });
}
