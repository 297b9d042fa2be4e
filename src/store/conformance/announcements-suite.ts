// Operational events commit with the state change that causes them: endpoint.disabled with the result
// that disables the endpoint, endpoint.recovered with the update that re-enables it. Neither can be
// lost between a commit and a later publish, and neither is written when the change did not happen.

import { describe, expect, it } from 'vitest';
import type { DisabledReason } from '../../core/types.js';
import type { NewEvent } from '../store.js';
import { addEndpoint, ALL, claimOne, makeEvent, resultFor, T0, useStore, type StoreFactory } from './fixtures.js';

export function announcementsSuite(factory: StoreFactory): void {
  describe('operational events commit with their cause', () => {
    const store = useStore(factory);

    const disabledEvent = (endpointId: string, reason: DisabledReason): NewEvent =>
      makeEvent({ type: 'endpoint.disabled', payload: JSON.stringify({ endpointId, reason }) });

    it('a result that disables the endpoint writes endpoint.disabled in the same transaction', async () => {
      const endpoint = await addEndpoint(store());
      const watcher = await addEndpoint(store(), { eventTypes: ['endpoint.disabled'] });
      await store().publishEvents([makeEvent()]);
      const claim = await claimOne(store(), T0 + 1_000);
      const reasons: DisabledReason[] = [];
      const [outcome] = await store().recordResults([
        resultFor(claim, {
          status: 'failed',
          code: 'http_gone',
          responseStatus: 410,
          endpoint: { health: 'failure', disable: 'gone', announceDisabled: (reason) => (reasons.push(reason), disabledEvent(endpoint.id, reason)) },
        }),
      ]);
      expect(outcome).toMatchObject({ applied: true, endpointDisabled: 'gone' });
      expect(reasons).toEqual(['gone']);
      const feed = await store().listEventsFeed({ afterSeq: 0, type: 'endpoint.disabled', tenant: undefined, limit: 10 });
      expect(feed.map((e) => JSON.parse(e.payload))).toEqual([{ endpointId: endpoint.id, reason: 'gone' }]);
      // It fans out like any event: to the endpoint that asked for it by name.
      const toWatcher = await store().listDeliveries({ tenant: undefined, endpointId: watcher.id }, ALL);
      expect(toWatcher.data.map((d) => d.eventId)).toEqual([feed[0]!.id]);
    });

    it('a result that does not disable (already disabled, or not failing long enough) announces nothing', async () => {
      await addEndpoint(store(), { maxConcurrency: 10 });
      await store().publishEvents([makeEvent(), makeEvent()]);
      const claims = await store().claimDue({ now: T0 + 1_000, limit: 10, owner: 'w', leaseGraceMs: 1_000 });
      expect(claims).toHaveLength(2);
      let calls = 0;
      const announce = (reason: DisabledReason): NewEvent => (calls++, disabledEvent(claims[0]!.endpoint.id, reason));
      // The first disables; the second finds it disabled already.
      await store().recordResults([resultFor(claims[0]!, { status: 'failed', endpoint: { health: 'failure', disable: 'gone', announceDisabled: announce } })]);
      await store().recordResults([resultFor(claims[1]!, { status: 'failed', endpoint: { health: 'failure', disable: 'gone', announceDisabled: announce } })]);
      expect(calls).toBe(1);
      expect(await store().listEventsFeed({ afterSeq: 0, type: 'endpoint.disabled', tenant: undefined, limit: 10 })).toHaveLength(1);
    });

    it('an update that re-enables writes endpoint.recovered with it, exactly once however many race', async () => {
      const endpoint = await addEndpoint(store(), { enabled: false, disabledReason: 'failing' });
      const recovered = (): NewEvent => makeEvent({ type: 'endpoint.recovered', payload: JSON.stringify({ endpointId: endpoint.id }) });
      const updates = await Promise.all(
        Array.from({ length: 5 }, () => store().updateEndpoint(endpoint.id, undefined, { enabled: true, disabledReason: null, failingSince: null, updatedAt: T0 + 1 }, { reEnabled: recovered })),
      );
      expect(updates.every((u) => u?.enabled === true)).toBe(true);
      expect(await store().listEventsFeed({ afterSeq: 0, type: 'endpoint.recovered', tenant: undefined, limit: 10 })).toHaveLength(1);
      // Enabling an enabled endpoint announces nothing.
      await store().updateEndpoint(endpoint.id, undefined, { enabled: true, updatedAt: T0 + 2 }, { reEnabled: recovered });
      expect(await store().listEventsFeed({ afterSeq: 0, type: 'endpoint.recovered', tenant: undefined, limit: 10 })).toHaveLength(1);
    });
  });
}
