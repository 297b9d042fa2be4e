// Writing audit records in PostgreSQL. withTransaction (pool.ts) writes a request's pending record
// (core/audit.ts) before COMMIT when the transaction wrote anything, so the record commits or rolls
// back with the change. Kept apart from audit.ts so pool.ts can use it without an import cycle.

import type pg from 'pg';
import { hasPendingAudit, takePendingAudit, type AuditRecord } from '../../core/audit.js';

export const AUDIT_COLUMNS = 'id, at, actor_kind, actor_id, actor_name, tenant, request_id, action, target, diff';

export async function writeAudit(db: Pick<pg.PoolClient, 'query'> | Pick<pg.Pool, 'query'>, r: AuditRecord): Promise<void> {
  await db.query(`INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
    r.id,
    r.at,
    r.actorKind,
    r.actorId,
    r.actorName,
    r.tenant,
    r.requestId,
    r.action,
    r.target,
    JSON.stringify(r.diff ?? null),
  ]);
}

/** Before COMMIT: the pending record, if this transaction changed anything (it has an xid then). */
export async function writePendingAudit(client: pg.PoolClient): Promise<void> {
  if (!hasPendingAudit()) return;
  const { rows } = await client.query<{ wrote: boolean }>('SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS wrote');
  if (!rows[0]?.wrote) return;
  const record = takePendingAudit();
  if (record) await writeAudit(client, record);
}
