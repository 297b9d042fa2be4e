// Bulk retry tasks (see BulkRetry in store.ts): one row each, leased to one process at a time.

import { BULK_RETRY_COLUMNS, bulkRetryFromRow, bulkRetryValues, PROGRESS_COLUMNS, type BulkRetryRow } from '../bulk-retry-row.js';
import type { BulkRetry, BulkRetryProgress, TenantFilter } from '../store.js';
import type { SqliteContext } from './context.js';

const placeholders = BULK_RETRY_COLUMNS.split(',').map(() => '?').join(', ');
// undefined: an admin (every task); a string: only that tenant's tasks.
const scope = (tenant: TenantFilter): { sql: string; args: unknown[] } => (tenant === undefined ? { sql: '', args: [] } : { sql: ' AND tenant IS ?', args: [tenant] });

export function insertBulkRetry(ctx: SqliteContext, t: BulkRetry): void {
  ctx.stmt(`INSERT INTO bulk_retries (${BULK_RETRY_COLUMNS}) VALUES (${placeholders})`).run(...bulkRetryValues(t, (b) => (b ? 1 : 0)));
}

export function getBulkRetry(ctx: SqliteContext, id: string, tenant: TenantFilter): BulkRetry | null {
  const s = scope(tenant);
  const row = ctx.stmt(`SELECT ${BULK_RETRY_COLUMNS} FROM bulk_retries WHERE id = ?${s.sql}`).get(id, ...s.args) as BulkRetryRow | undefined;
  return row ? bulkRetryFromRow(row) : null;
}

export function listRunningBulkRetries(ctx: SqliteContext): BulkRetry[] {
  return (ctx.stmt(`SELECT ${BULK_RETRY_COLUMNS} FROM bulk_retries WHERE status = 'running' ORDER BY created_at, id`).all() as BulkRetryRow[]).map(bulkRetryFromRow);
}

export function claimBulkRetry(ctx: SqliteContext, id: string, owner: string, now: number, leaseMs: number): BulkRetry | null {
  const row = ctx
    .stmt(
      `UPDATE bulk_retries SET owner = @owner, lease_expires_at = @until, updated_at = @now
       WHERE id = @id AND status = 'running' AND (owner IS NULL OR owner = @owner OR lease_expires_at <= @now)
       RETURNING ${BULK_RETRY_COLUMNS}`,
    )
    .get({ id, owner, now, until: now + leaseMs }) as BulkRetryRow | undefined;
  return row ? bulkRetryFromRow(row) : null;
}

export function updateBulkRetry(ctx: SqliteContext, id: string, owner: string, progress: BulkRetryProgress, now: number): BulkRetry | null {
  const set = PROGRESS_COLUMNS.filter(([key]) => progress[key] !== undefined);
  const sql = `UPDATE bulk_retries SET ${[...set.map(([, col]) => `${col} = ?`), 'updated_at = ?'].join(', ')}
    WHERE id = ? AND owner = ? RETURNING ${BULK_RETRY_COLUMNS}`;
  const row = ctx.stmt(sql).get(...set.map(([key]) => progress[key]), now, id, owner) as BulkRetryRow | undefined;
  return row ? bulkRetryFromRow(row) : null;
}

export function cancelBulkRetry(ctx: SqliteContext, id: string, tenant: TenantFilter, now: number): BulkRetry | null {
  const s = scope(tenant);
  ctx.stmt(`UPDATE bulk_retries SET cancel_requested = 1, updated_at = ? WHERE id = ? AND status = 'running'${s.sql}`).run(now, id, ...s.args);
  return getBulkRetry(ctx, id, tenant);
}
