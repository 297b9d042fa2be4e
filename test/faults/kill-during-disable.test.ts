// kill -9 between an attempt result and its announcement. A 410 disables the endpoint; the
// endpoint.disabled event must commit with the disabling or not at all, so that after any crash and
// restart the endpoint is disabled with exactly one endpoint.disabled event, which reaches the
// endpoint subscribed to it. The kill lands 0-20 ms after the receiver answered 410: before, during or
// just after the result's commit. (Before this was one transaction, the event was published after the
// commit and a kill in between lost it.) Run on SQLite and on PostgreSQL (own schema).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, createEndpoint, until } from './support/api.js';
import { baseEnv, startHookd, stopAll, type HookdProcess } from './support/hookd-process.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './support/postgres.js';
import { startRecorder, type Recorder } from './support/recorder.js';

const KILL_DELAYS_MS = [0, 1, 3, 8, 20];

let recorder: Recorder | null = null;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  await stopAll();
  await recorder?.close();
  recorder = null;
  for (const c of cleanups.splice(0)) await c();
});

interface FeedEvent {
  type: string;
  data: { endpointId?: string };
}

async function disabledEventsFor(base: string, endpointId: string): Promise<number> {
  const res = await api(base, 'GET', '/v1/events?type=endpoint.disabled&limit=250');
  return (res.body as { data: FeedEvent[] }).data.filter((e) => e.data.endpointId === endpointId).length;
}

async function run(env: Record<string, string>): Promise<void> {
  recorder = await startRecorder();
  const rec = recorder;
  let current: HookdProcess = await startHookd('p0', env);
  const watcher = await createEndpoint(current.url, rec.urlFor('watcher'), { eventTypes: ['endpoint.disabled'] });
  let round = -1;
  // Set by the receiver's answer callback; a holder object, since TypeScript cannot see that write.
  const kill: { done: Promise<void> | null } = { done: null };
  rec.answer((_req, receipt) => {
    if (receipt.endpoint === `gone${round}` && kill.done === null) {
      const victim = current;
      const delay = KILL_DELAYS_MS[round]!;
      kill.done = new Promise((resolve) => setTimeout(() => void victim.kill9().then(resolve), delay));
    }
    return { status: receipt.endpoint === 'watcher' ? 200 : 410 };
  });

  for (round = 0; round < KILL_DELAYS_MS.length; round++) {
    kill.done = null;
    const endpoint = await createEndpoint(current.url, rec.urlFor(`gone${round}`), { eventTypes: [`kill.round${round}`], timeoutMs: 1000 });
    expect((await api(current.url, 'POST', '/v1/events', { type: `kill.round${round}`, data: { round } })).status).toBe(202);
    await until('the receiver answered 410 and the kill happened', () => kill.done !== null, 20_000, 5);
    await (kill as { done: Promise<void> | null }).done;
    current = await startHookd(`p${round + 1}`, env);
    // Committed before the kill, or re-sent after the lease (1 s timeout + 1 s grace) and disabled then.
    await until('the endpoint is disabled', async () => (await api(current.url, 'GET', `/v1/endpoints/${endpoint}`)).body.enabled === false, 20_000, 100);
    // Exactly one announcement: never lost, never doubled.
    await until('endpoint.disabled is in the feed', async () => (await disabledEventsFor(current.url, endpoint)) > 0, 10_000, 100);
    expect(await disabledEventsFor(current.url, endpoint)).toBe(1);
  }
  // Every announcement reached the endpoint subscribed to endpoint.disabled.
  await until('the watcher got every announcement', () => new Set(rec.receipts.filter((r) => r.endpoint === 'watcher').map((r) => r.webhookId)).size >= KILL_DELAYS_MS.length, 20_000, 100);
  const deliveries = await api(current.url, 'GET', `/v1/deliveries?endpoint=${watcher}&limit=250`);
  expect((deliveries.body as { data: unknown[] }).data).toHaveLength(KILL_DELAYS_MS.length);
  expect(await current.stop()).toBe(0);
}

describe('kill -9 around an endpoint disabling', () => {
  it('SQLite: the disabling and endpoint.disabled commit together', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-kill-disable-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await run(baseEnv({ HOOKD_DATA_DIR: dir }));
  }, 150_000);

  it('PostgreSQL: the disabling and endpoint.disabled commit together', async () => {
    const schema = freshSchema('hookd_killdis');
    const dir = mkdtempSync(join(tmpdir(), 'hookd-kill-disable-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => dropSchema(schema));
    await run(baseEnv({ HOOKD_DATA_DIR: dir, DATABASE_URL: schemaUrl(SHARED_URL, schema) }));
  }, 150_000);
});
