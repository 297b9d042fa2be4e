// Reading events: by id, the pull feed (oldest first by seq; see publish.ts for why seq is
// commit-ordered), and counters.

import type { EventRecord } from '../../core/types.js';
import type { FeedQuery, TenantFilter } from '../store.js';
import { query, type PgContext } from './pool.js';
import { EVENT_COLUMNS, eventFromRow } from './rows.js';
import { Where } from './sql-builder.js';
import { typePrefixRange } from '../type-prefix.js';

export async function getEvent(ctx: PgContext, id: string, tenant: TenantFilter): Promise<EventRecord | null> {
  const where = new Where([id]).add('id = $1').tenant('tenant', tenant);
  const { rows } = await query(ctx.pool, `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.sql()}`, where.params);
  return rows[0] ? eventFromRow(rows[0]) : null;
}

/**
 * The feed and event search. `match` uses the GIN index on hookd_jsonb(payload) (migration "event
 * search"): payload stays text, exactly as published, and hookd_jsonb is its jsonb reading (null for
 * the rare text jsonb refuses, such as a \u0000 escape, which then matches nothing).
 */
export async function listEventsFeed(ctx: PgContext, q: FeedQuery): Promise<EventRecord[]> {
  const where = new Where([q.afterSeq]).add('seq > $1').tenant('tenant', q.tenant);
  if (q.type !== undefined) where.add(`type = ${where.param(q.type)}`);
  if (q.typePrefix !== undefined) {
    const range = typePrefixRange(q.typePrefix);
    const from = where.param(range.from);
    where.add(`type COLLATE "C" >= ${from} AND type COLLATE "C" < ${where.param(range.to)} AND starts_with(type, ${from})`);
  }
  if (q.id !== undefined) where.add(`id = ${where.param(q.id)}`);
  if (q.idempotencyKey !== undefined) {
    // With the tenant known, the unique (coalesce(tenant, ''), idempotency_key) index finds the row;
    // an admin's search across tenants walks that index instead (docs/operations.md).
    if (q.tenant !== undefined) where.add(`coalesce(tenant, '') = ${where.param(q.tenant ?? '')}`);
    where.add(`idempotency_key = ${where.param(q.idempotencyKey)}`);
  }
  if (q.since !== undefined) where.add(`created_at >= ${where.param(q.since)}`);
  if (q.until !== undefined) where.add(`created_at < ${where.param(q.until)}`);
  if (q.match !== undefined) where.add(`hookd_jsonb(payload) @> ${where.param(q.match)}::jsonb`);
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
