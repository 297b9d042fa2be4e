// When a claim waits for the room that results free (an endpoint at its maxConcurrency), the result
// writer writes them at the next timer turn instead of holding them GROUP_DELAY_MS for a fuller group
// (result-writer.ts). Fake timers make "before the group delay" exact instead of a timed assertion.

import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createResultWriter } from '../src/delivery/result-writer.js';
import type { AttemptResult, AttemptResultOutcome, Claim, Store } from '../src/store/store.js';

const result = (deliveryId: string): AttemptResult => ({ deliveryId, leaseToken: 1 }) as unknown as AttemptResult;

/** A writer whose claims say "waited for" by delivery id. */
function writerWith(roomWaitedFor: ((deliveryId: string) => boolean) | undefined): { add: (id: string) => void; written: string[][] } {
  const written: string[][] = [];
  const store = {
    async recordResults(results: AttemptResult[]): Promise<AttemptResultOutcome[]> {
      written.push(results.map((r) => r.deliveryId));
      return results.map(() => ({ applied: true, endpointDisabled: null }));
    },
  } as unknown as Store;
  const writer = createResultWriter({
    store,
    logger: pino({ level: 'silent' }),
    onApplied: () => undefined,
    onStale: () => undefined,
    roomWaitedFor: roomWaitedFor && ((claim) => roomWaitedFor(claim.delivery.id)),
  });
  writer.start();
  return { add: (id) => writer.add(result(id), { delivery: { id } } as unknown as Claim), written };
}

describe('result writer: results a claim waits for', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes them at the next timer turn, together with what finished in the same turn', async () => {
    vi.useFakeTimers();
    const w = writerWith(() => true);
    w.add('a');
    w.add('b');
    await vi.advanceTimersByTimeAsync(1);
    expect(w.written).toEqual([['a', 'b']]);
  });

  it('otherwise holds them for the group delay', async () => {
    vi.useFakeTimers();
    const w = writerWith(() => false);
    w.add('a');
    await vi.advanceTimersByTimeAsync(2);
    expect(w.written).toEqual([]);
    w.add('b');
    await vi.advanceTimersByTimeAsync(1);
    expect(w.written).toEqual([['a', 'b']]);
  });

  it('brings a pending group delay forward when a result a claim waits for joins the group', async () => {
    vi.useFakeTimers();
    const w = writerWith((id) => id === 'waited');
    w.add('a');
    await vi.advanceTimersByTimeAsync(1);
    expect(w.written).toEqual([]);
    w.add('waited');
    await vi.advanceTimersByTimeAsync(1);
    expect(w.written).toEqual([['a', 'waited']]);
  });

  it('holds them for the group delay when nobody says a claim waits', async () => {
    vi.useFakeTimers();
    const w = writerWith(undefined);
    w.add('a');
    await vi.advanceTimersByTimeAsync(2);
    expect(w.written).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.written).toEqual([['a']]);
  });
});
