// Bulk retry tasks (see BulkRetry in store.ts): one row each, leased to one process at a time.

import { BULK_RETRY_COLUMNS, bulkRetryFromRow, bulkRetryValues, PROGRESS_COLUMNS, type BulkRetryRow } from '../bulk-retry-row.js';
import type { BulkRetry, BulkRetryProgress, TenantFilter } from '../store.js';
import { query, type PgContext } from './pool.js';

const placeholders = BULK_RETRY_COLUMNS.split(',').map((_, i) => `$${i + 1}`).join(', ');
const one = (rows: unknown[]): BulkRetry | null => (rows[0] ? bulkRetryFromRow(rows[0] as BulkRetryRow) : null);

export async function insertBulkRetry(ctx: PgContext, t: BulkRetry): Promise<void> {
  await query(ctx.pool, `INSERT INTO bulk_retries (${BULK_RETRY_COLUMNS}) VALUES (${placeholders})`, bulkRetryValues(t, (b) => b));
}

export async function getBulkRetry(ctx: PgContext, id: string, tenant: TenantFilter): Promise<BulkRetry | null> {
  const { rows } =
    tenant === undefined
      ? await query(ctx.pool, `SELECT ${BULK_RETRY_COLUMNS} FROM bulk_retries WHERE id = $1`, [id])
      : await query(ctx.pool, `SELECT ${BULK_RETRY_COLUMNS} FROM bulk_retries WHERE id = $1 AND tenant IS NOT DISTINCT FROM $2`, [id, tenant]);
  return one(rows);
}

export async function listRunningBulkRetries(ctx: PgContext): Promise<BulkRetry[]> {
  const { rows } = await query(ctx.pool, `SELECT ${BULK_RETRY_COLUMNS} FROM bulk_retries WHERE status = 'running' ORDER BY created_at, id`, []);
  return rows.map((r) => bulkRetryFromRow(r as BulkRetryRow));
}

export async function claimBulkRetry(ctx: PgContext, id: string, owner: string, now: number, leaseMs: number): Promise<BulkRetry | null> {
  const { rows } = await query(
    ctx.pool,
    `UPDATE bulk_retries SET owner = $2, lease_expires_at = $4, updated_at = $3
     WHERE id = $1 AND status = 'running' AND (owner IS NULL OR owner = $2 OR lease_expires_at <= $3)
     RETURNING ${BULK_RETRY_COLUMNS}`,
    [id, owner, now, now + leaseMs],
  );
  return one(rows);
}

export async function updateBulkRetry(ctx: PgContext, id: string, owner: string, progress: BulkRetryProgress, now: number): Promise<BulkRetry | null> {
  const set = PROGRESS_COLUMNS.filter(([key]) => progress[key] !== undefined);
  const values: unknown[] = set.map(([key]) => progress[key]);
  const assignments = [...set.map(([, col], i) => `${col} = $${i + 1}`), `updated_at = $${set.length + 1}`];
  const { rows } = await query(
    ctx.pool,
    `UPDATE bulk_retries SET ${assignments.join(', ')} WHERE id = $${set.length + 2} AND owner = $${set.length + 3} RETURNING ${BULK_RETRY_COLUMNS}`,
    [...values, now, id, owner],
  );
  return one(rows);
}

export async function cancelBulkRetry(ctx: PgContext, id: string, tenant: TenantFilter, now: number): Promise<BulkRetry | null> {
  if (tenant === undefined) await query(ctx.pool, `UPDATE bulk_retries SET cancel_requested = true, updated_at = $2 WHERE id = $1 AND status = 'running'`, [id, now]);
  else await query(ctx.pool, `UPDATE bulk_retries SET cancel_requested = true, updated_at = $2 WHERE id = $1 AND status = 'running' AND tenant IS NOT DISTINCT FROM $3`, [id, now, tenant]);
  return getBulkRetry(ctx, id, tenant);
}
