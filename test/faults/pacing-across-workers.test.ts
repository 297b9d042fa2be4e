// Issue 4: "per-endpoint concurrency and rate limits hold across processes, not only within one".
// Three `--role worker` processes on PostgreSQL share one endpoint's backlog:
// - a rate limit of R/s holds for the sum of them (the store hands out send slots, so three workers
//   pacing on their own would deliver at 3R/s and this test would see it);
// - a 429 with Retry-After seen by one worker holds back the other two as well.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEndpoint, publishMany, until } from './support/api.js';
import { baseEnv, startHookd, stopAll, type HookdProcess } from './support/hookd-process.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL, sql } from './support/postgres.js';
import { pairKey, startRecorder, type Receipt } from './support/recorder.js';

const schema = freshSchema('hookd_pacing');
const dir = mkdtempSync(join(tmpdir(), 'hookd-pacing-'));
const env = baseEnv({ HOOKD_DATA_DIR: dir, DATABASE_URL: schemaUrl(SHARED_URL, schema), HOOKD_LEASE_GRACE_MS: '10000' });
let apiNode: HookdProcess;

afterAll(async () => {
  await stopAll();
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

/** The most arrivals in any window of `windowMs` (arrival times sorted). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi += 1) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe('pacing across three worker processes on PostgreSQL', () => {
  it('holds a rate limit and a Retry-After pause for all workers together', async () => {
    const rec = await startRecorder();
    try {
      let throttledAt: number | null = null;
      rec.answer((_req, receipt: Receipt) => {
        // The first request to "pause" is throttled for 2 s; everything else succeeds.
        if (receipt.endpoint === 'pause' && throttledAt === null) {
          throttledAt = receipt.at;
          return { status: 429, headers: { 'retry-after': '2' } };
        }
        return { status: 200, delayMs: 2 };
      });
      apiNode = await startHookd('api', { ...env, HOOKD_ROLE: 'api' });
      // Concurrency well above what the rate allows, so only the rate limit can be what paces.
      const rateEndpoint = await createEndpoint(apiNode.url, rec.urlFor('rate'), { rateLimitPerSecond: 20, maxConcurrency: 20, eventTypes: ['paced.rate'] });
      // One at a time: when the 429's result commits, no other request to it can be in flight, so any
      // request inside the pause would come from a worker that ignored it.
      await createEndpoint(apiNode.url, rec.urlFor('pause'), { maxConcurrency: 1, eventTypes: ['paced.pause'] });
      const rateIds = await publishMany(apiNode.url, 'paced.rate', 60);
      const pauseIds = await publishMany(apiNode.url, 'paced.pause', 20);
      const expected = new Set([...rateIds.map((id) => pairKey('rate', id)), ...pauseIds.map((id) => pairKey('pause', id))]);

      const workers = await Promise.all([1, 2, 3].map((n) => startHookd(`worker-${n}`, { ...env, HOOKD_ROLE: 'worker' })));
      await until('every event delivered', () => rec.missing(expected) === 0, 60_000, 100);
      // No worker died, so none may have been taken for dead (that would hand its paced claims to another).
      expect(workers.flatMap((w) => w.logs).filter((l) => /dead lease owners|presumed dead/.test(l.msg))).toEqual([]);

      // Rate: 60 deliveries at 20/s take at least 59 slots x 50 ms (the span check, which three
      // uncoordinated workers at 60/s fail by a factor of three). The slots hold at most 21 in any
      // second (a window can touch slots at both ends). An attempt's recorded start comes after its
      // slot, never before, by the event-loop delay of a busy worker; one late start can fall into the
      // next window (CI measured 22 once in five runs), so the starts may show one more. At the
      // receiver, arrival jitter on a loaded machine may bunch a few more.
      // The receiver sees a request before its attempt is recorded (results are written in groups a
      // few milliseconds later): wait for the last results to commit.
      const readStarts = async (): Promise<number[]> =>
        (await sql<{ created_at: string }>(SHARED_URL, `SELECT created_at FROM ${schema}.attempts WHERE endpoint_id = $1`, [rateEndpoint])).map((r) => Number(r.created_at));
      await until('every attempt recorded', async () => (await readStarts()).length >= 60, 10_000, 50);
      const starts = await readStarts();
      expect(starts).toHaveLength(60);
      const rateTimes = rec.receipts.filter((r) => r.endpoint === 'rate').map((r) => r.at);
      const span = Math.max(...rateTimes) - Math.min(...rateTimes);
      const busiestStart = busiestWindow(starts, 1000);
      const busiestArrival = busiestWindow(rateTimes, 1000);
      console.info(`pacing: 60 deliveries at 20/s over 3 workers took ${span} ms; busiest second: ${busiestStart} started, ${busiestArrival} arrived`);
      expect(span).toBeGreaterThanOrEqual(2_700);
      expect(busiestStart).toBeLessThanOrEqual(22);
      expect(busiestArrival).toBeLessThanOrEqual(25);

      // Pause: after the 429 (Retry-After: 2), no worker sent to that endpoint for 2 s.
      const pauseTimes = rec.receipts.filter((r) => r.endpoint === 'pause').map((r) => r.at).sort((a, b) => a - b);
      expect(throttledAt).not.toBeNull();
      const next = pauseTimes.find((t) => t > throttledAt!);
      expect(next).toBeDefined();
      console.info(`pacing: first request after the 429 came ${next! - throttledAt!} ms later`);
      // 2 s counted from when the sender read the answer, a few ms after the receiver stamped it.
      expect(next! - throttledAt!).toBeGreaterThanOrEqual(1_950);
    } finally {
      await rec.close();
    }
  }, 90_000);
});
