// Content filters: the evaluator and validator (pure), then over the API: checked when an endpoint is
// saved (errors by path), applied at fan-out (a filtered-out event has no delivery row), and
// POST /v1/filters/test answering match and why not. Fan-out on both stores is in the conformance
// suite (src/store/conformance/filters-suite.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateFilter, validateFilter } from '../src/core/event-filter.js';
import { createHarness, type Harness } from './helpers/harness.js';

const chat = { type: 'chat.started', tenant: 'acme', data: { channel: 'web', customer: { tier: 'vip', score: 87, tags: ['returning', 'de'] }, items: [{ sku: 'A-1' }] } };

describe('filter evaluator', () => {
  it.each([
    [{ type: 'chat.started' }, true],
    [{ 'data.customer.tier': 'vip' }, true],
    [{ 'data.customer.tier': { $ne: 'vip' } }, false],
    [{ 'data.customer.tier': { $in: ['gold', 'vip'] } }, true],
    [{ 'data.customer.tier': { $nin: ['gold', 'vip'] } }, false],
    [{ 'data.customer.score': { $gt: 80, $lte: 87 } }, true],
    [{ 'data.customer.score': { $lt: 50 } }, false],
    [{ 'data.customer.score': { $gt: '80' } }, false],
    [{ 'data.customer.tags': 'de' }, true],
    [{ 'data.items.0.sku': 'A-1' }, true],
    [{ 'data.customer.email': { $exists: false } }, true],
    [{ 'data.customer.email': { $exists: true } }, false],
    [{ type: { $regex: '^chat\\.' } }, true],
    [{ tenant: { $regex: '^glob' } }, false],
    [{ $or: [{ 'data.channel': 'email' }, { 'data.customer.tier': 'vip' }] }, true],
    [{ $and: [{ 'data.channel': 'web' }, { $not: { 'data.customer.tier': 'vip' } }] }, false],
    [{ data: { $exists: true }, 'data.customer': { tier: 'vip', score: 87, tags: ['returning', 'de'] } }, true],
    [{ 'data.missing.deep.path': { $ne: 1 } }, true],
  ])('%j -> %s', (filter, expected) => {
    expect(validateFilter(filter)).toEqual([]);
    expect(evaluateFilter(filter, chat).match).toBe(expected);
  });

  it('says why an event did not match, condition by condition', () => {
    const verdict = evaluateFilter({ 'data.customer.tier': 'gold', 'data.channel': { $in: ['phone'] } }, chat);
    expect(verdict.match).toBe(false);
    expect(verdict.reasons).toEqual([
      'data.customer.tier is "vip", which fails $eq "gold"',
      'data.channel is "web", which fails $in ["phone"]',
    ]);
    expect(evaluateFilter({ 'data.nope': 1 }, chat).reasons).toEqual(['data.nope is missing, which fails $eq 1']);
  });

  it('reports every problem by path', () => {
    const errors = validateFilter(
      {
        'data.a': { $gte: [1], $regex: '(a)\\1', $bogus: 1, $exists: 'yes' },
        customer: 1,
        'type.sub': 'x',
        $or: [],
        $and: [{ 'data.b': { $in: 'x' } }],
        $where: 'sleep()',
      },
      '/body/filter',
    );
    expect(errors.map((e) => e.path)).toEqual([
      '/body/filter/data.a/$gte',
      '/body/filter/data.a/$regex',
      '/body/filter/data.a/$bogus',
      '/body/filter/data.a/$exists',
      '/body/filter/customer',
      '/body/filter/type.sub',
      '/body/filter/$or',
      '/body/filter/$and/0/data.b/$in',
      '/body/filter/$where',
    ]);
    expect(validateFilter([1])).toEqual([{ path: '', message: 'must be an object' }]);
    let deep: Record<string, unknown> = { type: 'x' };
    for (let i = 0; i < 10; i++) deep = { $not: deep };
    expect(validateFilter(deep)[0]?.message).toMatch(/nests deeper/);
  });

  it('runs a hostile $regex in linear time (RE2), never backtracking', () => {
    const filter = { 'data.s': { $regex: '^(a+)+$' } };
    expect(validateFilter(filter)).toEqual([]);
    const started = performance.now();
    expect(evaluateFilter(filter, { type: 't', tenant: null, data: { s: `${'a'.repeat(5000)}!` } }).match).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('filters over the API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses an invalid filter on create and update with problem+json errors by path', async () => {
    const bad = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/x', filter: { 'data.tier': { $regex: '(?=x)' }, nope: 1 } } });
    expect(bad.status).toBe(422);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.body.code).toBe('invalid_filter');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['/body/filter/data.tier/$regex', '/body/filter/nope']);
    const wrongType = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/x', filter: 'type = chat' } });
    expect(wrongType.status).toBe(400);
    const created = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/x', filter: { type: 'chat.started' } } });
    expect(created.status).toBe(201);
    expect(created.body.filter).toEqual({ type: 'chat.started' });
    const patched = await h.request('PATCH', `/v1/endpoints/${created.body.id}`, { body: { filter: { $or: 'x' } } });
    expect(patched.status).toBe(422);
    expect(patched.body.errors[0].path).toBe('/body/filter/$or');
    const cleared = await h.request('PATCH', `/v1/endpoints/${created.body.id}`, { body: { filter: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.filter).toBeNull();
    await h.request('DELETE', `/v1/endpoints/${created.body.id}`);
  });

  it('creates no delivery row for an event the filter rejects ("only chats from VIP customers")', async () => {
    const vip = await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/vip', enabled: false, filter: { type: 'chat.started', 'data.customer.tier': 'vip' } } });
    // Enabled after creation with no receiver needed: deliveries are counted, not sent (port 9 refuses).
    await h.request('PATCH', `/v1/endpoints/${vip.body.id}`, { body: { enabled: true } });
    const gold = await h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { customer: { tier: 'gold' } } } });
    const vipChat = await h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { customer: { tier: 'vip' } } } });
    expect(gold.status).toBe(202);
    const goldDeliveries = await h.request('GET', `/v1/deliveries?event=${gold.body.id}&endpoint=${vip.body.id}`);
    const vipDeliveries = await h.request('GET', `/v1/deliveries?event=${vipChat.body.id}&endpoint=${vip.body.id}`);
    expect(goldDeliveries.body.data).toHaveLength(0);
    expect(vipDeliveries.body.data).toHaveLength(1);
    await h.request('DELETE', `/v1/endpoints/${vip.body.id}`);
  });

  it('POST /v1/filters/test answers match and why not', async () => {
    const yes = await h.request('POST', '/v1/filters/test', { body: { filter: { 'data.customer.tier': 'vip' }, event: { type: 'chat.started', data: { customer: { tier: 'vip' } } } } });
    expect(yes.status).toBe(200);
    expect(yes.body).toEqual({ match: true, reasons: [] });
    const no = await h.request('POST', '/v1/filters/test', { body: { filter: { 'data.customer.tier': 'vip', tenant: 'acme' }, event: { type: 'chat.started', tenant: 'globex', data: { customer: { tier: 'gold' } } } } });
    expect(no.body.match).toBe(false);
    expect(no.body.reasons).toEqual(['data.customer.tier is "gold", which fails $eq "vip"', 'tenant is "globex", which fails $eq "acme"']);
  });

  it('answers bad filter-test input with precise problem+json, never a 500', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ filter: { 'data.x': { $bad: 1 } }, event: { type: 'a' } }, 422, 'invalid_filter'],
      [{ filter: {}, event: {} }, 400, 'validation_failed'],
      [{ filter: [], event: { type: 'a' } }, 400, 'validation_failed'],
      [{ event: { type: 'a' } }, 400, 'validation_failed'],
      [{ filter: {}, event: { type: 'a' }, extra: 1 }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await h.request('POST', '/v1/filters/test', { body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.code).toBe(code);
    }
    const malformed = await h.request('POST', '/v1/filters/test', { rawBody: '{"filter":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('invalid_json');
    const noAuth = await h.request('POST', '/v1/filters/test', { body: { filter: {}, event: { type: 'a' } }, key: null });
    expect(noAuth.status).toBe(401);
    const huge = await h.request('POST', '/v1/filters/test', { body: { filter: { 'data.x': { $in: Array.from({ length: 300 }, (_, i) => i) } }, event: { type: 'a' } } });
    expect(huge.status).toBe(422);
  });
});
