// Inbound sources, the request log and deduplication by provider delivery id.

import { describe, expect, it } from 'vitest';
import type { Source } from '../../core/inbound-types.js';
import {
  addEndpoint,
  ALL,
  deliveriesOf,
  makeEvent,
  makeInbound,
  makeSource,
  readAllPages,
  T0,
  useStore,
  type StoreFactory,
} from './fixtures.js';

export function sourcesSuite(factory: StoreFactory): void {
  describe('sources', () => {
    const store = useStore(factory);

    it('round-trips a source, including its verification config and event-type rule', async () => {
      const source = makeSource({
        tenant: 'acme',
        allowIps: ['203.0.113.0/24', '2001:db8::/32'],
        eventType: { header: 'x-github-event' },
        maxBodyBytes: 65_536,
        verify: { scheme: 'hmac', secret: 's3cret', header: 'x-sig', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' },
      });
      await store().insertSource(source);
      expect(await store().getSource(source.id, 'acme')).toEqual(source);
      const fixed = makeSource({ eventType: 'chat.started', verify: { scheme: 'none' } });
      await store().insertSource(fixed);
      expect(await store().getSource(fixed.id, null)).toEqual(fixed);
    });

    it('round-trips and updates a broker subscription (consume), credentials included', async () => {
      const consume = { url: 'redis://broker.example.com:6379/0?stream=orders&group=hookd', username: 'reader', password: 'p4ss' };
      const source = makeSource({ consume });
      await store().insertSource(source);
      expect((await store().getSource(source.id, undefined))?.consume).toEqual(consume);
      const moved = { url: 'redis://broker.example.com:6379/1?stream=orders&group=hookd' };
      expect((await store().updateSource(source.id, undefined, { consume: moved, updatedAt: T0 + 1 }))?.consume).toEqual(moved);
      expect((await store().getSource(source.id, undefined))?.consume).toEqual(moved);
      expect((await store().updateSource(source.id, undefined, { consume: null, updatedAt: T0 + 2 }))?.consume).toBeNull();
      expect((await store().getSource(source.id, undefined))?.consume).toBeNull();
    });

    it('applies the tenant filter to get, list, update and delete', async () => {
      const acme = makeSource({ tenant: 'acme' });
      const none = makeSource({ tenant: null });
      await store().insertSource(acme);
      await store().insertSource(none);
      expect(await store().getSource(acme.id, 'globex')).toBeNull();
      expect(await store().getSource(acme.id, null)).toBeNull();
      expect((await store().getSource(acme.id, undefined))?.id).toBe(acme.id);
      expect((await store().listSources('acme', ALL)).data.map((s) => s.id)).toEqual([acme.id]);
      expect((await store().listSources(null, ALL)).data.map((s) => s.id)).toEqual([none.id]);
      expect((await store().listSources(undefined, ALL)).data.map((s) => s.id)).toEqual([none.id, acme.id]);
      expect(await store().updateSource(acme.id, 'globex', { name: 'evil' })).toBeNull();
      expect(await store().deleteSource(acme.id, 'globex')).toBe(false);
      expect(await store().getSource(acme.id, undefined)).toEqual(acme);
      expect(await store().deleteSource(acme.id, 'acme')).toBe(true);
      expect(await store().getSource(acme.id, undefined)).toBeNull();
      expect(await store().deleteSource(acme.id, undefined)).toBe(false);
    });

    it('updates the patched fields, keeping id and createdAt', async () => {
      const source = makeSource();
      await store().insertSource(source);
      const patch = {
        name: 'github',
        verify: { scheme: 'github', secret: 'gh-secret' } as const,
        allowIps: null,
        eventType: { header: 'x-github-event' },
        updatedAt: T0 + 10,
      };
      const updated = await store().updateSource(source.id, undefined, patch);
      const expected: Source = { ...source, ...patch };
      expect(updated).toEqual(expected);
      expect(await store().getSource(source.id, undefined)).toEqual(expected);
      expect(await store().updateSource('src_00000000000000000000000000000000', undefined, { name: 'x' })).toBeNull();
    });

    it('lists newest first with pagination', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const source = makeSource();
        ids.push(source.id);
        await store().insertSource(source);
      }
      const pages = await readAllPages((cursor) => store().listSources(undefined, { limit: 2, cursor }));
      expect(pages.map((p) => p.map((s) => s.id))).toEqual([[ids[2], ids[1]], [ids[0]]]);
    });
  });

  describe('inbound request log', () => {
    const store = useStore(factory);

    async function setup(over: Partial<Source> = {}): Promise<Source> {
      const source = makeSource(over);
      await store().insertSource(source);
      return source;
    }

    it('an accepted request publishes its event in the same call and links to it', async () => {
      const source = await setup({ tenant: 'acme' });
      const endpoint = await addEndpoint(store(), { tenant: 'acme' });
      const request = makeInbound(source, { dedupeKey: 'evt_provider_1' });
      const event = makeEvent({ tenant: 'acme', type: 'payment.completed', sourceId: source.id, rawBody: Buffer.from('{"a":1}') });
      const recorded = await store().recordInbound(request, event);
      expect(recorded.duplicateOf).toBeNull();
      expect(recorded.publish).toMatchObject({ kind: 'created', deliveries: 1, event: { id: event.id, sourceId: source.id } });
      expect(recorded.request).toEqual({ ...request, eventId: event.id });
      expect(await store().getInboundRequest(request.id, source.id)).toEqual(recorded.request);
      expect((await deliveriesOf(store(), event.id)).map((d) => d.endpointId)).toEqual([endpoint.id]);
      expect((await store().getEvent(event.id, 'acme'))?.rawBody?.toString()).toBe('{"a":1}');
    });

    it('stores a repeat of an accepted dedupe key as a duplicate of the first, without a new event', async () => {
      const source = await setup();
      const first = await store().recordInbound(makeInbound(source, { dedupeKey: 'd-1' }), makeEvent());
      const seq = await store().lastEventSeq();
      const repeat = makeInbound(source, { dedupeKey: 'd-1', receivedAt: T0 + 5 });
      const again = makeEvent();
      const second = await store().recordInbound(repeat, again);
      expect(second.duplicateOf).toBe(first.request.id);
      expect(second.publish).toBeNull();
      // The log states what the sender was told: 200 and "duplicate", not the first copy's 202.
      expect(second.request).toEqual({ ...repeat, verdict: 'duplicate', status: 200, reason: expect.stringContaining(`Duplicate of ${first.request.id}`), eventId: first.request.eventId });
      expect(await store().getInboundRequest(repeat.id, source.id)).toEqual(second.request);
      expect(await store().getEvent(again.id, undefined)).toBeNull();
      expect(await store().lastEventSeq()).toBe(seq);
    });

    it('deduplicates per source, and only against accepted requests', async () => {
      const a = await setup();
      const b = await setup();
      const rejected = makeInbound(a, { dedupeKey: 'same', verdict: 'rejected', status: 401, code: 'signature_invalid', reason: 'bad signature' });
      const r0 = await store().recordInbound(rejected, null);
      expect(r0).toEqual({ request: rejected, publish: null, duplicateOf: null });
      const r1 = await store().recordInbound(makeInbound(a, { dedupeKey: 'same' }), makeEvent());
      expect(r1.request.verdict).toBe('accepted');
      const r2 = await store().recordInbound(makeInbound(b, { dedupeKey: 'same' }), makeEvent());
      expect(r2.request.verdict).toBe('accepted');
      const r3 = await store().recordInbound(makeInbound(a, { dedupeKey: 'other' }), makeEvent());
      expect(r3.duplicateOf).toBeNull();
      const noKey = await store().recordInbound(makeInbound(a, { dedupeKey: null }), makeEvent());
      const noKeyAgain = await store().recordInbound(makeInbound(a, { dedupeKey: null }), makeEvent());
      expect([noKey.request.verdict, noKeyAgain.request.verdict]).toEqual(['accepted', 'accepted']);
    });

    it('a rejected request is logged but never publishes its event', async () => {
      const source = await setup();
      await addEndpoint(store());
      const event = makeEvent();
      const rejected = makeInbound(source, { verdict: 'rejected', status: 403, code: 'ip_not_allowed', reason: 'ip' });
      const recorded = await store().recordInbound(rejected, event);
      expect(recorded.publish).toBeNull();
      expect(recorded.request.eventId).toBeNull();
      expect(await store().getEvent(event.id, undefined)).toBeNull();
      expect(await store().getInboundRequest(rejected.id, source.id)).toEqual(rejected);
    });

    it('reads requests only through their own source, and lists them newest first with filters', async () => {
      const source = await setup();
      const other = await setup();
      const requests = [
        makeInbound(source, { receivedAt: T0 }),
        makeInbound(source, { receivedAt: T0 + 10, verdict: 'rejected', status: 401, code: 'signature_invalid', reason: 'x' }),
        makeInbound(source, { receivedAt: T0 + 20 }),
        makeInbound(source, { receivedAt: T0 + 30, verdict: 'rejected', status: 415, code: 'unsupported_media_type', reason: 'y' }),
      ];
      for (const r of requests) await store().recordInbound(r, null);
      await store().recordInbound(makeInbound(other), null);
      expect(await store().getInboundRequest(requests[0]!.id, other.id)).toBeNull();
      const list = async (q: Partial<Parameters<ReturnType<typeof store>['listInboundRequests']>[0]>) =>
        (await store().listInboundRequests({ sourceId: source.id, ...q }, ALL)).data.map((r) => r.id);
      const id = (i: number) => requests[i]!.id;
      expect(await list({})).toEqual([id(3), id(2), id(1), id(0)]);
      expect(await list({ verdict: 'rejected' })).toEqual([id(3), id(1)]);
      expect(await list({ since: T0 + 10, until: T0 + 30 })).toEqual([id(2), id(1)]);
      const pages = await readAllPages((cursor) => store().listInboundRequests({ sourceId: source.id }, { limit: 3, cursor }));
      expect(pages.map((p) => p.length)).toEqual([3, 1]);
    });
  });
}
