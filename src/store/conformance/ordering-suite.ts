// Ordered delivery per key (docs/routing.md, "Ordering"): the claim takes only the head of each
// (endpoint, key), waiting deliveries are woken when their head ends, and an exhausted head blocks
// its key on a "block" endpoint until retried, skipped or released.

import { describe, expect, it } from 'vitest';
import type { Claim } from '../store.js';
import { addEndpoint, ALL, claimRequest, makeEvent, mustGetDelivery, publish, resultFor, T0, useStore, type StoreFactory } from './fixtures.js';

export function orderingSuite(factory: StoreFactory): void {
  describe('ordered delivery per key', () => {
    const store = useStore(factory);

    async function claimAll(now: number): Promise<Claim[]> {
      return store().claimDue(claimRequest(now));
    }
    const keysOf = (claims: Claim[]): Array<string | null> => claims.map((c) => c.delivery.orderingKey ?? null);

    it('claims only the head of each key; other keys and key-less events go in parallel', async () => {
      await addEndpoint(store());
      const a1 = await publish(store(), { createdAt: T0, orderingKey: 'a' });
      await publish(store(), { createdAt: T0 + 1, orderingKey: 'a' });
      const b1 = await publish(store(), { createdAt: T0 + 2, orderingKey: 'b' });
      const free = await publish(store(), { createdAt: T0 + 3 });
      expect(a1.deliveries[0]!.orderingKey).toBe('a');
      expect(free.deliveries[0]!.orderingKey).toBeNull();
      const claims = await claimAll(T0 + 10);
      expect(claims.map((c) => c.event.id).sort()).toEqual([a1.event.id, b1.event.id, free.event.id].sort());
      expect(await claimAll(T0 + 10)).toEqual([]);
    });

    it('publishes a batch of one key in order and sends it one at a time, each after the one before', async () => {
      await addEndpoint(store());
      const results = await store().publishEvents(
        Array.from({ length: 5 }, (_, i) => makeEvent({ createdAt: T0, orderingKey: 'k', payload: `{"n":${i}}` })),
      );
      const sent: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const claims = await claimAll(T0 + 10 + i);
        expect(claims).toHaveLength(1);
        sent.push(claims[0]!.event.payload);
        expect(await claimAll(T0 + 10 + i)).toEqual([]);
        const [outcome] = await store().recordResults([resultFor(claims[0]!, { at: T0 + 10 + i })]);
        expect(outcome!.applied).toBe(true);
      }
      expect(sent).toEqual([0, 1, 2, 3, 4].map((n) => `{"n":${n}}`));
      expect(results.every((r) => r.kind === 'created')).toBe(true);
    });

    it('a retrying head holds its key, not the endpoint; the next waits until the head succeeds', async () => {
      await addEndpoint(store());
      await publish(store(), { createdAt: T0, orderingKey: 'k' });
      const second = await publish(store(), { createdAt: T0 + 1, orderingKey: 'k' });
      const other = await publish(store(), { createdAt: T0 + 2, orderingKey: 'other' });
      const first = await claimAll(T0 + 10);
      expect(keysOf(first).sort()).toEqual(['k', 'other']);
      const head = first.find((c) => c.delivery.orderingKey === 'k')!;
      await store().recordResults([resultFor(head, { at: T0 + 20, status: 'pending', nextAttemptAt: T0 + 1_000 })]);
      await store().recordResults([resultFor(first.find((c) => c.event.id === other.event.id)!, { at: T0 + 20 })]);
      // The head waits for its retry; the second is not claimable meanwhile.
      expect(await claimAll(T0 + 500)).toEqual([]);
      const retry = await claimAll(T0 + 1_000);
      expect(retry.map((c) => c.delivery.id)).toEqual([head.delivery.id]);
      await store().recordResults([resultFor(retry[0]!, { at: T0 + 1_010 })]);
      const next = await claimAll(T0 + 1_020);
      expect(next.map((c) => c.delivery.id)).toEqual([second.deliveries[0]!.id]);
    });

    it('block: an exhausted head blocks its key until retried; skip lets the next go; release cancels the rest', async () => {
      const endpoint = await addEndpoint(store());
      await publish(store(), { createdAt: T0, orderingKey: 'k' });
      const second = await publish(store(), { createdAt: T0 + 1, orderingKey: 'k' });
      await publish(store(), { createdAt: T0 + 2, orderingKey: 'k' });
      const [head] = await claimAll(T0 + 10);
      await store().recordResults([resultFor(head!, { at: T0 + 20, status: 'failed' })]);
      expect(await claimAll(T0 + 30)).toEqual([]);
      const blocked = await store().listBlockedKeys(endpoint.id, ALL);
      expect(blocked.data).toEqual([
        expect.objectContaining({ key: 'k', deliveryId: head!.delivery.id, eventId: head!.event.id, waiting: 2, lastCode: 'http_server_error' }),
      ]);
      expect((await mustGetDelivery(store(), head!.delivery.id)).orderingBlocked).toBe(true);

      // retry: the head goes again, the rest still waits.
      expect(await store().orderingAction(endpoint.id, 'k', 'retry', T0 + 40)).toMatchObject({ action: 'retry', deliveryId: head!.delivery.id });
      const again = await claimAll(T0 + 40);
      expect(again.map((c) => c.delivery.id)).toEqual([head!.delivery.id]);
      await store().recordResults([resultFor(again[0]!, { at: T0 + 50, status: 'failed' })]);
      expect((await store().listBlockedKeys(endpoint.id, ALL)).data).toHaveLength(1);

      // skip: the head stays failed, the second goes.
      expect(await store().orderingAction(endpoint.id, 'k', 'skip', T0 + 60)).toMatchObject({ action: 'skip', deliveryId: head!.delivery.id });
      expect((await mustGetDelivery(store(), head!.delivery.id)).status).toBe('failed');
      const next = await claimAll(T0 + 60);
      expect(next.map((c) => c.delivery.id)).toEqual([second.deliveries[0]!.id]);
      // Not blocked: retry and skip change nothing.
      expect(await store().orderingAction(endpoint.id, 'k', 'skip', T0 + 61)).toMatchObject({ notBlocked: true });

      // release: the waiting third is cancelled; the one in flight finishes.
      expect(await store().orderingAction(endpoint.id, 'k', 'release', T0 + 70)).toMatchObject({ action: 'release', cancelled: 1 });
      const left = await store().listDeliveries({ tenant: undefined, endpointId: endpoint.id, status: 'cancelled' }, ALL);
      expect(left.data.map((d) => d.lastCode)).toEqual(['ordering_released']);
      await store().recordResults([resultFor(next[0]!, { at: T0 + 80 })]);
      expect(await store().orderingAction(endpoint.id, 'k', 'release', T0 + 90)).toBeNull();
      expect(await store().orderingAction(endpoint.id, 'nope', 'retry', T0 + 90)).toBeNull();
    });

    it('skip endpoints: the next event goes once the head is exhausted', async () => {
      await addEndpoint(store(), { ordering: { onExhausted: 'skip' } });
      await publish(store(), { createdAt: T0, orderingKey: 'k' });
      const second = await publish(store(), { createdAt: T0 + 1, orderingKey: 'k' });
      const [head] = await claimAll(T0 + 10);
      await store().recordResults([resultFor(head!, { at: T0 + 20, status: 'failed' })]);
      expect((await mustGetDelivery(store(), head!.delivery.id)).orderingBlocked).toBe(false);
      expect((await claimAll(T0 + 30)).map((c) => c.delivery.id)).toEqual([second.deliveries[0]!.id]);
    });

    it('a key is per endpoint: a blocked key on one endpoint does not hold another endpoint', async () => {
      const blocking = await addEndpoint(store());
      const other = await addEndpoint(store());
      await publish(store(), { createdAt: T0, orderingKey: 'k' });
      await publish(store(), { createdAt: T0 + 1, orderingKey: 'k' });
      const first = await claimAll(T0 + 10);
      expect(first).toHaveLength(2);
      const onBlocking = first.find((c) => c.endpoint.id === blocking.id)!;
      const onOther = first.find((c) => c.endpoint.id === other.id)!;
      await store().recordResults([resultFor(onBlocking, { at: T0 + 20, status: 'failed' }), resultFor(onOther, { at: T0 + 20 })]);
      const next = await claimAll(T0 + 30);
      expect(next.map((c) => c.endpoint.id)).toEqual([other.id]);
    });

    it('claimById and a manual re-queue never send a key out of turn', async () => {
      await addEndpoint(store());
      const first = await publish(store(), { createdAt: T0, orderingKey: 'k' });
      const second = await publish(store(), { createdAt: T0 + 1, orderingKey: 'k' });
      expect(await store().claimById(second.deliveries[0]!.id, claimRequest(T0 + 5))).toBeNull();
      expect(await store().requeueDelivery(second.deliveries[0]!.id, undefined, T0 + 5)).toMatchObject({ status: 'pending' });
      const claims = await claimAll(T0 + 10);
      expect(claims.map((c) => c.delivery.id)).toEqual([first.deliveries[0]!.id]);
      await store().recordResults([resultFor(claims[0]!, { at: T0 + 20 })]);
      expect((await claimAll(T0 + 30)).map((c) => c.delivery.id)).toEqual([second.deliveries[0]!.id]);
    });

    it('a head whose worker died is re-claimed after its lease; the key still waits for it', async () => {
      await addEndpoint(store(), { timeoutMs: 1_000 });
      const first = await publish(store(), { createdAt: T0, orderingKey: 'k' });
      await publish(store(), { createdAt: T0 + 1, orderingKey: 'k' });
      await claimAll(T0 + 10);
      expect(await claimAll(T0 + 500)).toEqual([]);
      const again = await store().claimDue(claimRequest(T0 + 5_000, { owner: 'worker-2' }));
      expect(again.map((c) => c.delivery.id)).toEqual([first.deliveries[0]!.id]);
    });

    it('lists blocked keys page by page', async () => {
      const endpoint = await addEndpoint(store());
      for (const key of ['c', 'a', 'b']) await publish(store(), { createdAt: T0, orderingKey: key });
      const claims = await claimAll(T0 + 10);
      await store().recordResults(claims.map((c) => resultFor(c, { at: T0 + 20, status: 'failed' })));
      const first = await store().listBlockedKeys(endpoint.id, { limit: 2 });
      expect(first.data.map((k) => k.key)).toEqual(['a', 'b']);
      const rest = await store().listBlockedKeys(endpoint.id, { limit: 2, cursor: first.nextCursor! });
      expect(rest.data.map((k) => k.key)).toEqual(['c']);
      expect(rest.nextCursor).toBeNull();
    });
  });
}
