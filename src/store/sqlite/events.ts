// Event reads: by id, the pull feed (by seq, oldest first) and the counters behind the doctor's
// "was the event triggered" step.

import type { EventRecord } from '../../core/types.js';
import type { FeedQuery, TenantFilter } from '../store.js';
import { TENANT_CLAUSE, tenantParams, type SqliteContext } from './context.js';
import { eventFromRow, type EventRow } from './rows.js';

export function getEvent(ctx: SqliteContext, id: string, tenant: TenantFilter): EventRecord | null {
  const row = ctx.stmt(`SELECT * FROM events WHERE id = @id AND ${TENANT_CLAUSE}`).get({ id, ...tenantParams(tenant) }) as
    | EventRow
    | undefined;
  return row === undefined ? null : eventFromRow(row);
}

const FEED = `SELECT * FROM events WHERE seq > @after AND (@type IS NULL OR type = @type) AND ${TENANT_CLAUSE}
  ORDER BY seq LIMIT @limit`;

export function listEventsFeed(ctx: SqliteContext, query: FeedQuery): EventRecord[] {
  const rows = ctx.stmt(FEED).all({
    after: query.afterSeq,
    type: query.type ?? null,
    limit: query.limit,
    ...tenantParams(query.tenant),
  }) as EventRow[];
  return rows.map(eventFromRow);
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
