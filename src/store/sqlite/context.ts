// What every part of the SQLite adapter shares: the connection, the SecretBox and a cache of
// prepared statements. Statements are prepared lazily (the tables only exist after migrate()) and
// then reused for the life of the connection: preparing is the expensive part of a small query.

import type Database from 'better-sqlite3';
import type { SecretBox } from '../../core/secret-box.js';
import type { TenantFilter } from '../store.js';

export interface SqliteContext {
  readonly db: Database.Database;
  readonly box: SecretBox;
  stmt(sql: string): Database.Statement;
}

export function createContext(db: Database.Database, box: SecretBox): SqliteContext {
  const cache = new Map<string, Database.Statement>();
  return {
    db,
    box,
    stmt(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Bind values for the `(@tenant_any = 1 OR tenant IS @tenant)` idiom: one prepared statement serves
 * the three filter cases (undefined = admin, null = rows without a tenant, string = that tenant).
 */
export function tenantParams(tenant: TenantFilter): { tenant_any: number; tenant: string | null } {
  return { tenant_any: tenant === undefined ? 1 : 0, tenant: tenant ?? null };
}

export const TENANT_CLAUSE = '(@tenant_any = 1 OR tenant IS @tenant)';
