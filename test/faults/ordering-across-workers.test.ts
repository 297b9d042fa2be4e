// Ordered delivery per key across processes (docs/routing.md, "Ordering"): an API process publishes
// 200 keys x 50 events, three worker processes deliver them to a receiver that fails at random, and
// one worker is killed with SIGKILL mid-run. Per key, the events the receiver accepted arrive in
// publish order with no gaps (a repeat of the event just accepted is allowed: at-least-once, when
// a worker died after the receiver answered), and no two requests of one key are ever open at once.
// On PostgreSQL (own schema) and on SQLite (one file shared by the processes).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, createEndpoint, until } from './support/api.js';
import { baseEnv, startHookd, stopAll } from './support/hookd-process.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './support/postgres.js';
import { startRecorder, type Recorder } from './support/recorder.js';

const KEYS = 200;
const PER_KEY = 50;
const FAILURE_RATE = 0.1;
// Three immediate retries, then one second apart: a random failure costs its key almost nothing.
const RETRIES = [0, 0, 0, 0, ...Array.from({ length: 20 }, () => 1)];

let recorder: Recorder | null = null;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  await stopAll();
  await recorder?.close();
  recorder = null;
  for (const c of cleanups.splice(0)) await c();
});

async function orderedRun(env: Record<string, string>, label: string): Promise<void> {
  recorder = await startRecorder();
  const rec = recorder;
  const accepted = new Map<string, number[]>();
  // Per key, when the last answer was due: a request of the key arriving before it overlaps.
  const answeredAt = new Map<string, number>();
  let overlaps = 0;
  let failures = 0;
  rec.answer((_req, receipt) => {
    const { data } = JSON.parse(receipt.body.toString('utf8')) as { data: { key: string; n: number } };
    if (receipt.at < (answeredAt.get(data.key) ?? 0)) overlaps += 1;
    const delayMs = Math.floor(Math.random() * 4);
    answeredAt.set(data.key, receipt.at + delayMs);
    const fail = Math.random() < FAILURE_RATE;
    if (fail) failures += 1;
    else accepted.set(data.key, [...(accepted.get(data.key) ?? []), data.n]);
    return { status: fail ? 500 : 200, delayMs };
  });

  const apiNode = await startHookd('api', { ...env, HOOKD_ROLE: 'api' });
  await createEndpoint(apiNode.url, rec.urlFor('ordered'), { maxConcurrency: 100, timeoutMs: 2000, retrySchedule: RETRIES });
  // Interleaved: event i is key i % KEYS, its n-th event; published before any worker runs.
  for (let start = 0; start < KEYS * PER_KEY; start += 1000) {
    const events = Array.from({ length: 1000 }, (_, j) => {
      const i = start + j;
      const key = `key-${i % KEYS}`;
      return { type: 'chat.message', data: { key, n: Math.floor(i / KEYS) }, orderingKey: key };
    });
    const res = await api(apiNode.url, 'POST', '/v1/events/batch', { events }, 30_000);
    expect(res.status).toBe(202);
  }

  const workers = await Promise.all([1, 2, 3].map((n) => startHookd(`worker-${n}`, { ...env, HOOKD_ROLE: 'worker' })));
  const total = KEYS * PER_KEY;
  const acceptedCount = (): number => [...accepted.values()].reduce((n, list) => n + new Set(list).size, 0);
  await until('a third of the events', () => acceptedCount() >= total / 3, 40_000, 20);
  await workers[0]!.kill9();
  await until('every event of every key', () => acceptedCount() >= total, 60_000, 100);

  for (let k = 0; k < KEYS; k += 1) {
    const list = accepted.get(`key-${k}`) ?? [];
    // Consecutive repeats collapse: a head re-sent after its worker died.
    const collapsed = list.filter((n, i) => i === 0 || n !== list[i - 1]);
    expect(collapsed, `key-${k}`).toEqual(Array.from({ length: PER_KEY }, (_, i) => i));
  }
  expect(overlaps).toBe(0);
  console.info(`ordering (${label}): ${total} events in ${KEYS} keys, ${failures} failed attempts answered, kill -9 of one of three workers`);
}

describe('ordered delivery per key across three workers, with random failures and a kill -9', () => {
  it('PostgreSQL: every key in order, no gaps, never two at once', async () => {
    const schema = freshSchema('hookd_order');
    const dir = mkdtempSync(join(tmpdir(), 'hookd-order-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => dropSchema(schema));
    await orderedRun(baseEnv({ HOOKD_DATA_DIR: dir, DATABASE_URL: schemaUrl(SHARED_URL, schema) }), 'postgres');
  }, 150_000);

  it('SQLite: every key in order, no gaps, never two at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-order-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await orderedRun(baseEnv({ HOOKD_DATA_DIR: dir }), 'sqlite');
  }, 150_000);
});
