// Group commit of attempt results. Finished attempts accumulate for a few milliseconds (or until a
// group is full) and are written in one store transaction: one commit per attempt would cost a write
// lock and a WAL append each on SQLite, and a round trip each on PostgreSQL. If the database is down
// the group is kept and retried with capped back-off; if the process dies first, the leases expire
// and the deliveries are sent again (at-least-once, same webhook-id).

import type { Logger } from 'pino';
import type { AttemptResult, AttemptResultOutcome, Claim, Store } from '../store/store.js';
import { writeIsolated } from './isolate-failures.js';
import { StoreUnavailableError } from '../store/store-error.js';

const GROUP_SIZE = 256;
const GROUP_DELAY_MS = 3;
// When a claim waits for the room a result frees (an endpoint at its maxConcurrency: the dispatcher
// decides, roomWaitedFor), every millisecond the result waits for its group holds a slot: with one
// endpoint at 64 in flight a slot cycled in ~10 ms, up to 3 of them this delay (bench/ burst-1x).
// Such results go at the next timer turn instead; Node runs a 0 ms timer after at least 1 ms, so
// results finishing within it still share a commit.
const WAITED_FOR_DELAY_MS = 0;
/** Beyond this many unwritten results, new ones are dropped (their leases expire; they are re-sent). */
const MAX_BUFFERED = 20_000;

export interface ResultWriter {
  start(): void;
  add(result: AttemptResult, claim: Claim): void;
  /** Write now, outside the group (endpoint test): returns the outcomes. */
  writeNow(results: AttemptResult[], claims: Claim[]): Promise<AttemptResultOutcome[]>;
  /** Flush everything buffered, then refuse new results. */
  stop(): Promise<void>;
  /** Readiness: results waiting to be written, and since when writing them has been failing (null: it is not). */
  health(): { buffered: number; failingSince: number | null };
}

