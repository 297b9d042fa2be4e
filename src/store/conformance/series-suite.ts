// endpointSeries: an endpoint's attempts per time bucket (volume, failures, nearest-rank p95), as the
// endpoint page's charts read them. Same numbers on every store.

import { describe, expect, it } from 'vitest';
import type { StoreFactory } from './fixtures.js';
import { addEndpoint, claimOne, publish, resultFor, T0, useStore } from './fixtures.js';

export function seriesSuite(factory: StoreFactory): void {
  describe('endpoint series', () => {
    const store = useStore(factory);

    it('buckets attempts from `since`, with failures and the p95 of each bucket', async () => {
      const endpoint = await addEndpoint(store());
      // Subscribed to nothing published here: every delivery (and attempt) below is the first one's.
      const other = await addEndpoint(store(), { eventTypes: ['series.other'] });
      // Bucket 0 (T0..T0+999): 20 attempts, 10..200 ms, 3 failed. Bucket 2: 1 failed attempt.
      // T0+3000 is `until`, excluded; the other endpoint's attempt never counts.
      const plan: Array<{ at: number; ms: number; ok: boolean }> = [];
      for (let i = 0; i < 20; i += 1) plan.push({ at: T0 + i * 10, ms: (i + 1) * 10, ok: i % 7 !== 3 });
      plan.push({ at: T0 + 2_500, ms: 900, ok: false });
      plan.push({ at: T0 + 3_000, ms: 5, ok: true });
      for (const _ of plan) await publish(store(), { createdAt: T0 - 1 });
      for (const step of plan) {
        const claim = await claimOne(store(), step.at, { limit: 1 });
        await store().recordResults([resultFor(claim, { at: step.at, status: step.ok ? 'succeeded' : 'failed', durationMs: step.ms })]);
      }
      const series = await store().endpointSeries(endpoint.id, T0, T0 + 3_000, 1_000);
      expect(series).toEqual([
        // ceil(0.95 * 20) = 19th smallest of 10, 20, ..., 200 is 190.
        { start: T0, attempts: 20, failed: 3, p95: 190 },
        { start: T0 + 2_000, attempts: 1, failed: 1, p95: 900 },
      ]);
      expect(await store().endpointSeries(other.id, T0, T0 + 3_000, 1_000)).toEqual([]);
      // Buckets start at `since`, not at a round clock time.
      const shifted = await store().endpointSeries(endpoint.id, T0 + 95, T0 + 3_000, 1_000);
      expect(shifted.map((b) => [b.start - T0, b.attempts])).toEqual([
        [95, 10],
        [2_095, 1],
      ]);
    });

    it('an endpoint without attempts has an empty series', async () => {
      const endpoint = await addEndpoint(store());
      expect(await store().endpointSeries(endpoint.id, T0, T0 + 86_400_000, 3_600_000)).toEqual([]);
    });
  });
}
