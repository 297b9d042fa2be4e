// Retention: old finished work goes, anything still pending or in flight stays.

import { describe, expect, it } from 'vitest';
import {
  addEndpoint,
  claimOne,
  claimRequest,
  deliveriesOf,
  makeInbound,
  makeSource,
  publish,
  resultFor,
  T0,
  useStore,
  type StoreFactory,
} from './fixtures.js';

const DAY = 86_400_000;

export function pruneSuite(factory: StoreFactory): void {
  describe('prune', () => {
    const store = useStore(factory);

    it('deletes old events whose deliveries are all terminal, with deliveries and attempts', async () => {
      await addEndpoint(store());
      await addEndpoint(store());
      const old = await publish(store(), { createdAt: T0 });
      const claims = await store().claimDue(claimRequest(T0 + 1));
      expect(claims).toHaveLength(2);
      await store().recordResults([resultFor(claims[0]!, { at: T0 + 2 }), resultFor(claims[1]!, { at: T0 + 2, status: 'failed' })]);
      const recent = await publish(store(), { createdAt: T0 + 40 * DAY });

      const result = await store().prune(T0 + 30 * DAY, 100);
      expect(result).toEqual({ events: 1, deliveries: 2, attempts: 2, inboundRequests: 0 });
      expect(await store().getEvent(old.event.id, undefined)).toBeNull();
      expect(await deliveriesOf(store(), old.event.id)).toEqual([]);
      expect(await store().listAttempts(claims[0]!.delivery.id)).toEqual([]);
      expect(await store().getDelivery(old.deliveries[0]!.id, undefined)).toBeNull();
      expect(await store().getEvent(recent.event.id, undefined)).not.toBeNull();
      expect(await store().prune(T0 + 30 * DAY, 100)).toEqual({ events: 0, deliveries: 0, attempts: 0, inboundRequests: 0 });
    });

    it('never prunes an event with pending or in-flight work, however old', async () => {
      await addEndpoint(store());
      const pending = await publish(store(), { createdAt: T0 + 10 });
      const sending = await publish(store(), { createdAt: T0 });
      await claimOne(store(), T0 + 1, { limit: 1 });
      expect((await deliveriesOf(store(), sending.event.id))[0]?.status).toBe('sending');
      expect(await store().prune(T0 + 365 * DAY, 100)).toEqual({ events: 0, deliveries: 0, attempts: 0, inboundRequests: 0 });
      expect(await store().getEvent(pending.event.id, undefined)).not.toBeNull();
      expect(await store().getEvent(sending.event.id, undefined)).not.toBeNull();
    });

    it('prunes events without deliveries, at most batchSize per call', async () => {
      for (let i = 0; i < 5; i += 1) await publish(store(), { createdAt: T0 + i });
      expect((await store().prune(T0 + DAY, 2)).events).toBe(2);
      expect((await store().prune(T0 + DAY, 2)).events).toBe(2);
      expect((await store().prune(T0 + DAY, 2)).events).toBe(1);
      expect((await store().prune(T0 + DAY, 2)).events).toBe(0);
      expect(await store().listEventsFeed({ afterSeq: 0, tenant: undefined, limit: 10 })).toEqual([]);
    });

    it('deletes inbound requests received before the cut-off and keeps newer ones', async () => {
      const source = makeSource();
      await store().insertSource(source);
      const old = makeInbound(source, { receivedAt: T0 });
      const edge = makeInbound(source, { receivedAt: T0 + DAY });
      const fresh = makeInbound(source, { receivedAt: T0 + 2 * DAY });
      for (const r of [old, edge, fresh]) await store().recordInbound(r, null);
      expect((await store().prune(T0 + DAY, 100)).inboundRequests).toBe(1);
      expect(await store().getInboundRequest(old.id, source.id)).toBeNull();
      expect(await store().getInboundRequest(edge.id, source.id)).not.toBeNull();
      expect(await store().getInboundRequest(fresh.id, source.id)).not.toBeNull();
    });
  });
}
