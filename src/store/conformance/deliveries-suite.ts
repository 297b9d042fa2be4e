// Delivery queries and operator actions: get/list with filters, attempts, requeue, recover, cancel,
// per-endpoint stats and queue depth.

import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../core/types.js';
import type { Store } from '../store.js';
import {
  addEndpoint,
  ALL,
  claimOne,
  claimRequest,
  mustGetDelivery,
  publish,
  readAllPages,
  resultFor,
  T0,
  useStore,
  type StoreFactory,
} from './fixtures.js';

/** Drive the earliest due delivery to a terminal status through a real claim. */
async function finish(store: Store, now: number, status: 'succeeded' | 'failed', durationMs = 42): Promise<Delivery> {
  const claim = await claimOne(store, now, { limit: 1 });
  await store.recordResults([resultFor(claim, { at: now + 1, status, durationMs })]);
  return mustGetDelivery(store, claim.delivery.id);
}

export function deliveriesSuite(factory: StoreFactory): void {
  describe('delivery queries', () => {
    const store = useStore(factory);

    it('getDelivery applies the tenant filter', async () => {
      await addEndpoint(store(), { tenant: 'acme' });
      const { deliveries } = await publish(store(), { tenant: 'acme' });
      const id = deliveries[0]!.id;
      expect((await store().getDelivery(id, 'acme'))?.id).toBe(id);
      expect((await store().getDelivery(id, undefined))?.id).toBe(id);
      expect(await store().getDelivery(id, 'globex')).toBeNull();
      expect(await store().getDelivery(id, null)).toBeNull();
    });

    it('lists with every filter: tenant, status, endpoint, event, type, created window', async () => {
      const a = await addEndpoint(store(), { tenant: 'acme' });
      const b = await addEndpoint(store(), { tenant: 'acme', eventTypes: ['call.ended'] });
      const none = await addEndpoint(store(), { tenant: null });
      const chat = await publish(store(), { tenant: 'acme', type: 'chat.started', createdAt: T0 });
      const call = await publish(store(), { tenant: 'acme', type: 'call.ended', createdAt: T0 + 100 });
      const free = await publish(store(), { tenant: null, createdAt: T0 + 200 });
      const done = await finish(store(), T0 + 1_000, 'succeeded'); // the oldest due: chat -> a
      expect(done.eventId).toBe(chat.event.id);

      const ids = async (query: Parameters<Store['listDeliveries']>[0]) =>
        (await store().listDeliveries(query, ALL)).data.map((d) => d.id).sort();
      const sortIds = (ds: Delivery[]) => ds.map((d) => d.id).sort();
      expect(await ids({ tenant: 'acme' })).toEqual(sortIds([...chat.deliveries, ...call.deliveries]));
      expect(await ids({ tenant: null })).toEqual(sortIds(free.deliveries));
      expect(await ids({ tenant: 'globex' })).toEqual([]);
      expect(await ids({ tenant: undefined, status: 'succeeded' })).toEqual([done.id]);
      expect(await ids({ tenant: undefined, endpointId: b.id })).toEqual(sortIds(call.deliveries.filter((d) => d.endpointId === b.id)));
      expect(await ids({ tenant: undefined, endpointId: none.id })).toEqual(sortIds(free.deliveries));
      expect(await ids({ tenant: undefined, eventId: call.event.id })).toEqual(sortIds(call.deliveries));
      expect(await ids({ tenant: 'acme', eventType: 'call.ended' })).toEqual(sortIds(call.deliveries));
      expect(await ids({ tenant: undefined, since: T0 + 100, until: T0 + 200 })).toEqual(sortIds(call.deliveries));
      expect(await ids({ tenant: undefined, since: T0 + 100 })).toEqual(sortIds([...call.deliveries, ...free.deliveries]));
      expect(await ids({ tenant: undefined, until: T0 + 100 })).toEqual(sortIds(chat.deliveries));
      expect(call.deliveries.map((d) => d.endpointId).sort()).toEqual([a.id, b.id].sort());
    });

    it('paginates newest first without gaps or repeats', async () => {
      await addEndpoint(store());
      const all: string[] = [];
      for (let i = 0; i < 7; i += 1) all.push((await publish(store(), { createdAt: T0 + i })).deliveries[0]!.id);
      const pages = await readAllPages((cursor) => store().listDeliveries({ tenant: undefined }, { limit: 3, cursor }));
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat().map((d) => d.id)).toEqual([...all].reverse());
    });

    it('lists a delivery’s attempts oldest first and an endpoint’s recent attempts newest first', async () => {
      const endpoint = await addEndpoint(store());
      await publish(store());
      const c1 = await claimOne(store(), T0);
      const r1 = resultFor(c1, { at: T0 + 10, status: 'pending', nextAttemptAt: T0 + 100 });
      await store().recordResults([r1]);
      const c2 = await claimOne(store(), T0 + 100);
      const r2 = resultFor(c2, { at: T0 + 110, status: 'pending', nextAttemptAt: T0 + 200 });
      await store().recordResults([r2]);
      const c3 = await claimOne(store(), T0 + 200);
      const r3 = resultFor(c3, { at: T0 + 210 });
      await store().recordResults([r3]);
      expect(await store().listAttempts(c1.delivery.id)).toEqual([r1.attempt, r2.attempt, r3.attempt]);
      expect(await store().listRecentAttempts(endpoint.id, 2)).toEqual([r3.attempt, r2.attempt]);
      expect(await store().listRecentAttempts('ep_00000000000000000000000000000000', 10)).toEqual([]);
      expect(await mustGetDelivery(store(), c1.delivery.id)).toMatchObject({ attempts: 3, runAttempts: 3, status: 'succeeded' });
    });
  });

  describe('requeue, recover, cancel', () => {
    const store = useStore(factory);

    it('requeues a finished delivery now with a fresh run, keeping its attempt count', async () => {
      await addEndpoint(store(), { tenant: 'acme' });
      await publish(store(), { tenant: 'acme' });
      const failed = await finish(store(), T0, 'failed');
      const requeued = await store().requeueDelivery(failed.id, 'acme', T0 + 9_000);
      expect(requeued).toMatchObject({ id: failed.id, status: 'pending', nextAttemptAt: T0 + 9_000, runAttempts: 0, attempts: 1, leaseOwner: null, leaseExpiresAt: null });
      expect(await mustGetDelivery(store(), failed.id)).toEqual(requeued);
      expect((await claimOne(store(), T0 + 9_000)).delivery.id).toBe(failed.id);
    });

    it('requeue refuses while in flight, allows after the lease expired, hides other tenants', async () => {
      await addEndpoint(store(), { tenant: 'acme', timeoutMs: 1_000 });
      await publish(store(), { tenant: 'acme' });
      const claim = await claimOne(store(), T0, { leaseGraceMs: 0 });
      expect(await store().requeueDelivery(claim.delivery.id, 'acme', T0 + 999)).toBe('in_flight');
      expect(await store().requeueDelivery(claim.delivery.id, 'globex', T0 + 999)).toBe('not_found');
      expect(await store().requeueDelivery('dlv_00000000000000000000000000000000', undefined, T0)).toBe('not_found');
      expect((await mustGetDelivery(store(), claim.delivery.id)).status).toBe('sending');
      const later = await store().requeueDelivery(claim.delivery.id, undefined, T0 + 1_000);
      expect(later).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 1_000 });
      // The old worker's late result carries the current token but must not land on a delivery
      // that is no longer sending.
      expect(await store().recordResults([resultFor(claim, { at: T0 + 1_001 })])).toEqual([{ applied: false, endpointDisabled: null }]);
    });

    it('recovers failed and cancelled deliveries of the endpoint created in [since, until)', async () => {
      const endpoint = await addEndpoint(store(), { maxConcurrency: 1 });
      const other = await addEndpoint(store());
      const created: Array<{ deliveries: Delivery[] }> = [];
      for (let i = 0; i < 5; i += 1) created.push(await publish(store(), { createdAt: T0 + i * 100 }));
      await store().updateEndpoint(other.id, undefined, { enabled: false, disabledReason: 'manual', updatedAt: T0 });
      // T0 -> failed, T0+100 -> succeeded, T0+200 -> failed, T0+300 and T0+400 -> cancelled.
      const d0 = await finish(store(), T0 + 1_000, 'failed');
      const d1 = await finish(store(), T0 + 1_000, 'succeeded');
      const d2 = await finish(store(), T0 + 1_000, 'failed');
      expect([d0, d1, d2].map((d) => d.createdAt)).toEqual([T0, T0 + 100, T0 + 200]);
      await store().updateEndpoint(endpoint.id, undefined, { enabled: false, disabledReason: 'manual', updatedAt: T0 });
      expect(await store().cancelPendingDeliveries(endpoint.id, 'endpoint_disabled', T0 + 2_000)).toBe(2);
      await store().updateEndpoint(endpoint.id, undefined, { enabled: true, disabledReason: null, updatedAt: T0 });
      // The other endpoint's cancelled deliveries are outside the request.
      await store().cancelPendingDeliveries(other.id, 'endpoint_disabled', T0 + 2_000);

      expect(await store().recoverDeliveries(endpoint.id, T0 + 100, T0 + 400, T0 + 5_000)).toBe(2);
      const statusOf = async (index: number) => {
        const ds = created[index]!.deliveries.filter((d) => d.endpointId === endpoint.id);
        return mustGetDelivery(store(), ds[0]!.id);
      };
      expect((await statusOf(0)).status).toBe('failed');
      expect((await statusOf(1)).status).toBe('succeeded');
      expect(await statusOf(2)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 5_000, runAttempts: 0, attempts: 1 });
      expect(await statusOf(3)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 5_000, runAttempts: 0 });
      expect((await statusOf(4)).status).toBe('cancelled');
      const othersCancelled = (await store().listDeliveries({ tenant: undefined, endpointId: other.id, status: 'cancelled' }, ALL)).data;
      expect(othersCancelled).toHaveLength(5);
    });

    it('cancelPendingDeliveries touches only that endpoint’s pending deliveries', async () => {
      const a = await addEndpoint(store());
      const b = await addEndpoint(store());
      await publish(store());
      await publish(store());
      const inFlight = await store().claimDue(claimRequest(T0, { limit: 1 }));
      expect(inFlight).toHaveLength(1);
      const target = inFlight[0]!.endpoint.id === a.id ? a : b;
      const untouched = target.id === a.id ? b : a;
      expect(await store().cancelPendingDeliveries(target.id, 'endpoint_deleted', T0 + 1)).toBe(1);
      const mine = (await store().listDeliveries({ tenant: undefined, endpointId: target.id }, ALL)).data;
      expect(mine.map((d) => d.status).sort()).toEqual(['cancelled', 'sending']);
      expect(mine.find((d) => d.status === 'cancelled')?.lastCode).toBe('endpoint_deleted');
      const theirs = (await store().listDeliveries({ tenant: undefined, endpointId: untouched.id }, ALL)).data;
      expect(theirs.map((d) => d.status)).toEqual(['pending', 'pending']);
      expect(await store().cancelPendingDeliveries(target.id, 'endpoint_deleted', T0 + 2)).toBe(0);
    });
  });

  describe('stats and queue depth', () => {
    const store = useStore(factory);

    it('endpointStats counts outcomes and attempt codes in the window, with nearest-rank percentiles', async () => {
      const endpoint = await addEndpoint(store());
      const durations = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
      for (let i = 0; i < durations.length; i += 1) await publish(store(), { createdAt: T0 + i });
      for (let i = 0; i < durations.length; i += 1) {
        const claim = await claimOne(store(), T0 + 100 + i, { limit: 1 });
        const status = i < 7 ? 'succeeded' : 'failed';
        await store().recordResults([resultFor(claim, { at: T0 + 100 + i, status, durationMs: durations[i]! })]);
      }
      const stats = await store().endpointStats(endpoint.id, T0, T0 + 1_000);
      expect(stats).toEqual({
        succeeded: 7,
        failed: 3,
        attempts: 10,
        p50: 50,
        p95: 100,
        p99: 100,
        byCode: { ok: 7, http_server_error: 3 },
      });
      // Only the attempts at T0+100..T0+104; the deliveries (created T0..T0+9) fall outside.
      const narrow = await store().endpointStats(endpoint.id, T0 + 100, T0 + 105);
      expect(narrow).toMatchObject({ attempts: 5, p50: 30, p95: 50, byCode: { ok: 5 } });
      expect(narrow.succeeded).toBe(0);
    });

    it('endpointStats without attempts has null percentiles', async () => {
      const endpoint = await addEndpoint(store());
      expect(await store().endpointStats(endpoint.id, T0, T0 + 1)).toEqual({
        succeeded: 0,
        failed: 0,
        attempts: 0,
        p50: null,
        p95: null,
        p99: null,
        byCode: {},
      });
    });

    it('queueDepth counts pending, due, and the oldest pending due time', async () => {
      expect(await store().queueDepth(T0)).toEqual({ pending: 0, due: 0, oldestDueAt: null });
      await addEndpoint(store());
      await publish(store(), { createdAt: T0 - 50 });
      await publish(store(), { createdAt: T0 - 10 });
      await publish(store(), { createdAt: T0 + 500 });
      expect(await store().queueDepth(T0)).toEqual({ pending: 3, due: 2, oldestDueAt: T0 - 50 });
      await claimOne(store(), T0, { limit: 1 });
      expect(await store().queueDepth(T0)).toEqual({ pending: 2, due: 1, oldestDueAt: T0 - 10 });
    });
  });
}
