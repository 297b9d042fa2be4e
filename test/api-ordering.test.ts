// Ordered delivery per key through the real runtime (dispatcher, HTTP receiver on loopback): keys in
// publish order and one at a time, a failing head blocks only its key, the blocked-key API (list,
// retry, skip, release) with tenant isolation, and precise problem+json for bad input.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';

let h: Harness;
let receiver: Receiver;
let ep: string;
let acmeEp: string;
let acmeKey: string;
const failing = new Set<string>();
const seen = new Map<string, number[]>();
const inFlight = new Map<string, number>();
let overlap = 0;

function expectProblem(res: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
}

beforeAll(async () => {
  h = await createHarness({});
  receiver = await startReceiver(async (req, res) => {
    const envelope = JSON.parse(req.body.toString('utf8')) as { data: { key: string; n: number } };
    const { key, n } = envelope.data;
    if ((inFlight.get(key) ?? 0) > 0) overlap += 1;
    inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 5));
    inFlight.set(key, inFlight.get(key)! - 1);
    if (failing.has(key)) {
      res.writeHead(500);
      res.end();
      return;
    }
    seen.set(key, [...(seen.get(key) ?? []), n]);
    res.writeHead(200);
    res.end('ok');
  });
  ep = (await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, retrySchedule: [0], eventTypes: ['order.step'], maxConcurrency: 20 } })).body.id;
  acmeEp = (await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'acme', retrySchedule: [0], eventTypes: ['acme.step'] } })).body.id;
  acmeKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme', tenant: 'acme' } })).body.key;
});
afterAll(async () => {
  await receiver?.close();
  await h?.close();
});

const publish = (key: string, n: number) => h.request('POST', '/v1/events', { body: { type: 'order.step', data: { key, n }, orderingKey: key } });

