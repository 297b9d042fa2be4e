// The result writer's failure isolation, with a store scripted to fail in the three ways that matter:
// a result the store can never hold (dropped, alone), a passing failure (kept and retried), and the
// rest (written and reported). A real database cannot be made to fail one row of a group on cue.

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createResultWriter } from '../src/delivery/result-writer.js';
import { StoreUnavailableError } from '../src/store/store-error.js';
import type { AttemptResult, AttemptResultOutcome, Claim, Store } from '../src/store/store.js';

const result = (deliveryId: string): AttemptResult => ({ deliveryId, leaseToken: 1 }) as unknown as AttemptResult;

describe('result writer isolation', () => {
  it('reports what can be written, keeps passing failures for the retry, drops only poison', async () => {
    let passingFailuresLeft = 1;
    const written: string[] = [];
    const store = {
      async recordResults(results: AttemptResult[]): Promise<AttemptResultOutcome[]> {
        if (results.some((r) => r.deliveryId === 'poison')) throw new Error('value too long for type character varying');
        if (results.some((r) => r.deliveryId === 'flaky') && passingFailuresLeft-- > 0) {
          throw new StoreUnavailableError('PostgreSQL is unavailable: deadlock detected', { cause: Object.assign(new Error('deadlock detected'), { code: '40P01' }) });
        }
        written.push(...results.map((r) => r.deliveryId));
        return results.map(() => ({ applied: true, endpointDisabled: null }));
      },
    } as unknown as Store;
    const applied: string[] = [];
    const dropped: string[] = [];
    const writer = createResultWriter({ store, logger: pino({ level: 'silent' }), onApplied: (r) => applied.push(r.deliveryId), onStale: () => undefined, onDropped: (r) => dropped.push(r.deliveryId) });
    writer.start();
    for (const id of ['a', 'poison', 'flaky', 'b']) writer.add(result(id), {} as Claim);
    const deadline = Date.now() + 5_000;
    while (applied.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await writer.stop();
    expect(applied.sort()).toEqual(['a', 'b', 'flaky']);
    expect(written.filter((id) => id === 'flaky')).toHaveLength(1);
    expect(written).not.toContain('poison');
    // The dispatcher forgets what it kept for a dropped result (its endpoint.disabled announcement).
    expect(dropped).toEqual(['poison']);
    expect(writer.health().buffered).toBe(0);
  });

  it('reports a result added after stop() as dropped, and writes nothing for it', async () => {
    const written: string[] = [];
    const store = {
      async recordResults(results: AttemptResult[]): Promise<AttemptResultOutcome[]> {
        written.push(...results.map((r) => r.deliveryId));
        return results.map(() => ({ applied: true, endpointDisabled: null }));
      },
    } as unknown as Store;
    const dropped: string[] = [];
    const writer = createResultWriter({ store, logger: pino({ level: 'silent' }), onApplied: () => undefined, onStale: () => undefined, onDropped: (r) => dropped.push(r.deliveryId) });
    writer.start();
    writer.add(result('before'), {} as Claim);
    await writer.stop();
    writer.add(result('late'), {} as Claim);
    expect(written).toEqual(['before']);
    expect(dropped).toEqual(['late']);
  });
  it('keeps a lone result that fails for good (an outage, for all it can tell) until a result that can be written joins it', async () => {
    const written: string[] = [];
    const store = {
      async recordResults(results: AttemptResult[]): Promise<AttemptResultOutcome[]> {
        if (results.some((r) => r.deliveryId === 'poison')) throw new Error('permission denied for table attempts');
        written.push(...results.map((r) => r.deliveryId));
        return results.map(() => ({ applied: true, endpointDisabled: null }));
      },
      // Reads answer: that does not show the database takes writes, so the writer does not ask.
      async ping(): Promise<void> {},
    } as unknown as Store;
    const dropped: string[] = [];
    const writer = createResultWriter({ store, logger: pino({ level: 'silent' }), onApplied: () => undefined, onStale: () => undefined, onDropped: (r) => dropped.push(r.deliveryId) });
    writer.start();
    writer.add(result('poison'), {} as Claim);
    const failingBy = Date.now() + 5_000;
    while (writer.health().failingSince === null && Date.now() < failingBy) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 300)); // a retry or two: still kept
    expect(writer.health()).toMatchObject({ buffered: 1, failingSince: expect.any(Number) });
    expect(dropped).toEqual([]);
    // A result that can be written joins the group at its next retry: now the failure is the row's.
    writer.add(result('good'), {} as Claim);
    const droppedBy = Date.now() + 10_000;
    while (dropped.length === 0 && Date.now() < droppedBy) await new Promise((r) => setTimeout(r, 10));
    expect(written).toEqual(['good']);
    expect(dropped).toEqual(['poison']);
    expect(writer.health()).toEqual({ buffered: 0, failingSince: null });
    await writer.stop();
  });

  it('drops results over the buffer cap while a write hangs, reports them, and writes the rest once it returns', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    let written = 0;
    const store = {
      async recordResults(results: AttemptResult[]): Promise<AttemptResultOutcome[]> {
        calls++;
        await gate;
        written += results.length;
        return results.map(() => ({ applied: true, endpointDisabled: null }));
      },
    } as unknown as Store;
    const dropped: string[] = [];
    const writer = createResultWriter({ store, logger: pino({ level: 'silent' }), onApplied: () => undefined, onStale: () => undefined, onDropped: (r) => dropped.push(r.deliveryId) });
    writer.start();
    writer.add(result('d0'), {} as Claim);
    const startedBy = Date.now() + 5_000;
    while (calls === 0 && Date.now() < startedBy) await new Promise((r) => setTimeout(r, 2));
    expect(calls).toBe(1); // the first group's write is in flight, and hangs
    // The cap is 20,000 unwritten results (result-writer.ts, MAX_BUFFERED), the group in flight included.
    for (let i = 1; i <= 20_001; i++) writer.add(result(`d${i}`), {} as Claim);
    expect(dropped).toEqual(['d20000', 'd20001']);
    expect(writer.health().buffered).toBe(20_000);
    release();
    await writer.stop();
    expect(written).toBe(20_000);
    expect(writer.health().buffered).toBe(0);
  });
});
