// The SQLite adapter: the shared conformance suite on real database files, plus what only SQLite
// has: WAL mode, migrations racing across processes, and secrets unreadable in the file bytes.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { createAesGcmBox } from '../src/security/aes-gcm-box.js';
import { runStoreConformance } from '../src/store/conformance/run-store-conformance.js';
import { SQLITE_MIGRATIONS, applyMigrations } from '../src/store/sqlite/migrations.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hookd-sqlite-'));
const secretBox = createAesGcmBox(randomBytes(32));
let counter = 0;

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function dbPath(): string {
  counter += 1;
  // A nested directory that does not exist yet: the adapter must create it.
  return path.join(root, `case-${counter}`, 'data', 'hookd.db');
}

runStoreConformance('sqlite', async () => {
  const file = dbPath();
  const store = createSqliteStore({ path: file, secretBox });
  return {
    store,
    cleanup: async () => {
      fs.rmSync(path.dirname(path.dirname(file)), { recursive: true, force: true });
    },
  };
});

describe('sqlite specifics', () => {
  it('creates parent directories and runs in WAL mode', async () => {
    const file = dbPath();
    const store = createSqliteStore({ path: file, secretBox });
    await store.migrate();
    expect(fs.existsSync(file)).toBe(true);
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
    await store.close();
  });

  it('records each migration once; migrating again, or reopening, changes nothing', async () => {
    const file = dbPath();
    const first = createSqliteStore({ path: file, secretBox });
    await first.migrate();
    await first.migrate();
    await first.close();
    const second = createSqliteStore({ path: file, secretBox });
    await second.migrate();
    await second.close();
    const raw = new Database(file, { readonly: true });
    try {
      const rows = raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      expect(rows).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    } finally {
      raw.close();
    }
  });

  it('applies a migration numbered below one already applied (a build that skipped it), not only those above the highest', () => {
    const file = dbPath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      const skipped = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 2]!;
      expect(applyMigrations(db, SQLITE_MIGRATIONS.filter((m) => m !== skipped))).toBe(SQLITE_MIGRATIONS.length - 1);
      expect(applyMigrations(db)).toBe(1);
      expect(db.prepare('SELECT name FROM schema_migrations WHERE version = ?').get(skipped.version)).toEqual({ name: skipped.name });
      expect(applyMigrations(db)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('refuses a file migrated by another build (a renamed or an unknown migration) and changes nothing', async () => {
    const file = dbPath();
    const first = createSqliteStore({ path: file, secretBox });
    await first.migrate();
    await first.close();
    const tamper = (sql: string, ...args: unknown[]) => {
      const raw = new Database(file);
      try {
        raw.prepare(sql).run(...args);
      } finally {
        raw.close();
      }
    };
    tamper("UPDATE schema_migrations SET name = 'something else' WHERE version = 3");
    const renamed = createSqliteStore({ path: file, secretBox });
    await expect(renamed.migrate()).rejects.toMatchObject({ code: 'migration_mismatch', message: expect.stringContaining('migration 3 is "something else"') });
    await renamed.close();
    tamper('UPDATE schema_migrations SET name = ? WHERE version = 3', SQLITE_MIGRATIONS.find((m) => m.version === 3)!.name);
    tamper("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from the future', 0)");
    const newer = createSqliteStore({ path: file, secretBox });
    await expect(newer.migrate()).rejects.toMatchObject({ code: 'migration_mismatch', message: expect.stringContaining('migrated by a newer hookd (migration 9999') });
    await newer.close();
    const raw = new Database(file, { readonly: true });
    try {
      expect((raw.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(SQLITE_MIGRATIONS.length + 1);
    } finally {
      raw.close();
    }
  });

  it('two processes migrating the same new file at once both succeed, each migration applied once', async () => {
    const file = dbPath();
    const here = path.dirname(fileURLToPath(import.meta.url));
    const storeModule = path.join(here, '..', 'src', 'store', 'sqlite', 'sqlite-store.ts');
    const boxModule = path.join(here, '..', 'src', 'security', 'aes-gcm-box.ts');
    const script = `
      const { createSqliteStore } = await import(${JSON.stringify(storeModule)});
      const { createAesGcmBox } = await import(${JSON.stringify(boxModule)});
      const store = createSqliteStore({ path: ${JSON.stringify(file)}, secretBox: createAesGcmBox(Buffer.alloc(32, 1)), busyTimeoutMs: 20000 });
      await store.migrate();
      await store.close();
      console.log('migrated');
    `;
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          cwd: path.join(here, '..'),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out }));
      });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const results = await Promise.all([run(), run(), run()]);
    for (const r of results) {
      expect(r.out).toContain('migrated');
      expect(r.code).toBe(0);
    }
    const raw = new Database(file, { readonly: true });
    try {
      const rows = raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
      expect(rows).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version })));
    } finally {
      raw.close();
    }
  });

  it('keeps endpoint and source secrets out of the database and WAL files', async () => {
    const file = dbPath();
    const store = createSqliteStore({ path: file, secretBox });
    await store.migrate();
    const signing = `whsec_${randomBytes(24).toString('base64')}`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const sourceSecret = `src-secret-${randomBytes(12).toString('hex')}`;
    const oauthSecret = `oauth-${randomBytes(12).toString('hex')}`;
    const now = Date.now();
    await store.insertEndpoint({
      id: newId('endpoint'),
      tenant: null,
      url: 'https://receiver.example.com/hooks',
      description: null,
      eventTypes: null,
      auth: { type: 'basic', username: 'crm-user', password },
      secrets: [{ secret: signing, expiresAt: null }],
      headers: {},
      timeoutMs: 15_000,
      rateLimitPerSecond: null,
      maxConcurrency: 10,
      retrySchedule: null,
      payloadFormat: 'envelope',
      enabled: true,
      disabledReason: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    });
    const endpointWithOauth = newId('endpoint');
    await store.insertEndpoint({
      id: endpointWithOauth,
      tenant: 'acme',
      url: 'https://receiver.example.com/other',
      description: null,
      eventTypes: null,
      auth: { type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'client', clientSecret: oauthSecret },
      secrets: [{ secret: `${signing}x`, expiresAt: null }],
      headers: {},
      timeoutMs: 15_000,
      rateLimitPerSecond: null,
      maxConcurrency: 10,
      retrySchedule: null,
      payloadFormat: 'envelope',
      enabled: true,
      disabledReason: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    });
    await store.insertSource({
      id: newId('source'),
      name: 'partner',
      tenant: null,
      verify: { scheme: 'hmac', secret: sourceSecret, header: 'x-sig', algorithm: 'sha256', encoding: 'hex' },
      allowIps: null,
      eventType: 'chat.started',
      maxBodyBytes: null,
      createdAt: now,
      updatedAt: now,
    });
    // Sanity: the secrets are really stored (and decrypt), so the scan below is not vacuous.
    expect((await store.getEndpoint(endpointWithOauth, undefined))?.auth).toMatchObject({ clientSecret: oauthSecret });
    const clearMarker = 'crm-user';

    const bytes = Buffer.concat(
      [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)),
    );
    // The scan can see plain columns (positive control) ...
    expect(bytes.includes(Buffer.from('receiver.example.com/hooks'))).toBe(true);
    // ... but no secret, in UTF-8 or as the base64 body of the signing secret.
    for (const secret of [signing, signing.slice('whsec_'.length), password, sourceSecret, oauthSecret, clearMarker]) {
      expect(bytes.includes(Buffer.from(secret)), `found ${secret} in clear`).toBe(false);
    }
    await store.close();
  });
});
