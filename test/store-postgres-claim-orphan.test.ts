// A delivery whose event row is gone (nothing enforces the reference on PostgreSQL: a hand-made
// delete, a transfer into a running target) must not break a claim batch. The claim sends each
// endpoint's columns on one row of the batch (claim-sql.ts); with the orphan as the endpoint's
// earliest due row, the batch came back without them. Real PostgreSQL, in its own schema.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { addEndpoint, claimRequest, publish, T0 } from '../src/store/conformance/fixtures.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';

const DATABASE_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `hookd_test_${randomBytes(6).toString('hex')}`;
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

describe('PostgreSQL claim with an orphaned delivery', () => {
  it('claims the endpoint\u2019s other deliveries in full and leaves the orphan pending', async () => {
    const endpoint = await addEndpoint(store, { maxConcurrency: 10 });
    const orphan = await publish(store, { createdAt: T0 });
    const kept = [await publish(store, { createdAt: T0 + 1 }), await publish(store, { createdAt: T0 + 2 })];
    await admin((c) => c.query(`DELETE FROM ${schema}.events WHERE id = $1`, [orphan.event.id]));

    const claims = await store.claimDue(claimRequest(T0 + 10, { limit: 10 }));
    expect(claims.map((c) => c.event.id).sort()).toEqual(kept.map((k) => k.event.id).sort());
    for (const claim of claims) expect(claim.endpoint).toEqual(endpoint);
    const { rows } = await admin((c) => c.query(`SELECT status, lease_token::int AS lease_token FROM ${schema}.deliveries WHERE id = $1`, [orphan.deliveries[0]!.id]));
    expect(rows).toEqual([{ status: 'pending', lease_token: 0 }]);
  });
});
