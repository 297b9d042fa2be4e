// Reading events: by id, the pull feed (oldest first by seq; see publish.ts for why seq is
// commit-ordered), and counters.

import type { EventRecord } from '../../core/types.js';
import type { FeedQuery, TenantFilter } from '../store.js';
import { query, type PgContext } from './pool.js';
import { EVENT_COLUMNS, eventFromRow } from './rows.js';
import { Where } from './sql-builder.js';

export async function getEvent(ctx: PgContext, id: string, tenant: TenantFilter): Promise<EventRecord | null> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.sql()}`, where.params);
  return rows[0] ? eventFromRow(rows[0]) : null;
}

export async function listEventsFeed(ctx: PgContext, q: FeedQuery): Promise<EventRecord[]> {
  const where = new Where([q.afterSeq]).add('seq > $1').tenant('tenant', q.tenant);
  if (q.type !== undefined) where.add(`type = ${where.param(q.type)}`);
  const limit = Math.max(1, Math.floor(q.limit));
  const { rows } = await query(
    ctx.pool,
    `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.sql()} ORDER BY seq LIMIT ${limit}`,
    where.params,
  );
  return rows.map(eventFromRow);
}

export async function lastEventSeq(ctx: PgContext): Promise<number> {
  const { rows } = await query<{ seq: number }>(ctx.pool, 'SELECT coalesce(max(seq), 0) AS seq FROM events');
  return rows[0]?.seq ?? 0;
}

export async function countEventsByTenant(
  ctx: PgContext,
  types: string[] | null,
  since: number,
): Promise<Array<{ tenant: string | null; count: number }>> {
  const { rows } = await query<{ tenant: string | null; count: number }>(
    ctx.pool,
    `SELECT tenant, count(*) AS count FROM events
     WHERE created_at >= $1 AND ($2::text[] IS NULL OR type = ANY($2::text[]))
     GROUP BY tenant ORDER BY tenant NULLS FIRST`,
    [since, types],
  );
  return rows.map((r) => ({ tenant: r.tenant, count: r.count }));
}
