// What every part of the SQLite adapter shares: the connection, the SecretBox and a cache of
// prepared statements. Statements are prepared lazily (the tables only exist after migrate()) and
// then reused for the life of the connection: preparing is the expensive part of a small query.
//
// A bound LIMIT is written `LIMIT +@name` (or `LIMIT +?`), never `LIMIT @name`. This SQLite build
// (better-sqlite3's, with STAT4) lets the planner read the value bound to a bare LIMIT parameter, and
// a statement whose plan read a bound value is compiled again the next time a value is bound, which
// better-sqlite3 does on every run: the cached statement is then re-prepared on every call. Measured
// on the claim's due-row walk: 43 µs a run with `LIMIT @window`, 7 µs with `LIMIT +@window`; on the
// expired-lease walk a run cost what preparing it anew costs (~24 µs), and 2.2 µs with its values
// bound once, the sign of a re-prepare. The unary plus makes the LIMIT an expression, whose value the
// planner does not read; the rows returned are the same.
// sql-limits.test.ts keeps bare ones out of this adapter.

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
