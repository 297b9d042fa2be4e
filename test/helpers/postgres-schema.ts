// A PostgreSQL store of its own for one test file: a fresh schema on the machine's server
// (127.0.0.1:5432, database `test`), migrated before the tests and dropped after them.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createAesGcmBox } from '../../src/security/aes-gcm-box.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';

export const DATABASE_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Run `fn` on a connection of its own, outside any store. */
export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Registers beforeAll / afterAll; the store is there once beforeAll has run. */
export function useSchemaStore(): { schema: string; store: () => Store } {
  const schema = `hookd_test_${randomBytes(6).toString('hex')}`;
  let store: Store | null = null;
  beforeAll(async () => {
    store = createPostgresStore({ connectionString: DATABASE_URL, secretBox: createAesGcmBox(randomBytes(32)), schema, poolSize: 2, applicationName: 'hookd-test' });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  });
  return {
    schema,
    store: () => {
      if (store === null) throw new Error('the store is made in beforeAll');
      return store;
    },
  };
}
