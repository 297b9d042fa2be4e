// API keys and the event-type catalogue: small tables, plain statements.

import type { ApiKey, EventType } from '../../core/types.js';
import type { Page, PageRequest } from '../store.js';
import type { SqliteContext } from './context.js';
import { decodeCursor, toPage } from './cursor.js';
import { apiKeyFromRow, eventTypeFromRow, eventTypeToParams, type ApiKeyRow, type EventTypeRow } from './rows.js';

export function insertApiKey(ctx: SqliteContext, key: ApiKey): void {
  ctx
    .stmt(`INSERT INTO api_keys (id, name, role, tenant, hash, prefix, created_at, revoked_at, last_used_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(key.id, key.name, key.role, key.tenant, key.hash, key.prefix, key.createdAt, key.revokedAt, key.lastUsedAt);
}

export function findApiKeyByHash(ctx: SqliteContext, hash: string): ApiKey | null {
  const row = ctx.stmt('SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL').get(hash) as ApiKeyRow | undefined;
  return row === undefined ? null : apiKeyFromRow(row);
}

export function listApiKeys(ctx: SqliteContext, page: PageRequest): Page<ApiKey> {
  const rows = ctx
    .stmt('SELECT * FROM api_keys WHERE (@after IS NULL OR id < @after) ORDER BY id DESC LIMIT +@limit')
    .all({ after: decodeCursor(page.cursor), limit: page.limit + 1 }) as ApiKeyRow[];
  return toPage(rows, page.limit, apiKeyFromRow, (r) => r.id);
}

export function revokeApiKey(ctx: SqliteContext, id: string, at: number): boolean {
  return ctx.stmt('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes === 1;
}

export function revokePortalLink(ctx: SqliteContext, id: string, at: number, expiresAt: number): boolean {
  ctx.stmt('DELETE FROM portal_link_revocations WHERE expires_at < ?').run(at);
  return ctx.stmt('INSERT INTO portal_link_revocations (id, revoked_at, expires_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(id, at, expiresAt).changes === 1;
}

export function isPortalLinkRevoked(ctx: SqliteContext, id: string): boolean {
  return ctx.stmt('SELECT 1 FROM portal_link_revocations WHERE id = ?').get(id) !== undefined;
}

class LinkAlreadyUsed extends Error {}

/**
 * One transaction that rolls back when the link was used already: the exchange's pending audit
 * record rides on this transaction, and a refused exchange must leave none (pruning expired rows
 * alone used to commit it).
 */
export function usePortalLink(ctx: SqliteContext, id: string, at: number, expiresAt: number): boolean {
  const run = ctx.db.transaction(() => {
    if (ctx.stmt('INSERT INTO portal_link_uses (id, used_at, expires_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(id, at, expiresAt).changes !== 1) throw new LinkAlreadyUsed();
    ctx.stmt('DELETE FROM portal_link_uses WHERE expires_at < ?').run(at);
  });
  try {
    run.immediate();
    return true;
  } catch (err) {
    if (err instanceof LinkAlreadyUsed) return false;
    throw err;
  }
}

/** Every key ever created, revoked ones included: "no keys at all" is what first start checks. */
export function countApiKeys(ctx: SqliteContext): number {
  return (ctx.stmt('SELECT count(*) AS n FROM api_keys').get() as { n: number }).n;
}

const PUT_EVENT_TYPE = `INSERT INTO event_types (name, description, schema, example, created_at, updated_at)
  VALUES (@name, @description, @schema, @example, @created_at, @updated_at)
  ON CONFLICT (name) DO UPDATE SET description = excluded.description, schema = excluded.schema,
    example = excluded.example, updated_at = excluded.updated_at
  RETURNING *`;

export function putEventType(ctx: SqliteContext, type: EventType): EventType {
  return eventTypeFromRow(ctx.stmt(PUT_EVENT_TYPE).get(eventTypeToParams(type)) as EventTypeRow);
}

export function getEventType(ctx: SqliteContext, name: string): EventType | null {
  const row = ctx.stmt('SELECT * FROM event_types WHERE name = ?').get(name) as EventTypeRow | undefined;
  return row === undefined ? null : eventTypeFromRow(row);
}

/** A catalogue reads alphabetically (names are not time-ordered), keyset-paginated by name. */
export function listEventTypes(ctx: SqliteContext, page: PageRequest): Page<EventType> {
  const rows = ctx
    .stmt('SELECT * FROM event_types WHERE (@after IS NULL OR name > @after) ORDER BY name LIMIT +@limit')
    .all({ after: decodeCursor(page.cursor), limit: page.limit + 1 }) as EventTypeRow[];
  return toPage(rows, page.limit, eventTypeFromRow, (r) => r.name);
}

export function deleteEventType(ctx: SqliteContext, name: string): boolean {
  return ctx.stmt('DELETE FROM event_types WHERE name = ?').run(name).changes === 1;
}
