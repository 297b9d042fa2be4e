// Every API route gets bad input: malformed JSON, wrong types, unknown fields, oversized bodies, wrong
// content type, missing or wrong keys, another tenant's ids. Each must answer a precise
// problem+json error: never a 500, never a hang.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

let h: Harness;
let receiver: Receiver;
let endpointId: string;
let eventId: string;
let deliveryId: string;
let tenantKey: string;
let otherTenantEndpoint: string;

beforeAll(async () => {
  h = await createHarness({ maxBodyBytes: 4096 });
  receiver = await startReceiver();
  const ep = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'acme' } });
  endpointId = ep.body.id;
  const other = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'globex' } });
  otherTenantEndpoint = other.body.id;
  const evt = await h.request('POST', '/v1/events', { body: { type: 'chat.started', data: { chatId: 1 }, tenant: 'acme' } });
  eventId = evt.body.id;
  const dl = await h.request('GET', `/v1/events/${eventId}/deliveries`);
  deliveryId = dl.body.data[0].id;
  const key = await h.request('POST', '/v1/api-keys', { body: { name: 'globex', tenant: 'globex' } });
  tenantKey = key.body.key;
});

afterAll(async () => {
  await h.close();
  await receiver.close();
});

function expectProblem(res: { status: number; headers: Record<string, unknown>; body: any }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code, type: expect.stringContaining(code), title: expect.any(String), detail: expect.any(String) });
}

const bodyRoutes = (): Array<[string, string]> => [
  ['POST', '/v1/events'],
  ['POST', '/v1/endpoints'],
  ['PATCH', `/v1/endpoints/${endpointId}`],
  ['POST', `/v1/endpoints/${endpointId}/rotate-secret`],
  ['POST', `/v1/endpoints/${endpointId}/test`],
  ['POST', `/v1/endpoints/${endpointId}/recover`],
  ['PUT', '/v1/event-types/chat.started'],
  ['POST', '/v1/api-keys'],
];

const allRoutes = (): Array<[string, string]> => [
  ...bodyRoutes(),
  ['GET', '/v1/events'],
  ['GET', `/v1/events/${eventId}`],
  ['GET', `/v1/events/${eventId}/deliveries`],
  ['GET', '/v1/endpoints'],
  ['GET', `/v1/endpoints/${endpointId}`],
  ['DELETE', `/v1/endpoints/${otherTenantEndpoint}`],
  ['GET', `/v1/endpoints/${endpointId}/secret`],
  ['GET', `/v1/endpoints/${endpointId}/stats`],
  ['GET', '/v1/deliveries'],
  ['GET', `/v1/deliveries/${deliveryId}`],
  ['POST', `/v1/deliveries/${deliveryId}/retry`],
  ['GET', '/v1/event-types'],
  ['DELETE', '/v1/event-types/chat.started'],
  ['GET', '/v1/api-keys'],
  ['DELETE', '/v1/api-keys/key_x'],
];

describe('authentication on every /v1 route', () => {
  it('no key -> 401 unauthorized', async () => {
    for (const [method, url] of allRoutes()) expectProblem(await h.request(method, url, { key: null, body: {} }), 401, 'unauthorized');
  });
  it('wrong key -> 401 unauthorized', async () => {
    for (const [method, url] of allRoutes()) expectProblem(await h.request(method, url, { key: 'hk_wrong', body: {} }), 401, 'unauthorized');
  });
  it('a malformed Authorization header -> 401', async () => {
    const res = await h.request('GET', '/v1/endpoints', { key: null, headers: { authorization: 'Basic abc' } });
    expectProblem(res, 401, 'unauthorized');
  });
});

