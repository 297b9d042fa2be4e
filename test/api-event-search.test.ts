// Event search over the API (GET /v1/events filters, `match` containment), the deliveries' new
// filters, and the bad input each answers with a precise problem, never a 500.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let acmeKey: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await createHarness();
  const publish = async (name: string, body: Record<string, unknown>) => {
    const res = await h.request('POST', '/v1/events', { body });
    expect(res.status).toBe(202);
    ids[name] = res.body.id;
  };
  await publish('vip', { type: 'order.created', tenant: 'acme', data: { customer: { tier: 'vip', id: 'c1' }, total: 10 }, idempotencyKey: 'order-1' });
  await publish('basic', { type: 'order.paid', tenant: 'acme', data: { customer: { tier: 'basic' } } });
  await publish('globex', { type: 'order.created', tenant: 'globex', data: { customer: { tier: 'vip' } } });
  await publish('chat', { type: 'chat.started', data: { customer: { tier: 'vip' } } });
  const key = await h.request('POST', '/v1/api-keys', { body: { name: 'acme', tenant: 'acme' } });
  acmeKey = key.body.key;
});

afterAll(async () => {
  await h.close();
});

const search = (query: Record<string, string>, key?: string) => h.request('GET', `/v1/events?${new URLSearchParams(query).toString()}`, key === undefined ? {} : { key });
const idsOf = (res: { body: { data: Array<{ id: string }> } }) => res.body.data.map((e) => e.id);

function expectProblem(res: { status: number; headers: Record<string, unknown>; body: any }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code, detail: expect.any(String) });
}

describe('GET /v1/events search', () => {
  it('matches data by containment, URL-encoded JSON', async () => {
    const res = await search({ match: '{"customer":{"tier":"vip"}}' });
    expect(res.status).toBe(200);
    expect(idsOf(res)).toEqual([ids.vip, ids.globex, ids.chat]);
    // The data comes back exactly as published.
    expect(res.body.data[0].data).toEqual({ customer: { tier: 'vip', id: 'c1' }, total: 10 });
    expect(idsOf(await search({ match: '{"customer":{"tier":"vip"}}', tenant: 'acme' }))).toEqual([ids.vip]);
    expect(idsOf(await search({ match: '{"total":10.0}' }))).toEqual([ids.vip]);
  });

  it('filters by id, idempotency key, type prefix and time range', async () => {
    expect(idsOf(await search({ id: ids.basic! }))).toEqual([ids.basic]);
    expect(idsOf(await search({ idempotencyKey: 'order-1' }))).toEqual([ids.vip]);
    expect(idsOf(await search({ typePrefix: 'order.' }))).toEqual([ids.vip, ids.basic, ids.globex]);
    expect(idsOf(await search({ typePrefix: 'order.', tenant: 'globex' }))).toEqual([ids.globex]);
    expect(idsOf(await search({ since: '2000-01-01T00:00:00Z', until: '2001-01-01T00:00:00Z' }))).toEqual([]);
    expect(idsOf(await search({ since: '2000-01-01T00:00:00Z' }))).toHaveLength(4);
  });

  it('pages a search with the feed cursor', async () => {
    const first = await search({ typePrefix: 'order.', limit: '2' });
    expect(idsOf(first)).toEqual([ids.vip, ids.basic]);
    expect(first.body.done).toBe(false);
    const next = await search({ typePrefix: 'order.', limit: '2', after: first.body.nextCursor });
    expect(idsOf(next)).toEqual([ids.globex]);
    expect(next.body.done).toBe(true);
  });

  it('a tenant key searches only its tenant, and may not name another', async () => {
    expect(idsOf(await search({ match: '{"customer":{"tier":"vip"}}' }, acmeKey))).toEqual([ids.vip]);
    expect(idsOf(await search({ id: ids.globex! }, acmeKey))).toEqual([]);
    expectProblem(await search({ tenant: 'globex' }, acmeKey), 403, 'forbidden');
  });

  it.each([
    ['not JSON', '{customer:1}', /must be JSON/],
    ['an array', '["vip"]', /must be a JSON object/],
    ['a string', '"vip"', /must be a JSON object/],
    ['null', 'null', /must be a JSON object/],
    ['an infinite number', '{"n":1e999}', /finite/],
    ['a NUL escape', '{"s":"a\\u0000"}', /\\u0000/],
    ['a lone surrogate', '{"s":"\\ud800"}', /lone surrogates/],
    ['too deep', `${'{"a":'.repeat(20)}1${'}'.repeat(20)}`, /nest at most/],
    ['too many values', JSON.stringify({ a: Array.from({ length: 300 }, (_, i) => i) }), /at most 256 values/],
  ])('refuses a match that is %s with validation_failed', async (_name, match, detail) => {
    const res = await search({ match });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.detail).toMatch(detail);
    expect(res.body.errors).toEqual([{ path: '/query/match', message: expect.any(String) }]);
  });

  it('refuses a huge match, wrong types and bad dates as validation_failed', async () => {
    expectProblem(await search({ match: JSON.stringify({ k: 'x'.repeat(5000) }) }), 400, 'validation_failed');
    expectProblem(await search({ match: '' }), 400, 'validation_failed');
    expectProblem(await search({ typePrefix: '' }), 400, 'validation_failed');
    expectProblem(await search({ typePrefix: 'x'.repeat(200) }), 400, 'validation_failed');
    expectProblem(await search({ since: 'yesterday' }), 400, 'validation_failed');
    expectProblem(await search({ idempotencyKey: 'k'.repeat(300) }), 400, 'validation_failed');
    expectProblem(await search({ filter: 'type = "x"' }), 400, 'validation_failed');
    const repeated = await h.request('GET', '/v1/events?match=%7B%7D&match=%7B%7D');
    expect(repeated.status).toBe(400);
  });
});

