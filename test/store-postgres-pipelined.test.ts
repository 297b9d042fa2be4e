// pipelinedTransaction (src/store/postgres/pool.ts), which the claim uses: BEGIN, the statements and
// COMMIT leave in one socket write; a later statement sees what an earlier one left with
// set_config(..., true) and the rows it locked; a failure rolls everything back and throws the first
// error, not the "transaction is aborted" of the statements after it; the connection leaves
// pipeline mode and serves the next caller. Real PostgreSQL, a schema of its own.

import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditScope, setPendingAudit } from '../src/core/audit.js';
import { createPool, pipelinedTransaction, query } from '../src/store/postgres/pool.js';
import { dropSchema, freshSchema, SHARED_URL as DATABASE_URL, sql } from './faults/support/postgres.js';

const schema = freshSchema('hookd_pipelined');

interface CountedStream {
  _write: (...args: unknown[]) => unknown;
  _writev?: (...args: unknown[]) => unknown;
}

let pool: pg.Pool;
let writes = 0;

beforeAll(async () => {
  await sql(
    DATABASE_URL,
    `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (n integer PRIMARY KEY, label text);
     CREATE TABLE ${schema}.audit_log (id text PRIMARY KEY, at bigint NOT NULL, actor_kind text NOT NULL, actor_id text NOT NULL,
       actor_name text, tenant text, request_id text, action text NOT NULL, target text, diff jsonb NOT NULL)`,
  );
  // One connection, so every call below runs on the socket whose writes are counted.
  pool = createPool({ connectionString: DATABASE_URL, schema, poolSize: 1 });
  const client = await pool.connect();
  const stream = (client as unknown as { connection: { stream: CountedStream } }).connection.stream;
  const write = stream._write.bind(stream);
  stream._write = (...args) => {
    writes++;
    return write(...args);
  };
  if (stream._writev) {
    const writev = stream._writev.bind(stream);
    stream._writev = (...args) => {
      writes++;
      return writev(...args);
    };
  }
  client.release();
});

afterAll(async () => {
  await pool.end();
  await dropSchema(schema);
});

describe('pipelinedTransaction', () => {
  it('writes BEGIN, the statements and COMMIT at once, and a later statement reads what an earlier one set', async () => {
    writes = 0;
    const results = await pipelinedTransaction(pool, () => [
      { text: `SELECT set_config('hookd.test_ids', $1, true) AS v`, values: ['{1,2,3}'] },
      { text: `INSERT INTO items (n) SELECT unnest(current_setting('hookd.test_ids', true)::int[]) RETURNING n`, values: [] },
    ]);
    expect(writes).toBe(1);
    expect(results).toHaveLength(2);
    expect(results[1]!.rows.map((r) => r.n).sort()).toEqual([1, 2, 3]);
    // Committed, and the setting ended with the transaction.
    expect((await query(pool, 'SELECT count(*)::int AS c FROM items')).rows[0]!.c).toBe(3);
    expect((await query(pool, `SELECT current_setting('hookd.test_ids', true) AS v`)).rows[0]!.v).toBe('');
  });

  it('lets a later statement see and update the rows an earlier one locked', async () => {
    const [locked, updated] = await pipelinedTransaction(pool, () => [
      { text: `SELECT set_config('hookd.test_ids', coalesce(array_agg(n)::text, '{}'), true) AS v FROM (SELECT n FROM items WHERE n <= $1 ORDER BY n FOR UPDATE SKIP LOCKED) l`, values: [2] },
      { text: `UPDATE items SET label = 'taken' WHERE n = ANY(current_setting('hookd.test_ids', true)::int[]) RETURNING n`, values: [] },
    ]);
    expect(locked!.rows[0]!.v).toBe('{1,2}');
    expect(updated!.rows.map((r) => r.n).sort()).toEqual([1, 2]);
    expect((await sql(DATABASE_URL, `SELECT n FROM ${schema}.items WHERE label = 'taken' ORDER BY n`)).map((r) => r.n)).toEqual([1, 2]);
  });

  it('rolls back every statement when one fails, throws that failure, and leaves the connection usable', async () => {
    const before = (await query(pool, 'SELECT count(*)::int AS c FROM items')).rows[0]!.c;
    const failing = pipelinedTransaction(pool, () => [
      { text: 'INSERT INTO items (n) VALUES ($1)', values: [100] },
      { text: 'INSERT INTO items (n) VALUES ($1)', values: [1] }, // duplicate key
      { text: 'SELECT $1::int AS n', values: [7] },
    ]);
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect((await query(pool, 'SELECT count(*)::int AS c FROM items')).rows[0]!.c).toBe(before);
    // Out of pipeline mode: the next caller's transaction and plain queries work on the same connection.
    const client = await pool.connect();
    try {
      expect((client as unknown as { pipeline: boolean }).pipeline).toBe(false);
    } finally {
      client.release();
    }
    const [again] = await pipelinedTransaction(pool, () => [{ text: 'SELECT $1::int + 1 AS n', values: [41] }]);
    expect(again!.rows[0]!.n).toBe(42);
  });

  it("writes a request's pending audit record in the same transaction (statements sent one by one then)", async () => {
    writes = 0;
    await runAuditScope(async () => {
      setPendingAudit({ id: 'aud_pipelined', at: 1, actorKind: 'admin_key', actorId: 'key_env_admin', actorName: null, tenant: null, requestId: null, action: 'item.create', target: null, diff: {} });
      const [inserted] = await pipelinedTransaction(pool, () => [{ text: 'INSERT INTO items (n) VALUES ($1) RETURNING n', values: [200] }]);
      expect(inserted!.rows).toEqual([{ n: 200 }]);
    });
    expect(writes).toBeGreaterThan(1);
    expect(await sql(DATABASE_URL, `SELECT id, action FROM ${schema}.audit_log`)).toEqual([{ id: 'aud_pipelined', action: 'item.create' }]);
  });

  it('answers a bad value bound by the caller with an error, not a hang', async () => {
    await expect(pipelinedTransaction(pool, () => [{ text: 'SELECT $1::int AS n', values: ['not a number'] }])).rejects.toMatchObject({ code: '22P02' });
    expect((await query(pool, 'SELECT 1 AS n')).rows[0]!.n).toBe(1);
  });
});
