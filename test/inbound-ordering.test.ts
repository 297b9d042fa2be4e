// A source's orderingKey rule: inbound events get their ordering key from a header or a body
// pointer (or a fixed key); a request without a usable key is rejected and logged; bad rules are
// refused when saved.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './helpers/harness.js';
import { createInboundHarness, createSource, postIngress } from './inbound-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createInboundHarness();
});
afterAll(async () => {
  await h?.close();
});

const keysOf = async (eventId: string) => {
  const ep = (await h.request('GET', '/v1/endpoints')).body.data[0].id as string;
  const list = (await h.request('GET', `/v1/deliveries?endpoint=${ep}&limit=50`)).body.data as Array<{ eventId: string; orderingKey: string | null }>;
  return list.find((d) => d.eventId === eventId)?.orderingKey;
};

describe('source ordering-key rule', () => {
  it('takes the key from a body pointer or a header, rejects requests without one', async () => {
    await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['chat.message'] } });
    const byBody = await createSource(h, { name: 'b', verify: { scheme: 'none' }, eventType: 'chat.message', orderingKey: { pointer: '/conversation/id' } });
    const ok = await postIngress(h, byBody.id, JSON.stringify({ conversation: { id: 'conv-9' } }), { 'content-type': 'application/json' });
    expect(ok.status).toBe(202);
    expect(await keysOf(ok.body.eventId)).toBe('conv-9');
    const numeric = await postIngress(h, byBody.id, JSON.stringify({ conversation: { id: 42 } }), { 'content-type': 'application/json' });
    expect(await keysOf(numeric.body.eventId)).toBe('42');
    const missing = await postIngress(h, byBody.id, JSON.stringify({ conversation: {} }), { 'content-type': 'application/json' });
    expect(missing.status).toBe(422);
    expect(missing.body.code).toBe('schema_mismatch');

    const byHeader = await createSource(h, { name: 'h', verify: { scheme: 'none' }, eventType: 'chat.message', orderingKey: { header: 'X-Conversation' } });
    const viaHeader = await postIngress(h, byHeader.id, '{}', { 'content-type': 'application/json', 'x-conversation': 'c-1' });
    expect(await keysOf(viaHeader.body.eventId)).toBe('c-1');
    const noHeader = await postIngress(h, byHeader.id, '{}', { 'content-type': 'application/json' });
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.code).toBe('validation_failed');
    expect((await h.request('GET', `/v1/sources/${byHeader.id}`)).body.orderingKey).toEqual({ header: 'X-Conversation' });
  });

  it('refuses bad rules with problem+json', async () => {
    for (const orderingKey of [{ pointer: 'no-slash' }, { header: 'bad header' }, '', 'a\u0001', { other: 1 }, 5]) {
      const res = await h.request('POST', '/v1/sources', { body: { name: 'x', verify: { scheme: 'none' }, orderingKey } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });
});
