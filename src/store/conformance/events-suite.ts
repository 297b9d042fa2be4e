// Publishing: fan-out, tenant scoping, operational events, idempotency, atomicity; the pull feed.

import { describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import { addEndpoint, ALL, deliveriesOf, makeEvent, publish, T0, useStore, type StoreFactory } from './fixtures.js';

export function eventsSuite(factory: StoreFactory): void {
  describe('publish and fan-out', () => {
    const store = useStore(factory);

    it('writes the event and one fresh pending delivery per matching endpoint', async () => {
      const endpoint = await addEndpoint(store(), { tenant: 'acme' });
      const rawBody = Buffer.from([0x7b, 0x00, 0xff, 0x7d]);
      const [result] = await store().publishEvents([
        makeEvent({ tenant: 'acme', type: 'payment.completed', payload: '{ "amount" : 10 }', rawBody, sourceId: 'src_x', createdAt: T0 + 7 }),
      ]);
      expect(result?.kind).toBe('created');
      if (result?.kind !== 'created') return;
      expect(result.deliveries).toBe(1);
      expect(result.event.seq).toBeGreaterThan(0);
      const read = await store().getEvent(result.event.id, 'acme');
      expect(read).toEqual(result.event);
      expect(read?.payload).toBe('{ "amount" : 10 }');
      expect(Buffer.compare(read!.rawBody!, rawBody)).toBe(0);
      expect(await deliveriesOf(store(), result.event.id)).toEqual([
        expect.objectContaining({
          eventId: result.event.id,
          endpointId: endpoint.id,
          tenant: 'acme',
          eventType: 'payment.completed',
          status: 'pending',
          attempts: 0,
          runAttempts: 0,
          nextAttemptAt: T0 + 7,
          leaseToken: 0,
          leaseExpiresAt: null,
          leaseOwner: null,
          lastCode: null,
          lastStatus: null,
          createdAt: T0 + 7,
        }),
      ]);
    });

    it('uses the caller’s delivery ids, in order', async () => {
      await addEndpoint(store());
      await addEndpoint(store());
      const ids = [newId('delivery'), newId('delivery'), newId('delivery')];
      let next = 0;
      const [result] = await store().publishEvents([makeEvent({ deliveryIds: () => ids[next++]! })]);
      expect(result).toMatchObject({ kind: 'created', deliveries: 2 });
      const used = (await deliveriesOf(store(), result!.event.id)).map((d) => d.id).sort();
      expect(used).toEqual(ids.slice(0, 2).sort());
    });

    it('honours event-type filters and skips disabled endpoints', async () => {
      const chats = await addEndpoint(store(), { eventTypes: ['chat.started'] });
      const all = await addEndpoint(store(), { eventTypes: null });
      await addEndpoint(store(), { eventTypes: [] });
      await addEndpoint(store(), { enabled: false, disabledReason: 'manual' });
      const chat = await publish(store(), { type: 'chat.started' });
      expect(chat.deliveries.map((d) => d.endpointId).sort()).toEqual([chats.id, all.id].sort());
      const call = await publish(store(), { type: 'call.ended' });
      expect(call.count).toBe(1);
      expect(call.deliveries.map((d) => d.endpointId)).toEqual([all.id]);
    });

    it('fans out within the event’s tenant only (no tenant reaches only tenantless endpoints)', async () => {
      const acme = await addEndpoint(store(), { tenant: 'acme' });
      const globex = await addEndpoint(store(), { tenant: 'globex' });
      const none = await addEndpoint(store(), { tenant: null });
      expect((await publish(store(), { tenant: 'acme' })).deliveries.map((d) => d.endpointId)).toEqual([acme.id]);
      expect((await publish(store(), { tenant: 'globex' })).deliveries.map((d) => d.endpointId)).toEqual([globex.id]);
      expect((await publish(store(), { tenant: null })).deliveries.map((d) => d.endpointId)).toEqual([none.id]);
      expect((await publish(store(), { tenant: 'initech' })).count).toBe(0);
    });

    it('sends operational events only to endpoints that name them', async () => {
      await addEndpoint(store(), { eventTypes: null });
      const named = await addEndpoint(store(), { eventTypes: ['endpoint.disabled', 'chat.started'] });
      await addEndpoint(store(), { tenant: 'acme', eventTypes: ['endpoint.disabled'] });
      const { deliveries } = await publish(store(), { type: 'endpoint.disabled' });
      expect(deliveries.map((d) => d.endpointId)).toEqual([named.id]);
    });

    it('onlyEndpointId targets that endpoint whatever its filter, never one of another tenant', async () => {
      const target = await addEndpoint(store(), { tenant: 'acme', eventTypes: ['something.else'] });
      await addEndpoint(store(), { tenant: 'acme' });
      const test = await publish(store(), { tenant: 'acme', type: 'hookd.test', onlyEndpointId: target.id });
      expect(test.deliveries.map((d) => d.endpointId)).toEqual([target.id]);
      const crossTenant = await publish(store(), { tenant: 'globex', onlyEndpointId: target.id });
      expect(crossTenant.count).toBe(0);
      const missing = await publish(store(), { tenant: 'acme', onlyEndpointId: 'ep_00000000000000000000000000000000' });
      expect(missing.count).toBe(0);
    });

    it('a batch is one transaction: when one event fails to insert, none of the batch is written', async () => {
      await addEndpoint(store());
      const existing = await publish(store());
      const seqBefore = await store().lastEventSeq();
      const fresh = makeEvent();
      await expect(store().publishEvents([fresh, makeEvent({ id: existing.event.id })])).rejects.toThrow();
      expect(await store().getEvent(fresh.id, undefined)).toBeNull();
      expect(await deliveriesOf(store(), fresh.id)).toEqual([]);
      expect(await store().lastEventSeq()).toBe(seqBefore);
      expect((await store().listDeliveries({ tenant: undefined }, ALL)).data).toHaveLength(1);
    });
  });

  describe('idempotency', () => {
    const store = useStore(factory);

    it('replays the original event with its delivery count for the same key and request', async () => {
      await addEndpoint(store());
      await addEndpoint(store());
      const first = await publish(store(), { idempotencyKey: 'order-1', requestHash: 'h1' });
      const seq = await store().lastEventSeq();
      const retry = makeEvent({ idempotencyKey: 'order-1', requestHash: 'h1', payload: '{"other":true}' });
      const [result] = await store().publishEvents([retry]);
      expect(result).toEqual({ kind: 'replayed', event: first.event, deliveries: 2 });
      expect(await store().getEvent(retry.id, undefined)).toBeNull();
      expect(await store().lastEventSeq()).toBe(seq);
      expect((await store().listDeliveries({ tenant: undefined }, ALL)).data).toHaveLength(2);
    });

    it('reports a conflict for the same key with a different request and writes nothing', async () => {
      await addEndpoint(store());
      const first = await publish(store(), { idempotencyKey: 'order-2', requestHash: 'h1' });
      const other = makeEvent({ idempotencyKey: 'order-2', requestHash: 'h2' });
      const [result] = await store().publishEvents([other]);
      expect(result).toEqual({ kind: 'conflict', event: first.event });
      expect(await store().getEvent(other.id, undefined)).toBeNull();
    });

    it('scopes keys per tenant, with no tenant as a scope of its own', async () => {
      const a = await publish(store(), { idempotencyKey: 'k', requestHash: 'h', tenant: 'acme' });
      const b = await publish(store(), { idempotencyKey: 'k', requestHash: 'h', tenant: 'globex' });
      const c = await publish(store(), { idempotencyKey: 'k', requestHash: 'h', tenant: null });
      expect(new Set([a.event.id, b.event.id, c.event.id]).size).toBe(3);
      const [again] = await store().publishEvents([makeEvent({ idempotencyKey: 'k', requestHash: 'h', tenant: null })]);
      expect(again).toMatchObject({ kind: 'replayed', event: { id: c.event.id } });
    });

    it('handles the items of one batch in order', async () => {
      await addEndpoint(store());
      const first = makeEvent({ idempotencyKey: 'batch', requestHash: 'h' });
      const results = await store().publishEvents([
        first,
        makeEvent({ idempotencyKey: 'batch', requestHash: 'h' }),
        makeEvent({ idempotencyKey: 'batch', requestHash: 'different' }),
        makeEvent({ idempotencyKey: null }),
      ]);
      expect(results.map((r) => r.kind)).toEqual(['created', 'replayed', 'conflict', 'created']);
      expect(results[1]).toMatchObject({ event: { id: first.id }, deliveries: 1 });
    });
  });

  describe('events feed', () => {
    const store = useStore(factory);

    it('starts empty and assigns strictly increasing seqs in publish order', async () => {
      expect(await store().lastEventSeq()).toBe(0);
      expect(await store().listEventsFeed({ afterSeq: 0, tenant: undefined, limit: 10 })).toEqual([]);
      const results = await store().publishEvents([makeEvent(), makeEvent(), makeEvent()]);
      const second = await publish(store());
      const seqs = [...results.map((r) => r.event.seq), second.event.seq];
      for (let i = 1; i < seqs.length; i += 1) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
      expect(await store().lastEventSeq()).toBe(second.event.seq);
    });

    it('reads oldest first after a seq, with limit, type and tenant filters', async () => {
      const e1 = await publish(store(), { type: 'chat.started', tenant: 'acme' });
      const e2 = await publish(store(), { type: 'call.ended', tenant: 'acme' });
      const e3 = await publish(store(), { type: 'chat.started', tenant: null });
      const e4 = await publish(store(), { type: 'chat.started', tenant: 'acme' });
      const ids = async (q: Partial<Parameters<ReturnType<typeof store>['listEventsFeed']>[0]>) =>
        (await store().listEventsFeed({ afterSeq: 0, tenant: undefined, limit: 100, ...q })).map((e) => e.id);
      expect(await ids({})).toEqual([e1, e2, e3, e4].map((e) => e.event.id));
      expect(await ids({ afterSeq: e2.event.seq })).toEqual([e3.event.id, e4.event.id]);
      expect(await ids({ limit: 2 })).toEqual([e1.event.id, e2.event.id]);
      expect(await ids({ type: 'chat.started' })).toEqual([e1, e3, e4].map((e) => e.event.id));
      expect(await ids({ tenant: 'acme', type: 'chat.started' })).toEqual([e1.event.id, e4.event.id]);
      expect(await ids({ tenant: null })).toEqual([e3.event.id]);
      expect(await ids({ afterSeq: e4.event.seq })).toEqual([]);
      const [full] = await store().listEventsFeed({ afterSeq: e1.event.seq - 1, tenant: 'acme', limit: 1 });
      expect(full).toEqual(e1.event);
    });

    it('getEvent applies the tenant filter', async () => {
      const { event } = await publish(store(), { tenant: 'acme' });
      expect(await store().getEvent(event.id, 'acme')).toEqual(event);
      expect(await store().getEvent(event.id, undefined)).toEqual(event);
      expect(await store().getEvent(event.id, 'globex')).toBeNull();
      expect(await store().getEvent(event.id, null)).toBeNull();
    });

    it('counts events per tenant by type since a time', async () => {
      await publish(store(), { tenant: 'acme', type: 'chat.started', createdAt: T0 - 1 });
      await publish(store(), { tenant: 'acme', type: 'chat.started', createdAt: T0 });
      await publish(store(), { tenant: 'acme', type: 'call.ended', createdAt: T0 + 1 });
      await publish(store(), { tenant: null, type: 'chat.started', createdAt: T0 + 2 });
      const sorted = (rows: Array<{ tenant: string | null; count: number }>) =>
        [...rows].sort((a, b) => String(a.tenant).localeCompare(String(b.tenant)));
      expect(sorted(await store().countEventsByTenant(['chat.started'], T0))).toEqual([
        { tenant: 'acme', count: 1 },
        { tenant: null, count: 1 },
      ]);
      expect(sorted(await store().countEventsByTenant(null, T0))).toEqual([
        { tenant: 'acme', count: 2 },
        { tenant: null, count: 1 },
      ]);
      expect(await store().countEventsByTenant(['payment.completed'], 0)).toEqual([]);
      expect(await store().countEventsByTenant([], 0)).toEqual([]);
    });
  });
}
