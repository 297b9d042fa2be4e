// Applies MIGRATIONS. Several hookd processes may start at once against an empty database: the whole
// run holds a transaction-scoped advisory lock, so one process applies everything and the others wait,
// then find the versions recorded and apply nothing. DDL is transactional in PostgreSQL, so a failed
// migration leaves no half-built schema behind.

import type pg from 'pg';
import { LOCK_MIGRATIONS, schemaLockKey, withTransaction } from './pool.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { MigrationMismatchError, migrationMismatch, type MigrationName } from '../migration-check.js';

export async function runMigrations(
  pool: pg.Pool,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_MIGRATIONS, schemaLockKey(schema)]);
    // Inside the lock: two concurrent CREATE SCHEMA IF NOT EXISTS can still collide on the catalog.
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET LOCAL search_path TO ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at bigint NOT NULL
    )`);
    const { rows } = await client.query<MigrationName>('SELECT version, name FROM schema_migrations');
    const mismatch = migrationMismatch(rows, migrations);
    if (mismatch) throw new MigrationMismatchError(mismatch);
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      applied.push(m.version);
    }
    return applied;
  });
}
