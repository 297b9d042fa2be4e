// Which results the dispatcher has written without the result writer's group delay
// (dispatcher.ts roomWaitedFor, result-writer.ts WAITED_FOR_DELAY_MS): those of an endpoint this
// process holds at its maxConcurrency while due work waits, on a store whose commits are
// in-process. Fake timers (the sender's 30 ms answer, the writer's delays, the loop's sleeps) make
// "before the 3 ms group delay" exact; the store is a real SQLite file. Every wait is bounded by a
// count of fake milliseconds, never by the wall clock.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Endpoint } from '../src/core/types.js';
import type { Dispatcher } from '../src/delivery/dispatcher.js';
import type { Publisher } from '../src/delivery/publisher.js';
import type { Sender } from '../src/delivery/sender-types.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { makeEndpoint } from '../src/store/conformance/fixtures.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { answer, startDispatcher } from './helpers/dispatcher-rig.js';

const SEND_MS = 30;

interface Rig {
  publisher: Publisher;
  dispatcher: Dispatcher;
  /** Fake-clock times at which the sender answered and at which recordResults was called. */
  answeredAt: number[];
  /** The URL of each answer, in order. */
  answeredBy: string[];
  /** How long the sender takes per URL (SEND_MS otherwise). */
  sendMs: Map<string, number>;
  recordedAt: number[];
  close: () => Promise<void>;
}

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
  vi.useRealTimers();
});

/** `endpoints`: each inserted as given (eventTypes route the events: see publish). */
async function setUp(endpoints: Partial<Endpoint>[], inProcessCommits = true): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-waited-results-'));
  const base = createSqliteStore({ path: join(dir, 'hookd.db'), secretBox: createAesGcmBox(randomBytes(32)) });
  await base.migrate();
  for (const endpoint of endpoints) await base.insertEndpoint(makeEndpoint({ url: 'http://127.0.0.1:9/hook', ...endpoint }));
  const recordedAt: number[] = [];
  const capabilities = { ...base.capabilities, inProcessCommits };
  const store = new Proxy(base, {
    get(target, key, receiver) {
      if (key === 'capabilities') return capabilities;
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key === 'recordResults' && typeof value === 'function') {
        return (...args: unknown[]) => {
          recordedAt.push(Date.now());
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  }) as Store;
  const answeredAt: number[] = [];
  const answeredBy: string[] = [];
  const sendMs = new Map<string, number>();
  const sender: Sender = {
    send: async (request) => {
      await new Promise((r) => setTimeout(r, sendMs.get(request.url) ?? SEND_MS));
      answeredAt.push(Date.now());
      answeredBy.push(request.url);
      return answer(200);
    },
    async close() {},
  };
  // Timeouts and the clock only: the publisher's group flush runs on setImmediate, left real.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const { publisher, dispatcher } = startDispatcher(store, sender, { owner: 'waited-results-test', pollIntervalMs: 30_000, random: () => 0.5 });
  return {
    publisher,
    dispatcher,
    answeredAt,
    answeredBy,
    sendMs,
    recordedAt,
    close: async () => {
      // Stop under the fake clock: the loop and the in-flight sends wait on fake timers.
      let stopped = false;
      const stopping = dispatcher.stop(1_000).finally(() => (stopped = true));
      for (let i = 0; i < 5_000 && !stopped; i++) await vi.advanceTimersByTimeAsync(1);
      vi.useRealTimers();
      await stopping;
      await base.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const publish = (r: Rig, n: number, type = 'thing.happened') =>
  r.publisher.publishBatch(
    Array.from({ length: n }, (_, i) => ({ type, data: { i }, tenant: null, idempotencyKey: null })),
    (i) => `/events/${i}`,
  );

/** Advance the fake clock until `n` results were handed to the store (bounded). */
async function untilRecorded(r: Rig, n: number): Promise<void> {
  for (let i = 0; i < 500 && r.recordedAt.length < n; i++) await vi.advanceTimersByTimeAsync(1);
  expect(r.recordedAt.length).toBeGreaterThanOrEqual(n);
}

/** How long after its answer the first result was handed to the store, in fake ms. */
const firstDelay = (r: Rig): number => r.recordedAt[0]! - r.answeredAt[0]!;

describe('dispatcher: results a claim waits for', () => {
  it('an endpoint at its cap with due work waiting: its result is written before the group delay', async () => {
    const r = (rig = await setUp([{ maxConcurrency: 1 }]));
    await publish(r, 3);
    await untilRecorded(r, 1);
    expect(firstDelay(r)).toBeLessThan(3);
  });

  it('an endpoint with room waits for the group delay, even while another one is at its cap', async () => {
    const r = (rig = await setUp([
      { url: 'http://127.0.0.1:9/capped', maxConcurrency: 1, eventTypes: ['capped.thing'] },
      { url: 'http://127.0.0.1:9/roomy', maxConcurrency: 8, eventTypes: ['roomy.thing'] },
    ]));
    // The capped endpoint's first send is still out when the roomy one answers.
    r.sendMs.set('http://127.0.0.1:9/capped', 1_000);
    await publish(r, 3, 'capped.thing');
    await publish(r, 1, 'roomy.thing');
    await untilRecorded(r, 1);
    expect(r.answeredBy[0]).toBe('http://127.0.0.1:9/roomy');
    expect(firstDelay(r)).toBeGreaterThanOrEqual(3);
  });

  it('at its cap but with nothing else due: the result waits for the group delay', async () => {
    const r = (rig = await setUp([{ maxConcurrency: 1 }]));
    await publish(r, 1);
    await untilRecorded(r, 1);
    expect(firstDelay(r)).toBeGreaterThanOrEqual(3);
  });

  it('at its cap on a store whose commit is a round trip: the result waits for the group delay', async () => {
    const r = (rig = await setUp([{ maxConcurrency: 1 }], false));
    await publish(r, 3);
    await untilRecorded(r, 1);
    expect(firstDelay(r)).toBeGreaterThanOrEqual(3);
  });
});
