// Cases where the two first adapters once disagreed, because nothing here looked. Each behaviour is
// documented on the Store method it belongs to.

import { describe, expect, it } from 'vitest';
import type { PublishResult } from '../store.js';
import { addEndpoint, claimRequest, deliveriesOf, makeEvent, T0, useStore, type StoreFactory } from './fixtures.js';

const fanOut = (result: PublishResult | undefined): number => (result && result.kind !== 'conflict' ? result.deliveries : -1);

export function agreementSuite(factory: StoreFactory): void {
  describe('agreement', () => {
    const store = useStore(factory);

    it('claimById does not claim a delivery of a disabled endpoint', async () => {
      const endpoint = await addEndpoint(store());
      const [result] = await store().publishEvents([makeEvent()]);
      const [delivery] = await deliveriesOf(store(), result!.event.id);
      await store().updateEndpoint(endpoint.id, undefined, { enabled: false, disabledReason: 'manual', updatedAt: T0 });
      expect(await store().claimById(delivery!.id, claimRequest(T0 + 1000))).toBeNull();
      await store().updateEndpoint(endpoint.id, undefined, { enabled: true, disabledReason: null, updatedAt: T0 });
      expect((await store().claimById(delivery!.id, claimRequest(T0 + 1000)))?.delivery.id).toBe(delivery!.id);
    });

    it('a publish aimed at one endpoint (onlyEndpointId) creates nothing for a disabled endpoint', async () => {
      const endpoint = await addEndpoint(store(), { enabled: false, disabledReason: 'manual', eventTypes: ['other.type'] });
      const [disabled] = await store().publishEvents([makeEvent({ onlyEndpointId: endpoint.id })]);
      expect(fanOut(disabled)).toBe(0);
      await store().updateEndpoint(endpoint.id, undefined, { enabled: true, disabledReason: null, updatedAt: T0 });
      // Enabled, it receives the event whatever its type filter (an endpoint test), in its tenant only.
      const [enabled] = await store().publishEvents([makeEvent({ onlyEndpointId: endpoint.id })]);
      expect(fanOut(enabled)).toBe(1);
      const [otherTenant] = await store().publishEvents([makeEvent({ onlyEndpointId: endpoint.id, tenant: 'someone-else' })]);
      expect(fanOut(otherTenant)).toBe(0);
    });

    it('a publish returns the ids of the deliveries it created, in the store', async () => {
      const a = await addEndpoint(store());
      const b = await addEndpoint(store());
      const [result] = await store().publishEvents([makeEvent()]);
      expect(result!.kind).toBe('created');
      const ids = result!.kind === 'created' ? result!.deliveryIds : [];
      expect(ids).toHaveLength(2);
      const stored = await deliveriesOf(store(), result!.event.id);
      expect(new Set(stored.map((d) => d.id))).toEqual(new Set(ids));
      expect(new Set(stored.map((d) => d.endpointId))).toEqual(new Set([a.id, b.id]));
    });

    it('holdMs keeps a delivery from claimDue until the hold ends, while claimById takes it at once', async () => {
      await addEndpoint(store());
      const [result] = await store().publishEvents([makeEvent({ createdAt: T0, holdMs: 30_000 })]);
      const [id] = result!.kind === 'created' ? result!.deliveryIds : [];
      expect(await store().claimDue(claimRequest(T0 + 29_000))).toEqual([]);
      expect((await store().claimById(id!, claimRequest(T0 + 1_000, { leaseGraceMs: 60_000 })))?.delivery.id).toBe(id);
      // Another held one is claimed by a dispatcher once the hold is over (its caller died).
      const [late] = await store().publishEvents([makeEvent({ createdAt: T0, holdMs: 30_000 })]);
      const [lateId] = late!.kind === 'created' ? late!.deliveryIds : [];
      expect((await store().claimDue(claimRequest(T0 + 30_000))).map((c) => c.delivery.id)).toEqual([lateId]);
    });

    it('an event type without an example reads back with example null (JSON null is no example either)', async () => {
      const base = { description: null, schema: null, createdAt: T0, updatedAt: T0 };
      await store().putEventType({ name: 'no.example', example: undefined, ...base });
      await store().putEventType({ name: 'null.example', example: null, ...base });
      await store().putEventType({ name: 'zero.example', example: 0, ...base });
      expect((await store().getEventType('no.example'))?.example).toBeNull();
      expect((await store().getEventType('null.example'))?.example).toBeNull();
      expect((await store().getEventType('zero.example'))?.example).toBe(0);
      const listed = await store().listEventTypes({ limit: 10 });
      expect(listed.data.find((t) => t.name === 'no.example')?.example).toBeNull();
    });
  });
}
