// API keys and the event-type catalogue: plain CRUD, newest first where listed.

import type { ApiKey, EventType } from '../../core/types.js';
import type { Page, PageRequest } from '../store.js';
import { query, withTransaction, type PgContext } from './pool.js';
import { API_KEY_COLUMNS, EVENT_TYPE_COLUMNS, apiKeyFromRow, eventTypeFromRow, placeholders } from './rows.js';
import { Where, decodeCursor, encodeCursor, newestFirst } from './sql-builder.js';

export async function insertApiKey(ctx: PgContext, k: ApiKey): Promise<void> {
  await query(ctx.pool, `INSERT INTO api_keys (${API_KEY_COLUMNS}) VALUES (${placeholders(9)})`, [
    k.id,
    k.name,
    k.role,
    k.tenant,
    k.hash,
    k.prefix,
    k.createdAt,
    k.revokedAt,
    k.lastUsedAt,
  ]);
}

export async function findApiKeyByHash(ctx: PgContext, hash: string): Promise<ApiKey | null> {
  const { rows } = await query(ctx.pool, `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE hash = $1 AND revoked_at IS NULL`, [hash]);
  return rows[0] ? apiKeyFromRow(rows[0]) : null;
}

export async function listApiKeys(ctx: PgContext, page: PageRequest): Promise<Page<ApiKey>> {
  const where = new Where();
  const p = newestFirst<ApiKey>(where, 'created_at', 'id', page);
  const { rows } = await query(ctx.pool, `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE ${where.sql()} ${p.tail}`, where.params);
  return p.finish(rows.map(apiKeyFromRow), (k) => [k.createdAt, k.id]);
}

export async function revokeApiKey(ctx: PgContext, id: string, at: number): Promise<boolean> {
  const r = await query(ctx.pool, 'UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, at]);
  return (r.rowCount ?? 0) > 0;
}

export async function revokePortalLink(ctx: PgContext, id: string, at: number, expiresAt: number): Promise<boolean> {
  await query(ctx.pool, 'DELETE FROM portal_link_revocations WHERE expires_at < $1', [at]);
  const r = await query(ctx.pool, 'INSERT INTO portal_link_revocations (id, revoked_at, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, at, expiresAt]);
  return (r.rowCount ?? 0) > 0;
}

export async function isPortalLinkRevoked(ctx: PgContext, id: string): Promise<boolean> {
  const { rows } = await query(ctx.pool, 'SELECT 1 FROM portal_link_revocations WHERE id = $1', [id]);
  return rows.length > 0;
}

class LinkAlreadyUsed extends Error {}

/**
 * One transaction, so the exchange's audit record (written before COMMIT) shares its fate; it rolls
 * back when the link was used already, so a refused exchange leaves no record (pruning expired rows,
 * or losing the insert race, used to commit one).
 */
export async function usePortalLink(ctx: PgContext, id: string, at: number, expiresAt: number): Promise<boolean> {
  try {
    await withTransaction(ctx.pool, async (client) => {
      const r = await client.query('INSERT INTO portal_link_uses (id, used_at, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, at, expiresAt]);
      if ((r.rowCount ?? 0) === 0) throw new LinkAlreadyUsed();
      await client.query('DELETE FROM portal_link_uses WHERE expires_at < $1', [at]);
    });
    return true;
  } catch (err) {
    if (err instanceof LinkAlreadyUsed) return false;
    throw err;
  }
}

export async function countApiKeys(ctx: PgContext): Promise<number> {
  const { rows } = await query<{ n: number }>(ctx.pool, 'SELECT count(*) AS n FROM api_keys');
  return rows[0]?.n ?? 0;
}

export async function putEventType(ctx: PgContext, t: EventType): Promise<EventType> {
  const { rows } = await query(
    ctx.pool,
    `INSERT INTO event_types (${EVENT_TYPE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (name) DO UPDATE SET description = excluded.description, schema = excluded.schema,
       example = excluded.example, updated_at = excluded.updated_at
     RETURNING ${EVENT_TYPE_COLUMNS}`,
    [
      t.name,
      t.description,
      t.schema === null ? null : JSON.stringify(t.schema),
      t.example === undefined || t.example === null ? null : JSON.stringify(t.example),
      t.createdAt,
      t.updatedAt,
    ],
  );
  return eventTypeFromRow(rows[0]!);
}

export async function getEventType(ctx: PgContext, name: string): Promise<EventType | null> {
  const { rows } = await query(ctx.pool, `SELECT ${EVENT_TYPE_COLUMNS} FROM event_types WHERE name = $1`, [name]);
  return rows[0] ? eventTypeFromRow(rows[0]) : null;
}

/** The catalogue reads alphabetically (names are unique, so the name alone is the cursor key). */
export async function listEventTypes(ctx: PgContext, page: PageRequest): Promise<Page<EventType>> {
  const where = new Where();
  if (page.cursor !== undefined && page.cursor !== '') where.add(`name COLLATE "C" > ${where.param(decodeCursor(page.cursor)[1])}`);
  const limit = Math.max(1, Math.floor(page.limit));
  const { rows } = await query(
    ctx.pool,
    `SELECT ${EVENT_TYPE_COLUMNS} FROM event_types WHERE ${where.sql()} ORDER BY name COLLATE "C" LIMIT ${limit + 1}`,
    where.params,
  );
  const data = rows.slice(0, limit).map(eventTypeFromRow);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(['', last.name]) : null };
}

export async function deleteEventType(ctx: PgContext, name: string): Promise<boolean> {
  const r = await query(ctx.pool, 'DELETE FROM event_types WHERE name = $1', [name]);
  return (r.rowCount ?? 0) > 0;
}
