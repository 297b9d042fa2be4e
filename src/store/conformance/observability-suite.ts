// What observability needs from a store: the trace context stored with an event (an attempt span
// links to the publish span through it) and queue depth per endpoint (metrics).

import { describe, expect, it } from 'vitest';
import { addEndpoint, claimOne, claimRequest, makeEvent, makeInbound, makeSource, publish, T0, useStore, type StoreFactory } from './fixtures.js';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

export function observabilitySuite(factory: StoreFactory): void {
  describe('observability', () => {
    const store = useStore(factory);

    it('round-trips the trace context through publish, get, the feed, claims and transfer export', async () => {
      await addEndpoint(store());
      const { event } = await publish(store(), { traceContext: TRACEPARENT });
      expect(event.traceContext).toBe(TRACEPARENT);
      expect((await store().getEvent(event.id, undefined))?.traceContext).toBe(TRACEPARENT);
      const [fed] = await store().listEventsFeed({ afterSeq: 0, tenant: undefined, limit: 10 });
      expect(fed?.traceContext).toBe(TRACEPARENT);
      const claim = await claimOne(store(), T0);
      expect(claim.event.traceContext).toBe(TRACEPARENT);
      const exported = await store().exportRows('events', null, 10);
      expect(exported.rows[0]?.trace_context).toBe(TRACEPARENT);
    });

    it('stores null when there is no trace context, and keeps it for ingress events', async () => {
      const { event } = await publish(store());
      expect((await store().getEvent(event.id, undefined))?.traceContext ?? null).toBeNull();
      const source = makeSource();
      await store().insertSource(source);
      const out = await store().recordInbound(makeInbound(source, { verdict: 'accepted' }), makeEvent({ sourceId: source.id, traceContext: TRACEPARENT }));
      expect(out.publish?.kind).toBe('created');
      expect((await store().getEvent(out.request.eventId!, undefined))?.traceContext).toBe(TRACEPARENT);
    });

    it('queueDepthByEndpoint groups pending deliveries per endpoint, busiest first, within the limit', async () => {
      expect(await store().queueDepthByEndpoint(T0, 10)).toEqual([]);
      const a = await addEndpoint(store(), { eventTypes: ['a'] });
      const b = await addEndpoint(store(), { eventTypes: ['b'] });
      const c = await addEndpoint(store(), { eventTypes: ['c'] });
      await publish(store(), { type: 'a', createdAt: T0 - 50 });
      await publish(store(), { type: 'a', createdAt: T0 - 20 });
      await publish(store(), { type: 'a', createdAt: T0 + 500 });
      await publish(store(), { type: 'b', createdAt: T0 - 5 });
      await publish(store(), { type: 'c', createdAt: T0 + 900 });
      expect(await store().queueDepthByEndpoint(T0, 10)).toEqual([
        { endpointId: a.id, pending: 3, due: 2, oldestDueAt: T0 - 50 },
        { endpointId: b.id, pending: 1, due: 1, oldestDueAt: T0 - 5 },
        { endpointId: c.id, pending: 1, due: 0, oldestDueAt: null },
      ]);
      expect((await store().queueDepthByEndpoint(T0, 1)).map((r) => r.endpointId)).toEqual([a.id]);
      // A claimed delivery is no longer waiting.
      await store().claimDue(claimRequest(T0, { limit: 1 }));
      expect((await store().queueDepthByEndpoint(T0, 10))[0]).toEqual({ endpointId: a.id, pending: 2, due: 1, oldestDueAt: T0 - 20 });
    });
  });
}
