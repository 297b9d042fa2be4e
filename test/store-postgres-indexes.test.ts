// The indexes a PostgreSQL store writes on the delivery path (docs/performance.md, "Round two"): each
// costs an index entry per insert or non-HOT update, so one that no query needs is not kept. The
// attempts table has no event_id index since migration 17; retention still deletes an old event's
// attempts (through its deliveries), on a real PostgreSQL in its own schema.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { addEndpoint, claimRequest, publish, resultFor, T0 } from '../src/store/conformance/fixtures.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';

const DATABASE_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `hookd_test_${randomBytes(6).toString('hex')}`;
const DAY = 86_400_000;
let store: Store;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  store = createPostgresStore({ connectionString: DATABASE_URL, secretBox: createAesGcmBox(randomBytes(32)), schema, poolSize: 2, applicationName: 'hookd-test' });
  await store.migrate();
});

afterAll(async () => {
  await store.close();
  await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
});

describe('PostgreSQL indexes on the delivery path', () => {
  it('keeps the attempts indexes that reads use, and no event_id index', async () => {
    const { rows } = await admin((c) => c.query<{ indexname: string; indexdef: string }>('SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname', [schema, 'attempts']));
    expect(rows.map((r) => r.indexname)).toEqual(['attempts_delivery_idx', 'attempts_endpoint_idx', 'attempts_pkey']);
    expect(rows.some((r) => /\(event_id\)/.test(r.indexdef))).toBe(false);
  });

  it("retention deletes an old event's attempts through its deliveries, and leaves a newer event's alone", async () => {
    await addEndpoint(store);
    const old = await publish(store, { createdAt: T0 });
    const first = await store.claimDue(claimRequest(T0 + 1));
    await store.recordResults(first.map((c) => resultFor(c, { at: T0 + 2 })));
    const recent = await publish(store, { createdAt: T0 + 40 * DAY });
    const second = await store.claimDue(claimRequest(T0 + 40 * DAY + 1));
    await store.recordResults(second.map((c) => resultFor(c, { at: T0 + 40 * DAY + 2 })));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);

    expect(await store.prune(T0 + 30 * DAY, 100)).toEqual({ events: 1, deliveries: 1, attempts: 1, inboundRequests: 0 });
    expect(await store.listAttempts(old.deliveries[0]!.id)).toEqual([]);
    expect(await store.listAttempts(recent.deliveries[0]!.id)).toHaveLength(1);
  });
});
