// The PostgreSQL store when the server drops a connection in the middle of a transaction (a restart, an
// administrator's pg_terminate_backend, a failover). pg emits 'error' on the checked-out client, and
// pg-pool does not listen on checked-out clients: unhandled, that event killed the whole hookd
// process (found by postgres-restart.test.ts). The transaction must fail with the driver's error
// instead, and the pool must go on working.

import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createPool, withTransaction } from '../../src/store/postgres/pool.js';
import { dropSchema, freshSchema, SHARED_URL, sql } from './support/postgres.js';

const schema = freshSchema('hookd_connloss');
const pool = createPool({ connectionString: SHARED_URL, schema, applicationName: `hookd-connloss-${randomBytes(3).toString('hex')}` });

afterAll(async () => {
  await pool.end();
  await dropSchema(schema);
});

describe('a connection lost inside a transaction', () => {
  it('rejects the transaction, leaves no unhandled error, and the pool recovers', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): void => {
      uncaught.push(err);
    };
    process.on('uncaughtException', onUncaught);
    try {
      const attempt = withTransaction(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // Killed from outside while this transaction is open but idle (no query pending).
        await sql(SHARED_URL, 'SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await client.query('SELECT 1');
      });
      await expect(attempt).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(uncaught).toEqual([]);
      // The broken client was discarded; the next transaction gets a healthy one.
      const value = await withTransaction(pool, async (client) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one);
      expect(value).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
