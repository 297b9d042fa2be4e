// reliability.md A-12: a worker frozen with SIGSTOP past its lease while it holds in-flight
// deliveries (the receiver keeps those requests open), another worker delivers them, then SIGCONT.
// The frozen worker's late results (it finally reads a 500 for each) carry a stale fencing token: they
// are rejected, and no delivery moves back from `succeeded`; each keeps exactly the live worker's one
// attempt, as the API shows.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, createEndpoint, publishMany, sleep, until } from './support/api.js';
import { baseEnv, startHookd, stopAll, warnings } from './support/hookd-process.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL } from './support/postgres.js';
import { startRecorder } from './support/recorder.js';

const schema = freshSchema('hookd_zombie');
const dir = mkdtempSync(join(tmpdir(), 'hookd-zombie-'));
const EVENTS = 10;

afterAll(async () => {
  await stopAll();
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

describe('a worker frozen past its lease (SIGSTOP, then SIGCONT)', () => {
  it('cannot overwrite what the live worker recorded: stale results are fenced off', async () => {
    const rec = await startRecorder();
    try {
      rec.answer(() => 'hold');
      const env = baseEnv({ HOOKD_DATA_DIR: dir, DATABASE_URL: schemaUrl(SHARED_URL, schema) });
      const apiNode = await startHookd('api', { ...env, HOOKD_ROLE: 'api' });
      const zombie = await startHookd('zombie', { ...env, HOOKD_ROLE: 'worker' });
      const endpointId = await createEndpoint(apiNode.url, rec.urlFor('slow'), { timeoutMs: 2000, maxConcurrency: 50 });
      await publishMany(apiNode.url, 'chat.started', EVENTS);

      // The zombie has sent all of them and waits for answers that do not come.
      await until('the zombie to send every delivery', () => rec.receipts.length >= EVENTS, 20_000);
      const firstIds = new Set(rec.receipts.map((r) => r.webhookId));
      expect(firstIds.size).toBe(EVENTS);
      process.kill(zombie.pid, 'SIGSTOP');
      const frozenAt = Date.now();

      // Lease = timeout 2 s + grace 1 s. A live worker takes the deliveries over after it expires.
      rec.answer(() => ({ status: 200 }));
      const live = await startHookd('live', { ...env, HOOKD_ROLE: 'worker' });
      await until('the live worker to deliver everything', () => new Set(rec.receipts.slice(EVENTS).map((r) => r.webhookId)).size === EVENTS, 30_000);
      expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(2_000);
      const listSucceeded = async (): Promise<Array<{ id: string; status: string; attempts: number }>> =>
        (await api(apiNode.url, 'GET', `/v1/deliveries?endpoint=${endpointId}&limit=250`)).body.data;
      await until('the live worker’s results', async () => (await listSucceeded()).filter((d) => d.status === 'succeeded').length === EVENTS, 10_000);

      // The zombie's requests now get a 500 (a retry, were it applied) and the zombie wakes up.
      expect(rec.release(500)).toBe(EVENTS);
      process.kill(zombie.pid, 'SIGCONT');
      await until(
        'the zombie to report its results as stale',
        () => warnings(zombie).filter((l) => /stale attempt result rejected/.test(l.msg)).length >= EVENTS,
        15_000,
      );
      await sleep(500);

      // Each delivery holds exactly the live worker's attempts (one, unless the machine was so loaded
      // that one timed out and was retried): one per request the receiver got after the freeze, and
      // none of the zombie's 500s.
      const liveRequests = new Map<string, number>();
      for (const r of rec.receipts.slice(EVENTS)) liveRequests.set(r.webhookId, (liveRequests.get(r.webhookId) ?? 0) + 1);
      const deliveries = await listSucceeded();
      expect(deliveries).toHaveLength(EVENTS);
      for (const d of deliveries) {
        const detail = await api(apiNode.url, 'GET', `/v1/deliveries/${d.id}`);
        expect(detail.body.status).toBe('succeeded');
        const attempts = detail.body.attempts as Array<{ responseStatus: number | null; code: string }>;
        expect(attempts).toHaveLength(liveRequests.get(detail.body.eventId as string) ?? -1);
        expect(d.attempts).toBe(attempts.length);
        expect(attempts.at(-1)).toMatchObject({ responseStatus: 200, code: 'ok' });
        expect(attempts.filter((a) => a.responseStatus === 500)).toEqual([]);
      }
      // Nothing was scheduled again: no third request for any delivery.
      const settled = rec.receipts.length;
      await sleep(300);
      expect(rec.receipts).toHaveLength(settled);
      expect(warnings(live).filter((l) => l.level >= 50)).toEqual([]);
      for (const p of [apiNode, zombie, live]) expect(await p.stop()).toBe(0);
    } finally {
      await rec.close();
    }
  }, 90_000);
});
