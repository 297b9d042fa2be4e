// Event search (the feed's filters) and the deliveries' outcome filters: both stores give the same
// answers, including PostgreSQL jsonb containment rules for `match`.

import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { addEndpoint, claimRequest, publish, resultFor, T0, useStore, type StoreFactory } from './fixtures.js';

async function feedTypes(store: Store, q: Partial<Parameters<Store['listEventsFeed']>[0]>): Promise<string[]> {
  const events = await store.listEventsFeed({ afterSeq: 0, tenant: undefined, limit: 100, ...q });
  return events.map((e) => e.type);
}

export function searchSuite(factory: StoreFactory): void {
  describe('event search', () => {
    const store = useStore(factory);

    async function seed(): Promise<void> {
      await publish(store(), { type: 'order.created', tenant: 'acme', payload: '{"customer":{"tier":"vip","id":"c1"},"tags":["a","b"],"n":1.0}', idempotencyKey: 'k-1', createdAt: T0 + 1 });
      await publish(store(), { type: 'order.paid', tenant: 'acme', payload: '{"customer":{"tier":"basic"},"tags":["b"],"n":2}', createdAt: T0 + 2 });
      await publish(store(), { type: 'order_x.created', tenant: 'globex', payload: '{"customer":{"tier":"vip"},"items":[{"sku":"s1","qty":2},{"sku":"s2"}]}', createdAt: T0 + 3 });
      await publish(store(), { type: 'chat.started', tenant: null, payload: '[{"customer":{"tier":"vip"}}]', idempotencyKey: 'k-1', createdAt: T0 + 4 });
      await publish(store(), { type: 'chat.ended', tenant: null, payload: '"vip"', createdAt: T0 + 5 });
    }

    it('filters by type prefix (a literal prefix: _ and . are not wildcards)', async () => {
      await seed();
      expect(await feedTypes(store(), { typePrefix: 'order.' })).toEqual(['order.created', 'order.paid']);
      expect(await feedTypes(store(), { typePrefix: 'order' })).toEqual(['order.created', 'order.paid', 'order_x.created']);
      expect(await feedTypes(store(), { typePrefix: 'order%' })).toEqual([]);
      expect(await feedTypes(store(), { typePrefix: 'chat.ended' })).toEqual(['chat.ended']);
    });

    it('filters by id, idempotency key, tenant and time range', async () => {
      await seed();
      const all = await store().listEventsFeed({ afterSeq: 0, tenant: undefined, limit: 100 });
      expect(await feedTypes(store(), { id: all[2]!.id })).toEqual(['order_x.created']);
      expect(await feedTypes(store(), { id: 'evt_missing' })).toEqual([]);
      expect(await feedTypes(store(), { idempotencyKey: 'k-1' })).toEqual(['order.created', 'chat.started']);
      expect(await feedTypes(store(), { idempotencyKey: 'k-1', tenant: null })).toEqual(['chat.started']);
      expect(await feedTypes(store(), { tenant: 'acme' })).toEqual(['order.created', 'order.paid']);
      expect(await feedTypes(store(), { since: T0 + 2, until: T0 + 4 })).toEqual(['order.paid', 'order_x.created']);
      expect(await feedTypes(store(), { tenant: 'acme', typePrefix: 'order.', since: T0 + 2 })).toEqual(['order.paid']);
      // Filters keep the feed's paging: after a seq, at most limit.
      const page = await store().listEventsFeed({ afterSeq: all[0]!.seq, tenant: undefined, limit: 1, typePrefix: 'order' });
      expect(page.map((e) => e.type)).toEqual(['order.paid']);
    });

    it('matches data by containment with jsonb rules', async () => {
      await seed();
      const m = (match: unknown) => feedTypes(store(), { match: JSON.stringify(match) });
      expect(await m({ customer: { tier: 'vip' } })).toEqual(['order.created', 'order_x.created']);
      expect(await m({ customer: { tier: 'vip', id: 'c1' } })).toEqual(['order.created']);
      expect(await m({ customer: { tier: 'gold' } })).toEqual([]);
      // Arrays: each element of the match is in the data's array, in any order.
      expect(await m({ tags: ['b'] })).toEqual(['order.created', 'order.paid']);
      expect(await m({ tags: ['b', 'a', 'b'] })).toEqual(['order.created']);
      expect(await m({ items: [{ sku: 's2' }] })).toEqual(['order_x.created']);
      expect(await m({ items: [{ sku: 's1', qty: 3 }] })).toEqual([]);
      // A nested array never contains a bare scalar; kinds must agree.
      expect(await m({ tags: 'b' })).toEqual([]);
      expect(await m({ customer: 'vip' })).toEqual([]);
      // Numbers compare by value (1.0 is 1).
      expect(await m({ n: 1 })).toEqual(['order.created']);
      // {} is contained in every object, never in an array or a scalar.
      expect(await m({})).toEqual(['order.created', 'order.paid', 'order_x.created']);
      expect(await feedTypes(store(), { match: '{"customer":{"tier":"vip"}}', tenant: 'globex' })).toEqual(['order_x.created']);
    });

    it('reads data whose text jsonb would refuse as matching nothing, and still publishes it', async () => {
      await publish(store(), { type: 'odd.nul', payload: '{"s":"a\\u0000b","k":1}' });
      await publish(store(), { type: 'odd.fine', payload: '{"k":1}' });
      expect(await feedTypes(store(), { typePrefix: 'odd.' })).toEqual(['odd.nul', 'odd.fine']);
      const matched = await feedTypes(store(), { match: '{"k":1}' });
      // PostgreSQL cannot read "\u0000" as jsonb; SQLite can. The clean event matches on both.
      expect(matched).toContain('odd.fine');
      expect(matched.filter((t) => t !== 'odd.nul')).toEqual(['odd.fine']);
    });
  });

  describe('delivery outcome filters', () => {
    const store = useStore(factory);

    it('filters deliveries by last HTTP status and attempt code', async () => {
      await addEndpoint(store(), { tenant: 'acme' });
      const a = await publish(store(), { tenant: 'acme', createdAt: T0 });
      const b = await publish(store(), { tenant: 'acme', createdAt: T0 + 1 });
      const [claimA, claimB] = await store().claimDue(claimRequest(T0 + 10, { limit: 2 }));
      await store().recordResults([
        resultFor(claimA!, { at: T0 + 11, status: 'failed', code: 'http_client_error', responseStatus: 404 }),
        resultFor(claimB!, { at: T0 + 11 }),
      ]);
      const list = async (q: { lastStatus?: number; lastCode?: string; tenant?: string | null }) =>
        (await store().listDeliveries({ tenant: undefined, ...q }, { limit: 50 })).data.map((d) => d.eventId);
      const failed = claimA!.event.id;
      const ok = claimB!.event.id;
      expect(new Set([failed, ok])).toEqual(new Set([a.event.id, b.event.id]));
      expect(await list({ lastStatus: 404 })).toEqual([failed]);
      expect(await list({ lastCode: 'http_client_error' })).toEqual([failed]);
      expect(await list({ lastCode: 'ok', lastStatus: 200 })).toEqual([ok]);
      expect(await list({ lastStatus: 500 })).toEqual([]);
      expect(await list({ lastStatus: 404, tenant: 'globex' })).toEqual([]);
      expect(await list({ lastStatus: 404, tenant: 'acme' })).toEqual([failed]);
    });
  });
}
