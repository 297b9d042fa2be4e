// Bulk retries as one server-side task (POST /v1/bulk-retries): batches of re-queued deliveries with
// progress in GET, cancel between batches, resumed by the next process after a restart, tenant keys
// confined to their tenant, bad input as precise problem+json.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { createBulkRetryRunner } from '../src/api/routes/bulk-retry-runner.js';
import type { BulkRetry, Store } from '../src/store/store.js';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver, type Receiver } from './helpers/receiver.js';

let h: Harness;
let receiver: Receiver;
let failing = true;
let acme: string;
let globex: string;
let acmeKey: string;
const N = 130; // more than one batch

function expectProblem(res: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
}
const countStatus = async (endpoint: string, status: string) => {
  let n = 0;
  let cursor = '';
  for (;;) {
    const page = await h.request('GET', `/v1/deliveries?endpoint=${endpoint}&status=${status}&limit=250${cursor ? `&cursor=${cursor}` : ''}`);
    n += page.body.data.length;
    if (!page.body.nextCursor) return n;
    cursor = page.body.nextCursor;
  }
};
const task = (over: Partial<BulkRetry>): BulkRetry => ({ id: newId('bulkRetry'), tenant: null, filter: {}, status: 'running', total: null, processed: 0, requeued: 0, skipped: 0, cursor: null, cancelRequested: false, owner: null, leaseExpiresAt: null, error: null, createdAt: Date.now(), updatedAt: Date.now(), finishedAt: null, ...over });

beforeAll(async () => {
  h = await createHarness({});
  receiver = await startReceiver((_req, res) => {
    res.writeHead(failing ? 500 : 204);
    res.end();
  });
  acme = (await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'acme', retrySchedule: [0], eventTypes: ['bulk.tick'] } })).body.id;
  globex = (await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'globex', retrySchedule: [0], eventTypes: ['bulk.tick'] } })).body.id;
  const events = Array.from({ length: N }, (_, i) => ({ type: 'bulk.tick', tenant: 'acme', data: { i } }));
  for (const e of events) expect((await h.request('POST', '/v1/events', { body: e })).status).toBe(202);
  expect((await h.request('POST', '/v1/events', { body: { type: 'bulk.tick', tenant: 'globex', data: {} } })).status).toBe(202);
  await eventually(async () => (await countStatus(acme, 'failed')) === N && (await countStatus(globex, 'failed')) === 1, 30_000, 100);
  acmeKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'acme', tenant: 'acme' } })).body.key;
}, 60_000);
afterAll(async () => {
  await receiver?.close();
  await h?.close();
});

