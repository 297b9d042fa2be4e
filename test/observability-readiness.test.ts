// /readyz against a real runtime: ready when the database answers and the dispatcher loop runs; 503
// (problem+json, naming the failed check) when the loop is stuck in a claim that never returns, and
// when the database is closed. /healthz stays 200 throughout: it checks nothing on purpose.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Claim, Store } from '../src/store/store.js';
import { createHarness, type Harness } from './helpers/harness.js';
import { eventually, startReceiver } from './helpers/receiver.js';

const dirs: string[] = [];
let h: Harness | null = null;

afterEach(async () => {
  await h?.close();
  h = null;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function settle(harness: Harness): Promise<void> {
  await harness.runtime.app.ready();
  await eventually(async () => Date.now() - harness.runtime.dispatcher!.lastLoopAt() < 100);
}

/** A real SQLite store whose claims can be made to hang, as a wedged connection would. */
function stallableStore(): { store: Store; stall(): void; release(): void; failWrites(on: boolean): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-ready-'));
  dirs.push(dir);
  const real = createSqliteStore({ path: join(dir, 'hookd.db'), secretBox: createAesGcmBox(randomBytes(32)) });
  let stalled = false;
  let writesFail = false;
  const waiting: Array<() => void> = [];
  const store = new Proxy(real, {
    get(target, property, receiver) {
      if (property === 'claimDue') {
        return (...args: Parameters<Store['claimDue']>) =>
          stalled ? new Promise<Claim[]>((resolve) => waiting.push(() => resolve([]))) : target.claimDue(...args);
      }
      if (property === 'recordResults') {
        return (...args: Parameters<Store['recordResults']>) => (writesFail ? Promise.reject(new Error('disk I/O error')) : target.recordResults(...args));
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    store,
    failWrites: (on) => (writesFail = on),
    stall: () => (stalled = true),
    release: () => {
      stalled = false;
      for (const w of waiting.splice(0)) w();
    },
  };
}

describe('GET /readyz', () => {
  it('is ready with every check ok, and 503 naming the dispatcher while its loop is stuck', async () => {
    const stallable = stallableStore();
    h = await createHarness({ env: { HOOKD_READY_STALL_MS: '300' } }, { store: stallable.store });
    // Fastify compiles every route's schemas on its first request, blocking the event loop (and so the
    // dispatcher loop) for longer than this test's stall limit: get that done, and let the loop run.
    await settle(h);
    const ready = await h.request('GET', '/readyz', { key: null });
    expect(ready.status, ready.text).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', database: 'sqlite', checks: { database: { status: 'ok' }, dispatcher: { status: 'ok' }, resultWriter: { status: 'ok' } } });

    stallable.stall();
    h.runtime.dispatcher!.wake();
    const stuck = await eventually(async () => {
      const res = await h!.request('GET', '/readyz', { key: null });
      return res.status === 503 ? res : null;
    }, 5000);
    expect(stuck.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stuck.body).toMatchObject({ status: 503, code: 'service_unavailable', checks: { database: { status: 'ok' }, dispatcher: { status: 'fail' } } });
    expect(stuck.body.detail).toMatch(/dispatcher loop last ran/);
    expect((await h.request('GET', '/healthz', { key: null })).status).toBe(200);

    stallable.release();
    await eventually(async () => (await h!.request('GET', '/readyz', { key: null })).status === 200, 5000);
  });

  it('is 503 naming the result writer while attempt results keep failing to be written', async () => {
    const stallable = stallableStore();
    h = await createHarness({ env: { HOOKD_READY_STALL_MS: '300' } }, { store: stallable.store });
    await settle(h);
    const receiver = await startReceiver();
    try {
      const ep = await h.request('POST', '/v1/endpoints', { body: { url: receiver.url } });
      expect(ep.status).toBe(201);
      stallable.failWrites(true);
      expect((await h.request('POST', '/v1/events', { body: { type: 'ready.check', data: {} } })).status).toBe(202);
      await receiver.waitFor(1);
      const res = await eventually(async () => {
        const r = await h!.request('GET', '/readyz', { key: null });
        return r.status === 503 ? r : null;
      }, 5000);
      expect(res.body).toMatchObject({ checks: { database: { status: 'ok' }, dispatcher: { status: 'ok' }, resultWriter: { status: 'fail' } } });
      expect(res.body.detail).toMatch(/resultWriter: 1 attempt results have failed to be written/);
      stallable.failWrites(false);
      await eventually(async () => (await h!.request('GET', '/readyz', { key: null })).status === 200, 10_000);
    } finally {
      await receiver.close();
    }
  });

  it('is 503 naming the database when the database is closed', async () => {
    h = await createHarness({});
    expect((await h.request('GET', '/readyz', { key: null })).status).toBe(200);
    await h.runtime.store.close();
    const res = await h.request('GET', '/readyz', { key: null });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ code: 'service_unavailable', checks: { database: { status: 'fail' } } });
    expect(res.body.detail).toMatch(/^database: The database did not answer/);
    expect((await h.request('GET', '/healthz', { key: null })).status).toBe(200);
  });

  it('checks only the database in an API-only process', async () => {
    h = await createHarness({ env: { HOOKD_ROLE: 'api' } });
    const res = await h.request('GET', '/readyz', { key: null });
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ database: { status: 'ok' }, dispatcher: { status: 'off' }, resultWriter: { status: 'off' } });
  });
});
