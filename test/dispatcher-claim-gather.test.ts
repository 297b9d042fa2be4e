// A busy dispatcher claims in batches (src/delivery/dispatcher.ts, CLAIM_GATHER_MS): with attempts in
// flight and room for less than a quarter of its concurrency, it waits for more room instead of
// claiming each freed slot on its own, and once the gather time since its last claim has passed it
// claims whatever room there is, so attempts that hold the room for long cannot starve the rest.
// Real SQLite store; the sender holds every request until the test lets it answer.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from '../src/delivery/dispatcher.js';
import type { Publisher } from '../src/delivery/publisher.js';
import type { Sender, SendResult } from '../src/delivery/sender-types.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { makeEndpoint } from '../src/store/conformance/fixtures.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { ClaimRequest, Store } from '../src/store/store.js';
import { startDispatcher } from './helpers/dispatcher-rig.js';

const ok: SendResult = { status: 200, headers: {}, body: '', bodyTruncated: false, durationMs: 1, errorCode: null, errorMessage: null, remoteAddress: null, requestHeaders: {} };

interface Rig {
  dispatcher: Dispatcher;
  publisher: Publisher;
  /** The limit of every claim the dispatcher made, in order. */
  limits: number[];
  /** Requests sent and not answered yet. */
  held: Array<() => void>;
  sentCount: () => number;
  /** Attempts whose result the dispatcher has committed. */
  recordedCount: () => number;
  close: () => Promise<void>;
}

let rig: Rig | null = null;

afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function setUp(claimGatherMs: number): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-claim-gather-'));
  const base = createSqliteStore({ path: join(dir, 'hookd.db'), secretBox: createAesGcmBox(randomBytes(32)) });
  await base.migrate();
  await base.insertEndpoint(makeEndpoint({ url: 'http://127.0.0.1:9/hook', maxConcurrency: 50 }));
  const limits: number[] = [];
  const store = new Proxy(base, {
    get(target, key, receiver) {
      if (key === 'claimDue') {
        return (req: ClaimRequest) => {
          limits.push(req.limit);
          return target.claimDue(req);
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  }) as Store;
  const held: Array<() => void> = [];
  let sent = 0;
  const sender: Sender = {
    send: () =>
      new Promise<SendResult>((resolve) => {
        sent++;
        held.push(() => resolve(ok));
      }),
    async close() {},
  };
  // A quarter of 8: the dispatcher claims in batches of at least 2 while it is busy.
  const { bus, publisher, dispatcher } = startDispatcher(store, sender, { owner: 'claim-gather-test', claimGatherMs, pollIntervalMs: 20 });
  let recorded = 0;
  bus.on('attempt.recorded', () => recorded++);
  return {
    dispatcher,
    publisher,
    limits,
    held,
    sentCount: () => sent,
    recordedCount: () => recorded,
    close: async () => {
      for (const answer of held.splice(0)) answer();
      await dispatcher.stop(1_000);
      await base.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function eventually(fn: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A dispatcher with its eight slots taken: 20 events in one transaction, so that the first claim
 * finds them all due (a full batch of 8). Returns how many claims were made before.
 */
async function busy(claimGatherMs: number): Promise<{ r: Rig; before: number }> {
  const r = await setUp(claimGatherMs);
  rig = r;
  const inputs = Array.from({ length: 20 }, (_, i) => ({ type: 'thing.happened', data: { i }, tenant: null, idempotencyKey: null }));
  await r.publisher.publishBatch(inputs, (i) => `/events/${i}`);
  r.dispatcher.wake();
  await eventually(() => r.sentCount() === 8);
  return { r, before: r.limits.length };
}

describe('dispatcher: claims in batches while busy', () => {
  it('waits for room for a batch instead of claiming each freed slot', async () => {
    const { r, before } = await busy(60_000);

    // One slot frees (its result is committed and wakes the loop): room 1 < 2, so no claim.
    r.held.shift()!();
    await eventually(() => r.recordedCount() === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(r.limits.slice(before)).toEqual([]);
    expect(r.sentCount()).toBe(8);

    // A second one frees: room for a batch of 2, claimed together.
    r.held.shift()!();
    await eventually(() => r.sentCount() === 10);
    expect(r.limits.slice(before)).toEqual([2]);
  });

  it('claims the room there is once the gather time since its last claim has passed', async () => {
    const { r, before } = await busy(200);
    r.held.shift()!();
    // Room 1 stays below the batch, yet the freed slot is used: at most ~200 ms later.
    await eventually(() => r.sentCount() === 9, 5_000);
    expect(r.limits.slice(before)).toEqual([1]);
  });
});
