// reliability.md B-07: two `hookd serve` processes started at the same moment on an empty database
// (a new SQLite file in a shared data directory; a new PostgreSQL schema). Migrations apply once, both
// processes run and answer /readyz, and they share one installation (what one writes, the other reads,
// secrets included, so both ended up with the same encryption key).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { api, createEndpoint } from './support/api.js';
import { baseEnv, startHookd, stopAll, warnings, type HookdProcess } from './support/hookd-process.js';
import { dropSchema, freshSchema, schemaUrl, SHARED_URL, sql } from './support/postgres.js';

const dirs: string[] = [];
const schemas: string[] = [];

afterAll(async () => {
  await stopAll();
  for (const schema of schemas) await dropSchema(schema);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-race-'));
  dirs.push(dir);
  return dir;
}

/** Start both at once, check both are ready, and that they see each other's writes. */
async function startTwinsAndCheck(env: Record<string, string>): Promise<[HookdProcess, HookdProcess]> {
  const [a, b] = await Promise.all([startHookd('a', env), startHookd('b', env)]);
  for (const p of [a, b]) {
    const ready = await api(p.url, 'GET', '/readyz');
    expect(ready.status, p.name).toBe(200);
  }
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = await createEndpoint(a.url, 'http://127.0.0.1:9/hook', { secret });
  const read = await api(b.url, 'GET', `/v1/endpoints/${id}/secret`);
  expect(read.status).toBe(200);
  expect(JSON.stringify(read.body)).toContain(secret);
  for (const p of [a, b]) expect(warnings(p).filter((l) => l.level >= 50)).toEqual([]);
  return [a, b];
}

describe('two processes starting at once on an empty database', () => {
  it('SQLite: one migration run, one secret key, both serve', async () => {
    const dir = tempDir();
    // No HOOKD_SECRET_KEY: both race to generate <dataDir>/secret.key too.
    const env = baseEnv({ HOOKD_DATA_DIR: dir });
    delete env.HOOKD_SECRET_KEY;
    const [a, b] = await startTwinsAndCheck(env);
    const db = new Database(join(dir, 'hookd.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
      expect(rows).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version })));
    } finally {
      db.close();
    }
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  }, 60_000);

  it('PostgreSQL: one migration run under the advisory lock, both serve', async () => {
    const schema = freshSchema('hookd_race');
    schemas.push(schema);
    const env = baseEnv({ HOOKD_DATA_DIR: tempDir(), DATABASE_URL: schemaUrl(SHARED_URL, schema) });
    const [a, b] = await startTwinsAndCheck(env);
    const rows = await sql<{ version: number }>(SHARED_URL, `SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  }, 60_000);
});
