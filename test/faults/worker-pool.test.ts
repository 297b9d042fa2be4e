// reliability.md A-14 (PostgreSQL part): three `--role worker` processes and one `--role api` share
// one backlog. No delivery is ever being sent under two live leases at once (checked at the receiver:
// no two open requests for the same endpoint and webhook-id; and in the table: every delivery ends
// with exactly one attempt), each endpoint's maxConcurrency holds across the processes, and the total
// delivered equals the total published.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, countDeliveries, createEndpoint, publishMany, sleep, until } from './support/api.js';
import { baseEnv, startHookd, stopAll, warnings } from './support/hookd-process.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL, sql } from './support/postgres.js';
import { checkDuplicates, pairKey, startRecorder } from './support/recorder.js';

const schema = freshSchema('hookd_pool');
const dir = mkdtempSync(join(tmpdir(), 'hookd-pool-'));
const URL_WITH_SCHEMA = schemaUrl(SHARED_URL, schema);

afterAll(async () => {
  await stopAll();
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

describe('three workers and an API process on PostgreSQL', () => {
  it('share one backlog: no double lease, per-endpoint caps hold, delivered == published', async () => {
    const rec = await startRecorder();
    try {
      rec.answer(() => ({ status: 200, delayMs: 5 + Math.floor(Math.random() * 25) }));
      // No process dies here, so a long lease costs nothing, and it keeps a worker stalled by a loaded
      // machine from losing a lease it is still using (which would be a legitimate duplicate).
      const env = baseEnv({ HOOKD_DATA_DIR: dir, DATABASE_URL: URL_WITH_SCHEMA, HOOKD_LEASE_GRACE_MS: '10000' });
      const apiNode = await startHookd('api', { ...env, HOOKD_ROLE: 'api' });
      const tags = ['a', 'b', 'c', 'd'];
      const caps: Record<string, number> = { a: 5, b: 10, c: 20, d: 40 };
      for (const tag of tags) await createEndpoint(apiNode.url, rec.urlFor(tag), { maxConcurrency: caps[tag], timeoutMs: 2000 });
      // The backlog exists before any worker runs; the API process itself never delivers.
      const ids = await publishMany(apiNode.url, 'invoice.paid', 500);
      const expected = new Set(ids.flatMap((id) => tags.map((t) => pairKey(t, id))));
      await sleep(300);
      expect(rec.receipts).toHaveLength(0);

      const workers = await Promise.all([1, 2, 3].map((n) => startHookd(`worker-${n}`, { ...env, HOOKD_ROLE: 'worker' })));

      // Sample the table while the workers drain the backlog: which owners hold leases, and how many
      // live leases each endpoint has at once.
      const owners = new Set<string>();
      let maxLiveLeases: Record<string, number> = {};
      const endpointTag = new Map<string, string>();
      for (const row of await sql<{ id: string; url: string }>(SHARED_URL, `SELECT id, url FROM ${schema}.endpoints`)) {
        endpointTag.set(row.id, new URL(row.url).searchParams.get('e') ?? '');
      }
      let sampling = true;
      const sampler = (async () => {
        for (let i = 0; sampling && i < 2000; i += 1) {
          const rows = await sql<{ endpoint_id: string; lease_owner: string; n: string }>(
            SHARED_URL,
            `SELECT endpoint_id, lease_owner, count(*) AS n FROM ${schema}.deliveries
             WHERE status = 'sending' AND lease_expires_at > $1 GROUP BY 1, 2`,
            [Date.now()],
          );
          const live: Record<string, number> = {};
          for (const r of rows) {
            owners.add(r.lease_owner);
            const tag = endpointTag.get(r.endpoint_id) ?? '?';
            live[tag] = (live[tag] ?? 0) + Number(r.n);
          }
          for (const [tag, n] of Object.entries(live)) maxLiveLeases = { ...maxLiveLeases, [tag]: Math.max(maxLiveLeases[tag] ?? 0, n) };
          await sleep(20);
        }
      })();

      await until('the whole backlog delivered', () => rec.missing(expected) === 0, 90_000, 100);
      sampling = false;
      await sampler;

      // Receiver side: nothing overlapped, identical bytes, nothing unexpected, every cap held.
      expect(rec.overlaps).toEqual([]);
      const { duplicates, mismatched } = checkDuplicates(rec.receipts);
      expect(mismatched).toEqual([]);
      expect(rec.distinct().size).toBe(expected.size);
      for (const tag of tags) expect(rec.maxInFlight(tag), `endpoint ${tag}`).toBeLessThanOrEqual(caps[tag]!);
      for (const [tag, n] of Object.entries(maxLiveLeases)) expect(n, `live leases of ${tag}`).toBeLessThanOrEqual(caps[tag]!);
      // All three workers took part.
      expect(owners.size).toBe(3);

      // Table side: every delivery succeeded with exactly one successful attempt. A second request for
      // a delivery is only allowed after a recorded failed attempt (a timeout on a loaded machine).
      await until('results recorded', async () => (await countDeliveries(apiNode.url, 'succeeded')) === expected.size, 20_000, 250);
      const notOnce = await sql(
        SHARED_URL,
        `SELECT delivery_id FROM ${schema}.attempts GROUP BY 1 HAVING count(*) FILTER (WHERE outcome = 'success') <> 1`,
      );
      expect(notOnce).toEqual([]);
      const [counts] = await sql<{ ok: string; failed: string }>(
        SHARED_URL,
        `SELECT count(*) FILTER (WHERE outcome = 'success') AS ok, count(*) FILTER (WHERE outcome <> 'success') AS failed FROM ${schema}.attempts`,
      );
      expect(Number(counts!.ok)).toBe(expected.size);
      expect(duplicates).toBeLessThanOrEqual(Number(counts!.failed));
      expect((await api(apiNode.url, 'GET', '/readyz')).status).toBe(200);
      for (const p of [apiNode, ...workers]) expect(warnings(p).filter((l) => l.level >= 50)).toEqual([]);
      // No worker died, so none may have been taken for dead (its deliveries would go out twice).
      for (const p of workers) expect(warnings(p).filter((l) => /dead lease owners|presumed dead/.test(l.msg))).toEqual([]);
      console.info(`worker pool: ${expected.size} deliveries by 3 workers, ${duplicates} duplicates after ${counts!.failed} failed attempts; peak per endpoint ${JSON.stringify(Object.fromEntries(tags.map((t) => [t, rec.maxInFlight(t)])))}`);
      for (const p of [apiNode, ...workers]) expect(await p.stop()).toBe(0);
    } finally {
      await rec.close();
    }
  }, 150_000);
});