describe('GET /v1/deliveries filters', () => {
  it('filters by tenant for an admin and refuses another tenant for a tenant key', async () => {
    await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/hook', tenant: 'acme' } });
    await h.request('POST', '/v1/events', { body: { type: 'x.y', tenant: 'acme', data: {} } });
    const acme = await h.request('GET', '/v1/deliveries?tenant=acme');
    expect(acme.status).toBe(200);
    expect(acme.body.data.length).toBeGreaterThan(0);
    expect(acme.body.data.every((d: { tenant: string }) => d.tenant === 'acme')).toBe(true);
    expect((await h.request('GET', '/v1/deliveries?tenant=globex')).body.data).toEqual([]);
    expectProblem(await h.request('GET', '/v1/deliveries?tenant=globex', { key: acmeKey }), 403, 'forbidden');
  });

  it('accepts httpStatus and code, refusing wrong types and unknown codes', async () => {
    const res = await h.request('GET', '/v1/deliveries?httpStatus=404&code=http_client_error');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expectProblem(await h.request('GET', '/v1/deliveries?httpStatus=abc'), 400, 'validation_failed');
    expectProblem(await h.request('GET', '/v1/deliveries?httpStatus=99'), 400, 'validation_failed');
    expectProblem(await h.request('GET', '/v1/deliveries?code=nope'), 400, 'validation_failed');
  });
});

describe('GET /v1/meta/recent-events search (the dashboard search box)', () => {
  const recent = (query: Record<string, string>) => h.request('GET', `/v1/meta/recent-events?${new URLSearchParams(query).toString()}`);

  it('searches newest first by match, id and idempotency key', async () => {
    const vip = await recent({ match: '{"customer":{"tier":"vip"}}' });
    expect(vip.status).toBe(200);
    expect(idsOf(vip)).toEqual([ids.chat, ids.globex, ids.vip]);
    expect(vip.body.data[0].deliveries).toMatchObject({ total: expect.any(Number) });
    expect(idsOf(await recent({ id: ids.basic! }))).toEqual([ids.basic]);
    expect(idsOf(await recent({ idempotencyKey: 'order-1' }))).toEqual([ids.vip]);
    expect(idsOf(await recent({ match: '{"customer":{"tier":"vip"}}', tenant: 'acme' }))).toEqual([ids.vip]);
  });

  it('answers a malformed match with the same problem as the API', async () => {
    const res = await recent({ match: '{"customer":' });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors).toEqual([{ path: '/query/match', message: expect.any(String) }]);
  });
});

describe('GET /v1/audit', () => {
  it('records the acting key by id and name; a tenant key sees only its tenant; bad filters are 400', async () => {
    const ops = await h.request('POST', '/v1/api-keys', { body: { name: 'ops-bot', tenant: 'acme' } });
    const made = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/a', auth: { type: 'bearer', token: 'tok-secret-1' } }, key: ops.body.key });
    expect(made.status).toBe(201);
    await h.request('PUT', '/v1/event-types/audit.other', { body: { description: 'admin-wide' } });
    const mine = await h.request('GET', '/v1/audit', { key: ops.body.key });
    expect(mine.status).toBe(200);
    expect(mine.body.data.every((r: { tenant: string }) => r.tenant === 'acme')).toBe(true);
    expect(mine.body.data[0]).toMatchObject({ action: 'endpoint.create', tenant: 'acme', actor: { kind: 'api_key', id: ops.body.id, name: 'ops-bot' }, requestId: made.headers['x-request-id'] });
    expect(JSON.stringify(mine.body.data[0].diff)).not.toContain('tok-secret-1');
    expectProblem(await h.request('GET', '/v1/audit?tenant=globex', { key: ops.body.key }), 403, 'forbidden');
    const all = await h.request('GET', '/v1/audit?action=event_type.put');
    expect(all.body.data[0]).toMatchObject({ action: 'event_type.put', target: 'audit.other', tenant: null });
    expectProblem(await h.request('GET', '/v1/audit?action=DROP%20TABLE'), 400, 'validation_failed');
    expectProblem(await h.request('GET', '/v1/audit?since=soon'), 400, 'validation_failed');
    expectProblem(await h.request('GET', '/v1/audit?cursor=forged'), 400, 'invalid_cursor');
  });
});

describe('dashboard assets', () => {
  it('serves the Audit log view', async () => {
    const res = await h.request('GET', '/views/audit.js', { key: null });
    expect(res.status).toBe(200);
    expect(res.text).toContain("'/v1/audit'");
  });
});
