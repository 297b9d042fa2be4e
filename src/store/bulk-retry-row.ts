// The bulk_retries row <-> BulkRetry, shared by both adapters (same columns; SQLite stores the
// booleans as 0/1 and the filter as text, PostgreSQL as boolean and text too, for one mapping).

import type { BulkRetry, BulkRetryProgress } from './store.js';

export const BULK_RETRY_COLUMNS =
  'id, tenant, filter, status, total, processed, requeued, skipped, cursor, cancel_requested, owner, lease_expires_at, error, created_at, updated_at, finished_at';

export interface BulkRetryRow {
  id: string;
  tenant: string | null;
  filter: string;
  status: string;
  total: number | string | null;
  processed: number | string;
  requeued: number | string;
  skipped: number | string;
  cursor: string | null;
  cancel_requested: number | boolean;
  owner: string | null;
  lease_expires_at: number | string | null;
  error: string | null;
  created_at: number | string;
  updated_at: number | string;
  finished_at: number | string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function bulkRetryFromRow(r: BulkRetryRow): BulkRetry {
  return {
    id: r.id,
    tenant: r.tenant,
    filter: JSON.parse(r.filter) as BulkRetry['filter'],
    status: r.status as BulkRetry['status'],
    total: num(r.total),
    processed: Number(r.processed),
    requeued: Number(r.requeued),
    skipped: Number(r.skipped),
    cursor: r.cursor,
    cancelRequested: r.cancel_requested === true || r.cancel_requested === 1,
    owner: r.owner,
    leaseExpiresAt: num(r.lease_expires_at),
    error: r.error,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    finishedAt: num(r.finished_at),
  };
}

/** The values of BULK_RETRY_COLUMNS, in order (booleans as given by `bool`). */
export function bulkRetryValues(t: BulkRetry, bool: (b: boolean) => unknown): unknown[] {
  return [t.id, t.tenant, JSON.stringify(t.filter), t.status, t.total, t.processed, t.requeued, t.skipped, t.cursor, bool(t.cancelRequested), t.owner, t.leaseExpiresAt, t.error, t.createdAt, t.updatedAt, t.finishedAt];
}

/** Progress fields -> [column, value] pairs, in a fixed order (so statements can be cached). */
export const PROGRESS_COLUMNS: Array<[keyof BulkRetryProgress, string]> = [
  ['status', 'status'],
  ['total', 'total'],
  ['processed', 'processed'],
  ['requeued', 'requeued'],
  ['skipped', 'skipped'],
  ['cursor', 'cursor'],
  ['error', 'error'],
  ['finishedAt', 'finished_at'],
  ['leaseExpiresAt', 'lease_expires_at'],
  ['owner', 'owner'],
];
