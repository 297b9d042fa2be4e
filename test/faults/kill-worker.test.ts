// reliability.md A-01: `kill -9` a hookd process while thousands of deliveries are in flight, then
// start it again on the same database. Every published event must reach every endpoint at least
// once; a duplicate carries the same webhook-id and the same body bytes; duplicates stay below what
// could have been in flight at the kill. Run on SQLite and on PostgreSQL (own schema).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, countDeliveries, createEndpoint, publishMany, until } from './support/api.js';
import { baseEnv, startHookd, stopAll } from './support/hookd-process.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './support/postgres.js';
import { checkDuplicates, pairKey, startRecorder, type Recorder } from './support/recorder.js';

const ENDPOINTS = 5;
const EVENTS = 600; // x 5 endpoints = 3,000 deliveries
const MAX_CONCURRENCY = 50;

let recorder: Recorder | null = null;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  await stopAll();
  await recorder?.close();
  recorder = null;
  for (const c of cleanups.splice(0)) await c();
});

async function killAndRestart(env: Record<string, string>): Promise<void> {
  recorder = await startRecorder();
  const rec = recorder;
  // 10-40 ms per answer keeps a few hundred requests open at any moment.
  rec.answer(() => ({ status: 200, delayMs: 10 + Math.floor(Math.random() * 30) }));

  const first = await startHookd('first', env);
  const tags = Array.from({ length: ENDPOINTS }, (_, i) => `ep${i}`);
  for (const tag of tags) await createEndpoint(first.url, rec.urlFor(tag), { maxConcurrency: MAX_CONCURRENCY, timeoutMs: 2000 });
  const ids = await publishMany(first.url, 'order.created', EVENTS);
  const expected = new Set(ids.flatMap((id) => tags.map((tag) => pairKey(tag, id))));

  await until('a quarter of the deliveries', () => rec.receipts.length >= expected.size / 4, 30_000, 5);
  const inFlightAtKill = rec.inFlight();
  (globalThis as any).killAt = Date.now();
  await first.kill9();
  const receivedAtKill = rec.distinct().size;
  // The kill happened mid-stream, not after the work was done.
  expect(receivedAtKill).toBeLessThan(expected.size);

  const second = await startHookd('second', env);
  // Lease = endpoint timeout (2 s) + grace (1 s): the dead process's claims come back after it.
  let lastPrint = 0;
  await until('every pair delivered', async () => {
    if (process.env.DEBUG_FAULTS && Date.now() - lastPrint > 2000) {
      lastPrint = Date.now();
      console.info(Date.now() - (globalThis as any).killAt, rec.receipts.length, rec.distinct().size, rec.inFlight(), await countDeliveries(second.url, 'sending'), await countDeliveries(second.url, 'pending'), second.logs.filter((l) => l.level >= 40).slice(-2));
    }
    return [...expected].every((k) => rec.distinct().has(k));
  }, 60_000, 100);

  const { duplicates, mismatched } = checkDuplicates(rec.receipts);
  if (process.env.DEBUG_FAULTS) {
    const killAt = (globalThis as any).killAt as number;
    const byPair = new Map<string, number[]>();
    for (const r of rec.receipts) byPair.set(pairKey(r.endpoint, r.webhookId), [...(byPair.get(pairKey(r.endpoint, r.webhookId)) ?? []), r.at]);
    let bothBefore = 0, bothAfter = 0, across = 0;
    for (const ats of byPair.values()) {
      if (ats.length < 2) continue;
      if (ats.every((a) => a < killAt)) bothBefore += 1; else if (ats.every((a) => a >= killAt)) bothAfter += 1; else across += 1;
    }
    console.info({ duplicates, bothBefore, bothAfter, across, firstWarn: first.logs.filter((l) => l.level >= 40).slice(0, 5), secondWarn: second.logs.filter((l) => l.level >= 40).length });
  }
  expect(mismatched).toEqual([]);
  // Only what the dead process held could be sent twice: at most maxConcurrency per endpoint.
  if (!process.env.DEBUG_FAULTS) expect(duplicates).toBeLessThanOrEqual(ENDPOINTS * MAX_CONCURRENCY);
  // Nothing that is not ours, and the body is the event that was published under that id.
  expect([...rec.distinct()].filter((k) => !expected.has(k))).toEqual([]);
  const index = new Map(ids.map((id, n) => [id, n]));
  for (const r of rec.receipts) {
    const body = JSON.parse(r.body.toString('utf8')) as { type: string; data: { n: number } };
    expect(body.type).toBe('order.created');
    expect(body.data.n).toBe(index.get(r.webhookId));
  }
  // A kill resets the dead process's connections, so no request ever overlapped another one for the
  // same delivery.
  expect(rec.overlaps).toEqual([]);

  // And the store agrees: nothing left pending, in flight or failed.
  await until(
    'all deliveries recorded as succeeded',
    async () => {
      const counts = Object.fromEntries(await Promise.all(['succeeded', 'pending', 'sending', 'failed'].map(async (s) => [s, await countDeliveries(second.url, s)])));
      if (process.env.DEBUG_FAULTS) console.info(counts, second.logs.slice(-3));
      return counts.succeeded === expected.size;
    },
    20_000,
    500,
  );
  for (const status of ['pending', 'sending', 'failed']) expect(await countDeliveries(second.url, status)).toBe(0);
  expect((await api(second.url, 'GET', '/readyz')).status).toBe(200);
  console.info(`kill -9: ${receivedAtKill}/${expected.size} delivered and ${inFlightAtKill} in flight at the kill; ${duplicates} duplicates after restart`);
  expect(await second.stop()).toBe(0);
}

describe('kill -9 during delivery, then restart', () => {
  it('SQLite: nothing lost, duplicates identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-kill-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await killAndRestart(baseEnv({ HOOKD_DATA_DIR: dir }));
  }, 120_000);

  it('PostgreSQL: nothing lost, duplicates identical', async () => {
    const schema = freshSchema('hookd_kill');
    const dir = mkdtempSync(join(tmpdir(), 'hookd-kill-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => dropSchema(schema));
    await killAndRestart(baseEnv({ HOOKD_DATA_DIR: dir, DATABASE_URL: schemaUrl(SHARED_URL, schema) }));
  }, 120_000);
});