describe('POST /v1/bulk-retries', () => {
  it('re-queues every matching delivery as one task, with progress, and they succeed', async () => {
    failing = false;
    const sent = receiver.requests.length;
    const created = await h.request('POST', '/v1/bulk-retries', { body: { filter: { endpoint: acme, status: 'failed' } } });
    expect(created.status).toBe(202);
    expect(created.headers.location).toBe(`/v1/bulk-retries/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'running', processed: 0, filter: { endpoint: acme, status: 'failed' } });
    const done = await eventually(async () => {
      const t = await h.request('GET', `/v1/bulk-retries/${created.body.id}`);
      return t.body.status === 'completed' ? t.body : null;
    }, 20_000, 50);
    expect(done).toMatchObject({ total: N, processed: N, requeued: N, skipped: 0, cancelRequested: false, error: null });
    expect(done.finishedAt).not.toBeNull();
    await eventually(async () => (await countStatus(acme, 'succeeded')) === N, 30_000, 100);
    expect(receiver.requests.length - sent).toBe(N);
    // The other tenant's failed delivery was not in the filter.
    expect(await countStatus(globex, 'failed')).toBe(1);
  }, 60_000);

  it("a tenant key's task touches only its tenant, and others cannot see it", async () => {
    const res = await h.request('POST', '/v1/bulk-retries', { key: acmeKey, body: { filter: { endpoint: globex } } });
    expect(res.status).toBe(202);
    const done = await eventually(async () => {
      const t = await h.request('GET', `/v1/bulk-retries/${res.body.id}`, { key: acmeKey });
      return t.body.status === 'completed' ? t.body : null;
    }, 10_000, 50);
    expect(done).toMatchObject({ total: 0, processed: 0, requeued: 0 });
    expect(await countStatus(globex, 'failed')).toBe(1);
    const globexKey = (await h.request('POST', '/v1/api-keys', { body: { name: 'globex', tenant: 'globex' } })).body.key;
    expectProblem(await h.request('GET', `/v1/bulk-retries/${res.body.id}`, { key: globexKey }), 404, 'not_found');
    expectProblem(await h.request('DELETE', `/v1/bulk-retries/${res.body.id}`, { key: globexKey }), 404, 'not_found');
    // The admin sees every task.
    expect((await h.request('GET', `/v1/bulk-retries/${res.body.id}`)).status).toBe(200);
  });

  it('refuses bad input precisely, never a 500', async () => {
    const post = (body: unknown) => h.request('POST', '/v1/bulk-retries', { body });
    expectProblem(await post({}), 400, 'validation_failed');
    expectProblem(await post({ filter: { status: 'broken' } }), 400, 'validation_failed');
    expectProblem(await post({ filter: { endpoint: 7 } }), 400, 'validation_failed');
    expectProblem(await post({ filter: { since: 'yesterday' } }), 400, 'validation_failed');
    expectProblem(await post({ filter: { since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' } }), 400, 'validation_failed');
    expectProblem(await post({ filter: {}, extra: true }), 400, 'validation_failed');
    expectProblem(await h.request('POST', '/v1/bulk-retries', { rawBody: '{"filter": {', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
    expectProblem(await h.request('POST', '/v1/bulk-retries', { body: { filter: {} }, key: null }), 401, 'unauthorized');
    expectProblem(await h.request('GET', '/v1/bulk-retries/bulk_nope'), 404, 'not_found');
    expectProblem(await h.request('POST', '/v1/bulk-retries/bulk_nope/cancel'), 404, 'not_found');
  });

  it('a read-only portal link cannot start one', async () => {
    const link = await h.request('POST', '/v1/portal-links', { body: { tenant: 'acme', readOnly: true, singleUse: false } });
    expectProblem(await h.request('POST', '/v1/bulk-retries', { key: `portal_${link.body.token}`, body: { filter: {} } }), 403, 'forbidden');
  });
});

describe('bulk retry durability and cancel', () => {
  it('a task left running by a process that died is resumed by the next one, from its cursor', async () => {
    failing = true;
    // Fail them all again, then leave a task "owned" by a crashed process whose lease has expired.
    const orphan = task({ tenant: 'globex', filter: { endpointId: globex }, owner: 'crashed-process', leaseExpiresAt: Date.now() - 1 });
    await h.runtime.store.insertBulkRetry(orphan);
    failing = false;
    const next = await createHarness({ env: { HOOKD_DATA_DIR: h.dir } });
    try {
      expect((await next.request('GET', '/readyz', { key: null })).status).toBeLessThan(500); // ready: resumes
      const done = await eventually(async () => {
        const t = await next.request('GET', `/v1/bulk-retries/${orphan.id}`);
        return t.body.status === 'completed' ? t.body : null;
      }, 15_000, 50);
      expect(done).toMatchObject({ total: 1, requeued: 1 });
      await eventually(async () => (await countStatus(globex, 'succeeded')) === 1, 15_000, 100);
    } finally {
      // Not next.close(): it would delete the data directory the first harness still uses.
      await next.runtime.close();
    }
  }, 40_000);

  it('stops after the current batch when cancelled', async () => {
    // Real store; its listDeliveries is gated so the test can cancel between two batches.
    const store = h.runtime.store;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reads = 0;
    const gated: Store = {
      ...store,
      listDeliveries: async (q, page) => {
        reads += 1;
        if (page.limit === 40 && reads > 2) await gate; // the second batch of 40 waits
        return store.listDeliveries(q, page);
      },
    };
    const t = task({ filter: { endpointId: acme } });
    await store.insertBulkRetry(t);
    const runner = createBulkRetryRunner({ store: gated, wake: () => undefined, now: Date.now, logger: pino({ level: 'silent' }), batch: 40 });
    runner.run(t.id);
    await eventually(async () => ((await store.getBulkRetry(t.id, undefined))?.processed === 40 ? true : null), 10_000, 20);
    const cancelled = await h.request('DELETE', `/v1/bulk-retries/${t.id}`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.cancelRequested).toBe(true);
    release();
    await runner.idle();
    const final = await store.getBulkRetry(t.id, undefined);
    // The batch in hand is finished (its progress written), then the task stops: never all N.
    expect(final?.status).toBe('cancelled');
    expect(final?.processed).toBe(80);
    expect(final?.cursor).not.toBeNull();
    const after = await h.request('POST', `/v1/bulk-retries/${t.id}/cancel`);
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('cancelled');
  });
  it('a cancel of a task whose process died ends it at once, here', async () => {
    const orphan = task({ filter: { endpointId: acme }, owner: 'crashed-process', leaseExpiresAt: Date.now() - 1 });
    await h.runtime.store.insertBulkRetry(orphan);
    expect((await h.request('DELETE', `/v1/bulk-retries/${orphan.id}`)).status).toBe(202);
    const final = await eventually(async () => {
      const t = await h.request('GET', `/v1/bulk-retries/${orphan.id}`);
      return t.body.status === 'cancelled' ? t.body : null;
    }, 10_000, 50);
    expect(final.processed).toBe(0);
  });

  it("skips a disabled endpoint's deliveries (nothing would send them)", async () => {
    const off = (await h.request('POST', '/v1/endpoints', { body: { url: receiver.url, tenant: 'acme', eventTypes: ['bulk.off'], retrySchedule: [0] } })).body.id;
    failing = true;
    expect((await h.request('POST', '/v1/events', { body: { type: 'bulk.off', tenant: 'acme', data: {} } })).status).toBe(202);
    await eventually(async () => (await countStatus(off, 'failed')) === 1 || null, 15_000, 50);
    await h.runtime.store.updateEndpoint(off, undefined, { enabled: false, disabledReason: 'manual', updatedAt: Date.now() });
    const created = await h.request('POST', '/v1/bulk-retries', { body: { filter: { endpoint: off, status: 'failed' } } });
    const done = await eventually(async () => {
      const t = await h.request('GET', `/v1/bulk-retries/${created.body.id}`);
      return t.body.status === 'completed' ? t.body : null;
    }, 10_000, 50);
    expect(done).toMatchObject({ total: 1, requeued: 0, skipped: 1 });
    expect(await countStatus(off, 'failed')).toBe(1);
  }, 30_000);
});
