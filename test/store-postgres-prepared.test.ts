// Named prepared statements on PostgreSQL (src/store/postgres/pool.ts): a pooled connection parses a
// statement once and runs it by name afterwards; HOOKD_PG_PREPARED_STATEMENTS=false sends them
// unnamed; a schema change that alters a statement's result columns is survived (renamed, prepared
// again); and the number of names is capped. Real PostgreSQL, a schema of its own.

import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, query, withTransaction } from '../src/store/postgres/pool.js';
import { isPostgresUnavailable } from '../src/store/postgres/unavailable.js';
import { dropSchema, freshSchema, SHARED_URL as DATABASE_URL, sql } from './faults/support/postgres.js';

const schema = freshSchema('hookd_prepared');

/** The statements prepared on the one connection of a pool of size 1 (read on that connection). */
async function prepared(pool: pg.Pool): Promise<Array<{ name: string; statement: string }>> {
  const { rows } = await pool.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY prepare_time');
  return rows;
}

let named: pg.Pool;
let unnamed: pg.Pool;

beforeAll(async () => {
  await sql(DATABASE_URL, `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (n integer PRIMARY KEY); INSERT INTO ${schema}.items SELECT generate_series(1, 5)`);
  named = createPool({ connectionString: DATABASE_URL, schema, poolSize: 1 });
  unnamed = createPool({ connectionString: DATABASE_URL, schema, poolSize: 1, preparedStatements: false });
});

afterAll(async () => {
  await named.end();
  await unnamed.end();
  await dropSchema(schema);
});

describe('PostgreSQL named prepared statements', () => {
  it('prepares a statement once per connection and runs it by name, on the pool and in transactions', async () => {
    const text = 'SELECT n FROM items WHERE n <= $1 ORDER BY n';
    for (let i = 1; i <= 4; i++) expect((await query(named, text, [i])).rows.map((r) => r.n)).toEqual(Array.from({ length: i }, (_, k) => k + 1));
    await withTransaction(named, async (client) => {
      expect((await query(client, text, [2])).rowCount).toBe(2);
    });
    const mine = (await prepared(named)).filter((p) => p.statement === text);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.name).toMatch(/^h\d+_[0-9a-f]{24}$/);
  });

  it('sends statements unnamed when turned off', async () => {
    const text = 'SELECT count(*)::int AS c FROM items WHERE n > $1';
    expect((await query(unnamed, text, [2])).rows[0]!.c).toBe(3);
    expect((await query(unnamed, text, [3])).rows[0]!.c).toBe(2);
    expect((await prepared(unnamed)).filter((p) => p.statement === text)).toEqual([]);
  });

  it('survives a schema change under a prepared SELECT *: retried on the pool, and in a transaction the next call works', async () => {
    const text = 'SELECT * FROM items WHERE n = $1';
    expect((await query(named, text, [1])).rows).toEqual([{ n: 1 }]);
    await sql(DATABASE_URL, `ALTER TABLE ${schema}.items ADD COLUMN label text`);
    // PostgreSQL refuses the cached plan (its result type changed); the query runs again by a new name.
    expect((await query(named, text, [1])).rows).toEqual([{ n: 1, label: null }]);

    await query(named, 'SELECT * FROM items WHERE n = $1 AND n > 0', [2]);
    await sql(DATABASE_URL, `ALTER TABLE ${schema}.items ADD COLUMN weight integer`);
    // Inside a transaction the refusal aborts it; the caller's retry (a new transaction) succeeds.
    // So the store reports it as "cannot do this now" (the API's 503 with Retry-After), not a 500.
    const refused = await withTransaction(named, (client) => query(client, 'SELECT * FROM items WHERE n = $1 AND n > 0', [2])).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toMatchObject({ code: '0A000' });
    expect(isPostgresUnavailable(refused)).toBe(true);
    const again = await withTransaction(named, (client) => query(client, 'SELECT * FROM items WHERE n = $1 AND n > 0', [2]));
    expect(again.rows).toEqual([{ n: 2, label: null, weight: null }]);
  });

  it('caps the number of named statements: past the cap a new text runs unnamed', async () => {
    // Distinct texts (as no code path writes them) until the cap is certainly passed.
    for (let i = 0; i < 2100; i++) await query(named, `SELECT $1::int + ${i} AS v`, [1]);
    const count = (await prepared(named)).length;
    expect(count).toBeLessThanOrEqual(2000);
    await query(named, 'SELECT $1::int + 999999 AS v', [1]);
    expect((await prepared(named)).length).toBe(count);
    // Statements named before the cap keep their names.
    expect((await query(named, 'SELECT n FROM items WHERE n <= $1 ORDER BY n', [1])).rows).toEqual([{ n: 1 }]);
  });
});