describe('malformed bodies', () => {
  it('malformed JSON -> 400 invalid_json naming line and column', async () => {
    for (const [method, url] of bodyRoutes()) {
      const res = await h.request(method, url, { rawBody: '{\n  "type": "x"\n  "data": 1\n}', headers: { 'content-type': 'application/json' } });
      expectProblem(res, 400, 'invalid_json');
      expect(res.body.detail).toContain('line 3, column 3');
      expect(res.body).toMatchObject({ line: 3, column: 3 });
    }
  });
  it('wrong content type -> 415', async () => {
    for (const [method, url] of bodyRoutes()) {
      expectProblem(await h.request(method, url, { rawBody: 'type=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
    }
  });
  it('oversized body -> 413', async () => {
    const big = JSON.stringify({ type: 'x', data: 'a'.repeat(10_000) });
    for (const [method, url] of bodyRoutes()) {
      expectProblem(await h.request(method, url, { rawBody: big, headers: { 'content-type': 'application/json' } }), 413, 'payload_too_large');
    }
  });
  it('unknown fields -> 400 validation_failed with the path', async () => {
    for (const [method, url] of bodyRoutes()) {
      const res = await h.request(method, url, { body: { bogusField: 1, url: receiver.url, type: 'a', data: {}, since: new Date().toISOString() } });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/body/bogusField' })]));
    }
  });
  it('empty body with a JSON content type -> 400 invalid_json', async () => {
    expectProblem(await h.request('POST', '/v1/events', { rawBody: '', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
  });
});

describe('wrong types and hostile values', () => {
  const cases: Array<[string, string, unknown, string]> = [
    ['POST', '/v1/events', { type: 123, data: {} }, '/body/type'],
    ['POST', '/v1/events', { type: 'bad type!', data: {} }, '/body/type'],
    ['POST', '/v1/events', { data: {} }, '/body/type'],
    ['POST', '/v1/events', { type: 'a', data: {}, tenant: 5 }, '/body/tenant'],
    ['POST', '/v1/events', { type: 'a', data: {}, idempotencyKey: '' }, '/body/idempotencyKey'],
    ['POST', '/v1/endpoints', { url: 42 }, '/body/url'],
    ['POST', '/v1/endpoints', { url: 'http://127.0.0.1/x', timeoutMs: '5000' }, '/body/timeoutMs'],
    ['POST', '/v1/endpoints', { url: 'http://127.0.0.1/x', timeoutMs: 999999 }, '/body/timeoutMs'],
    ['POST', '/v1/endpoints', { url: 'http://127.0.0.1/x', eventTypes: 'chat.started' }, '/body/eventTypes'],
    ['POST', '/v1/endpoints', { url: 'http://127.0.0.1/x', retrySchedule: [-1] }, '/body/retrySchedule/0'],
    ['POST', '/v1/endpoints', { url: 'http://127.0.0.1/x', payloadFormat: 'xml' }, '/body/payloadFormat'],
    ['POST', '/v1/endpoints', { url: 'http://127.0.0.1/x', headers: { 'bad header': 'x' } }, '/body/headers'],
    ['GET', '/v1/events?limit=0', undefined, '/querystring/limit'],
    ['GET', '/v1/events?limit=251', undefined, '/querystring/limit'],
    ['GET', '/v1/events?wait=31', undefined, '/querystring/wait'],
    ['GET', '/v1/deliveries?status=lost', undefined, '/querystring/status'],
    ['GET', '/v1/deliveries?since=yesterday', undefined, '/querystring/since'],
  ];
  it.each(cases)('%s %s %j -> 400 at %s', async (method, url, body, path) => {
    const res = await h.request(method, url, body === undefined ? {} : { body });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path).join(' ')).toContain(path);
  });

  it('a cursor that this server did not produce -> 400 invalid_cursor', async () => {
    expectProblem(await h.request('GET', '/v1/events?after=garbage'), 400, 'invalid_cursor');
  });

  it('reserved and CRLF-injected custom headers are refused', async () => {
    expectProblem(await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, headers: { 'webhook-signature': 'x' } } }), 400, 'validation_failed');
    expectProblem(await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, headers: { 'x-a': 'a\r\nx-b: b' } } }), 400, 'validation_failed');
  });

  it('hostile URLs are refused with a precise code', async () => {
    expectProblem(await h.request('POST', '/v1/endpoints', { body: { url: 'not a url' } }), 422, 'invalid_url');
    expectProblem(await h.request('POST', '/v1/endpoints', { body: { url: 'ftp://example.com/x' } }), 422, 'invalid_url');
    expectProblem(await h.request('POST', '/v1/endpoints', { body: { url: 'http://user:pw@127.0.0.1/x' } }), 422, 'invalid_url');
    expectProblem(await h.request('POST', '/v1/endpoints', { body: { url: 'http://169.254.169.254/latest' } }), 422, 'blocked_address');
  });

  it('unknown ids -> 404 not_found; unknown routes -> 404 route_not_found', async () => {
    expectProblem(await h.request('GET', '/v1/endpoints/ep_nope'), 404, 'not_found');
    expectProblem(await h.request('GET', '/v1/events/evt_nope'), 404, 'not_found');
    expectProblem(await h.request('GET', '/v1/deliveries/dlv_nope'), 404, 'not_found');
    expectProblem(await h.request('POST', '/v1/deliveries/dlv_nope/retry'), 404, 'not_found');
    expectProblem(await h.request('GET', '/v1/nothing-here'), 404, 'route_not_found');
    expectProblem(await h.request('GET', '/nothing', { key: null }), 404, 'route_not_found');
  });

  it('an over-long URL -> 414', async () => {
    expectProblem(await h.request('GET', `/v1/events?type=${'a'.repeat(9000)}`), 414, 'uri_too_long');
  });
});