describe('ordered delivery per key', () => {
  it('delivers each key in publish order, one at a time; webhook-id and body bytes unchanged', async () => {
    const keys = ['a', 'b', 'c'];
    const batch = await h.request('POST', '/v1/events/batch', {
      body: { events: Array.from({ length: 30 }, (_, i) => ({ type: 'order.step', data: { key: keys[i % 3], n: Math.floor(i / 3) }, orderingKey: keys[i % 3] })) },
    });
    expect(batch.status).toBe(202);
    for (let n = 10; n < 15; n += 1) for (const key of keys) expect((await publish(key, n)).status).toBe(202);
    await eventually(async () => keys.every((k) => (seen.get(k)?.length ?? 0) === 15), 20_000, 50);
    for (const key of keys) expect(seen.get(key)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(overlap).toBe(0);
    const first = receiver.requests[0]!;
    const event = (await h.request('GET', `/v1/events/${first.headers['webhook-id']}`)).body;
    expect(JSON.parse(first.body.toString('utf8')).data).toEqual(event.data);
    const deliveries = (await h.request('GET', `/v1/deliveries?endpoint=${ep}&limit=5`)).body.data;
    expect(deliveries.every((d: { orderingKey: string }) => keys.includes(d.orderingKey))).toBe(true);
  }, 30_000);

  it('a failing head blocks only its key; retry, skip and release', async () => {
    failing.add('bad');
    for (let n = 0; n < 3; n += 1) await publish('bad', n);
    await publish('good', 0);
    const blocked = await eventually(async () => {
      const list = (await h.request('GET', `/v1/endpoints/${ep}/ordering/blocked`)).body.data;
      return list.length === 1 ? list : null;
    }, 10_000, 50);
    expect(blocked[0]).toMatchObject({ key: 'bad', waiting: 2, lastCode: 'http_server_error' });
    await eventually(async () => seen.get('good')?.length === 1);

    // retry while still failing: blocked again, nothing behind it went.
    expect((await h.request('POST', `/v1/endpoints/${ep}/ordering/retry`, { body: { key: 'bad' } })).status).toBe(200);
    await eventually(async () => {
      const d = (await h.request('GET', `/v1/deliveries/${blocked[0].deliveryId}`)).body;
      return d.attempts.length === 2 && d.orderingBlocked ? d : null;
    }, 10_000, 50);
    expect(seen.get('bad')).toBeUndefined();

    // skip: the head stays failed, the next ones go in order.
    failing.delete('bad');
    expect((await h.request('POST', `/v1/endpoints/${ep}/ordering/skip`, { body: { key: 'bad' } })).body).toMatchObject({ action: 'skip', deliveryId: blocked[0].deliveryId });
    await eventually(async () => seen.get('bad')?.length === 2, 10_000, 50);
    expect(seen.get('bad')).toEqual([1, 2]);
    expect((await h.request('GET', `/v1/endpoints/${ep}/ordering/blocked`)).body.data).toEqual([]);
    expectProblem(await h.request('POST', `/v1/endpoints/${ep}/ordering/skip`, { body: { key: 'bad' } }), 404, 'not_found');

    // release: a blocked key's backlog is cancelled.
    failing.add('gone');
    for (let n = 0; n < 3; n += 1) await publish('gone', n);
    await eventually(async () => (await h.request('GET', `/v1/endpoints/${ep}/ordering/blocked`)).body.data.length === 1, 10_000, 50);
    const released = await h.request('POST', `/v1/endpoints/${ep}/ordering/release`, { body: { key: 'gone' } });
    expect(released.body).toMatchObject({ action: 'release', cancelled: 2 });
    expect((await h.request('GET', `/v1/endpoints/${ep}/ordering/blocked`)).body.data).toEqual([]);
  }, 40_000);

  it('answers bad input, unknown endpoints and keys, and other tenants with problem+json', async () => {
    for (const orderingKey of [123, '', 'k'.repeat(257), 'a\u0001b', 'a\u007fb', { k: 1 }]) {
      const res = await h.request('POST', '/v1/events', { body: { type: 'order.step', data: {}, orderingKey } });
      expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(res.body.errors)).toContain('orderingKey');
    }
    const batch = await h.request('POST', '/v1/events/batch', { body: { events: [{ type: 'order.step', data: {} }, { type: 'order.step', data: {}, orderingKey: 'x\ny' }] } });
    // A batch lists every item's problem under one code (nothing is written), as for event types.
    expectProblem(batch, 422, 'schema_mismatch');
    expect(batch.body.errors[0].path).toBe('/body/events/1/orderingKey');
    expect((await h.request('POST', '/v1/events', { body: { type: 'order.step', data: { key: 'z', n: 0 }, orderingKey: null } })).status).toBe(202);

    expectProblem(await h.request('GET', '/v1/endpoints/ep_nope/ordering/blocked'), 404, 'not_found');
    expectProblem(await h.request('POST', '/v1/endpoints/ep_nope/ordering/retry', { body: { key: 'k' } }), 404, 'not_found');
    expectProblem(await h.request('POST', `/v1/endpoints/${ep}/ordering/retry`, { body: { key: 'never' } }), 404, 'not_found');
    expectProblem(await h.request('POST', `/v1/endpoints/${ep}/ordering/retry`, { body: {} }), 400, 'validation_failed');
    expectProblem(await h.request('POST', `/v1/endpoints/${ep}/ordering/retry`, { body: { key: 'a\u0000' } }), 400, 'validation_failed');
    expectProblem(await h.request('POST', `/v1/endpoints/${ep}/ordering/skip`, { body: { key: 'k'.repeat(300) } }), 400, 'validation_failed');
    expectProblem(await h.request('POST', `/v1/endpoints/${ep}/ordering/release`, { rawBody: '{"key":', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
    expectProblem(await h.request('GET', `/v1/endpoints/${ep}/ordering/blocked?limit=0`), 400, 'validation_failed');
    expectProblem(await h.request('GET', `/v1/endpoints/${ep}/ordering/blocked?cursor=garbage`), 400, 'invalid_cursor');
    expectProblem(await h.request('GET', `/v1/endpoints/${ep}/ordering/blocked`, { key: null }), 401, 'unauthorized');
    // A tenant key sees its own endpoint, never another tenant's.
    expect((await h.request('GET', `/v1/endpoints/${acmeEp}/ordering/blocked`, { key: acmeKey })).status).toBe(200);
    expectProblem(await h.request('GET', `/v1/endpoints/${ep}/ordering/blocked`, { key: acmeKey }), 404, 'not_found');
    expectProblem(await h.request('POST', `/v1/endpoints/${ep}/ordering/release`, { key: acmeKey, body: { key: 'a' } }), 404, 'not_found');

    // The endpoint setting: validated, stored, shown.
    expectProblem(await h.request('PATCH', `/v1/endpoints/${ep}`, { body: { ordering: { onExhausted: 'never' } } }), 400, 'validation_failed');
    expect((await h.request('PATCH', `/v1/endpoints/${ep}`, { body: { ordering: { onExhausted: 'skip' } } })).body.ordering).toEqual({ onExhausted: 'skip' });
    expect((await h.request('GET', `/v1/endpoints/${acmeEp}`)).body.ordering).toEqual({ onExhausted: 'block' });
  });
});
