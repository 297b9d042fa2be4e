// Inserts under a per-tenant cap (endpoints, request bins). Counting and then inserting in separate
// statements let every concurrent create that counted before the others inserted through, so N
// creates at once could exceed the cap by N - 1 (found with 12 concurrent POSTs and a cap of 3: all
// 12 were created). A transaction-scoped advisory lock per (schema, table, tenant) serialises the
// creates of one tenant; the count is its own statement after the lock, because a READ COMMITTED
// statement's snapshot is taken when it starts, and a count in the same statement as the lock would
// not see a create committed while it waited. Other tenants' creates do not wait (a hash collision
// only makes two tenants' creates take turns).

import { LOCK_TENANT_CAP, query, schemaLockKey, withTransaction, type PgContext } from './pool.js';

/** The tables with a per-tenant cap; the name is trusted SQL (never user input). */
export type CappedTable = 'endpoints' | 'bins';

/**
 * Run `insert` in a transaction unless `table` already holds `limit` rows of `tenant` (null: rows
 * without a tenant); true when it ran. Without a limit, the insert runs on the pool as it is.
 */
export async function insertUnderCap(
  ctx: PgContext,
  table: CappedTable,
  tenant: string | null,
  limit: number | undefined,
  insert: { text: string; values: unknown[] },
): Promise<boolean> {
  if (limit === undefined) {
    await query(ctx.pool, insert.text, insert.values);
    return true;
  }
  return withTransaction(ctx.pool, async (client) => {
    const key = schemaLockKey(`${ctx.schemaKey}\u0000${table}\u0000${tenant === null ? '-' : `t:${tenant}`}`);
    await query(client, 'SELECT pg_advisory_xact_lock($1, $2)', [LOCK_TENANT_CAP, key]);
    const { rows } =
      tenant === null
        ? await query<{ n: number }>(client, `SELECT count(*)::int AS n FROM ${table} WHERE tenant IS NULL`)
        : await query<{ n: number }>(client, `SELECT count(*)::int AS n FROM ${table} WHERE tenant = $1`, [tenant]);
    if ((rows[0]?.n ?? 0) >= limit) return false;
    await query(client, insert.text, insert.values);
    return true;
  });
}
