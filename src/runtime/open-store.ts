// Chooses the store adapter from DATABASE_URL: postgres:// (or postgresql://) means PostgreSQL,
// sqlite:<path> or nothing means embedded SQLite in the data directory.

import { join } from 'node:path';
import { ConfigError } from '../config/load-config.js';
import type { SecretBox } from '../core/secret-box.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

export function describeDatabase(databaseUrl: string, dataDir: string): { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string } {
  if (databaseUrl === '') return { kind: 'sqlite', path: join(dataDir, 'hookd.db') };
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return { kind: 'postgres', url: databaseUrl };
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new ConfigError('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/hookd.db');
    return { kind: 'sqlite', path };
  }
  throw new ConfigError(`DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got "${databaseUrl.split(':')[0]}:")`);
}

/** `preparedStatements`: PostgreSQL only (HOOKD_PG_PREPARED_STATEMENTS); default true. */
export function openStore(databaseUrl: string, dataDir: string, secretBox: SecretBox, applicationName = 'hookd', preparedStatements = true): Store {
  const db = describeDatabase(databaseUrl, dataDir);
  if (db.kind === 'sqlite') return createSqliteStore({ path: db.path, secretBox });
  const url = new URL(db.url);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return createPostgresStore({ connectionString: url.toString(), secretBox, schema, applicationName, preparedStatements });
}
