// The audit log in SQLite. writeAudit runs inside the caller's transaction (see wrapTransactions);
// listing is newest first by id (ids are time-ordered).

import type Database from 'better-sqlite3';
import { hasPendingAudit, takePendingAudit, type AuditRecord } from '../../core/audit.js';
import type { AuditQuery, Page, PageRequest, Store } from '../store.js';
import type { SqliteContext } from './context.js';
import { decodeCursor, toPage } from './cursor.js';

interface AuditRow {
  id: string;
  at: number;
  actor_kind: string;
  actor_id: string;
  actor_name: string | null;
  tenant: string | null;
  request_id: string | null;
  action: string;
  target: string | null;
  diff: string;
}

const INSERT = `INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_name, tenant, request_id, action, target, diff)
  VALUES (@id, @at, @actor_kind, @actor_id, @actor_name, @tenant, @request_id, @action, @target, @diff)`;

export function writeAudit(ctx: SqliteContext, r: AuditRecord): void {
  ctx.stmt(INSERT).run({
    id: r.id,
    at: r.at,
    actor_kind: r.actorKind,
    actor_id: r.actorId,
    actor_name: r.actorName,
    tenant: r.tenant,
    request_id: r.requestId,
    action: r.action,
    target: r.target,
    diff: JSON.stringify(r.diff ?? null),
  });
}

function fromRow(r: AuditRow): AuditRecord {
  return {
    id: r.id,
    at: r.at,
    actorKind: r.actor_kind as AuditRecord['actorKind'],
    actorId: r.actor_id,
    actorName: r.actor_name,
    tenant: r.tenant,
    requestId: r.request_id,
    action: r.action,
    target: r.target,
    diff: JSON.parse(r.diff) as unknown,
  };
}

/**
 * Every transaction on this connection writes the request's pending audit record (if any) before it
 * commits, when it changed a row: the record shares the change's fate. Only a request's own async
 * context has a pending record, so the dispatcher's transactions never pick one up.
 */
export function wrapTransactions(db: Database.Database, ctx: () => SqliteContext): void {
  const plain = db.transaction.bind(db);
  const changes = db.prepare('SELECT total_changes() AS n').pluck();
  (db as { transaction: unknown }).transaction = (fn: (...args: unknown[]) => unknown) =>
    plain(function (this: unknown, ...args: unknown[]) {
      const before = changes.get() as number;
      const result = fn.apply(this, args);
      if ((changes.get() as number) > before) {
        const record = takePendingAudit();
        if (record) writeAudit(ctx(), record);
      }
      return result;
    });
}

/**
 * Many writes are one statement with no transaction of their own. While a request has a pending
 * record, each store call runs between BEGIN and COMMIT: the adapter's methods do their database
 * work synchronously (better-sqlite3 is synchronous; their promise only carries the result), so no
 * other caller's statement can fall inside, and the record is written with the call's changes.
 */
export function auditInTransactions(store: Store, db: Database.Database, ctx: () => SqliteContext): void {
  const methods = store as unknown as Record<string, (...a: unknown[]) => unknown>;
  const changes = db.prepare('SELECT total_changes() AS n').pluck();
  for (const key of Object.keys(methods)) {
    const fn = methods[key]!;
    if (typeof fn !== 'function' || key === 'migrate' || key === 'close' || key === 'listen') continue;
    methods[key] = (...args: unknown[]) => {
      if (!hasPendingAudit() || db.inTransaction) return fn.apply(store, args);
      db.exec('BEGIN IMMEDIATE');
      try {
        const before = changes.get() as number;
        const result = fn.apply(store, args);
        if ((changes.get() as number) > before) {
          const record = takePendingAudit();
          if (record) writeAudit(ctx(), record);
        }
        db.exec('COMMIT');
        return result;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
    };
  }
}

export function listAudit(ctx: SqliteContext, q: AuditQuery, page: PageRequest): Page<AuditRecord> {
  const where: string[] = [];
  const params: Record<string, string | number | null> = { limit: page.limit + 1 };
  if (q.tenant !== undefined) {
    where.push('tenant IS @tenant');
    params.tenant = q.tenant;
  }
  if (q.actorId !== undefined) {
    where.push('actor_id = @actor_id');
    params.actor_id = q.actorId;
  }
  if (q.action !== undefined) {
    if (q.action.endsWith('.')) {
      where.push('substr(action, 1, length(@action)) = @action');
    } else where.push('action = @action');
    params.action = q.action;
  }
  if (q.target !== undefined) {
    where.push('target = @target');
    params.target = q.target;
  }
  if (q.since !== undefined) {
    where.push('at >= @since');
    params.since = q.since;
  }
  if (q.until !== undefined) {
    where.push('at < @until');
    params.until = q.until;
  }
  const after = decodeCursor(page.cursor);
  if (after !== null) {
    where.push('id < @after');
    params.after = after;
  }
  const sql = `SELECT * FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT +@limit`;
  return toPage(ctx.stmt(sql).all(params) as AuditRow[], page.limit, fromRow, (r) => r.id);
}

export function pruneAudit(ctx: SqliteContext, before: number, batchSize: number): number {
  return ctx.stmt('DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < @before ORDER BY at LIMIT +@batch)').run({ before, batch: batchSize }).changes;
}
