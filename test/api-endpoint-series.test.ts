// GET /v1/endpoints/{id}/series over real deliveries: volume, error rate and p95 per bucket, every
// bucket present, tenants kept apart, bad input as problem+json.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';

let h: Harness;
let receiver: Receiver;
let acme: string;
let globex: string;
let acmeKey: string;
let calls = 0;

function expectProblem(res: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
}

beforeAll(async () => {
  h = await createHarness({});
  // Every third request fails with a 500 (retrySchedule [0]: one attempt each, no retries).
  receiver = await startReceiver((_req, res) => {
    calls += 1;
    res.writeHead(calls % 3 === 0 ? 500 : 200);
    res.end();
  });
  acme = (await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'acme', retrySchedule: [0], eventTypes: ['series.tick'] } })).body.id;
  globex = (await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'globex', retrySchedule: [0], eventTypes: ['series.other'] } })).body.id;
  for (let i = 0; i < 9; i += 1) await h.request('POST', '/v1/events', { body: { type: 'series.tick', tenant: 'acme', data: { i } } });
  await eventually(async () => {
    const done = await h.request('GET', `/v1/deliveries?endpoint=${acme}&limit=50`);
    return done.body.data.filter((d: { status: string }) => d.status === 'succeeded' || d.status === 'failed').length === 9;
  }, 20_000);
  acmeKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme', tenant: 'acme' } })).body.key;
});
afterAll(async () => {
  await receiver?.close();
  await h?.close();
});

describe('GET /v1/endpoints/{id}/series', () => {
  it('counts every attempt in its bucket with failures, error rate and p95', async () => {
    const res = await h.request('GET', `/v1/endpoints/${acme}/series?hours=1`);
    expect(res.status).toBe(200);
    expect(res.body.bucketSeconds).toBe(300);
    expect(res.body.buckets).toHaveLength(12);
    const total = res.body.buckets.reduce((n: number, b: { attempts: number }) => n + b.attempts, 0);
    const failed = res.body.buckets.reduce((n: number, b: { failed: number }) => n + b.failed, 0);
    expect(total).toBe(9);
    expect(failed).toBe(3);
    const busy = res.body.buckets.filter((b: { attempts: number }) => b.attempts > 0);
    for (const b of busy) {
      expect(b.errorRate).toBeCloseTo(b.failed / b.attempts);
      expect(b.p95).toBeGreaterThanOrEqual(0);
    }
    // Empty buckets are present, with nulls where a rate or latency has no meaning.
    const idle = res.body.buckets.find((b: { attempts: number }) => b.attempts === 0);
    expect(idle).toMatchObject({ attempts: 0, failed: 0, errorRate: null, p95: null });
    // Consecutive, oldest first, covering [since, until).
    const starts = res.body.buckets.map((b: { start: string }) => Date.parse(b.start));
    expect(starts[0]).toBe(Date.parse(res.body.since));
    for (let i = 1; i < starts.length; i += 1) expect(starts[i] - starts[i - 1]).toBe(300_000);
    expect(Date.parse(res.body.until) - starts.at(-1)).toBe(300_000);
    // The default window is 24 h in hourly buckets.
    const day = await h.request('GET', `/v1/endpoints/${acme}/series`);
    expect(day.body.bucketSeconds).toBe(3600);
    expect(day.body.buckets.reduce((n: number, b: { attempts: number }) => n + b.attempts, 0)).toBe(9);
  });

  it("a tenant key reads its own endpoint's series and gets 404 for another tenant's", async () => {
    expect((await h.request('GET', `/v1/endpoints/${acme}/series`, { key: acmeKey })).status).toBe(200);
    expectProblem(await h.request('GET', `/v1/endpoints/${globex}/series`, { key: acmeKey }), 404, 'not_found');
  });

  it('refuses bad input precisely, never a 500', async () => {
    for (const q of ['hours=0', 'hours=721', 'hours=abc', 'hours=1.5', 'bucket=60']) {
      expectProblem(await h.request('GET', `/v1/endpoints/${acme}/series?${q}`), 400, 'validation_failed');
    }
    expectProblem(await h.request('GET', '/v1/endpoints/ep_nope/series'), 404, 'not_found');
    expectProblem(await h.request('GET', `/v1/endpoints/${acme}/series`, { key: null }), 401, 'unauthorized');
    expectProblem(await h.request('GET', `/v1/endpoints/${acme}/series`, { key: 'hk_wrong' }), 401, 'unauthorized');
  });
});
