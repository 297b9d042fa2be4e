// Content filters and transforms on endpoints: stored with the endpoint, and filters applied at
// fan-out inside the publish transaction, so a filtered-out event has no delivery row at all.

import { describe, expect, it } from 'vitest';
import { addEndpoint, deliveriesOf, makeEndpoint, makeEvent, publish, T0, useStore, type StoreFactory } from './fixtures.js';

export function filtersSuite(factory: StoreFactory): void {
  describe('filters and transforms', () => {
    const store = useStore(factory);

    it('round-trips filter, transform and transform history, and a null patch removes them', async () => {
      const endpoint = makeEndpoint({
        filter: { 'data.customer.tier': { $in: ['vip', 'gold'] }, $not: { type: 'chat.test' } },
        transform: { version: 2, code: 'function transform(w) { return w; }', createdAt: T0 + 2 },
        transformHistory: [{ version: 1, preset: 'slack', createdAt: T0 + 1 }],
      });
      await store().insertEndpoint(endpoint);
      expect(await store().getEndpoint(endpoint.id, undefined)).toEqual(endpoint);
      const updated = await store().updateEndpoint(endpoint.id, undefined, { filter: null, transform: null, updatedAt: T0 + 5 });
      expect(updated?.filter ?? null).toBeNull();
      expect(updated?.transform ?? null).toBeNull();
      const read = await store().getEndpoint(endpoint.id, undefined);
      expect(read?.filter ?? null).toBeNull();
      expect(read?.transform ?? null).toBeNull();
      expect(read?.transformHistory).toEqual(endpoint.transformHistory);
    });

    it('creates deliveries only for endpoints whose filter matches the event', async () => {
      const vip = await addEndpoint(store(), { filter: { 'data.customer.tier': 'vip' } });
      const chats = await addEndpoint(store(), { filter: { type: { $regex: '^chat\\.' }, 'data.channel': { $ne: 'email' } } });
      const plain = await addEndpoint(store());
      const gold = await publish(store(), { type: 'chat.started', payload: '{"customer":{"tier":"gold"},"channel":"web"}' });
      expect(gold.deliveries.map((d) => d.endpointId).sort()).toEqual([chats.id, plain.id].sort());
      const vipEmail = await publish(store(), { type: 'chat.started', payload: '{"customer":{"tier":"vip"},"channel":"email"}' });
      expect(vipEmail.deliveries.map((d) => d.endpointId).sort()).toEqual([vip.id, plain.id].sort());
      const call = await publish(store(), { type: 'call.ended', payload: '{"customer":{"tier":"silver"}}' });
      expect(call.count).toBe(1);
      expect(call.deliveries.map((d) => d.endpointId)).toEqual([plain.id]);
    });

    it('applies each event its own verdict inside one batch, and a non-object payload matches no data path', async () => {
      const vip = await addEndpoint(store(), { tenant: 'acme', filter: { 'data.vip': true } });
      const results = await store().publishEvents([
        makeEvent({ tenant: 'acme', payload: '{"vip":true}' }),
        makeEvent({ tenant: 'acme', payload: '{"vip":false}' }),
        makeEvent({ tenant: 'acme', payload: '[1,2]' }),
        makeEvent({ tenant: 'acme', payload: '"text"' }),
      ]);
      expect(results.map((r) => (r.kind === 'created' ? r.deliveries : -1))).toEqual([1, 0, 0, 0]);
      const first = results[0]!;
      if (first.kind !== 'created') throw new Error('expected created');
      expect((await deliveriesOf(store(), first.event.id)).map((d) => d.endpointId)).toEqual([vip.id]);
    });

    it('an endpoint test (onlyEndpointId) reaches the endpoint whatever its filter', async () => {
      const ep = await addEndpoint(store(), { filter: { type: 'never.published' } });
      const test = await publish(store(), { type: 'hookd.test', payload: '{}', onlyEndpointId: ep.id });
      expect(test.deliveries.map((d) => d.endpointId)).toEqual([ep.id]);
    });
  });
}
