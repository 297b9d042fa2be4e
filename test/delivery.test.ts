// End-to-end delivery against real HTTP receivers on loopback: the wire format verified by the
// official standardwebhooks and svix libraries, retries, redirects, Retry-After, 410, timeouts, caps,
// operational events, rotation, manual retry, recover, isolation and graceful shutdown.

import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';

let h: Harness;
const receivers: Receiver[] = [];
let clockOffset = 0;

beforeAll(async () => {
  h = await createHarness({}, { now: () => Date.now() + clockOffset });
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

async function endpoint(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const res = await h.request('POST', '/v1/endpoints', { body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function publish(type: string, data: unknown, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/v1/events', { body: { type, data, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id;
}

async function deliveryOf(eventId: string, endpointId: string): Promise<any> {
  const list = await h.request('GET', `/v1/deliveries?event=${eventId}&endpoint=${endpointId}`);
  const d = list.body.data[0];
  return d ? (await h.request('GET', `/v1/deliveries/${d.id}`)).body : null;
}

async function settled(eventId: string, endpointId: string, status: string, timeoutMs = 10_000): Promise<any> {
  return eventually(async () => {
    const d = await deliveryOf(eventId, endpointId);
    return d && d.status === status ? d : null;
  }, timeoutMs);
}

describe('wire format', () => {
  it('delivers a signed request that standardwebhooks and svix both accept, and logs the attempt', async () => {
    const r = await receiver();
    const ep = await endpoint({ url: r.url, eventTypes: ['chat.started'], headers: { 'x-team': 'support' }, auth: { type: 'bearer', token: 'crm-token-123' } });
    const eventId = await publish('chat.started', { chatId: 'c-1', customer: { name: 'Ada', vip: true } });
    const [req] = await r.waitFor(1);
    expect(req!.method).toBe('POST');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toMatch(/^hookd\//);
    expect(req!.headers['webhook-id']).toBe(eventId);
    expect(req!.headers['x-team']).toBe('support');
    expect(req!.headers.authorization).toBe('Bearer crm-token-123');
    const body = req!.body.toString('utf8');
    const parsed = JSON.parse(body);
    expect(parsed).toEqual({ type: 'chat.started', timestamp: expect.any(String), data: { chatId: 'c-1', customer: { name: 'Ada', vip: true } } });
    expect(Math.abs(Number(req!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(10);
    // The official verifiers accept it, over the exact bytes.
    expect(new StandardWebhook(ep.secret).verify(body, req!.headers)).toEqual(parsed);
    expect(new SvixWebhook(ep.secret).verify(body, req!.headers)).toEqual(parsed);
    const svixHeaders = { 'svix-id': req!.headers['webhook-id']!, 'svix-timestamp': req!.headers['webhook-timestamp']!, 'svix-signature': req!.headers['webhook-signature']! };
    expect(new SvixWebhook(ep.secret).verify(body, svixHeaders)).toEqual(parsed);
    // A tampered body is refused by the same verifier: the test can fail.
    expect(() => new StandardWebhook(ep.secret).verify(body.replace('Ada', 'Eve'), req!.headers)).toThrow();

    const d = await settled(eventId, ep.id, 'succeeded');
    expect(d.attempts).toHaveLength(1);
    const a = d.attempts[0];
    expect(a).toMatchObject({ responseStatus: 200, code: 'ok', outcome: 'success', response: { body: '{"ok":true}' } });
    expect(a.durationMs).toBeGreaterThanOrEqual(0);
    expect(a.request.headers.authorization).toBe('[redacted]');
    expect(a.request.headers['webhook-id']).toBe(eventId);
    expect(JSON.stringify(d)).not.toContain('crm-token-123');
  });

  it('payloadFormat raw sends the data alone', async () => {
    const r = await receiver();
    await endpoint({ url: r.url, eventTypes: ['raw.kind'], payloadFormat: 'raw' });
    await publish('raw.kind', { a: [1, 2, 3] });
    const [req] = await r.waitFor(1);
    expect(req!.body.toString()).toBe('{"a":[1,2,3]}');
  });
});

describe('retries', () => {
  it('retries with the same webhook-id and byte-identical body until a 2xx', async () => {
    let calls = 0;
    const r = await receiver((_req, res) => {
      calls++;
      res.writeHead(calls < 3 ? 500 : 200).end(calls < 3 ? 'boom' : 'ok');
    });
    const ep = await endpoint({ url: r.url, eventTypes: ['retry.me'], retrySchedule: [0, 1, 1, 1] });
    const eventId = await publish('retry.me', { n: 1 });
    const reqs = await r.waitFor(3, 15_000);
    expect(new Set(reqs.map((q) => q.headers['webhook-id']))).toEqual(new Set([eventId]));
    expect(reqs[1]!.body.equals(reqs[0]!.body)).toBe(true);
    expect(reqs[2]!.body.equals(reqs[0]!.body)).toBe(true);
    expect(reqs[1]!.at - reqs[0]!.at).toBeGreaterThanOrEqual(700);
    const d = await settled(eventId, ep.id, 'succeeded');
    expect(d.attempts.map((a: { code: string }) => a.code).sort()).toEqual(['http_server_error', 'http_server_error', 'ok']);
    expect(d.attempts.find((a: { code: string }) => a.code === 'http_server_error').response.body).toBe('boom');
  });

  it('never follows a redirect: 3xx is a failure', async () => {
    const target = await receiver();
    const r = await receiver((_req, res) => res.writeHead(301, { location: target.url }).end());
    const ep = await endpoint({ url: r.url, eventTypes: ['redirect.me'], retrySchedule: [0] });
    const eventId = await publish('redirect.me', {});
    const d = await settled(eventId, ep.id, 'failed');
    expect(d.attempts[0]).toMatchObject({ code: 'http_redirect', responseStatus: 301 });
    expect(target.requests).toHaveLength(0);
  });

  it('honours Retry-After on 429', async () => {
    let calls = 0;
    const r = await receiver((_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { 'retry-after': '2' }).end();
      else res.writeHead(204).end();
    });
    const ep = await endpoint({ url: r.url, eventTypes: ['throttle.me'], retrySchedule: [0, 1, 1] });
    const eventId = await publish('throttle.me', {});
    const reqs = await r.waitFor(2, 15_000);
    expect(reqs[1]!.at - reqs[0]!.at).toBeGreaterThanOrEqual(1900);
    const d = await settled(eventId, ep.id, 'succeeded');
    expect(d.attempts.map((a: { code: string }) => a.code)).toContain('http_rate_limited');
  });

  it('exhausts the schedule, ends failed, and emits delivery.exhausted to endpoints that ask for it', async () => {
    const ops = await receiver();
    await endpoint({ url: ops.url, eventTypes: ['delivery.exhausted'] });
    const r = await receiver((_req, res) => res.writeHead(500).end());
    const ep = await endpoint({ url: r.url, eventTypes: ['exhaust.me'], retrySchedule: [0, 1] });
    const eventId = await publish('exhaust.me', {});
    const d = await settled(eventId, ep.id, 'failed', 15_000);
    expect(d.attempts).toHaveLength(2);
    const [op] = await ops.waitFor(1);
    const opBody = JSON.parse(op!.body.toString());
    expect(opBody).toMatchObject({ type: 'delivery.exhausted', data: { deliveryId: d.id, eventId, endpointId: ep.id, lastCode: 'http_server_error' } });
  });

  it('times out a receiver that never answers', async () => {
    const r = await receiver(() => undefined);
    const ep = await endpoint({ url: r.url, eventTypes: ['slow.me'], timeoutMs: 1000, retrySchedule: [0] });
    const eventId = await publish('slow.me', {});
    const d = await settled(eventId, ep.id, 'failed', 10_000);
    expect(d.attempts[0]).toMatchObject({ code: 'timeout', responseStatus: null });
    expect(d.attempts[0].durationMs).toBeGreaterThanOrEqual(900);
    expect(d.attempts[0].durationMs).toBeLessThan(5000);
  });

  it('caps the stored response body at 16 KiB', async () => {
    const r = await receiver((_req, res) => res.writeHead(200).end('x'.repeat(100_000)));
    const ep = await endpoint({ url: r.url, eventTypes: ['big.reply'] });
    const eventId = await publish('big.reply', {});
    const d = await settled(eventId, ep.id, 'succeeded');
    expect(d.attempts[0].response.body.length).toBeLessThanOrEqual(16 * 1024);
    expect(d.attempts[0].response.body.length).toBeGreaterThan(1000);
  });

  it('connection refused is recorded with its code', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    receivers.pop();
    const ep = await endpoint({ url, eventTypes: ['refused.me'], retrySchedule: [0] });
    const eventId = await publish('refused.me', {});
    const d = await settled(eventId, ep.id, 'failed');
    expect(d.attempts[0].code).toBe('connection_refused');
  });
});

describe('endpoint state', () => {
  it('410 disables the endpoint, cancels its pending deliveries and emits endpoint.disabled', async () => {
    const ops = await receiver();
    await endpoint({ url: ops.url, eventTypes: ['endpoint.disabled'] });
    const r = await receiver((_req, res) => res.writeHead(410).end());
    const ep = await endpoint({ url: r.url, eventTypes: ['gone.me'], maxConcurrency: 1 });
    const first = await publish('gone.me', { n: 1 });
    await settled(first, ep.id, 'failed');
    const state = await h.request('GET', `/v1/endpoints/${ep.id}`);
    expect(state.body).toMatchObject({ enabled: false, disabledReason: 'gone' });
    const [op] = await ops.waitFor(1);
    expect(JSON.parse(op!.body.toString())).toMatchObject({ type: 'endpoint.disabled', data: { endpointId: ep.id, reason: 'gone' } });
    // A disabled endpoint receives no new deliveries.
    const later = await h.request('POST', '/v1/events', { body: { type: 'gone.me', data: {} } });
    expect(later.body.deliveries).toBe(0);
    // Re-enabling emits endpoint.recovered to those who asked.
    const opsRecovered = await receiver();
    await endpoint({ url: opsRecovered.url, eventTypes: ['endpoint.recovered'] });
    const patched = await h.request('PATCH', `/v1/endpoints/${ep.id}`, { body: { enabled: true } });
    expect(patched.body).toMatchObject({ enabled: true, disabledReason: null });
    const [rec] = await opsRecovered.waitFor(1);
    expect(JSON.parse(rec!.body.toString())).toMatchObject({ type: 'endpoint.recovered', data: { endpointId: ep.id, previousReason: 'gone' } });
  });

  it('an endpoint subscribed to all types does not get operational events', async () => {
    const all = await receiver();
    await endpoint({ url: all.url, tenant: 'ops-iso' });
    const r = await receiver((_req, res) => res.writeHead(410).end());
    const ep = await endpoint({ url: r.url, tenant: 'ops-iso', eventTypes: ['t.x'] });
    const eventId = await publish('t.x', {}, { tenant: 'ops-iso' });
    await settled(eventId, ep.id, 'failed');
    await all.waitFor(1);
    await new Promise((res) => setTimeout(res, 300));
    expect(all.requests.map((q) => JSON.parse(q.body.toString()).type)).toEqual(['t.x']);
  });

  it('disables an endpoint that keeps failing past the failing period', async () => {
    const r = await receiver((_req, res) => res.writeHead(500).end());
    const ep = await endpoint({ url: r.url, eventTypes: ['failing.me'], retrySchedule: [0, 1, 1, 1, 1, 1] });
    const eventId = await publish('failing.me', {});
    // Jump only once the first attempt is recorded: jumping while it is in flight would expire its
    // lease, and fencing would (rightly) discard its result.
    await eventually(async () => ((await deliveryOf(eventId, ep.id))?.attempts.length === 1 ? true : null));
    clockOffset += 6 * 86_400_000;
    try {
      await eventually(async () => {
        const e = await h.request('GET', `/v1/endpoints/${ep.id}`);
        return e.body.enabled === false && e.body.disabledReason === 'failing';
      }, 15_000);
      const d = await deliveryOf(eventId, ep.id);
      expect(['failed', 'cancelled']).toContain(d.status);
    } finally {
      clockOffset -= 6 * 86_400_000;
    }
  });
});

describe('actions', () => {
  it('rotate-secret: both signatures are sent during the grace period', async () => {
    const r = await receiver();
    const ep = await endpoint({ url: r.url, eventTypes: ['rotate.me'] });
    const rotated = await h.request('POST', `/v1/endpoints/${ep.id}/rotate-secret`, { body: {} });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(ep.secret);
    const revealed = await h.request('GET', `/v1/endpoints/${ep.id}/secret`);
    expect(revealed.body.secret).toBe(rotated.body.secret);
    expect(revealed.body.previous[0].secret).toBe(ep.secret);
    await publish('rotate.me', {});
    const [req] = await r.waitFor(1);
    expect(req!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    const body = req!.body.toString();
    expect(() => new StandardWebhook(ep.secret).verify(body, req!.headers)).not.toThrow();
    expect(() => new StandardWebhook(rotated.body.secret).verify(body, req!.headers)).not.toThrow();
  });

  it('manual retry after success re-sends with the same webhook-id', async () => {
    const r = await receiver();
    const ep = await endpoint({ url: r.url, eventTypes: ['again.me'] });
    const eventId = await publish('again.me', {});
    const d = await settled(eventId, ep.id, 'succeeded');
    const retry = await h.request('POST', `/v1/deliveries/${d.id}/retry`);
    expect(retry.status).toBe(202);
    const reqs = await r.waitFor(2);
    expect(reqs[1]!.headers['webhook-id']).toBe(eventId);
    expect(reqs[1]!.body.equals(reqs[0]!.body)).toBe(true);
    await eventually(async () => (await h.request('GET', `/v1/deliveries/${d.id}`)).body.attempts.length === 2 || null);
  });

  it('test sends now and returns the attempt', async () => {
    const r = await receiver((_req, res) => res.writeHead(202).end('accepted'));
    const ep = await endpoint({ url: r.url, eventTypes: ['only.this'] });
    const res = await h.request('POST', `/v1/endpoints/${ep.id}/test`, { body: { type: 'ping.test', data: { hello: 'world' } } });
    expect(res.status).toBe(200);
    expect(res.body.attempt).toMatchObject({ responseStatus: 202, code: 'ok', response: { body: 'accepted' } });
    expect(JSON.parse(r.requests[0]!.body.toString())).toMatchObject({ type: 'ping.test', data: { hello: 'world' } });
  });

  it('recover re-queues failed deliveries in the window', async () => {
    let healthy = false;
    const r = await receiver((_req, res) => res.writeHead(healthy ? 200 : 500).end());
    const ep = await endpoint({ url: r.url, eventTypes: ['recover.me'], retrySchedule: [0] });
    const since = new Date(Date.now() - 1000).toISOString();
    const ids = [await publish('recover.me', { n: 1 }), await publish('recover.me', { n: 2 })];
    for (const id of ids) await settled(id, ep.id, 'failed');
    healthy = true;
    const rec = await h.request('POST', `/v1/endpoints/${ep.id}/recover`, { body: { since } });
    expect(rec.body.recovered).toBe(2);
    for (const id of ids) await settled(id, ep.id, 'succeeded');
    const stats = await h.request('GET', `/v1/endpoints/${ep.id}/stats`);
    expect(stats.body).toMatchObject({ succeeded: 2, attempts: 4 });
    expect(stats.body.p50).toEqual(expect.any(Number));
  });

  it('rate limit spaces out requests to one endpoint', async () => {
    const r = await receiver();
    await endpoint({ url: r.url, eventTypes: ['paced.me'], rateLimitPerSecond: 5 });
    for (let i = 0; i < 6; i++) await publish('paced.me', { i });
    const reqs = await r.waitFor(6, 10_000);
    const span = reqs[5]!.at - reqs[0]!.at;
    expect(span).toBeGreaterThanOrEqual(900);
  });
});

describe('isolation', () => {
  it('an endpoint that never answers does not delay healthy endpoints', async () => {
    const black = await receiver(() => undefined);
    const healthy = await receiver();
    await endpoint({ url: black.url, eventTypes: ['iso.evt'], timeoutMs: 30_000, maxConcurrency: 5 });
    await endpoint({ url: healthy.url, eventTypes: ['iso.evt'] });
    const started = Date.now();
    for (let i = 0; i < 30; i++) await publish('iso.evt', { i });
    await healthy.waitFor(30, 10_000);
    expect(Date.now() - started).toBeLessThan(5000);
    // The black hole holds at most its own concurrency.
    expect(black.requests.length).toBeLessThanOrEqual(5);
  });
});
