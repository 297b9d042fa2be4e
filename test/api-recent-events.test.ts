// The dashboard's event log route (GET /v1/meta/recent-events): type filters with prefixes and
// exclusions, hiding hookd's operational events, bad filters as precise problem+json, and tenants
// kept apart.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';

let h: Harness;
let acmeKey: string;

const types = (res: { body: { data: Array<{ type: string }> } }) => res.body.data.map((e) => e.type).sort();
function expectProblem(res: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
}

beforeAll(async () => {
  h = await createHarness({});
  for (const type of ['chat.started', 'chat.ended', 'chat.message.sent', 'payment.completed']) {
    expect((await h.request('POST', '/v1/events', { body: { type, data: {} } })).status).toBe(202);
  }
  expect((await h.request('POST', '/v1/events', { body: { type: 'chat.started', tenant: 'acme', data: {} } })).status).toBe(202);
  expect((await h.request('POST', '/v1/events', { body: { type: 'chat.started', tenant: 'globex', data: {} } })).status).toBe(202);
  // A real operational event: re-enabling a disabled endpoint publishes endpoint.recovered.
  const ep = (await h.request('POST', '/v1/endpoints', { body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['none.yet'] } })).body.id;
  expect((await h.request('PATCH', `/v1/endpoints/${ep}`, { body: { enabled: false } })).status).toBe(200);
  expect((await h.request('PATCH', `/v1/endpoints/${ep}`, { body: { enabled: true } })).status).toBe(200);
  acmeKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme', tenant: 'acme' } })).body.key;
});
afterAll(async () => h?.close());

describe('GET /v1/meta/recent-events type filters', () => {
  it('shows operational events unless asked to hide them', async () => {
    const all = await h.request('GET', '/v1/meta/recent-events?tenant=-');
    expect(types(all)).toContain('endpoint.recovered');
    const hidden = await h.request('GET', '/v1/meta/recent-events?tenant=-&operational=hide');
    expect(types(hidden)).toEqual(['chat.ended', 'chat.message.sent', 'chat.started', 'payment.completed']);
    // Asking for it by name while hiding operational events still hides it: the toggle wins.
    expect(types(await h.request('GET', '/v1/meta/recent-events?tenant=-&operational=hide&type=endpoint.*'))).toEqual([]);
    expect(types(await h.request('GET', '/v1/meta/recent-events?tenant=-&type=endpoint.*'))).toEqual(['endpoint.recovered']);
  });

  it('takes prefixes, exact types and exclusions', async () => {
    const q = (type: string) => h.request('GET', `/v1/meta/recent-events?tenant=-&type=${encodeURIComponent(type)}`);
    expect(types(await q('chat.*'))).toEqual(['chat.ended', 'chat.message.sent', 'chat.started']);
    expect(types(await q('chat.*,-chat.ended'))).toEqual(['chat.message.sent', 'chat.started']);
    expect(types(await q('-chat.* -endpoint.*'))).toEqual(['payment.completed']);
    expect(types(await q('chat.started'))).toEqual(['chat.started']);
    expect(types(await q('chat.started payment.completed'))).toEqual(['chat.started', 'payment.completed']);
  });

  it('refuses a malformed filter with 400 validation_failed naming the term', async () => {
    const res = await h.request('GET', `/v1/meta/recent-events?type=${encodeURIComponent('chat.*.x')}`);
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.detail).toContain('"chat.*.x"');
    expect(res.body.errors).toEqual([{ path: '/querystring/type', message: expect.stringContaining('chat.*.x') }]);
    expectProblem(await h.request('GET', '/v1/meta/recent-events?operational=maybe'), 400, 'validation_failed');
    expectProblem(await h.request('GET', `/v1/meta/recent-events?type=${'a'.repeat(1025)}`), 400, 'validation_failed');
  });

  it('needs a key, and a tenant key sees only its own tenant', async () => {
    expectProblem(await h.request('GET', '/v1/meta/recent-events', { key: null }), 401, 'unauthorized');
    const own = await h.request('GET', '/v1/meta/recent-events?type=chat.*', { key: acmeKey });
    expect(own.status).toBe(200);
    expect(own.body.data.map((e: { tenant: string }) => e.tenant)).toEqual(['acme']);
    expectProblem(await h.request('GET', '/v1/meta/recent-events?tenant=globex', { key: acmeKey }), 403, 'forbidden');
  });
});
