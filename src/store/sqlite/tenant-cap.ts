// Inserts under a per-tenant cap (endpoints, request bins), the SQLite side of the PostgreSQL
// store's tenant-cap.ts. The count and the insert share one IMMEDIATE transaction: its write lock
// is taken before the count, and every connection to the file takes it in turn, so creates that
// race cannot both count below the cap.

import type { SqliteContext } from './context.js';

/** The tables with a per-tenant cap; the name is trusted SQL (never user input). */
export type CappedTable = 'endpoints' | 'bins';

/**
 * Run `insert` unless `table` already holds `limit` rows of `tenant` (null: rows without a tenant);
 * true when it ran. Without a limit, `insert` runs as it is.
 */
export function insertUnderCap(ctx: SqliteContext, table: CappedTable, tenant: string | null, limit: number | undefined, insert: () => void): boolean {
  if (limit === undefined) {
    insert();
    return true;
  }
  const run = ctx.db.transaction(() => {
    if ((ctx.stmt(`SELECT count(*) AS n FROM ${table} WHERE tenant IS ?`).get(tenant) as { n: number }).n >= limit) return false;
    insert();
    return true;
  });
  return run.immediate();
}
