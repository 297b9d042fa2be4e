// What a store that declares `capabilities.multiProcess` guarantees to several processes sharing one
// database. The factory's `openPeer` opens another store on the same database (its own pool, as a
// second process would). Stores that are not multi-process skip the section.

import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { makeEndpoint, makeEvent, resultFor, T0, type PeerFactory } from './fixtures.js';

const PEERS = 4;

export function multiProcessSuite(factory: PeerFactory): void {
  describe('several processes on one database', () => {
    /** A migrated store and PEERS - 1 peers on its database; null when the store is single-process. */
    async function open(): Promise<{ stores: Store[]; close: () => Promise<void> } | null> {
      const first = await factory();
      await first.store.migrate();
      if (!first.store.capabilities.multiProcess || !first.openPeer) {
        await first.store.close();
        await first.cleanup();
        return null;
      }
      const peers = await Promise.all(Array.from({ length: PEERS - 1 }, () => first.openPeer!()));
      const stores = [first.store, ...peers];
      return {
        stores,
        close: async () => {
          await Promise.all(stores.map((s) => s.close()));
          await first.cleanup();
        },
      };
    }

    /** Run `body` with the stores, closing them after; skip where the store is single-process. */
    async function withPeers(t: { skip: () => void }, body: (stores: Store[]) => Promise<void>): Promise<void> {
      const env = await open();
      if (!env) return t.skip();
      try {
        await body(env.stores);
      } finally {
        await env.close();
      }
    }

    it('no delivery is held by two live leases: concurrent claims never hand out one twice', async (t) =>
      withPeers(t, async (stores) => {
        const [first] = stores;
        const endpoints = Array.from({ length: 5 }, () => makeEndpoint({ maxConcurrency: 1000, eventTypes: ['skip.locked'] }));
        for (const e of endpoints) await first!.insertEndpoint(e);
        const events = Array.from({ length: 60 }, (_, i) => makeEvent({ type: 'skip.locked', createdAt: T0 + i }));
        await first!.publishEvents(events);
        const claimed: string[] = [];
        await Promise.all(
          stores.map(async (store, worker) => {
            for (let round = 0; round < 200; round++) {
              const claims = await store.claimDue({ now: T0 + 1_000, limit: 7, owner: `w${worker}`, leaseGraceMs: 60_000 });
              if (claims.length === 0) return;
              claimed.push(...claims.map((c) => c.delivery.id));
            }
          }),
        );
        expect(claimed).toHaveLength(events.length * endpoints.length);
        expect(new Set(claimed).size).toBe(claimed.length);
      }));

    it('an endpoint’s maxConcurrency holds across processes claiming at the same moment', async (t) =>
      withPeers(t, async (stores) => {
        const [first] = stores;
        const endpoint = makeEndpoint({ maxConcurrency: 3, eventTypes: ['capped'] });
        await first!.insertEndpoint(endpoint);
        await first!.publishEvents(Array.from({ length: 40 }, (_, i) => makeEvent({ type: 'capped', createdAt: T0 + i })));
        const now = T0 + 5_000;
        for (let round = 0; round < 5; round += 1) {
          const batches = await Promise.all(stores.flatMap((store, worker) => [0, 1].map(() => store.claimDue({ now, limit: 10, owner: `w${worker}`, leaseGraceMs: 60_000 }))));
          const claims = batches.flat();
          expect(claims.length).toBeLessThanOrEqual(3);
          if (round === 0) expect(claims).toHaveLength(3);
          // Finish what was claimed so that the next round has room again.
          const outcomes = await first!.recordResults(claims.map((c) => resultFor(c, { at: now })));
          expect(outcomes.every((o) => o.applied)).toBe(true);
        }
      }));

    it('feed order is commit order: a reader racing concurrent publishers misses nothing', async (t) =>
      withPeers(t, async (stores) => {
        const published = new Set<string>();
        const seen: string[] = [];
        let writing = true;
        // The starting point is read before any publisher runs (events committed before it are,
        // rightly, not in the feed after it).
        let after = await stores[0]!.lastEventSeq();
        const reader = (async () => {
          for (let round = 0; round < 100_000; round++) {
            const done = !writing;
            const batch = await stores[0]!.listEventsFeed({ afterSeq: after, tenant: 'feed', limit: 50 });
            for (const e of batch) seen.push(e.id);
            after = batch.at(-1)?.seq ?? after;
            if (done && batch.length === 0) return;
          }
        })();
        await Promise.all(
          stores.map(async (store) => {
            for (let i = 0; i < 25; i += 1) {
              const events = [makeEvent({ tenant: 'feed' }), makeEvent({ tenant: 'feed' })];
              await store.publishEvents(events);
              for (const e of events) published.add(e.id);
            }
          }),
        );
        writing = false;
        await reader;
        expect(seen).toHaveLength(published.size);
        expect(new Set(seen)).toEqual(published);
      }));

    it('a per-tenant limit holds when every process inserts at the same moment', async (t) =>
      withPeers(t, async (stores) => {
        const limit = 3;
        const written = await Promise.all(stores.flatMap((store) => Array.from({ length: 4 }, () => store.insertEndpoint(makeEndpoint({ tenant: 'capped' }), limit))));
        expect(written.filter(Boolean)).toHaveLength(limit);
        expect(await stores[0]!.countEndpoints('capped')).toBe(limit);
        // Another tenant's inserts are not held back by this one's cap.
        expect(await stores[1]!.insertEndpoint(makeEndpoint({ tenant: 'uncapped' }), limit)).toBe(true);
      }));

    it('concurrent publishes with one idempotency key create one event; the others replay it', async (t) =>
      withPeers(t, async (stores) => {
        const results = await Promise.all(stores.map((store) => store.publishEvents([makeEvent({ tenant: 'idem', idempotencyKey: 'same', requestHash: 'h' })])));
        expect(results.flat().map((r) => r.kind).sort()).toEqual(['created', 'replayed', 'replayed', 'replayed']);
        expect(new Set(results.flat().map((r) => r.event.id)).size).toBe(1);
      }));

    it('wakes another process: a publish through one store reaches the listen() of another', async (t) =>
      withPeers(t, async ([listener, publisher]) => {
        if (!listener!.capabilities.crossProcessNotify || !listener!.listen) return t.skip();
        let calls = 0;
        const stop = await listener!.listen(() => {
          calls += 1;
        });
        try {
          const before = calls;
          await publisher!.publishEvents([makeEvent()]);
          const deadline = Date.now() + 10_000;
          while (calls === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          expect(calls).toBeGreaterThan(before);
        } finally {
          await stop();
        }
      }));
  });
}
