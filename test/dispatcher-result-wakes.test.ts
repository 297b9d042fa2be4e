// Which committed results wake the dispatcher's loop (src/delivery/dispatcher.ts, roomWanted and
// freesWork). The poll interval here is far longer than any wait the test allows, so only a wake-up
// can explain a claim made in time. A delivery that simply ends, with nothing else due, wakes no
// claim; a retry it schedules and an ordering key it unblocks still get their next attempt at once
// (both fail if those results stop waking the loop). An endpoint at its cap keeps its deliveries
// going; that one the idle back-off would also rescue (at most 250 ms a step), so it guards the
// case without pinning the wake. Real SQLite store; the sender answers from a script after 30 ms.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../src/core/types.js';
import type { Dispatcher } from '../src/delivery/dispatcher.js';
import type { Publisher } from '../src/delivery/publisher.js';
import type { Sender } from '../src/delivery/sender-types.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { makeEndpoint } from '../src/store/conformance/fixtures.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { answer, startDispatcher } from './helpers/dispatcher-rig.js';

const POLL_MS = 30_000;

interface Rig {
  publisher: Publisher;
  dispatcher: Dispatcher;
  calls: { claimDue: number; nextDueAt: number };
  sent: () => number;
  recorded: () => number;
  close: () => Promise<void>;
}

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

/** `statuses`: what the endpoint answers, request by request (200 once they run out). */
async function setUp(endpoint: Partial<Endpoint>, statuses: number[] = []): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-result-wakes-'));
  const base = createSqliteStore({ path: join(dir, 'hookd.db'), secretBox: createAesGcmBox(randomBytes(32)) });
  await base.migrate();
  await base.insertEndpoint(makeEndpoint({ url: 'http://127.0.0.1:9/hook', ...endpoint }));
  const calls = { claimDue: 0, nextDueAt: 0 };
  const store = new Proxy(base, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if ((key === 'claimDue' || key === 'nextDueAt') && typeof value === 'function') {
        return (...args: unknown[]) => {
          calls[key]++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  }) as Store;
  let sent = 0;
  const sender: Sender = {
    send: async () => {
      const status = statuses[sent] ?? 200;
      sent++;
      await new Promise((r) => setTimeout(r, 30));
      return answer(status);
    },
    async close() {},
  };
  const { bus, publisher, dispatcher } = startDispatcher(store, sender, { owner: 'result-wakes-test', pollIntervalMs: POLL_MS, random: () => 0.5 });
  let recorded = 0;
  bus.on('attempt.recorded', () => recorded++);
  return {
    publisher,
    dispatcher,
    calls,
    sent: () => sent,
    recorded: () => recorded,
    close: async () => {
      await dispatcher.stop(1_000);
      await base.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function eventually(fn: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const publish = (r: Rig, n: number, orderingKey: string | null = null) =>
  r.publisher.publishBatch(
    Array.from({ length: n }, (_, i) => ({ type: 'thing.happened', data: { i }, tenant: null, idempotencyKey: null, orderingKey })),
    (i) => `/events/${i}`,
  );

describe('dispatcher: which results wake the loop', () => {
  it('a delivery that simply ends, with nothing else due, wakes no claim and no next-due query', async () => {
    const r = (rig = await setUp({}));
    // Let the start-up look settle (it found nothing due), then count from here.
    await new Promise((res) => setTimeout(res, 100));
    const before = { ...r.calls };
    await publish(r, 1);
    await eventually(() => r.recorded() === 1, 5_000);
    await new Promise((res) => setTimeout(res, 200));
    // The publish's wake: one claim that found the delivery and one next-due query after it.
    expect(r.calls.claimDue - before.claimDue).toBe(1);
    expect(r.calls.nextDueAt - before.nextDueAt).toBe(1);
  });

  it('a retry the result schedules is attempted when due, not at the next poll', async () => {
    const r = (rig = await setUp({ retrySchedule: [0, 1] }, [500]));
    await publish(r, 1);
    await eventually(() => r.recorded() === 1, 5_000);
    await eventually(() => r.recorded() === 2, 5_000);
    expect(r.sent()).toBe(2);
  });

  it('an endpoint at its concurrency cap gets all its deliveries, one at a time', async () => {
    const r = (rig = await setUp({ maxConcurrency: 1 }));
    await publish(r, 4);
    await eventually(() => r.recorded() === 4, 5_000);
  });

  it('an ordering key: the next event of the key goes as soon as its head is recorded', async () => {
    const r = (rig = await setUp({}));
    await publish(r, 3, 'chat-1');
    await eventually(() => r.recorded() === 3, 5_000);
  });
});
