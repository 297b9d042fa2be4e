// Reading and pruning the audit log in PostgreSQL (writing: audit-write.ts). Newest first by id
// (ids are time-ordered).

import type { AuditRecord } from '../../core/audit.js';
import type { AuditQuery, Page, PageRequest } from '../store.js';
import { AUDIT_COLUMNS } from './audit-write.js';
import { query, type PgContext } from './pool.js';
import { Where } from './sql-builder.js';

const COLUMNS = AUDIT_COLUMNS;

function fromRow(r: Record<string, unknown>): AuditRecord {
  return {
    id: r.id as string,
    at: Number(r.at),
    actorKind: r.actor_kind as AuditRecord['actorKind'],
    actorId: r.actor_id as string,
    actorName: (r.actor_name as string | null) ?? null,
    tenant: (r.tenant as string | null) ?? null,
    requestId: (r.request_id as string | null) ?? null,
    action: r.action as string,
    target: (r.target as string | null) ?? null,
    diff: r.diff,
  };
}

export async function listAudit(ctx: PgContext, q: AuditQuery, page: PageRequest): Promise<Page<AuditRecord>> {
  const where = new Where().tenant('tenant', q.tenant);
  if (q.actorId !== undefined) where.add(`actor_id = ${where.param(q.actorId)}`);
  if (q.action !== undefined) where.add(q.action.endsWith('.') ? `starts_with(action, ${where.param(q.action)})` : `action = ${where.param(q.action)}`);
  if (q.target !== undefined) where.add(`target = ${where.param(q.target)}`);
  if (q.since !== undefined) where.add(`at >= ${where.param(q.since)}`);
  if (q.until !== undefined) where.add(`at < ${where.param(q.until)}`);
  if (page.cursor !== undefined && page.cursor !== '') where.add(`id < ${where.param(Buffer.from(page.cursor, 'base64url').toString('utf8'))}`);
  const limit = Math.max(1, Math.floor(page.limit));
  const { rows } = await query(ctx.pool, `SELECT ${COLUMNS} FROM audit_log WHERE ${where.sql()} ORDER BY id DESC LIMIT ${limit + 1}`, where.params);
  const data = rows.slice(0, limit).map(fromRow);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last ? Buffer.from(last.id, 'utf8').toString('base64url') : null };
}

export async function pruneAudit(ctx: PgContext, before: number, batchSize: number): Promise<number> {
  const { rowCount } = await query(ctx.pool, 'DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2)', [before, batchSize]);
  return rowCount ?? 0;
}
