// Issue: security round two, items 8 (what a user published is kept or refused, never silently
// changed), 9 (text a store cannot hold is refused at the edge; a group commit isolates its bad item,
// on PostgreSQL with concurrent victims) and 10 (415 for non-JSON bodies, invalid_cursor on lists).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './faults/support/postgres.js';
import { createHarness, type Harness } from './helpers/harness.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

function expectProblem(res: { status: number; headers: Record<string, unknown>; body: any }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code });
}

for (const storeName of ['sqlite', 'postgres'] as const) {
  describe(`${storeName}`, () => {
    let h: Harness;
    let receiver: Receiver;
    const schema = freshSchema('hookd_text');

    beforeAll(async () => {
      h = await createHarness(storeName === 'postgres' ? { env: { DATABASE_URL: schemaUrl(SHARED_URL, schema) } } : {});
      receiver = await startReceiver();
    });

    afterAll(async () => {
      await h.close();
      await receiver.close();
      if (storeName === 'postgres') await dropSchema(schema);
    });

    describe('numbers are delivered as written', () => {
      it('2^53+1, 1e400 and 1.50 reach the endpoint, the feed and GET /v1/events/{id} unchanged', async () => {
        const ep = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, eventTypes: ['numbers.kept'] } });
        expect(ep.status).toBe(201);
        const raw = '{"type":"numbers.kept","data":{ "id": 9007199254740993, "huge": 1e400, "price": 1.50, "tiny": 1e-400 }}';
        const res = await h.request('POST', '/v1/events', { rawBody: raw, headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(202);
        const [got] = await receiver.waitFor(1);
        const body = got!.body.toString('utf8');
        expect(body).toContain('"data":{"id":9007199254740993,"huge":1e400,"price":1.50,"tiny":1e-400}');

        const one = await h.request('GET', `/v1/events/${res.body.id}`);
        expect(one.status).toBe(200);
        expect(one.text).toContain('"data":{"id":9007199254740993,"huge":1e400,"price":1.50,"tiny":1e-400}');
        const feed = await h.request('GET', '/v1/events?type=numbers.kept');
        expect(feed.text).toContain('"id":9007199254740993');
        // The dashboard's event log shows the same text.
        const log = await h.request('GET', '/v1/meta/recent-events?type=numbers.kept');
        expect(log.status).toBe(200);
        expect(log.text).toContain('"data":{"id":9007199254740993,"huge":1e400,"price":1.50,"tiny":1e-400}');
      });

      it('a batch keeps each item as written', async () => {
        const raw = '{"events":[{"type":"numbers.batch","data":{"n":12345678901234567890}},{"type":"numbers.batch","data":[1.0, 2e5]}]}';
        const res = await h.request('POST', '/v1/events/batch', { rawBody: raw, headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(202);
        const feed = await h.request('GET', '/v1/events?type=numbers.batch');
        expect(feed.text).toContain('"data":{"n":12345678901234567890}');
        expect(feed.text).toContain('"data":[1.0,2e5]');
      });

      it('invalid UTF-8 in a publish is refused with its position', async () => {
        const bytes = Buffer.concat([Buffer.from('{"type":"a.b",\n"data":{"s":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
        const res = await h.request('POST', '/v1/events', { rawBody: bytes, headers: { 'content-type': 'application/json' } });
        expectProblem(res, 400, 'invalid_json');
        expect(res.body.detail).toContain('not valid UTF-8');
        expect(res.body).toMatchObject({ line: 2, column: 14 });
      });
    });

    describe('U+0000 is refused at the edge on every field', () => {
      it('in ids in paths, filters, names, descriptions and keys: 400 naming the field, never 500', async () => {
        const cases: Array<[string, string, unknown, string]> = [
          ['GET', '/v1/endpoints/ep_%00x', undefined, '/params/id'],
          ['GET', '/v1/events/evt_%00', undefined, '/params/id'],
          ['GET', '/v1/deliveries?type=a%00b', undefined, '/query/type'],
          ['GET', '/v1/events?type=a%00', undefined, '/query/type'],
          ['GET', '/v1/event-types/a%00', undefined, '/params/name'],
          ['DELETE', '/v1/api-keys/key_%00', undefined, '/params/id'],
          ['POST', '/v1/events', { type: 'nul.test', data: {}, idempotencyKey: 'k\u0000' }, '/body/idempotencyKey'],
          ['POST', '/v1/endpoints', { url: receiver.url, description: 'd\u0000' }, '/body/description'],
          ['PUT', '/v1/event-types/nul.test', { description: 'x\u0000' }, '/body/description'],
          ['PUT', '/v1/event-types/nul.test', { schema: { type: 'object', properties: { ['a\u0000']: {} } } }, '/body/schema/properties/a\u0000'],
          ['PUT', '/v1/event-types/nul.test', { example: { s: '\u0000' } }, '/body/example/s'],
          ['POST', '/v1/api-keys', { name: 'n\u0000' }, '/body/name'],
          ['POST', '/v1/sources', { name: 's\u0000', verify: { scheme: 'none' } }, '/body/name'],
          ['POST', '/v1/events/batch', { events: [{ type: 'nul.test', data: {}, idempotencyKey: '\u0000' }] }, '/body/events/0/idempotencyKey'],
        ];
        for (const [method, url, body, path] of cases) {
          const res = await h.request(method, url, body === undefined ? {} : { body });
          expect(res.status, `${method} ${url}`).toBe(400);
          expect(res.body.code).toBe('validation_failed');
          expect(res.body.errors[0].path, `${method} ${url}`).toBe(path);
        }
      });

      it('event data may hold U+0000: it is stored as JSON text', async () => {
        const res = await h.request('POST', '/v1/events', { body: { type: 'nul.data', data: { s: 'a\u0000b' } } });
        expect(res.status).toBe(202);
        const back = await h.request('GET', `/v1/events/${res.body.id}`);
        expect(back.body.data).toEqual({ s: 'a\u0000b' });
      });

      it('an attacker sending NUL keys does not fail 100 concurrent publishes of other tenants', async () => {
        const attacks = Array.from({ length: 20 }, (_, i) => h.request('POST', '/v1/events', { body: { type: 'nul.attack', data: {}, idempotencyKey: `bad\u0000${i}`, tenant: 'mallory' } }));
        const victims = Array.from({ length: 100 }, (_, i) => h.request('POST', '/v1/events', { body: { type: 'nul.victim', data: { i }, tenant: `victim-${i % 7}` } }));
        const [a, v] = await Promise.all([Promise.all(attacks), Promise.all(victims)]);
        expect(a.map((r) => r.status)).toEqual(a.map(() => 400));
        expect(v.map((r) => r.status)).toEqual(v.map(() => 202));
      });

      it('a group commit isolates an item the store refuses: only its caller sees the error', async () => {
        // Around the API's edge check, straight into the publisher, as a future field might.
        const publish = (i: number, key: string | null) => h.runtime.publisher.publish({ type: 'group.isolation', data: { i }, tenant: `t${i % 5}`, idempotencyKey: key });
        const victims = Array.from({ length: 100 }, (_, i) => publish(i, `victim-${i}`));
        const bad = [publish(1000, 'bad\u0000key'), publish(1001, 'x'.repeat(10) + '\u0000')];
        const victimResults = await Promise.allSettled(victims);
        const badResults = await Promise.allSettled(bad);
        expect(victimResults.filter((r) => r.status === 'rejected')).toEqual([]);
        if (storeName === 'postgres') {
          // PostgreSQL text cannot hold U+0000: those two fail, alone.
          expect(badResults.map((r) => r.status)).toEqual(['rejected', 'rejected']);
        } else {
          expect(badResults.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
        }
        const feed = await h.request('GET', '/v1/events?type=group.isolation&limit=250');
        expect(feed.body.data.length).toBe(storeName === 'postgres' ? 100 : 102);
      });
    });

    describe('contract: 415 and invalid_cursor', () => {
      it('a JSON body sent as text/plain (or another type) answers 415', async () => {
        for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'application/xml']) {
          const res = await h.request('POST', '/v1/events', { rawBody: '{"type":"a.b","data":{}}', headers: { 'content-type': type } });
          expectProblem(res, 415, 'unsupported_media_type');
        }
      });

      it('every list route refuses a cursor it never issued, and accepts its own', async () => {
        await h.request('POST', '/v1/endpoints', { body: { url: receiver.url } });
        await h.request('POST', '/v1/endpoints', { body: { url: receiver.url } });
        const src = await h.request('POST', '/v1/sources', { body: { name: 'cursor-src', verify: { scheme: 'none' } } });
        const evt = await h.request('POST', '/v1/events', { body: { type: 'cursor.test', data: {} } });
        const lists = ['/v1/endpoints', '/v1/deliveries', `/v1/events/${evt.body.id}/deliveries`, '/v1/event-types', '/v1/api-keys', '/v1/sources', `/v1/sources/${src.body.id}/requests`];
        const sep = (url: string) => (url.includes('?') ? '&' : '?');
        for (const list of lists) {
          for (const bogus of ['bogus', 'ZXBfMDAx', 'abc.def', '']) {
            const res = await h.request('GET', `${list}${sep(list)}cursor=${encodeURIComponent(bogus)}`);
            if (bogus === '') expect(res.status, list).toBe(200);
            else expectProblem(res, 400, 'invalid_cursor');
          }
        }
        // A real cursor works, and one list's cursor is not accepted by another.
        const first = await h.request('GET', '/v1/endpoints?limit=1');
        expect(first.body.nextCursor).toEqual(expect.any(String));
        const second = await h.request('GET', `/v1/endpoints?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
        expect(second.status).toBe(200);
        expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
        expectProblem(await h.request('GET', `/v1/sources?cursor=${encodeURIComponent(first.body.nextCursor)}`), 400, 'invalid_cursor');
      });
    });
  });
}
