// Lease owners: heartbeats, and handing a dead owner's leases back at once (crash recovery in
// seconds, not lease lengths), fenced like any other lost lease.

import { describe, expect, it } from 'vitest';
import type { LeaseOwner } from '../../core/types.js';
import { addEndpoint, claimRequest, mustGetDelivery, publish, resultFor, T0, useStore, type StoreFactory } from './fixtures.js';

const owner = (name: string, over: Partial<LeaseOwner> = {}): Omit<LeaseOwner, 'heartbeatAt'> => ({ owner: name, host: 'host-a', pid: 4242, pidScope: 'boot-1/pid:[1]', startedAt: T0, ...over });

export function leaseOwnersSuite(factory: StoreFactory): void {
  describe('lease owners and crash recovery', () => {
    const store = useStore(factory);

    it('a heartbeat registers the owner, then refreshes it; retireOwner removes it', async () => {
      expect(await store().listLeaseOwners()).toEqual([]);
      expect(await store().heartbeatOwner(owner('worker-a'), T0)).toBe('registered');
      expect(await store().heartbeatOwner(owner('worker-b', { pidScope: null, pid: 7 }), T0 + 5)).toBe('registered');
      expect(await store().heartbeatOwner(owner('worker-a'), T0 + 1_000)).toBe('refreshed');
      const listed = (await store().listLeaseOwners()).sort((x, y) => (x.owner < y.owner ? -1 : 1));
      expect(listed).toEqual([
        { ...owner('worker-a'), heartbeatAt: T0 + 1_000 },
        { ...owner('worker-b', { pidScope: null, pid: 7 }), heartbeatAt: T0 + 5 },
      ]);
      await store().retireOwner('worker-a');
      await store().retireOwner('nobody');
      expect((await store().listLeaseOwners()).map((o) => o.owner)).toEqual(['worker-b']);
    });

    it('a dead owner’s leases come back at once: claimable, room freed, token bumped, late results refused', async () => {
      const endpoint = await addEndpoint(store(), { maxConcurrency: 2, timeoutMs: 15_000 });
      for (let i = 0; i < 3; i += 1) await publish(store(), { createdAt: T0 + i });
      await store().heartbeatOwner(owner('dead'), T0);
      await store().heartbeatOwner(owner('alive'), T0);
      const held = await store().claimDue(claimRequest(T0 + 10, { owner: 'dead', leaseGraceMs: 30_000 }));
      expect(held).toHaveLength(2);
      // The endpoint is at its cap under live leases of 45 s: nothing for anyone else.
      expect(await store().claimDue(claimRequest(T0 + 20, { owner: 'alive' }))).toEqual([]);

      const out = await store().releaseDeadOwners([{ owner: 'dead', heartbeatAt: T0 }], T0 + 30);
      expect(out).toEqual({ owners: ['dead'], released: 2 });
      for (const c of held) {
        expect(await mustGetDelivery(store(), c.delivery.id)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 30, leaseOwner: null, leaseExpiresAt: null, leaseToken: c.delivery.leaseToken + 1, attempts: 0 });
      }
      expect((await store().listLeaseOwners()).map((o) => o.owner)).toEqual(['alive']);

      // Long before the leases would have expired, the survivor gets the endpoint's full room again.
      const taken = await store().claimDue(claimRequest(T0 + 40, { owner: 'alive', limit: 10 }));
      expect(taken).toHaveLength(2);
      expect(taken.every((c) => c.endpoint.id === endpoint.id)).toBe(true);
      // The dead owner's late results are refused, and do not disturb the new holder.
      const outcomes = await store().recordResults(held.map((c) => resultFor(c, { at: T0 + 50 })));
      expect(outcomes.map((o) => o.applied)).toEqual([false, false]);
      for (const c of taken) expect(await mustGetDelivery(store(), c.delivery.id)).toMatchObject({ status: 'sending', leaseOwner: 'alive', attempts: 0 });

      // Its next heartbeat tells it so: the row was gone.
      expect(await store().heartbeatOwner(owner('dead'), T0 + 60)).toBe('registered');
    });

    it('releases only for the heartbeat that was judged: an owner that refreshed since keeps its leases', async () => {
      await addEndpoint(store());
      await publish(store());
      await store().heartbeatOwner(owner('slow'), T0);
      const [claim] = await store().claimDue(claimRequest(T0, { owner: 'slow' }));
      expect(claim).toBeDefined();
      await store().heartbeatOwner(owner('slow'), T0 + 6_000);
      expect(await store().releaseDeadOwners([{ owner: 'slow', heartbeatAt: T0 }], T0 + 6_001)).toEqual({ owners: [], released: 0 });
      expect(await mustGetDelivery(store(), claim!.delivery.id)).toMatchObject({ status: 'sending', leaseOwner: 'slow' });
      expect(await store().releaseDeadOwners([], T0)).toEqual({ owners: [], released: 0 });
      expect(await store().releaseDeadOwners([{ owner: 'unknown', heartbeatAt: T0 }], T0)).toEqual({ owners: [], released: 0 });
    });

    it('leaves other owners’ leases and finished deliveries alone', async () => {
      await addEndpoint(store());
      for (let i = 0; i < 3; i += 1) await publish(store(), { createdAt: T0 + i });
      await store().heartbeatOwner(owner('dead'), T0);
      const [done, mine] = await store().claimDue(claimRequest(T0 + 10, { owner: 'dead', limit: 2 }));
      const [theirs] = await store().claimDue(claimRequest(T0 + 10, { owner: 'other', limit: 1 }));
      expect((await store().recordResults([resultFor(done!, { at: T0 + 11 })]))[0]!.applied).toBe(true);
      expect(await store().releaseDeadOwners([{ owner: 'dead', heartbeatAt: T0 }], T0 + 20)).toEqual({ owners: ['dead'], released: 1 });
      expect((await mustGetDelivery(store(), done!.delivery.id)).status).toBe('succeeded');
      expect((await mustGetDelivery(store(), mine!.delivery.id)).status).toBe('pending');
      expect(await mustGetDelivery(store(), theirs!.delivery.id)).toMatchObject({ status: 'sending', leaseOwner: 'other' });
    });

    it('a late result for a claim released on shutdown is refused', async () => {
      await addEndpoint(store());
      await publish(store());
      const [claim] = await store().claimDue(claimRequest(T0, { owner: 'stopping' }));
      expect(await store().releaseClaims([{ deliveryId: claim!.delivery.id, leaseToken: claim!.delivery.leaseToken }], T0 + 1)).toBe(1);
      expect((await store().recordResults([resultFor(claim!, { at: T0 + 2 })]))[0]!.applied).toBe(false);
      expect(await mustGetDelivery(store(), claim!.delivery.id)).toMatchObject({ status: 'pending', attempts: 0 });
    });
  });
}
