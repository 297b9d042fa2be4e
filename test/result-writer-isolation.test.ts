// The result writer's failure isolation and its drops, with a store scripted to fail on cue: a
// result the store can never hold (dropped when others of its group are written, kept when it is
// alone), a passing failure (kept and retried), results after stop() and over the buffer cap
// (dropped and reported), and the rest (written and reported). A real database cannot be made to
// fail one row of a group on cue.

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createResultWriter } from '../src/delivery/result-writer.js';
import { StoreUnavailableError } from '../src/store/store-error.js';
import type { AttemptResult, AttemptResultOutcome, Claim, Store } from '../src/store/store.js';
import { eventually } from './helpers/receiver.js';

const result = (deliveryId: string): AttemptResult => ({ deliveryId, leaseToken: 1 }) as unknown as AttemptResult;

/**
 * A store whose recordResults runs `before` on each group (which may throw, or wait), then writes
 * the group: its ids go to `written`. `extra`: further store methods a test gives it.
 */
function scriptedStore(before: (results: AttemptResult[]) => void | Promise<void> = () => undefined, extra: Partial<Store> = {}): { store: Store; written: string[] } {
  const written: string[] = [];
  const store = {
    async recordResults(results: AttemptResult[]): Promise<AttemptResultOutcome[]> {
      await before(results);
      written.push(...results.map((r) => r.deliveryId));
      return results.map(() => ({ applied: true, endpointDisabled: null }));
    },
    ...extra,
  } as unknown as Store;
  return { store, written };
}

/** A started writer over `store`, keeping the ids it reported applied and dropped. */
function startWriter(store: Store): { writer: ReturnType<typeof createResultWriter>; add: (id: string) => void; applied: string[]; dropped: string[] } {
  const applied: string[] = [];
  const dropped: string[] = [];
  const writer = createResultWriter({ store, logger: pino({ level: 'silent' }), onApplied: (r) => applied.push(r.deliveryId), onStale: () => undefined, onDropped: (r) => dropped.push(r.deliveryId) });
  writer.start();
  return { writer, add: (id) => writer.add(result(id), {} as Claim), applied, dropped };
}

describe('result writer isolation', () => {
  it('reports what can be written, keeps passing failures for the retry, drops only poison', async () => {
    let passingFailuresLeft = 1;
    const { store, written } = scriptedStore((results) => {
      if (results.some((r) => r.deliveryId === 'poison')) throw new Error('value too long for type character varying');
      if (results.some((r) => r.deliveryId === 'flaky') && passingFailuresLeft-- > 0) {
        throw new StoreUnavailableError('PostgreSQL is unavailable: deadlock detected', { cause: Object.assign(new Error('deadlock detected'), { code: '40P01' }) });
      }
    });
    const { writer, add, applied, dropped } = startWriter(store);
    for (const id of ['a', 'poison', 'flaky', 'b']) add(id);
    await eventually(async () => applied.length >= 3, 5_000, 10);
    await writer.stop();
    expect(applied.sort()).toEqual(['a', 'b', 'flaky']);
    expect(written.filter((id) => id === 'flaky')).toHaveLength(1);
    expect(written).not.toContain('poison');
    // The dispatcher forgets what it kept for a dropped result (its endpoint.disabled announcement).
    expect(dropped).toEqual(['poison']);
    expect(writer.health().buffered).toBe(0);
  });

  it('reports a result added after stop() as dropped, and writes nothing for it', async () => {
    const { store, written } = scriptedStore();
    const { writer, add, dropped } = startWriter(store);
    add('before');
    await writer.stop();
    add('late');
    expect(written).toEqual(['before']);
    expect(dropped).toEqual(['late']);
  });

  it('keeps a lone result that fails for good (an outage, for all it can tell) until a result that can be written joins it', async () => {
    const { store, written } = scriptedStore(
      (results) => {
        if (results.some((r) => r.deliveryId === 'poison')) throw new Error('permission denied for table attempts');
      },
      // Reads answer: that does not show the database takes writes, so the writer does not ask.
      { ping: async () => undefined },
    );
    const { writer, add, dropped } = startWriter(store);
    add('poison');
    await eventually(async () => writer.health().failingSince !== null, 5_000, 5);
    await new Promise((r) => setTimeout(r, 300)); // a retry or two: still kept
    expect(writer.health()).toMatchObject({ buffered: 1, failingSince: expect.any(Number) });
    expect(dropped).toEqual([]);
    // A result that can be written joins the group at its next retry: now the failure is the row's.
    add('good');
    await eventually(async () => dropped.length > 0, 10_000, 10);
    expect(written).toEqual(['good']);
    expect(dropped).toEqual(['poison']);
    expect(writer.health()).toEqual({ buffered: 0, failingSince: null });
    await writer.stop();
  });

  it('drops results over the buffer cap while a write hangs, reports them, and writes the rest once it returns', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const { store, written } = scriptedStore(async () => {
      calls++;
      await gate;
    });
    const { writer, add, dropped } = startWriter(store);
    add('d0');
    await eventually(async () => calls > 0, 5_000, 2);
    expect(calls).toBe(1); // the first group's write is in flight, and hangs
    // The cap is 20,000 unwritten results (result-writer.ts, MAX_BUFFERED), the group in flight included.
    for (let i = 1; i <= 20_001; i++) add(`d${i}`);
    expect(dropped).toEqual(['d20000', 'd20001']);
    expect(writer.health().buffered).toBe(20_000);
    release();
    await writer.stop();
    expect(written).toHaveLength(20_000);
    expect(writer.health().buffered).toBe(0);
  });
});
