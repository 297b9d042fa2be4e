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
  it('drops a lone poison result once the database answers a ping, and keeps it while the ping fails', async () => {
    let pingFails = true;
    let pings = 0;
    const store = {
      async recordResults(): Promise<AttemptResultOutcome[]> {
        throw new Error('value too long for type character varying');
      },
      async ping(): Promise<void> {
        pings++;
        if (pingFails) throw new StoreUnavailableError('PostgreSQL is unavailable: connect ECONNREFUSED', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
      },
    } as unknown as Store;
    const dropped: string[] = [];
    const writer = createResultWriter({ store, logger: pino({ level: 'silent' }), onApplied: () => undefined, onStale: () => undefined, onDropped: (r) => dropped.push(r.deliveryId) });
    writer.start();
    writer.add(result('poison'), {} as Claim);
    // No answer from the database: an outage for all the writer can tell, so the result stays.
    const failingBy = Date.now() + 5_000;
    while (pings === 0 && Date.now() < failingBy) await new Promise((r) => setTimeout(r, 5));
    expect(writer.health()).toMatchObject({ buffered: 1, failingSince: expect.any(Number) });
    expect(dropped).toEqual([]);
    // The database answers: the result alone in its group is poison, dropped at the next retry.
    pingFails = false;
    const droppedBy = Date.now() + 5_000;
    while (dropped.length === 0 && Date.now() < droppedBy) await new Promise((r) => setTimeout(r, 5));
    expect(dropped).toEqual(['poison']);
    expect(writer.health()).toEqual({ buffered: 0, failingSince: null });
    await writer.stop();
  });
  it('drops results over the buffer cap while a write hangs, reports them, and writes the rest once it returns', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let written = 0;
    const store = {
      async recordResults(results: AttemptResult[]): Promise<AttemptResultOutcome[]> {
        await gate;
        written += results.length;
        return results.map(() => ({ applied: true, endpointDisabled: null }));
      },
    } as unknown as Store;
    const dropped: string[] = [];
    const writer = createResultWriter({ store, logger: pino({ level: 'silent' }), onApplied: () => undefined, onStale: () => undefined, onDropped: (r) => dropped.push(r.deliveryId) });
    writer.start();
    // The cap is 20,000 unwritten results (result-writer.ts, MAX_BUFFERED).
    for (let i = 0; i < 20_002; i++) writer.add(result(`d${i}`), {} as Claim);
    expect(dropped).toEqual(['d20000', 'd20001']);
    expect(writer.health().buffered).toBe(20_000);
    release();
    await writer.stop();
    expect(written).toBe(20_000);
    expect(writer.health().buffered).toBe(0);
  });
});
