// Leases, fencing and attempt results: the parts that make delivery at-least-once and safe when a
// worker dies or answers late.

import { describe, expect, it } from 'vitest';
import {
  addEndpoint,
  claimOne,
  claimRequest,
  deliveriesOf,
  makeEvent,
  mustGetDelivery,
  publish,
  resultFor,
  T0,
  useStore,
  type StoreFactory,
} from './fixtures.js';

export function claimsSuite(factory: StoreFactory): void {
  describe('claims and leases', () => {
    const store = useStore(factory);

    it('claims a due delivery: sending, token bumped, owner and lease set, with event and endpoint', async () => {
      const endpoint = await addEndpoint(store(), { timeoutMs: 5_000, auth: { type: 'basic', username: 'u', password: 'p' } });
      const { event, deliveries } = await publish(store(), { createdAt: T0 });
      const claims = await store().claimDue(claimRequest(T0 + 10, { owner: 'worker-a', leaseGraceMs: 2_000 }));
      expect(claims).toHaveLength(1);
      const claim = claims[0]!;
      expect(claim.event).toEqual(event);
      expect(claim.endpoint).toEqual(endpoint);
      expect(claim.delivery).toMatchObject({
        id: deliveries[0]!.id,
        status: 'sending',
        leaseToken: 1,
        leaseOwner: 'worker-a',
        leaseExpiresAt: T0 + 10 + 5_000 + 2_000,
        attempts: 0,
      });
      expect(await mustGetDelivery(store(), claim.delivery.id)).toEqual(claim.delivery);
    });

    it('gives every claim of a fan-out batch its own event and endpoint in full', async () => {
      // Several events to several endpoints in one claim: each event appears once per endpoint and
      // each endpoint once per event (PostgreSQL sends their columns on one row each).
      const endpoints = [];
      for (let i = 0; i < 3; i++) {
        endpoints.push(await addEndpoint(store(), { url: `https://receiver-${i}.example/hook`, headers: { 'x-n': String(i) }, maxConcurrency: 50 }));
      }
      const events = [];
      for (let i = 0; i < 4; i++) {
        events.push((await publish(store(), { createdAt: T0 + i, payload: JSON.stringify({ n: i, pad: 'x'.repeat(200 + i) }) })).event);
      }
      const claims = await store().claimDue(claimRequest(T0 + 10, { limit: 100 }));
      expect(claims).toHaveLength(12);
      const pairs = new Set<string>();
      for (const claim of claims) {
        expect(claim.event).toEqual(events.find((e) => e.id === claim.delivery.eventId));
        expect(claim.endpoint).toEqual(endpoints.find((e) => e.id === claim.delivery.endpointId));
        pairs.add(`${claim.event.id} ${claim.endpoint.id}`);
      }
      expect(pairs.size).toBe(12);
    });

    it('does not claim deliveries that are not yet due', async () => {
      await addEndpoint(store());
      await publish(store(), { createdAt: T0 + 1_000 });
      expect(await store().claimDue(claimRequest(T0 + 999))).toEqual([]);
      expect(await store().claimDue(claimRequest(T0 + 1_000))).toHaveLength(1);
    });

    it('never hands out a delivery under a live lease, and re-claims it once the lease expired', async () => {
      await addEndpoint(store(), { timeoutMs: 1_000 });
      await publish(store());
      const first = await claimOne(store(), T0, { leaseGraceMs: 500 });
      expect(await store().claimDue(claimRequest(T0 + 1_499, { owner: 'worker-2' }))).toEqual([]);
      const second = await claimOne(store(), T0 + 1_500, { owner: 'worker-2', leaseGraceMs: 500 });
      expect(second.delivery).toMatchObject({ id: first.delivery.id, leaseToken: 2, leaseOwner: 'worker-2', leaseExpiresAt: T0 + 3_000 });
    });

    it('respects the claim limit and orders by nextAttemptAt', async () => {
      await addEndpoint(store());
      const late = await publish(store(), { createdAt: T0 + 30 });
      const early = await publish(store(), { createdAt: T0 + 10 });
      const middle = await publish(store(), { createdAt: T0 + 20 });
      const claims = await store().claimDue(claimRequest(T0 + 100, { limit: 2 }));
      expect(claims.map((c) => c.event.id)).toEqual([early.event.id, middle.event.id]);
      const rest = await store().claimDue(claimRequest(T0 + 100));
      expect(rest.map((c) => c.event.id)).toEqual([late.event.id]);
    });

    it('keeps at most maxConcurrency live leases per endpoint', async () => {
      const narrow = await addEndpoint(store(), { maxConcurrency: 2 });
      for (let i = 0; i < 5; i += 1) await publish(store(), { createdAt: T0 + i });
      const first = await store().claimDue(claimRequest(T0 + 100));
      expect(first).toHaveLength(2);
      expect(first.every((c) => c.endpoint.id === narrow.id)).toBe(true);
      expect(await store().claimDue(claimRequest(T0 + 100))).toEqual([]);
      const outcome = await store().recordResults([resultFor(first[0]!, { at: T0 + 150 })]);
      expect(outcome).toEqual([{ applied: true, endpointDisabled: null }]);
      expect(await store().claimDue(claimRequest(T0 + 200))).toHaveLength(1);
      expect(await store().claimDue(claimRequest(T0 + 200))).toEqual([]);
    });

    it('counts only live leases against the limit: an expired lease frees its slot', async () => {
      await addEndpoint(store(), { maxConcurrency: 1, timeoutMs: 1_000 });
      await publish(store(), { createdAt: T0 });
      await publish(store(), { createdAt: T0 + 1 });
      const a = await claimOne(store(), T0 + 10, { leaseGraceMs: 0 });
      // At T0 + 1010 a's lease has expired: either a (re-claim) or the other may go, but only one.
      const next = await store().claimDue(claimRequest(T0 + 1_010, { leaseGraceMs: 0 }));
      expect(next).toHaveLength(1);
      expect(next[0]!.delivery.id).toBe(a.delivery.id);
      expect(next[0]!.delivery.leaseToken).toBe(2);
    });

    it('a saturated endpoint does not hold back another endpoint’s work', async () => {
      const slow = await addEndpoint(store(), { maxConcurrency: 1, eventTypes: ['slow'] });
      const fast = await addEndpoint(store(), { eventTypes: ['fast'] });
      for (let i = 0; i < 30; i += 1) await publish(store(), { type: 'slow', createdAt: T0 + i });
      await publish(store(), { type: 'fast', createdAt: T0 + 500 });
      const firstRound = await store().claimDue(claimRequest(T0 + 1_000, { limit: 1 }));
      expect(firstRound.map((c) => c.endpoint.id)).toEqual([slow.id]);
      const secondRound = await store().claimDue(claimRequest(T0 + 1_000, { limit: 1 }));
      expect(secondRound.map((c) => c.endpoint.id)).toEqual([fast.id]);
    });

    it('does not claim deliveries of a disabled endpoint', async () => {
      const endpoint = await addEndpoint(store());
      await publish(store());
      await store().updateEndpoint(endpoint.id, undefined, { enabled: false, disabledReason: 'manual', updatedAt: T0 });
      expect(await store().claimDue(claimRequest(T0 + 1_000))).toEqual([]);
      expect(await store().nextDueAt()).toBeNull();
    });

    it('claimById takes a pending delivery before it is due but not one under a live lease or finished', async () => {
      await addEndpoint(store());
      const { deliveries } = await publish(store(), { createdAt: T0 + 60_000 });
      const id = deliveries[0]!.id;
      const claim = await store().claimById(id, claimRequest(T0, { owner: 'api' }));
      expect(claim?.delivery).toMatchObject({ id, status: 'sending', leaseToken: 1, leaseOwner: 'api' });
      expect(await store().claimById(id, claimRequest(T0 + 1))).toBeNull();
      await store().recordResults([resultFor(claim!, { at: T0 + 2 })]);
      expect(await store().claimById(id, claimRequest(T0 + 3))).toBeNull();
      expect(await store().claimById('dlv_00000000000000000000000000000000', claimRequest(T0))).toBeNull();
    });

    it('releaseClaims puts claims back pending at the given time, fenced by the token', async () => {
      await addEndpoint(store());
      await publish(store());
      await publish(store());
      const claims = await store().claimDue(claimRequest(T0));
      expect(claims).toHaveLength(2);
      const [a, b] = claims as [(typeof claims)[0], (typeof claims)[0]];
      const released = await store().releaseClaims(
        [
          { deliveryId: a.delivery.id, leaseToken: a.delivery.leaseToken },
          { deliveryId: b.delivery.id, leaseToken: b.delivery.leaseToken + 7 },
        ],
        T0 + 5_000,
      );
      expect(released).toBe(1);
      expect(await mustGetDelivery(store(), a.delivery.id)).toMatchObject({
        status: 'pending',
        nextAttemptAt: T0 + 5_000,
        leaseOwner: null,
        leaseExpiresAt: null,
        leaseToken: 1,
        attempts: 0,
      });
      expect((await mustGetDelivery(store(), b.delivery.id)).status).toBe('sending');
      expect(await store().claimDue(claimRequest(T0 + 4_999))).toEqual([]);
      const again = await claimOne(store(), T0 + 5_000);
      expect(again.delivery).toMatchObject({ id: a.delivery.id, leaseToken: 2 });
    });

    it('nextDueAt reports the earliest pending time or lease expiry of enabled endpoints', async () => {
      expect(await store().nextDueAt()).toBeNull();
      await addEndpoint(store(), { timeoutMs: 1_000 });
      await publish(store(), { createdAt: T0 + 300 });
      await publish(store(), { createdAt: T0 + 200 });
      expect(await store().nextDueAt()).toBe(T0 + 200);
      await store().claimDue(claimRequest(T0 + 250, { leaseGraceMs: 0 }));
      // The remaining pending one (T0 + 300) is earlier than the lease expiry (T0 + 1250).
      expect(await store().nextDueAt()).toBe(T0 + 300);
      await store().claimDue(claimRequest(T0 + 300, { leaseGraceMs: 0 }));
      expect(await store().nextDueAt()).toBe(T0 + 1_250);
    });
  });

  describe('attempt results', () => {
    const store = useStore(factory);

    it('applies a result: attempt stored, counters bumped, status and codes set, lease cleared', async () => {
      await addEndpoint(store());
      await publish(store());
      const claim = await claimOne(store(), T0);
      const result = resultFor(claim, { at: T0 + 20, status: 'pending', nextAttemptAt: T0 + 5_020, code: 'http_server_error', responseStatus: 503 });
      expect(await store().recordResults([result])).toEqual([{ applied: true, endpointDisabled: null }]);
      expect(await mustGetDelivery(store(), claim.delivery.id)).toMatchObject({
        status: 'pending',
        nextAttemptAt: T0 + 5_020,
        attempts: 1,
        runAttempts: 1,
        lastCode: 'http_server_error',
        lastStatus: 503,
        leaseOwner: null,
        leaseExpiresAt: null,
        leaseToken: 1,
      });
      expect(await store().listAttempts(claim.delivery.id)).toEqual([result.attempt]);
      expect(await store().claimDue(claimRequest(T0 + 5_019))).toEqual([]);
      const retry = await claimOne(store(), T0 + 5_020);
      expect(retry.delivery).toMatchObject({ leaseToken: 2, attempts: 1, runAttempts: 1 });
    });

    it('rejects a stale result (old token after re-claim) and changes nothing', async () => {
      await addEndpoint(store(), { timeoutMs: 1_000 });
      await publish(store());
      const stale = await claimOne(store(), T0, { leaseGraceMs: 0 });
      const fresh = await claimOne(store(), T0 + 2_000, { owner: 'worker-2', leaseGraceMs: 0 });
      const before = await mustGetDelivery(store(), fresh.delivery.id);
      const emitted = makeEvent({ type: 'delivery.exhausted' });
      const outcome = await store().recordResults([
        resultFor(stale, { at: T0 + 2_500, status: 'failed', endpoint: { health: 'failure', disable: 'gone' }, emit: [emitted] }),
      ]);
      expect(outcome).toEqual([{ applied: false, endpointDisabled: null }]);
      expect(await mustGetDelivery(store(), fresh.delivery.id)).toEqual(before);
      expect(await store().listAttempts(fresh.delivery.id)).toEqual([]);
      expect((await store().getEndpoint(fresh.endpoint.id, undefined))?.enabled).toBe(true);
      expect((await store().getEndpoint(fresh.endpoint.id, undefined))?.failingSince).toBeNull();
      expect(await store().getEvent(emitted.id, undefined)).toBeNull();
      // The current holder's result still applies.
      expect(await store().recordResults([resultFor(fresh, { at: T0 + 2_600 })])).toEqual([{ applied: true, endpointDisabled: null }]);
    });

    it('rejects a second result for the same claim (the delivery is no longer sending)', async () => {
      await addEndpoint(store());
      await publish(store());
      const claim = await claimOne(store(), T0);
      await store().recordResults([resultFor(claim, { at: T0 + 1 })]);
      const outcome = await store().recordResults([resultFor(claim, { at: T0 + 2, status: 'failed' })]);
      expect(outcome).toEqual([{ applied: false, endpointDisabled: null }]);
      expect(await mustGetDelivery(store(), claim.delivery.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(await store().listAttempts(claim.delivery.id)).toHaveLength(1);
    });

    it('records a batch in one call with a per-item outcome', async () => {
      await addEndpoint(store());
      for (let i = 0; i < 3; i += 1) await publish(store(), { createdAt: T0 + i });
      const claims = await store().claimDue(claimRequest(T0 + 10));
      expect(claims).toHaveLength(3);
      const outcomes = await store().recordResults([
        resultFor(claims[0]!, { at: T0 + 20 }),
        resultFor(claims[1]!, { at: T0 + 20, leaseToken: 99 }),
        resultFor(claims[2]!, { at: T0 + 20, status: 'failed', code: 'http_client_error', responseStatus: 400 }),
      ]);
      expect(outcomes.map((o) => o.applied)).toEqual([true, false, true]);
      expect((await mustGetDelivery(store(), claims[0]!.delivery.id)).status).toBe('succeeded');
      expect((await mustGetDelivery(store(), claims[1]!.delivery.id)).status).toBe('sending');
      expect(await mustGetDelivery(store(), claims[2]!.delivery.id)).toMatchObject({ status: 'failed', lastCode: 'http_client_error', lastStatus: 400 });
    });

    it('tracks the failing streak: failure starts it once, success clears it', async () => {
      const endpoint = await addEndpoint(store());
      for (let i = 0; i < 3; i += 1) await publish(store(), { createdAt: T0 + i });
      const claims = await store().claimDue(claimRequest(T0 + 10));
      await store().recordResults([resultFor(claims[0]!, { at: T0 + 100, status: 'pending', nextAttemptAt: T0 + 10_000 })]);
      expect((await store().getEndpoint(endpoint.id, undefined))?.failingSince).toBe(T0 + 100);
      await store().recordResults([resultFor(claims[1]!, { at: T0 + 200, status: 'pending', nextAttemptAt: T0 + 10_000 })]);
      expect((await store().getEndpoint(endpoint.id, undefined))?.failingSince).toBe(T0 + 100);
      await store().recordResults([resultFor(claims[2]!, { at: T0 + 300, endpoint: { health: 'neutral' } })]);
      expect((await store().getEndpoint(endpoint.id, undefined))?.failingSince).toBe(T0 + 100);
      const retry = await claimOne(store(), T0 + 10_000, { limit: 1 });
      await store().recordResults([resultFor(retry, { at: T0 + 10_001 })]);
      expect((await store().getEndpoint(endpoint.id, undefined))?.failingSince).toBeNull();
    });

    it('disables on 410, cancels the endpoint’s pending work, and reports it only the first time', async () => {
      const endpoint = await addEndpoint(store(), { maxConcurrency: 2 });
      const other = await addEndpoint(store(), { eventTypes: ['chat.started'] });
      for (let i = 0; i < 4; i += 1) await publish(store(), { createdAt: T0 + i });
      const claims = (await store().claimDue(claimRequest(T0 + 10))).filter((c) => c.endpoint.id === endpoint.id);
      expect(claims).toHaveLength(2);
      const first = await store().recordResults([
        resultFor(claims[0]!, { at: T0 + 20, status: 'failed', code: 'http_gone', responseStatus: 410, endpoint: { health: 'failure', disable: 'gone' } }),
      ]);
      expect(first).toEqual([{ applied: true, endpointDisabled: 'gone' }]);
      expect(await store().getEndpoint(endpoint.id, undefined)).toMatchObject({ enabled: false, disabledReason: 'gone' });
      const all = (await store().listDeliveries({ tenant: undefined, endpointId: endpoint.id }, { limit: 250 })).data;
      const pendingLeft = all.filter((d) => d.status === 'pending');
      expect(pendingLeft).toEqual([]);
      expect(all.filter((d) => d.status === 'cancelled').map((d) => d.lastCode)).toEqual(['endpoint_disabled', 'endpoint_disabled']);
      // The in-flight one is not cancelled under its worker; its own result lands normally.
      expect((await mustGetDelivery(store(), claims[1]!.delivery.id)).status).toBe('sending');
      const second = await store().recordResults([
        resultFor(claims[1]!, { at: T0 + 30, status: 'failed', code: 'http_gone', responseStatus: 410, endpoint: { health: 'failure', disable: 'gone' } }),
      ]);
      expect(second).toEqual([{ applied: true, endpointDisabled: null }]);
      const otherPending = (await store().listDeliveries({ tenant: undefined, endpointId: other.id }, { limit: 250 })).data;
      expect(otherPending.every((d) => d.status !== 'cancelled')).toBe(true);
    });

    it('disables for a failing streak only when it started at or before the threshold', async () => {
      const endpoint = await addEndpoint(store(), { failingSince: T0 - 1_000 });
      for (let i = 0; i < 3; i += 1) await publish(store(), { createdAt: T0 + i });
      const claims = await store().claimDue(claimRequest(T0 + 10, { limit: 2 }));
      const notYet = await store().recordResults([
        resultFor(claims[0]!, { at: T0 + 20, status: 'pending', nextAttemptAt: T0 + 9_000, endpoint: { health: 'failure', disableIfFailingSince: T0 - 1_001 } }),
      ]);
      expect(notYet).toEqual([{ applied: true, endpointDisabled: null }]);
      expect((await store().getEndpoint(endpoint.id, undefined))?.enabled).toBe(true);
      const now = await store().recordResults([
        resultFor(claims[1]!, { at: T0 + 30, status: 'failed', endpoint: { health: 'failure', disableIfFailingSince: T0 - 1_000 } }),
      ]);
      expect(now).toEqual([{ applied: true, endpointDisabled: 'failing' }]);
      expect(await store().getEndpoint(endpoint.id, undefined)).toMatchObject({ enabled: false, disabledReason: 'failing', failingSince: T0 - 1_000 });
      const statuses = (await store().listDeliveries({ tenant: undefined, endpointId: endpoint.id }, { limit: 250 })).data.map((d) => d.status).sort();
      expect(statuses).toEqual(['cancelled', 'cancelled', 'failed']);
    });

    it('publishes emitted operational events in the same transaction, to endpoints naming them', async () => {
      const endpoint = await addEndpoint(store(), { tenant: 'acme' });
      const watcher = await addEndpoint(store(), { tenant: 'acme', eventTypes: ['delivery.exhausted'] });
      await publish(store(), { tenant: 'acme' });
      const claim = await claimOne(store(), T0);
      expect(claim.endpoint.id).toBe(endpoint.id);
      const exhausted = makeEvent({ type: 'delivery.exhausted', tenant: 'acme', createdAt: T0 + 50, payload: '{"deliveryId":"x"}' });
      await store().recordResults([resultFor(claim, { at: T0 + 50, status: 'failed', emit: [exhausted] })]);
      expect((await store().getEvent(exhausted.id, 'acme'))?.type).toBe('delivery.exhausted');
      expect((await deliveriesOf(store(), exhausted.id)).map((d) => d.endpointId)).toEqual([watcher.id]);
    });
  });
}
