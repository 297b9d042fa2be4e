// Group commit: single publishes are written together, one store call at a time. The store is a real
// SQLite store whose publishEvents is made slow (as a database round trip would be) and observed.

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createSchemaChecker } from '../src/core/payload-check.js';
import { createPublisher } from '../src/delivery/publisher.js';
import { EventBus } from '../src/core/event-bus.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { NewEvent, Store } from '../src/store/store.js';

let raw: Store;
beforeEach(async () => {
  raw = createSqliteStore({ path: ':memory:', secretBox: createAesGcmBox(randomBytes(32)) });
  await raw.migrate();
});
afterEach(async () => {
  await raw.close();
});

function observed(store: Store, options: { delayMs: number; failFirst?: boolean }) {
  const calls: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let failNext = options.failFirst ?? false;
  const wrapped: Store = {
    ...store,
    publishEvents: async (events: NewEvent[]) => {
      calls.push(events.length);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await sleep(options.delayMs);
        if (failNext) {
          failNext = false;
          throw new Error('connection lost');
        }
        return await store.publishEvents(events);
      } finally {
        inFlight -= 1;
      }
    },
  };
  return { store: wrapped, calls, maxInFlight: () => maxInFlight };
}

const publisherOver = (store: Store) =>
  createPublisher({ store, checker: createSchemaChecker(), bus: new EventBus(), requireEventTypes: false, now: Date.now });

it('keeps one group in flight and sends everything that queued meanwhile as the next group', async () => {
  const o = observed(raw, { delayMs: 20 });
  const publisher = publisherOver(o.store);
  const pending: Promise<unknown>[] = [];
  // 40 publishes spread over ~80 ms: several arrive while each group is being written.
  for (let i = 0; i < 40; i++) {
    pending.push(publisher.publish({ type: 'tick', data: { i }, tenant: null, idempotencyKey: null }));
    if (i % 4 === 3) await sleep(8);
  }
  const results = await Promise.all(pending);
  expect(results.every((r) => (r as { kind: string }).kind === 'created')).toBe(true);
  expect(o.maxInFlight()).toBe(1);
  expect(o.calls.reduce((a, b) => a + b, 0)).toBe(40);
  expect(o.calls.length).toBeLessThanOrEqual(8);
  expect(await raw.lastEventSeq()).toBe(40);
});

it('a failed group rejects its own callers only; the next group is written', async () => {
  const o = observed(raw, { delayMs: 10, failFirst: true });
  const publisher = publisherOver(o.store);
  const first = publisher.publish({ type: 'a', data: 1, tenant: null, idempotencyKey: null });
  await sleep(2);
  const second = publisher.publish({ type: 'b', data: 2, tenant: null, idempotencyKey: null });
  await expect(first).rejects.toThrow('connection lost');
  await expect(second).resolves.toMatchObject({ kind: 'created', event: { type: 'b' } });
  expect(o.calls).toEqual([1, 1]);
  // Publishing after the queue drained starts a new flush.
  await expect(publisher.publish({ type: 'c', data: 3, tenant: null, idempotencyKey: null })).resolves.toMatchObject({ kind: 'created' });
});
