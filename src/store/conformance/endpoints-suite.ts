// Endpoint CRUD and the tenant filter on every read and write.

import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../core/types.js';
import { addEndpoint, ALL, claimRequest, makeEndpoint, mustGetDelivery, publish, readAllPages, resultFor, T0, useStore, type StoreFactory } from './fixtures.js';

export function endpointsSuite(factory: StoreFactory): void {
  describe('endpoints', () => {
    const store = useStore(factory);

    it('round-trips every field', async () => {
      const endpoint = makeEndpoint({
        tenant: 'acme',
        description: 'CRM tickets',
        eventTypes: ['chat.started', 'endpoint.disabled'],
        auth: { type: 'bearer', token: 'tok_123' },
        secrets: [
          { secret: 'whsec_bmV3c2VjcmV0bmV3c2VjcmV0bmV3', expiresAt: null },
          { secret: 'whsec_b2xkc2VjcmV0b2xkc2VjcmV0b2xk', expiresAt: T0 + 86_400_000 },
        ],
        headers: { 'x-team': 'support' },
        timeoutMs: 5_000,
        rateLimitPerSecond: 2.5,
        maxConcurrency: 3,
        retrySchedule: [0, 10, 60],
        payloadFormat: 'raw',
        enabled: false,
        disabledReason: 'manual',
        failingSince: T0 - 1_000,
        updatedAt: T0 + 1,
      });
      await store().insertEndpoint(endpoint);
      expect(await store().getEndpoint(endpoint.id, undefined)).toEqual(endpoint);
    });

    it('inserts under a per-tenant limit: refused at the limit, nothing written; tenants and tenantless counted apart', async () => {
      expect(await store().insertEndpoint(makeEndpoint({ tenant: 'acme' }), 2)).toBe(true);
      expect(await store().insertEndpoint(makeEndpoint({ tenant: 'acme' }), 2)).toBe(true);
      const third = makeEndpoint({ tenant: 'acme' });
      expect(await store().insertEndpoint(third, 2)).toBe(false);
      expect(await store().getEndpoint(third.id, undefined)).toBeNull();
      expect(await store().countEndpoints('acme')).toBe(2);
      expect(await store().insertEndpoint(makeEndpoint({ tenant: 'globex' }), 2)).toBe(true);
      expect(await store().insertEndpoint(makeEndpoint({ tenant: null }), 1)).toBe(true);
      expect(await store().insertEndpoint(makeEndpoint({ tenant: null }), 1)).toBe(false);
      expect(await store().countEndpoints(null)).toBe(1);
      // Without a limit nothing is counted (transfers, fixtures).
      expect(await store().insertEndpoint(makeEndpoint({ tenant: 'acme' }))).toBe(true);
      expect(await store().countEndpoints('acme')).toBe(3);
    });

    it('filters get by tenant: admin sees all, null sees only tenantless, a tenant only its own', async () => {
      const acme = await addEndpoint(store(), { tenant: 'acme' });
      const none = await addEndpoint(store(), { tenant: null });
      expect((await store().getEndpoint(acme.id, undefined))?.id).toBe(acme.id);
      expect((await store().getEndpoint(acme.id, 'acme'))?.id).toBe(acme.id);
      expect(await store().getEndpoint(acme.id, 'globex')).toBeNull();
      expect(await store().getEndpoint(acme.id, null)).toBeNull();
      expect((await store().getEndpoint(none.id, null))?.id).toBe(none.id);
      expect(await store().getEndpoint(none.id, 'acme')).toBeNull();
      expect(await store().getEndpoint('ep_00000000000000000000000000000000', undefined)).toBeNull();
    });

    it('lists newest first with pagination and the tenant filter, and counts the same rows', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push((await addEndpoint(store(), { tenant: 'acme' })).id);
      const other = await addEndpoint(store(), { tenant: 'globex' });
      const tenantless = await addEndpoint(store(), { tenant: null });

      const pages = await readAllPages((cursor) => store().listEndpoints('acme', { limit: 2, cursor }));
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat().map((e) => e.id)).toEqual([...ids].reverse());
      expect((await store().listEndpoints(null, ALL)).data.map((e) => e.id)).toEqual([tenantless.id]);
      expect((await store().listEndpoints(undefined, ALL)).data.map((e) => e.id)).toEqual([
        tenantless.id,
        other.id,
        ...[...ids].reverse(),
      ]);
      expect(await store().countEndpoints('acme')).toBe(5);
      expect(await store().countEndpoints('globex')).toBe(1);
      expect(await store().countEndpoints(null)).toBe(1);
      expect(await store().countEndpoints(undefined)).toBe(7);
    });

    it('updates only the patched fields and returns the new endpoint', async () => {
      const endpoint = await addEndpoint(store(), { tenant: 'acme', description: 'before', maxConcurrency: 4 });
      const updated = await store().updateEndpoint(endpoint.id, 'acme', {
        url: 'https://new.example.com/in',
        description: null,
        eventTypes: ['call.ended'],
        enabled: false,
        disabledReason: 'manual',
        updatedAt: T0 + 60_000,
      });
      const expected: Endpoint = {
        ...endpoint,
        url: 'https://new.example.com/in',
        description: null,
        eventTypes: ['call.ended'],
        enabled: false,
        disabledReason: 'manual',
        updatedAt: T0 + 60_000,
      };
      expect(updated).toEqual(expected);
      expect(await store().getEndpoint(endpoint.id, undefined)).toEqual(expected);
    });

    it('re-enables and replaces auth and secrets through update', async () => {
      const endpoint = await addEndpoint(store(), { enabled: false, disabledReason: 'failing', failingSince: T0 });
      const secrets = [
        { secret: 'whsec_cm90YXRlZHJvdGF0ZWRyb3RhdGVk', expiresAt: null },
        { secret: endpoint.secrets[0]!.secret, expiresAt: T0 + 1_000 },
      ];
      await store().updateEndpoint(endpoint.id, undefined, {
        enabled: true,
        disabledReason: null,
        failingSince: null,
        auth: { type: 'header', name: 'x-api-key', value: 'k-123' },
        secrets,
        updatedAt: T0 + 1,
      });
      const read = await store().getEndpoint(endpoint.id, null);
      expect(read).toMatchObject({ enabled: true, disabledReason: null, failingSince: null, secrets });
      expect(read?.auth).toEqual({ type: 'header', name: 'x-api-key', value: 'k-123' });
    });

    it('refuses to update outside the tenant filter and leaves the row untouched', async () => {
      const endpoint = await addEndpoint(store(), { tenant: 'acme' });
      expect(await store().updateEndpoint(endpoint.id, 'globex', { url: 'https://evil.example', updatedAt: T0 + 1 })).toBeNull();
      expect(await store().updateEndpoint(endpoint.id, null, { url: 'https://evil.example', updatedAt: T0 + 1 })).toBeNull();
      expect(await store().updateEndpoint('ep_00000000000000000000000000000000', undefined, { updatedAt: T0 })).toBeNull();
      expect(await store().getEndpoint(endpoint.id, undefined)).toEqual(endpoint);
    });

    it('deletes within the tenant filter only', async () => {
      const endpoint = await addEndpoint(store(), { tenant: 'acme' });
      expect(await store().deleteEndpoint(endpoint.id, 'globex')).toBe(false);
      expect(await store().getEndpoint(endpoint.id, undefined)).not.toBeNull();
      expect(await store().deleteEndpoint(endpoint.id, 'acme')).toBe(true);
      expect(await store().getEndpoint(endpoint.id, undefined)).toBeNull();
      expect(await store().deleteEndpoint(endpoint.id, undefined)).toBe(false);
    });

    it('delete cancels the endpoint’s pending deliveries and keeps them readable; other endpoints untouched', async () => {
      const doomed = await addEndpoint(store());
      const kept = await addEndpoint(store());
      const { deliveries } = await publish(store());
      expect(deliveries).toHaveLength(2);
      await store().deleteEndpoint(doomed.id, undefined);
      const ofDoomed = deliveries.find((d) => d.endpointId === doomed.id)!;
      const ofKept = deliveries.find((d) => d.endpointId === kept.id)!;
      expect((await mustGetDelivery(store(), ofDoomed.id)).status).toBe('cancelled');
      expect((await mustGetDelivery(store(), ofKept.id)).status).toBe('pending');
    });

    it('delete also cancels in-flight deliveries, so none is left sending forever if its worker dies', async () => {
      const doomed = await addEndpoint(store());
      await publish(store(), { createdAt: T0 });
      const [claim] = await store().claimDue(claimRequest(T0 + 1));
      expect(claim?.endpoint.id).toBe(doomed.id);
      await store().deleteEndpoint(doomed.id, undefined);
      expect(await mustGetDelivery(store(), claim!.delivery.id)).toMatchObject({ status: 'cancelled', lastCode: 'endpoint_deleted' });
      // The attempt on the wire at that moment may still answer: its result is fenced out.
      expect(await store().recordResults([resultFor(claim!, { status: 'pending', nextAttemptAt: T0 + 5_000 })])).toEqual([
        { applied: false, endpointDisabled: null },
      ]);
      expect((await mustGetDelivery(store(), claim!.delivery.id)).status).toBe('cancelled');
      expect(await store().claimDue(claimRequest(T0 + 1_000_000))).toEqual([]);
    });
  });
}
