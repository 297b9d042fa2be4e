// Pacing held by the store, so it holds across every process claiming from it: a rate limit handed
// out as send slots, and a pause after the receiver throttled us (Retry-After).

import { describe, expect, it } from 'vitest';
import { addEndpoint, claimRequest, publish, resultFor, T0, useStore, type StoreFactory } from './fixtures.js';

export function pacingSuite(factory: StoreFactory): void {
  describe('pacing: rate-limit slots and Retry-After pauses', () => {
    const store = useStore(factory);

    it('gives an endpoint without a rate limit its claims with sendAt = now', async () => {
      await addEndpoint(store());
      for (let i = 0; i < 3; i += 1) await publish(store(), { createdAt: T0 + i });
      const claims = await store().claimDue(claimRequest(T0 + 50));
      expect(claims.map((c) => c.sendAt)).toEqual([T0 + 50, T0 + 50, T0 + 50]);
    });

    it('hands out rate-limit slots 1000/r ms apart, at most those within rateHoldMs', async () => {
      // 4/s: slots every 250 ms; a 600 ms hold fits slots at +0, +250, +500.
      await addEndpoint(store(), { rateLimitPerSecond: 4, maxConcurrency: 50 });
      const published = [];
      for (let i = 0; i < 10; i += 1) published.push(await publish(store(), { createdAt: T0 + i }));
      const first = await store().claimDue(claimRequest(T0 + 100, { rateHoldMs: 600 }));
      expect(first.map((c) => c.sendAt)).toEqual([T0 + 100, T0 + 350, T0 + 600]);
      // In due order: the earliest delivery gets the earliest slot.
      expect(first.map((c) => c.event.id)).toEqual(published.slice(0, 3).map((p) => p.event.id));

      // Another claimer (another process) at the same moment gets nothing: every slot in its window is taken.
      expect(await store().claimDue(claimRequest(T0 + 100, { owner: 'worker-2', rateHoldMs: 600 }))).toEqual([]);

      // 400 ms later the window reaches one more slot (+850), continuing the sequence.
      const second = await store().claimDue(claimRequest(T0 + 500, { owner: 'worker-2', rateHoldMs: 600 }));
      expect(second.map((c) => c.sendAt)).toEqual([T0 + 850, T0 + 1_100]);
    });

    it('starts slots at slotClock() when given: a claim that waited does not hand out slots already past', async () => {
      await addEndpoint(store(), { rateLimitPerSecond: 4, maxConcurrency: 50 });
      for (let i = 0; i < 10; i += 1) await publish(store(), { createdAt: T0 + i });
      const claims = await store().claimDue(claimRequest(T0 + 100, { rateHoldMs: 600, slotClock: () => T0 + 400 }));
      expect(claims.map((c) => c.sendAt)).toEqual([T0 + 400, T0 + 650, T0 + 900]);
    });

    it('starts slots at now again after the endpoint was idle (no burst credit, no debt)', async () => {
      await addEndpoint(store(), { rateLimitPerSecond: 10, maxConcurrency: 50 });
      await publish(store(), { createdAt: T0 });
      const [first] = await store().claimDue(claimRequest(T0, { rateHoldMs: 1_000 }));
      expect(first?.sendAt).toBe(T0);
      await store().recordResults([resultFor(first!, { at: T0 + 5 })]);
      await publish(store(), { createdAt: T0 + 60_000 });
      await publish(store(), { createdAt: T0 + 60_000 });
      const later = await store().claimDue(claimRequest(T0 + 60_000, { rateHoldMs: 1_000 }));
      expect(later.map((c) => c.sendAt)).toEqual([T0 + 60_000, T0 + 60_100]);
    });

    it('keeps each rate-limited endpoint on its own slots and leaves other endpoints unpaced', async () => {
      const slow = await addEndpoint(store(), { rateLimitPerSecond: 2, maxConcurrency: 50, eventTypes: ['slow.thing'] });
      const fast = await addEndpoint(store(), { maxConcurrency: 50, eventTypes: ['fast.thing'] });
      for (let i = 0; i < 4; i += 1) {
        await publish(store(), { type: 'slow.thing', createdAt: T0 + i });
        await publish(store(), { type: 'fast.thing', createdAt: T0 + i });
      }
      const claims = await store().claimDue(claimRequest(T0 + 10, { rateHoldMs: 1_000 }));
      const slowSlots = claims.filter((c) => c.endpoint.id === slow.id).map((c) => c.sendAt);
      const fastSlots = claims.filter((c) => c.endpoint.id === fast.id).map((c) => c.sendAt);
      expect(slowSlots).toEqual([T0 + 10, T0 + 510, T0 + 1_010]);
      expect(fastSlots).toEqual([T0 + 10, T0 + 10, T0 + 10, T0 + 10]);
    });

    it('a throttle result pauses the endpoint for every claimer until pauseUntil, and only extends a pause', async () => {
      const endpoint = await addEndpoint(store(), { maxConcurrency: 50 });
      for (let i = 0; i < 3; i += 1) await publish(store(), { createdAt: T0 + i });
      const [throttled] = await store().claimDue(claimRequest(T0 + 10, { limit: 1 }));
      const outcome = await store().recordResults([
        resultFor(throttled!, {
          at: T0 + 20,
          status: 'pending',
          code: 'http_throttled',
          responseStatus: 429,
          nextAttemptAt: T0 + 5_000,
          endpoint: { health: 'neutral', pauseUntil: T0 + 5_000 },
        }),
      ]);
      expect(outcome).toEqual([{ applied: true, endpointDisabled: null }]);
      expect(await store().claimDue(claimRequest(T0 + 4_999, { owner: 'worker-2' }))).toEqual([]);

      // A later, shorter pause (another process's stale throttle) does not shorten it.
      const pending = await store().listDeliveries({ tenant: undefined, endpointId: endpoint.id, status: 'pending' }, { limit: 1 });
      const other = await store().claimById(pending.data[0]!.id, claimRequest(T0 + 30));
      expect(other?.sendAt).toBe(T0 + 30);
      await store().recordResults([
        resultFor(other!, { at: T0 + 40, status: 'pending', code: 'http_throttled', responseStatus: 429, nextAttemptAt: T0 + 1_000, endpoint: { health: 'neutral', pauseUntil: T0 + 1_000 } }),
      ]);
      expect(await store().claimDue(claimRequest(T0 + 2_000))).toEqual([]);

      const after = await store().claimDue(claimRequest(T0 + 5_000));
      expect(after.map((c) => c.endpoint.id)).toEqual([endpoint.id, endpoint.id, endpoint.id]);
    });

    it('a stale (fenced-out) result does not pause the endpoint', async () => {
      await addEndpoint(store(), { maxConcurrency: 50 });
      await publish(store(), { createdAt: T0 });
      await publish(store(), { createdAt: T0 + 1 });
      const [claim] = await store().claimDue(claimRequest(T0 + 10, { limit: 1 }));
      const outcome = await store().recordResults([
        resultFor(claim!, { leaseToken: claim!.delivery.leaseToken + 7, status: 'pending', code: 'http_throttled', responseStatus: 429, nextAttemptAt: T0 + 60_000, endpoint: { health: 'neutral', pauseUntil: T0 + 60_000 } }),
      ]);
      expect(outcome).toEqual([{ applied: false, endpointDisabled: null }]);
      expect(await store().claimDue(claimRequest(T0 + 20))).toHaveLength(1);
    });
  });
}
