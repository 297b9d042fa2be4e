// Publishing, idempotency, the catalogue's schemas, and the pull feed with long-polling.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let h: Harness;
let receiver: Receiver;

beforeAll(async () => {
  h = await createHarness();
  receiver = await startReceiver();
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

const chatSchema = {
  type: 'object',
  required: ['chatId', 'customer'],
  properties: {
    chatId: { type: 'string' },
    channel: { type: 'string', enum: ['web', 'whatsapp'] },
    customer: { type: 'object', required: ['id', 'email'], properties: { id: { type: 'integer' }, email: { type: 'string', format: 'email' } } },
  },
};

describe('publish', () => {
  it('answers 202 with the id and the fan-out count', async () => {
    await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, eventTypes: ['call.ended'] } });
    await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, eventTypes: ['call.ended', 'chat.ended'] } });
    await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, eventTypes: ['chat.ended'], tenant: 'other' } });
    const res = await h.request('POST', '/v1/events', { body: { type: 'call.ended', data: { callId: 'c1', seconds: 30 } } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^evt_[0-9a-f]{32}$/), type: 'call.ended', deliveries: 2, replayed: false });
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
    const one = await h.request('GET', `/v1/events/${res.body.id}`);
    expect(one.body).toMatchObject({ id: res.body.id, type: 'call.ended', data: { callId: 'c1', seconds: 30 }, tenant: null });
    const deliveries = await h.request('GET', `/v1/events/${res.body.id}/deliveries`);
    expect(deliveries.body.data).toHaveLength(2);
  });

  it('a repeated idempotency key returns the original event and creates nothing', async () => {
    const body = { type: 'payment.completed', data: { paymentId: 'p1', amount: 10 } };
    const first = await h.request('POST', '/v1/events', { body, headers: { 'idempotency-key': 'pay-p1' } });
    const again = await h.request('POST', '/v1/events', { body, headers: { 'idempotency-key': 'pay-p1' } });
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, replayed: true });
    const inBody = await h.request('POST', '/v1/events', { body: { ...body, idempotencyKey: 'pay-p1' } });
    expect(inBody.body.id).toBe(first.body.id);
  });

  it('the same key with a different body is 409', async () => {
    await h.request('POST', '/v1/events', { body: { type: 'a.b', data: { n: 1 }, idempotencyKey: 'k-conflict' } });
    const res = await h.request('POST', '/v1/events', { body: { type: 'a.b', data: { n: 2 }, idempotencyKey: 'k-conflict' } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'idempotency_conflict', eventId: expect.stringMatching(/^evt_/) });
  });

  it('data that fails the type schema is 422 with every error by path', async () => {
    const put = await h.request('PUT', '/v1/event-types/chat.started', { body: { description: 'A customer started a chat', schema: chatSchema, example: { chatId: 'c1', customer: { id: 1, email: 'a@b.co' } } } });
    expect(put.status).toBe(201);
    const res = await h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { chatId: 7, channel: 'fax', customer: { id: 'x' } } } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('schema_mismatch');
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(['/data/channel', '/data/chatId', '/data/customer/email', '/data/customer/id']);
    expect(res.body.errors.find((e: { path: string }) => e.path === '/data/customer/email').message).toContain('required');
    const good = await h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { chatId: 'c2', customer: { id: 2, email: 'x@y.co' } } } });
    expect(good.status).toBe(202);
  });

  it('an invalid schema or an example that fails it is refused', async () => {
    const bad = await h.request('PUT', '/v1/event-types/bad.schema', { body: { schema: { type: 'nonsense' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('invalid_schema');
    const badExample = await h.request('PUT', '/v1/event-types/bad.example', { body: { schema: chatSchema, example: { chatId: 1 } } });
    expect(badExample.status).toBe(422);
    expect(badExample.body.code).toBe('schema_mismatch');
  });

  it('catalogue CRUD', async () => {
    const list = await h.request('GET', '/v1/event-types');
    expect(list.body.data.map((t: { name: string }) => t.name)).toContain('chat.started');
    const replace = await h.request('PUT', '/v1/event-types/chat.started', { body: { description: 'changed', schema: chatSchema } });
    expect(replace.status).toBe(200);
    expect((await h.request('GET', '/v1/event-types/chat.started')).body.description).toBe('changed');
    await h.request('PUT', '/v1/event-types/tmp.type', { body: {} });
    expect((await h.request('DELETE', '/v1/event-types/tmp.type')).status).toBe(204);
    expect((await h.request('GET', '/v1/event-types/tmp.type')).status).toBe(404);
  });
});

describe('HOOKD_REQUIRE_EVENT_TYPES', () => {
  it('refuses types missing from the catalogue with 422', async () => {
    const strict = await createHarness({ requireEventTypes: true });
    try {
      const res = await strict.request('POST', '/v1/events', { body: { type: 'not.there', data: {} } });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('unknown_event_type');
      await strict.request('PUT', '/v1/event-types/now.there', { body: {} });
      expect((await strict.request('POST', '/v1/events', { body: { type: 'now.there', data: {} } })).status).toBe(202);
    } finally {
      await strict.close();
    }
  });
});

describe('pull feed', () => {
  it('pages oldest first with a cursor, and says done at the end', async () => {
    const feedHarness = await createHarness();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await feedHarness.request('POST', '/v1/events', { body: { type: 'feed.item', data: { i } } })).body.id);
      const p1 = await feedHarness.request('GET', '/v1/events?limit=2');
      expect(p1.body.data.map((e: { id: string }) => e.id)).toEqual(ids.slice(0, 2));
      expect(p1.body.done).toBe(false);
      const p2 = await feedHarness.request('GET', `/v1/events?limit=2&after=${p1.body.nextCursor}`);
      expect(p2.body.data.map((e: { id: string }) => e.id)).toEqual(ids.slice(2, 4));
      const p3 = await feedHarness.request('GET', `/v1/events?limit=2&after=${p2.body.nextCursor}`);
      expect(p3.body.data.map((e: { id: string }) => e.id)).toEqual(ids.slice(4));
      expect(p3.body.done).toBe(true);
      const end = await feedHarness.request('GET', `/v1/events?limit=2&after=${p3.body.nextCursor}`);
      expect(end.body).toMatchObject({ data: [], done: true, nextCursor: p3.body.nextCursor });
      const typed = await feedHarness.request('GET', '/v1/events?type=nothing.like.this');
      expect(typed.body.data).toEqual([]);
    } finally {
      await feedHarness.close();
    }
  });

  it('long-polls at the end of the feed until an event arrives', async () => {
    const head = await h.request('GET', '/v1/events?limit=250');
    let cursor = head.body.nextCursor;
    for (let guard = 0; !head.body.done && guard < 20; guard++) {
      const next = await h.request('GET', `/v1/events?limit=250&after=${cursor}`);
      cursor = next.body.nextCursor;
      if (next.body.done) break;
    }
    const started = Date.now();
    const waiting = h.request('GET', `/v1/events?after=${cursor}&wait=10`);
    await new Promise((r) => setTimeout(r, 200));
    const published = await h.request('POST', '/v1/events', { body: { type: 'late.arrival', data: {} } });
    const res = await waiting;
    expect(res.body.data.map((e: { id: string }) => e.id)).toEqual([published.body.id]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a long-poll with nothing arriving ends after the wait', async () => {
    const res = await h.request('GET', '/v1/events?type=never.published&wait=1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ data: [], done: true });
  });
});

describe('batch publish', () => {
  it('publishes many events in one call and counts the fan-out', async () => {
    const b = await createHarness();
    try {
      await b.request('POST', '/v1/endpoints', { body: { url: receiver.url, eventTypes: ['batch.item'] } });
      const events = Array.from({ length: 50 }, (_, i) => ({ type: 'batch.item', data: { i }, ...(i === 0 ? { idempotencyKey: 'b-0' } : {}) }));
      const res = await b.request('POST', '/v1/events/batch', { body: { events } });
      expect(res.status).toBe(202);
      expect(res.body.data).toHaveLength(50);
      expect(res.body.deliveries).toBe(50);
      const again = await b.request('POST', '/v1/events/batch', { body: { events: [events[0], { type: 'batch.item', data: { other: true }, idempotencyKey: 'b-0' }] } });
      expect(again.body.data[0]).toMatchObject({ status: 200, replayed: true, id: res.body.data[0].id });
      expect(again.body.data[1]).toMatchObject({ status: 409, code: 'idempotency_conflict' });
    } finally {
      await b.close();
    }
  });

  it('is all-or-nothing on validation, listing every error with its index', async () => {
    const b = await createHarness();
    try {
      await b.request('PUT', '/v1/event-types/strict.item', { body: { schema: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } } });
      const res = await b.request('POST', '/v1/events/batch', { body: { events: [{ type: 'strict.item', data: { id: 1 } }, { type: 'strict.item', data: { id: 'x' } }, { type: 'strict.item', data: {} }] } });
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['/body/events/1/data/id', '/body/events/2/data/id']);
      const feed = await b.request('GET', '/v1/events');
      expect(feed.body.data).toEqual([]);
      const tooMany = await b.request('POST', '/v1/events/batch', { body: { events: Array.from({ length: 1001 }, () => ({ type: 'a', data: 1 })) } });
      expect([400, 413]).toContain(tooMany.status);
    } finally {
      await b.close();
    }
  });
});
