// Event reads: by id, the pull feed (by seq, oldest first) and the counters behind the doctor's
// "was the event triggered" step.

import type { EventRecord } from '../../core/types.js';
import type { FeedQuery, TenantFilter } from '../store.js';
import { typePrefixRange } from '../type-prefix.js';
import { TENANT_CLAUSE, tenantParams, type SqliteContext } from './context.js';
import { eventFromRow, type EventRow } from './rows.js';

export function getEvent(ctx: SqliteContext, id: string, tenant: TenantFilter): EventRecord | null {
  const row = ctx.stmt(`SELECT * FROM events WHERE id = @id AND ${TENANT_CLAUSE}`).get({ id, ...tenantParams(tenant) }) as
    | EventRow
    | undefined;
  return row === undefined ? null : eventFromRow(row);
}

/**
 * The feed and event search. Built from the filters present (the statement cache keeps one prepared
 * copy per combination), so each shape is a plain statement the planner can drive from the index
 * that fits: tenant + seq, type + seq, idempotency key, id. A `match` has no index in SQLite (its
 * JSON functions index only fixed paths): it is tested per row by hookd_json_contains (registered on
 * the connection, core/json-contains.ts) on the rows the other filters leave, newest seq range first
 * scanned in seq order. docs/operations.md gives the measured cost.
 */
export function listEventsFeed(ctx: SqliteContext, query: FeedQuery): EventRecord[] {
  const where = ['seq > @after'];
  const params: Record<string, string | number | null> = { after: query.afterSeq, limit: Math.max(1, Math.floor(query.limit)) };
  if (query.tenant !== undefined) {
    where.push('tenant IS @tenant');
    params.tenant = query.tenant;
  }
  if (query.type !== undefined) {
    where.push('type = @type');
    params.type = query.type;
  }
  if (query.typePrefix !== undefined) {
    const range = typePrefixRange(query.typePrefix);
    where.push('type >= @type_from AND type < @type_to AND substr(type, 1, length(@type_from)) = @type_from');
    params.type_from = range.from;
    params.type_to = range.to;
  }
  if (query.id !== undefined) {
    where.push('id = @id');
    params.id = query.id;
  }
  if (query.idempotencyKey !== undefined) {
    where.push('idempotency_key = @idempotency_key');
    params.idempotency_key = query.idempotencyKey;
  }
  if (query.since !== undefined) {
    where.push('created_at >= @since');
    params.since = query.since;
  }
  if (query.until !== undefined) {
    where.push('created_at < @until');
    params.until = query.until;
  }
  if (query.match !== undefined) {
    where.push('hookd_json_contains(payload, @match) = 1');
    params.match = query.match;
  }
  const sql = `SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT +@limit`;
  return (ctx.stmt(sql).all(params) as EventRow[]).map(eventFromRow);
}

export function lastEventSeq(ctx: SqliteContext): number {
  return (ctx.stmt('SELECT coalesce(max(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
}

export function countEventsByTenant(
  ctx: SqliteContext,
  types: string[] | null,
  since: number,
): Array<{ tenant: string | null; count: number }> {
  const rows = ctx
    .stmt(`SELECT tenant, count(*) AS n FROM events
      WHERE created_at >= @since AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))
      GROUP BY tenant ORDER BY tenant`)
    .all({ since, types: types === null ? null : JSON.stringify(types) }) as Array<{ tenant: string | null; n: number }>;
  return rows.map((r) => ({ tenant: r.tenant, count: r.n }));
}
