// Retention (issue 4.4) at the runtime level, on both stores: events, deliveries and attempts older
// than HOOKD_RETENTION_DAYS go, in batches, while delivery of fresh events carries on; an old event
// whose delivery is still pending stays. The clock is injected into createRuntime, so "40 days ago"
// is real data written by the real dispatcher, not rows faked into the tables.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { openStore } from '../../src/runtime/open-store.js';
import { createPruner, PRUNE_BATCH } from '../../src/runtime/pruner.js';
import { createAesGcmBox } from '../../src/security/aes-gcm-box.js';
import type { Store } from '../../src/store/store.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { FAST_RETRIES, sleep, until } from './support/api.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './support/postgres.js';
import { pairKey, startRecorder, type Recorder } from './support/recorder.js';

const DAY = 86_400_000;
const OLD_EVENTS = 1_200;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The store with every prune() call timed, whoever makes it (our pruner or the runtime's). */
function timePrunes(store: Store): { store: Store; calls: Array<{ ms: number; events: number }> } {
  const calls: Array<{ ms: number; events: number }> = [];
  const timed = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'prune') {
        return async (before: number, batch: number) => {
          const started = Date.now();
          const result = await target.prune(before, batch);
          calls.push({ ms: Date.now() - started, events: result.events });
          return result;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: timed, calls };
}

async function publishBatch(h: Harness, type: string, count: number, from = 0): Promise<string[]> {
  const events = Array.from({ length: count }, (_, i) => ({ type, data: { n: from + i } }));
  const res = await h.request('POST', '/v1/events/batch', { body: { events } });
  expect(res.status).toBe(202);
  return (res.body.data as Array<{ id: string }>).map((d) => d.id);
}

async function pruneWhileDelivering(databaseUrl: string | null): Promise<void> {
  const rec: Recorder = await startRecorder();
  cleanups.push(() => rec.close());
  rec.answer((_req, r) => (r.endpoint === 'paused' ? { status: 500 } : { status: 200, delayMs: 2 }));
  const dir = mkdtempSync(join(tmpdir(), 'hookd-retention-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

  const url = databaseUrl ?? `sqlite:${join(dir, 'hookd.db')}`;
  const { store, calls } = timePrunes(openStore(url, dir, createAesGcmBox(randomBytes(32))));
  let offset = -40 * DAY;
  const now = (): number => Date.now() + offset;
  const h = await createHarness({ retentionDays: 30, env: { HOOKD_RETENTION_DAYS: '30' } }, { store, now });
  cleanups.push(() => h.close());

  // 40 days ago: a busy day, fully delivered, plus one delivery that stays pending.
  const okRes = await h.request('POST', '/v1/endpoints', { body: { url: rec.urlFor('ok'), eventTypes: ['old.event', 'fresh.event'], maxConcurrency: 100, retrySchedule: FAST_RETRIES } });
  expect(okRes.status).toBe(201);
  const paused = await h.request('POST', '/v1/endpoints', { body: { url: rec.urlFor('paused'), eventTypes: ['keep.me'], retrySchedule: [0, 604_800] } });
  expect(paused.status).toBe(201);
  const oldIds: string[] = [];
  for (let i = 0; i < OLD_EVENTS; i += 400) oldIds.push(...(await publishBatch(h, 'old.event', 400, i)));
  const [keptId] = await publishBatch(h, 'keep.me', 1);
  const oldPairs = new Set(oldIds.map((id) => pairKey('ok', id)));
  await until('the old events delivered', () => rec.missing(oldPairs) === 0 && rec.distinct().has(pairKey('paused', keptId!)), 60_000, 50);
  await until('the old results recorded', async () => (await store.countRows('attempts')) >= OLD_EVENTS + 1, 20_000, 50);
  // The paused endpoint is switched off with its delivery pending (retry due in a week).
  expect((await h.request('PATCH', `/v1/endpoints/${paused.body.id}`, { body: { enabled: false } })).status).toBe(200);
  await store.recordInbound(
    { id: newId('inboundRequest'), sourceId: 'src_old', tenant: null, receivedAt: now(), verdict: 'rejected', code: 'signature_invalid', reason: 'old', status: 401, remoteAddress: null, headers: {}, body: null, dedupeKey: null, eventId: null },
    null,
  );

  // Today: prune while fresh events keep flowing.
  offset = 0;
  const pruner = createPruner({ store, logger: pino({ level: 'silent' }), retentionDays: 30, now });
  const published = new Map<string, number>();
  let publishing = true;
  const publisher = (async () => {
    for (let i = 0; publishing && i < 400; i += 1) {
      for (const id of await publishBatch(h, 'fresh.event', 10, i * 10)) published.set(id, Date.now());
      await sleep(20);
    }
  })();
  await sleep(100);
  const totals = await pruner.runOnce();
  await sleep(200);
  publishing = false;
  await publisher;

  // Everything old and finished is gone, in batches of at most PRUNE_BATCH; the pending one stays.
  // (The runtime's own pruner may have taken a batch too: count every prune call, not only ours.)
  expect(calls.reduce((n, c) => n + c.events, 0)).toBe(OLD_EVENTS);
  expect(totals.events).toBeGreaterThan(0);
  expect(totals.deliveries).toBe(totals.events);
  expect(totals.attempts).toBe(totals.events);
  expect(await store.countRows('attempts')).toBeLessThan(OLD_EVENTS);
  expect((await h.request('GET', `/v1/events/${oldIds[0]}`)).status).toBe(404);
  expect((await h.request('GET', `/v1/events/${keptId}`)).status).toBe(200);
  const keptDeliveries = await h.request('GET', `/v1/deliveries?event=${keptId}`);
  expect(keptDeliveries.body.data.map((d: { status: string }) => d.status)).toEqual(['pending']);
  const batches = calls.filter((c) => c.events > 0);
  expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(OLD_EVENTS / PRUNE_BATCH));
  expect(Math.max(...batches.map((c) => c.events))).toBeLessThanOrEqual(PRUNE_BATCH);
  expect(totals.inboundRequests).toBe(1);

  // Fresh events were delivered throughout, without waiting for the pruner.
  const freshPairs = new Set([...published.keys()].map((id) => pairKey('ok', id)));
  await until('fresh events delivered', () => rec.missing(freshPairs) === 0, 30_000, 50);
  const latencies = rec.receipts.filter((r) => r.endpoint === 'ok' && published.has(r.webhookId)).map((r) => r.at - published.get(r.webhookId)!);
  expect(published.size).toBeGreaterThan(0);
  // Each batch is a short transaction; delivery never waited for the whole pass.
  expect(Math.max(...batches.map((c) => c.ms))).toBeLessThan(1_000);
  expect(Math.max(...latencies)).toBeLessThan(5_000);
  const remaining = await store.countRows('events');
  // The fresh events, the kept one, and operational events, if any; none of the old batch.
  expect(remaining).toBeGreaterThanOrEqual(published.size + 1);
  expect(remaining).toBeLessThan(published.size + 1 + OLD_EVENTS);
  console.info(
    `retention (${store.dialect}): pruned ${OLD_EVENTS} events in ${batches.length} batches (slowest ${Math.max(...batches.map((c) => c.ms))} ms) ` +
      `while ${published.size} fresh events were delivered (max latency ${Math.max(...latencies)} ms)`,
  );
}

describe('retention: pruning old data without blocking delivery', () => {
  it('SQLite', async () => {
    await pruneWhileDelivering(null);
  }, 120_000);

  it('PostgreSQL', async () => {
    const schema = freshSchema('hookd_retention');
    cleanups.push(() => dropSchema(schema));
    await pruneWhileDelivering(schemaUrl(SHARED_URL, schema));
  }, 120_000);
});