export function createResultWriter(opts: {
  store: Store;
  logger: Logger;
  onApplied: (result: AttemptResult, outcome: AttemptResultOutcome, claim: Claim) => void;
  onStale: (result: AttemptResult) => void;
  /**
   * A result that will never be written: added after stop(), over MAX_BUFFERED, or poison (below).
   * Its lease expires and the delivery is sent again; the caller forgets what it kept for it.
   */
  onDropped?: (result: AttemptResult) => void;
  /** Whether a claim waits for the room this result frees (see WAITED_FOR_DELAY_MS); default never. */
  roomWaitedFor?: (claim: Claim) => boolean;
  now?: () => number;
}): ResultWriter {
  const now = opts.now ?? Date.now;
  let buffer: Array<{ result: AttemptResult; claim: Claim }> = [];
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;
  let stopped = false;
  let backoffMs = 0;
  let failingSince: number | null = null;

  const report = (items: Array<{ result: AttemptResult; claim: Claim }>, outcomes: AttemptResultOutcome[]): void => {
    items.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome?.applied) opts.onApplied(item.result, outcome, item.claim);
      else opts.onStale(item.result);
    });
  };

  const flush = async (): Promise<void> => {
    timer = null;
    while (buffer.length > 0) {
      const group = buffer.slice(0, GROUP_SIZE);
      try {
        const outcomes = await opts.store.recordResults(group.map((g) => g.result));
        buffer = buffer.slice(group.length);
        backoffMs = 0;
        failingSince = null;
        report(group, outcomes);
      } catch (err) {
        // One bad result must not hold every other endpoint's results hostage: the group's items are
        // written one by one. Those written are reported. If any could be written, the database takes
        // writes, and an item that failed for good (not StoreUnavailableError: a dropped connection,
        // a deadlock, a full disk, a read-only server, a busy SQLite, which may pass) is poison: it is
        // dropped (its lease expires and the delivery is sent again). Items that failed in passing
        // stay for the back-off retry. If none could be written, it is an outage: everything stays,
        // and readiness says so. That includes a lone result (a group of one) that fails for good:
        // it stays until a result that can be written joins its group and shows the database takes
        // writes. A ping cannot stand in for that proof: it shows the database answers a read, and
        // writes that fail for every row with an error no list names (a revoked privilege, a table
        // a bad deploy dropped) would then be dropped one by one, re-sent after every lease, with
        // readiness green.
        if (group.length > 1) {
          const outcomes = await writeIsolated(group.map((g) => g.result), (results) => opts.store.recordResults(results));
          if (outcomes.some((o) => o.ok)) {
            const kept: typeof group = [];
            group.forEach((item, i) => {
              const outcome = outcomes[i]!;
              if (outcome.ok) report([item], [outcome.value]);
              else if (outcome.error instanceof StoreUnavailableError) kept.push(item);
              else {
                opts.logger.error({ err: (outcome.error as Error).message, deliveryId: item.result.deliveryId }, 'an attempt result cannot be recorded; dropped (the delivery will be re-sent after its lease)');
                opts.onDropped?.(item.result);
              }
            });
            buffer = [...kept, ...buffer.slice(group.length)];
            if (kept.length === 0) {
              backoffMs = 0;
              failingSince = null;
              continue;
            }
          }
        }
        backoffMs = Math.min(Math.max(backoffMs * 2, 100), 5000);
        failingSince ??= now();
        opts.logger.warn({ err: (err as Error).message, pending: buffer.length, retryInMs: backoffMs }, 'recording attempt results failed; will retry');
        if (stopped) return;
        await new Promise((r) => setTimeout(r, backoffMs));
      }
    }
  };

  // `timerSoon`: the pending timer is a WAITED_FOR_DELAY_MS one. A result a claim waits for brings a
  // pending group delay forward, on every store, and so does a full group. A running flush takes what
  // is buffered as soon as its group commits; `soonAfterFlush` keeps a waited-for result that came in
  // after its last look (the attempt's continuation runs before the flush's own) from waiting the
  // full delay.
  let timerSoon = false;
  let soonAfterFlush = false;
  const schedule = (waitedFor: boolean): void => {
    if (flushing) {
      soonAfterFlush ||= waitedFor;
      return;
    }
    const soon = waitedFor || buffer.length >= GROUP_SIZE;
    if (timer) {
      if (!soon || timerSoon) return;
      clearTimeout(timer);
    }
    timerSoon = soon;
    timer = setTimeout(() => {
      flushing = flush().finally(() => {
        flushing = null;
        const soonNext = soonAfterFlush;
        soonAfterFlush = false;
        if (buffer.length > 0 && !stopped) schedule(soonNext);
      });
    }, soon ? WAITED_FOR_DELAY_MS : GROUP_DELAY_MS);
  };

  return {
    start() {
      stopped = false;
    },
    add(result, claim) {
      if (stopped) {
        opts.logger.warn({ deliveryId: result.deliveryId }, 'attempt finished after shutdown; its result is not recorded and the delivery will be re-sent');
        opts.onDropped?.(result);
        return;
      }
      if (buffer.length >= MAX_BUFFERED) {
        opts.logger.error({ deliveryId: result.deliveryId }, 'result buffer full; dropping a result (the delivery will be re-sent after its lease)');
        opts.onDropped?.(result);
        return;
      }
      buffer.push({ result, claim });
      schedule(opts.roomWaitedFor?.(claim) === true);
    },
    async writeNow(results, claims) {
      const outcomes = await opts.store.recordResults(results);
      report(
        results.map((result, i) => ({ result, claim: claims[i]! })),
        outcomes,
      );
      return outcomes;
    },
    async stop() {
      // Refuse new results first; a final flush that fails once gives up (the leases expire).
      stopped = true;
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      if (flushing) await flushing;
      await flush();
    },
    health: () => ({ buffered: buffer.length, failingSince }),
  };
}