describe('tenant isolation', () => {
  it("another tenant's ids answer 404 on every route, and lists hide them", async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', `/v1/endpoints/${endpointId}`],
      ['PATCH', `/v1/endpoints/${endpointId}`, { description: 'x' }],
      ['DELETE', `/v1/endpoints/${endpointId}`],
      ['GET', `/v1/endpoints/${endpointId}/secret`],
      ['POST', `/v1/endpoints/${endpointId}/rotate-secret`, {}],
      ['POST', `/v1/endpoints/${endpointId}/test`, {}],
      ['POST', `/v1/endpoints/${endpointId}/recover`, { since: new Date(0).toISOString() }],
      ['GET', `/v1/endpoints/${endpointId}/stats`],
      ['GET', `/v1/events/${eventId}`],
      ['GET', `/v1/events/${eventId}/deliveries`],
      ['GET', `/v1/deliveries/${deliveryId}`],
      ['POST', `/v1/deliveries/${deliveryId}/retry`],
    ];
    for (const [method, url, body] of routes) expectProblem(await h.request(method, url, { key: tenantKey, ...(body ? { body } : {}) }), 404, 'not_found');
    const list = await h.request('GET', '/v1/endpoints', { key: tenantKey });
    expect(list.body.data.map((e: { id: string }) => e.id)).toEqual([otherTenantEndpoint]);
    const feed = await h.request('GET', '/v1/events', { key: tenantKey });
    expect(feed.body.data).toEqual([]);
    const deliveries = await h.request('GET', '/v1/deliveries', { key: tenantKey });
    expect(deliveries.body.data).toEqual([]);
  });

  it('a tenant key cannot write into another tenant or use admin routes', async () => {
    expectProblem(await h.request('POST', '/v1/events', { key: tenantKey, body: { type: 'a', data: {}, tenant: 'acme' } }), 403, 'forbidden');
    expectProblem(await h.request('POST', '/v1/endpoints', { key: tenantKey, body: { url: receiver.url, tenant: 'acme' } }), 403, 'forbidden');
    expectProblem(await h.request('GET', '/v1/events?tenant=acme', { key: tenantKey }), 403, 'forbidden');
    expectProblem(await h.request('POST', '/v1/api-keys', { key: tenantKey, body: {} }), 403, 'forbidden');
    expectProblem(await h.request('GET', '/v1/api-keys', { key: tenantKey }), 403, 'forbidden');
    expectProblem(await h.request('PUT', '/v1/event-types/x.y', { key: tenantKey, body: {} }), 403, 'forbidden');
  });

  it("a tenant key's writes land in its tenant", async () => {
    const ep = await h.request('POST', '/v1/endpoints', { key: tenantKey, body: { url: receiver.url } });
    expect(ep.status).toBe(201);
    expect(ep.body.tenant).toBe('globex');
    const evt = await h.request('POST', '/v1/events', { key: tenantKey, body: { type: 'chat.started', data: {} } });
    expect(evt.status).toBe(202);
    expect(evt.body.tenant).toBe('globex');
  });
});
